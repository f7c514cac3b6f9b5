/* What both configuration readers share, in Net-SNMP's config-token style:
 * Net-SNMP knows the file and line being read, so every message comes out
 * as "FILE: line N: Error: ...".  Nothing in a file is ever truncated: a
 * line or word over its limit is an error at its own line. */
#ifndef LAMON_CONFIG_ERROR_H
#define LAMON_CONFIG_ERROR_H

#include <stddef.h>

/* Characters in one line of a configuration file; in one word of a line. */
#define CONFIG_LINE_MAX 16383
#define CONFIG_WORD_MAX 4095

/* A config_perror() that formats. */
void config_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks FILE before Net-SNMP reads it: no line over CONFIG_LINE_MAX
 * characters, no NUL byte (Net-SNMP would join that line to the next), and
 * no include or [type] line (lamon reads the file it is given and its own
 * tokens, nothing else).  Logs each problem as "FILE: line N: Error: ..."
 * and returns how many; -1 (logged) if FILE cannot be read. */
int config_file_check(const char *file);

/* Copies the next word of *CURSOR (copy_nword's rules: quotes group, a
 * backslash escapes) into DST of DSTLEN bytes and moves *CURSOR past it,
 * to NULL at the end of the line or at a comment.  Returns 1, or 0 when
 * no word is left (DST is then ""); a word of DSTLEN characters or more is
 * reported as "WHAT is N characters long; at most DSTLEN - 1" and -1 is
 * returned. */
int config_word(char **cursor, char *dst, size_t dstlen, const char *what);

#endif
