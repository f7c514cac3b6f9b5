/* The kernel's IPVS table over generic netlink (family "IPVS", libnl-genl-3).
 * Synchronous request/ack on one socket; every call returns 0 or a negative
 * errno from the kernel, so callers can log strerror(-rc) and map it. */
#ifndef LAMON_IPVS_NETLINK_H
#define LAMON_IPVS_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "lamon_mib.h"

#define IPVS_SCHED_MAX 15          /* IP_VS_SCHEDNAME_MAXLEN - 1 */

struct ipvs_stats {
    uint64_t conns, inpkts, outpkts, inbytes, outbytes;
    uint64_t cps, inpps, outpps, inbps, outbps;
};

/* A service's natural key is lamonVsTable's index, struct lamon_vs_key
 * (common/lamon_mib.h). */
struct ipvs_service {
    struct lamon_vs_key key;
    char sched[IPVS_SCHED_MAX + 1];
    uint32_t flags;                /* IP_VS_SVC_F_*, without HASHED */
    uint32_t timeout;              /* persistence seconds, 0 = none */
    uint32_t prefix;               /* persistence netmask as a prefix length */
    struct ipvs_stats stats;
};

struct ipvs_dest {
    uint16_t af;
    uint8_t addr[16];
    uint16_t port;
    uint32_t fwd;                  /* IP_VS_CONN_F_MASQ/LOCALNODE/TUNNEL/DROUTE */
    int32_t weight;
    uint32_t u_thresh, l_thresh;
    uint32_t active, inactive, persist;
    struct ipvs_stats stats;
};

struct ipvs_svc_entry {
    struct ipvs_service svc;
    struct ipvs_dest *dests;
    size_t ndests;
};

/* A snapshot of the whole table; owned by whoever ipvs_nl_list filled. */
struct ipvs_table {
    struct ipvs_svc_entry *svcs;
    size_t nsvcs;
};

/* Connects and resolves the family.  -ENOENT (or another -errno) when the
 * kernel has no IPVS; the module may be loaded later, so callers may retry. */
int ipvs_nl_open(void);
void ipvs_nl_close(void);
int ipvs_nl_is_open(void);

int ipvs_nl_list(struct ipvs_table *out);
void ipvs_table_free(struct ipvs_table *t);

int ipvs_nl_add_service(const struct ipvs_service *s);
int ipvs_nl_edit_service(const struct ipvs_service *s);
int ipvs_nl_del_service(const struct lamon_vs_key *k);
int ipvs_nl_add_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d);
int ipvs_nl_edit_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d);
int ipvs_nl_del_dest(const struct lamon_vs_key *k, const struct ipvs_dest *d);

/* In the privilege-separated worker the calls above go to the monitor,
 * which makes them with this file's netlink code: with REMOTE set, each of
 * ipvs_nl_open, _close, _is_open, _list and the add, edit and del
 * calls only call it.
 * CMD is 1 add, 2 edit, 3 delete (enum priv_ipvs_cmd). */
struct ipvs_remote {
    int (*open)(void);
    void (*close)(void);
    int (*is_open)(void);
    int (*list)(struct ipvs_table *out);
    int (*svc)(int cmd, const struct ipvs_service *s);
    int (*dest)(int cmd, const struct lamon_vs_key *k, const struct ipvs_dest *d);
};
void ipvs_nl_set_remote(const struct ipvs_remote *remote);

/* One reply of an IPVS_CMD_GET_SERVICE / GET_DEST dump (a whole netlink
 * message: nlmsghdr, genlmsghdr, attributes) into OUT; no socket needed.
 * -EINVAL when it is no valid service or destination: an attribute too
 * short for its type, an unknown family or protocol, an address shorter
 * than its family's.  SVC_AF is the family of a destination that names none. */
struct nlmsghdr;
int ipvs_nl_parse_service(const struct nlmsghdr *nlh, struct ipvs_service *out);
int ipvs_nl_parse_dest(const struct nlmsghdr *nlh, uint16_t svc_af, struct ipvs_dest *out);

/* The kernel's IPv4 persistence netmask is a mask in network order, its
 * IPv6 one a prefix length: these convert from and to a prefix length. */
uint32_t ipvs_prefix_to_netmask(uint16_t af, uint32_t prefix);
uint32_t ipvs_netmask_to_prefix(uint16_t af, uint32_t netmask);

/* Address length of AF (4 or 16), 0 for anything else. */
size_t ipvs_addr_len(uint16_t af);

#endif
