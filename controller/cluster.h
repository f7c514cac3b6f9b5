/* The controller's runtime picture of the cluster: what the last polls said
 * about every node and director, and the health state machine of each node.
 * Everything here can be rebuilt by polling (roles and services live on the
 * agents, membership in the directors' tables); nothing is persisted. */
#ifndef LAMON_CLUSTER_H
#define LAMON_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctl_config.h"
#include "lamon_mib.h"
#include "node_state.h"
#include "set_backoff.h"

#define CL_MAX_APPS 32
#define CL_TEXT_MAX 64                    /* kernel releases, agent version (LAMON-MIB sizes) */

struct event;

/* Ranges, whatever an agent sends (node_poll_apply, node_poll_pdu.h): enumerations
 * hold one of their LAMON-MIB values or 0 (not reported); names are
 * printable ASCII (32..126), at most CTL_NAME_MAX; numbers are 32-bit. */
struct app_sample {
    char name[CTL_NAME_MAX + 1];
    int oper, admin;                      /* enum lamon_appoper; up(1)..restart(3) */
    unsigned estab, synrecv;
};

/* What one answered poll said. */
struct node_sample {
    char name[CTL_NAME_MAX + 1];
    int state, role;                      /* enum lamon_nstate, enum lamon_role */
    char service[CTL_NAME_MAX + 1];
    unsigned long uptime;                 /* TimeTicks */
    unsigned load1, load5, load15, cpu;   /* x100; cpu 0..10000 */
    unsigned long memtotal, memavail;
    unsigned conns, synrecv;
    unsigned heartbeat_ms;                /* lamonNodeHeartbeatInterval; 0: none sent */
    char kernel[CL_TEXT_MAX + 1];         /* lamonNodeKernelRunning */
    char kernel_next[CL_TEXT_MAX + 1];    /* lamonNodeKernelNext, "": cannot be told */
    char version[CL_TEXT_MAX + 1];        /* lamonNodeAgentVersion */
    struct app_sample apps[CL_MAX_APPS];
    size_t napps;                         /* 0..CL_MAX_APPS */
};

/* What the node's heartbeats said (notif_apply.h). */
struct node_heartbeat {
    struct event *timer;                  /* fires `fall` periods after the last one */
    unsigned period_ms;                   /* of the last one; 0: none heard (polls only) */
    struct timespec heard;                /* CLOCK_MONOTONIC of the last one */
    unsigned long count;
    bool stopped;                         /* `fall` periods passed without one */
    int state, role;                      /* as the last one said */
    char service[CTL_NAME_MAX + 1];
    unsigned long load1, conns;
    unsigned long uptime;                 /* the sender's sysUpTime.0 in the last one */
};

struct node_rt {
    struct ctl_peer peer;                 /* a copy: survives config reloads */
    bool configured;                      /* still in the configuration */
    bool registered;                      /* self-registered (node_register.h), not configured */
    char reg_user[CTL_NAME_MAX + 1];      /* the v3user its accept line named, "": community */
    unsigned reg_cycle;                   /* the poll cycle it registered in */
    bool reg_early;                       /* registered in the window after start (node_register.h) */
    void *sess;                           /* read session (snmp_sess_*) */
    void *wsess;                          /* write session (v3 authPriv) */
    unsigned req_cycle;                   /* cycle of the request in flight */
    bool in_flight, answered;             /* this cycle */
    bool answered_before;                 /* previous cycle */
    struct node_hyst hyst;                /* answers polls */
    struct node_hyst app;                 /* its service's application runs */
    char app_for[CTL_NAME_MAX + 1];       /* the service `app` was judged for */
    time_t last_seen;
    bool have_sample;
    struct node_sample s;
    struct node_sample pending;           /* being filled by a multi-PDU poll */
    unsigned op_job;                      /* node_ops job that took over its scale-in drain */
    /* decisions */
    bool set_in_flight;
    bool role_pending;                    /* a role write is not acknowledged yet */
    struct backoff backoff;               /* decisions whose SET failed */
    time_t drain_since;                   /* first seen draining */
    bool failed;                          /* went down since it last changed role */
    time_t app_start_sent;
    time_t hot_fell;                      /* fell over as a hot spare (decide_hot.c) */
    struct node_heartbeat hb;
};

/* One destination seen in (or wanted for) a director's table. */
struct dest_obs {
    int svc;                              /* index into cfg->services */
    struct sockaddr_storage addr;         /* address + port */
    int weight, fwd;
    int walked_weight;                    /* the weight a walk read; -1: added since (dir_table.h) */
    unsigned active;
    bool removing;                        /* its removal is on its way (this turn) */
};

/* A write a director acknowledged, kept while a walk is in flight
 * (dir_table.h). */
enum dir_change_kind { DC_VS_CREATE, DC_DEST_ADD, DC_DEST_WEIGHT, DC_DEST_REMOVE };
struct dir_change {
    enum dir_change_kind kind;
    int svc;
    struct sockaddr_storage addr;
    int weight, fwd;
    bool set_fwd;                         /* DC_DEST_WEIGHT: the method too */
};

struct director_rt {
    struct ctl_peer peer;
    bool configured;
    void *sess, *wsess;
    bool in_flight, reachable, walked;    /* walked: table read this cycle */
    bool has_table;                       /* a walk completed once: dests is its table */
    bool walk_dests;                      /* walking lamonDestTable (else lamonVsTable) */
    unsigned req_cycle;
    unsigned sets_in_flight;
    bool stale;                           /* writes of an earlier turn on their way: table not to be trusted */
    struct dir_change *acked; size_t nacked;   /* acknowledged while a walk is in flight */
    bool doubt;                           /* the table may miss a write: trusted again after a clean walk */
    bool doubt_walk;                      /*   and the walk in flight may miss it too */
    struct backoff backoff;               /* decisions whose SET failed */
    struct dest_obs *dests; size_t ndests;     /* last complete walk + writes acknowledged since */
    struct dest_obs *walk; size_t nwalk;       /* walk in progress */
    bool *vs_present;                     /* per service: lamonVsTable row exists */
    bool *walk_vs;
    time_t last_seen;
};

struct cluster {
    struct ctl_config *cfg;
    struct node_rt **nodes; size_t nnodes;     /* pointers: sessions keep them */
    struct director_rt **dirs; size_t ndirs;
    unsigned cycle;
    bool panic;
    unsigned *svc_target;                 /* per service: current N (scaling) */
    unsigned *svc_high, *svc_low;         /* polls above / below watermarks */
    unsigned *svc_short;                  /* last logged shortfall, to log changes only */
    unsigned *svc_hot_short;              /* the same for hot spares */
    unsigned long sets_sent;              /* SET PDUs issued since start */
    struct timespec started;              /* CLOCK_MONOTONIC; opens the registration window */
    unsigned long varbinds_read;
};

int cluster_find_node(const struct cluster *cl, const char *name);

/* Takes CFG (ownership passes) as the configuration in force, keeping the
 * state of every node and director whose name stays, and the
 * self-registered nodes (node_register.h); sessions of peers
 * whose address or credentials changed are closed for reopening.  The old
 * configuration is freed.  Returns -1 on allocation failure (nothing
 * changed, CFG freed). */
int cluster_apply_config(struct cluster *cl, struct ctl_config *cfg);
void cluster_free(struct cluster *cl);

#endif
