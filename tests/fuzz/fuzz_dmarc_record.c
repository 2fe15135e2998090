/* libFuzzer: DMARC record text (any octets, NULs included) through the
 * validator, and the first byte splits the input into a TXT set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc/dmarc_int.h"
#include "mtarep.h"

static void check(const mtarep_dmarc_result *res, size_t size)
{
    mtarep_auth_verdict v = mtarep_dmarc_result_verdict(res);
    static const char *const tags[] = {"v", "p", "sp", "np", "rua", "ruf", "fo", "pct"};
    if (v != MTAREP_AUTH_VALID && v != MTAREP_AUTH_WARNING && v != MTAREP_AUTH_INVALID &&
        v != MTAREP_AUTH_NONE)
        abort();
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(res); i++)
        if (!mtarep_dmarc_result_problem_message(res, i) ||
            mtarep_dmarc_result_problem_offset(res, i) > (long)size)
            abort();
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        const char *t = mtarep_dmarc_result_tag(res, tags[i]);
        if (t && strlen(t) > size)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mtarep_dmarc_result *res = NULL;
    char *txt = malloc(size ? size : 1);
    authrec_txt set[2];

    if (!txt)
        return 0;
    memcpy(txt, data, size);
    if (mtarep_dmarc_validate(&res, NULL, txt, size) == MTAREP_OK) {
        check(res, size);
        mtarep_dmarc_result_free(res);
    }
    if (size > 1 && (res = calloc(1, sizeof *res))) {
        size_t cut = 1 + data[0] % (size - 1);
        set[0].p = txt + 1;
        set[0].len = cut - 1;
        set[1].p = txt + cut;
        set[1].len = size - cut;
        if (mtarep__dmarc_check_set(res, set, 2) == MTAREP_OK)
            check(res, size);
        mtarep_dmarc_result_free(res);
    }
    free(txt);
    return 0;
}
