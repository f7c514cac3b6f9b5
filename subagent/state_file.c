/* DIR/state, one "key value" per line:
 *   state 2
 *   role 3
 *   service web
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_file.h"

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
    char line[256];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        char *val = strchr(line, ' ');
        if (val)
            *val++ = '\0';
        else
            val = line + strlen(line);
        if (strcmp(line, "state") == 0 && atoi(val) >= 1 && atoi(val) <= 5) {
            p->state = atoi(val);
        } else if (strcmp(line, "role") == 0 && atoi(val) >= 1 && atoi(val) <= 4) {
            p->role = atoi(val);
        } else if (strcmp(line, "service") == 0 && strlen(val) <= LAMON_NAME_MAX) {
            strcpy(p->service, val);
        } else if (line[0] != '\0') {
            snmp_log(LOG_ERR, "%s: line %d: unexpected '%s'; ignored\n", path, lineno, line);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

int state_file_save(const char *dir, const struct node_persist *p)
{
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
    char buf[256];
    int len = snprintf(buf, sizeof buf, "state %d\nrole %d\nservice %s\n",
                       p->state, p->role, p->service);
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
