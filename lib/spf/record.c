/* SPF record parser and macro expander (RFC 7208 sections 4.5, 4.6, 5, 6,
 * 7). Hand-written: no library in the dependency set parses SPF, and the
 * error position has to come out. Input is (pointer, length): TXT data may
 * hold NUL octets, which make a record invalid. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_int.h"

#define ERR(...)                                                                 \
    do {                                                                         \
        if (errlen)                                                              \
            snprintf(err, errlen, __VA_ARGS__);                                  \
    } while (0)

int mtarep__spf_is_v1(const char *txt, size_t len)
{
    return txt && len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 && (len == 6 || txt[6] == ' ');
}

static int is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int macro_letter(unsigned char c, int explain)
{
    c = (unsigned char)tolower(c);
    if (strchr("slodiphv", c))
        return 1;
    return explain && strchr("crt", c);
}

int mtarep__spf_macro_check(const char *s, size_t len, int explain, size_t *errpos)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 1 >= len)
                goto bad;
            c = (unsigned char)s[i + 1];
            if (c == '%' || c == '_' || c == '-') {
                i++;
                continue;
            }
            if (c != '{')
                goto bad;
            i += 2;
            if (i >= len || !macro_letter((unsigned char)s[i], explain))
                goto bad;
            i++;
            {
                size_t d0 = i;
                while (i < len && is_digit((unsigned char)s[i]))
                    i++;
                /* "0" keeps nothing: RFC 7208 7.3 requires a non-zero count */
                if (i > d0 && s[d0] == '0')
                    goto bad;
            }
            if (i < len && (s[i] == 'r' || s[i] == 'R'))
                i++;
            while (i < len && strchr(".-+,/_=", s[i]) && s[i])
                i++;
            if (i >= len || s[i] != '}')
                goto bad;
            continue;
        }
        if (c == ' ' && explain)
            continue;
        if (c < 0x21 || c > 0x7e)
            goto bad;
        continue;
    bad:
        if (errpos)
            *errpos = i < len ? i : len;
        return MTAREP_EPARSE;
    }
    return MTAREP_OK;
}

int mtarep__spf_macro_has_p(const char *s)
{
    for (; s && *s; s++) {
        if (s[0] == '%' && s[1] == '{' && (s[2] == 'p' || s[2] == 'P'))
            return 1;
        if (s[0] == '%' && s[1])
            s++;
    }
    return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t n)
{
    int alpha = 0, dash = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_alpha(c))
            alpha = 1;
        else if (c == '-')
            dash = 1;
        else if (!is_digit(c))
            return 0;
    }
    if (s[0] == '-' || s[n - 1] == '-')
        return 0;
    return alpha || dash;
}

/* domain-spec = macro-string domain-end;
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int domain_spec_ok(const char *s, size_t n, size_t *errpos)
{
    size_t end, dot;

    if (n == 0) {
        *errpos = 0;
        return 0;
    }
    if (mtarep__spf_macro_check(s, n, 0, errpos) != MTAREP_OK)
        return 0;
    /* ends with a macro-expand ("%{..}", "%%", "%_", "%-")? */
    {
        int last_macro = 0;
        for (size_t i = 0; i < n;) {
            if (s[i] == '%' && s[i + 1] == '{') {
                while (s[i] != '}')
                    i++;
                i++;
                last_macro = 1;
            } else if (s[i] == '%') {
                i += 2;
                last_macro = 1;
            } else {
                i++;
                last_macro = 0;
            }
        }
        if (last_macro)
            return 1;
    }
    end = n;
    if (s[end - 1] == '.')
        end--;
    for (dot = end; dot > 0 && s[dot - 1] != '.'; dot--)
        ;
    if (dot == 0 || !toplabel_ok(s + dot, end - dot)) {
        *errpos = dot;
        return 0;
    }
    return 1;
}

/* Decimal without leading zeros, <= max; -1 if bad. */
static int parse_prefix(const char *s, size_t n, int max)
{
    int v = 0;
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Split a trailing dual-cidr ("/24", "//64", "/24//64") off s[0..*n). */
static int split_cidr(const char *s, size_t *n, spf_term *t, int dual)
{
    size_t e = *n, k;
    /* "//N" at the end */
    if (dual) {
        for (k = e; k > 0 && is_digit((unsigned char)s[k - 1]); k--)
            ;
        if (k >= 2 && k < e && s[k - 1] == '/' && s[k - 2] == '/') {
            if ((t->cidr6 = parse_prefix(s + k, e - k, 128)) < 0)
                return -1;
            e = k - 2;
        }
    }
    for (k = e; k > 0 && is_digit((unsigned char)s[k - 1]); k--)
        ;
    if (k >= 1 && k < e && s[k - 1] == '/' && (k < 2 || s[k - 2] != '/')) {
        int max = (dual || t->mech == SPF_M_IP4) ? 32 : 128;
        int v = parse_prefix(s + k, e - k, max);
        if (v < 0)
            return -1;
        if (t->mech == SPF_M_IP6)
            t->cidr6 = v;
        else
            t->cidr4 = v;
        e = k - 1;
    }
    *n = e;
    return 0;
}

/* Offset of the first '/' of a CIDR suffix (for error positions), else 0. */
static size_t slash_pos(const char *s, size_t n)
{
    const char *p = memchr(s, '/', n);
    return p ? (size_t)(p - s) : 0;
}

static const struct {
    const char *name;
    spf_mech m;
} mechs[] = {
    {"all", SPF_M_ALL},   {"include", SPF_M_INCLUDE}, {"a", SPF_M_A},
    {"mx", SPF_M_MX},     {"ptr", SPF_M_PTR},         {"ip4", SPF_M_IP4},
    {"ip6", SPF_M_IP6},   {"exists", SPF_M_EXISTS},
};

static int parse_term(spf_record *r, const char *s, size_t n, size_t pos, char *err,
                      size_t errlen, size_t *errpos)
{
    spf_term t;
    size_t i = 0, name_end, ep = 0;
    spf_term *grown;

    memset(&t, 0, sizeof t);
    t.pos = pos;
    t.qual = '+';
    t.cidr4 = 32;
    t.cidr6 = 128;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x21 || c > 0x7e) {
            *errpos = pos + k;
            ERR("invalid octet 0x%02x in term", c);
            return MTAREP_EPARSE;
        }
    }
    if (strchr("+-~?", s[0]))
        t.qual = s[i++];
    name_end = i;
    if (name_end < n && is_alpha((unsigned char)s[name_end]))
        while (name_end < n && (isalnum((unsigned char)s[name_end]) ||
                                strchr("-_.", s[name_end])))
            name_end++;
    if (name_end == i) {
        *errpos = pos + i;
        ERR("term does not start with a name");
        return MTAREP_EPARSE;
    }
    if (name_end < n && s[name_end] == '=' && i == 0) {
        /* modifier */
        const char *v = s + name_end + 1;
        size_t vn = n - name_end - 1;
        t.is_mod = 1;
        if (!(t.name = dupn(s, name_end)) || !(t.arg = dupn(v, vn)))
            goto oom;
        if (strcasecmp(t.name, "redirect") == 0 || strcasecmp(t.name, "exp") == 0) {
            long *slot = tolower((unsigned char)t.name[0]) == 'r' ? &r->redirect : &r->exp;
            if (*slot >= 0) {
                *errpos = pos;
                ERR("duplicate %s= modifier", t.name);
                goto bad;
            }
            if (!domain_spec_ok(v, vn, &ep)) {
                *errpos = pos + name_end + 1 + ep;
                ERR("%s= needs a valid domain-spec", t.name);
                goto bad;
            }
            *slot = (long)r->n;
            if (*slot == r->redirect)
                r->dns_terms++;
        } else if (mtarep__spf_macro_check(v, vn, 1, &ep) != MTAREP_OK || memchr(v, ' ', vn)) {
            *errpos = pos + name_end + 1 + ep;
            ERR("invalid macro-string in modifier %s=", t.name);
            goto bad;
        }
    } else {
        size_t k, an;
        const char *a;
        for (k = 0; k < sizeof mechs / sizeof mechs[0]; k++)
            if (strlen(mechs[k].name) == name_end - i &&
                strncasecmp(mechs[k].name, s + i, name_end - i) == 0)
                break;
        if (k == sizeof mechs / sizeof mechs[0]) {
            *errpos = pos + i;
            ERR("unknown mechanism '%.*s'", (int)(name_end - i), s + i);
            return MTAREP_EPARSE;
        }
        t.mech = mechs[k].m;
        a = s + name_end;
        an = n - name_end;
        switch (t.mech) {
        case SPF_M_ALL:
            if (an) {
                *errpos = pos + name_end;
                ERR("'all' takes no argument");
                goto bad;
            }
            break;
        case SPF_M_A:
        case SPF_M_MX:
        case SPF_M_PTR:
        case SPF_M_INCLUDE:
        case SPF_M_EXISTS:
            if (t.mech == SPF_M_A || t.mech == SPF_M_MX) {
                if (split_cidr(a, &an, &t, 1) != 0) {
                    *errpos = pos + name_end + slash_pos(a, an);
                    ERR("invalid CIDR length");
                    goto bad;
                }
            }
            if (an == 0) {
                if (t.mech == SPF_M_INCLUDE || t.mech == SPF_M_EXISTS) {
                    *errpos = pos + name_end;
                    ERR("'%s' needs ':domain'", mechs[k].name);
                    goto bad;
                }
                break;
            }
            if (a[0] != ':' || !domain_spec_ok(a + 1, an - 1, &ep)) {
                *errpos = pos + name_end + (a[0] == ':' ? 1 + ep : 0);
                ERR("invalid domain-spec after '%s'", mechs[k].name);
                goto bad;
            }
            if (!(t.arg = dupn(a + 1, an - 1)))
                goto oom;
            break;
        case SPF_M_IP4:
        case SPF_M_IP6: {
            char buf[64];
            if (an < 2 || a[0] != ':' || split_cidr(a, &an, &t, 0) != 0 || an - 1 >= sizeof buf) {
                *errpos = pos + name_end + (an >= 2 && a[0] == ':' ? slash_pos(a, an) : 0);
                ERR("invalid %s network", mechs[k].name);
                goto bad;
            }
            memcpy(buf, a + 1, an - 1);
            buf[an - 1] = '\0';
            if (mtarep__ip_parse(&t.net, buf) != MTAREP_OK ||
                t.net.family != (t.mech == SPF_M_IP4 ? 4 : 6)) {
                *errpos = pos + name_end + 1;
                ERR("invalid %s address '%s'", mechs[k].name, buf);
                goto bad;
            }
            break;
        }
        }
        if (t.mech == SPF_M_INCLUDE || t.mech == SPF_M_A || t.mech == SPF_M_MX ||
            t.mech == SPF_M_PTR || t.mech == SPF_M_EXISTS)
            r->dns_terms++;
    }
    grown = realloc(r->t, (r->n + 1) * sizeof *r->t);
    if (!grown)
        goto oom;
    r->t = grown;
    r->t[r->n++] = t;
    return MTAREP_OK;
oom:
    free(t.name);
    free(t.arg);
    ERR("out of memory");
    return MTAREP_ENOMEM;
bad:
    free(t.name);
    free(t.arg);
    return MTAREP_EPARSE;
}

void mtarep__spf_record_free(spf_record *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->t[i].name);
        free(r->t[i].arg);
    }
    free(r->t);
    memset(r, 0, sizeof *r);
    r->redirect = r->exp = -1;
}

int mtarep__spf_parse(spf_record *out, const char *txt, size_t len, char *err, size_t errlen,
                      size_t *errpos)
{
    size_t i, dummy;
    int rc;

    if (!errpos)
        errpos = &dummy;
    *errpos = 0;
    memset(out, 0, sizeof *out);
    out->redirect = out->exp = -1;
    if (!mtarep__spf_is_v1(txt, len)) {
        ERR("not an SPF version 1 record");
        return MTAREP_EPARSE;
    }
    i = 6;
    while (i < len) {
        size_t start;
        if (txt[i] == ' ') {
            i++;
            continue;
        }
        start = i;
        while (i < len && txt[i] != ' ')
            i++;
        rc = parse_term(out, txt + start, i - start, start, err, errlen, errpos);
        if (rc != MTAREP_OK) {
            mtarep__spf_record_free(out);
            return rc;
        }
    }
    return MTAREP_OK;
}

/* ---- macro expansion ---------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int over;
} sbuf;

static void sb_putc(sbuf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->over = 1;
        return;
    }
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_putc(b, s[i]);
}

/* Value of a macro letter into v (NUL-terminated). */
static void letter_value(const spf_macro_env *env, char letter, char *v, size_t vlen)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *s = NULL;

    v[0] = '\0';
    switch (tolower((unsigned char)letter)) {
    case 's': s = env->sender; break;
    case 'l': s = env->local; break;
    case 'o': s = env->sdomain; break;
    case 'd': s = env->domain; break;
    case 'h': s = env->helo; break;
    case 'p': s = env->p ? env->p : "unknown"; break;
    case 'r': s = env->receiver ? env->receiver : "unknown"; break;
    case 'v': s = env->ip->family == 4 ? "in-addr" : "ip6"; break;
    case 'c':
        mtarep__ip_format(env->ip, v, vlen);
        return;
    case 't':
        snprintf(v, vlen, "%lld", (long long)env->now);
        return;
    case 'i':
        if (env->ip->family == 4) {
            mtarep__ip_format(env->ip, v, vlen);
        } else if (vlen >= 64) {
            /* dot-separated nibbles (RFC 7208 7.3); upper case as the RFC
             * 7208 test suite expects, DNS does not care */
            size_t o = 0;
            for (int k = 0; k < 16; k++) {
                v[o++] = hex[env->ip->bytes[k] >> 4];
                v[o++] = '.';
                v[o++] = hex[env->ip->bytes[k] & 0xf];
                v[o++] = k < 15 ? '.' : '\0';
            }
        }
        return;
    default:
        break;
    }
    snprintf(v, vlen, "%s", s ? s : "");
}

int mtarep__spf_macro_expand(const spf_macro_env *env, const char *s, int explain, char *out,
                             size_t outlen)
{
    sbuf b = {out, 0, outlen, 0};
    size_t n = strlen(s), ep;

    if (outlen == 0)
        return MTAREP_ELIMIT;
    out[0] = '\0';
    if (mtarep__spf_macro_check(s, n, explain, &ep) != MTAREP_OK)
        return MTAREP_EPARSE;
    for (size_t i = 0; i < n && !b.over; i++) {
        char val[1100], delims[8];
        const char *parts[256];
        size_t plen[256], np = 0, nd = 0, keep = 0, vlen;
        char letter;
        int rev = 0, upper;

        if (s[i] != '%') {
            sb_putc(&b, s[i]);
            continue;
        }
        i++;
        if (s[i] == '%') {
            sb_putc(&b, '%');
            continue;
        }
        if (s[i] == '_') {
            sb_putc(&b, ' ');
            continue;
        }
        if (s[i] == '-') {
            sb_puts(&b, "%20", 3);
            continue;
        }
        /* "%{" letter digits ["r"] delimiters "}" (syntax checked above) */
        i++;
        letter = s[i++];
        upper = isupper((unsigned char)letter);
        while (is_digit((unsigned char)s[i])) {
            if (keep < 1000)
                keep = keep * 10 + (size_t)(s[i] - '0');
            i++;
        }
        if (s[i] == 'r' || s[i] == 'R') {
            rev = 1;
            i++;
        }
        while (s[i] != '}') {
            if (nd < sizeof delims - 1 && !memchr(delims, s[i], nd))
                delims[nd++] = s[i];
            i++;
        }
        if (nd == 0)
            delims[nd++] = '.';
        delims[nd] = '\0';
        letter_value(env, letter, val, sizeof val);
        vlen = strlen(val);
        /* split on the delimiters */
        {
            size_t st = 0;
            for (size_t k = 0; k <= vlen; k++) {
                if (k == vlen || strchr(delims, val[k])) {
                    if (np < 256) {
                        parts[np] = val + st;
                        plen[np++] = k - st;
                    }
                    st = k + 1;
                }
            }
        }
        if (rev)
            for (size_t a = 0, z = np - 1; a < z; a++, z--) {
                const char *tp = parts[a];
                size_t tl = plen[a];
                parts[a] = parts[z];
                plen[a] = plen[z];
                parts[z] = tp;
                plen[z] = tl;
            }
        {
            size_t first = (keep && keep < np) ? np - keep : 0;
            for (size_t k = first; k < np; k++) {
                if (k > first)
                    sb_putc(&b, '.');
                if (!upper) {
                    sb_puts(&b, parts[k], plen[k]);
                    continue;
                }
                for (size_t q = 0; q < plen[k]; q++) {
                    unsigned char c = (unsigned char)parts[k][q];
                    if (isalnum(c) || strchr("-._~", c)) {
                        sb_putc(&b, (char)c);
                    } else {
                        char esc[4];
                        snprintf(esc, sizeof esc, "%%%02X", c);
                        sb_puts(&b, esc, 3);
                    }
                }
            }
        }
    }
    return b.over ? MTAREP_ELIMIT : MTAREP_OK;
}

int mtarep__spf_target_name(char *name)
{
    size_t n = strlen(name), label = 0;

    if (n && name[n - 1] == '.')
        name[--n] = '\0';
    while (n > 253) {
        char *dot = strchr(name, '.');
        if (!dot)
            return -1;
        memmove(name, dot + 1, strlen(dot + 1) + 1);
        n = strlen(name);
    }
    if (n == 0)
        return -1;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || name[i] == '.') {
            if (label == 0 || label > 63)
                return -1;
            label = 0;
        } else {
            label++;
        }
    }
    return 0;
}
