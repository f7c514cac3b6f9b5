/* Text from the network made safe for one line of a log or an error. */
#ifndef LAMON_PRINTABLE_H
#define LAMON_PRINTABLE_H

#include <stddef.h>

/* Copies at most N bytes of IN (stopping at a NUL) into OUT of OUTLEN
 * bytes, always terminated; every byte outside printable ASCII becomes
 * '?', so a name or a value cannot break or forge a line. Returns OUT. */
char *printable_copy(char *out, size_t outlen, const char *in, size_t n);

#endif
