/* What the lamon-controller.conf token handlers share: splitting a line
 * into words, the value checks, and the lookups of declared names.  Errors
 * go through config_errorf (config_error.h), so they name file and line. */
#ifndef LAMON_CTL_CONFIG_WORDS_H
#define LAMON_CTL_CONFIG_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "config_error.h"
#include "ctl_config_types.h"

#define WORD_MAX (CONFIG_WORD_MAX + 1)     /* bytes of one word */
#define HOSTPORT_MAX (CTL_HOST_MAX + 7)    /* "[" HOST "]:65535" */

/* Bounded copy; callers check lengths first where truncation matters. */
void ctl_cfg_copy(char *dst, size_t len, const char *src);
/* Splits LINE into words (quotes group, as Net-SNMP does; an empty quoted
 * word is no word).  Stores the first MAXW and counts all of them in *N, so
 * the caller sees a line with too many.  A word over CONFIG_WORD_MAX
 * characters is reported and fails the line (false): nothing is truncated. */
bool ctl_cfg_words(const char *token, char *line, char words[][WORD_MAX], size_t maxw, size_t *n);
/* A decimal number from LO to HI, nothing else. */
bool ctl_cfg_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out);
/* 1..CTL_NAME_MAX of [A-Za-z0-9._-]. */
bool ctl_cfg_name_ok(const char *s);
/* ARR (N elements of SIZE) with room for one more; NULL, reported, when out
 * of memory (ARR is then still owned by the caller). */
void *ctl_cfg_grow(void *arr, size_t n, size_t size);
/* The index of the peer called NAME among V[0..N), or -1. */
int ctl_cfg_find_peer(const struct ctl_peer *v, size_t n, const char *name);

int ctl_config_find_node(const struct ctl_config *cfg, const char *name);
int ctl_config_find_service(const struct ctl_config *cfg, const char *name);

/* Parses HOST[:PORT] or [V6]:PORT (numeric or resolvable HOST). */
int ctl_parse_hostport(const char *s, uint16_t defport, char *host, size_t hostlen,
                       struct sockaddr_storage *addr, uint16_t *port);

#endif
