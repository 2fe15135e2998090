/* Streaming Postfix / Exim log scanner.
 *
 * Speed: lines are split with memchr and rejected on cheap checks (syslog
 * tag, daemon name, "to=") before any field is parsed; only delivery and
 * qmgr lines are scanned further, left to right, with memchr/memmem. No
 * regex, no per-line allocation. The grammars are hand-parsed because no
 * library parses Postfix/Exim log records.
 *
 * Memory: fixed-capacity tables (domains, relays, hours, days, queue ids),
 * allocated once in mtarep_logscan_new(); see the overflow rules in
 * include/mtarep/logscan.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/internal.h"
#include "logscan_int.h"
#include "smtpreply/smtpreply_int.h"

#define NCAT MTAREP_SMTPREPLY_NCATEGORIES
#define MAX_LINE 65536        /* longer lines are cut (stats.long_lines) */
#define READ_BUF (1u << 20)   /* read()/inflate chunk */
#define MAX_HOURS 9600        /* ~400 days of hours */
#define MAX_DAYS 4000
#define QSLOTS 16384          /* queue-id table for expiry mapping */
#define QWAYS 16              /* probe length: eviction picks the oldest */
#define QRCPT 6               /* deferred recipients tracked per queue id */
#define QID_MAX 23
#define NAME_MAX_LEN 253
#define CCACHE 4096          /* classification cache entries */

enum { ST_SENT, ST_DEFERRED, ST_BOUNCED, ST_EXPIRED };

typedef struct row {
    const char *name;
    uint32_t hash, len;
    long long key; /* periods */
    mtarep_logscan_counts c;
} row;

/* Name table with a fixed row budget and a name arena; overflow -> "(other)". */
typedef struct ntable {
    row *rows;
    size_t n, cap;     /* cap excludes the overflow row */
    uint32_t *slots;   /* row index + 1; 0 = empty */
    size_t nslots;     /* power of two, >= 2 * cap */
    char *arena;
    size_t arena_used, arena_cap;
    long other;        /* index of "(other)" or -1 */
    size_t *order;     /* sorted view after finish(), NULL before */
} ntable;

typedef struct ptable {
    row *rows;
    size_t n, cap;
    uint32_t *slots;
    size_t nslots;
    size_t *order;
} ptable;

typedef struct qent {
    char qid[QID_MAX + 1];
    uint8_t len, n;
    uint32_t rh[QRCPT];  /* recipient hashes */
    uint32_t dom[QRCPT]; /* domain row of each */
    unsigned long long seq;
} qent;

typedef struct relay_pat {
    char *text;
} relay_pat;

struct mtarep_logscan {
    mtarep_logscan_options opts;
    relay_pat *excl;
    size_t nexcl;
    mtarep_logscan_counts totals;
    mtarep_logscan_stats stats;
    mtarep_logscan_format detected;
    ntable domains, relays;
    ptable hours, days;
    qent *q;
    struct { uint64_t key; int cat; } ccache[CCACHE]; /* reply text -> category */
    uint32_t *qtag; /* hash of each slot's qid, 0 = empty: probed first, cache-friendly */
    unsigned long long qseq;
    /* year inference for syslog timestamps */
    int cur_year, last_month;
    char *carry;
    size_t carry_len;
    int carry_cut;
    unsigned char *buf, *zbuf;
    char errmsg[256];
};

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static inline unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/* Case-insensitive hash, 8 bytes at a time: OR-ing 0x20 folds ASCII case
 * (and a few punctuation pairs, which only costs an exact compare). */
static uint32_t hash_lower(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ (w | 0x2020202020202020ULL)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)((unsigned char)p[i] | 0x20) << (8 * i);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static uint32_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)(unsigned char)p[i] << (8 * i);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static uint32_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

static int set_err(mtarep_logscan *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

static const char *memfind(const char *p, const char *e, const char *needle, size_t nlen)
{
    if (p >= e)
        return NULL;
    return memmem(p, (size_t)(e - p), needle, nlen);
}
#define FIND(p, e, lit) memfind((p), (e), (lit), sizeof(lit) - 1)
#define STARTS(p, e, lit) ((size_t)((e) - (p)) >= sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

/* memmem for short distances: memchr on the first byte, then compare. */
static const char *find_short(const char *p, const char *e, const char *lit, size_t len)
{
    while (p < e && (p = memchr(p, lit[0], (size_t)(e - p))) != NULL) {
        if ((size_t)(e - p) >= len && memcmp(p, lit, len) == 0)
            return p;
        p++;
    }
    return NULL;
}
#define FINDS(p, e, lit) find_short((p), (e), (lit), sizeof(lit) - 1)

long long mtarep__days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* ------------------------------------------------------------------ */
/* tables                                                              */

static int ntable_init(ntable *t, size_t cap, size_t avg_name)
{
    memset(t, 0, sizeof *t);
    t->cap = cap;
    t->other = -1;
    t->nslots = pow2_at_least(cap * 2);
    t->rows = calloc(cap + 1, sizeof *t->rows);
    t->slots = calloc(t->nslots, sizeof *t->slots);
    t->arena_cap = cap * avg_name + 4096;
    t->arena = malloc(t->arena_cap);
    return t->rows && t->slots && t->arena ? 0 : -1;
}

static void ntable_free(ntable *t)
{
    free(t->rows);
    free(t->slots);
    free(t->arena);
    free(t->order);
}

static row *ntable_other(ntable *t)
{
    if (t->other < 0) {
        t->other = (long)t->n;
        t->rows[t->n].name = "(other)";
        t->n++;
    }
    return &t->rows[t->other];
}

/* stored (lower case) == name, ASCII case-insensitively; names are short,
 * so an inline loop beats the locale-aware strncasecmp() */
static int eq_lower(const char *stored, const char *name, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (stored[k] != (char)lower((unsigned char)name[k]))
            return 0;
    return 1;
}

/* Row for name (compared case-insensitively, stored lower case). */
static row *ntable_get(ntable *t, const char *name, size_t len)
{
    uint32_t h = hash_lower(name, len);
    size_t mask = t->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = t->slots[i];
        if (!v)
            break;
        row *r = &t->rows[v - 1];
        if (r->hash == h && r->len == len && eq_lower(r->name, name, len))
            return r;
    }
    size_t used = t->n - (t->other >= 0);
    if (used >= t->cap || t->arena_used + len + 1 > t->arena_cap)
        return ntable_other(t);
    char *dst = t->arena + t->arena_used;
    for (size_t k = 0; k < len; k++)
        dst[k] = (char)lower((unsigned char)name[k]);
    dst[len] = '\0';
    t->arena_used += len + 1;
    row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->name = dst;
    r->hash = h;
    r->len = (uint32_t)len;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (!t->slots[i]) {
            t->slots[i] = (uint32_t)(t->n + 1);
            break;
        }
    }
    t->n++;
    return r;
}

static int ptable_init(ptable *t, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->cap = cap;
    t->nslots = pow2_at_least(cap * 2);
    t->rows = calloc(cap, sizeof *t->rows);
    t->slots = calloc(t->nslots, sizeof *t->slots);
    return t->rows && t->slots ? 0 : -1;
}

static void ptable_free(ptable *t)
{
    free(t->rows);
    free(t->slots);
    free(t->order);
}

static row *ptable_get(ptable *t, long long key)
{
    size_t mask = t->nslots - 1;
    size_t i = hash64((uint64_t)key) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t v = t->slots[i];
        if (!v)
            break;
        if (t->rows[v - 1].key == key)
            return &t->rows[v - 1];
    }
    if (t->n >= t->cap)
        return NULL;
    row *r = &t->rows[t->n];
    r->key = key;
    t->slots[i] = (uint32_t)(t->n + 1);
    t->n++;
    return r;
}

/* ------------------------------------------------------------------ */
/* queue ids (expiry mapping)                                          */

static qent *q_find(mtarep_logscan *s, const char *qid, size_t len, int create)
{
    uint32_t h = hash_bytes(qid, len) | 1u;
    size_t base = h & (QSLOTS - 1), vi = SIZE_MAX;
    for (size_t k = 0; k < QWAYS; k++) {
        size_t i = (base + k) & (QSLOTS - 1);
        if (s->qtag[i] == h) {
            qent *e = &s->q[i];
            if (e->len == len && memcmp(e->qid, qid, len) == 0)
                return e;
        }
        if (!create)
            continue;
        if (vi == SIZE_MAX || (s->qtag[vi] && (!s->qtag[i] || s->q[i].seq < s->q[vi].seq)))
            vi = i;
    }
    if (!create)
        return NULL;
    if (s->qtag[vi])
        s->stats.queue_evicted++;
    qent *victim = &s->q[vi];
    memset(victim, 0, sizeof *victim);
    memcpy(victim->qid, qid, len);
    victim->len = (uint8_t)len;
    victim->seq = ++s->qseq;
    s->qtag[vi] = h;
    return victim;
}

static void q_drop(mtarep_logscan *s, qent *e)
{
    s->qtag[e - s->q] = 0;
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------------------ */
/* counting                                                            */

static void add(mtarep_logscan_counts *c, int st, int cat)
{
    switch (st) {
    case ST_SENT: c->sent++; break;
    case ST_DEFERRED: c->deferred++; c->deferred_by_cause[cat]++; break;
    case ST_BOUNCED: c->bounced++; c->bounced_by_cause[cat]++; break;
    default: c->expired++; break;
    }
}

static void count(mtarep_logscan *s, int st, int cat, row *dom, row *rel, long long ts, int have_ts)
{
    s->stats.counted++;
    add(&s->totals, st, cat);
    if (dom)
        add(&dom->c, st, cat);
    if (rel)
        add(&rel->c, st, cat);
    if (have_ts) {
        long long hr = ts >= 0 ? ts / 3600 : (ts - 3599) / 3600;
        long long dy = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
        row *h = ptable_get(&s->hours, hr), *d = ptable_get(&s->days, dy);
        if (h)
            add(&h->c, st, cat);
        if (d)
            add(&d->c, st, cat);
        if (!h || !d)
            s->stats.period_dropped++;
    }
}

/* Domain of an address: after the last '@'; "(local)" without one. */
static row *domain_row(mtarep_logscan *s, const char *a, size_t n)
{
    while (n && (a[n - 1] == '.' || a[n - 1] == ':' || a[n - 1] == '>'))
        n--;
    const char *at = NULL;
    for (size_t i = n; i > 0; i--) {
        if (a[i - 1] == '@') {
            at = a + i;
            break;
        }
    }
    if (!at || at == a + n)
        return ntable_get(&s->domains, "(local)", 7);
    size_t dl = (size_t)(a + n - at);
    if (dl > NAME_MAX_LEN)
        return ntable_other(&s->domains);
    return ntable_get(&s->domains, at, dl);
}

/* Relay "host[addr]:port" -> host; matched against the exclusion list. */
static int relay_excluded(const mtarep_logscan *s, const char *r, size_t n)
{
    if (!s->nexcl)
        return 0;
    const char *lb = memchr(r, '[', n);
    size_t hostlen = lb ? (size_t)(lb - r) : n;
    const char *addr = NULL, *port = NULL;
    size_t alen = 0, plen = 0;
    if (lb) {
        const char *rb = memchr(lb, ']', (size_t)(r + n - lb));
        if (rb) {
            addr = lb + 1;
            alen = (size_t)(rb - addr);
            if (rb + 1 < r + n && rb[1] == ':') {
                port = rb + 2;
                plen = (size_t)(r + n - port);
            }
        }
    }
    for (size_t i = 0; i < s->nexcl; i++) {
        const char *x = s->excl[i].text;
        size_t xl = strlen(x);
        if (xl == hostlen && strncasecmp(x, r, hostlen) == 0)
            return 1;
        if (addr && xl == alen && memcmp(x, addr, alen) == 0)
            return 1;
        if (addr && port) {
            char buf[300];
            int k = snprintf(buf, sizeof buf, "%.*s:%.*s", (int)alen, addr, (int)plen, port);
            if (k > 0 && (size_t)k == xl && memcmp(x, buf, xl) == 0)
                return 1;
            k = snprintf(buf, sizeof buf, "[%.*s]:%.*s", (int)alen, addr, (int)plen, port);
            if (k > 0 && (size_t)k == xl && memcmp(x, buf, xl) == 0)
                return 1;
        }
    }
    return 0;
}

static row *relay_row(mtarep_logscan *s, const char *r, size_t n)
{
    const char *lb = memchr(r, '[', n);
    size_t hl = lb ? (size_t)(lb - r) : n;
    if (hl == 0)
        return ntable_get(&s->relays, "(unknown)", 9);
    if (hl > NAME_MAX_LEN)
        return ntable_other(&s->relays);
    return ntable_get(&s->relays, r, hl);
}

/* Cache key of a reply: 64-bit FNV over the text and dsn, skipping what
 * varies per message but never decides a rule: the local part of <addr>
 * and bracketed IP literals ([192.0.2.1], [2001:db8::1]). */
static uint64_t reply_key(const char *t, size_t n, const char *dsn, size_t dlen)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '<') {
            size_t j = i + 1;
            while (j < n && j - i < 128 && t[j] != '@' && t[j] != '>' && t[j] != ' ')
                j++;
            if (j < n && t[j] == '@')
                i = j;
        } else if (c == '[') {
            size_t j = i + 1;
            int sep = 0;
            while (j < n && j - i < 48 && (isxdigit((unsigned char)t[j]) || t[j] == '.' || t[j] == ':'))
                sep |= t[j++] == '.' || t[j - 1] == ':';
            if (sep && j < n && t[j] == ']')
                i = j;
        }
        h ^= (unsigned char)t[i];
        h *= 1099511628211ULL;
    }
    h ^= 0xff;
    for (size_t i = 0; i < dlen; i++) {
        h ^= (unsigned char)dsn[i];
        h *= 1099511628211ULL;
    }
    return h | 1;
}

/* Reply text of a Postfix status explanation: after "said: ", without the
 * trailing " (in reply to ... command)". */
static int classify(mtarep_logscan *s, const char *t, size_t n, const char *dsn, size_t dlen)
{
    const char *said = find_short(t, t + n, "said: ", 6);
    if (said && said > t && said[-1] == ' ') {
        n -= (size_t)(said + 6 - t);
        t = said + 6;
        /* the reply ends with " (in reply to CMD command)": look from the end */
        const char *irt = memrchr(t, '(', n);
        if (irt && irt > t && irt[-1] == ' ' && STARTS(irt, t + n, "(in reply to "))
            n = (size_t)(irt - 1 - t);
    }
    if (n > MTAREP_SMTPREPLY_MAX_LEN)
        n = MTAREP_SMTPREPLY_MAX_LEN;
    uint64_t key = reply_key(t, n, dsn, dlen);
    size_t slot = (size_t)(key ^ (key >> 32)) & (CCACHE - 1);
    if (s->ccache[slot].key == key)
        return s->ccache[slot].cat;
    mtarep_smtpreply_info info;
    mtarep__smtpreply_classify_n(&info, t, n, dsn, dlen);
    s->ccache[slot].key = key;
    s->ccache[slot].cat = (int)info.category;
    return (int)info.category;
}

/* ------------------------------------------------------------------ */
/* timestamps                                                          */

static int d2(const char *p)
{
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "HH:MM:SS" at p (8 bytes available) -> seconds of day or -1. */
static long hms(const char *p)
{
    int h = d2(p), m = d2(p + 3), sec = d2(p + 6);
    if (h < 0 || m < 0 || sec < 0 || p[2] != ':' || p[5] != ':' || h > 23 || m > 59 || sec > 60)
        return -1;
    return h * 3600L + m * 60L + sec;
}

/* "YYYY-MM-DD" + sep + "HH:MM:SS" [.frac] [Z|+hh:mm|+hhmm| +hhmm]; returns
 * bytes consumed or 0. */
static size_t parse_iso(const char *p, const char *e, char sep, long long *out)
{
    if (e - p < 19 || p[4] != '-' || p[7] != '-' || p[10] != sep)
        return 0;
    int y1 = d2(p), y2 = d2(p + 2), mo = d2(p + 5), d = d2(p + 8);
    long sod = hms(p + 11);
    if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || sod < 0)
        return 0;
    long long t = mtarep__days_from_civil(y1 * 100 + y2, (unsigned)mo, (unsigned)d) * 86400 + sod;
    const char *q = p + 19;
    if (q < e && (*q == '.' || *q == ',')) {
        q++;
        while (q < e && isdigit((unsigned char)*q))
            q++;
    }
    const char *z = q;
    if (sep == ' ' && z + 1 < e && *z == ' ' && (z[1] == '+' || z[1] == '-'))
        z++; /* Exim log_timezone: " +0100" */
    if (z < e && *z == 'Z') {
        q = z + 1;
    } else if (z < e && (*z == '+' || *z == '-') && e - z >= 5) {
        int hh = d2(z + 1), mm;
        const char *m = z + 3;
        if (*m == ':')
            m++;
        mm = (m + 2 <= e) ? d2(m) : -1;
        if (hh >= 0 && mm >= 0) {
            long off = hh * 3600L + mm * 60L;
            t += *z == '+' ? -off : off;
            q = m + 2;
        }
    }
    *out = t;
    return (size_t)(q - p);
}

static int month_of(const char *p)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char m[3] = {(char)tolower((unsigned char)p[0]), (char)tolower((unsigned char)p[1]),
                 (char)tolower((unsigned char)p[2])};
    for (int i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, m, 3) == 0)
            return i + 1;
    return 0;
}

/* Postfix line envelope: [<pri>] timestamp host tag: rest. Fills ts (or
 * leaves have_ts 0) and returns a pointer past the timestamp, or NULL. */
static const char *pf_timestamp(mtarep_logscan *s, const char *p, const char *e, long long *ts,
                                int *have_ts, int commit)
{
    *have_ts = 0;
    if (p < e && *p == '<') {
        const char *q = p + 1;
        while (q < e && q - p < 5 && isdigit((unsigned char)*q))
            q++;
        if (q < e && *q == '>')
            p = q + 1;
    }
    if (e - p < 15)
        return NULL;
    if (isdigit((unsigned char)*p)) {
        size_t k = parse_iso(p, e, 'T', ts);
        if (!k)
            return NULL;
        *have_ts = 1;
        return p + k;
    }
    int mon = month_of(p);
    if (!mon || p[3] != ' ')
        return NULL;
    const char *q = p + 4;
    if (*q == ' ')
        q++;
    int day;
    if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]))
        day = d2(q), q += 2;
    else if (isdigit((unsigned char)q[0]))
        day = q[0] - '0', q += 1;
    else
        return NULL;
    if (e - q < 9 || *q != ' ' || day < 1 || day > 31)
        return NULL;
    long sod = hms(q + 1);
    if (sod < 0)
        return NULL;
    if (commit) {
        /* Year inference: a jump back of more than half a year is the
         * new year; a jump forward of more than half a year is a late line
         * from the old year. */
        int y = s->cur_year;
        if (s->last_month && mon < s->last_month - 6) {
            s->cur_year++;
            y = s->cur_year;
            s->last_month = mon;
        } else if (s->last_month && mon > s->last_month + 6) {
            y = s->cur_year - 1;
        } else {
            s->last_month = mon;
        }
        *ts = mtarep__days_from_civil(y, (unsigned)mon, (unsigned)day) * 86400 + sod;
        *have_ts = 1;
    }
    return q + 9;
}

/* ------------------------------------------------------------------ */
/* Postfix                                                             */

static int is_delivery_daemon(const char *d, size_t n)
{
    switch (n) {
    case 4: return memcmp(d, "smtp", 4) == 0 || memcmp(d, "lmtp", 4) == 0 || memcmp(d, "pipe", 4) == 0;
    case 5: return memcmp(d, "local", 5) == 0 || memcmp(d, "error", 5) == 0 || memcmp(d, "relay", 5) == 0;
    case 7: return memcmp(d, "virtual", 7) == 0 || memcmp(d, "discard", 7) == 0;
    default: return 0;
    }
}

static const char *field_end(const char *p, const char *e)
{
    const char *c = memchr(p, ',', (size_t)(e - p));
    return c ? c : e;
}

static int qid_ok(const char *q, size_t n)
{
    if (n < 5 || n > QID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)q[i]))
            return 0;
    return 1;
}

/* Skip the timestamp without converting it (most lines are never counted). */
static const char *pf_skip_ts(mtarep_logscan *s, const char *l, const char *e)
{
    if (e - l >= 16 && l[3] == ' ' && l[6] == ' ' && l[9] == ':' && l[12] == ':' && l[15] == ' ' &&
        isalpha((unsigned char)l[0]))
        return l + 15; /* "Mmm dd hh:mm:ss" (space- or zero-padded day) */
    long long ts;
    int have;
    return pf_timestamp(s, l, e, &ts, &have, 0);
}


int mtarep__logscan_postfix_line(mtarep_logscan *s, const char *l, size_t n)
{
    const char *e = l + n, *p, *tag, *colon;
    long long ts = 0;
    int have_ts = 0;
    p = pf_skip_ts(s, l, e);
    if (!p)
        return 0;
    /* host: short token, an inline loop beats a memchr call here */
    while (p < e && *p == ' ')
        p++;
    while (p < e && *p != ' ')
        p++;
    if (p >= e)
        return 0;
    tag = p + 1;
    if (!STARTS(tag, e, "postfix"))
        return 0;
    s->stats.postfix_lines++;
    s->detected = MTAREP_LOGSCAN_POSTFIX;
    /* one pass over "postfix[-inst][/svc]/daemon[pid]:" */
    const char *daemon = NULL, *tend = NULL, *tq = tag + 7;
    while (tq < e && *tq != ':' && *tq != ' ') {
        if (*tq == '/')
            daemon = tq + 1;
        else if (*tq == '[' && !tend)
            tend = tq;
        tq++;
    }
    if (tq + 2 > e || *tq != ':' || tq[1] != ' ' || !daemon)
        return 1; /* "postfix" with no daemon: not a Postfix service line */
    colon = tq;
    if (!tend || tend < daemon)
        tend = colon;
    size_t dlen = (size_t)(tend - daemon);
    int deliv = is_delivery_daemon(daemon, dlen);
    int qmgr = dlen == 4 && memcmp(daemon, "qmgr", 4) == 0;
    if (!deliv && !qmgr)
        return 1;
    const char *qid = colon + 2;
    const char *qe = memchr(qid, ':', (size_t)(e - qid));
    if (!qe || !qid_ok(qid, (size_t)(qe - qid)) || qe + 2 > e || qe[1] != ' ')
        return 1;
    size_t qlen = (size_t)(qe - qid);
    const char *body = qe + 2;

    if (qmgr) {
        if ((size_t)(e - body) == 7 && memcmp(body, "removed", 7) == 0) {
            qent *q = q_find(s, qid, qlen, 0);
            if (q)
                q_drop(s, q);
            return 1;
        }
        if (!STARTS(body, e, "from="))
            return 1;
        /* "from=<sender>, status=expired": look right after the address */
        const char *fe = body + 5 < e && body[5] == '<' ? memchr(body + 5, '>', (size_t)(e - body - 5)) : NULL;
        if (fe ? !STARTS(fe + 1, e, ", status=expired") : !FIND(body, e, ", status=expired"))
            return 1;
        pf_timestamp(s, l, e, &ts, &have_ts, 1);
        if (s->opts.since && have_ts && ts < s->opts.since) {
            s->stats.skipped_since++;
            return 1;
        }
        /* The message: one expiry; its still-deferred recipients: one per
         * domain row, no relay (the message never left). */
        s->stats.counted++;
        s->totals.expired++;
        if (have_ts) {
            long long hr = ts >= 0 ? ts / 3600 : (ts - 3599) / 3600;
            long long dy = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
            row *h = ptable_get(&s->hours, hr), *d = ptable_get(&s->days, dy);
            if (h)
                h->c.expired++;
            if (d)
                d->c.expired++;
            if (!h || !d)
                s->stats.period_dropped++;
        }
        qent *q = q_find(s, qid, qlen, 0);
        if (q) {
            for (int i = 0; i < q->n; i++) {
                s->totals.expired_recipients++;
                if (q->dom[i] < s->domains.n) {
                    s->domains.rows[q->dom[i]].c.expired++;
                    s->domains.rows[q->dom[i]].c.expired_recipients++;
                }
            }
            q_drop(s, q);
        }
        return 1;
    }

    /* delivery: to=<rcpt>, [orig_to=..,] relay=.., ..., dsn=.., status=.. (text) */
    if (!STARTS(body, e, "to="))
        return 1;
    const char *a = body + 3, *ae;
    if (a < e && *a == '<') {
        a++;
        ae = memchr(a, '>', (size_t)(e - a));
        if (!ae)
            return 1;
    } else {
        ae = field_end(a, e);
    }
    /* usual order first (", relay=" right after to=), then search */
    const char *rel = ae + (ae < e && *ae == '>');
    if (!STARTS(rel, e, ", relay=") && !(rel = FINDS(ae, e, " relay=")))
        return 1;
    rel += *rel == ',' ? 8 : 7;
    const char *rele = field_end(rel, e);
    const char *dsn = FINDS(rele, e, " dsn=");
    const char *dsne = NULL;
    if (dsn) {
        dsn += 5;
        dsne = field_end(dsn, e);
    }
    const char *st = dsne && STARTS(dsne, e, ", status=") ? dsne + 1 : FINDS(dsne ? dsne : rele, e, " status=");
    if (!st)
        return 1;
    st += 8;
    const char *ste = st;
    while (ste < e && *ste != ' ' && *ste != ',')
        ste++;
    size_t sl = (size_t)(ste - st);
    int status;
    if (sl == 4 && memcmp(st, "sent", 4) == 0)
        status = ST_SENT;
    else if (sl == 8 && memcmp(st, "deferred", 8) == 0)
        status = ST_DEFERRED;
    else if (sl == 7 && memcmp(st, "bounced", 7) == 0)
        status = ST_BOUNCED;
    else if (sl == 10 && memcmp(st, "SOFTBOUNCE", 10) == 0)
        status = ST_DEFERRED;
    else
        return 1; /* deliverable/undeliverable probes, unknown words */

    pf_timestamp(s, l, e, &ts, &have_ts, 1);
    if (relay_excluded(s, rel, (size_t)(rele - rel))) {
        s->stats.excluded++;
        return 1;
    }
    row *dom = domain_row(s, a, (size_t)(ae - a));
    uint32_t domidx = (uint32_t)(dom - s->domains.rows);
    /* queue state first: it must follow the log even for skipped lines */
    qent *q = q_find(s, qid, qlen, status == ST_DEFERRED);
    if (q) {
        uint32_t rh = hash_lower(a, (size_t)(ae - a));
        int found = -1;
        for (int i = 0; i < q->n; i++)
            if (q->rh[i] == rh)
                found = i;
        if (status == ST_DEFERRED && found < 0 && q->n < QRCPT) {
            q->rh[q->n] = rh;
            q->dom[q->n] = domidx;
            q->n++;
            if (!(s->opts.since && have_ts && ts < s->opts.since)) {
                s->totals.deferred_recipients++;
                dom->c.deferred_recipients++;
            }
        } else if (status != ST_DEFERRED && found >= 0) {
            q->rh[found] = q->rh[q->n - 1];
            q->dom[found] = q->dom[q->n - 1];
            q->n--;
        }
    }
    if (s->opts.since && have_ts && ts < s->opts.since) {
        s->stats.skipped_since++;
        return 1;
    }
    int cat = 0;
    if (status != ST_SENT) {
        const char *t = ste, *te = e;
        while (t < e && *t == ' ')
            t++;
        if (t < e && *t == '(') {
            t++;
            while (te > t && te[-1] != ')')
                te--;
            if (te > t)
                te--;
            else
                te = e;
        }
        cat = classify(s, t, (size_t)(te - t), dsn, dsn ? (size_t)(dsne - dsn) : 0);
    }
    count(s, status, cat, dom, relay_row(s, rel, (size_t)(rele - rel)), ts, have_ts);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Exim                                                                */

static int exim_id_ok(const char *p, size_t n)
{
    /* 6-6-2 (classic) or 6-11-4 (Exim >= 4.97), base-62 */
    if (n == 16) {
        if (p[6] != '-' || p[13] != '-')
            return 0;
    } else if (n == 23) {
        if (p[6] != '-' || p[18] != '-')
            return 0;
    } else {
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i] != '-' && !isalnum((unsigned char)p[i]))
            return 0;
    return 1;
}

/* Value of " K=" field before e: host/transport token. */
static const char *exim_field(const char *p, const char *e, const char *key, size_t klen,
                              size_t *len)
{
    for (const char *q = p; (q = memfind(q, e, key, klen)) != NULL; q += klen) {
        const char *v = q + klen, *ve = v;
        while (ve < e && *ve != ' ')
            ve++;
        *len = (size_t)(ve - v);
        return v;
    }
    return NULL;
}

int mtarep__logscan_exim_line(mtarep_logscan *s, const char *l, size_t n)
{
    const char *e = l + n, *p;
    long long ts = 0;
    size_t k = parse_iso(l, e, ' ', &ts);
    if (!k)
        return 0;
    p = l + k;
    if (p >= e || *p != ' ')
        return 0;
    p++;
    if (p < e && *p == '[') { /* +pid */
        const char *rb = memchr(p, ']', (size_t)(e - p));
        if (!rb || rb + 1 >= e)
            return 0;
        p = rb + 2;
    }
    s->stats.exim_lines++;
    s->detected = MTAREP_LOGSCAN_EXIM;
    const char *id = p, *ide = memchr(p, ' ', (size_t)(e - p));
    if (!ide || !exim_id_ok(id, (size_t)(ide - id)))
        return 1;
    const char *fl = ide + 1;
    if (e - fl < 3 || fl[2] != ' ')
        return 1;
    int status;
    if ((fl[0] == '=' || fl[0] == '-' || fl[0] == '>') && fl[1] == '>')
        status = ST_SENT;
    else if (fl[0] == '*' && fl[1] == '*')
        status = ST_BOUNCED;
    else if (fl[0] == '=' && fl[1] == '=')
        status = ST_DEFERRED;
    else
        return 1; /* <=, (=, *>, Completed, ... */
    const char *a = fl + 3, *ae = memchr(a, ' ', (size_t)(e - a));
    if (!ae)
        ae = e;
    const char *da = a, *dae = ae;
    if (!memchr(a, '@', (size_t)(ae - a)) && ae + 1 < e && ae[1] == '<') {
        const char *pa = ae + 2, *pe = memchr(pa, '>', (size_t)(e - pa));
        if (pe) {
            da = pa;
            dae = pe;
        }
    }
    const char *rest = ae;
    size_t hl = 0;
    const char *host = exim_field(rest, e, " H=", 3, &hl);
    if (!host)
        host = exim_field(rest, e, " T=", 3, &hl);
    if (host && hl == 0)
        host = NULL;
    if (host && relay_excluded(s, host, hl)) {
        s->stats.excluded++;
        return 1;
    }
    if (s->opts.since && ts < s->opts.since) {
        s->stats.skipped_since++;
        return 1;
    }
    int cat = 0;
    if (status != ST_SENT) {
        /* reply after "SMTP error from remote mail(er| server) after ...: " */
        const char *t = FIND(rest, e, "SMTP error from remote mail");
        if (t) {
            for (const char *c = t; (c = memchr(c, ':', (size_t)(e - c))) != NULL; c++) {
                if (e - c >= 5 && c[1] == ' ' && c[2] >= '2' && c[2] <= '5' &&
                    isdigit((unsigned char)c[3]) && isdigit((unsigned char)c[4])) {
                    t = c + 2;
                    break;
                }
            }
        } else {
            t = FIND(rest, e, " : ");
            if (t)
                t += 3;
            else if ((t = FIND(rest, e, "): ")) != NULL)
                t += 3;
            else
                t = rest;
        }
        cat = classify(s, t, (size_t)(e - t), NULL, 0);
    }
    row *rel = host ? relay_row(s, host, hl) : ntable_get(&s->relays, "none", 4);
    count(s, status, cat, domain_row(s, da, (size_t)(dae - da)), rel, ts, 1);
    return 1;
}

/* ------------------------------------------------------------------ */
/* lines and streams                                                   */

static void line(mtarep_logscan *s, const char *l, size_t n)
{
    s->stats.lines++;
    if (n && l[n - 1] == '\r')
        n--;
    switch (s->opts.format) {
    case MTAREP_LOGSCAN_POSTFIX:
        mtarep__logscan_postfix_line(s, l, n);
        break;
    case MTAREP_LOGSCAN_EXIM:
        mtarep__logscan_exim_line(s, l, n);
        break;
    default:
        if (n > 19 && l[4] == '-' && l[10] == ' ')
            mtarep__logscan_exim_line(s, l, n);
        else
            mtarep__logscan_postfix_line(s, l, n);
    }
}

mtarep_status mtarep_logscan_feed(mtarep_logscan *s, const char *data, size_t len)
{
    if (!s || (!data && len))
        return MTAREP_EINVAL;
    const char *p = data, *e = data + len;
    s->stats.bytes += len;
    if (s->carry_len || s->carry_cut) {
        const char *nl = memchr(p, '\n', len);
        size_t take = nl ? (size_t)(nl - p) : len;
        size_t room = MAX_LINE - s->carry_len;
        if (take > room) {
            if (!s->carry_cut)
                s->stats.long_lines++;
            s->carry_cut = 1;
            take = room;
        }
        memcpy(s->carry + s->carry_len, p, take);
        s->carry_len += take;
        if (!nl)
            return MTAREP_OK;
        line(s, s->carry, s->carry_len);
        s->carry_len = 0;
        s->carry_cut = 0;
        p = nl + 1;
    }
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl)
            break;
        size_t n = (size_t)(nl - p);
        if (n > MAX_LINE) {
            s->stats.long_lines++;
            n = MAX_LINE;
        }
        line(s, p, n);
        p = nl + 1;
    }
    if (p < e) {
        size_t n = (size_t)(e - p);
        if (n > MAX_LINE) {
            s->stats.long_lines++;
            s->carry_cut = 1;
            n = MAX_LINE;
        }
        memcpy(s->carry, p, n);
        s->carry_len = n;
    }
    return MTAREP_OK;
}

static int cmp_rows_desc(const row *a, const row *b)
{
    unsigned long long x = a->c.sent + a->c.deferred + a->c.bounced + a->c.expired;
    unsigned long long y = b->c.sent + b->c.deferred + b->c.bounced + b->c.expired;
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* qsort has no context argument: sort the indexes of a local copy instead,
 * via qsort_r (glibc). */
static int cmp_idx_name(const void *x, const void *y, void *arg)
{
    const row *rows = arg;
    return cmp_rows_desc(&rows[*(const size_t *)x], &rows[*(const size_t *)y]);
}

static int cmp_idx_key(const void *x, const void *y, void *arg)
{
    const row *rows = arg;
    long long a = rows[*(const size_t *)x].key, b = rows[*(const size_t *)y].key;
    return a < b ? -1 : a > b;
}

static int sort_view(size_t **order, row *rows, size_t n, int by_key)
{
    free(*order);
    *order = malloc((n ? n : 1) * sizeof **order);
    if (!*order)
        return MTAREP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        (*order)[i] = i;
    qsort_r(*order, n, sizeof **order, by_key ? cmp_idx_key : cmp_idx_name, rows);
    return MTAREP_OK;
}

mtarep_status mtarep_logscan_finish(mtarep_logscan *s)
{
    if (!s)
        return MTAREP_EINVAL;
    if (s->carry_len) {
        line(s, s->carry, s->carry_len);
        s->carry_len = 0;
        s->carry_cut = 0;
    }
    if (sort_view(&s->domains.order, s->domains.rows, s->domains.n, 0) ||
        sort_view(&s->relays.order, s->relays.rows, s->relays.n, 0) ||
        sort_view(&s->hours.order, s->hours.rows, s->hours.n, 1) ||
        sort_view(&s->days.order, s->days.rows, s->days.n, 1))
        return set_err(s, MTAREP_ENOMEM, "out of memory");
    return MTAREP_OK;
}

static mtarep_status scan_fd(mtarep_logscan *s, int fd, const char *name)
{
    ssize_t r = 0;
    size_t have = 0;
    /* sniff the first bytes for the gzip (1f 8b) or zlib header */
    while (have < 2 && (r = read(fd, s->buf + have, READ_BUF - have)) > 0)
        have += (size_t)r;
    if (r < 0)
        return set_err(s, MTAREP_EIO, "%s: %s", name, strerror(errno));
    if (!(have >= 2 && s->buf[0] == 0x1f && s->buf[1] == 0x8b)) {
        for (;;) {
            if (have)
                mtarep_logscan_feed(s, (const char *)s->buf, have);
            r = read(fd, s->buf, READ_BUF);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return set_err(s, MTAREP_EIO, "%s: %s", name, strerror(errno));
            }
            if (r == 0)
                return MTAREP_OK;
            have = (size_t)r;
        }
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return set_err(s, MTAREP_ENOMEM, "%s: zlib init failed", name);
    int rc = MTAREP_OK, eof = 0, member = 1; /* inside a gzip member */
    z.next_in = s->buf;
    z.avail_in = (uInt)have;
    for (;;) {
        if (z.avail_in == 0 && !eof) {
            r = read(fd, s->buf, READ_BUF);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                rc = set_err(s, MTAREP_EIO, "%s: %s", name, strerror(errno));
                break;
            }
            if (r == 0)
                eof = 1;
            z.next_in = s->buf;
            z.avail_in = (uInt)r;
        }
        if (z.avail_in == 0 && eof) {
            if (member)
                rc = set_err(s, MTAREP_EPARSE, "%s: truncated gzip data", name);
            break;
        }
        z.next_out = s->zbuf;
        z.avail_out = READ_BUF;
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t out = READ_BUF - z.avail_out;
        if (out)
            mtarep_logscan_feed(s, (const char *)s->zbuf, out);
        if (zr == Z_STREAM_END) {
            member = 0;
            if (z.avail_in == 0 && eof)
                break;
            if (inflateReset(&z) != Z_OK) { /* next concatenated member */
                rc = set_err(s, MTAREP_EPARSE, "%s: corrupt gzip data", name);
                break;
            }
            if (z.avail_in == 0) {
                /* end of member at a read boundary: more input or done */
                r = read(fd, s->buf, READ_BUF);
                if (r < 0)
                    rc = set_err(s, MTAREP_EIO, "%s: %s", name, strerror(errno));
                if (r <= 0)
                    break;
                z.next_in = s->buf;
                z.avail_in = (uInt)r;
            }
            member = 1;
            continue;
        }
        if (zr == Z_BUF_ERROR && eof && z.avail_in == 0) {
            rc = set_err(s, MTAREP_EPARSE, "%s: truncated gzip data", name);
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = set_err(s, MTAREP_EPARSE, "%s: corrupt gzip data (%s)", name,
                         z.msg ? z.msg : "inflate error");
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

mtarep_status mtarep_logscan_file(mtarep_logscan *s, const char *path)
{
    if (!s || !path || !*path)
        return MTAREP_EINVAL;
    s->errmsg[0] = '\0';
    if (strcmp(path, "-") == 0)
        return scan_fd(s, 0, "stdin");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return set_err(s, MTAREP_EIO, "%s: %s", path, strerror(errno));
    /* read(), not mmap(): a log truncated while mapped (copytruncate
     * rotation) would kill the process with SIGBUS */
    int rc = scan_fd(s, fd, path);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------------ */
/* life cycle and accessors                                            */

mtarep_status mtarep_logscan_options_init(mtarep_logscan_options *opts, unsigned int version)
{
    static const mtarep_logscan_options defaults = MTAREP_LOGSCAN_OPTIONS_INIT;
    if (!opts)
        return MTAREP_EINVAL;
    if (version == 0 || version > MTAREP_LOGSCAN_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = defaults;
    opts->version = version;
    return MTAREP_OK;
}

static int parse_excludes(mtarep_logscan *s, const char *list)
{
    size_t n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    s->excl = calloc(n, sizeof *s->excl);
    if (!s->excl)
        return MTAREP_ENOMEM;
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *q = p;
        while (*q && *q != ',')
            q++;
        const char *t = q;
        while (t > p && t[-1] == ' ')
            t--;
        if (t > p) {
            if ((size_t)(t - p) > 280)
                return MTAREP_EINVAL;
            s->excl[s->nexcl].text = strndup(p, (size_t)(t - p));
            if (!s->excl[s->nexcl].text)
                return MTAREP_ENOMEM;
            s->nexcl++;
        }
        p = q;
    }
    return MTAREP_OK;
}

mtarep_status mtarep_logscan_new(mtarep_logscan **out, const mtarep_logscan_options *opts)
{
    if (!out)
        return MTAREP_EINVAL;
    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > MTAREP_LOGSCAN_OPTIONS_VERSION))
        return MTAREP_EVERSION;
    mtarep_logscan *s = calloc(1, sizeof *s);
    if (!s)
        return MTAREP_ENOMEM;
    if (opts)
        s->opts = *opts;
    else
        mtarep_logscan_options_init(&s->opts, MTAREP_LOGSCAN_OPTIONS_VERSION);
    s->opts.exclude_relays = NULL; /* never keep caller memory */
    int rc = MTAREP_OK;
    if ((unsigned)s->opts.format > MTAREP_LOGSCAN_EXIM || s->opts.max_domains < 16 ||
        s->opts.max_domains > 1048576 || s->opts.max_relays < 16 ||
        s->opts.max_relays > 1048576 || s->opts.year < 0 || s->opts.year > 9999)
        rc = MTAREP_EINVAL;
    if (!rc && opts && opts->exclude_relays)
        rc = parse_excludes(s, opts->exclude_relays);
    if (!rc) {
        s->cur_year = s->opts.year;
        if (!s->cur_year) {
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            s->cur_year = tm.tm_year + 1900;
        }
        s->carry = malloc(MAX_LINE);
        s->buf = malloc(READ_BUF);
        s->zbuf = malloc(READ_BUF);
        s->q = calloc(QSLOTS, sizeof *s->q);
        s->qtag = calloc(QSLOTS, sizeof *s->qtag);
        if (!s->carry || !s->buf || !s->zbuf || !s->q || !s->qtag ||
            ntable_init(&s->domains, s->opts.max_domains, 32) ||
            ntable_init(&s->relays, s->opts.max_relays, 40) || ptable_init(&s->hours, MAX_HOURS) ||
            ptable_init(&s->days, MAX_DAYS))
            rc = MTAREP_ENOMEM;
    }
    if (rc) {
        mtarep_logscan_free(s);
        return rc;
    }
    *out = s;
    return MTAREP_OK;
}

void mtarep_logscan_free(mtarep_logscan *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nexcl; i++)
        free(s->excl[i].text);
    free(s->excl);
    ntable_free(&s->domains);
    ntable_free(&s->relays);
    ptable_free(&s->hours);
    ptable_free(&s->days);
    free(s->q);
    free(s->qtag);
    free(s->carry);
    free(s->buf);
    free(s->zbuf);
    free(s);
}

const char *mtarep_logscan_errmsg(const mtarep_logscan *s)
{
    return s ? s->errmsg : "";
}

void mtarep_logscan_totals(const mtarep_logscan *s, mtarep_logscan_counts *out)
{
    if (!out)
        return;
    if (s)
        *out = s->totals;
    else
        memset(out, 0, sizeof *out);
}

void mtarep_logscan_get_stats(const mtarep_logscan *s, mtarep_logscan_stats *out)
{
    if (!out)
        return;
    if (s)
        *out = s->stats;
    else
        memset(out, 0, sizeof *out);
}

mtarep_logscan_format mtarep_logscan_detected_format(const mtarep_logscan *s)
{
    return s ? s->detected : MTAREP_LOGSCAN_AUTO;
}

static const row *nrow(const ntable *t, size_t i)
{
    if (i >= t->n)
        return NULL;
    return &t->rows[t->order ? t->order[i] : i];
}

size_t mtarep_logscan_domain_count(const mtarep_logscan *s)
{
    return s ? s->domains.n : 0;
}

const char *mtarep_logscan_domain(const mtarep_logscan *s, size_t i, mtarep_logscan_counts *out)
{
    const row *r = s ? nrow(&s->domains, i) : NULL;
    if (!r)
        return NULL;
    if (out)
        *out = r->c;
    return r->name;
}

int mtarep_logscan_domain_lookup(const mtarep_logscan *s, const char *domain,
                                 mtarep_logscan_counts *out)
{
    if (!s || !domain)
        return -1;
    for (size_t i = 0; i < s->domains.n; i++) {
        if (strcasecmp(s->domains.rows[i].name, domain) == 0) {
            if (out)
                *out = s->domains.rows[i].c;
            return 0;
        }
    }
    return -1;
}

size_t mtarep_logscan_relay_count(const mtarep_logscan *s)
{
    return s ? s->relays.n : 0;
}

const char *mtarep_logscan_relay(const mtarep_logscan *s, size_t i, mtarep_logscan_counts *out)
{
    const row *r = s ? nrow(&s->relays, i) : NULL;
    if (!r)
        return NULL;
    if (out)
        *out = r->c;
    return r->name;
}

size_t mtarep_logscan_period_count(const mtarep_logscan *s, mtarep_logscan_unit unit)
{
    if (!s)
        return 0;
    return unit == MTAREP_LOGSCAN_DAY ? s->days.n : s->hours.n;
}

int mtarep_logscan_period(const mtarep_logscan *s, mtarep_logscan_unit unit, size_t i,
                          long long *start, mtarep_logscan_counts *out)
{
    if (!s)
        return -1;
    const ptable *t = unit == MTAREP_LOGSCAN_DAY ? &s->days : &s->hours;
    if (i >= t->n)
        return -1;
    const row *r = &t->rows[t->order ? t->order[i] : i];
    if (start)
        *start = r->key * (unit == MTAREP_LOGSCAN_DAY ? 86400 : 3600);
    if (out)
        *out = r->c;
    return 0;
}

mtarep_status mtarep_logscan_parse_time(long long *out, const char *text)
{
    if (!out || !text || !*text)
        return MTAREP_EINVAL;
    size_t n = strlen(text);
    const char *e = text + n;
    if (n <= 12) {
        size_t i = 0;
        while (i < n && isdigit((unsigned char)text[i]))
            i++;
        if (i == n) {
            *out = strtoll(text, NULL, 10);
            return MTAREP_OK;
        }
    }
    char buf[40];
    if (n >= sizeof buf - 10)
        return MTAREP_EINVAL;
    memcpy(buf, text, n + 1);
    /* complete "YYYY-MM-DD" and "...THH:MM" to full form */
    if (n == 10) {
        memcpy(buf + 10, "T00:00:00", 10);
    } else if (n == 16) {
        memcpy(buf + 16, ":00", 4);
    } else if (n > 16 && buf[16] != ':') {
        memmove(buf + 19, buf + 16, n - 16 + 1);
        memcpy(buf + 16, ":00", 3);
    }
    n = strlen(buf);
    e = buf + n;
    char sep = n > 10 ? buf[10] : 'T';
    if (sep != 'T' && sep != ' ')
        return MTAREP_EINVAL;
    long long t;
    size_t k = parse_iso(buf, e, sep, &t);
    if (!k || k != n)
        return MTAREP_EINVAL;
    *out = t;
    return MTAREP_OK;
}
