/* mtarep provider: reputation data from Mailgun, Microsoft SNDS and Google
 * Postmaster Tools, normalized. Keys come from the environment or a file,
 * never from the command line (argv is visible to every local user). */
#include "cli.h"
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_DOMAIN = 0x200,
    OPT_REGION,
    OPT_DURATION,
    OPT_RESOLUTION,
    OPT_API,
    OPT_KEY_FILE,
    OPT_BASE_URL,
    OPT_CA_FILE,
    OPT_DATE,
    OPT_DAYS,
    OPT_MAX_BOUNCE,
    OPT_MAX_COMPLAINT,
    OPT_RETRIES,
    OPT_START,
    OPT_END,
    OPT_KEY
};

struct prov_args {
    const char *domain, *key_file, *api;
    double max_bounce, max_complaint;
    int days_given;
    mtarep_provider_options o;
};

static const struct option prov_opts[] = {
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"region", required_argument, NULL, OPT_REGION},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"resolution", required_argument, NULL, OPT_RESOLUTION},
    {"api", required_argument, NULL, OPT_API},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"date", required_argument, NULL, OPT_DATE},
    {"days", required_argument, NULL, OPT_DAYS},
    {"max-bounce-rate", required_argument, NULL, OPT_MAX_BOUNCE},
    {"max-complaint-rate", required_argument, NULL, OPT_MAX_COMPLAINT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    /* accepted only to refuse it with a clear message */
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
};

static int parse_fraction(const char *s, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

static int prov_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct prov_args *a = state;
    unsigned long v;
    switch (opt) {
    case OPT_DOMAIN:
        if (!cli_is_domain(arg))
            return cli_usage_error(cli, "--domain: '%s' is not a domain name", arg);
        a->domain = arg;
        return 0;
    case OPT_REGION:
        if (strcmp(arg, "us") && strcmp(arg, "eu"))
            return cli_usage_error(cli, "--region must be us or eu, not '%s'", arg);
        a->o.region = arg;
        return 0;
    case OPT_DURATION:
        a->o.duration = arg;
        return 0;
    case OPT_RESOLUTION:
        a->o.resolution = arg;
        return 0;
    case OPT_API: /* checked against the provider in prov_run */
        a->api = arg;
        return 0;
    case OPT_KEY_FILE:
        a->key_file = arg;
        return 0;
    case OPT_BASE_URL:
        a->o.base_url = arg;
        return 0;
    case OPT_CA_FILE:
        if (cli_readable_file(arg))
            return cli_usage_error(cli, "--ca-file: cannot read '%s': %s", arg, strerror(errno));
        a->o.ca_file = arg;
        return 0;
    case OPT_DATE:
        a->o.snds_date = arg;
        return 0;
    case OPT_DAYS:
        if (cli_parse_uint(arg, 1, 120, &v))
            return cli_usage_error(cli, "--days must be 1 to 120, not '%s'", arg);
        a->o.days = (unsigned int)v;
        a->days_given = 1;
        return 0;
    case OPT_MAX_BOUNCE:
        if (parse_fraction(arg, &a->max_bounce))
            return cli_usage_error(cli, "--max-bounce-rate must be a fraction 0..1, not '%s'", arg);
        return 0;
    case OPT_MAX_COMPLAINT:
        if (parse_fraction(arg, &a->max_complaint))
            return cli_usage_error(cli, "--max-complaint-rate must be a fraction 0..1, not '%s'",
                                   arg);
        return 0;
    case OPT_RETRIES:
        if (cli_parse_uint(arg, 0, 10, &v))
            return cli_usage_error(cli, "--retries must be 0 to 10, not '%s'", arg);
        a->o.max_retries = (unsigned int)v;
        return 0;
    case OPT_START:
        a->o.start = arg;
        return 0;
    case OPT_END:
        a->o.end = arg;
        return 0;
    case OPT_KEY: /* never echo the value */
        return cli_usage_error(cli, "keys are not taken on the command line: set the "
                                    "environment variable or use --key-file FILE");
    default:
        return 1;
    }
}

/* First line of @p path without trailing blanks; NULL (message printed) on
 * failure. The key is not printed. */
static char *read_key_file(const struct cli *cli, const char *path)
{
    FILE *f = cli_readable_file(path) ? NULL : fopen(path, "r");
    char buf[4096], *nl;
    size_t n;
    if (!f) { /* a directory opens, then reads as "no key": say what it is */
        cli_usage_error(cli, "--key-file: cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if ((nl = strpbrk(buf, "\r\n")))
        *nl = '\0';
    n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = '\0';
    if (!n) {
        cli_usage_error(cli, "--key-file: '%s' holds no key on its first line", path);
        return NULL;
    }
    return strdup(buf);
}

static void fmt_rate(char *buf, size_t len, double v, int upper)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%s%.2f %%", upper ? "< " : "", v * 100);
}

static void fmt_volume(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%lld", (long long)v);
}

static const char *rep_color(mtarep_reputation r)
{
    return r == MTAREP_REP_HIGH ? OUT_GREEN
           : r == MTAREP_REP_MEDIUM ? OUT_YELLOW
           : r == MTAREP_REP_UNKNOWN ? NULL
                                     : OUT_RED;
}

static void print_human(const mtarep_provider_result *r)
{
    const mtarep_provider_period *o = mtarep_provider_result_overall(r);
    const char *rep = mtarep_reputation_name(mtarep_provider_period_reputation(o));
    int c = out_use_color(stdout);
    char b1[64];
    struct out_table t;
    static const char *const hdr[] = {"Period", "Subject", "Volume", "Bounce", "Complaint",
                                      "Reputation"};

    printf("%-12s%s", "Source:", mtarep_provider_result_source(r));
    if (mtarep_provider_result_subject(r)) {
        fputs(" (", stdout);
        out_clean(stdout, mtarep_provider_result_subject(r));
        fputc(')', stdout);
    }
    fputc('\n', stdout);
    fmt_volume(b1, sizeof b1, mtarep_provider_period_volume(o));
    printf("%-12s%s\n", "Volume:", b1);
    fmt_rate(b1, sizeof b1, mtarep_provider_period_bounce_rate(o), 0);
    printf("%-12s%s\n", "Bounces:", b1);
    fmt_rate(b1, sizeof b1, mtarep_provider_period_complaint_rate(o),
             mtarep_provider_period_complaint_upper_bound(o));
    printf("%-12s%s\n", "Complaints:", b1);
    printf("%-12s%s%s%s\n", "Reputation:",
           c && rep_color(mtarep_provider_period_reputation(o))
               ? rep_color(mtarep_provider_period_reputation(o)) : "",
           rep ? rep : "-", c && rep_color(mtarep_provider_period_reputation(o)) ? OUT_RESET : "");

    out_table_init(&t, 6);
    for (size_t i = 0; i < mtarep_provider_result_period_count(r); i++) {
        const mtarep_provider_period *p = mtarep_provider_result_period(r, i);
        char vol[32], br[32], cr[32];
        const char *prep = mtarep_reputation_name(mtarep_provider_period_reputation(p));
        const char *cells[6], *cols[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
        fmt_volume(vol, sizeof vol, mtarep_provider_period_volume(p));
        fmt_rate(br, sizeof br, mtarep_provider_period_bounce_rate(p), 0);
        fmt_rate(cr, sizeof cr, mtarep_provider_period_complaint_rate(p),
                 mtarep_provider_period_complaint_upper_bound(p));
        cells[0] = mtarep_provider_period_start(p) ? mtarep_provider_period_start(p) : "-";
        cells[1] = mtarep_provider_period_subject(p) ? mtarep_provider_period_subject(p) : "-";
        cells[2] = vol;
        cells[3] = br;
        cells[4] = cr;
        cells[5] = prep ? prep : "-";
        cols[5] = rep_color(mtarep_provider_period_reputation(p));
        if (out_table_add(&t, cells, cols))
            break;
    }
    if (t.nrows) {
        fputc('\n', stdout);
        out_table_print(&t, stdout, hdr, c);
    }
    out_table_free(&t);
    if (mtarep_provider_result_blocked_count(r)) {
        printf("\nBlocked ranges:\n");
        for (size_t i = 0; i < mtarep_provider_result_blocked_count(r); i++) {
            fputs("  ", stdout);
            out_clean(stdout, mtarep_provider_result_blocked_first(r, i));
            fputs(" - ", stdout);
            out_clean(stdout, mtarep_provider_result_blocked_last(r, i));
            fputs("  ", stdout);
            out_clean(stdout, mtarep_provider_result_blocked_reason(r, i));
            fputc('\n', stdout);
        }
    }
}

static int prov_run(struct cli *cli, int argc, char **argv)
{
    struct prov_args a;
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *o;
    const char *which, *env;
    char **args, *key = NULL;
    int nargs, rc, problem;

    memset(&a, 0, sizeof a);
    mtarep_provider_options_init(&a.o, MTAREP_PROVIDER_OPTIONS_VERSION);
    a.max_bounce = 0.05;     /* docs/providers.md: why these defaults */
    a.max_complaint = 0.003;
    rc = cli_parse(cli, argc, argv, prov_opts, NULL, prov_opt, &a, &args, &nargs);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (nargs != 1)
        return cli_usage_error(cli, "provider needs one of: mailgun, snds, postmaster");
    which = args[0];
    if (strcmp(which, "mailgun") == 0)
        env = "MAILGUN_API_KEY";
    else if (strcmp(which, "snds") == 0)
        env = "SNDS_KEY";
    else if (strcmp(which, "postmaster") == 0)
        env = "GOOGLE_OAUTH_TOKEN";
    else
        return cli_usage_error(cli, "unknown provider '%s' (mailgun, snds, postmaster)", which);
    if (strcmp(which, "snds") != 0 && !a.domain)
        return cli_usage_error(cli, "provider %s needs --domain D", which);
    if (strcmp(which, "snds") == 0 && a.domain)
        return cli_usage_error(cli, "provider snds takes no --domain (the key names the IPs)");
    /* an option of another provider would be ignored: say so instead */
    if (strcmp(which, "mailgun") != 0 &&
        (a.o.region || a.o.duration || a.o.resolution || a.o.start || a.o.end))
        return cli_usage_error(cli, "--region, --duration, --resolution, --start and --end are "
                                    "options of provider mailgun, not %s", which);
    if (strcmp(which, "snds") != 0 && a.o.snds_date)
        return cli_usage_error(cli, "--date is an option of provider snds, not %s", which);
    if (strcmp(which, "postmaster") != 0 && a.days_given)
        return cli_usage_error(cli, "--days is an option of provider postmaster, not %s", which);
    if (a.api) {
        if (strcmp(which, "mailgun") == 0 && strcmp(a.api, "metrics") == 0)
            a.o.mailgun_api = MTAREP_MAILGUN_METRICS;
        else if (strcmp(which, "mailgun") == 0 && strcmp(a.api, "stats") == 0)
            a.o.mailgun_api = MTAREP_MAILGUN_STATS;
        else if (strcmp(which, "postmaster") == 0 && strcmp(a.api, "v1") == 0)
            a.o.postmaster_api = MTAREP_POSTMASTER_V1;
        else if (strcmp(which, "postmaster") == 0 && strcmp(a.api, "v2") == 0)
            a.o.postmaster_api = MTAREP_POSTMASTER_V2;
        else
            return cli_usage_error(cli, "--api: '%s' is not an API of %s (mailgun: metrics, "
                                        "stats; postmaster: v1, v2)", a.api, which);
    }
    if (a.key_file) {
        if (!(key = read_key_file(cli, a.key_file)))
            return CLI_EXIT_USAGE;
    } else if (getenv(env) && *getenv(env)) {
        if (!(key = strdup(getenv(env)))) {
            fputs("mtarep: out of memory\n", stderr);
            return CLI_EXIT_UNKNOWN;
        }
    } else {
        return cli_usage_error(cli, "no key: set %s or use --key-file FILE", env);
    }
    if ((rc = cli_ctx(cli)) != 0)
        goto out;
    if (cli->timeout_ms)
        a.o.timeout_ms = cli->timeout_ms;
    if (strcmp(which, "mailgun") == 0)
        rc = mtarep_provider_mailgun(&r, cli->ctx, a.domain, key, &a.o);
    else if (strcmp(which, "snds") == 0)
        rc = mtarep_provider_snds(&r, cli->ctx, key, &a.o);
    else
        rc = mtarep_provider_postmaster(&r, cli->ctx, a.domain, key, &a.o);
    if (rc) {
        char what[64];
        long ra = mtarep_provider_retry_after(cli->ctx);
        snprintf(what, sizeof what, "provider");
        /* a malformed answer is the server's fault, not a usage error */
        rc = rc == MTAREP_EPARSE ? (cli_lib_error(cli, rc, what), CLI_EXIT_UNKNOWN)
                                 : cli_lib_error(cli, rc, what);
        if (ra >= 0)
            fprintf(stderr, "mtarep: the server asks to retry after %ld s\n", ra);
        goto out;
    }
    o = mtarep_provider_result_overall(r);
    problem = mtarep_provider_result_blocked_count(r) > 0 ||
              (mtarep_provider_period_reputation(o) != MTAREP_REP_UNKNOWN &&
               mtarep_provider_period_reputation(o) <= MTAREP_REP_LOW) ||
              mtarep_provider_period_bounce_rate(o) > a.max_bounce ||
              mtarep_provider_period_complaint_rate(o) > a.max_complaint;
    /* An answer without any figure decides nothing: unknown, never fine. */
    rc = problem ? CLI_EXIT_PROBLEM
         : mtarep_provider_period_reputation(o) == MTAREP_REP_UNKNOWN &&
                   mtarep_provider_period_bounce_rate(o) < 0 &&
                   mtarep_provider_period_complaint_rate(o) < 0
             ? CLI_EXIT_UNKNOWN
             : CLI_EXIT_OK;
    if (cli->json) {
        char *js = mtarep_provider_result_json(r);
        json_t *j = js ? json_loads(js, 0, NULL) : NULL;
        free(js);
        if (!j || out_json_print(j))
            rc = CLI_EXIT_UNKNOWN;
    } else {
        print_human(r);
    }
out:
    mtarep_provider_result_free(r);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    return rc;
}

const struct cli_command cli_cmd_provider = {
    "provider",
    "reputation data from Mailgun, Microsoft SNDS, Google Postmaster Tools",
    "mailgun|snds|postmaster [--domain D] [options]",
    "Providers:\n"
    "  mailgun --domain D  Mailgun statistics of sending domain D (key:\n"
    "                 MAILGUN_API_KEY)\n"
    "      --region us|eu   API host (default us; an EU domain on the US host\n"
    "                 answers 401)\n"
    "      --duration N[hdm]  period counted back from --end (default 7d unless\n"
    "                 --start is given; m = months)\n"
    "      --start DATE, --end DATE  RFC 2822 date or Unix seconds (default end: now)\n"
    "      --resolution hour|day|month  (default day)\n"
    "      --api metrics|stats  Analytics Metrics API (default) or the deprecated\n"
    "                 stats totals\n"
    "  snds            Microsoft SNDS data of the IPs the key covers, plus blocked\n"
    "                 ranges (key: SNDS_KEY)\n"
    "      --date MMDDYY    that day (default: the latest with data)\n"
    "  postmaster --domain D  Google Postmaster Tools traffic stats (OAuth token:\n"
    "                 GOOGLE_OAUTH_TOKEN)\n"
    "      --api v1|v2  v1 trafficStats with reputation levels (default; scope\n"
    "                 postmaster.readonly; Google is retiring it) or v2\n"
    "                 domainStats:query, spam and reject rates only (scope\n"
    "                 postmaster.traffic.readonly)\n"
    "      --days N   days back from today, UTC, today excluded (default 7)\n"
    "Common:\n"
    "  --key-file FILE  read the key from the first line of FILE instead of the\n"
    "                 environment (keys are never taken as arguments)\n"
    "  --base-url URL   replace the provider's host (tests; https://, or http://\n"
    "                 to a loopback address only)\n"
    "  --ca-file FILE   PEM CA bundle (TLS verification cannot be turned off)\n"
    "  --max-bounce-rate F  overall bounce rate above F is a problem (default 0.05)\n"
    "  --max-complaint-rate F  overall complaint rate above F is a problem\n"
    "                 (default 0.003)\n"
    "  --retries N      retries after HTTP 429/503, each after the server's\n"
    "                 Retry-After if at most 30 s (default 2)\n"
    "  --timeout MS     each HTTP request (default 30000; retries and pages\n"
    "                 each get their own)\n"
    "JSON (--json): {source, subject, volume, bounce_rate, complaint_rate,\n"
    "complaint_rate_upper_bound, reputation (high|medium|low|bad|null), counts\n"
    "(Mailgun: accepted, delivered, failed_permanent, failed_temporary,\n"
    "complained, bounced, esp_block, suppressed), periods [{subject, start, end,\n"
    "volume, bounce_rate, complaint_rate, complaint_rate_upper_bound,\n"
    "reputation, counts, raw}], blocked [{first, last, reason}]}; rates are\n"
    "fractions 0..1, null where the provider has no data.\n"
    "Exit status: 0 fine, 1 reputation low or bad, a blocked range, or a rate\n"
    "above its maximum, 2 usage, 3 could not decide (auth, HTTP, TLS, timeout,\n"
    "or an answer with no rate and no reputation at all).\n",
    prov_run,
};
