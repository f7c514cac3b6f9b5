/* The health half of a cycle: the panic threshold over all nodes, then
 * each node's health state machines (node_state.h): does it answer, and
 * does its service's application run.  Every transition is logged; a node
 * that goes down is marked failed until it changes role. */
#ifndef LAMON_HEALTH_H
#define LAMON_HEALTH_H

#include "cluster.h"

void health_feed(struct cluster *cl);

#endif
