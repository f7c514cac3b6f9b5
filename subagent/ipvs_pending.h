/* Services created with createAndWait: kept in the agent (notInService)
 * until made active.  RFC 2579 asks an agent to remove rows left in that
 * state for "an abnormally long period of time", so each row remembers when
 * it was last written and ipvs_pending_expire() drops the idle ones; the
 * caller bounds their number (resourceUnavailable past its limit).
 * No clock and no logging in here: times are passed in (seconds). */
#ifndef LAMON_IPVS_PENDING_H
#define LAMON_IPVS_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs_netlink.h"

struct ipvs_pending {
    struct ipvs_service svc;
    int64_t touched;               /* seconds, when last created or written */
    struct ipvs_pending *next;
};

struct ipvs_pending_list {
    struct ipvs_pending *head;
    size_t n;
};

const struct ipvs_pending *ipvs_pending_find(const struct ipvs_pending_list *l,
                                             const struct lamon_vs_key *k);
/* Adds S, or replaces the row with S's key; touched = NOW.  0 or -ENOMEM. */
int ipvs_pending_put(struct ipvs_pending_list *l, const struct ipvs_service *s, int64_t now);
/* Removes the row with key K; 1 when there was one. */
int ipvs_pending_remove(struct ipvs_pending_list *l, const struct lamon_vs_key *k);
/* Removes every row not written for MAX_AGE seconds or more at NOW, calling
 * GONE (may be NULL) for each before it is freed; returns how many. */
size_t ipvs_pending_expire(struct ipvs_pending_list *l, int64_t now, int64_t max_age,
                           void (*gone)(const struct ipvs_pending *p, int64_t now));
void ipvs_pending_clear(struct ipvs_pending_list *l);

#endif
