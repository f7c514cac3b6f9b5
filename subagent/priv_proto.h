/* The monitor <-> worker protocol of the privilege-separated agent: a fixed
 * table of typed messages, one fixed-layout body per type.
 *
 * A message is a 4-byte header (type, body length, both 16-bit, host
 * order: both ends are one binary on one machine) and the body.  The
 * decoder takes nothing it cannot check: an unknown type, a body of any
 * length but its type's, a string field without its NUL or with bytes
 * after it that are not zero, an enumeration out of its range.  So a
 * decoded message encodes back to the very same bytes.
 *
 * The worker names operations, applications and IPVS rows; it never sends
 * an argv, a path or an environment: the monitor builds every command from
 * its own configuration (priv_dispatch.c). */
#ifndef LAMON_PRIV_PROTO_H
#define LAMON_PRIV_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs_netlink.h"
#include "kernel_grub.h"     /* KERNEL_RELEASE_MAX, KERNEL_LIST_MAX */
#include "op_runner.h"      /* OP_OUTPUT_MAX */
#include "validate.h"       /* LAMON_OP_ARG_MAX */

#define PRIV_PROTO_VERSION 1
#define PRIV_HDR_LEN 4
#define PRIV_MSG_MAX 2048   /* bigger than any body; a datagram of SOCK_SEQPACKET */
#define PRIV_SERVICE_MAX 64
#define PRIV_CONFIG_CHUNK 1024      /* configuration text per CONFIG_TEXT */
#define PRIV_CONFIG_MAX (256 * 1024) /* a whole configuration file at most */

enum priv_type {
    /* worker -> monitor */
    PM_HELLO = 1,       /* at start: the monitor answers WELCOME, then OP_STATE rows */
    PM_RUN_OP,          /* start operation INDEX (type, argument) -> OP_DONE later */
    PM_CHECK_APP,       /* run application APP's status check -> CHECK_DONE later */
    PM_WRITE_STATE,     /* persist state/role/service -> RESULT */
    PM_AGENTX,          /* connect to the AgentX master -> RESULT with the fd */
    PM_IPVS_OPEN,       /* -> RESULT */
    PM_IPVS_LIST,       /* -> IPVS_SVC_ENTRY/IPVS_DEST_ENTRY..., IPVS_LIST_END */
    PM_IPVS_SVC,        /* add/edit/delete a service -> RESULT */
    PM_IPVS_DEST,       /* add/edit/delete a destination -> RESULT */
    /* monitor -> worker */
    PM_WELCOME,
    PM_OP_STATE,        /* a row the monitor holds (after HELLO) */
    PM_OP_DONE,         /* an operation ended (or was refused) */
    PM_CHECK_DONE,
    PM_RESULT,
    PM_IPVS_SVC_ENTRY,
    PM_IPVS_DEST_ENTRY,
    PM_IPVS_LIST_END,
    /* added later, at the end so that the other numbers stay */
    PM_KERNELS,         /* worker -> monitor: -> KERNEL_ENTRY..., KERNELS_END */
    PM_KERNEL_ENTRY,    /* monitor -> worker: one kernel of boot_dir */
    PM_KERNELS_END,     /* monitor -> worker: their count and the next-boot one */
    PM_CONFIG_TEXT,     /* a reload: the checked file's text, in order... */
    PM_CONFIG_END,      /* ...then its length: the worker loads it */
    PM_TYPE_MAX = PM_CONFIG_END
};

enum priv_ipvs_cmd { PRIV_IPVS_ADD = 1, PRIV_IPVS_EDIT, PRIV_IPVS_DEL };

struct pm_hello { uint32_t version; };
struct pm_welcome { uint32_t version, generation, nops; };
struct pm_run_op {
    uint32_t index, type;
    char arg[LAMON_OP_ARG_MAX + 1];
};
/* OP_STATE and OP_DONE */
struct pm_op_state {
    uint32_t index, type, status;       /* enum lamon_op_status */
    int32_t exit_code;
    int64_t start_time, end_time;
    char arg[LAMON_OP_ARG_MAX + 1];
    uint32_t outlen;
    char out[OP_OUTPUT_MAX];            /* zero beyond outlen */
};
struct pm_check_app { uint32_t app, id; };
struct pm_check_done { uint32_t id; int32_t exit_code; };
struct pm_write_state {
    int32_t state, role;
    char service[PRIV_SERVICE_MAX + 1];
};
struct pm_result { int32_t rc; };
struct pm_ipvs_svc { uint32_t cmd; struct ipvs_service svc; };
struct pm_ipvs_dest { uint32_t cmd; struct lamon_vs_key key; struct ipvs_dest dest; };
struct pm_ipvs_svc_entry { struct ipvs_service svc; uint32_t ndests; };
struct pm_ipvs_dest_entry { struct ipvs_dest dest; };
struct pm_kernel_entry { char rel[KERNEL_RELEASE_MAX + 1]; };   /* a valid release */
struct pm_kernels_end {
    uint32_t n;                             /* KERNEL_ENTRYs sent, <= KERNEL_LIST_MAX */
    char next[KERNEL_RELEASE_MAX + 1];      /* "" or a valid release */
};
struct pm_config_text {
    uint32_t len;                       /* 1..PRIV_CONFIG_CHUNK, no NUL within */
    char text[PRIV_CONFIG_CHUNK];       /* zero beyond len */
};
struct pm_config_end { uint32_t total; };

struct priv_msg {
    uint16_t type;                      /* enum priv_type */
    union {
        struct pm_hello hello;
        struct pm_welcome welcome;
        struct pm_run_op run_op;
        struct pm_op_state op;          /* OP_STATE, OP_DONE */
        struct pm_check_app check_app;
        struct pm_check_done check_done;
        struct pm_write_state write_state;
        struct pm_result result;        /* RESULT, IPVS_LIST_END */
        struct pm_ipvs_svc ipvs_svc;
        struct pm_ipvs_dest ipvs_dest;
        struct pm_ipvs_svc_entry svc_entry;
        struct pm_ipvs_dest_entry dest_entry;
        struct pm_kernel_entry kernel;
        struct pm_kernels_end kernels_end;
        struct pm_config_text config_text;
        struct pm_config_end config_end;
    } u;
};

/* Starts M as an empty message of TYPE: every field zero. */
void priv_msg_init(struct priv_msg *m, int type);

/* Decodes BUF[0..LEN) into M (zeroed first).  0, or -1 with *WHY set to a
 * static description of the first problem. */
int priv_decode(const uint8_t *buf, size_t len, struct priv_msg *m, const char **why);

/* Encodes M into BUF (PRIV_MSG_MAX bytes); returns the length, or 0 when M
 * is no valid message (the same checks as the decoder). */
size_t priv_encode(const struct priv_msg *m, uint8_t *buf);

/* The name of a type, for the log ("?" when unknown). */
const char *priv_type_name(unsigned type);

#endif
