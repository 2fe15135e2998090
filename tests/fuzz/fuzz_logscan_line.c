/* libFuzzer target: both log line parsers (Postfix, Exim) on one input,
 * then the same bytes through the streaming feed in two uneven pieces.
 * Invariants: counts only grow by what was counted, never crash. One
 * scanner is reused across inputs (its tables are bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logscan/logscan_int.h"
#include "mtarep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mtarep_logscan *s;
    if (!s) {
        mtarep_logscan_options o;
        mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
        o.year = 2025;
        o.max_domains = 64;
        o.max_relays = 64;
        o.exclude_relays = "127.0.0.1:10024,localhost";
        if (mtarep_logscan_new(&s, &o) != MTAREP_OK)
            abort();
    }
    mtarep_logscan_stats before, after;
    mtarep_logscan_get_stats(s, &before);
    /* the parsers take exact-length lines, no NUL terminator: copy so that
     * ASan catches any read past the end */
    char *line = malloc(size ? size : 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    mtarep__logscan_postfix_line(s, line, size);
    mtarep__logscan_exim_line(s, line, size);
    free(line);
    size_t cut = size ? data[0] % (size + 1) : 0;
    mtarep_logscan_feed(s, (const char *)data, cut);
    mtarep_logscan_feed(s, (const char *)data + cut, size - cut);
    mtarep_logscan_finish(s);
    mtarep_logscan_get_stats(s, &after);
    if (after.counted < before.counted || after.lines < before.lines)
        abort();
    mtarep_logscan_counts t;
    mtarep_logscan_totals(s, &t);
    for (size_t i = 0; i < mtarep_logscan_domain_count(s); i++)
        if (!mtarep_logscan_domain(s, i, NULL))
            abort();
    return 0;
}
