/* Precheck report: the check list, its order, getters and JSON. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "precheck_int.h"
#include "report_int.h"

pc_check *mtarep__pc_add(pc_list *l, const char *name, pc_status st)
{
    pc_check *c;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        pc_check **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return NULL;
        }
        l->v = nv;
        l->cap = cap;
    }
    if (!(c = calloc(1, sizeof *c)) ||
        (l->subject && !(c->subject = mtarep__strdup(l->subject)))) {
        free(c);
        l->oom = 1;
        return NULL;
    }
    mtarep__utf8_fix(c->subject);
    c->name = name;
    c->status = st;
    c->seq = l->n;
    l->v[l->n++] = c;
    return c;
}

static int severity(pc_status st)
{
    switch (st) {
    case PC_PROBLEM: return 3;
    case PC_UNKNOWN: return 2;
    case PC_WARNING: return 1;
    default: return 0;
    }
}

void mtarep__pc_raise(pc_check *c, pc_status st)
{
    if (c && severity(st) > severity(c->status))
        c->status = st;
}

void mtarep__pc_evidence(pc_list *l, pc_check *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    if (!c)
        return;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0)
        mtarep__utf8_fix(s);
    if (n < 0 || mtarep__strvec_push(&c->evidence, s) != MTAREP_OK)
        l->oom = 1;
    free(n < 0 ? NULL : s);
}

void mtarep__pc_advice(pc_list *l, pc_check *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL, *joined = NULL;
    int n;
    if (!c)
        return;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        l->oom = 1;
        return;
    }
    mtarep__utf8_fix(s);
    if (c->advice && strstr(c->advice, s)) {
        free(s);
        return;
    }
    if (!c->advice) {
        c->advice = s;
        return;
    }
    if (asprintf(&joined, "%s %s", c->advice, s) < 0) {
        l->oom = 1;
        free(s);
        return;
    }
    free(s);
    free(c->advice);
    c->advice = joined;
}

static void check_free(pc_check *c)
{
    if (!c)
        return;
    free(c->subject);
    mtarep__strvec_free(&c->evidence);
    free(c->advice);
    free(c);
}

void mtarep__pc_list_free(pc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        check_free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The most likely cause of a reputation rejection first (docs/precheck.md):
 * what the receiver itself said, the big receivers' own reputation data
 * (SNDS, Postmaster Tools), then a blocklisted IP, missing rDNS, SPF, the
 * ESP's bounce and complaint rates, a blocklisted domain, HELO, DKIM,
 * DMARC, the domain's MX, and the bounce summary (a symptom, read last). */
static const char *const cause_rank[] = {"smtp", "snds", "postmaster", "dnsbl", "rdns",
                                         "spf", "mailgun", "dbl", "helo", "dkim", "dmarc",
                                         "mx", "bounces"};

static size_t rank_of(const char *name)
{
    for (size_t i = 0; i < sizeof cause_rank / sizeof *cause_rank; i++)
        if (strcmp(name, cause_rank[i]) == 0)
            return i;
    return sizeof cause_rank / sizeof *cause_rank;
}

static int cmp_checks(const void *a, const void *b)
{
    const pc_check *x = *(pc_check *const *)a, *y = *(pc_check *const *)b;
    int sx = severity(x->status), sy = severity(y->status);
    size_t rx = rank_of(x->name), ry = rank_of(y->name);
    if (sx != sy)
        return sy - sx;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void mtarep__pc_sort(pc_list *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp_checks);
}

pc_status mtarep__pc_verdict(const pc_list *l)
{
    pc_status v = PC_OK;
    for (size_t i = 0; i < l->n; i++)
        if (severity(l->v[i]->status) > severity(v))
            v = l->v[i]->status;
    return v;
}

/* ---- report ---------------------------------------------------------- */

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

int mtarep__pc_report_make(mtarep_precheck_report **out, pc_list *l, const char *const *ips,
                           size_t nips, const char *domain, const char *helo)
{
    mtarep_precheck_report *r = calloc(1, sizeof *r);
    json_t *o = json_object(), *checks = json_array(), *jips = json_array();
    int err = !r || !o || !checks || !jips;

    *out = NULL;
    mtarep__pc_sort(l);
    for (size_t i = 0; !err && i < l->n; i++) {
        const pc_check *c = l->v[i];
        json_t *co = json_object(), *ev = json_array();
        err |= !co || !ev;
        for (size_t k = 0; !err && k < c->evidence.n; k++)
            err |= json_array_append_new(ev, jstr(c->evidence.v[k]));
        err |= json_object_set_new(co, "name", jstr(c->name));
        err |= json_object_set_new(co, "subject", jstr(c->subject));
        err |= json_object_set_new(co, "status", jstr(mtarep_precheck_status_name(c->status)));
        err |= json_object_set_new(co, "evidence", ev);
        err |= json_object_set_new(co, "advice", jstr(c->advice));
        err |= json_array_append_new(checks, co);
    }
    for (size_t i = 0; !err && i < nips; i++)
        err |= json_array_append_new(jips, jstr(ips[i]));
    if (!err) {
        r->verdict = mtarep__pc_verdict(l);
        err |= json_object_set_new(o, "verdict", jstr(mtarep_precheck_status_name(r->verdict)));
        err |= json_object_set_new(o, "checks", checks);
        checks = NULL;
        err |= json_object_set_new(o, "ips", jips);
        jips = NULL;
        err |= json_object_set_new(o, "domain", jstr(domain));
        err |= json_object_set_new(o, "helo", jstr(helo));
    }
    if (!err && !(r->json = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII)))
        err = 1;
    json_decref(o);
    json_decref(checks);
    json_decref(jips);
    if (err) {
        free(r ? r->json : NULL);
        free(r);
        return MTAREP_ENOMEM;
    }
    r->list = *l;
    memset(l, 0, sizeof *l);
    *out = r;
    return MTAREP_OK;
}

void mtarep_precheck_report_free(mtarep_precheck_report *r)
{
    if (!r)
        return;
    mtarep__pc_list_free(&r->list);
    free(r->json);
    free(r);
}

mtarep_precheck_status mtarep_precheck_report_verdict(const mtarep_precheck_report *r)
{
    return r ? r->verdict : MTAREP_PRECHECK_UNKNOWN;
}

size_t mtarep_precheck_report_count(const mtarep_precheck_report *r)
{
    return r ? r->list.n : 0;
}

const mtarep_precheck_check *mtarep_precheck_report_check(const mtarep_precheck_report *r,
                                                          size_t i)
{
    return r && i < r->list.n ? r->list.v[i] : NULL;
}

const char *mtarep_precheck_report_json(const mtarep_precheck_report *r)
{
    return r ? r->json : NULL;
}

const char *mtarep_precheck_check_name(const mtarep_precheck_check *c)
{
    return c ? c->name : NULL;
}

const char *mtarep_precheck_check_subject(const mtarep_precheck_check *c)
{
    return c ? c->subject : NULL;
}

mtarep_precheck_status mtarep_precheck_check_status(const mtarep_precheck_check *c)
{
    return c ? c->status : MTAREP_PRECHECK_UNKNOWN;
}

size_t mtarep_precheck_check_evidence_count(const mtarep_precheck_check *c)
{
    return c ? c->evidence.n : 0;
}

const char *mtarep_precheck_check_evidence(const mtarep_precheck_check *c, size_t i)
{
    return c && i < c->evidence.n ? c->evidence.v[i] : NULL;
}

const char *mtarep_precheck_check_advice(const mtarep_precheck_check *c)
{
    return c ? c->advice : NULL;
}

const char *mtarep_precheck_status_name(mtarep_precheck_status s)
{
    switch (s) {
    case MTAREP_PRECHECK_OK: return "ok";
    case MTAREP_PRECHECK_WARNING: return "warning";
    case MTAREP_PRECHECK_PROBLEM: return "problem";
    default: return "unknown";
    }
}
