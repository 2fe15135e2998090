/* GCRA arithmetic and the "N/PERIOD[:B]" limit syntax. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "throttle_int.h"

/* ---------------------------------------------------------------- errors */

static void err_locate(mtarep_throttle_error *err, const char *text, int position)
{
    err->position = position;
    err->line = 0;
    err->column = 0;
    if (position < 0 || !text)
        return;
    err->line = 1;
    err->column = 1;
    for (int i = 0; i < position && text[i]; i++) {
        if (text[i] == '\n') {
            err->line++;
            err->column = 1;
        } else {
            err->column++;
        }
    }
}

int mtarep__terr(mtarep_throttle_error *err, int code, const char *text, int position,
                 const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    err_locate(err, text, position);
    return code;
}

void mtarep__tlogf(const mtarep__tlog *lg, mtarep_log_level level, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (!lg || !lg->cb || level > lg->level)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->cb(level, buf, lg->payload);
}

/* ---------------------------------------------------------------- clock */

uint64_t mtarep__real_now_us(void *arg)
{
    struct timespec ts;
    (void)arg;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void mtarep__real_sleep_us(void *arg, uint64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    (void)arg;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

uint64_t mtarep__mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------------- GCRA */

int mtarep__gcra_prepare(mtarep__gcra *g, const mtarep_limit *l, char *msg, size_t len)
{
    memset(g, 0, sizeof *g);
    if (l->period_ms == 0 || l->period_ms > MTAREP__PERIOD_MAX_MS) {
        snprintf(msg, len, "period must be 1 ms .. 366 days");
        return MTAREP_EINVAL;
    }
    if (l->count > MTAREP__COUNT_MAX || l->burst > MTAREP__COUNT_MAX) {
        snprintf(msg, len, "count and burst must be <= 10^12");
        return MTAREP_EINVAL;
    }
    g->period_ms = l->period_ms;
    g->period_us = l->period_ms * 1000u;
    g->count = l->count;
    if (l->count == 0) {
        /* Blocks everything: no tolerance, so no quantity fits. */
        g->burst = 0;
        g->T = g->period_us;
        g->tau = 0;
        return MTAREP_OK;
    }
    if (l->count > g->period_us) {
        snprintf(msg, len, "rate above one unit per microsecond (%llu per %llu ms)",
                 (unsigned long long)l->count, (unsigned long long)l->period_ms);
        return MTAREP_EINVAL;
    }
    g->burst = l->burst ? l->burst : l->count;
    /* Rounding T up makes the rate at most N per period, never more. */
    g->T = (g->period_us + l->count - 1) / l->count;
    if (g->burst > MTAREP__TAU_MAX / g->T) {
        snprintf(msg, len, "burst x interval exceeds 10 years");
        return MTAREP_EINVAL;
    }
    g->tau = g->burst * g->T;
    return MTAREP_OK;
}

int mtarep__gcra_decide(uint64_t now, const mtarep__gcra *g, size_t n, uint64_t q,
                        uint64_t *tat, uint64_t *eff)
{
    uint64_t next[MTAREP_THROTTLE_MAX_LIMITS];
    int ok = 1;

    for (size_t i = 0; i < n; i++) {
        uint64_t t = tat[i];
        /* Clamp: a lowered rate or burst (or a clock that jumped back, or
         * a corrupt value) never leaves more than tau of backlog. */
        if (t > now + g[i].tau)
            t = now + g[i].tau;
        if (t < now)
            t = now;
        eff[i] = t;
        /* q > burst can never fit; checked before multiplying so q*T
         * cannot overflow (burst*T <= 10 years). */
        if (q > g[i].burst || g[i].count == 0) {
            ok = 0;
            continue;
        }
        next[i] = t + q * g[i].T;
        if (next[i] - now > g[i].tau)
            ok = 0;
    }
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++)
        tat[i] = next[i];
    return 1;
}

static uint64_t ceil_ms(uint64_t us)
{
    return (us + 999u) / 1000u;
}

void mtarep__gcra_fill(mtarep_throttle_decision *d, uint64_t now, const mtarep__gcra *g,
                       size_t n, uint64_t q, const uint64_t *eff, int admitted, int counted)
{
    uint64_t wait = 0;
    int never = 0;

    d->admitted = admitted;
    d->nlimits = n;
    for (size_t i = 0; i < n; i++) {
        mtarep_limit_state *ls = &d->limits[i];
        uint64_t base = eff[i], used;

        memset(ls, 0, sizeof *ls);
        if (admitted && counted)
            base = eff[i] + q * g[i].T;
        used = base - now;
        ls->remaining = (g[i].T && g[i].tau > used) ? (g[i].tau - used) / g[i].T : 0;
        ls->reset_after_ms = ceil_ms(used);
        if (admitted)
            continue;
        if (q > g[i].burst || g[i].count == 0) {
            ls->blocking = 1;
            never = 1;
            continue;
        }
        if (eff[i] + q * g[i].T - now > g[i].tau) {
            /* Passes once the TAT has drained to tau - q*T from now. */
            uint64_t w = eff[i] + q * g[i].T - g[i].tau - now;
            ls->blocking = 1;
            if (w > wait)
                wait = w;
        }
    }
    if (admitted)
        d->retry_after_ms = 0;
    else if (never)
        d->retry_after_ms = -1;
    else
        d->retry_after_ms = (int64_t)ceil_ms(wait);
}

/* ---------------------------------------------------------------- syntax */

static const struct {
    const char *name;
    uint64_t ms;
} units[] = {
    {"ms", 1},          {"msec", 1},          {"s", 1000},         {"sec", 1000},
    {"secs", 1000},     {"second", 1000},     {"seconds", 1000},   {"m", 60000},
    {"min", 60000},     {"mins", 60000},      {"minute", 60000},   {"minutes", 60000},
    {"h", 3600000},     {"hr", 3600000},      {"hour", 3600000},   {"hours", 3600000},
    {"d", 86400000},    {"day", 86400000},    {"days", 86400000},  {"w", 604800000},
    {"week", 604800000}, {"weeks", 604800000},
};

static void skip_ws(const char *s, size_t *i)
{
    while (s[*i] == ' ' || s[*i] == '\t')
        (*i)++;
}

/* digits with an optional k/M suffix; stops at max. */
static int parse_count(const char *s, size_t *i, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t st = *i;

    while (isdigit((unsigned char)s[*i])) {
        v = v * 10u + (uint64_t)(s[*i] - '0');
        if (v > max)
            return MTAREP_ELIMIT;
        (*i)++;
    }
    if (*i == st)
        return MTAREP_EINVAL;
    if (s[*i] == 'k' || s[*i] == 'M') {
        uint64_t mul = s[*i] == 'k' ? 1000u : 1000000u;
        if (v > max / mul)
            return MTAREP_ELIMIT;
        v *= mul;
        (*i)++;
    }
    *out = v;
    return MTAREP_OK;
}

mtarep_status mtarep_limit_parse(mtarep_limit *out, const char *text,
                                 mtarep_throttle_error *err)
{
    mtarep_limit l = {0, 0, 0};
    uint64_t pv = 1;
    size_t i = 0, st;
    int rc;
    char msg[120];
    mtarep__gcra g;

    if (err) {
        err->position = -1;
        err->line = err->column = 0;
        err->text[0] = '\0';
    }
    if (!out || !text)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "limit is NULL");
    memset(out, 0, sizeof *out);
    skip_ws(text, &i);
    st = i;
    rc = parse_count(text, &i, MTAREP__COUNT_MAX, &l.count);
    if (rc == MTAREP_ELIMIT)
        return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "count above 10^12");
    if (rc != MTAREP_OK)
        return mtarep__terr(err, MTAREP_EINVAL, text, (int)i, "expected a count (digits)");
    skip_ws(text, &i);
    if (text[i] != '/')
        return mtarep__terr(err, MTAREP_EINVAL, text, (int)i, "expected '/' after the count");
    i++;
    skip_ws(text, &i);
    st = i;
    if (isdigit((unsigned char)text[i])) {
        pv = 0;
        while (isdigit((unsigned char)text[i])) {
            pv = pv * 10u + (uint64_t)(text[i] - '0');
            if (pv > MTAREP__PERIOD_MAX_MS)
                return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "period too long");
            i++;
        }
        if (pv == 0)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "period is zero");
    }
    {
        size_t us = i, ul;
        int found = 0;
        while (isalpha((unsigned char)text[i]))
            i++;
        ul = i - us;
        if (ul == 0)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)us,
                                "expected a unit (ms, s, m, h, d, w)");
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            if (strlen(units[u].name) == ul && memcmp(units[u].name, text + us, ul) == 0) {
                if (pv > MTAREP__PERIOD_MAX_MS / units[u].ms)
                    return mtarep__terr(err, MTAREP_EINVAL, text, (int)st,
                                        "period longer than 366 days");
                l.period_ms = pv * units[u].ms;
                found = 1;
                break;
            }
        }
        if (!found)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)us,
                                "unknown unit '%.*s' (ms, s, m, h, d, w)", (int)(ul > 20 ? 20 : ul),
                                text + us);
    }
    if (l.period_ms > MTAREP__PERIOD_MAX_MS)
        return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "period longer than 366 days");
    skip_ws(text, &i);
    if (text[i] == ':' || strncmp(text + i, "burst", 5) == 0) {
        if (text[i] == ':') {
            i++;
        } else {
            i += 5;
            if (text[i] != ' ' && text[i] != '\t')
                return mtarep__terr(err, MTAREP_EINVAL, text, (int)i,
                                    "expected a space after 'burst'");
        }
        skip_ws(text, &i);
        st = i;
        rc = parse_count(text, &i, MTAREP__COUNT_MAX, &l.burst);
        if (rc == MTAREP_ELIMIT)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "burst above 10^12");
        if (rc != MTAREP_OK)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)i, "expected a burst (digits)");
        if (l.burst == 0)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)st, "burst must be >= 1");
        skip_ws(text, &i);
    }
    if (text[i] != '\0')
        return mtarep__terr(err, MTAREP_EINVAL, text, (int)i, "unexpected text after the limit");
    if (mtarep__gcra_prepare(&g, &l, msg, sizeof msg) != MTAREP_OK)
        return mtarep__terr(err, MTAREP_EINVAL, text, 0, "%s", msg);
    *out = l;
    return MTAREP_OK;
}

mtarep_status mtarep_limit_format(char *buf, size_t len, const mtarep_limit *limit)
{
    static const struct {
        const char *u;
        uint64_t ms;
    } fu[] = {{"w", 604800000}, {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000},
              {"ms", 1}};
    mtarep__gcra g;
    char msg[120];
    int n = 0;

    if (!buf || !limit)
        return MTAREP_EINVAL;
    if (len)
        buf[0] = '\0';
    if (mtarep__gcra_prepare(&g, limit, msg, sizeof msg) != MTAREP_OK)
        return MTAREP_EINVAL;
    for (size_t u = 0; u < sizeof fu / sizeof fu[0]; u++) {
        if (limit->period_ms % fu[u].ms == 0) {
            if (limit->burst && limit->burst != limit->count)
                n = snprintf(buf, len, "%llu/%llu%s:%llu", (unsigned long long)limit->count,
                             (unsigned long long)(limit->period_ms / fu[u].ms), fu[u].u,
                             (unsigned long long)limit->burst);
            else
                n = snprintf(buf, len, "%llu/%llu%s", (unsigned long long)limit->count,
                             (unsigned long long)(limit->period_ms / fu[u].ms), fu[u].u);
            break;
        }
    }
    return (n < 0 || (size_t)n >= len) ? MTAREP_ELIMIT : MTAREP_OK;
}
