/* The graphs' counters (see graph_stats.h). */
#include "graph_stats.h"

struct graph_stats graph_stats;

void graph_stats_print(struct evbuffer *out, bool json)
{
    const struct graph_stats *st = &graph_stats;
    if (json)
        evbuffer_add_printf(out,
                            ", \"graphs\": {\"requests\": %lu, \"children\": %lu, \"running\": %u, \"cached\": %lu, "
                            "\"shared\": %lu, \"stale\": %lu, \"busy\": %lu, \"timeouts\": %lu, \"failed\": %lu, "
                            "\"gone\": %lu, \"queued\": %lu, \"peak\": %u}",
                            st->requests, st->forked, st->running, st->cached, st->shared, st->stale, st->busy,
                            st->timeouts, st->failed, st->gone, st->queued, st->peak);
    else
        evbuffer_add_printf(out, "graph requests %lu\ngraph children %lu\ngraphs from the cache %lu\n"
                                 "graphs queued %lu\ngraphs refused busy %lu\ngraph timeouts %lu\ngraph failures %lu\n",
                            st->requests, st->forked, st->cached, st->queued, st->busy, st->timeouts, st->failed);
}
