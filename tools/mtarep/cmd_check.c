/* mtarep check: every check for one sending IP (and domain, HELO), with a
 * verdict: one mtarep_precheck() call, its report printed as it is. */
#include "check.h"
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_DOMAIN = 0x200, OPT_HELO, OPT_SELECTOR, OPT_PROBE_MX, OPT_HTML, OPT_LOG, OPT_PROBE_FROM, OPT_PROBE_RCPT,
       OPT_PROVIDER, OPT_PROVIDER_BASE_URL, OPT_CA_FILE, OPT_PROVIDER_TIMEOUT, OPT_REGION, OPT_KEY };

/* --provider NAME: the key comes from the same variable as in `mtarep
 * provider`, never from the command line (argv is visible to every local
 * user). */
enum { PROV_MAILGUN = 1, PROV_SNDS = 2, PROV_POSTMASTER = 4 };
static const struct {
    const char *name, *env;
    int bit;
} providers[] = {
    {"mailgun", "MAILGUN_API_KEY", PROV_MAILGUN},
    {"snds", "SNDS_KEY", PROV_SNDS},
    {"postmaster", "GOOGLE_OAUTH_TOKEN", PROV_POSTMASTER},
};

struct check_args {
    const char *domain, *helo, *probe_mx, *probe_from, *probe_rcpt, *html;
    struct cli_strvec zones;
    int zones_given;
    struct cli_strvec selectors;
    struct cli_strvec logs;
    int providers;
    const char *provider_base_url, *ca_file, *region;
    unsigned int provider_timeout_ms;
};

static const struct option check_opts[] = {
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"helo", required_argument, NULL, OPT_HELO},
    {"zones", required_argument, NULL, 'z'},
    {"selector", required_argument, NULL, OPT_SELECTOR},
    {"probe-mx", required_argument, NULL, OPT_PROBE_MX},
    {"html", required_argument, NULL, OPT_HTML},
    {"log", required_argument, NULL, OPT_LOG},
    {"probe-from", required_argument, NULL, OPT_PROBE_FROM},
    {"probe-rcpt", required_argument, NULL, OPT_PROBE_RCPT},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"provider-base-url", required_argument, NULL, OPT_PROVIDER_BASE_URL},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"provider-timeout", required_argument, NULL, OPT_PROVIDER_TIMEOUT},
    {"region", required_argument, NULL, OPT_REGION},
    /* accepted only to refuse it with a clear message */
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
};

static int check_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct check_args *a = state;
    switch (opt) {
    case OPT_DOMAIN:
        if (!cli_is_domain(arg))
            return cli_usage_error(cli, "--domain: '%s' is not a domain name", arg);
        a->domain = arg;
        return 0;
    case OPT_HELO:
        if (!cli_is_helo(arg))
            return cli_usage_error(cli, "--helo: '%s' is not a host name or an address "
                                   "literal ([192.0.2.1])", arg);
        a->helo = arg;
        return 0;
    case OPT_SELECTOR:
        if (!*arg || strchr(arg, ' '))
            return cli_usage_error(cli, "--selector: '%s' is not a DKIM selector", arg);
        return cli_strvec_push(&a->selectors, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_PROBE_MX:
        if (!*arg || strpbrk(arg, " \r\n"))
            return cli_usage_error(cli, "--probe-mx: '%s' is not HOST[:PORT]", arg);
        a->probe_mx = arg;
        return 0;
    case OPT_PROBE_FROM:
    case OPT_PROBE_RCPT:
        if (!*arg || strpbrk(arg, " <>\r\n") || !strchr(arg, '@'))
            return cli_usage_error(cli, "%s: '%s' is not a mail address",
                                   opt == OPT_PROBE_FROM ? "--probe-from" : "--probe-rcpt", arg);
        if (opt == OPT_PROBE_FROM)
            a->probe_from = arg;
        else
            a->probe_rcpt = arg;
        return 0;
    case OPT_LOG:
        if (!*arg)
            return cli_usage_error(cli, "--log needs a file name");
        return cli_strvec_push(&a->logs, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_HTML:
        if (!*arg)
            return cli_usage_error(cli, "--html needs a file name");
        a->html = arg;
        return 0;
    case OPT_PROVIDER: {
        size_t i;
        for (i = 0; i < sizeof providers / sizeof providers[0]; i++)
            if (strcmp(arg, providers[i].name) == 0)
                break;
        if (i == sizeof providers / sizeof providers[0])
            return cli_usage_error(cli, "--provider: '%s' is not mailgun, snds or postmaster",
                                   arg);
        a->providers |= providers[i].bit;
        return 0;
    }
    case OPT_PROVIDER_BASE_URL:
        a->provider_base_url = arg;
        return 0;
    case OPT_CA_FILE:
        if (cli_readable_file(arg))
            return cli_usage_error(cli, "--ca-file: cannot read '%s': %s", arg, strerror(errno));
        a->ca_file = arg;
        return 0;
    case OPT_PROVIDER_TIMEOUT: {
        unsigned long v;
        if (cli_parse_uint(arg, 1, 600000, &v))
            return cli_usage_error(cli, "--provider-timeout must be 1 to 600000 ms, not '%s'",
                                   arg);
        a->provider_timeout_ms = (unsigned int)v;
        return 0;
    }
    case OPT_REGION:
        if (strcmp(arg, "us") && strcmp(arg, "eu"))
            return cli_usage_error(cli, "--region must be us or eu, not '%s'", arg);
        a->region = arg;
        return 0;
    case OPT_KEY: /* never echo the value */
        return cli_usage_error(cli, "keys are not taken on the command line: set "
                                    "MAILGUN_API_KEY, SNDS_KEY or GOOGLE_OAUTH_TOKEN");
    case 'z':
        a->zones_given = 1;
        return cli_split_zones(cli, arg, &a->zones);
    default:
        return 1;
    }
}

/* The library's JSON, plus "ip" (the one IP this command takes). */
static int print_json(const mtarep_precheck_report *r, const char *ip)
{
    json_t *o = json_loads(mtarep_precheck_report_json(r), 0, NULL);
    if (!o || out_jset(o, "ip", out_jstr(ip))) {
        json_decref(o);
        return -1;
    }
    return out_json_print(o);
}

static const char *mark(mtarep_precheck_status st, const char **color)
{
    switch (st) {
    case MTAREP_PRECHECK_OK: *color = OUT_GREEN; return "[ OK ]";
    case MTAREP_PRECHECK_WARNING: *color = OUT_YELLOW; return "[WARN]";
    case MTAREP_PRECHECK_PROBLEM: *color = OUT_RED; return "[FAIL]";
    default: *color = OUT_MAGENTA; return "[ ?? ]";
    }
}

static void print_human(const mtarep_precheck_report *r, const char *ip, const char *domain,
                        const char *helo)
{
    int c = out_use_color(stdout);
    mtarep_precheck_status verdict = mtarep_precheck_report_verdict(r);
    const char *col;
    size_t counts[4];

    fputs("Checking ", stdout);
    out_clean(stdout, ip);
    if (domain) {
        fputs(", domain ", stdout);
        out_clean(stdout, domain);
    }
    if (helo) {
        fputs(", HELO ", stdout);
        out_clean(stdout, helo);
    }
    fputs("\n\n", stdout);
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *ck = mtarep_precheck_report_check(r, i);
        const char *m = mark(mtarep_precheck_check_status(ck), &col);
        size_t nev = mtarep_precheck_check_evidence_count(ck);
        /* names longer than the column (postmaster) push only their line */
        printf("%s%s%s %-7s ", c ? col : "", m, c ? OUT_RESET : "", mtarep_precheck_check_name(ck));
        for (size_t k = 0; k < nev; k++) {
            if (k)
                fputs("               ", stdout);
            out_clean(stdout, mtarep_precheck_check_evidence(ck, k));
            fputc('\n', stdout);
        }
        if (nev == 0)
            fputc('\n', stdout);
        if (mtarep_precheck_check_advice(ck)) {
            fputs("               Advice: ", stdout);
            out_clean(stdout, mtarep_precheck_check_advice(ck));
            fputc('\n', stdout);
        }
    }
    check_count(r, counts);
    mark(verdict, &col);
    printf("\n%sVerdict: %s%s (%zu ok, %zu warning%s, %zu problem%s, %zu unknown)\n",
           c ? col : "", mtarep_precheck_status_name(verdict), c ? OUT_RESET : "",
           counts[MTAREP_PRECHECK_OK], counts[MTAREP_PRECHECK_WARNING],
           counts[MTAREP_PRECHECK_WARNING] == 1 ? "" : "s", counts[MTAREP_PRECHECK_PROBLEM],
           counts[MTAREP_PRECHECK_PROBLEM] == 1 ? "" : "s", counts[MTAREP_PRECHECK_UNKNOWN]);
}

/* Catch an --html FILE that cannot be written before the checks run (they
 * may take seconds), without creating it: 0, or -1 with errno set. */
static int html_path_error(const char *path)
{
    struct stat st;
    char dir[4096];
    const char *slash;

    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        return access(path, W_OK);
    }
    if (errno != ENOENT)
        return -1;
    slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK | X_OK);
    if ((size_t)(slash - path) >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return access(slash == path ? "/" : dir, W_OK | X_OK);
}

static int check_run(struct cli *cli, int argc, char **argv)
{
    struct check_args a;
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    mtarep_precheck_status verdict;
    const char *ips[1];
    char **args;
    int nargs, rc;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, check_opts, "z:", check_opt, &a, &args, &nargs);
    if (!rc && nargs != 1)
        rc = cli_usage_error(cli, nargs ? "check takes one IP address" : "check needs an IP address");
    if (!rc && !cli_is_ip(args[0]))
        rc = cli_usage_error(cli, "'%s' is not an IP address", args[0]);
    if (!rc && a.zones_given && a.zones.n == 0)
        rc = cli_usage_error(cli, "--zones needs at least one zone name");
    if (!rc && a.html && strcmp(a.html, "-") == 0 && cli->json)
        rc = cli_usage_error(cli, "--html - and --json would both write to standard output");
    if (!rc && a.html && strcmp(a.html, "-") != 0 && html_path_error(a.html))
        rc = cli_usage_error(cli, "--html: cannot write '%s': %s", a.html, strerror(errno));
    if (!rc && (a.providers & (PROV_MAILGUN | PROV_POSTMASTER)) && !a.domain)
        rc = cli_usage_error(cli, "--provider %s needs --domain D",
                             a.providers & PROV_MAILGUN ? "mailgun" : "postmaster");
    for (size_t i = 0; !rc && i < sizeof providers / sizeof providers[0]; i++) {
        const char *k = getenv(providers[i].env);
        if ((a.providers & providers[i].bit) && (!k || !*k))
            rc = cli_usage_error(cli, "--provider %s: no key: set %s", providers[i].name,
                                 providers[i].env);
    }
    if (!rc)
        rc = cli_ctx(cli);
    if (rc)
        goto out;

    ips[0] = args[0];
    o.zones = a.zones_given ? (const char *const *)a.zones.v : NULL;
    o.zone_count = a.zones_given ? a.zones.n : 0;
    o.selectors = (const char *const *)a.selectors.v;
    o.selector_count = a.selectors.n;
    o.probe_mx = a.probe_mx;
    o.probe_from = a.probe_from;
    o.probe_rcpt = a.probe_rcpt;
    o.log_files = (const char *const *)a.logs.v;
    o.log_file_count = a.logs.n;
    o.mailgun_key = a.providers & PROV_MAILGUN ? getenv("MAILGUN_API_KEY") : NULL;
    o.snds_key = a.providers & PROV_SNDS ? getenv("SNDS_KEY") : NULL;
    o.postmaster_token = a.providers & PROV_POSTMASTER ? getenv("GOOGLE_OAUTH_TOKEN") : NULL;
    o.mailgun_region = a.region;
    o.provider_base_url = a.provider_base_url;
    o.provider_ca_file = a.ca_file;
    o.provider_timeout_ms = a.provider_timeout_ms;
    /* A failed DNS check is a check with status unknown in the report; an
     * error here means the checks could not run at all (bad input, memory). */
    if ((rc = mtarep_precheck(&r, cli->ctx, ips, 1, a.domain, a.helo, &o)) != MTAREP_OK) {
        rc = cli_lib_error(cli, rc, "check");
        goto out;
    }
    verdict = mtarep_precheck_report_verdict(r);
    if (a.html && check_write_html(a.html, r, args[0], a.domain, a.helo) != 0) {
        fprintf(stderr, "mtarep: --html: cannot write %s: %s\n", a.html, strerror(errno));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (cli->json) {
        if (print_json(r, args[0])) {
            fputs("mtarep: out of memory\n", stderr);
            rc = CLI_EXIT_UNKNOWN;
            goto out;
        }
    } else {
        print_human(r, args[0], a.domain, a.helo);
    }
    rc = cli_exit_from(verdict == MTAREP_PRECHECK_PROBLEM, verdict == MTAREP_PRECHECK_UNKNOWN);
out:
    mtarep_precheck_report_free(r);
    cli_strvec_free(&a.zones);
    cli_strvec_free(&a.selectors);
    cli_strvec_free(&a.logs);
    return rc;
}

const struct cli_command cli_cmd_check = {
    "check",
    "run every check for a sending IP (and domain, HELO) at once and give a verdict",
    "IP [--domain DOMAIN] [--helo NAME] [--selector S]... [--zones Z1,Z2,...]\n"
    "       [--probe-mx HOST[:PORT]] [--log FILE]... [--provider P]... [--html FILE]",
    "All DNS questions of all checks go out together (mtarep_precheck()), so the\n"
    "run takes about as long as the longest chain of dependent lookups.\n"
    "Checks: dnsbl (the IP on IP blocklists), rdns (PTR and FCrDNS), spf (with\n"
    "--domain: the domain's SPF authorises the IP, and its record tree is\n"
    "valid), dbl (with --domain: the domain on domain blocklists), helo (with\n"
    "--helo: HELO matches the PTR and resolves to the IP), dkim (with --domain:\n"
    "the key at each --selector, or the common selectors found by discovery),\n"
    "dmarc (with --domain: the policy that applies and its validity), mx (with\n"
    "--domain: the domain can receive mail), smtp (with --probe-mx: what that\n"
    "MX answers to EHLO, MAIL FROM and RCPT TO; DATA is never sent), bounces\n"
    "(with --log: bounces per destination and cause in Postfix/Exim logs),\n"
    "snds, postmaster, mailgun (with --provider: the provider's reputation, bounce\n"
    "and complaint figures; a failed request is unknown). A check\n"
    "whose DNS lookups failed is unknown, never ok. Checks are listed with the\n"
    "most likely cause of a rejection first (docs/precheck.md).\n"
    "\n"
    "Options:\n"
    "  --domain DOMAIN        the sender's domain (domain lists, SPF, DKIM, DMARC)\n"
    "  --helo NAME            the name the MTA announces in HELO/EHLO (or its\n"
    "                         address literal, [192.0.2.1])\n"
    "  --selector S           DKIM selector to check (repeatable; default: try\n"
    "                         the common selectors, see `mtarep help dkim`)\n"
    "  -z, --zones Z1,Z2,...  blocklists to use instead of the defaults\n"
    "  --probe-mx HOST[:PORT] talk SMTP to this receiving MX (port 25 by default)\n"
    "  --probe-from ADDR      MAIL FROM of the probe (default postmaster@DOMAIN)\n"
    "  --probe-rcpt ADDR      RCPT TO of the probe (default postmaster@HOST)\n"
    "  --log FILE             summarise bounces in this MTA log (repeatable)\n"
    "  --provider P           also ask provider P: mailgun (needs --domain; key\n"
    "                         MAILGUN_API_KEY), snds (SNDS_KEY; one check per IP),\n"
    "                         postmaster (needs --domain; GOOGLE_OAUTH_TOKEN);\n"
    "                         repeatable. Keys only from the environment\n"
    "  --region us|eu         Mailgun API region (default us)\n"
    "  --provider-base-url URL  replace every provider's host (tests; https://,\n"
    "                         or http:// to a loopback address only)\n"
    "  --ca-file FILE         PEM CA bundle for the providers (TLS verification\n"
    "                         cannot be turned off)\n"
    "  --provider-timeout MS  per provider request (default 30000)\n"
    "  --html FILE            also write the report as one self-contained HTML\n"
    "                         page (\"-\": standard output)\n"
    "\n"
    "JSON (--json): {\"verdict\", \"checks\": [{\"name\", \"subject\", \"status\"\n"
    "(ok|warning|problem|unknown), \"evidence\" (array), \"advice\"}], \"ip\",\n"
    "\"ips\" (the same, as an array), \"domain\", \"helo\"}.\n"
    "Verdict: problem if any check has a problem, else unknown if any is\n"
    "unknown, else warning if any warns, else ok.\n"
    "Exit status: 0 ok or warnings only, 1 problems found, 2 usage error,\n"
    "3 could not decide (some check unknown, none a problem).\n",
    check_run,
};
