/* The controller's own counters for /metrics (metrics.h) that no other
 * module keeps: node polls and their timeouts, promotions, and the poll
 * cycle duration histogram.  The poller and the decisions bump them with
 * one call each; they live for the whole process, across reloads. */
#ifndef LAMON_CTL_METRICS_COUNTERS_H
#define LAMON_CTL_METRICS_COUNTERS_H

#include <stddef.h>
#include <time.h>

#define CTL_HIST_MAX 16              /* finite bucket bounds of any histogram */

/* A Prometheus histogram: per-bucket counts (not cumulative) for the
 * finite upper bounds, observations above the last bound in over. */
struct ctl_histogram {
    const double *bounds;            /* ascending, inclusive upper bounds */
    size_t nbounds;                  /* <= CTL_HIST_MAX */
    unsigned long bucket[CTL_HIST_MAX];
    unsigned long over;              /* > bounds[nbounds - 1]: only in +Inf */
    unsigned long count;
    double sum;
};

/* What a promotion made of its node (decide_roles.c's log words). */
enum ctl_promotion { PROMO_HOT, PROMO_WARMING, PROMO_SPARE, PROMO_NEW, PROMO_KINDS };

struct ctl_counters {
    unsigned long polls;             /* node polls sent (one per node and cycle) */
    unsigned long poll_timeouts;     /* node polls that timed out or outlived their cycle */
    unsigned long cycles;            /* poll cycles closed */
    unsigned long promotions[PROMO_KINDS];
    struct ctl_histogram cycle;      /* seconds from a cycle's tick to its close, decisions included */
    struct timespec cycle_start;     /* CLOCK_MONOTONIC of the open cycle's tick */
};

extern struct ctl_counters ctl_counters;

void ctl_histogram_observe(struct ctl_histogram *h, double v);

void ctl_counters_cycle_begin(void);
/* After the cycle's callback returned: counts the cycle and its duration. */
void ctl_counters_cycle_end(void);
static inline void ctl_counters_poll_sent(void) { ctl_counters.polls++; }
static inline void ctl_counters_poll_timeout(void) { ctl_counters.poll_timeouts++; }
static inline void ctl_counters_promotion(enum ctl_promotion k) { ctl_counters.promotions[k]++; }
const char *ctl_promotion_name(enum ctl_promotion k);

#endif
