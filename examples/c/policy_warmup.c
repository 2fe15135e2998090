/* Postfix policy service applying an IP warm-up plan at the MTA level.
 *
 * Each RCPT TO is counted against today's caps of the plan (its daily cap
 * in any 24 hours, hourly cap in any hour; sliding windows in a store
 * shared by every instance); past them the recipient is deferred with a
 * 4xx, so the queue holds the mail and Postfix retries later instead of
 * the receiver seeing a burst from a cold IP.
 *
 *   policy_warmup [--store URI] [--key KEY] [--preset NAME | --schedule SPEC]
 *                 [--start YYYY-MM-DD] [--listen HOST:PORT]
 *
 * Protocol (Postfix SMTPD_POLICY_README): the request is "name=value"
 * lines ended by an empty line; the reply is "action=..." and an empty
 * line; several requests may come over one connection. Without --listen
 * the service talks over stdin/stdout (Postfix spawn(8)):
 *
 *   master.cf:  policy unix - n n - 0 spawn
 *                 user=nobody argv=/usr/local/bin/policy_warmup
 *                 --store file:/var/lib/mtarep/warmup.tbl --start 2026-12-01
 *   main.cf:    smtpd_recipient_restrictions = ...,
 *                 check_policy_service unix:private/policy
 *
 * (put it on the submission smtpd that feeds the warming IP). With
 * --listen it accepts TCP connections, one process per connection (a
 * "file:" store makes them share the budget; port 0 picks a free port,
 * printed on stdout): check_policy_service inet:127.0.0.1:PORT.
 *
 * Replies: DUNNO (admitted, or not a RCPT request), DEFER_IF_PERMIT with a
 * 4.7.1 text when the plan's caps are used up, DEFER_IF_PERMIT 4.3.0 when
 * the store fails (unknown is never "admit").
 *
 * Build: cc policy_warmup.c $(pkg-config --cflags --libs mtarep)
 */
#define _POSIX_C_SOURCE 200809L
#include <mtarep.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 2048 /* Postfix attribute lines are short; longer is garbage */

static const char *store_uri = "memory:", *key = "warmup", *preset = "mtarep",
                  *schedule = NULL, *start_date = NULL;
static mtarep_throttle *thr;
static mtarep_warmup *plan;
static int64_t plan_start;

/* One request: reply into @p reply (action=... without the newline). */
static void decide(const char *state, char *reply, size_t len)
{
    mtarep_warmup_caps caps;
    mtarep_limit lim[2];
    mtarep_throttle_decision d;
    int rc;

    if (strcmp(state, "RCPT") != 0) {
        snprintf(reply, len, "action=DUNNO");
        return;
    }
    mtarep_warmup_caps_for_day(&caps, plan, mtarep_warmup_day_index(plan_start, time(NULL)));
    mtarep_warmup_limits(lim, &caps); /* daily and hourly sliding windows */
    rc = mtarep_throttle_try(&d, thr, key, lim, 2, 1);
    if (rc != MTAREP_OK) {
        fprintf(stderr, "policy_warmup: %s %s\n", mtarep_strerror(rc), d.message);
        snprintf(reply, len, "action=DEFER_IF_PERMIT 4.3.0 rate limiter unavailable, try later");
    } else if (d.admitted) {
        snprintf(reply, len, "action=DUNNO");
    } else if (d.retry_after_ms < 0) { /* caps of 0: the plan pauses sending */
        snprintf(reply, len, "action=DEFER_IF_PERMIT 4.7.1 IP warm-up day %d: sending paused",
                 caps.day);
    } else {
        snprintf(reply, len,
                 "action=DEFER_IF_PERMIT 4.7.1 IP warm-up day %d: %llu/day, %llu/hour reached, "
                 "retry in %lld s", caps.day, (unsigned long long)caps.daily,
                 (unsigned long long)caps.hourly, (long long)((d.retry_after_ms + 999) / 1000));
    }
}

/* Serve requests from @p in until EOF; 0 at a clean end, -1 on garbage. */
static int serve(FILE *in, FILE *out)
{
    char line[MAX_LINE], state[64] = "", reply[256];
    int have = 0;

    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            fprintf(stderr, "policy_warmup: attribute line too long\n");
            return -1;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0) {                       /* end of one request */
            if (!have)
                continue;
            decide(state, reply, sizeof reply);
            fprintf(out, "%s\n\n", reply);
            fflush(out);
            state[0] = '\0';
            have = 0;
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            fprintf(stderr, "policy_warmup: not name=value: %.60s\n", line);
            return -1;
        }
        *eq = '\0';
        if (strcmp(line, "protocol_state") == 0)
            snprintf(state, sizeof state, "%s", eq + 1);
        have = 1;
    }
    return 0;
}

static int listen_on(const char *hostport)
{
    char host[64];
    const char *colon = strrchr(hostport, ':');
    struct sockaddr_in sa;
    socklen_t salen = sizeof sa;
    int fd, one = 1;

    if (!colon || (size_t)(colon - hostport) >= sizeof host) {
        fprintf(stderr, "--listen wants HOST:PORT\n");
        return 2;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "--listen: %s is not an IPv4 address\n", host);
        return 2;
    }
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
        perror("policy_warmup: listen");
        return 2;
    }
    printf("listening on %s:%u\n", host, ntohs(sa.sin_port));
    fflush(stdout);
    signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {
            FILE *in = fdopen(c, "r"), *out = fdopen(dup(c), "w");
            close(fd);
            /* a fresh limiter: a store handle is not shared across fork() */
            mtarep_throttle_error err;
            if (!in || !out || mtarep_throttle_new(&thr, store_uri, NULL, &err) != MTAREP_OK)
                _exit(1);
            int rc = serve(in, out);
            fclose(in);
            fclose(out);
            mtarep_throttle_free(thr);
            _exit(rc == 0 ? 0 : 1);
        }
        close(c);
    }
}

int main(int argc, char **argv)
{
    const char *listen_addr = NULL;
    mtarep_throttle_error err;
    int rc;

    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "%s: missing value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--store") == 0) store_uri = v;
        else if (strcmp(argv[i], "--key") == 0) key = v;
        else if (strcmp(argv[i], "--preset") == 0) preset = v;
        else if (strcmp(argv[i], "--schedule") == 0) schedule = v;
        else if (strcmp(argv[i], "--start") == 0) start_date = v;
        else if (strcmp(argv[i], "--listen") == 0) listen_addr = v;
        else {
            fprintf(stderr, "usage: %s [--store URI] [--key KEY] [--preset NAME | --schedule SPEC]"
                            " [--start YYYY-MM-DD] [--listen HOST:PORT]\n", argv[0]);
            return 2;
        }
    }
    rc = schedule ? mtarep_warmup_parse(&plan, schedule, &err) : mtarep_warmup_preset(&plan, preset);
    if (rc != MTAREP_OK) {
        fprintf(stderr, "plan: %s %s\n", mtarep_strerror(rc), schedule ? err.text : preset);
        return 2;
    }
    plan_start = time(NULL);
    if (start_date && mtarep_warmup_parse_date(&plan_start, start_date) != MTAREP_OK) {
        fprintf(stderr, "--start: not a date: %s\n", start_date);
        mtarep_warmup_free(plan);
        return 2;
    }
    if (listen_addr) {
        rc = listen_on(listen_addr);
        mtarep_warmup_free(plan);
        return rc;
    }
    if ((rc = mtarep_throttle_new(&thr, store_uri, NULL, &err)) != MTAREP_OK) {
        fprintf(stderr, "store: %s %s\n", mtarep_strerror(rc), err.text);
        mtarep_warmup_free(plan);
        return 2;
    }
    rc = serve(stdin, stdout);
    mtarep_throttle_free(thr);
    mtarep_warmup_free(plan);
    return rc == 0 ? 0 : 1;
}
