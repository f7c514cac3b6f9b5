/* The controller's own counters (see ctl_metrics_counters.h). */
#include "ctl_metrics_counters.h"

/* Seconds: a cycle of a small cluster takes milliseconds, one with
 * timeouts lasts up to the poll interval (1 s by default, up to minutes). */
static const double cycle_bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };

struct ctl_counters ctl_counters = {
    .cycle = { .bounds = cycle_bounds, .nbounds = sizeof cycle_bounds / sizeof cycle_bounds[0] },
};

void ctl_histogram_observe(struct ctl_histogram *h, double v)
{
    size_t i = 0;
    while (i < h->nbounds && v > h->bounds[i])
        i++;
    if (i < h->nbounds)
        h->bucket[i]++;
    else
        h->over++;
    h->count++;
    h->sum += v;
}

void ctl_counters_cycle_begin(void)
{
    clock_gettime(CLOCK_MONOTONIC, &ctl_counters.cycle_start);
}

void ctl_counters_cycle_end(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const struct timespec *t = &ctl_counters.cycle_start;
    double s = (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
    ctl_counters.cycles++;
    ctl_histogram_observe(&ctl_counters.cycle, s < 0 ? 0 : s);
}

const char *ctl_promotion_name(enum ctl_promotion k)
{
    static const char *const names[PROMO_KINDS] = {
        [PROMO_HOT] = "hot_spare", [PROMO_WARMING] = "warming_hot_spare", [PROMO_SPARE] = "spare",
        [PROMO_NEW] = "new_node",
    };
    return (unsigned)k < PROMO_KINDS ? names[k] : "?";
}
