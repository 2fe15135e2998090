/* DKIM keys and DMARC policies fetched from the loopback Knot server
 * (tests/servers/zones/authtest.zone, example.co.uk.zone) and tri-state
 * behaviour against the fault server (MTAREP_TEST_FAULTDNS). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mtarep.h>

static mtarep_ctx *ctx_for(const char *env)
{
    const char *ns = getenv(env);
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options co = MTAREP_CTX_OPTIONS_INIT;
    cr_assert_not_null(ns, "%s not set", env);
    co.timeout_ms = 300;
    co.retries = 1;
    cr_assert_eq(mtarep_ctx_new(&ctx, &co), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, ns), MTAREP_OK);
    return ctx;
}

/* Knot may still be loading zones when the first test starts. */
static mtarep_ctx *knot(void)
{
    mtarep_ctx *ctx = ctx_for("MTAREP_TEST_KNOT");
    for (int i = 0; i < 100; i++) {
        mtarep_dkim_result *r = NULL;
        cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "good.authtest", "mail", NULL), MTAREP_OK);
        int v = mtarep_dkim_result_verdict(r);
        mtarep_dkim_result_free(r);
        if (v != MTAREP_AUTH_UNKNOWN)
            break;
        usleep(50 * 1000);
    }
    return ctx;
}

static int dkim_has(const mtarep_dkim_result *r, const char *needle)
{
    for (size_t i = 0; i < mtarep_dkim_result_problem_count(r); i++)
        if (strstr(mtarep_dkim_result_problem_message(r, i), needle))
            return 1;
    return 0;
}

static int dmarc_has(const mtarep_dmarc_result *r, const char *needle)
{
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++)
        if (strstr(mtarep_dmarc_result_problem_message(r, i), needle))
            return 1;
    return 0;
}
#define DKIM_HAS(r, s) dkim_has(r, s)
#define DMARC_HAS(r, s) dmarc_has(r, s)

Test(dkim_net, keys)
{
    mtarep_ctx *ctx = knot();
    static const struct {
        const char *sel;
        mtarep_auth_verdict v;
        const char *type;
        unsigned bits;
    } cases[] = {
        {"mail", MTAREP_AUTH_VALID, "rsa", 2048},
        {"ed", MTAREP_AUTH_VALID, "ed25519", 256},   /* via CNAME */
        {"big", MTAREP_AUTH_VALID, "rsa", 4096},     /* several strings joined */
        {"old", MTAREP_AUTH_WARNING, "rsa", 1024},
        {"gone", MTAREP_AUTH_INVALID, NULL, 0},
        {"missing", MTAREP_AUTH_NONE, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mtarep_dkim_result *r = NULL;
        cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "good.authtest", cases[i].sel, NULL), MTAREP_OK);
        cr_assert_eq(mtarep_dkim_result_verdict(r), cases[i].v, "%s: %s (%s)", cases[i].sel,
                     mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r)),
                     mtarep_dkim_result_problem_message(r, 0));
        if (cases[i].type)
            cr_assert_str_eq(mtarep_dkim_result_key_type(r), cases[i].type);
        cr_assert_eq(mtarep_dkim_result_key_bits(r), cases[i].bits, "%s", cases[i].sel);
        mtarep_dkim_result_free(r);
    }
    mtarep_ctx_free(ctx);
}

Test(dkim_net, discover)
{
    mtarep_ctx *ctx = knot();
    mtarep_dkim_discovery *d = NULL;
    const char *sel[] = {"mail", "ed", "nope", "default", "old"};
    mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;
    o.selectors = sel;
    o.selector_count = 5;
    cr_assert_eq(mtarep_dkim_discover(&d, ctx, "good.authtest", &o), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_discovery_found(d), 3);
    cr_assert_eq(mtarep_dkim_discovery_undecided(d), 0);
    cr_assert_eq(mtarep_dkim_result_verdict(mtarep_dkim_discovery_result(d, 2)), MTAREP_AUTH_NONE);
    mtarep_dkim_discovery_free(d);
    /* the built-in list finds "mail" */
    cr_assert_eq(mtarep_dkim_discover(&d, ctx, "nodmarc.authtest", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_discovery_found(d), 1);
    mtarep_dkim_discovery_free(d);
    mtarep_ctx_free(ctx);
}

static mtarep_dmarc_result *dmarc(mtarep_ctx *ctx, const char *d)
{
    mtarep_dmarc_result *r = NULL;
    cr_assert_eq(mtarep_dmarc_fetch(&r, ctx, d, NULL), MTAREP_OK, "%s: %s", d,
                 mtarep_ctx_errmsg(ctx));
    return r;
}

Test(dkim_net, dmarc_discovery)
{
    mtarep_ctx *ctx = knot();
    mtarep_dmarc_result *r = dmarc(ctx, "good.authtest");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_VALID, "%s",
                 mtarep_dmarc_result_problem_message(r, 0));
    cr_assert_str_eq(mtarep_dmarc_result_rule(r), "exact");
    cr_assert_str_eq(mtarep_dmarc_result_policy(r), "reject");
    mtarep_dmarc_result_free(r);

    /* tree walk from 4 labels below */
    r = dmarc(ctx, "a.b.c.good.authtest");
    cr_assert_str_eq(mtarep_dmarc_result_rule(r), "tree-walk");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "good.authtest");
    cr_assert_str_eq(mtarep_dmarc_result_org_domain(r), "good.authtest");
    mtarep_dmarc_result_free(r);

    /* walk stops at mid.good.authtest; the PSL org domain is good.authtest */
    r = dmarc(ctx, "x.mid.good.authtest");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "mid.good.authtest");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_WARNING);
    cr_assert(DMARC_HAS(r, "organizational domain good.authtest"));
    mtarep_dmarc_result_free(r);

    r = dmarc(ctx, "bad.authtest");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_INVALID);
    cr_assert(DMARC_HAS(r, "2 DMARC records"));
    mtarep_dmarc_result_free(r);

    r = dmarc(ctx, "leak.authtest");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_WARNING);
    cr_assert(DMARC_HAS(r, "not authorized"));
    mtarep_dmarc_result_free(r);

    /* walked to _dmarc.authtest: NXDOMAIN all the way, a definite "none" */
    r = dmarc(ctx, "www.nodmarc.authtest");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_NONE, "%s",
                 mtarep_dmarc_result_problem_message(r, 0));
    mtarep_dmarc_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(dkim_net, dmarc_public_suffix_list)
{
    mtarep_ctx *ctx = knot();
    /* co.uk is a public suffix: org domain example.co.uk, not co.uk */
    mtarep_dmarc_result *r = dmarc(ctx, "shop.example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_org_domain(r), "example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_rule(r), "tree-walk");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_VALID);
    mtarep_dmarc_result_free(r);
    r = dmarc(ctx, "a.mid.example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_policy_domain(r), "mid.example.co.uk");
    cr_assert_str_eq(mtarep_dmarc_result_org_domain(r), "example.co.uk");
    cr_assert(DMARC_HAS(r, "RFC 7489 receivers look at the organizational domain example.co.uk"));
    mtarep_dmarc_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(dkim_net, could_not_decide)
{
    mtarep_ctx *ctx = ctx_for("MTAREP_TEST_FAULTDNS");
    mtarep_dkim_result *k = NULL;
    mtarep_dmarc_result *r = NULL;
    mtarep_dkim_discovery *d = NULL;
    const char *sel[] = {"servfail", "ok"};
    mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;

    cr_assert_eq(mtarep_dkim_fetch(&k, ctx, "servfail.example", "s", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(k), MTAREP_AUTH_UNKNOWN);
    mtarep_dkim_result_free(k);
    cr_assert_eq(mtarep_dkim_fetch(&k, ctx, "example", "timeout", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(k), MTAREP_AUTH_UNKNOWN);
    cr_assert(DKIM_HAS(k, "could not decide"));
    mtarep_dkim_result_free(k);

    o.selectors = sel;
    o.selector_count = 2;
    cr_assert_eq(mtarep_dkim_discover(&d, ctx, "example", &o), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_discovery_undecided(d), 1);
    mtarep_dkim_discovery_free(d);

    r = dmarc(ctx, "servfail.example");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_UNKNOWN);
    mtarep_dmarc_result_free(r);
    r = dmarc(ctx, "a.timeout.example");
    cr_assert_eq(mtarep_dmarc_result_verdict(r), MTAREP_AUTH_UNKNOWN);
    cr_assert(DMARC_HAS(r, "could not decide"));
    mtarep_dmarc_result_free(r);
    mtarep_ctx_free(ctx);
}
