/* Per-peer back-off of failed decisions (see set_backoff.h). */
#include "set_backoff.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cycle numbers wrap: compare by difference. */
static bool reached(unsigned now, unsigned when) { return (int)(now - when) >= 0; }

static struct backoff_entry *find(const struct backoff *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->e[i].key, key) == 0)
            return &b->e[i];
    return NULL;
}

bool backoff_ready(const struct backoff *b, const char *key, unsigned now)
{
    const struct backoff_entry *x = find(b, key);
    return !x || reached(now, x->next);
}

static struct backoff_entry *slot(struct backoff *b)
{
    if (b->n < b->cap)
        return &b->e[b->n++];
    if (b->cap < BACKOFF_MAX) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        struct backoff_entry *e = realloc(b->e, cap * sizeof *e);
        if (e) {
            b->e = e;
            b->cap = cap;
            return &b->e[b->n++];
        }
    }
    if (!b->n)
        return NULL;
    /* Full (or out of memory): reuse the entry due soonest. */
    size_t k = 0;
    for (size_t i = 1; i < b->n; i++)
        if ((int)(b->e[i].next - b->e[k].next) < 0)
            k = i;
    return &b->e[k];
}

unsigned backoff_fail(struct backoff *b, const char *key, unsigned now, unsigned cap, unsigned *fails)
{
    struct backoff_entry *x = find(b, key);
    if (!x) {
        x = slot(b);
        if (!x) {
            *fails = 1;
            return 1;
        }
        memset(x, 0, sizeof *x);
        snprintf(x->key, sizeof x->key, "%s", key);
    }
    if (x->fails < UINT_MAX)
        x->fails++;
    if (cap < 1)
        cap = 1;
    unsigned wait = x->fails > 31 ? cap : 1u << (x->fails - 1);
    if (wait > cap)
        wait = cap;
    x->next = now + wait;
    *fails = x->fails;
    return wait;
}

unsigned backoff_ok(struct backoff *b, const char *key)
{
    struct backoff_entry *x = find(b, key);
    if (!x)
        return 0;
    unsigned fails = x->fails;
    *x = b->e[--b->n];
    return fails;
}

size_t backoff_waiting(const struct backoff *b, unsigned now)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        k += !reached(now, b->e[i].next);
    return k;
}

void backoff_clear(struct backoff *b)
{
    free(b->e);
    memset(b, 0, sizeof *b);
}
