/* DNSBL sweep benchmark: every address in a file against every zone given,
 * through mtarep_dnsbl_check() and one nameserver, timed wall-clock.
 * One A query per (address, zone) pair: health_check and fetch_txt off, and
 * the cache off (every query is distinct anyway). bench/dnsbl/run.sh drives
 * it against a private Knot and compares with dnsperf on the same queries.
 *
 * usage: bench_dnsbl SERVER ADDRFILE ZONES [REPEAT [EXPECT_LISTED [INFLIGHT]]]
 *   SERVER "127.0.0.1:PORT"; ZONES comma separated; REPEAT sweeps (default
 *   1); EXPECT_LISTED: exit 1 unless each sweep finds exactly that many (-1:
 *   don't check); INFLIGHT: the context's max_inflight (default 256). */
#define _POSIX_C_SOURCE 200809L
#include <mtarep.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t split(char *s, const char *sep, char ***out)
{
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v), *save = NULL;
    for (char *t = strtok_r(s, sep, &save); t && v; t = strtok_r(NULL, sep, &save)) {
        if (n == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[n++] = t;
    }
    if (!v) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    *out = v;
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "%s: read failed\n", path);
        exit(2);
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s SERVER ADDRFILE ZONES [REPEAT [EXPECT_LISTED [INFLIGHT]]]\n", argv[0]);
        return 2;
    }
    char *addrbuf = slurp(argv[2]), *zonebuf = strdup(argv[3]);
    char **addrs, **zones;
    size_t naddrs = split(addrbuf, "\r\n", &addrs), nzones = split(zonebuf, ",", &zones);
    int repeat = argc > 4 ? atoi(argv[4]) : 1;
    long expect = argc > 5 ? atol(argv[5]) : -1;
    int inflight = argc > 6 ? atoi(argv[6]) : 0;
    if (repeat < 1)
        repeat = 1;

    mtarep_ctx_options copts = MTAREP_CTX_OPTIONS_INIT;
    copts.use_cache = 0;
    copts.timeout_ms = 2000;
    copts.retries = 1;
    if (inflight > 0)
        copts.max_inflight = (unsigned int)inflight;
    mtarep_dnsbl_options dopts = MTAREP_DNSBL_OPTIONS_INIT;
    dopts.health_check = 0;
    dopts.fetch_txt = 0;

    double total = 0;
    int rc = 0;
    for (int r = 0; r < repeat; r++) {
        mtarep_ctx *ctx = NULL;
        mtarep_dnsbl_results *res = NULL;
        int st = mtarep_ctx_new(&ctx, &copts);
        if (st == MTAREP_OK)
            st = mtarep_ctx_add_nameserver(ctx, argv[1]);
        double t0 = now();
        if (st == MTAREP_OK)
            st = mtarep_dnsbl_check(&res, ctx, (const char *const *)addrs, naddrs,
                                    (const char *const *)zones, nzones, &dopts);
        double dt = now() - t0;
        if (st != MTAREP_OK) {
            fprintf(stderr, "error %s: %s\n", mtarep_error_name(st), mtarep_ctx_errmsg(ctx));
            mtarep_ctx_free(ctx);
            return 2;
        }
        size_t n = mtarep_dnsbl_results_count(res), count[4] = { 0, 0, 0, 0 };
        for (size_t i = 0; i < n; i++) {
            int s = (int)mtarep_dnsbl_result_status(mtarep_dnsbl_results_get(res, i));
            if (s >= 0 && s < 4)
                count[s]++;
        }
        total += dt;
        printf("sweep %d: %zu queries in %.3f s = %.0f queries/s (listed %zu, not listed %zu, "
               "error %zu)\n", r + 1, n, dt, (double)n / dt, count[MTAREP_DNSBL_LISTED],
               count[MTAREP_DNSBL_NOT_LISTED], count[MTAREP_DNSBL_ERROR]);
        if (count[MTAREP_DNSBL_ERROR] ||
            (expect >= 0 && (long)count[MTAREP_DNSBL_LISTED] != expect))
            rc = 1;
        mtarep_dnsbl_results_free(res);
        mtarep_ctx_free(ctx);
    }
    double nq = (double)naddrs * (double)nzones * repeat;
    printf("library: %.0f queries in %.3f s = %.0f queries/s\n", nq, total, nq / total);
    if (rc)
        fprintf(stderr, "unexpected results (errors, or listed count != %ld)\n", expect);
    free(addrs);
    free(zones);
    free(addrbuf);
    free(zonebuf);
    return rc;
}
