/* Heuristic: does a PTR name look generic/dynamic (assigned by an access
 * provider) rather than chosen for a mail server? Hand-written: no library
 * offers it; rules follow common practice (Spamhaus PBL, SpamAssassin
 * RDNS_DYNAMIC, Abusix "generic rDNS"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"

/* Words that access providers put in customer PTR names. */
static const char *const words[] = {
    "dyn", "dynamic", "dynip", "pool", "dhcp", "dsl", "adsl", "vdsl", "xdsl", "sdsl",
    "cable", "ppp", "pppoe", "dialup", "dial", "client", "clients", "broadband",
    "customer", "customers", "cust", "cpe", "ftth", "residential", "unassigned",
};

/* Four decimal groups 0..255 separated by '-', '.' or '_' anywhere in the
 * name, at digit boundaries ("77-245-64-44", "44.64.245.77", "ip-1-2-3-4"). */
static int has_ipv4_shape(const char *s)
{
    for (const char *p = s; *p; p++) {
        const char *q = p;
        int g;

        if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1])))
            continue;
        for (g = 0; g < 4; g++) {
            int v = 0, nd = 0;
            while (isdigit((unsigned char)*q) && nd < 4) {
                v = v * 10 + (*q - '0');
                q++;
                nd++;
            }
            if (nd == 0 || nd > 3 || v > 255)
                break;
            if (g < 3) {
                if (*q != '-' && *q != '.' && *q != '_')
                    break;
                q++;
            }
        }
        if (g == 4 && !isdigit((unsigned char)*q))
            return 1;
    }
    return 0;
}

/* needle in hay with no [0-9] (or [0-9a-f] if hex) right before or after. */
static int has_token(const char *hay, const char *needle, int hex)
{
    size_t n = strlen(needle);

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        int before = p > hay ? (unsigned char)p[-1] : 0, after = (unsigned char)p[n];
        int bad_b = hex ? isxdigit(before) : isdigit(before);
        int bad_a = hex ? isxdigit(after) : isdigit(after);
        if (!bad_b && !bad_a)
            return 1;
    }
    return 0;
}

static int embeds_ip(const char *name, const mtarep_ip *ip)
{
    char pat[80];

    if (ip->family == 4) {
        const uint8_t *b = ip->bytes;
        static const char seps[] = "-._";
        /* zero-padded, with or without separators; hex; three-octet tails */
        snprintf(pat, sizeof pat, "%03u%03u%03u%03u", b[0], b[1], b[2], b[3]);
        if (has_token(name, pat, 0))
            return 1;
        snprintf(pat, sizeof pat, "%03u%03u%03u%03u", b[3], b[2], b[1], b[0]);
        if (has_token(name, pat, 0))
            return 1;
        snprintf(pat, sizeof pat, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
        if (has_token(name, pat, 1))
            return 1;
        for (const char *s = seps; *s; s++) {
            snprintf(pat, sizeof pat, "%03u%c%03u%c%03u%c%03u", b[0], *s, b[1], *s, b[2], *s,
                     b[3]);
            if (has_token(name, pat, 0))
                return 1;
            snprintf(pat, sizeof pat, "%u%c%u%c%u", b[1], *s, b[2], *s, b[3]);
            if (has_token(name, pat, 0))
                return 1;
            snprintf(pat, sizeof pat, "%u%c%u%c%u", b[3], *s, b[2], *s, b[1]);
            if (has_token(name, pat, 0))
                return 1;
        }
        return 0;
    }
    /* IPv6: the 32 nibbles, or the groups with '-' for ':' */
    {
        char full[40], groups[48], comp[64];
        size_t o = 0;
        for (int i = 0; i < 16; i++)
            o += (size_t)snprintf(full + o, sizeof full - o, "%02x", ip->bytes[i]);
        if (strstr(name, full))
            return 1;
        o = 0;
        for (int i = 0; i < 16; i += 2)
            o += (size_t)snprintf(groups + o, sizeof groups - o, "%s%x", i ? "-" : "",
                                  (unsigned)(ip->bytes[i] << 8 | ip->bytes[i + 1]));
        if (strstr(name, groups))
            return 1;
        mtarep__ip_format(ip, comp, sizeof comp);
        for (char *c = comp; *c; c++)
            if (*c == ':')
                *c = '-';
        if (strlen(comp) >= 6 && strstr(name, comp))
            return 1;
    }
    return 0;
}

/* "ip-…"/"host-…" style label: the prefix, then at least 4 digits. */
static int prefixed_numbers(const char *label, size_t len)
{
    static const char *const pre[] = {"ip", "host"};

    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(pre[k]), digits = 0;
        if (len <= pl || strncmp(label, pre[k], pl) != 0)
            continue;
        if (label[pl] != '-' && !isdigit((unsigned char)label[pl]))
            continue;
        for (size_t i = pl; i < len; i++)
            if (isdigit((unsigned char)label[i]))
                digits++;
        if (digits >= 4)
            return 1;
    }
    return 0;
}

int mtarep_rdns_name_is_generic(const char *name, const char *ip)
{
    char buf[256];
    size_t n, nlabels = 0, skip_from;
    mtarep_ip addr;
    const char *p;

    if (!name)
        return 0;
    n = strnlen(name, sizeof buf);
    if (n == 0 || n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[n] = '\0';
    if (buf[n - 1] == '.')
        buf[--n] = '\0';

    if (has_ipv4_shape(buf))
        return 1;
    if (ip && mtarep__ip_parse(&addr, ip) == MTAREP_OK && embeds_ip(buf, &addr))
        return 1;

    /* Words count only left of the registered domain (last two labels, a
     * simplification: "example.co.uk" style suffixes widen it by one). */
    for (p = buf; *p; p++)
        if (*p == '.')
            nlabels++;
    nlabels++;
    skip_from = nlabels > 2 ? nlabels - 2 : 0;
    p = buf;
    for (size_t li = 0; li < skip_from; li++) {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (prefixed_numbers(p, len))
            return 1;
        /* letter runs of the label: "adsl-dynamic12" -> adsl, dynamic */
        for (size_t i = 0; i < len;) {
            size_t j = i;
            while (j < len && isalpha((unsigned char)p[j]))
                j++;
            if (j > i) {
                for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
                    if (strlen(words[w]) == j - i && strncmp(p + i, words[w], j - i) == 0)
                        return 1;
                i = j;
            } else {
                i++;
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}
