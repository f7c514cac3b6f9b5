/* Notification receiver counters (see notif_stats.h). */
#include "notif_stats.h"

#include "json_text.h"

struct notif_stats notif_stats;

static const char *const node_refusal_names[NNREF_COUNT] = {
    [NNREF_UNKNOWN_NODE] = "unknown_node",
    [NNREF_ADDRESS] = "address",
    [NNREF_CONFLICT] = "conflict",
    [NNREF_NAME] = "name",
    [NNREF_REGISTER_MAX] = "register_max",
    [NNREF_STALE] = "stale",
};

const char *notif_node_refusal_name(enum notif_node_refusal r)
{
    return (unsigned)r < NNREF_COUNT ? node_refusal_names[r] : "?";
}

static unsigned long sum(const unsigned long *v, size_t from, size_t n)
{
    unsigned long s = 0;
    for (size_t i = from; i < n; i++)
        s += v[i];
    return s;
}

void notif_stats_view(struct evbuffer *out, bool json)
{
    const struct notif_stats *s = &notif_stats;
    if (!json) {
        if (!s->listen[0])
            return;
        evbuffer_add_printf(out, "notifications on %s: %lu datagrams, %lu accepted", s->listen, s->datagrams,
                            sum(s->received, 0, NT_COUNT));
        for (int t = 0; t < NT_COUNT; t++)
            if (s->received[t])
                evbuffer_add_printf(out, ", %s %lu", notif_type_name((enum notif_type)t), s->received[t]);
        evbuffer_add_printf(out, "; %lu refused", sum(s->refused, NREF_NONE + 1, NREF_COUNT));
        for (int r = NREF_NONE + 1; r < NREF_COUNT; r++)
            if (s->refused[r])
                evbuffer_add_printf(out, ", %s %lu", notif_refusal_name((enum notif_refusal)r), s->refused[r]);
        for (int r = 0; r < NNREF_COUNT; r++)
            if (s->node_refused[r])
                evbuffer_add_printf(out, "; node refused: %s %lu", node_refusal_names[r], s->node_refused[r]);
        evbuffer_add_printf(out, "\n");
        return;
    }
    evbuffer_add_printf(out, ", \"notifications\": {\"listen\": ");
    if (s->listen[0])
        json_string(out, s->listen);
    else
        evbuffer_add_printf(out, "null");
    evbuffer_add_printf(out, ", \"datagrams\": %lu, \"discovery\": %lu, \"received\": {", s->datagrams,
                        s->discovery);
    for (int t = 0; t < NT_COUNT; t++)
        evbuffer_add_printf(out, "%s\"%s\": %lu", t ? ", " : "", notif_type_name((enum notif_type)t),
                            s->received[t]);
    evbuffer_add_printf(out, "}, \"refused\": {");
    for (int r = NREF_NONE + 1; r < NREF_COUNT; r++)
        evbuffer_add_printf(out, "%s\"%s\": %lu", r > NREF_NONE + 1 ? ", " : "",
                            notif_refusal_name((enum notif_refusal)r), s->refused[r]);
    evbuffer_add_printf(out, "}, \"node_refused\": {");
    for (int r = 0; r < NNREF_COUNT; r++)
        evbuffer_add_printf(out, "%s\"%s\": %lu", r ? ", " : "", node_refusal_names[r], s->node_refused[r]);
    evbuffer_add_printf(out, "}}");
}
