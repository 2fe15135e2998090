/* Google Postmaster Tools v1: trafficStats (one object or a list page), and
 * v2: domainStats:query (spam and reject rates; v2 has no reputation).
 * complaint rate = userReportedSpamRatio (midpoint of its bounds when only
 * they are given); bounce rate = sum of the PERMANENT_ERROR delivery error
 * ratios; reputation = domainReputation; no volume (Google gives none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider_int.h"

#define PM_MAX_PAGES 20

static mtarep_reputation rep_of(const char *s)
{
    if (!s)
        return MTAREP_REP_UNKNOWN;
    if (strcmp(s, "HIGH") == 0)
        return MTAREP_REP_HIGH;
    if (strcmp(s, "MEDIUM") == 0)
        return MTAREP_REP_MEDIUM;
    if (strcmp(s, "LOW") == 0)
        return MTAREP_REP_LOW;
    if (strcmp(s, "BAD") == 0)
        return MTAREP_REP_BAD;
    return MTAREP_REP_UNKNOWN; /* REPUTATION_CATEGORY_UNSPECIFIED, future values */
}

static int one_stat(mtarep_provider_result *r, mtarep_ctx *ctx, json_t *ts, size_t idx)
{
    struct mtarep_provider_period *p;
    const char *name = json_string_value(json_object_get(ts, "name"));
    json_t *errs = json_object_get(ts, "deliveryErrors");
    double sr, lo, hi;

    if (!json_is_object(ts))
        return mtarep__fail(ctx, MTAREP_EPARSE, "postmaster: trafficStats item %zu is not an object",
                            idx);
    if (!(p = mtarep__prov_period_add(r)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    p->raw = json_incref(ts);
    if (name) { /* domains/{domain}/trafficStats/{YYYYMMDD} */
        const char *d = strrchr(name, '/');
        d = d ? d + 1 : name;
        if (strlen(d) == 8 && strspn(d, "0123456789") == 8) {
            char iso[16];
            snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
            if (!(p->start = mtarep__strdup(iso)))
                return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        }
    }
    sr = mtarep__prov_ratio(json_object_get(ts, "userReportedSpamRatio"));
    lo = mtarep__prov_ratio(json_object_get(ts, "userReportedSpamRatioLowerBound"));
    hi = mtarep__prov_ratio(json_object_get(ts, "userReportedSpamRatioUpperBound"));
    if (sr < 0 && lo >= 0 && hi >= lo)
        sr = (lo + hi) / 2;
    p->complaint_rate = sr <= 1 ? sr : -1;
    if (json_is_array(errs)) {
        double sum = 0;
        for (size_t i = 0; i < json_array_size(errs); i++) {
            json_t *e = json_array_get(errs, i);
            const char *cls = json_string_value(json_object_get(e, "errorClass"));
            double v = mtarep__prov_ratio(json_object_get(e, "errorRatio"));
            if (cls && strcmp(cls, "PERMANENT_ERROR") == 0 && v >= 0)
                sum += v;
        }
        p->bounce_rate = sum > 1 ? 1 : sum;
    }
    p->rep = rep_of(json_string_value(json_object_get(ts, "domainReputation")));
    return MTAREP_OK;
}

int mtarep__prov_parse_postmaster(mtarep_provider_result *r, mtarep_ctx *ctx,
                                  const char *body, size_t len, long *err_pos, char **next)
{
    json_t *root, *list;
    int rc = mtarep__prov_json_object(&root, ctx, "postmaster", body, len, err_pos);

    if (next)
        *next = NULL;
    if (rc)
        return rc;
    list = json_object_get(root, "trafficStats");
    if (list && !json_is_array(list)) {
        rc = mtarep__fail(ctx, MTAREP_EPARSE, "postmaster: \"trafficStats\" is not an array");
    } else if (list) {
        for (size_t i = 0; rc == MTAREP_OK && i < json_array_size(list); i++)
            rc = one_stat(r, ctx, json_array_get(list, i), i);
    } else if (json_object_get(root, "name")) {
        rc = one_stat(r, ctx, root, 0);
    } else if (json_object_get(root, "error")) {
        rc = mtarep__fail(ctx, MTAREP_EPARSE, "postmaster: an error envelope, not trafficStats");
    } /* else: an empty list (proto3 omits empty arrays) */
    if (rc == MTAREP_OK && next) {
        const char *t = json_string_value(json_object_get(root, "nextPageToken"));
        if (t && *t && !(*next = mtarep__strdup(t)))
            rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    json_decref(root);
    return rc;
}

/* v2: the value of a DomainStat as a JSON number (int64 strings decoded),
 * a string, a list, or NULL. New reference. */
static json_t *v2_value(json_t *v)
{
    json_t *x;
    if ((x = json_object_get(v, "doubleValue")) || (x = json_object_get(v, "floatValue")))
        return json_is_number(x) ? json_incref(x) : NULL;
    if ((x = json_object_get(v, "intValue"))) {
        int64_t n = mtarep__prov_count(x);
        return json_is_integer(x) ? json_incref(x) : n >= 0 ? json_integer(n) : NULL;
    }
    if ((x = json_object_get(v, "stringValue")))
        return json_is_string(x) ? json_incref(x) : NULL;
    if ((x = json_object_get(json_object_get(v, "stringList"), "values")))
        return json_is_array(x) ? json_incref(x) : NULL;
    return NULL;
}

/* One period per date (or one for undated OVERALL rows); raw =
 * {"date": ..., "<metric name>": value, ...}. days maps a date ("" for
 * undated) to its period index: a scan per row was quadratic. */
static int v2_stat(mtarep_provider_result *r, mtarep_ctx *ctx, json_t *st, size_t idx,
                   json_t *days)
{
    json_t *d = json_object_get(st, "date"), *val;
    const char *metric = json_string_value(json_object_get(st, "metric"));
    struct mtarep_provider_period *p = NULL;
    char day[16] = "";
    double x;

    if (!json_is_object(st) || !metric)
        return mtarep__fail(ctx, MTAREP_EPARSE, "postmaster v2: domainStats item %zu has no metric",
                            idx);
    if (json_is_object(d)) {
        json_int_t y = json_integer_value(json_object_get(d, "year"));
        json_int_t m = json_integer_value(json_object_get(d, "month"));
        json_int_t dd = json_integer_value(json_object_get(d, "day"));
        if (y < 1 || y > 9999 || m < 1 || m > 12 || dd < 1 || dd > 31)
            return mtarep__fail(ctx, MTAREP_EPARSE, "postmaster v2: item %zu has a bad date", idx);
        snprintf(day, sizeof day, "%04d-%02d-%02d", (int)y, (int)m, (int)dd);
    }
    if ((val = json_object_get(days, day)))
        p = &r->periods[json_integer_value(val)];
    if (!p) {
        if (!(p = mtarep__prov_period_add(r)) || !(p->raw = json_object()) ||
            (day[0] && !(p->start = mtarep__strdup(day))) ||
            json_object_set_new(p->raw, "date", day[0] ? json_string(day) : json_null()) < 0 ||
            json_object_set_new(days, day, json_integer((json_int_t)(r->n - 1))) < 0)
            return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    val = v2_value(json_object_get(st, "value"));
    x = mtarep__prov_ratio(val);
    if (strcmp(metric, "spam_rate") == 0 && x >= 0 && x <= 1)
        p->complaint_rate = x;
    else if (strcmp(metric, "reject_rate") == 0 && x >= 0 && x <= 1)
        p->bounce_rate = x;
    if (strcmp(metric, "date") != 0 &&
        json_object_set_new(p->raw, metric, val ? val : json_null()) < 0)
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    return MTAREP_OK;
}

int mtarep__prov_parse_postmaster_v2(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos, char **next)
{
    json_t *root, *list, *days;
    int rc = mtarep__prov_json_object(&root, ctx, "postmaster v2", body, len, err_pos);

    if (next)
        *next = NULL;
    if (rc)
        return rc;
    /* the periods of earlier pages too */
    if (!(days = json_object()))
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MTAREP_OK && i < r->n; i++) {
        const char *k = r->periods[i].start ? r->periods[i].start : "";
        if (!json_object_get(days, k) &&
            json_object_set_new(days, k, json_integer((json_int_t)i)) < 0)
            rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    list = json_object_get(root, "domainStats");
    if (rc == MTAREP_OK && list && !json_is_array(list))
        rc = mtarep__fail(ctx, MTAREP_EPARSE, "postmaster v2: \"domainStats\" is not an array");
    for (size_t i = 0; rc == MTAREP_OK && i < json_array_size(list); i++)
        rc = v2_stat(r, ctx, json_array_get(list, i), i, days);
    json_decref(days);
    if (rc == MTAREP_OK && next) {
        const char *t = json_string_value(json_object_get(root, "nextPageToken"));
        if (t && *t && !(*next = mtarep__strdup(t))) /* "" = last page */
            rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    json_decref(root);
    return rc;
}

/* v2 query body for [a, b] (inclusive), page token or NULL. */
static char *v2_request(const struct tm *a, const struct tm *b, const char *token)
{
    json_t *q = json_pack(
        "{s:[{s:s, s:{s:s}}, {s:s, s:{s:s}, s:s}], s:{s:{s:[{s:{s:i, s:i, s:i}, s:{s:i, s:i, s:i}}]}},"
        " s:s, s:i}",
        "metricDefinitions", "name", "spam_rate", "baseMetric", "standardMetric", "SPAM_RATE",
        "name", "reject_rate", "baseMetric", "standardMetric", "DELIVERY_ERROR_RATE", "filter",
        "error_type = \"reject\"", "timeQuery", "dateRanges", "dateRanges", "start", "year",
        a->tm_year + 1900, "month", a->tm_mon + 1, "day", a->tm_mday, "end", "year",
        b->tm_year + 1900, "month", b->tm_mon + 1, "day", b->tm_mday,
        "aggregationGranularity", "DAILY", "pageSize", 200);
    char *s = NULL;
    if (q && (!token || json_object_set_new(q, "pageToken", json_string(token)) == 0))
        s = json_dumps(q, JSON_COMPACT);
    json_decref(q);
    return s;
}

/* The request for the page after j->next (NULL: the first). */
static int postmaster_request(struct mtarep__prov_job *j)
{
    mtarep_ctx *ctx = j->ctx;
    const struct tm *a = &j->a, *b = &j->b;
    int n;

    if (j->api == MTAREP_POSTMASTER_V2) {
        j->rq.method = "POST";
        free(j->post);
        if (!(j->post = v2_request(a, b, j->next)))
            return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        j->rq.post_json = j->post;
        n = snprintf(j->url, j->urlcap, "%s/v2/domains/%s/domainStats:query", j->base, j->edom);
    } else {
        char *enext = NULL;
        j->rq.method = "GET";
        if (j->next && !(enext = mtarep__http_escape(j->next)))
            return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        n = snprintf(j->url, j->urlcap,
                     "%s/v1/domains/%s/trafficStats?startDate.year=%d&startDate.month=%d"
                     "&startDate.day=%d&endDate.year=%d&endDate.month=%d&endDate.day=%d%s%s",
                     j->base, j->edom, a->tm_year + 1900, a->tm_mon + 1, a->tm_mday,
                     b->tm_year + 1900, b->tm_mon + 1, b->tm_mday, enext ? "&pageToken=" : "",
                     enext ? enext : "");
        free(enext);
    }
    if (n < 0 || (size_t)n >= j->urlcap) /* the page token comes from the server */
        return mtarep__fail(ctx, MTAREP_ELIMIT, "postmaster: page token too long");
    free(j->next);
    j->next = NULL;
    return MTAREP_OK;
}

static int postmaster_step(struct mtarep__prov_job *j, const struct mtarep__http_resp *rs)
{
    mtarep_ctx *ctx = j->ctx;
    int rc;

    if (rs) {
        if ((rc = mtarep__http_status_error(ctx, "postmaster", rs, "bad or expired OAuth token")))
            return rc;
        rc = j->api == MTAREP_POSTMASTER_V2
                 ? mtarep__prov_parse_postmaster_v2(j->r, ctx, rs->body, rs->len, NULL, &j->next)
                 : mtarep__prov_parse_postmaster(j->r, ctx, rs->body, rs->len, NULL, &j->next);
        if (rc)
            return rc;
        if (!j->next) {
            j->done = 1;
            return MTAREP_OK;
        }
        if (++j->page >= PM_MAX_PAGES)
            return mtarep__fail(ctx, MTAREP_ELIMIT, "postmaster: more than %d pages",
                                PM_MAX_PAGES);
    }
    return postmaster_request(j);
}

int mtarep__prov_postmaster_job(struct mtarep__prov_job **out, mtarep_ctx *ctx,
                                const char *domain, const char *token,
                                const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j;
    time_t now;
    int rc;

    *out = NULL;
    if ((rc = mtarep__prov_job_new(&j, ctx, "postmaster", opts)))
        return rc;
    if (!domain || mtarep__domain_normalize(domain, j->dom, sizeof j->dom)) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "postmaster: '%s' is not a domain name",
                          domain ? domain : "(null)");
        goto fail;
    }
    if (j->o.days == 0 || j->o.days > 120) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "postmaster: days must be 1..120");
        goto fail;
    }
    j->base = j->o.base_url ? j->o.base_url : "https://gmailpostmastertools.googleapis.com";
    if ((rc = mtarep__http_check_base(ctx, "postmaster", j->base)))
        goto fail;
    j->urlcap = 2048;
    if (!(j->edom = mtarep__http_escape(j->dom)) || !(j->url = malloc(j->urlcap)) ||
        !(j->r = mtarep__prov_result_new("postmaster", j->dom))) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto fail;
    }
    if (j->o.postmaster_api != MTAREP_POSTMASTER_V1 &&
        j->o.postmaster_api != MTAREP_POSTMASTER_V2) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "postmaster: unknown API %d (v1 or v2)",
                          (int)j->o.postmaster_api);
        goto fail;
    }
    j->api = (int)j->o.postmaster_api;
    /* [today - days, today) in UTC: v1's endDate is exclusive, v2's end
     * inclusive (so yesterday). */
    now = time(NULL);
    gmtime_r(&now, &j->b);
    if (j->api == MTAREP_POSTMASTER_V2) {
        time_t y = now - 86400;
        gmtime_r(&y, &j->b);
    }
    now -= (time_t)j->o.days * 86400;
    gmtime_r(&now, &j->a);
    j->key = token;
    j->step = postmaster_step;
    j->rq.url = j->url;
    j->rq.bearer = token;
    *out = j;
    return MTAREP_OK;
fail:
    mtarep__prov_job_free(j);
    return rc;
}

mtarep_status mtarep_provider_postmaster(mtarep_provider_result **out, mtarep_ctx *ctx,
                                         const char *domain, const char *token,
                                         const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j = NULL;
    size_t mark = 0;
    int rc = mtarep__prov_blocking_begin(out, ctx, "postmaster", token, "token", &mark);

    if (rc != MTAREP_OK)
        return rc;
    rc = mtarep__prov_postmaster_job(&j, ctx, domain, token, opts);
    return mtarep__prov_blocking_end(out, ctx, j, rc, mark);
}

long mtarep_provider_retry_after(const mtarep_ctx *ctx)
{
    return ctx ? ctx->prov_retry_after : -1;
}

long mtarep_provider_http_status(const mtarep_ctx *ctx)
{
    return ctx ? ctx->prov_http_status : 0;
}
