/* libFuzzer: Mailgun bodies (stats totals and Analytics Metrics) through
 * mtarep_provider_parse(), each input as both formats (invariants in
 * provider_check.h). */
#include "provider_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_provider(MTAREP_PROVIDER_MAILGUN_STATS, data, size);
    fuzz_provider(MTAREP_PROVIDER_MAILGUN_METRICS, data, size);
    return 0;
}
