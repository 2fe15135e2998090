/* mtarep logscan: delivery counts and bounce causes from Postfix/Exim logs. */
#include "cli.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_FORMAT = 0x300, OPT_SINCE, OPT_BY, OPT_EXCLUDE, OPT_YEAR, OPT_TOP };
enum { BY_DOMAIN, BY_DAY, BY_HOUR, BY_CAUSE, BY_RELAY };

struct logscan_args {
    mtarep_logscan_options o;
    int by;
    unsigned long top;
};

static const struct option logscan_opts[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"since", required_argument, NULL, OPT_SINCE},
    {"by", required_argument, NULL, OPT_BY},
    {"exclude-relay", required_argument, NULL, OPT_EXCLUDE},
    {"year", required_argument, NULL, OPT_YEAR},
    {"top", required_argument, NULL, OPT_TOP},
    {NULL, 0, NULL, 0},
};

static int logscan_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct logscan_args *a = state;
    unsigned long v;
    switch (opt) {
    case OPT_FORMAT:
        if (strcmp(arg, "auto") == 0)
            a->o.format = MTAREP_LOGSCAN_AUTO;
        else if (strcmp(arg, "postfix") == 0)
            a->o.format = MTAREP_LOGSCAN_POSTFIX;
        else if (strcmp(arg, "exim") == 0)
            a->o.format = MTAREP_LOGSCAN_EXIM;
        else
            return cli_usage_error(cli, "--format: '%s' is not auto, postfix or exim", arg);
        return 0;
    case OPT_SINCE:
        if (mtarep_logscan_parse_time(&a->o.since, arg) != MTAREP_OK)
            return cli_usage_error(cli, "--since: '%s' is not a time (YYYY-MM-DD[THH:MM[:SS]] "
                                        "or Unix seconds)", arg);
        return 0;
    case OPT_BY:
        if (strcmp(arg, "domain") == 0)
            a->by = BY_DOMAIN;
        else if (strcmp(arg, "day") == 0)
            a->by = BY_DAY;
        else if (strcmp(arg, "hour") == 0)
            a->by = BY_HOUR;
        else if (strcmp(arg, "cause") == 0)
            a->by = BY_CAUSE;
        else if (strcmp(arg, "relay") == 0)
            a->by = BY_RELAY;
        else
            return cli_usage_error(cli, "--by: '%s' is not domain, day, hour, cause or relay", arg);
        return 0;
    case OPT_EXCLUDE:
        a->o.exclude_relays = arg;
        return 0;
    case OPT_YEAR:
        if (cli_parse_uint(arg, 1970, 9999, &v))
            return cli_usage_error(cli, "--year: '%s' is not a year (1970..9999)", arg);
        a->o.year = (int)v;
        return 0;
    case OPT_TOP:
        if (cli_parse_uint(arg, 1, 1000000, &v))
            return cli_usage_error(cli, "--top: '%s' is not a number 1..1000000", arg);
        a->top = v;
        return 0;
    default:
        return 1;
    }
}

/* Bounce rate: bounced / (sent + bounced), the final per-recipient outcomes. */
static double bounce_pct(const mtarep_logscan_counts *c)
{
    unsigned long long d = c->sent + c->bounced;
    return d ? 100.0 * (double)c->bounced / (double)d : 0.0;
}

static int top_cause(const mtarep_logscan_counts *c)
{
    int best = -1;
    unsigned long long n = 0;
    for (int k = 0; k < MTAREP_SMTPREPLY_NCATEGORIES; k++) {
        unsigned long long v = c->bounced_by_cause[k] + c->deferred_by_cause[k];
        if (v > n) {
            n = v;
            best = k;
        }
    }
    return best;
}

static json_t *counts_json(const mtarep_logscan_counts *c)
{
    json_t *o = json_object(), *causes = json_object();
    int err = !o || !causes;
    err |= out_jset(o, "sent", json_integer((json_int_t)c->sent));
    err |= out_jset(o, "deferred", json_integer((json_int_t)c->deferred));
    err |= out_jset(o, "bounced", json_integer((json_int_t)c->bounced));
    err |= out_jset(o, "expired", json_integer((json_int_t)c->expired));
    err |= out_jset(o, "bounce_rate", json_real(bounce_pct(c)));
    err |= out_jset(o, "deferred_recipients", json_integer((json_int_t)c->deferred_recipients));
    err |= out_jset(o, "expired_recipients", json_integer((json_int_t)c->expired_recipients));
    for (int k = 0; k < MTAREP_SMTPREPLY_NCATEGORIES; k++) {
        if (!c->bounced_by_cause[k] && !c->deferred_by_cause[k])
            continue;
        json_t *x = json_object();
        err |= out_jset(x, "bounced", json_integer((json_int_t)c->bounced_by_cause[k]));
        err |= out_jset(x, "deferred", json_integer((json_int_t)c->deferred_by_cause[k]));
        err |= out_jset(causes, mtarep_smtpreply_category_name((mtarep_smtpreply_category)k), x);
    }
    err |= out_jset(o, "causes", causes);
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void fmt_day(long long t, int hour, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, hour ? "%Y-%m-%dT%H:00Z" : "%Y-%m-%d", &tm);
}

static int print_json(const mtarep_logscan *s)
{
    mtarep_logscan_counts c;
    mtarep_logscan_stats st;
    json_t *root = json_object(), *doms = json_object(), *rels = json_object(),
           *days = json_object(), *hours = json_object(), *stats = json_object();
    int err = !root || !doms || !rels || !days || !hours || !stats;
    static const char *const fmt[] = {"unknown", "postfix", "exim"};
    err |= out_jset(root, "format", out_jstr(fmt[mtarep_logscan_detected_format(s)]));
    mtarep_logscan_totals(s, &c);
    err |= out_jset(root, "totals", counts_json(&c));
    for (size_t i = 0; i < mtarep_logscan_domain_count(s); i++) {
        /* log bytes need not be UTF-8: keys are escaped like terminal text */
        char *n = out_clean_dup(mtarep_logscan_domain(s, i, &c));
        err |= !n || out_jset(doms, n, counts_json(&c));
        free(n);
    }
    for (size_t i = 0; i < mtarep_logscan_relay_count(s); i++) {
        char *n = out_clean_dup(mtarep_logscan_relay(s, i, &c));
        err |= !n || out_jset(rels, n, counts_json(&c));
        free(n);
    }
    for (int u = 0; u < 2; u++) {
        mtarep_logscan_unit unit = u ? MTAREP_LOGSCAN_HOUR : MTAREP_LOGSCAN_DAY;
        for (size_t i = 0; i < mtarep_logscan_period_count(s, unit); i++) {
            long long start;
            char key[32];
            mtarep_logscan_period(s, unit, i, &start, &c);
            fmt_day(start, u, key, sizeof key);
            err |= out_jset(u ? hours : days, key, counts_json(&c));
        }
    }
    mtarep_logscan_get_stats(s, &st);
    err |= out_jset(stats, "bytes", json_integer((json_int_t)st.bytes));
    err |= out_jset(stats, "lines", json_integer((json_int_t)st.lines));
    err |= out_jset(stats, "counted", json_integer((json_int_t)st.counted));
    err |= out_jset(stats, "excluded", json_integer((json_int_t)st.excluded));
    err |= out_jset(stats, "skipped_since", json_integer((json_int_t)st.skipped_since));
    err |= out_jset(stats, "long_lines", json_integer((json_int_t)st.long_lines));
    err |= out_jset(root, "domains", doms);
    err |= out_jset(root, "relays", rels);
    err |= out_jset(root, "days", days);
    err |= out_jset(root, "hours", hours);
    err |= out_jset(root, "stats", stats);
    if (err) {
        json_decref(root);
        return -1;
    }
    return out_json_print(root);
}

static int add_row(struct out_table *t, const char *name, const mtarep_logscan_counts *c,
                   int color)
{
    char n[5][32];
    snprintf(n[0], sizeof n[0], "%llu", c->sent);
    snprintf(n[1], sizeof n[1], "%llu", c->deferred);
    snprintf(n[2], sizeof n[2], "%llu", c->bounced);
    snprintf(n[3], sizeof n[3], "%llu", c->expired);
    double pct = bounce_pct(c);
    snprintf(n[4], sizeof n[4], "%.1f%%", pct);
    int tc = top_cause(c);
    const char *cells[7] = {name, n[0], n[1], n[2], n[3], n[4],
                            tc >= 0 ? mtarep_smtpreply_category_name((mtarep_smtpreply_category)tc)
                                    : ""};
    const char *colors[7] = {NULL};
    if (color)
        colors[5] = pct >= 10 ? OUT_RED : pct >= 5 ? OUT_YELLOW : NULL;
    return out_table_add(t, cells, colors);
}

static int print_human(const mtarep_logscan *s, const struct logscan_args *a)
{
    static const char *const hdr[] = {"", "sent", "deferred", "bounced", "expired", "bounce%",
                                      "top cause"};
    int color = out_use_color(stdout), err = 0;
    mtarep_logscan_counts c;
    struct out_table t;
    mtarep_logscan_totals(s, &c);
    printf("sent %llu, deferred %llu, bounced %llu, expired %llu; bounce rate %.1f%%\n\n", c.sent,
           c.deferred, c.bounced, c.expired, bounce_pct(&c));
    if (a->by == BY_CAUSE) {
        static const char *const h2[] = {"cause", "bounced", "deferred", "advice"};
        out_table_init(&t, 4);
        for (int k = 0; k < MTAREP_SMTPREPLY_NCATEGORIES; k++) {
            if (!c.bounced_by_cause[k] && !c.deferred_by_cause[k])
                continue;
            char b[32], d[32];
            snprintf(b, sizeof b, "%llu", c.bounced_by_cause[k]);
            snprintf(d, sizeof d, "%llu", c.deferred_by_cause[k]);
            mtarep_smtpreply_category cat = (mtarep_smtpreply_category)k;
            const char *cells[4] = {mtarep_smtpreply_category_name(cat), b, d,
                                    mtarep_smtpreply_category_advice(cat)};
            err |= out_table_add(&t, cells, NULL);
        }
        out_table_print(&t, stdout, h2, color);
        out_table_free(&t);
        return err;
    }
    out_table_init(&t, 7);
    size_t n = 0;
    if (a->by == BY_DOMAIN || a->by == BY_RELAY) {
        int dom = a->by == BY_DOMAIN;
        n = dom ? mtarep_logscan_domain_count(s) : mtarep_logscan_relay_count(s);
        if (a->top && n > a->top)
            n = a->top;
        for (size_t i = 0; i < n; i++) {
            const char *name = dom ? mtarep_logscan_domain(s, i, &c) : mtarep_logscan_relay(s, i, &c);
            err |= add_row(&t, name, &c, color);
        }
    } else {
        mtarep_logscan_unit unit = a->by == BY_DAY ? MTAREP_LOGSCAN_DAY : MTAREP_LOGSCAN_HOUR;
        n = mtarep_logscan_period_count(s, unit);
        for (size_t i = 0; i < n; i++) {
            long long start;
            char key[32];
            mtarep_logscan_period(s, unit, i, &start, &c);
            fmt_day(start, unit == MTAREP_LOGSCAN_HOUR, key, sizeof key);
            err |= add_row(&t, key, &c, color);
        }
    }
    const char *h[7];
    memcpy(h, hdr, sizeof h);
    h[0] = a->by == BY_DOMAIN ? "domain" : a->by == BY_RELAY ? "relay"
                                       : a->by == BY_DAY   ? "day (UTC)"
                                                           : "hour (UTC)";
    out_table_print(&t, stdout, h, color);
    out_table_free(&t);
    return err;
}

static int logscan_run(struct cli *cli, int argc, char **argv)
{
    struct logscan_args a;
    char **args;
    int nargs, rc;
    memset(&a, 0, sizeof a);
    mtarep_logscan_options_init(&a.o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    a.by = BY_DOMAIN;
    rc = cli_parse(cli, argc, argv, logscan_opts, NULL, logscan_opt, &a, &args, &nargs);
    if (rc)
        return rc;
    if (nargs < 1)
        return cli_usage_error(cli, "logscan needs a log file (or - for stdin)");
    mtarep_logscan *s = NULL;
    rc = mtarep_logscan_new(&s, &a.o);
    if (rc) {
        fprintf(stderr, "mtarep: logscan: %s\n", mtarep_strerror(rc));
        return rc == MTAREP_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_UNKNOWN;
    }
    for (int i = 0; i < nargs; i++) {
        rc = mtarep_logscan_file(s, args[i]);
        if (rc) {
            fputs("mtarep: logscan: ", stderr);
            out_clean(stderr, mtarep_logscan_errmsg(s));
            fputc('\n', stderr);
            mtarep_logscan_free(s);
            return rc == MTAREP_EIO ? CLI_EXIT_USAGE : CLI_EXIT_UNKNOWN;
        }
    }
    mtarep_logscan_finish(s);
    if (cli->json)
        rc = print_json(s);
    else
        rc = print_human(s, &a);
    mtarep_logscan_free(s);
    if (rc) {
        fputs("mtarep: out of memory\n", stderr);
        return CLI_EXIT_UNKNOWN;
    }
    return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_logscan = {
    "logscan",
    "count deliveries, bounces and their causes in Postfix/Exim logs",
    "[--format auto|postfix|exim] [--since T] [--by domain|day|hour|cause|relay] FILE...|-",
    "Options:\n"
    "  --format F         auto (default, per line), postfix or exim\n"
    "  --since T          skip lines before T (YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM], Unix s)\n"
    "  --by K             rows of the table: domain (default), day, hour, cause, relay\n"
    "  --exclude-relay L  comma list of relays not counted (content filter hops,\n"
    "                     e.g. 127.0.0.1:10024)\n"
    "  --year Y           year of syslog timestamps that have none (default: this year)\n"
    "  --top N            at most N domain/relay rows\n"
    "Files may be gzip'd; - reads stdin. Counts are per recipient delivery line\n"
    "(Postfix status=sent/deferred/bounced; Exim => -> sent, == deferred, ** bounced);\n"
    "expired = Postfix qmgr status=expired lines. Bounce rate = bounced/(sent+bounced).\n"
    "\n"
    "JSON (--json): format, totals {sent, deferred, bounced, expired, bounce_rate,\n"
    "deferred_recipients, expired_recipients, causes {<category>: {bounced,\n"
    "deferred}}}, domains {<domain>: same}, relays,\n"
    "days, hours (UTC keys), stats.\n",
    logscan_run,
};
