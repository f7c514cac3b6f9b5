/* One node_ops job (node_ops.h): what it is to do, where its conversation
 * with the agent stands, and what it shows lamonctl.  The words of a
 * request are parsed here, and a job is written out here. */
#ifndef LAMON_OP_JOB_H
#define LAMON_OP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <event2/buffer.h>

#include "ctl_config.h"
#include "job_list.h"

struct ssess;                             /* snmp_session.h */

#define MAX_ARGS 16            /* packages in one job */
#define ARG_MAX 128            /* lamonOpArgument SIZE (0..128) */
#define OUT_MAX 1024           /* LamonOutputTail */

enum phase {
    PH_DRAIN,                  /* decide's drain runs; wait for maintenance */
    PH_RELEASE,                /* role spare, service "": SET sent */
    PH_NEXT_INDEX,             /* read lamonOpNextIndex */
    PH_CREATE,                 /* createAndGo at op_index */
    PH_RECHECK,                /* refused: did another manager take the index? */
    PH_RUNNING,                /* follow lamonOpStatus */
    PH_DONE,
};

struct op_result {
    unsigned index;            /* the index tried, then the row's */
    bool accepted;             /* the agent created the row */
    int status;                /* lamonOpStatus, 0 before */
    int exit_code;
};

struct job {
    struct job_head head;      /* first: the job list's (id, node) */
    int type;
    char args[MAX_ARGS][ARG_MAX + 1];
    size_t nargs, cur;         /* package jobs: one operation per argument */
    struct op_result res[MAX_ARGS];
    char service[CTL_NAME_MAX + 1];   /* left for a reboot/shutdown */
    bool scale_in;             /* took over the controller's scale-in drain */
    bool holding;              /* ... whose end is still ours (node_rt.op_job) */
    enum phase phase;
    struct ssess *sess;
    int reqid;                 /* the read in flight, 0 for none */
    bool writing;              /* a write (peer_writes) in flight */
    int refused;               /* error status of a lost createAndGo */
    unsigned retries, misses, polls;
    time_t drain_deadline;
    struct timespec last_poll;
    char output[OUT_MAX + 1];
    char progress[512];        /* the latest step or state */
    char steps[2048];          /* milestones, one per line, kept for slow readers */
    char message[512];
    bool ok;
};

/* By phase, by lamonOpStatus. */
extern const char *const op_phase_names[];
extern const char *const op_status_names[];

/* RFC 3416 error-status name of E: what an operator looks up. */
const char *op_err_name(long e);
/* A reboot or shutdown: takes the node down. */
bool op_job_is_node_op(const struct job *j);
/* "reboot", "kernel 6.1.0-26-amd64", "pkg install foo" (the current package) */
void op_job_label(const struct job *j, char *buf, size_t len);

/* The progress line "NODE: what"; a step is a milestone, also kept in the
 * job's steps. */
void op_job_progress(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void op_job_step(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets J's type and arguments from WORDS; -1 with the usage in err. */
int op_job_parse(struct job *j, char *const *words, size_t nwords, char *err, size_t errlen);

/* Appends J as "key: value" lines (the output tail last, after a line
 * "output:") or as one JSON object. */
void op_job_view(struct evbuffer *out, const struct job *j, bool json);

#endif
