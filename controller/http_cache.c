/* Short-lived copies of big read answers (see http_cache.h). */
#include "http_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_limits.h"
#include "mono_ms.h"

struct slot {
    char uri[HTTP_MAX_URL + 1];
    char type[64];
    struct evbuffer *body;           /* NULL: free slot */
    struct timespec at;
};

static struct slot slots[HTTP_CACHE_SLOTS];
static unsigned long long hits, stores;

unsigned long long http_cache_hits(void) { return hits; }
unsigned long long http_cache_stores(void) { return stores; }

static void slot_clear(struct slot *s)
{
    if (s->body)
        evbuffer_free(s->body);
    memset(s, 0, sizeof *s);
}

bool http_cache_get(const char *uri, struct evbuffer *body, char *type, size_t typelen)
{
    for (size_t i = 0; i < HTTP_CACHE_SLOTS; i++) {
        struct slot *s = &slots[i];
        if (!s->body || strcmp(s->uri, uri) != 0)
            continue;
        if (ms_since(&s->at) >= HTTP_CACHE_MS) {
            slot_clear(s);
            return false;
        }
        /* A copy: the reply drains what it is given. */
        size_t n = evbuffer_get_length(s->body);
        if (evbuffer_add(body, evbuffer_pullup(s->body, -1), n) < 0)
            return false;
        snprintf(type, typelen, "%s", s->type);
        hits++;
        return true;
    }
    return false;
}

void http_cache_put(const char *uri, const char *type, struct evbuffer *body)
{
    size_t n = evbuffer_get_length(body);
    if (strlen(uri) > HTTP_MAX_URL || n > HTTP_CACHE_MAX_BYTES)
        return;
    struct slot *use = NULL;
    for (size_t i = 0; i < HTTP_CACHE_SLOTS; i++) {     /* the same URI, a free slot, or the oldest */
        struct slot *s = &slots[i];
        if (s->body && strcmp(s->uri, uri) == 0) {
            use = s;
            break;
        }
        if (!use || (use->body && (!s->body || ms_since(&s->at) > ms_since(&use->at))))
            use = s;
    }
    slot_clear(use);
    struct evbuffer *copy = evbuffer_new();
    if (!copy)
        return;
    if (evbuffer_add(copy, evbuffer_pullup(body, -1), n) < 0) {
        evbuffer_free(copy);
        return;
    }
    snprintf(use->uri, sizeof use->uri, "%s", uri);
    snprintf(use->type, sizeof use->type, "%s", type ? type : "");
    use->body = copy;
    clock_gettime(CLOCK_MONOTONIC, &use->at);
    stores++;
}

void http_cache_clear(void)
{
    for (size_t i = 0; i < HTTP_CACHE_SLOTS; i++)
        slot_clear(&slots[i]);
}
