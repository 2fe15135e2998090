/* DMARC records: the shared vectors (tests/data/dmarc/records.tsv), one test
 * per rule, tree-walk names, and discovery over a static zone (the Knot
 * tests are in tests/integration/test_dkim_net.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc/dmarc_int.h"
#include <mtarep.h>

static int has_problem(const mtarep_dmarc_result *r, int sev, const char *needle)
{
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++)
        if ((int)mtarep_dmarc_result_problem_severity(r, i) == sev &&
            strstr(mtarep_dmarc_result_problem_message(r, i), needle))
            return 1;
    return 0;
}

static void dump(const mtarep_dmarc_result *r, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r) && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "[%s] %s; ",
                              mtarep_auth_severity_name(mtarep_dmarc_result_problem_severity(r, i)),
                              mtarep_dmarc_result_problem_message(r, i));
}

static mtarep_dmarc_result *val(const char *txt)
{
    mtarep_dmarc_result *r = NULL;
    cr_assert_eq(mtarep_dmarc_validate(&r, NULL, txt, strlen(txt)), MTAREP_OK);
    return r;
}

#define EXPECT(txt, verdict, sev, needle)                                                    \
    do {                                                                                     \
        mtarep_dmarc_result *r_ = val(txt);                                                  \
        char d_[4000];                                                                       \
        dump(r_, d_, sizeof d_);                                                             \
        cr_assert_eq(mtarep_dmarc_result_verdict(r_), verdict, "%s -> %s (%s)", txt,         \
                     mtarep_auth_verdict_name(mtarep_dmarc_result_verdict(r_)), d_);         \
        if (needle)                                                                          \
            cr_assert(has_problem(r_, sev, needle ? needle : ""), "%s: no '%s' in %s", txt,   \
                      needle ? needle : "", d_);                                             \
        mtarep_dmarc_result_free(r_);                                                        \
    } while (0)

Test(dmarc, vectors)
{
    char path[1024], line[8192];
    const char *dir = getenv("MTAREP_TEST_DATA");
    FILE *f;
    int n = 0, bad = 0;

    cr_assert_not_null(dir, "MTAREP_TEST_DATA not set");
    snprintf(path, sizeof path, "%s/dmarc/records.tsv", dir);
    cr_assert_not_null(f = fopen(path, "r"), "cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        char *rec = line, *exp, *why, *e, *p;
        authrec_txt txt[8];
        size_t nt = 0;
        mtarep_dmarc_result *r;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        cr_assert_not_null(exp = strchr(rec, '\t'));
        *exp++ = 0;
        cr_assert_not_null(why = strchr(exp, '\t'));
        *why++ = 0;
        if ((e = strchr(why, '\t')))
            *e = 0;
        /* ' || ' separates the TXT RRs at one name */
        for (p = rec;; ) {
            char *sep = strstr(p, " || ");
            cr_assert_lt(nt, 8);
            txt[nt].p = p;
            txt[nt].len = sep ? (size_t)(sep - p) : strlen(p);
            nt++;
            if (!sep)
                break;
            p = sep + 4;
        }
        cr_assert_not_null(r = calloc(1, sizeof *r));
        cr_assert_eq(mtarep__dmarc_check_set(r, txt, nt), MTAREP_OK);
        if (strcmp(mtarep_auth_verdict_name(mtarep_dmarc_result_verdict(r)), exp) != 0) {
            char d[4000];
            dump(r, d, sizeof d);
            cr_log_error("vector %d (%s): expected %s, got %s: %s", n + 1, why, exp,
                         mtarep_auth_verdict_name(mtarep_dmarc_result_verdict(r)), d);
            bad++;
        }
        mtarep_dmarc_result_free(r);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 16, "expected 16 vectors, read %d", n);
    cr_assert_eq(bad, 0, "%d of %d vectors disagree (see log)", bad, n);
}

Test(dmarc, policy_tags)
{
    mtarep_dmarc_result *r = val("v=DMARC1; p=Quarantine; sp=reject; rua=mailto:a@example.com");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_VALID);
    cr_assert_str_eq(mtarep_dmarc_result_policy(r), "quarantine");
    cr_assert_str_eq(mtarep_dmarc_result_tag(r, "sp"), "reject");
    cr_assert_str_eq(mtarep_dmarc_result_tag(r, "RUA"), "mailto:a@example.com");
    cr_assert_null(mtarep_dmarc_result_tag(r, "np"));
    mtarep_dmarc_result_free(r);
    EXPECT("v=DMARC1; p=none", MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "monitoring only");
    EXPECT("v=DMARC1; p=none", MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "no rua");
    EXPECT("v=DMARC1; p=reject; sp=maybe", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "sp=maybe");
    EXPECT("v=DMARC1; p=reject; np=bogus", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "np=bogus");
    EXPECT("v=DMARC1; p=reject; np=reject", MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "RFC 9989");
    EXPECT("v=DMARC1; p=reject; adkim=x", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "adkim=x");
    EXPECT("v=DMARC1; p=reject; aspf=relaxed", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "aspf");
    EXPECT("v=DMARC1; p=reject; psd=y", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject; psd=x", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "psd=x");
    EXPECT("v=DMARC1; p=reject; t=n", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject; t=yes", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "t=yes");
    EXPECT("v=DMARC1; p=reject; t=y", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "testing");
    EXPECT("v=DMARC1; sp=reject; p=reject", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "second tag");
    EXPECT("v=DMARC1; sp=reject", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "no valid rua");
    EXPECT("v=DMARC1; rua=bogus", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "not a URI");
    EXPECT("v=DMARC1", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "p is missing");
    EXPECT("v=DMARC1 ; p=reject", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject;", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject; foo=bar", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "unknown tag");
    EXPECT("v=DMARC2; p=reject", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "v=DMARC1");
    EXPECT("v=dmarc1; p=reject", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "case-sensitive");
    EXPECT("v=DMARC1;; p=reject", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "offset 9");
    EXPECT("", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "v=DMARC1");
}

Test(dmarc, removed_tags)
{
    EXPECT("v=DMARC1; p=reject; pct=100", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "pct=100");
    EXPECT("v=DMARC1; p=reject; pct=101", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "0-100");
    EXPECT("v=DMARC1; p=reject; pct=-1", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "0-100");
    EXPECT("v=DMARC1; p=reject; rf=afrf", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "rf=");
    EXPECT("v=DMARC1; p=reject; rf=a f", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "rf=");
    EXPECT("v=DMARC1; p=reject; ri=3600", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "ri=");
    EXPECT("v=DMARC1; p=reject; ri=1h", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "ri=1h");
    EXPECT("v=DMARC1; p=reject; ri=99999999999", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "32-bit");
}

Test(dmarc, fo)
{
    EXPECT("v=DMARC1; p=reject; fo=0:1:d:s; ruf=mailto:f@example.com", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject; fo=1", MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "without ruf");
    EXPECT("v=DMARC1; p=reject; fo=1:", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "fo=");
    EXPECT("v=DMARC1; p=reject; fo=", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "fo=");
    EXPECT("v=DMARC1; p=reject; fo=01", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "fo=");
}

Test(dmarc, report_uris)
{
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com, mailto:b@example.com", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com,mailto:c@example.com",
           MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "3 URIs");
    EXPECT("v=DMARC1; p=reject; rua=https://example.com/r", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN,
           "not a mailto");
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com!10", MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN,
           "!size");
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com!x", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR,
           "size suffix");
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com!10q", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR,
           "size suffix");
    EXPECT("v=DMARC1; p=reject; rua=mailto:example.com", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR,
           "local@domain");
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@bad..domain", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR,
           "not a valid domain");
    EXPECT("v=DMARC1; p=reject; rua=mailto:a@example.com,", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR,
           "empty URI");
    EXPECT("v=DMARC1; p=reject; rua=", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "empty");
    EXPECT("v=DMARC1; p=reject; ruf=mailto:", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "ruf");
}

Test(dmarc, record_sets)
{
    authrec_txt t[2] = {{"v=spf1 -all", 11}, {"v=DMARC1; p=reject", 18}};
    mtarep_dmarc_result *r = calloc(1, sizeof *r);
    cr_assert_eq(mtarep__dmarc_check_set(r, t, 2), MTAREP_OK);
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_VALID, "other TXT is ignored");
    cr_assert(has_problem(r, MTAREP_AUTH_INFO, "ignored"));
    mtarep_dmarc_result_free(r);
    r = calloc(1, sizeof *r);
    cr_assert_eq(mtarep__dmarc_check_set(r, t, 0), MTAREP_OK);
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_NONE);
    mtarep_dmarc_result_free(r);
}

Test(dmarc, walk_names)
{
    char *n[8];
    size_t c = mtarep__dmarc_walk_names("a.b.c.d.e.f.g.h.i.j", n);
    /* the name, then 7 labels, then shorter (RFC 9989 4.10.1), 8 at most */
    const char *want[] = {"_dmarc.a.b.c.d.e.f.g.h.i.j", "_dmarc.d.e.f.g.h.i.j",
                          "_dmarc.e.f.g.h.i.j", "_dmarc.f.g.h.i.j", "_dmarc.g.h.i.j",
                          "_dmarc.h.i.j", "_dmarc.i.j", "_dmarc.j"};
    cr_assert_eq(c, 8);
    for (size_t i = 0; i < c; i++) {
        cr_assert_str_eq(n[i], want[i]);
        free(n[i]);
    }
    c = mtarep__dmarc_walk_names("mail.example.com", n);
    cr_assert_eq(c, 3);
    cr_assert_str_eq(n[1], "_dmarc.example.com");
    for (size_t i = 0; i < c; i++)
        free(n[i]);
}

static const char ZONE[] =
    "$TTL 300\n"
    "_dmarc.example.org. TXT \"v=DMARC1; p=reject; rua=mailto:d@example.org,mailto:x@reports.example.net\"\n"
    "_dmarc.mid.example.org. TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.spf.example.org. TXT \"v=spf1 -all\"\n"
    "_dmarc.two.example.org. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.two.example.org. TXT \"v=DMARC1; p=none\"\n"
    "example.org._report._dmarc.reports.example.net. TXT \"v=DMARC1\"\n"
    "_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject; rua=mailto:d@elsewhere.example\"\n";

static mtarep_ctx *zone_ctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK, "zone: %s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

static mtarep_dmarc_result *fetch(mtarep_ctx *ctx, const char *d)
{
    mtarep_dmarc_result *r = NULL;
    cr_assert_eq(mtarep_dmarc_fetch(&r, ctx, d, NULL), MTAREP_OK, "%s: %s", d, mtarep_ctx_errmsg(ctx));
    return r;
}

Test(dmarc, discovery_static)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_dmarc_result *r = fetch(ctx, "example.org");
    char d[4000];
    dump(r, d, sizeof d);
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_VALID, "%s", d);
    cr_assert_str_eq(mtarep_dmarc_result_rule(r), "exact");
    cr_assert_str_eq(mtarep_dmarc_result_policy(r), "reject");
    mtarep_dmarc_result_free(r);

    r = fetch(ctx, "a.b.example.org");
    cr_assert_str_eq(mtarep_dmarc_result_rule(r), "tree-walk");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "example.org");
    cr_assert_str_eq(mtarep_dmarc_result_org_domain(r), "example.org");
    mtarep_dmarc_result_free(r);

    /* the walk stops below the organizational domain: RFC 7489 disagrees */
    r = fetch(ctx, "x.mid.example.org");
    dump(r, d, sizeof d);
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "mid.example.org");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_WARNING, "%s", d);
    cr_assert(has_problem(r, MTAREP_AUTH_WARN, "organizational domain example.org"), "%s", d);
    mtarep_dmarc_result_free(r);

    /* an SPF record at _dmarc: skipped, the walk continues */
    r = fetch(ctx, "spf.example.org");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "example.org");
    cr_assert(has_problem(r, MTAREP_AUTH_WARN, "an SPF record"));
    mtarep_dmarc_result_free(r);

    r = fetch(ctx, "two.example.org");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_INVALID);
    cr_assert(has_problem(r, MTAREP_AUTH_ERROR, "2 DMARC records"));
    mtarep_dmarc_result_free(r);

    /* PSL: co.uk is a public suffix, so the org domain is example.co.uk */
    r = fetch(ctx, "shop.example.co.uk");
    dump(r, d, sizeof d);
    cr_assert_str_eq(mtarep_dmarc_result_org_domain(r), "example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "example.co.uk");
    /* elsewhere.example has no authorization record */
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_WARNING, "%s", d);
    cr_assert(has_problem(r, MTAREP_AUTH_WARN, "not authorized"), "%s", d);
    mtarep_dmarc_result_free(r);

    r = fetch(ctx, "nothing.example");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_NONE);
    cr_assert(has_problem(r, MTAREP_AUTH_ERROR, "no DMARC record"));
    mtarep_dmarc_result_free(r);

    cr_assert_eq(mtarep_dmarc_fetch(&r, ctx, "bad..name", NULL), MTAREP_EINVAL);
    mtarep_ctx_free(ctx);
}
