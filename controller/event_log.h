/* The controller's event log: every state change and decision, with its
 * reason.  Each line goes to syslog, to the line-oriented log file (when
 * configured) and to an in-memory ring that `lamonctl log` reads. */
#ifndef LAMON_EVENT_LOG_H
#define LAMON_EVENT_LOG_H

#include <stddef.h>

/* Opens FILE for appending (NULL or "" for none); returns -1 on error.
 * Call again on reload: the old file is closed. */
int event_log_open(const char *file);
void event_log_close(void);

void event_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Number of lines in the ring, and line I (0 = oldest). */
size_t event_log_count(void);
/* Lines logged since start: line I of the ring is number total - count + I. */
unsigned long event_log_total(void);
/* This run of the controller (its first call's microseconds since the
 * epoch): a page that outlived a restart sees it change and reads the log
 * from the start, since the line numbers started again. */
unsigned long long event_log_run(void);
const char *event_log_line(size_t i);

#endif
