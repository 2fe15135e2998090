/* libFuzzer target: the limit syntax ("N/PERIOD[:B]"). Whatever parses
 * must format, parse back to the same limit, and give sane GCRA values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    mtarep_limit l, back;
    mtarep_throttle_error err;
    char buf[64], msg[120];
    mtarep__gcra g;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (mtarep_limit_parse(&l, s, &err) == MTAREP_OK) {
        if (mtarep_limit_format(buf, sizeof buf, &l) != MTAREP_OK)
            abort();
        if (mtarep_limit_parse(&back, buf, NULL) != MTAREP_OK || back.count != l.count ||
            back.period_ms != l.period_ms ||
            (back.burst ? back.burst : back.count) != (l.burst ? l.burst : l.count))
            abort();
        if (mtarep__gcra_prepare(&g, &l, msg, sizeof msg) != MTAREP_OK)
            abort();
        if (g.count && (g.T == 0 || g.tau > MTAREP__TAU_MAX || g.tau != g.burst * g.T))
            abort();
    } else if (err.position < 0 || (size_t)err.position > size || !err.text[0]) {
        abort(); /* an error always says where and why */
    }
    free(s);
    return 0;
}
