/* SPF check: may IP send mail for SENDER (RFC 7208 check_host())?
 *
 *   spf_check [--zone-file FILE | --nameserver ADDR[:PORT]] IP SENDER [HELO]
 *
 * SENDER is the envelope sender (MAIL FROM); "" checks the HELO identity.
 * Exit: 0 pass, 1 fail/softfail/neutral/none/permerror, 2 usage or input
 * error, 3 temperror (DNS failed: no verdict, never "pass").
 *
 * Build: cc spf_check.c $(pkg-config --cflags --libs mtarep)
 */
#include <mtarep.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    mtarep_ctx *ctx = NULL;
    mtarep_spf_result *res = NULL;
    int i = 1, rc;

    if (mtarep_ctx_new(&ctx, NULL) != MTAREP_OK)
        return 2;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--zone-file") == 0)
            rc = mtarep_ctx_add_zone_file(ctx, argv[i + 1]);
        else if (strcmp(argv[i], "--nameserver") == 0)
            rc = mtarep_ctx_add_nameserver(ctx, argv[i + 1]);
        else
            break;
        if (rc != MTAREP_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], mtarep_ctx_errmsg(ctx));
            mtarep_ctx_free(ctx);
            return 2;
        }
    }
    if (argc - i < 2 || argc - i > 3) {
        fprintf(stderr, "usage: %s [--zone-file FILE | --nameserver ADDR[:PORT]] IP SENDER [HELO]\n",
                argv[0]);
        mtarep_ctx_free(ctx);
        return 2;
    }
    rc = mtarep_spf_check(&res, ctx, argv[i], argv[i + 1], argc - i == 3 ? argv[i + 2] : NULL, NULL);
    if (rc != MTAREP_OK) {
        fprintf(stderr, "%s: %s\n", mtarep_strerror(rc), mtarep_ctx_errmsg(ctx));
        mtarep_ctx_free(ctx);
        return 2;
    }
    mtarep_spf_verdict v = mtarep_spf_result_verdict(res);
    const char *expl = mtarep_spf_result_explanation(res);
    printf("spf=%s lookups=%u%s%s\n", mtarep_spf_verdict_name(v), mtarep_spf_result_lookups(res),
           expl ? " explanation=" : "", expl ? expl : "");
    mtarep_spf_result_free(res);
    mtarep_ctx_free(ctx);
    return v == MTAREP_SPF_PASS ? 0 : v == MTAREP_SPF_TEMPERROR ? 3 : 1;
}
