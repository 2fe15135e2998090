/* A throttled sender loop: send COUNT messages no faster than the limits
 * allow, the budget shared by every process using the same store.
 *
 *   throttled_send [--store URI] [--key KEY] [--deadline MS] COUNT LIMIT...
 *
 * e.g. throttled_send --store file:/var/lib/mtarep/t.tbl 500 100/1h 1000/1d
 * URI "memory:" (default, this process), "file:/path" (this host) or
 * "redis://host:port" (many hosts). Each "send" here prints a line; put the
 * SMTP transaction there. mtarep_throttle_acquire() sleeps until the next
 * message may go, or gives up at once when the wait would exceed the
 * deadline (default 60000 ms). Exit: 0 all sent, 1 deadline hit, 2 error.
 *
 * Build: cc throttled_send.c $(pkg-config --cflags --libs mtarep)
 */
#include <mtarep.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *store = "memory:", *key = "ip:192.0.2.1";
    unsigned int deadline_ms = 60000;
    mtarep_limit limits[MTAREP_THROTTLE_MAX_LIMITS];
    size_t nlimits = 0;
    mtarep_throttle *t = NULL;
    mtarep_throttle_error err;
    long count;
    int i = 1, rc;

    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--store") == 0)
            store = argv[i + 1];
        else if (strcmp(argv[i], "--key") == 0)
            key = argv[i + 1];
        else if (strcmp(argv[i], "--deadline") == 0)
            deadline_ms = (unsigned int)strtoul(argv[i + 1], NULL, 10);
        else
            break;
    }
    if (argc - i < 2 || (count = strtol(argv[i], NULL, 10)) < 1) {
        fprintf(stderr, "usage: %s [--store URI] [--key KEY] [--deadline MS] COUNT LIMIT...\n",
                argv[0]);
        return 2;
    }
    for (i++; i < argc; i++) {
        if (nlimits == MTAREP_THROTTLE_MAX_LIMITS ||
            mtarep_limit_parse(&limits[nlimits++], argv[i], &err) != MTAREP_OK) {
            fprintf(stderr, "limit '%s': %s\n", argv[i],
                    nlimits == MTAREP_THROTTLE_MAX_LIMITS ? "too many" : err.text);
            return 2;
        }
    }
    if ((rc = mtarep_throttle_new(&t, store, NULL, &err)) != MTAREP_OK) {
        fprintf(stderr, "%s: %s\n", mtarep_strerror(rc), err.text);
        return 2;
    }

    for (long n = 1; n <= count; n++) {
        mtarep_throttle_decision d;
        rc = mtarep_throttle_acquire(&d, t, key, limits, nlimits, 1, deadline_ms);
        if (rc == MTAREP_ETHROTTLED) {
            printf("stopped before message %ld: next slot in %lld ms\n", n,
                   (long long)d.retry_after_ms);
            mtarep_throttle_free(t);
            return 1;
        }
        if (rc != MTAREP_OK) {
            fprintf(stderr, "message %ld: %s %s\n", n, mtarep_strerror(rc), d.message);
            mtarep_throttle_free(t);
            return 2;
        }
        printf("sent message %ld\n", n);   /* the SMTP transaction goes here */
        fflush(stdout);
    }
    mtarep_throttle_free(t);
    return 0;
}
