/* lamon-controller configuration: the tokens of lamon-controller.conf, read
 * with Net-SNMP's config-token API so that every error reads
 * "FILE: line N: Error: problem".  A load builds a complete new
 * configuration; the caller swaps it in only when it loaded cleanly, so a
 * bad SIGHUP reload keeps the old one in force.
 *
 *   interval MS                       poll interval (default 10000)
 *   timeout MS / retries N            per-request SNMP timeout (default 2000 / 0)
 *   rise N / fall N                   hysteresis (default 2 / 3)
 *   panic PERCENT                     freeze removals (default 50)
 *   rrddir DIR / rrdcached ADDRESS
 *   control SOCKET [owner USER[:GROUP]] [mode OCTAL]
 *   logfile FILE                      line-oriented event log
 *   v3user USER sha AUTHPASS aes PRIVPASS
 *   node NAME HOST[:PORT] [community C | v3 USER]
 *   director NAME HOST[:PORT] [community C | v3 USER] [write USER]
 *   service NAME tcp|udp VIP:PORT nodes N [min N] [max N] [sched S]
 *           [fwd masq|route|tunnel] [rport P] [app APP] [weight W]
 *           [load load1|conns] [high LOAD] [low LOAD] [weights fixed|follow]
 *           director NAME[,NAME...]
 *   scale_polls K                     polls above high / below low before scaling
 *   drain_timeout SECONDS             operator drain gives up waiting (default 60)
 *   in_flight N                       node polls in flight at once (default 64)
 *   write_user USER                   v3user for SETs (default: the first v3user)
 *
 * A service's per-node load ("load", default load1) is the node's 1-minute
 * load average (lamonNodeLoad1 / 100), or with "conns" the established
 * connections of the service's application on the node (lamonAppEstablished;
 * lamonNodeConnections when the service names no app).  "high" and "low"
 * are in that unit.  Scaling compares the mean over the ready members with
 * them: above high for scale_polls polls adds a spare (up to max), below
 * low drains one back to the spares (down to min).
 *
 * "weights follow" makes each member's IPVS weight follow its load, as
 * nanny did with the load average.  With W the service's weight (the base,
 * "weight W") and H its high watermark (which must be set: it is the load
 * at which a node is treated as full):
 *
 *     weight = clamp(round(W * (1 - load / H)), 1, W)
 *
 * An idle node gets W, a node at or above H gets 1 (never 0: 0 is the
 * drain).  Hysteresis: a destination's weight is changed only when the new
 * figure differs from the one in force by at least max(1, W / 10), so small
 * moves of the load do not cost a SET every poll.
 *
 * Names (v3user, director) must be declared before they are referred to, so
 * that a wrong reference is reported at its own line.  A service needs a
 * v3user above it: keeping it at strength takes SETs, which are SNMPv3
 * authPriv.  No line may exceed CONFIG_LINE_MAX characters, no word
 * CONFIG_WORD_MAX (config_error.h); nothing is ever truncated.
 */
#ifndef LAMON_CTL_CONFIG_H
#define LAMON_CTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lamon_mib.h"

#define CTL_NAME_MAX 64
#define CTL_HOST_MAX 255
#define CTL_SECRET_MAX 128

struct ctl_v3user {
    char name[CTL_NAME_MAX + 1];
    char auth[CTL_SECRET_MAX + 1];   /* SHA passphrase: never logged */
    char priv[CTL_SECRET_MAX + 1];   /* AES passphrase: never logged */
};

/* An SNMP peer: node or director. */
struct ctl_peer {
    char name[CTL_NAME_MAX + 1];
    char host[CTL_HOST_MAX + 1];
    uint16_t port;                   /* 161 unless given */
    struct sockaddr_storage addr;    /* HOST resolved: also the real-server address */
    int v3user;                      /* index into v3users, -1 for community */
    char community[CTL_NAME_MAX + 1];
};

/* The forwarding methods "fwd" offers, as lamonDestFwdMethod numbers them. */
enum ctl_fwd { CTL_FWD_MASQ = LFWD_MASQ, CTL_FWD_TUNNEL = LFWD_TUNNEL, CTL_FWD_ROUTE = LFWD_ROUTE };

/* What a service counts as a node's load (see the comment at the top). */
enum ctl_load { CTL_LOAD_LOAD1 = 0, CTL_LOAD_CONNS };

struct ctl_service {
    char name[CTL_NAME_MAX + 1];
    int protocol;                    /* 6 tcp, 17 udp */
    struct sockaddr_storage vip;     /* address + port */
    unsigned nodes, min, max;
    char sched[16];
    enum ctl_fwd fwd;
    uint16_t rport;                  /* real-server port; default: VIP port */
    char app[CTL_NAME_MAX + 1];      /* empty: no application check */
    int weight;                      /* destination weight (default 1); base of weights follow */
    enum ctl_load load;              /* unit of high/low and weights follow */
    double high, low;                /* load watermarks; 0 = off */
    bool weights_follow;             /* weight derived from each node's load */
    int *directors;                  /* indexes into directors */
    size_t ndirectors;
};

struct ctl_config {
    unsigned interval_ms, timeout_ms, retries;
    unsigned rise, fall, panic_pct, scale_polls, drain_timeout_s;
    unsigned in_flight;              /* node polls in flight at most */
    char rrddir[4096], rrdcached[4096], control[108], logfile[4096];
    char control_owner[CTL_NAME_MAX + 1], control_group[CTL_NAME_MAX + 1];
    int control_mode;                /* -1: leave the umask's */
    int write_user;                  /* index into v3users, -1: none */
    struct ctl_v3user *v3users;  size_t nv3users;
    struct ctl_peer *nodes;      size_t nnodes;
    struct ctl_peer *directors;  size_t ndirectors;
    struct ctl_service *services; size_t nservices;
};

/* Reads FILE into a new configuration.  On success returns 0 and *out owns
 * it (free with ctl_config_free).  On error returns -1, logs every problem
 * through snmp_log as "FILE: line N: Error: ...", and copies the first one
 * into err (when non-NULL). */
int ctl_config_load(const char *file, struct ctl_config **out, char *err, size_t errlen);

void ctl_config_free(struct ctl_config *cfg);

int ctl_config_find_node(const struct ctl_config *cfg, const char *name);
int ctl_config_find_service(const struct ctl_config *cfg, const char *name);

/* Parses HOST[:PORT] or [V6]:PORT (numeric or resolvable HOST). */
int ctl_parse_hostport(const char *s, uint16_t defport, char *host, size_t hostlen,
                       struct sockaddr_storage *addr, uint16_t *port);

#endif
