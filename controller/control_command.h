/* The control socket's request line, parsed without sockets or cluster (so
 * that it can be fuzzed: fuzz/ctl_control_line.c).  A request is words of
 * printable ASCII separated by spaces or tabs:
 *
 *   status [json] | services [json] | stats [json] | log [N] [json] |
 *   node NAME [json] | job N [json] | drain NAME | undrain NAME |
 *   app NODE APP start|stop|restart | op NODE OPERATION ARGS...
 *
 * "json" is a flag only as the last word of a read command, after the
 * words that command needs: "node json" is the node named json, and the
 * arguments of "op" are never flags ("op n1 pkg install json" installs the
 * package json). */
#ifndef LAMON_CONTROL_COMMAND_H
#define LAMON_CONTROL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_LINE_MAX 1024      /* bytes of a request, without its newline */
#define CTL_WORDS_MAX 24       /* "op NODE pkg install" and 20 packages */
#define CTL_LOG_MAX 1000000UL  /* largest N of "log N" */

enum ctl_cmd { CTL_STATUS, CTL_SERVICES, CTL_STATS, CTL_LOG, CTL_NODE, CTL_JOB, CTL_DRAIN, CTL_UNDRAIN,
               CTL_APP, CTL_OP };

struct ctl_request {
    enum ctl_cmd cmd;
    bool json;
    size_t nargs;                    /* words after the command word, without "json" */
    char *arg[CTL_WORDS_MAX - 1];    /* into the parsed line */
    unsigned long num;               /* log N (0: every line), job N */
    int admin;                       /* app: 1 start, 2 stop, 3 restart */
};

/* Parses LINE (LEN bytes, NUL-terminated at LEN; NULs inside are refused)
 * in place: the separators after words become NULs.  Returns 0, or -1 with
 * the reason in ERR (one line of printable ASCII, for "ERR reason"). */
int ctl_request_parse(char *line, size_t len, struct ctl_request *req, char *err, size_t errlen);

/* A decimal number of at most 10 digits, nothing else, up to MAX into *V
 * (a job's or a line's number, from the socket or the web). */
bool ctl_number(const char *s, unsigned long max, unsigned long *v);

/* Whether CMD is a read command (takes the trailing "json"). */
bool ctl_cmd_is_read(enum ctl_cmd cmd);

/* The command word of CMD ("status", ..., "op"). */
const char *ctl_cmd_name(enum ctl_cmd cmd);

#endif
