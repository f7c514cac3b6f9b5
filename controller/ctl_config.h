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
 *           [hot N] director NAME[,NAME...]
 *   scale_polls K                     polls above high / below low before scaling
 *   drain_timeout SECONDS             operator drain gives up waiting (default 60)
 *   in_flight N                       node polls in flight at once (default 64)
 *   write_user USER                   v3user for SETs (default: the first v3user)
 *   listen ADDRESS[:PORT]             notification receiver (notif_config.h)
 *   accept NETWORK/PREFIX community C [port P] | accept NETWORK/PREFIX v3 USER [port P]
 *   register_max N                    self-registered nodes at most (default 4096; 0: none)
 *   register_window MS                after start, wait for registrations (node_register.h)
 *   http ADDRESS:PORT / http_users FILE / http_tls CERT KEY / http_root DIR
 *                                     the web console (http_config.h)
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
 * "hot N" (default 0; needs "app") keeps N of the spares hot for the
 * service: role spare with the service's name on the agent, the
 * application started and checked, out of IPVS.  Promotion takes a hot
 * spare first and then only adds it to the directors (decide_hot.h).
 *
 * Names (v3user, director) must be declared before they are referred to, so
 * that a wrong reference is reported at its own line.  A service needs a
 * v3user above it: keeping it at strength takes SETs, which are SNMPv3
 * authPriv.  No line may exceed CONFIG_LINE_MAX characters, no word
 * CONFIG_WORD_MAX (config_error.h); nothing is ever truncated.
 */
#ifndef LAMON_CTL_CONFIG_H
#define LAMON_CTL_CONFIG_H

#include <stddef.h>

#include "ctl_config_types.h"
#include "ctl_config_words.h"   /* the lookups: ctl_config_find_*, ctl_parse_hostport */

/* Reads FILE into a new configuration.  On success returns 0 and *out owns
 * it (free with ctl_config_free).  On error returns -1, logs every problem
 * through snmp_log as "FILE: line N: Error: ...", and copies the first one
 * into err (when non-NULL). */
int ctl_config_load(const char *file, struct ctl_config **out, char *err, size_t errlen);

void ctl_config_free(struct ctl_config *cfg);

#endif
