/* rDNS checks: PTR, FCrDNS, HELO comparison and generic names, against the
 * static-zone resolver and a fake plugged-in resolver that fails some
 * questions. */
#include <criterion/criterion.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"

static const char *ZONE =
    "$TTL 300\n"
    "; confirmed, with an IPv6 address too\n"
    "44.64.245.77.in-addr.arpa. PTR mail.example.net.\n"
    "mail.example.net. A 77.245.64.44\n"
    "mail.example.net. AAAA 2001:db8::25\n"
    "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR mail.example.net.\n"
    "; PTR whose name points elsewhere\n"
    "45.64.245.77.in-addr.arpa. PTR host.example.net.\n"
    "host.example.net. A 192.0.2.1\n"
    "; generic-looking but confirmed\n"
    "47.64.245.77.in-addr.arpa. PTR 77-245-64-47.static.example-hosting.net.\n"
    "77-245-64-47.static.example-hosting.net. A 77.245.64.47\n"
    "; two PTR names, the second (upper case) confirms\n"
    "48.64.245.77.in-addr.arpa. PTR a.example.net.\n"
    "48.64.245.77.in-addr.arpa. PTR MX.Example.NET.\n"
    "a.example.net. A 192.0.2.9\n"
    "mx.example.net. A 77.245.64.48\n"
    "; forward through a CNAME\n"
    "49.64.245.77.in-addr.arpa. PTR alias.example.net.\n"
    "alias.example.net. CNAME real.example.net.\n"
    "real.example.net. A 77.245.64.49\n"
    "; PTR name that does not exist\n"
    "50.64.245.77.in-addr.arpa. PTR gone.example.net.\n"
    "; HELO names\n"
    "other.example.org. A 192.0.2.200\n"
    "helo-ok.example.org. A 77.245.64.44\n";

static mtarep_ctx *mkctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

static mtarep_rdns_result *check(mtarep_ctx *ctx, const char *ip, const char *helo)
{
    mtarep_rdns_result *r = NULL;
    int rc = mtarep_rdns_check(&r, ctx, ip, helo);
    cr_assert_eq(rc, MTAREP_OK, "%s: %d %s", ip, rc, mtarep_ctx_errmsg(ctx));
    cr_assert_not_null(r);
    return r;
}

static int has_warning(const mtarep_rdns_result *r, const char *needle)
{
    for (size_t i = 0; i < mtarep_rdns_result_warning_count(r); i++)
        if (strstr(mtarep_rdns_result_warning(r, i), needle))
            return 1;
    return 0;
}

static void dump(const mtarep_rdns_result *r)
{
    for (size_t i = 0; i < mtarep_rdns_result_warning_count(r); i++)
        cr_log_info("warning: %s", mtarep_rdns_result_warning(r, i));
}

Test(rdns, fcrdns_yes_helo_match)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.44", "Mail.Example.NET");

    cr_assert_str_eq(mtarep_rdns_result_ip(r), "77.245.64.44");
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_ptr_count(r), 1);
    cr_assert_str_eq(mtarep_rdns_result_ptr(r, 0), "mail.example.net");
    cr_assert_null(mtarep_rdns_result_ptr(r, 1));
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_str_eq(mtarep_rdns_result_confirmed_name(r), "mail.example.net");
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_generic(r), 0);
    dump(r);
    cr_assert_eq(mtarep_rdns_result_warning_count(r), 0);
    cr_assert_null(mtarep_rdns_result_error(r));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, ipv6_fcrdns)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "2001:DB8:0::25", NULL);

    cr_assert_str_eq(mtarep_rdns_result_ip(r), "2001:db8::25");
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_UNKNOWN, "no HELO given");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_UNKNOWN);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, fcrdns_no_and_helo_mismatch)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.45", "other.example.org");

    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_NO);
    cr_assert_null(mtarep_rdns_result_confirmed_name(r));
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    dump(r);
    cr_assert(has_warning(r, "not forward-confirmed"));
    cr_assert(has_warning(r, "HELO other.example.org does not match"));
    cr_assert(has_warning(r, "does not resolve to 77.245.64.45"));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, no_ptr)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.46", "helo-ok.example.org");

    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_ptr_count(r), 0);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    cr_assert(has_warning(r, "no PTR"));
    cr_assert_null(mtarep_rdns_result_error(r), "NXDOMAIN is an answer, not an error");
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, helo_resolves_but_is_not_ptr)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.44", "helo-ok.example.org");

    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_YES);
    cr_assert(has_warning(r, "does not match"));
    cr_assert(!has_warning(r, "does not resolve"));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, generic_ptr_warns)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.47", NULL);

    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_generic(r), 1);
    cr_assert(has_warning(r, "generic"));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, multiple_ptr_names)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.48", "mx.example.net");

    cr_assert_eq(mtarep_rdns_result_ptr_count(r), 2);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_str_eq(mtarep_rdns_result_confirmed_name(r), "mx.example.net");
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_YES);
    cr_assert(has_warning(r, "2 PTR names"));
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, forward_via_cname_and_missing_name)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.49", NULL);

    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    mtarep_rdns_result_free(r);
    r = check(ctx, "77.245.64.50", NULL);
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_NO);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, helo_address_literal)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = check(ctx, "77.245.64.44", "[77.245.64.44]");

    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    mtarep_rdns_result_free(r);
    r = check(ctx, "77.245.64.44", "[192.0.2.1]");
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, bad_input)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_rdns_result *r = (mtarep_rdns_result *)1;
    static const char *bad_ip[] = {"1.2.3", "256.1.1.1", "1.2.3.04", "", "example.com",
                                   "::g"};

    for (size_t i = 0; i < sizeof bad_ip / sizeof bad_ip[0]; i++) {
        cr_assert_eq(mtarep_rdns_check(&r, ctx, bad_ip[i], NULL), MTAREP_EINVAL, "%s",
                     bad_ip[i]);
        cr_assert_null(r);
    }
    cr_assert_eq(mtarep_rdns_check(&r, ctx, NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_rdns_check(&r, ctx, "192.0.2.1", "bad helo"), MTAREP_EINVAL);
    cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), "bad helo"));
    cr_assert_eq(mtarep_rdns_check(&r, ctx, "192.0.2.1", "[300.1.1.1]"), MTAREP_EINVAL);
    cr_assert_eq(mtarep_rdns_check(NULL, ctx, "192.0.2.1", NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_rdns_check(&r, NULL, "192.0.2.1", NULL), MTAREP_EINVAL);
    mtarep_rdns_result_free(NULL);
    mtarep_ctx_free(ctx);
}

/* ---- generic names (pure) */

Test(rdns, generic_names)
{
    static const struct {
        const char *name, *ip;
    } yes[] = {
        {"77-245-64-44.static.example-hosting.net", "77.245.64.44"},
        {"44.64.245.77.dynamic.example.net", "77.245.64.44"},
        {"host44-64-245.example.net", "77.245.64.44"},
        {"c-077-245-064-044.isp.example", "77.245.64.44"},
        {"x077245064044.isp.example", "77.245.64.44"},
        {"cpe-4df5402c.isp.example", "77.245.64.44"},
        {"ip-10-1-2-3.example.com", NULL},
        {"dyn-pool7.isp.example", NULL},
        {"adsl-line.isp.example", NULL},
        {"dhcp12.example.org", NULL},
        {"ppp-7.isp.example", NULL},
        {"cable-modem-3.example.net", NULL},
        {"dialup.example.net", NULL},
        {"client.example.net", NULL},
        {"broadband12.example.net", NULL},
        {"customer-12.example.net", NULL},
        {"host-12345.example.net", NULL},
        {"ip12345.example.net", NULL},
        {"2001-db8--25.example.net", "2001:db8::25"},
        {"20010db8000000000000000000000025.example.net", "2001:db8::25"},
    };
    static const struct {
        const char *name, *ip;
    } no[] = {
        {"mail.example.com", "77.245.64.44"},
        {"mx1.example.com", "77.245.64.44"},
        {"smtp-out-2.example.net", "77.245.64.44"},
        {"outbound.mail.example.org", NULL},
        {"mail2.provider.de", "192.0.2.2"},
        {"host1.example.com", NULL},
        {"ipmail.example.com", NULL},
        {"mta-77.example.net", "77.245.64.44"},
        {"dsl-provider.net", NULL}, /* words count left of the registered domain */
        {"", NULL},
        {NULL, NULL},
    };

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(mtarep_rdns_name_is_generic(yes[i].name, yes[i].ip), "'%s' should be generic",
                  yes[i].name);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert(!mtarep_rdns_name_is_generic(no[i].name, no[i].ip),
                  "'%s' should not be generic", no[i].name ? no[i].name : "(null)");
}

/* ---- DNS failures: a fake resolver answering from a table */

typedef struct fake_rr {
    const char *qname;
    int qtype;
    const char *rr;  /* answer record, or NULL */
    int fail;        /* answer with ETEMPFAIL */
} fake_rr;

static const fake_rr *fake_table;

static int fake_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                       void *done_arg)
{
    ldns_pkt *pkt;
    ldns_rdf *qn;
    uint8_t *wire = NULL;
    size_t len = 0;
    int found = 0;
    (void)payload;

    for (const fake_rr *f = fake_table; f->qname; f++) {
        if (strcasecmp(f->qname, name) != 0 || f->qtype != rrtype)
            continue;
        if (f->fail) {
            done(MTAREP_ETEMPFAIL, NULL, 0, done_arg);
            return 0;
        }
    }
    qn = ldns_dname_new_frm_str(name);
    pkt = ldns_pkt_query_new(qn, (ldns_rr_type)rrtype, LDNS_RR_CLASS_IN, LDNS_RD);
    cr_assert_not_null(pkt);
    ldns_pkt_set_qr(pkt, 1);
    ldns_pkt_set_ra(pkt, 1);
    for (const fake_rr *f = fake_table; f->qname; f++) {
        ldns_rr *rr = NULL;
        if (strcasecmp(f->qname, name) != 0 || f->qtype != rrtype || !f->rr)
            continue;
        cr_assert_eq(ldns_rr_new_frm_str(&rr, f->rr, 300, NULL, NULL), LDNS_STATUS_OK, "%s",
                     f->rr);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
        found = 1;
    }
    if (!found)
        ldns_pkt_set_rcode(pkt, LDNS_RCODE_NXDOMAIN);
    cr_assert_eq(ldns_pkt2wire(&wire, pkt, &len), LDNS_STATUS_OK);
    done(0, wire, len, done_arg);
    free(wire);
    ldns_pkt_free(pkt);
    return 0;
}

static int fake_poll(void *payload, int timeout_ms)
{
    (void)payload;
    (void)timeout_ms;
    return 0;
}

static mtarep_ctx *fake_ctx(const fake_rr *table)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, fake_submit, fake_poll,
                                            NULL};
    mtarep_ctx *ctx = NULL;
    fake_table = table;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, NULL), MTAREP_OK);
    return ctx;
}

Test(rdns, ptr_failure_is_unknown)
{
    static const fake_rr t[] = {
        {"1.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR, NULL, 1},
        {"helo.example.net", LDNS_RR_TYPE_A, "helo.example.net. A 192.0.2.1", 0},
        {NULL, 0, NULL, 0}};
    mtarep_ctx *ctx = fake_ctx(t);
    mtarep_rdns_result *r = check(ctx, "192.0.2.1", "helo.example.net");

    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_UNKNOWN);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_UNKNOWN);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_UNKNOWN);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_YES, "HELO lookup still answered");
    cr_assert_not_null(mtarep_rdns_result_error(r));
    cr_assert_not_null(strstr(mtarep_rdns_result_error(r), "PTR"), "%s",
                       mtarep_rdns_result_error(r));
    cr_assert(!has_warning(r, "no PTR"), "a failed lookup is not 'no PTR'");
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, forward_failure)
{
    static const fake_rr t[] = {
        {"1.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR,
         "1.2.0.192.in-addr.arpa. PTR broken.example.net.", 0},
        {"1.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR,
         "1.2.0.192.in-addr.arpa. PTR elsewhere.example.net.", 0},
        {"broken.example.net", LDNS_RR_TYPE_A, NULL, 1},
        {"elsewhere.example.net", LDNS_RR_TYPE_A, "elsewhere.example.net. A 192.0.2.77", 0},
        {"2.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR,
         "2.2.0.192.in-addr.arpa. PTR broken.example.net.", 0},
        {"2.2.0.192.in-addr.arpa", LDNS_RR_TYPE_PTR,
         "2.2.0.192.in-addr.arpa. PTR good.example.net.", 0},
        {"good.example.net", LDNS_RR_TYPE_A, "good.example.net. A 192.0.2.2", 0},
        {"helo.example.net", LDNS_RR_TYPE_A, NULL, 1},
        {NULL, 0, NULL, 0}};
    mtarep_ctx *ctx = fake_ctx(t);
    mtarep_rdns_result *r = check(ctx, "192.0.2.1", "broken.example.net");

    /* one name failed, none confirmed: unknown, not NO */
    cr_assert_eq(mtarep_rdns_result_has_ptr(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_UNKNOWN);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_UNKNOWN);
    cr_assert_not_null(strstr(mtarep_rdns_result_error(r), "broken.example.net"));
    cr_assert(!has_warning(r, "not forward-confirmed"));
    mtarep_rdns_result_free(r);

    /* a confirmation wins over another name's failure */
    r = check(ctx, "192.0.2.2", "helo.example.net");
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_str_eq(mtarep_rdns_result_confirmed_name(r), "good.example.net");
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_UNKNOWN);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(rdns, demo_zone_facts)
{
    char path[4096];
    const char *src = getenv("MTAREP_SOURCE_DIR");
    mtarep_ctx *ctx = NULL;
    mtarep_rdns_result *r;

    cr_assert_not_null(src, "MTAREP_SOURCE_DIR not set");
    snprintf(path, sizeof path, "%s/examples/demo.zone", src);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, path), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    r = check(ctx, "77.245.64.44", "mail.example.com");
    cr_assert_str_eq(mtarep_rdns_result_ptr(r, 0), "77-245-64-44.static.example-hosting.net");
    cr_assert_eq(mtarep_rdns_result_fcrdns(r), MTAREP_YES);
    cr_assert_eq(mtarep_rdns_result_generic(r), 1);
    cr_assert_eq(mtarep_rdns_result_helo_match(r), MTAREP_NO);
    cr_assert_eq(mtarep_rdns_result_helo_resolves(r), MTAREP_NO);
    dump(r);
    mtarep_rdns_result_free(r);
    mtarep_ctx_free(ctx);
}
