/* The kernel's IPVS structures as LAMON-MIB values: lamonDestTable's index
 * from and to a struct ipvs_dest, lamonVsFlags bits, lamonDestFwdMethod, and
 * the names the log gives services and destinations.  No state. */
#ifndef LAMON_IPVS_CONV_H
#define LAMON_IPVS_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs_netlink.h"

/* lamon_dest_index_encode/decode with the destination as a struct
 * ipvs_dest (address and port; the rest zero after decode). */
size_t ipvs_dest_index_encode(const struct lamon_vs_key *k, const struct ipvs_dest *d, oid *idx);
size_t ipvs_dest_index_decode(const oid *idx, size_t len, struct lamon_vs_key *k, struct ipvs_dest *d);

/* lamonVsFlags BITS (one octet) from and to IP_VS_SVC_F_* flags. */
uint8_t ipvs_flags_to_bits(uint32_t flags);
uint32_t ipvs_bits_to_flags(uint8_t bits);

/* lamonDestFwdMethod (enum lamon_fwd) from and to IP_VS_CONN_F_*. */
long ipvs_fwd_to_mib(uint32_t fwd);
uint32_t ipvs_fwd_from_mib(long v);

/* "tcp 10.0.0.1:80", "fwmark 5 (ipv4)", "10.0.0.2:80": into BUF, returned. */
const char *ipvs_svc_str(const struct lamon_vs_key *k, char *buf, size_t len);
const char *ipvs_dest_str(const struct ipvs_dest *d, char *buf, size_t len);

#endif
