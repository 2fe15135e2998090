/* The Redis store against the fixture's redis-server (MTAREP_TEST_REDIS):
 * the same semantics as the local stores, cluster-safe keys, the script
 * cache, many processes and threads on one key, secrets. */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

static char host[64] = "127.0.0.1";
static int port = 6390;
static char uri[128];
static char prefix[64]; /* unique per test run: keys never collide */

static void setup(void)
{
    const char *e = getenv("MTAREP_TEST_REDIS");
    if (e) {
        const char *c = strrchr(e, ':');
        cr_assert_not_null(c, "MTAREP_TEST_REDIS=%s", e);
        snprintf(host, sizeof host, "%.*s", (int)(c - e), e);
        port = atoi(c + 1);
    }
    snprintf(uri, sizeof uri, "redis://%s:%d", host, port);
    snprintf(prefix, sizeof prefix, "t%d-%ld", (int)getpid(), (long)time(NULL));
}

TestSuite(redis_store, .init = setup, .timeout = 120);

static redisContext *raw(void)
{
    redisContext *c = redisConnect(host, port);
    cr_assert(c && !c->err, "cannot reach redis at %s:%d (servers fixture)", host, port);
    return c;
}

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

static mtarep_throttle *open_redis(const char *u, int client_clock, fclock *fc)
{
    mtarep_throttle *t = NULL;
    mtarep_throttle_options o = MTAREP_THROTTLE_OPTIONS_INIT;
    mtarep_throttle_error err;
    int rc;

    o.client_clock = client_clock;
    rc = mtarep_throttle_new(&t, u ? u : uri, &o, &err);
    cr_assert_eq(rc, MTAREP_OK, "%s", err.text);
    if (fc) {
        mtarep__tclock c = {f_now, f_sleep, fc};
        mtarep__throttle_set_clock(t, &c);
    }
    return t;
}

static mtarep_limit L(const char *s)
{
    mtarep_limit l;
    cr_assert_eq(mtarep_limit_parse(&l, s, NULL), MTAREP_OK, "%s", s);
    return l;
}

static void key_of(char *buf, size_t len, const char *k)
{
    snprintf(buf, len, "%s:%s", prefix, k);
}

static mtarep_throttle_decision try1(mtarep_throttle *t, const char *k, const mtarep_limit *l,
                                     size_t n, uint64_t q)
{
    mtarep_throttle_decision d;
    char key[128];
    int rc;
    key_of(key, sizeof key, k);
    rc = mtarep_throttle_try(&d, t, key, l, n, q);
    cr_assert_eq(rc, MTAREP_OK, "try: %s (%s)", mtarep_error_name(rc), d.message);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE, "%s", d.message);
    return d;
}

#define T0 1700000000000000ULL

Test(redis_store, exact_retry_with_client_clock)
{
    fclock fc = {T0};
    mtarep_throttle *t = open_redis(NULL, 1, &fc);
    mtarep_limit l = L("10/1s");
    mtarep_throttle_decision d;

    for (int i = 0; i < 10; i++)
        cr_assert(try1(t, "exact", &l, 1, 1).admitted, "burst unit %d", i);
    d = try1(t, "exact", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 100);
    fc.now = T0 + 99999;
    d = try1(t, "exact", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 1, "retry %lld, want 1", (long long)d.retry_after_ms);
    fc.now = T0 + 100000;
    cr_assert(try1(t, "exact", &l, 1, 1).admitted);
    mtarep_throttle_free(t);
}

/* Same decisions, remaining counts and retry times as the memory store,
 * step by step, on a random workload over two limits. */
Test(redis_store, same_semantics_as_the_memory_store)
{
    fclock fc = {T0};
    mtarep_throttle *r = open_redis(NULL, 1, &fc), *m = NULL;
    mtarep__tclock c = {f_now, f_sleep, &fc};
    /* two settings per period: switching between them exercises the
     * clamp (GCRA) and a changed N (window) */
    mtarep_limit set[2][5] = {{L("3/10s"), L("5/1m:2"), L("7/1h"), L("4/10s window"),
                               L("9/1m window")},
                              {L("6/10s:1"), L("2/1m"), L("20/1h:3"), L("7/10s window"),
                               L("5/1m window")}};
    unsigned seed = 99;
    int admitted = 0, refused = 0;

    cr_assert_eq(mtarep_throttle_new(&m, "memory:", NULL, NULL), MTAREP_OK);
    mtarep__throttle_set_clock(m, &c);
    for (int step = 0; step < 3000; step++) {
        char k[16], key[128];
        size_t first = rand_r(&seed) % 5, n = 1 + rand_r(&seed) % (5 - first);
        uint64_t q = 1 + rand_r(&seed) % 3;
        int peek = rand_r(&seed) % 7 == 0;
        mtarep_throttle_decision dr, dm;
        const mtarep_limit *lims = set[rand_r(&seed) % 2];

        snprintf(k, sizeof k, "m%u", rand_r(&seed) % 20);
        key_of(key, sizeof key, k);
        /* forward only: Redis expires keys in real time (PX), so a fake
         * clock stepping back would find keys gone that the memory store
         * keeps; the steps back are tested on their own below */
        fc.now += rand_r(&seed) % 3000000;
        if (peek) {
            cr_assert_eq(mtarep_throttle_status(&dr, r, key, lims + first, n), MTAREP_OK);
            cr_assert_eq(mtarep_throttle_status(&dm, m, key, lims + first, n), MTAREP_OK);
        } else {
            cr_assert_eq(mtarep_throttle_try(&dr, r, key, lims + first, n, q), MTAREP_OK, "%s",
                         dr.message);
            cr_assert_eq(mtarep_throttle_try(&dm, m, key, lims + first, n, q), MTAREP_OK);
        }
        cr_assert_eq(dr.admitted, dm.admitted, "step %d: redis %d memory %d", step, dr.admitted,
                     dm.admitted);
        admitted += dr.admitted;
        refused += !dr.admitted;
        cr_assert_eq(dr.retry_after_ms, dm.retry_after_ms, "step %d retry", step);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(dr.limits[i].remaining, dm.limits[i].remaining, "step %d rem %zu", step, i);
            cr_assert_eq(dr.limits[i].reset_after_ms, dm.limits[i].reset_after_ms,
                         "step %d reset %zu", step, i);
            cr_assert_eq(dr.limits[i].blocking, dm.limits[i].blocking, "step %d", step);
        }
    }
    cr_log_info("redis vs memory: %d admitted, %d refused", admitted, refused);
    cr_assert(admitted > 300 && refused > 300, "workload too one-sided");
    /* garbage in a window key (written by something else) is handled */
    {
        redisContext *c = raw();
        char key[128], rk[256];
        mtarep_throttle_decision d;
        /* 136 bytes = 17 doubles: all NaN, all +inf, huge counters, -0 */
        unsigned char junk[6][136];
        size_t jlen[6] = {1, 135, 136, 136, 136, 136};
        double v;
        memset(junk, 'x', sizeof junk);
        memset(junk[2], 0xff, 136);
        v = INFINITY;
        for (int k = 0; k < 17; k++)
            memcpy(junk[3] + 8 * k, &v, 8);
        v = 1e300;
        for (int k = 0; k < 17; k++)
            memcpy(junk[4] + 8 * k, &v, 8);
        v = (double)(T0 + 5000000000ULL); /* E valid, counters -0.0 */
        memcpy(junk[5], &v, 8);
        v = -0.0;
        for (int k = 1; k < 17; k++)
            memcpy(junk[5] + 8 * k, &v, 8);
        key_of(key, sizeof key, "junk");
        snprintf(rk, sizeof rk, "mtarep:{%s}:10000:w", key);
        for (size_t i = 0; i < 6; i++) {
            redisReply *rep = redisCommand(c, "SET %s %b", rk, junk[i], jlen[i]);
            freeReplyObject(rep);
            cr_assert_eq(mtarep_throttle_try(&d, r, key, &set[0][3], 1, 1), MTAREP_OK,
                         "junk %zu: %s", i, d.message);
            cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE);
        }
        redisFree(c);
    }
    mtarep_throttle_free(r);
    mtarep_throttle_free(m);
}

/* The window's clock rules in Lua, as in the memory store's unit test
 * (tests/unit/test_throttle_window.c, clock_steps_back). */
Test(redis_store, window_clock_steps_back)
{
    const uint64_t S = 1000000;
    fclock fc = {T0};
    mtarep_throttle *t = open_redis(NULL, 1, &fc);
    mtarep_limit l = L("10/15s window");
    mtarep_throttle_decision d;

    fc.now = T0 + 5 * S;
    cr_assert(try1(t, "back", &l, 1, 6).admitted);
    fc.now = T0 + 3 * S; /* a little back: counted in the newest sub-window */
    cr_assert(try1(t, "back", &l, 1, 4).admitted);
    cr_assert_not(try1(t, "back", &l, 1, 1).admitted);
    fc.now = T0 + 21 * S - 1;
    cr_assert_not(try1(t, "back", &l, 1, 1).admitted);
    fc.now = T0 + 21 * S;
    cr_assert(try1(t, "back", &l, 1, 10).admitted);
    fc.now = T0 + 100 * S;
    cr_assert(try1(t, "back", &l, 1, 10).admitted);
    fc.now = T0 + 30 * S; /* 70 s back: rebased, held one period */
    d = try1(t, "back", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 16000, "retry %lld", (long long)d.retry_after_ms);
    fc.now = T0 + 46 * S;
    cr_assert(try1(t, "back", &l, 1, 10).admitted, "still held after the clock stepped back");
    fc.now = T0 + 20 * S; /* 26 s back: less than a minute, held where it is */
    d = try1(t, "back", &l, 1, 1);
    cr_assert_not(d.admitted);
    cr_assert_eq(d.retry_after_ms, 42000, "retry %lld", (long long)d.retry_after_ms);
    mtarep_throttle_free(t);
}

/* A GCRA key holding "nan" (written by something else): Lua's tonumber()
 * reads it as NaN, which every comparison lets through, and the SET with
 * PX NaN then failed the script, so one junk key turned the whole store
 * "down" (fail-open admitted everything unchecked). Read as no state, like
 * any other text that is not a number. */
Test(redis_store, gcra_nan_value_is_no_state)
{
    mtarep_throttle *t = open_redis(NULL, 0, NULL);
    mtarep_limit l = L("3/1m");
    const char *junk[] = {"nan", "-nan", "NaN"};
    redisContext *c = raw();
    char key[128], rk[256];

    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        mtarep_throttle_decision d;
        redisReply *rep;
        int rc;
        key_of(key, sizeof key, "nan");
        snprintf(rk, sizeof rk, "mtarep:{%s}:60000", key);
        rep = redisCommand(c, "SET %s %s", rk, junk[i]);
        freeReplyObject(rep);
        rc = mtarep_throttle_try(&d, t, key, &l, 1, 3);
        cr_assert_eq(rc, MTAREP_OK, "'%s': %s (%s)", junk[i], mtarep_error_name(rc), d.message);
        cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE, "'%s'", junk[i]);
        cr_assert(d.admitted, "'%s' is no state: a fresh key's burst passes", junk[i]);
        cr_assert_not(try1(t, "nan", &l, 1, 1).admitted, "'%s': more than the burst", junk[i]);
    }
    redisFree(c);
    mtarep_throttle_free(t);
}

Test(redis_store, server_clock_keys_ttl_and_hash_tags)
{
    mtarep_throttle *t = open_redis(NULL, 0, NULL);
    mtarep_limit l[2] = {L("100/1h"), L("1000/1d")};
    mtarep_throttle_decision d;
    redisContext *c = raw();
    redisReply *rep;
    char key[128], rk[256], rk2[256];

    d = try1(t, "ip:192.0.2.55", l, 2, 10);
    cr_assert(d.admitted);
    cr_assert_eq(d.limits[0].remaining, 90);
    cr_assert_eq(d.limits[1].remaining, 990);
    key_of(key, sizeof key, "ip:192.0.2.55");
    snprintf(rk, sizeof rk, "mtarep:{%s}:3600000", key);
    rep = redisCommand(c, "PTTL %s", rk);
    cr_assert(rep && rep->type == REDIS_REPLY_INTEGER, "no key %s", rk);
    /* backlog 10 x 36 s = 360 s: the key lives until it drains */
    cr_assert(rep->integer > 350000 && rep->integer <= 360001, "PTTL %lld", rep->integer);
    freeReplyObject(rep);
    snprintf(rk2, sizeof rk2, "mtarep:{%s}:86400000", key);
    rep = redisCommand(c, "CLUSTER KEYSLOT %s", rk);
    if (rep && rep->type == REDIS_REPLY_INTEGER) {
        redisReply *r2 = redisCommand(c, "CLUSTER KEYSLOT %s", rk2);
        cr_assert_eq(rep->integer, r2->integer, "keys of one decision in different slots");
        freeReplyObject(r2);
    }
    if (rep)
        freeReplyObject(rep);
    /* a window key lives until its newest sub-window leaves the window */
    {
        mtarep_limit w = L("100/1h window");
        cr_assert(try1(t, "ip:192.0.2.55", &w, 1, 10).admitted);
        key_of(key, sizeof key, "ip:192.0.2.55");
        rep = redisCommand(c, "PTTL mtarep:{%s}:3600000:w", key);
        cr_assert(rep && rep->type == REDIS_REPLY_INTEGER, "no window key");
        /* 1 h + at most w = 240 s */
        cr_assert(rep->integer > 3600000 && rep->integer <= 3840002, "PTTL %lld", rep->integer);
        freeReplyObject(rep);
        cr_assert_eq(mtarep_throttle_reset(t, key, &w, 1), MTAREP_OK);
    }
    /* braces in the user key cannot move the hash tag */
    cr_assert(try1(t, "a{b}c%", l, 1, 1).admitted);
    key_of(key, sizeof key, "a%7Bb%7Dc%25");
    rep = redisCommand(c, "EXISTS mtarep:{%s}:3600000", key);
    cr_assert(rep && rep->integer == 1, "escaped key missing");
    freeReplyObject(rep);
    cr_assert_eq(mtarep__redis_key(rk, sizeof rk, "x}y", 3, 1000, 0), MTAREP_OK);
    cr_assert_str_eq(rk, "mtarep:{x%7Dy}:1000");
    cr_assert_eq(mtarep__redis_key(rk, sizeof rk, "x}y", 3, 1000, 1), MTAREP_OK);
    cr_assert_str_eq(rk, "mtarep:{x%7Dy}:1000:w");
    /* reset deletes the keys */
    key_of(key, sizeof key, "ip:192.0.2.55");
    cr_assert_eq(mtarep_throttle_reset(t, key, l, 2), MTAREP_OK);
    rep = redisCommand(c, "EXISTS %s %s", rk2, rk2);
    cr_assert_eq(rep->integer, 0);
    freeReplyObject(rep);
    redisFree(c);
    mtarep_throttle_free(t);
}

Test(redis_store, script_flushed_falls_back_to_eval)
{
    mtarep_throttle *t = open_redis(NULL, 0, NULL);
    mtarep_limit l = L("5/1m");
    redisContext *c = raw();
    redisReply *rep;

    cr_assert(try1(t, "flush", &l, 1, 2).admitted);
    rep = redisCommand(c, "SCRIPT FLUSH");
    freeReplyObject(rep);
    cr_assert(try1(t, "flush", &l, 1, 2).admitted, "EVAL fallback failed");
    cr_assert_not(try1(t, "flush", &l, 1, 2).admitted);
    redisFree(c);
    mtarep_throttle_free(t);
}

Test(redis_store, other_database_and_uri_forms)
{
    char u[160];
    mtarep_throttle *t;
    mtarep_limit l = L("5/1m");
    redisContext *c = raw();
    redisReply *rep;
    char key[128];
    mtarep_throttle_error err;

    snprintf(u, sizeof u, "redis://%s:%d/3", host, port);
    t = open_redis(u, 0, NULL);
    cr_assert_str_eq(mtarep_throttle_store(t), u);
    cr_assert(try1(t, "db3", &l, 1, 1).admitted);
    key_of(key, sizeof key, "db3");
    rep = redisCommand(c, "SELECT 3");
    freeReplyObject(rep);
    rep = redisCommand(c, "EXISTS mtarep:{%s}:60000", key);
    cr_assert_eq(rep->integer, 1, "key not in db 3");
    freeReplyObject(rep);
    redisFree(c);
    mtarep_throttle_free(t);
    t = NULL;
    const char *bad[] = {"redis://", "redis://:6379", "redis://h:0", "redis://h:70000",
                         "redis://h:1/x", "redis://h:1junk", "redis://pw@h", "redis://[::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(mtarep_throttle_new(&t, bad[i], NULL, &err), MTAREP_EINVAL, "%s", bad[i]);
    cr_assert_null(t);
}

static char logbuf[4096];
static void collect(mtarep_log_level lv, const char *msg, void *p)
{
    (void)lv;
    (void)p;
    strncat(logbuf, msg, sizeof logbuf - strlen(logbuf) - 2);
    strcat(logbuf, "\n");
}

Test(redis_store, password_never_appears)
{
    char u[160];
    mtarep_throttle *t = NULL;
    mtarep_throttle_options o = MTAREP_THROTTLE_OPTIONS_INIT;
    mtarep_throttle_decision d;
    mtarep_limit l = L("5/1m");
    int rc;

    /* the fixture server has no password: AUTH fails and says so */
    snprintf(u, sizeof u, "redis://mailer:Sup3rS3cretPW@%s:%d/0", host, port);
    o.log_cb = collect;
    o.log_level = MTAREP_LOG_DEBUG;
    cr_assert_eq(mtarep_throttle_new(&t, u, &o, NULL), MTAREP_OK);
    cr_assert_null(strstr(mtarep_throttle_store(t), "Sup3r"), "%s", mtarep_throttle_store(t));
    rc = mtarep_throttle_try(&d, t, "k", &l, 1, 1);
    cr_assert_eq(rc, MTAREP_ETEMPFAIL, "%s", mtarep_error_name(rc));
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_CLOSED);
    cr_assert(strstr(d.message, "auth"), "message: %s", d.message);
    cr_assert_null(strstr(d.message, "Sup3rS3cretPW"), "password in message: %s", d.message);
    cr_assert_null(strstr(logbuf, "Sup3rS3cretPW"), "password in log: %s", logbuf);
    cr_assert_neq(logbuf[0], '\0', "failure not logged");
    mtarep_throttle_free(t);
}

/* ---- many clients, one key ---- */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sixteen_exact(const char *spec, const char *name)
{
    uint64_t *count = mmap(NULL, 16 * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    mtarep_limit l = L(spec);
    uint64_t until = now_us() + 1500000, total = 0;
    char key[128];
    pid_t pid[16];

    key_of(key, sizeof key, name);
    for (int i = 0; i < 16; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            mtarep_throttle *t = NULL;
            mtarep_throttle_decision d;
            if (mtarep_throttle_new(&t, uri, NULL, NULL) != MTAREP_OK)
                _exit(3);
            while (now_us() < until) {
                int rc = mtarep_throttle_try(&d, t, key, &l, 1, 1);
                if (rc != MTAREP_OK)
                    _exit(4);
                count[i] += (uint64_t)d.admitted;
            }
            mtarep_throttle_free(t);
            _exit(0);
        }
    }
    for (int i = 0; i < 16; i++) {
        int st;
        waitpid(pid[i], &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d failed", i);
        total += count[i];
    }
    cr_assert_eq(total, 1500, "%s: admitted %llu of 1500", spec, (unsigned long long)total);
    munmap(count, 16 * sizeof(uint64_t));
}

Test(redis_store, sixteen_processes_admit_exactly_the_burst)
{
    sixteen_exact("1500/1d", "procs"); /* T = 57.6 s: no refill during the run */
}

Test(redis_store, sixteen_processes_window_admits_exactly_n)
{
    sixteen_exact("1500/1d window", "procs-w"); /* a fresh key: N at once */
}

static void killed_clients(const char *spec, const char *name)
{
    /* per worker: admitted, and 1 while a decision is in flight */
    volatile uint64_t *tl = mmap(NULL, 32 * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    mtarep_limit l = L(spec);
    uint64_t until = now_us() + 1500000, sure = 0, maybe = 0;
    unsigned seed = (unsigned)getpid();
    char key[128];
    pid_t pid[16];
    int killed = 0;

    key_of(key, sizeof key, name);
    for (int i = 0; i < 16; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            mtarep_throttle *t = NULL;
            mtarep_throttle_decision d;
            if (mtarep_throttle_new(&t, uri, NULL, NULL) != MTAREP_OK)
                _exit(3);
            while (now_us() < until) {
                int rc;
                tl[2 * i + 1] = 1;
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                rc = mtarep_throttle_try(&d, t, key, &l, 1, 1);
                if (rc != MTAREP_OK)
                    _exit(4);
                tl[2 * i] += (uint64_t)d.admitted;
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                tl[2 * i + 1] = 0;
                usleep(2000); /* ~16 x 450/s: the burst lasts past the kills */
            }
            mtarep_throttle_free(t);
            _exit(0);
        }
    }
    for (int k = 0; k < 8; k++) {
        usleep(20000 + rand_r(&seed) % 60000);
        if (kill(pid[rand_r(&seed) % 16], SIGKILL) == 0)
            killed++;
    }
    for (int i = 0; i < 16; i++) {
        int st;
        waitpid(pid[i], &st, 0);
        cr_assert(WIFSIGNALED(st) || WEXITSTATUS(st) == 0, "worker %d failed", i);
        sure += tl[2 * i];
        maybe += tl[2 * i + 1];
    }
    cr_log_info("redis kills, %s: %d, admitted %llu surely, %llu in flight", spec, killed,
                (unsigned long long)sure, (unsigned long long)maybe);
    cr_assert_leq(sure, 1500, "over-admitted: %llu", (unsigned long long)sure);
    cr_assert_geq(sure + maybe, 1500, "budget not spent by the survivors: %llu + %llu",
                  (unsigned long long)sure, (unsigned long long)maybe);
    munmap((void *)tl, 32 * sizeof(uint64_t));
}

Test(redis_store, killed_clients_neither_over_admit_nor_block)
{
    killed_clients("1500/1d", "kills");
}

Test(redis_store, killed_clients_window_neither_over_admit_nor_block)
{
    killed_clients("1500/1d window", "kills-w");
}

typedef struct targ {
    mtarep_throttle *t;
    const char *key;
    mtarep_limit l;
    uint64_t until, admitted;
    int errors;
} targ;

static void *tloop(void *a)
{
    targ *x = a;
    mtarep_throttle_decision d;
    while (now_us() < x->until) {
        if (mtarep_throttle_try(&d, x->t, x->key, &x->l, 1, 1) != MTAREP_OK)
            x->errors++;
        else
            x->admitted += (uint64_t)d.admitted;
    }
    return NULL;
}

static void threads_exact(const char *spec, const char *name)
{
    mtarep_throttle *t = open_redis(NULL, 0, NULL);
    targ a[8];
    pthread_t th[8];
    uint64_t total = 0;
    char key[128];

    key_of(key, sizeof key, name);
    for (int i = 0; i < 8; i++) {
        a[i] = (targ){t, key, L(spec), now_us() + 1000000, 0, 0};
        pthread_create(&th[i], NULL, tloop, &a[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(a[i].errors, 0);
        total += a[i].admitted;
    }
    cr_assert_eq(total, 1200, "%s: admitted %llu of 1200", spec, (unsigned long long)total);
    mtarep_throttle_free(t);
}

Test(redis_store, threads_sharing_one_object_admit_exactly_the_burst)
{
    threads_exact("1200/1d", "threads");
}

Test(redis_store, threads_sharing_one_object_window_admits_exactly_n)
{
    threads_exact("1200/1d window", "threads-w");
}

/* ---- sliding window: every window of PERIOD, 16 processes, server clock ---- */

#define STAMPS 2048

/* An admission's decision time (the server's TIME, same host) lies in
 * [before, after] of its call. */
typedef struct stamp {
    uint64_t before, after;
} stamp;

static int stamp_cmp(const void *a, const void *b)
{
    const stamp *x = a, *y = b;
    return x->before < y->before ? -1 : x->before > y->before;
}

/* Most admissions surely inside one half-open window (s, s + p]. */
static uint64_t max_in_window(stamp *st, size_t n, uint64_t p)
{
    uint64_t best = 0;
    qsort(st, n, sizeof *st, stamp_cmp);
    for (size_t k = 0; k < n; k++) {
        uint64_t s = st[k].before - 1, in = 0;
        for (size_t j = k; j < n && st[j].before <= s + p; j++)
            in += st[j].after <= s + p;
        if (in > best)
            best = in;
    }
    return best;
}

Test(redis_store, sixteen_processes_never_over_admit_any_window)
{
    typedef struct wt {
        stamp st[STAMPS];
        uint64_t n;
    } wt;
    wt *tl = mmap(NULL, 16 * sizeof(wt), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
    mtarep_limit l = L("150/250ms window");
    uint64_t until = now_us() + 1200000, worst;
    stamp *all = malloc(16 * STAMPS * sizeof(stamp));
    size_t n = 0;
    char key[128];
    pid_t pid[16];

    key_of(key, sizeof key, "sliding");
    for (int i = 0; i < 16; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            mtarep_throttle *t = NULL;
            mtarep_throttle_decision d;
            if (mtarep_throttle_new(&t, uri, NULL, NULL) != MTAREP_OK)
                _exit(3);
            while (now_us() < until) {
                uint64_t b = now_us();
                if (mtarep_throttle_try(&d, t, key, &l, 1, 1) != MTAREP_OK)
                    _exit(4);
                if (d.admitted && tl[i].n < STAMPS)
                    tl[i].st[tl[i].n++] = (stamp){b, now_us()};
            }
            mtarep_throttle_free(t);
            _exit(0);
        }
    }
    for (int i = 0; i < 16; i++) {
        int st;
        waitpid(pid[i], &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d failed", i);
        for (uint64_t k = 0; k < tl[i].n; k++)
            all[n++] = tl[i].st[k];
    }
    worst = max_in_window(all, n, 250000);
    cr_log_info("redis window 150/250ms: %zu admitted, at most %llu in any 250 ms", n,
                (unsigned long long)worst);
    cr_assert_leq(worst, 150, "over-admitted: %llu in one window", (unsigned long long)worst);
    cr_assert_geq(worst, 150, "the full window was never used");
    /* the window must have been refilled at least once; no more is asked
     * of a busy CI machine (ASan, -j2) */
    cr_assert_geq(n, 150 * 2, "far below the window rate: %zu", n);
    free(all);
    munmap(tl, 16 * sizeof(wt));
}
