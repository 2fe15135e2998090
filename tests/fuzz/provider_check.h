/* Shared by the provider fuzz targets: parse @p data as @p fmt from an
 * exact-size copy (ASan sees any over-read) and check the result's
 * invariants; abort() on a violation. */
#ifndef MTAREP_FUZZ_PROVIDER_CHECK_H
#define MTAREP_FUZZ_PROVIDER_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mtarep.h"

static void fuzz_provider_period(const mtarep_provider_period *p)
{
    double b = mtarep_provider_period_bounce_rate(p), c = mtarep_provider_period_complaint_rate(p);
    mtarep_reputation r = mtarep_provider_period_reputation(p);
    if (!p || b > 1.0 || c > 1.0 || b != b || c != c || mtarep_provider_period_volume(p) < -1)
        abort();
    if (r < MTAREP_REP_UNKNOWN || r > MTAREP_REP_HIGH)
        abort();
}

static void fuzz_provider(mtarep_provider_format fmt, const uint8_t *data, size_t size)
{
    mtarep_provider_result *r = NULL;
    char *body = malloc(size ? size : 1), *js;
    long pos = 0;
    json_t *j;

    if (!body)
        return;
    memcpy(body, data, size);
    if (mtarep_provider_parse(&r, NULL, fmt, body, size, &pos) != MTAREP_OK) {
        if (r || pos > (long)size)
            abort();
        free(body);
        return;
    }
    if (pos != -1)
        abort();
    fuzz_provider_period(mtarep_provider_result_overall(r));
    for (size_t i = 0; i < mtarep_provider_result_period_count(r); i++)
        fuzz_provider_period(mtarep_provider_result_period(r, i));
    for (size_t i = 0; i < mtarep_provider_result_blocked_count(r); i++)
        if (!mtarep_provider_result_blocked_first(r, i) || !mtarep_provider_result_blocked_reason(r, i))
            abort();
    /* the JSON form must be valid JSON (or NULL only when out of memory) */
    js = mtarep_provider_result_json(r);
    if (js) {
        if (!(j = json_loads(js, 0, NULL)))
            abort();
        json_decref(j);
        free(js);
    }
    mtarep_provider_result_free(r);
    free(body);
}

#endif
