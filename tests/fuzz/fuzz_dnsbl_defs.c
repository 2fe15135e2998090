/* libFuzzer target: the DNSBL zone-table parser (docs/dnsbl-zones.md), the
 * answer decoder over whatever it accepted, and the rDNS generic-name
 * heuristic. Input: zone-table text; its first line also serves as
 * "name ip" for mtarep_rdns_name_is_generic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl/dnsbl_int.h"
#include "mtarep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mtarep_dnsbl_table *builtin;
    struct mtarep_dnsbl_table *t = NULL;
    char err[300];

    if (!builtin && mtarep__dnsbl_table_parse(mtarep__dnsbl_builtin_text,
                                              strlen(mtarep__dnsbl_builtin_text), NULL, NULL,
                                              &builtin, err, sizeof err) != MTAREP_OK)
        abort(); /* the built-in table must always parse */

    if (mtarep__dnsbl_table_parse((const char *)data, size, NULL, builtin, &t, err,
                                  sizeof err) == MTAREP_OK) {
        static const uint32_t codes[] = {0x7f000001, 0x7f000002, 0x7f0000ff, 0x7f000455,
                                         0x7fffffff, 0x7f0001ff, 0x0a000001, 0x7f00000e};
        const dnsbl_zone_def *fb = mtarep__dnsbl_table_find(t, "*");
        for (size_t i = 0; i < t->n; i++) {
            dnsbl_verdict v;
            memset(&v, 0, sizeof v);
            mtarep__dnsbl_decode(&t->v[i], fb, codes, sizeof codes / sizeof codes[0], &v);
            mtarep__dnsbl_verdict_free(&v);
            (void)mtarep__dnsbl_table_find(t, t->v[i].zone);
        }
        (void)mtarep__dnsbl_table_find(t, "k.zen.dq.spamhaus.net");
        {
            struct mtarep_dnsbl_table *copy = NULL;
            /* merging into a parsed copy of the built-ins exercises replace + append */
            if (mtarep__dnsbl_table_parse(mtarep__dnsbl_builtin_text,
                                          strlen(mtarep__dnsbl_builtin_text), NULL, NULL, &copy,
                                          err, sizeof err) == MTAREP_OK)
                mtarep__dnsbl_table_merge(copy, t);
            mtarep__dnsbl_table_free(copy);
        }
        mtarep__dnsbl_table_free(t);
    } else if (err[0] == '\0') {
        abort(); /* a failure must say why */
    }

    {
        char line[300], *sp;
        size_t n = 0;
        while (n < size && n < sizeof line - 1 && data[n] != '\n' && data[n] != '\0') {
            line[n] = (char)data[n];
            n++;
        }
        line[n] = '\0';
        sp = strchr(line, ' ');
        if (sp)
            *sp++ = '\0';
        (void)mtarep_rdns_name_is_generic(line, sp);
    }
    return 0;
}
