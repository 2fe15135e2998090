/* DMARC records (RFC 7489, RFC 9989): strict validation, policy-domain
 * discovery by the RFC 9989 tree walk beside the RFC 7489 PSL
 * organizational domain (libpsl), external report authorization. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>
#include <ldns/ldns.h>

#include "../dns/engine.h"
#include "dmarc_int.h"

#define WALK_MAX 8 /* RFC 9989 4.10: at most 8 queries */

mtarep_status mtarep_dmarc_options_init(mtarep_dmarc_options *opts, unsigned int version)
{
    if (!opts)
        return MTAREP_EINVAL;
    if (version != MTAREP_DMARC_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = (mtarep_dmarc_options)MTAREP_DMARC_OPTIONS_INIT;
    return MTAREP_OK;
}

int mtarep__dmarc_is_record(const char *t, size_t len)
{
    /* RFC 7489 6.6.3: records not starting with "v=DMARC1" are discarded */
    if (len < 8 || memcmp(t, "v=DMARC1", 8) != 0)
        return 0;
    return len == 8 || t[8] == ';' || t[8] == ' ' || t[8] == '\t' || t[8] == '\r';
}

static int val_ieq(const authrec_tag *t, const char *v)
{
    return t->vlen == strlen(v) && strncasecmp(t->value, v, t->vlen) == 0;
}

#define TAGFMT(t) (int)((t)->vlen > 60 ? 60 : (t)->vlen), (t)->value

static const char *policy_word(const authrec_tag *t)
{
    if (val_ieq(t, "none"))
        return "none";
    if (val_ieq(t, "quarantine"))
        return "quarantine";
    if (val_ieq(t, "reject"))
        return "reject";
    return NULL;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* One report URI (RFC 7489 6.4 dmarc-uri = URI [ "!" 1*DIGIT [ "k"/"m"/"g"/"t" ] ]).
 * Returns 0 if usable (warnings may be added), -1 if invalid. */
static int check_uri(mtarep_dmarc_result *r, const char *tag, const char *u, size_t n, size_t pos)
{
    size_t i = 0, end = n;
    const char *bang = memchr(u, '!', n);

    if (bang) {
        size_t b = (size_t)(bang - u), k = b + 1;
        while (k < n && isdigit((unsigned char)u[k]))
            k++;
        if (k < n && strchr("kmgtKMGT", u[k]))
            k++;
        if (k == b + 1 || !isdigit((unsigned char)u[b + 1]) || k != n) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)(pos + b),
                                "%s: bad size suffix in '%.*s'", tag, (int)n, u);
            return -1;
        }
        mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)(pos + b),
                            "%s: the !size suffix in '%.*s' is obsolete in RFC 9989 (reporters "
                            "ignore it)",
                            tag, (int)n, u);
        end = b;
    }
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (end == 0 || !isalpha((unsigned char)u[0])) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                            "%s: '%.*s' is not a URI (mailto:address expected)", tag, (int)n, u);
        return -1;
    }
    while (i < end && (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
        i++;
    if (i == end || u[i] != ':') {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                            "%s: '%.*s' is not a URI (mailto:address expected)", tag, (int)n, u);
        return -1;
    }
    for (size_t k = 0; k < end; k++)
        if ((unsigned char)u[k] <= 0x20 || (unsigned char)u[k] >= 0x7f || u[k] == '<' ||
            u[k] == '>' || u[k] == '"') {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)(pos + k),
                                "%s: invalid character in URI '%.*s'", tag, (int)n, u);
            return -1;
        }
    if (i == 6 && strncasecmp(u, "mailto", 6) == 0) {
        const char *at = memchr(u + 7, '@', end - 7);
        char dom[256];
        size_t dl;
        if (!at || at == u + 7) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                                "%s: '%.*s' has no local@domain address", tag, (int)n, u);
            return -1;
        }
        dl = (size_t)(u + end - at - 1);
        if (dl == 0 || dl >= sizeof dom) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                                "%s: '%.*s' has no valid domain", tag, (int)n, u);
            return -1;
        }
        memcpy(dom, at + 1, dl);
        dom[dl] = 0;
        if (strchr(dom, '?'))
            *strchr(dom, '?') = 0;
        if (!mtarep__domain_valid(dom)) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                                "%s: '%s' in '%.*s' is not a valid domain", tag, dom, (int)n, u);
            return -1;
        }
    } else {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)pos,
                            "%s: '%.*s' is not a mailto: URI; reporters only send to mailto "
                            "(RFC 9990)",
                            tag, (int)n, u);
    }
    return 0;
}

/* Comma-separated URI list; returns the count of usable URIs, -1 if any is invalid. */
static int check_uri_list(mtarep_dmarc_result *r, const char *tag, const authrec_tag *t)
{
    size_t i = 0;
    int good = 0, bad = 0, count = 0;
    if (t->vlen == 0) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos, "%s= is empty", tag);
        return -1;
    }
    while (i <= t->vlen) {
        size_t s = i, e;
        while (i < t->vlen && t->value[i] != ',')
            i++;
        e = i;
        while (s < e && isspace((unsigned char)t->value[s]))
            s++;
        while (e > s && isspace((unsigned char)t->value[e - 1]))
            e--;
        count++;
        if (e == s) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)(t->vpos + s),
                                "%s: empty URI in the list", tag);
            bad = 1;
        } else if (check_uri(r, tag, t->value + s, e - s, t->vpos + s) == 0) {
            good++;
        } else {
            bad = 1;
        }
        i++;
    }
    if (count > 2)
        mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->vpos,
                            "%s: %d URIs; reporters need only send to two", tag, count);
    return bad ? -1 : good;
}

static void check_enum(mtarep_dmarc_result *r, const authrec_tag *t, const char *name,
                       const char *const *ok)
{
    for (; *ok; ok++)
        if (val_ieq(t, *ok))
            return;
    mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos, "%s=%.*s: invalid value", name,
                        TAGFMT(t));
}

int mtarep__dmarc_check_text(mtarep_dmarc_result *r, const char *txt, size_t len)
{
    static const char *const yn[] = {"y", "n", NULL}, *const yn_u[] = {"y", "n", "u", NULL},
                             *const rs[] = {"r", "s", NULL};
    char err[200];
    size_t pos = 0;
    long ip, irua;
    int rua_ok = -1;

    free(r->tagbuf);
    if (!(r->tagbuf = malloc(len + 1)))
        return MTAREP_ENOMEM;
    memcpy(r->tagbuf, txt, len);
    r->tagbuf[len] = 0;
    txt = r->tagbuf;
    if (!mtarep__dmarc_is_record(txt, len)) {
        if (len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, 0,
                                "an SPF record, not a DMARC record (a wildcard or CNAME "
                                "mistake?): receivers ignore it");
        else
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, 0,
                                "does not start with v=DMARC1 (case-sensitive, RFC 7489 6.4): "
                                "receivers ignore it");
        goto done;
    }
    if (mtarep__taglist_parse(&r->tags, txt, len, 1, err, sizeof err, &pos) != 0) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                            "syntax error at offset %zu: %s", pos, err);
        r->tags.n = 0;
        goto done;
    }
    r->parsed = 1;
    if (r->tags.t[0].vlen != 6 || memcmp(r->tags.t[0].value, "DMARC1", 6) != 0)
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)r->tags.t[0].vpos,
                            "v= must be exactly DMARC1");
    irua = mtarep__taglist_find(&r->tags, "rua", 1);
    for (size_t i = 1; i < r->tags.n; i++) {
        const authrec_tag *t = &r->tags.t[i];
        char nm[8] = "";
        if (t->nlen < sizeof nm) {
            for (size_t k = 0; k < t->nlen; k++)
                nm[k] = (char)tolower((unsigned char)t->name[k]);
            nm[t->nlen] = 0;
        }
        if (!strcmp(nm, "p")) {
            if (!(r->policy = policy_word(t)))
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "p=%.*s: must be none, quarantine or reject", TAGFMT(t));
            else if (i != 1)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->npos,
                                    "p is not the second tag: RFC 7489 requires it right after "
                                    "v; strict RFC 7489 receivers ignore the record");
        } else if (!strcmp(nm, "sp") || !strcmp(nm, "np")) {
            if (!policy_word(t))
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "%s=%.*s: must be none, quarantine or reject", nm, TAGFMT(t));
            else if (!strcmp(nm, "np"))
                mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)t->npos,
                                    "np= is RFC 9989 (and RFC 9091); RFC 7489 receivers use sp "
                                    "for non-existent subdomains");
        } else if (!strcmp(nm, "adkim") || !strcmp(nm, "aspf")) {
            check_enum(r, t, nm, rs);
        } else if (!strcmp(nm, "psd")) {
            check_enum(r, t, nm, yn_u);
        } else if (!strcmp(nm, "t")) {
            check_enum(r, t, nm, yn);
            if (val_ieq(t, "y"))
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->vpos,
                                    "t=y: testing mode, RFC 9989 receivers apply one level less "
                                    "(reject as quarantine, quarantine as none)");
        } else if (!strcmp(nm, "pct")) {
            long v = all_digits(t->value, t->vlen) && t->vlen <= 3 ? strtol(t->value, NULL, 10) : -1;
            if (v < 0 || v > 100)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "pct=%.*s: must be an integer 0-100", TAGFMT(t));
            else
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->npos,
                                    "pct=%ld: removed by RFC 9989 (ignored there), while RFC 7489 "
                                    "receivers apply the policy to %ld%% of failing mail",
                                    v, v);
        } else if (!strcmp(nm, "rf")) {
            int ok = t->vlen > 0;
            for (size_t k = 0; k < t->vlen; k++)
                if (!isalnum((unsigned char)t->value[k]) && t->value[k] != ':' &&
                    t->value[k] != '-')
                    ok = 0;
            if (!ok)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "rf=%.*s: must be a colon list of report formats", TAGFMT(t));
            else
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->npos,
                                    "rf= is removed by RFC 9989 (drop it)");
        } else if (!strcmp(nm, "ri")) {
            if (!all_digits(t->value, t->vlen) || t->vlen > 10 ||
                strtoul(t->value, NULL, 10) > 4294967295UL)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "ri=%.*s: must be a 32-bit unsigned integer", TAGFMT(t));
            else
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->npos,
                                    "ri= is removed by RFC 9989 (reports are daily; drop it)");
        } else if (!strcmp(nm, "fo")) {
            int ok = 1;
            size_t k = 0;
            /* fo = 1*( "0" / "1" / "d" / "s" ) separated by ":" (FWS allowed around) */
            while (ok && k <= t->vlen) {
                size_t st = k, e;
                while (k < t->vlen && t->value[k] != ':')
                    k++;
                e = k++;
                while (st < e && isspace((unsigned char)t->value[st]))
                    st++;
                while (e > st && isspace((unsigned char)t->value[e - 1]))
                    e--;
                if (e - st != 1 || !strchr("01dsDS", t->value[st]))
                    ok = 0;
            }
            if (!ok)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                                    "fo=%.*s: must be a colon list of 0, 1, d, s", TAGFMT(t));
            else if (mtarep__taglist_find(&r->tags, "ruf", 1) < 0)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)t->npos,
                                    "fo= has no effect without ruf=");
        } else if (!strcmp(nm, "rua")) {
            rua_ok = check_uri_list(r, "rua", t);
        } else if (!strcmp(nm, "ruf")) {
            check_uri_list(r, "ruf", t);
        } else if (!strcmp(nm, "v")) {
            /* duplicates are caught by the tag-list parser */
        } else {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)t->npos,
                                "unknown tag '%.*s' (receivers ignore it; a typo?)",
                                (int)(t->nlen > 40 ? 40 : t->nlen), t->name);
        }
    }
    ip = mtarep__taglist_find(&r->tags, "p", 1);
    if (ip < 0) {
        if (rua_ok > 0) {
            r->policy = "none";
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, -1,
                                "p is missing: RFC 9989 receivers treat it as p=none because "
                                "rua is valid; RFC 7489 receivers ignore the record");
        } else {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1,
                                "p is missing and there is no valid rua: no policy applies");
        }
    } else if (r->policy && !strcmp(r->policy, "none")) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)r->tags.t[ip].vpos,
                            "p=none: monitoring only, receivers do not act on failing mail; "
                            "move to quarantine or reject once reports look clean");
    }
    if (irua < 0)
        mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, -1,
                            "no rua=: you receive no aggregate reports; add "
                            "rua=mailto:<address>");
done:
    /* results are read-only once returned: terminate the values now so
     * mtarep_dmarc_result_tag() can hand them out (every later use goes by
     * length, and a value is never followed by a name octet) */
    for (size_t i = 0; r->parsed && i < r->tags.n; i++)
        ((char *)r->tags.t[i].value)[r->tags.t[i].vlen] = 0;
    r->verdict = mtarep__problems_verdict(&r->pr);
    if (r->verdict == MTAREP_AUTH_INVALID)
        r->policy = NULL;
    return r->pr.oom ? MTAREP_ENOMEM : MTAREP_OK;
}

int mtarep__dmarc_check_set(mtarep_dmarc_result *r, const authrec_txt *txt, size_t n)
{
    size_t nd = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (mtarep__dmarc_is_record(txt[i].p, txt[i].len)) {
            if (nd++ == 0)
                first = i;
        }
    if (n == 0) {
        r->verdict = MTAREP_AUTH_NONE;
        return MTAREP_OK;
    }
    if (nd == 0) {
        /* only non-DMARC text: show why the first one is not DMARC */
        first = 0;
    }
    if (!(r->record = mtarep__escape_text(txt[first].p, txt[first].len)))
        return MTAREP_ENOMEM;
    if (mtarep__dmarc_check_text(r, txt[first].p, txt[first].len) != MTAREP_OK)
        return MTAREP_ENOMEM;
    if (nd > 1) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1,
                            "%zu DMARC records at one name: receivers apply none of them "
                            "(RFC 7489 6.6.3)",
                            nd);
        r->verdict = MTAREP_AUTH_INVALID;
        r->policy = NULL;
    } else if (n > nd && nd == 1) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, -1,
                            "%zu other TXT record(s) at the same name are ignored", n - nd);
    }
    return r->pr.oom ? MTAREP_ENOMEM : MTAREP_OK;
}

size_t mtarep__dmarc_walk_names(const char *domain, char **out)
{
    const char *labels[128];
    size_t nl = 0, n = 0, start;
    const char *p = domain;

    while (*p && nl < 128) {
        labels[nl++] = p;
        p = strchr(p, '.');
        if (!p)
            break;
        p++;
    }
    /* RFC 9989 4.10.1: the name itself, then (8+ labels) the 7 rightmost
     * labels, then one label less each time down to the top-level name */
    for (start = 0; start < nl && n < WALK_MAX; start++) {
        if (start > 0 && nl - start > 7)
            start = nl - 7;
        if (asprintf(&out[n], "_dmarc.%s", labels[start]) < 0)
            break;
        n++;
    }
    return n;
}

/* ---- public API ------------------------------------------------------------ */

mtarep_status mtarep_dmarc_validate(mtarep_dmarc_result **out, mtarep_ctx *ctx,
                                    const char *record, size_t len)
{
    mtarep_dmarc_result *r;
    if (out)
        *out = NULL;
    if (ctx)
        mtarep__clear_error(ctx);
    if (!out || (!record && len))
        return mtarep__fail(ctx, MTAREP_EINVAL, "dmarc: NULL argument");
    if (!(r = calloc(1, sizeof *r)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dmarc: out of memory");
    if (!(r->record = mtarep__escape_text(record ? record : "", len)) ||
        mtarep__dmarc_check_text(r, record ? record : "", len) != MTAREP_OK) {
        mtarep_dmarc_result_free(r);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dmarc: out of memory");
    }
    *out = r;
    return MTAREP_OK;
}

static char *org_domain(const char *domain)
{
    /* libpsl's built-in list: no file I/O, no global state of ours */
    const char *o = psl_registrable_domain(psl_builtin(), domain);
    return mtarep__strdup(o ? o : domain);
}

/* 1 if both report destinations need no authorization record: same
 * organizational domain (RFC 7489 7.1). */
static int same_org(const char *a, const char *b)
{
    char *oa = org_domain(a), *ob = org_domain(b);
    int same = oa && ob && strcasecmp(oa, ob) == 0;
    free(oa);
    free(ob);
    return same;
}

#define RA_MAX 8

struct mtarep_dmarc_job {
    mtarep_ctx *ctx;
    char d[256], *names[WALK_MAX];
    authrec_lookup q[WALK_MAX];
    size_t n;
    int skip_report_auth;
    int rc;      /* first failure (submit, memory), carried to finish */
    int decided; /* the walk's answers are in and judged */
    mtarep_dmarc_result *r;
    authrec_group walk;
    /* report authorization: asked once the record is known, same run */
    authrec_lookup ra[RA_MAX];
    char *ra_names[RA_MAX];
    size_t nra;
    authrec_group ra_group;
};

/* Names <policy domain>._report._dmarc.<dest> for each mailto: in rua/ruf
 * outside the policy's organizational domain (RFC 7489 7.1). */
static int report_auth_names(mtarep_dmarc_job *j)
{
    mtarep_dmarc_result *r = j->r;
    for (size_t ti = 0; ti < r->tags.n; ti++) {
        const authrec_tag *t = &r->tags.t[ti];
        size_t i = 0;
        if (!(t->nlen == 3 && (strncasecmp(t->name, "rua", 3) == 0 ||
                               strncasecmp(t->name, "ruf", 3) == 0)))
            continue;
        while (i < t->vlen && j->nra < RA_MAX) {
            size_t s = i, e;
            char dom[256];
            const char *at;
            while (i < t->vlen && t->value[i] != ',')
                i++;
            e = i++;
            while (s < e && isspace((unsigned char)t->value[s]))
                s++;
            if (e - s < 8 || strncasecmp(t->value + s, "mailto:", 7) != 0)
                continue;
            at = memchr(t->value + s, '@', e - s);
            if (!at)
                continue;
            snprintf(dom, sizeof dom, "%.*s", (int)(t->value + e - at - 1), at + 1);
            dom[strcspn(dom, "!? \t")] = 0;
            for (char *c = dom; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (!mtarep__domain_valid(dom) || same_org(dom, r->policy_domain))
                continue;
            if (asprintf(&j->ra_names[j->nra], "%s._report._dmarc.%s", r->policy_domain, dom) < 0)
                return MTAREP_ENOMEM;
            if (strlen(j->ra_names[j->nra]) > 253) {
                free(j->ra_names[j->nra]);
                continue;
            }
            j->ra[j->nra].name = j->ra_names[j->nra];
            j->nra++;
        }
    }
    return MTAREP_OK;
}

static void ra_done(void *arg)
{
    (void)arg; /* judged in finish */
}

/* The answers to the report-authorization questions -> problems. */
static void report_auth_judge(mtarep_dmarc_job *j)
{
    mtarep_dmarc_result *r = j->r;
    for (size_t i = 0; i < j->nra; i++) {
        authrec_lookup *q = &j->ra[i];
        const char *dest = strstr(q->name, "._report._dmarc.") + 16;
        size_t ok = 0;
        for (size_t k = 0; k < q->ntxt; k++)
            if (mtarep__dmarc_is_record(q->txt[k].p, q->txt[k].len))
                ok++;
        if (q->status != MTAREP_OK)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, -1,
                                "could not check that %s accepts reports for %s: %s", dest,
                                r->policy_domain, q->errmsg ? q->errmsg : "DNS failure");
        else if (!ok)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, -1,
                                "reports to %s are not authorized: no v=DMARC1 record at %s, "
                                "so reporters will not send there (RFC 7489 7.1)",
                                dest, q->name);
    }
    if (mtarep__problems_verdict(&r->pr) > (int)r->verdict)
        r->verdict = mtarep__problems_verdict(&r->pr);
}

/* The walk's answers are in (called from the engine run, or from start
 * when nothing could be submitted): pick the policy, then ask the report
 * authorization questions it needs in the same run. */
static void walk_done(void *arg)
{
    mtarep_dmarc_job *j = arg;
    char *d = j->d, **names = j->names;
    authrec_lookup *q = j->q;
    size_t n = j->n, found = WALK_MAX;
    mtarep_dmarc_result *r = j->r;

    j->decided = 1;
    if (j->rc != MTAREP_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        size_t nd = 0;
        if (q[i].status != MTAREP_OK) {
            r->verdict = MTAREP_AUTH_UNKNOWN;
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1, "could not decide: %s: %s",
                                q[i].name, q[i].errmsg ? q[i].errmsg : "DNS failure");
            break;
        }
        for (size_t k = 0; k < q[i].ntxt; k++)
            nd += mtarep__dmarc_is_record(q[i].txt[k].p, q[i].txt[k].len);
        if (nd > 0) {
            found = i;
            break;
        }
        for (size_t k = 0; k < q[i].ntxt; k++) {
            char *e = mtarep__escape_text(q[i].txt[k].p, q[i].txt[k].len > 60 ? 60 : q[i].txt[k].len);
            /* receivers skip it and walk on; usually a wildcard or CNAME mistake */
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, -1,
                                "TXT at %s is not a DMARC record%s: \"%s\"", q[i].name,
                                !strncasecmp(q[i].txt[k].p, "v=spf1", 6) ? " (an SPF record)" : "",
                                e ? e : "");
            free(e);
        }
    }
    if (r->verdict != MTAREP_AUTH_UNKNOWN && found == WALK_MAX) {
        r->verdict = MTAREP_AUTH_NONE;
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1,
                            "no DMARC record for %s (asked _dmarc.%s and %zu parent name(s)): "
                            "receivers apply no policy. Publish e.g. \"v=DMARC1; p=none; "
                            "rua=mailto:dmarc@%s\" at _dmarc.%s, then tighten p",
                            d, d, n - 1, r->org_domain, r->org_domain);
    } else if (found != WALK_MAX) {
        if (!(r->policy_domain = mtarep__strdup(names[found] + 7)) ||
            !(r->name = mtarep__strdup(names[found])) ||
            mtarep__dmarc_check_set(r, q[found].txt, q[found].ntxt) != MTAREP_OK) {
            j->rc = MTAREP_ENOMEM;
            return;
        }
        r->rule = found == 0 ? "exact" : "tree-walk";
        if (found > 0 && strcasecmp(r->policy_domain, r->org_domain) != 0)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, -1,
                                "the RFC 9989 tree walk finds the policy at %s, but RFC 7489 "
                                "receivers look at the organizational domain %s (Public Suffix "
                                "List)",
                                r->policy_domain, r->org_domain);
        if (found > 0)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, -1,
                                "no record at _dmarc.%s: the policy of %s applies (sp=/np= for "
                                "subdomains)",
                                d, r->policy_domain);
        r->verdict = mtarep__problems_verdict(&r->pr);
        if (r->verdict == MTAREP_AUTH_INVALID)
            r->policy = NULL;
        if (r->parsed && r->verdict != MTAREP_AUTH_INVALID && !j->skip_report_auth) {
            int rc = report_auth_names(j);
            if (rc == MTAREP_OK && j->nra) {
                j->ra_group.done = ra_done;
                j->ra_group.arg = j;
                rc = mtarep__txt_submit_group(j->ctx, j->ra, j->nra, &j->ra_group);
            }
            if (rc != MTAREP_OK)
                j->rc = rc;
        }
    }
}

int mtarep__dmarc_fetch_start(mtarep_dmarc_job **job, mtarep_ctx *ctx, const char *domain,
                              const mtarep_dmarc_options *opts)
{
    mtarep_dmarc_job *j;

    *job = NULL;
    if (opts && opts->version != MTAREP_DMARC_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "dmarc: options version %u", opts->version);
    if (!(j = calloc(1, sizeof *j)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dmarc: out of memory");
    if (!domain || mtarep__domain_normalize(domain, j->d, sizeof j->d) != 0 || !*j->d) {
        free(j);
        return mtarep__fail(ctx, MTAREP_EINVAL, "dmarc: malformed domain '%s'",
                            domain ? domain : "(null)");
    }
    if (strlen(j->d) > 253 - 7) {
        free(j);
        return mtarep__fail(ctx, MTAREP_EINVAL, "dmarc: domain '%s' too long", domain);
    }
    j->ctx = ctx;
    j->skip_report_auth = opts && opts->skip_report_auth;
    if (!(j->r = calloc(1, sizeof *j->r)) || !(j->r->org_domain = org_domain(j->d)) ||
        (j->n = mtarep__dmarc_walk_names(j->d, j->names)) == 0) {
        mtarep_dmarc_result_free(j->r);
        free(j);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dmarc: out of memory");
    }
    for (size_t i = 0; i < j->n; i++)
        j->q[i].name = j->names[i];
    /* all walk names go out together; the walk order decides once the
     * last answer is in (walk_done) */
    j->walk.done = walk_done;
    j->walk.arg = j;
    {
        int rc = mtarep__txt_submit_group(ctx, j->q, j->n, &j->walk);
        if (rc != MTAREP_OK && j->rc == MTAREP_OK)
            j->rc = rc;
    }
    *job = j;
    return MTAREP_OK;
}

int mtarep__dmarc_fetch_finish(mtarep_dmarc_result **out, mtarep_dmarc_job *j)
{
    mtarep_ctx *ctx = j->ctx;
    mtarep_dmarc_result *r = j->r;
    int rc;

    *out = NULL;
    if (!j->decided) /* cannot happen: the group always completes */
        walk_done(j);
    if (j->rc == MTAREP_OK)
        report_auth_judge(j);
    rc = j->rc;
    if (rc == MTAREP_OK && r->pr.oom)
        rc = MTAREP_ENOMEM;
    mtarep__txt_lookup_free(j->q, j->n);
    mtarep__txt_lookup_free(j->ra, j->nra);
    for (size_t i = 0; i < j->n; i++)
        free(j->names[i]);
    for (size_t i = 0; i < j->nra; i++)
        free(j->ra_names[i]);
    free(j);
    if (rc != MTAREP_OK) {
        mtarep_dmarc_result_free(r);
        return rc == MTAREP_ENOMEM ? mtarep__fail(ctx, rc, "dmarc: out of memory") : rc;
    }
    *out = r;
    return MTAREP_OK;
}

mtarep_status mtarep_dmarc_fetch(mtarep_dmarc_result **out, mtarep_ctx *ctx, const char *domain,
                                 const mtarep_dmarc_options *opts)
{
    mtarep_dmarc_job *job;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx || !out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dmarc: NULL argument");
    mtarep__clear_error(ctx);
    if ((rc = mtarep__dmarc_fetch_start(&job, ctx, domain, opts)) != MTAREP_OK)
        return rc;
    (void)mtarep__dns_run(ctx);
    return mtarep__dmarc_fetch_finish(out, job);
}

mtarep_auth_verdict mtarep_dmarc_result_verdict(const mtarep_dmarc_result *r)
{
    return r ? r->verdict : MTAREP_AUTH_UNKNOWN;
}
size_t mtarep_dmarc_result_problem_count(const mtarep_dmarc_result *r) { return r ? r->pr.n : 0; }
mtarep_auth_severity mtarep_dmarc_result_problem_severity(const mtarep_dmarc_result *r, size_t i)
{
    return r && i < r->pr.n ? (mtarep_auth_severity)r->pr.v[i].sev : MTAREP_AUTH_INFO;
}
const char *mtarep_dmarc_result_problem_message(const mtarep_dmarc_result *r, size_t i)
{
    return r && i < r->pr.n ? r->pr.v[i].msg : NULL;
}
long mtarep_dmarc_result_problem_offset(const mtarep_dmarc_result *r, size_t i)
{
    return r && i < r->pr.n ? r->pr.v[i].off : -1;
}

const char *mtarep_dmarc_result_tag(const mtarep_dmarc_result *r, const char *tag)
{
    long i;
    if (!r || !tag || !r->parsed || (i = mtarep__taglist_find(&r->tags, tag, 1)) < 0)
        return NULL;
    return r->tags.t[i].value; /* NUL-terminated by mtarep__dmarc_check_text() */
}

const char *mtarep_dmarc_result_policy(const mtarep_dmarc_result *r) { return r ? r->policy : NULL; }
const char *mtarep_dmarc_result_record(const mtarep_dmarc_result *r) { return r ? r->record : NULL; }
const char *mtarep_dmarc_result_policy_domain(const mtarep_dmarc_result *r)
{
    return r ? r->policy_domain : NULL;
}
const char *mtarep_dmarc_result_rule(const mtarep_dmarc_result *r) { return r ? r->rule : NULL; }
const char *mtarep_dmarc_result_org_domain(const mtarep_dmarc_result *r)
{
    return r ? r->org_domain : NULL;
}

void mtarep_dmarc_result_free(mtarep_dmarc_result *r)
{
    if (!r)
        return;
    mtarep__problems_free(&r->pr);
    free(r->record);
    free(r->policy_domain);
    free(r->org_domain);
    free(r->name);
    free(r->tagbuf);
    free(r);
}
