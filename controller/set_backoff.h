/* Back-off of decisions whose SET failed.  The controller's decisions are
 * level-triggered, so a decision whose write failed comes up again every
 * cycle; this remembers, per peer and decision (KEY, e.g. "role server
 * web"), how many times in a row it failed and from which poll cycle on it
 * may be sent again.  The wait is 1 cycle after the first failure and
 * doubles with each further one up to a cap; a success forgets it. */
#ifndef LAMON_SET_BACKOFF_H
#define LAMON_SET_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>

#define BACKOFF_KEY_MAX 128
/* At most this many decisions per peer are remembered; when full, the one
 * that may be retried soonest is dropped. */
#define BACKOFF_MAX 1024

struct backoff_entry {
    char key[BACKOFF_KEY_MAX];
    unsigned fails;                       /* failures in a row */
    unsigned next;                        /* first cycle it may be sent again */
};

struct backoff {
    struct backoff_entry *e;
    size_t n, cap;
};

/* May decision KEY be sent at cycle NOW? */
bool backoff_ready(const struct backoff *b, const char *key, unsigned now);

/* Records a failure of KEY at cycle NOW: it waits min(2^(fails-1), CAP)
 * cycles.  Returns that wait; *fails gets the failures in a row. */
unsigned backoff_fail(struct backoff *b, const char *key, unsigned now, unsigned cap, unsigned *fails);

/* Records a success of KEY; returns the failures that preceded it. */
unsigned backoff_ok(struct backoff *b, const char *key);

/* Number of decisions backing off at cycle NOW. */
size_t backoff_waiting(const struct backoff *b, unsigned now);

void backoff_clear(struct backoff *b);

#endif
