/* Internal to the throttle module: GCRA arithmetic, the store interface
 * every backend implements, the injectable clock. Not installed. */
#ifndef MTAREP_THROTTLE_INT_H
#define MTAREP_THROTTLE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/internal.h"
#include "mtarep/throttle.h"

/* ---- limits (GCRA and sliding window), all times in microseconds ----
 * Microseconds because the Redis script does the same arithmetic in Lua
 * doubles: Unix time in us (~1.8e15) plus the largest tolerance stays
 * below 2^53, so both sides compute exactly the same integers. */

/* Window state: 16 counters, a ring indexed by sub-window number mod 16.
 * The period spans 15 sub-windows of w = ceil(P / 15), so the sub-windows
 * overlapping any (t - P, t] are at most 16: one ring covers them.
 * 15 is a trade: the worst-case late release is P/15 (4 min of an hour,
 * 96 min of a day) for 128 bytes of counters a key. */
#define MTAREP__WIN_SLOTS 16u
#define MTAREP__WIN_SUBS (MTAREP__WIN_SLOTS - 1u)

typedef struct mtarep__gcra {
    int window;         /* 0: GCRA, 1: sliding window */
    uint64_t count;     /* N (0: nothing passes) */
    uint64_t burst;     /* GCRA: B, resolved (0 only when N is 0); window: N */
    uint64_t period_us;
    uint64_t period_ms;
    uint64_t ident;     /* identity of the state with the key: period_us, | WIN_IDENT for windows */
    uint64_t T;         /* GCRA: emission interval, ceil(period_us / N) */
    uint64_t tau;       /* GCRA: tolerance B * T */
    uint64_t w;         /* window: sub-window length, ceil(period_us / 15) */
} mtarep__gcra;

#define MTAREP__WIN_IDENT (1ULL << 62)
/* A window state further ahead of the deciding clock than this (and than
 * its period) is rebased to now (see win_view()). */
#define MTAREP__WIN_REBASE_US 60000000ULL

/* Stored state of one (key, limit). GCRA: tat = the theoretical arrival
 * time (0 = none), c unused. Window: tat = E, when the newest sub-window
 * J that holds units leaves the window, E = (J + 1) w + P (0 = none), so
 * for both kinds "tat <= now" means "drained, same as no state"; c[j % 16]
 * = units admitted in sub-window j, for j in J-15 .. J. */
typedef struct mtarep__lstate {
    uint64_t tat;
    uint64_t c[MTAREP__WIN_SLOTS];
} mtarep__lstate;

#define MTAREP__PERIOD_MAX_MS 31622400000ULL    /* 366 days */
#define MTAREP__COUNT_MAX 1000000000000ULL      /* 10^12 */
#define MTAREP__TAU_MAX 315576000000000ULL      /* 10 years in us */

/* Check and resolve a limit; msg gets the reason on MTAREP_EINVAL. */
int mtarep__gcra_prepare(mtarep__gcra *g, const mtarep_limit *l, char *msg, size_t len);

/* The decision itself, shared by the memory and file stores and mirrored
 * by the Lua script of the Redis store. st[i]: stored states. On return
 * view[i] = each state normalised at now (GCRA: TAT clamped to
 * [now, now + tau]; window: counters clamped, a state more than a period
 * ahead of now rebased), the input of mtarep__gcra_fill(); when admitted
 * (return 1), next[i] = the states to store. *rebased: bit i set when
 * view[i] must be stored even though refused (a rebased window, so that a
 * clock that stepped back blocks a key for at most one period). */
int mtarep__limits_decide(uint64_t now, const mtarep__gcra *g, size_t n, uint64_t q,
                          const mtarep__lstate *st, mtarep__lstate *view,
                          mtarep__lstate *next, unsigned *rebased);

/* Fill a decision from the normalised states before the request. */
void mtarep__gcra_fill(mtarep_throttle_decision *d, uint64_t now, const mtarep__gcra *g,
                       size_t n, uint64_t q, const mtarep__lstate *view, int admitted,
                       int counted);

/* ---- logging without a ctx (a throttle is shared by threads) ---- */
typedef struct mtarep__tlog {
    mtarep_log_cb cb;
    void *payload;
    mtarep_log_level level;
} mtarep__tlog;

void mtarep__tlogf(const mtarep__tlog *lg, mtarep_log_level level, const char *fmt, ...)
    MTAREP_PRINTF(3, 4);

/* Fill an mtarep_throttle_error (may be NULL); returns code. */
int mtarep__terr(mtarep_throttle_error *err, int code, const char *text, int position,
                 const char *fmt, ...) MTAREP_PRINTF(5, 6);

/* ---- clock: injectable so tests need not sleep ---- */
typedef struct mtarep__tclock {
    uint64_t (*now_us)(void *arg);         /* wall clock, Unix us */
    void (*sleep_us)(void *arg, uint64_t us);
    void *arg;
} mtarep__tclock;

uint64_t mtarep__real_now_us(void *arg);
void mtarep__real_sleep_us(void *arg, uint64_t us);
uint64_t mtarep__mono_ms(void);

/* Replace the clock of a throttle (tests). NULL restores the real one. */
void mtarep__throttle_set_clock(mtarep_throttle *t, const mtarep__tclock *clock);

/* ---- stores ---- */
typedef struct mtarep__tstore mtarep__tstore;

typedef struct mtarep__tstore_ops {
    /* Atomically read the states of (key, g[i].ident) for i < n, decide
     * with mtarep__limits_decide() at the store's time and, unless peek,
     * write the new states (admitted) or the rebased ones (refused).
     * clk: the caller's clock. A table store reads it after taking its
     * locks, so decisions are made in lock order with non-decreasing
     * times (a process descheduled between reading the clock and taking
     * the lock must not decide with a stale time: it could rebase a window
     * backwards); Redis uses the server's TIME, or clk read just before
     * the call with client_clock. *now_out says which time was used.
     * Fills view[] and *admitted. Returns MTAREP_OK; MTAREP_ETEMPFAIL when the
     * store failed (the failure mode applies); MTAREP_ELIMIT (table full);
     * MTAREP_EIO. msg gets details of any failure. */
    int (*decide)(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                  size_t n, uint64_t q, int peek, const mtarep__tclock *clk,
                  uint64_t *now_out, mtarep__lstate *view, int *admitted, char *msg,
                  size_t msglen);
    /* Drop the states of (key, g[i].ident). */
    int (*reset)(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                 size_t n, char *msg, size_t msglen);
    void (*free)(mtarep__tstore *s);
} mtarep__tstore_ops;

struct mtarep__tstore {
    const mtarep__tstore_ops *ops;
    int remote; /* failures are "store unavailable": the failure mode applies */
};

/* Table stores (lib/throttle/table.c): "memory:[?slots=N]" and
 * "file:PATH[?slots=N]" (rest = the part after the scheme). */
int mtarep__table_open_memory(mtarep__tstore **out, const char *rest, const mtarep__tlog *lg,
                              mtarep_throttle_error *err);
int mtarep__table_open_file(mtarep__tstore **out, const char *rest, const mtarep__tlog *lg,
                            mtarep_throttle_error *err);

/* Validate a file header (first len bytes of a file of file_size bytes).
 * MTAREP_OK, MTAREP_EPARSE or MTAREP_EVERSION with a reason in msg. Pure:
 * the fuzz target calls it on arbitrary bytes. */
int mtarep__tfile_check_header(const void *buf, size_t len, uint64_t file_size, char *msg,
                               size_t msglen);

/* Redis store (lib/throttle/redis.c). safe_uri receives the URI without
 * the password. */
typedef struct mtarep__redis_cfg {
    unsigned int timeout_ms;
    unsigned int retry_interval_ms;
    unsigned int connections;
    int client_clock;
} mtarep__redis_cfg;

int mtarep__redis_open(mtarep__tstore **out, const char *uri, const mtarep__redis_cfg *cfg,
                       const mtarep__tlog *lg, char *safe_uri, size_t safe_len,
                       mtarep_throttle_error *err);

/* The Lua script and the Redis key of (key, kind, period) (tests and bench). */
extern const char mtarep__redis_script[];
int mtarep__redis_key(char *buf, size_t len, const char *key, size_t klen, uint64_t period_ms,
                      int window);

/* Test hooks for the table stores: lock the stripes of (key, period) and
 * return without unlocking (to kill the holder), and the table geometry. */
int mtarep__table_test_lock(mtarep__tstore *s, const char *key, uint64_t period_ms);
mtarep__tstore *mtarep__throttle_store_of(mtarep_throttle *t);

#endif
