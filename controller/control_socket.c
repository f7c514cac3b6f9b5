/* Unix control socket for lamonctl (see control_socket.h). */
#include "control_socket.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "control_command.h"
#include "ctl_run.h"
#include "log_limit.h"

enum { LOG_ACCEPT, LOG_CAP, LOG_IDLE, LOG_STUCK, LOG_BAD, LOG_KINDS };

struct control_socket {
    struct evconnlistener *lis;
    struct event *resume;            /* re-enables the listener after a pause */
    bool paused;
    struct cluster *cl;
    struct client *first, *last;     /* in the order of accept */
    size_t nclients;
    struct log_limit rate[LOG_KINDS];    /* one line per kind per LOG_EVERY_S */
    char path[108];
};

struct client {
    struct client *prev, *next;
    struct control_socket *cs;
    struct bufferevent *bev;
    struct timespec since;           /* accepted */
    bool answered;                   /* the request was read; the answer is being written */
};

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Logs "control socket: ...", at most one line of each KIND every
 * LOG_EVERY_S, so that a flood of bad clients cannot flood the log. */
#define note(cs, kind, ...) log_limited(&(cs)->rate[kind], CTL_SOCKET_LOG_EVERY_S, "control socket", __VA_ARGS__)

/* Stops accepting until RETRY has passed (NULL: no timer) or, either way,
 * until a client leaves (client_free). */
static void listener_pause(struct control_socket *cs, const struct timeval *retry)
{
    evconnlistener_disable(cs->lis);
    cs->paused = true;
    if (retry)
        evtimer_add(cs->resume, retry);
    else
        evtimer_del(cs->resume);     /* only a leaving client resumes it */
}

static void listener_resume(struct control_socket *cs)
{
    if (!cs->paused)
        return;
    cs->paused = false;
    evtimer_del(cs->resume);
    evconnlistener_enable(cs->lis);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    listener_resume(arg);
}

static void client_free(struct client *c)
{
    struct control_socket *cs = c->cs;
    *(c->prev ? &c->prev->next : &cs->first) = c->next;
    *(c->next ? &c->next->prev : &cs->last) = c->prev;
    cs->nclients--;
    bufferevent_free(c->bev);
    free(c);
    /* A slot (and a descriptor) is free again. */
    listener_resume(cs);
}

static void reply_err(struct evbuffer *out, const char *msg)
{
    evbuffer_add_printf(out, "ERR %s\n", msg);
}

/* "OK" and the body, or "ERR reason" (ctl_run.h). */
static void run_request(struct control_socket *cs, const struct ctl_request *rq, struct evbuffer *out)
{
    char err[256];
    unsigned job;
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        reply_err(out, "out of memory");
        return;
    }
    if (ctl_run(cs->cl, rq, body, &job, err, sizeof err) == CTL_DONE) {
        evbuffer_add_printf(out, "OK\n");
        evbuffer_add_buffer(out, body);
    } else {
        reply_err(out, err);
    }
    evbuffer_free(body);
}

static void on_written(struct bufferevent *bev, void *arg)
{
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        client_free(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg);

/* Answers LINE (LEN bytes) and turns C into a writer: one request per
 * connection, so a client can hold at most one answer in memory. */
static void answer(struct client *c, char *line, size_t len)
{
    struct control_socket *cs = c->cs;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    struct ctl_request rq;
    char err[256];
    if (ctl_request_parse(line, len, &rq, err, sizeof err) < 0) {
        reply_err(out, err);
        note(cs, LOG_BAD, "a client's command was refused: %s", err);
    } else {
        run_request(cs, &rq, out);
    }
    c->answered = true;
    bufferevent_disable(c->bev, EV_READ);
    bufferevent_setcb(c->bev, NULL, on_written, on_event, c);
}

/* Answers the request in C's input when it is complete.  Returns false when
 * C was freed or there is no complete request yet. */
static bool try_answer(struct client *c, bool eof)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t len;
    char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
    if (!line && eof && evbuffer_get_length(in) > 0) {
        /* "printf status | nc -U": the end of the stream ends the line */
        len = evbuffer_get_length(in);
        line = malloc(len + 1);
        if (line) {
            evbuffer_remove(in, line, len);
            line[len] = '\0';
        }
    }
    if (line) {
        answer(c, line, len);
        free(line);
        return true;
    }
    if (evbuffer_get_length(in) > CTL_LINE_MAX + 1) {     /* room for a line and its "\r" */
        char err[64];
        snprintf(err, sizeof err, "command longer than %d bytes", CTL_LINE_MAX);
        reply_err(bufferevent_get_output(c->bev), err);
        note(c->cs, LOG_BAD, "a client sent more than %d bytes without a newline: answered ERR", CTL_LINE_MAX);
        c->answered = true;
        bufferevent_disable(c->bev, EV_READ);
        bufferevent_setcb(c->bev, NULL, on_written, on_event, c);
        return true;
    }
    return false;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct client *c = arg;
    if (try_answer(c, false))
        return;
    /* The read timeout restarts with every byte: bound the whole request. */
    double t = elapsed(&c->since);
    if (t > CTL_SOCKET_REQUEST_TIMEOUT_S) {
        note(c->cs, LOG_IDLE, "closed a client that sent no complete command in %.0f s", t);
        client_free(c);
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct client *c = arg;
    struct control_socket *cs = c->cs;
    if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING))
        note(cs, LOG_IDLE, "closed a client that sent no command in %d s", CTL_SOCKET_REQUEST_TIMEOUT_S);
    else if (what & BEV_EVENT_TIMEOUT)
        note(cs, LOG_STUCK, "dropped a client that read none of its answer for %d s (%zu bytes unsent)",
             CTL_SOCKET_ANSWER_TIMEOUT_S, evbuffer_get_length(bufferevent_get_output(bev)));
    else if ((what & BEV_EVENT_EOF) && !c->answered && try_answer(c, true))
        return;                      /* the answer is written despite the half-close */
    client_free(c);
}

/* Closes the oldest client but KEEP that has not sent a request, to make
 * room for a new one.  A client whose request is waiting in its socket
 * (accepted in the same burst, not read yet) is answered instead, not
 * closed.  Returns whether a client was closed.  WHY goes to the log. */
static bool evict_idle(struct control_socket *cs, const char *why, const struct client *keep)
{
    for (struct client *c = cs->first, *next = NULL; c != NULL; c = next) {
        next = c->next;
        if (c->answered || (keep != NULL && c == keep))
            continue;
        struct evbuffer *in = bufferevent_get_input(c->bev);
        size_t have = evbuffer_get_length(in);
        int r = -1;
        if (have <= CTL_LINE_MAX + 1) {
            /* A bufferevent's input only grows through the bufferevent:
             * unfrozen for this read, as its own reads do. */
            evbuffer_unfreeze(in, 0);
            r = evbuffer_read(in, bufferevent_getfd(c->bev), (int)(CTL_LINE_MAX + 2 - have));
            evbuffer_freeze(in, 0);
        }
        if (r > 0 && try_answer(c, false))
            continue;
        if (r == 0 && try_answer(c, true))
            continue;
        double t = elapsed(&c->since);
        note(cs, LOG_CAP, "%s: closed the oldest client, which had sent no command in %.1f s", why, t);
        client_free(c);
        return true;
    }
    return false;
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    (void)sa; (void)salen;
    struct control_socket *cs = arg;
    struct client *c = calloc(1, sizeof *c);
    struct bufferevent *bev = c ? bufferevent_socket_new(evconnlistener_get_base(lis), fd, BEV_OPT_CLOSE_ON_FREE)
                                : NULL;
    if (!bev) {
        free(c);
        close(fd);
        note(cs, LOG_ACCEPT, "out of memory for a new client: closed it");
        return;
    }
    c->cs = cs;
    c->bev = bev;
    clock_gettime(CLOCK_MONOTONIC, &c->since);
    c->prev = cs->last;
    *(cs->last ? &cs->last->next : &cs->first) = c;
    cs->last = c;
    cs->nclients++;
    /* Never more than a request line (and its CR LF) in memory. */
    bufferevent_setwatermark(bev, EV_READ, 0, CTL_LINE_MAX + 2);
    struct timeval rt = { CTL_SOCKET_REQUEST_TIMEOUT_S, 0 }, wt = { CTL_SOCKET_ANSWER_TIMEOUT_S, 0 };
    bufferevent_set_timeouts(bev, &rt, &wt);
    bufferevent_setcb(bev, on_read, NULL, on_event, c);
    bufferevent_enable(bev, EV_READ);
    if (cs->nclients < CTL_SOCKET_MAX_CLIENTS)
        return;
    char why[64];
    snprintf(why, sizeof why, "%d clients connected (the limit)", CTL_SOCKET_MAX_CLIENTS);
    if (!evict_idle(cs, why, c)) {
        /* Every client waits for its answer: new ones wait in the backlog
         * until one of them is done or dropped. */
        note(cs, LOG_CAP, "%s, all of them reading their answers: not accepting until one leaves", why);
        listener_pause(cs, NULL);
    }
}

/* Without an error callback, libevent logs every failed accept() and the
 * listener stays readable: at the descriptor limit that is a busy loop
 * writing "Too many open files" as fast as it can. */
static void on_accept_error(struct evconnlistener *lis, void *arg)
{
    (void)lis;
    int e = EVUTIL_SOCKET_ERROR();
    struct control_socket *cs = arg;
    char why[160];
    snprintf(why, sizeof why, "accept: %s", evutil_socket_error_to_string(e));
    if ((e == EMFILE || e == ENFILE) && evict_idle(cs, why, NULL))
        return;                      /* its descriptor is free for the next accept */
    struct timeval retry = { CTL_SOCKET_ACCEPT_PAUSE_MS / 1000, CTL_SOCKET_ACCEPT_PAUSE_MS % 1000 * 1000 };
    note(cs, LOG_ACCEPT, "%s (%zu clients connected): not accepting for %d ms", why, cs->nclients,
         CTL_SOCKET_ACCEPT_PAUSE_MS);
    listener_pause(cs, &retry);
}

int control_socket_set_access(struct control_socket *cs, char *err, size_t errlen)
{
    const struct ctl_config *cfg = cs->cl->cfg;
    if (cfg->control_mode >= 0 && chmod(cs->path, (mode_t)cfg->control_mode) < 0) {
        snprintf(err, errlen, "control socket %s: chmod: %s", cs->path, strerror(errno));
        return -1;
    }
    if (!cfg->control_owner[0] && !cfg->control_group[0])
        return 0;
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    if (cfg->control_owner[0]) {
        struct passwd *pw = getpwnam(cfg->control_owner);
        if (!pw) {
            snprintf(err, errlen, "control socket owner %s: no such user", cfg->control_owner);
            return -1;
        }
        uid = pw->pw_uid;
    }
    if (cfg->control_group[0]) {
        struct group *gr = getgrnam(cfg->control_group);
        if (!gr) {
            snprintf(err, errlen, "control socket group %s: no such group", cfg->control_group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    if (chown(cs->path, uid, gid) < 0) {
        snprintf(err, errlen, "control socket %s: chown: %s", cs->path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Makes PATH free to bind.  A socket file nobody listens on (left by a
 * controller that was killed) is removed; a socket that accepts belongs to
 * a running controller, and anything else is a file an operator named by
 * mistake: both are left alone, or a second controller would silently take
 * the socket over, or the file would be lost.  Not closed: two controllers
 * started in the same instant on a stale file may both see ECONNREFUSED
 * (the second between the first's bind and listen) and the second unlink
 * the first's new socket; systemd and Pacemaker start one at a time, and
 * closing it would take a lock file beside the socket. */
static int claim_path(const char *path, const struct sockaddr_un *sun, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "control socket %s exists and is not a socket", path);
        return -1;
    }
    /* Non-blocking: a full backlog (EAGAIN) means a live listener too,
     * and a stopped one must not stop us. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "control socket %s: socket: %s", path, strerror(errno));
        return -1;
    }
    int r = connect(fd, (const struct sockaddr *)sun, sizeof *sun), e = errno;
    close(fd);
    if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
        snprintf(err, errlen, "control socket %s is in use by a running controller", path);
        return -1;
    }
    if (e == ENOENT)
        return 0;                    /* removed meanwhile */
    if (e != ECONNREFUSED) {
        snprintf(err, errlen, "control socket %s: cannot tell whether a controller listens on it: connect: %s",
                 path, strerror(e));
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        snprintf(err, errlen, "control socket %s: removing the stale socket: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

struct control_socket *control_socket_open(struct event_base *base, struct cluster *cl, char *err, size_t errlen)
{
    const struct ctl_config *cfg = cl->cfg;
    struct control_socket *cs = calloc(1, sizeof *cs);
    if (!cs || !(cs->resume = evtimer_new(base, on_resume, cs))) {
        free(cs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cs->cl = cl;
    snprintf(cs->path, sizeof cs->path, "%s", cfg->control);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", cs->path);
    if (claim_path(cs->path, &sun, err, errlen) < 0) {
        event_free(cs->resume);
        free(cs);
        return NULL;
    }
    cs->lis = evconnlistener_new_bind(base, on_accept, cs, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
                                      (struct sockaddr *)&sun, sizeof sun);
    if (!cs->lis) {
        snprintf(err, errlen, "control socket %s: %s", cs->path, strerror(errno));
        event_free(cs->resume);
        free(cs);
        return NULL;
    }
    evconnlistener_set_error_cb(cs->lis, on_accept_error);
    if (control_socket_set_access(cs, err, errlen) < 0) {
        control_socket_close(cs);
        return NULL;
    }
    return cs;
}

const char *control_socket_path(const struct control_socket *cs)
{
    return cs->path;
}

void control_socket_close(struct control_socket *cs)
{
    if (!cs)
        return;
    evconnlistener_free(cs->lis);
    cs->lis = NULL;
    while (cs->first) {
        struct client *c = cs->first;
        cs->first = c->next;
        bufferevent_free(c->bev);
        free(c);
    }
    event_free(cs->resume);
    unlink(cs->path);
    free(cs);
}
