/* DNSBL/RHSBL checks: every (query, zone) pair and every health probe is
 * submitted to the DNS engine up front, then one run() answers them all. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/engine.h"
#include "dnsbl_int.h"

#define TXT_MAX 2048

struct mtarep_dnsbl_result {
    /* query, zone and list_name point into the results' shared strings:
     * three copies per (query, zone) pair were ~60,000 allocations in a
     * 2,000 x 10 sweep. */
    const char *query;
    const char *zone; /* as shown: the key of a keyed zone is replaced by "<key>" */
    const char *list_name;
    mtarep_dnsbl_status status;
    mtarep_strvec codes;
    mtarep_strvec meanings;
    char *description;
    char *txt;
    char *error;
    int error_code;
};

struct mtarep_dnsbl_results {
    size_t n;
    struct mtarep_dnsbl_result *v;
    char **strs; /* owned: the strings results point to */
    size_t nstrs;
};

static const char *const default_zones[] = {
    "zen.spamhaus.org",
    "bl.spamcop.net",
    "b.barracudacentral.org",
    "bl.mailspike.net",
    "psbl.surriel.com",
    "dnsbl-1.uceprotect.net",
    "dnsbl-2.uceprotect.net",
    "dnsbl-3.uceprotect.net",
    "bl.score.senderscore.com",
    "dbl.spamhaus.org",
    "multi.surbl.org",
    "multi.uribl.com",
};

static const char *const default_points[DNSBL_NFAM][2] = {
    {"127.0.0.2", "127.0.0.1"},
    {"::ffff:7f00:2", "::ffff:7f00:1"},
    {"test", "invalid"},
};

const char *const *mtarep_dnsbl_default_zones(size_t *n_out)
{
    if (n_out)
        *n_out = sizeof default_zones / sizeof default_zones[0];
    return default_zones;
}

mtarep_status mtarep_dnsbl_options_init(mtarep_dnsbl_options *opts, unsigned int version)
{
    static const mtarep_dnsbl_options defaults = MTAREP_DNSBL_OPTIONS_INIT;

    if (!opts)
        return MTAREP_EINVAL;
    if (version == 0 || version > MTAREP_DNSBL_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = defaults;
    opts->version = version;
    return MTAREP_OK;
}

/* ---- run state ------------------------------------------------------- */

struct run;

typedef struct probe {
    struct run *run;
    struct zone_state *z;
    int fam, listed; /* listed: 1 for the must-be-listed point */
    int done;
    int fail_code;   /* 0: passed */
    char msg[320];
} probe;

typedef struct zone_state {
    char *send;  /* the zone name sent */
    char *shown; /* the zone name shown */
    char *key;   /* secret first label of a keyed zone, or NULL */
    const char *shown_out, *list_out; /* copies owned by the results */
    const dnsbl_zone_def *def;
    const dnsbl_zone_def *tests; /* where test points come from */
    int need_health[DNSBL_NFAM];
    probe probes[DNSBL_NFAM][2];
} zone_state;

typedef struct pair {
    struct run *run;
    zone_state *z;
    int fam;
    int pending; /* DNS questions outstanding */
    int finished;
    int engine_err;
    char *engine_msg;
    uint32_t *codes;
    size_t ncodes;
    dnsbl_verdict v;
    char *txt;
    char qname[256];
} pair;

typedef struct run {
    mtarep_ctx *ctx;
    mtarep_dnsbl_options opts;
    const dnsbl_zone_def *fallback;
    zone_state *zones;
    size_t nzones;
    pair *pairs;
    size_t npairs, done;
    int oom;
} run;

static void report_progress(run *r)
{
    r->done++;
    if (r->opts.progress)
        r->opts.progress(r->done, r->npairs, r->opts.progress_payload);
}

static void pair_finish(pair *p)
{
    if (--p->pending == 0 && !p->finished) {
        p->finished = 1;
        report_progress(p->run);
    }
}

/* A records of an answer as host-order values; returns count or -1. */
static long collect_a(const ldns_rr_list *rrs, uint32_t **out)
{
    size_t n = rrs ? ldns_rr_list_rr_count(rrs) : 0, k = 0;

    *out = NULL;
    if (n == 0)
        return 0;
    *out = calloc(n, sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
        const ldns_rdf *rd;
        uint32_t be;
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A || ldns_rr_rd_count(rr) < 1)
            continue;
        rd = ldns_rr_rdf(rr, 0);
        if (ldns_rdf_size(rd) != 4)
            continue;
        memcpy(&be, ldns_rdf_data(rd), 4);
        (*out)[k++] = ntohl(be);
    }
    return (long)k;
}

static void on_txt(const mtarep_dns_answer *ans, void *arg)
{
    pair *p = arg;
    char buf[TXT_MAX];
    size_t n = 0;

    if (ans->status == MTAREP_OK && ans->rrs) {
        for (size_t i = 0; i < ldns_rr_list_rr_count(ans->rrs); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
                continue;
            if (n && n + 2 < sizeof buf) {
                buf[n++] = ';';
                buf[n++] = ' ';
            }
            /* The strings of one record are one text (RFC 7208 3.3 style). */
            for (size_t j = 0; j < ldns_rr_rd_count(rr); j++) {
                const ldns_rdf *rd = ldns_rr_rdf(rr, j);
                const uint8_t *d = ldns_rdf_data(rd);
                size_t len = ldns_rdf_size(rd);
                if (len == 0)
                    continue;
                for (size_t c = 1; c < len && c <= d[0] && n + 1 < sizeof buf; c++)
                    buf[n++] = (d[c] < 0x20 || d[c] == 0x7f) ? '?' : (char)d[c];
            }
        }
        buf[n] = '\0';
        if (n) {
            p->txt = mtarep__redact(buf, p->z->key);
            if (!p->txt)
                p->run->oom = 1;
        }
    }
    pair_finish(p);
}

static void on_a(const mtarep_dns_answer *ans, void *arg)
{
    pair *p = arg;
    run *r = p->run;
    long k;

    if (ans->status != MTAREP_OK) {
        p->engine_err = ans->status;
        p->engine_msg = mtarep__redact(ans->errmsg ? ans->errmsg : "DNS failure", p->z->key);
        if (!p->engine_msg)
            r->oom = 1;
        pair_finish(p);
        return;
    }
    k = collect_a(ans->rrs, &p->codes);
    if (k < 0) {
        r->oom = 1;
        pair_finish(p);
        return;
    }
    p->ncodes = (size_t)k;
    if (mtarep__dnsbl_decode(p->z->def, r->fallback, p->codes, p->ncodes, &p->v) != MTAREP_OK)
        r->oom = 1;
    if (p->v.listed && !p->v.err && r->opts.fetch_txt) {
        if (mtarep__dns_submit(r->ctx, p->qname, LDNS_RR_TYPE_TXT, on_txt, p) == MTAREP_OK)
            p->pending++;
    }
    pair_finish(p);
}

static void on_probe(const mtarep_dns_answer *ans, void *arg)
{
    probe *pr = arg;
    dnsbl_verdict v;
    uint32_t *codes = NULL;
    long k;
    const char *point = pr->z->tests && pr->z->tests->test_listed[pr->fam]
                            ? (pr->listed ? pr->z->tests->test_listed[pr->fam]
                                          : pr->z->tests->test_unlisted[pr->fam])
                            : default_points[pr->fam][pr->listed ? 0 : 1];

    pr->done = 1;
    if (ans->status != MTAREP_OK) {
        char *m = mtarep__redact(ans->errmsg ? ans->errmsg : "DNS failure", pr->z->key);
        pr->fail_code = MTAREP_ETEMPFAIL;
        snprintf(pr->msg, sizeof pr->msg, "no answer for test point %s: %s", point,
                 m ? m : "DNS failure");
        free(m);
        return;
    }
    k = collect_a(ans->rrs, &codes);
    if (k < 0) {
        pr->run->oom = 1;
        pr->fail_code = MTAREP_ENOMEM;
        snprintf(pr->msg, sizeof pr->msg, "out of memory");
        return;
    }
    memset(&v, 0, sizeof v);
    if (mtarep__dnsbl_decode(pr->z->def, pr->run->fallback, codes, (size_t)k, &v) != MTAREP_OK)
        pr->run->oom = 1;
    if (v.err) {
        pr->fail_code = v.err;
        snprintf(pr->msg, sizeof pr->msg, "test point %s: %s", point, v.errmsg);
    } else if (pr->listed && k == 0) {
        pr->fail_code = MTAREP_ECONFIG;
        snprintf(pr->msg, sizeof pr->msg,
                 "test point %s is not listed (the list is dead, empty or not answering "
                 "this resolver)", point);
    } else if (!pr->listed && k > 0) {
        char c[16];
        snprintf(c, sizeof c, "%u.%u.%u.%u", codes[0] >> 24, (codes[0] >> 16) & 0xff,
                 (codes[0] >> 8) & 0xff, codes[0] & 0xff);
        pr->fail_code = MTAREP_ECONFIG;
        snprintf(pr->msg, sizeof pr->msg,
                 "test point %s, which must not be listed, answered %s (the list answers "
                 "everything: wildcard, dead list or hijacked resolver)", point, c);
    }
    mtarep__dnsbl_verdict_free(&v);
    free(codes);
}

/* ---- validation ------------------------------------------------------ */

/* 1 if the last label is all digits: such a name is an address attempt
 * ("1.2.3", "256.1.1.1"), never a domain (RFC 3696 section 2). */
static int numeric_tld(const char *name)
{
    const char *last = strrchr(name, '.');
    size_t n = strlen(name);

    if (n && name[n - 1] == '.') { /* trailing dot: look at the label before */
        const char *q = name + n - 1;
        while (q > name && q[-1] != '.')
            q--;
        last = q - 1;
        n--;
    }
    last = last ? last + 1 : name;
    if (last >= name + n)
        return 0;
    for (const char *c = last; c < name + n; c++)
        if (!isdigit((unsigned char)*c))
            return 0;
    return 1;
}

/* Normalised query in buf; family in *fam. */
static int normalize_query(const char *q, char *buf, size_t len, int *fam, mtarep_ip *ip)
{
    if (mtarep__ip_parse(ip, q) == MTAREP_OK) {
        mtarep__ip_format(ip, buf, len);
        *fam = ip->family == 4 ? DNSBL_FAM_IP4 : DNSBL_FAM_IP6;
        return MTAREP_OK;
    }
    if (strchr(q, ':') || numeric_tld(q) || mtarep__domain_normalize(q, buf, len) != MTAREP_OK)
        return MTAREP_EINVAL;
    *fam = DNSBL_FAM_DOMAIN;
    return MTAREP_OK;
}

/* How to show a zone name the caller gave (valid or not): the first label
 * is hidden when the rest is a keyed zone of either table. */
static void show_zone(const struct mtarep_dnsbl_table *user, const struct mtarep_dnsbl_table *bi,
                      const char *zone, char *buf, size_t len)
{
    const char *dot = strchr(zone, '.');
    char rest[256], any[260];

    if (dot && mtarep__domain_normalize(dot + 1, rest, sizeof rest) == MTAREP_OK) {
        const dnsbl_zone_def *d;
        snprintf(any, sizeof any, "k.%s", rest);
        d = mtarep__dnsbl_table_find(user, any);
        if (!d || !d->keyed)
            d = mtarep__dnsbl_table_find(bi, any);
        if (d && d->keyed) {
            snprintf(buf, len, "<key>.%s", rest);
            return;
        }
    }
    snprintf(buf, len, "%.120s", zone);
}

static const dnsbl_zone_def *find_def(const struct mtarep_dnsbl_table *user,
                                      const struct mtarep_dnsbl_table *bi, const char *zone)
{
    const dnsbl_zone_def *d = mtarep__dnsbl_table_find(user, zone);
    return d ? d : mtarep__dnsbl_table_find(bi, zone);
}

/* ---- results --------------------------------------------------------- */

static void result_clear(struct mtarep_dnsbl_result *r)
{
    mtarep__strvec_free(&r->codes);
    mtarep__strvec_free(&r->meanings);
    free(r->description);
    free(r->txt);
    free(r->error);
}

void mtarep_dnsbl_results_free(mtarep_dnsbl_results *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        result_clear(&res->v[i]);
    for (size_t i = 0; i < res->nstrs; i++)
        free(res->strs[i]);
    free(res->strs);
    free(res->v);
    free(res);
}

static int set_error(struct mtarep_dnsbl_result *res, int code, const char *msg)
{
    res->status = MTAREP_DNSBL_ERROR;
    res->error_code = code;
    free(res->error);
    res->error = mtarep__strdup(msg);
    return res->error ? MTAREP_OK : MTAREP_ENOMEM;
}

static char *join(const mtarep_strvec *sv, const char *extra)
{
    size_t len = 1;
    char *s;

    for (size_t i = 0; i < sv->n; i++)
        len += strlen(sv->v[i]) + 1;
    if (extra)
        len += strlen(extra) + 1;
    if (len == 1)
        return NULL;
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < sv->n; i++) {
        if (s[0])
            strcat(s, " ");
        strcat(s, sv->v[i]);
    }
    if (extra) {
        if (s[0])
            strcat(s, " ");
        strcat(s, extra);
    }
    return s;
}

/* Fill the result of a pair that was sent. */
static int compose(run *r, pair *p, struct mtarep_dnsbl_result *res)
{
    zone_state *z = p->z;
    const probe *bad = NULL;
    int rc = MTAREP_OK;

    for (size_t i = 0; i < p->ncodes && rc == MTAREP_OK; i++) {
        char c[INET_ADDRSTRLEN];
        uint32_t be = htonl(p->codes[i]);
        inet_ntop(AF_INET, &be, c, sizeof c); /* cheaper than a printf per code */
        rc = mtarep__strvec_push(&res->codes, c);
    }
    if (rc != MTAREP_OK)
        return rc;
    if (p->engine_err)
        return set_error(res, p->engine_err, p->engine_msg ? p->engine_msg : "DNS failure");
    if (p->v.err)
        return set_error(res, p->v.err, p->v.errmsg);
    if (z->need_health[p->fam]) {
        for (int w = 0; w < 2 && !bad; w++)
            if (z->probes[p->fam][w].fail_code)
                bad = &z->probes[p->fam][w];
    }
    if (bad) {
        char msg[512];
        snprintf(msg, sizeof msg, "zone %s failed its health check: %s", z->shown, bad->msg);
        return set_error(res, bad->fail_code == MTAREP_ENOMEM ? MTAREP_ENOMEM : bad->fail_code,
                         msg);
    }
    res->status = p->v.listed ? MTAREP_DNSBL_LISTED : MTAREP_DNSBL_NOT_LISTED;
    /* The verdict's labels move to the result (the pair is freed next). */
    mtarep__strvec_free(&res->meanings);
    res->meanings = p->v.meanings;
    memset(&p->v.meanings, 0, sizeof p->v.meanings);
    if (p->v.descs.n || (p->v.listed && z->def && z->def->note)) {
        res->description = join(&p->v.descs, p->v.listed && z->def ? z->def->note : NULL);
        if (!res->description)
            return MTAREP_ENOMEM;
    }
    if (p->txt) {
        res->txt = p->txt;
        p->txt = NULL;
    }
    (void)r;
    return MTAREP_OK;
}

/* ---- the check ------------------------------------------------------- */

static void run_free(run *r)
{
    for (size_t i = 0; i < r->npairs; i++) {
        pair *p = &r->pairs[i];
        free(p->engine_msg);
        free(p->codes);
        free(p->txt);
        mtarep__dnsbl_verdict_free(&p->v);
    }
    free(r->pairs);
    for (size_t i = 0; i < r->nzones; i++) {
        free(r->zones[i].send);
        free(r->zones[i].shown);
        free(r->zones[i].key);
    }
    free(r->zones);
}

static int submit_probes(run *r, zone_state *z)
{
    for (int fam = 0; fam < DNSBL_NFAM; fam++) {
        if (!z->need_health[fam])
            continue;
        for (int w = 0; w < 2; w++) {
            probe *pr = &z->probes[fam][w];
            const char *point = z->tests && z->tests->test_listed[fam]
                                    ? (w == 0 ? z->tests->test_listed[fam]
                                              : z->tests->test_unlisted[fam])
                                    : default_points[fam][w];
            char rev[80], name[400];
            mtarep_ip ip;
            int rc;

            pr->run = r;
            pr->z = z;
            pr->fam = fam;
            pr->listed = (w == 0);
            if (fam == DNSBL_FAM_DOMAIN) {
                snprintf(name, sizeof name, "%s.%s", point, z->send);
            } else if (mtarep__ip_parse(&ip, point) == MTAREP_OK) {
                mtarep__ip_reverse(&ip, rev, sizeof rev);
                snprintf(name, sizeof name, "%s.%s", rev, z->send);
            } else {
                name[0] = '\0';
            }
            rc = name[0] ? mtarep__dns_submit(r->ctx, name, LDNS_RR_TYPE_A, on_probe, pr)
                         : MTAREP_EINVAL;
            if (rc == MTAREP_ENOMEM)
                return rc;
            if (rc != MTAREP_OK) {
                pr->done = 1;
                pr->fail_code = MTAREP_ECONFIG;
                snprintf(pr->msg, sizeof pr->msg, "test point %s gives no valid query name",
                         point);
            }
        }
    }
    return MTAREP_OK;
}

struct mtarep_dnsbl_job {
    run r;
    int rc;
    mtarep_dnsbl_results *res;
    struct mtarep_dnsbl_table *bi;
    size_t secrets_mark;
};

static int early_fail(mtarep_dnsbl_job *j, mtarep_ctx *ctx, int code, const char *fmt, ...)
    MTAREP_PRINTF(4, 5);
static int early_fail(mtarep_dnsbl_job *j, mtarep_ctx *ctx, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    free(j);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mtarep__fail(ctx, code, "%s", msg);
}

int mtarep__dnsbl_start(mtarep_dnsbl_job **job, mtarep_ctx *ctx,
                        const char *const *queries, size_t nqueries,
                        const char *const *zones, size_t nzones,
                        const mtarep_dnsbl_options *opts)
{
    struct mtarep_dnsbl_table *bi = NULL;
    const struct mtarep_dnsbl_table *user;
    mtarep_dnsbl_results *res = NULL;
    char (*qnorm)[256] = NULL;
    int *qfam = NULL;
    size_t *zmap = NULL;
    mtarep_dnsbl_job *jb;
    run *r;
    size_t secrets_mark = mtarep__secrets_mark(ctx);
    char err[300];
    int rc;

    *job = NULL;
    if (!(jb = calloc(1, sizeof *jb)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dnsbl: out of memory");
    r = &jb->r;
    if (opts && (opts->version == 0 || opts->version > MTAREP_DNSBL_OPTIONS_VERSION))
        return early_fail(jb, ctx, MTAREP_EVERSION, "dnsbl: options version %u not supported",
                            opts->version);
    if (opts)
        r->opts = *opts;
    else
        mtarep_dnsbl_options_init(&r->opts, MTAREP_DNSBL_OPTIONS_VERSION);
    if (nqueries && !queries)
        return early_fail(jb, ctx, MTAREP_EINVAL, "dnsbl: queries is NULL");
    if (nzones && !zones)
        return early_fail(jb, ctx, MTAREP_EINVAL, "dnsbl: zones is NULL");
    if (!zones)
        zones = mtarep_dnsbl_default_zones(&nzones);
    if (nzones == 0)
        return early_fail(jb, ctx, MTAREP_EINVAL, "dnsbl: no zones given");
    if (nqueries > 100000 || nzones > 1000 || nqueries * nzones > 1000000)
        return early_fail(jb, ctx, MTAREP_ELIMIT, "dnsbl: %zu queries x %zu zones is too many",
                            nqueries, nzones);

    rc = mtarep__dnsbl_table_parse(mtarep__dnsbl_builtin_text, strlen(mtarep__dnsbl_builtin_text),
                                   NULL, NULL, &bi, err, sizeof err);
    if (rc != MTAREP_OK)
        return early_fail(jb, ctx, rc == MTAREP_ENOMEM ? rc : MTAREP_ERROR,
                          "dnsbl: built-in zone table: %s", err);
    user = ctx->dnsbl_defs;
    r->ctx = ctx;
    r->fallback = find_def(user, bi, "*");

    qnorm = calloc(nqueries ? nqueries : 1, sizeof *qnorm);
    qfam = calloc(nqueries ? nqueries : 1, sizeof *qfam);
    zmap = calloc(nzones, sizeof *zmap);
    r->zones = calloc(nzones, sizeof *r->zones);
    if (!qnorm || !qfam || !zmap || !r->zones) {
        rc = MTAREP_ENOMEM;
        goto early;
    }

    /* Validate everything before anything is sent. */
    for (size_t i = 0; i < nqueries; i++) {
        mtarep_ip ip;
        if (!queries[i]) {
            rc = mtarep__fail(ctx, MTAREP_EINVAL, "dnsbl: query %zu is NULL", i);
            goto early;
        }
        if (normalize_query(queries[i], qnorm[i], sizeof qnorm[i], &qfam[i], &ip) != MTAREP_OK) {
            rc = mtarep__fail(ctx, MTAREP_EINVAL,
                              "dnsbl: query '%.100s' is not an IP address or domain name",
                              queries[i]);
            goto early;
        }
    }
    for (size_t i = 0; i < nzones; i++) {
        char norm[256], shown[300];
        zone_state *z;
        size_t j;

        if (!zones[i]) {
            rc = mtarep__fail(ctx, MTAREP_EINVAL, "dnsbl: zone %zu is NULL", i);
            goto early;
        }
        show_zone(user, bi, zones[i], shown, sizeof shown);
        if (mtarep__domain_normalize(zones[i], norm, sizeof norm) != MTAREP_OK ||
            !strchr(norm, '.') || numeric_tld(norm)) {
            rc = mtarep__fail(ctx, MTAREP_EINVAL, "dnsbl: zone '%s' is not a valid zone name",
                              shown);
            goto early;
        }
        for (j = 0; j < r->nzones; j++)
            if (strcmp(r->zones[j].send, norm) == 0)
                break;
        zmap[i] = j;
        if (j < r->nzones)
            continue; /* duplicate: same state, its own results */
        z = &r->zones[r->nzones++];
        z->def = find_def(user, bi, norm);
        z->tests = z->def ? z->def : r->fallback;
        if (!(z->send = mtarep__strdup(norm))) {
            rc = MTAREP_ENOMEM;
            goto early;
        }
        if (z->def && z->def->keyed) {
            size_t kl = (size_t)(strchr(norm, '.') - norm);
            z->key = strndup(norm, kl);
            if (!z->key) {
                rc = MTAREP_ENOMEM;
                goto early;
            }
            snprintf(shown, sizeof shown, "<key>.%s", z->def->zone);
        }
        if (!(z->shown = mtarep__strdup(shown))) {
            rc = MTAREP_ENOMEM;
            goto early;
        }
    }
    for (size_t i = 0; i < nqueries; i++) {
        size_t qlen = qfam[i] == DNSBL_FAM_IP4 ? 15 : qfam[i] == DNSBL_FAM_IP6 ? 63
                                                                              : strlen(qnorm[i]);
        for (size_t j = 0; j < r->nzones; j++)
            if (qlen + 1 + strlen(r->zones[j].send) > 253) {
                rc = mtarep__fail(ctx, MTAREP_EINVAL,
                                  "dnsbl: query '%s' in zone %s makes a name longer than 253 "
                                  "characters", qnorm[i], r->zones[j].shown);
                goto early;
            }
    }

    /* Results and pairs, query-major. */
    r->npairs = nqueries * nzones;
    res = calloc(1, sizeof *res);
    if (!res || !(res->v = calloc(r->npairs ? r->npairs : 1, sizeof *res->v)) ||
        !(r->pairs = calloc(r->npairs ? r->npairs : 1, sizeof *r->pairs))) {
        rc = MTAREP_ENOMEM;
        goto early;
    }
    res->n = r->npairs;
    /* One copy of each query and of each zone's two names, shared by the
     * results; the reversed address is formatted once per query. */
    if (!(res->strs = calloc(nqueries + 2 * r->nzones + 1, sizeof *res->strs))) {
        rc = MTAREP_ENOMEM;
        goto early;
    }
    for (size_t i = 0; i < r->nzones; i++) {
        zone_state *z = &r->zones[i];
        if (!(z->shown_out = res->strs[res->nstrs++] = mtarep__strdup(z->shown)) ||
            !(z->list_out = res->strs[res->nstrs++] =
                  mtarep__strdup(z->def && z->def->name ? z->def->name : z->shown))) {
            rc = MTAREP_ENOMEM;
            goto early;
        }
    }
    for (size_t qi = 0; qi < nqueries; qi++) {
        const char *qcopy = res->strs[res->nstrs++] = mtarep__strdup(qnorm[qi]);
        char rev[80];
        if (!qcopy) {
            rc = MTAREP_ENOMEM;
            goto early;
        }
        if (qfam[qi] != DNSBL_FAM_DOMAIN) {
            mtarep_ip ip;
            mtarep__ip_parse(&ip, qnorm[qi]);
            mtarep__ip_reverse(&ip, rev, sizeof rev);
        }
        for (size_t zi = 0; zi < nzones; zi++) {
            size_t idx = qi * nzones + zi;
            struct mtarep_dnsbl_result *rs = &res->v[idx];
            pair *p = &r->pairs[idx];
            zone_state *z = &r->zones[zmap[zi]];
            const dnsbl_zone_def *lk = z->def ? z->def : r->fallback;
            unsigned kinds = lk ? lk->kinds : DNSBL_KIND_ANY;
            static const unsigned fam_kind[] = {DNSBL_KIND_IP4, DNSBL_KIND_IP6,
                                                DNSBL_KIND_DOMAIN};

            p->run = r;
            p->z = z;
            p->fam = qfam[qi];
            rs->query = qcopy;
            rs->zone = z->shown_out;
            rs->list_name = z->list_out;
            if (z->def && z->def->dead) {
                p->finished = -1; /* not sent */
                if ((rc = set_error(rs, MTAREP_ECONFIG, z->def->dead)) != MTAREP_OK)
                    goto early;
                continue;
            }
            if (!(kinds & fam_kind[p->fam])) {
                p->finished = -1;
                rs->status = MTAREP_DNSBL_NOT_APPLICABLE;
                continue;
            }
            if (p->fam == DNSBL_FAM_DOMAIN) {
                snprintf(p->qname, sizeof p->qname, "%s.%s", qnorm[qi], z->send);
            } else {
                snprintf(p->qname, sizeof p->qname, "%s.%s", rev, z->send);
            }
            if (r->opts.health_check && !(z->tests && z->tests->no_test))
                z->need_health[p->fam] = 1;
        }
    }

    /* Lower layers (the DNS engine logs query names) must not leak keys. */
    for (size_t i = 0; i < r->nzones && rc == MTAREP_OK; i++)
        if (r->zones[i].key)
            rc = mtarep__secrets_push(ctx, r->zones[i].key);

    /* Everything goes out together: probes first, then the pairs. Once
     * anything is submitted, run() must follow: callbacks point into r-> */
    for (size_t i = 0; i < r->nzones && rc == MTAREP_OK; i++)
        rc = submit_probes(r, &r->zones[i]);
    for (size_t i = 0; i < r->npairs && rc == MTAREP_OK; i++) {
        pair *p = &r->pairs[i];
        int src;
        if (p->finished) {
            report_progress(r);
            continue;
        }
        p->pending = 1;
        src = mtarep__dns_submit(ctx, p->qname, LDNS_RR_TYPE_A, on_a, p);
        if (src == MTAREP_ENOMEM) {
            rc = src;
        } else if (src != MTAREP_OK) {
            p->engine_err = src;
            p->engine_msg = mtarep__strdup("the DNS engine rejected the query name");
            p->pending = 0;
            p->finished = 1;
            report_progress(r);
        }
    }
    mtarep__log(ctx, MTAREP_LOG_DEBUG, "dnsbl: %zu queries x %zu zones submitted", nqueries,
                nzones);
    /* Callbacks point into the job: it lives until finish. */
    jb->rc = rc;
    jb->res = res;
    jb->bi = bi;
    jb->secrets_mark = secrets_mark;
    free(qnorm);
    free(qfam);
    free(zmap);
    *job = jb;
    return MTAREP_OK;

early:
    mtarep__secrets_pop(ctx, secrets_mark);
    if (rc == MTAREP_ENOMEM)
        mtarep__fail(ctx, rc, "dnsbl: out of memory");
    mtarep_dnsbl_results_free(res);
    run_free(r);
    free(jb);
    mtarep__dnsbl_table_free(bi);
    free(qnorm);
    free(qfam);
    free(zmap);
    return rc;
}

int mtarep__dnsbl_finish(mtarep_dnsbl_results **out, mtarep_dnsbl_job *j)
{
    run *r = &j->r;
    mtarep_ctx *ctx = r->ctx;
    mtarep_dnsbl_results *res = j->res;
    int rc = j->rc;

    if (rc == MTAREP_OK && r->oom)
        rc = MTAREP_ENOMEM;
    if (rc != MTAREP_OK)
        goto done;

    for (size_t i = 0; i < r->nzones; i++)
        for (int fam = 0; fam < DNSBL_NFAM; fam++)
            for (int w = 0; w < 2; w++) {
                probe *pr = &r->zones[i].probes[fam][w];
                if (r->zones[i].need_health[fam] && !pr->done) {
                    /* The engine promises a callback; be safe anyway. */
                    pr->fail_code = MTAREP_ETEMPFAIL;
                    snprintf(pr->msg, sizeof pr->msg, "probe got no answer");
                }
                if (r->zones[i].need_health[fam] && pr->fail_code)
                    mtarep__log(ctx, MTAREP_LOG_WARNING,
                                "dnsbl: zone %s failed its health check: %s",
                                r->zones[i].shown, pr->msg);
            }
    for (size_t i = 0; i < r->npairs; i++) {
        pair *p = &r->pairs[i];
        if (p->finished < 0)
            continue;
        if ((rc = compose(r, p, &res->v[i])) != MTAREP_OK)
            goto done;
    }

done:
    mtarep__secrets_pop(ctx, j->secrets_mark);
    if (rc != MTAREP_OK) {
        if (rc == MTAREP_ENOMEM)
            mtarep__fail(ctx, rc, "dnsbl: out of memory");
        mtarep_dnsbl_results_free(res);
        res = NULL;
    }
    run_free(r);
    mtarep__dnsbl_table_free(j->bi);
    free(j);
    *out = res;
    return rc;
}

mtarep_status mtarep_dnsbl_check(mtarep_dnsbl_results **out, mtarep_ctx *ctx,
                                 const char *const *queries, size_t nqueries,
                                 const char *const *zones, size_t nzones,
                                 const mtarep_dnsbl_options *opts)
{
    mtarep_dnsbl_job *job;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dnsbl: out is NULL");
    if ((rc = mtarep__dnsbl_start(&job, ctx, queries, nqueries, zones, nzones, opts)) !=
        MTAREP_OK)
        return rc;
    rc = mtarep__dns_run(ctx);
    if (rc != MTAREP_OK)
        mtarep__log(ctx, MTAREP_LOG_WARNING, "dnsbl: DNS engine failure: %s",
                    mtarep_strerror(rc));
    return mtarep__dnsbl_finish(out, job);
}

mtarep_status mtarep_dnsbl_load_zone_defs(mtarep_ctx *ctx, const char *text)
{
    struct mtarep_dnsbl_table *t = NULL, *bi = NULL;
    char err[300];
    int rc;

    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!text)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dnsbl: zone definitions text is NULL");
    /* "like" may name built-in zones: parse the table to copy from. */
    rc = mtarep__dnsbl_table_parse(mtarep__dnsbl_builtin_text, strlen(mtarep__dnsbl_builtin_text),
                                   NULL, NULL, &bi, err, sizeof err);
    if (rc != MTAREP_OK)
        return mtarep__fail(ctx, rc == MTAREP_ENOMEM ? rc : MTAREP_ERROR,
                            "dnsbl: built-in zone table: %s", err);
    rc = mtarep__dnsbl_table_parse(text, strlen(text), ctx->dnsbl_defs, bi, &t, err, sizeof err);
    mtarep__dnsbl_table_free(bi);
    if (rc != MTAREP_OK)
        return mtarep__fail(ctx, rc, "dnsbl zone definitions: %s", err);
    if (!ctx->dnsbl_defs) {
        ctx->dnsbl_defs = t;
        return MTAREP_OK;
    }
    rc = mtarep__dnsbl_table_merge(ctx->dnsbl_defs, t);
    mtarep__dnsbl_table_free(t);
    if (rc != MTAREP_OK)
        return mtarep__fail(ctx, rc, "dnsbl: out of memory");
    return MTAREP_OK;
}

/* ---- getters --------------------------------------------------------- */

size_t mtarep_dnsbl_results_count(const mtarep_dnsbl_results *res)
{
    return res ? res->n : 0;
}

const mtarep_dnsbl_result *mtarep_dnsbl_results_get(const mtarep_dnsbl_results *res, size_t i)
{
    return res && i < res->n ? &res->v[i] : NULL;
}

const char *mtarep_dnsbl_result_query(const mtarep_dnsbl_result *r)
{
    return r ? r->query : NULL;
}

const char *mtarep_dnsbl_result_zone(const mtarep_dnsbl_result *r)
{
    return r ? r->zone : NULL;
}

const char *mtarep_dnsbl_result_list_name(const mtarep_dnsbl_result *r)
{
    return r ? r->list_name : NULL;
}

mtarep_dnsbl_status mtarep_dnsbl_result_status(const mtarep_dnsbl_result *r)
{
    return r ? r->status : MTAREP_DNSBL_ERROR;
}

size_t mtarep_dnsbl_result_code_count(const mtarep_dnsbl_result *r)
{
    return r ? r->codes.n : 0;
}

const char *mtarep_dnsbl_result_code(const mtarep_dnsbl_result *r, size_t i)
{
    return r && i < r->codes.n ? r->codes.v[i] : NULL;
}

size_t mtarep_dnsbl_result_meaning_count(const mtarep_dnsbl_result *r)
{
    return r ? r->meanings.n : 0;
}

const char *mtarep_dnsbl_result_meaning(const mtarep_dnsbl_result *r, size_t i)
{
    return r && i < r->meanings.n ? r->meanings.v[i] : NULL;
}

const char *mtarep_dnsbl_result_description(const mtarep_dnsbl_result *r)
{
    return r ? r->description : NULL;
}

const char *mtarep_dnsbl_result_txt(const mtarep_dnsbl_result *r)
{
    return r ? r->txt : NULL;
}

const char *mtarep_dnsbl_result_error(const mtarep_dnsbl_result *r)
{
    return r ? r->error : NULL;
}

int mtarep_dnsbl_result_error_code(const mtarep_dnsbl_result *r)
{
    return r && r->status == MTAREP_DNSBL_ERROR ? r->error_code : 0;
}
