/* Redis going away and coming back, under each failure mode. Each test
 * runs its own redis-server on a private loopback port (the fixture's
 * port + 10000 + n) so stopping it disturbs no other test. */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mtarep.h"
#include "throttle/throttle_int.h"

typedef struct server {
    int port;
    pid_t pid;
    char dir[64];
} server;

static int base_port(void)
{
    const char *e = getenv("MTAREP_TEST_REDIS");
    const char *c = e ? strrchr(e, ':') : NULL;
    return (c ? atoi(c + 1) : 6390) + 10000;
}

static int ping(int port)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    int ok = 0;
    if (c && !c->err) {
        redisReply *r = redisCommand(c, "PING");
        ok = r && r->type == REDIS_REPLY_STATUS;
        if (r)
            freeReplyObject(r);
    }
    if (c)
        redisFree(c);
    return ok;
}

static void srv_start(server *s)
{
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    s->pid = fork();
    cr_assert(s->pid >= 0);
    if (s->pid == 0) {
        /* never outlive the test worker, even when an assertion ends it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port, "--save",
               "", "--appendonly", "no", "--dir", s->dir, "--logfile", "redis.log",
               "--protected-mode", "yes", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if (ping(s->port))
            return;
        usleep(50000);
    }
    cr_assert_fail("private redis-server on port %d did not start", s->port);
}

static void srv_kill(server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

static server *current; /* for the suite's fini when a test fails */

static server *srv_new(int n)
{
    server *s = calloc(1, sizeof *s);
    current = s;
    s->port = base_port() + n;
    snprintf(s->dir, sizeof s->dir, "/tmp/mtarep-redis-XXXXXX");
    cr_assert_not_null(mkdtemp(s->dir));
    cr_assert_not(ping(s->port), "port %d already in use", s->port);
    srv_start(s);
    return s;
}

static void srv_free(server *s)
{
    char cmd[128];
    current = NULL;
    srv_kill(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        cr_log_warn("cannot remove %s", s->dir);
    free(s);
}

static pthread_mutex_t logmu = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[8192];

static void collect(mtarep_log_level lv, const char *msg, void *p)
{
    (void)p;
    pthread_mutex_lock(&logmu);
    if (strlen(logbuf) + strlen(msg) + 16 < sizeof logbuf) {
        strcat(logbuf, lv == MTAREP_LOG_WARNING ? "W: " : "?: ");
        strcat(logbuf, msg);
        strcat(logbuf, "\n");
    }
    pthread_mutex_unlock(&logmu);
}

static mtarep_throttle *open_mode(const server *s, mtarep_throttle_failure_mode mode,
                                  unsigned share)
{
    char uri[64];
    mtarep_throttle *t = NULL;
    mtarep_throttle_options o = MTAREP_THROTTLE_OPTIONS_INIT;
    mtarep_throttle_error err;

    snprintf(uri, sizeof uri, "redis://127.0.0.1:%d", s->port);
    o.on_failure = mode;
    o.retry_interval_ms = 300;
    o.timeout_ms = 300;
    o.fallback_share_pct = share;
    o.log_cb = collect;
    cr_assert_eq(mtarep_throttle_new(&t, uri, &o, &err), MTAREP_OK, "%s", err.text);
    return t;
}

static mtarep_limit L(const char *s)
{
    mtarep_limit l;
    cr_assert_eq(mtarep_limit_parse(&l, s, NULL), MTAREP_OK);
    return l;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void cleanup(void)
{
    if (current)
        srv_free(current);
}

TestSuite(redis_failover, .fini = cleanup, .timeout = 60);

Test(redis_failover, fail_closed_refuses_then_recovers)
{
    server *s = srv_new(0);
    mtarep_throttle *t = open_mode(s, MTAREP_THROTTLE_FAIL_CLOSED, 100);
    mtarep_limit l = L("100/1h");
    mtarep_throttle_decision d;
    uint64_t t0;
    int rc;

    cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_OK, "%s", d.message);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE);
    srv_kill(s);
    rc = mtarep_throttle_try(&d, t, "k", &l, 1, 1);
    cr_assert_eq(rc, MTAREP_ETEMPFAIL, "%s", mtarep_error_name(rc));
    cr_assert_not(d.admitted);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_CLOSED);
    cr_assert(strstr(d.message, "redis://127.0.0.1:"), "message: %s", d.message);
    cr_assert(strstr(logbuf, "refusing (fail closed)"), "not logged: %s", logbuf);
    /* within the retry interval nothing waits on a dead server */
    t0 = mono_ms();
    for (int i = 0; i < 200; i++) {
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_ETEMPFAIL);
        cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_CLOSED);
    }
    cr_assert_lt(mono_ms() - t0, 250, "failing decisions are slow");
    cr_assert_eq(mtarep_throttle_acquire(&d, t, "k", &l, 1, 1, 5000), MTAREP_ETEMPFAIL);
    srv_start(s);
    usleep(350000);
    rc = mtarep_throttle_try(&d, t, "k", &l, 1, 1);
    cr_assert_eq(rc, MTAREP_OK, "not recovered: %s", d.message);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE);
    cr_assert(strstr(logbuf, "answers again"), "recovery not logged: %s", logbuf);
    mtarep_throttle_free(t);
    srv_free(s);
}

Test(redis_failover, fail_open_admits_flagged)
{
    server *s = srv_new(1);
    mtarep_throttle *t = open_mode(s, MTAREP_THROTTLE_FAIL_OPEN, 100);
    mtarep_limit l = L("1/1h");
    mtarep_throttle_decision d;

    cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_OK);
    cr_assert(d.admitted);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_OK);
    cr_assert_not(d.admitted);
    srv_kill(s);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_OK);
        cr_assert(d.admitted, "fail open refused");
        cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_OPEN);
        cr_assert(strstr(d.message, "admitted unchecked"), "%s", d.message);
    }
    cr_assert(strstr(logbuf, "fail open"), "not logged: %s", logbuf);
    mtarep_throttle_free(t);
    srv_free(s);
}

Test(redis_failover, fail_local_enforces_a_share_locally)
{
    server *s = srv_new(2);
    mtarep_throttle *t = open_mode(s, MTAREP_THROTTLE_FAIL_LOCAL, 40);
    /* both kinds: the fallback takes 40 % of each */
    mtarep_limit l[2] = {L("10/1h"), L("10/1h window")};
    mtarep_throttle_decision d;
    int admitted = 0;

    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 2, 1), MTAREP_OK);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE);
    srv_kill(s);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 2, 1), MTAREP_OK, "%s", d.message);
        cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_LOCAL);
        admitted += d.admitted;
    }
    cr_assert_eq(admitted, 4, "local share of 40%% of 10 admitted %d", admitted);
    cr_assert(d.limits[1].blocking, "the local window did not hold");
    cr_assert(strstr(d.message, "decided locally"), "%s", d.message);
    {
        mtarep_limit w = L("10/1h window");
        d = (mtarep_throttle_decision){0};
        for (int i = 0; i < 6; i++)
            cr_assert_eq(mtarep_throttle_try(&d, t, "w-only", &w, 1, 1), MTAREP_OK);
        cr_assert_not(d.admitted, "a 40 %% window share let 6 pass");
        cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_LOCAL);
    }
    cr_assert(strstr(logbuf, "fail local"), "not logged: %s", logbuf);
    srv_start(s);
    usleep(350000);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", l, 2, 1), MTAREP_OK);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_NONE, "%s", d.message);
    mtarep_throttle_free(t);
    srv_free(s);
}

Test(redis_failover, unreachable_at_start)
{
    char uri[64];
    mtarep_throttle *t = NULL;
    mtarep_throttle_decision d;
    mtarep_limit l = L("10/1h");
    int port = base_port() + 3;

    cr_assert_not(ping(port), "port %d in use", port);
    snprintf(uri, sizeof uri, "redis://127.0.0.1:%d", port);
    cr_assert_eq(mtarep_throttle_new(&t, uri, NULL, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_throttle_try(&d, t, "k", &l, 1, 1), MTAREP_ETEMPFAIL);
    cr_assert_eq(d.degraded, MTAREP_THROTTLE_DEGRADED_CLOSED);
    cr_assert_eq(mtarep_throttle_status(&d, t, "k", &l, 1), MTAREP_ETEMPFAIL);
    cr_assert_eq(mtarep_throttle_reset(t, "k", &l, 1), MTAREP_ETEMPFAIL);
    mtarep_throttle_free(t);
}

/* Threads hammer while the server is killed and restarted mid-run. */
typedef struct hammer {
    mtarep_throttle *t;
    volatile int *stop;
    uint64_t by_mode[4];
    int last_mode;
    int errors;
} hammer;

static void *hammer_run(void *a)
{
    hammer *h = a;
    /* both kinds, so the outage hits the GCRA and the window script paths */
    mtarep_limit l[2] = {{1000000, 1000, 0, MTAREP_LIMIT_GCRA},
                         {1000000, 2000, 0, MTAREP_LIMIT_WINDOW}};
    mtarep_throttle_decision d;
    while (!*h->stop) {
        int rc = mtarep_throttle_try(&d, h->t, "mid-run", l, 2, 1);
        if (rc != MTAREP_OK && rc != MTAREP_ETEMPFAIL) {
            h->errors++;
            continue;
        }
        if ((rc == MTAREP_ETEMPFAIL) != (d.degraded == MTAREP_THROTTLE_DEGRADED_CLOSED))
            h->errors++;
        h->by_mode[d.degraded]++;
        h->last_mode = (int)d.degraded;
    }
    return NULL;
}

static void mid_run(int n, mtarep_throttle_failure_mode mode, int degraded_mode)
{
    server *s = srv_new(n);
    mtarep_throttle *t = open_mode(s, mode, 100);
    hammer h[4];
    pthread_t th[4];
    volatile int stop = 0;
    uint64_t none = 0, deg = 0;

    for (int i = 0; i < 4; i++) {
        memset(&h[i], 0, sizeof h[i]);
        h[i].t = t;
        h[i].stop = &stop;
        pthread_create(&th[i], NULL, hammer_run, &h[i]);
    }
    usleep(300000);
    srv_kill(s);
    usleep(400000);
    srv_start(s);
    usleep(700000);
    stop = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(h[i].errors, 0, "thread %d: %d bad results", i, h[i].errors);
        cr_assert_eq(h[i].last_mode, MTAREP_THROTTLE_DEGRADED_NONE, "thread %d not recovered", i);
        none += h[i].by_mode[MTAREP_THROTTLE_DEGRADED_NONE];
        deg += h[i].by_mode[degraded_mode];
        for (int m = 1; m < 4; m++)
            if (m != degraded_mode)
                cr_assert_eq(h[i].by_mode[m], 0, "unexpected degraded mode %d", m);
    }
    cr_log_info("mode %d mid-run: %llu normal, %llu degraded decisions", (int)mode,
                (unsigned long long)none, (unsigned long long)deg);
    cr_assert_gt(none, 100);
    cr_assert_gt(deg, 10, "the outage was not seen");
    mtarep_throttle_free(t);
    srv_free(s);
}

Test(redis_failover, killed_mid_run_fail_closed)
{
    mid_run(4, MTAREP_THROTTLE_FAIL_CLOSED, MTAREP_THROTTLE_DEGRADED_CLOSED);
}

Test(redis_failover, killed_mid_run_fail_open)
{
    mid_run(5, MTAREP_THROTTLE_FAIL_OPEN, MTAREP_THROTTLE_DEGRADED_OPEN);
}

Test(redis_failover, killed_mid_run_fail_local)
{
    mid_run(6, MTAREP_THROTTLE_FAIL_LOCAL, MTAREP_THROTTLE_DEGRADED_LOCAL);
}
