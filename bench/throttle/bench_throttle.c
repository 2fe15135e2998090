/* Throttle decisions per second, per store, plus the flock() baseline.
 * Driven by bench/throttle/run.sh, which also runs redis-benchmark.
 *
 *   bench_throttle memory          [-t THREADS] [-s SECONDS] [-k KEYS] [-w 1]
 *   bench_throttle file  PATH      [-p PROCS]   [-s SECONDS] [-k KEYS] [-w 1]
 *   bench_throttle flock PATH      [-p PROCS]   [-s SECONDS] [-k KEYS]
 *   bench_throttle redis URI       [-t THREADS] [-s SECONDS] [-k KEYS] [-w 1]
 *   bench_throttle script          print the Lua script (for SCRIPT LOAD)
 *
 * Every decision takes one unit of "k<random below KEYS>" under one limit
 * of 1000000/1s (always admitted, so every decision writes): GCRA, or
 * with -w 1 the sliding window "1000000/1s window". The flock
 * baseline does the obvious thing a throttle-by-hand would do: lock a
 * counter file with flock(), read the key's counter, add one, write it
 * back, unlock. Prints one line: "<mode> workers=N decisions=D seconds=S
 * rate=R". */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mtarep.h"

extern const char mtarep__redis_script[]; /* lib/throttle/redis.c */

static double seconds = 3.0;
static unsigned nkeys = 10000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static mtarep_limit limit = {1000000, 1000, 0, MTAREP_LIMIT_GCRA};

/* run decisions on t until `until`; returns the count */
static unsigned long long run_throttle(mtarep_throttle *t, double until, unsigned seed)
{
    unsigned long long n = 0;
    mtarep_throttle_decision d;
    char key[32];

    while ((n & 63) || now_s() < until) {
        snprintf(key, sizeof key, "k%u", rand_r(&seed) % nkeys);
        if (mtarep_throttle_try(&d, t, key, &limit, 1, 1) != MTAREP_OK || !d.admitted) {
            fprintf(stderr, "decision failed: %s\n", d.message);
            exit(1);
        }
        n++;
    }
    return n;
}

static unsigned long long run_flock(const char *path, double until, unsigned seed)
{
    unsigned long long n = 0;
    int fd = open(path, O_RDWR | O_CREAT, 0600);

    if (fd < 0) {
        perror(path);
        exit(1);
    }
    while ((n & 63) || now_s() < until) {
        unsigned k = rand_r(&seed) % nkeys;
        unsigned long long v = 0;
        flock(fd, LOCK_EX);
        if (pread(fd, &v, sizeof v, (off_t)k * 8) < 0)
            exit(1);
        v++;
        if (pwrite(fd, &v, sizeof v, (off_t)k * 8) != (ssize_t)sizeof v)
            exit(1);
        flock(fd, LOCK_UN);
        n++;
    }
    close(fd);
    return n;
}

typedef struct targ {
    mtarep_throttle *t;
    double until;
    unsigned seed;
    unsigned long long n;
} targ;

static void *thread_main(void *a)
{
    targ *x = a;
    x->n = run_throttle(x->t, x->until, x->seed);
    return NULL;
}

static mtarep_throttle *open_store(const char *uri, unsigned conns)
{
    mtarep_throttle *t = NULL;
    mtarep_throttle_options o = MTAREP_THROTTLE_OPTIONS_INIT;
    mtarep_throttle_error err;

    o.connections = conns;
    if (mtarep_throttle_new(&t, uri, &o, &err) != MTAREP_OK) {
        fprintf(stderr, "%s: %s\n", uri, err.text);
        exit(1);
    }
    return t;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_throttle memory|file PATH|flock PATH|redis URI|script "
                    "[-t threads] [-p procs] [-s seconds] [-k keys] [-w 0|1]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *mode, *arg = NULL;
    unsigned workers = 1;
    unsigned long long total = 0;
    double t0, t1;
    int i = 2;

    if (argc < 2)
        usage();
    mode = argv[1];
    if (!strcmp(mode, "script")) {
        fputs(mtarep__redis_script, stdout);
        return 0;
    }
    if (!strcmp(mode, "file") || !strcmp(mode, "flock") || !strcmp(mode, "redis")) {
        if (argc < 3)
            usage();
        arg = argv[i++];
    } else if (strcmp(mode, "memory")) {
        usage();
    }
    for (; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "-p"))
            workers = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-s"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-k"))
            nkeys = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-w"))
            limit.kind = atoi(argv[i + 1]) ? MTAREP_LIMIT_WINDOW : MTAREP_LIMIT_GCRA;
        else
            usage();
    }
    if (i != argc || workers < 1 || workers > 256 || nkeys < 1 || seconds <= 0)
        usage();

    if (!strcmp(mode, "memory") || !strcmp(mode, "redis")) {
        /* threads sharing one object (the MTA-workers case) */
        char uri[512];
        mtarep_throttle *t;
        targ a[256];
        pthread_t th[256];
        snprintf(uri, sizeof uri, "%s", arg ? arg : "memory:");
        t = open_store(uri, workers);
        run_throttle(t, now_s() + 0.2, 1); /* warm up: connections, pages */
        t0 = now_s();
        for (unsigned w = 0; w < workers; w++) {
            a[w] = (targ){t, t0 + seconds, 1000 + w, 0};
            pthread_create(&th[w], NULL, thread_main, &a[w]);
        }
        for (unsigned w = 0; w < workers; w++) {
            pthread_join(th[w], NULL);
            total += a[w].n;
        }
        t1 = now_s();
        mtarep_throttle_free(t);
    } else {
        /* processes, each with its own handle (the PHP-FPM / cron case) */
        int pfd[2];
        char uri[4200];
        pid_t pid[256];
        if (pipe(pfd) != 0)
            return 1;
        snprintf(uri, sizeof uri, "file:%s", arg);
        if (!strcmp(mode, "file"))
            mtarep_throttle_free(open_store(uri, 1)); /* create before the clock starts */
        t0 = now_s() + 0.3;
        for (unsigned w = 0; w < workers; w++) {
            pid[w] = fork();
            if (pid[w] == 0) {
                unsigned long long n;
                if (!strcmp(mode, "file")) {
                    mtarep_throttle *t = open_store(uri, 1);
                    run_throttle(t, t0, 7 + w); /* warm up until the common start */
                    n = run_throttle(t, t0 + seconds, 1000 + w);
                    mtarep_throttle_free(t);
                } else {
                    run_flock(arg, t0, 7 + w);
                    n = run_flock(arg, t0 + seconds, 1000 + w);
                }
                if (write(pfd[1], &n, sizeof n) != (ssize_t)sizeof n)
                    _exit(1);
                _exit(0);
            }
        }
        for (unsigned w = 0; w < workers; w++) {
            unsigned long long n = 0;
            if (read(pfd[0], &n, sizeof n) != (ssize_t)sizeof n)
                return 1;
            total += n;
        }
        for (unsigned w = 0; w < workers; w++)
            waitpid(pid[w], NULL, 0);
        t1 = t0 + seconds;
    }
    printf("%s workers=%u decisions=%llu seconds=%.3f rate=%.0f\n", mode, workers, total,
           t1 - t0, (double)total / (t1 - t0));
    return 0;
}
