/* rDNS checks over the network: Knot (zones rdns.test and
 * 100.51.198.in-addr.arpa) and the fault server. Loopback only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"

static const char *env_or(const char *k, const char *def)
{
    const char *v = getenv(k);
    return v && *v ? v : def;
}
#define KNOT env_or("MTAREP_TEST_KNOT", "127.0.0.1:5300")
#define FAULT env_or("MTAREP_TEST_FAULTDNS", "127.0.0.1:5301")

static mtarep_ctx *net_ctx(const char *ns, unsigned timeout_ms)
{
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    o.timeout_ms = timeout_ms;
    o.retries = 0;
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, ns), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

static mtarep_rdns_result *check(mtarep_ctx *ctx, const char *ip, const char *helo)
{
    mtarep_rdns_result *r = NULL;
    int rc = mtarep_rdns_check(&r, ctx, ip, helo);
    cr_assert_eq(rc, MTAREP_OK, "%s: %d %s", ip, rc, mtarep_ctx_errmsg(ctx));
    return r;
}

static int has_warning(const mtarep_rdns_result *r, const char *needle)
{
    for (size_t i = 0; i < mtarep_rdns_result_warning_count(r); i++)
        if (strstr(mtarep_rdns_result_warning(r, i), needle))
            return 1;
    return 0;
}

Test(rdns_net, knot_confirmed_and_helo)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000);
    mtarep_rdns_result *r = check(ctx, "198.51.100.10", "mail.rdns.test");

    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_str_eq(mtarep_rdns_result_ptr(r, 0), "mail.rdns.test");
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_warning_count(r), 0, "%s",
                 mtarep_rdns_result_warning(r, 0));
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.10", "helo-elsewhere.rdns.test");
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    cr_assert(has_warning(r, "does not resolve"));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns_net, knot_cases)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000);
    mtarep_rdns_result *r;

    r = check(ctx, "198.51.100.11", NULL);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_NO);
    cr_assert(has_warning(r, "not forward-confirmed"));
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.12", NULL);
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_NO);
    cr_assert(has_warning(r, "no PTR"));
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.13", NULL);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_generic(r), 1);
    mtarep_rdns_result_free(r);

    /* forward lookup REFUSED (a zone Knot does not serve): unknown */
    r = check(ctx, "198.51.100.14", NULL);
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_UNKNOWN);
    cr_assert_not_null(mtarep_rdns_result_error(r));
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.15", "mail15.rdns.test");
    cr_assert_eq(mtarep_rdns_result_ptr_count(r), 2);
    cr_assert_str_eq(mtarep_rdns_result_confirmed_name(r), "mail15.rdns.test");
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_YES);
    cr_assert(has_warning(r, "2 PTR names"));
    mtarep_rdns_result_free(r);

    /* PTR REFUSED (reverse zone not served): unknown, never "no PTR" */
    r = check(ctx, "233.252.0.1", NULL);
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_UNKNOWN);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_UNKNOWN);
    cr_assert(!has_warning(r, "no PTR"));
    cr_assert_not_null(mtarep_rdns_result_error(r));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns_net, fault_server)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 400);
    mtarep_rdns_result *r;

    /* HELO lookups that fail: unknown with the reason */
    r = check(ctx, "198.51.100.10", "mail.servfail.example");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_UNKNOWN);
    cr_assert_not_null(strstr(mtarep_rdns_result_error(r), "HELO"), "%s",
                       mtarep_rdns_result_error(r));
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.10", "mail.timeout.example");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_UNKNOWN);
    mtarep_rdns_result_free(r);

    r = check(ctx, "198.51.100.10", "mail.garbage.example");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_UNKNOWN);
    mtarep_rdns_result_free(r);

    /* a normal fault-server answer (A 127.0.0.2) is a verdict: NO */
    r = check(ctx, "198.51.100.10", "mail.example");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    /* PTR: NODATA from the fault server, a verdict */
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_NO);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}
