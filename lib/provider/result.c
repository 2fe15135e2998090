/* The normalized provider result: building, overall figures, redaction,
 * accessors and the JSON form. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "provider_int.h"

static void period_init(struct mtarep_provider_period *p)
{
    memset(p, 0, sizeof *p);
    p->volume = -1;
    p->bounce_rate = -1;
    p->complaint_rate = -1;
    p->rep = MTAREP_REP_UNKNOWN;
}

static void period_clear(struct mtarep_provider_period *p)
{
    free(p->subject);
    free(p->start);
    free(p->end);
    json_decref(p->counts);
    json_decref(p->raw);
    free(p->raw_text);
}

mtarep_provider_result *mtarep__prov_result_new(const char *source, const char *subject)
{
    mtarep_provider_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    period_init(&r->overall);
    r->source = mtarep__strdup(source);
    r->subject = subject ? mtarep__strdup(subject) : NULL;
    if (!r->source || (subject && !r->subject)) {
        mtarep_provider_result_free(r);
        return NULL;
    }
    return r;
}

struct mtarep_provider_period *mtarep__prov_period_add(mtarep_provider_result *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct mtarep_provider_period *np = realloc(r->periods, cap * sizeof *np);
        if (!np)
            return NULL;
        r->periods = np;
        r->cap = cap;
    }
    period_init(&r->periods[r->n]);
    return &r->periods[r->n++];
}

int mtarep__prov_count_set(struct mtarep_provider_period *p, const char *name, int64_t v)
{
    if (!p->counts && !(p->counts = json_object()))
        return MTAREP_ENOMEM;
    return json_object_set_new(p->counts, name, v >= 0 ? json_integer(v) : json_null()) < 0
               ? MTAREP_ENOMEM
               : MTAREP_OK;
}

/* Overall counters: the sum per name over the periods that have it. */
static int overall_counts(mtarep_provider_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const char *k;
        json_t *v;
        if (!r->periods[i].counts)
            continue;
        json_object_foreach(r->periods[i].counts, k, v) {
            json_t *cur = r->overall.counts ? json_object_get(r->overall.counts, k) : NULL;
            int64_t a = json_is_integer(cur) ? json_integer_value(cur) : -1;
            int64_t b = json_is_integer(v) ? json_integer_value(v) : -1;
            if (cur && b < 0)
                continue;
            if (a >= 0 && b >= 0)
                b = b > INT64_MAX - a ? INT64_MAX : a + b;
            if (mtarep__prov_count_set(&r->overall, k, b))
                return MTAREP_ENOMEM;
        }
    }
    return MTAREP_OK;
}

int mtarep__prov_blocked_add(mtarep_provider_result *r, const char *first, const char *last,
                             const char *reason)
{
    struct prov_blocked *b;
    if (r->nblocked == r->capblocked) {
        size_t cap = r->capblocked ? r->capblocked * 2 : 8;
        struct prov_blocked *nb = realloc(r->blocked, cap * sizeof *nb);
        if (!nb)
            return MTAREP_ENOMEM;
        r->blocked = nb;
        r->capblocked = cap;
    }
    b = &r->blocked[r->nblocked];
    b->first = mtarep__strdup(first);
    b->last = mtarep__strdup(last);
    b->reason = mtarep__strdup(reason ? reason : "");
    if (!b->first || !b->last || !b->reason) {
        free(b->first);
        free(b->last);
        free(b->reason);
        return MTAREP_ENOMEM;
    }
    r->nblocked++;
    return MTAREP_OK;
}

/* Weighted by volume where periods have one, else a plain mean. */
static double overall_rate(const mtarep_provider_result *r, int complaint, int *upper)
{
    double wsum = 0, wtot = 0, sum = 0;
    size_t n = 0;
    *upper = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct mtarep_provider_period *p = &r->periods[i];
        double v = complaint ? p->complaint_rate : p->bounce_rate;
        if (v < 0)
            continue;
        if (complaint && p->upper_bound)
            *upper = 1;
        sum += v;
        n++;
        if (p->volume > 0) {
            wsum += v * (double)p->volume;
            wtot += (double)p->volume;
        }
    }
    if (wtot > 0)
        return wsum / wtot;
    return n ? sum / (double)n : -1;
}

/* Replace every secret in *s (malloc'd) in place. */
static int redact_str(mtarep_ctx *ctx, char **s)
{
    if (!ctx || !*s)
        return MTAREP_OK;
    for (size_t i = 0; i < ctx->secrets.n; i++) {
        char *x;
        if (!strcasestr(*s, ctx->secrets.v[i]))
            continue;
        if (!(x = mtarep__redact(*s, ctx->secrets.v[i])))
            return MTAREP_ENOMEM;
        free(*s);
        *s = x;
    }
    return MTAREP_OK;
}

/* Redact secrets from every string (keys included) of a JSON value. */
static int redact_json(mtarep_ctx *ctx, json_t *v)
{
    if (json_is_string(v)) {
        char *s = mtarep__strdup(json_string_value(v));
        int rc;
        if (!s)
            return MTAREP_ENOMEM;
        rc = redact_str(ctx, &s);
        if (rc == MTAREP_OK && strcmp(s, json_string_value(v)) != 0 && json_string_set(v, s) < 0)
            rc = MTAREP_ENOMEM;
        free(s);
        return rc;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (redact_json(ctx, json_array_get(v, i)))
                return MTAREP_ENOMEM;
        return MTAREP_OK;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x) {
            char *nk = mtarep__strdup(k);
            if (!nk || redact_str(ctx, &nk) || redact_json(ctx, x)) {
                free(nk);
                return MTAREP_ENOMEM;
            }
            if (strcmp(nk, k) != 0) {
                json_incref(x);
                json_object_del(v, k);
                if (json_object_set_new(v, nk, x) < 0) {
                    free(nk);
                    return MTAREP_ENOMEM;
                }
            }
            free(nk);
        }
    }
    return MTAREP_OK;
}

int mtarep__prov_finish(mtarep_provider_result *r, mtarep_ctx *ctx)
{
    struct mtarep_provider_period *o = &r->overall;
    int64_t vol = -1;
    int up;

    for (size_t i = 0; i < r->n; i++) {
        struct mtarep_provider_period *p = &r->periods[i];
        if (p->volume >= 0) {
            if (vol < 0)
                vol = 0;
            vol = p->volume > INT64_MAX - vol ? INT64_MAX : vol + p->volume; /* saturate */
        }
        if (p->rep != MTAREP_REP_UNKNOWN && (o->rep == MTAREP_REP_UNKNOWN || p->rep < o->rep))
            o->rep = p->rep;
        if (redact_str(ctx, &p->subject) || redact_str(ctx, &p->start) ||
            redact_str(ctx, &p->end))
            return MTAREP_ENOMEM;
        if (p->raw) {
            if (ctx && ctx->secrets.n && redact_json(ctx, p->raw))
                return MTAREP_ENOMEM;
            free(p->raw_text);
            if (!(p->raw_text = json_dumps(p->raw, JSON_COMPACT | JSON_PRESERVE_ORDER)))
                return MTAREP_ENOMEM;
        }
    }
    for (size_t i = 0; i < r->nblocked; i++)
        if (redact_str(ctx, &r->blocked[i].first) || redact_str(ctx, &r->blocked[i].last) ||
            redact_str(ctx, &r->blocked[i].reason))
            return MTAREP_ENOMEM;
    if (overall_counts(r))
        return MTAREP_ENOMEM;
    o->volume = vol;
    o->bounce_rate = overall_rate(r, 0, &up);
    o->complaint_rate = overall_rate(r, 1, &up);
    o->upper_bound = up;
    return MTAREP_OK;
}

const char *mtarep_reputation_name(mtarep_reputation r)
{
    switch (r) {
    case MTAREP_REP_HIGH: return "high";
    case MTAREP_REP_MEDIUM: return "medium";
    case MTAREP_REP_LOW: return "low";
    case MTAREP_REP_BAD: return "bad";
    case MTAREP_REP_UNKNOWN: break;
    }
    return NULL;
}

const char *mtarep_provider_result_source(const mtarep_provider_result *r)
{
    return r ? r->source : NULL;
}

const char *mtarep_provider_result_subject(const mtarep_provider_result *r)
{
    return r ? r->subject : NULL;
}

const mtarep_provider_period *mtarep_provider_result_overall(const mtarep_provider_result *r)
{
    return r ? &r->overall : NULL;
}

size_t mtarep_provider_result_period_count(const mtarep_provider_result *r)
{
    return r ? r->n : 0;
}

const mtarep_provider_period *mtarep_provider_result_period(const mtarep_provider_result *r,
                                                            size_t i)
{
    return r && i < r->n ? &r->periods[i] : NULL;
}

size_t mtarep_provider_result_blocked_count(const mtarep_provider_result *r)
{
    return r ? r->nblocked : 0;
}

const char *mtarep_provider_result_blocked_first(const mtarep_provider_result *r, size_t i)
{
    return r && i < r->nblocked ? r->blocked[i].first : NULL;
}

const char *mtarep_provider_result_blocked_last(const mtarep_provider_result *r, size_t i)
{
    return r && i < r->nblocked ? r->blocked[i].last : NULL;
}

const char *mtarep_provider_result_blocked_reason(const mtarep_provider_result *r, size_t i)
{
    return r && i < r->nblocked ? r->blocked[i].reason : NULL;
}

const char *mtarep_provider_period_subject(const mtarep_provider_period *p)
{
    return p ? p->subject : NULL;
}

const char *mtarep_provider_period_start(const mtarep_provider_period *p)
{
    return p ? p->start : NULL;
}

const char *mtarep_provider_period_end(const mtarep_provider_period *p)
{
    return p ? p->end : NULL;
}

int64_t mtarep_provider_period_volume(const mtarep_provider_period *p)
{
    return p ? p->volume : -1;
}

double mtarep_provider_period_bounce_rate(const mtarep_provider_period *p)
{
    return p ? p->bounce_rate : -1;
}

double mtarep_provider_period_complaint_rate(const mtarep_provider_period *p)
{
    return p ? p->complaint_rate : -1;
}

int mtarep_provider_period_complaint_upper_bound(const mtarep_provider_period *p)
{
    return p ? p->upper_bound : 0;
}

mtarep_reputation mtarep_provider_period_reputation(const mtarep_provider_period *p)
{
    return p ? p->rep : MTAREP_REP_UNKNOWN;
}

int64_t mtarep_provider_period_count(const mtarep_provider_period *p, const char *name)
{
    json_t *v = p && p->counts && name ? json_object_get(p->counts, name) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

const char *mtarep_provider_period_raw(const mtarep_provider_period *p)
{
    return p ? p->raw_text : NULL;
}

/* SNDS text (dates it could not read, reasons) need not be UTF-8: then
 * the bad octets become '?', so NULL still means out of memory. */
static json_t *jstr(const char *s)
{
    json_t *j;
    char *a;
    if (!s)
        return json_null();
    if ((j = json_string(s)) || !(a = mtarep__strdup(s)))
        return j;
    mtarep__utf8_fix(a);
    j = json_string(a);
    free(a);
    return j;
}

static json_t *jrate(double v)
{
    return v >= 0 && isfinite(v) ? json_real(v) : json_null();
}

/* The figures shared by overall and periods into o; 0 or -1. */
static int period_fields(json_t *o, const struct mtarep_provider_period *p)
{
    const char *rep = mtarep_reputation_name(p->rep);
    int err = 0;
    err |= json_object_set_new(o, "volume", p->volume >= 0 ? json_integer(p->volume) : json_null());
    err |= json_object_set_new(o, "bounce_rate", jrate(p->bounce_rate));
    err |= json_object_set_new(o, "complaint_rate", jrate(p->complaint_rate));
    err |= json_object_set_new(o, "complaint_rate_upper_bound", json_boolean(p->upper_bound));
    err |= json_object_set_new(o, "reputation", jstr(rep));
    err |= json_object_set(o, "counts", p->counts ? p->counts : json_null());
    return err ? -1 : 0;
}

char *mtarep_provider_result_json(const mtarep_provider_result *r)
{
    json_t *o, *pa, *ba;
    char *s = NULL;
    int err = 0;

    if (!r)
        return NULL;
    o = json_object();
    pa = json_array();
    ba = json_array();
    if (!o || !pa || !ba) {
        json_decref(o);
        json_decref(pa);
        json_decref(ba);
        return NULL;
    }
    err |= json_object_set_new(o, "source", jstr(r->source));
    err |= json_object_set_new(o, "subject", jstr(r->subject));
    err |= period_fields(o, &r->overall);
    for (size_t i = 0; !err && i < r->n; i++) {
        const struct mtarep_provider_period *p = &r->periods[i];
        json_t *e = json_object();
        if (!e) {
            err = 1;
            break;
        }
        err |= json_object_set_new(e, "subject", jstr(p->subject));
        err |= json_object_set_new(e, "start", jstr(p->start));
        err |= json_object_set_new(e, "end", jstr(p->end));
        err |= period_fields(e, p);
        err |= json_object_set(e, "raw", p->raw ? p->raw : json_null());
        err |= json_array_append_new(pa, e);
    }
    for (size_t i = 0; !err && i < r->nblocked; i++) {
        json_t *e = json_object();
        if (!e) {
            err = 1;
            break;
        }
        err |= json_object_set_new(e, "first", jstr(r->blocked[i].first));
        err |= json_object_set_new(e, "last", jstr(r->blocked[i].last));
        err |= json_object_set_new(e, "reason", jstr(r->blocked[i].reason));
        err |= json_array_append_new(ba, e);
    }
    err |= json_object_set_new(o, "periods", pa);
    err |= json_object_set_new(o, "blocked", ba);
    if (!err)
        s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(o);
    return s;
}

void mtarep_provider_result_free(mtarep_provider_result *r)
{
    if (!r)
        return;
    free(r->source);
    free(r->subject);
    period_clear(&r->overall);
    for (size_t i = 0; i < r->n; i++)
        period_clear(&r->periods[i]);
    free(r->periods);
    for (size_t i = 0; i < r->nblocked; i++) {
        free(r->blocked[i].first);
        free(r->blocked[i].last);
        free(r->blocked[i].reason);
    }
    free(r->blocked);
    free(r);
}
