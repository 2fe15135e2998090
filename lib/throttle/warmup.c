/* Warm-up plans: presets, the geometric generator, the spec language,
 * signals and progress. Sources of the preset tables: docs/throttle.md. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "throttle_int.h"

#define WU_MAX_DAYS 366
#define WU_CAP_MAX 1000000000000ULL /* 10^12 */
#define WU_SPREAD_DEFAULT 8

struct mtarep_warmup {
    int ndays;
    uint64_t daily[WU_MAX_DAYS];
    uint64_t hourly[WU_MAX_DAYS];
};

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* ---------------------------------------------------------------- presets */

/* The seed plan: one concrete value inside each band of the brief
 * (days 1-3: 50-100, 4-7: 100-200, week 2: 200-500, week 3: 500-1000). */
static const uint64_t p_mtarep[] = {50,  70,  100, 120, 140, 170, 200, 220, 260, 300, 340,
                                    390, 440, 500, 550, 620, 690, 760, 840, 920, 1000};
/* Twilio SendGrid automatic warm-up, hourly limit, their days 0..41. */
static const uint64_t p_sendgrid[] = {
    20,      28,      39,      55,      77,      108,      151,      211,      295,
    413,     579,     810,     1000,    1587,    2222,     3111,     4356,     6098,
    8583,    11953,   16734,   23427,   32798,   45917,    64284,    89998,    125997,
    176395,  246953,  345735,  484029,  677640,  948696,   1328175,  1859444,  2603222,
    3644511, 5102316, 7143242, 10000539, 14000754, 19601056};
/* SparkPost daily volume per IP, days 1..29 (day 30 "done"). */
static const uint64_t p_sparkpost[] = {
    200,     500,     1000,    2000,    5000,    10000,   20000,   40000,   50000,   75000,
    100000,  150000,  200000,  250000,  325000,  400000,  500000,  600000,  750000,  1000000,
    1250000, 1750000, 2000000, 3000000, 4250000, 5000000, 6000000, 7500000, 10000000};
/* Mailtrap, days 1..21 (300/day = 60/h on day 1: a fifth of the day per hour). */
static const uint64_t p_mailtrap[] = {300,  390,  510,   660,   860,   1100,  1400,
                                      1900, 2400, 3200,  4100,  5400,  7000,  9100,
                                      11800, 15400, 20000, 26000, 33700, 43900, 57000};

static const struct {
    const char *name;
    const uint64_t *v;
    int n;
    int hourly_table; /* values are hourly caps; daily = 24 x hourly */
    int spread;       /* else hourly = ceil(daily / spread) */
} presets[] = {
    {"mtarep", p_mtarep, (int)(sizeof p_mtarep / sizeof p_mtarep[0]), 0, 8},
    {"sendgrid", p_sendgrid, (int)(sizeof p_sendgrid / sizeof p_sendgrid[0]), 1, 0},
    {"sparkpost", p_sparkpost, (int)(sizeof p_sparkpost / sizeof p_sparkpost[0]), 0, 8},
    {"mailtrap", p_mailtrap, (int)(sizeof p_mailtrap / sizeof p_mailtrap[0]), 0, 5},
};

static const char *const preset_names[] = {"mtarep", "sendgrid", "sparkpost", "mailtrap"};

const char *const *mtarep_warmup_preset_names(size_t *n_out)
{
    if (n_out)
        *n_out = sizeof preset_names / sizeof preset_names[0];
    return preset_names;
}

mtarep_status mtarep_warmup_preset(mtarep_warmup **out, const char *name)
{
    mtarep_warmup *w;

    if (!out || !name)
        return MTAREP_EINVAL;
    *out = NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(presets[i].name, name) != 0)
            continue;
        if (!(w = calloc(1, sizeof *w)))
            return MTAREP_ENOMEM;
        w->ndays = presets[i].n;
        for (int d = 0; d < presets[i].n; d++) {
            if (presets[i].hourly_table) {
                w->hourly[d] = presets[i].v[d];
                w->daily[d] = 24 * presets[i].v[d];
            } else {
                w->daily[d] = presets[i].v[d];
                w->hourly[d] = ceil_div(presets[i].v[d], (uint64_t)presets[i].spread);
            }
        }
        *out = w;
        return MTAREP_OK;
    }
    return MTAREP_ENOTFOUND;
}

/* Append geometric days to w: start, x factor (rounded up), up to and
 * including the first day that reaches ceiling. */
static int add_geometric(mtarep_warmup *w, uint64_t start, double factor, uint64_t ceiling,
                         int spread)
{
    double v = (double)start;
    for (;;) {
        uint64_t d = v >= (double)ceiling ? ceiling : (uint64_t)ceil(v - 1e-9);
        if (w->ndays >= WU_MAX_DAYS)
            return MTAREP_ELIMIT;
        if (d < 1)
            d = 1;
        w->daily[w->ndays] = d;
        w->hourly[w->ndays] = ceil_div(d, (uint64_t)spread);
        w->ndays++;
        if (d >= ceiling)
            return MTAREP_OK;
        v = (double)d * factor;
    }
}

static int geometric_ok(uint64_t start, double factor, uint64_t ceiling)
{
    return start >= 1 && start <= ceiling && ceiling <= WU_CAP_MAX && factor >= 1.01 &&
           factor <= 100.0;
}

mtarep_status mtarep_warmup_geometric(mtarep_warmup **out, uint64_t start, double factor,
                                      uint64_t ceiling)
{
    mtarep_warmup *w;

    if (!out)
        return MTAREP_EINVAL;
    *out = NULL;
    if (!geometric_ok(start, factor, ceiling))
        return MTAREP_EINVAL;
    if (!(w = calloc(1, sizeof *w)))
        return MTAREP_ENOMEM;
    if (add_geometric(w, start, factor, ceiling, WU_SPREAD_DEFAULT) != MTAREP_OK) {
        free(w);
        return MTAREP_EINVAL;
    }
    *out = w;
    return MTAREP_OK;
}

void mtarep_warmup_free(mtarep_warmup *w)
{
    free(w);
}

int mtarep_warmup_days(const mtarep_warmup *w)
{
    return w ? w->ndays : 0;
}

/* ---------------------------------------------------------------- parser */

typedef struct wparser {
    const char *s;
    size_t i;
    mtarep_throttle_error *err;
} wparser;

static int perr(wparser *p, size_t pos, const char *fmt, const char *arg)
{
    return mtarep__terr(p->err, MTAREP_EPARSE, p->s, (int)pos, fmt, arg ? arg : "");
}

static void ws(wparser *p)
{
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r')
        p->i++;
}

static int at_end_of_stmt(const wparser *p)
{
    char c = p->s[p->i];
    return c == '\0' || c == '\n' || c == ';' || c == '#';
}

static int word(wparser *p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(p->s + p->i, w, n) == 0 && !isalnum((unsigned char)p->s[p->i + n])) {
        p->i += n;
        return 1;
    }
    return 0;
}

/* digits [k|M], 1 .. max */
static int number(wparser *p, uint64_t max, uint64_t *out, const char *what)
{
    size_t st = p->i;
    uint64_t v = 0;

    if (!isdigit((unsigned char)p->s[p->i]))
        return perr(p, p->i, "expected %s (a number)", what);
    while (isdigit((unsigned char)p->s[p->i])) {
        v = v * 10u + (uint64_t)(p->s[p->i] - '0');
        if (v > max)
            return perr(p, st, "%s too large", what);
        p->i++;
    }
    if (p->s[p->i] == 'k' || p->s[p->i] == 'M') {
        uint64_t mul = p->s[p->i] == 'k' ? 1000u : 1000000u;
        if (v > max / mul)
            return perr(p, st, "%s too large", what);
        v *= mul;
        p->i++;
    }
    *out = v;
    return MTAREP_OK;
}

static int factor_num(wparser *p, double *out)
{
    size_t st = p->i;
    char buf[32];
    size_t n;

    while (isdigit((unsigned char)p->s[p->i]) || p->s[p->i] == '.')
        p->i++;
    n = p->i - st;
    if (n == 0 || n >= sizeof buf)
        return perr(p, st, "expected a growth factor such as 1.4", NULL);
    memcpy(buf, p->s + st, n);
    buf[n] = '\0';
    {
        char *end;
        *out = strtod(buf, &end);
        if (*end || buf[0] == '.' || buf[n - 1] == '.' || strchr(buf, '.') != strrchr(buf, '.'))
            return perr(p, st, "expected a growth factor such as 1.4", NULL);
    }
    return MTAREP_OK;
}

/* "N/d" "N/day" "N/h" "N/hour"; kind 'd' or 'h' */
static int cap(wparser *p, uint64_t *v, char *kind)
{
    int rc;
    size_t st;

    size_t nst = p->i;

    if ((rc = number(p, WU_CAP_MAX, v, "a cap")) != MTAREP_OK)
        return rc;
    if (p->s[p->i] != '/')
        return perr(p, p->i, "expected '/d' or '/h' after the cap", NULL);
    p->i++;
    st = p->i;
    if (word(p, "d") || word(p, "day"))
        *kind = 'd';
    else if (word(p, "h") || word(p, "hour"))
        *kind = 'h';
    else
        return perr(p, st, "expected 'd' (per day) or 'h' (per hour)", NULL);
    if (*v == 0)
        return perr(p, nst, "a cap must be at least 1", NULL);
    return MTAREP_OK;
}

static int stmt_day(wparser *p, mtarep_warmup *w, int spread)
{
    uint64_t a, b, v[2] = {0, 0};
    char kind[2];
    int ncap = 0, rc;
    uint64_t d = 0, h = 0;
    size_t st;

    ws(p);
    st = p->i;
    if ((rc = number(p, WU_MAX_DAYS, &a, "a day number")) != MTAREP_OK)
        return rc;
    b = a;
    if (p->s[p->i] == '-') {
        p->i++;
        if ((rc = number(p, WU_MAX_DAYS, &b, "the last day of the range")) != MTAREP_OK)
            return rc;
        if (b < a)
            return perr(p, st, "day range goes backwards", NULL);
    }
    if (a != (uint64_t)w->ndays + 1) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", w->ndays + 1);
        return perr(p, st, "days must follow each other from 1: expected day %s", buf);
    }
    while (ncap < 2) {
        size_t cst;
        ws(p);
        if (at_end_of_stmt(p))
            break;
        cst = p->i;
        if ((rc = cap(p, &v[ncap], &kind[ncap])) != MTAREP_OK)
            return rc;
        if (ncap == 1 && kind[0] == kind[1])
            return perr(p, cst, "the same cap given twice", NULL);
        ncap++;
    }
    if (ncap == 0)
        return perr(p, p->i, "expected a cap such as 500/d or 20/h", NULL);
    for (int i = 0; i < ncap; i++) {
        if (kind[i] == 'd')
            d = v[i];
        else
            h = v[i];
    }
    if (!d) /* clamped so the plan formats and parses back */
        d = h > WU_CAP_MAX / 24 ? WU_CAP_MAX : 24 * h;
    if (!h)
        h = ceil_div(d, (uint64_t)spread);
    if (h > d)
        return perr(p, st, "hourly cap above the daily cap", NULL);
    for (uint64_t k = a; k <= b; k++) {
        w->daily[w->ndays] = d;
        w->hourly[w->ndays] = h;
        w->ndays++;
    }
    return MTAREP_OK;
}

mtarep_status mtarep_warmup_parse(mtarep_warmup **out, const char *spec,
                                  mtarep_throttle_error *err)
{
    wparser p = {spec, 0, err};
    mtarep_warmup *w;
    int spread = WU_SPREAD_DEFAULT, rc = MTAREP_OK;

    if (err) {
        err->position = -1;
        err->line = err->column = 0;
        err->text[0] = '\0';
    }
    if (!out || !spec)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "spec is NULL");
    *out = NULL;
    if (!(w = calloc(1, sizeof *w)))
        return MTAREP_ENOMEM;
    for (;;) {
        size_t st;
        ws(&p);
        st = p.i;
        if (word(&p, "day")) {
            rc = stmt_day(&p, w, spread);
        } else if (word(&p, "spread")) {
            uint64_t v;
            ws(&p);
            st = p.i;
            if ((rc = number(&p, 24, &v, "hours")) == MTAREP_OK && v < 1)
                rc = perr(&p, st, "spread must be 1..24 hours", NULL);
            if (rc == MTAREP_OK)
                spread = (int)v;
        } else if (word(&p, "geometric")) {
            uint64_t a, c;
            double f = 0;
            size_t fst;
            ws(&p);
            if ((rc = number(&p, WU_CAP_MAX, &a, "the start volume")) == MTAREP_OK) {
                ws(&p);
                fst = p.i;
                if ((rc = factor_num(&p, &f)) == MTAREP_OK) {
                    ws(&p);
                    if ((rc = number(&p, WU_CAP_MAX, &c, "the ceiling")) == MTAREP_OK) {
                        if (!geometric_ok(a, f, c))
                            rc = perr(&p, fst,
                                      "geometric needs 1 <= start <= ceiling and a factor of "
                                      "1.01..100",
                                      NULL);
                        else if (add_geometric(w, a, f, c, spread) != MTAREP_OK)
                            rc = perr(&p, st, "plan longer than 366 days", NULL);
                    }
                }
            }
        } else if (!at_end_of_stmt(&p)) {
            rc = perr(&p, st, "expected 'day', 'spread' or 'geometric'", NULL);
        }
        if (rc != MTAREP_OK)
            break;
        if (w->ndays > WU_MAX_DAYS) {
            rc = perr(&p, st, "plan longer than 366 days", NULL);
            break;
        }
        ws(&p);
        if (p.s[p.i] == '#')
            while (p.s[p.i] && p.s[p.i] != '\n')
                p.i++;
        if (p.s[p.i] == '\0')
            break;
        if (p.s[p.i] != '\n' && p.s[p.i] != ';') {
            rc = perr(&p, p.i, "unexpected text at the end of the statement", NULL);
            break;
        }
        p.i++;
    }
    if (rc == MTAREP_OK && w->ndays == 0)
        rc = perr(&p, p.i, "the plan has no days", NULL);
    if (rc != MTAREP_OK) {
        free(w);
        return rc;
    }
    *out = w;
    return MTAREP_OK;
}

mtarep_status mtarep_warmup_format(char *buf, size_t len, const mtarep_warmup *w)
{
    size_t o = 0;

    if (!buf || !w || !len)
        return MTAREP_EINVAL;
    buf[0] = '\0';
    for (int d = 0; d < w->ndays; d++) {
        int n = snprintf(buf + o, len - o, "day %d %llu/d %llu/h\n", d + 1,
                         (unsigned long long)w->daily[d], (unsigned long long)w->hourly[d]);
        if (n < 0 || (size_t)n >= len - o)
            return MTAREP_ELIMIT;
        o += (size_t)n;
    }
    return MTAREP_OK;
}

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

mtarep_status mtarep_warmup_parse_date(int64_t *out, const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, hh = 0, mm = 0, ss = 0, leap, dim;

    if (!out || !s)
        return MTAREP_EINVAL;
    if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return MTAREP_EINVAL;
    if (s[10] == 'T') {
        if (!digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mm))
            return MTAREP_EINVAL;
        s += 16;
        if (*s == ':') {
            if (!digits(s + 1, 2, &ss))
                return MTAREP_EINVAL;
            s += 3;
        }
        if (s[0] != 'Z' || s[1] != '\0')
            return MTAREP_EINVAL;
    } else if (s[10] != '\0') {
        return MTAREP_EINVAL;
    }
    if (y < 1970 || m < 1 || m > 12 || hh > 23 || mm > 59 || ss > 59)
        return MTAREP_EINVAL;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    dim = mdays[m - 1] + (m == 2 && leap);
    if (d < 1 || d > dim)
        return MTAREP_EINVAL;
    *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return MTAREP_OK;
}

int mtarep_warmup_day_index(int64_t start, int64_t now)
{
    int64_t d;
    if (now < start)
        return 1;
    d = (now - start) / 86400 + 1;
    return d > 1000000 ? 1000000 : (int)d;
}

/* ---------------------------------------------------------------- caps */

mtarep_status mtarep_warmup_caps_for_day(mtarep_warmup_caps *out, const mtarep_warmup *w,
                                         int day)
{
    int i;

    if (!out || !w || w->ndays < 1)
        return MTAREP_EINVAL;
    memset(out, 0, sizeof *out);
    if (day < 1)
        day = 1;
    i = day > w->ndays ? w->ndays - 1 : day - 1;
    out->day = day;
    out->daily = w->daily[i];
    out->hourly = w->hourly[i];
    out->done = day > w->ndays;
    out->action = MTAREP_WARMUP_ADVANCE;
    return MTAREP_OK;
}

static int measured(double r)
{
    return r >= 0.0; /* negative or NaN: not measured */
}

mtarep_status mtarep_warmup_evaluate(mtarep_warmup_action *out,
                                     const mtarep_warmup_signals *s)
{
    int sample;

    if (!out || !s)
        return MTAREP_EINVAL;
    if (s->version == 0 || s->version > MTAREP_WARMUP_SIGNALS_VERSION)
        return MTAREP_EVERSION;
    if (!(s->bounce_hold <= s->bounce_halve && s->bounce_halve <= s->bounce_pause &&
          s->complaint_hold <= s->complaint_halve && s->complaint_halve <= s->complaint_pause &&
          s->deferral_hold <= s->deferral_halve))
        return MTAREP_EINVAL;
    sample = s->sent >= s->min_sample;
    if (s->blocklisted ||
        (sample && ((measured(s->bounce_rate) && s->bounce_rate >= s->bounce_pause) ||
                    (measured(s->complaint_rate) && s->complaint_rate >= s->complaint_pause)))) {
        *out = MTAREP_WARMUP_PAUSE;
    } else if (sample &&
               ((measured(s->bounce_rate) && s->bounce_rate >= s->bounce_halve) ||
                (measured(s->complaint_rate) && s->complaint_rate >= s->complaint_halve) ||
                (measured(s->deferral_rate) && s->deferral_rate >= s->deferral_halve))) {
        *out = MTAREP_WARMUP_HALVE;
    } else if (sample &&
               ((measured(s->bounce_rate) && s->bounce_rate >= s->bounce_hold) ||
                (measured(s->complaint_rate) && s->complaint_rate >= s->complaint_hold) ||
                (measured(s->deferral_rate) && s->deferral_rate >= s->deferral_hold))) {
        *out = MTAREP_WARMUP_HOLD;
    } else {
        *out = MTAREP_WARMUP_ADVANCE;
    }
    return MTAREP_OK;
}

void mtarep_warmup_progress_init(mtarep_warmup_progress *p, int64_t start)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->start = start;
    p->action = MTAREP_WARMUP_ADVANCE;
}

void mtarep_warmup_progress_apply(mtarep_warmup_progress *p, mtarep_warmup_action action,
                                  int64_t now)
{
    if (!p || (unsigned)action > MTAREP_WARMUP_PAUSE)
        return;
    if (action == MTAREP_WARMUP_ADVANCE) {
        if (p->hold_since) {
            if (now > p->hold_since)
                p->held_seconds += now - p->hold_since;
            p->hold_since = 0;
        }
    } else if (!p->hold_since) {
        /* the plan's clock cannot stop before the plan starts */
        p->hold_since = now > p->start ? now : p->start;
        if (!p->hold_since)
            p->hold_since = 1;
    }
    p->action = action;
}

mtarep_status mtarep_warmup_caps_at(mtarep_warmup_caps *out, const mtarep_warmup *w,
                                    const mtarep_warmup_progress *p, int64_t now)
{
    int64_t t;
    int rc;

    if (!out || !w || !p)
        return MTAREP_EINVAL;
    t = now;
    if (p->hold_since && now > p->hold_since)
        t = p->hold_since; /* the plan's clock stopped there */
    t -= p->held_seconds;
    if ((rc = mtarep_warmup_caps_for_day(out, w, mtarep_warmup_day_index(p->start, t))) !=
        MTAREP_OK)
        return rc;
    out->action = p->action;
    if (p->action == MTAREP_WARMUP_HALVE) {
        out->daily = out->daily / 2 ? out->daily / 2 : 1;
        out->hourly = out->hourly / 2 ? out->hourly / 2 : 1;
    } else if (p->action == MTAREP_WARMUP_PAUSE) {
        out->daily = 0;
        out->hourly = 0;
    }
    return MTAREP_OK;
}

void mtarep_warmup_limits(mtarep_limit out[2], const mtarep_warmup_caps *caps)
{
    uint64_t d = caps->daily, h = caps->hourly;

    memset(out, 0, 2 * sizeof *out);
    out[0].period_ms = 86400000;
    out[1].period_ms = 3600000;
    /* Sliding windows, not GCRA: a cap "at most D a day" is exactly what a
     * window enforces, with the whole cap usable; GCRA could only do it
     * with count D - H + 1 and burst H (see ::mtarep_limit). */
    out[0].kind = MTAREP_LIMIT_WINDOW;
    out[1].kind = MTAREP_LIMIT_WINDOW;
    if (d == 0 || h == 0)
        return; /* paused: count 0 lets nothing through */
    if (h > d)
        h = d;
    out[0].count = d;
    out[1].count = h;
}
