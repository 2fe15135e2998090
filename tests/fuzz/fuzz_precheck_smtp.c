/* libFuzzer target: the precheck SMTP probe's parsers -- the reply reader
 * (multi-line replies, any bytes) and the --probe-mx HOST[:PORT] parser.
 * First byte chooses: even -> reply, odd -> host:port. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "precheck/precheck_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0) {
        char out[64];
        size_t used = 0;
        int code = mtarep__pc_smtp_reply_parse((const char *)data + 1, size - 1, out,
                                               sizeof out, &used);
        if (code != 0 && code != -1 && (code < 200 || code > 599 || used == 0 ||
                                         used > size - 1))
            abort();
        if (!memchr(out, '\0', sizeof out))
            abort();
    } else {
        pc_probe p;
        char *s = malloc(size);
        if (!s)
            return 0;
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';
        memset(&p, 0, sizeof p);
        if (mtarep__pc_parse_hostport(s, &p) == 0 &&
            (p.port == 0 || p.port > 65535 || !memchr(p.host, '\0', sizeof p.host) || !p.host[0]))
            abort();
        free(s);
    }
    return 0;
}
