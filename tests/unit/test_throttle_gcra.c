/* GCRA arithmetic, limit syntax and the memory store, on an injected
 * clock (no sleeping). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

typedef struct fclock {
    uint64_t now;
    uint64_t slept;
} fclock;

static uint64_t f_now(void *a)
{
    return ((fclock *)a)->now;
}

static void f_sleep(void *a, uint64_t us)
{
    ((fclock *)a)->now += us;
    ((fclock *)a)->slept += us;
}

#define T0 1700000000000000ULL /* a Unix time in us */

static mtarep_throttle *open_mem(fclock *fc, const char *uri)
{
    mtarep_throttle *t = NULL;
    mtarep_throttle_error err;
    int rc = mtarep_throttle_new(&t, uri ? uri : "memory:", NULL, &err);
    cr_assert_eq(rc, MTAREP_OK, "throttle_new: %s (%s)", mtarep_strerror(rc), err.text);
    mtarep__tclock c = {f_now, f_sleep, fc};
    fc->now = T0;
    fc->slept = 0;
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

static mtarep_throttle_decision try1(mtarep_throttle *t, const char *key, const mtarep_limit *l,
                                     size_t n, uint64_t q)
{
    mtarep_throttle_decision d;
    int rc = mtarep_throttle_try(&d, t, key, l, n, q);
    cr_assert_eq(rc, MTAREP_OK, "try: %s (%s)", mtarep_strerror(rc), d.message);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE);
    return d;
}

Test(gcra, fresh_key_burst_then_exact_retry)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l = L("10/1s");
    mtarep_throttle_decision d;

    for (int i = 0; i < 10; i++) {
        d = try1(t, "ip:192.0.2.1", &l, 1, 1);
        cr_assert(d.admitted, "unit %d of the burst refused", i);
        cr_assert_eq(d.limits[0].remaining, (uint64_t)(9 - i), "remaining after %d: %llu", i,
                     (unsigned long long)d.limits[0].remaining);
    }
    d = try1(t, "ip:192.0.2.1", &l, 1, 1);
    cr_assert_not(d.admitted, "11th unit admitted");
    cr_assert_eq(d.retry_after_ms, 100, "retry %lld, want 100", (long long)d.retry_after_ms);
    cr_assert(d.limits[0].blocking);
    cr_assert_eq(d.limits[0].reset_after_ms, 1000);
    /* 1 us before the slot: still refused, retry rounds UP to 1 ms */
    fc.now = T0 + 99999;
    d = try1(t, "ip:192.0.2.1", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 1, "retry %lld, want 1 (rounded up)", (long long)d.retry_after_ms);
    fc.now = T0 + 100000;
    d = try1(t, "ip:192.0.2.1", &l, 1, 1);
    cr_assert(d.admitted, "not admitted at the announced retry time");
    cr_assert_eq(d.limits[0].remaining, 0);
    mtarep_throttle_free(t);
}

Test(gcra, non_integral_interval_rounds_conservatively)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l = L("3/1s"); /* T = 333334 us */
    mtarep_throttle_decision d;

    for (int i = 0; i < 3; i++)
        cr_assert(try1(t, "k", &l, 1, 1).admitted, "burst unit %d refused", i);
    d = try1(t, "k", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 334, "retry %lld, want 334", (long long)d.retry_after_ms);
    fc.now = T0 + 333333;
    cr_assert_not(try1(t, "k", &l, 1, 1).admitted, "admitted 1 us early");
    fc.now = T0 + 333334;
    cr_assert(try1(t, "k", &l, 1, 1).admitted);
    mtarep_throttle_free(t);
}

Test(gcra, explicit_burst_and_quantity)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit b2 = L("10/1s:2"), l10 = L("10/1s");
    mtarep_throttle_decision d;

    cr_assert(try1(t, "a", &b2, 1, 1).admitted);
    cr_assert(try1(t, "a", &b2, 1, 1).admitted);
    d = try1(t, "a", &b2, 1, 1);
    cr_assert_not(d.admitted, "burst 2 let a third through");
    cr_assert_eq(d.retry_after_ms, 100);

    d = try1(t, "b", &l10, 1, 5);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 5);
    d = try1(t, "b", &l10, 1, 6);
    cr_assert_not(d.admitted, "6 admitted with 5 left");
    cr_assert_eq(d.retry_after_ms, 100, "retry %lld", (long long)d.retry_after_ms);
    cr_assert_eq(d.limits[0].remaining, 5, "refusal consumed capacity");
    d = try1(t, "b", &l10, 1, 11);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, -1, "quantity above burst must be 'never'");
    d = try1(t, "b", &l10, 1, 5);
    cr_assert(d.admitted, "the remaining 5 were lost");
    mtarep_throttle_free(t);
}

Test(gcra, several_limits_all_or_nothing)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l[2] = {L("5/1s"), L("8/1m")};
    mtarep_throttle_decision d;

    d = try1(t, "dom:example.com", l, 2, 5);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 0);
    cr_assert_eq(d.limits[1].remaining, 3);
    fc.now = T0 + 1000000;
    d = try1(t, "dom:example.com", l, 2, 4);
    cr_assert_not(d.admitted, "minute limit (3 left) let 4 pass");
    cr_assert_not(d.limits[0].blocking, "second limit had room");
    cr_assert(d.limits[1].blocking);
    /* minute: T = 7.5 s, TAT = T0 + 37.5 s; 4 more need TAT + 30 s - 60 s */
    cr_assert_eq(d.retry_after_ms, 6500, "retry %lld, want 6500", (long long)d.retry_after_ms);
    cr_assert_eq(d.limits[0].remaining, 5, "refused decision counted against limit 0");
    d = try1(t, "dom:example.com", l, 2, 3);
    cr_assert(d.admitted, "3 fit both limits");
    cr_assert_eq(d.limits[0].remaining, 2);
    cr_assert_eq(d.limits[1].remaining, 0);
    mtarep_throttle_free(t);
}

Test(gcra, changed_limit_clamps_state)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit big = L("100/1h"), small = L("100/1h:10"), slow = L("10/1h");
    mtarep_throttle_decision d;

    d = try1(t, "c", &big, 1, 100);
    cr_assert(d.admitted);
    /* burst lowered to 10: backlog clamped to 10 x 36 s, so one unit
     * waits one interval (36 s), not 3600 - 360 + 36 s */
    d = try1(t, "c", &small, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 36000, "retry %lld, want 36000 after clamp",
                 (long long)d.retry_after_ms);
    cr_assert_eq(d.limits[0].reset_after_ms, 360000);
    /* rate lowered: the state is clamped to the new tolerance (1 h) */
    d = try1(t, "c", &slow, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 360000, "retry %lld", (long long)d.retry_after_ms);
    /* raised again: nothing is admitted twice */
    fc.now = T0 + 36000000;
    d = try1(t, "c", &big, 1, 2);
    cr_assert_not(d.admitted, "2 units admitted 36 s after a full hour's burst");
    d = try1(t, "c", &big, 1, 1);
    cr_assert(d.admitted);
    mtarep_throttle_free(t);
}

Test(gcra, status_does_not_count_and_reset_forgets)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l = L("4/1m");
    mtarep_throttle_decision d;

    cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 4);
    try1(t, "s", &l, 1, 3);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
        cr_assert_eq(d.limits[0].remaining, 1, "status consumed capacity");
    }
    cr_assert_eq(d.limits[0].reset_after_ms, 45000);
    try1(t, "s", &l, 1, 1);
    cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 15000);
    cr_assert_eq(mtarep_throttle_reset(t, "s", &l, 1), MTAREP_OK);
    cr_assert_eq(mtarep_throttle_status(&d, t, "s", &l, 1), MTAREP_OK);
    cr_assert_eq(d.limits[0].remaining, 4, "reset did not forget");
    mtarep_throttle_free(t);
}

Test(gcra, zero_limit_blocks)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l[2] = {L("0/1d"), L("10/1h")};
    mtarep_throttle_decision d = try1(t, "z", l, 2, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, -1);
    cr_assert(d.limits[0].blocking);
    cr_assert_eq(d.limits[1].remaining, 10, "blocked decision counted");
    mtarep_throttle_free(t);
}

Test(gcra, bad_arguments)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l[9];
    mtarep_throttle_decision d;
    char longkey[MTAREP_THROTTLE_KEY_MAX + 2];

    for (int i = 0; i < 9; i++)
        l[i] = (mtarep_limit){10, 1000u * (uint64_t)(i + 1), 0};
    memset(longkey, 'x', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    cr_assert_eq(mtarep_throttle_try(&d, t, "", l, 1, 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_throttle_try(&d, t, NULL, l, 1, 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_throttle_try(&d, t, longkey, l, 1, 1), MTAREP_EINVAL);
    longkey[MTAREP_THROTTLE_KEY_MAX] = '\0';
    cr_assert_eq(mtarep_throttle_try(&d, t, longkey, l, 1, 1), MTAREP_OK, "200-byte key refused");
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 0, 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 9, 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 8, 1), MTAREP_OK);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 1, 0), MTAREP_EINVAL);
    l[1].period_ms = l[0].period_ms;
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 2, 1), MTAREP_EINVAL);
    cr_assert(strstr(d.message, "same period"), "message: %s", d.message);
    l[0] = (mtarep_limit){2000, 1, 0}; /* 2 per microsecond */
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 1, 1), MTAREP_EINVAL);
    mtarep_throttle_free(t);
}

Test(gcra, acquire_waits_on_the_injected_clock)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, NULL);
    mtarep_limit l = L("1/1s");
    mtarep_throttle_decision d;

    cr_assert_eq(mtarep_throttle_acquire(&d, t, "q", &l, 1, 1, 0), MTAREP_OK);
    cr_assert(d.admitted);
    cr_assert_eq(fc.slept, 0);
    cr_assert_eq(mtarep_throttle_acquire(&d, t, "q", &l, 1, 1, 2000), MTAREP_OK);
    cr_assert(d.admitted);
    cr_assert_eq(fc.slept, 1000000, "slept %llu us, want exactly 1 s",
                 (unsigned long long)fc.slept);
    cr_assert_eq(mtarep_throttle_acquire(&d, t, "q", &l, 1, 1, 500), MTAREP_ETHROTTLED);
    cr_assert_eq(fc.slept, 1000000, "slept in vain");
    cr_assert_eq(d.retry_after_ms, 1000);
    cr_assert_eq(mtarep_throttle_acquire(&d, t, "q", &l, 1, 2, 100000), MTAREP_ELIMIT);
    mtarep_throttle_free(t);
}

/* ---- syntax ---- */

Test(limit_parse, accepted_forms)
{
    struct {
        const char *s;
        uint64_t n, p, b;
    } ok[] = {
        {"100/1h", 100, 3600000, 0},   {"100/h", 100, 3600000, 0},
        {" 5000 / 1d : 200 ", 5000, 86400000, 200},
        {"10/1s burst 1", 10, 1000, 1}, {"1k/15m", 1000, 900000, 0},
        {"2M/1w", 2000000, 604800000, 0}, {"7/250ms", 7, 250, 0},
        {"0/1d", 0, 86400000, 0},      {"30/90sec", 30, 90000, 0},
        {"1/366days", 1, 31622400000ULL, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        mtarep_limit l = L(ok[i].s);
        cr_assert_eq(l.count, ok[i].n, "%s: count %llu", ok[i].s, (unsigned long long)l.count);
        cr_assert_eq(l.period_ms, ok[i].p, "%s: period %llu", ok[i].s,
                     (unsigned long long)l.period_ms);
        cr_assert_eq(l.burst, ok[i].b, "%s: burst", ok[i].s);
    }
}

Test(limit_parse, errors_with_positions)
{
    struct {
        const char *s;
        int pos;
        const char *needle;
    } bad[] = {
        {"", 0, "count"},           {"abc", 0, "count"},          {"100", 3, "'/'"},
        {"100/", 4, "unit"},        {"100/1x", 5, "unknown unit"}, {"100/1h:", 7, "burst"},
        {"100/1h:0", 7, ">= 1"},    {"100/1h junk", 7, "unexpected"}, {"100/0s", 4, "zero"},
        {"1/367d", 2, "366"},       {"2000000000000/1h", 0, "10^12"}, {"5/1h burst", 10, "space"},
        {"100/1hburst 5", 5, "unknown unit"}, {"10000/1ms", 0, "microsecond"},
        {"1/1d:1000000000000", 0, "10 years"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtarep_limit l;
        mtarep_throttle_error err;
        int rc = mtarep_limit_parse(&l, bad[i].s, &err);
        cr_assert_eq(rc, MTAREP_EINVAL, "'%s' accepted", bad[i].s);
        cr_assert_eq(err.position, bad[i].pos, "'%s': position %d, want %d (%s)", bad[i].s,
                     err.position, bad[i].pos, err.text);
        cr_assert(strstr(err.text, bad[i].needle), "'%s': message '%s' lacks '%s'", bad[i].s,
                  err.text, bad[i].needle);
        cr_assert_eq(err.line, 1);
        cr_assert_eq(err.column, bad[i].pos + 1);
    }
}

Test(limit_parse, format_round_trip)
{
    const char *in[] = {"100/1h", "5000/1d:200", "7/250ms", "60/1m", "3/90s", "1/2w", "10/1s"};
    const char *want[] = {"100/1h", "5000/1d:200", "7/250ms", "60/1m", "3/90s", "1/2w", "10/1s"};
    char buf[48];
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        mtarep_limit l = L(in[i]), back;
        cr_assert_eq(mtarep_limit_format(buf, sizeof buf, &l), MTAREP_OK);
        cr_assert_str_eq(buf, want[i]);
        back = L(buf);
        cr_assert(back.count == l.count && back.period_ms == l.period_ms && back.burst == l.burst);
    }
    {
        mtarep_limit l = L("100/1h");
        cr_assert_eq(mtarep_limit_format(buf, 4, &l), MTAREP_ELIMIT);
    }
}

/* ---- the table engine against a reference model ---- */

typedef struct ref {
    char key[16];
    uint64_t period;
    mtarep__lstate st;
} ref;

Test(table, matches_reference_model_with_expiry_and_reuse)
{
    /* 512 slots in one stripe, at most 450 live pairs: never full, but
     * slots are reused and chains trimmed as states drain. */
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, "memory:?slots=512");
    static ref model[150 * 3];
    size_t nm = 0;
    unsigned seed = 12345;
    mtarep_limit lims[3] = {L("3/10s"), L("5/1m"), L("4/10s window")};
    mtarep__gcra g[3];
    char msg[100];

    for (int i = 0; i < 3; i++)
        mtarep__gcra_prepare(&g[i], &lims[i], msg, sizeof msg);
    for (int step = 0; step < 200000; step++) {
        char key[16];
        int k = (int)(rand_r(&seed) % 150);
        size_t which = rand_r(&seed) % 4; /* 0: limit 0, 1: limit 1, 2: both, 3: window + 1 */
        mtarep_limit use[2];
        mtarep__gcra ug[2];
        mtarep__lstate st[2], view[2], next[2];
        unsigned reb;
        ref *slot[2] = {NULL, NULL};
        size_t n = which >= 2 ? 2 : 1;
        uint64_t q = 1 + rand_r(&seed) % 3;
        mtarep_throttle_decision d;

        snprintf(key, sizeof key, "key%d", k);
        use[0] = which == 1 ? lims[1] : which == 3 ? lims[2] : lims[0];
        ug[0] = which == 1 ? g[1] : which == 3 ? g[2] : g[0];
        use[1] = lims[1];
        ug[1] = g[1];
        fc.now += rand_r(&seed) % 400000;
        for (size_t i = 0; i < n; i++) {
            for (size_t m = 0; m < nm; m++)
                if (!strcmp(model[m].key, key) && model[m].period == ug[i].ident)
                    slot[i] = &model[m];
            if (!slot[i]) {
                slot[i] = &model[nm++];
                snprintf(slot[i]->key, sizeof slot[i]->key, "%s", key);
                slot[i]->period = ug[i].ident;
                memset(&slot[i]->st, 0, sizeof slot[i]->st);
            }
            st[i] = slot[i]->st;
        }
        int want = mtarep__limits_decide(fc.now, ug, n, q, st, view, next, &reb);
        if (want)
            for (size_t i = 0; i < n; i++)
                slot[i]->st = next[i];
        cr_assert_eq(mtarep_throttle_try(&d, t, key, use, n, q), MTAREP_OK, "step %d: %s", step,
                     d.message);
        cr_assert_eq(d.admitted, want, "step %d key %s: store %d, model %d", step, key,
                     d.admitted, want);
    }
    mtarep_throttle_free(t);
}

Test(table, full_table_refuses_new_keys_never_evicts)
{
    fclock fc;
    mtarep_throttle *t = open_mem(&fc, "memory:?slots=64");
    mtarep_limit l = L("1/1d");
    mtarep_throttle_decision d;
    char key[32];
    int i;

    for (i = 0; i < 64; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_eq(mtarep_throttle_try(&d, t, key, &l, 1, 1), MTAREP_OK, "key %d: %s", i,
                     d.message);
        cr_assert(d.admitted);
    }
    cr_assert_eq(mtarep_throttle_try(&d, t, "one-too-many", &l, 1, 1), MTAREP_ELIMIT);
    cr_assert(strstr(d.message, "full"), "message: %s", d.message);
    for (i = 0; i < 64; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_eq(mtarep_throttle_try(&d, t, key, &l, 1, 1), MTAREP_OK);
        cr_assert_not(d.admitted, "key %d was evicted: admitted again", i);
    }
    /* a refused new key is not counted: status works, nothing stored */
    cr_assert_eq(mtarep_throttle_status(&d, t, "one-too-many", &l, 1), MTAREP_OK);
    fc.now += 86400ULL * 1000000u; /* every state drained: slots reusable */
    cr_assert_eq(mtarep_throttle_try(&d, t, "one-too-many", &l, 1, 1), MTAREP_OK, "%s",
                 d.message);
    cr_assert(d.admitted);
    mtarep_throttle_free(t);
}

/* ---- threads sharing one memory store ---- */

typedef struct hammer {
    mtarep_throttle *t;
    mtarep_limit l;
    int admitted;
    volatile int *stop;
} hammer;

static void *hammer_run(void *a)
{
    hammer *h = a;
    mtarep_throttle_decision d;
    /* a fixed number of tries, so a slow run (valgrind) still exhausts the burst */
    for (int i = 0; i < 2000 && !*h->stop; i++) {
        if (mtarep_throttle_try(&d, h->t, "shared", &h->l, 1, 1) == MTAREP_OK && d.admitted)
            h->admitted++;
    }
    return NULL;
}

Test(memory_store, threads_never_over_admit)
{
    mtarep_throttle *t = NULL;
    hammer h[8];
    pthread_t th[8];
    volatile int stop = 0;
    int total = 0;

    cr_assert_eq(mtarep_throttle_new(&t, "memory:", NULL, NULL), MTAREP_OK);
    for (int i = 0; i < 8; i++) {
        h[i] = (hammer){t, L("5000/1d"), 0, &stop};
        pthread_create(&th[i], NULL, hammer_run, &h[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += h[i].admitted;
    }
    /* 16000 tries; T = 17.28 s: no refill during the run */
    cr_assert_eq(total, 5000, "admitted %d of a 5000 burst", total);
    mtarep_throttle_free(t);
}
