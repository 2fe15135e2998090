/* Table stores: a fixed-size hash table of limit states (GCRA, window), either in process
 * memory ("memory:") or memory-mapped from a file shared by every process
 * of the host ("file:"). One engine, so both have exactly the same
 * semantics, including the full-table rule.
 *
 * Locking: the table is cut into stripes (up to 64), each an independent
 * open-addressing region with its own mutex. A key lives only in the
 * stripe its hash picks. A decision over several limits touches up to 8
 * (key, period) pairs: it locks their stripes in ascending stripe order
 * (no deadlock) and holds them all while it reads, decides and writes, so
 * the decision is all-or-nothing across limits. Per-slot CAS would make
 * single-key updates lock-free, but an all-or-nothing update of several
 * slots would then need a multi-word CAS or an intent log; a handful of
 * striped locks is simpler and, at ~100 ns a decision, far from being the
 * bottleneck of an MTA.
 *
 * Surviving death: file-store mutexes are PTHREAD_PROCESS_SHARED and
 * PTHREAD_MUTEX_ROBUST, so a process killed while holding one hands the
 * next locker EOWNERDEAD instead of a stuck lock. No repair is then needed
 * because every write keeps the table consistent at every instant:
 *  - a TAT update is one aligned 64-bit store; a window update is a
 *    series of them ordered so that every prefix over-counts (see
 *    write_state());
 *  - a new key claims its slot by first marking it TOMB (still part of any
 *    probe chain, reusable), then writing the key, then publishing the
 *    tag with one 64-bit store; death in between leaves a TOMB;
 *  - a slot becomes EMPTY only when the slot after it is EMPTY, so no
 *    probe chain is ever cut (a cut chain would hide a live key and
 *    admit it afresh);
 *  - a decision writes its TATs only after every new key has a slot, so a
 *    full table refuses before anything is counted. A death between two
 *    TAT writes of one decision can only count units that were never
 *    sent: conservative, never an over-admission.
 * Mutexes left locked by a machine crash have no robust-list owner to
 * report them dead; the header records the kernel boot id, and the first
 * process to open the file after a reboot re-initialises every mutex.
 *
 * Full table: a new (key, period) pair takes the first slot of its probe
 * chain that is EMPTY, a TOMB, or holds a state that has drained (TAT <=
 * now: identical to no state at all). When every slot of its stripe holds
 * a live state the decision fails with MTAREP_ELIMIT; a live key is never
 * evicted. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "throttle_int.h"

#define TF_MAGIC "MTAREPTT"
#define TF_VERSION 2u /* 2: window counters in the cold slot */
#define TF_HDR_SIZE 4096u
#define TF_ENDIAN 0x01020304u
#define TF_LOCK_SIZE 64u
#define TF_HOT_SIZE 16u
#define TF_COLD_SIZE 344u
#define TF_SLOTS_MIN 64u
#define TF_SLOTS_MAX (1u << 24)
#define TF_SLOTS_DEFAULT 65536u
#define TF_STRIPE_SLOTS 1024u
#define TF_STRIPES_MAX 64u

#define TAG_EMPTY 0ULL
#define TAG_TOMB 1ULL
#define TAG_USED (1ULL << 63)

/* On-disk header. Field offsets never move: magic and version come first
 * so any later format is recognised as such. Native byte order (the
 * endian field detects a foreign one); the file is host-local anyway. */
struct tf_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint32_t endian;
    uint32_t mutex_size; /* sizeof(pthread_mutex_t) of the creator's libc */
    uint32_t nstripes;
    uint32_t slots_per_stripe;
    uint32_t hot_size;
    uint32_t cold_size;
    uint32_t key_max;
    uint32_t lock_size;
    uint64_t file_size;
    uint64_t locks_off;
    uint64_t hot_off;
    uint64_t cold_off;
    uint64_t created_us;
    char boot_id[40];
    uint64_t checksum; /* FNV-1a 64 of the bytes before this field */
};

struct tf_lock {
    pthread_mutex_t mu;
    char pad[TF_LOCK_SIZE - sizeof(pthread_mutex_t)];
};

struct tf_hot {
    uint64_t tag; /* TAG_EMPTY, TAG_TOMB or hash | TAG_USED */
    uint64_t tat; /* GCRA: theoretical arrival time; window: expiry E (Unix us) */
};

struct tf_cold {
    uint64_t ident; /* period in us, | MTAREP__WIN_IDENT for a window */
    uint16_t klen;
    char key[MTAREP_THROTTLE_KEY_MAX];
    char pad[6];
    uint64_t c[MTAREP__WIN_SLOTS]; /* window counters (unused by GCRA) */
};

_Static_assert(sizeof(struct tf_header) == 136, "header layout");
_Static_assert(sizeof(struct tf_header) <= TF_HDR_SIZE, "header size");
_Static_assert(sizeof(struct tf_lock) == TF_LOCK_SIZE, "lock size");
_Static_assert(sizeof(struct tf_hot) == TF_HOT_SIZE, "hot size");
_Static_assert(sizeof(struct tf_cold) == TF_COLD_SIZE, "cold size");

typedef struct table {
    mtarep__tstore base;
    unsigned char *map;
    size_t maplen;
    int shared;
    struct tf_lock *locks;
    struct tf_hot *hot;
    struct tf_cold *cold;
    uint32_t nstripes, per;
    mtarep__tlog log;
    char name[96]; /* for messages: "memory" or the file path (shortened) */
} table;

/* Small checksum over ~130 header bytes: FNV-1a, written here rather than
 * pulling in zlib for one CRC. */
static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t header_sum(const struct tf_header *h)
{
    return fnv1a(h, offsetof(struct tf_header, checksum), 0xcbf29ce484222325ULL);
}

static uint64_t key_hash(const char *key, size_t klen, uint64_t period_us)
{
    uint64_t h = fnv1a(key, klen, 0xcbf29ce484222325ULL);
    unsigned char pb[8];
    for (int i = 0; i < 8; i++)
        pb[i] = (unsigned char)(period_us >> (8 * i));
    h = fnv1a(pb, 8, h);
    /* splitmix64 finaliser: FNV's low bits alone spread poorly. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static void geometry(uint32_t slots, uint32_t *nstripes, uint32_t *per)
{
    uint32_t s = slots / TF_STRIPE_SLOTS;
    if (s < 1)
        s = 1;
    if (s > TF_STRIPES_MAX)
        s = TF_STRIPES_MAX;
    *nstripes = s;
    *per = slots / s;
}

static uint64_t layout_size(uint32_t nstripes, uint32_t per, uint64_t *locks_off,
                            uint64_t *hot_off, uint64_t *cold_off)
{
    uint64_t slots = (uint64_t)nstripes * per;
    *locks_off = TF_HDR_SIZE;
    *hot_off = *locks_off + (uint64_t)nstripes * TF_LOCK_SIZE;
    *cold_off = *hot_off + slots * TF_HOT_SIZE;
    return *cold_off + slots * TF_COLD_SIZE;
}

static int is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

int mtarep__tfile_check_header(const void *buf, size_t len, uint64_t file_size, char *msg,
                               size_t msglen)
{
    struct tf_header h;
    uint64_t lo, ho, co, want;

    if (len < 12 || memcmp(buf, TF_MAGIC, 8) != 0) {
        snprintf(msg, msglen, "not a libmtarep throttle table (bad magic)");
        return MTAREP_EPARSE;
    }
    {
        uint32_t v;
        memcpy(&v, (const char *)buf + 8, 4);
        if (v != TF_VERSION) {
            uint32_t sw = __builtin_bswap32(v);
            if (sw == TF_VERSION) {
                snprintf(msg, msglen, "throttle table written with another byte order");
                return MTAREP_EPARSE;
            }
            snprintf(msg, msglen,
                     "throttle table format version %u; this library reads version %u",
                     (unsigned)v, TF_VERSION);
            return MTAREP_EVERSION;
        }
    }
    if (len < sizeof h) {
        snprintf(msg, msglen, "throttle table header truncated (%zu bytes)", len);
        return MTAREP_EPARSE;
    }
    memcpy(&h, buf, sizeof h);
    if (h.endian != TF_ENDIAN) {
        snprintf(msg, msglen, "throttle table written with another byte order");
        return MTAREP_EPARSE;
    }
    if (h.checksum != header_sum(&h)) {
        snprintf(msg, msglen, "throttle table header is corrupt (checksum mismatch)");
        return MTAREP_EPARSE;
    }
    if (h.mutex_size != sizeof(pthread_mutex_t) || h.lock_size != TF_LOCK_SIZE) {
        snprintf(msg, msglen, "throttle table created by an incompatible C library");
        return MTAREP_EVERSION;
    }
    if (h.header_size != TF_HDR_SIZE || h.hot_size != TF_HOT_SIZE ||
        h.cold_size != TF_COLD_SIZE || h.key_max != MTAREP_THROTTLE_KEY_MAX ||
        !is_pow2(h.nstripes) || h.nstripes > TF_STRIPES_MAX || !is_pow2(h.slots_per_stripe) ||
        (uint64_t)h.nstripes * h.slots_per_stripe < TF_SLOTS_MIN ||
        (uint64_t)h.nstripes * h.slots_per_stripe > TF_SLOTS_MAX) {
        snprintf(msg, msglen, "throttle table header has an impossible geometry");
        return MTAREP_EPARSE;
    }
    want = layout_size(h.nstripes, h.slots_per_stripe, &lo, &ho, &co);
    if (h.locks_off != lo || h.hot_off != ho || h.cold_off != co || h.file_size != want) {
        snprintf(msg, msglen, "throttle table header has inconsistent offsets");
        return MTAREP_EPARSE;
    }
    if (file_size != want) {
        snprintf(msg, msglen, "throttle table file is %llu bytes, its header says %llu",
                 (unsigned long long)file_size, (unsigned long long)want);
        return MTAREP_EPARSE;
    }
    return MTAREP_OK;
}

/* ---------------------------------------------------------------- locks */

static int init_lock(pthread_mutex_t *mu, int shared)
{
    pthread_mutexattr_t a;
    int rc;

    if (pthread_mutexattr_init(&a) != 0)
        return -1;
    if (shared) {
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    }
    rc = pthread_mutex_init(mu, &a);
    pthread_mutexattr_destroy(&a);
    return rc;
}

static int lock_stripe(table *t, uint32_t s)
{
    int r = pthread_mutex_lock(&t->locks[s].mu);
    if (r == EOWNERDEAD) {
        /* The table is consistent at every store (see the file comment):
         * nothing to repair, just take the lock over. */
        pthread_mutex_consistent(&t->locks[s].mu);
        mtarep__tlogf(&t->log, MTAREP_LOG_WARNING,
                      "throttle table %s: took over stripe %u from a process that died "
                      "holding its lock",
                      t->name, (unsigned)s);
        return 0;
    }
    return r;
}

static void unlock_stripe(table *t, uint32_t s)
{
    pthread_mutex_unlock(&t->locks[s].mu);
}

/* Sort and dedup up to 8 stripe numbers; lock them in ascending order. */
static int lock_set(table *t, uint32_t *set, size_t *n, char *msg, size_t msglen)
{
    size_t m = 0;
    for (size_t i = 0; i < *n; i++) {
        size_t j = m;
        int dup = 0;
        for (size_t k = 0; k < m; k++)
            if (set[k] == set[i])
                dup = 1;
        if (dup)
            continue;
        uint32_t v = set[i];
        while (j > 0 && set[j - 1] > v) {
            set[j] = set[j - 1];
            j--;
        }
        set[j] = v;
        m++;
    }
    *n = m;
    for (size_t i = 0; i < m; i++) {
        int r = lock_stripe(t, set[i]);
        if (r != 0) {
            while (i-- > 0)
                unlock_stripe(t, set[i]);
            snprintf(msg, msglen, "throttle table %s: cannot lock stripe: %s", t->name,
                     strerror(r));
            return MTAREP_EIO;
        }
    }
    return MTAREP_OK;
}

static void unlock_set(table *t, const uint32_t *set, size_t n)
{
    for (size_t i = n; i-- > 0;)
        unlock_stripe(t, set[i]);
}

/* ---------------------------------------------------------------- probing */

typedef struct pair {
    uint64_t h;
    uint32_t stripe;
    long slot; /* -1: not found */
} pair;

static int cold_match(const table *t, size_t idx, const char *key, size_t klen, uint64_t period)
{
    const struct tf_cold *c = &t->cold[idx];
    return c->ident == period && c->klen == klen && klen <= MTAREP_THROTTLE_KEY_MAX &&
           memcmp(c->key, key, klen) == 0;
}

/* A state that has drained is the same as no state. A TAT beyond any
 * possible tolerance can only be garbage (a damaged file): reusable too. */
static int drained(uint64_t tat, uint64_t now)
{
    return tat <= now || tat - now > MTAREP__TAU_MAX;
}

static int excluded(long idx, const long *ex, size_t nex)
{
    for (size_t i = 0; i < nex; i++)
        if (ex[i] == idx)
            return 1;
    return 0;
}

/* Walk the probe chain of (key, period). Returns the slot holding it or
 * -1; *reuse = first TOMB or drained slot not in ex[], *empty = the EMPTY
 * slot that ended the chain (-1 if the whole stripe was walked). */
static long probe(const table *t, const pair *p, const char *key, size_t klen,
                  uint64_t period, uint64_t now, const long *ex, size_t nex, long *reuse,
                  long *empty)
{
    size_t base = (size_t)p->stripe * t->per, mask = t->per - 1;
    size_t pos = (size_t)(p->h >> 8) & mask;
    uint64_t tag = p->h | TAG_USED;

    *reuse = -1;
    *empty = -1;
    for (uint32_t k = 0; k < t->per; k++, pos = (pos + 1) & mask) {
        size_t idx = base + pos;
        uint64_t tg = t->hot[idx].tag;
        if (tg == TAG_EMPTY) {
            *empty = (long)idx;
            return -1;
        }
        if (tg == tag && cold_match(t, idx, key, klen, period))
            return (long)idx;
        if (*reuse < 0 && (tg == TAG_TOMB || drained(t->hot[idx].tat, now)) &&
            !excluded((long)idx, ex, nex))
            *reuse = (long)idx;
    }
    return -1;
}

/* Slots before an EMPTY one that are TOMB or drained can become EMPTY
 * without cutting any chain; keeps misses short on an ageing table. */
static void trim_before(table *t, long empty, uint32_t stripe, uint64_t now, const long *ex,
                        size_t nex)
{
    size_t base = (size_t)stripe * t->per, mask = t->per - 1;
    size_t pos = ((size_t)empty - base);

    for (uint32_t k = 1; k < t->per; k++) {
        size_t prev = base + ((pos - 1) & mask);
        uint64_t tg = t->hot[prev].tag;
        if (tg == TAG_EMPTY || excluded((long)prev, ex, nex))
            return;
        if (tg != TAG_TOMB && !drained(t->hot[prev].tat, now))
            return;
        __atomic_store_n(&t->hot[prev].tag, TAG_EMPTY, __ATOMIC_RELEASE);
        pos = prev - base;
    }
}

static void claim(table *t, long idx, const pair *p, const char *key, size_t klen,
                  uint64_t period)
{
    struct tf_hot *hs = &t->hot[idx];
    struct tf_cold *c = &t->cold[idx];

    __atomic_store_n(&hs->tag, TAG_TOMB, __ATOMIC_RELEASE);
    __atomic_store_n(&hs->tat, 0, __ATOMIC_RELAXED);
    c->ident = period;
    c->klen = (uint16_t)klen;
    memcpy(c->key, key, klen);
    __atomic_store_n(&hs->tag, p->h | TAG_USED, __ATOMIC_RELEASE);
}

static void make_pairs(const table *t, pair *p, uint32_t *set, const char *key, size_t klen,
                       const mtarep__gcra *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i].h = key_hash(key, klen, g[i].ident);
        p[i].stripe = (uint32_t)(p[i].h & (t->nstripes - 1));
        p[i].slot = -1;
        set[i] = p[i].stripe;
    }
}

static void read_state(const table *t, long idx, const mtarep__gcra *g, mtarep__lstate *st)
{
    /* counters only matter behind a live E (see win_view()) */
    st->tat = 0;
    if (idx < 0)
        return;
    st->tat = __atomic_load_n(&t->hot[idx].tat, __ATOMIC_RELAXED);
    if (g->window)
        for (unsigned j = 0; j < MTAREP__WIN_SLOTS; j++)
            st->c[j] = __atomic_load_n(&t->cold[idx].c[j], __ATOMIC_RELAXED);
}

/* Store a state with single 64-bit stores. A window writes the counters
 * that grow, then E, then the counters that shrink: a process killed
 * between two stores leaves a state that counts at least the units the
 * complete write counts (stale units attributed to newer sub-windows
 * only delay), never fewer. */
static void write_state(table *t, long idx, const mtarep__gcra *g, const mtarep__lstate *st,
                        const mtarep__lstate *old)
{
    uint64_t *c = t->cold[idx].c;

    if (!g->window) {
        __atomic_store_n(&t->hot[idx].tat, st->tat, __ATOMIC_RELEASE);
        return;
    }
    /* old: the counters as read under the same locks (a claimed slot's
     * were not read: compare with the memory itself) */
    for (unsigned j = 0; j < MTAREP__WIN_SLOTS; j++)
        if (st->c[j] > (old ? old->c[j] : __atomic_load_n(&c[j], __ATOMIC_RELAXED)))
            __atomic_store_n(&c[j], st->c[j], __ATOMIC_RELEASE);
    __atomic_store_n(&t->hot[idx].tat, st->tat, __ATOMIC_RELEASE);
    for (unsigned j = 0; j < MTAREP__WIN_SLOTS; j++)
        if (st->c[j] < (old ? old->c[j] : __atomic_load_n(&c[j], __ATOMIC_RELAXED)))
            __atomic_store_n(&c[j], st->c[j], __ATOMIC_RELEASE);
}

static int table_decide(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                        size_t n, uint64_t q, int peek, const mtarep__tclock *clk,
                        uint64_t *now_out, mtarep__lstate *view, int *admitted, char *msg,
                        size_t msglen)
{
    table *t = (table *)s;
    pair p[MTAREP_THROTTLE_MAX_LIMITS];
    uint32_t set[MTAREP_THROTTLE_MAX_LIMITS];
    mtarep__lstate st[MTAREP_THROTTLE_MAX_LIMITS], next[MTAREP_THROTTLE_MAX_LIMITS];
    long ex[MTAREP_THROTTLE_MAX_LIMITS];
    size_t nset = n, nex = 0;
    long reuse, empty;
    unsigned rebased, fresh = 0;
    int rc = MTAREP_OK;

    uint64_t now;

    make_pairs(t, p, set, key, klen, g, n);
    if ((rc = lock_set(t, set, &nset, msg, msglen)) != MTAREP_OK)
        return rc;
    /* the time under the locks: see mtarep__tstore_ops.decide */
    now = clk->now_us(clk->arg);
    *now_out = now;
    for (size_t i = 0; i < n; i++) {
        p[i].slot = probe(t, &p[i], key, klen, g[i].ident, now, NULL, 0, &reuse, &empty);
        read_state(t, p[i].slot, &g[i], &st[i]);
        if (p[i].slot >= 0)
            ex[nex++] = p[i].slot;
    }
    *admitted = mtarep__limits_decide(now, g, n, q, st, view, next, &rebased);
    if (*admitted && !peek) {
        /* First give every new pair a slot (a drained state, so a no-op
         * if we stop here), then count: a full table refuses before
         * anything is counted. */
        for (size_t i = 0; i < n && rc == MTAREP_OK; i++) {
            if (p[i].slot >= 0)
                continue;
            probe(t, &p[i], key, klen, g[i].ident, now, ex, nex, &reuse, &empty);
            if (empty >= 0 && reuse >= 0)
                trim_before(t, empty, p[i].stripe, now, ex, nex);
            p[i].slot = reuse >= 0 ? reuse : empty;
            if (p[i].slot < 0) {
                snprintf(msg, msglen,
                         "throttle table %s is full: all %u slots of the key's stripe hold "
                         "live keys",
                         t->name, (unsigned)t->per);
                rc = MTAREP_ELIMIT;
                break;
            }
            claim(t, p[i].slot, &p[i], key, klen, g[i].ident);
            fresh |= 1u << i;
            ex[nex++] = p[i].slot;
        }
        if (rc == MTAREP_OK)
            for (size_t i = 0; i < n; i++)
                write_state(t, p[i].slot, &g[i], &next[i], fresh & (1u << i) ? NULL : &st[i]);
    } else if (!*admitted && !peek && rebased) {
        for (size_t i = 0; i < n; i++)
            if (rebased & (1u << i))
                write_state(t, p[i].slot, &g[i], &view[i], &st[i]); /* rebased: slot exists */
    }
    unlock_set(t, set, nset);
    return rc;
}

static int table_reset(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                       size_t n, char *msg, size_t msglen)
{
    table *t = (table *)s;
    pair p[MTAREP_THROTTLE_MAX_LIMITS];
    uint32_t set[MTAREP_THROTTLE_MAX_LIMITS];
    size_t nset = n;
    long reuse, empty;
    int rc;

    make_pairs(t, p, set, key, klen, g, n);
    if ((rc = lock_set(t, set, &nset, msg, msglen)) != MTAREP_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        long idx = probe(t, &p[i], key, klen, g[i].ident, 0, NULL, 0, &reuse, &empty);
        if (idx >= 0)
            __atomic_store_n(&t->hot[idx].tat, 0, __ATOMIC_RELEASE); /* drained = fresh */
    }
    unlock_set(t, set, nset);
    return MTAREP_OK;
}

static void table_free(mtarep__tstore *s)
{
    table *t = (table *)s;
    if (!t)
        return;
    if (t->map) {
        if (!t->shared)
            for (uint32_t i = 0; i < t->nstripes; i++)
                pthread_mutex_destroy(&t->locks[i].mu);
        munmap(t->map, t->maplen);
    }
    free(t);
}

static const mtarep__tstore_ops table_ops = {table_decide, table_reset, table_free};

static void attach(table *t, unsigned char *map, size_t len, uint32_t nstripes, uint32_t per)
{
    uint64_t lo, ho, co;
    layout_size(nstripes, per, &lo, &ho, &co);
    t->map = map;
    t->maplen = len;
    t->nstripes = nstripes;
    t->per = per;
    t->locks = (struct tf_lock *)(map + lo);
    t->hot = (struct tf_hot *)(map + ho);
    t->cold = (struct tf_cold *)(map + co);
}

int mtarep__table_test_lock(mtarep__tstore *s, const char *key, uint64_t period_ms)
{
    table *t = (table *)s;
    pair p;
    uint32_t set;
    mtarep__gcra g;

    if (!s || s->ops != &table_ops)
        return MTAREP_EINVAL;
    memset(&g, 0, sizeof g);
    g.period_us = period_ms * 1000u;
    g.ident = g.period_us;
    make_pairs(t, &p, &set, key, strlen(key), &g, 1);
    return lock_stripe(t, set) == 0 ? MTAREP_OK : MTAREP_EIO;
}

/* ---------------------------------------------------------------- URI */

/* "?slots=N" (the only option). */
static int parse_query(const char *q, uint32_t *slots, mtarep_throttle_error *err,
                       const char *uri, int off)
{
    char *end;
    unsigned long long v;

    if (!q || !*q)
        return MTAREP_OK;
    if (strncmp(q, "slots=", 6) != 0)
        return mtarep__terr(err, MTAREP_EINVAL, uri, off, "unknown store option (only slots=N)");
    errno = 0;
    v = strtoull(q + 6, &end, 10);
    if (errno || end == q + 6 || *end || !is_pow2(v) || v < TF_SLOTS_MIN || v > TF_SLOTS_MAX)
        return mtarep__terr(err, MTAREP_EINVAL, uri, off + 6,
                            "slots must be a power of two from 64 to 16777216");
    *slots = (uint32_t)v;
    return MTAREP_OK;
}

static table *table_alloc(const mtarep__tlog *lg, const char *name)
{
    table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &table_ops;
    t->base.remote = 0;
    if (lg)
        t->log = *lg;
    {
        size_t n = strlen(name);
        if (n < sizeof t->name)
            memcpy(t->name, name, n + 1);
        else
            snprintf(t->name, sizeof t->name, "...%s", name + n - (sizeof t->name - 4));
    }
    return t;
}

int mtarep__table_open_memory(mtarep__tstore **out, const char *rest, const mtarep__tlog *lg,
                              mtarep_throttle_error *err)
{
    uint32_t slots = TF_SLOTS_DEFAULT, ns, per;
    uint64_t lo, ho, co, size;
    unsigned char *map;
    table *t;
    int rc;

    if (rest[0] && rest[0] != '?')
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "memory store takes no path");
    if ((rc = parse_query(rest[0] ? rest + 1 : rest, &slots, err, NULL, -1)) != MTAREP_OK)
        return rc;
    geometry(slots, &ns, &per);
    size = layout_size(ns, per, &lo, &ho, &co);
    t = table_alloc(lg, "memory");
    if (!t)
        return MTAREP_ENOMEM;
    map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        free(t);
        return mtarep__terr(err, MTAREP_ENOMEM, NULL, -1, "cannot map %llu bytes",
                            (unsigned long long)size);
    }
    attach(t, map, (size_t)size, ns, per);
    for (uint32_t i = 0; i < ns; i++)
        init_lock(&t->locks[i].mu, 0);
    *out = &t->base;
    return MTAREP_OK;
}

static void read_boot_id(char *buf, size_t len)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    buf[0] = '\0';
    if (!f)
        return;
    if (!fgets(buf, (int)len, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

/* Initialise a zero-filled mapping: locks, then the header, magic last. */
static void init_file_map(unsigned char *map, uint32_t ns, uint32_t per, uint64_t size,
                          const char *boot)
{
    struct tf_header h;
    uint64_t lo, ho, co;

    layout_size(ns, per, &lo, &ho, &co);
    for (uint32_t i = 0; i < ns; i++)
        init_lock(&((struct tf_lock *)(map + lo))[i].mu, 1);
    memset(&h, 0, sizeof h);
    memcpy(h.magic, TF_MAGIC, 8);
    h.version = TF_VERSION;
    h.header_size = TF_HDR_SIZE;
    h.endian = TF_ENDIAN;
    h.mutex_size = sizeof(pthread_mutex_t);
    h.nstripes = ns;
    h.slots_per_stripe = per;
    h.hot_size = TF_HOT_SIZE;
    h.cold_size = TF_COLD_SIZE;
    h.key_max = MTAREP_THROTTLE_KEY_MAX;
    h.lock_size = TF_LOCK_SIZE;
    h.file_size = size;
    h.locks_off = lo;
    h.hot_off = ho;
    h.cold_off = co;
    h.created_us = mtarep__real_now_us(NULL);
    snprintf(h.boot_id, sizeof h.boot_id, "%s", boot);
    h.checksum = header_sum(&h);
    memcpy(map + 8, (char *)&h + 8, sizeof h - 8);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy(map, h.magic, 8);
}

static int all_zero(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* Create PATH atomically: build the table in a temporary file next to it
 * and link() it into place, so no process ever maps a half-made table.
 * MTAREP_OK, or -EEXIST when another process won the race. */
static int create_file(const char *path, uint32_t slots, const char *boot,
                       mtarep_throttle_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    uint32_t ns, per;
    uint64_t lo, ho, co, size;
    unsigned char *map;
    int fd, rc = MTAREP_OK;

    if (!tmp)
        return MTAREP_ENOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot create throttle table %s: %s",
                          path, strerror(errno));
        free(tmp);
        return rc;
    }
    {
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0660 & ~um); /* shared by the MTA's processes (group) */
    }
    geometry(slots, &ns, &per);
    size = layout_size(ns, per, &lo, &ho, &co);
    if (ftruncate(fd, (off_t)size) != 0) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot size throttle table %s: %s", path,
                          strerror(errno));
        goto out;
    }
    map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot map throttle table %s: %s", path,
                          strerror(errno));
        goto out;
    }
    init_file_map(map, ns, per, size, boot);
    munmap(map, (size_t)size);
    if (link(tmp, path) != 0) {
        if (errno == EEXIST)
            rc = -EEXIST;
        else
            rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot create throttle table %s: %s",
                              path, strerror(errno));
    }
out:
    unlink(tmp);
    close(fd);
    free(tmp);
    return rc;
}

int mtarep__table_open_file(mtarep__tstore **out, const char *rest, const mtarep__tlog *lg,
                            mtarep_throttle_error *err)
{
    uint32_t slots = TF_SLOTS_DEFAULT;
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    char path[PATH_MAX], boot[40], msg[160];
    unsigned char hbuf[sizeof(struct tf_header)];
    struct stat st;
    struct tf_header h;
    unsigned char *map;
    table *t;
    int fd = -1, rc;
    ssize_t got;

    if (plen == 0)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "file store needs a path (file:/path)");
    if (plen >= sizeof path)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "file store path too long");
    memcpy(path, rest, plen);
    path[plen] = '\0';
    if ((rc = parse_query(q ? q + 1 : NULL, &slots, err, NULL, -1)) != MTAREP_OK)
        return rc;
    read_boot_id(boot, sizeof boot);

    for (int attempt = 0; attempt < 5; attempt++) {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT)
            break;
        rc = create_file(path, slots, boot, err);
        if (rc != MTAREP_OK && rc != -EEXIST)
            return rc;
    }
    if (fd < 0)
        return mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot open throttle table %s: %s", path,
                            strerror(errno));
    /* Exclusive while validating and, after a reboot, re-initialising
     * the locks; never held during decisions. */
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    if (fstat(fd, &st) != 0) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot stat %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "%s is not a regular file", path);
        goto fail;
    }
    got = pread(fd, hbuf, sizeof hbuf, 0);
    if (got < 0) {
        rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    if (st.st_size <= (off_t)TF_HDR_SIZE && all_zero(hbuf, (size_t)got)) {
        /* An empty file made by the administrator (to set its owner and
         * mode): initialise it in place, under the lock. */
        uint32_t ns, per;
        uint64_t lo, ho, co, size;
        geometry(slots, &ns, &per);
        size = layout_size(ns, per, &lo, &ho, &co);
        if (ftruncate(fd, (off_t)size) != 0) {
            rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot size %s: %s", path,
                              strerror(errno));
            goto fail;
        }
        map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
            rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot map %s: %s", path,
                              strerror(errno));
            goto fail;
        }
        init_file_map(map, ns, per, size, boot);
        memcpy(&h, map, sizeof h);
    } else {
        rc = mtarep__tfile_check_header(hbuf, (size_t)got, (uint64_t)st.st_size, msg, sizeof msg);
        if (rc != MTAREP_OK) {
            rc = mtarep__terr(err, rc, NULL, -1, "%s: %s", path, msg);
            goto fail;
        }
        memcpy(&h, hbuf, sizeof h);
        map = mmap(NULL, (size_t)h.file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
            rc = mtarep__terr(err, MTAREP_EIO, NULL, -1, "cannot map %s: %s", path,
                              strerror(errno));
            goto fail;
        }
        if (boot[0] && strncmp(h.boot_id, boot, sizeof h.boot_id) != 0) {
            /* Made before the last reboot: a lock held at the crash has no
             * living owner to be reported dead, so start every lock anew.
             * Nobody else can be using them: all users died with the boot. */
            uint64_t lo, ho, co;
            layout_size(h.nstripes, h.slots_per_stripe, &lo, &ho, &co);
            for (uint32_t i = 0; i < h.nstripes; i++)
                init_lock(&((struct tf_lock *)(map + lo))[i].mu, 1);
            snprintf(h.boot_id, sizeof h.boot_id, "%s", boot);
            h.checksum = header_sum(&h);
            memcpy(map, &h, sizeof h);
        }
    }
    flock(fd, LOCK_UN);
    close(fd);
    t = table_alloc(lg, path);
    if (!t) {
        munmap(map, (size_t)h.file_size);
        return MTAREP_ENOMEM;
    }
    t->shared = 1;
    attach(t, map, (size_t)h.file_size, h.nstripes, h.slots_per_stripe);
    *out = &t->base;
    return MTAREP_OK;
fail:
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}
