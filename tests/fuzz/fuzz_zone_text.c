/* libFuzzer: zone text through mtarep_ctx_add_zone_text (ldns's parser and
 * our in-memory store), then look-ups: exact names, CNAME chains,
 * wildcards, empty non-terminals. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/engine.h"
#include "mtarep.h"

static void count_cb(const mtarep_dns_answer *a, void *arg)
{
    if (a->status == MTAREP_OK && !a->rrs)
        abort();
    (*(int *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *names[] = {"x", "a.x", "b.a.x", "www.example.com", "example.com",
                                  "test", "z.y.x.w", "1.0.0.127.zen.test"};
    static const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_CNAME,
                                         LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_MX};
    mtarep_ctx *ctx = NULL;
    mtarep_dns_result *res = NULL;
    char *text;
    int calls = 0, want = 0;

    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (mtarep_ctx_new(&ctx, NULL) != MTAREP_OK) {
        free(text);
        return 0;
    }
    /* A known-good zone first: a failing text must leave it answering. */
    if (mtarep_ctx_add_zone_text(ctx, "keep.test. 60 A 192.0.2.1\n") != MTAREP_OK)
        abort();
    mtarep_ctx_add_zone_text(ctx, text);
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            if (mtarep__dns_submit(ctx, names[n], types[t], count_cb, &calls) == MTAREP_OK)
                want++;
    mtarep__dns_run(ctx);
    if (calls != want)
        abort(); /* every callback exactly once */
    if (mtarep_dns_lookup(&res, ctx, "keep.test", "A") != MTAREP_OK ||
        mtarep_dns_result_count(res) < 1)
        abort();
    mtarep_dns_result_free(res);
    if (mtarep_dns_lookup(&res, ctx, "a.x", "ANY") == MTAREP_OK)
        mtarep_dns_result_free(res);
    mtarep_ctx_free(ctx);
    free(text);
    return 0;
}
