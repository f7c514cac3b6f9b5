/* The node health state machine and the panic threshold: pure logic, no I/O,
 * so that hysteresis and panic can be tested poll by poll.
 *
 * A node starts UNKNOWN.  It becomes UP after `rise` consecutive good polls
 * and DOWN after `fall` consecutive bad ones (a poll is bad when the node did
 * not answer, or when its service's application is not running).  One good
 * poll resets the bad streak, so a node that misses fewer than `fall` polls
 * in a row is never taken down: a flapping node stays where it is.
 */
#ifndef LAMON_NODE_STATE_H
#define LAMON_NODE_STATE_H

#include <stdbool.h>

enum node_health { NODE_UNKNOWN = 0, NODE_UP, NODE_DOWN };

struct node_hyst {
    enum node_health health;
    unsigned good, bad;          /* current streaks */
};

/* Feeds one poll result; returns the new health when it changed, or
 * NODE_UNKNOWN when it did not (UNKNOWN is never a transition target). */
enum node_health node_hyst_feed(struct node_hyst *h, bool good, unsigned rise, unsigned fall);

const char *node_health_name(enum node_health h);

/* Panic: when more than pct% of `total` nodes stopped answering in one
 * cycle (`vanished`), removals freeze; they thaw when the share of nodes
 * not answering (`silent`) is back at or under pct%.  Returns the new frozen
 * flag. */
bool panic_update(bool frozen, unsigned total, unsigned vanished, unsigned silent, unsigned pct);

#endif
