/* The controller configuration's types (see ctl_config.h for the tokens).
 * A header of its own so that the readers of single lines
 * (ctl_config_service.c, ctl_config_words.c) need not import the loader
 * that calls them. */
#ifndef LAMON_CTL_CONFIG_TYPES_H
#define LAMON_CTL_CONFIG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lamon_mib.h"

#define CTL_NAME_MAX 64
#define CTL_HOST_MAX 255
#define CTL_SECRET_MAX 128

struct notif_config;
struct http_config;

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
    unsigned hot;                    /* spares kept with the application up, out of IPVS */
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
    unsigned register_max;           /* self-registered nodes at most (node_register.h) */
    unsigned register_window_ms;     /* after start, 0: max(interval, 2000) */
    char rrddir[4096], rrdcached[4096], control[108], logfile[4096];
    char control_owner[CTL_NAME_MAX + 1], control_group[CTL_NAME_MAX + 1];
    int control_mode;                /* -1: leave the umask's */
    int write_user;                  /* index into v3users, -1: none */
    struct ctl_v3user *v3users;  size_t nv3users;
    struct ctl_peer *nodes;      size_t nnodes;
    struct ctl_peer *directors;  size_t ndirectors;
    struct ctl_service *services; size_t nservices;
    struct notif_config *notif;      /* listen, accept; set by every load */
    struct http_config *http;        /* http, http_users, http_tls, http_root; set by every load */
};

#endif
