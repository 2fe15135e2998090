/* Precheck benchmark: the demo's checks against one nameserver (run.sh puts
 * tests/servers/delaydns.py with a 50 ms delay in front of Knot serving the
 * demo zone), three ways:
 *   precheck    mtarep_precheck(): every question of every check in one
 *               engine run (the library's way)
 *   modules     the public blocking calls one module after another (what
 *               `mtarep check` did before the precheck)
 *   serial      mtarep_precheck() with max_inflight = 1: the same checks,
 *               one question at a time
 * With PROVIDER_BASE (and CA_FILE), two more: the precheck with all three
 * providers (SNDS, Postmaster, Mailgun: their requests beside the DNS
 * questions), and the precheck followed by the three blocking provider
 * calls one after the other (what the precheck did before).
 * Each: a fresh context per run (cold cache), median of RUNS.
 *   bench_precheck NAMESERVER [RUNS [PROVIDER_BASE CA_FILE]]              */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mtarep.h>

static const char *IP = "77.245.64.44", *DOMAIN = "example.com", *HELO = "mail.example.com";
static const char *const SELECTORS[] = {"mail", "s2048"};
/* the test server's credentials (tests/servers/httpsd.py) */
static const char *MG_KEY = "key-test-0123456789abcdef",
                  *SNDS_KEY = "0a1b2c3d-1111-2222-3333-444455556666",
                  *G_TOKEN = "ya29.test-token-0123456789";
static const char *prov_base, *prov_ca;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static mtarep_ctx *new_ctx(const char *ns, unsigned inflight)
{
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    mtarep_ctx *ctx = NULL;
    o.max_inflight = inflight;
    if (mtarep_ctx_new(&ctx, &o) || mtarep_ctx_add_nameserver(ctx, ns)) {
        fprintf(stderr, "bench_precheck: cannot set up a context for %s\n", ns);
        exit(2);
    }
    return ctx;
}

/* returns the number of checks, exits on error; providers: also ask them */
static size_t run_precheck(const char *ns, unsigned inflight, int *verdict, int providers)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    mtarep_ctx *ctx = new_ctx(ns, inflight);
    const char *ips[1] = {IP};
    size_t n;
    o.selectors = SELECTORS;
    o.selector_count = 2;
    if (providers) {
        o.mailgun_key = MG_KEY;
        o.snds_key = SNDS_KEY;
        o.postmaster_token = G_TOKEN;
        o.provider_base_url = prov_base;
        o.provider_ca_file = prov_ca;
    }
    if (mtarep_precheck(&r, ctx, ips, 1, DOMAIN, HELO, &o)) {
        fprintf(stderr, "bench_precheck: %s\n", mtarep_ctx_errmsg(ctx));
        exit(2);
    }
    n = mtarep_precheck_report_count(r);
    *verdict = mtarep_precheck_report_verdict(r);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
    return n;
}

static void run_modules(const char *ns)
{
    mtarep_ctx *ctx = new_ctx(ns, 256);
    const char *q[2] = {IP, DOMAIN};
    mtarep_rdns_result *rr = NULL;
    mtarep_dnsbl_results *br = NULL;
    mtarep_spf_result *sr = NULL, *tr = NULL;
    mtarep_dkim_discovery *kr = NULL;
    mtarep_dmarc_result *mr = NULL;
    mtarep_dns_result *xr = NULL;
    mtarep_dkim_options ko = MTAREP_DKIM_OPTIONS_INIT;
    ko.selectors = SELECTORS;
    ko.selector_count = 2;
    if (mtarep_rdns_check(&rr, ctx, IP, HELO) || mtarep_dnsbl_check(&br, ctx, q, 2, NULL, 0, NULL) ||
        mtarep_spf_check(&sr, ctx, IP, "postmaster@example.com", HELO, NULL) ||
        mtarep_spf_inspect(&tr, ctx, DOMAIN, NULL) || mtarep_dkim_discover(&kr, ctx, DOMAIN, &ko) ||
        mtarep_dmarc_fetch(&mr, ctx, DOMAIN, NULL) ||
        mtarep_dns_lookup(&xr, ctx, DOMAIN, "MX")) {
        fprintf(stderr, "bench_precheck: %s\n", mtarep_ctx_errmsg(ctx));
        exit(2);
    }
    mtarep_rdns_result_free(rr);
    mtarep_dnsbl_results_free(br);
    mtarep_spf_result_free(sr);
    mtarep_spf_result_free(tr);
    mtarep_dkim_discovery_free(kr);
    mtarep_dmarc_result_free(mr);
    mtarep_dns_result_free(xr);
    mtarep_ctx_free(ctx);
}

/* The three blocking provider calls, one after the other. */
static void run_providers(void)
{
    mtarep_provider_options o = MTAREP_PROVIDER_OPTIONS_INIT;
    mtarep_provider_result *a = NULL, *b = NULL, *c = NULL;
    mtarep_ctx *ctx = NULL;
    o.base_url = prov_base;
    o.ca_file = prov_ca;
    if (mtarep_ctx_new(&ctx, NULL) || mtarep_provider_snds(&a, ctx, SNDS_KEY, &o) ||
        mtarep_provider_postmaster(&b, ctx, DOMAIN, G_TOKEN, &o) ||
        mtarep_provider_mailgun(&c, ctx, DOMAIN, MG_KEY, &o)) {
        fprintf(stderr, "bench_precheck: providers: %s\n", mtarep_ctx_errmsg(ctx));
        exit(2);
    }
    mtarep_provider_result_free(a);
    mtarep_provider_result_free(b);
    mtarep_provider_result_free(c);
    mtarep_ctx_free(ctx);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[2]) : 5, verdict = 0;
    double t[5][64];
    size_t checks = 0;
    if (argc < 2 || runs < 1 || runs > 64 || argc == 4 || argc > 5) {
        fprintf(stderr, "usage: bench_precheck NAMESERVER [RUNS 1..64 [PROVIDER_BASE CA_FILE]]\n");
        return 2;
    }
    if (argc == 5) {
        prov_base = argv[3];
        prov_ca = argv[4];
    }
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        checks = run_precheck(argv[1], 256, &verdict, 0);
        t[0][i] = now() - t0;
        t0 = now();
        run_modules(argv[1]);
        t[1][i] = now() - t0;
        t0 = now();
        run_precheck(argv[1], 1, &verdict, 0);
        t[2][i] = now() - t0;
        if (!prov_base)
            continue;
        t0 = now();
        run_precheck(argv[1], 256, &verdict, 1);
        t[3][i] = now() - t0;
        t0 = now();
        run_precheck(argv[1], 256, &verdict, 0);
        run_providers();
        t[4][i] = now() - t0;
    }
    double p = median(t[0], runs), m = median(t[1], runs), s = median(t[2], runs);
    printf("demo precheck: %zu checks, verdict %s, median of %d runs\n", checks,
           mtarep_precheck_status_name((mtarep_precheck_status)verdict), runs);
    printf("  precheck (all questions in one run)   %8.1f ms\n", p * 1e3);
    printf("  module after module (blocking calls)  %8.1f ms  (%.1fx)\n", m * 1e3, m / p);
    printf("  one question at a time                %8.1f ms  (%.1fx)\n", s * 1e3, s / p);
    if (prov_base) {
        double b = median(t[3], runs), a = median(t[4], runs);
        printf("with SNDS, Postmaster and Mailgun at %s:\n", prov_base);
        printf("  precheck, providers beside the DNS    %8.1f ms\n", b * 1e3);
        printf("  precheck, then the providers in turn  %8.1f ms  (%.1fx)\n", a * 1e3, a / b);
    }
    return 0;
}
