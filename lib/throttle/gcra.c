/* Limit arithmetic (GCRA and sliding window) and the "N/PERIOD[:B]",
 * "N/PERIOD window" limit syntax. */
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

/* ---------------------------------------------------------------- limits */

int mtarep__gcra_prepare(mtarep__gcra *g, const mtarep_limit *l, char *msg, size_t len)
{
    memset(g, 0, sizeof *g);
    if (l->kind != MTAREP_LIMIT_GCRA && l->kind != MTAREP_LIMIT_WINDOW) {
        snprintf(msg, len, "unknown limit kind %d", (int)l->kind);
        return MTAREP_EINVAL;
    }
    if (l->period_ms == 0 || l->period_ms > MTAREP__PERIOD_MAX_MS) {
        snprintf(msg, len, "period must be 1 ms .. 366 days");
        return MTAREP_EINVAL;
    }
    if (l->count > MTAREP__COUNT_MAX || l->burst > MTAREP__COUNT_MAX) {
        snprintf(msg, len, "count and burst must be <= 10^12");
        return MTAREP_EINVAL;
    }
    g->window = l->kind == MTAREP_LIMIT_WINDOW;
    g->period_ms = l->period_ms;
    g->period_us = l->period_ms * 1000u;
    g->ident = g->period_us | (g->window ? MTAREP__WIN_IDENT : 0);
    g->count = l->count;
    if (l->count > g->period_us) {
        snprintf(msg, len, "rate above one unit per microsecond (%llu per %llu ms)",
                 (unsigned long long)l->count, (unsigned long long)l->period_ms);
        return MTAREP_EINVAL;
    }
    if (g->window) {
        if (l->burst && l->burst != l->count) {
            snprintf(msg, len, "a window limit has no burst (it admits up to N at once)");
            return MTAREP_EINVAL;
        }
        g->burst = l->count;
        /* 15 x w >= P: the sub-windows overlapping any window are <= 16 */
        g->w = (g->period_us + MTAREP__WIN_SUBS - 1) / MTAREP__WIN_SUBS;
        return MTAREP_OK;
    }
    if (l->count == 0) {
        /* Blocks everything: no tolerance, so no quantity fits. */
        g->burst = 0;
        g->T = g->period_us;
        g->tau = 0;
        return MTAREP_OK;
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

/* ---- sliding window ----
 * Sub-window j is [j w, (j + 1) w) in Unix us. At time t the window
 * (t - P, t] overlaps the sub-windows lo(t) = floor((t - P) / w) ..
 * floor(t / w). Every unit admitted in (t - P, t] sits in one of them, so
 * a check "counted + q <= N" at every admission bounds every window by N
 * (take the last admission inside it). Sub-window j leaves the count at
 * t = (j + 1) w + P, which gives exact retry times.
 *
 * Writes to a shared file may stop anywhere (a killed process): the file
 * store writes increases, then E, then decreases, so each prefix of the
 * writes counts at least what the full write counts. */
#define WR MTAREP__WIN_SLOTS

static uint64_t win_lo(uint64_t now, const mtarep__gcra *g)
{
    return now >= g->period_us ? (now - g->period_us) / g->w : 0;
}

/* J of a normalised live state (tat != 0). */
static uint64_t win_J(const mtarep__gcra *g, const mtarep__lstate *v)
{
    return (v->tat - g->period_us) / g->w - 1;
}

/* First sub-window counted at now (<= J + 1). */
static uint64_t win_first(uint64_t now, const mtarep__gcra *g, uint64_t J)
{
    uint64_t lo = win_lo(now, g), old = J + 1 >= WR ? J + 1 - WR : 0;
    return lo > old ? lo : old;
}

/* Normalise a stored window state at now; 1 if it was rebased. */
static int win_view(uint64_t now, const mtarep__gcra *g, const mtarep__lstate *s,
                    mtarep__lstate *v)
{
    uint64_t jn = now / g->w, J;

    if (s->tat <= now || s->tat < g->period_us + g->w) {
        memset(v, 0, sizeof *v);
        return 0; /* none, or drained */
    }
    /* A legitimate counter is <= N <= 10^12; a larger one is damage and
     * means "full" for any N. */
    for (unsigned i = 0; i < WR; i++)
        v->c[i] = s->c[i] < MTAREP__COUNT_MAX ? s->c[i] : MTAREP__COUNT_MAX;
    J = (s->tat - g->period_us) / g->w - 1;
    if (J > jn + WR - 1 && (J - jn) * g->w > MTAREP__WIN_REBASE_US) {
        /* More than a period and a minute ahead of this clock (it stepped
         * back, or the slot is damaged): count everything as sent now, so
         * the key is held for one period at most, not until the clock
         * catches up. Less than that is the state of a clock slightly
         * ahead (another host's): counted in its own sub-windows. The
         * minute keeps a decision with a stale clock (a client_clock
         * request delayed on its way to Redis) from moving the counts
         * back in time, which would release them early. */
        uint64_t sum = 0;
        for (unsigned i = 0; i < WR; i++) {
            sum += v->c[i];
            v->c[i] = 0;
        }
        v->c[jn % WR] = sum < MTAREP__COUNT_MAX ? sum : MTAREP__COUNT_MAX;
        v->tat = (jn + 1) * g->w + g->period_us;
        return 1;
    }
    v->tat = (J + 1) * g->w + g->period_us;
    return 0;
}

/* Units counted at now. */
static uint64_t win_sum(uint64_t now, const mtarep__gcra *g, const mtarep__lstate *v)
{
    uint64_t sum = 0, J;
    if (!v->tat)
        return 0;
    J = win_J(g, v);
    for (uint64_t j = win_first(now, g, J); j <= J; j++)
        sum += v->c[j % WR];
    return sum;
}

/* The state after counting q at now. */
static void win_add(uint64_t now, const mtarep__gcra *g, const mtarep__lstate *v, uint64_t q,
                    mtarep__lstate *out)
{
    uint64_t jn = now / g->w, je = jn;

    *out = *v;
    if (!v->tat) {
        memset(out->c, 0, sizeof out->c);
    } else {
        uint64_t J = win_J(g, v);
        if (J > je)
            je = J; /* a clock slightly behind: count in the newest sub-window */
        if (je - J >= WR)
            memset(out->c, 0, sizeof out->c);
        else
            for (uint64_t j = J + 1; j <= je; j++)
                out->c[j % WR] = 0;
    }
    out->c[je % WR] += q;
    out->tat = (je + 1) * g->w + g->period_us;
}

int mtarep__limits_decide(uint64_t now, const mtarep__gcra *g, size_t n, uint64_t q,
                          const mtarep__lstate *st, mtarep__lstate *view,
                          mtarep__lstate *next, unsigned *rebased)
{
    int ok = 1;

    *rebased = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i].window) {
            if (win_view(now, &g[i], &st[i], &view[i]))
                *rebased |= 1u << i;
            /* q <= N first: sum + q cannot overflow (sum <= 16 x 10^12) */
            if (g[i].count == 0 || q > g[i].count ||
                win_sum(now, &g[i], &view[i]) + q > g[i].count)
                ok = 0;
            continue;
        }
        {
            uint64_t t = st[i].tat;
            /* Clamp: a lowered rate or burst (or a clock that jumped back,
             * or a corrupt value) never leaves more than tau of backlog. */
            if (t > now + g[i].tau)
                t = now + g[i].tau;
            if (t < now)
                t = now;
            view[i].tat = t;
            /* q > burst can never fit; checked before multiplying so q*T
             * cannot overflow (burst*T <= 10 years). */
            if (q > g[i].burst || g[i].count == 0 || t + q * g[i].T - now > g[i].tau)
                ok = 0;
        }
    }
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i].window)
            win_add(now, &g[i], &view[i], q, &next[i]);
        else
            next[i].tat = view[i].tat + q * g[i].T;
    }
    return 1;
}

static uint64_t ceil_ms(uint64_t us)
{
    return (us + 999u) / 1000u;
}

/* Window part of mtarep__gcra_fill(); returns the wait in us, or
 * UINT64_MAX for never. */
static uint64_t win_fill(mtarep_limit_state *ls, uint64_t now, const mtarep__gcra *g,
                         uint64_t q, const mtarep__lstate *view, int admitted, int counted)
{
    mtarep__lstate after;
    const mtarep__lstate *v = view;
    uint64_t sum, J, first;

    if (admitted && counted) {
        win_add(now, g, view, q, &after);
        v = &after;
    }
    sum = win_sum(now, g, v);
    ls->remaining = g->count > sum ? g->count - sum : 0;
    if (v->tat) {
        /* until the newest sub-window holding units leaves the window */
        J = win_J(g, v);
        first = win_first(now, g, J);
        for (uint64_t j = J + 1; j-- > first;)
            if (v->c[j % WR]) {
                ls->reset_after_ms = ceil_ms((j + 1) * g->w + g->period_us - now);
                break;
            }
    }
    if (admitted)
        return 0;
    if (g->count == 0 || q > g->count) {
        ls->blocking = 1;
        return UINT64_MAX;
    }
    if (sum + q <= g->count)
        return 0;
    /* The earliest m with units of sub-windows m..J plus q <= N; it passes
     * when lo(t) = m, at t = m w + P (and not 1 us before: lo would be
     * m - 1 and the sum of m - 1..J is too big, m being the smallest). */
    ls->blocking = 1;
    J = win_J(g, v);
    for (uint64_t j = win_first(now, g, J); j <= J; j++) {
        sum -= v->c[j % WR];
        if (sum + q <= g->count)
            return (j + 1) * g->w + g->period_us - now;
    }
    return 0; /* not reached: q <= N */
}

void mtarep__gcra_fill(mtarep_throttle_decision *d, uint64_t now, const mtarep__gcra *g,
                       size_t n, uint64_t q, const mtarep__lstate *view, int admitted,
                       int counted)
{
    uint64_t wait = 0;
    int never = 0;

    d->admitted = admitted;
    d->nlimits = n;
    for (size_t i = 0; i < n; i++) {
        mtarep_limit_state *ls = &d->limits[i];
        uint64_t eff = view[i].tat, base = eff, used;

        memset(ls, 0, sizeof *ls);
        if (g[i].window) {
            uint64_t w = win_fill(ls, now, &g[i], q, &view[i], admitted, counted);
            if (w == UINT64_MAX)
                never = 1;
            else if (w > wait)
                wait = w;
            continue;
        }
        if (admitted && counted)
            base = eff + q * g[i].T;
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
        if (eff + q * g[i].T - now > g[i].tau) {
            /* Passes once the TAT has drained to tau - q*T from now. */
            uint64_t w = eff + q * g[i].T - g[i].tau - now;
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
    mtarep_limit l = {0, 0, 0, MTAREP_LIMIT_GCRA};
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
    if (strncmp(text + i, "window", 6) == 0 &&
        (text[i + 6] == '\0' || text[i + 6] == ' ' || text[i + 6] == '\t' ||
         text[i + 6] == ':')) {
        l.kind = MTAREP_LIMIT_WINDOW;
        i += 6;
        skip_ws(text, &i);
        if (text[i] == ':' || strncmp(text + i, "burst", 5) == 0)
            return mtarep__terr(err, MTAREP_EINVAL, text, (int)i,
                                "a window limit takes no burst (it admits up to N at once)");
    } else if (text[i] == ':' || strncmp(text + i, "burst", 5) == 0) {
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
            if (limit->kind == MTAREP_LIMIT_WINDOW)
                n = snprintf(buf, len, "%llu/%llu%s window", (unsigned long long)limit->count,
                             (unsigned long long)(limit->period_ms / fu[u].ms), fu[u].u);
            else if (limit->burst && limit->burst != limit->count)
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
