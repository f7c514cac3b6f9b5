/* /proc readers.  Parsing is separate from reading so that the unit tests
 * can feed the parsers fixed text. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node_sample.h"

/* "12.34" -> 1234.  /proc prints two decimals; fewer are padded. */
static const char *parse_centi(const char *p, unsigned long long *out)
{
    if (!isdigit((unsigned char)*p))
        return NULL;
    unsigned long long v = 0;
    for (; isdigit((unsigned char)*p); p++)
        v = v * 10 + (unsigned)(*p - '0');
    unsigned frac = 0, digits = 0;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 2)
                frac = frac * 10 + (unsigned)(*p - '0');
    if (digits == 1)
        frac *= 10;
    *out = v * 100 + frac;
    return p;
}

int node_parse_loadavg(const char *text, unsigned load[3])
{
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        unsigned long long v;
        while (*p == ' ')
            p++;
        p = parse_centi(p, &v);
        if (!p || (*p != ' ' && *p != '\n' && *p != '\0') || v > 0xffffffffULL)
            return -1;
        load[i] = (unsigned)v;
    }
    return 0;
}

int node_parse_cpu_times(const char *stat_text, struct cpu_times *out)
{
    if (strncmp(stat_text, "cpu ", 4) != 0)
        return -1;
    /* user nice system idle iowait irq softirq steal (guest time is
     * already counted in user/nice). */
    unsigned long long f[8] = { 0 };
    int n = sscanf(stat_text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu",
                   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]);
    if (n < 4)
        return -1;
    unsigned long long total = 0;
    for (int i = 0; i < 8; i++)
        total += f[i];
    out->total = total;
    out->busy = total - f[3] - f[4];
    return 0;
}

int node_parse_btime(const char *stat_text, time_t *out)
{
    const char *p = strstr(stat_text, "\nbtime ");
    if (!p)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(p + 7, &end, 10);
    if (errno || end == p + 7 || v <= 0)
        return -1;
    *out = (time_t)v;
    return 0;
}

unsigned node_cpu_util(const struct cpu_times *prev, const struct cpu_times *cur)
{
    if (cur->total <= prev->total || cur->busy < prev->busy)
        return 0;
    unsigned long long dt = cur->total - prev->total, db = cur->busy - prev->busy;
    if (db > dt)
        db = dt;
    return (unsigned)((db * 10000 + dt / 2) / dt);
}

static int meminfo_field(const char *text, const char *key, unsigned long *out)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
            char *end;
            errno = 0;
            unsigned long v = strtoul(p + kl + 1, &end, 10);
            if (errno || end == p + kl + 1)
                return -1;
            *out = v;
            return 0;
        }
    }
    return -1;
}

int node_parse_meminfo(const char *text, unsigned long *total_kb, unsigned long *avail_kb)
{
    if (meminfo_field(text, "MemTotal", total_kb) != 0 ||
        meminfo_field(text, "MemAvailable", avail_kb) != 0)
        return -1;
    return 0;
}

int node_parse_uptime(const char *text, unsigned long long *cs)
{
    const char *p = parse_centi(text, cs);
    return p && (*p == ' ' || *p == '\n' || *p == '\0') ? 0 : -1;
}

static const char *const proc_files[] = { "/proc/loadavg", "/proc/stat", "/proc/meminfo", "/proc/uptime" };
static int proc_fds[] = { -1, -1, -1, -1 };

int node_sample_preopen(void)
{
    for (size_t i = 0; i < sizeof proc_files / sizeof proc_files[0]; i++)
        if (proc_fds[i] < 0 && (proc_fds[i] = open(proc_files[i], O_RDONLY | O_CLOEXEC)) < 0)
            return -1;
    return 0;
}

static int preopened(const char *path)
{
    for (size_t i = 0; i < sizeof proc_files / sizeof proc_files[0]; i++)
        if (strcmp(path, proc_files[i]) == 0)
            return proc_fds[i];
    return -1;
}

int node_read_file(const char *path, char *buf, size_t len)
{
    /* A pre-opened /proc file is read again from offset 0: the kernel
     * generates it afresh. */
    int kept = preopened(path);
    int fd = kept >= 0 ? kept : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got + 1 < len) {
        ssize_t n = kept >= 0 ? pread(fd, buf + got, len - 1 - got, (off_t)got)
                              : read(fd, buf + got, len - 1 - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (kept < 0)
                close(fd);
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (kept < 0)
        close(fd);
    return 0;
}

int node_sample_take(struct node_sample *s)
{
    /* /proc/stat grows with the CPU count: 64 kB holds hundreds of CPUs. */
    static char buf[65536];
    const char *what;
    if (node_read_file("/proc/loadavg", buf, sizeof buf) != 0 ||
        node_parse_loadavg(buf, s->load) != 0) {
        what = "/proc/loadavg";
        goto bad;
    }
    if (node_read_file("/proc/stat", buf, sizeof buf) != 0 ||
        node_parse_cpu_times(buf, &s->cpu) != 0 || node_parse_btime(buf, &s->btime) != 0) {
        what = "/proc/stat";
        goto bad;
    }
    if (node_read_file("/proc/meminfo", buf, sizeof buf) != 0 ||
        node_parse_meminfo(buf, &s->mem_total_kb, &s->mem_avail_kb) != 0) {
        what = "/proc/meminfo";
        goto bad;
    }
    if (node_read_file("/proc/uptime", buf, sizeof buf) != 0 ||
        node_parse_uptime(buf, &s->uptime_cs) != 0) {
        what = "/proc/uptime";
        goto bad;
    }
    return 0;
bad:
    snmp_log(LOG_ERR, "cannot read or parse %s: %s\n", what,
             errno ? strerror(errno) : "unexpected format");
    return -1;
}
