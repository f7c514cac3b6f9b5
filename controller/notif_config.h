/* The notification receiver's configuration tokens (lamon-controller.conf):
 *
 *   listen ADDRESS[:PORT]                    receive on udp ADDRESS:PORT (default port 162);
 *                                            no listen line: no receiver
 *   accept NETWORK/PREFIX community C [port P]   SNMPv2c traps and informs with community C
 *   accept NETWORK/PREFIX v3 USER [port P]       SNMPv3 informs, authPriv, as v3user USER
 *
 * P (default 161) is the SNMP port of the agents a line lets register
 * (node_register.h): a notification's source port is snmpd's trap
 * socket, not the port it answers polls on. *
 * A notification is accepted only when an accept line's network holds its
 * source address and its credentials are that line's.  IPv4 and IPv6
 * networks; an IPv4-mapped IPv6 source (::ffff:a.b.c.d) is matched as the
 * IPv4 address.  ctl_config.c calls the two line handlers; they report
 * problems with config_errorf, so that a bad line is "FILE: line N: ...". */
#ifndef LAMON_NOTIF_CONFIG_H
#define LAMON_NOTIF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NOTIF_NAME_MAX 64            /* = CTL_NAME_MAX: community, user */
#define NOTIF_HOST_MAX 255

struct ctl_v3user;

struct notif_net {
    int af;                          /* AF_INET or AF_INET6 */
    uint8_t addr[16];                /* network byte order; 4 bytes for AF_INET */
    unsigned prefix;                 /* 0..32 or 0..128 */
};

struct notif_accept {
    struct notif_net net;
    bool v3;
    char community[NOTIF_NAME_MAX + 1];  /* v2c: never logged */
    char user[NOTIF_NAME_MAX + 1];       /* v3: a declared v3user */
    uint16_t port;                       /* registered agents' SNMP port */
};

struct notif_config {
    bool listen;                     /* a listen line was given */
    char listen_host[NOTIF_HOST_MAX + 1];
    uint16_t listen_port;
    struct sockaddr_storage listen_addr;
    struct notif_accept *accepts;
    size_t naccepts;
};

/* Parses "NETWORK/PREFIX" (numeric IPv4 or IPv6; no host bits beyond the
 * prefix).  Returns 0, or -1 with the problem in err. */
int notif_net_parse(const char *s, struct notif_net *net, char *err, size_t errlen);

/* Whether SA (AF_INET or AF_INET6; IPv4-mapped IPv6 counts as IPv4) lies
 * in NET. */
bool notif_net_match(const struct notif_net *net, const struct sockaddr *sa);

/* Same host address, whatever the ports (an IPv4-mapped IPv6 address is
 * its IPv4 one): a notification's sender against a node's address. */
bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* The line handlers: TOKEN is "listen" or "accept", LINE the rest of the
 * line.  USERS are the v3users declared so far. */
void notif_config_listen(struct notif_config *nc, const char *token, char *line);
void notif_config_accept(struct notif_config *nc, const struct ctl_v3user *users, size_t nusers,
                         const char *token, char *line);

/* Frees what the handlers allocated and wipes the communities. */
void notif_config_free(struct notif_config *nc);

#endif
