/* libFuzzer target: the SMTP reply classifier. Every input gives a valid
 * category, a non-NULL advice and NUL-terminated inline fields, through
 * both the public (NUL-terminated) and the internal (length) entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "smtpreply/smtpreply_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mtarep_smtpreply_info *i)
{
    if ((int)i->category < 0 || (int)i->category >= MTAREP_SMTPREPLY_NCATEGORIES || !i->advice ||
        !i->rule || memchr(i->enhanced, '\0', sizeof i->enhanced) == NULL ||
        memchr(i->blocklist, '\0', sizeof i->blocklist) == NULL || i->code < 0 || i->code > 599)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mtarep_smtpreply_info info;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int rc = mtarep_smtpreply_classify(&info, s);
    if (rc == MTAREP_OK)
        check(&info);
    else if (rc != MTAREP_EINVAL && rc != MTAREP_ELIMIT)
        abort();
    /* internal entry: exact length, first bytes as a dsn */
    char *t = malloc(size ? size : 1);
    if (t) {
        memcpy(t, data, size);
        size_t dl = size < 8 ? size : 8;
        mtarep__smtpreply_classify_n(&info, t, size, t, dl);
        check(&info);
        free(t);
    }
    free(s);
    return 0;
}
