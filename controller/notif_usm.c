/* The USM users of the receiver's v3 accept lines (see notif_usm.h). */
#include "notif_usm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/library/snmpusm.h>

#include "notif_config.h"

#define KEY_MAX 64                       /* a SHA-1 key is 20 bytes */

/* U as a USM user with SHA/AES keys localized to ENGINE (ours), the way
 * Net-SNMP's createUser makes one; not yet in the user list. */
static struct usmUser *make_user(const struct ctl_v3user *u, const u_char *engine, size_t elen)
{
    struct usmUser *nu = usm_create_user();
    u_char ku[KEY_MAX];
    size_t kulen;
    bool ok = nu != NULL;
    if (ok) {
        nu->userStorageType = ST_VOLATILE;
        nu->engineID = netsnmp_memdup(engine, elen);
        nu->engineIDLen = elen;
        nu->name = strdup(u->name);
        nu->secName = strdup(u->name);
        free(nu->authProtocol);
        nu->authProtocol = snmp_duplicate_objid(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN);
        nu->authProtocolLen = USM_AUTH_PROTO_SHA_LEN;
        free(nu->privProtocol);
        nu->privProtocol = snmp_duplicate_objid(usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN);
        nu->privProtocolLen = USM_PRIV_PROTO_AES_LEN;
        nu->authKey = malloc(KEY_MAX);
        nu->privKey = malloc(KEY_MAX);
        nu->authKeyLen = nu->privKeyLen = KEY_MAX;
        ok = nu->engineID && nu->name && nu->secName && nu->authProtocol && nu->privProtocol && nu->authKey &&
             nu->privKey;
    }
    kulen = sizeof ku;
    ok = ok && generate_Ku(nu->authProtocol, (u_int)nu->authProtocolLen, (const u_char *)u->auth, strlen(u->auth),
                           ku, &kulen) == SNMPERR_SUCCESS &&
         generate_kul(nu->authProtocol, (u_int)nu->authProtocolLen, engine, elen, ku, kulen, nu->authKey,
                      &nu->authKeyLen) == SNMPERR_SUCCESS;
    kulen = sizeof ku;
    ok = ok && generate_Ku(nu->authProtocol, (u_int)nu->authProtocolLen, (const u_char *)u->priv, strlen(u->priv),
                           ku, &kulen) == SNMPERR_SUCCESS &&
         generate_kul(nu->authProtocol, (u_int)nu->authProtocolLen, engine, elen, ku, kulen, nu->privKey,
                      &nu->privKeyLen) == SNMPERR_SUCCESS;
    explicit_bzero(ku, sizeof ku);
    const netsnmp_priv_alg_info *pai = ok ? sc_get_priv_alg_byoid(usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN) : NULL;
    if (!pai || pai->proper_length <= 0 || nu->privKeyLen < (size_t)pai->proper_length) {
        usm_free_user(nu);           /* frees (and Net-SNMP wipes) the keys */
        return NULL;
    }
    nu->privKeyLen = (size_t)pai->proper_length;   /* AES-128: the first 16 bytes */
    return nu;
}

void notif_usm_drop(struct notif_usm *set)
{
    for (size_t i = 0; i < set->nusers; i++) {
        usm_remove_user(set->users[i]);
        usm_free_user(set->users[i]);
    }
    free(set->users);
    set->users = NULL;
    set->nusers = 0;
}

/* A configuration not made by ctl_config_load (a test's) has none. */
static const struct notif_config no_notif;

int notif_usm_set(struct notif_usm *set, const struct ctl_config *cfg, char *err, size_t errlen)
{
    const struct notif_config *nc = cfg->notif ? cfg->notif : &no_notif;
    u_char engine[ENGINE_ID_MAX];
    size_t elen = snmpv3_get_engineID(engine, sizeof engine);
    struct usmUser **users = calloc(nc->naccepts + 1, sizeof *users);
    size_t n = 0;
    if (!users || elen == 0) {
        snprintf(err, errlen, elen ? "out of memory" : "no local SNMPv3 engine ID");
        free(users);
        return -1;
    }
    for (size_t i = 0; i < nc->naccepts; i++) {
        const struct notif_accept *a = &nc->accepts[i];
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(users[k]->name, a->user) == 0;
        if (!a->v3 || seen)
            continue;
        const struct ctl_v3user *u = NULL;
        for (size_t k = 0; k < cfg->nv3users && !u; k++)
            if (strcmp(cfg->v3users[k].name, a->user) == 0)
                u = &cfg->v3users[k];
        struct usmUser *nu = u ? make_user(u, engine, elen) : NULL;
        if (!nu) {
            snprintf(err, errlen, "cannot make SNMPv3 keys for v3user %s", a->user);
            for (size_t k = 0; k < n; k++)
                usm_free_user(users[k]);
            free(users);
            return -1;
        }
        users[n++] = nu;
    }
    notif_usm_drop(set);
    for (size_t k = 0; k < n; k++)
        usm_add_user(users[k]);
    set->users = users;
    set->nusers = n;
    return 0;
}
