/* libFuzzer: SNDS bodies (data.aspx and ipStatus.aspx CSV) through
 * mtarep_provider_parse(), each input as both formats (invariants in
 * provider_check.h). */
#include "provider_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_provider(MTAREP_PROVIDER_SNDS_DATA, data, size);
    fuzz_provider(MTAREP_PROVIDER_SNDS_IPSTATUS, data, size);
    return 0;
}
