/* A decision of the controller as data: one change one peer is to make.
 * The decisions (decide*.c) turn the observed cluster into intents and
 * hand each to a sink (decide_emit.h); peer_writes.c turns an intent into
 * one SNMP SET and reports its outcome.  The wire format stays out of the
 * decisions, so a test can read what was decided (ctl_decide_test.c). */
#ifndef LAMON_INTENT_H
#define LAMON_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ctl_config.h"
#include "lamon_mib.h"
#include "set_backoff.h"

#define INTENT_ARG_MAX 128                /* lamonOpArgument SIZE (0..128) */
#define INTENT_TEXT_MAX 512

enum intent_kind {
    /* to a node's agent */
    INTENT_NODE_ROLE,                     /* role and service; state too when not 0 */
    INTENT_NODE_STATE,                    /* state */
    INTENT_APP_ADMIN,                     /* an application's admin status: start is up(1) */
    INTENT_OP_CREATE,                     /* a lamonOpTable row, createAndGo */
    /* to a director's agent */
    INTENT_VS_CREATE,                     /* the service's lamonVsTable row */
    INTENT_DEST_ADD,                      /* a destination with weight and method */
    INTENT_DEST_WEIGHT,                   /* a destination's weight (and method when set_fwd) */
    INTENT_DEST_REMOVE,                   /* a destination */
};

struct intent {
    enum intent_kind kind;
    size_t peer;                          /* cl->nodes[] or cl->dirs[], by kind */
    int role, state;                      /* enum lamon_role / lamon_nstate; 0: as it is */
    char service[CTL_NAME_MAX + 1];       /* NODE_ROLE */
    char app[CTL_NAME_MAX + 1];           /* APP_ADMIN */
    int admin;                            /* APP_ADMIN: up(1), down(2), restart(3) */
    unsigned op_index;                    /* OP_CREATE */
    int op_type;                          /* OP_CREATE: enum lamon_op_type */
    char op_arg[INTENT_ARG_MAX + 1];      /* OP_CREATE: "" for none */
    size_t svc;                           /* director kinds: cfg->services[] */
    struct lamon_vs_key vs;               /* director kinds: the service's key */
    char sched[16];                       /* VS_CREATE */
    struct sockaddr_storage dest;         /* DEST_*: address and port */
    int weight, fwd;                      /* DEST_ADD, DEST_WEIGHT */
    bool set_fwd;                         /* DEST_WEIGHT: the method too */
    char key[BACKOFF_KEY_MAX];            /* the decision, for its back-off */
    char decision[INTENT_TEXT_MAX];       /* logged before the SET, unless "" */
    char what[INTENT_TEXT_MAX];           /* what the SET does and why: logged with it */
};

bool intent_to_director(const struct intent *it);

#endif
