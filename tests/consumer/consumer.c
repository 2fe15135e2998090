/* A program built against an INSTALLED libmtarep (pkg-config or CMake
 * find_package): DNSBL check answered from zone text, nothing sent. */
#include <mtarep.h>
#include <stdio.h>
#include <string.h>

static const char zone[] =
    "$ORIGIN bl.consumer.test.\n"
    "$TTL 300\n"
    "@ SOA ns.consumer.test. hostmaster.consumer.test. 1 3600 600 86400 300\n"
    "2.0.0.127 A 127.0.0.2\n"       /* health-check test point */
    "99.2.0.192 A 127.0.0.2\n"
    "99.2.0.192 TXT \"listed for testing\"\n";

int main(void)
{
    mtarep_ctx *ctx = NULL;
    mtarep_dnsbl_results *res = NULL;
    const char *queries[] = { "192.0.2.99", "192.0.2.1" };
    const char *zones[] = { "bl.consumer.test" };
    unsigned int num = 0;
    int rc, failed = 0;

    printf("libmtarep %s (headers %s)\n", mtarep_version(&num), MTAREP_VERSION_STR);
    if (num != MTAREP_VERSION_NUM) {
        fprintf(stderr, "version mismatch: library %06x, headers %06x\n", num,
                (unsigned)MTAREP_VERSION_NUM);
        return 1;
    }
    if ((rc = mtarep_ctx_new(&ctx, NULL)) != MTAREP_OK ||
        (rc = mtarep_ctx_add_zone_text(ctx, zone)) != MTAREP_OK ||
        (rc = mtarep_dnsbl_check(&res, ctx, queries, 2, zones, 1, NULL)) != MTAREP_OK) {
        fprintf(stderr, "error %s: %s\n", mtarep_error_name(rc), mtarep_ctx_errmsg(ctx));
        mtarep_ctx_free(ctx);
        return 1;
    }
    for (size_t i = 0; i < mtarep_dnsbl_results_count(res); i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        const char *q = mtarep_dnsbl_result_query(r);
        mtarep_dnsbl_status st = mtarep_dnsbl_result_status(r);
        mtarep_dnsbl_status want =
            strcmp(q, "192.0.2.99") == 0 ? MTAREP_DNSBL_LISTED : MTAREP_DNSBL_NOT_LISTED;
        printf("%s on %s: status %d (want %d)\n", q, mtarep_dnsbl_result_zone(r), (int)st,
               (int)want);
        if (st != want)
            failed = 1;
    }
    if (mtarep_dnsbl_results_count(res) != 2)
        failed = 1;
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
    puts(failed ? "consumer: FAILED" : "consumer: ok");
    return failed;
}
