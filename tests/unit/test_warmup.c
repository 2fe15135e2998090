/* Warm-up plans: presets, generator, spec language, dates, signals,
 * progress, and the limits they give to the limiter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

static mtarep_warmup *preset(const char *name)
{
    mtarep_warmup *w = NULL;
    int rc = mtarep_warmup_preset(&w, name);
    cr_assert_eq(rc, MTAREP_OK, "preset %s: %s", name, mtarep_error_name(rc));
    return w;
}

static mtarep_warmup_caps caps(const mtarep_warmup *w, int day)
{
    mtarep_warmup_caps c;
    cr_assert_eq(mtarep_warmup_caps_for_day(&c, w, day), MTAREP_OK);
    return c;
}

static mtarep_warmup *parse_ok(const char *spec)
{
    mtarep_warmup *w = NULL;
    mtarep_throttle_error err;
    int rc = mtarep_warmup_parse(&w, spec, &err);
    cr_assert_eq(rc, MTAREP_OK, "spec '%s': %s at %d", spec, err.text, err.position);
    cr_assert_eq(err.position, -1);
    return w;
}

Test(warmup, preset_names_and_unknown)
{
    size_t n;
    const char *const *names = mtarep_warmup_preset_names(&n);
    mtarep_warmup *w = (mtarep_warmup *)1;

    cr_assert_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        mtarep_warmup_free(preset(names[i]));
    cr_assert_eq(mtarep_warmup_preset(&w, "aol"), MTAREP_ENOTFOUND);
    cr_assert_null(w);
}

Test(warmup, seed_preset_stays_in_its_bands)
{
    mtarep_warmup *w = preset("mtarep");
    static const struct {
        int from, to;
        uint64_t lo, hi;
    } band[] = {{1, 3, 50, 100}, {4, 7, 100, 200}, {8, 14, 200, 500}, {15, 21, 500, 1000}};
    uint64_t prev = 0;

    cr_assert_eq(mtarep_warmup_days(w), 21);
    for (size_t b = 0; b < 4; b++)
        for (int d = band[b].from; d <= band[b].to; d++) {
            mtarep_warmup_caps c = caps(w, d);
            cr_assert(c.daily >= band[b].lo && c.daily <= band[b].hi, "day %d: %llu", d,
                      (unsigned long long)c.daily);
            cr_assert_geq(c.daily, prev, "day %d decreases", d);
            cr_assert_eq(c.hourly, (c.daily + 7) / 8, "day %d hourly", d);
            prev = c.daily;
        }
    cr_assert_eq(caps(w, 1).daily, 50);
    cr_assert_eq(caps(w, 21).daily, 1000);
    cr_assert(caps(w, 22).done);
    cr_assert_eq(caps(w, 400).daily, 1000);
    cr_assert_eq(caps(w, 0).daily, 50);
    mtarep_warmup_free(w);
}

Test(warmup, published_tables)
{
    mtarep_warmup *w = preset("sendgrid");
    mtarep_warmup_caps c;

    cr_assert_eq(mtarep_warmup_days(w), 42);
    c = caps(w, 1); /* SendGrid's day 0 */
    cr_assert_eq(c.hourly, 20);
    cr_assert_eq(c.daily, 480);
    cr_assert_eq(caps(w, 13).hourly, 1000);
    cr_assert_eq(caps(w, 42).hourly, 19601056);
    mtarep_warmup_free(w);

    w = preset("sparkpost");
    cr_assert_eq(mtarep_warmup_days(w), 29);
    cr_assert_eq(caps(w, 1).daily, 200);
    cr_assert_eq(caps(w, 1).hourly, 25);
    cr_assert_eq(caps(w, 15).daily, 325000);
    cr_assert_eq(caps(w, 29).daily, 10000000);
    cr_assert(caps(w, 30).done);
    mtarep_warmup_free(w);

    w = preset("mailtrap");
    cr_assert_eq(mtarep_warmup_days(w), 21);
    cr_assert_eq(caps(w, 1).daily, 300);
    cr_assert_eq(caps(w, 1).hourly, 60);
    cr_assert_eq(caps(w, 21).daily, 57000);
    cr_assert_eq(caps(w, 21).hourly, 11400);
    mtarep_warmup_free(w);
}

Test(warmup, geometric_generator)
{
    mtarep_warmup *w = NULL;
    uint64_t want[] = {50, 70, 98, 138, 194, 272};

    cr_assert_eq(mtarep_warmup_geometric(&w, 50, 1.4, 50000), MTAREP_OK);
    for (int d = 0; d < 6; d++)
        cr_assert_eq(caps(w, d + 1).daily, want[d], "day %d: %llu", d + 1,
                     (unsigned long long)caps(w, d + 1).daily);
    cr_assert_eq(caps(w, mtarep_warmup_days(w)).daily, 50000);
    cr_assert_lt(caps(w, mtarep_warmup_days(w) - 1).daily, 50000);
    cr_assert_eq(mtarep_warmup_days(w), 22);
    mtarep_warmup_free(w);
    cr_assert_eq(mtarep_warmup_geometric(&w, 0, 1.4, 100), MTAREP_EINVAL);
    cr_assert_eq(mtarep_warmup_geometric(&w, 200, 1.4, 100), MTAREP_EINVAL);
    cr_assert_eq(mtarep_warmup_geometric(&w, 1, 1.0, 100), MTAREP_EINVAL);
    cr_assert_eq(mtarep_warmup_geometric(&w, 1, 1.01, 1000000000000ULL), MTAREP_EINVAL,
                 "a plan over 366 days accepted");
}

Test(warmup, spec_language)
{
    mtarep_warmup *w = parse_ok("# a custom plan\n"
                                "spread 10\n"
                                "day 1 50/d          # hourly from spread: 5\n"
                                "day 2-3 100/d 20/h\n"
                                "day 4 20/h; day 5 1k/day\n"
                                "geometric 2000 1.5 5000\n");
    cr_assert_eq(mtarep_warmup_days(w), 9);
    cr_assert_eq(caps(w, 1).hourly, 5);
    cr_assert_eq(caps(w, 3).daily, 100);
    cr_assert_eq(caps(w, 3).hourly, 20);
    cr_assert_eq(caps(w, 4).daily, 480);
    cr_assert_eq(caps(w, 5).daily, 1000);
    cr_assert_eq(caps(w, 6).daily, 2000);
    cr_assert_eq(caps(w, 7).daily, 3000);
    cr_assert_eq(caps(w, 8).daily, 4500);
    cr_assert_eq(caps(w, 9).daily, 5000);
    cr_assert_eq(caps(w, 9).hourly, 500);
    mtarep_warmup_free(w);
}

Test(warmup, spec_errors_have_positions)
{
    struct {
        const char *spec;
        int pos, line, col;
        const char *needle;
    } bad[] = {
        {"", 0, 1, 1, "no days"},
        {"day 2 50/d", 4, 1, 5, "expected day 1"},
        {"day 1 50/x", 9, 1, 10, "per day"},
        {"day 1 50", 8, 1, 9, "'/d'"},
        {"day 1 50/d 10/d", 11, 1, 12, "twice"},
        {"day 1 50/d 100/h", 4, 1, 5, "hourly cap above"},
        {"day 1", 5, 1, 6, "expected a cap"},
        {"day 1 0/d", 6, 1, 7, "at least 1"},
        {"day 1 50/d\nday 2 60/d\nweek 3 70/d", 22, 3, 1, "expected 'day'"},
        {"day 1 50/d\n  day 3 70/d", 17, 2, 7, "expected day 2"},
        {"day 3-1 5/d", 4, 1, 5, "backwards"},
        {"spread 0", 7, 1, 8, "1..24"},
        {"spread 25", 7, 1, 8, "too large"},
        {"geometric 100 0.5 1000", 14, 1, 15, "factor"},
        {"geometric 100 1.5", 17, 1, 18, "ceiling"},
        {"geometric 100 1..5 1000", 14, 1, 15, "growth factor"},
        {"day 1 50/d extra", 11, 1, 12, "expected"},
        {"day 1 50/d 5/h 6/h", 15, 1, 16, "unexpected text"},
        {"day 1 99999999999999/d", 6, 1, 7, "too large"},
        {"day 1-367 5/d", 6, 1, 7, "too large"},
        {"day 1-366 5/d\nday 367 5/d", 18, 2, 5, "too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtarep_warmup *w = (mtarep_warmup *)1;
        mtarep_throttle_error err;
        int rc = mtarep_warmup_parse(&w, bad[i].spec, &err);
        cr_assert_eq(rc, MTAREP_EPARSE, "'%s' accepted", bad[i].spec);
        cr_assert_null(w);
        cr_assert_eq(err.position, bad[i].pos, "'%s': position %d, want %d (%s)", bad[i].spec,
                     err.position, bad[i].pos, err.text);
        cr_assert_eq(err.line, bad[i].line, "'%s': line %d", bad[i].spec, err.line);
        cr_assert_eq(err.column, bad[i].col, "'%s': column %d", bad[i].spec, err.column);
        cr_assert(strstr(err.text, bad[i].needle), "'%s': '%s' lacks '%s'", bad[i].spec,
                  err.text, bad[i].needle);
    }
}

Test(warmup, format_parses_back_to_the_same_plan)
{
    size_t n;
    const char *const *names = mtarep_warmup_preset_names(&n);
    char *buf = malloc(8192);

    for (size_t i = 0; i < n; i++) {
        mtarep_warmup *w = preset(names[i]), *back;
        cr_assert_eq(mtarep_warmup_format(buf, 8192, w), MTAREP_OK);
        back = parse_ok(buf);
        cr_assert_eq(mtarep_warmup_days(back), mtarep_warmup_days(w));
        for (int d = 1; d <= mtarep_warmup_days(w); d++) {
            cr_assert_eq(caps(back, d).daily, caps(w, d).daily, "%s day %d", names[i], d);
            cr_assert_eq(caps(back, d).hourly, caps(w, d).hourly, "%s day %d", names[i], d);
        }
        mtarep_warmup_free(back);
        cr_assert_eq(mtarep_warmup_format(buf, 20, w), MTAREP_ELIMIT);
        mtarep_warmup_free(w);
    }
    free(buf);
}

/* Fuzzer find: a huge hourly-only cap made a daily cap (24 x hourly) above
 * 10^12, which formatted to a plan that did not parse back. */
Test(warmup, hourly_only_cap_clamps_the_daily_cap)
{
    char buf[256];
    mtarep_warmup *w = parse_ok("day 1 222222222222/h; day 2 8/h"), *back;

    cr_assert_eq(caps(w, 1).daily, 1000000000000ULL);
    cr_assert_eq(caps(w, 1).hourly, 222222222222ULL);
    cr_assert_eq(caps(w, 2).daily, 192);
    cr_assert_eq(mtarep_warmup_format(buf, sizeof buf, w), MTAREP_OK);
    back = parse_ok(buf);
    cr_assert_eq(caps(back, 1).daily, caps(w, 1).daily);
    mtarep_warmup_free(back);
    mtarep_warmup_free(w);
}

Test(warmup, dates_and_day_index)
{
    int64_t t;
    cr_assert_eq(mtarep_warmup_parse_date(&t, "2025-03-01"), MTAREP_OK);
    cr_assert_eq(t, 1740787200);
    cr_assert_eq(mtarep_warmup_parse_date(&t, "2024-02-29"), MTAREP_OK);
    cr_assert_eq(t, 1709164800);
    cr_assert_eq(mtarep_warmup_parse_date(&t, "2025-03-01T08:30Z"), MTAREP_OK);
    cr_assert_eq(t, 1740787200 + 8 * 3600 + 30 * 60);
    cr_assert_eq(mtarep_warmup_parse_date(&t, "2025-03-01T08:30:15Z"), MTAREP_OK);
    cr_assert_eq(t, 1740787200 + 8 * 3600 + 30 * 60 + 15);
    const char *bad[] = {"2023-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "1969-12-31",
                         "2025-3-1",   "2025-03-01 ", "2025-03-01T25:00Z", "2025-03-01T08:30",
                         "yesterday",  ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(mtarep_warmup_parse_date(&t, bad[i]), MTAREP_EINVAL, "'%s' accepted", bad[i]);

    cr_assert_eq(mtarep_warmup_day_index(1000, 1000), 1);
    cr_assert_eq(mtarep_warmup_day_index(1000, 1000 + 86399), 1);
    cr_assert_eq(mtarep_warmup_day_index(1000, 1000 + 86400), 2);
    cr_assert_eq(mtarep_warmup_day_index(1000, 1000 + 20 * 86400 + 5), 21);
    cr_assert_eq(mtarep_warmup_day_index(1000, 0), 1);
}

static mtarep_warmup_action judge(double bounce, double complaint, double deferral, int bl,
                                  uint64_t sent)
{
    mtarep_warmup_signals s = MTAREP_WARMUP_SIGNALS_INIT;
    mtarep_warmup_action a;
    s.bounce_rate = bounce;
    s.complaint_rate = complaint;
    s.deferral_rate = deferral;
    s.blocklisted = bl;
    s.sent = sent;
    cr_assert_eq(mtarep_warmup_evaluate(&a, &s), MTAREP_OK);
    return a;
}

Test(warmup, signals)
{
    mtarep_warmup_signals s = MTAREP_WARMUP_SIGNALS_INIT;
    mtarep_warmup_action a;

    cr_assert_eq(judge(-1, -1, -1, 0, 0), MTAREP_WARMUP_ADVANCE);
    cr_assert_eq(judge(0.01, 0.0005, 0.05, 0, 1000), MTAREP_WARMUP_ADVANCE);
    cr_assert_eq(judge(0.02, -1, -1, 0, 1000), MTAREP_WARMUP_HOLD);
    cr_assert_eq(judge(0.06, -1, -1, 0, 1000), MTAREP_WARMUP_HALVE);
    cr_assert_eq(judge(0.10, -1, -1, 0, 1000), MTAREP_WARMUP_PAUSE);
    cr_assert_eq(judge(-1, 0.001, -1, 0, 1000), MTAREP_WARMUP_HOLD);
    cr_assert_eq(judge(-1, 0.003, -1, 0, 1000), MTAREP_WARMUP_HALVE);
    cr_assert_eq(judge(-1, 0.005, -1, 0, 1000), MTAREP_WARMUP_PAUSE);
    cr_assert_eq(judge(-1, -1, 0.12, 0, 1000), MTAREP_WARMUP_HOLD);
    cr_assert_eq(judge(-1, -1, 0.5, 0, 1000), MTAREP_WARMUP_HALVE, "deferrals never pause");
    cr_assert_eq(judge(0.5, 0.5, 0.5, 0, 99), MTAREP_WARMUP_ADVANCE, "tiny sample judged");
    cr_assert_eq(judge(-1, -1, -1, 1, 0), MTAREP_WARMUP_PAUSE, "block-listing ignored");
    cr_assert_eq(judge(0.03, 0.004, -1, 0, 1000), MTAREP_WARMUP_HALVE, "worst signal wins");
    s.bounce_hold = 0.2;
    cr_assert_eq(mtarep_warmup_evaluate(&a, &s), MTAREP_EINVAL);
    s = (mtarep_warmup_signals)MTAREP_WARMUP_SIGNALS_INIT;
    s.version = 0;
    cr_assert_eq(mtarep_warmup_evaluate(&a, &s), MTAREP_EVERSION);
}

Test(warmup, progress_holds_the_plan_clock)
{
    mtarep_warmup *w = preset("mtarep");
    mtarep_warmup_progress p;
    mtarep_warmup_caps c;
    const int64_t S = 1740787200, D = 86400;

    mtarep_warmup_progress_init(&p, S);
    cr_assert_eq(mtarep_warmup_caps_at(&c, w, &p, S + 2 * D + D / 2), MTAREP_OK);
    cr_assert_eq(c.day, 3);
    mtarep_warmup_progress_apply(&p, MTAREP_WARMUP_HOLD, S + 2 * D + D / 2);
    mtarep_warmup_caps_at(&c, w, &p, S + 5 * D + D / 2);
    cr_assert_eq(c.day, 3, "advanced while held: day %d", c.day);
    cr_assert_eq(c.daily, 100);
    cr_assert_eq(c.action, MTAREP_WARMUP_HOLD);
    mtarep_warmup_progress_apply(&p, MTAREP_WARMUP_HALVE, S + 5 * D + D / 2);
    mtarep_warmup_caps_at(&c, w, &p, S + 6 * D);
    cr_assert_eq(c.day, 3);
    cr_assert_eq(c.daily, 50);
    cr_assert_eq(c.hourly, 6);
    mtarep_warmup_progress_apply(&p, MTAREP_WARMUP_PAUSE, S + 6 * D);
    mtarep_warmup_caps_at(&c, w, &p, S + 6 * D + 1);
    cr_assert_eq(c.daily, 0);
    cr_assert_eq(c.hourly, 0);
    mtarep_warmup_progress_apply(&p, MTAREP_WARMUP_ADVANCE, S + 6 * D + D / 2);
    cr_assert_eq(p.held_seconds, 4 * D);
    mtarep_warmup_caps_at(&c, w, &p, S + 6 * D + D / 2);
    cr_assert_eq(c.day, 3, "plan jumped on resume: day %d", c.day);
    mtarep_warmup_caps_at(&c, w, &p, S + 7 * D + D / 2);
    cr_assert_eq(c.day, 4);
    cr_assert_eq(c.daily, 120);
    cr_assert_eq(c.action, MTAREP_WARMUP_ADVANCE);
    mtarep_warmup_free(w);
}

Test(warmup, limits_from_caps)
{
    mtarep_warmup_caps c = {1, 480, 20, 0, MTAREP_WARMUP_ADVANCE};
    mtarep_limit l[2];

    mtarep_warmup_limits(l, &c);
    cr_assert_eq(l[0].count, 480);
    cr_assert_eq(l[0].period_ms, 86400000);
    cr_assert_eq(l[0].burst, 0);
    cr_assert_eq(l[0].kind, MTAREP_LIMIT_WINDOW);
    cr_assert_eq(l[1].count, 20);
    cr_assert_eq(l[1].period_ms, 3600000);
    cr_assert_eq(l[1].burst, 0);
    cr_assert_eq(l[1].kind, MTAREP_LIMIT_WINDOW);
    c.hourly = 600; /* an hourly cap above the daily one is capped */
    mtarep_warmup_limits(l, &c);
    cr_assert_eq(l[1].count, 480);
    c.daily = c.hourly = 0;
    mtarep_warmup_limits(l, &c);
    cr_assert_eq(l[0].count, 0);
    cr_assert_eq(l[1].count, 0);
    cr_assert_eq(l[0].kind, MTAREP_LIMIT_WINDOW);
}

/* The caps are hard: over three simulated days of a sender trying every
 * 10 s, no 24-hour window sees more than the daily cap, no hour more than
 * the hourly cap, and the sender gets its whole daily cap each day. */
typedef struct fclock {
    uint64_t now;
} fclock;
static uint64_t f_now(void *a)
{
    return ((fclock *)a)->now;
}
static void f_sleep(void *a, uint64_t us)
{
    ((fclock *)a)->now += us;
}

Test(warmup, daily_cap_holds_in_every_24h_window)
{
    mtarep_warmup *w = preset("mtarep");
    mtarep_throttle *t = NULL;
    fclock fc = {1740787200ULL * 1000000u};
    mtarep__tclock clk = {f_now, f_sleep, &fc};
    mtarep_warmup_caps c;
    mtarep_limit l[2];
    static uint64_t at[4000];
    size_t n = 0;

    cr_assert_eq(mtarep_throttle_new(&t, "memory:", NULL, NULL), MTAREP_OK);
    mtarep__throttle_set_clock(t, &clk);
    mtarep_warmup_caps_for_day(&c, w, 1); /* 50/d, 7/h, held on day 1 */
    mtarep_warmup_limits(l, &c);
    for (int i = 0; i < 3 * 8640; i++) {
        mtarep_throttle_decision d;
        cr_assert_eq(mtarep_throttle_try(&d, t, "ip:203.0.113.9", l, 2, 1), MTAREP_OK);
        if (d.admitted)
            at[n++] = fc.now;
        fc.now += 10000000;
    }
    for (size_t i = 0; i < n; i++) {
        size_t day = 0, hour = 0;
        for (size_t j = i; j < n && at[j] < at[i] + 86400000000ULL; j++)
            day++;
        for (size_t j = i; j < n && at[j] < at[i] + 3600000000ULL; j++)
            hour++;
        cr_assert_leq(day, 50, "%zu sent in the 24 h from send %zu", day, i);
        cr_assert_leq(hour, 7, "%zu sent in the hour from send %zu", hour, i);
    }
    /* a fresh key: the hour's cap on the first 7 tries, then nothing */
    cr_assert(n >= 8 && at[6] == at[0] + 60000000ULL && at[7] >= at[0] + 3600000000ULL,
              "first hour: %llu .. %llu s", (unsigned long long)(at[6] - at[0]) / 1000000,
              (unsigned long long)(at[7] - at[0]) / 1000000);
    /* the whole cap every day: a day's units leave the window at most
     * 1 d/15 = 96 min late, so the third 50 starts before hour 52 and
     * needs 8 hours of the hourly cap */
    cr_assert_eq(n, 150, "%zu sent in 3 days of a 50/day cap", n);
    mtarep_throttle_free(t);
    mtarep_warmup_free(w);
}
