/* Mailgun: stats totals (GET /v3/{domain}/stats/total, deprecated) and the
 * Analytics Metrics API (POST /v1/analytics/metrics). Rates are relative to
 * accepted mail: bounces = permanent "bounce" + "delayed-bounce" (Metrics:
 * hard_bounces_count); suppressions were never sent, so they are kept in the
 * raw fields only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include <strings.h>

#include "provider_int.h"

#define MG_MAX_PAGES 20

/* obj[a][b] as a counter, -1 when absent. */
static int64_t count2(const json_t *obj, const char *a, const char *b)
{
    return mtarep__prov_count(json_object_get(json_object_get(obj, a), b));
}

/* a + b of non-negative counters, saturating (server values reach INT64_MAX) */
static int64_t sat_add(int64_t a, int64_t b)
{
    return b > INT64_MAX - a ? INT64_MAX : a + b;
}

static double rate_of(int64_t n, int64_t volume)
{
    if (n < 0 || volume <= 0)
        return -1;
    return n >= volume ? 1.0 : (double)n / (double)volume;
}

/* "time" text into p->start as ISO 8601 when it parses. */
static int set_start(struct mtarep_provider_period *p, const char *t)
{
    char iso[32];
    if (!t)
        return MTAREP_OK;
    p->start = mtarep__strdup(mtarep__prov_rfc2822_iso(t, iso, sizeof iso) == 0 ? iso : t);
    return p->start ? MTAREP_OK : MTAREP_ENOMEM;
}

int mtarep__prov_parse_mailgun_stats(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos)
{
    json_t *root, *stats;
    int rc = mtarep__prov_json_object(&root, ctx, "mailgun stats", body, len, err_pos);
    if (rc)
        return rc;
    stats = json_object_get(root, "stats");
    if (!json_is_array(stats)) {
        json_decref(root);
        return mtarep__fail(ctx, MTAREP_EPARSE, "mailgun stats: no \"stats\" array in the answer");
    }
    for (size_t i = 0; i < json_array_size(stats); i++) {
        json_t *it = json_array_get(stats, i);
        json_t *perm;
        struct mtarep_provider_period *p;
        int64_t bounced = -1, complained;

        if (!json_is_object(it)) {
            json_decref(root);
            return mtarep__fail(ctx, MTAREP_EPARSE, "mailgun stats: item %zu is not an object", i);
        }
        if (!(p = mtarep__prov_period_add(r)))
            goto oom;
        p->raw = json_incref(it);
        if (set_start(p, json_string_value(json_object_get(it, "time"))))
            goto oom;
        p->volume = count2(it, "accepted", "total");
        /* Counters inside a present "failed.permanent" default to 0 (older
         * items lack some); no "failed" at all means no data. */
        perm = json_object_get(json_object_get(it, "failed"), "permanent");
        if (json_is_object(perm)) {
            int64_t b = mtarep__prov_count(json_object_get(perm, "bounce"));
            int64_t db = mtarep__prov_count(json_object_get(perm, "delayed-bounce"));
            bounced = sat_add(b < 0 ? 0 : b, db < 0 ? 0 : db);
        }
        complained = count2(it, "complained", "total");
        {
            json_t *tmp = json_object_get(json_object_get(it, "failed"), "temporary");
            int64_t ft = mtarep__prov_count(json_object_get(tmp, "total"));
            int64_t fp = mtarep__prov_count(json_object_get(perm, "total"));
            int64_t sup = -1;
            static const char *const s3[] = {"suppress-bounce", "suppress-unsubscribe",
                                             "suppress-complaint"};
            for (int k = 0; k < 3 && json_is_object(perm); k++) {
                int64_t x = mtarep__prov_count(json_object_get(perm, s3[k]));
                sup = sat_add(sup < 0 ? 0 : sup, x < 0 ? 0 : x);
            }
            if (ft < 0) /* older items: espblock is the only temporary counter */
                ft = mtarep__prov_count(json_object_get(tmp, "espblock"));
            if (mtarep__prov_count_set(p, "accepted", p->volume) ||
                mtarep__prov_count_set(p, "delivered", count2(it, "delivered", "total")) ||
                mtarep__prov_count_set(p, "failed_permanent", fp) ||
                mtarep__prov_count_set(p, "failed_temporary", ft) ||
                mtarep__prov_count_set(p, "complained", complained) ||
                mtarep__prov_count_set(p, "bounced", bounced) ||
                mtarep__prov_count_set(p, "suppressed", sup) ||
                mtarep__prov_count_set(p, "esp_block",
                                       mtarep__prov_count(json_object_get(tmp, "espblock"))))
                goto oom;
        }
        p->bounce_rate = rate_of(bounced, p->volume);
        p->complaint_rate = rate_of(complained, p->volume);
    }
    json_decref(root);
    return MTAREP_OK;
oom:
    json_decref(root);
    return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
}

int mtarep__prov_parse_mailgun_metrics(mtarep_provider_result *r, mtarep_ctx *ctx,
                                       const char *body, size_t len, long *err_pos,
                                       size_t *nitems, int64_t *total)
{
    json_t *root, *items;
    int rc = mtarep__prov_json_object(&root, ctx, "mailgun metrics", body, len, err_pos);
    if (rc)
        return rc;
    items = json_object_get(root, "items");
    if (total)
        *total = mtarep__prov_count(json_object_get(json_object_get(root, "pagination"), "total"));
    if (nitems)
        *nitems = json_array_size(items);
    if (items && !json_is_array(items)) {
        json_decref(root);
        return mtarep__fail(ctx, MTAREP_EPARSE, "mailgun metrics: \"items\" is not an array");
    }
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *m, *dims;
        struct mtarep_provider_period *p;
        int64_t hb, cc;

        m = json_object_get(it, "metrics");
        if (!json_is_object(it) || !json_is_object(m)) {
            json_decref(root);
            return mtarep__fail(ctx, MTAREP_EPARSE,
                                "mailgun metrics: item %zu has no \"metrics\" object", i);
        }
        if (!(p = mtarep__prov_period_add(r)))
            goto oom;
        p->raw = json_incref(it);
        dims = json_object_get(it, "dimensions");
        for (size_t k = 0; k < json_array_size(dims); k++) {
            json_t *d = json_array_get(dims, k);
            const char *name = json_string_value(json_object_get(d, "dimension"));
            const char *val = json_string_value(json_object_get(d, "value"));
            if (!name || !val)
                continue;
            if (strcmp(name, "time") == 0 && !p->start) {
                if (set_start(p, val))
                    goto oom;
            } else if (!p->subject && !(p->subject = mtarep__strdup(val))) {
                goto oom;
            }
        }
        p->volume = mtarep__prov_count(json_object_get(m, "accepted_count"));
        hb = mtarep__prov_count(json_object_get(m, "hard_bounces_count"));
        cc = mtarep__prov_count(json_object_get(m, "complained_count"));
        /* the same counter names as the stats API */
        if (mtarep__prov_count_set(p, "accepted", p->volume) ||
            mtarep__prov_count_set(p, "delivered",
                                   mtarep__prov_count(json_object_get(m, "delivered_count"))) ||
            mtarep__prov_count_set(p, "failed_permanent",
                                   mtarep__prov_count(json_object_get(m, "permanent_failed_count"))) ||
            mtarep__prov_count_set(p, "failed_temporary",
                                   mtarep__prov_count(json_object_get(m, "temporary_failed_count"))) ||
            mtarep__prov_count_set(p, "complained", cc) || mtarep__prov_count_set(p, "bounced", hb) ||
            mtarep__prov_count_set(p, "esp_block",
                                   mtarep__prov_count(json_object_get(m, "temporary_failed_esp_block_count"))))
            goto oom;
        /* Counts first (one definition for both APIs), Mailgun's own rate
         * strings when a count is null. No volume: no rates. */
        if (p->volume != 0) {
            p->bounce_rate = hb >= 0 ? rate_of(hb, p->volume)
                                     : mtarep__prov_ratio(json_object_get(m, "bounce_rate"));
            p->complaint_rate = cc >= 0 ? rate_of(cc, p->volume)
                                        : mtarep__prov_ratio(json_object_get(m, "complained_rate"));
            if (p->bounce_rate > 1)
                p->bounce_rate = -1;
            if (p->complaint_rate > 1)
                p->complaint_rate = -1;
        }
    }
    json_decref(root);
    return MTAREP_OK;
oom:
    json_decref(root);
    return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
}

static int valid_duration(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n >= 1 && n <= 4 && (s[n] == 'h' || s[n] == 'd' || s[n] == 'm') && s[n + 1] == '\0' &&
           strtoul(s, NULL, 10) > 0;
}

/* Unix seconds of a start/end value: plain seconds or an RFC 2822 date
 * (curl_getdate() reads it as Mailgun does); -1 when it is neither, so a
 * typo is refused here instead of costing a request. */
static long long date_seconds(const char *s)
{
    size_t n = strlen(s);
    time_t t;
    if (n == 0 || n > 64)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return -1;
    if (strspn(s, "0123456789") == n)
        return n <= 11 ? strtoll(s, NULL, 10) : -1;
    t = curl_getdate(s, NULL);
    return t == (time_t)-1 ? -1 : (long long)t;
}

static char *metrics_request(const char *domain, const mtarep_provider_options *o, int64_t skip)
{
    static const char *const metrics[] = {
        "accepted_count", "delivered_count", "temporary_failed_count", "permanent_failed_count",
        "temporary_failed_esp_block_count", "permanent_failed_esp_block_count",
        "hard_bounces_count", "soft_bounces_count", "complained_count", "delivered_rate",
        "complained_rate", "bounce_rate"};
    json_t *q = json_pack("{s:s, s:[s], s:[], s:{s:[{s:s, s:s, s:[{s:s, s:s}]}]},"
                          " s:b, s:b, s:{s:s, s:I, s:i}}",
                          "resolution", o->resolution,
                          "dimensions", "time", "metrics", "filter", "AND", "attribute",
                          "domain", "comparator", "=", "values", "label", domain, "value",
                          domain, "include_subaccounts", 0, "include_aggregates", 0,
                          "pagination", "sort", "time:asc", "skip", (json_int_t)skip,
                          "limit", 1500);
    json_t *ma = json_object_get(q, "metrics");
    char *s = NULL;
    int err = !q;
    if (!err && o->duration)
        err = json_object_set_new(q, "duration", json_string(o->duration)) < 0;
    if (!err && o->start)
        err = json_object_set_new(q, "start", json_string(o->start)) < 0;
    if (!err && o->end)
        err = json_object_set_new(q, "end", json_string(o->end)) < 0;
    for (size_t i = 0; !err && i < sizeof metrics / sizeof *metrics; i++)
        err = json_array_append_new(ma, json_string(metrics[i])) < 0;
    if (!err)
        s = json_dumps(q, JSON_COMPACT);
    json_decref(q);
    return s;
}

static int mailgun_step(struct mtarep__prov_job *j, const struct mtarep__http_resp *rs)
{
    mtarep_ctx *ctx = j->ctx;
    int64_t total;
    size_t nitems;
    int rc;

    if (rs) {
        if ((rc = mtarep__http_status_error(ctx, "mailgun", rs,
                                            "bad API key or wrong region (US/EU)")))
            return rc;
        if (j->api == MTAREP_MAILGUN_STATS) {
            if ((rc = mtarep__prov_parse_mailgun_stats(j->r, ctx, rs->body, rs->len, NULL)))
                return rc;
            j->done = 1;
            return MTAREP_OK;
        }
        if ((rc = mtarep__prov_parse_mailgun_metrics(j->r, ctx, rs->body, rs->len, NULL, &nitems,
                                                     &total)))
            return rc;
        j->skip += (int64_t)nitems;
        /* Offset pagination: stop on a short page or at the total. */
        if (nitems < 1500 || (total >= 0 && j->skip >= total)) {
            j->done = 1;
            return MTAREP_OK;
        }
        if (++j->page >= MG_MAX_PAGES)
            return mtarep__fail(ctx, MTAREP_ELIMIT, "mailgun: more than %d pages of metrics",
                                MG_MAX_PAGES);
    } else if (j->api == MTAREP_MAILGUN_STATS) {
        return MTAREP_OK; /* the one GET, built by the constructor */
    }
    free(j->post);
    if (!(j->post = metrics_request(j->dom, &j->o, j->skip)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    j->rq.post_json = j->post;
    return MTAREP_OK;
}

int mtarep__prov_mailgun_job(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *domain,
                             const char *api_key, const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j;
    mtarep_provider_options *o;
    const char *base;
    int rc;

    *out = NULL;
    if ((rc = mtarep__prov_job_new(&j, ctx, "mailgun", opts)))
        return rc;
    o = &j->o;
    if (!domain || mtarep__domain_normalize(domain, j->dom, sizeof j->dom)) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: '%s' is not a domain name",
                          domain ? domain : "(null)");
        goto fail;
    }
    if (!o->duration && !o->start)
        o->duration = "7d";
    if (!o->resolution)
        o->resolution = "day";
    if ((o->start && date_seconds(o->start) < 0) || (o->end && date_seconds(o->end) < 0)) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: start/end must be an RFC 2822 date "
                                              "or Unix seconds");
        goto fail;
    }
    if (o->start && o->end && date_seconds(o->start) > date_seconds(o->end)) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: start is after end");
        goto fail;
    }
    if (o->duration && !valid_duration(o->duration)) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: duration '%s' is not N[hdm] with N 1..9999",
                          o->duration);
        goto fail;
    }
    if (strcmp(o->resolution, "hour") && strcmp(o->resolution, "day") &&
        strcmp(o->resolution, "month")) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: resolution '%s' is not hour, day or month",
                          o->resolution);
        goto fail;
    }
    if (o->mailgun_api != MTAREP_MAILGUN_METRICS && o->mailgun_api != MTAREP_MAILGUN_STATS) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: unknown API %d (metrics or stats)",
                          (int)o->mailgun_api);
        goto fail;
    }
    if (o->region && strcasecmp(o->region, "us") && strcasecmp(o->region, "eu")) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "mailgun: region '%s' is not us or eu", o->region);
        goto fail;
    }
    base = o->base_url ? o->base_url
           : o->region && strcasecmp(o->region, "eu") == 0 ? "https://api.eu.mailgun.net"
                                                           : "https://api.mailgun.net";
    if ((rc = mtarep__http_check_base(ctx, "mailgun", base)))
        goto fail;
    j->urlcap = 2048;
    if (!(j->edom = mtarep__http_escape(j->dom)) || !(j->url = malloc(j->urlcap)) ||
        !(j->r = mtarep__prov_result_new("mailgun", j->dom))) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto fail;
    }
    j->api = (int)o->mailgun_api;
    j->step = mailgun_step;
    j->rq.basic_user = "api";
    j->rq.basic_pass = api_key;
    j->rq.url = j->url;
    if (o->mailgun_api == MTAREP_MAILGUN_STATS) {
        char *es = o->start ? mtarep__http_escape(o->start) : NULL;
        char *ee = o->end ? mtarep__http_escape(o->end) : NULL;
        if ((o->start && !es) || (o->end && !ee)) {
            free(es);
            free(ee);
            rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
            goto fail;
        }
        /* base <= 512, domain <= 253, dates <= 3 * 64 escaped: always fits */
        snprintf(j->url, j->urlcap,
                 "%s/v3/%s/stats/total?event=accepted&event=delivered&event=failed"
                 "&event=complained&resolution=%s%s%s%s%s%s%s",
                 base, j->edom, o->resolution, o->duration ? "&duration=" : "",
                 o->duration ? o->duration : "", es ? "&start=" : "", es ? es : "",
                 ee ? "&end=" : "", ee ? ee : "");
        free(es);
        free(ee);
        j->rq.method = "GET";
    } else {
        snprintf(j->url, j->urlcap, "%s/v1/analytics/metrics", base);
        j->rq.method = "POST";
    }
    *out = j;
    return MTAREP_OK;
fail:
    mtarep__prov_job_free(j);
    return rc;
}

mtarep_status mtarep_provider_mailgun(mtarep_provider_result **out, mtarep_ctx *ctx,
                                      const char *domain, const char *api_key,
                                      const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j = NULL;
    size_t mark = 0;
    int rc = mtarep__prov_blocking_begin(out, ctx, "mailgun", api_key, "API key", &mark);

    if (rc != MTAREP_OK)
        return rc;
    rc = mtarep__prov_mailgun_job(&j, ctx, domain, api_key, opts);
    return mtarep__prov_blocking_end(out, ctx, j, rc, mark);
}
