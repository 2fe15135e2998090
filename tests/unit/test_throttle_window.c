/* Sliding-window limits ("N/PERIOD window"): the window math against an
 * independent model, exact retry times, combination with GCRA, syntax,
 * threads. Injected clock, no sleeping. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

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

#define T0 1700000000000000ULL /* a Unix time in us, a multiple of 1 s */
#define S 1000000ULL

static mtarep_throttle *open_mem(fclock *fc)
{
    mtarep_throttle *t = NULL;
    mtarep__tclock c = {f_now, f_sleep, fc};
    cr_assert_eq(mtarep_throttle_new(&t, "memory:", NULL, NULL), MTAREP_OK);
    fc->now = T0;
    mtarep__throttle_set_clock(t, &c);
    return t;
}

static mtarep_limit L(const char *s)
{
    mtarep_limit l;
    mtarep_throttle_error err;
    int rc = mtarep_limit_parse(&l, s, &err);
    cr_assert_eq(rc, MTAREP_OK, "parse '%s': %s at %d", s, err.text, err.position);
    return l;
}

static mtarep_throttle_decision try_n(mtarep_throttle *t, const char *key, const mtarep_limit *l,
                                      size_t n, uint64_t q)
{
    mtarep_throttle_decision d;
    int rc = mtarep_throttle_try(&d, t, key, l, n, q);
    cr_assert_eq(rc, MTAREP_OK, "try: %s (%s)", mtarep_strerror(rc), d.message);
    return d;
}

Test(window, fresh_key_admits_n_at_once_then_exact_retry)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l = L("10/15s window"); /* w = 1 s: sub-windows aligned on seconds */
    mtarep_throttle_decision d;

    fc.now = T0 + 500000; /* mid sub-window */
    d = try_n(t, "k", &l, 1, 10);
    cr_assert(d.admitted, "a fresh key refused N at once");
    cr_assert_eq(d.limits[0].remaining, 0);
    /* sub-window [T0, T0+1s) leaves the window at T0 + 1 s + 15 s */
    cr_assert_eq(d.limits[0].reset_after_ms, 15500);
    d = try_n(t, "k", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert(d.limits[0].blocking);
    cr_assert_eq(d.retry_after_ms, 15500, "retry %lld", (long long)d.retry_after_ms);
    fc.now = T0 + 16 * S - 1;
    cr_assert_not(try_n(t, "k", &l, 1, 1).admitted, "admitted 1 us before the retry time");
    d = try_n(t, "k", &l, 1, 1);
    cr_assert_eq(d.retry_after_ms, 1, "retry rounds up: %lld", (long long)d.retry_after_ms);
    fc.now = T0 + 16 * S;
    d = try_n(t, "k", &l, 1, 10);
    cr_assert(d.admitted, "not admitted at the announced time");
    mtarep_throttle_free(t);
}

Test(window, oldest_sub_window_counts_in_full_retry_takes_the_smallest_release)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l = L("10/15s window");
    mtarep_throttle_decision d;

    cr_assert(try_n(t, "k", &l, 1, 3).admitted);          /* sub-window 0 */
    fc.now = T0 + 4 * S + 250000;
    cr_assert(try_n(t, "k", &l, 1, 4).admitted);          /* sub-window 4 */
    fc.now = T0 + 9 * S;
    cr_assert(try_n(t, "k", &l, 1, 3).admitted);          /* sub-window 9 */
    fc.now = T0 + 10 * S;
    d = try_n(t, "k", &l, 1, 2);
    cr_assert_not(d.admitted);
    /* 2 fit once sub-window 0 (3 units) has left: T0 + 16 s */
    cr_assert_eq(d.retry_after_ms, 6000, "retry %lld", (long long)d.retry_after_ms);
    d = try_n(t, "k", &l, 1, 5);
    /* 5 need sub-windows 0 and 4 gone: T0 + 20 s */
    cr_assert_eq(d.retry_after_ms, 10000, "retry %lld", (long long)d.retry_after_ms);
    d = try_n(t, "k", &l, 1, 10);
    cr_assert_eq(d.retry_after_ms, 15000, "retry %lld", (long long)d.retry_after_ms);
    cr_assert_eq(d.limits[0].reset_after_ms, 15000);
    /* at T0 + 15 s the window (T0, T0+15s] no longer holds the units sent
     * at T0, but sub-window 0 overlaps it: still counted (conservative) */
    fc.now = T0 + 15 * S;
    cr_assert_not(try_n(t, "k", &l, 1, 1).admitted);
    fc.now = T0 + 16 * S;
    d = try_n(t, "k", &l, 1, 3);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 0);
    mtarep_throttle_free(t);
}

Test(window, never_and_zero)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l[2] = {L("10/1h window"), L("0/1d window")};
    mtarep_throttle_decision d;

    d = try_n(t, "k", l, 1, 11);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, -1, "q > N must be never");
    cr_assert(d.limits[0].blocking);
    cr_assert_eq(d.limits[0].remaining, 10, "refusal counted");
    d = try_n(t, "k", &l[1], 1, 1);
    cr_assert_eq(d.retry_after_ms, -1);
    d = try_n(t, "k", l, 2, 1);
    cr_assert_eq(d.retry_after_ms, -1);
    cr_assert_not(d.limits[0].blocking);
    cr_assert(d.limits[1].blocking);
    cr_assert_eq(mtarep_throttle_acquire(&d, t, "k", l, 1, 11, 100000), MTAREP_ELIMIT);
    mtarep_throttle_free(t);
}

Test(window, reconfiguration_keeps_counts)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l10 = L("10/15s window"), l5 = L("5/15s window"), l20 = L("20/15s window"),
                 other = L("10/30s window");
    mtarep_throttle_decision d;

    cr_assert(try_n(t, "k", &l10, 1, 8).admitted);
    d = try_n(t, "k", &l5, 1, 1);
    cr_assert_not(d.admitted, "lowered N ignored the 8 already sent");
    cr_assert_eq(d.limits[0].remaining, 0);
    cr_assert_eq(d.retry_after_ms, 16000);
    d = try_n(t, "k", &l20, 1, 13);
    cr_assert_not(d.admitted, "raised N admitted more than N - sent");
    d = try_n(t, "k", &l20, 1, 12);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 0);
    /* another period is another state */
    cr_assert(try_n(t, "k", &other, 1, 10).admitted);
    mtarep_throttle_free(t);
}

Test(window, combined_with_gcra_all_or_nothing)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    /* what `--limit 10/15s --burst 2` builds: a window and a pacing GCRA */
    mtarep_limit l[2] = {L("10/15s window"), L("10/15s:2")};
    mtarep_throttle_decision d;
    int admitted = 0;

    cr_assert(try_n(t, "k", l, 2, 2).admitted);
    d = try_n(t, "k", l, 2, 1);
    cr_assert_not(d.admitted);
    cr_assert_not(d.limits[0].blocking);
    cr_assert(d.limits[1].blocking);
    cr_assert_eq(d.retry_after_ms, 1500); /* T = 1.5 s */
    cr_assert_eq(d.limits[0].remaining, 8, "GCRA refusal counted on the window");
    /* paced for 30 s: GCRA alone would pass 2 + 20; the window caps any
     * 15 s at 10 */
    for (int i = 0; i < 300; i++) {
        fc.now += 100000;
        if (try_n(t, "k", l, 2, 1).admitted)
            admitted++;
    }
    cr_assert_leq(admitted, 18, "%d admitted", admitted);
    cr_assert_geq(admitted, 14, "%d admitted", admitted);
    mtarep_throttle_free(t);
}

Test(window, status_and_reset)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l = L("4/1m window");
    mtarep_throttle_decision d;

    cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 4);
    cr_assert_eq(d.limits[0].reset_after_ms, 0);
    try_n(t, "s", &l, 1, 4);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
        cr_assert_not(d.admitted);
        cr_assert_eq(d.limits[0].remaining, 0);
    }
    cr_assert_eq(mtarep_throttle_reset(t, "s", &l, 1), MTAREP_OK);
    cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
    cr_assert_eq(d.limits[0].remaining, 4, "reset did not forget");
    mtarep_throttle_free(t);
}

Test(window, clock_steps_back)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc);
    mtarep_limit l = L("10/15s window");
    mtarep_throttle_decision d;

    /* a little back (another process's clock): units count in the newest
     * sub-window, never less */
    fc.now = T0 + 5 * S;
    cr_assert(try_n(t, "k", &l, 1, 6).admitted);
    fc.now = T0 + 3 * S;
    cr_assert(try_n(t, "k", &l, 1, 4).admitted);
    cr_assert_not(try_n(t, "k", &l, 1, 1).admitted);
    fc.now = T0 + 21 * S - 1;
    cr_assert_not(try_n(t, "k", &l, 1, 1).admitted, "released before sub-window 5 left");
    fc.now = T0 + 21 * S;
    cr_assert(try_n(t, "k", &l, 1, 10).admitted);
    /* far back (more than a period and a minute): everything counts as
     * sent now, and the key is free one period later, not when the clock
     * catches up */
    fc.now = T0 + 100 * S;
    cr_assert(try_n(t, "k", &l, 1, 10).admitted);
    fc.now = T0 + 30 * S;
    d = try_n(t, "k", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 16000, "retry %lld", (long long)d.retry_after_ms);
    fc.now = T0 + 46 * S;
    cr_assert(try_n(t, "k", &l, 1, 10).admitted, "still held after the clock stepped back");
    /* back by less than a minute: no rebase (a late decision must not move
     * counts back in time); held until sub-window 46 has left */
    fc.now = T0 + 20 * S;
    d = try_n(t, "k", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 42000, "retry %lld", (long long)d.retry_after_ms);
    mtarep_throttle_free(t);
}

/* ---- against an independent model: admissions as (sub-window, q) ---- */

typedef struct adm {
    uint64_t at, sub, q;
} adm;

Test(window, random_traffic_matches_model_and_every_window_holds)
{
    static adm log[40000];
    size_t nlog = 0;
    struct {
        const char *spec;
        uint64_t n, p;
    } cases[] = {{"7/10s window", 7, 10 * S}, {"50/1m window", 50, 60 * S},
                 {"3/250ms window", 3, 250000}, {"1000/7s window", 1000, 7 * S}};

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fclock fc;
        mtarep_throttle *t = open_mem(&fc);
        mtarep_limit l = L(cases[c].spec);
        uint64_t N = cases[c].n, P = cases[c].p, w = (P + 14) / 15;
        unsigned seed = 99 + (unsigned)c;
        uint64_t sent = 0;

        nlog = 0;
        fc.now += rand_r(&seed) % P;
        for (int step = 0; step < 20000; step++) {
            uint64_t q = 1 + rand_r(&seed) % (N < 4 ? N : N / 2), sum = 0, lo, rel, left;
            mtarep_throttle_decision d;
            int want;

            fc.now += rand_r(&seed) % (P / 8 + 1);
            lo = (fc.now - P) / w;
            for (size_t i = 0; i < nlog; i++)
                if (log[i].sub >= lo)
                    sum += log[i].q;
            want = sum + q <= N;
            d = try_n(t, "m", &l, 1, q);
            cr_assert_eq(d.admitted, want, "%s step %d: store %d, model %d (sum %llu q %llu)",
                         cases[c].spec, step, d.admitted, want, (unsigned long long)sum,
                         (unsigned long long)q);
            cr_assert_eq(d.limits[0].remaining, N - sum - (want ? q : 0), "%s step %d",
                         cases[c].spec, step);
            if (want) {
                cr_assert_lt(nlog, sizeof log / sizeof log[0]);
                log[nlog++] = (adm){fc.now, fc.now / w, q};
                sent += q;
                continue;
            }
            /* model retry: the first release that makes room */
            rel = 0;
            left = sum;
            for (size_t i = 0; i < nlog && left + q > N; i++) {
                if (log[i].sub < lo)
                    continue;
                /* log is in time order: release sub-windows oldest first */
                {
                    uint64_t s = log[i].sub;
                    while (i < nlog && log[i].sub == s) {
                        left -= log[i].q;
                        i++;
                    }
                    i--;
                    rel = (s + 1) * w + P;
                }
            }
            cr_assert_eq(d.retry_after_ms, (int64_t)((rel - fc.now + 999) / 1000),
                         "%s step %d: retry %lld, model %llu us", cases[c].spec, step,
                         (long long)d.retry_after_ms, (unsigned long long)(rel - fc.now));
        }
        /* every half-open window of P holds at most N */
        for (size_t i = 0, j = 0, in = 0; i < nlog; i++) {
            in += log[i].q;
            while (log[j].at + P <= log[i].at)
                in -= log[j++].q;
            cr_assert_leq(in, N, "%s: %llu in the window ending at admission %zu",
                          cases[c].spec, (unsigned long long)in, i);
        }
        cr_log_info("%s: %zu admissions, %llu units", cases[c].spec, nlog,
                    (unsigned long long)sent);
        cr_assert_gt(nlog, 100);
        mtarep_throttle_free(t);
    }
}

/* ---- syntax ---- */

Test(window, parse_and_format)
{
    mtarep_limit l = L(" 500 / 1d  window ");
    char buf[48];
    struct {
        const char *s;
        int pos;
        const char *needle;
    } bad[] = {
        {"100/1h window:5", 13, "no burst"},
        {"100/1h window burst 3", 14, "no burst"},
        {"100/1h windows", 7, "unexpected"},
        {"100/1h window x", 14, "unexpected"},
        {"100/1h:5 window", 9, "unexpected"},
        {"100/1hwindow", 5, "unknown unit"},
    };

    cr_assert_eq(l.kind, MTAREP_LIMIT_WINDOW);
    cr_assert_eq(l.count, 500);
    cr_assert_eq(l.period_ms, 86400000);
    cr_assert_eq(l.burst, 0);
    cr_assert_eq(mtarep_limit_format(buf, sizeof buf, &l), MTAREP_OK);
    cr_assert_str_eq(buf, "500/1d window");
    l = L(buf);
    cr_assert_eq(l.kind, MTAREP_LIMIT_WINDOW);
    cr_assert_eq(L("100/1h").kind, MTAREP_LIMIT_GCRA);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtarep_throttle_error err;
        int rc = mtarep_limit_parse(&l, bad[i].s, &err);
        cr_assert_eq(rc, MTAREP_EINVAL, "'%s' accepted", bad[i].s);
        cr_assert_eq(err.position, bad[i].pos, "'%s': position %d (%s)", bad[i].s, err.position,
                     err.text);
        cr_assert(strstr(err.text, bad[i].needle), "'%s': %s", bad[i].s, err.text);
    }
    /* a struct with a burst, or an unknown kind, is refused */
    {
        mtarep_limit wb = {10, 1000, 3, MTAREP_LIMIT_WINDOW}, wk = {10, 1000, 0, 7};
        mtarep_throttle_decision d;
        fclock fc;
        mtarep_throttle *t = open_mem(&fc);
        cr_assert_eq(mtarep_limit_format(buf, sizeof buf, &wb), MTAREP_EINVAL);
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", &wb, 1, 1), MTAREP_EINVAL);
        cr_assert(strstr(d.message, "no burst"), "%s", d.message);
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", &wk, 1, 1), MTAREP_EINVAL);
        wb.burst = 10; /* burst = N is the window's own */
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", &wb, 1, 1), MTAREP_OK);
        mtarep_throttle_free(t);
    }
}

/* ---- threads sharing one memory store ---- */

typedef struct hammer {
    mtarep_throttle *t;
    mtarep_limit l;
    int admitted;
} hammer;

static void *hammer_run(void *a)
{
    hammer *h = a;
    mtarep_throttle_decision d;
    for (int i = 0; i < 2000; i++)
        if (mtarep_throttle_try(&d, h->t, "shared", &h->l, 1, 1) == MTAREP_OK && d.admitted)
            h->admitted++;
    return NULL;
}

Test(window, threads_admit_exactly_n)
{
    mtarep_throttle *t = NULL;
    hammer h[8];
    pthread_t th[8];
    int total = 0;

    cr_assert_eq(mtarep_throttle_new(&t, "memory:", NULL, NULL), MTAREP_OK);
    for (int i = 0; i < 8; i++) {
        h[i] = (hammer){t, L("5000/1d window"), 0};
        pthread_create(&th[i], NULL, hammer_run, &h[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += h[i].admitted;
    }
    cr_assert_eq(total, 5000, "admitted %d of a 5000 window", total);
    mtarep_throttle_free(t);
}
