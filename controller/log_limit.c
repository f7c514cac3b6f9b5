/* Rate-limited event-log lines (see log_limit.h). */
#include "log_limit.h"

#include <stdarg.h>
#include <stdio.h>

#include "event_log.h"

void log_limited(struct log_limit *l, unsigned every_s, const char *prefix, const char *fmt, ...)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < l->next) {
        l->suppressed++;
        return;
    }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (l->suppressed)
        event_log("%s: %s (%lu more like it not logged)", prefix, msg, l->suppressed);
    else
        event_log("%s: %s", prefix, msg);
    l->suppressed = 0;
    l->next = now.tv_sec + (time_t)every_s;
}
