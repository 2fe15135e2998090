/* libFuzzer: Postmaster trafficStats bodies (one object or a list page)
 * through mtarep_provider_parse() (invariants in provider_check.h). */
#include "provider_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_provider(MTAREP_PROVIDER_POSTMASTER_TRAFFIC, data, size);
    return 0;
}
