/* mtarep dkim: validate a DKIM key record (text, one selector, or the
 * selectors discovery finds). */
#include "cli.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_DOMAIN = 0x200, OPT_SELECTOR, OPT_DISCOVER, OPT_RECORD };

struct dkim_args {
    const char *domain, *record;
    struct cli_strvec selectors;
    int discover;
};

static const struct option dkim_opts[] = {
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"selector", required_argument, NULL, OPT_SELECTOR},
    {"discover", no_argument, NULL, OPT_DISCOVER},
    {"record", required_argument, NULL, OPT_RECORD},
    {NULL, 0, NULL, 0},
};

static int dkim_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct dkim_args *a = state;
    switch (opt) {
    case OPT_DOMAIN:
        if (!cli_is_domain(arg))
            return cli_usage_error(cli, "--domain: '%s' is not a domain name", arg);
        a->domain = arg;
        return 0;
    case OPT_SELECTOR:
        if (!*arg || strchr(arg, ' '))
            return cli_usage_error(cli, "--selector: '%s' is not a selector", arg);
        return cli_strvec_push(&a->selectors, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_DISCOVER:
        a->discover = 1;
        return 0;
    case OPT_RECORD:
        a->record = arg;
        return 0;
    default:
        return 1;
    }
}

/* Exit code for one verdict. */
static int verdict_exit(mtarep_auth_verdict v)
{
    return v == MTAREP_AUTH_VALID ? CLI_EXIT_OK
           : v == MTAREP_AUTH_UNKNOWN ? CLI_EXIT_UNKNOWN
                                      : CLI_EXIT_PROBLEM;
}

static json_t *result_json(const mtarep_dkim_result *r)
{
    json_t *o = json_object(), *p = json_array();
    int err = !o || !p;
    for (size_t i = 0; !err && i < mtarep_dkim_result_problem_count(r); i++) {
        json_t *e = json_object();
        long off = mtarep_dkim_result_problem_offset(r, i);
        err |= out_jset(e, "severity",
                        out_jstr(mtarep_auth_severity_name(mtarep_dkim_result_problem_severity(r, i))));
        err |= out_jset(e, "message", out_jstr(mtarep_dkim_result_problem_message(r, i)));
        err |= out_jset(e, "offset", off < 0 ? json_null() : json_integer(off));
        err |= out_jpush(p, e);
    }
    err |= out_jset(o, "selector", out_jstr(mtarep_dkim_result_selector(r)));
    err |= out_jset(o, "name", out_jstr(mtarep_dkim_result_name(r)));
    err |= out_jset(o, "verdict",
                    out_jstr(mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r))));
    err |= out_jset(o, "record", out_jstr(mtarep_dkim_result_record(r)));
    err |= out_jset(o, "key_type", out_jstr(mtarep_dkim_result_key_type(r)));
    err |= out_jset(o, "key_bits", mtarep_dkim_result_key_bits(r)
                                       ? json_integer(mtarep_dkim_result_key_bits(r))
                                       : json_null());
    err |= out_jset(o, "testing", json_boolean(mtarep_dkim_result_testing(r)));
    err |= out_jset(o, "revoked", json_boolean(mtarep_dkim_result_revoked(r)));
    err |= out_jset(o, "problems", p);
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void print_human(const mtarep_dkim_result *r)
{
    int c = out_use_color(stdout);
    mtarep_auth_verdict v = mtarep_dkim_result_verdict(r);
    const char *col = v == MTAREP_AUTH_VALID ? OUT_GREEN
                      : v == MTAREP_AUTH_WARNING || v == MTAREP_AUTH_UNKNOWN ? OUT_YELLOW
                                                                              : OUT_RED;
    if (mtarep_dkim_result_name(r)) {
        printf("%-11s", "Name:");
        out_clean(stdout, mtarep_dkim_result_name(r));
        fputc('\n', stdout);
    }
    printf("%-11s%s%s%s\n", "Verdict:", c ? col : "", mtarep_auth_verdict_name(v),
           c ? OUT_RESET : "");
    if (mtarep_dkim_result_key_type(r))
        printf("%-11s%s, %u bits\n", "Key:", mtarep_dkim_result_key_type(r),
               mtarep_dkim_result_key_bits(r));
    if (mtarep_dkim_result_record(r)) {
        printf("%-11s", "Record:");
        out_clean(stdout, mtarep_dkim_result_record(r));
        fputc('\n', stdout);
    }
    for (size_t i = 0; i < mtarep_dkim_result_problem_count(r); i++) {
        printf("  %-8s ", mtarep_auth_severity_name(mtarep_dkim_result_problem_severity(r, i)));
        out_clean(stdout, mtarep_dkim_result_problem_message(r, i));
        fputc('\n', stdout);
    }
}

static int dkim_run(struct cli *cli, int argc, char **argv)
{
    struct dkim_args a;
    char **args;
    int nargs, rc;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, dkim_opts, NULL, dkim_opt, &a, &args, &nargs);
    if (rc)
        goto out;
    if (nargs) {
        rc = cli_usage_error(cli, "dkim takes options only");
        goto out;
    }
    if (!!a.record + !!a.domain != 1 || (a.record && (a.selectors.n || a.discover)) ||
        (a.domain && !!a.selectors.n + a.discover != 1)) {
        rc = cli_usage_error(cli, "dkim needs exactly one of: --domain D --selector S, "
                                  "--domain D --discover, --record TEXT");
        goto out;
    }
    if (a.record || a.selectors.n == 1) {
        mtarep_dkim_result *r = NULL;
        if (a.record) {
            rc = mtarep_dkim_validate(&r, NULL, a.record, strlen(a.record));
        } else {
            if ((rc = cli_ctx(cli)) != 0)
                goto out;
            rc = mtarep_dkim_fetch(&r, cli->ctx, a.domain, a.selectors.v[0], NULL);
        }
        if (rc) {
            rc = cli_lib_error(cli, rc, "dkim");
            goto out;
        }
        rc = verdict_exit(mtarep_dkim_result_verdict(r));
        if (cli->json) {
            json_t *o = result_json(r);
            if (!o || out_json_print(o))
                rc = CLI_EXIT_UNKNOWN;
        } else {
            print_human(r);
        }
        mtarep_dkim_result_free(r);
    } else {
        /* --discover, or several --selector: all looked up side by side */
        mtarep_dkim_discovery *d = NULL;
        mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;
        size_t found, problems = 0, unknown;
        if (a.selectors.n) {
            o.selectors = (const char *const *)a.selectors.v;
            o.selector_count = a.selectors.n;
        }
        if ((rc = cli_ctx(cli)) != 0)
            goto out;
        if ((rc = mtarep_dkim_discover(&d, cli->ctx, a.domain, &o)) != 0) {
            rc = cli_lib_error(cli, rc, "dkim");
            goto out;
        }
        found = mtarep_dkim_discovery_found(d);
        unknown = mtarep_dkim_discovery_undecided(d);
        for (size_t i = 0; i < mtarep_dkim_discovery_count(d); i++) {
            mtarep_auth_verdict v = mtarep_dkim_result_verdict(mtarep_dkim_discovery_result(d, i));
            if (v == MTAREP_AUTH_WARNING || v == MTAREP_AUTH_INVALID)
                problems++;
        }
        /* nothing found is a problem only when every lookup answered */
        rc = problems ? CLI_EXIT_PROBLEM
             : unknown ? CLI_EXIT_UNKNOWN
             : found ? CLI_EXIT_OK
                     : CLI_EXIT_PROBLEM;
        if (cli->json) {
            json_t *root = json_object(), *arr = json_array();
            int err = !root || !arr;
            for (size_t i = 0; !err && i < mtarep_dkim_discovery_count(d); i++) {
                const mtarep_dkim_result *r = mtarep_dkim_discovery_result(d, i);
                if (mtarep_dkim_result_verdict(r) != MTAREP_AUTH_NONE)
                    err |= out_jpush(arr, result_json(r));
            }
            err |= out_jset(root, "domain", out_jstr(a.domain));
            err |= out_jset(root, "verdict",
                            out_jstr(problems ? "invalid" : unknown ? "unknown"
                                     : found ? "valid" : "none"));
            err |= out_jset(root, "tried", json_integer((json_int_t)mtarep_dkim_discovery_count(d)));
            err |= out_jset(root, "found", json_integer((json_int_t)found));
            err |= out_jset(root, "undecided", json_integer((json_int_t)unknown));
            err |= out_jset(root, "selectors", arr);
            if (err || out_json_print(root))
                rc = CLI_EXIT_UNKNOWN;
        } else {
            printf("Tried %zu selectors of ", mtarep_dkim_discovery_count(d));
            out_clean(stdout, a.domain);
            printf(": %zu found, %zu could not be decided\n", found, unknown);
            for (size_t i = 0; i < mtarep_dkim_discovery_count(d); i++) {
                const mtarep_dkim_result *r = mtarep_dkim_discovery_result(d, i);
                if (mtarep_dkim_result_verdict(r) == MTAREP_AUTH_NONE)
                    continue;
                fputc('\n', stdout);
                print_human(r);
            }
        }
        mtarep_dkim_discovery_free(d);
    }
out:
    cli_strvec_free(&a.selectors);
    return rc < 0 ? 0 : rc;
}

const struct cli_command cli_cmd_dkim = {
    "dkim",
    "validate DKIM key records (one selector, discovered selectors, or text)",
    "--domain D --selector S | --domain D --discover | --record TEXT",
    "Modes (exactly one):\n"
    "  --domain D --selector S  fetch S._domainkey.D (--selector repeatable: all\n"
    "                 are fetched side by side)\n"
    "  --domain D --discover  try common selectors (google, selector1, selector2,\n"
    "                 k1, default, dkim, mail, s1, s2, ...) and report those found\n"
    "  --record TEXT  validate record text without DNS\n"
    "\n"
    "Checks: tag-list syntax (RFC 6376 3.2), v=DKIM1 first, k= rsa/ed25519, h=\n"
    "(sha1 only is invalid), s= (email or *), t=y testing, p= decoded with\n"
    "OpenSSL (type matches k=, RSA < 1024 bits invalid, < 2048 warning, Ed25519\n"
    "32 octets, empty p= = revoked).\n"
    "JSON (--json): verdict (valid|warning|invalid|none|unknown), problems\n"
    "(array of {severity, message, offset}), key_type, key_bits, testing,\n"
    "revoked, record, name, selector; discovery: {domain, verdict, tried, found,\n"
    "undecided, selectors: [...]}.\n"
    "Exit status: 0 valid, 1 warning, invalid or no key, 2 usage, 3 could not\n"
    "decide (DNS failed).\n",
    dkim_run,
};
