/* createAndWait services; see ipvs_pending.h. */
#include "ipvs_pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int same_key(const struct lamon_vs_key *a, const struct lamon_vs_key *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

const struct ipvs_pending *ipvs_pending_find(const struct ipvs_pending_list *l,
                                             const struct lamon_vs_key *k)
{
    for (const struct ipvs_pending *p = l->head; p; p = p->next)
        if (same_key(&p->svc.key, k))
            return p;
    return NULL;
}

int ipvs_pending_put(struct ipvs_pending_list *l, const struct ipvs_service *s, int64_t now)
{
    for (struct ipvs_pending *p = l->head; p; p = p->next) {
        if (same_key(&p->svc.key, &s->key)) {
            p->svc = *s;
            p->touched = now;
            return 0;
        }
    }
    struct ipvs_pending *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->svc = *s;
    p->touched = now;
    p->next = l->head;
    l->head = p;
    l->n++;
    return 0;
}

int ipvs_pending_remove(struct ipvs_pending_list *l, const struct lamon_vs_key *k)
{
    for (struct ipvs_pending **pp = &l->head; *pp; pp = &(*pp)->next) {
        if (same_key(&(*pp)->svc.key, k)) {
            struct ipvs_pending *dead = *pp;
            *pp = dead->next;
            free(dead);
            l->n--;
            return 1;
        }
    }
    return 0;
}

size_t ipvs_pending_expire(struct ipvs_pending_list *l, int64_t now, int64_t max_age,
                           void (*gone)(const struct ipvs_pending *p, int64_t now))
{
    size_t n = 0;
    for (struct ipvs_pending **pp = &l->head; *pp;) {
        struct ipvs_pending *p = *pp;
        if (now - p->touched < max_age) {
            pp = &p->next;
            continue;
        }
        if (gone)
            gone(p, now);
        *pp = p->next;
        free(p);
        l->n--;
        n++;
    }
    return n;
}

void ipvs_pending_clear(struct ipvs_pending_list *l)
{
    while (l->head) {
        struct ipvs_pending *p = l->head;
        l->head = p->next;
        free(p);
    }
    l->n = 0;
}
