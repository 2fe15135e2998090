/* libFuzzer target: the Postfix policy request reader of the
 * examples/c/policy_warmup.c example (it parses what smtpd sends), fed
 * through its own serve() with a memory store. The example is compiled in
 * as is, its main() renamed, so the code fuzzed is the code shipped. */
#define main policy_warmup_main
#include "../../examples/c/policy_warmup.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    FILE *in;

    if (!thr) {
        mtarep_throttle_error err;
        if (mtarep_warmup_preset(&plan, "mtarep") != MTAREP_OK ||
            mtarep_throttle_new(&thr, "memory:", NULL, &err) != MTAREP_OK ||
            !(sink = fopen("/dev/null", "w")))
            abort();
        plan_start = time(NULL);
    }
    if (size == 0 || !(in = fmemopen((void *)data, size, "r")))
        return 0;
    (void)serve(in, sink);
    fclose(in);
    return 0;
}
