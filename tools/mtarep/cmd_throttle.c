/* mtarep throttle: ask a shared rate limiter (file or Redis store). */
#include "cli.h"
#include "out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_STORE = 0x200, OPT_KEY, OPT_LIMIT, OPT_BURST, OPT_QUANTITY, OPT_DEADLINE, OPT_ON_FAILURE
};

struct thr_args {
    const char *store, *key;
    const char *limits[MTAREP_THROTTLE_MAX_LIMITS];
    size_t nlimits;
    unsigned long burst, quantity, deadline;
    int burst_given;
    mtarep_throttle_failure_mode on_failure;
};

static const struct option thr_opts[] = {
    {"store", required_argument, NULL, OPT_STORE},
    {"key", required_argument, NULL, OPT_KEY},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"burst", required_argument, NULL, OPT_BURST},
    {"quantity", required_argument, NULL, OPT_QUANTITY},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"on-failure", required_argument, NULL, OPT_ON_FAILURE},
    {NULL, 0, NULL, 0},
};

static int thr_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct thr_args *a = state;
    switch (opt) {
    case OPT_STORE:
        a->store = arg;
        return 0;
    case OPT_KEY:
        a->key = arg;
        return 0;
    case OPT_LIMIT:
        if (a->nlimits == MTAREP_THROTTLE_MAX_LIMITS)
            return cli_usage_error(cli, "--limit: at most %d limits", MTAREP_THROTTLE_MAX_LIMITS);
        a->limits[a->nlimits++] = arg;
        return 0;
    case OPT_BURST:
        if (cli_parse_uint(arg, 1, 1000000000000UL, &a->burst))
            return cli_usage_error(cli, "--burst: '%s' is not a number >= 1", arg);
        a->burst_given = 1;
        return 0;
    case OPT_QUANTITY:
        if (cli_parse_uint(arg, 1, 1000000000000UL, &a->quantity))
            return cli_usage_error(cli, "--quantity: '%s' is not a number >= 1", arg);
        return 0;
    case OPT_DEADLINE:
        if (cli_parse_uint(arg, 0, 86400000UL, &a->deadline))
            return cli_usage_error(cli, "--deadline: '%s' is not a number of ms (0..86400000)", arg);
        return 0;
    case OPT_ON_FAILURE:
        if (!strcmp(arg, "closed"))
            a->on_failure = MTAREP_THROTTLE_FAIL_CLOSED;
        else if (!strcmp(arg, "open"))
            a->on_failure = MTAREP_THROTTLE_FAIL_OPEN;
        else if (!strcmp(arg, "local"))
            a->on_failure = MTAREP_THROTTLE_FAIL_LOCAL;
        else
            return cli_usage_error(cli, "--on-failure: '%s' is not closed, open or local", arg);
        return 0;
    default:
        return 1;
    }
}

static const char *degraded_name(mtarep_throttle_degraded d)
{
    switch (d) {
    case MTAREP_THROTTLE_DEGRADED_NONE: return "none";
    case MTAREP_THROTTLE_DEGRADED_CLOSED: return "closed";
    case MTAREP_THROTTLE_DEGRADED_OPEN: return "open";
    case MTAREP_THROTTLE_DEGRADED_LOCAL: return "local";
    }
    return "unknown";
}

/* smallest remaining over the limits (what could pass at once) */
static uint64_t min_remaining(const mtarep_throttle_decision *d)
{
    uint64_t m = UINT64_MAX;
    for (size_t i = 0; i < d->nlimits; i++)
        if (d->limits[i].remaining < m)
            m = d->limits[i].remaining;
    return d->nlimits ? m : 0;
}

static int print_decision(const struct cli *cli, const char *mode, mtarep_throttle *t,
                          const mtarep_throttle_decision *d, const mtarep_limit *lim,
                          size_t n)
{
    char buf[64];
    if (cli->json) {
        json_t *o = json_object(), *arr = json_array();
        int err = !o || !arr;
        for (size_t i = 0; i < n && !err; i++) {
            json_t *l = json_object();
            mtarep_limit_format(buf, sizeof buf, &lim[i]);
            err |= out_jset(l, "limit", out_jstr(buf));
            err |= out_jset(l, "remaining", json_integer((json_int_t)d->limits[i].remaining));
            err |= out_jset(l, "reset_after_ms",
                            json_integer((json_int_t)d->limits[i].reset_after_ms));
            err |= out_jset(l, "blocking", json_boolean(d->limits[i].blocking));
            err |= out_jpush(arr, l);
        }
        err |= out_jset(o, "mode", out_jstr(mode));
        err |= out_jset(o, "store", out_jstr(mtarep_throttle_store(t)));
        err |= out_jset(o, "admitted", json_boolean(d->admitted));
        err |= out_jset(o, "retry_after_ms", json_integer(d->retry_after_ms));
        err |= out_jset(o, "remaining", json_integer((json_int_t)min_remaining(d)));
        err |= out_jset(o, "degraded", out_jstr(degraded_name(d->degraded)));
        err |= out_jset(o, "message", out_jstr(d->message));
        err |= out_jset(o, "limits", arr);
        if (err)
            return -1;
        return out_json_print(o);
    }
    if (d->admitted)
        printf("%s (remaining %" PRIu64 ")\n",
               strcmp(mode, "status") ? "admitted" : "would admit", min_remaining(d));
    else if (d->retry_after_ms < 0)
        printf("refused: can never pass (quantity above N or a burst, or a limit of 0)\n");
    else
        printf("refused: retry after %" PRId64 " ms\n", d->retry_after_ms);
    for (size_t i = 0; i < n; i++) {
        mtarep_limit_format(buf, sizeof buf, &lim[i]);
        printf("  %-16s remaining %" PRIu64 ", full again in %" PRIu64 " ms%s\n", buf,
               d->limits[i].remaining, d->limits[i].reset_after_ms,
               d->limits[i].blocking ? "  (blocking)" : "");
    }
    if (d->degraded != MTAREP_THROTTLE_DEGRADED_NONE) {
        printf("degraded (%s): ", degraded_name(d->degraded));
        out_clean(stdout, d->message);
        fputc('\n', stdout);
    }
    return 0;
}

/* Exit 3; with --json also an object on stdout, so a script that parses
 * stdout sees "not admitted" and why instead of nothing. */
static int store_error(const struct cli *cli, const char *mode, const char *what,
                       const char *detail, int rc)
{
    const char *why = detail && *detail ? detail : mtarep_strerror(rc);

    fputs("mtarep: throttle: ", stderr);
    out_clean(stderr, what);
    fputs(": ", stderr);
    out_clean(stderr, why);
    fprintf(stderr, " (%s)\n", mtarep_error_name(rc));
    if (cli->json) {
        json_t *o = json_object();
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", what, why);
        if (out_jset(o, "mode", out_jstr(mode)) || out_jset(o, "admitted", json_false()) ||
            out_jset(o, "retry_after_ms", json_null()) ||
            out_jset(o, "error", out_jstr(mtarep_error_name(rc))) ||
            out_jset(o, "message", out_jstr(msg)))
            json_decref(o);
        else
            (void)out_json_print(o);
    }
    return CLI_EXIT_UNKNOWN;
}

static int throttle_run(struct cli *cli, int argc, char **argv)
{
    struct thr_args a;
    mtarep_limit lim[MTAREP_THROTTLE_MAX_LIMITS];
    mtarep_throttle_options o;
    mtarep_throttle_error e;
    mtarep_throttle_decision d;
    mtarep_throttle *t = NULL;
    char **args;
    int nargs, rc;
    size_t nlim = 0;
    const char *mode;

    memset(&a, 0, sizeof a);
    a.quantity = 1;
    a.deadline = 60000;
    rc = cli_parse(cli, argc, argv, thr_opts, NULL, thr_opt, &a, &args, &nargs);
    if (rc)
        return rc;
    if (nargs != 1)
        return cli_usage_error(cli, "throttle needs one mode: try, acquire, status or reset");
    mode = args[0];
    if (strcmp(mode, "try") && strcmp(mode, "acquire") && strcmp(mode, "status") &&
        strcmp(mode, "reset"))
        return cli_usage_error(cli, "throttle: unknown mode '%s' (try, acquire, status, reset)",
                               mode);
    if (!a.store || !a.key || !a.nlimits)
        return cli_usage_error(cli, "throttle needs --store, --key and --limit");
    if (!*a.key || strlen(a.key) > MTAREP_THROTTLE_KEY_MAX)
        return cli_usage_error(cli, "--key: 1..%d bytes", MTAREP_THROTTLE_KEY_MAX);
    if (a.burst_given && a.nlimits > 1)
        return cli_usage_error(cli, "--burst applies to a single --limit; write N/PERIOD:B");
    /* --limit N/PERIOD = at most N in any PERIOD, N at once on a fresh key:
     * a sliding window. A burst B < N adds GCRA pacing of the same rate
     * (N/PERIOD:B), checked in the same decision. */
    for (size_t i = 0; i < a.nlimits; i++) {
        mtarep_limit l;
        uint64_t b;
        if (mtarep_limit_parse(&l, a.limits[i], &e) != MTAREP_OK)
            return cli_usage_error(cli, "--limit '%s': %s", a.limits[i], e.text);
        b = a.burst_given ? a.burst : l.burst;
        if (b > l.count)
            return cli_usage_error(cli, "--limit '%s': burst %llu above N (at most N pass in "
                                   "any PERIOD)", a.limits[i], (unsigned long long)b);
        if (nlim + (b && b < l.count ? 2 : 1) > MTAREP_THROTTLE_MAX_LIMITS)
            return cli_usage_error(cli, "--limit: at most %d limits (a burst counts as one)",
                                   MTAREP_THROTTLE_MAX_LIMITS);
        lim[nlim++] = (mtarep_limit){l.count, l.period_ms, 0, MTAREP_LIMIT_WINDOW};
        if (b && b < l.count)
            lim[nlim++] = (mtarep_limit){l.count, l.period_ms, b, MTAREP_LIMIT_GCRA};
    }
    mtarep_throttle_options_init(&o, MTAREP_THROTTLE_OPTIONS_VERSION);
    o.on_failure = a.on_failure;
    if (cli->timeout_ms)
        o.timeout_ms = cli->timeout_ms;
    rc = mtarep_throttle_new(&t, a.store, &o, &e);
    if (rc == MTAREP_EINVAL)
        return cli_usage_error(cli, "--store: %s", e.text);
    if (rc)
        return store_error(cli, mode, "cannot open the store", e.text, rc);

    memset(&d, 0, sizeof d);
    if (!strcmp(mode, "try"))
        rc = mtarep_throttle_try(&d, t, a.key, lim, nlim, a.quantity);
    else if (!strcmp(mode, "acquire"))
        rc = mtarep_throttle_acquire(&d, t, a.key, lim, nlim, a.quantity,
                                     (unsigned int)a.deadline);
    else if (!strcmp(mode, "status"))
        rc = mtarep_throttle_status(&d, t, a.key, lim, nlim);
    else
        rc = mtarep_throttle_reset(t, a.key, lim, nlim);

    if (rc == MTAREP_ETHROTTLED || rc == MTAREP_ELIMIT) {
        if (rc == MTAREP_ELIMIT && d.retry_after_ms != -1) {
            /* table full for a new key: a store problem, not a refusal */
            rc = store_error(cli, mode, "store table full", d.message, rc);
            goto out;
        }
        rc = MTAREP_OK; /* a refusal: reported like try's */
    }
    if (rc == MTAREP_EINVAL) {
        rc = cli_usage_error(cli, "throttle %s: %s", mode,
                             d.message[0] ? d.message : "invalid key, limit or quantity");
        goto out;
    }
    if (rc) {
        rc = store_error(cli, mode, "store failed", d.message, rc);
        goto out;
    }
    if (!strcmp(mode, "reset")) {
        if (cli->json) {
            json_t *r = json_object();
            if (out_jset(r, "mode", out_jstr("reset")) || out_jset(r, "reset", json_true()) ||
                out_json_print(r))
                rc = CLI_EXIT_UNKNOWN;
        } else {
            puts("reset");
        }
        goto out;
    }
    if (print_decision(cli, mode, t, &d, lim, nlim)) {
        fputs("mtarep: out of memory\n", stderr);
        rc = CLI_EXIT_UNKNOWN;
        goto out;
    }
    rc = d.admitted ? CLI_EXIT_OK : CLI_EXIT_PROBLEM;
out:
    mtarep_throttle_free(t);
    return rc;
}

const struct cli_command cli_cmd_throttle = {
    "throttle",
    "rate-limit sends against a shared budget (sliding window + GCRA; file or Redis store)",
    "try|acquire|status|reset --store URI --key K --limit N/PERIOD [--burst B]\n"
    "       [--quantity Q] [--deadline MS] [--on-failure closed|open|local]",
    "Modes:\n"
    "  try            count Q units now if every limit allows, else refuse\n"
    "  acquire        as try, but wait (up to --deadline ms, default 60000)\n"
    "  status         show the state without counting anything\n"
    "  reset          forget the key's state for these limits\n"
    "Options:\n"
    "  --store URI    file:/PATH (shared by the processes of this host),\n"
    "                 redis://[[user]:password@]HOST[:PORT][/DB] or memory:\n"
    "  --key K        what is limited (sending IP, domain, ...), 1..200 bytes\n"
    "  --limit N/PERIOD  at most N units in any PERIOD (ms, s, m, h, d, w: 30m,\n"
    "                 1h, 1d); N/PERIOD:B sets a burst; repeat for several limits\n"
    "  --burst B      at most B at once (B <= N) for the (single) limit; default N\n"
    "  --quantity Q   units (recipients) to count, default 1\n"
    "  --on-failure M Redis down: closed (refuse, default), open (admit) or\n"
    "                 local (decide with a per-process memory store)\n"
    "\n"
    "What is guaranteed: --limit N/PERIOD admits at most N in ANY window of\n"
    "length PERIOD, and up to N at once on a fresh key (a sliding window: the\n"
    "period is cut into 15 sub-windows and the oldest one overlapping the\n"
    "window counts in full, so a unit may be released up to PERIOD/15 late,\n"
    "never early). With --burst B < N it is also paced by GCRA (as redis-cell):\n"
    "at most B at once, then one unit every T = PERIOD/N (over any interval\n"
    "of length L at most B + floor(L/T)). A quantity above N or B never passes.\n"
    "\n"
    "JSON (--json): mode, store (no password), admitted, retry_after_ms (0 when\n"
    "admitted, -1 never), remaining (smallest over the limits), degraded (none,\n"
    "closed, open, local), message, limits (array of {limit (\"N/PERIOD window\"\n"
    "or the pacing \"N/PERIOD:B\"), remaining, reset_after_ms, blocking}).\n"
    "On a store failure (exit 3) --json prints mode, admitted (false),\n"
    "retry_after_ms (null), error (the MTAREP_E* name) and message.\n"
    "Exit status: 0 admitted (status: one unit would pass; reset: done),\n"
    "1 refused (the retry-after is printed), 2 usage error, 3 store failure.\n",
    throttle_run,
};
