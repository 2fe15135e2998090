/* Provider parsers on the fixtures (tests/data/providers, see SOURCE) and
 * hand-made edge cases; no network. The HTTPS tests are in
 * tests/integration/test_provider_https.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/provider_int.h"
#include <mtarep.h>

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    const char *dir = getenv("MTAREP_TEST_DATA");
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof path, "%s/providers/%s", dir ? dir : "tests/data", name);
    f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static mtarep_provider_result *parse_file(mtarep_provider_format fmt, const char *name)
{
    size_t len;
    char *body = slurp(name, &len);
    mtarep_provider_result *r = NULL;
    long pos = 0;
    int rc = mtarep_provider_parse(&r, NULL, fmt, body, len, &pos);
    cr_assert_eq(rc, MTAREP_OK, "%s: rc %d", name, rc);
    cr_assert_eq(pos, -1);
    free(body);
    return r;
}

#define near(a, b) cr_assert(fabs((a) - (b)) < 1e-9, "%.10f != %.10f", (double)(a), (double)(b))

Test(provider, mailgun_stats_fixture)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_MAILGUN_STATS, "mailgun-stats-total.json");
    const mtarep_provider_period *p;

    cr_assert_str_eq(mtarep_provider_result_source(r), "mailgun");
    cr_assert_eq(mtarep_provider_result_period_count(r), 3);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-01T00:00:00Z"); /* "UTC" parsed */
    cr_assert_eq(mtarep_provider_period_volume(p), 12480);
    near(mtarep_provider_period_bounce_rate(p), (118.0 + 8) / 12480);
    near(mtarep_provider_period_complaint_rate(p), 6.0 / 12480);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_UNKNOWN);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"suppress-bounce\":96"));
    /* day 3: old shape, nothing accepted -> no rates, volume 0 */
    p = mtarep_provider_result_period(r, 2);
    cr_assert_eq(mtarep_provider_period_volume(p), 0);
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    cr_assert_lt(mtarep_provider_period_complaint_rate(p), 0);
    p = mtarep_provider_result_overall(r);
    cr_assert_eq(mtarep_provider_period_volume(p), 12480 + 15020);
    near(mtarep_provider_period_bounce_rate(p), (126.0 + 345) / (12480 + 15020));
    near(mtarep_provider_period_complaint_rate(p), 25.0 / (12480 + 15020));
    cr_assert_eq(mtarep_provider_period_count(p, "accepted"), 27500);
    cr_assert_eq(mtarep_provider_period_count(p, "esp_block"), 1700);
    cr_assert_eq(mtarep_provider_period_count(p, "suppressed"), 131 + 171);
    cr_assert_eq(mtarep_provider_period_count(p, "nonsense"), -1);
    p = mtarep_provider_result_period(r, 2); /* older shape: no failed.temporary.total */
    cr_assert_eq(mtarep_provider_period_count(p, "failed_temporary"), 0);
    cr_assert_eq(mtarep_provider_period_count(p, "delivered"), 0);
    mtarep_provider_result_free(r);
}

Test(provider, mailgun_stats_only_delivered)
{
    /* mailgun.js' own fixture returns only the requested event */
    const char *b = "{\"stats\":[{\"time\":\"Tue, 14 Feb 2012 00:00:00 GMT\","
                    "\"delivered\":{\"total\":3}}]}";
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *p;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_MAILGUN_STATS, b, strlen(b), NULL), 0);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2012-02-14T00:00:00Z");
    cr_assert_eq(mtarep_provider_period_volume(p), -1);
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    char *js = mtarep_provider_result_json(r);
    cr_assert(strstr(js, "\"volume\":null,\"bounce_rate\":null,\"complaint_rate\":null"), "%s", js);
    free(js);
    mtarep_provider_result_free(r);
}

Test(provider, mailgun_stats_huge_counters_saturate)
{
    /* counters summed from int64-sized fields must not overflow (UB) */
    const char *b = "{\"stats\":[{\"accepted\":{\"total\":5},\"failed\":{\"permanent\":{"
                    "\"bounce\":9223372036854775807,\"delayed-bounce\":9223372036854775807,"
                    "\"suppress-bounce\":9223372036854775807,"
                    "\"suppress-complaint\":9223372036854775807}}}]}";
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *p;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_MAILGUN_STATS, b, strlen(b), NULL), 0);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_eq(mtarep_provider_period_count(p, "bounced"), INT64_MAX);
    cr_assert_eq(mtarep_provider_period_count(p, "suppressed"), INT64_MAX);
    near(mtarep_provider_period_bounce_rate(p), 1.0);
    mtarep_provider_result_free(r);
}

Test(provider, mailgun_metrics_fixture)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_MAILGUN_METRICS,
                                           "mailgun-analytics-metrics.json");
    const mtarep_provider_period *p;
    cr_assert_eq(mtarep_provider_result_period_count(r), 3);
    p = mtarep_provider_result_period(r, 1);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-02T00:00:00Z");
    cr_assert_eq(mtarep_provider_period_volume(p), 15020);
    near(mtarep_provider_period_bounce_rate(p), 301.0 / 15020);
    near(mtarep_provider_period_complaint_rate(p), 19.0 / 15020);
    p = mtarep_provider_result_period(r, 2); /* a null count, zero volume */
    cr_assert_eq(mtarep_provider_period_volume(p), 0);
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"temporary_failed_esp_block_count\":null"));
    cr_assert_eq(mtarep_provider_period_count(p, "esp_block"), -1);
    p = mtarep_provider_result_overall(r);
    cr_assert_eq(mtarep_provider_period_count(p, "esp_block"), 1700);
    cr_assert_eq(mtarep_provider_period_count(p, "bounced"), 118 + 301);
    cr_assert_eq(mtarep_provider_period_count(p, "suppressed"), -1); /* stats API only */
    mtarep_provider_result_free(r);
}

Test(provider, mailgun_metrics_rate_strings)
{
    /* a null count falls back to Mailgun's rate string */
    const char *b = "{\"items\":[{\"dimensions\":[],\"metrics\":{\"accepted_count\":100,"
                    "\"hard_bounces_count\":null,\"bounce_rate\":\"0.0300\"}}]}";
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_MAILGUN_METRICS, b, strlen(b), NULL), 0);
    near(mtarep_provider_period_bounce_rate(mtarep_provider_result_period(r, 0)), 0.03);
    cr_assert_lt(mtarep_provider_period_complaint_rate(mtarep_provider_result_period(r, 0)), 0);
    mtarep_provider_result_free(r);
}

Test(provider, mailgun_401_text_is_parse_error_not_crash)
{
    size_t len;
    char *body = slurp("mailgun-error-401.json", &len);
    mtarep_provider_result *r = NULL;
    mtarep_ctx *ctx;
    long pos;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(mtarep_provider_parse(&r, ctx, MTAREP_PROVIDER_MAILGUN_STATS, body, len, &pos),
                 MTAREP_EPARSE);
    cr_assert_null(r);
    cr_assert_eq(pos, 0);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "not a JSON object"));
    mtarep_ctx_free(ctx);
    free(body);
}

Test(provider, json_error_text_cut_inside_a_secret)
{
    /* jansson quotes the text up to the error ("near '...'"): a key echoed
     * in a cut or bad body must not leave its first characters there */
    static const char *const bodies[] = {
        "{\"x\": \"abcdefgh1234", "{\"x\": abcdefgh12345678}",
        "{\"x\":1} abcdefgh12345678", "{\"x\": \"abcdefgh12345678\\q\"}"};
    mtarep_provider_result *r = NULL;
    mtarep_ctx *ctx;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(mtarep__secrets_push(ctx, "abcdefgh12345678"), 0);
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        cr_assert_eq(mtarep_provider_parse(&r, ctx, MTAREP_PROVIDER_POSTMASTER_TRAFFIC, bodies[i],
                                           strlen(bodies[i]), NULL),
                     MTAREP_EPARSE);
        cr_assert(strstr(mtarep_ctx_errmsg(ctx), "malformed JSON at byte"), "%s",
                  mtarep_ctx_errmsg(ctx));
        cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), "abcd"), "%s", mtarep_ctx_errmsg(ctx));
    }
    mtarep_ctx_free(ctx);
}

Test(provider, truncated_json_position)
{
    size_t len;
    char *body = slurp("mailgun-stats-total.json", &len);
    mtarep_provider_result *r = NULL;
    mtarep_ctx *ctx;
    long pos;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(mtarep_provider_parse(&r, ctx, MTAREP_PROVIDER_MAILGUN_STATS, body, 700, &pos),
                 MTAREP_EPARSE);
    cr_assert_eq(pos, 700);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "malformed JSON at byte 700"), "%s",
              mtarep_ctx_errmsg(ctx));
    mtarep_ctx_free(ctx);
    free(body);
}

Test(provider, snds_data_fixture)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_SNDS_DATA, "snds-data.csv");
    const mtarep_provider_period *p;
    cr_assert_eq(mtarep_provider_result_period_count(r), 5);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_str_eq(mtarep_provider_period_subject(p), "192.0.2.10");
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-01T00:00:00");
    cr_assert_str_eq(mtarep_provider_period_end(p), "2025-09-01T23:59:00");
    cr_assert_eq(mtarep_provider_period_volume(p), 48211);
    near(mtarep_provider_period_complaint_rate(p), 0.001);
    cr_assert_eq(mtarep_provider_period_complaint_upper_bound(p), 1);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_HIGH);
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"sample_helo\":\"mta1.example.net\","
                                                    "\"jmr_p1_sender\":\"bounce@news.example.com\""));
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"trap_start\":\"\""));
    p = mtarep_provider_result_period(r, 2);
    near(mtarep_provider_period_complaint_rate(p), 0.003);
    cr_assert_eq(mtarep_provider_period_complaint_upper_bound(p), 0);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_LOW);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"trap_hits\":14"));
    p = mtarep_provider_result_period(r, 3);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_BAD);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-01T01:00:00");
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"comments\":\"Abuse reported\""));
    p = mtarep_provider_result_overall(r);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_BAD);
    cr_assert_eq(mtarep_provider_period_volume(p), 48211 + 15503 + 22899 + 9120 + 130);
    cr_assert_eq(mtarep_provider_period_complaint_upper_bound(p), 1);
    mtarep_provider_result_free(r);
}

Test(provider, snds_short_rows_and_quotes)
{
    /* 11 fields is enough; quoted comma in a field; LF only */
    const char *b = "\xEF\xBB\xBF" /* BOM */
                    "192.0.2.1,1/2/2025 12:30 PM,1/2/2025 1:00 PM,5,5,5,GREEN,<0.1%,,,0\n"
                    "192.0.2.2,,,1,1,1,red,2.5 %,,,0,\"helo, x\",,\"a \"\"q\"\"\"\r\n";
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *p;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_SNDS_DATA, b, strlen(b), NULL), 0);
    cr_assert_eq(mtarep_provider_result_period_count(r), 2);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-01-02T12:30:00");
    p = mtarep_provider_result_period(r, 1);
    cr_assert_null(mtarep_provider_period_start(p));
    near(mtarep_provider_period_complaint_rate(p), 0.025);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_BAD);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"sample_helo\":\"helo, x\""));
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"comments\":\"a \\\"q\\\"\""));
    mtarep_provider_result_free(r);
}

Test(provider, snds_malformed)
{
    static const struct {
        const char *body;
        long pos;
    } bad[] = {
        {"<html><body>Error</body></html>\r\n", 0},
        {"192.0.2.1,a,b,c\r\n", 0},
        {"192.0.2.1,,,1,x,1,GREEN,< 0.1%,,,0,,,\r\n", 14},
        {"192.0.2.1,,,1,1,1,GREEN,lots,,,0,,,\r\n", 24},
        {"192.0.2.1,,,1,1,1,GREEN,< 0.1%,,,0,\"open\r\n", 40},
        {"192.0.2.1,,,1,1,1,GREEN,< 0.1%,,,0,,,\r\n999.1.1.1,,,1,1,1,GREEN,,,,0\r\n", 39},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mtarep_provider_result *r = NULL;
        long pos;
        cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_SNDS_DATA, bad[i].body,
                                           strlen(bad[i].body), &pos),
                     MTAREP_EPARSE, "case %zu", i);
        cr_assert_eq(pos, bad[i].pos, "case %zu: pos %ld", i, pos);
        cr_assert_null(r);
    }
}

Test(provider, snds_not_utf8_still_has_json)
{
    /* SNDS text is not JSON: a Latin-1 reason or date text must not make
     * mtarep_provider_result_json() fail (NULL means out of memory) */
    const char *data = "192.0.2.1,9/1/2025 \xe9t\xe9,,1,1,1,GREEN,< 0.1%,,,0,,,\r\n";
    const char *ips = "192.0.2.0,192.0.2.255,Yes,Bloqu\xe9 (spam)\r\n";
    mtarep_provider_result *r = NULL;
    char *js;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_SNDS_DATA, data, strlen(data), NULL), 0);
    js = mtarep_provider_result_json(r);
    cr_assert_not_null(js);
    cr_assert(strstr(js, "\"start\":\"9/1/2025 ?t?\""), "%s", js);
    free(js);
    mtarep_provider_result_free(r);
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_SNDS_IPSTATUS, ips, strlen(ips), NULL), 0);
    js = mtarep_provider_result_json(r);
    cr_assert_not_null(js);
    cr_assert(strstr(js, "\"reason\":\"Bloqu? (spam)\""), "%s", js);
    free(js);
    mtarep_provider_result_free(r);
}

Test(provider, snds_ipstatus_fixture)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_SNDS_IPSTATUS, "snds-ipstatus.csv");
    cr_assert_eq(mtarep_provider_result_blocked_count(r), 3);
    cr_assert_str_eq(mtarep_provider_result_blocked_first(r, 1), "198.51.100.0");
    cr_assert_str_eq(mtarep_provider_result_blocked_last(r, 1), "198.51.100.7");
    cr_assert_str_eq(mtarep_provider_result_blocked_reason(r, 2), "SpamHaus SBL/XBL");
    cr_assert_null(mtarep_provider_result_blocked_first(r, 3));
    mtarep_provider_result_free(r);
    /* empty body: nothing blocked */
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_SNDS_IPSTATUS, "", 0, NULL), 0);
    cr_assert_eq(mtarep_provider_result_blocked_count(r), 0);
    mtarep_provider_result_free(r);
}

Test(provider, postmaster_fixtures)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_POSTMASTER_TRAFFIC,
                                           "postmaster-trafficstats.json");
    const mtarep_provider_period *p = mtarep_provider_result_period(r, 0);
    cr_assert_eq(mtarep_provider_result_period_count(r), 1);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-02");
    near(mtarep_provider_period_complaint_rate(p), 0.0021);
    near(mtarep_provider_period_bounce_rate(p), 0.004 + 0.0002);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_MEDIUM);
    cr_assert_eq(mtarep_provider_period_volume(p), -1);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"ipCount\":\"2\""));
    mtarep_provider_result_free(r);

    r = parse_file(MTAREP_PROVIDER_POSTMASTER_TRAFFIC, "postmaster-trafficstats-list.json");
    cr_assert_eq(mtarep_provider_result_period_count(r), 2);
    p = mtarep_provider_result_period(r, 0);
    cr_assert_lt(mtarep_provider_period_complaint_rate(p), 0); /* absent = no data */
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_HIGH);
    p = mtarep_provider_result_overall(r);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_MEDIUM); /* worst */
    near(mtarep_provider_period_complaint_rate(p), 0.0021);
    mtarep_provider_result_free(r);
}

Test(provider, postmaster_v2_fixture)
{
    mtarep_provider_result *r = parse_file(MTAREP_PROVIDER_POSTMASTER_V2,
                                           "postmaster-v2-domainstats-query.json");
    const mtarep_provider_period *p;
    char *next = NULL;
    size_t len;
    char *body;
    cr_assert_str_eq(mtarep_provider_result_source(r), "postmaster");
    cr_assert_eq(mtarep_provider_result_period_count(r), 2); /* grouped by date */
    p = mtarep_provider_result_period(r, 1);
    cr_assert_str_eq(mtarep_provider_period_start(p), "2025-09-02");
    near(mtarep_provider_period_complaint_rate(p), 0.0021);
    cr_assert_lt(mtarep_provider_period_bounce_rate(p), 0);
    cr_assert_eq(mtarep_provider_period_reputation(p), MTAREP_REP_UNKNOWN);
    cr_assert(strstr(mtarep_provider_period_raw(p), "\"rejects\":57"), "%s",
              mtarep_provider_period_raw(p)); /* intValue "57" decoded */
    near(mtarep_provider_period_complaint_rate(mtarep_provider_result_overall(r)), 0.0015);
    mtarep_provider_result_free(r);
    /* "" is the last page */
    body = slurp("postmaster-v2-domainstats-query.json", &len);
    r = mtarep__prov_result_new("postmaster", NULL);
    cr_assert_eq(mtarep__prov_parse_postmaster_v2(r, NULL, body, len, NULL, &next), 0);
    cr_assert_null(next);
    mtarep_provider_result_free(r);
    free(body);
}

/* Rows are grouped by date with an index, not a scan of all periods per
 * row: 20 pages of 8000 new days (the paging limit) took minutes of CPU with
 * the scan (quadratic in the days of all pages). */
Test(provider, postmaster_v2_many_dates_linear, .timeout = 20)
{
    size_t cap = 1u << 20;
    char *b = malloc(cap);
    char *next = NULL;
    mtarep_provider_result *r = mtarep__prov_result_new("postmaster", NULL);
    int y = 1;
    cr_assert_not_null(b);
    for (int page = 0; page < 20; page++) {
        size_t n = (size_t)snprintf(b, cap, "{\"domainStats\":[");
        for (int items = 0; items < 8000; y++)
            for (int m = 1; m <= 12; m++)
                for (int d = 1; d <= 5; d++, items++)
                    n += (size_t)snprintf(b + n, cap - n,
                                          "%s{\"metric\":\"spam_rate\",\"date\":{\"year\":%d,"
                                          "\"month\":%d,\"day\":%d},\"value\":{\"doubleValue\":0.01}}",
                                          items ? "," : "", y, m, d);
        /* a day of the first page again: merged into its period */
        n += (size_t)snprintf(b + n, cap - n, ",{\"metric\":\"reject_rate\",\"date\":{\"year\":1,"
                                              "\"month\":1,\"day\":1},\"value\":{\"doubleValue\":0.5}}]}");
        cr_assert_lt(n, cap - 1);
        cr_assert_eq(mtarep__prov_parse_postmaster_v2(r, NULL, b, n, NULL, &next), 0);
        cr_assert_null(next);
    }
    cr_assert_eq(mtarep_provider_result_period_count(r), (size_t)(y - 1) * 60);
    cr_assert_str_eq(mtarep_provider_period_start(mtarep_provider_result_period(r, 0)), "0001-01-01");
    near(mtarep_provider_period_bounce_rate(mtarep_provider_result_period(r, 0)), 0.5);
    mtarep_provider_result_free(r);
    free(b);
}

Test(provider, postmaster_v2_edge_cases)
{
    const char *b = "{\"domainStats\":[{\"metric\":\"reject_rate\",\"value\":{\"doubleValue\":0.02}},"
                    "{\"metric\":\"spam_rate\",\"value\":{\"stringValue\":\"x\"}}],"
                    "\"nextPageToken\":\"p2\"}";
    const char *bad = "{\"domainStats\":[{\"metric\":\"spam_rate\",\"date\":{\"year\":2025,"
                      "\"month\":13,\"day\":1},\"value\":{\"doubleValue\":0.1}}]}";
    mtarep_provider_result *r = mtarep__prov_result_new("postmaster", NULL);
    char *next = NULL;
    cr_assert_eq(mtarep__prov_parse_postmaster_v2(r, NULL, b, strlen(b), NULL, &next), 0);
    cr_assert_str_eq(next, "p2");
    cr_assert_eq(mtarep_provider_result_period_count(r), 1); /* undated: one OVERALL period */
    near(mtarep_provider_period_bounce_rate(mtarep_provider_result_period(r, 0)), 0.02);
    cr_assert_lt(mtarep_provider_period_complaint_rate(mtarep_provider_result_period(r, 0)), 0);
    free(next);
    mtarep_provider_result_free(r);
    r = NULL;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_POSTMASTER_V2, bad, strlen(bad), NULL),
                 MTAREP_EPARSE);
}

Test(provider, postmaster_next_page_and_bounds)
{
    const char *b = "{\"trafficStats\":[{\"name\":\"domains/x/trafficStats/20250101\","
                    "\"userReportedSpamRatioLowerBound\":0.001,"
                    "\"userReportedSpamRatioUpperBound\":0.003}],\"nextPageToken\":\"abc\"}";
    mtarep_provider_result *r = mtarep__prov_result_new("postmaster", NULL);
    char *next = NULL;
    cr_assert_eq(mtarep__prov_parse_postmaster(r, NULL, b, strlen(b), NULL, &next), 0);
    cr_assert_str_eq(next, "abc");
    near(mtarep_provider_period_complaint_rate(mtarep_provider_result_period(r, 0)), 0.002);
    free(next);
    mtarep_provider_result_free(r);
}

Test(provider, postmaster_error_envelope)
{
    size_t len;
    char *body = slurp("postmaster-error-403.json", &len);
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_parse(&r, NULL, MTAREP_PROVIDER_POSTMASTER_TRAFFIC, body, len,
                                       NULL),
                 MTAREP_EPARSE);
    free(body);
}

Test(provider, reputation_scale)
{
    cr_assert_lt(MTAREP_REP_BAD, MTAREP_REP_LOW);
    cr_assert_lt(MTAREP_REP_LOW, MTAREP_REP_MEDIUM);
    cr_assert_lt(MTAREP_REP_MEDIUM, MTAREP_REP_HIGH);
    cr_assert_str_eq(mtarep_reputation_name(MTAREP_REP_HIGH), "high");
    cr_assert_null(mtarep_reputation_name(MTAREP_REP_UNKNOWN));
}

Test(provider, rfc2822_zones)
{
    char b[32];
    cr_assert_eq(mtarep__prov_rfc2822_iso("Mon, 13 Nov 2023 20:56:50 -0600", b, sizeof b), 0);
    cr_assert_str_eq(b, "2023-11-14T02:56:50Z");
    cr_assert_eq(mtarep__prov_rfc2822_iso("Mon, 01 Sep 2025 00:00:00 +0000", b, sizeof b), 0);
    cr_assert_str_eq(b, "2025-09-01T00:00:00Z");
    cr_assert_eq(mtarep__prov_rfc2822_iso("Mon, 01 Sep 2025 00:00:00 EST", b, sizeof b), 0);
    cr_assert_str_eq(b, "2025-09-01T05:00:00Z");
    cr_assert_eq(mtarep__prov_rfc2822_iso("Mon, 01 Sep 2025 25:00:00 UTC", b, sizeof b), -1);
    cr_assert_eq(mtarep__prov_rfc2822_iso("yesterday", b, sizeof b), -1);
}

Test(provider, secrets_redacted_from_result)
{
    /* a server echoing the key in a field: redacted in raw and JSON */
    const char *b = "192.0.2.1,,,1,1,1,GREEN,< 0.1%,,,0,,,key s3cr3t-K3Y here\r\n";
    mtarep_provider_result *r = NULL;
    mtarep_ctx *ctx;
    char *js;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(mtarep__secrets_push(ctx, "s3cr3t-K3Y"), 0);
    cr_assert_eq(mtarep_provider_parse(&r, ctx, MTAREP_PROVIDER_SNDS_DATA, b, strlen(b), NULL), 0);
    js = mtarep_provider_result_json(r);
    cr_assert_null(strstr(js, "s3cr3t"), "%s", js);
    cr_assert(strstr(js, "key <key> here"), "%s", js);
    free(js);
    mtarep_provider_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(provider, options_and_base_url_checks)
{
    mtarep_provider_options o;
    mtarep_ctx *ctx;
    mtarep_provider_result *r = NULL;
    cr_assert_eq(mtarep_provider_options_init(&o, 99), MTAREP_EVERSION);
    cr_assert_eq(mtarep_provider_options_init(&o, MTAREP_PROVIDER_OPTIONS_VERSION), 0);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    o.base_url = "http://192.0.2.1:80";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, "testkey-123", &o), MTAREP_EINVAL);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "loopback"), "%s", mtarep_ctx_errmsg(ctx));
    o.base_url = "ftp://127.0.0.1";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, "testkey-123", &o), MTAREP_EINVAL);
    o.base_url = "https://127.0.0.1:1/x?y=1";
    cr_assert_eq(mtarep_provider_snds(&r, ctx, "testkey-123", &o), MTAREP_EINVAL);
    o.base_url = "https://127.0.0.1:1";
    o.region = "asia";
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "example.com", "testkey-123", &o), MTAREP_EINVAL);
    o.region = NULL;
    o.duration = "1w";
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "example.com", "testkey-123", &o), MTAREP_EINVAL);
    o.duration = "0d"; /* an empty period */
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "example.com", "testkey-123", &o), MTAREP_EINVAL);
    o.duration = NULL;
    /* dates are checked before any request: not a date, too many digits,
     * start after end (the base URL's port 1 would refuse a request) */
    {
        static const char *const bad[][2] = {{"yesterday", NULL},
                                             {"99999999999999999999", NULL},
                                             {NULL, "-5"},
                                             {"1756944000", "1756000000"},
                                             {"Tue, 02 Sep 2025 00:00:00 +0000", "1756684800"}};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            o.start = bad[i][0];
            o.end = bad[i][1];
            cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "example.com", "testkey-123", &o),
                         MTAREP_EINVAL, "case %zu", i);
        }
        o.start = o.end = NULL;
    }
    o.snds_date = "133125"; /* month 13 */
    cr_assert_eq(mtarep_provider_snds(&r, ctx, "testkey-123", &o), MTAREP_EINVAL);
    o.snds_date = "013225"; /* day 32 */
    cr_assert_eq(mtarep_provider_snds(&r, ctx, "testkey-123", &o), MTAREP_EINVAL);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "MMDDYY"), "%s", mtarep_ctx_errmsg(ctx));
    o.snds_date = NULL;
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "bad domain", "testkey-123", &o), MTAREP_EINVAL);
    cr_assert_eq(mtarep_provider_mailgun(&r, ctx, "example.com", "a\nb", &o), MTAREP_EINVAL);
    o.days = 0;
    cr_assert_eq(mtarep_provider_postmaster(&r, ctx, "example.com", "testkey-123", &o), MTAREP_EINVAL);
    mtarep_ctx_free(ctx);
}

static char lastlog[2048];
static void keep_log(mtarep_log_level level, const char *msg, void *payload)
{
    (void)level;
    (void)payload;
    snprintf(lastlog, sizeof lastlog, "%s", msg);
}

Test(provider, secret_cut_by_truncation_leaves_no_prefix)
{
    mtarep_ctx *ctx;
    char pad[1100], *r;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(mtarep__secrets_push(ctx, "SECRETKEY123"), 0);
    /* the key straddles the 512-octet error message and the 1024-octet log line */
    memset(pad, 'a', sizeof pad);
    pad[505] = '\0';
    mtarep__fail(ctx, MTAREP_EHTTP, "%sSECRETKEY123 tail", pad);
    cr_assert_null(strstr(mtarep_ctx_errmsg(ctx), "SECR"), "%s", mtarep_ctx_errmsg(ctx) + 500);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "<key>"));
    mtarep_ctx_set_log_callback(ctx, keep_log, MTAREP_LOG_DEBUG, NULL);
    pad[505] = 'a';
    pad[1018] = '\0';
    mtarep__log(ctx, MTAREP_LOG_ERROR, "%sSECRETKEY123", pad);
    cr_assert_null(strstr(lastlog, "SECR"), "%s", lastlog + 1000);
    /* a text cut inside the key */
    r = mtarep__secrets_redact(ctx, "status: bad key SECRETK", 1);
    cr_assert_str_eq(r, "status: bad key ");
    free(r);
    r = mtarep__secrets_redact(ctx, "status: bad key SECRETK", 0);
    cr_assert_str_eq(r, "status: bad key SECRETK");
    free(r);
    mtarep_ctx_free(ctx);
}
