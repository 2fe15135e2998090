/* libFuzzer target: the warm-up spec language. A plan that parses must
 * format and parse back to the same caps, and its caps must be sane. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[366 * 64];
    char *s = malloc(size + 1);
    mtarep_warmup *w = NULL, *back = NULL;
    mtarep_throttle_error err;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (mtarep_warmup_parse(&w, s, &err) == MTAREP_OK) {
        int n = mtarep_warmup_days(w);
        if (n < 1 || n > 366)
            abort();
        if (mtarep_warmup_format(out, sizeof out, w) != MTAREP_OK ||
            mtarep_warmup_parse(&back, out, NULL) != MTAREP_OK || mtarep_warmup_days(back) != n)
            abort();
        for (int d = 1; d <= n + 1; d++) {
            mtarep_warmup_caps a, b;
            mtarep_limit l[2];
            if (mtarep_warmup_caps_for_day(&a, w, d) != MTAREP_OK ||
                mtarep_warmup_caps_for_day(&b, back, d) != MTAREP_OK)
                abort();
            if (a.daily != b.daily || a.hourly != b.hourly || a.daily < 1 || a.hourly < 1 ||
                a.hourly > a.daily)
                abort();
            mtarep_warmup_limits(l, &a);
            if (l[0].count < 1 || l[0].count > a.daily || l[1].count != a.hourly)
                abort();
        }
        mtarep_warmup_free(back);
        mtarep_warmup_free(w);
    } else if (w || err.position < 0 || (size_t)err.position > size || err.line < 1 ||
               !err.text[0]) {
        abort();
    }
    free(s);
    return 0;
}
