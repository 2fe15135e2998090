/**
 * @file mtarep/throttle.h
 * @brief Rate limiting (sliding windows and GCRA) over a shared store, and IP warm-up schedules.
 *
 * Two halves:
 *  - the **limiter** (mtarep_throttle_*): "may I send @e quantity recipients
 *    for @e key now?", decided against one or more limits at once, with the
 *    state kept in process memory, in a shared file (many processes on one
 *    host) or in Redis (many hosts);
 *  - the **warm-up schedule** (mtarep_warmup_*): daily and hourly caps by day
 *    of a new IP's warm-up, slowed or paused by bounce and complaint signals,
 *    turned into limits for the limiter.
 *
 * Threads: unlike contexts, a ::mtarep_throttle locks internally, so any
 * number of threads (MTA workers) may share one. After fork(), a child
 * opens its own (a Redis connection must not be shared by two processes). A ::mtarep_warmup plan is
 * immutable after creation and may be read from any thread. Nothing here
 * needs a ::mtarep_ctx. docs/throttle.md has the store semantics, the shared
 * file format, the failure modes and the warm-up spec grammar.
 */
#ifndef MTAREP_THROTTLE_H
#define MTAREP_THROTTLE_H

#include <stdint.h>

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest key accepted, in bytes (all stores). */
#define MTAREP_THROTTLE_KEY_MAX 200
/** Most limits one decision may check. */
#define MTAREP_THROTTLE_MAX_LIMITS 8

/**
 * Where a parse or set-up error was found. Every field is set on failure;
 * on success @p text is "" and @p position -1.
 */
typedef struct mtarep_throttle_error {
    int position; /**< byte offset into the parsed text, or -1 */
    int line;     /**< 1-based line of @p position, or 0 */
    int column;   /**< 1-based column (bytes) of @p position, or 0 */
    char text[160]; /**< what is wrong; never contains a secret */
} mtarep_throttle_error;

/* ------------------------------------------------------------------ */
/** @name Limits */
/**@{*/

/** How a ::mtarep_limit counts (the zero value is GCRA). */
typedef enum mtarep_limit_kind {
    MTAREP_LIMIT_GCRA = 0,  /**< pacing with a burst: one timestamp per key */
    MTAREP_LIMIT_WINDOW = 1 /**< sliding window: at most N in ANY window of PERIOD */
} mtarep_limit_kind;

/**
 * One rate limit, "N/PERIOD", of one of two kinds.
 *
 * **GCRA** (kind ::MTAREP_LIMIT_GCRA, the zero value; "N/PERIOD[:B]"): the
 * generic cell rate algorithm of redis-cell: one stored timestamp per key
 * and limit, an emission interval T = PERIOD/N (rounded up to a whole
 * microsecond) and a tolerance B x T. For @p quantity q (recipients):
 *  - a fresh key admits up to B at once (a single request of q <= B);
 *  - sustained, one unit every T: N per PERIOD;
 *  - over ANY interval of length L, at most B + floor(L / T) units. So with
 *    the default burst (B = N) up to 2N can pass in one PERIOD right after
 *    an idle spell; pass burst 1 for pure pacing, or add a window limit;
 *  - a request of q > B, or any q when N is 0, can never pass.
 *
 * **Sliding window** (kind ::MTAREP_LIMIT_WINDOW; "N/PERIOD window"): at
 * most N units in ANY half-open window of length PERIOD, and up to N at
 * once on a fresh key. The state is 16 counters per key: the period is cut
 * into 15 sub-windows of w = ceil(PERIOD / 15) aligned on Unix time, and a
 * request of q at time t passes iff q plus every unit counted in a
 * sub-window that overlaps (t - PERIOD, t] is <= N. The oldest sub-window
 * is counted in full although only part of it is inside the window, so a
 * unit is released up to w late (at most PERIOD/15), never early: the
 * window is never over-admitted. q > N, or N = 0, never passes. @p burst
 * must be 0 (or N).
 *
 * A key's state for a limit is identified by (key, kind, period): a GCRA
 * and a window limit of the same period may be combined. Changing N or B
 * keeps the state: GCRA clamps it (stored time <= now + B x T), so a
 * lowered burst takes effect at once and nothing is admitted twice; a
 * window keeps its counts and applies the new N at once.
 */
typedef struct mtarep_limit {
    uint64_t count;     /**< N, units per period; 0 blocks everything */
    uint64_t period_ms; /**< PERIOD in ms, 1 .. 31622400000 (366 days) */
    uint64_t burst;     /**< GCRA: B, units admitted at once; 0 means N. Window: 0 */
    mtarep_limit_kind kind; /**< 0 (GCRA) unless set */
} mtarep_limit;

/**
 * Parse "N/PERIOD[:B]" or "N/PERIOD burst B" (GCRA), or "N/PERIOD window"
 * (sliding window): N a decimal integer
 * (suffix k = x1000, M = x1000000 allowed), PERIOD an optional integer
 * followed by a unit ms, s, m, h, d, w (or sec, min, hour, day, week;
 * "100/h" = "100/1h"), B as N. Spaces around tokens are allowed; a window
 * takes no burst. Examples: "100/1h", "5000/d:200", "10/1s burst 1",
 * "1k/15m", "500/1d window".
 * Bounds: N <= 10^12, B <= 10^12, period 1 ms .. 366 days, at most one
 * unit per microsecond (N <= period in us), B x T <= 10 years.
 * @param out receives the limit (burst 0 when none was given).
 * @param err if not NULL, receives the position and reason of an error.
 * @return ::MTAREP_OK or ::MTAREP_EINVAL (syntax or bounds).
 */
MTAREP_API mtarep_status mtarep_limit_parse(mtarep_limit *out, const char *text,
                                            mtarep_throttle_error *err);

/**
 * Write @p limit in the canonical form mtarep_limit_parse() reads back
 * ("100/1h", "5000/1d:200"), the period in the largest unit that divides it.
 * @return ::MTAREP_OK, ::MTAREP_EINVAL (bad limit) or ::MTAREP_ELIMIT
 *   (@p len too small; 48 bytes always suffice). A window limit is written
 *   "100/1h window".
 */
MTAREP_API mtarep_status mtarep_limit_format(char *buf, size_t len,
                                             const mtarep_limit *limit);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name The limiter */
/**@{*/

/** Opaque limiter bound to one store. Thread-safe (see the file comment). */
typedef struct mtarep_throttle mtarep_throttle;

/** What to do when the store (Redis) cannot be reached or answers an error. */
typedef enum mtarep_throttle_failure_mode {
    MTAREP_THROTTLE_FAIL_CLOSED = 0, /**< refuse: the call returns ::MTAREP_ETEMPFAIL */
    MTAREP_THROTTLE_FAIL_OPEN = 1,   /**< admit without any check */
    MTAREP_THROTTLE_FAIL_LOCAL = 2   /**< decide with a local fallback store */
} mtarep_throttle_failure_mode;

/** How a decision was reached: anything but NONE means the store failed. */
typedef enum mtarep_throttle_degraded {
    MTAREP_THROTTLE_DEGRADED_NONE = 0,   /**< the configured store decided */
    MTAREP_THROTTLE_DEGRADED_CLOSED = 1, /**< store failed; refused (::MTAREP_ETEMPFAIL) */
    MTAREP_THROTTLE_DEGRADED_OPEN = 2,   /**< store failed; admitted unchecked */
    MTAREP_THROTTLE_DEGRADED_LOCAL = 3   /**< store failed; the fallback store decided */
} mtarep_throttle_degraded;

/** Version of ::mtarep_throttle_options this header describes (its `version` field). */
#define MTAREP_THROTTLE_OPTIONS_VERSION 1

/** Options for mtarep_throttle_new(). Initialise with MTAREP_THROTTLE_OPTIONS_INIT. */
typedef struct mtarep_throttle_options {
    unsigned int version; /**< MTAREP_THROTTLE_OPTIONS_VERSION */
    mtarep_throttle_failure_mode on_failure; /**< Redis store only (default FAIL_CLOSED) */
    const char *fallback_uri;     /**< FAIL_LOCAL: local store URI, "memory:" or "file:..." (NULL: "memory:"); copied */
    unsigned int fallback_share_pct; /**< FAIL_LOCAL: the fallback enforces this percentage of each limit's N and B, 1..100 (default 100) */
    unsigned int timeout_ms;      /**< Redis connect and command timeout (default 500) */
    unsigned int retry_interval_ms; /**< after a store failure, decisions go straight to the failure mode for this long before the store is tried again (default 1000) */
    unsigned int connections;     /**< Redis connections kept for the threads sharing the object, 1..64 (default 4) */
    int client_clock;             /**< Redis: non-zero uses this host's clock instead of the server's TIME (for servers that refuse TIME in scripts; hosts' clocks must then agree) (default 0) */
    mtarep_log_level log_level;   /**< most verbose level passed to log_cb (default WARNING) */
    mtarep_log_cb log_cb;         /**< NULL: no logging */
    void *log_payload;            /**< passed to log_cb */
} mtarep_throttle_options;

/** Static initializer of ::mtarep_throttle_options: this version, every default. */
#define MTAREP_THROTTLE_OPTIONS_INIT                                          \
    { MTAREP_THROTTLE_OPTIONS_VERSION, MTAREP_THROTTLE_FAIL_CLOSED, NULL, 100, \
      500, 1000, 4, 0, MTAREP_LOG_WARNING, NULL, NULL }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_throttle_options_init(mtarep_throttle_options *opts,
                                                      unsigned int version);

/** State of one limit after a decision. */
typedef struct mtarep_limit_state {
    uint64_t remaining;      /**< units that could still pass at once right now */
    uint64_t reset_after_ms; /**< until the limit is back to its full burst (window: until every counted unit has left it), ms rounded up */
    int blocking;            /**< non-zero if this limit refused the request */
} mtarep_limit_state;

/** Outcome of mtarep_throttle_try() and friends. */
typedef struct mtarep_throttle_decision {
    int admitted; /**< non-zero: the quantity was counted against every limit */
    /** 0 when admitted; else the exact wait in ms (rounded up) after which
     * the same request passes if nothing else is sent; -1: never (quantity
     * above a window's N or a GCRA burst, or a limit with N = 0). When degraded CLOSED: the
     * options' retry_interval_ms, after which the store is tried again. */
    int64_t retry_after_ms;
    mtarep_throttle_degraded degraded; /**< how the decision was made */
    size_t nlimits;                    /**< entries used in @p limits */
    mtarep_limit_state limits[MTAREP_THROTTLE_MAX_LIMITS]; /**< in the order given; zeros when degraded OPEN or CLOSED */
    char message[160]; /**< why degraded, or the error; "" otherwise. No secrets. */
} mtarep_throttle_decision;

/**
 * Open a limiter on a store.
 * @param store_uri one of
 *   - "memory:" or "memory:?slots=N": this process only;
 *   - "file:/path[?slots=N]": a table memory-mapped from a file that any
 *     process of this host may share (created with mode 0660 & ~umask when
 *     missing; N, a power of two 64 .. 16777216, default 65536, only
 *     matters at creation);
 *   - "redis://[[user]:password@]host[:port][/db]": a Redis server (port
 *     6379, db 0 by default); the password never appears in messages.
 *   A table (memory or file) holds at most N (key, period) pairs whose
 *   state has not drained; a new key is refused with ::MTAREP_ELIMIT when
 *   its part of the table is full; a live key is never evicted.
 * @param opts NULL for defaults.
 * @param err  if not NULL, receives the reason of a failure.
 * @return ::MTAREP_OK; ::MTAREP_EINVAL (bad URI or options);
 *   ::MTAREP_EVERSION (options version, or a file of another format
 *   version); ::MTAREP_EPARSE (a file that is not a valid throttle table);
 *   ::MTAREP_EIO (cannot create, open or map the file); ::MTAREP_ENOMEM.
 *   A Redis server that cannot be reached is not an error here: the first
 *   decisions report it.
 */
MTAREP_API mtarep_status mtarep_throttle_new(mtarep_throttle **out,
                                             const char *store_uri,
                                             const mtarep_throttle_options *opts,
                                             mtarep_throttle_error *err);

/** Close the store and free the limiter; NULL is allowed. No call may be running on it. */
MTAREP_API void mtarep_throttle_free(mtarep_throttle *t);

/**
 * Count @p quantity units against every limit of @p key, all or nothing,
 * without waiting.
 * @param out      receives the decision (always filled).
 * @param key      1 .. ::MTAREP_THROTTLE_KEY_MAX bytes, any content
 *                 (sending IP, destination domain, campaign, ...).
 * @param limits   1 .. ::MTAREP_THROTTLE_MAX_LIMITS limits, no two of the same kind and period.
 * @param quantity units (recipients), >= 1.
 * @return ::MTAREP_OK whether admitted or not (see out->admitted);
 *   ::MTAREP_EINVAL (bad key, limit or quantity); ::MTAREP_ELIMIT (table
 *   full for a new key); ::MTAREP_ETEMPFAIL (store failed and the mode is
 *   FAIL_CLOSED, or the fallback failed too); ::MTAREP_EIO.
 */
MTAREP_API mtarep_status mtarep_throttle_try(mtarep_throttle_decision *out,
                                             mtarep_throttle *t, const char *key,
                                             const mtarep_limit *limits,
                                             size_t nlimits, uint64_t quantity);

/**
 * As mtarep_throttle_try(), but when refused sleeps the retry time and
 * tries again until admitted or @p max_wait_ms has passed.
 * @return ::MTAREP_OK when admitted; ::MTAREP_ETHROTTLED when the wait
 *   needed exceeds what is left of @p max_wait_ms (returned at once, not
 *   after sleeping in vain; out->retry_after_ms says how long it would
 *   be); ::MTAREP_ELIMIT when the request can never pass (retry -1);
 *   otherwise as mtarep_throttle_try().
 */
MTAREP_API mtarep_status mtarep_throttle_acquire(mtarep_throttle_decision *out,
                                                 mtarep_throttle *t, const char *key,
                                                 const mtarep_limit *limits,
                                                 size_t nlimits, uint64_t quantity,
                                                 unsigned int max_wait_ms);

/**
 * Report the state of @p key under @p limits without counting anything:
 * out->admitted says whether one unit would pass now, remaining and
 * reset_after_ms are filled per limit.
 * @return as mtarep_throttle_try().
 */
MTAREP_API mtarep_status mtarep_throttle_status(mtarep_throttle_decision *out,
                                                mtarep_throttle *t, const char *key,
                                                const mtarep_limit *limits,
                                                size_t nlimits);

/**
 * Forget the state of @p key for the periods of @p limits (as if fresh).
 * @return ::MTAREP_OK (also when there was no state), ::MTAREP_EINVAL,
 *   ::MTAREP_ETEMPFAIL (store failed; the failure mode does not apply).
 */
MTAREP_API mtarep_status mtarep_throttle_reset(mtarep_throttle *t, const char *key,
                                               const mtarep_limit *limits,
                                               size_t nlimits);

/** The store URI with any password removed ("redis://host:6379/0"). */
MTAREP_API const char *mtarep_throttle_store(const mtarep_throttle *t);

/**@}*/
/* ------------------------------------------------------------------ */
/** @name Warm-up schedules */
/**@{*/

/** Opaque warm-up plan: day -> daily cap and hourly cap. Immutable. */
typedef struct mtarep_warmup mtarep_warmup;

/**
 * Built-in plan by name:
 *  - "mtarep": 21 days, days 1-3 50/70/100, days 4-7 120..200, week 2
 *    220..500, week 3 550..1000 per day (docs/throttle.md lists every day),
 *    hourly cap = daily / 8 rounded up;
 *  - "sendgrid": Twilio SendGrid's 42-day hourly table (20/h on day 1 to
 *    19,601,056/h on day 42), daily cap = 24 x hourly;
 *  - "sparkpost": SparkPost's 29-day daily table (200 .. 10,000,000),
 *    hourly cap = daily / 8 rounded up;
 *  - "mailtrap": Mailtrap's 21-day table (300 .. 57,000 per day), hourly
 *    cap = daily / 5 rounded up (their 60/h on day 1).
 * @return ::MTAREP_OK, ::MTAREP_ENOTFOUND (unknown name), ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_warmup_preset(mtarep_warmup **out, const char *name);

/** Names accepted by mtarep_warmup_preset(); static, @p n_out receives the count. */
MTAREP_API const char *const *mtarep_warmup_preset_names(size_t *n_out);

/**
 * Geometric plan: day 1 = @p start per day, each day x @p factor (rounded
 * up), until the day that reaches @p ceiling, which is the last day.
 * Hourly cap = daily / 8 rounded up.
 * @return ::MTAREP_EINVAL unless 1 <= start <= ceiling <= 10^12 and
 *   1.01 <= factor <= 100, and the plan has at most 366 days.
 */
MTAREP_API mtarep_status mtarep_warmup_geometric(mtarep_warmup **out, uint64_t start,
                                                 double factor, uint64_t ceiling);

/**
 * Parse a plan written in the warm-up spec language (grammar in
 * docs/throttle.md). Example:
 * @code
 * # days 1-3, then +40 % a day up to 50k
 * spread 8                  # hourly cap = daily / 8 unless given
 * day 1 50/d                # or "day 1 50/d 10/h"
 * day 2-3 100/d
 * geometric 150 1.4 50000   # days 4.. until 50000 is reached
 * @endcode
 * @param err receives the byte position, line, column and reason of an error.
 * @return ::MTAREP_OK, ::MTAREP_EPARSE, ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_warmup_parse(mtarep_warmup **out, const char *spec,
                                             mtarep_throttle_error *err);

/** Free a plan; NULL is allowed. */
MTAREP_API void mtarep_warmup_free(mtarep_warmup *w);

/** Number of days in the plan (>= 1); after the last day its caps stay. */
MTAREP_API int mtarep_warmup_days(const mtarep_warmup *w);

/**
 * Write the plan in the spec language, one "day N D/d H/h" line per day
 * (mtarep_warmup_parse() reads it back to the same plan).
 * @return ::MTAREP_OK, or ::MTAREP_ELIMIT if @p len is too small
 *   (@p buf then holds a truncated, NUL-terminated text).
 */
MTAREP_API mtarep_status mtarep_warmup_format(char *buf, size_t len,
                                              const mtarep_warmup *w);

/**
 * Parse a start date "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS]Z"
 * into Unix seconds.
 * @return ::MTAREP_OK or ::MTAREP_EINVAL.
 */
MTAREP_API mtarep_status mtarep_warmup_parse_date(int64_t *out, const char *text);

/**
 * Plan day for calendar time @p now given the plan's @p start (both Unix
 * seconds): 1 + whole days elapsed; 1 before the start.
 */
MTAREP_API int mtarep_warmup_day_index(int64_t start, int64_t now);

/** What the signals say the plan should do (mtarep_warmup_evaluate()). */
typedef enum mtarep_warmup_action {
    MTAREP_WARMUP_ADVANCE = 0, /**< healthy: follow the plan */
    MTAREP_WARMUP_HOLD = 1,    /**< a warning threshold is crossed: stop advancing */
    MTAREP_WARMUP_HALVE = 2,   /**< a bad threshold is crossed: stop advancing, half the caps */
    MTAREP_WARMUP_PAUSE = 3    /**< a pause threshold is crossed or block-listed: send nothing */
} mtarep_warmup_action;

/** Caps in force for one day. */
typedef struct mtarep_warmup_caps {
    int day;          /**< plan day the caps come from (>= 1) */
    uint64_t daily;   /**< units per day (0 when paused) */
    uint64_t hourly;  /**< units per hour (0 when paused) */
    int done;         /**< non-zero: past the plan's last day */
    mtarep_warmup_action action; /**< action applied (ADVANCE when none) */
} mtarep_warmup_caps;

/**
 * Caps of plan day @p day (< 1 counts as 1; past the end, the last day's
 * caps with done set), no signal applied.
 */
MTAREP_API mtarep_status mtarep_warmup_caps_for_day(mtarep_warmup_caps *out,
                                                    const mtarep_warmup *w, int day);

/** Version of ::mtarep_warmup_signals this header describes (its `version` field). */
#define MTAREP_WARMUP_SIGNALS_VERSION 1

/**
 * Delivery signals over the recent window (typically the last 24 hours)
 * and the thresholds that judge them. Rates are fractions (0.02 = 2 %);
 * a negative rate means "not measured" and is ignored. Default thresholds
 * are the published provider limits of docs/throttle.md (SES, Gmail,
 * Yahoo), not tuned values.
 */
typedef struct mtarep_warmup_signals {
    unsigned int version;   /**< MTAREP_WARMUP_SIGNALS_VERSION */
    uint64_t sent;          /**< messages behind the rates; below min_sample rates are ignored */
    double bounce_rate;     /**< hard bounces / sent */
    double complaint_rate;  /**< spam complaints / sent */
    double deferral_rate;   /**< 4xx deferrals / attempts */
    int blocklisted;        /**< non-zero: block-list or reputation 5.7.x rejections seen */
    /* thresholds (>= triggers) */
    uint64_t min_sample;      /**< default 100 */
    double bounce_hold;       /**< default 0.02 */
    double bounce_halve;      /**< default 0.05 */
    double bounce_pause;      /**< default 0.10 (SES may pause sending) */
    double complaint_hold;    /**< default 0.001 (Gmail: stay below 0.1 %) */
    double complaint_halve;   /**< default 0.003 (Gmail/Yahoo: never 0.3 %) */
    double complaint_pause;   /**< default 0.005 (SES pause) */
    double deferral_hold;     /**< default 0.10 */
    double deferral_halve;    /**< default 0.30 */
} mtarep_warmup_signals;

/** Static initializer of ::mtarep_warmup_signals: this version, every default. */
#define MTAREP_WARMUP_SIGNALS_INIT                                            \
    { MTAREP_WARMUP_SIGNALS_VERSION, 0, -1.0, -1.0, -1.0, 0, 100, 0.02, 0.05,  \
      0.10, 0.001, 0.003, 0.005, 0.10, 0.30 }

/**
 * Judge @p signals: PAUSE if block-listed or any pause threshold is
 * reached; else HALVE if any halve threshold is; else HOLD if any hold
 * threshold is; else ADVANCE. Rates below min_sample messages count only
 * for PAUSE by block-listing.
 * @return ::MTAREP_OK, ::MTAREP_EVERSION, ::MTAREP_EINVAL (thresholds not
 *   ordered hold <= halve <= pause).
 */
MTAREP_API mtarep_status mtarep_warmup_evaluate(mtarep_warmup_action *out,
                                                const mtarep_warmup_signals *signals);

/**
 * Where a warm-up stands: plain data owned by the caller (store it
 * anywhere, one per IP or stream). Initialise with
 * mtarep_warmup_progress_init(); update with mtarep_warmup_progress_apply().
 */
typedef struct mtarep_warmup_progress {
    int64_t start;        /**< plan start, Unix seconds */
    int64_t held_seconds; /**< time spent not advancing, before hold_since */
    int64_t hold_since;   /**< start of the current hold, or 0 when advancing */
    mtarep_warmup_action action; /**< last action applied */
} mtarep_warmup_progress;

/** Start a warm-up at @p start (Unix seconds). */
MTAREP_API void mtarep_warmup_progress_init(mtarep_warmup_progress *p, int64_t start);

/**
 * Apply @p action at time @p now. HOLD, HALVE and PAUSE stop the plan's
 * clock (the day does not advance while they last; HALVE halves the caps,
 * PAUSE makes them 0); ADVANCE restarts it from where it stopped, so a
 * three-day hold makes every later day come three days later.
 */
MTAREP_API void mtarep_warmup_progress_apply(mtarep_warmup_progress *p,
                                             mtarep_warmup_action action, int64_t now);

/**
 * Caps in force at @p now for a warm-up at @p p: the plan day counted from
 * the start minus held time, then the last action applied.
 */
MTAREP_API mtarep_status mtarep_warmup_caps_at(mtarep_warmup_caps *out,
                                               const mtarep_warmup *w,
                                               const mtarep_warmup_progress *p,
                                               int64_t now);

/**
 * Turn caps into two sliding-window limits for mtarep_throttle_try():
 *  - out[0], the day: at most caps->daily in ANY 24-hour window
 *    (count = daily, period 1 d, kind ::MTAREP_LIMIT_WINDOW);
 *  - out[1], the hour: at most caps->hourly (<= daily) in ANY hour
 *    (count = hourly, period 1 h, window), so no more than one hour's cap
 *    goes out at once and a day's budget is spread over >= daily/hourly
 *    hours. A sender busy around the clock gets the full daily cap.
 * Paused caps give count 0 (nothing passes).
 */
MTAREP_API void mtarep_warmup_limits(mtarep_limit out[2], const mtarep_warmup_caps *caps);

/**@}*/

#ifdef __cplusplus
}
#endif
#endif
