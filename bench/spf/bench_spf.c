/* SPF evaluation throughput: reads "ip sender helo" lines and evaluates
 * them one mtarep_spf_check() at a time (--mode single) or all through
 * mtarep_spf_check_batch() in chunks (--mode batch), against a nameserver
 * (--ns) or a zone file answered from memory (--zone).
 * Prints: evals, seconds, evals/s and the count of each result. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mtarep.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *ns = NULL, *zone = NULL, *file = NULL, *mode = "single";
    size_t chunk = 500, n = 0, cap = 0, counts[7] = {0};
    mtarep_spf_query *q = NULL;
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options co = MTAREP_CTX_OPTIONS_INIT;
    char line[1024];
    FILE *f;
    double t0, t1;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ns")) ns = argv[i + 1];
        else if (!strcmp(argv[i], "--zone")) zone = argv[i + 1];
        else if (!strcmp(argv[i], "--file")) file = argv[i + 1];
        else if (!strcmp(argv[i], "--mode")) mode = argv[i + 1];
        else if (!strcmp(argv[i], "--chunk")) chunk = strtoul(argv[i + 1], NULL, 10);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (!file || (!ns && !zone) || !chunk) {
        fprintf(stderr, "usage: bench_spf --file F (--ns ADDR:PORT | --zone Z) "
                        "[--mode single|batch] [--chunk N]\n");
        return 2;
    }
    if (!(f = fopen(file, "r"))) {
        perror(file);
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        char ip[64], sender[512], helo[256];
        if (sscanf(line, "%63s %511s %255s", ip, sender, helo) != 3)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            q = realloc(q, cap * sizeof *q);
        }
        q[n].ip = strdup(ip);
        q[n].sender = strdup(sender);
        q[n].helo = strdup(helo);
        n++;
    }
    fclose(f);
    co.timeout_ms = 2000;
    /* the answer cache is on (default); senders are distinct, so every
     * evaluation still asks its own questions: cold figures */
    if (mtarep_ctx_new(&ctx, &co) != MTAREP_OK)
        return 1;
    if (ns && mtarep_ctx_add_nameserver(ctx, ns) != MTAREP_OK) {
        fprintf(stderr, "%s\n", mtarep_ctx_errmsg(ctx));
        return 1;
    }
    if (zone && mtarep_ctx_add_zone_file(ctx, zone) != MTAREP_OK) {
        fprintf(stderr, "%s\n", mtarep_ctx_errmsg(ctx));
        return 1;
    }
    t0 = now();
    if (!strcmp(mode, "batch")) {
        mtarep_spf_result **out = calloc(chunk, sizeof *out);
        for (size_t i = 0; i < n; i += chunk) {
            size_t k = n - i < chunk ? n - i : chunk;
            if (mtarep_spf_check_batch(out, ctx, q + i, k, NULL) != MTAREP_OK) {
                fprintf(stderr, "batch: %s\n", mtarep_ctx_errmsg(ctx));
                return 1;
            }
            for (size_t j = 0; j < k; j++) {
                counts[out[j] ? mtarep_spf_result_verdict(out[j]) : MTAREP_SPF_PERMERROR]++;
                mtarep_spf_result_free(out[j]);
            }
        }
        free(out);
    } else {
        for (size_t i = 0; i < n; i++) {
            mtarep_spf_result *r = NULL;
            if (mtarep_spf_check(&r, ctx, q[i].ip, q[i].sender, q[i].helo, NULL) != MTAREP_OK) {
                fprintf(stderr, "check: %s\n", mtarep_ctx_errmsg(ctx));
                return 1;
            }
            counts[mtarep_spf_result_verdict(r)]++;
            mtarep_spf_result_free(r);
        }
    }
    t1 = now();
    printf("evals=%zu seconds=%.3f rate=%.0f", n, t1 - t0, (double)n / (t1 - t0));
    for (int v = 0; v < 7; v++)
        if (counts[v])
            printf(" %s=%zu", mtarep_spf_verdict_name((mtarep_spf_verdict)v), counts[v]);
    printf("\n");
    mtarep_ctx_free(ctx);
    for (size_t i = 0; i < n; i++) {
        free((char *)q[i].ip);
        free((char *)q[i].sender);
        free((char *)q[i].helo);
    }
    free(q);
    return 0;
}
