/* Reverse DNS: PTR, forward confirmation (FCrDNS), HELO comparison, and a
 * heuristic for generic/dynamic PTR names. The PTR and HELO questions go
 * out together; forward lookups of the PTR names follow from the PTR
 * callback within the same run(). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/engine.h"
#include "rdns_int.h"

#define RDNS_MAX_NAMES 10 /* forward lookups per IP: a PTR RRset can be huge */

struct mtarep_rdns_result {
    char *ip;
    mtarep_tristate has_ptr;
    mtarep_strvec ptrs;
    mtarep_tristate fcrdns;
    char *confirmed;
    mtarep_tristate helo_match;
    mtarep_tristate helo_resolves;
    int generic;
    mtarep_strvec warnings;
    char *error;
};

typedef struct fwd {
    struct rdns_run *run;
    size_t idx;     /* PTR name index */
    int done;
    int status;     /* engine status */
    int confirmed;  /* IP among the answers */
} fwd;

typedef struct rdns_run {
    mtarep_ctx *ctx;
    mtarep_ip ip;
    int ptr_status;  /* engine status of the PTR query; 1 = not answered */
    int ptr_total;   /* PTR records seen before the cap */
    mtarep_strvec ptrs;
    fwd fwds[RDNS_MAX_NAMES];
    int helo_status; /* 1 = not asked / not answered */
    int helo_hit;
    mtarep_strvec errors;
    int oom;
    /* what was asked, kept for finish */
    int has_helo, is_literal, submit_rc;
    mtarep_ip lit;
    char ipbuf[64], helo[256], helo_norm[256];
} rdns_run;

struct mtarep_rdns_job {
    rdns_run r;
};


static void add_error(rdns_run *r, const char *what, const mtarep_dns_answer *ans)
{
    if (mtarep__strvec_pushf(&r->errors, "%s: %s", what,
                             ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status)) !=
        MTAREP_OK)
        r->oom = 1;
}

static void on_fwd(const mtarep_dns_answer *ans, void *arg)
{
    fwd *f = arg;

    f->done = 1;
    f->status = ans->status;
    if (ans->status != MTAREP_OK) {
        char what[300];
        snprintf(what, sizeof what, "forward lookup of %s", f->run->ptrs.v[f->idx]);
        add_error(f->run, what, ans);
        return;
    }
    f->confirmed = mtarep__dns_rrs_match_ip(ans->rrs, &f->run->ip, 32, 128);
}

static void on_ptr(const mtarep_dns_answer *ans, void *arg)
{
    rdns_run *r = arg;
    ldns_rr_type fwd_type = r->ip.family == 4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;

    r->ptr_status = ans->status;
    if (ans->status != MTAREP_OK) {
        add_error(r, "PTR lookup", ans);
        return;
    }
    for (size_t i = 0; ans->rrs && i < ldns_rr_list_rr_count(ans->rrs); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
        char *s, norm[256];
        int dup = 0;

        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_PTR || ldns_rr_rd_count(rr) < 1)
            continue;
        s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        if (!s) {
            r->oom = 1;
            return;
        }
        /* A PTR target that is not a host name (escapes, odd bytes) cannot
         * be forward-confirmed; keep it out. */
        if (mtarep__domain_normalize(s, norm, sizeof norm) != MTAREP_OK) {
            mtarep__log(r->ctx, MTAREP_LOG_INFO, "rdns: ignoring PTR target that is not a "
                        "host name");
            free(s);
            continue;
        }
        free(s);
        for (size_t k = 0; k < r->ptrs.n; k++)
            if (strcmp(r->ptrs.v[k], norm) == 0)
                dup = 1;
        if (dup)
            continue;
        r->ptr_total++;
        if (r->ptrs.n >= RDNS_MAX_NAMES)
            continue;
        if (mtarep__strvec_push(&r->ptrs, norm) != MTAREP_OK) {
            r->oom = 1;
            return;
        }
    }
    for (size_t k = 0; k < r->ptrs.n; k++) {
        fwd *f = &r->fwds[k];
        int rc;
        f->run = r;
        f->idx = k;
        rc = mtarep__dns_submit(r->ctx, r->ptrs.v[k], fwd_type, on_fwd, f);
        if (rc != MTAREP_OK) {
            f->done = 1;
            f->status = rc;
            if (rc == MTAREP_ENOMEM)
                r->oom = 1;
        }
    }
}

static void on_helo(const mtarep_dns_answer *ans, void *arg)
{
    rdns_run *r = arg;

    r->helo_status = ans->status;
    if (ans->status != MTAREP_OK) {
        add_error(r, "HELO lookup", ans);
        return;
    }
    r->helo_hit = mtarep__dns_rrs_match_ip(ans->rrs, &r->ip, 32, 128);
}

void mtarep_rdns_result_free(mtarep_rdns_result *r)
{
    if (!r)
        return;
    free(r->ip);
    mtarep__strvec_free(&r->ptrs);
    free(r->confirmed);
    mtarep__strvec_free(&r->warnings);
    free(r->error);
    free(r);
}

/* rdns_int.h */
int mtarep__helo_literal(const char *helo, mtarep_ip *lit)
{
    char buf[64];
    size_t n = strlen(helo);

    if (n >= 2 && helo[0] == '[' && helo[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, helo + 1, n - 2);
        buf[n - 2] = '\0';
        if (strncasecmp(buf, "IPv6:", 5) == 0)
            return mtarep__ip_parse(lit, buf + 5) == MTAREP_OK && lit->family == 6;
        return mtarep__ip_parse(lit, buf) == MTAREP_OK && lit->family == 4;
    }
    return mtarep__ip_parse(lit, helo) == MTAREP_OK;
}

int mtarep__rdns_start(mtarep_rdns_job **job, mtarep_ctx *ctx, const char *ip,
                       const char *helo)
{
    mtarep_rdns_job *j;
    rdns_run *r;
    char rev[80], name[128];
    int rc;

    *job = NULL;
    if (!(j = calloc(1, sizeof *j)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "rdns: out of memory");
    r = &j->r;
    r->ctx = ctx;
    r->ptr_status = 1;
    r->helo_status = 1;
    if (!ip || mtarep__ip_parse(&r->ip, ip) != MTAREP_OK) {
        free(j);
        return mtarep__fail(ctx, MTAREP_EINVAL, "rdns: '%.64s' is not an IP address",
                            ip ? ip : "(null)");
    }
    if (helo) {
        r->has_helo = 1;
        if (mtarep__helo_literal(helo, &r->lit))
            r->is_literal = 1;
        else if (mtarep__domain_normalize(helo, r->helo_norm, sizeof r->helo_norm) != MTAREP_OK) {
            free(j);
            return mtarep__fail(ctx, MTAREP_EINVAL,
                                "rdns: HELO '%.100s' is neither a host name nor an address "
                                "literal", helo);
        }
        snprintf(r->helo, sizeof r->helo, "%s", helo);
    }
    mtarep__ip_format(&r->ip, r->ipbuf, sizeof r->ipbuf);
    mtarep__ip_reverse(&r->ip, rev, sizeof rev);
    snprintf(name, sizeof name, "%s.%s", rev, r->ip.family == 4 ? "in-addr.arpa" : "ip6.arpa");

    /* PTR and HELO questions together; forward lookups follow in run(). */
    rc = mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_PTR, on_ptr, r);
    if (rc != MTAREP_OK) {
        free(j);
        return mtarep__fail(ctx, rc, "rdns: could not submit the query: %s",
                            mtarep_strerror(rc));
    }
    if (helo && !r->is_literal)
        r->submit_rc = mtarep__dns_submit(ctx, r->helo_norm,
                                          r->ip.family == 4 ? LDNS_RR_TYPE_A
                                                            : LDNS_RR_TYPE_AAAA,
                                          on_helo, r);
    *job = j;
    return MTAREP_OK;
}

int mtarep__rdns_finish(mtarep_rdns_result **out, mtarep_rdns_job *job)
{
    rdns_run *r = &job->r;
    mtarep_ctx *ctx = r->ctx;
    mtarep_rdns_result *res = NULL;
    const char *helo = r->has_helo ? r->helo : NULL;
    const char *ipbuf = r->ipbuf;
    int rc = r->submit_rc, fwd_failed = 0;

    *out = NULL;
    if (rc == MTAREP_OK && r->oom)
        rc = MTAREP_ENOMEM;
    if (rc != MTAREP_OK)
        goto fail;

    res = calloc(1, sizeof *res);
    if (!res || !(res->ip = mtarep__strdup(ipbuf)))
        goto oom;
    for (size_t i = 0; i < r->ptrs.n; i++)
        if (mtarep__strvec_push(&res->ptrs, r->ptrs.v[i]) != MTAREP_OK)
            goto oom;

    /* PTR */
    if (r->ptr_status != MTAREP_OK)
        res->has_ptr = MTAREP_UNKNOWN;
    else
        res->has_ptr = r->ptrs.n ? MTAREP_YES : MTAREP_NO;

    /* FCrDNS: a confirmation wins over failures of other names. */
    res->fcrdns = res->has_ptr == MTAREP_UNKNOWN ? MTAREP_UNKNOWN : MTAREP_NO;
    for (size_t i = 0; i < r->ptrs.n; i++) {
        if (r->fwds[i].status == MTAREP_OK && r->fwds[i].done && r->fwds[i].confirmed) {
            if (!res->confirmed && !(res->confirmed = mtarep__strdup(r->ptrs.v[i])))
                goto oom;
            res->fcrdns = MTAREP_YES;
        } else if (r->fwds[i].status != MTAREP_OK || !r->fwds[i].done) {
            fwd_failed = 1;
        }
    }
    if (res->fcrdns == MTAREP_NO && fwd_failed)
        res->fcrdns = MTAREP_UNKNOWN;

    /* HELO */
    res->helo_match = MTAREP_UNKNOWN;
    res->helo_resolves = MTAREP_UNKNOWN;
    if (helo && r->is_literal) {
        res->helo_match = MTAREP_NO; /* a literal is not a name */
        res->helo_resolves = (r->lit.family == r->ip.family &&
                              memcmp(r->lit.bytes, r->ip.bytes, r->lit.family == 4 ? 4 : 16) == 0)
                                 ? MTAREP_YES
                                 : MTAREP_NO;
    } else if (helo) {
        if (r->helo_status == MTAREP_OK)
            res->helo_resolves = r->helo_hit ? MTAREP_YES : MTAREP_NO;
        if (res->has_ptr != MTAREP_UNKNOWN) {
            res->helo_match = MTAREP_NO;
            for (size_t i = 0; i < r->ptrs.n; i++) {
                if (strcmp(r->ptrs.v[i], r->helo_norm) != 0)
                    continue;
                if (r->fwds[i].status == MTAREP_OK && r->fwds[i].done)
                    res->helo_match = r->fwds[i].confirmed ? MTAREP_YES : MTAREP_NO;
                else
                    res->helo_match = MTAREP_UNKNOWN;
            }
        }
    }

    /* Generic-looking names */
    for (size_t i = 0; i < r->ptrs.n; i++)
        if (mtarep_rdns_name_is_generic(r->ptrs.v[i], ipbuf)) {
            res->generic = 1;
            if (mtarep__strvec_pushf(&res->warnings,
                                     "PTR name %s looks generic/dynamic (IP digits or "
                                     "access-network words): receivers treat such senders "
                                     "as end-user hosts", r->ptrs.v[i]) != MTAREP_OK)
                goto oom;
        }

    /* Warnings, most important first */
    {
        mtarep_strvec *w = &res->warnings;
        mtarep_strvec tmp = {0};
        int ok = MTAREP_OK;
        if (res->has_ptr == MTAREP_NO)
            ok = mtarep__strvec_pushf(&tmp, "%s has no PTR record (many receivers reject "
                                      "mail from addresses without reverse DNS)", ipbuf);
        if (ok == MTAREP_OK && res->has_ptr == MTAREP_YES && res->fcrdns == MTAREP_NO)
            ok = mtarep__strvec_pushf(&tmp, "PTR %s of %s is not forward-confirmed: no PTR "
                                      "name resolves back to the address", r->ptrs.v[0], ipbuf);
        if (ok == MTAREP_OK && res->helo_match == MTAREP_NO)
            ok = mtarep__strvec_pushf(&tmp, "HELO %s does not match %s", helo,
                                      res->fcrdns == MTAREP_YES
                                          ? "the forward-confirmed PTR name"
                                          : res->ptrs.n ? "a forward-confirmed PTR name"
                                                        : "any PTR name (there is none)");
        if (ok == MTAREP_OK && res->helo_resolves == MTAREP_NO)
            ok = mtarep__strvec_pushf(&tmp, "HELO %s does not resolve to %s", helo, ipbuf);
        if (ok == MTAREP_OK && r->ptr_total > 1)
            ok = mtarep__strvec_pushf(&tmp, "%s has %d PTR names (one is best; some "
                                      "receivers check only the first)%s", ipbuf, r->ptr_total,
                                      r->ptr_total > RDNS_MAX_NAMES ? "; only the first 10 "
                                      "were checked" : "");
        for (size_t i = 0; ok == MTAREP_OK && i < w->n; i++)
            ok = mtarep__strvec_push(&tmp, w->v[i]);
        mtarep__strvec_free(w);
        *w = tmp;
        if (ok != MTAREP_OK)
            goto oom;
    }
    if (r->errors.n) {
        size_t len = 1;
        for (size_t i = 0; i < r->errors.n; i++)
            len += strlen(r->errors.v[i]) + 2;
        if (!(res->error = malloc(len)))
            goto oom;
        res->error[0] = '\0';
        for (size_t i = 0; i < r->errors.n; i++) {
            if (i)
                strcat(res->error, "; ");
            strcat(res->error, r->errors.v[i]);
        }
    }
    mtarep__strvec_free(&r->ptrs);
    mtarep__strvec_free(&r->errors);
    free(job);
    *out = res;
    return MTAREP_OK;

oom:
    rc = MTAREP_ENOMEM;
fail:
    mtarep_rdns_result_free(res);
    mtarep__strvec_free(&r->ptrs);
    mtarep__strvec_free(&r->errors);
    free(job);
    if (rc == MTAREP_ENOMEM)
        return mtarep__fail(ctx, rc, "rdns: out of memory");
    return mtarep__fail(ctx, rc, "rdns: could not submit the query: %s", mtarep_strerror(rc));
}

mtarep_status mtarep_rdns_check(mtarep_rdns_result **out, mtarep_ctx *ctx, const char *ip,
                                const char *helo)
{
    mtarep_rdns_job *job;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "rdns: out is NULL");
    if ((rc = mtarep__rdns_start(&job, ctx, ip, helo)) != MTAREP_OK)
        return rc;
    rc = mtarep__dns_run(ctx);
    if (rc != MTAREP_OK)
        mtarep__log(ctx, MTAREP_LOG_WARNING, "rdns: DNS engine failure: %s",
                    mtarep_strerror(rc));
    return mtarep__rdns_finish(out, job);
}

/* ---- getters --------------------------------------------------------- */

const char *mtarep_rdns_result_ip(const mtarep_rdns_result *r)
{
    return r ? r->ip : NULL;
}

mtarep_tristate mtarep_rdns_result_has_ptr(const mtarep_rdns_result *r)
{
    return r ? r->has_ptr : MTAREP_UNKNOWN;
}

size_t mtarep_rdns_result_ptr_count(const mtarep_rdns_result *r)
{
    return r ? r->ptrs.n : 0;
}

const char *mtarep_rdns_result_ptr(const mtarep_rdns_result *r, size_t i)
{
    return r && i < r->ptrs.n ? r->ptrs.v[i] : NULL;
}

mtarep_tristate mtarep_rdns_result_fcrdns(const mtarep_rdns_result *r)
{
    return r ? r->fcrdns : MTAREP_UNKNOWN;
}

const char *mtarep_rdns_result_confirmed_name(const mtarep_rdns_result *r)
{
    return r ? r->confirmed : NULL;
}

mtarep_tristate mtarep_rdns_result_helo_match(const mtarep_rdns_result *r)
{
    return r ? r->helo_match : MTAREP_UNKNOWN;
}

mtarep_tristate mtarep_rdns_result_helo_resolves(const mtarep_rdns_result *r)
{
    return r ? r->helo_resolves : MTAREP_UNKNOWN;
}

int mtarep_rdns_result_generic(const mtarep_rdns_result *r)
{
    return r ? r->generic : 0;
}

size_t mtarep_rdns_result_warning_count(const mtarep_rdns_result *r)
{
    return r ? r->warnings.n : 0;
}

const char *mtarep_rdns_result_warning(const mtarep_rdns_result *r, size_t i)
{
    return r && i < r->warnings.n ? r->warnings.v[i] : NULL;
}

const char *mtarep_rdns_result_error(const mtarep_rdns_result *r)
{
    return r ? r->error : NULL;
}
