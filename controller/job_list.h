/* The jobs the controller follows, of every kind (node_ops.h, watch_job.h):
 * one numbering, so that "job N" and /api/v1/jobs/N name one job, and one
 * list, newest first.  The list drives its pending jobs with one timer,
 * which runs only while one is pending, keeps the last KEEP_JOBS finished
 * ones for the views and frees the older.  A kind's job embeds a struct
 * job_head as its first member and tells the list, through its struct
 * job_kind, how to drive, show and free it. */
#ifndef LAMON_JOB_LIST_H
#define LAMON_JOB_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ctl_config_types.h"

struct job_head;

struct job_kind {
    /* Drives JOB one tick; false once it has ended and holds nothing
     * more (no session, no request in flight): then it is only shown. */
    bool (*tick)(struct job_head *job);
    /* Not ended yet (between ticks too). */
    bool (*pending)(const struct job_head *job);
    /* Appends JOB as "key: value" lines or as one JSON object. */
    void (*view)(struct evbuffer *out, const struct job_head *job, bool json);
    void (*free)(struct job_head *job);
};

struct job_head {
    unsigned id;
    char node[CTL_NAME_MAX + 1];
    const struct job_kind *kind;
    bool over;                 /* its tick said it ended: kept for the views */
    struct job_head *next;     /* newest first */
};

/* Sets up the timer; -1 when it cannot. */
int job_list_init(struct event_base *base);
/* Frees every job and the timer. */
void job_list_free(void);

/* The next job number, from 1: taken by a job before it is added. */
unsigned job_list_next_id(void);
/* Adds JOB (of KIND, its id and node set) in front and runs the timer. */
void job_list_add(struct job_head *job, const struct job_kind *kind);

/* Job ID of KIND (of any kind for NULL); NULL for none. */
struct job_head *job_list_find(unsigned id, const struct job_kind *kind);
/* How many jobs of KIND (any for NULL) on NODE (every node's for NULL) are
 * pending; the newest one's number goes to *NEWEST (when not NULL). */
size_t job_list_pending(const char *node, const struct job_kind *kind, unsigned *newest);
/* The numbers of NODE's jobs (every node's for NULL), newest first, at
 * most MAX into IDS; returns how many. */
size_t job_list_ids(const char *node, unsigned *ids, size_t max);
/* Appends job ID as its kind shows it; -1 for none. */
int job_list_view(struct evbuffer *out, unsigned id, bool json);

#endif
