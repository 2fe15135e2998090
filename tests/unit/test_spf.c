/* SPF: parser positions, macro expansion, text validation, inspect tree,
 * batch evaluation and tri-state behaviour (static zones, no network). */
#include <criterion/criterion.h>
#include <string.h>

#include "spf/spf_int.h"
#include <mtarep.h>

static const char ZONE[] =
    "$TTL 300\n"
    "example.org.        TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.example.org "
    "a mx ptr -all\"\n"
    "example.org.        A 198.51.100.1\n"
    "example.org.        MX 10 mx.example.org.\n"
    "mx.example.org.     A 198.51.100.25\n"
    "_spf.example.org.   TXT \"v=spf1 ip6:2001:db8::/32 include:_spf2.example.org ~all\"\n"
    "_spf2.example.org.  TXT \"v=spf1 a:nothing.example.org ?all\"\n"
    "loop.example.org.   TXT \"v=spf1 include:loop2.example.org -all\"\n"
    "loop2.example.org.  TXT \"v=spf1 include:loop.example.org -all\"\n"
    "two.example.org.    TXT \"v=spf1 -all\"\n"
    "two.example.org.    TXT \"v=spf1 +all\"\n"
    "only99.example.org. TYPE99 \\# 12 0b763d73706631202d616c6c\n";

static mtarep_ctx *zone_ctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK, "zone: %s",
                 mtarep_ctx_errmsg(ctx));
    return ctx;
}

Test(spf, parse_error_position)
{
    spf_record r;
    char err[200];
    size_t pos = 99;
    const char txt[] = "v=spf1 ip4:192.0.2.1 foo:bar -all";
    cr_assert_eq(mtarep__spf_parse(&r, txt, strlen(txt), err, sizeof err, &pos), MTAREP_EPARSE);
    cr_assert_eq(pos, 21, "error at offset %zu (%s)", pos, err);
    cr_assert_eq(mtarep__spf_parse(&r, "v=spf1 a:x.com/24//64 -all", 26, err, sizeof err, &pos),
                 MTAREP_OK, "%s", err);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.t[0].cidr4, 24);
    cr_assert_eq(r.t[0].cidr6, 64);
    cr_assert_str_eq(r.t[0].arg, "x.com");
    cr_assert_eq(r.dns_terms, 1);
    mtarep__spf_record_free(&r);
}

Test(spf, parse_nul_inside_record_is_error)
{
    spf_record r;
    char err[100];
    size_t pos = 0;
    const char txt[] = "v=spf1 a:foo\0bar.com -all";
    cr_assert_eq(mtarep__spf_parse(&r, txt, sizeof txt - 1, err, sizeof err, &pos),
                 MTAREP_EPARSE);
    cr_assert_eq(pos, 12, "NUL at offset 12, got %zu", pos);
}

Test(spf, macro_expansion)
{
    mtarep_ip ip6, ip4;
    char out[512];
    spf_macro_env env;
    memset(&env, 0, sizeof env);
    mtarep__ip_parse(&ip4, "192.0.2.3");
    mtarep__ip_parse(&ip6, "2001:db8::cb01");
    env.sender = "strong-bad@email.example.com";
    env.local = "strong-bad";
    env.sdomain = "email.example.com";
    env.domain = "email.example.com";
    env.helo = "mx.example.org";
    env.ip = &ip4;
    /* RFC 7208 7.4 examples */
    cr_assert_eq(mtarep__spf_macro_expand(&env, "%{ir}.%{v}._spf.%{d2}", 0, out, sizeof out), 0);
    cr_assert_str_eq(out, "3.2.0.192.in-addr._spf.example.com");
    mtarep__spf_macro_expand(&env, "%{lr-}.lp._spf.%{d2}", 0, out, sizeof out);
    cr_assert_str_eq(out, "bad.strong.lp._spf.example.com");
    mtarep__spf_macro_expand(&env, "%{d2r}.%{l1r-}%%%_%-", 0, out, sizeof out);
    cr_assert_str_eq(out, "example.email.strong% %20");
    mtarep__spf_macro_expand(&env, "%{S}", 0, out, sizeof out);
    cr_assert_str_eq(out, "strong-bad%40email.example.com");
    env.ip = &ip6;
    mtarep__spf_macro_expand(&env, "%{ir}.%{v}", 0, out, sizeof out);
    cr_assert_str_eq(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6");
    cr_assert_eq(mtarep__spf_macro_expand(&env, "%{c}", 0, out, sizeof out), MTAREP_EPARSE,
                 "%%{c} only in exp text");
    cr_assert_eq(mtarep__spf_macro_expand(&env, "%{c} %{r}", 1, out, sizeof out), 0);
    cr_assert_str_eq(out, "2001:db8::cb01 unknown");
    cr_assert_eq(mtarep__spf_macro_expand(&env, "%x", 0, out, sizeof out), MTAREP_EPARSE);
}

Test(spf, validate_text_warnings)
{
    mtarep_spf_result *r = NULL;
    const char txt[] = "v=spf1 ptr foo=bar +all";
    cr_assert_eq(mtarep_spf_validate(&r, NULL, txt, strlen(txt)), MTAREP_OK);
    cr_assert(mtarep_spf_result_valid(r));
    cr_assert_eq(mtarep_spf_result_lookups(r), 1);
    cr_assert_geq(mtarep_spf_result_warning_count(r), 3, "ptr, unknown modifier, +all");
    mtarep_spf_result_free(r);

    cr_assert_eq(mtarep_spf_validate(&r, NULL, "v=spf1 ip4:1.2.3.4/33", 21), MTAREP_OK);
    cr_assert_not(mtarep_spf_result_valid(r));
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_PERMERROR);
    cr_assert_eq(mtarep_spf_result_error_offset(r), 18, "offset %ld",
                 mtarep_spf_result_error_offset(r));
    mtarep_spf_result_free(r);
}

Test(spf, check_fail_and_pass)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_spf_result *r = NULL;
    cr_assert_eq(mtarep_spf_check(&r, ctx, "192.0.2.9", "user@example.org", "h.example.org",
                                  NULL), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_PASS);
    cr_assert_eq(mtarep_spf_result_lookups(r), 0);
    mtarep_spf_result_free(r);
    cr_assert_eq(mtarep_spf_check(&r, ctx, "203.0.113.7", "user@example.org", NULL, NULL),
                 MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_FAIL, "got %s (%s)",
                 mtarep_spf_verdict_name(mtarep_spf_result_verdict(r)),
                 mtarep_spf_result_reason(r));
    cr_assert_not_null(mtarep_spf_result_explanation(r));
    cr_assert_eq(mtarep_spf_result_lookups(r), 6, "include, include, a, a, mx, ptr: %u",
                 mtarep_spf_result_lookups(r));
    cr_assert_eq(mtarep_spf_result_node_count(r), 3);
    cr_assert_str_eq(mtarep_spf_result_node_via(r, 2), "include");
    cr_assert_eq(mtarep_spf_result_node_lookups_total(r, 0), 6);
    mtarep_spf_result_free(r);
    cr_assert_eq(mtarep_spf_check(&r, ctx, "not-an-ip", "a@example.org", NULL, NULL),
                 MTAREP_EINVAL);
    cr_assert_null(r);
    mtarep_ctx_free(ctx);
}

Test(spf, helo_identity_option)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_spf_result *r = NULL;
    mtarep_spf_options o = MTAREP_SPF_OPTIONS_INIT;
    o.helo_identity = 1;
    /* sender's domain has no record; the HELO domain passes the client */
    cr_assert_eq(mtarep_spf_check(&r, ctx, "192.0.2.9", "x@nowhere.example.org", "example.org",
                                  &o), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_PASS);
    mtarep_spf_result_free(r);
    o.helo_identity = 0;
    cr_assert_eq(mtarep_spf_check(&r, ctx, "192.0.2.9", "x@nowhere.example.org", "example.org",
                                  &o), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_NONE);
    mtarep_spf_result_free(r);
    cr_assert_eq(mtarep_spf_check(&r, ctx, "192.0.2.9", "", NULL, NULL), MTAREP_EINVAL,
                 "null sender without HELO");
    mtarep_ctx_free(ctx);
}

Test(spf, batch)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_spf_query q[3] = {{"192.0.2.1", "a@example.org", NULL},
                             {"198.51.100.25", "b@example.org", NULL},
                             {"bad", "c@example.org", NULL}};
    mtarep_spf_result *out[3];
    cr_assert_eq(mtarep_spf_check_batch(out, ctx, q, 3, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(out[0]), MTAREP_SPF_PASS);
    cr_assert_eq(mtarep_spf_result_verdict(out[1]), MTAREP_SPF_PASS, "mx match");
    cr_assert_null(out[2]);
    mtarep_spf_result_free(out[0]);
    mtarep_spf_result_free(out[1]);
    mtarep_ctx_free(ctx);
}

Test(spf, batch_larger_than_window)
{
    enum { N = 2500 };
    mtarep_ctx *ctx = zone_ctx();
    static mtarep_spf_query q[N];
    static mtarep_spf_result *out[N];
    for (size_t i = 0; i < N; i++) {
        q[i].ip = i % 2 ? "192.0.2.77" : "203.0.113.1";
        q[i].sender = "x@example.org";
        q[i].helo = NULL;
    }
    cr_assert_eq(mtarep_spf_check_batch(out, ctx, q, N, NULL), MTAREP_OK);
    for (size_t i = 0; i < N; i++) {
        cr_assert_not_null(out[i], "entry %zu", i);
        cr_assert_eq(mtarep_spf_result_verdict(out[i]), i % 2 ? MTAREP_SPF_PASS : MTAREP_SPF_FAIL,
                     "entry %zu: %s", i, mtarep_spf_verdict_name(mtarep_spf_result_verdict(out[i])));
        mtarep_spf_result_free(out[i]);
    }
    mtarep_ctx_free(ctx);
}

static int has_warning(const mtarep_spf_result *r, const char *needle)
{
    for (size_t i = 0; i < mtarep_spf_result_warning_count(r); i++)
        if (strstr(mtarep_spf_result_warning(r, i), needle))
            return 1;
    return 0;
}

Test(spf, inspect_tree)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_spf_result *r = NULL;
    cr_assert_eq(mtarep_spf_inspect(&r, ctx, "example.org", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_node_count(r), 3);
    cr_assert_eq(mtarep_spf_result_lookups(r), 6, "tree lookups %u", mtarep_spf_result_lookups(r));
    cr_assert_eq(mtarep_spf_result_node_lookups(r, 0), 4);
    cr_assert_eq(mtarep_spf_result_void_lookups(r), 1, "nothing.example.org is void");
    cr_assert(has_warning(r, "deprecated"));
    cr_assert(mtarep_spf_result_valid(r));
    mtarep_spf_result_free(r);

    cr_assert_eq(mtarep_spf_inspect(&r, ctx, "loop.example.org", NULL), MTAREP_OK);
    cr_assert(has_warning(r, "loop"));
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_PERMERROR);
    mtarep_spf_result_free(r);

    cr_assert_eq(mtarep_spf_inspect(&r, ctx, "two.example.org", NULL), MTAREP_OK);
    cr_assert(has_warning(r, "more than one"));
    cr_assert_not(mtarep_spf_result_valid(r));
    mtarep_spf_result_free(r);

    cr_assert_eq(mtarep_spf_inspect(&r, ctx, "only99.example.org", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_NONE);
    cr_assert(has_warning(r, "type 99"), "warnings: %zu", mtarep_spf_result_warning_count(r));
    mtarep_spf_result_free(r);
    mtarep_ctx_free(ctx);
}

/* A timeout is temperror, never pass (plugged resolver that never answers). */
static int never_submit(void *p, const char *n, int t, mtarep_resolver_done_cb d, void *a)
{
    (void)p, (void)n, (void)t;
    d(MTAREP_ETIMEOUT, NULL, 0, a);
    return 0;
}
static int never_poll(void *p, int ms) { (void)p, (void)ms; return 0; }

Test(spf, timeout_is_temperror)
{
    mtarep_ctx *ctx = NULL;
    mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, never_submit, never_poll, NULL};
    mtarep_spf_result *r = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    mtarep_ctx_set_resolver(ctx, &ops, NULL);
    cr_assert_eq(mtarep_spf_check(&r, ctx, "192.0.2.1", "a@example.org", NULL, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_spf_result_verdict(r), MTAREP_SPF_TEMPERROR);
    mtarep_spf_result_free(r);
    mtarep_ctx_free(ctx);
}
