/* libFuzzer: Postmaster bodies through mtarep_provider_parse(), each input
 * as v1 trafficStats (one object or a list page) and as a v2
 * domainStats:query answer (invariants in provider_check.h). */
#include "provider_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_provider(MTAREP_PROVIDER_POSTMASTER_TRAFFIC, data, size);
    fuzz_provider(MTAREP_PROVIDER_POSTMASTER_V2, data, size);
    return 0;
}
