#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mtarep__ip_parse(mtarep_ip *out, const char *text)
{
    /* inet_pton is strict where it matters: no leading-zero octets, no
     * zone ids, no trailing junk. */
    if (!text || !out)
        return MTAREP_EINVAL;
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = 4;
        return MTAREP_OK;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = 6;
        return MTAREP_OK;
    }
    return MTAREP_EINVAL;
}

void mtarep__ip_format(const mtarep_ip *ip, char *buf, size_t len)
{
    if (!inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, buf, (socklen_t)len) && len)
        buf[0] = '\0';
}

void mtarep__ip_reverse(const mtarep_ip *ip, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    if (!len)
        return;
    buf[0] = '\0';
    if (ip->family == 4) {
        snprintf(buf, len, "%u.%u.%u.%u", ip->bytes[3], ip->bytes[2], ip->bytes[1],
                 ip->bytes[0]);
        return;
    }
    if (len < 64)
        return;
    for (int i = 15; i >= 0; i--) {
        buf[o++] = hex[ip->bytes[i] & 0xf];
        buf[o++] = '.';
        buf[o++] = hex[ip->bytes[i] >> 4];
        buf[o++] = (i > 0) ? '.' : '\0';
    }
}

int mtarep__ip_prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)full) != 0)
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        return (a[full] & mask) == (b[full] & mask);
    }
    return 1;
}

int mtarep__domain_valid(const char *name)
{
    size_t total = 0, label = 0;
    const unsigned char *p;

    if (!name || !*name)
        return 0;
    for (p = (const unsigned char *)name; *p; p++, total++) {
        if (*p == '.') {
            if (label == 0)
                return 0; /* empty label */
            if (p[-1] == '-')
                return 0;
            label = 0;
            continue;
        }
        if (!(isalnum(*p) || *p == '-' || *p == '_'))
            return 0;
        if (label == 0 && *p == '-')
            return 0;
        if (++label > 63)
            return 0;
    }
    if (name[total - 1] == '.')
        total--;
    else if (name[total - 1] == '-')
        return 0;
    return total > 0 && total <= 253;
}

int mtarep__domain_normalize(const char *name, char *buf, size_t len)
{
    size_t n;

    if (!mtarep__domain_valid(name))
        return MTAREP_EINVAL;
    n = strlen(name);
    if (name[n - 1] == '.')
        n--;
    if (n + 1 > len)
        return MTAREP_EINVAL;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[n] = '\0';
    return MTAREP_OK;
}

char *mtarep__strdup(const char *s)
{
    size_t n;
    char *d;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int mtarep__strvec_push(mtarep_strvec *sv, const char *s)
{
    char *d;

    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 4;
        char **v = realloc(sv->v, cap * sizeof *v);
        if (!v)
            return MTAREP_ENOMEM;
        sv->v = v;
        sv->cap = cap;
    }
    d = mtarep__strdup(s);
    if (!d)
        return MTAREP_ENOMEM;
    sv->v[sv->n++] = d;
    return MTAREP_OK;
}

int mtarep__strvec_pushf(mtarep_strvec *sv, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return mtarep__strvec_push(sv, buf);
}

void mtarep__strvec_free(mtarep_strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

char *mtarep__redact(const char *s, const char *secret)
{
    static const char mark[] = "<key>";
    const size_t mlen = sizeof mark - 1;
    size_t klen, n = 0, cap;
    char *out;
    const char *p, *hit;

    if (!s)
        return NULL;
    if (!secret || !*secret)
        return mtarep__strdup(s);
    klen = strlen(secret);
    cap = strlen(s) + 1;
    for (p = s; (hit = strcasestr(p, secret)) != NULL; p = hit + klen)
        cap += mlen;
    out = malloc(cap);
    if (!out)
        return NULL;
    for (p = s; (hit = strcasestr(p, secret)) != NULL; p = hit + klen) {
        memcpy(out + n, p, (size_t)(hit - p));
        n += (size_t)(hit - p);
        memcpy(out + n, mark, mlen);
        n += mlen;
    }
    strcpy(out + n, p);
    return out;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * surrogates or code points past U+10FFFF, as jansson checks), 0 if none. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned long cp, min;
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, cp = p[0] & 0x1f, min = 0x80;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0f, min = 0x800;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, cp = p[0] & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

void mtarep__utf8_fix(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (p && *p) {
        size_t n = utf8_len(p);
        if (n)
            p += n;
        else
            *p++ = '?';
    }
}
