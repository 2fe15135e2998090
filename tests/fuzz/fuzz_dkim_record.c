/* libFuzzer: DKIM key record text (any octets, NULs included) through the
 * tag-list parser and the validator (base64 + OpenSSL key decoding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authrec/authrec_int.h"
#include "mtarep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    authrec_tags *tags = malloc(sizeof *tags);
    mtarep_dkim_result *res = NULL;
    char err[200];
    size_t pos = 0;
    /* copy so nothing can rely on a terminator past size */
    char *txt = malloc(size ? size : 1);

    if (!txt || !tags) {
        free(txt);
        free(tags);
        return 0;
    }
    memcpy(txt, data, size);
    if (mtarep__taglist_parse(tags, txt, size, 0, err, sizeof err, &pos) == MTAREP_OK) {
        for (size_t i = 0; i < tags->n; i++)
            if (tags->t[i].vpos + tags->t[i].vlen > size || tags->t[i].nlen == 0)
                abort();
    } else if (pos > size) {
        abort(); /* the error position must lie inside the input */
    }
    if (mtarep_dkim_validate(&res, NULL, txt, size) == MTAREP_OK) {
        mtarep_auth_verdict v = mtarep_dkim_result_verdict(res);
        if (v != MTAREP_AUTH_VALID && v != MTAREP_AUTH_WARNING && v != MTAREP_AUTH_INVALID)
            abort();
        for (size_t i = 0; i < mtarep_dkim_result_problem_count(res); i++)
            if (!mtarep_dkim_result_problem_message(res, i) ||
                mtarep_dkim_result_problem_offset(res, i) > (long)size)
                abort();
        mtarep_dkim_result_free(res);
    }
    free(tags);
    free(txt);
    return 0;
}
