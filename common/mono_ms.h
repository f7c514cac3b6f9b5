/* Milliseconds on CLOCK_MONOTONIC: deadlines, ages and caches that a
 * change of the wall clock must not move.  Shared by agent and controller,
 * which had seven copies of it. */
#ifndef LAMON_MONO_MS_H
#define LAMON_MONO_MS_H

#include <time.h>

/* Milliseconds since T (a CLOCK_MONOTONIC reading). */
static inline long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

#endif
