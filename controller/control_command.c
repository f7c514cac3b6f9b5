/* Control socket request parser (see control_command.h). */
#include "control_command.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    size_t min, max;                 /* words after the command word */
    bool read;
    const char *usage;
} cmds[] = {
    [CTL_STATUS] = { "status", 0, 0, true, "status [json]" },
    [CTL_SERVICES] = { "services", 0, 0, true, "services [json]" },
    [CTL_STATS] = { "stats", 0, 0, true, "stats [json]" },
    [CTL_LOG] = { "log", 0, 1, true, "log [N] [json]" },
    [CTL_NODE] = { "node", 1, 1, true, "node NAME [json]" },
    [CTL_JOB] = { "job", 1, 1, true, "job N [json]" },
    [CTL_DRAIN] = { "drain", 1, 1, false, "drain NAME" },
    [CTL_UNDRAIN] = { "undrain", 1, 1, false, "undrain NAME" },
    [CTL_APP] = { "app", 3, 3, false, "app NODE APP start|stop|restart" },
    [CTL_OP] = { "op", 2, CTL_WORDS_MAX - 1, false, "op NODE OPERATION ARGS..." },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

bool ctl_cmd_is_read(enum ctl_cmd cmd)
{
    return (size_t)cmd < NCMDS && cmds[cmd].read;
}

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
    return (size_t)cmd < NCMDS ? cmds[cmd].name : "?";
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t';
}

bool ctl_number(const char *s, unsigned long max, unsigned long *v)
{
    size_t n = strlen(s);
    if (n == 0 || n > 10 || strspn(s, "0123456789") != n)
        return false;
    *v = strtoul(s, NULL, 10);
    return *v <= max;
}

int ctl_request_parse(char *line, size_t len, struct ctl_request *req, char *err, size_t errlen)
{
    memset(req, 0, sizeof *req);
    if (len > CTL_LINE_MAX) {
        snprintf(err, errlen, "command longer than %d bytes", CTL_LINE_MAX);
        return -1;
    }
    /* Names, numbers and package specs are printable ASCII: anything else
     * (a NUL, a control character, binary) is not a command of ours. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (!is_sep((char)c) && (c < 0x21 || c > 0x7e)) {
            snprintf(err, errlen, "byte 0x%02x at offset %zu: a command is printable ASCII", c, i);
            return -1;
        }
    }
    char *w[CTL_WORDS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (is_sep(line[i])) {
            i++;
            continue;
        }
        if (n == CTL_WORDS_MAX) {
            snprintf(err, errlen, "more than %d words", CTL_WORDS_MAX);
            return -1;
        }
        w[n++] = line + i;
        while (i < len && !is_sep(line[i]))
            i++;
        line[i < len ? i++ : len] = '\0';
    }
    if (n == 0) {
        snprintf(err, errlen, "empty command");
        return -1;
    }
    size_t c = 0;
    while (c < NCMDS && strcmp(w[0], cmds[c].name) != 0)
        c++;
    if (c == NCMDS) {
        snprintf(err, errlen, "unknown command '%.40s'", w[0]);
        return -1;
    }
    req->cmd = (enum ctl_cmd)c;
    req->nargs = n - 1;
    /* "json" is the read commands' flag only after the words they need. */
    if (cmds[c].read && req->nargs > cmds[c].min && strcmp(w[n - 1], "json") == 0) {
        req->json = true;
        req->nargs--;
    }
    if (req->nargs < cmds[c].min || req->nargs > cmds[c].max) {
        snprintf(err, errlen, "usage: %s", cmds[c].usage);
        return -1;
    }
    memcpy(req->arg, w + 1, req->nargs * sizeof w[0]);
    switch (req->cmd) {
    case CTL_LOG:
        if (req->nargs == 1 && !ctl_number(req->arg[0], CTL_LOG_MAX, &req->num)) {
            snprintf(err, errlen, "log N: N is a number of lines up to %lu", CTL_LOG_MAX);
            return -1;
        }
        break;
    case CTL_JOB:
        if (!ctl_number(req->arg[0], UINT_MAX, &req->num)) {
            snprintf(err, errlen, "job N: N is a job number");
            return -1;
        }
        break;
    case CTL_APP: {
        const char *a = req->arg[2];
        req->admin = strcmp(a, "start") == 0 ? 1 : strcmp(a, "stop") == 0 ? 2 : strcmp(a, "restart") == 0 ? 3 : 0;
        if (!req->admin) {
            snprintf(err, errlen, "usage: %s", cmds[c].usage);
            return -1;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}
