/* A config_perror() that formats: Net-SNMP's config-token API knows the file
 * and line being read, so every message comes out as "FILE: line N: ...". */
#ifndef LAMON_CONFIG_ERROR_H
#define LAMON_CONFIG_ERROR_H

void config_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
