/* libFuzzer: Mailgun bodies (stats totals and Analytics Metrics) through
 * mtarep_provider_parse(), each input as both formats (invariants in
 * provider_check.h), and as an error body whose message is quoted into the
 * context's error text with a registered secret. */
#include "provider_check.h"
#include "provider/provider_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mtarep_ctx *ctx;
    static const long statuses[] = {302, 401, 403, 404, 429, 500};
    struct mtarep__http_resp rs;
    char *body;

    fuzz_provider(MTAREP_PROVIDER_MAILGUN_STATS, data, size);
    fuzz_provider(MTAREP_PROVIDER_MAILGUN_METRICS, data, size);
    if (!ctx) {
        if (mtarep_ctx_new(&ctx, NULL) || mtarep__secrets_push(ctx, "key-fuzz"))
            abort();
    }
    if (!(body = malloc(size + 1)))
        return 0;
    memcpy(body, data, size);
    body[size] = '\0'; /* the HTTP layer NUL-terminates bodies */
    rs.status = statuses[size % 6];
    rs.body = body;
    rs.len = size;
    if (mtarep__http_status_error(ctx, "mailgun", &rs, "bad API key") >= 0 ||
        strstr(mtarep_ctx_errmsg(ctx), "key-fuzz"))
        abort();
    free(body);
    return 0;
}
