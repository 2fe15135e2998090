/* libFuzzer: SPF record text (with NULs, any octets) through the parser and
 * the text validator (parser + record warnings). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "spf/spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spf_record r;
    char err[200];
    size_t pos = 0;
    mtarep_spf_result *res = NULL;
    /* copy so the parser cannot rely on a terminator past size */
    char *txt = malloc(size ? size : 1);

    if (!txt)
        return 0;
    memcpy(txt, data, size);
    if (mtarep__spf_parse(&r, txt, size, err, sizeof err, &pos) == MTAREP_OK) {
        if (r.n > size)
            abort();
        mtarep__spf_record_free(&r);
    } else if (pos > size) {
        abort(); /* the error position must lie inside the input */
    }
    if (mtarep_spf_validate(&res, NULL, txt, size) == MTAREP_OK) {
        for (size_t i = 0; i < mtarep_spf_result_warning_count(res); i++)
            if (!mtarep_spf_result_warning(res, i))
                abort();
        mtarep_spf_result_free(res);
    }
    free(txt);
    return 0;
}
