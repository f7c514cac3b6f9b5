/* The SNMPv3 users the notification receiver lets in: for every
 * `accept NET/PREFIX v3 USER`, the `v3user` USER with SHA/AES keys
 * localized to this controller's engine ID, added to Net-SNMP's USM list
 * (whose checks then authenticate and decrypt the informs). */
#ifndef LAMON_NOTIF_USM_H
#define LAMON_NOTIF_USM_H

#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "ctl_config.h"

#define ENGINE_ID_MAX 32                 /* RFC 3411 SnmpEngineID */

struct notif_usm {
    struct usmUser **users;              /* what this set added to Net-SNMP's USM */
    size_t nusers;
};

/* Replaces SET's users with those CFG's v3 accept lines name.  Returns 0,
 * or -1 with the problem in ERR (SET unchanged) when a key cannot be made. */
int notif_usm_set(struct notif_usm *set, const struct ctl_config *cfg, char *err, size_t errlen);

/* Removes SET's users from the USM list and frees them. */
void notif_usm_drop(struct notif_usm *set);

#endif
