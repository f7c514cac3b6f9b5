/* Rate-limited event-log lines: at most one line of a kind every EVERY_S
 * seconds, the next one saying how many were held back, so that a flood
 * of bad clients or datagrams cannot flood the log. */
#ifndef LAMON_LOG_LIMIT_H
#define LAMON_LOG_LIMIT_H

#include <time.h>

struct log_limit {
    time_t next;                     /* CLOCK_MONOTONIC seconds */
    unsigned long suppressed;
};

/* Logs "PREFIX: message" through event_log, or counts it as held back. */
void log_limited(struct log_limit *l, unsigned every_s, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
