/* libFuzzer target: the monitor <-> worker message decoder
 * (subagent/priv_proto.c), which the root monitor runs on whatever a
 * compromised worker sends.  Oracle, besides crashes: a message that
 * decodes encodes back to exactly its input (so nothing the decoder lets
 * through is ambiguous), decodes again to the same message, and carries a
 * known type with its type's length; an input that is refused makes the
 * decoder say why and leaves the message zeroed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../subagent/priv_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct priv_msg m, again;
    const char *why = NULL;
    if (priv_decode(data, size, &m, &why) != 0) {
        static const struct priv_msg zero;
        if (!why || memcmp(&m, &zero, sizeof m) != 0)
            abort();
        return 0;
    }
    if (m.type < 1 || m.type > PM_TYPE_MAX || size < PRIV_HDR_LEN)
        abort();
    uint8_t buf[PRIV_MSG_MAX];
    size_t len = priv_encode(&m, buf);
    if (len != size || memcmp(buf, data, size) != 0)
        abort();
    if (priv_decode(buf, len, &again, &why) != 0 || memcmp(&m, &again, sizeof m) != 0)
        abort();
    return 0;
}
