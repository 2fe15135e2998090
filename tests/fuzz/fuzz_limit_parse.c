/* libFuzzer target: the limit syntax ("N/PERIOD[:B]", "N/PERIOD window").
 * Whatever parses must format, parse back to the same limit, and give sane
 * GCRA values; a window must admit N at once on a fresh key, then refuse
 * with a retry within one period plus one sub-window. */
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
            back.period_ms != l.period_ms || back.kind != l.kind ||
            (back.burst ? back.burst : back.count) != (l.burst ? l.burst : l.count))
            abort();
        if (mtarep__gcra_prepare(&g, &l, msg, sizeof msg) != MTAREP_OK)
            abort();
        if (!g.window && g.count &&
            (g.T == 0 || g.tau > MTAREP__TAU_MAX || g.tau != g.burst * g.T))
            abort();
        if (g.window) {
            const uint64_t now = 1700000000123457ULL;
            mtarep__lstate st, view, next, view2, next2;
            mtarep_throttle_decision d;
            unsigned reb;
            if (g.w == 0 || g.w * MTAREP__WIN_SUBS < g.period_us)
                abort();
            memset(&st, 0, sizeof st);
            if (g.count) {
                if (!mtarep__limits_decide(now, &g, 1, g.count, &st, &view, &next, &reb))
                    abort(); /* N at once on a fresh key */
                if (mtarep__limits_decide(now + 1, &g, 1, 1, &next, &view2, &next2, &reb))
                    abort(); /* and not one more */
                mtarep__gcra_fill(&d, now + 1, &g, 1, 1, &view2, 0, 1);
                if (d.retry_after_ms <= 0 ||
                    (uint64_t)d.retry_after_ms > (g.period_us + g.w + 999) / 1000)
                    abort();
            } else if (mtarep__limits_decide(now, &g, 1, 1, &st, &view, &next, &reb)) {
                abort();
            }
        }
    } else if (err.position < 0 || (size_t)err.position > size || !err.text[0]) {
        abort(); /* an error always says where and why */
    }
    free(s);
    return 0;
}
