/* Node health hysteresis and the panic threshold (see node_state.h). */
#include "node_state.h"

enum node_health node_hyst_feed(struct node_hyst *h, bool good, unsigned rise, unsigned fall)
{
    if (good) {
        h->bad = 0;
        if (h->good < rise)
            h->good++;
        if (h->health != NODE_UP && h->good >= rise) {
            h->health = NODE_UP;
            return NODE_UP;
        }
    } else {
        h->good = 0;
        if (h->bad < fall)
            h->bad++;
        if (h->health != NODE_DOWN && h->bad >= fall) {
            h->health = NODE_DOWN;
            return NODE_DOWN;
        }
    }
    return NODE_UNKNOWN;
}

const char *node_health_name(enum node_health h)
{
    switch (h) {
    case NODE_UP: return "up";
    case NODE_DOWN: return "down";
    default: return "unknown";
    }
}

bool panic_update(bool frozen, unsigned total, unsigned vanished, unsigned silent, unsigned pct)
{
    if (total == 0)
        return false;
    /* Compare in integers: vanished/total > pct/100. */
    if (!frozen)
        return (unsigned long)vanished * 100 > (unsigned long)pct * total;
    return (unsigned long)silent * 100 > (unsigned long)pct * total;
}
