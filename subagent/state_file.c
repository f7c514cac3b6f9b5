/* DIR/state, one "key value" per line:
 *   state 2
 *   role 3
 *   service web
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_file.h"

#define STATE_LINE_MAX 255

/* Reads one line of F into BUF (STATE_LINE_MAX + 1 bytes) without its
 * newline.  Returns 1, 0 at the end of the file, or -1 for a line that is
 * too long or holds a NUL byte: that line is read to its end and dropped
 * as a whole, never split into two. */
static int read_line(FILE *f, char *buf, const char *path, int lineno)
{
    size_t len = 0;
    bool nul = false;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0')
            nul = true;
        if (len < STATE_LINE_MAX)
            buf[len] = (char)c;
        len++;
    }
    if (c == EOF && len == 0)
        return 0;
    if (nul || len > STATE_LINE_MAX) {
        snmp_log(LOG_ERR, "%s: line %d: %s; ignored\n", path, lineno,
                 nul ? "holds a NUL byte" : "longer than 255 characters");
        return -1;
    }
    buf[len] = '\0';
    return 1;
}

/* A decimal number LO..HI, nothing else. */
static bool parse_small(const char *s, int lo, int hi, int *out)
{
    if (*s < '0' || *s > '9' || strlen(s) > 3)
        return false;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* What a SET of lamonNodeService accepts: printable ASCII, 64 at most. */
static bool valid_service(const char *s)
{
    if (strlen(s) > LAMON_NAME_MAX)
        return false;
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

int state_file_load(const char *dir, struct node_persist *p)
{
    char path[4200];
    memset(p, 0, sizeof *p);
    snprintf(path, sizeof path, "%s/state", dir);
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snmp_log(LOG_ERR, "%s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    char line[STATE_LINE_MAX + 1];
    int lineno = 0, rc = 0, r;
    while (lineno < INT_MAX && (r = read_line(f, line, path, lineno + 1)) != 0) {
        lineno++;
        if (r < 0) {
            rc = -1;
            continue;
        }
        char *val = strchr(line, ' ');
        if (val)
            *val++ = '\0';
        else
            val = line + strlen(line);
        if (strcmp(line, "state") == 0 && parse_small(val, 1, 5, &p->state)) {
        } else if (strcmp(line, "role") == 0 && parse_small(val, 1, 4, &p->role)) {
        } else if (strcmp(line, "service") == 0 && valid_service(val)) {
            strcpy(p->service, val);
        } else if (line[0] != '\0') {
            snmp_log(LOG_ERR, "%s: line %d: unexpected '%.*s'; ignored\n", path, lineno,
                     LAMON_NAME_MAX, line);
            rc = -1;
        }
    }
    if (ferror(f)) {
        snmp_log(LOG_ERR, "%s: cannot read: %s\n", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    return rc;
}

static int (*remote_save)(const struct node_persist *p);

void state_file_set_remote(int (*save)(const struct node_persist *p)) { remote_save = save; }

int state_file_save(const char *dir, const struct node_persist *p)
{
    if (remote_save)
        return remote_save(p);
    char path[4200], tmp[4210];
    snprintf(path, sizeof path, "%s/state", dir);
    snprintf(tmp, sizeof tmp, "%s/state.tmp", dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snmp_log(LOG_ERR, "%s: cannot create: %s\n", dir, strerror(errno));
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snmp_log(LOG_ERR, "%s: cannot create: %s\n", tmp, strerror(errno));
        return -1;
    }
    /* A field that is not stored (0, "") is left out: the reader takes
     * only what a SET could have written. */
    char buf[256];
    int len = 0;
    if (p->state)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "state %d\n", p->state);
    if (p->role)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "role %d\n", p->role);
    if (p->service[0])
        len += snprintf(buf + len, sizeof buf - (size_t)len, "service %s\n", p->service);
    if (len < 0 || (size_t)len >= sizeof buf || write(fd, buf, (size_t)len) != len ||
        fsync(fd) != 0) {
        snmp_log(LOG_ERR, "%s: cannot write: %s\n", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        snmp_log(LOG_ERR, "%s: cannot replace: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* The rename is durable only once the directory is on disk too. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
