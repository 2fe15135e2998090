/* SPF evaluation (RFC 7208 check_host) as callbacks on the DNS engine.
 *
 * One evaluation walks its terms in order (the RFC demands it): each DNS
 * mechanism submits its question and returns; the callback decides and
 * steps on. The address lookups of one mx (or ptr) term go out together,
 * and a batch of evaluations shares one mtarep__dns_run(). Results and the
 * inspector (the whole include/redirect tree) live in inspect.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dns/engine.h"
#include "spf_pub.h"

#define SPF_MAX_FRAMES 24 /* include/redirect nesting; the 10-term limit stops loops first */
#define SPF_MAX_NAMES 10  /* RFC 7208 4.6.4: MX and PTR names */

typedef struct frame {
    char domain[256];
    spf_record rec;
    int have_rec;
    size_t ti;        /* next term */
    int kind;         /* SPF_VIA_ROOT / _INCLUDE / _REDIRECT */
    int in_include;   /* fail here is not final: skip exp= */
    int exp_done;
    long node;
} frame;

typedef struct spf_eval spf_eval;

typedef struct name_q {
    spf_eval *ev;
    size_t idx;
} name_q;

enum { RESUME_STEP, RESUME_EXP, RESUME_EXPTEXT };

struct spf_eval {
    mtarep_ctx *ctx;
    mtarep_spf_options opts;
    mtarep_spf_result *res;
    mtarep_ip ip;
    char sender[600], local[300], sdomain[300], helo[300];
    frame fr[SPF_MAX_FRAMES];
    int depth;
    int done;
    /* current multi-answer step (mx, ptr, %{p}) */
    int pending, matched, failed;
    mtarep_strvec names;
    int valid[SPF_MAX_NAMES];
    name_q nq[SPF_MAX_NAMES];
    char target[300];
    /* %{p}: 0 not computed, 1 running, 2 done */
    int p_state;
    int p_resume;
    mtarep_strvec p_names;
    char *exp_text; /* fetched exp= text waiting for %{p} */
};

static void ev_step(spf_eval *ev);
static void frame_finish(spf_eval *ev, mtarep_spf_verdict v, int from_redirect);
static void exp_start(spf_eval *ev);
static void exp_text_done(spf_eval *ev);

/* ---- small helpers ------------------------------------------------------- */

static frame *top(spf_eval *ev) { return &ev->fr[ev->depth - 1]; }

static void ev_abort(spf_eval *ev, mtarep_spf_verdict v, const char *fmt, ...)
    MTAREP_PRINTF(3, 4);
static void ev_abort(spf_eval *ev, mtarep_spf_verdict v, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (ev->done)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ev->done = 1;
    ev->res->verdict = v;
    free(ev->res->reason);
    ev->res->reason = mtarep__strdup(buf);
    if (ev->depth > 0 && top(ev)->node >= 0) {
        spf_node *n = &ev->res->nodes[top(ev)->node];
        if (!n->error)
            n->error = mtarep__strdup(buf);
    }
}


static ldns_rr_type addr_type(const spf_eval *ev)
{
    return ev->ip.family == 4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
}

/* Count a void lookup; 0, or -1 after aborting with permerror. */
static int count_void(spf_eval *ev)
{
    ev->res->voids++;
    if (ev->depth > 0 && top(ev)->node >= 0)
        ev->res->nodes[top(ev)->node].voids++;
    if (ev->res->voids > ev->opts.max_void_lookups) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "more than %u void DNS lookups (RFC 7208 4.6.4)",
                 ev->opts.max_void_lookups);
        return -1;
    }
    return 0;
}

static int is_void(const mtarep_dns_answer *ans)
{
    return !ans->rrs || ldns_rr_list_rr_count(ans->rrs) == 0;
}

/* %{p} for the current domain: a validated name equal to it, else one
 * below it, else any validated name (RFC 7208 7.3), else NULL. */
static const char *p_value(const spf_eval *ev, const char *domain)
{
    size_t dl = strlen(domain);
    for (size_t i = 0; i < ev->p_names.n; i++)
        if (strcasecmp(ev->p_names.v[i], domain) == 0)
            return ev->p_names.v[i];
    for (size_t i = 0; i < ev->p_names.n; i++) {
        size_t nl = strlen(ev->p_names.v[i]);
        if (nl > dl && ev->p_names.v[i][nl - dl - 1] == '.' &&
            strcasecmp(ev->p_names.v[i] + nl - dl, domain) == 0)
            return ev->p_names.v[i];
    }
    return ev->p_names.n ? ev->p_names.v[0] : NULL;
}

static int expand(spf_eval *ev, const char *domain, const char *s, int explain, char *out,
                  size_t outlen)
{
    spf_macro_env env;
    memset(&env, 0, sizeof env);
    env.sender = ev->sender;
    env.local = ev->local;
    env.sdomain = ev->sdomain;
    env.domain = domain;
    env.ip = &ev->ip;
    env.helo = ev->helo;
    env.p = p_value(ev, domain);
    env.receiver = ev->opts.receiver;
    env.now = time(NULL);
    return mtarep__spf_macro_expand(&env, s, explain, out, outlen);
}

/* Submit; on a name the engine refuses, *refused = 1 (no callback). */
static int submit(spf_eval *ev, const char *name, ldns_rr_type type, mtarep_dns_cb cb,
                  void *arg, int *refused)
{
    int rc = mtarep__dns_submit_any(ev->ctx, name, type, cb, arg);
    *refused = 0;
    if (rc == MTAREP_EINVAL) {
        *refused = 1;
        return MTAREP_OK;
    }
    if (rc != MTAREP_OK)
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "cannot submit DNS query: %s", mtarep_strerror(rc));
    return rc;
}

static void mech_done(spf_eval *ev, int matched)
{
    frame *f;
    if (ev->done)
        return;
    f = top(ev);
    if (matched) {
        char q = f->rec.t[f->ti].qual;
        mtarep_spf_verdict v = q == '-' ? MTAREP_SPF_FAIL
                               : q == '~' ? MTAREP_SPF_SOFTFAIL
                               : q == '?' ? MTAREP_SPF_NEUTRAL
                                          : MTAREP_SPF_PASS;
        frame_finish(ev, v, 0);
        return;
    }
    f->ti++;
    ev_step(ev);
}

/* ---- %{p}: PTR names of the client that resolve back to it --------------- */

static void p_resume(spf_eval *ev)
{
    ev->p_state = 2;
    if (ev->done)
        return;
    if (ev->p_resume == RESUME_EXP)
        exp_start(ev);
    else if (ev->p_resume == RESUME_EXPTEXT)
        exp_text_done(ev);
    else
        ev_step(ev);
}

static void p_one_done(spf_eval *ev)
{
    if (--ev->pending > 0)
        return;
    for (size_t i = 0; i < ev->names.n; i++)
        if (ev->valid[i] && mtarep__strvec_push(&ev->p_names, ev->names.v[i]) != MTAREP_OK)
            ev_abort(ev, MTAREP_SPF_TEMPERROR, "out of memory");
    p_resume(ev);
}

static void on_p_addr(const mtarep_dns_answer *ans, void *arg)
{
    name_q *q = arg;
    spf_eval *ev = q->ev;
    if (ans->status == MTAREP_OK && mtarep__dns_rrs_match_ip(ans->rrs, &ev->ip, 32, 128))
        ev->valid[q->idx] = 1;
    p_one_done(ev);
}

/* Collect up to 10 PTR names of an answer into ev->names. */
static void collect_names(spf_eval *ev, const mtarep_dns_answer *ans)
{
    mtarep__strvec_free(&ev->names);
    memset(ev->valid, 0, sizeof ev->valid);
    for (size_t i = 0; ans->rrs && i < ldns_rr_list_rr_count(ans->rrs); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
        char *s;
        size_t n;
        if (ev->names.n >= SPF_MAX_NAMES)
            break; /* RFC 7208 4.6.4: the rest are ignored */
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_PTR || ldns_rr_rd_count(rr) < 1)
            continue;
        if (!(s = ldns_rdf2str(ldns_rr_rdf(rr, 0))))
            continue;
        n = strlen(s);
        if (n > 1 && s[n - 1] == '.')
            s[n - 1] = '\0';
        mtarep__strvec_push(&ev->names, s);
        free(s);
    }
}

/* Resolve each collected name; cb per name, then done() when all answered. */
static void resolve_names(spf_eval *ev, mtarep_dns_cb cb, void (*one_done)(spf_eval *))
{
    ev->pending = 1;
    for (size_t i = 0; i < ev->names.n && !ev->done; i++) {
        int refused;
        ev->nq[i].ev = ev;
        ev->nq[i].idx = i;
        ev->pending++;
        if (submit(ev, ev->names.v[i], addr_type(ev), cb, &ev->nq[i], &refused) != MTAREP_OK)
            return;
        if (refused)
            ev->pending--;
    }
    one_done(ev);
}

static void on_p_ptr(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    if (ev->done)
        return;
    if (ans->status != MTAREP_OK || is_void(ans)) {
        mtarep__strvec_free(&ev->names);
        p_resume(ev);
        return;
    }
    collect_names(ev, ans);
    resolve_names(ev, on_p_addr, p_one_done);
}

static void reverse_name(const mtarep_ip *ip, char *buf, size_t len)
{
    char rev[80];
    mtarep__ip_reverse(ip, rev, sizeof rev);
    snprintf(buf, len, "%s.%s", rev, ip->family == 4 ? "in-addr.arpa" : "ip6.arpa");
}

/* Start %{p} if s needs it and it is not known yet: 1 = wait for it. */
static int need_p(spf_eval *ev, const char *s, int resume)
{
    char name[128];
    int refused;
    if (ev->p_state == 2 || !s || !mtarep__spf_macro_has_p(s))
        return 0;
    ev->p_state = 1;
    ev->p_resume = resume;
    reverse_name(&ev->ip, name, sizeof name);
    if (submit(ev, name, LDNS_RR_TYPE_PTR, on_p_ptr, ev, &refused) != MTAREP_OK)
        return 1;
    if (refused)
        p_resume(ev);
    return 1;
}

/* ---- frames: one check_host() each --------------------------------------- */

static void on_txt(const mtarep_dns_answer *ans, void *arg);

static void frame_push(spf_eval *ev, const char *domain, int kind)
{
    frame *f;
    long parent = ev->depth > 0 ? top(ev)->node : -1;
    int in_inc = ev->depth > 0 && (top(ev)->in_include || kind == SPF_VIA_INCLUDE);
    int refused;

    if (ev->depth >= SPF_MAX_FRAMES) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "include/redirect nesting deeper than %d",
                 SPF_MAX_FRAMES);
        return;
    }
    f = &ev->fr[ev->depth++];
    memset(f, 0, sizeof *f);
    snprintf(f->domain, sizeof f->domain, "%s", domain);
    f->kind = kind;
    f->in_include = in_inc;
    f->rec.redirect = f->rec.exp = -1;
    f->node = mtarep__spf_node_add(ev->res, domain, parent, kind);
    if (f->node < 0) {
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "out of memory");
        return;
    }
    if (submit(ev, domain, LDNS_RR_TYPE_TXT, on_txt, ev, &refused) != MTAREP_OK)
        return;
    if (refused)
        frame_finish(ev, MTAREP_SPF_NONE, 0);
}

static void on_txt(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    frame *f;
    spf_txt recs[2];
    size_t nrec;
    char err[200];
    size_t errpos = 0;
    int rc;

    if (ev->done)
        return;
    f = top(ev);
    if (ans->status != MTAREP_OK) {
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "TXT lookup of %s failed: %s", f->domain,
                 ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
        return;
    }
    nrec = mtarep__spf_select(ans->rrs, recs, 2);
    if (nrec == 0) {
        mtarep__spf_node_note(ev->res, f->node, "no SPF record");
        frame_finish(ev, MTAREP_SPF_NONE, 0);
        goto out;
    }
    mtarep__spf_node_set_record(ev->res, f->node, recs[0].p, recs[0].len);
    if (nrec > 1) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "%s has more than one SPF record", f->domain);
        goto out;
    }
    rc = mtarep__spf_parse(&f->rec, recs[0].p, recs[0].len, err, sizeof err, &errpos);
    if (rc != MTAREP_OK) {
        if (rc == MTAREP_ENOMEM)
            ev_abort(ev, MTAREP_SPF_TEMPERROR, "out of memory");
        else {
            ev_abort(ev, MTAREP_SPF_PERMERROR, "syntax error in the SPF record of %s at "
                     "offset %zu: %s", f->domain, errpos, err);
            ev->res->erroff = (long)errpos;
        }
        goto out;
    }
    f->have_rec = 1;
    ev_step(ev);
out:
    for (size_t i = 0; i < nrec && i < 2; i++)
        free(recs[i].p);
}

/* ---- mechanisms ---------------------------------------------------------- */

static void on_a(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    const spf_term *t;
    if (ev->done)
        return;
    t = &top(ev)->rec.t[top(ev)->ti];
    if (ans->status != MTAREP_OK) {
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "lookup of %s failed: %s", ans->qname,
                 ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
        return;
    }
    if (is_void(ans)) {
        if (count_void(ev) == 0)
            mech_done(ev, 0);
        return;
    }
    if (t->mech == SPF_M_EXISTS)
        mech_done(ev, 1);
    else
        mech_done(ev, mtarep__dns_rrs_match_ip(ans->rrs, &ev->ip, t->cidr4, t->cidr6));
}

static void mx_one_done(spf_eval *ev)
{
    if (--ev->pending > 0 || ev->done)
        return;
    if (ev->matched)
        mech_done(ev, 1);
    else if (ev->failed)
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "address lookup of an MX host of %s failed",
                 ev->target);
    else
        mech_done(ev, 0);
}

static void on_mx_addr(const mtarep_dns_answer *ans, void *arg)
{
    name_q *q = arg;
    spf_eval *ev = q->ev;
    if (!ev->done) {
        const spf_term *t = &top(ev)->rec.t[top(ev)->ti];
        if (ans->status != MTAREP_OK)
            ev->failed = 1;
        else if (mtarep__dns_rrs_match_ip(ans->rrs, &ev->ip, t->cidr4, t->cidr6))
            ev->matched = 1;
    }
    mx_one_done(ev);
}

static void on_mx(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    size_t n;
    if (ev->done)
        return;
    if (ans->status != MTAREP_OK) {
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "MX lookup of %s failed: %s", ans->qname,
                 ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
        return;
    }
    if (is_void(ans)) {
        if (count_void(ev) == 0)
            mech_done(ev, 0);
        return;
    }
    n = ldns_rr_list_rr_count(ans->rrs);
    if (n > SPF_MAX_NAMES) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "%s has %zu MX records, more than %d (RFC 7208 "
                 "4.6.4)", ans->qname, n, SPF_MAX_NAMES);
        return;
    }
    mtarep__strvec_free(&ev->names);
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
        char *s;
        size_t l;
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || ldns_rr_rd_count(rr) < 2)
            continue;
        if (!(s = ldns_rdf2str(ldns_rr_rdf(rr, 1))))
            continue;
        l = strlen(s);
        if (l && s[l - 1] == '.')
            s[--l] = '\0';
        if (l) /* "." is a null MX (RFC 7505): no address */
            mtarep__strvec_push(&ev->names, s);
        free(s);
    }
    ev->matched = ev->failed = 0;
    resolve_names(ev, on_mx_addr, mx_one_done);
}

static void ptr_one_done(spf_eval *ev)
{
    size_t tl;
    if (--ev->pending > 0 || ev->done)
        return;
    tl = strlen(ev->target);
    for (size_t i = 0; i < ev->names.n; i++) {
        const char *nm = ev->names.v[i];
        size_t nl = strlen(nm);
        if (!ev->valid[i])
            continue;
        if (strcasecmp(nm, ev->target) == 0 ||
            (nl > tl && nm[nl - tl - 1] == '.' && strcasecmp(nm + nl - tl, ev->target) == 0)) {
            mech_done(ev, 1);
            return;
        }
    }
    mech_done(ev, 0);
}

static void on_ptr_addr(const mtarep_dns_answer *ans, void *arg)
{
    name_q *q = arg;
    spf_eval *ev = q->ev;
    /* a failed lookup skips that name (RFC 7208 5.5) */
    if (!ev->done && ans->status == MTAREP_OK &&
        mtarep__dns_rrs_match_ip(ans->rrs, &ev->ip, 32, 128))
        ev->valid[q->idx] = 1;
    ptr_one_done(ev);
}

static void on_ptr(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    if (ev->done)
        return;
    if (ans->status != MTAREP_OK) { /* RFC 7208 5.5: a DNS error means no match */
        mech_done(ev, 0);
        return;
    }
    if (is_void(ans)) {
        if (count_void(ev) == 0)
            mech_done(ev, 0);
        return;
    }
    collect_names(ev, ans);
    resolve_names(ev, on_ptr_addr, ptr_one_done);
}

/* Expand a domain-spec (or the current domain) into ev->target. Returns 0,
 * 1 when the name cannot be asked (malformed after expansion), -1 after
 * aborting. */
static int target_of(spf_eval *ev, const char *spec)
{
    frame *f = top(ev);
    int rc;
    if (!spec) {
        snprintf(ev->target, sizeof ev->target, "%s", f->domain);
        return 0;
    }
    rc = expand(ev, f->domain, spec, 0, ev->target, sizeof ev->target);
    if (rc == MTAREP_ELIMIT) {
        /* too long even for our buffer: certainly over 253, so it will be
         * truncated from the left; expand into a larger one */
        char big[4096];
        rc = expand(ev, f->domain, spec, 0, big, sizeof big);
        if (rc == MTAREP_OK) {
            if (mtarep__spf_target_name(big) != 0)
                return 1;
            if (strlen(big) >= sizeof ev->target)
                return 1;
            memcpy(ev->target, big, strlen(big) + 1);
            return 0;
        }
    }
    if (rc != MTAREP_OK) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "macro expansion of '%s' failed", spec);
        return -1;
    }
    return mtarep__spf_target_name(ev->target) == 0 ? 0 : 1;
}

static int count_lookup(spf_eval *ev)
{
    ev->res->lookups++;
    ev->res->nodes[top(ev)->node].lookups++;
    if (ev->res->lookups > ev->opts.max_dns_mechanisms) {
        ev_abort(ev, MTAREP_SPF_PERMERROR,
                 "more than %u DNS-querying mechanisms and modifiers (RFC 7208 4.6.4)",
                 ev->opts.max_dns_mechanisms);
        return -1;
    }
    return 0;
}

static void ev_step(spf_eval *ev)
{
    frame *f;
    int refused, trc;

    if (ev->done)
        return;
    f = top(ev);
    while (f->ti < f->rec.n) {
        const spf_term *t = &f->rec.t[f->ti];
        if (t->is_mod) {
            f->ti++;
            continue;
        }
        switch (t->mech) {
        case SPF_M_ALL:
            mech_done(ev, 1);
            return;
        case SPF_M_IP4:
        case SPF_M_IP6:
            if (ev->ip.family == t->net.family &&
                mtarep__ip_prefix_match(ev->ip.bytes, t->net.bytes,
                             t->mech == SPF_M_IP4 ? t->cidr4 : t->cidr6)) {
                mech_done(ev, 1);
                return;
            }
            f->ti++;
            continue;
        default:
            break;
        }
        /* DNS mechanisms */
        if (need_p(ev, t->arg, RESUME_STEP))
            return;
        if (count_lookup(ev) != 0)
            return;
        trc = target_of(ev, t->arg);
        if (trc < 0)
            return;
        if (t->mech == SPF_M_INCLUDE) {
            if (trc > 0) {
                ev_abort(ev, MTAREP_SPF_PERMERROR, "include target '%s' is not a valid "
                         "domain name", t->arg);
                return;
            }
            frame_push(ev, ev->target, SPF_VIA_INCLUDE);
            return;
        }
        if (trc > 0) { /* never asked; as NXDOMAIN */
            if (count_void(ev) == 0)
                mech_done(ev, 0);
            return;
        }
        switch (t->mech) {
        case SPF_M_A:
            if (submit(ev, ev->target, addr_type(ev), on_a, ev, &refused) != MTAREP_OK)
                return;
            break;
        case SPF_M_EXISTS: /* always A, whatever the client's family (RFC 7208 5.7) */
            if (submit(ev, ev->target, LDNS_RR_TYPE_A, on_a, ev, &refused) != MTAREP_OK)
                return;
            break;
        case SPF_M_MX:
            if (submit(ev, ev->target, LDNS_RR_TYPE_MX, on_mx, ev, &refused) != MTAREP_OK)
                return;
            break;
        case SPF_M_PTR: {
            char name[128];
            reverse_name(&ev->ip, name, sizeof name);
            if (submit(ev, name, LDNS_RR_TYPE_PTR, on_ptr, ev, &refused) != MTAREP_OK)
                return;
            break;
        }
        default:
            refused = 1;
            break;
        }
        if (refused && count_void(ev) == 0)
            mech_done(ev, 0);
        return;
    }
    /* no mechanism matched */
    if (f->rec.redirect >= 0) {
        const spf_term *t = &f->rec.t[f->rec.redirect];
        if (need_p(ev, t->arg, RESUME_STEP))
            return;
        if (count_lookup(ev) != 0)
            return;
        trc = target_of(ev, t->arg);
        if (trc < 0)
            return;
        if (trc > 0) {
            ev_abort(ev, MTAREP_SPF_PERMERROR, "redirect target '%s' is not a valid domain "
                     "name", t->arg);
            return;
        }
        f->ti = f->rec.n + 1; /* marks "redirected" */
        frame_push(ev, ev->target, SPF_VIA_REDIRECT);
        return;
    }
    frame_finish(ev, MTAREP_SPF_NEUTRAL, 0);
}

/* ---- exp= and the end of a frame ----------------------------------------- */

static void set_default_explanation(spf_eval *ev, const char *domain)
{
    char buf[1024];
    const char *d = ev->opts.default_explanation
                        ? ev->opts.default_explanation
                        : "%{d} does not authorise %{c} to send mail for %{o} (SPF fail)";
    if (ev->res->explanation)
        return;
    if (expand(ev, domain, d, 1, buf, sizeof buf) != MTAREP_OK)
        snprintf(buf, sizeof buf, "%s", d);
    ev->res->explanation = mtarep__strdup(buf);
}

static void exp_finish(spf_eval *ev)
{
    frame *f = top(ev);
    set_default_explanation(ev, f->domain);
    f->exp_done = 1;
    frame_finish(ev, MTAREP_SPF_FAIL, 0);
}

/* Expand the fetched exp= text (once %{p} is known if it needs it). */
static void exp_text_done(spf_eval *ev)
{
    char buf[2048];
    if (ev->exp_text && expand(ev, top(ev)->domain, ev->exp_text, 1, buf, sizeof buf) == MTAREP_OK)
        ev->res->explanation = mtarep__strdup(buf);
    free(ev->exp_text);
    ev->exp_text = NULL;
    exp_finish(ev);
}

static void on_exp(const mtarep_dns_answer *ans, void *arg)
{
    spf_eval *ev = arg;
    char *text = NULL;
    size_t tl = 0, nrr;

    if (ev->done)
        return;
    /* any trouble: the default explanation (RFC 7208 6.2) */
    nrr = ans->status == MTAREP_OK && ans->rrs ? ldns_rr_list_rr_count(ans->rrs) : 0;
    if (nrr == 1 && mtarep__spf_txt_join(ldns_rr_list_rr(ans->rrs, 0), &text, &tl) == 0) {
        int ok = 1;
        size_t ep;
        for (size_t i = 0; i < tl; i++)
            if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
                ok = 0;
        if (ok && mtarep__spf_macro_check(text, tl, 1, &ep) == MTAREP_OK) {
            ev->exp_text = text;
            if (need_p(ev, text, RESUME_EXPTEXT))
                return;
            exp_text_done(ev);
            return;
        }
    }
    free(text);
    exp_finish(ev);
}

static void exp_start(spf_eval *ev)
{
    frame *f = top(ev);
    const spf_term *t = &f->rec.t[f->rec.exp];
    char name[300];
    int refused;

    if (need_p(ev, t->arg, RESUME_EXP))
        return;
    if (expand(ev, f->domain, t->arg, 0, name, sizeof name) != MTAREP_OK ||
        mtarep__spf_target_name(name) != 0) {
        exp_finish(ev);
        return;
    }
    if (submit(ev, name, LDNS_RR_TYPE_TXT, on_exp, ev, &refused) != MTAREP_OK)
        return;
    if (refused)
        exp_finish(ev);
}

static void frame_finish(spf_eval *ev, mtarep_spf_verdict v, int from_redirect)
{
    frame *f;
    int kind;

    if (ev->done)
        return;
    f = top(ev);
    if (v == MTAREP_SPF_FAIL && !f->in_include && !from_redirect && !f->exp_done &&
        !ev->res->explanation) {
        if (f->rec.exp >= 0) {
            exp_start(ev);
            return;
        }
        set_default_explanation(ev, f->domain);
    }
    mtarep__spf_node_result(ev->res, f->node, v);
    kind = f->kind;
    mtarep__spf_record_free(&f->rec);
    ev->depth--;
    if (ev->depth == 0) {
        ev->done = 1;
        ev->res->verdict = v;
        if (v == MTAREP_SPF_NONE && !ev->res->reason)
            ev->res->reason = mtarep__strdup("no SPF record");
        return;
    }
    if (kind == SPF_VIA_INCLUDE) {
        if (v == MTAREP_SPF_NONE)
            ev_abort(ev, MTAREP_SPF_PERMERROR, "include target has no SPF record");
        else
            mech_done(ev, v == MTAREP_SPF_PASS);
        return;
    }
    /* redirect: its result is the parent's */
    if (v == MTAREP_SPF_NONE) {
        ev_abort(ev, MTAREP_SPF_PERMERROR, "redirect target has no SPF record");
        return;
    }
    frame_finish(ev, v, 1);
}

/* ---- public calls -------------------------------------------------------- */

/* RFC 7208 4.3: a usable <domain>: LDH/underscore labels of 1..63 octets,
 * at least two labels, a top label that is not all digits. */
static int fqdn_ok(const char *d)
{
    char buf[256];
    const char *last;
    if (mtarep__domain_normalize(d, buf, sizeof buf) != MTAREP_OK)
        return 0;
    last = strrchr(buf, '.');
    if (!last)
        return 0;
    for (last++; *last; last++)
        if (!isdigit((unsigned char)*last))
            return 1;
    return 0;
}

static void ev_free(spf_eval *ev)
{
    while (ev->depth > 0)
        mtarep__spf_record_free(&ev->fr[--ev->depth].rec);
    mtarep__strvec_free(&ev->names);
    mtarep__strvec_free(&ev->p_names);
    free(ev->exp_text);
}

/* Set up one evaluation and submit its first query. Returns 0,
 * MTAREP_EINVAL (message on ctx) or MTAREP_ENOMEM. */
static int ev_start(spf_eval *ev, mtarep_ctx *ctx, const mtarep_spf_options *opts,
                    const char *ip, const char *sender, const char *helo)
{
    const char *at;
    mtarep_ip v4;

    memset(ev, 0, sizeof *ev);
    ev->ctx = ctx;
    ev->opts = *opts;
    if (!ip || mtarep__ip_parse(&ev->ip, ip) != MTAREP_OK)
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: '%.64s' is not an IP address",
                            ip ? ip : "(null)");
    /* v4-mapped IPv6 is the IPv4 client (RFC 7208 5) */
    if (ev->ip.family == 6 && !memcmp(ev->ip.bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
        memset(&v4, 0, sizeof v4);
        v4.family = 4;
        memcpy(v4.bytes, ev->ip.bytes + 12, 4);
        ev->ip = v4;
    }
    if (helo && strlen(helo) >= sizeof ev->helo)
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: HELO name too long");
    snprintf(ev->helo, sizeof ev->helo, "%s", helo ? helo : "");
    if (!sender || !*sender || opts->helo_identity) {
        if (!helo || !*helo)
            return mtarep__fail(ctx, MTAREP_EINVAL, "spf: need a sender or a HELO name");
        snprintf(ev->local, sizeof ev->local, "postmaster");
        snprintf(ev->sdomain, sizeof ev->sdomain, "%s", helo);
    } else {
        if (strlen(sender) >= sizeof ev->sdomain)
            return mtarep__fail(ctx, MTAREP_EINVAL, "spf: sender too long");
        at = strrchr(sender, '@');
        if (!at) {
            snprintf(ev->local, sizeof ev->local, "postmaster");
            snprintf(ev->sdomain, sizeof ev->sdomain, "%s", sender);
        } else {
            if (at == sender)
                snprintf(ev->local, sizeof ev->local, "postmaster");
            else
                snprintf(ev->local, sizeof ev->local, "%.*s", (int)(at - sender), sender);
            snprintf(ev->sdomain, sizeof ev->sdomain, "%s", at + 1);
        }
    }
    snprintf(ev->sender, sizeof ev->sender, "%s@%s", ev->local, ev->sdomain);
    if (!(ev->res = mtarep__spf_result_new()))
        return MTAREP_ENOMEM;
    if (!fqdn_ok(ev->sdomain)) {
        ev->done = 1;
        ev->res->verdict = MTAREP_SPF_NONE;
        ev->res->reason = mtarep__strdup("the identity's domain is not a usable domain name "
                                         "(RFC 7208 4.3)");
        return MTAREP_OK;
    }
    {
        char d[256];
        mtarep__domain_normalize(ev->sdomain, d, sizeof d);
        frame_push(ev, d, SPF_VIA_ROOT);
    }
    return MTAREP_OK;
}

static int opts_ok(mtarep_ctx *ctx, const mtarep_spf_options *opts, mtarep_spf_options *o)
{
    mtarep_spf_options def = MTAREP_SPF_OPTIONS_INIT;
    if (!opts) {
        *o = def;
        return MTAREP_OK;
    }
    if (opts->version != MTAREP_SPF_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "spf: options version %u not supported",
                            opts->version);
    *o = *opts;
    return MTAREP_OK;
}

mtarep_status mtarep_spf_options_init(mtarep_spf_options *opts, unsigned int version)
{
    mtarep_spf_options def = MTAREP_SPF_OPTIONS_INIT;
    if (!opts)
        return MTAREP_EINVAL;
    if (version != MTAREP_SPF_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = def;
    return MTAREP_OK;
}

/* Evaluations started per engine run: all of a window run side by side;
 * the window bounds memory (an evaluation holds ~10 KB of state). */
#define SPF_BATCH_WINDOW 1024

mtarep_status mtarep_spf_check_batch(mtarep_spf_result **out, mtarep_ctx *ctx,
                                     const mtarep_spf_query *queries, size_t n,
                                     const mtarep_spf_options *opts)
{
    spf_eval *evs;
    mtarep_spf_options o;
    int rc, first_err = 0;
    char first_msg[512] = "";

    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!out || (!queries && n))
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: NULL argument");
    if ((rc = opts_ok(ctx, opts, &o)) != MTAREP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (n == 0)
        return MTAREP_OK;
    if (!(evs = calloc(n < SPF_BATCH_WINDOW ? n : SPF_BATCH_WINDOW, sizeof *evs)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    for (size_t base = 0; base < n && first_err != MTAREP_ENOMEM; base += SPF_BATCH_WINDOW) {
        size_t w = n - base < SPF_BATCH_WINDOW ? n - base : SPF_BATCH_WINDOW;
        for (size_t i = 0; i < w; i++) {
            const mtarep_spf_query *q = &queries[base + i];
            rc = ev_start(&evs[i], ctx, &o, q->ip, q->sender, q->helo);
            if (rc != MTAREP_OK && !first_err) {
                first_err = rc;
                snprintf(first_msg, sizeof first_msg, "%s", mtarep_ctx_errmsg(ctx));
            }
            if (rc == MTAREP_ENOMEM)
                w = i + 1; /* run what was started, then stop */
        }
        rc = mtarep__dns_run(ctx);
        if (rc != MTAREP_OK)
            mtarep__log(ctx, MTAREP_LOG_WARNING, "spf: DNS engine failure: %s",
                        mtarep_strerror(rc));
        for (size_t i = 0; i < w; i++) {
            spf_eval *ev = &evs[i];
            if (ev->res && !ev->done) /* cannot happen: every callback fires */
                ev_abort(ev, MTAREP_SPF_TEMPERROR, "evaluation did not finish");
            if (ev->res)
                mtarep__spf_result_finish(ev->res);
            out[base + i] = ev->res;
            ev_free(ev);
        }
    }
    free(evs);
    if (first_err == MTAREP_ENOMEM) {
        for (size_t i = 0; i < n; i++) {
            mtarep_spf_result_free(out[i]);
            out[i] = NULL;
        }
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    if (first_err)
        mtarep__fail(ctx, first_err, "%s", first_msg);
    return MTAREP_OK;
}

struct mtarep_spf_job {
    spf_eval ev;
    int started; /* ev_start succeeded */
};

int mtarep__spf_check_start(mtarep_spf_job **job, mtarep_ctx *ctx, const char *ip,
                            const char *sender, const char *helo,
                            const mtarep_spf_options *opts)
{
    mtarep_spf_job *j;
    mtarep_spf_options o;
    int rc;

    *job = NULL;
    if ((rc = opts_ok(ctx, opts, &o)) != MTAREP_OK)
        return rc;
    if (!(j = calloc(1, sizeof *j)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    rc = ev_start(&j->ev, ctx, &o, ip, sender, helo);
    if (rc != MTAREP_OK && !j->ev.res) {
        /* failed before anything was submitted */
        ev_free(&j->ev);
        free(j);
        return rc;
    }
    if (rc != MTAREP_OK) {
        /* ENOMEM after the result was made: the evaluation aborted itself
         * or never submitted; the result says so */
        if (!j->ev.done)
            ev_abort(&j->ev, MTAREP_SPF_TEMPERROR, "out of memory");
    }
    *job = j;
    return MTAREP_OK;
}

int mtarep__spf_check_finish(mtarep_spf_result **out, mtarep_spf_job *j)
{
    spf_eval *ev = &j->ev;
    if (ev->res && !ev->done) /* cannot happen: every callback fires */
        ev_abort(ev, MTAREP_SPF_TEMPERROR, "evaluation did not finish");
    if (ev->res)
        mtarep__spf_result_finish(ev->res);
    *out = ev->res;
    ev_free(ev);
    free(j);
    return *out ? MTAREP_OK : MTAREP_ENOMEM;
}

mtarep_status mtarep_spf_check(mtarep_spf_result **out, mtarep_ctx *ctx, const char *ip,
                               const char *sender, const char *helo,
                               const mtarep_spf_options *opts)
{
    mtarep_spf_query q;
    int rc;
    if (out)
        *out = NULL;
    if (!ctx)
        return MTAREP_EINVAL;
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: out is NULL");
    q.ip = ip;
    q.sender = sender;
    q.helo = helo;
    rc = mtarep_spf_check_batch(out, ctx, &q, 1, opts);
    if (rc != MTAREP_OK)
        return rc;
    if (!*out) {
        /* the batch recorded why; return that code */
        const char *m = mtarep_ctx_errmsg(ctx);
        return mtarep__fail(ctx, MTAREP_EINVAL, "%s", *m ? m : "spf: invalid query");
    }
    return MTAREP_OK;
}
