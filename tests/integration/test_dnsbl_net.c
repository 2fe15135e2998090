/* DNSBL checks over the network: Knot (MTAREP_TEST_KNOT, zone
 * tests/servers/zones/dnsbl.test.zone) and the fault server
 * (MTAREP_TEST_FAULTDNS, tests/servers/faultdns.py). Loopback only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtarep.h"

static const char *env_or(const char *k, const char *def)
{
    const char *v = getenv(k);
    return v && *v ? v : def;
}
#define KNOT env_or("MTAREP_TEST_KNOT", "127.0.0.1:5300")
#define FAULT env_or("MTAREP_TEST_FAULTDNS", "127.0.0.1:5301")

static const char *DEFS = "zone zen.dnsbl.test\nlike zen.spamhaus.org\nname Test ZEN\n"
                          "zone dbl.dnsbl.test\nlike dbl.spamhaus.org\nname Test DBL\n"
                          "zone uribl.dnsbl.test\nlike multi.uribl.com\nname Test URIBL\n";

static mtarep_ctx *net_ctx(const char *ns, unsigned timeout_ms)
{
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    o.timeout_ms = timeout_ms;
    o.retries = 0;
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, ns), MTAREP_OK, "%s: %s", ns,
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx, DEFS), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

static mtarep_dnsbl_results *run_check(mtarep_ctx *ctx, const char *const *q, size_t nq,
                                       const char *const *z, size_t nz,
                                       const mtarep_dnsbl_options *o)
{
    mtarep_dnsbl_results *res = NULL;
    int rc = mtarep_dnsbl_check(&res, ctx, q, nq, z, nz, o);
    cr_assert_eq(rc, MTAREP_OK, "check: %d %s", rc, mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_dnsbl_results_count(res), nq * nz);
    return res;
}

static int has_meaning(const mtarep_dnsbl_result *r, const char *m)
{
    for (size_t i = 0; i < mtarep_dnsbl_result_meaning_count(r); i++)
        if (strcmp(mtarep_dnsbl_result_meaning(r, i), m) == 0)
            return 1;
    return 0;
}

static const char *st(mtarep_dnsbl_status s)
{
    static const char *n[] = {"NOT_LISTED", "LISTED", "ERROR", "NOT_APPLICABLE"};
    return (unsigned)s < 4 ? n[s] : "?";
}

#define ASSERT_STATUS(r, want)                                                             \
    cr_assert_eq(mtarep_dnsbl_result_status(r), want, "%s in %s: %s, want %s (error: %s)", \
                 mtarep_dnsbl_result_query(r), mtarep_dnsbl_result_zone(r),                 \
                 st(mtarep_dnsbl_result_status(r)), st(want),                               \
                 mtarep_dnsbl_result_error(r) ? mtarep_dnsbl_result_error(r) : "-")

Test(dnsbl_net, knot_listed_not_listed_txt)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000);
    const char *q[] = {"192.0.2.99", "192.0.2.1", "192.0.2.10", "192.0.2.254", "2001:db8::1",
                       "spammer.example", "clean.example", "grey.example"};
    const char *z[] = {"zen.dnsbl.test", "dbl.dnsbl.test", "uribl.dnsbl.test"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 8, z, 3, NULL);
    const mtarep_dnsbl_result *r;

    r = mtarep_dnsbl_results_get(res, 0);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "SBL") && has_meaning(r, "XBL"));
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "Test ZEN");
    cr_assert_str_eq(mtarep_dnsbl_result_txt(r),
                     "Listed in SBL and XBL, see https://example.invalid/192.0.2.99");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 3), MTAREP_DNSBL_NOT_LISTED);
    cr_assert_null(mtarep_dnsbl_result_txt(mtarep_dnsbl_results_get(res, 3)));
    r = mtarep_dnsbl_results_get(res, 6);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "PBL"));
    r = mtarep_dnsbl_results_get(res, 9);
    ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
    cr_assert_eq(mtarep_dnsbl_result_error_code(r), MTAREP_EBLOCKED);
    r = mtarep_dnsbl_results_get(res, 12);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "CSS"), "IPv6 nibble name answered");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 13), MTAREP_DNSBL_NOT_APPLICABLE);
    r = mtarep_dnsbl_results_get(res, 16);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "spam"));
    cr_assert_str_eq(mtarep_dnsbl_result_txt(r), "spam domain (test)");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 17), MTAREP_DNSBL_NOT_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 19), MTAREP_DNSBL_NOT_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 20), MTAREP_DNSBL_NOT_LISTED);
    r = mtarep_dnsbl_results_get(res, 23);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "grey"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl_net, knot_dead_zone_fails_health_check)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000);
    const char *q[] = {"192.0.2.99", "192.0.2.1"};
    const char *z[] = {"dead.dnsbl.test", "bl2.dnsbl.test"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 2, z, 2, NULL);

    for (size_t i = 0; i < 4; i += 2) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
        cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), "health check"));
    }
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 1), MTAREP_DNSBL_NOT_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 3), MTAREP_DNSBL_NOT_LISTED);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

static void count_progress(size_t done, size_t total, void *p)
{
    size_t *c = p;
    c[0]++;
    c[1] = done;
    c[2] = total;
}

/* 40 addresses x 9 zones (+ probes) in one call, answers checked one by one. */
Test(dnsbl_net, many_addresses_many_zones)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000);
    char ips[40][32];
    const char *q[40];
    const char *z[] = {"bl2.dnsbl.test", "bl3.dnsbl.test", "bl4.dnsbl.test", "bl5.dnsbl.test",
                       "bl6.dnsbl.test", "bl7.dnsbl.test", "bl8.dnsbl.test", "bl9.dnsbl.test",
                       "zen.dnsbl.test"};
    size_t prog[3] = {0, 0, 0};
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    mtarep_dnsbl_results *res;
    struct timespec t0, t1;
    double ms;

    for (int i = 0; i < 40; i++) {
        snprintf(ips[i], sizeof ips[i], "192.0.2.%d", i + 1);
        q[i] = ips[i];
    }
    o.progress = count_progress;
    o.progress_payload = prog;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    res = run_check(ctx, q, 40, z, 9, &o);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    cr_log_info("360 pairs in %.1f ms", ms);
    cr_assert_eq(prog[0], 360);
    cr_assert_eq(prog[1], 360);
    cr_assert_eq(prog[2], 360);
    for (int n = 1; n <= 40; n++)
        for (int k = 2; k <= 9; k++) {
            const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, (size_t)(n - 1) * 9 + (size_t)(k - 2));
            char code[16], txt[16];
            if (n % k) {
                ASSERT_STATUS(r, MTAREP_DNSBL_NOT_LISTED);
                continue;
            }
            ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
            snprintf(code, sizeof code, "127.0.0.%d", k);
            snprintf(txt, sizeof txt, "bl%d %d", k, n);
            cr_assert_str_eq(mtarep_dnsbl_result_code(r, 0), code);
            cr_assert(has_meaning(r, code), "generic meaning = the code");
            cr_assert_str_eq(mtarep_dnsbl_result_txt(r), txt);
        }
    /* all in flight together: far below 360 sequential round trips */
    cr_assert_lt(ms, 5000.0, "took %.1f ms", ms);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- the fault server: no verdict is ever NOT_LISTED */

typedef struct fault_case {
    const char *zone;
    int code_hc_off; /* error code without health check; 0 = a verdict */
    mtarep_dnsbl_status status_hc_off;
} fault_case;

Test(dnsbl_net, fault_server_errors)
{
    static const fault_case cases[] = {
        {"servfail.fault.test", MTAREP_ETEMPFAIL, MTAREP_DNSBL_ERROR},
        {"refused.fault.test", MTAREP_ETEMPFAIL, MTAREP_DNSBL_ERROR},
        {"timeout.fault.test", MTAREP_ETIMEOUT, MTAREP_DNSBL_ERROR},
        {"garbage.fault.test", MTAREP_EPARSE, MTAREP_DNSBL_ERROR},
        {"wrongid.fault.test", MTAREP_ETIMEOUT, MTAREP_DNSBL_ERROR},
        {"wrongq.fault.test", MTAREP_ETIMEOUT, MTAREP_DNSBL_ERROR},
        /* verdicts, but the health check sees through them */
        {"nxdomain.fault.test", 0, MTAREP_DNSBL_NOT_LISTED},
        {"ok.fault.test", 0, MTAREP_DNSBL_LISTED},
    };
    const size_t nc = sizeof cases / sizeof cases[0];
    mtarep_ctx *ctx = net_ctx(FAULT, 400);
    const char *q[] = {"192.0.2.99", "192.0.2.1", "example.com"};
    const char *z[sizeof cases / sizeof cases[0]];
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    mtarep_dnsbl_results *res;

    for (size_t i = 0; i < nc; i++)
        z[i] = cases[i].zone;
    /* with the health check: every pair is an ERROR */
    res = run_check(ctx, q, 3, z, nc, NULL);
    for (size_t i = 0; i < 3 * nc; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
        cr_assert_neq(mtarep_dnsbl_result_error_code(r), 0);
        cr_assert_not_null(mtarep_dnsbl_result_error(r));
    }
    mtarep_dnsbl_results_free(res);

    /* without it: the engine's verdict or error, never NOT_LISTED on failure */
    o.health_check = 0;
    res = run_check(ctx, q, 3, z, nc, &o);
    for (size_t i = 0; i < 3 * nc; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        const fault_case *c = &cases[i % nc];
        ASSERT_STATUS(r, c->status_hc_off);
        cr_assert_eq(mtarep_dnsbl_result_error_code(r), c->code_hc_off, "%s: code %d (%s)",
                     c->zone, mtarep_dnsbl_result_error_code(r),
                     mtarep_dnsbl_result_error(r) ? mtarep_dnsbl_result_error(r) : "-");
    }
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl_net, fault_server_txt_failure_keeps_listing)
{
    /* "truncated": UDP TC, then the full answer (A 127.0.0.2 + big TXT) over TCP */
    mtarep_ctx *ctx = net_ctx(FAULT, 1000);
    const char *q[] = {"192.0.2.99"};
    const char *z[] = {"truncated.fault.test", "slow.fault.test"};
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    mtarep_dnsbl_results *res;

    o.health_check = 0;
    res = run_check(ctx, q, 1, z, 2, &o);
    for (size_t i = 0; i < 2; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
        cr_assert_not_null(mtarep_dnsbl_result_txt(r), "TXT for %s", z[i]);
    }
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}
