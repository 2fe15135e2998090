/* Fuzz the mtarep CLI's terminal sanitiser and JSON string helper
 * (tools/mtarep/out.c): any bytes in, never a crash, and what comes out is
 * valid UTF-8 without control characters. The CLI is an executable, so its
 * source is compiled in here directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/mtarep/out.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    char *clean;
    json_t *j;

    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';

    clean = out_clean_dup(in);
    if (clean) {
        const unsigned char *p = (const unsigned char *)clean;
        for (; *p; p++)
            if (*p < 0x20 || *p == 0x7F)
                abort(); /* a control byte reached the terminal */
        j = json_string(clean); /* NULL if the output is not UTF-8 */
        if (!j)
            abort();
        json_decref(j);
        if (out_width(clean) > strlen(clean))
            abort();
        free(clean);
    }
    j = out_jstr(in);
    if (!j)
        abort(); /* invalid UTF-8 must be repaired, not dropped */
    json_decref(j);
    free(in);
    return 0;
}
