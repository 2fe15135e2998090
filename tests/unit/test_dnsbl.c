/* DNSBL checks against the static-zone resolver (zone text below) and a
 * counting/failing plugged-in resolver: code tables, refusals, health
 * checks, TXT, validation, zone definitions and key redaction. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"

#define KEY "s3cr3tk3yabcdef0123456789"

static const char *ZONES =
    "$TTL 300\n"
    "; Spamhaus ZEN: test point, multi-code listing, PBL, refusals\n"
    "2.0.0.127.zen.spamhaus.org. A 127.0.0.2\n"
    "99.2.0.192.zen.spamhaus.org. A 127.0.0.2\n"
    "99.2.0.192.zen.spamhaus.org. A 127.0.0.4\n"
    "99.2.0.192.zen.spamhaus.org. TXT \"https://www.spamhaus.org/query/ip/\" \"192.0.2.99\"\n"
    "10.2.0.192.zen.spamhaus.org. A 127.0.0.10\n"
    "252.2.0.192.zen.spamhaus.org. A 127.255.255.252\n"
    "254.2.0.192.zen.spamhaus.org. A 127.255.255.254\n"
    "255.2.0.192.zen.spamhaus.org. A 127.255.255.255\n"
    "250.2.0.192.zen.spamhaus.org. A 127.255.255.250\n"
    "66.2.0.192.zen.spamhaus.org. A 10.0.0.1\n"
    "77.2.0.192.zen.spamhaus.org. A 127.0.0.2\n"
    "77.2.0.192.zen.spamhaus.org. A 127.255.255.254\n"
    "88.2.0.192.zen.spamhaus.org. A 127.0.0.8\n"
    "; IPv6 (nibbles) on ZEN, and its IPv6 test point\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org. A 127.0.0.3\n"
    "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.spamhaus.org. A 127.0.0.2\n"
    "; Spamhaus DBL\n"
    "dbltest.com.dbl.spamhaus.org. A 127.0.1.2\n"
    "spammer.example.dbl.spamhaus.org. A 127.0.1.2\n"
    "phish.example.dbl.spamhaus.org. A 127.0.1.4\n"
    "ipsent.example.dbl.spamhaus.org. A 127.0.1.255\n"
    "; SURBL and URIBL bitmasks\n"
    "test.surbl.org.multi.surbl.org. A 127.0.0.254\n"
    "bad.example.multi.surbl.org. A 127.0.0.24\n"
    "blocked.example.multi.surbl.org. A 127.0.0.9\n"
    "test.uribl.com.multi.uribl.com. A 127.0.0.14\n"
    "bad.example.multi.uribl.com. A 127.0.0.14\n"
    "refused.example.multi.uribl.com. A 127.0.0.1\n"
    "; SenderScore RPBL (bitmask) and reputation score\n"
    "2.0.0.127.bl.score.senderscore.com. A 127.0.0.2\n"
    "99.2.0.192.bl.score.senderscore.com. A 127.0.0.3\n"
    "255.2.0.192.bl.score.senderscore.com. A 127.255.255.255\n"
    "99.2.0.192.score.senderscore.com. A 127.0.4.85\n"
    "10.2.0.192.score.senderscore.com. A 127.0.4.40\n"
    "; DNSWL\n"
    "2.0.0.127.list.dnswl.org. A 127.0.10.2\n"
    "99.2.0.192.list.dnswl.org. A 127.0.15.3\n"
    "255.2.0.192.list.dnswl.org. A 127.0.0.255\n"
    "; SpamCop (IPv4 only)\n"
    "2.0.0.127.bl.spamcop.net. A 127.0.0.2\n"
    "; a dead list (test point missing) and a wildcard list\n"
    "99.2.0.192.broken.dnsbl.test. A 127.0.0.2\n"
    "*.wild.dnsbl.test. A 127.0.0.2\n"
    "; a list not in the table\n"
    "2.0.0.127.generic.dnsbl.test. A 127.0.0.2\n"
    "99.2.0.192.generic.dnsbl.test. A 127.0.0.5\n"
    "77.2.0.192.generic.dnsbl.test. A 127.0.0.1\n"
    "; Spamhaus DQS with a key\n"
    "2.0.0.127." KEY ".zen.dq.spamhaus.net. A 127.0.0.2\n"
    "99.2.0.192." KEY ".zen.dq.spamhaus.net. A 127.0.0.2\n"
    "99.2.0.192." KEY ".zen.dq.spamhaus.net. TXT \"see https://check.spamhaus.org/?q=99.2.0.192." KEY ".zen.dq.spamhaus.net\"\n"
    "250.2.0.192." KEY ".zen.dq.spamhaus.net. A 127.255.255.250\n"
    "; a user-defined test list\n"
    "2.0.0.127.zen.dnsbl.test. A 127.0.0.2\n"
    "3.0.0.127.zen.dnsbl.test. A 127.0.0.3\n"
    "99.2.0.192.zen.dnsbl.test. A 127.0.0.3\n";

/* ---- helpers */

static mtarep_ctx *mkctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONES), MTAREP_OK, "zone text: %s",
                 mtarep_ctx_errmsg(ctx));
    return ctx;
}

static mtarep_dnsbl_results *run_check(mtarep_ctx *ctx, const char *const *q, size_t nq,
                                       const char *const *z, size_t nz,
                                       const mtarep_dnsbl_options *o)
{
    mtarep_dnsbl_results *res = NULL;
    int rc = mtarep_dnsbl_check(&res, ctx, q, nq, z, nz, o);
    cr_assert_eq(rc, MTAREP_OK, "check failed: %d %s", rc, mtarep_ctx_errmsg(ctx));
    cr_assert_not_null(res);
    cr_assert_eq(mtarep_dnsbl_results_count(res), nq * nz);
    return res;
}

/* One query against one zone. */
static mtarep_dnsbl_results *one(mtarep_ctx *ctx, const char *q, const char *z)
{
    const char *qs[] = {q}, *zs[] = {z};
    return run_check(ctx, qs, 1, zs, 1, NULL);
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

/* ---- code tables */

Test(dnsbl, zen_multi_code_sbl_xbl)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "192.0.2.99", "zen.spamhaus.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "Spamhaus ZEN");
    cr_assert_eq(mtarep_dnsbl_result_code_count(r), 2);
    cr_assert(has_meaning(r, "SBL") && has_meaning(r, "XBL"), "meanings SBL and XBL expected");
    cr_assert_eq(mtarep_dnsbl_result_meaning_count(r), 2);
    cr_assert_not_null(strstr(mtarep_dnsbl_result_description(r), "compromised"),
                       "XBL description: %s", mtarep_dnsbl_result_description(r));
    cr_assert_eq(mtarep_dnsbl_result_error_code(r), 0);
    cr_assert_null(mtarep_dnsbl_result_error(r));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, pbl_is_policy_note)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "192.0.2.10", "zen.spamhaus.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "PBL"));
    cr_assert_not_null(strstr(mtarep_dnsbl_result_description(r), "policy, not reputation"),
                       "%s", mtarep_dnsbl_result_description(r));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, undocumented_code_is_listed_with_code_as_meaning)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "192.0.2.88", "zen.spamhaus.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "127.0.0.8"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, dbl_domains)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"Spammer.Example.", "phish.example", "clean.example"};
    const char *z[] = {"dbl.spamhaus.org"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 3, z, 1, NULL);
    const mtarep_dnsbl_result *r0 = mtarep_dnsbl_results_get(res, 0);
    const mtarep_dnsbl_result *r1 = mtarep_dnsbl_results_get(res, 1);
    const mtarep_dnsbl_result *r2 = mtarep_dnsbl_results_get(res, 2);

    cr_assert_str_eq(mtarep_dnsbl_result_query(r0), "spammer.example", "normalised query");
    ASSERT_STATUS(r0, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r0, "spam"));
    ASSERT_STATUS(r1, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r1, "phishing"));
    ASSERT_STATUS(r2, MTAREP_DNSBL_NOT_LISTED);
    cr_assert_eq(mtarep_dnsbl_result_code_count(r2), 0);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, surbl_uribl_bitmasks)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"bad.example", "refused.example", "blocked.example"};
    const char *z[] = {"multi.surbl.org", "multi.uribl.com"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 3, z, 2, NULL);
    const mtarep_dnsbl_result *surbl = mtarep_dnsbl_results_get(res, 0);
    const mtarep_dnsbl_result *uribl = mtarep_dnsbl_results_get(res, 1);
    const mtarep_dnsbl_result *uribl_ref = mtarep_dnsbl_results_get(res, 3);
    const mtarep_dnsbl_result *surbl_blk = mtarep_dnsbl_results_get(res, 4);

    ASSERT_STATUS(surbl, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(surbl, "phishing") && has_meaning(surbl, "malware"));
    cr_assert_eq(mtarep_dnsbl_result_meaning_count(surbl), 2);
    ASSERT_STATUS(uribl, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(uribl, "black") && has_meaning(uribl, "grey") &&
              has_meaning(uribl, "red"));
    /* bit 1 = refused, alone or with other bits */
    ASSERT_STATUS(uribl_ref, MTAREP_DNSBL_ERROR);
    cr_assert_eq(mtarep_dnsbl_result_error_code(uribl_ref), MTAREP_EBLOCKED);
    ASSERT_STATUS(surbl_blk, MTAREP_DNSBL_ERROR);
    cr_assert_eq(mtarep_dnsbl_result_error_code(surbl_blk), MTAREP_EBLOCKED);
    cr_assert_not_null(strstr(mtarep_dnsbl_result_error(surbl_blk), "refused"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, senderscore_rpbl_bits_and_score)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"192.0.2.99", "192.0.2.10"};
    const char *z[] = {"bl.score.senderscore.com", "score.senderscore.com"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 2, z, 2, NULL);
    const mtarep_dnsbl_result *rpbl = mtarep_dnsbl_results_get(res, 0);
    const mtarep_dnsbl_result *good = mtarep_dnsbl_results_get(res, 1);
    const mtarep_dnsbl_result *bad = mtarep_dnsbl_results_get(res, 3);

    ASSERT_STATUS(rpbl, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(rpbl, "botnet") && has_meaning(rpbl, "no-auth"));
    /* 85 is above the threshold (70): reported, not listed */
    ASSERT_STATUS(good, MTAREP_DNSBL_NOT_LISTED);
    cr_assert(has_meaning(good, "score 85"), "meaning %s",
              mtarep_dnsbl_result_meaning(good, 0) ? mtarep_dnsbl_result_meaning(good, 0) : "-");
    cr_assert_str_eq(mtarep_dnsbl_result_code(good, 0), "127.0.4.85");
    ASSERT_STATUS(bad, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(bad, "score 40"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, dnswl_allow_list_trust)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "192.0.2.99", "list.dnswl.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_NOT_LISTED);
    cr_assert(has_meaning(r, "trust 3"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- refusals and bad answers */

typedef struct refusal {
    const char *ip, *zone;
    int code;
    const char *text;
} refusal;

Test(dnsbl, refusal_codes_are_errors)
{
    static const refusal cases[] = {
        {"192.0.2.252", "zen.spamhaus.org", MTAREP_ECONFIG, "zone name misspelled"},
        {"192.0.2.254", "zen.spamhaus.org", MTAREP_EBLOCKED,
         "query refused: you are using a public/open resolver (use your own resolver or "
         "Spamhaus DQS)"},
        {"192.0.2.255", "zen.spamhaus.org", MTAREP_EBLOCKED, "over free-use volume"},
        {"192.0.2.250", "zen.spamhaus.org", MTAREP_ECONFIG, "invalid DQS key"},
        {"ipsent.example", "dbl.spamhaus.org", MTAREP_EINVAL, "IP sent to a domain list"},
        {"192.0.2.255", "bl.score.senderscore.com", MTAREP_EBLOCKED, "Validity"},
        {"192.0.2.255", "list.dnswl.org", MTAREP_EBLOCKED, "refused"},
        {"192.0.2.77", "zen.spamhaus.org", MTAREP_EBLOCKED, "public/open resolver"},
    };
    mtarep_ctx *ctx = mkctx();

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mtarep_dnsbl_results *res = one(ctx, cases[i].ip, cases[i].zone);
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);
        ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
        cr_assert_eq(mtarep_dnsbl_result_error_code(r), cases[i].code, "%s/%s: code %d",
                     cases[i].ip, cases[i].zone, mtarep_dnsbl_result_error_code(r));
        cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), cases[i].text),
                           "%s/%s: error '%s' lacks '%s'", cases[i].ip, cases[i].zone,
                           mtarep_dnsbl_result_error(r), cases[i].text);
        cr_assert_eq(mtarep_dnsbl_result_meaning_count(r), 0, "a refusal is not a listing");
        mtarep_dnsbl_results_free(res);
    }
    mtarep_ctx_free(ctx);
}

Test(dnsbl, answer_outside_127_is_error)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "192.0.2.66", "zen.spamhaus.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
    cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), "outside 127.0.0.0/8"), "%s",
                       mtarep_dnsbl_result_error(r));
    cr_assert_str_eq(mtarep_dnsbl_result_code(r, 0), "10.0.0.1");
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, unknown_zone_is_generic)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"192.0.2.99", "192.0.2.77", "192.0.2.1"};
    const char *z[] = {"generic.dnsbl.test"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 3, z, 1, NULL);
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "127.0.0.5"));
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "generic.dnsbl.test");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 1), MTAREP_DNSBL_ERROR); /* 127.0.0.1 */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 2), MTAREP_DNSBL_NOT_LISTED);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- query names */

Test(dnsbl, ipv6_nibbles)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = one(ctx, "2001:DB8:0::1", "zen.spamhaus.org");
    const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, 0);

    cr_assert_str_eq(mtarep_dnsbl_result_query(r), "2001:db8::1");
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert(has_meaning(r, "CSS"));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, not_applicable)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"2001:db8::1", "192.0.2.99", "example.com"};
    const char *z[] = {"bl.spamcop.net", "dbl.spamhaus.org", "zen.spamhaus.org"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 3, z, 3, NULL);

    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 0), MTAREP_DNSBL_NOT_APPLICABLE); /* v6, ip4 list */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 1), MTAREP_DNSBL_NOT_APPLICABLE); /* v6, domain list */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 4), MTAREP_DNSBL_NOT_APPLICABLE); /* v4, domain list */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 6), MTAREP_DNSBL_NOT_APPLICABLE); /* domain, ip4 list */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 8), MTAREP_DNSBL_NOT_APPLICABLE); /* domain, ip list */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 2), MTAREP_DNSBL_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 7), MTAREP_DNSBL_NOT_LISTED);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- health check */

Test(dnsbl, health_check_failures)
{
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"192.0.2.99", "192.0.2.1"};
    const char *z[] = {"broken.dnsbl.test", "wild.dnsbl.test", "bl.spamcop.net"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 2, z, 3, NULL);

    for (size_t qi = 0; qi < 2; qi++)
        for (size_t zi = 0; zi < 2; zi++) {
            const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, qi * 3 + zi);
            ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
            cr_assert_eq(mtarep_dnsbl_result_error_code(r), MTAREP_ECONFIG);
            cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), "failed its health check"),
                               "%s", mtarep_dnsbl_result_error(r));
            cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), z[zi]));
        }
    /* a healthy zone in the same call is unaffected */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 2), MTAREP_DNSBL_NOT_LISTED);
    mtarep_dnsbl_results_free(res);

    /* without the health check the same answers are taken at face value */
    {
        mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
        o.health_check = 0;
        res = run_check(ctx, q, 2, z, 3, &o);
        ASSERT_STATUS(mtarep_dnsbl_results_get(res, 0), MTAREP_DNSBL_LISTED);
        ASSERT_STATUS(mtarep_dnsbl_results_get(res, 3), MTAREP_DNSBL_NOT_LISTED);
        ASSERT_STATUS(mtarep_dnsbl_results_get(res, 4), MTAREP_DNSBL_LISTED);
        mtarep_dnsbl_results_free(res);
    }
    mtarep_ctx_free(ctx);
}

/* ---- TXT */

Test(dnsbl, txt_fetch)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_options o;
    const char *q[] = {"192.0.2.99", "192.0.2.10"};
    const char *z[] = {"zen.spamhaus.org"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 2, z, 1, NULL);

    cr_assert_str_eq(mtarep_dnsbl_result_txt(mtarep_dnsbl_results_get(res, 0)),
                     "https://www.spamhaus.org/query/ip/192.0.2.99");
    /* listed without a TXT record: status unchanged, no text */
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 1), MTAREP_DNSBL_LISTED);
    cr_assert_null(mtarep_dnsbl_result_txt(mtarep_dnsbl_results_get(res, 1)));
    mtarep_dnsbl_results_free(res);

    cr_assert_eq(mtarep_dnsbl_options_init(&o, MTAREP_DNSBL_OPTIONS_VERSION), MTAREP_OK);
    o.fetch_txt = 0;
    res = run_check(ctx, q, 1, z, 1, &o);
    cr_assert_null(mtarep_dnsbl_result_txt(mtarep_dnsbl_results_get(res, 0)));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- many pairs, order, progress, duplicates, defaults */

static void progress(size_t done, size_t total, void *p)
{
    size_t *seen = p;
    cr_assert_eq(done, seen[0] + 1, "progress must count up by one");
    seen[0] = done;
    seen[1] = total;
}

Test(dnsbl, order_progress_duplicates)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    size_t seen[2] = {0, 0};
    const char *q[] = {"192.0.2.99", "192.0.2.1", "192.0.2.99", "2001:db8::1"};
    const char *z[] = {"zen.spamhaus.org", "bl.spamcop.net", "zen.spamhaus.org"};
    mtarep_dnsbl_results *res;

    o.progress = progress;
    o.progress_payload = seen;
    res = run_check(ctx, q, 4, z, 3, &o);
    cr_assert_eq(seen[0], 12);
    cr_assert_eq(seen[1], 12);
    for (size_t i = 0; i < 12; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        cr_assert_str_eq(mtarep_dnsbl_result_zone(r), z[i % 3], "query-major order");
        cr_assert_eq(strcmp(mtarep_dnsbl_result_query(r), q[i / 3]), 0);
    }
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 0), MTAREP_DNSBL_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 2), MTAREP_DNSBL_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 6), MTAREP_DNSBL_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 3), MTAREP_DNSBL_NOT_LISTED);
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 10), MTAREP_DNSBL_NOT_APPLICABLE);
    cr_assert_null(mtarep_dnsbl_results_get(res, 12));
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, default_zones)
{
    static const char *want[] = {
        "zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "bl.mailspike.net",
        "psbl.surriel.com", "dnsbl-1.uceprotect.net", "dnsbl-2.uceprotect.net",
        "dnsbl-3.uceprotect.net", "bl.score.senderscore.com", "dbl.spamhaus.org",
        "multi.surbl.org", "multi.uribl.com"};
    size_t n = 0;
    const char *const *z = mtarep_dnsbl_default_zones(&n);
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res = NULL;
    const char *q[] = {"192.0.2.99"};

    cr_assert_eq(n, 12);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(z[i], want[i]);
    /* NULL zones = the defaults */
    cr_assert_eq(mtarep_dnsbl_check(&res, ctx, q, 1, NULL, 0, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dnsbl_results_count(res), 12);
    cr_assert_str_eq(mtarep_dnsbl_result_zone(mtarep_dnsbl_results_get(res, 11)),
                     "multi.uribl.com");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 11), MTAREP_DNSBL_NOT_APPLICABLE);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, options_init_versions)
{
    mtarep_dnsbl_options o;
    mtarep_dnsbl_results *res = NULL;
    mtarep_ctx *ctx = mkctx();
    const char *q[] = {"192.0.2.1"};

    cr_assert_eq(mtarep_dnsbl_options_init(&o, 0), MTAREP_EVERSION);
    cr_assert_eq(mtarep_dnsbl_options_init(&o, 99), MTAREP_EVERSION);
    cr_assert_eq(mtarep_dnsbl_options_init(NULL, 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_dnsbl_options_init(&o, 1), MTAREP_OK);
    cr_assert(o.fetch_txt && o.health_check && !o.progress);
    o.version = 7;
    cr_assert_eq(mtarep_dnsbl_check(&res, ctx, q, 1, NULL, 0, &o), MTAREP_EVERSION);
    cr_assert_null(res);
    mtarep_ctx_free(ctx);
}

/* ---- validation: a fake resolver counts what would be sent */

typedef struct counter {
    int submits;
} counter;

static int count_submit(void *payload, const char *name, int rrtype,
                        mtarep_resolver_done_cb done, void *done_arg)
{
    counter *c = payload;
    (void)name;
    (void)rrtype;
    c->submits++;
    done(MTAREP_ETEMPFAIL, NULL, 0, done_arg);
    return 0;
}

static int count_poll(void *payload, int timeout_ms)
{
    (void)payload;
    (void)timeout_ms;
    return 0;
}

static mtarep_ctx *counting_ctx(counter *c)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, count_submit,
                                            count_poll, NULL};
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, c), MTAREP_OK);
    return ctx;
}

Test(dnsbl, malformed_inputs_einval_nothing_sent)
{
    static const char *bad_queries[] = {
        "1.2.3", "256.1.1.1", "1.2.3.04", "", "bad domain.com", "-bad.com", "a..b",
        "fe80::1%eth0", "1.2.3.4.5", "exa_mple.com\n", "2001:db8::g"};
    static const char *bad_zones[] = {
        "", "zen..spamhaus.org", "has space.org", "127.0.0.1", "nodot", "-zen.spamhaus.org",
        "zen.spamhaus.org..", "toolong" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org"};
    counter c = {0};
    mtarep_ctx *ctx = counting_ctx(&c);

    for (size_t i = 0; i < sizeof bad_queries / sizeof bad_queries[0]; i++) {
        const char *q[] = {"192.0.2.1", bad_queries[i]};
        const char *z[] = {"zen.spamhaus.org"};
        mtarep_dnsbl_results *res = (mtarep_dnsbl_results *)1;
        int rc = mtarep_dnsbl_check(&res, ctx, q, 2, z, 1, NULL);
        cr_assert_eq(rc, MTAREP_EINVAL, "query '%s' gave %d", bad_queries[i], rc);
        cr_assert_null(res);
        cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), "query"), "%s",
                           mtarep_ctx_errmsg(ctx));
        if (bad_queries[i][0] && !strchr(bad_queries[i], '\n'))
            cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), bad_queries[i]),
                               "errmsg names the item: %s", mtarep_ctx_errmsg(ctx));
    }
    for (size_t i = 0; i < sizeof bad_zones / sizeof bad_zones[0]; i++) {
        const char *q[] = {"192.0.2.1"};
        const char *z[] = {"bl.spamcop.net", bad_zones[i]};
        mtarep_dnsbl_results *res = NULL;
        int rc = mtarep_dnsbl_check(&res, ctx, q, 1, z, 2, NULL);
        cr_assert_eq(rc, MTAREP_EINVAL, "zone '%s' gave %d", bad_zones[i], rc);
        cr_assert_null(res);
        cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), "zone"), "%s", mtarep_ctx_errmsg(ctx));
    }
    {
        const char *q[] = {"192.0.2.1", NULL};
        mtarep_dnsbl_results *res = NULL;
        cr_assert_eq(mtarep_dnsbl_check(&res, ctx, q, 2, NULL, 0, NULL), MTAREP_EINVAL);
        cr_assert_eq(mtarep_dnsbl_check(&res, ctx, NULL, 1, NULL, 0, NULL), MTAREP_EINVAL);
        cr_assert_eq(mtarep_dnsbl_check(NULL, ctx, q, 1, NULL, 0, NULL), MTAREP_EINVAL);
        cr_assert_eq(mtarep_dnsbl_check(&res, NULL, q, 1, NULL, 0, NULL), MTAREP_EINVAL);
    }
    cr_assert_eq(c.submits, 0, "nothing may be sent for invalid input (%d sent)", c.submits);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, not_applicable_sends_nothing)
{
    counter c = {0};
    mtarep_ctx *ctx = counting_ctx(&c);
    const char *q[] = {"2001:db8::1", "example.com"};
    const char *z[] = {"bl.spamcop.net", "psbl.surriel.com"};
    mtarep_dnsbl_results *res = run_check(ctx, q, 2, z, 2, NULL);

    for (size_t i = 0; i < 4; i++)
        ASSERT_STATUS(mtarep_dnsbl_results_get(res, i), MTAREP_DNSBL_NOT_APPLICABLE);
    cr_assert_eq(c.submits, 0, "%d queries sent", c.submits);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, dns_failure_is_error_never_not_listed)
{
    counter c = {0};
    mtarep_ctx *ctx = counting_ctx(&c);
    const char *q[] = {"192.0.2.1", "example.com"};
    const char *z[] = {"zen.spamhaus.org", "dbl.spamhaus.org", "unknown.dnsbl.test"};
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    mtarep_dnsbl_results *res;

    for (int hc = 0; hc < 2; hc++) {
        o.health_check = hc;
        res = run_check(ctx, q, 2, z, 3, &o);
        for (size_t i = 0; i < 6; i++) {
            const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
            if (i == 1 || i == 3)
                ASSERT_STATUS(r, MTAREP_DNSBL_NOT_APPLICABLE);
            else {
                ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
                cr_assert_eq(mtarep_dnsbl_result_error_code(r), MTAREP_ETEMPFAIL);
                cr_assert_not_null(mtarep_dnsbl_result_error(r));
            }
        }
        mtarep_dnsbl_results_free(res);
    }
    /* 4 pairs sent twice (failures are not cached), plus 2 probes for each of
     * 4 (zone, family) the second time */
    cr_assert_eq(c.submits, 4 + 4 + 8, "%d queries sent", c.submits);
    mtarep_ctx_free(ctx);
}

/* ---- zone definitions */

Test(dnsbl, user_zone_defs)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res;
    const mtarep_dnsbl_result *r;

    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx,
                                             "# a test list\n"
                                             "zone zen.dnsbl.test\n"
                                             "  name   Test ZEN\n"
                                             "  kind   ip4\n"
                                             "  test   127.0.0.2 127.0.0.1\n"
                                             "  note   Test note.\n"
                                             "  code   127.0.0.2 listed T2 Two.\n"
                                             "  code   127.0.0.3 listed T3 Three.\n"),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    res = one(ctx, "192.0.2.99", "zen.dnsbl.test");
    r = mtarep_dnsbl_results_get(res, 0);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "Test ZEN");
    cr_assert(has_meaning(r, "T3"));
    cr_assert_str_eq(mtarep_dnsbl_result_description(r), "Three. Test note.");
    mtarep_dnsbl_results_free(res);

    /* override a built-in: ZEN's 127.0.0.2 becomes a custom label; redefine the
     * test list as a domain list */
    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx, "zone zen.spamhaus.org\nkind ip\n"
                                                  "code 127.0.0.2 listed CUSTOM\n"
                                                  "zone zen.dnsbl.test\nkind domain\n"),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    res = one(ctx, "192.0.2.99", "zen.spamhaus.org");
    r = mtarep_dnsbl_results_get(res, 0);
    cr_assert(has_meaning(r, "CUSTOM"));
    cr_assert(has_meaning(r, "127.0.0.4"), "uncovered codes fall back to generic");
    mtarep_dnsbl_results_free(res);
    res = one(ctx, "192.0.2.99", "zen.dnsbl.test");
    ASSERT_STATUS(mtarep_dnsbl_results_get(res, 0), MTAREP_DNSBL_NOT_APPLICABLE);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, zone_defs_parse_errors)
{
    static const struct {
        const char *text;
        const char *line;
    } bad[] = {
        {"name Foo\n", "line 1"},
        {"zone a.test\nkind ip4\nfrobnicate 1\n", "line 3"},
        {"zone a.test\nkind ipx\n", "line 2"},
        {"zone a.test\n", "line 1"}, /* missing kind */
        {"zone a.test\nkind ip4\ncode 127.0.0.256 listed X\n", "line 3"},
        {"zone a.test\nkind ip4\ncode 127.0.0.9-127.0.0.2 listed X\n", "line 3"},
        {"zone a.test\nkind ip4\ncode 127.0.0.0/33 listed X\n", "line 3"},
        {"zone a.test\nkind ip4\ncode 127.0.0.2 maybe X\n", "line 3"},
        {"zone a.test\nkind ip4\ncode 127.0.0.2 error:ENOPE X\n", "line 3"},
        {"zone a.test\nkind ip4\ncode 127.0.0.2 listed\n", "line 3"},
        {"zone a.test\nkind ip4\nbit 3 listed X\n", "line 3"},
        {"zone a.test\nkind ip4\nbit 4 listed X\n", "line 3"}, /* bit without bitmask */
        {"zone a.test\nkind ip4\nscore 127.0.4.0/24 x score\n", "line 3"},
        {"zone a.test\nkind ip4\ntest 127.0.0.2 test\n", "line 3"},
        {"zone a.test\nkind ip4\ntest 127.0.0.2 127.0.0.2\n", "line 3"},
        {"zone bad..zone\n", "line 1"},
        {"zone a.test\nkind ip4\nzone a.test\nkind ip4\n", "line 3"},
        {"zone a.test\nkind ip4\nname Foo\nlike b.test\n", "line 4"},
        {"\n\n# c\nzone a.test\nkind ip4\nname\n", "line 6"},
    };
    mtarep_ctx *ctx = mkctx();

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mtarep_dnsbl_load_zone_defs(ctx, bad[i].text);
        cr_assert_eq(rc, MTAREP_EPARSE, "case %zu: rc %d", i, rc);
        cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), bad[i].line),
                           "case %zu: '%s' lacks '%s'", i, mtarep_ctx_errmsg(ctx), bad[i].line);
    }
    /* a malformed text changes nothing, even its valid first block */
    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx, "zone zen.spamhaus.org\nkind domain\n"
                                                  "zone b.test\nkind nope\n"),
                 MTAREP_EPARSE);
    {
        mtarep_dnsbl_results *res = one(ctx, "192.0.2.99", "zen.spamhaus.org");
        ASSERT_STATUS(mtarep_dnsbl_results_get(res, 0), MTAREP_DNSBL_LISTED);
        cr_assert(has_meaning(mtarep_dnsbl_results_get(res, 0), "SBL"));
        mtarep_dnsbl_results_free(res);
    }
    mtarep_ctx_free(ctx);
}

/* ---- secrets */

typedef struct logbuf {
    char text[16384];
    size_t n;
} logbuf;

static void log_cb(mtarep_log_level level, const char *msg, void *p)
{
    logbuf *b = p;
    (void)level;
    b->n += (size_t)snprintf(b->text + b->n, sizeof b->text - b->n, "%s\n", msg);
    if (b->n >= sizeof b->text)
        b->n = sizeof b->text - 1;
}

static void assert_no_key(const char *s, const char *what)
{
    if (!s)
        return;
    cr_assert_null(strcasestr(s, KEY), "%s leaks the key: %s", what, s);
}

static void assert_result_no_key(const mtarep_dnsbl_result *r)
{
    assert_no_key(mtarep_dnsbl_result_zone(r), "zone");
    assert_no_key(mtarep_dnsbl_result_list_name(r), "list name");
    assert_no_key(mtarep_dnsbl_result_error(r), "error");
    assert_no_key(mtarep_dnsbl_result_description(r), "description");
    assert_no_key(mtarep_dnsbl_result_txt(r), "txt");
    for (size_t i = 0; i < mtarep_dnsbl_result_meaning_count(r); i++)
        assert_no_key(mtarep_dnsbl_result_meaning(r, i), "meaning");
}

Test(dnsbl, dqs_key_redacted)
{
    mtarep_ctx *ctx = mkctx();
    logbuf lb = {{0}, 0};
    const char *q[] = {"192.0.2.99", "192.0.2.250", "192.0.2.1"};
    const char *z[] = {KEY ".zen.dq.spamhaus.net", "S3CR3TK3YABCDEF0123456789.zen.dq.spamhaus.net"};
    mtarep_dnsbl_results *res;
    const mtarep_dnsbl_result *r;

    mtarep_ctx_set_log_callback(ctx, log_cb, MTAREP_LOG_INFO, &lb);
    res = run_check(ctx, q, 3, z, 2, NULL);
    r = mtarep_dnsbl_results_get(res, 0);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert_str_eq(mtarep_dnsbl_result_zone(r), "<key>.zen.dq.spamhaus.net");
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "Spamhaus ZEN (DQS)");
    cr_assert(has_meaning(r, "SBL"));
    cr_assert_not_null(mtarep_dnsbl_result_txt(r), "TXT fetched through the key zone");
    cr_assert_not_null(strstr(mtarep_dnsbl_result_txt(r), "<key>.zen.dq"), "%s",
                       mtarep_dnsbl_result_txt(r));
    r = mtarep_dnsbl_results_get(res, 2);
    ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
    cr_assert_eq(mtarep_dnsbl_result_error_code(r), MTAREP_ECONFIG);
    for (size_t i = 0; i < mtarep_dnsbl_results_count(res); i++)
        assert_result_no_key(mtarep_dnsbl_results_get(res, i));
    mtarep_dnsbl_results_free(res);

    /* a health-check failure names the zone: redacted too */
    {
        const char *q6[] = {"2001:db8::1"};
        res = run_check(ctx, q6, 1, z, 1, NULL);
        r = mtarep_dnsbl_results_get(res, 0);
        ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
        cr_assert_not_null(strstr(mtarep_dnsbl_result_error(r), "<key>.zen.dq.spamhaus.net"),
                           "%s", mtarep_dnsbl_result_error(r));
        assert_result_no_key(r);
        mtarep_dnsbl_results_free(res);
    }
    /* an invalid keyed zone: the message must not echo the key */
    {
        const char *zbad[] = {KEY "!.zen.dq.spamhaus.net"};
        mtarep_dnsbl_results *bad = NULL;
        cr_assert_eq(mtarep_dnsbl_check(&bad, ctx, q, 1, zbad, 1, NULL), MTAREP_EINVAL);
        assert_no_key(mtarep_ctx_errmsg(ctx), "ctx errmsg");
        cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), "<key>.zen.dq.spamhaus.net"), "%s",
                           mtarep_ctx_errmsg(ctx));
    }
    assert_no_key(mtarep_ctx_errmsg(ctx), "ctx errmsg");
    cr_assert_gt(lb.n, 0, "health-check warnings were logged");
    assert_no_key(lb.text, "log");
    mtarep_ctx_free(ctx);
}

Test(dnsbl, dqs_key_redacted_in_engine_errors)
{
    counter c = {0};
    mtarep_ctx *ctx = counting_ctx(&c);
    static logbuf lb;
    const char *q[] = {"192.0.2.99"};
    const char *z[] = {KEY ".zen.dq.spamhaus.net"};
    mtarep_dnsbl_results *res;
    const mtarep_dnsbl_result *r;

    /* the engine logs query names at debug level: they pass redacted */
    mtarep_ctx_set_log_callback(ctx, log_cb, MTAREP_LOG_DEBUG, &lb);
    res = run_check(ctx, q, 1, z, 1, NULL);
    r = mtarep_dnsbl_results_get(res, 0);
    ASSERT_STATUS(r, MTAREP_DNSBL_ERROR);
    assert_result_no_key(r);
    assert_no_key(mtarep_ctx_errmsg(ctx), "ctx errmsg");
    assert_no_key(lb.text, "log");
    cr_assert_not_null(strstr(lb.text, "99.2.0.192.<key>.zen.dq.spamhaus.net"),
                       "engine debug lines expected: %s", lb.text);
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

/* ---- the offline demo zone (examples/demo.zone) keeps its promises */

Test(dnsbl, demo_zone_facts)
{
    char path[4096];
    const char *src = getenv("MTAREP_SOURCE_DIR");
    mtarep_ctx *ctx = NULL;
    const char *q[] = {"77.245.64.44", "example.com"};
    mtarep_dnsbl_results *res = NULL;

    cr_assert_not_null(src, "MTAREP_SOURCE_DIR not set");
    snprintf(path, sizeof path, "%s/examples/demo.zone", src);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, path), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_dnsbl_check(&res, ctx, q, 2, NULL, 0, NULL), MTAREP_OK);
    for (size_t i = 0; i < mtarep_dnsbl_results_count(res); i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        mtarep_dnsbl_status want;
        if (i == 0)
            want = MTAREP_DNSBL_LISTED;
        else if (i < 9)
            want = MTAREP_DNSBL_NOT_LISTED; /* the IP on the other IP lists */
        else if (i < 12)
            want = MTAREP_DNSBL_NOT_APPLICABLE;
        else if (i < 21)
            want = MTAREP_DNSBL_NOT_APPLICABLE; /* the domain on IP lists */
        else
            want = MTAREP_DNSBL_NOT_LISTED; /* example.com on DBL, SURBL, URIBL */
        ASSERT_STATUS(r, want);
    }
    {
        const mtarep_dnsbl_result *zen = mtarep_dnsbl_results_get(res, 0);
        cr_assert_str_eq(mtarep_dnsbl_result_zone(zen), "zen.spamhaus.org");
        cr_assert(has_meaning(zen, "SBL") && has_meaning(zen, "XBL"));
        cr_assert_not_null(mtarep_dnsbl_result_txt(zen));
    }
    mtarep_dnsbl_results_free(res);
    mtarep_ctx_free(ctx);
}

Test(dnsbl, zone_defs_like_builtin)
{
    mtarep_ctx *ctx = mkctx();
    mtarep_dnsbl_results *res;
    const mtarep_dnsbl_result *r;

    /* a local mirror of ZEN under another name takes ZEN's code table */
    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx, "zone zen.dnsbl.test\n"
                                                  "like zen.spamhaus.org\n"
                                                  "name ZEN mirror\n"),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    res = one(ctx, "192.0.2.99", "zen.dnsbl.test");
    r = mtarep_dnsbl_results_get(res, 0);
    ASSERT_STATUS(r, MTAREP_DNSBL_LISTED);
    cr_assert_str_eq(mtarep_dnsbl_result_list_name(r), "ZEN mirror");
    cr_assert(has_meaning(r, "CSS"), "127.0.0.3 decoded with ZEN's table");
    mtarep_dnsbl_results_free(res);
    cr_assert_eq(mtarep_dnsbl_load_zone_defs(ctx, "zone x.dnsbl.test\nlike nope.example\n"),
                 MTAREP_EPARSE);
    cr_assert_not_null(strstr(mtarep_ctx_errmsg(ctx), "line 2"));
    mtarep_ctx_free(ctx);
}
