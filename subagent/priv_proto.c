/* The monitor <-> worker message codec; see priv_proto.h.
 *
 * One walker per body serves both directions (a cursor that either writes
 * the field or reads it), so encoder and decoder cannot disagree on a
 * layout; the checks of check_msg() then run on the decoded message and
 * before encoding. */
#include "priv_proto.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "lamon_mib.h"
#include "op_table.h"   /* enum lamon_op_status */

struct cur {
    uint8_t *buf;       /* encoding: written; decoding: read (never written) */
    size_t len, off;
    bool enc, bad;
};

static void bytes(struct cur *c, void *v, size_t n)
{
    if (c->bad || c->len - c->off < n) {
        c->bad = true;
        return;
    }
    if (c->enc)
        memcpy(c->buf + c->off, v, n);
    else
        memcpy(v, c->buf + c->off, n);
    c->off += n;
}

#define FIELD(c, v) bytes((c), &(v), sizeof(v))

static void io_stats(struct cur *c, struct ipvs_stats *s)
{
    uint64_t *f[] = { &s->conns, &s->inpkts, &s->outpkts, &s->inbytes, &s->outbytes,
                      &s->cps, &s->inpps, &s->outpps, &s->inbps, &s->outbps };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        FIELD(c, *f[i]);
}

static void io_key(struct cur *c, struct lamon_vs_key *k)
{
    FIELD(c, k->af);
    FIELD(c, k->protocol);
    FIELD(c, k->addr);
    FIELD(c, k->port);
    FIELD(c, k->fwmark);
}

static void io_svc(struct cur *c, struct ipvs_service *s)
{
    io_key(c, &s->key);
    FIELD(c, s->sched);
    FIELD(c, s->flags);
    FIELD(c, s->timeout);
    FIELD(c, s->prefix);
    io_stats(c, &s->stats);
}

static void io_dest(struct cur *c, struct ipvs_dest *d)
{
    FIELD(c, d->af);
    FIELD(c, d->addr);
    FIELD(c, d->port);
    FIELD(c, d->fwd);
    FIELD(c, d->weight);
    FIELD(c, d->u_thresh);
    FIELD(c, d->l_thresh);
    FIELD(c, d->active);
    FIELD(c, d->inactive);
    FIELD(c, d->persist);
    io_stats(c, &d->stats);
}

static void io_op(struct cur *c, struct pm_op_state *o)
{
    FIELD(c, o->index);
    FIELD(c, o->type);
    FIELD(c, o->status);
    FIELD(c, o->exit_code);
    FIELD(c, o->start_time);
    FIELD(c, o->end_time);
    FIELD(c, o->arg);
    FIELD(c, o->outlen);
    FIELD(c, o->out);
}

/* The body of M, either way. */
static bool io_body(struct cur *c, struct priv_msg *m)
{
    switch (m->type) {
    case PM_HELLO: FIELD(c, m->u.hello.version); break;
    case PM_WELCOME:
        FIELD(c, m->u.welcome.version);
        FIELD(c, m->u.welcome.generation);
        FIELD(c, m->u.welcome.nops);
        break;
    case PM_RUN_OP:
        FIELD(c, m->u.run_op.index);
        FIELD(c, m->u.run_op.type);
        FIELD(c, m->u.run_op.arg);
        break;
    case PM_OP_STATE: case PM_OP_DONE: io_op(c, &m->u.op); break;
    case PM_CHECK_APP:
        FIELD(c, m->u.check_app.app);
        FIELD(c, m->u.check_app.id);
        break;
    case PM_CHECK_DONE:
        FIELD(c, m->u.check_done.id);
        FIELD(c, m->u.check_done.exit_code);
        break;
    case PM_WRITE_STATE:
        FIELD(c, m->u.write_state.state);
        FIELD(c, m->u.write_state.role);
        FIELD(c, m->u.write_state.service);
        break;
    case PM_RESULT: case PM_IPVS_LIST_END: FIELD(c, m->u.result.rc); break;
    case PM_AGENTX: case PM_IPVS_OPEN: case PM_IPVS_LIST: break;
    case PM_IPVS_SVC:
        FIELD(c, m->u.ipvs_svc.cmd);
        io_svc(c, &m->u.ipvs_svc.svc);
        break;
    case PM_IPVS_DEST:
        FIELD(c, m->u.ipvs_dest.cmd);
        io_key(c, &m->u.ipvs_dest.key);
        io_dest(c, &m->u.ipvs_dest.dest);
        break;
    case PM_IPVS_SVC_ENTRY:
        io_svc(c, &m->u.svc_entry.svc);
        FIELD(c, m->u.svc_entry.ndests);
        break;
    case PM_IPVS_DEST_ENTRY: io_dest(c, &m->u.dest_entry.dest); break;
    case PM_KERNELS: break;
    case PM_KERNEL_ENTRY: FIELD(c, m->u.kernel.rel); break;
    case PM_KERNELS_END:
        FIELD(c, m->u.kernels_end.n);
        FIELD(c, m->u.kernels_end.next);
        break;
    case PM_CONFIG_TEXT:
        FIELD(c, m->u.config_text.len);
        FIELD(c, m->u.config_text.text);
        break;
    case PM_CONFIG_END: FIELD(c, m->u.config_end.total); break;
    default: return false;
    }
    return !c->bad;
}

/* --- checks ------------------------------------------------------------- */

/* A string field: NUL-terminated within its N bytes, zero after the NUL. */
static bool good_str(const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n);
    if (!nul)
        return false;
    for (const char *p = nul; p < s + n; p++)
        if (*p)
            return false;
    return true;
}

static bool good_af(uint16_t af) { return af == AF_INET || af == AF_INET6; }

static bool good_key(const struct lamon_vs_key *k)
{
    bool proto = k->protocol == 0 || k->protocol == IPPROTO_TCP ||
                 k->protocol == IPPROTO_UDP || k->protocol == IPPROTO_SCTP;
    return good_af(k->af) && proto;
}

static bool good_svc(const struct ipvs_service *s)
{
    return good_key(&s->key) && good_str(s->sched, sizeof s->sched);
}

static bool good_dest(const struct ipvs_dest *d)
{
    return good_af(d->af) && d->fwd <= 4 && d->weight >= 0;
}

static bool good_op(const struct pm_op_state *o)
{
    if (validate_op_type(o->type) != 0 || o->status < OPS_QUEUED || o->status > OPS_FAILED)
        return false;
    if (!good_str(o->arg, sizeof o->arg) || o->outlen > sizeof o->out)
        return false;
    for (size_t i = o->outlen; i < sizeof o->out; i++)
        if (o->out[i])
            return false;
    return true;
}

static bool good_release(const char *s, size_t n, bool empty_ok)
{
    return good_str(s, n) && ((empty_ok && !s[0]) || validate_kernel_release(s, strlen(s)) == 0);
}

static bool good_text(const struct pm_config_text *t)
{
    if (t->len < 1 || t->len > sizeof t->text || memchr(t->text, '\0', t->len))
        return false;
    for (size_t i = t->len; i < sizeof t->text; i++)
        if (t->text[i])
            return false;
    return true;
}

static const char *check_msg(const struct priv_msg *m)
{
    switch (m->type) {
    case PM_RUN_OP:
        if (validate_op_type(m->u.run_op.type) != 0)
            return "operation type out of range";
        if (!good_str(m->u.run_op.arg, sizeof m->u.run_op.arg))
            return "argument unterminated or over-long";
        return NULL;
    case PM_OP_STATE: case PM_OP_DONE:
        return good_op(&m->u.op) ? NULL : "bad operation row";
    case PM_WRITE_STATE: {
        const struct pm_write_state *w = &m->u.write_state;
        if (w->state < 0 || w->state > NSTATE_STOPPING || w->role < 0 || w->role > ROLE_DIRECTOR)
            return "state or role out of range";
        return good_str(w->service, sizeof w->service) ? NULL : "service unterminated or over-long";
    }
    case PM_IPVS_SVC:
        if (m->u.ipvs_svc.cmd < PRIV_IPVS_ADD || m->u.ipvs_svc.cmd > PRIV_IPVS_DEL)
            return "IPVS command out of range";
        return good_svc(&m->u.ipvs_svc.svc) ? NULL : "bad IPVS service";
    case PM_IPVS_DEST:
        if (m->u.ipvs_dest.cmd < PRIV_IPVS_ADD || m->u.ipvs_dest.cmd > PRIV_IPVS_DEL)
            return "IPVS command out of range";
        return good_key(&m->u.ipvs_dest.key) && good_dest(&m->u.ipvs_dest.dest)
            ? NULL : "bad IPVS destination";
    case PM_IPVS_SVC_ENTRY:
        return good_svc(&m->u.svc_entry.svc) ? NULL : "bad IPVS service";
    case PM_IPVS_DEST_ENTRY:
        return good_dest(&m->u.dest_entry.dest) ? NULL : "bad IPVS destination";
    case PM_KERNEL_ENTRY:
        return good_release(m->u.kernel.rel, sizeof m->u.kernel.rel, false) ? NULL : "bad kernel release";
    case PM_KERNELS_END:
        if (m->u.kernels_end.n > KERNEL_LIST_MAX)
            return "more kernels than a list holds";
        return good_release(m->u.kernels_end.next, sizeof m->u.kernels_end.next, true)
            ? NULL : "bad next-boot kernel release";
    case PM_CONFIG_TEXT:
        return good_text(&m->u.config_text) ? NULL : "bad configuration text";
    case PM_CONFIG_END:
        return m->u.config_end.total <= PRIV_CONFIG_MAX ? NULL : "configuration too long";
    default:
        return NULL;
    }
}

/* --- the two directions ------------------------------------------------ */

void priv_msg_init(struct priv_msg *m, int type)
{
    memset(m, 0, sizeof *m);
    m->type = (uint16_t)type;
}

int priv_decode(const uint8_t *buf, size_t len, struct priv_msg *m, const char **why)
{
    memset(m, 0, sizeof *m);
    uint16_t hdr[2];
    if (len < PRIV_HDR_LEN) {
        *why = "shorter than a header";
        return -1;
    }
    memcpy(hdr, buf, sizeof hdr);
    if (hdr[0] < 1 || hdr[0] > PM_TYPE_MAX) {
        *why = "unknown message type";
        return -1;
    }
    if (hdr[1] != len - PRIV_HDR_LEN) {
        *why = "length does not match the header";
        return -1;
    }
    m->type = hdr[0];
    struct cur c = { .buf = (uint8_t *)(uintptr_t)buf + PRIV_HDR_LEN, .len = hdr[1] };
    if (!io_body(&c, m) || c.off != c.len) {
        *why = "wrong body length for its type";
        memset(m, 0, sizeof *m);
        return -1;
    }
    const char *bad = check_msg(m);
    if (bad) {
        *why = bad;
        memset(m, 0, sizeof *m);
        return -1;
    }
    return 0;
}

size_t priv_encode(const struct priv_msg *m, uint8_t *buf)
{
    if (m->type < 1 || m->type > PM_TYPE_MAX || check_msg(m))
        return 0;
    struct priv_msg copy = *m;   /* the walker takes a non-const message */
    struct cur c = { .buf = buf + PRIV_HDR_LEN, .len = PRIV_MSG_MAX - PRIV_HDR_LEN, .enc = true };
    if (!io_body(&c, &copy))
        return 0;
    uint16_t hdr[2] = { m->type, (uint16_t)c.off };
    memcpy(buf, hdr, sizeof hdr);
    return PRIV_HDR_LEN + c.off;
}

const char *priv_type_name(unsigned type)
{
    static const char *const names[] = {
        [PM_HELLO] = "HELLO", [PM_RUN_OP] = "RUN_OP", [PM_CHECK_APP] = "CHECK_APP",
        [PM_WRITE_STATE] = "WRITE_STATE", [PM_AGENTX] = "AGENTX", [PM_IPVS_OPEN] = "IPVS_OPEN",
        [PM_IPVS_LIST] = "IPVS_LIST", [PM_IPVS_SVC] = "IPVS_SVC", [PM_IPVS_DEST] = "IPVS_DEST",
        [PM_WELCOME] = "WELCOME", [PM_OP_STATE] = "OP_STATE", [PM_OP_DONE] = "OP_DONE",
        [PM_CHECK_DONE] = "CHECK_DONE", [PM_RESULT] = "RESULT",
        [PM_IPVS_SVC_ENTRY] = "IPVS_SVC_ENTRY", [PM_IPVS_DEST_ENTRY] = "IPVS_DEST_ENTRY",
        [PM_IPVS_LIST_END] = "IPVS_LIST_END", [PM_KERNELS] = "KERNELS",
        [PM_KERNEL_ENTRY] = "KERNEL_ENTRY", [PM_KERNELS_END] = "KERNELS_END",
        [PM_CONFIG_TEXT] = "CONFIG_TEXT",
        [PM_CONFIG_END] = "CONFIG_END",
    };
    return type >= 1 && type <= PM_TYPE_MAX ? names[type] : "?";
}
