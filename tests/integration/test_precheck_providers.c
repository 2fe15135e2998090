/* mtarep_precheck() with provider credentials against the loopback HTTPS
 * server (tests/servers/httpsd.py; cases "good", "bad", "e401", "echo",
 * "slow", "e429once-..."): each provider's check ok, problem, unknown on
 * 401 and timeout (the verdict never ok then), its place in the order, a
 * 429 retried, and the keys never in the report, its JSON, the context's
 * message or the log. DNS comes from static zones only (nothing leaves the
 * machine but loopback HTTPS). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mtarep.h>

#define MG_KEY "key-test-0123456789abcdef"
#define SNDS_KEY "0a1b2c3d-1111-2222-3333-444455556666"
#define G_TOKEN "ya29.test-token-0123456789"

static char base[256], ca[512], url[300];
static char logbuf[65536];

static void on_log(mtarep_log_level level, const char *msg, void *payload)
{
    (void)level;
    (void)payload;
    strncat(logbuf, msg, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

/* A setup where every DNS check is ok: 192.0.2.10 forward-confirms and is
 * on no list of the one (static) zone, which passes its health check. */
static const char CLEAN[] =
    "10.2.0.192.in-addr.arpa. 300 IN PTR mta1.example.net.\n"
    "mta1.example.net. 300 IN A 192.0.2.10\n"
    "2.0.0.127.bl.test. 300 IN A 127.0.0.2\n";
static const char *const BL[] = {"bl.test"};

static mtarep_ctx *new_ctx(int demo)
{
    mtarep_ctx *ctx = NULL;
    char path[4096];
    const char *src = getenv("MTAREP_SOURCE_DIR");
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    if (demo) {
        cr_assert_not_null(src, "MTAREP_SOURCE_DIR not set");
        snprintf(path, sizeof path, "%s/examples/demo.zone", src);
        cr_assert_eq(mtarep_ctx_add_zone_file(ctx, path), MTAREP_OK, "%s",
                     mtarep_ctx_errmsg(ctx));
    }
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, CLEAN), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    logbuf[0] = '\0';
    mtarep_ctx_set_log_callback(ctx, on_log, MTAREP_LOG_DEBUG, NULL);
    return ctx;
}

static void setup(void)
{
    const char *https = getenv("MTAREP_TEST_HTTPS"), *state = getenv("MTAREP_TEST_STATE");
    cr_assert(https && state, "MTAREP_TEST_HTTPS / MTAREP_TEST_STATE not set");
    snprintf(ca, sizeof ca, "%s/https/ca.pem", state);
    snprintf(base, sizeof base, "https://%s", https);
}

TestSuite(precheck_providers, .init = setup, .timeout = 60);

static mtarep_precheck_options opts_for(const char *which, int mailgun, int snds, int gpt)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    snprintf(url, sizeof url, "%s/%s", base, which);
    o.provider_base_url = url;
    o.provider_ca_file = ca;
    o.provider_timeout_ms = 5000;
    o.mailgun_key = mailgun ? MG_KEY : NULL;
    o.snds_key = snds ? SNDS_KEY : NULL;
    o.postmaster_token = gpt ? G_TOKEN : NULL;
    return o;
}

static const mtarep_precheck_check *find(const mtarep_precheck_report *r, const char *name,
                                         size_t *pos)
{
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        if (strcmp(mtarep_precheck_check_name(c), name) == 0) {
            if (pos)
                *pos = i;
            return c;
        }
    }
    cr_assert_fail("no check %s", name);
    return NULL;
}

static int evidence_has(const mtarep_precheck_check *c, const char *what)
{
    for (size_t i = 0; i < mtarep_precheck_check_evidence_count(c); i++)
        if (strstr(mtarep_precheck_check_evidence(c, i), what))
            return 1;
    return 0;
}

static void assert_no_keys(const char *s, const char *where)
{
    if (!s)
        return;
    cr_assert_null(strstr(s, MG_KEY), "Mailgun key in %s: %s", where, s);
    cr_assert_null(strstr(s, SNDS_KEY), "SNDS key in %s: %s", where, s);
    cr_assert_null(strstr(s, G_TOKEN), "Google token in %s: %s", where, s);
    cr_assert_null(strstr(s, "key-test-01"), "part of a key in %s: %s", where, s);
}

static void assert_report_clean(mtarep_ctx *ctx, const mtarep_precheck_report *r)
{
    assert_no_keys(mtarep_precheck_report_json(r), "JSON");
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        assert_no_keys(mtarep_precheck_check_subject(c), "subject");
        assert_no_keys(mtarep_precheck_check_advice(c), "advice");
        for (size_t k = 0; k < mtarep_precheck_check_evidence_count(c); k++)
            assert_no_keys(mtarep_precheck_check_evidence(c, k), "evidence");
    }
    assert_no_keys(mtarep_ctx_errmsg(ctx), "errmsg");
    assert_no_keys(logbuf, "log");
}

static mtarep_precheck_status st(const mtarep_precheck_check *c)
{
    return mtarep_precheck_check_status(c);
}

Test(precheck_providers, all_ok)
{
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o = opts_for("good", 1, 1, 1);
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.10"};
    const mtarep_precheck_check *c;

    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    c = find(r, "mailgun", NULL);
    cr_assert_eq(st(c), MTAREP_PRECHECK_OK, "%s", mtarep_precheck_check_evidence(c, 0));
    cr_assert_str_eq(mtarep_precheck_check_subject(c), "example.com");
    cr_assert(evidence_has(c, "27500 accepted"), "%s", mtarep_precheck_check_evidence(c, 0));
    cr_assert(evidence_has(c, "esp_block"));
    c = find(r, "postmaster", NULL);
    cr_assert_eq(st(c), MTAREP_PRECHECK_OK, "%s", mtarep_precheck_check_evidence(c, 0));
    cr_assert(evidence_has(c, "domain reputation high"));
    c = find(r, "snds", NULL);
    cr_assert_eq(st(c), MTAREP_PRECHECK_OK, "%s", mtarep_precheck_check_evidence(c, 0));
    cr_assert_str_eq(mtarep_precheck_check_subject(c), "192.0.2.10");
    cr_assert(evidence_has(c, "filter result GREEN"));
    cr_assert_null(mtarep_precheck_check_advice(c));
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* Everything the DNS sees is fine, SNDS too: the verdict is ok; SNDS
 * failing (401, timeout) or rows with nothing to judge turn it unknown,
 * never ok. */
Test(precheck_providers, verdict_follows_snds)
{
    static const char *const cases[] = {"good", "e401", "slow", "blank"};
    static const mtarep_precheck_status want[] = {MTAREP_PRECHECK_OK, MTAREP_PRECHECK_UNKNOWN,
                                                  MTAREP_PRECHECK_UNKNOWN,
                                                  MTAREP_PRECHECK_UNKNOWN};
    static const char *const ev[] = {"GREEN", "MTAREP_EAUTH", "MTAREP_ETIMEOUT",
                                     "neither a filter result nor a complaint rate"};
    for (size_t k = 0; k < 4; k++) {
        mtarep_ctx *ctx = new_ctx(0);
        mtarep_precheck_options o = opts_for(cases[k], 0, 1, 0);
        mtarep_precheck_report *r = NULL;
        const char *ips[] = {"192.0.2.10"};
        const mtarep_precheck_check *c;
        o.zones = BL;
        o.zone_count = 1;
        o.provider_timeout_ms = 1000; /* "slow" answers after 3 s */
        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_OK, "%s",
                     mtarep_ctx_errmsg(ctx));
        c = find(r, "snds", NULL);
        cr_assert_eq(st(c), want[k], "%s: %s", cases[k], mtarep_precheck_check_evidence(c, 0));
        cr_assert(evidence_has(c, ev[k]), "%s: %s", cases[k],
                  mtarep_precheck_check_evidence(c, 0));
        cr_assert_eq(mtarep_precheck_report_verdict(r), want[k], "%s: %s", cases[k],
                     mtarep_precheck_report_json(r));
        cr_assert_str_empty(mtarep_ctx_errmsg(ctx)); /* a failed provider is not an error */
        assert_report_clean(ctx, r);
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
    }
}

Test(precheck_providers, bad_results_rank_first)
{
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o = opts_for("bad", 1, 1, 1);
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"198.51.100.7"};
    const mtarep_precheck_check *c;
    size_t snds, gpt, mg, dnsbl, spf;

    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_PROBLEM);
    c = find(r, "snds", &snds);
    cr_assert_eq(st(c), MTAREP_PRECHECK_PROBLEM);
    cr_assert(evidence_has(c, "filter result RED"));
    cr_assert(evidence_has(c, "Microsoft blocks 198.51.100.0 - 198.51.100.7"));
    cr_assert(evidence_has(c, "212 spam trap hit(s)"));
    cr_assert(strstr(mtarep_precheck_check_advice(c), "sender.office.com"));
    c = find(r, "postmaster", &gpt);
    cr_assert_eq(st(c), MTAREP_PRECHECK_PROBLEM);
    cr_assert(evidence_has(c, "domain reputation bad"));
    cr_assert(strstr(mtarep_precheck_check_advice(c), "0.3%"));
    c = find(r, "mailgun", &mg);
    cr_assert_eq(st(c), MTAREP_PRECHECK_PROBLEM);
    cr_assert(strstr(mtarep_precheck_check_advice(c), "Over 5%"));
    /* the receivers' own verdicts first; the ESP's rates after SPF */
    find(r, "dnsbl", &dnsbl);
    find(r, "spf", &spf);
    cr_assert_eq(snds, 0, "%s", mtarep_precheck_report_json(r));
    cr_assert_eq(gpt, 1);
    cr_assert_lt(gpt, dnsbl);
    if (st(mtarep_precheck_report_check(r, spf)) == MTAREP_PRECHECK_PROBLEM)
        cr_assert_lt(spf, mg);
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* A 401, and a server quoting every credential back: unknown with the
 * typed reason and advice, keys nowhere. */
Test(precheck_providers, unauthorized_and_echo)
{
    static const char *const cases[] = {"e401", "echo"};
    for (size_t k = 0; k < 2; k++) {
        mtarep_ctx *ctx = new_ctx(1);
        mtarep_precheck_options o = opts_for(cases[k], 1, 1, 1);
        mtarep_precheck_report *r = NULL;
        const char *ips[] = {"192.0.2.10"};
        const mtarep_precheck_check *c;

        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
        cr_assert_neq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_OK);
        c = find(r, "mailgun", NULL);
        cr_assert_eq(st(c), MTAREP_PRECHECK_UNKNOWN);
        cr_assert(evidence_has(c, "MTAREP_EAUTH"), "%s", mtarep_precheck_check_evidence(c, 0));
        cr_assert(strstr(mtarep_precheck_check_advice(c), "wrong region"));
        cr_assert_eq(st(find(r, "snds", NULL)), MTAREP_PRECHECK_UNKNOWN);
        cr_assert_eq(st(find(r, "postmaster", NULL)), MTAREP_PRECHECK_UNKNOWN);
        if (k == 1)
            cr_assert(evidence_has(c, "<key>"), "%s", mtarep_precheck_check_evidence(c, 0));
        assert_report_clean(ctx, r);
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
    }
}

Test(precheck_providers, timeout_unknown)
{
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o = opts_for("slow", 1, 0, 1);
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.10"};
    const mtarep_precheck_check *c;

    o.provider_timeout_ms = 800;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
    c = find(r, "mailgun", NULL);
    cr_assert_eq(st(c), MTAREP_PRECHECK_UNKNOWN);
    cr_assert(evidence_has(c, "MTAREP_ETIMEOUT"), "%s", mtarep_precheck_check_evidence(c, 0));
    cr_assert(strstr(mtarep_precheck_check_advice(c), "in time"));
    c = find(r, "postmaster", NULL);
    cr_assert_eq(st(c), MTAREP_PRECHECK_UNKNOWN);
    cr_assert(evidence_has(c, "MTAREP_ETIMEOUT"));
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* One 429 (Retry-After: 1) among the requests that run side by side: the
 * multi path retries it on a timer and every check still ends ok. */
Test(precheck_providers, retry_after_429)
{
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.10"};
    struct timespec t0, t1, c0, c1;
    char which[64];
    double secs, cpu;

    clock_gettime(CLOCK_REALTIME, &t0); /* the server answers 429 once per case name */
    snprintf(which, sizeof which, "e429once-pc%ld-%ld", (long)getpid(), (long)t0.tv_nsec);
    o = opts_for(which, 1, 1, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    cr_assert(strstr(logbuf, "HTTP 429, retrying in 1 s"), "%s", logbuf);
    cr_assert(secs >= 1.0 && secs < 4.0, "%.3f s", secs);
    /* the second waiting on the retry timer alone is slept, not spun */
    cr_assert(cpu < secs / 2, "%.3f s CPU in %.3f s", cpu, secs);
    cr_assert_eq(st(find(r, "snds", NULL)), MTAREP_PRECHECK_OK);
    /* "ok" serves the plain fixtures: judged (whatever the verdict), not unknown */
    cr_assert_neq(st(find(r, "mailgun", NULL)), MTAREP_PRECHECK_UNKNOWN);
    cr_assert_neq(st(find(r, "postmaster", NULL)), MTAREP_PRECHECK_UNKNOWN);
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck_providers, bad_input_and_old_options)
{
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o = opts_for("good", 1, 0, 0), v1;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.10"};

    /* Mailgun and Postmaster need the domain */
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EINVAL);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "mailgun"));
    o.mailgun_region = "mars";
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_EINVAL);
    o.mailgun_region = "eu";
    o.provider_base_url = "http://192.0.2.1:80";
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_EINVAL);
    o = opts_for("good", 0, 0, 0);
    o.snds_key = "";
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EINVAL);
    o.snds_key = SNDS_KEY "\r\nX: y";
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EINVAL);
    assert_no_keys(mtarep_ctx_errmsg(ctx), "errmsg");
    cr_assert_null(r);
    o.version = 3;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EVERSION);

    /* a version-1 struct: the provider fields are not read */
    memset(&v1, 0xA5, sizeof v1);
    cr_assert_eq(mtarep_precheck_options_init(&v1, 1), MTAREP_OK);
    cr_assert_eq(v1.version, 1);
    cr_assert_eq(v1.selectors, NULL);
    v1.zones = BL;
    v1.zone_count = 1;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &v1), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const char *n = mtarep_precheck_check_name(mtarep_precheck_report_check(r, i));
        cr_assert(strcmp(n, "snds") && strcmp(n, "mailgun") && strcmp(n, "postmaster"));
    }
    cr_assert_eq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_OK,
                 "%s", mtarep_precheck_report_json(r));
    mtarep_precheck_report_free(r);
    cr_assert_eq(mtarep_precheck_options_init(&v1, 2), MTAREP_OK);
    cr_assert_null(v1.mailgun_key);
    cr_assert_eq(mtarep_precheck_options_init(&v1, 3), MTAREP_EVERSION);
    mtarep_ctx_free(ctx);
}

/* One context, used again: a precheck whose three providers all fail at
 * once (each check carries its own provider's message, not another's), a
 * precheck where they succeed, a blocking provider call, and a precheck
 * without providers (the side job detached). Under ASan: no use after free. */
Test(precheck_providers, context_reused_after_side_by_side)
{
    static const struct {
        const char *check, *own, *other1, *other2;
    } who[] = {{"mailgun", "mailgun", "snds", "postmaster"},
               {"snds", "snds", "mailgun", "postmaster"},
               {"postmaster", "postmaster", "mailgun", "snds"}};
    mtarep_ctx *ctx = new_ctx(1);
    mtarep_precheck_options o = opts_for("e401", 1, 1, 1);
    mtarep_provider_options po = MTAREP_PROVIDER_OPTIONS_INIT;
    mtarep_provider_result *pr = NULL;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.10"};

    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
    for (size_t i = 0; i < 3; i++) {
        const mtarep_precheck_check *c = find(r, who[i].check, NULL);
        const char *ev = mtarep_precheck_check_evidence(c, 0);
        cr_assert_eq(st(c), MTAREP_PRECHECK_UNKNOWN);
        cr_assert(evidence_has(c, "MTAREP_EAUTH"), "%s", ev);
        cr_assert(strstr(ev, who[i].own), "%s: %s", who[i].check, ev);
        cr_assert_null(strstr(ev, who[i].other1), "%s: %s", who[i].check, ev);
        cr_assert_null(strstr(ev, who[i].other2), "%s: %s", who[i].check, ev);
    }
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);

    o = opts_for("good", 1, 1, 1);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
    cr_assert_eq(st(find(r, "snds", NULL)), MTAREP_PRECHECK_OK);
    cr_assert_eq(st(find(r, "mailgun", NULL)), MTAREP_PRECHECK_OK);
    cr_assert_eq(st(find(r, "postmaster", NULL)), MTAREP_PRECHECK_OK);
    assert_report_clean(ctx, r);
    mtarep_precheck_report_free(r);

    po.base_url = url;
    po.ca_file = ca;
    cr_assert_eq(mtarep_provider_snds(&pr, ctx, SNDS_KEY, &po), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_http_status(ctx), 200);
    mtarep_provider_result_free(pr);

    o = opts_for("good", 0, 0, 0);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
    cr_assert_gt(mtarep_precheck_report_count(r), 0);
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++)
        cr_assert_str_neq(mtarep_precheck_check_name(mtarep_precheck_report_check(r, i)), "snds");
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}
