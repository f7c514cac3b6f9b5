/* The jobs of every kind, one list and one timer (see job_list.h). */
#include "job_list.h"

#include <string.h>

#define KEEP_JOBS 128          /* finished jobs kept for the views */
#define TICK_MS 50             /* the timer runs only while a job is pending */

static struct job_head *jobs;
static struct event *g_timer;
static unsigned last_id;

unsigned job_list_next_id(void)
{
    if (++last_id == 0)              /* 0 is "no job" */
        last_id = 1;
    return last_id;
}

static void arm(void)
{
    struct timeval tv = { 0, TICK_MS * 1000 };
    if (g_timer && !evtimer_pending(g_timer, NULL))
        evtimer_add(g_timer, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    size_t kept = 0;
    bool busy = false;
    for (struct job_head **pp = &jobs; *pp;) {
        struct job_head *j = *pp;
        if (!j->over)
            j->over = !j->kind->tick(j);
        if (j->over && ++kept > KEEP_JOBS) {
            *pp = j->next;
            j->kind->free(j);
            continue;
        }
        busy = busy || !j->over;
        pp = &j->next;
    }
    if (busy)
        arm();
}

int job_list_init(struct event_base *base)
{
    g_timer = evtimer_new(base, on_tick, NULL);
    return g_timer ? 0 : -1;
}

void job_list_free(void)
{
    while (jobs) {
        struct job_head *j = jobs;
        jobs = j->next;
        j->kind->free(j);
    }
    if (g_timer)
        event_free(g_timer);
    g_timer = NULL;
}

void job_list_add(struct job_head *job, const struct job_kind *kind)
{
    job->kind = kind;
    job->over = false;
    job->next = jobs;
    jobs = job;
    arm();
}

struct job_head *job_list_find(unsigned id, const struct job_kind *kind)
{
    for (struct job_head *j = jobs; j; j = j->next)
        if (j->id == id)
            return !kind || j->kind == kind ? j : NULL;
    return NULL;
}

size_t job_list_pending(const char *node, const struct job_kind *kind, unsigned *newest)
{
    size_t n = 0;
    for (const struct job_head *j = jobs; j; j = j->next)
        if (!j->over && (!kind || j->kind == kind) && (!node || strcmp(j->node, node) == 0) && j->kind->pending(j)) {
            if (n++ == 0 && newest)
                *newest = j->id;
        }
    return n;
}

size_t job_list_ids(const char *node, unsigned *ids, size_t max)
{
    size_t n = 0;
    for (const struct job_head *j = jobs; j && n < max; j = j->next)
        if (!node || strcmp(j->node, node) == 0)
            ids[n++] = j->id;
    return n;
}

int job_list_view(struct evbuffer *out, unsigned id, bool json)
{
    const struct job_head *j = job_list_find(id, NULL);
    if (!j)
        return -1;
    j->kind->view(out, j, json);
    return 0;
}
