/* Node figures from /proc: pure parsers (unit-tested) and one sampler. */
#ifndef LAMON_NODE_SAMPLE_H
#define LAMON_NODE_SAMPLE_H

#include <stddef.h>
#include <time.h>

struct cpu_times {
    unsigned long long busy;    /* not idle, not iowait */
    unsigned long long total;
};

struct node_sample {
    unsigned load[3];           /* 1/5/15-minute load average x 100 */
    struct cpu_times cpu;
    unsigned long long uptime_cs;   /* hundredths of a second */
    time_t btime;
    unsigned long mem_total_kb, mem_avail_kb;
};

/* "0.52 0.58 0.59 1/123 456" -> {52, 58, 59}, exactly (no floating point). */
int node_parse_loadavg(const char *text, unsigned load[3]);
/* The aggregate "cpu " line of /proc/stat. */
int node_parse_cpu_times(const char *stat_text, struct cpu_times *out);
/* "btime N" of /proc/stat. */
int node_parse_btime(const char *stat_text, time_t *out);
/* Busy share between two samples in hundredths of a percent (0..10000);
 * 0 when no time passed. */
unsigned node_cpu_util(const struct cpu_times *prev, const struct cpu_times *cur);
/* MemTotal and MemAvailable of /proc/meminfo, in kB. */
int node_parse_meminfo(const char *text, unsigned long *total_kb, unsigned long *avail_kb);
/* First field of /proc/uptime in hundredths of a second. */
int node_parse_uptime(const char *text, unsigned long long *cs);

/* Opens the /proc files the sampler reads, so that node_read_file re-reads
 * them with pread after a chroot (the privilege-separated worker); 0 or -1. */
int node_sample_preopen(void);

/* Reads all of PATH (up to LEN-1 bytes) into BUF, NUL-terminated. */
int node_read_file(const char *path, char *buf, size_t len);
/* Samples every figure; 0 or -1 (logged). */
int node_sample_take(struct node_sample *s);

#endif
