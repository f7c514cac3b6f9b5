/* lamonctl: the console CLI, a client of lamon-controller's control socket.
 *
 *   lamonctl [-s SOCKET] [--timeout S] [--json] status | node NAME | services | log [N] | stats
 *   lamonctl [-s SOCKET] [--no-wait] [--timeout S] drain NAME | undrain NAME
 *   lamonctl [-s SOCKET] [--no-wait] [--timeout S] app NODE APP start|stop|restart
 *   lamonctl [-s SOCKET] [--no-wait] [--timeout S] [--json] reboot NODE | shutdown NODE |
 *            kernel NODE RELEASE | pkg NODE install|update|remove PACKAGE...
 *   lamonctl [-s SOCKET] [--timeout S] [--json] job N
 *
 * The node operations (reboot ... pkg) start a job in the controller
 * (node_ops.h); lamonctl follows it through "job N", printing each new
 * progress line, then the result and the output tail (--json: the job as
 * JSON).  --no-wait returns once the agent accepted the operation, or the
 * drain before it has begun.
 * Read commands print the controller's answer.  Operations return once the
 * controller has sent the change, then (unless --no-wait) follow the node
 * until the change has taken effect, printing each state it passes through.
 * Options go before the command; the words after it are its arguments,
 * taken literally (a package may be called "json" or, refused by the agent,
 * "--foo"); the first "--" among them is dropped, a later one is an
 * argument.  Read commands also take --json after their arguments
 * ("lamonctl status --json").
 * Every exchange with the controller (connect, request, answer) is bounded:
 * by --timeout S when given, else by ANSWER_S; a controller that is stopped
 * or hung gets "no answer from SOCKET within S s".
 * Exit status: 0 success, 1 refused or failed, 2 usage, 3 no controller,
 * 4 no answer within the bound.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_command.h"

#define DEFAULT_SOCKET "/run/lamon/controller.sock"
/* One exchange's bound without --timeout: longer than a healthy controller
 * keeps a client waiting in its backlog while others hold every slot
 * (CTL_SOCKET_ANSWER_TIMEOUT_S, 10 s, in control_socket.h). */
#define ANSWER_S 30
#define EXIT_NO_ANSWER 4

#define TIMEOUT_MAX_S 86400          /* --timeout's upper bound: a day */
static int answer_s = ANSWER_S;      /* the bound of one exchange, seconds */

static void usage(FILE *f)
{
    fprintf(f, "usage: lamonctl [-s SOCKET] [--timeout S] [--json] status | node NAME | services | log [N] | stats\n"
               "       lamonctl [-s SOCKET] [--no-wait] [--timeout S] drain NAME | undrain NAME\n"
               "       lamonctl [-s SOCKET] [--no-wait] [--timeout S] app NODE APP start|stop|restart\n"
               "       lamonctl [-s SOCKET] [--no-wait] [--timeout S] [--json] reboot NODE | shutdown NODE |\n"
               "                kernel NODE RELEASE | pkg NODE install|update|remove PACKAGE...\n"
               "       lamonctl [-s SOCKET] [--timeout S] [--json] job N\n"
               "Options go before the command (read commands: --json also after it); the words\n"
               "after the command are its arguments, never options; \"--\" ends the options.\n"
               "  -s SOCKET    control socket (default " DEFAULT_SOCKET ")\n"
               "  --json       JSON output of read commands and of an operation's result\n"
               "  --no-wait    return once the change is sent\n"
               "  --timeout S  give up on an answer after S seconds (default 30), and an\n"
               "               operation's wait for its effect after S (default 300)\n"
               "Exit status: 0 success, 1 refused or failed, 2 usage, 3 no controller,\n"
               "4 no answer within the timeout.\n");
}

static bool is_read_command(const char *cmd)
{
    static const char *const reads[] = { "status", "node", "services", "log", "stats", "job" };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (strcmp(cmd, reads[i]) == 0)
            return true;
    return false;
}

/* One word of the control protocol: printable ASCII, no separator. */
static bool printable_word(const char *w)
{
    if (!*w)
        return false;
    for (const unsigned char *p = (const unsigned char *)w; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits until FD is ready for EVENTS; -1 with errno ETIMEDOUT once END
 * (now_s) has passed. */
static int wait_fd(int fd, short events, double end)
{
    for (;;) {
        double left = end - now_s();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, left > 60 ? 60000 : (int)(left * 1000) + 1);
        if (r > 0)
            return 0;                /* an error or hang-up shows in the read or write */
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Connects to SOCK before END: a blocking connect waits for room in a full
 * backlog, bounded by SO_SNDTIMEO (unix(7)). */
static int connect_by(const char *sock, double end)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(sock) >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sun.sun_path, sock, strlen(sock) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    double left = end - now_s();
    /* Rounded up to the next microsecond: a zero SO_SNDTIMEO would mean no
     * bound, and tv_usec must stay below 1000000 (EDOM). */
    long long us = (long long)(left * 1e6) + 1;
    struct timeval tv = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };
    if (left <= 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
        connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        int e = left <= 0 || errno == EAGAIN || errno == EINPROGRESS ? ETIMEDOUT : errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Sends LINE, returns the whole answer (malloc'd), or NULL with errno
 * (ETIMEDOUT: no complete answer within answer_s). */
static char *ask(const char *sock, const char *line)
{
    double end = now_s() + answer_s;
    int fd = connect_by(sock, end);
    if (fd < 0)
        return NULL;
    size_t n = 0, len = strlen(line), cap = len + 1 > 4096 ? len + 1 : 4096;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return NULL;
    }
    memcpy(buf, line, len);
    buf[len++] = '\n';
    for (size_t sent = 0; sent < len;) {
        /* MSG_NOSIGNAL: a controller that hung up is an error, not SIGPIPE. */
        ssize_t w = wait_fd(fd, POLLOUT, end) < 0 ? -1 : send(fd, buf + sent, len - sent, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            goto fail;
        sent += (size_t)w;
    }
    for (;;) {
        if (cap - n < 2048) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                goto fail;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = wait_fd(fd, POLLIN, end) < 0 ? -1 : read(fd, buf + n, cap - n - 1);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return buf;
fail:;
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}

/* Says why ask() failed (errno) after WHAT; returns the exit status. */
static int no_answer(const char *sock, const char *what)
{
    if (errno == ETIMEDOUT) {
        fprintf(stderr, "lamonctl: no answer from %s within %d s\n", sock, answer_s);
        return EXIT_NO_ANSWER;
    }
    fprintf(stderr, "lamonctl: %s: %s\n", what, strerror(errno));
    return 3;
}

/* Prints the body of an answer; returns 0 for OK, 1 for ERR. */
static int show(const char *answer, bool quiet)
{
    if (strncmp(answer, "OK\n", 3) == 0) {
        if (!quiet)
            fputs(answer + 3, stdout);
        return 0;
    }
    const char *msg = strncmp(answer, "ERR ", 4) == 0 ? answer + 4 : answer;
    fprintf(stderr, "lamonctl: %s%s", msg, msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
    return 1;
}

/* Asks for a view that is followed in a loop: the answer when it is OK;
 * else NULL with *RC the exit status (3: no controller, 1: its error,
 * printed). */
static char *ask_view(const char *sock, const char *q, int *rc)
{
    char *a = ask(sock, q);
    if (!a) {
        *rc = no_answer(sock, "lost the controller");
        return NULL;
    }
    if (strncmp(a, "OK\n", 3) != 0) {
        *rc = show(a, true);
        free(a);
        return NULL;
    }
    return a;
}

/* The value on the line of VIEW that starts with KEY (then ':' or ' '),
 * into buf: its first word, or with REST the rest of the line.  buf is ""
 * when there is no such line. */
static bool field(const char *view, const char *key, bool rest, char *buf, size_t len)
{
    size_t kl = strlen(key);
    buf[0] = '\0';
    for (const char *p = view; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, kl) != 0 || (p[kl] != ':' && p[kl] != ' '))
            continue;
        p += kl;
        while (*p == ' ' || *p == ':')
            p++;
        size_t n = strcspn(p, rest ? "\n" : " \n");
        if (n >= len)
            n = len - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        return true;
    }
    return false;
}

/* Follows node NODE until its state (or, with APP, that application's
 * status) is one of WANT ("a|b"); prints each new value. */
static int follow(const char *sock, const char *node, const char *app, const char *want, int timeout)
{
    char q[256], key[96], last[64] = "", cur[64];
    snprintf(q, sizeof q, "node %s", node);
    if (app)
        snprintf(key, sizeof key, "app %s", app);
    else
        snprintf(key, sizeof key, "state");
    time_t end = time(NULL) + timeout;
    while (time(NULL) <= end) {
        int rc;
        char *a = ask_view(sock, q, &rc);
        if (!a)
            return rc;
        bool got = field(a + 3, key, false, cur, sizeof cur);
        free(a);
        if (got && strcmp(cur, last) != 0) {
            printf("%s %s: %s\n", node, app ? app : "state", cur);
            fflush(stdout);
            snprintf(last, sizeof last, "%s", cur);
        }
        if (got) {
            char w[64];
            snprintf(w, sizeof w, "%s", want);
            char *save = NULL;
            for (char *t = strtok_r(w, "|", &save); t; t = strtok_r(NULL, "|", &save))
                if (strcmp(t, cur) == 0)
                    return 0;
        }
        usleep(300000);
    }
    fprintf(stderr, "lamonctl: %s: gave up waiting after %d s\n", node, timeout);
    return 1;
}

static int print_job_json(const char *sock, unsigned job)
{
    char q[64];
    snprintf(q, sizeof q, "job %u json", job);
    char *a = ask(sock, q);
    if (!a)
        return no_answer(sock, "lost the controller");
    int r = show(a, false);
    free(a);
    return r;
}

/* Follows job JOB of the controller until it ended (or, with NOWAIT, until
 * the agent accepted the operation or the drain before it began), printing
 * every new progress line.  With JSON the progress goes to stderr and the
 * job, as JSON, to stdout. */
static int follow_job(const char *sock, unsigned job, bool nowait, bool json, int timeout)
{
    char q[64], last[512] = "", phase[32], result[16], idx[16], prog[512], msg[512];
    size_t steps = 0;
    unsigned reads = 0;
    snprintf(q, sizeof q, "job %u", job);
    FILE *pf = json ? stderr : stdout;
    time_t end = time(NULL) + timeout;
    for (;;) {
        int rc;
        char *a = ask_view(sock, q, &rc);
        if (!a)
            return rc;
        field(a + 3, "phase", true, phase, sizeof phase);
        field(a + 3, "result", true, result, sizeof result);
        field(a + 3, "op_index", true, idx, sizeof idx);
        field(a + 3, "progress", true, prog, sizeof prog);
        field(a + 3, "message", true, msg, sizeof msg);
        /* "step:" lines: the job's milestones so far, in order. */
        size_t k = 0;
        for (const char *p = strstr(a + 3, "\nstep: "); p; p = strstr(p + 1, "\nstep: "), k++) {
            if (k < steps)
                continue;
            int len = (int)strcspn(p + 7, "\n");
            fprintf(pf, "%.*s\n", len, p + 7);
            snprintf(last, sizeof last, "%.*s", len, p + 7);
            steps = k + 1;
        }
        if (prog[0] && strcmp(prog, last) != 0) {
            fprintf(pf, "%s\n", prog);
            fflush(pf);
            snprintf(last, sizeof last, "%s", prog);
        }
        if (strcmp(result, "pending") != 0) {
            /* --no-wait on a quick operation: it may have ended already. */
            if (nowait && strtoul(idx, NULL, 10) > 0)
                printf("job %u: operation %s on the node\n", job, idx);
            const char *o = strstr(a + 3, "\noutput:\n");
            if (!json && o && o[9])
                for (const char *l = o + 9; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0))
                    printf("  %.*s\n", (int)strcspn(l, "\n"), l);
            free(a);
            int r = json ? print_job_json(sock, job) : 0;
            if (strcmp(result, "ok") != 0) {
                fprintf(stderr, "lamonctl: %s\n", msg);
                return 1;
            }
            return r;
        }
        free(a);
        if (nowait && (strcmp(phase, "draining") == 0 || strtoul(idx, NULL, 10) > 0)) {
            if (strcmp(phase, "draining") == 0)
                printf("job %u: the node drains first; follow it with lamonctl job %u\n", job, job);
            else
                printf("job %u: operation %s on the node\n", job, idx);
            return json ? print_job_json(sock, job) : 0;
        }
        if (time(NULL) > end) {
            fprintf(stderr, "lamonctl: gave up waiting after %d s; job %u goes on (lamonctl job %u)\n", timeout,
                    job, job);
            return 1;
        }
        /* Quick reads at first: the acceptance (or a quick operation's end)
         * takes milliseconds; then a gentler pace for long operations. */
        usleep(++reads < 100 ? 10000 : 300000);
    }
}

int main(int argc, char **argv)
{
    const char *sock = getenv("LAMON_CONTROL_SOCKET") ? getenv("LAMON_CONTROL_SOCKET") : DEFAULT_SOCKET;
    bool json = false, nowait = false;
    int timeout = 300;
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "no-wait", no_argument, NULL, 'n' },
        { "timeout", required_argument, NULL, 't' },
        { "socket", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sock = optarg; break;
        case 'j': json = true; break;
        case 'n': nowait = true; break;
        case 't': {
            /* 1 s to a day; anything else (or not a number) is a usage error. */
            char *e;
            errno = 0;
            long t = strtol(optarg, &e, 10);
            bool digits = isdigit((unsigned char)optarg[0]);   /* no sign, no space */
            timeout = answer_s = !digits || errno || *e || t < 1 || t > TIMEOUT_MAX_S ? 0 : (int)t;
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc || timeout <= 0) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    bool read_cmd = is_read_command(cmd);
    /* The words after the command are its arguments, never options: a
     * package may be called "json".  Only a read command, whose arguments
     * are names and numbers, also takes --json after them ("lamonctl
     * status --json"); the first "--" ends that and is dropped, a later one
     * is an argument like any other. */
    char *words[CTL_WORDS_MAX] = { NULL };
    int nw = 0;
    bool dashdash = false;
    for (int i = optind; i < argc; i++) {
        if (!dashdash && i > optind && strcmp(argv[i], "--") == 0) {
            dashdash = true;
            continue;
        }
        if (read_cmd && !dashdash && i > optind && argv[i][0] == '-') {
            if (strcmp(argv[i], "--json") != 0) {
                fprintf(stderr, "lamonctl: %s: unknown option (options go before the command)\n", argv[i]);
                usage(stderr);
                return 2;
            }
            json = true;
            continue;
        }
        if (nw == CTL_WORDS_MAX) {
            fprintf(stderr, "lamonctl: more than %d words\n", CTL_WORDS_MAX - 1);
            return 2;
        }
        if (!printable_word(argv[i])) {
            fprintf(stderr, "lamonctl: '%s': an argument is one word of printable ASCII (no spaces)\n", argv[i]);
            return 2;
        }
        words[nw++] = argv[i];
    }
    bool node_op = ((strcmp(cmd, "reboot") == 0 || strcmp(cmd, "shutdown") == 0) && nw == 2) ||
                   (strcmp(cmd, "kernel") == 0 && nw == 3) || (strcmp(cmd, "pkg") == 0 && nw >= 4);
    if (read_cmd) {
        bool fits = ((strcmp(cmd, "status") == 0 || strcmp(cmd, "services") == 0 || strcmp(cmd, "stats") == 0) &&
                     nw == 1) || (strcmp(cmd, "log") == 0 && nw <= 2) ||
                    ((strcmp(cmd, "node") == 0 || strcmp(cmd, "job") == 0) && nw == 2);
        if (!fits) {
            usage(stderr);
            return 2;
        }
    } else if (!node_op && !((strcmp(cmd, "drain") == 0 || strcmp(cmd, "undrain") == 0) && nw == 2) &&
               !(strcmp(cmd, "app") == 0 && nw == 4)) {
        usage(stderr);
        return 2;
    }
    /* A node operation goes to the controller as "op NODE COMMAND ARGS";
     * a read command's --json as the last word "json". */
    const char *send[CTL_WORDS_MAX + 2];
    size_t ns = 0;
    if (node_op) {
        send[ns++] = "op";
        send[ns++] = words[1];
        send[ns++] = words[0];
    }
    for (int i = node_op ? 2 : 0; i < nw; i++)
        send[ns++] = words[i];
    if (json && read_cmd)
        send[ns++] = "json";
    char line[CTL_LINE_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) {
        int k = snprintf(line + n, sizeof line - n, "%s%s", n ? " " : "", send[i]);
        if (k < 0 || (size_t)k >= sizeof line - n) {
            fprintf(stderr, "lamonctl: command longer than %d bytes\n", CTL_LINE_MAX);
            return 2;
        }
        n += (size_t)k;
    }
    /* The controller's own parser, as a last check of what is sent. */
    char copy[sizeof line], err[256];
    struct ctl_request rq;
    memcpy(copy, line, n + 1);
    if (ctl_request_parse(copy, n, &rq, err, sizeof err) < 0) {
        fprintf(stderr, "lamonctl: %s\n", err);
        return 2;
    }
    char *a = ask(sock, line);
    if (!a) {
        char what[160];
        snprintf(what, sizeof what, "cannot reach the controller at %s", sock);
        return no_answer(sock, what);
    }
    if (node_op && strncmp(a, "OK\njob ", 7) == 0) {
        unsigned job = (unsigned)strtoul(a + 7, NULL, 10);
        free(a);
        return follow_job(sock, job, nowait, json, timeout);
    }
    int r = show(a, false);
    free(a);
    if (r != 0 || read_cmd || nowait)
        return r;
    if (strcmp(cmd, "drain") == 0)
        return follow(sock, words[1], NULL, "maintenance", timeout);
    if (strcmp(cmd, "undrain") == 0)
        return follow(sock, words[1], NULL, "up|app-wait|app-down", timeout);
    if (strcmp(words[3], "stop") == 0)
        return follow(sock, words[1], words[2], "down", timeout);
    return follow(sock, words[1], words[2], "up", timeout);
}
