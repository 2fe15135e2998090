/* Tag-list parser, problem list and batch TXT lookup shared by DKIM and
 * DMARC. The tag-list grammar is small and position-reporting is the point,
 * so it is hand-written (no library parses RFC 6376 3.2 tag-lists). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../dns/engine.h"
#include "authrec_int.h"

const char *mtarep_auth_verdict_name(mtarep_auth_verdict v)
{
    switch (v) {
    case MTAREP_AUTH_VALID: return "valid";
    case MTAREP_AUTH_WARNING: return "warning";
    case MTAREP_AUTH_INVALID: return "invalid";
    case MTAREP_AUTH_NONE: return "none";
    default: return "unknown";
    }
}

const char *mtarep_auth_severity_name(mtarep_auth_severity s)
{
    switch (s) {
    case MTAREP_AUTH_INFO: return "info";
    case MTAREP_AUTH_WARN: return "warning";
    case MTAREP_AUTH_ERROR: return "error";
    default: return "unknown";
    }
}

/* ---- tag-list (RFC 6376 3.2) ---------------------------------------------- */

static int is_wsp(char c) { return c == ' ' || c == '\t'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnumpunc(char c) { return is_alpha(c) || (c >= '0' && c <= '9') || c == '_'; }
/* VALCHAR = %x21-3A / %x3C-7E */
static int is_valchar(unsigned char c) { return c >= 0x21 && c <= 0x7e && c != ';'; }

/* FWS = [*WSP CRLF] 1*WSP; returns the position after any FWS. */
static size_t skip_fws(const char *s, size_t len, size_t i)
{
    for (;;) {
        if (i < len && is_wsp(s[i]))
            i++;
        else if (i + 2 < len && s[i] == '\r' && s[i + 1] == '\n' && is_wsp(s[i + 2]))
            i += 3;
        else
            return i;
    }
}

static int name_eq(const char *a, size_t alen, const char *b, size_t blen, int nocase)
{
    if (alen != blen)
        return 0;
    return nocase ? strncasecmp(a, b, alen) == 0 : memcmp(a, b, alen) == 0;
}

#define PERR(pos, ...)                                                                       \
    do {                                                                                     \
        snprintf(err, errlen, __VA_ARGS__);                                                  \
        *errpos = (pos);                                                                     \
        return MTAREP_EPARSE;                                                                \
    } while (0)

int mtarep__taglist_parse(authrec_tags *out, const char *s, size_t len, int nocase, char *err,
                          size_t errlen, size_t *errpos)
{
    size_t i = 0;

    out->n = 0;
    for (;;) {
        authrec_tag *t;
        size_t vend;

        i = skip_fws(s, len, i);
        /* a trailing ";" (and FWS after it) ends the list */
        if (i == len && out->n > 0)
            return 0;
        if (i == len)
            PERR(i, "empty tag-list");
        if (!is_alpha(s[i])) {
            if (s[i] == ';')
                PERR(i, "empty tag-spec (';' with no tag before it)");
            PERR(i, "tag name expected, found '%s%c'",
                 (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ? "\\x" : "",
                 (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ? '?' : s[i]);
        }
        if (out->n == AUTHREC_MAX_TAGS)
            PERR(i, "more than %d tags", AUTHREC_MAX_TAGS);
        t = &out->t[out->n];
        t->name = s + i;
        t->npos = i;
        while (i < len && is_alnumpunc(s[i]))
            i++;
        t->nlen = (size_t)(s + i - t->name);
        i = skip_fws(s, len, i);
        if (i == len || s[i] != '=')
            PERR(i, "'=' expected after tag name '%.*s'", (int)(t->nlen > 40 ? 40 : t->nlen),
                 t->name);
        i = skip_fws(s, len, i + 1);
        t->value = s + i;
        t->vpos = i;
        vend = i;
        /* tag-value = [ tval *( 1*(WSP / FWS) tval ) ] */
        while (i < len && s[i] != ';') {
            if (is_valchar((unsigned char)s[i])) {
                i++;
                vend = i;
            } else {
                size_t j = skip_fws(s, len, i);
                if (j == i)
                    PERR(i, "invalid octet 0x%02x in the value of tag '%.*s'",
                         (unsigned char)s[i], (int)(t->nlen > 40 ? 40 : t->nlen), t->name);
                i = j;
            }
        }
        t->vlen = vend - t->vpos;
        for (size_t k = 0; k < out->n; k++)
            if (name_eq(out->t[k].name, out->t[k].nlen, t->name, t->nlen, nocase))
                PERR(t->npos, "duplicate tag '%.*s'", (int)(t->nlen > 40 ? 40 : t->nlen),
                     t->name);
        out->n++;
        if (i == len)
            return 0;
        i++; /* ';' */
    }
}

long mtarep__taglist_find(const authrec_tags *t, const char *name, int nocase)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < t->n; i++)
        if (name_eq(t->t[i].name, t->t[i].nlen, name, nl, nocase))
            return (long)i;
    return -1;
}

/* ---- problems -------------------------------------------------------------- */

void mtarep__problem_add(authrec_problems *p, int sev, long off, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        authrec_problem *v = realloc(p->v, cap * sizeof *v);
        if (!v) {
            p->oom = 1;
            return;
        }
        p->v = v;
        p->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(p->v[p->n].msg = mtarep__strdup(buf))) {
        p->oom = 1;
        return;
    }
    p->v[p->n].sev = sev;
    p->v[p->n].off = off;
    p->n++;
}

void mtarep__problems_free(authrec_problems *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].msg);
    free(p->v);
    memset(p, 0, sizeof *p);
}

int mtarep__problems_verdict(const authrec_problems *p)
{
    int worst = MTAREP_AUTH_INFO;
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].sev > worst)
            worst = p->v[i].sev;
    return worst == MTAREP_AUTH_ERROR  ? MTAREP_AUTH_INVALID
           : worst == MTAREP_AUTH_WARN ? MTAREP_AUTH_WARNING
                                       : MTAREP_AUTH_VALID;
}

char *mtarep__escape_text(const char *s, size_t len)
{
    char *o = malloc(len * 4 + 1), *w = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            *w++ = (char)c;
        else
            w += sprintf(w, "\\x%02x", c);
    }
    *w = 0;
    return o;
}

/* ---- batch TXT lookup ------------------------------------------------------ */

static void txt_fill(const mtarep_dns_answer *ans, authrec_lookup *q)
{
    size_t n;

    q->status = ans->status;
    q->rcode = ans->rcode;
    if (ans->status != MTAREP_OK) {
        q->errmsg = mtarep__strdup(ans->errmsg ? ans->errmsg : "DNS failure");
        return;
    }
    n = ldns_rr_list_rr_count(ans->rrs);
    if (n == 0)
        return;
    if (!(q->txt = calloc(n, sizeof *q->txt))) {
        q->status = MTAREP_ENOMEM;
        q->errmsg = mtarep__strdup("out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
        size_t total = 0;
        char *p;
        for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
            const ldns_rdf *f = ldns_rr_rdf(rr, k);
            if (ldns_rdf_size(f) > 0)
                total += ldns_rdf_size(f) - 1; /* length octet */
        }
        if (!(p = malloc(total + 1))) {
            q->status = MTAREP_ENOMEM;
            q->errmsg = mtarep__strdup("out of memory");
            return;
        }
        total = 0;
        for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
            const ldns_rdf *f = ldns_rr_rdf(rr, k);
            if (ldns_rdf_size(f) > 0) {
                memcpy(p + total, ldns_rdf_data(f) + 1, ldns_rdf_size(f) - 1);
                total += ldns_rdf_size(f) - 1;
            }
        }
        p[total] = 0;
        q->txt[q->ntxt].p = p;
        q->txt[q->ntxt].len = total;
        q->ntxt++;
    }
}

static void txt_cb(const mtarep_dns_answer *ans, void *arg)
{
    authrec_lookup *q = arg;
    txt_fill(ans, q);
    if (q->group && --q->group->pending == 0)
        q->group->done(q->group->arg);
}

int mtarep__txt_submit_group(mtarep_ctx *ctx, authrec_lookup *q, size_t n, authrec_group *g)
{
    int rc = MTAREP_OK;
    for (size_t i = 0; i < n; i++) {
        q[i].status = MTAREP_ECANCELLED;
        q[i].txt = NULL;
        q[i].ntxt = 0;
        q[i].errmsg = NULL;
        q[i].rcode = 0;
        q[i].group = g;
    }
    if (g)
        g->pending = 0;
    /* answers come only from run(), never from inside submit: counting as
     * we go is exact */
    for (size_t i = 0; i < n; i++) {
        rc = mtarep__dns_submit_any(ctx, q[i].name, LDNS_RR_TYPE_TXT, txt_cb, &q[i]);
        if (rc != MTAREP_OK) {
            /* the rest stay ECANCELLED: "no answer" */
            if (rc == MTAREP_EINVAL)
                rc = mtarep__fail(ctx, rc, "malformed name '%s'", q[i].name);
            break;
        }
        if (g)
            g->pending++;
    }
    if (g && g->pending == 0)
        g->done(g->arg);
    return rc;
}

int mtarep__txt_submit(mtarep_ctx *ctx, authrec_lookup *q, size_t n)
{
    return mtarep__txt_submit_group(ctx, q, n, NULL);
}

int mtarep__txt_lookup(mtarep_ctx *ctx, authrec_lookup *q, size_t n)
{
    int rc = mtarep__txt_submit(ctx, q, n);
    /* callbacks of those already queued must still run; an engine failure
     * still fires every callback with an error status, which each entry
     * then carries: "could not decide", per query */
    (void)mtarep__dns_run(ctx);
    return rc;
}

void mtarep__txt_lookup_free(authrec_lookup *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < q[i].ntxt; k++)
            free(q[i].txt[k].p);
        free(q[i].txt);
        free(q[i].errmsg);
        q[i].txt = NULL;
        q[i].errmsg = NULL;
        q[i].ntxt = 0;
    }
}
