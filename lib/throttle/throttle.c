/* The limiter object: argument checks, the store, the failure modes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "throttle_int.h"

struct mtarep_throttle {
    mtarep_throttle_options opts;
    mtarep__tstore *store;
    mtarep__tstore *fallback; /* FAIL_LOCAL only */
    mtarep__tclock clock;
    mtarep__tlog log;
    char *uri; /* without secrets */
    pthread_mutex_t mu; /* guards the failure bookkeeping below */
    int failing;        /* atomic read outside mu */
    uint64_t degraded;  /* decisions made in failure mode since it began */
    uint64_t last_log_ms;
};

#define RELOG_MS 10000u

static const mtarep__tclock real_clock = {mtarep__real_now_us, mtarep__real_sleep_us, NULL};

mtarep_status mtarep_throttle_options_init(mtarep_throttle_options *opts, unsigned int version)
{
    static const mtarep_throttle_options defaults = MTAREP_THROTTLE_OPTIONS_INIT;
    if (!opts)
        return MTAREP_EINVAL;
    if (version == 0 || version > MTAREP_THROTTLE_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = defaults;
    opts->version = version;
    return MTAREP_OK;
}

static int open_store(mtarep__tstore **out, const char *uri, const mtarep_throttle_options *o,
                      const mtarep__tlog *lg, char *safe, size_t safelen, int local_only,
                      mtarep_throttle_error *err)
{
    if (strncmp(uri, "memory:", 7) == 0) {
        snprintf(safe, safelen, "%s", uri);
        return mtarep__table_open_memory(out, uri + 7, lg, err);
    }
    if (strncmp(uri, "file:", 5) == 0) {
        snprintf(safe, safelen, "%s", uri);
        return mtarep__table_open_file(out, uri + 5, lg, err);
    }
    if (strncmp(uri, "redis://", 8) == 0 && !local_only) {
        mtarep__redis_cfg cfg = {o->timeout_ms, o->retry_interval_ms, o->connections,
                                 o->client_clock};
        return mtarep__redis_open(out, uri, &cfg, lg, safe, safelen, err);
    }
    return mtarep__terr(err, MTAREP_EINVAL, NULL, -1,
                        local_only ? "fallback store must be memory: or file:"
                                   : "unknown store (memory:, file:/path, redis://host:port)");
}

mtarep_status mtarep_throttle_new(mtarep_throttle **out, const char *store_uri,
                                  const mtarep_throttle_options *opts,
                                  mtarep_throttle_error *err)
{
    mtarep_throttle *t;
    char safe[4200];
    int rc;

    if (err) {
        err->position = -1;
        err->line = err->column = 0;
        err->text[0] = '\0';
    }
    if (!out || !store_uri)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "out or store URI is NULL");
    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > MTAREP_THROTTLE_OPTIONS_VERSION))
        return mtarep__terr(err, MTAREP_EVERSION, NULL, -1, "unsupported options version %u",
                            opts->version);
    t = calloc(1, sizeof *t);
    if (!t)
        return MTAREP_ENOMEM;
    if (opts)
        t->opts = *opts;
    else
        mtarep_throttle_options_init(&t->opts, MTAREP_THROTTLE_OPTIONS_VERSION);
    t->opts.fallback_uri = NULL; /* never keep caller memory */
    if ((unsigned)t->opts.on_failure > MTAREP_THROTTLE_FAIL_LOCAL ||
        t->opts.fallback_share_pct < 1 || t->opts.fallback_share_pct > 100 ||
        t->opts.timeout_ms < 1 || t->opts.timeout_ms > 600000 || t->opts.connections < 1 ||
        t->opts.connections > 64 || t->opts.retry_interval_ms > 3600000) {
        free(t);
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1,
                            "bad option (failure mode, share 1..100, timeout 1..600000 ms, "
                            "connections 1..64, retry interval <= 1 h)");
    }
    t->clock = real_clock;
    t->log.cb = t->opts.log_cb;
    t->log.payload = t->opts.log_payload;
    t->log.level = t->opts.log_level;
    pthread_mutex_init(&t->mu, NULL);
    rc = open_store(&t->store, store_uri, &t->opts, &t->log, safe, sizeof safe, 0, err);
    if (rc == MTAREP_OK && t->opts.on_failure == MTAREP_THROTTLE_FAIL_LOCAL && t->store->remote) {
        const char *fb = opts && opts->fallback_uri ? opts->fallback_uri : "memory:";
        char fsafe[4200];
        rc = open_store(&t->fallback, fb, &t->opts, &t->log, fsafe, sizeof fsafe, 1, err);
    }
    if (rc == MTAREP_OK && !(t->uri = mtarep__strdup(safe)))
        rc = MTAREP_ENOMEM;
    if (rc != MTAREP_OK) {
        mtarep_throttle_free(t);
        return rc;
    }
    *out = t;
    return MTAREP_OK;
}

void mtarep_throttle_free(mtarep_throttle *t)
{
    if (!t)
        return;
    if (t->store)
        t->store->ops->free(t->store);
    if (t->fallback)
        t->fallback->ops->free(t->fallback);
    pthread_mutex_destroy(&t->mu);
    free(t->uri);
    free(t);
}

const char *mtarep_throttle_store(const mtarep_throttle *t)
{
    return t && t->uri ? t->uri : "";
}

void mtarep__throttle_set_clock(mtarep_throttle *t, const mtarep__tclock *clock)
{
    t->clock = clock ? *clock : real_clock;
}

mtarep__tstore *mtarep__throttle_store_of(mtarep_throttle *t)
{
    return t->store;
}

/* ---------------------------------------------------------------- checks */

static int check_args(mtarep_throttle_decision *out, const char *key, const mtarep_limit *limits,
                      size_t n, mtarep__gcra *g, size_t *klen)
{
    char msg[120];

    if (!key || !(*klen = strlen(key)) || *klen > MTAREP_THROTTLE_KEY_MAX) {
        snprintf(out->message, sizeof out->message, "key must be 1..%d bytes",
                 MTAREP_THROTTLE_KEY_MAX);
        return MTAREP_EINVAL;
    }
    if (!limits || n < 1 || n > MTAREP_THROTTLE_MAX_LIMITS) {
        snprintf(out->message, sizeof out->message, "need 1..%d limits",
                 MTAREP_THROTTLE_MAX_LIMITS);
        return MTAREP_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (mtarep__gcra_prepare(&g[i], &limits[i], msg, sizeof msg) != MTAREP_OK) {
            snprintf(out->message, sizeof out->message, "limit %zu: %s", i, msg);
            return MTAREP_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (g[j].ident == g[i].ident) {
                snprintf(out->message, sizeof out->message,
                         "limits %zu and %zu have the same period and kind (one state per key, "
                         "kind and period)",
                         j, i);
                return MTAREP_EINVAL;
            }
    }
    return MTAREP_OK;
}

/* prefix + detail, truncated to the message buffer */
static void set_message(mtarep_throttle_decision *out, const char *prefix, const char *detail)
{
    snprintf(out->message, sizeof out->message, "%s%s", prefix, detail);
}

static const char *mode_text(mtarep_throttle_failure_mode m)
{
    switch (m) {
    case MTAREP_THROTTLE_FAIL_OPEN:
        return "admitting unchecked (fail open)";
    case MTAREP_THROTTLE_FAIL_LOCAL:
        return "deciding with the local fallback store (fail local)";
    default:
        return "refusing (fail closed)";
    }
}

/* Failure bookkeeping: log when it starts, every RELOG_MS while it lasts,
 * and when the store answers again; each decision is flagged as well. */
static void note_failure(mtarep_throttle *t, const char *msg)
{
    uint64_t now = mtarep__mono_ms();
    pthread_mutex_lock(&t->mu);
    t->degraded++;
    if (!t->failing) {
        __atomic_store_n(&t->failing, 1, __ATOMIC_RELEASE);
        t->last_log_ms = now;
        mtarep__tlogf(&t->log, MTAREP_LOG_WARNING, "throttle store failed: %s; %s", msg,
                      mode_text(t->opts.on_failure));
    } else if (now - t->last_log_ms >= RELOG_MS) {
        t->last_log_ms = now;
        mtarep__tlogf(&t->log, MTAREP_LOG_WARNING,
                      "throttle store still failing (%llu decisions degraded): %s; %s",
                      (unsigned long long)t->degraded, msg, mode_text(t->opts.on_failure));
    }
    pthread_mutex_unlock(&t->mu);
}

static void note_success(mtarep_throttle *t)
{
    if (!__atomic_load_n(&t->failing, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&t->mu);
    if (t->failing) {
        mtarep__tlogf(&t->log, MTAREP_LOG_WARNING,
                      "throttle store %s answers again after %llu degraded decisions", t->uri,
                      (unsigned long long)t->degraded);
        t->degraded = 0;
        __atomic_store_n(&t->failing, 0, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&t->mu);
}

static int decide(mtarep_throttle_decision *out, mtarep_throttle *t, const char *key,
                  const mtarep_limit *limits, size_t n, uint64_t q, int peek)
{
    mtarep__gcra g[MTAREP_THROTTLE_MAX_LIMITS];
    mtarep__lstate view[MTAREP_THROTTLE_MAX_LIMITS];
    uint64_t used_now;
    char msg[sizeof out->message];
    size_t klen = 0;
    int rc, admitted = 0;

    if (!out)
        return MTAREP_EINVAL;
    memset(out, 0, sizeof *out);
    if (!t) {
        snprintf(out->message, sizeof out->message, "throttle is NULL");
        return MTAREP_EINVAL;
    }
    if ((rc = check_args(out, key, limits, n, g, &klen)) != MTAREP_OK)
        return rc;
    if (q < 1) {
        snprintf(out->message, sizeof out->message, "quantity must be >= 1");
        return MTAREP_EINVAL;
    }
    msg[0] = '\0';
    rc = t->store->ops->decide(t->store, key, klen, g, n, q, peek, &t->clock, &used_now, view,
                               &admitted, msg, sizeof msg);
    if (rc == MTAREP_OK) {
        note_success(t);
        mtarep__gcra_fill(out, used_now, g, n, q, view, admitted, !peek);
        return MTAREP_OK;
    }
    if (rc != MTAREP_ETEMPFAIL || !t->store->remote) {
        set_message(out, "", msg);
        return rc;
    }
    note_failure(t, msg);
    out->nlimits = n;
    switch (t->opts.on_failure) {
    case MTAREP_THROTTLE_FAIL_OPEN:
        out->admitted = 1;
        out->degraded = MTAREP_THROTTLE_DEGRADED_OPEN;
        set_message(out, "admitted unchecked: ", msg);
        return MTAREP_OK;
    case MTAREP_THROTTLE_FAIL_LOCAL: {
        mtarep__gcra lg[MTAREP_THROTTLE_MAX_LIMITS];
        char fmsg[sizeof out->message];
        for (size_t i = 0; i < n; i++) {
            mtarep_limit l = limits[i];
            uint64_t pct = t->opts.fallback_share_pct;
            uint64_t b = l.burst ? l.burst : l.count;
            if (l.count) {
                /* a share of each limit, never below one unit */
                l.count = l.count * pct / 100 ? l.count * pct / 100 : 1;
                l.burst = l.kind == MTAREP_LIMIT_WINDOW ? 0 : b * pct / 100 ? b * pct / 100 : 1;
            }
            mtarep__gcra_prepare(&lg[i], &l, fmsg, sizeof fmsg);
        }
        fmsg[0] = '\0';
        rc = t->fallback->ops->decide(t->fallback, key, klen, lg, n, q, peek, &t->clock,
                                      &used_now, view, &admitted, fmsg, sizeof fmsg);
        out->degraded = MTAREP_THROTTLE_DEGRADED_LOCAL;
        if (rc != MTAREP_OK) {
            set_message(out, "fallback store failed too: ", fmsg);
            return rc == MTAREP_ELIMIT ? rc : MTAREP_ETEMPFAIL;
        }
        mtarep__gcra_fill(out, used_now, lg, n, q, view, admitted, !peek);
        set_message(out, "decided locally: ", msg);
        return MTAREP_OK;
    }
    default:
        out->admitted = 0;
        out->degraded = MTAREP_THROTTLE_DEGRADED_CLOSED;
        out->retry_after_ms = t->opts.retry_interval_ms;
        set_message(out, "refused: ", msg);
        return MTAREP_ETEMPFAIL;
    }
}

mtarep_status mtarep_throttle_try(mtarep_throttle_decision *out, mtarep_throttle *t,
                                  const char *key, const mtarep_limit *limits, size_t nlimits,
                                  uint64_t quantity)
{
    return decide(out, t, key, limits, nlimits, quantity, 0);
}

mtarep_status mtarep_throttle_status(mtarep_throttle_decision *out, mtarep_throttle *t,
                                     const char *key, const mtarep_limit *limits,
                                     size_t nlimits)
{
    return decide(out, t, key, limits, nlimits, 1, 1);
}

mtarep_status mtarep_throttle_acquire(mtarep_throttle_decision *out, mtarep_throttle *t,
                                      const char *key, const mtarep_limit *limits,
                                      size_t nlimits, uint64_t quantity,
                                      unsigned int max_wait_ms)
{
    uint64_t start, deadline;
    int rc;

    if (!t || !out)
        return decide(out, t, key, limits, nlimits, quantity, 0);
    start = t->clock.now_us(t->clock.arg);
    deadline = start + (uint64_t)max_wait_ms * 1000u;
    for (;;) {
        uint64_t now, wait;
        rc = decide(out, t, key, limits, nlimits, quantity, 0);
        if (rc != MTAREP_OK || out->admitted)
            return rc;
        if (out->retry_after_ms < 0) {
            snprintf(out->message, sizeof out->message,
                     "quantity can never pass these limits (above N or a burst, or a zero limit)");
            return MTAREP_ELIMIT;
        }
        now = t->clock.now_us(t->clock.arg);
        wait = (uint64_t)out->retry_after_ms * 1000u;
        if (now + wait > deadline) {
            snprintf(out->message, sizeof out->message,
                     "would pass in %lld ms, beyond the %u ms allowed",
                     (long long)out->retry_after_ms, max_wait_ms);
            return MTAREP_ETHROTTLED;
        }
        t->clock.sleep_us(t->clock.arg, wait);
    }
}

mtarep_status mtarep_throttle_reset(mtarep_throttle *t, const char *key,
                                    const mtarep_limit *limits, size_t nlimits)
{
    mtarep__gcra g[MTAREP_THROTTLE_MAX_LIMITS];
    mtarep_throttle_decision d;
    char msg[160];
    size_t klen = 0;
    int rc;

    if (!t)
        return MTAREP_EINVAL;
    memset(&d, 0, sizeof d);
    if ((rc = check_args(&d, key, limits, nlimits, g, &klen)) != MTAREP_OK)
        return rc;
    rc = t->store->ops->reset(t->store, key, klen, g, nlimits, msg, sizeof msg);
    if (rc == MTAREP_OK && t->fallback)
        t->fallback->ops->reset(t->fallback, key, klen, g, nlimits, msg, sizeof msg);
    return rc;
}
