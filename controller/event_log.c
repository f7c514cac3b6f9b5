/* Event log: syslog + log file + in-memory ring (see event_log.h). */
#include "event_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define RING 1024
#define LINE 512

static char ring[RING][LINE];
static size_t head, count;
static unsigned long total;        /* lines ever logged: the web log's sequence */
static FILE *log_file;

int event_log_open(const char *file)
{
    event_log_close();
    if (!file || !*file)
        return 0;
    log_file = fopen(file, "ae");
    if (!log_file)
        return -1;
    setvbuf(log_file, NULL, _IOLBF, 0);   /* one line at a time, for tail -f */
    return 0;
}

void event_log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

void event_log(const char *fmt, ...)
{
    char msg[LINE - 32], stamp[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One line of text whatever the arguments held: names, URLs and
     * agents' strings come from the network, and an escape sequence or a
     * CR in a log read on a terminal could forge or hide lines. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *slot = ring[(head + count) % RING];
    snprintf(slot, LINE, "%s %s", stamp, msg);
    total++;
    if (count < RING)
        count++;
    else
        head = (head + 1) % RING;
    syslog(LOG_NOTICE, "%s", msg);
    if (log_file)
        fprintf(log_file, "%s %s\n", stamp, msg);
}

size_t event_log_count(void) { return count; }
unsigned long event_log_total(void) { return total; }

unsigned long long event_log_run(void)
{
    static unsigned long long run;
    if (!run) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        run = (unsigned long long)t.tv_sec * 1000000ULL + (unsigned long long)t.tv_nsec / 1000;
    }
    return run;
}

const char *event_log_line(size_t i)
{
    return i < count ? ring[(head + i) % RING] : NULL;
}
