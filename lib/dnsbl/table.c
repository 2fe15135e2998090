/* Zone table: parser for the text format of docs/dnsbl-zones.md, lookup,
 * merge, and the answer decoder. Hand-written because the format is a
 * few line-oriented directives; no library parses it. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl_int.h"

#define MAX_LINE 1024   /* longer lines are rejected, not truncated */
#define MAX_RULES 256   /* per zone: keeps decoding cheap */
#define MAX_ZONES 4096  /* per text */

static void zone_def_clear(dnsbl_zone_def *d)
{
    free(d->zone);
    free(d->name);
    free(d->note);
    free(d->dead);
    for (int f = 0; f < DNSBL_NFAM; f++) {
        free(d->test_listed[f]);
        free(d->test_unlisted[f]);
    }
    for (size_t i = 0; i < d->nrules; i++) {
        free(d->rules[i].label);
        free(d->rules[i].desc);
    }
    free(d->rules);
    for (size_t i = 0; i < d->nbits; i++) {
        free(d->bits[i].label);
        free(d->bits[i].desc);
    }
    free(d->bits);
    memset(d, 0, sizeof *d);
}

void mtarep__dnsbl_table_free(struct mtarep_dnsbl_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        zone_def_clear(&t->v[i]);
    free(t->v);
    free(t);
}

/* Deep copy of a definition (for "like"); 0 or ENOMEM. */
static int zone_def_copy(dnsbl_zone_def *dst, const dnsbl_zone_def *src)
{
#define DUP(f)                                                                 \
    do {                                                                       \
        if (src->f && !(dst->f = mtarep__strdup(src->f)))                      \
            goto oom;                                                          \
    } while (0)
    memset(dst, 0, sizeof *dst);
    dst->keyed = src->keyed;
    dst->kinds = src->kinds;
    dst->no_test = src->no_test;
    dst->line = src->line;
    DUP(zone);
    DUP(name);
    DUP(note);
    DUP(dead);
    for (int f = 0; f < DNSBL_NFAM; f++) {
        DUP(test_listed[f]);
        DUP(test_unlisted[f]);
    }
    if (src->nrules) {
        dst->rules = calloc(src->nrules, sizeof *dst->rules);
        if (!dst->rules)
            goto oom;
        for (size_t i = 0; i < src->nrules; i++) {
            dst->rules[i] = src->rules[i];
            dst->rules[i].label = dst->rules[i].desc = NULL;
            dst->nrules = i + 1;
            DUP(rules[i].label);
            DUP(rules[i].desc);
        }
    }
    if (src->nbits) {
        dst->bits = calloc(src->nbits, sizeof *dst->bits);
        if (!dst->bits)
            goto oom;
        for (size_t i = 0; i < src->nbits; i++) {
            dst->bits[i] = src->bits[i];
            dst->bits[i].label = dst->bits[i].desc = NULL;
            dst->nbits = i + 1;
            DUP(bits[i].label);
            DUP(bits[i].desc);
        }
    }
    return MTAREP_OK;
oom:
    zone_def_clear(dst);
    return MTAREP_ENOMEM;
#undef DUP
}

static int table_push(struct mtarep_dnsbl_table *t, dnsbl_zone_def *d)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        dnsbl_zone_def *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return MTAREP_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *d;
    memset(d, 0, sizeof *d);
    return MTAREP_OK;
}

static dnsbl_zone_def *table_lookup(const struct mtarep_dnsbl_table *t, const char *zone,
                                    int keyed)
{
    for (size_t i = t ? t->n : 0; i-- > 0;)
        if (t->v[i].keyed == keyed && strcmp(t->v[i].zone, zone) == 0)
            return &t->v[i];
    return NULL;
}

const dnsbl_zone_def *mtarep__dnsbl_table_find(const struct mtarep_dnsbl_table *t,
                                               const char *zone)
{
    const dnsbl_zone_def *d;
    const char *dot;

    if (!t || !zone)
        return NULL;
    if ((d = table_lookup(t, zone, 0)) != NULL)
        return d;
    dot = strchr(zone, '.');
    if (dot && dot != zone && dot[1] && strcmp(zone, "*") != 0)
        return table_lookup(t, dot + 1, 1);
    return NULL;
}

int mtarep__dnsbl_table_merge(struct mtarep_dnsbl_table *dst, struct mtarep_dnsbl_table *src)
{
    size_t add = 0;

    /* Reserve first so a failure leaves dst as it was. */
    for (size_t i = 0; i < src->n; i++)
        if (!table_lookup(dst, src->v[i].zone, src->v[i].keyed))
            add++;
    if (dst->n + add > dst->cap) {
        size_t cap = dst->n + add;
        dnsbl_zone_def *v = realloc(dst->v, cap * sizeof *v);
        if (!v)
            return MTAREP_ENOMEM;
        dst->v = v;
        dst->cap = cap;
    }
    for (size_t i = 0; i < src->n; i++) {
        dnsbl_zone_def *old = table_lookup(dst, src->v[i].zone, src->v[i].keyed);
        if (old) {
            zone_def_clear(old);
            *old = src->v[i];
        } else {
            dst->v[dst->n++] = src->v[i];
        }
        memset(&src->v[i], 0, sizeof src->v[i]);
    }
    src->n = 0;
    return MTAREP_OK;
}

/* ---- parser ---------------------------------------------------------- */

typedef struct parser {
    struct mtarep_dnsbl_table *t;
    const struct mtarep_dnsbl_table *base1, *base2;
    dnsbl_zone_def cur;
    int have_cur;
    int cur_directives; /* directives seen in the current block */
    int have_bitmask;
    int have_kind;
    int line;
    char *err;
    size_t errlen;
} parser;

static int perr(parser *p, const char *fmt, ...) MTAREP_PRINTF(2, 3);
static int perr(parser *p, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "line %d: %s", p->line, msg);
    return MTAREP_EPARSE;
}

/* Next whitespace-delimited token of *s (modified in place), or NULL. */
static char *next_tok(char **s)
{
    char *p = *s, *start;

    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    start = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return start;
}

/* The rest of the line, trimmed; NULL if empty. */
static char *rest_of(char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return n ? s : NULL;
}

static int parse_ip4(const char *s, uint32_t *out)
{
    struct in_addr a;

    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

/* "a.b.c.d", "a.b.c.d-e.f.g.h" or "a.b.c.d/n". */
static int parse_range(parser *p, const char *s, uint32_t *lo, uint32_t *hi)
{
    char buf[64];
    char *sep;

    if (!s)
        return perr(p, "missing address range");
    if (strlen(s) >= sizeof buf)
        return perr(p, "bad address range '%.40s'", s);
    strcpy(buf, s);
    if ((sep = strchr(buf, '/')) != NULL) {
        char *end;
        long len;
        *sep = '\0';
        len = strtol(sep + 1, &end, 10);
        if (!isdigit((unsigned char)sep[1]) || *end || len < 0 || len > 32 ||
            parse_ip4(buf, lo) != 0)
            return perr(p, "bad address range '%s'", s);
        uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
        *lo &= mask;
        *hi = *lo | ~mask;
        return MTAREP_OK;
    }
    if ((sep = strchr(buf, '-')) != NULL) {
        *sep = '\0';
        if (parse_ip4(buf, lo) != 0 || parse_ip4(sep + 1, hi) != 0 || *lo > *hi)
            return perr(p, "bad address range '%s'", s);
        return MTAREP_OK;
    }
    if (parse_ip4(buf, lo) != 0)
        return perr(p, "bad address '%s'", s);
    *hi = *lo;
    return MTAREP_OK;
}

/* "listed", "info" or "error:ECODE". */
static int parse_class(parser *p, const char *s, dnsbl_class *cls, int *err)
{
    *err = 0;
    if (!s)
        return perr(p, "missing class (listed, info or error:CODE)");
    if (strcmp(s, "listed") == 0) {
        *cls = DNSBL_CLASS_LISTED;
        return MTAREP_OK;
    }
    if (strcmp(s, "info") == 0) {
        *cls = DNSBL_CLASS_INFO;
        return MTAREP_OK;
    }
    if (strncmp(s, "error:", 6) == 0) {
        for (int c = MTAREP_ERROR; c >= MTAREP_ECONFIG; c--) {
            const char *name = mtarep_error_name(c); /* "MTAREP_E..." */
            if (strcmp(name + 7, s + 6) == 0) {
                *cls = DNSBL_CLASS_ERROR;
                *err = c;
                return MTAREP_OK;
            }
        }
        return perr(p, "unknown error code '%.40s' (e.g. error:EBLOCKED)", s + 6);
    }
    return perr(p, "bad class '%.40s' (listed, info or error:CODE)", s);
}

/* Family of a test point, or -1. */
static int point_family(const char *s)
{
    mtarep_ip ip;

    if (mtarep__ip_parse(&ip, s) == MTAREP_OK)
        return ip.family == 4 ? DNSBL_FAM_IP4 : DNSBL_FAM_IP6;
    if (strchr(s, ':'))
        return -1;
    return mtarep__domain_valid(s) ? DNSBL_FAM_DOMAIN : -1;
}

static int dup_to(char **dst, const char *s)
{
    free(*dst);
    *dst = NULL;
    if (s && !(*dst = mtarep__strdup(s)))
        return MTAREP_ENOMEM;
    return MTAREP_OK;
}

static int finish_block(parser *p)
{
    int rc;

    if (!p->have_cur)
        return MTAREP_OK;
    if (p->cur.nbits && !p->have_bitmask)
        return perr(p, "zone %s: 'bit' lines without a 'bitmask' range", p->cur.zone);
    if (!p->cur.kinds) {
        p->line = p->cur.line;
        return perr(p, "zone %s: missing 'kind' (ip4, ip6, ip, domain or any)", p->cur.zone);
    }
    if (p->t->n >= MAX_ZONES)
        return perr(p, "too many zones (limit %d)", MAX_ZONES);
    rc = table_push(p->t, &p->cur);
    p->have_cur = 0;
    return rc;
}

static int add_rule(parser *p, dnsbl_rule *r)
{
    dnsbl_rule *v;

    if (p->cur.nrules >= MAX_RULES)
        return perr(p, "zone %s: too many rules (limit %d)", p->cur.zone, MAX_RULES);
    v = realloc(p->cur.rules, (p->cur.nrules + 1) * sizeof *v);
    if (!v)
        return MTAREP_ENOMEM;
    p->cur.rules = v;
    v[p->cur.nrules++] = *r;
    return MTAREP_OK;
}

static int parse_zone_line(parser *p, char *args)
{
    char *name = next_tok(&args), norm[256];
    int keyed = 0, rc;

    if ((rc = finish_block(p)) != MTAREP_OK)
        return rc;
    if (!name)
        return perr(p, "'zone' needs a zone name");
    if (next_tok(&args))
        return perr(p, "'zone' takes one name");
    if (strcmp(name, "*") == 0) {
        strcpy(norm, "*");
    } else {
        if (strncmp(name, "<key>.", 6) == 0) {
            keyed = 1;
            name += 6;
        }
        if (mtarep__domain_normalize(name, norm, sizeof norm) != MTAREP_OK ||
            !strchr(norm, '.'))
            return perr(p, "bad zone name '%.80s'", name);
    }
    if (table_lookup(p->t, norm, keyed))
        return perr(p, "zone %s%s defined twice", keyed ? "<key>." : "", norm);
    memset(&p->cur, 0, sizeof p->cur);
    p->have_cur = 1;
    p->cur_directives = 0;
    p->have_bitmask = 0;
    p->cur.keyed = keyed;
    p->cur.line = p->line;
    if (strcmp(norm, "*") == 0)
        p->cur.kinds = DNSBL_KIND_ANY;
    if (!(p->cur.zone = mtarep__strdup(norm)))
        return MTAREP_ENOMEM;
    return MTAREP_OK;
}

static int parse_directive(parser *p, const char *kw, char *args)
{
    dnsbl_zone_def *d = &p->cur;
    int rc;

    if (strcmp(kw, "zone") == 0)
        return parse_zone_line(p, args);
    if (!p->have_cur)
        return perr(p, "'%.20s' outside a zone block (start one with 'zone NAME')", kw);
    p->cur_directives++;

    if (strcmp(kw, "like") == 0) {
        char *other = next_tok(&args), norm[256];
        const dnsbl_zone_def *src;
        dnsbl_zone_def copy;
        int keyed = 0;
        if (p->cur_directives != 1)
            return perr(p, "'like' must come first in a zone block");
        if (!other || next_tok(&args))
            return perr(p, "'like' takes one zone name");
        if (strncmp(other, "<key>.", 6) == 0) {
            keyed = 1;
            other += 6;
        }
        if (mtarep__domain_normalize(other, norm, sizeof norm) != MTAREP_OK)
            return perr(p, "'like %.80s': bad zone name", other);
        if (!(src = table_lookup(p->t, norm, keyed)) &&
            !(src = table_lookup(p->base1, norm, keyed)) &&
            !(src = table_lookup(p->base2, norm, keyed)))
            return perr(p, "'like %.80s': no such zone defined earlier", other);
        if ((rc = zone_def_copy(&copy, src)) != MTAREP_OK)
            return rc;
        free(copy.zone);
        copy.zone = d->zone;
        copy.keyed = d->keyed;
        copy.line = d->line;
        d->zone = NULL;
        zone_def_clear(d);
        *d = copy;
        p->have_bitmask = 0;
        for (size_t i = 0; i < d->nrules; i++)
            if (d->rules[i].kind == DNSBL_RULE_BITMASK)
                p->have_bitmask = 1;
        return MTAREP_OK;
    }
    if (strcmp(kw, "name") == 0 || strcmp(kw, "note") == 0 || strcmp(kw, "dead") == 0) {
        char *text = rest_of(args);
        if (!text)
            return perr(p, "'%s' needs text", kw);
        if (strlen(text) > 600)
            return perr(p, "'%s' text too long", kw);
        return dup_to(kw[0] == 'n' ? (kw[1] == 'a' ? &d->name : &d->note) : &d->dead, text);
    }
    if (strcmp(kw, "kind") == 0) {
        static const struct { const char *w; unsigned k; } kinds[] = {
            {"ip4", DNSBL_KIND_IP4}, {"ip6", DNSBL_KIND_IP6},
            {"ip", DNSBL_KIND_IP4 | DNSBL_KIND_IP6}, {"domain", DNSBL_KIND_DOMAIN},
            {"any", DNSBL_KIND_ANY}};
        char *w = next_tok(&args);
        if (!w || next_tok(&args))
            return perr(p, "'kind' takes one of ip4, ip6, ip, domain, any");
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (strcmp(w, kinds[i].w) == 0) {
                d->kinds = kinds[i].k;
                return MTAREP_OK;
            }
        return perr(p, "bad kind '%.40s' (ip4, ip6, ip, domain or any)", w);
    }
    if (strcmp(kw, "test") == 0) {
        char *a = next_tok(&args), *b = next_tok(&args);
        int fa, fb;
        if (a && strcmp(a, "none") == 0 && !b) {
            d->no_test = 1;
            return MTAREP_OK;
        }
        if (!a || !b || next_tok(&args))
            return perr(p, "'test' takes 'none' or LISTED UNLISTED");
        fa = point_family(a);
        fb = point_family(b);
        if (fa < 0 || fb < 0 || fa != fb)
            return perr(p, "test points '%.60s' and '%.60s' must be two addresses of one "
                        "family or two domain names", a, b);
        if (strcasecmp(a, b) == 0)
            return perr(p, "listed and unlisted test points are the same");
        d->no_test = 0;
        for (char *c = a; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        for (char *c = b; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if ((rc = dup_to(&d->test_listed[fa], a)) != MTAREP_OK)
            return rc;
        return dup_to(&d->test_unlisted[fa], b);
    }
    if (strcmp(kw, "code") == 0) {
        dnsbl_rule r;
        char *range = next_tok(&args), *cls = next_tok(&args), *label = next_tok(&args);
        memset(&r, 0, sizeof r);
        r.kind = DNSBL_RULE_CODE;
        if ((rc = parse_range(p, range, &r.lo, &r.hi)) != MTAREP_OK ||
            (rc = parse_class(p, cls, &r.cls, &r.err)) != MTAREP_OK)
            return rc;
        if (!label)
            return perr(p, "'code' needs a label ('-' = the answer itself)");
        if (strlen(label) > 64)
            return perr(p, "label too long");
        if (strcmp(label, "-") != 0 && !(r.label = mtarep__strdup(label)))
            return MTAREP_ENOMEM;
        if ((args = rest_of(args)) && !(r.desc = mtarep__strdup(args))) {
            free(r.label);
            return MTAREP_ENOMEM;
        }
        if (r.cls == DNSBL_CLASS_ERROR && !r.desc && !r.label)
            return perr(p, "an error code needs a label or description");
        if ((rc = add_rule(p, &r)) != MTAREP_OK) {
            free(r.label);
            free(r.desc);
        }
        return rc;
    }
    if (strcmp(kw, "bitmask") == 0) {
        dnsbl_rule r;
        memset(&r, 0, sizeof r);
        r.kind = DNSBL_RULE_BITMASK;
        if ((rc = parse_range(p, next_tok(&args), &r.lo, &r.hi)) != MTAREP_OK)
            return rc;
        if (next_tok(&args))
            return perr(p, "'bitmask' takes one range");
        if ((r.lo >> 8) != (r.hi >> 8))
            return perr(p, "a bitmask range must stay within one /24");
        p->have_bitmask = 1;
        return add_rule(p, &r);
    }
    if (strcmp(kw, "bit") == 0) {
        dnsbl_bit b, *v;
        char *val = next_tok(&args), *cls = next_tok(&args), *label = next_tok(&args), *end;
        long n;
        memset(&b, 0, sizeof b);
        n = val ? strtol(val, &end, 10) : 0;
        if (!val || *end || n < 1 || n > 128 || (n & (n - 1)))
            return perr(p, "'bit' needs a value 1, 2, 4, ... 128");
        b.value = (unsigned)n;
        if ((rc = parse_class(p, cls, &b.cls, &b.err)) != MTAREP_OK)
            return rc;
        if (!label || strcmp(label, "-") == 0 || strlen(label) > 64)
            return perr(p, "'bit' needs a label");
        for (size_t i = 0; i < d->nbits; i++)
            if (d->bits[i].value == b.value)
                return perr(p, "bit %ld defined twice", n);
        if (!(b.label = mtarep__strdup(label)))
            return MTAREP_ENOMEM;
        if ((args = rest_of(args)) && !(b.desc = mtarep__strdup(args))) {
            free(b.label);
            return MTAREP_ENOMEM;
        }
        v = realloc(d->bits, (d->nbits + 1) * sizeof *v);
        if (!v) {
            free(b.label);
            free(b.desc);
            return MTAREP_ENOMEM;
        }
        d->bits = v;
        v[d->nbits++] = b;
        return MTAREP_OK;
    }
    if (strcmp(kw, "score") == 0) {
        dnsbl_rule r;
        char *range = next_tok(&args), *thr = next_tok(&args), *word = next_tok(&args), *end;
        long n;
        memset(&r, 0, sizeof r);
        r.kind = DNSBL_RULE_SCORE;
        if ((rc = parse_range(p, range, &r.lo, &r.hi)) != MTAREP_OK)
            return rc;
        n = thr ? strtol(thr, &end, 10) : -1;
        if (!thr || *end || n < 0 || n > 256)
            return perr(p, "'score' needs a threshold 0..256 after the range");
        r.threshold = (unsigned)n;
        if (!word || strlen(word) > 32)
            return perr(p, "'score' needs a word for the meaning (e.g. 'score')");
        if (!(r.label = mtarep__strdup(word)))
            return MTAREP_ENOMEM;
        if ((args = rest_of(args)) && !(r.desc = mtarep__strdup(args))) {
            free(r.label);
            return MTAREP_ENOMEM;
        }
        if ((rc = add_rule(p, &r)) != MTAREP_OK) {
            free(r.label);
            free(r.desc);
        }
        return rc;
    }
    return perr(p, "unknown directive '%.40s'", kw);
}

int mtarep__dnsbl_table_parse(const char *text, size_t len,
                              const struct mtarep_dnsbl_table *base1,
                              const struct mtarep_dnsbl_table *base2,
                              struct mtarep_dnsbl_table **out, char *err, size_t errlen)
{
    parser p;
    size_t pos = 0;
    int rc = MTAREP_OK;

    if (err && errlen)
        err[0] = '\0';
    memset(&p, 0, sizeof p);
    p.err = err;
    p.errlen = errlen;
    p.base1 = base1;
    p.base2 = base2;
    if (!text || !out) {
        if (err && errlen)
            snprintf(err, errlen, "no text");
        return MTAREP_EINVAL;
    }
    p.t = calloc(1, sizeof *p.t);
    if (!p.t)
        return MTAREP_ENOMEM;
    while (pos < len && rc == MTAREP_OK) {
        char line[MAX_LINE + 1], *s, *kw;
        size_t n = 0;

        p.line++;
        while (pos < len && text[pos] != '\n') {
            if (text[pos] == '\0') {
                rc = perr(&p, "NUL byte in text");
                break;
            }
            if (n < MAX_LINE)
                line[n] = text[pos];
            n++;
            pos++;
        }
        pos++; /* the newline */
        if (rc != MTAREP_OK)
            break;
        if (n > MAX_LINE) {
            rc = perr(&p, "line longer than %d bytes", MAX_LINE);
            break;
        }
        if (n && line[n - 1] == '\r')
            n--;
        line[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)line[i] < 0x20 && line[i] != '\t') {
                rc = perr(&p, "control character in line");
                break;
            }
        if (rc != MTAREP_OK)
            break;
        s = line;
        kw = next_tok(&s);
        if (!kw || kw[0] == '#')
            continue;
        rc = parse_directive(&p, kw, s);
    }
    if (rc == MTAREP_OK)
        rc = finish_block(&p);
    if (p.have_cur)
        zone_def_clear(&p.cur);
    if (rc != MTAREP_OK) {
        if (rc == MTAREP_ENOMEM && err && errlen)
            snprintf(err, errlen, "out of memory");
        mtarep__dnsbl_table_free(p.t);
        return rc;
    }
    *out = p.t;
    return MTAREP_OK;
}

/* ---- decoder --------------------------------------------------------- */

static int push_unique(mtarep_strvec *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return MTAREP_OK;
    return mtarep__strvec_push(sv, s);
}

static void code_text(uint32_t c, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", c >> 24, (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
}

static int apply(dnsbl_verdict *v, dnsbl_class cls, int err, const char *label,
                 const char *desc, uint32_t code)
{
    char ctext[16];
    int rc = MTAREP_OK;

    code_text(code, ctext, sizeof ctext);
    if (cls == DNSBL_CLASS_ERROR) {
        if (!v->err) {
            v->err = err;
            snprintf(v->errmsg, sizeof v->errmsg, "%s (answer %s)", desc ? desc : label,
                     ctext);
        }
        return MTAREP_OK;
    }
    if (cls == DNSBL_CLASS_LISTED)
        v->listed = 1;
    rc = push_unique(&v->meanings, label ? label : ctext);
    if (rc == MTAREP_OK && desc)
        rc = push_unique(&v->descs, desc);
    return rc;
}

/* 1 if a rule of def matched code (and was applied), 0 if none, <0 error. */
static int decode_one(const dnsbl_zone_def *def, uint32_t code, dnsbl_verdict *v)
{
    for (size_t i = 0; i < def->nrules; i++) {
        const dnsbl_rule *r = &def->rules[i];
        int rc = MTAREP_OK;

        if (code < r->lo || code > r->hi)
            continue;
        if (r->kind == DNSBL_RULE_CODE) {
            rc = apply(v, r->cls, r->err, r->label, r->desc, code);
        } else if (r->kind == DNSBL_RULE_SCORE) {
            char m[64];
            unsigned n = code & 0xff;
            snprintf(m, sizeof m, "%s %u", r->label, n);
            rc = apply(v, n < r->threshold ? DNSBL_CLASS_LISTED : DNSBL_CLASS_INFO, 0, m,
                       r->desc, code);
        } else {
            unsigned bits = code & 0xff;
            if (bits == 0)
                rc = apply(v, DNSBL_CLASS_LISTED, 0, NULL, NULL, code);
            for (unsigned b = 1; b <= 128 && rc == MTAREP_OK; b <<= 1) {
                const dnsbl_bit *bd = NULL;
                if (!(bits & b))
                    continue;
                for (size_t k = 0; k < def->nbits; k++)
                    if (def->bits[k].value == b)
                        bd = &def->bits[k];
                if (bd) {
                    rc = apply(v, bd->cls, bd->err, bd->label, bd->desc, code);
                } else {
                    char m[32];
                    snprintf(m, sizeof m, "bit %u", b);
                    rc = apply(v, DNSBL_CLASS_LISTED, 0, m, NULL, code);
                }
            }
        }
        return rc == MTAREP_OK ? 1 : rc;
    }
    return 0;
}

int mtarep__dnsbl_decode(const dnsbl_zone_def *def, const dnsbl_zone_def *fallback,
                         const uint32_t *codes, size_t ncodes, dnsbl_verdict *v)
{
    for (size_t i = 0; i < ncodes; i++) {
        uint32_t c = codes[i];
        int rc = 0;

        if ((c >> 24) != 127) {
            /* Hard rule, not data: a list never answers outside 127/8. */
            char ctext[16];
            code_text(c, ctext, sizeof ctext);
            if (!v->err) {
                v->err = MTAREP_ECONFIG;
                snprintf(v->errmsg, sizeof v->errmsg,
                         "answer %s outside 127.0.0.0/8: resolver hijack or wildcard", ctext);
            }
            continue;
        }
        if (def)
            rc = decode_one(def, c, v);
        if (rc == 0 && fallback && fallback != def)
            rc = decode_one(fallback, c, v);
        if (rc == 0)
            rc = apply(v, DNSBL_CLASS_LISTED, 0, NULL, NULL, c);
        if (rc < 0)
            return rc;
    }
    return MTAREP_OK;
}

void mtarep__dnsbl_verdict_free(dnsbl_verdict *v)
{
    mtarep__strvec_free(&v->meanings);
    mtarep__strvec_free(&v->descs);
}
