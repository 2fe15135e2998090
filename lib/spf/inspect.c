/* SPF result object, getters, text validation and the tree inspector.
 *
 * The inspector follows every include/redirect regardless of what
 * evaluation would do, concurrently (all records of one tree level and all
 * probes go out together), so a publisher sees the whole tree, its lookup
 * counts and every problem at once. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/engine.h"
#include "spf_pub.h"

#define INSPECT_MAX_NODES 100
#define SPF_LEN_HEURISTIC 450 /* RFC 7208 3.4: keep records under 450 octets */

/* ---- result object ------------------------------------------------------- */

mtarep_spf_result *mtarep__spf_result_new(void)
{
    mtarep_spf_result *r = calloc(1, sizeof *r);
    if (r) {
        r->erroff = -1;
        r->verdict = MTAREP_SPF_NONE;
    }
    return r;
}

long mtarep__spf_node_add(mtarep_spf_result *r, const char *domain, long parent, int via)
{
    spf_node *n;
    if (r->nn == r->ncap) {
        size_t cap = r->ncap ? r->ncap * 2 : 8;
        spf_node *v = realloc(r->nodes, cap * sizeof *v);
        if (!v)
            return -1;
        r->nodes = v;
        r->ncap = cap;
    }
    n = &r->nodes[r->nn];
    memset(n, 0, sizeof *n);
    n->parent = parent;
    n->via = via;
    n->result = -1;
    if (!(n->domain = mtarep__strdup(domain ? domain : "")))
        return -1;
    return (long)r->nn++;
}

/* Printable copy: non-printable octets as \xNN (records may hold NUL). */
static char *escape(const char *s, size_t len)
{
    char *d = malloc(len * 4 + 1), *o = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '\\')
            o += sprintf(o, "\\x%02x", c);
        else
            *o++ = (char)c;
    }
    *o = '\0';
    return d;
}

void mtarep__spf_node_set_record(mtarep_spf_result *r, long node, const char *txt, size_t len)
{
    if (node < 0 || (size_t)node >= r->nn)
        return;
    free(r->nodes[node].record);
    r->nodes[node].record = escape(txt, len);
}

void mtarep__spf_node_note(mtarep_spf_result *r, long node, const char *msg)
{
    if (node < 0 || (size_t)node >= r->nn || r->nodes[node].error)
        return;
    r->nodes[node].error = mtarep__strdup(msg);
}

void mtarep__spf_node_result(mtarep_spf_result *r, long node, mtarep_spf_verdict v)
{
    if (node >= 0 && (size_t)node < r->nn)
        r->nodes[node].result = (int)v;
}

void mtarep__spf_result_finish(mtarep_spf_result *r)
{
    for (size_t i = 0; i < r->nn; i++)
        r->nodes[i].total = r->nodes[i].lookups;
    for (size_t i = r->nn; i-- > 1;)
        if (r->nodes[i].parent >= 0)
            r->nodes[r->nodes[i].parent].total += r->nodes[i].total;
}

int mtarep__spf_txt_join(const ldns_rr *rr, char **out, size_t *len)
{
    size_t total = 0, o = 0;
    char *s;
    *out = NULL;
    *len = 0;
    for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
        const ldns_rdf *rd = ldns_rr_rdf(rr, k);
        if (ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_STR && ldns_rdf_size(rd) >= 1)
            total += ldns_rdf_size(rd) - 1;
    }
    if (!(s = malloc(total + 1)))
        return -1;
    for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
        const ldns_rdf *rd = ldns_rr_rdf(rr, k);
        if (ldns_rdf_get_type(rd) == LDNS_RDF_TYPE_STR && ldns_rdf_size(rd) >= 1) {
            /* first octet is the string's length */
            size_t l = ldns_rdf_size(rd) - 1;
            memcpy(s + o, ldns_rdf_data(rd) + 1, l);
            o += l;
        }
    }
    s[o] = '\0';
    *out = s;
    *len = o;
    return 0;
}

size_t mtarep__spf_select(const ldns_rr_list *rrs, spf_txt *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
        char *s;
        size_t l;
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT && ldns_rr_get_type(rr) != LDNS_RR_TYPE_SPF)
            continue;
        if (mtarep__spf_txt_join(rr, &s, &l) != 0)
            continue;
        if (!mtarep__spf_is_v1(s, l) || n >= max) {
            if (mtarep__spf_is_v1(s, l))
                n = max; /* already full: just report "more" */
            free(s);
            continue;
        }
        out[n].p = s;
        out[n].len = l;
        n++;
    }
    return n;
}

static void warn(mtarep_spf_result *r, const char *fmt, ...) MTAREP_PRINTF(2, 3);
static void warn(mtarep_spf_result *r, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->warnings.n; i++)
        if (strcmp(r->warnings.v[i], buf) == 0)
            return;
    mtarep__strvec_push(&r->warnings, buf);
}

void mtarep__spf_record_warnings(mtarep_spf_result *r, const char *where, size_t textlen,
                                 const spf_record *rec)
{
    long all = -1;
    for (size_t i = 0; i < rec->n; i++) {
        const spf_term *t = &rec->t[i];
        if (t->is_mod) {
            if (strcasecmp(t->name, "redirect") && strcasecmp(t->name, "exp"))
                warn(r, "%s: unknown modifier '%s=' (ignored by evaluators)", where, t->name);
            continue;
        }
        if (t->mech == SPF_M_PTR)
            warn(r, "%s: the ptr mechanism is deprecated (RFC 7208 5.5): slow, unreliable, "
                 "some receivers ignore it", where);
        if (t->mech == SPF_M_ALL && all < 0)
            all = (long)i;
    }
    if (all >= 0) {
        char q = rec->t[all].qual;
        if (q == '+')
            warn(r, "%s: +all authorises every host on the Internet", where);
        else if (q == '?')
            warn(r, "%s: ?all gives neutral for every other host: it protects nothing", where);
        if ((size_t)all + 1 < rec->n)
            for (size_t i = (size_t)all + 1; i < rec->n; i++)
                if (!rec->t[i].is_mod) {
                    warn(r, "%s: terms after 'all' are never evaluated", where);
                    break;
                }
        if (rec->redirect >= 0)
            warn(r, "%s: redirect= is ignored because the record has an 'all' mechanism",
                 where);
    } else if (rec->redirect < 0) {
        warn(r, "%s: no 'all' mechanism and no redirect=: unmatched hosts get neutral", where);
    }
    if (textlen > SPF_LEN_HEURISTIC)
        warn(r, "%s: record is %zu octets, over the 450-octet guideline of RFC 7208 3.4 "
             "(answers may not fit one 512-octet UDP packet and need TCP)", where, textlen);
    if (rec->dns_terms > 10)
        warn(r, "%s: %u DNS-querying terms in one record, over the limit of 10", where,
             rec->dns_terms);
}

/* ---- getters ------------------------------------------------------------- */

const char *mtarep_spf_verdict_name(mtarep_spf_verdict v)
{
    static const char *const names[] = {"none", "neutral", "pass", "fail",
                                        "softfail", "temperror", "permerror"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "unknown";
}

mtarep_spf_verdict mtarep_spf_result_verdict(const mtarep_spf_result *r)
{
    return r ? r->verdict : MTAREP_SPF_NONE;
}
int mtarep_spf_result_valid(const mtarep_spf_result *r) { return r ? r->valid : 0; }
const char *mtarep_spf_result_explanation(const mtarep_spf_result *r)
{
    return r ? r->explanation : NULL;
}
const char *mtarep_spf_result_reason(const mtarep_spf_result *r) { return r ? r->reason : NULL; }
long mtarep_spf_result_error_offset(const mtarep_spf_result *r) { return r ? r->erroff : -1; }
unsigned int mtarep_spf_result_lookups(const mtarep_spf_result *r) { return r ? r->lookups : 0; }
unsigned int mtarep_spf_result_void_lookups(const mtarep_spf_result *r)
{
    return r ? r->voids : 0;
}
size_t mtarep_spf_result_warning_count(const mtarep_spf_result *r)
{
    return r ? r->warnings.n : 0;
}
const char *mtarep_spf_result_warning(const mtarep_spf_result *r, size_t i)
{
    return r && i < r->warnings.n ? r->warnings.v[i] : NULL;
}
size_t mtarep_spf_result_node_count(const mtarep_spf_result *r) { return r ? r->nn : 0; }

static const spf_node *node(const mtarep_spf_result *r, size_t i)
{
    return r && i < r->nn ? &r->nodes[i] : NULL;
}
const char *mtarep_spf_result_node_domain(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->domain : NULL;
}
const char *mtarep_spf_result_node_record(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->record : NULL;
}
long mtarep_spf_result_node_parent(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->parent : -1;
}
const char *mtarep_spf_result_node_via(const mtarep_spf_result *r, size_t i)
{
    static const char *const via[] = {"root", "include", "redirect"};
    return node(r, i) ? via[node(r, i)->via] : NULL;
}
unsigned int mtarep_spf_result_node_lookups(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->lookups : 0;
}
unsigned int mtarep_spf_result_node_lookups_total(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->total : 0;
}
unsigned int mtarep_spf_result_node_void_lookups(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->voids : 0;
}
const char *mtarep_spf_result_node_error(const mtarep_spf_result *r, size_t i)
{
    return node(r, i) ? node(r, i)->error : NULL;
}

void mtarep_spf_result_free(mtarep_spf_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nn; i++) {
        free(r->nodes[i].domain);
        free(r->nodes[i].record);
        free(r->nodes[i].error);
    }
    free(r->nodes);
    free(r->explanation);
    free(r->reason);
    mtarep__strvec_free(&r->warnings);
    free(r);
}

/* ---- text validation ----------------------------------------------------- */

mtarep_status mtarep_spf_validate(mtarep_spf_result **out, mtarep_ctx *ctx, const char *record,
                                  size_t len)
{
    mtarep_spf_result *r;
    spf_record rec;
    char err[200];
    size_t pos = 0;
    int rc;

    if (out)
        *out = NULL;
    if (ctx)
        mtarep__clear_error(ctx);
    if (!out || (!record && len))
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: NULL argument");
    if (!(r = mtarep__spf_result_new()) || mtarep__spf_node_add(r, "", -1, SPF_VIA_ROOT) < 0)
        goto oom;
    mtarep__spf_node_set_record(r, 0, record ? record : "", len);
    rc = mtarep__spf_parse(&rec, record ? record : "", len, err, sizeof err, &pos);
    if (rc == MTAREP_ENOMEM)
        goto oom;
    if (rc != MTAREP_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "syntax error at offset %zu: %s", pos, err);
        r->verdict = MTAREP_SPF_PERMERROR;
        r->reason = mtarep__strdup(msg);
        r->erroff = (long)pos;
        mtarep__spf_node_note(r, 0, msg);
    } else {
        r->verdict = MTAREP_SPF_NEUTRAL;
        r->valid = 1;
        r->nodes[0].lookups = rec.dns_terms;
        r->lookups = rec.dns_terms;
        mtarep__spf_record_warnings(r, "record", len, &rec);
        if (rec.dns_terms > 10) {
            r->valid = 0;
            r->verdict = MTAREP_SPF_PERMERROR;
            r->reason = mtarep__strdup("more than 10 DNS-querying terms");
        }
        mtarep__spf_record_free(&rec);
    }
    mtarep__spf_result_finish(r);
    *out = r;
    return MTAREP_OK;
oom:
    mtarep_spf_result_free(r);
    return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
}

/* ---- tree inspection ----------------------------------------------------- */

typedef struct insp {
    mtarep_ctx *ctx;
    mtarep_spf_result *res;
    int permerror, dns_failed, oom;
} insp;

enum { PQ_TXT, PQ_SPF99, PQ_ADDR, PQ_MX, PQ_EXISTS };

typedef struct probe {
    insp *in;
    long node;
    int kind;
    int *shared; /* a: [remaining, empty] over the A and AAAA probes */
} probe;

static void ins_fetch(insp *in, long nd);

static int ins_submit(insp *in, long nd, const char *name, ldns_rr_type t, int kind,
                      int *shared, mtarep_dns_cb cb)
{
    probe *p = calloc(1, sizeof *p);
    if (!p) {
        in->oom = 1;
        return -1;
    }
    p->in = in;
    p->node = nd;
    p->kind = kind;
    p->shared = shared;
    if (mtarep__dns_submit(in->ctx, name, t, cb, p) != MTAREP_OK) {
        free(p);
        return -1;
    }
    return 0;
}

static void node_void(insp *in, long nd)
{
    in->res->nodes[nd].voids++;
    in->res->voids++;
}

static void on_probe(const mtarep_dns_answer *ans, void *arg)
{
    probe *p = arg;
    insp *in = p->in;
    spf_node *n = &in->res->nodes[p->node];
    int empty = ans->status == MTAREP_OK && (!ans->rrs || ldns_rr_list_rr_count(ans->rrs) == 0);

    if (ans->status != MTAREP_OK) {
        in->dns_failed = 1;
        warn(in->res, "%s: lookup of %s failed: %s", n->domain, ans->qname,
             ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
    }
    switch (p->kind) {
    case PQ_ADDR:
        /* void only when both A and AAAA are empty */
        p->shared[1] += empty;
        if (--p->shared[0] == 0) {
            if (p->shared[1] == 2) {
                node_void(in, p->node);
                warn(in->res, "%s: %s has no A/AAAA records (void lookup)", n->domain,
                     ans->qname);
            } else if (p->shared[1] == 1) {
                warn(in->res, "%s: %s has only IPv4 or only IPv6 addresses: a void lookup "
                     "for clients of the other family", n->domain, ans->qname);
            }
            free(p->shared);
        }
        break;
    case PQ_MX:
    case PQ_EXISTS:
        if (empty) {
            node_void(in, p->node);
            warn(in->res, "%s: %s has no %s records (void lookup)", n->domain, ans->qname,
                 p->kind == PQ_MX ? "MX" : "A");
        } else if (p->kind == PQ_MX && ans->rrs && ldns_rr_list_rr_count(ans->rrs) > 10) {
            in->permerror = 1;
            warn(in->res, "%s: %s has %zu MX records: evaluation gives permerror above 10",
                 n->domain, ans->qname, ldns_rr_list_rr_count(ans->rrs));
        }
        break;
    case PQ_SPF99:
        if (ans->status == MTAREP_OK) {
            spf_txt t[1];
            size_t k = mtarep__spf_select(ans->rrs, t, 1);
            if (k) {
                warn(in->res, "%s: SPF is published only as RR type 99 (SPF), which RFC 7208 "
                     "3.1 retired: publish it as TXT", n->domain);
                free(t[0].p);
            }
        }
        break;
    default:
        break;
    }
    free(p);
}

static int on_path(const mtarep_spf_result *r, long nd, const char *domain)
{
    for (long k = nd; k >= 0; k = r->nodes[k].parent)
        if (strcasecmp(r->nodes[k].domain, domain) == 0)
            return 1;
    return 0;
}

static void follow(insp *in, long nd, const spf_term *t, int via)
{
    char name[256];
    long child;
    const char *dom = in->res->nodes[nd].domain;
    if (strchr(t->arg, '%')) {
        warn(in->res, "%s: %s target '%s' uses macros: depends on the client, not followed",
             dom, via == SPF_VIA_INCLUDE ? "include" : "redirect", t->arg);
        return;
    }
    if (mtarep__domain_normalize(t->arg, name, sizeof name) != MTAREP_OK) {
        in->permerror = 1;
        warn(in->res, "%s: '%s' is not a valid domain name", dom, t->arg);
        return;
    }
    if (on_path(in->res, nd, name)) {
        in->permerror = 1;
        warn(in->res, "%s: %s loop: %s is already on the path from the root", dom,
             via == SPF_VIA_INCLUDE ? "include" : "redirect", name);
        return;
    }
    if (in->res->nn >= INSPECT_MAX_NODES) {
        warn(in->res, "tree larger than %d records: not followed further", INSPECT_MAX_NODES);
        return;
    }
    child = mtarep__spf_node_add(in->res, name, nd, via);
    if (child < 0) {
        in->oom = 1;
        return;
    }
    ins_fetch(in, child);
}

static void on_ins_txt(const mtarep_dns_answer *ans, void *arg)
{
    probe *p = arg;
    insp *in = p->in;
    long nd = p->node;
    spf_node *n = &in->res->nodes[nd];
    spf_txt recs[2];
    size_t k;
    spf_record rec;
    char err[200], msg[300];
    size_t pos = 0;
    int rc;

    free(p);
    if (ans->status != MTAREP_OK) {
        in->dns_failed = 1;
        snprintf(msg, sizeof msg, "TXT lookup failed: %s",
                 ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
        mtarep__spf_node_note(in->res, nd, msg);
        return;
    }
    k = mtarep__spf_select(ans->rrs, recs, 2);
    if (k == 0) {
        mtarep__spf_node_note(in->res, nd, "no SPF record");
        if (nd != 0) {
            in->permerror = 1;
            warn(in->res, "%s: %s target has no SPF record (permerror)",
                 in->res->nodes[n->parent].domain, n->domain);
        }
        ins_submit(in, nd, n->domain, LDNS_RR_TYPE_SPF, PQ_SPF99, NULL, on_probe);
        return;
    }
    n = &in->res->nodes[nd];
    mtarep__spf_node_set_record(in->res, nd, recs[0].p, recs[0].len);
    if (k > 1) {
        in->permerror = 1;
        mtarep__spf_node_note(in->res, nd, "more than one SPF record (permerror)");
        warn(in->res, "%s: more than one SPF record (permerror)", n->domain);
        goto out;
    }
    rc = mtarep__spf_parse(&rec, recs[0].p, recs[0].len, err, sizeof err, &pos);
    if (rc != MTAREP_OK) {
        if (rc == MTAREP_ENOMEM) {
            in->oom = 1;
            goto out;
        }
        in->permerror = 1;
        snprintf(msg, sizeof msg, "syntax error at offset %zu: %s", pos, err);
        mtarep__spf_node_note(in->res, nd, msg);
        warn(in->res, "%s: %s", n->domain, msg);
        if (nd == 0)
            in->res->erroff = (long)pos;
        goto out;
    }
    n->lookups = rec.dns_terms;
    {
        char *where = mtarep__strdup(n->domain);
        if (where)
            mtarep__spf_record_warnings(in->res, where, recs[0].len, &rec);
        free(where);
    }
    for (size_t i = 0; i < rec.n; i++) {
        const spf_term *t = &rec.t[i];
        const char *target = t->arg ? t->arg : in->res->nodes[nd].domain;
        if (t->is_mod) {
            if ((long)i == rec.redirect)
                follow(in, nd, t, SPF_VIA_REDIRECT);
            continue;
        }
        if (t->mech == SPF_M_INCLUDE) {
            follow(in, nd, t, SPF_VIA_INCLUDE);
            continue;
        }
        if (strchr(target, '%'))
            continue; /* depends on the client */
        if (t->mech == SPF_M_A) {
            int *sh = calloc(2, sizeof *sh);
            if (!sh) {
                in->oom = 1;
                continue;
            }
            sh[0] = 2;
            if (ins_submit(in, nd, target, LDNS_RR_TYPE_A, PQ_ADDR, sh, on_probe) != 0) {
                free(sh);
                continue;
            }
            if (ins_submit(in, nd, target, LDNS_RR_TYPE_AAAA, PQ_ADDR, sh, on_probe) != 0)
                sh[0]--, sh[1]++; /* never answered: counts as empty */
        } else if (t->mech == SPF_M_MX) {
            ins_submit(in, nd, target, LDNS_RR_TYPE_MX, PQ_MX, NULL, on_probe);
        } else if (t->mech == SPF_M_EXISTS) {
            ins_submit(in, nd, target, LDNS_RR_TYPE_A, PQ_EXISTS, NULL, on_probe);
        }
    }
    mtarep__spf_record_free(&rec);
out:
    for (size_t i = 0; i < k && i < 2; i++)
        free(recs[i].p);
}

static void ins_fetch(insp *in, long nd)
{
    if (ins_submit(in, nd, in->res->nodes[nd].domain, LDNS_RR_TYPE_TXT, PQ_TXT, NULL,
                   on_ins_txt) != 0)
        mtarep__spf_node_note(in->res, nd, "cannot query this name");
}

struct mtarep_spf_ijob {
    insp in;
};

int mtarep__spf_inspect_start(mtarep_spf_ijob **job, mtarep_ctx *ctx, const char *domain,
                              const mtarep_spf_options *opts)
{
    mtarep_spf_ijob *j;
    char d[256];
    mtarep_spf_result *r;

    *job = NULL;
    if (opts && opts->version != MTAREP_SPF_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "spf: options version %u not supported",
                            opts->version);
    if (!domain || mtarep__domain_normalize(domain, d, sizeof d) != MTAREP_OK)
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: '%.100s' is not a domain name",
                            domain ? domain : "(null)");
    if (!(j = calloc(1, sizeof *j)) || !(r = mtarep__spf_result_new()) ||
        mtarep__spf_node_add(r, d, -1, SPF_VIA_ROOT) < 0) {
        if (j)
            mtarep_spf_result_free(r);
        free(j);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    j->in.ctx = ctx;
    j->in.res = r;
    ins_fetch(&j->in, 0);
    *job = j;
    return MTAREP_OK;
}

int mtarep__spf_inspect_finish(mtarep_spf_result **out, mtarep_spf_ijob *j)
{
    insp in = j->in;
    mtarep_ctx *ctx = in.ctx;
    mtarep_spf_result *r = in.res;

    free(j);
    *out = NULL;
    if (in.oom) {
        mtarep_spf_result_free(r);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    mtarep__spf_result_finish(r);
    r->lookups = r->nodes[0].total;
    if (r->lookups > 10) {
        in.permerror = 1;
        warn(r, "%u DNS-querying terms in the whole tree, over the limit of 10: evaluation "
             "gives permerror once it reaches the 11th", r->lookups);
    }
    if (r->voids > 2)
        warn(r, "%u void lookups in the tree, over the limit of 2: evaluation gives "
             "permerror once it reaches the 3rd", r->voids);
    if (!r->nodes[0].record && !in.dns_failed) {
        r->verdict = MTAREP_SPF_NONE;
        r->reason = mtarep__strdup("no SPF record");
    } else if (in.permerror || r->voids > 2) {
        r->verdict = MTAREP_SPF_PERMERROR;
        r->reason = mtarep__strdup("the SPF tree is broken or over a limit (see warnings)");
    } else if (in.dns_failed) {
        r->verdict = MTAREP_SPF_TEMPERROR;
        r->reason = mtarep__strdup("some lookups failed (see warnings)");
    } else {
        r->verdict = MTAREP_SPF_NEUTRAL;
        r->valid = 1;
    }
    *out = r;
    return MTAREP_OK;
}

mtarep_status mtarep_spf_inspect(mtarep_spf_result **out, mtarep_ctx *ctx, const char *domain,
                                 const mtarep_spf_options *opts)
{
    mtarep_spf_ijob *job;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "spf: out is NULL");
    if ((rc = mtarep__spf_inspect_start(&job, ctx, domain, opts)) != MTAREP_OK)
        return rc;
    rc = mtarep__dns_run(ctx);
    if (rc != MTAREP_OK)
        mtarep__log(ctx, MTAREP_LOG_WARNING, "spf: DNS engine failure: %s", mtarep_strerror(rc));
    return mtarep__spf_inspect_finish(out, job);
}
