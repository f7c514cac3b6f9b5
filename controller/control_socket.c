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
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "decide.h"
#include "node_ops.h"
#include "status_view.h"

#define MAX_LINE 1024

struct control_socket {
    struct evconnlistener *lis;
    struct cluster *cl;
    char path[108];
};

static void on_written(struct bufferevent *bev, void *arg)
{
    (void)arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        bufferevent_free(bev);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        bufferevent_free(bev);
}

static void reply_err(struct evbuffer *out, const char *msg)
{
    evbuffer_add_printf(out, "ERR %s\n", msg);
}

/* The answer of a view that may not find its subject: "OK" and the body
 * when VIEW_RC >= 0, else MISSING (or "out of memory" without a BODY).
 * Frees BODY. */
static void reply_view(struct evbuffer *out, struct evbuffer *body, int view_rc, const char *missing)
{
    if (!body) {
        reply_err(out, "out of memory");
        return;
    }
    if (view_rc < 0) {
        reply_err(out, missing);
    } else {
        evbuffer_add_printf(out, "OK\n");
        evbuffer_add_buffer(out, body);
    }
    evbuffer_free(body);
}

static void run_command(struct control_socket *cs, char *line, struct evbuffer *out)
{
    char *w[24];                           /* "op NODE pkg install" + up to 20 packages */
    size_t n = 0;
    bool json = false;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t && n < 24; t = strtok_r(NULL, " \t", &save)) {
        if (strcmp(t, "json") == 0)
            json = true;
        else
            w[n++] = t;
    }
    struct cluster *cl = cs->cl;
    char err[256];
    if (n == 0) {
        reply_err(out, "empty command");
    } else if (strcmp(w[0], "status") == 0 && n == 1) {
        evbuffer_add_printf(out, "OK\n");
        view_status(out, cl, json);
    } else if (strcmp(w[0], "node") == 0 && n == 2) {
        struct evbuffer *body = evbuffer_new();
        snprintf(err, sizeof err, "no node %s", w[1]);
        reply_view(out, body, body ? view_node(body, cl, w[1], json) : -1, err);
    } else if (strcmp(w[0], "services") == 0 && n == 1) {
        evbuffer_add_printf(out, "OK\n");
        view_services(out, cl, json);
    } else if (strcmp(w[0], "log") == 0 && n <= 2) {
        long last = n == 2 ? strtol(w[1], NULL, 10) : 0;
        evbuffer_add_printf(out, "OK\n");
        view_log(out, last > 0 ? (size_t)last : 0, json);
    } else if (strcmp(w[0], "stats") == 0 && n == 1) {
        evbuffer_add_printf(out, "OK\n");
        view_stats(out, cl, json);
    } else if ((strcmp(w[0], "drain") == 0 || strcmp(w[0], "undrain") == 0) && n == 2) {
        int i = cluster_find_node(cl, w[1]);
        if (i < 0) {
            snprintf(err, sizeof err, "no node %s", w[1]);
            reply_err(out, err);
        } else if (decide_drain(cl, cl->nodes[i], w[0][0] == 'd', err, sizeof err) < 0) {
            reply_err(out, err);
        } else {
            evbuffer_add_printf(out, "OK\n%s %s requested\n", w[0], w[1]);
        }
    } else if (strcmp(w[0], "app") == 0 && n == 4) {
        int i = cluster_find_node(cl, w[1]);
        int admin = strcmp(w[3], "start") == 0 ? 1 : strcmp(w[3], "stop") == 0 ? 2
                  : strcmp(w[3], "restart") == 0 ? 3 : 0;
        if (i < 0) {
            snprintf(err, sizeof err, "no node %s", w[1]);
            reply_err(out, err);
        } else if (!admin) {
            reply_err(out, "app NODE APP start|stop|restart");
        } else if (decide_app(cl, cl->nodes[i], w[2], admin, err, sizeof err) < 0) {
            reply_err(out, err);
        } else {
            evbuffer_add_printf(out, "OK\napplication %s on %s: %s requested\n", w[2], w[1], w[3]);
        }
    } else if (strcmp(w[0], "op") == 0 && n >= 3) {
        unsigned job = node_ops_start(cl, w[1], w + 2, n - 2, err, sizeof err);
        if (!job)
            reply_err(out, err);
        else
            evbuffer_add_printf(out, "OK\njob %u\n", job);
    } else if (strcmp(w[0], "job") == 0 && n == 2) {
        struct evbuffer *body = evbuffer_new();
        snprintf(err, sizeof err, "no job %s", w[1]);
        reply_view(out, body, body ? node_ops_view(body, (unsigned)strtoul(w[1], NULL, 10), json) : -1, err);
    } else {
        reply_err(out, "unknown command or wrong arguments");
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct control_socket *cs = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len;
    char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
    if (!line) {
        if (evbuffer_get_length(in) > MAX_LINE)
            bufferevent_free(bev);         /* no newline in sight: not a client of ours */
        return;
    }
    struct evbuffer *out = bufferevent_get_output(bev);
    if (len > MAX_LINE)
        reply_err(out, "command too long");
    else
        run_command(cs, line, out);
    free(line);
    bufferevent_disable(bev, EV_READ);
    bufferevent_setcb(bev, NULL, on_written, on_event, cs);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    (void)sa; (void)salen;
    struct bufferevent *bev = bufferevent_socket_new(evconnlistener_get_base(lis), fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        close(fd);
        return;
    }
    bufferevent_setcb(bev, on_read, NULL, on_event, arg);
    bufferevent_enable(bev, EV_READ);
}

struct control_socket *control_socket_open(struct event_base *base, struct cluster *cl, char *err, size_t errlen)
{
    const struct ctl_config *cfg = cl->cfg;
    struct control_socket *cs = calloc(1, sizeof *cs);
    if (!cs) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cs->cl = cl;
    snprintf(cs->path, sizeof cs->path, "%s", cfg->control);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", cs->path);
    /* A socket file left by a controller that died is in the way. */
    struct stat st;
    if (lstat(cs->path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(cs->path);
    cs->lis = evconnlistener_new_bind(base, on_accept, cs, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
                                      (struct sockaddr *)&sun, sizeof sun);
    if (!cs->lis) {
        snprintf(err, errlen, "control socket %s: %s", cs->path, strerror(errno));
        free(cs);
        return NULL;
    }
    if (cfg->control_mode >= 0 && chmod(cs->path, (mode_t)cfg->control_mode) < 0) {
        snprintf(err, errlen, "control socket %s: chmod: %s", cs->path, strerror(errno));
        control_socket_close(cs);
        return NULL;
    }
    if (cfg->control_owner[0] || cfg->control_group[0]) {
        uid_t uid = (uid_t)-1;
        gid_t gid = (gid_t)-1;
        if (cfg->control_owner[0]) {
            struct passwd *pw = getpwnam(cfg->control_owner);
            if (!pw) {
                snprintf(err, errlen, "control socket owner %s: no such user", cfg->control_owner);
                control_socket_close(cs);
                return NULL;
            }
            uid = pw->pw_uid;
        }
        if (cfg->control_group[0]) {
            struct group *gr = getgrnam(cfg->control_group);
            if (!gr) {
                snprintf(err, errlen, "control socket group %s: no such group", cfg->control_group);
                control_socket_close(cs);
                return NULL;
            }
            gid = gr->gr_gid;
        }
        if (chown(cs->path, uid, gid) < 0) {
            snprintf(err, errlen, "control socket %s: chown: %s", cs->path, strerror(errno));
            control_socket_close(cs);
            return NULL;
        }
    }
    return cs;
}

void control_socket_close(struct control_socket *cs)
{
    if (!cs)
        return;
    evconnlistener_free(cs->lis);
    unlink(cs->path);
    free(cs);
}
