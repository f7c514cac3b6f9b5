/* See printable.h. */
#include "printable.h"

char *printable_copy(char *out, size_t outlen, const char *in, size_t n)
{
    if (outlen == 0)
        return out;
    size_t k = 0;
    for (size_t i = 0; in && i < n && in[i] && k + 1 < outlen; i++) {
        unsigned char c = (unsigned char)in[i];
        out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[k] = '\0';
    return out;
}
