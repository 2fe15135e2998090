/* Minimal DNSBL check: is an IP (or domain) listed on some blocklists?
 *
 *   dnsbl_check [--zone-file FILE | --nameserver ADDR[:PORT]] QUERY [ZONE...]
 *
 * With no ZONE the library's default set is used. --zone-file answers from
 * an RFC 1035 zone file (offline); without either option the servers of
 * /etc/resolv.conf are asked. Exit: 0 not listed, 1 listed somewhere,
 * 2 usage or input error, 3 some list gave no verdict (and none listed).
 *
 * Build: cc dnsbl_check.c $(pkg-config --cflags --libs mtarep)
 */
#include <mtarep.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    mtarep_ctx *ctx = NULL;
    mtarep_dnsbl_results *res = NULL;
    int i = 1, rc, listed = 0, unknown = 0;

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
    if (i >= argc || argv[i][0] == '-') {
        fprintf(stderr, "usage: %s [--zone-file FILE | --nameserver ADDR[:PORT]] QUERY [ZONE...]\n",
                argv[0]);
        mtarep_ctx_free(ctx);
        return 2;
    }

    /* argv[i] is the query; the rest, if any, the zones (NULL, 0: defaults) */
    rc = mtarep_dnsbl_check(&res, ctx, (const char *const *)&argv[i], 1,
                            argc - i > 1 ? (const char *const *)&argv[i + 1] : NULL,
                            (size_t)(argc - i - 1), NULL);
    if (rc != MTAREP_OK) {
        fprintf(stderr, "%s: %s\n", mtarep_strerror(rc), mtarep_ctx_errmsg(ctx));
        mtarep_ctx_free(ctx);
        return 2;
    }
    for (size_t k = 0; k < mtarep_dnsbl_results_count(res); k++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, k);
        const char *txt = mtarep_dnsbl_result_txt(r);
        switch (mtarep_dnsbl_result_status(r)) {
        case MTAREP_DNSBL_LISTED:
            listed++;
            printf("LISTED      %-22s %s\n", mtarep_dnsbl_result_zone(r), txt ? txt : "");
            break;
        case MTAREP_DNSBL_NOT_LISTED:
            printf("not listed  %s\n", mtarep_dnsbl_result_zone(r));
            break;
        case MTAREP_DNSBL_NOT_APPLICABLE:
            break; /* e.g. a domain list asked about an IP */
        default: /* a timeout or SERVFAIL is "unknown", never "not listed" */
            unknown++;
            printf("unknown     %-22s %s\n", mtarep_dnsbl_result_zone(r),
                   mtarep_dnsbl_result_error(r));
        }
    }
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
    return listed ? 1 : unknown ? 3 : 0;
}
