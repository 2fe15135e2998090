#define _GNU_SOURCE
/* bench/logscan: scan a log with libmtarep REPEAT times; print the best
 * wall time, MB/s (10^6 bytes), peak RSS and the totals (for run.sh).
 *   bench_logscan FILE [REPEAT]                                          */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <mtarep.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int repeat = argc > 2 ? atoi(argv[2]) : 3;
    struct stat st;
    if (stat(argv[1], &st))
        return 2;
    double best = 1e30;
    mtarep_logscan_counts c = {0};
    for (int i = 0; i < (repeat > 0 ? repeat : 1); i++) {
        mtarep_logscan *s;
        if (mtarep_logscan_new(&s, NULL))
            return 1;
        double t = now();
        if (mtarep_logscan_file(s, argv[1]) || mtarep_logscan_finish(s)) {
            fprintf(stderr, "%s\n", mtarep_logscan_errmsg(s));
            return 1;
        }
        t = now() - t;
        if (t < best)
            best = t;
        mtarep_logscan_totals(s, &c);
        mtarep_logscan_free(s);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("seconds %.4f\nmbps %.1f\npeak_rss_kb %ld\n", best, (double)st.st_size / 1e6 / best,
           ru.ru_maxrss);
    printf("sent %llu\ndeferred %llu\nbounced %llu\nexpired %llu\nreputation_bounces %llu\n",
           c.sent, c.deferred, c.bounced, c.expired,
           c.bounced_by_cause[MTAREP_SMTPREPLY_REPUTATION] +
               c.bounced_by_cause[MTAREP_SMTPREPLY_BLOCKLIST]);
    return 0;
}
