/* libFuzzer target: the control socket's request line
 * (controller/control_command.c).  The input is the line as a client sent
 * it, NULs and all.  Besides crashes (ASan/UBSan), it aborts when
 *   - an error reason is empty or not one line of printable ASCII (it is
 *     sent back as "ERR reason\n");
 *   - a parsed request breaks its bounds: word count, arity of its command,
 *     words that are empty, hold a separator or a non-printable byte, or
 *     point outside the line; "json" taken as a flag of a write command;
 *   - the request does not survive a round trip: its words joined by single
 *     spaces parse to the same request (so spacing never changes meaning). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../controller/control_command.h"

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

static void check_err(const char *err, size_t errlen)
{
    size_t n = strnlen(err, errlen);
    if (n == 0 || n == errlen)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e)
            abort();
}

static void check_request(const struct ctl_request *rq, const char *line, size_t len)
{
    static const size_t min[] = { [CTL_STATUS] = 0, [CTL_SERVICES] = 0, [CTL_STATS] = 0, [CTL_LOG] = 0,
                                  [CTL_NODE] = 1, [CTL_JOB] = 1, [CTL_DRAIN] = 1, [CTL_UNDRAIN] = 1,
                                  [CTL_APP] = 3, [CTL_OP] = 2 };
    static const size_t max[] = { [CTL_STATUS] = 0, [CTL_SERVICES] = 0, [CTL_STATS] = 0, [CTL_LOG] = 1,
                                  [CTL_NODE] = 1, [CTL_JOB] = 1, [CTL_DRAIN] = 1, [CTL_UNDRAIN] = 1,
                                  [CTL_APP] = 3, [CTL_OP] = CTL_WORDS_MAX - 1 };
    if ((unsigned)rq->cmd > CTL_OP || rq->nargs < min[rq->cmd] || rq->nargs > max[rq->cmd])
        abort();
    if (rq->nargs + 1 + rq->json > CTL_WORDS_MAX || len > CTL_LINE_MAX)
        abort();
    if (rq->json && !ctl_cmd_is_read(rq->cmd))
        abort();
    for (size_t i = 0; i < rq->nargs; i++) {
        const char *a = rq->arg[i];
        if (!a || a < line || a >= line + len || !*a || a + strlen(a) > line + len || !printable(a))
            abort();
        if (i > 0 && a <= rq->arg[i - 1])
            abort();
    }
    if (rq->cmd == CTL_LOG && (rq->num > CTL_LOG_MAX || (rq->nargs == 0 && rq->num != 0)))
        abort();
    if (rq->cmd == CTL_JOB && rq->num > 0xffffffffUL)
        abort();
    if (rq->cmd == CTL_APP && (rq->admin < 1 || rq->admin > 3))
        abort();
    if (rq->cmd != CTL_APP && rq->admin != 0)
        abort();
}

/* The request's words joined by single spaces. */
static size_t canonical(const struct ctl_request *rq, char *out, size_t cap)
{
    size_t n = 0;
    const char *w = ctl_cmd_name(rq->cmd);
    for (size_t i = 0;; i++) {
        size_t l = strlen(w);
        if (n + l + 1 >= cap)
            abort();
        if (n)
            out[n++] = ' ';
        memcpy(out + n, w, l);
        n += l;
        if (i < rq->nargs)
            w = rq->arg[i];
        else if (i == rq->nargs && rq->json)
            w = "json";
        else
            break;
    }
    out[n] = '\0';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    struct ctl_request rq;
    char err[256];
    memset(err, 'x', sizeof err);
    if (ctl_request_parse(line, size, &rq, err, sizeof err) < 0) {
        check_err(err, sizeof err);
        free(line);
        return 0;
    }
    check_request(&rq, line, size);
    char canon[CTL_LINE_MAX + 1];
    size_t n = canonical(&rq, canon, sizeof canon);
    struct ctl_request again;
    if (ctl_request_parse(canon, n, &again, err, sizeof err) < 0)
        abort();
    if (again.cmd != rq.cmd || again.json != rq.json || again.nargs != rq.nargs || again.num != rq.num ||
        again.admin != rq.admin)
        abort();
    for (size_t i = 0; i < rq.nargs; i++)
        if (strcmp(again.arg[i], rq.arg[i]) != 0)
            abort();
    free(line);
    return 0;
}
