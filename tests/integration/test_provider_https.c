/* Providers against the loopback HTTPS server (tests/servers/httpsd.py,
 * test CA made by start.sh): the fixtures, each typed error, a wrong CA,
 * and the key never showing in any output of a failing call. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "provider/provider_int.h"
#include <mtarep.h>

#define MG_KEY "key-test-0123456789abcdef"
#define SNDS_KEY "0a1b2c3d-1111-2222-3333-444455556666"
#define G_TOKEN "ya29.test-token-0123456789"

static char base[256], ca[512], wrongca[512];
static mtarep_ctx *ctx;
static char logbuf[16384];

static void on_log(mtarep_log_level level, const char *msg, void *payload)
{
    (void)level;
    (void)payload;
    strncat(logbuf, msg, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

static void setup(void)
{
    const char *https = getenv("MTAREP_TEST_HTTPS"), *state = getenv("MTAREP_TEST_STATE");
    cr_assert(https && state, "MTAREP_TEST_HTTPS / MTAREP_TEST_STATE not set");
    snprintf(ca, sizeof ca, "%s/https/ca.pem", state);
    snprintf(wrongca, sizeof wrongca, "%s/https/wrongca.pem", state);
    snprintf(base, sizeof base, "https://%s", https);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    logbuf[0] = '\0';
    mtarep_ctx_set_log_callback(ctx, on_log, MTAREP_LOG_DEBUG, NULL);
}

static void teardown(void)
{
    mtarep_ctx_free(ctx);
}

TestSuite(provider_https, .init = setup, .fini = teardown, .timeout = 60);

/* Options aimed at case @p which of the server. */
static mtarep_provider_options opts_for(const char *which, char *buf, size_t len)
{
    mtarep_provider_options o;
    mtarep_provider_options_init(&o, MTAREP_PROVIDER_OPTIONS_VERSION);
    snprintf(buf, len, "%s/%s", base, which);
    o.base_url = buf;
    o.ca_file = ca;
    o.timeout_ms = 5000;
    return o;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(provider_https, mailgun_stats)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.mailgun_api = MTAREP_MAILGUN_STATS;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_result_period_count(r), 3);
    cr_assert_eq(mtarep_provider_period_volume(mtarep_provider_result_overall(r)), 27500);
    cr_assert_str_eq(mtarep_provider_result_subject(r), "mg.example.com");
    cr_assert_eq(mtarep_provider_http_status(ctx), 200);
    mtarep_provider_result_free(r);
}

Test(provider_https, mailgun_metrics)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_result_period_count(r), 3);
    cr_assert_eq(mtarep_provider_period_volume(mtarep_provider_result_period(r, 0)), 12480);
    mtarep_provider_result_free(r);
}

Test(provider_https, mailgun_request_shape_checked_by_server)
{
    /* httpsd answers 400 unless the request has the documented shape */
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.start = "Mon, 01 Sep 2025 00:00:00 +0000";
    o.end = "1756944000";
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    mtarep_provider_result_free(r);
    o.mailgun_api = MTAREP_MAILGUN_STATS;
    o.resolution = "month";
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    mtarep_provider_result_free(r);
}

Test(provider_https, snds)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok/snds", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_result_period_count(r), 5);
    cr_assert_eq(mtarep_provider_result_blocked_count(r), 3);
    cr_assert_eq(mtarep_provider_period_reputation(mtarep_provider_result_overall(r)), MTAREP_REP_BAD);
    cr_assert_null(strstr(logbuf, SNDS_KEY), "%s", logbuf);
    cr_assert(strstr(logbuf, "/data.aspx -> HTTP 200"), "%s", logbuf);
    mtarep_provider_result_free(r);
}

Test(provider_https, postmaster_two_pages)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_OK,
                 "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_result_period_count(r), 3);
    cr_assert_str_eq(mtarep_provider_period_start(mtarep_provider_result_period(r, 2)), "2025-09-03");
    mtarep_provider_result_free(r);
}

Test(provider_https, postmaster_v2)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.postmaster_api = MTAREP_POSTMASTER_V2;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_OK,
                 "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_result_period_count(r), 2);
    cr_assert_eq(mtarep_provider_period_reputation(mtarep_provider_result_overall(r)),
                 MTAREP_REP_UNKNOWN);
    mtarep_provider_result_free(r);
    o.postmaster_api = (mtarep_postmaster_api)7;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_EINVAL);
}

Test(provider_https, mailgun_401_bad_key_or_region)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", "key-wrong-000000", &o),
                 MTAREP_EAUTH);
    cr_assert_null(r);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "bad API key or wrong region (US/EU)"), "%s",
              mtarep_ctx_errmsg(ctx));
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "Forbidden"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_http_status(ctx), 401);
}

Test(provider_https, e401_text_body_each_provider)
{
    char b[300];
    mtarep_provider_options o = opts_for("e401", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EAUTH);
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_EAUTH);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "token"), "%s", mtarep_ctx_errmsg(ctx));
}

Test(provider_https, not_found)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.mailgun_api = MTAREP_MAILGUN_STATS;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "unknown.example.com", MG_KEY, &o),
                 MTAREP_ENOTFOUND);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "Domain not found"), "%s", mtarep_ctx_errmsg(ctx));
    o.mailgun_api = MTAREP_MAILGUN_METRICS;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "unknown.example.com", MG_KEY, &o),
                 MTAREP_ENOTFOUND);
    o = opts_for("e404", b, sizeof b);
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ENOTFOUND);
}

Test(provider_https, postmaster_permission_denied)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "denied.example.com", G_TOKEN, &o),
                 MTAREP_EAUTH);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "PERMISSION_DENIED: The caller does not have permission"),
              "%s", mtarep_ctx_errmsg(ctx));
}

Test(provider_https, rate_limited_with_retry_after)
{
    char b[300];
    mtarep_provider_options o = opts_for("e429", b, sizeof b);
    mtarep_provider_result *r = NULL;
    double t0 = now_s();
    o.max_retry_wait_s = 5; /* the server asks for 7 s: give up at once */
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_ETHROTTLED);
    cr_assert_eq(mtarep_provider_retry_after(ctx), 7);
    cr_assert_eq(mtarep_provider_http_status(ctx), 429);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "retry after 7 s"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_lt(now_s() - t0, 3.0);
    o.max_retry_wait_s = 30;
    o.max_retries = 0;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETHROTTLED);
}

Test(provider_https, retry_after_honoured_then_ok)
{
    char b[300], c[64];
    mtarep_provider_options o;
    mtarep_provider_result *r = NULL;
    double t0 = now_s(), dt;
    snprintf(c, sizeof c, "e429once-%ld-%ld/snds", (long)getpid(), (long)time(NULL));
    o = opts_for(c, b, sizeof b);
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    dt = now_s() - t0;
    cr_assert_geq(dt, 0.9, "did not wait for Retry-After: %.2f s", dt);
    cr_assert(strstr(logbuf, "retrying in 1 s"), "%s", logbuf);
    mtarep_provider_result_free(r);
}

Test(provider_https, bad_request_message_surfaced)
{
    char b[300];
    mtarep_provider_options o = opts_for("e400", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_EHTTP);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "HTTP 400: 'resolution' parameter is invalid"), "%s",
              mtarep_ctx_errmsg(ctx));
}

Test(provider_https, server_error)
{
    char b[300];
    mtarep_provider_options o = opts_for("e500", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_EHTTP);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "HTTP 500: internal error"), "%s", mtarep_ctx_errmsg(ctx));
}

Test(provider_https, timeout)
{
    char b[300];
    mtarep_provider_options o = opts_for("slow", b, sizeof b);
    mtarep_provider_result *r = NULL;
    double t0 = now_s();
    o.timeout_ms = 800;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_ETIMEOUT,
                 "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_lt(now_s() - t0, 2.5);
}

Test(provider_https, truncated_and_malformed)
{
    char b[300];
    mtarep_provider_options o = opts_for("trunc", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.mailgun_api = MTAREP_MAILGUN_STATS;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_EPARSE);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "malformed JSON at byte"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_EPARSE);
    o = opts_for("trunc/snds", b, sizeof b);
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EPARSE, "%s", mtarep_ctx_errmsg(ctx));
    o = opts_for("malformed", b, sizeof b);
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_EPARSE);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "at byte 17"), "%s", mtarep_ctx_errmsg(ctx));
    o = opts_for("malformed/snds", b, sizeof b);
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EPARSE);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "not an IP address"), "%s", mtarep_ctx_errmsg(ctx));
    o = opts_for("partial/snds", b, sizeof b);
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EHTTP, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "truncated"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_null(r);
}

Test(provider_https, huge_bodies)
{
    char b[300];
    mtarep_provider_options o = opts_for("huge", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.max_body = 1u << 20;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_ELIMIT,
                 "%s", mtarep_ctx_errmsg(ctx));
    o = opts_for("hugestream", b, sizeof b);
    o.max_body = 1u << 20;
    o.mailgun_api = MTAREP_MAILGUN_STATS;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_ELIMIT,
                 "%s", mtarep_ctx_errmsg(ctx));
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "larger than 1048576 bytes"), "%s", mtarep_ctx_errmsg(ctx));
}

Test(provider_https, redirect_not_followed)
{
    char b[300];
    mtarep_provider_options o = opts_for("redirect/snds", b, sizeof b);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EHTTP);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "redirect not followed"), "%s", mtarep_ctx_errmsg(ctx));
}

Test(provider_https, wrong_ca_is_tls_error)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.ca_file = wrongca;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o), MTAREP_ETLS, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_null(r);
    o.ca_file = NULL; /* the system store does not know the test CA either */
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o), MTAREP_ETLS);
}

Test(provider_https, connection_refused_is_tempfail)
{
    mtarep_provider_options o;
    mtarep_provider_result *r = NULL;
    mtarep_provider_options_init(&o, MTAREP_PROVIDER_OPTIONS_VERSION);
    o.base_url = "https://127.0.0.1:1";
    o.ca_file = ca;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETEMPFAIL, "%s",
                 mtarep_ctx_errmsg(ctx));
}

/* The server quotes every credential back (body and URL): none may reach
 * the error message, the log, or a JSON result. */
Test(provider_https, key_never_in_output_of_failing_call)
{
    char b[300];
    mtarep_provider_options o = opts_for("echo", b, sizeof b);
    mtarep_provider_result *r = NULL;
    const char *secrets[] = {MG_KEY, SNDS_KEY, G_TOKEN};
    int rc[3];

    rc[0] = mtarep_provider_mailgun(&r, ctx, "mg.example.com", MG_KEY, &o);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "basic=<key>"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), MG_KEY));
    rc[1] = mtarep_provider_snds(&r, ctx, SNDS_KEY, &o);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "key=<key>"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), SNDS_KEY));
    rc[2] = mtarep_provider_postmaster(&r, ctx, "mail.example.com", G_TOKEN, &o);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "bearer=<key>"), "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), G_TOKEN));
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(rc[i], MTAREP_EAUTH);
        cr_assert_null(strstr(logbuf, secrets[i]), "%s", logbuf);
    }
    cr_assert_null(r);
    /* also a timeout and a TLS failure with the key in the URL */
    o = opts_for("slow/snds", b, sizeof b);
    o.timeout_ms = 300;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETIMEOUT);
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), SNDS_KEY));
    o.ca_file = wrongca;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETLS);
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), SNDS_KEY));
    cr_assert_null(strstr(logbuf, SNDS_KEY));
    cr_assert_neq(logbuf[0], '\0'); /* the log did run */
}

Test(provider_https, result_json_has_no_key)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok/snds", b, sizeof b);
    mtarep_provider_result *r = NULL;
    char *js;
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_OK);
    js = mtarep_provider_result_json(r);
    cr_assert_not_null(js);
    cr_assert_null(strstr(js, SNDS_KEY));
    cr_assert(strstr(js, "\"volume\":95863"), "%s", js);
    free(js);
    mtarep_provider_result_free(r);
}

Test(provider_https, plain_http_only_to_loopback)
{
    /* accepted for loopback: the connection is tried (nothing listens on
     * port 1), never refused as EINVAL */
    mtarep_provider_options o;
    mtarep_provider_result *r = NULL;
    mtarep_provider_options_init(&o, MTAREP_PROVIDER_OPTIONS_VERSION);
    o.base_url = "http://127.0.0.1:1";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETEMPFAIL, "%s",
                 mtarep_ctx_errmsg(ctx));
    /* [::1] is loopback too: checked without a connection, as tests only
     * ever connect to 127.0.0.1 */
    cr_assert_eq(mtarep__http_check_base(ctx, "snds", "http://[::1]:1"), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    o.base_url = "http://192.0.2.1:1";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EINVAL);
    o.base_url = "http://localhost.example:1";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_EINVAL);
}

Test(provider_https, unreadable_ca_file_is_tls_error)
{
    char b[300];
    mtarep_provider_options o = opts_for("ok/snds", b, sizeof b);
    mtarep_provider_result *r = NULL;
    o.ca_file = "/nonexistent/ca.pem";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, SNDS_KEY, &o), MTAREP_ETLS, "%s",
                 mtarep_ctx_errmsg(ctx));
}
