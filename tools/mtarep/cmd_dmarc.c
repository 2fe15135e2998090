/* mtarep dmarc: find and validate a domain's DMARC policy, or validate
 * record text. */
#include "cli.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_DOMAIN = 0x200, OPT_RECORD };

struct dmarc_args {
    const char *domain, *record;
};

static const struct option dmarc_opts[] = {
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"record", required_argument, NULL, OPT_RECORD},
    {NULL, 0, NULL, 0},
};

static int dmarc_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct dmarc_args *a = state;
    switch (opt) {
    case OPT_DOMAIN:
        if (!cli_is_domain(arg))
            return cli_usage_error(cli, "--domain: '%s' is not a domain name", arg);
        a->domain = arg;
        return 0;
    case OPT_RECORD:
        a->record = arg;
        return 0;
    default:
        return 1;
    }
}

static int print_json(const mtarep_dmarc_result *r, const char *domain)
{
    static const char *const tags[] = {"v", "p", "sp", "np", "adkim", "aspf", "pct", "fo",
                                       "rf", "ri", "rua", "ruf", "psd", "t"};
    json_t *o = json_object(), *p = json_array(), *t = json_object();
    int err = !o || !p || !t;
    for (size_t i = 0; !err && i < mtarep_dmarc_result_problem_count(r); i++) {
        json_t *e = json_object();
        long off = mtarep_dmarc_result_problem_offset(r, i);
        err |= out_jset(e, "severity",
                        out_jstr(mtarep_auth_severity_name(mtarep_dmarc_result_problem_severity(r, i))));
        err |= out_jset(e, "message", out_jstr(mtarep_dmarc_result_problem_message(r, i)));
        err |= out_jset(e, "offset", off < 0 ? json_null() : json_integer(off));
        err |= out_jpush(p, e);
    }
    for (size_t i = 0; !err && i < sizeof tags / sizeof *tags; i++)
        if (mtarep_dmarc_result_tag(r, tags[i]))
            err |= out_jset(t, tags[i], out_jstr(mtarep_dmarc_result_tag(r, tags[i])));
    err |= out_jset(o, "domain", out_jstr(domain));
    err |= out_jset(o, "verdict",
                    out_jstr(mtarep_auth_verdict_name(mtarep_dmarc_result_verdict(r))));
    err |= out_jset(o, "policy", out_jstr(mtarep_dmarc_result_policy(r)));
    err |= out_jset(o, "record", out_jstr(mtarep_dmarc_result_record(r)));
    err |= out_jset(o, "policy_domain", out_jstr(mtarep_dmarc_result_policy_domain(r)));
    err |= out_jset(o, "rule", out_jstr(mtarep_dmarc_result_rule(r)));
    err |= out_jset(o, "org_domain", out_jstr(mtarep_dmarc_result_org_domain(r)));
    err |= out_jset(o, "tags", t);
    err |= out_jset(o, "problems", p);
    if (err) {
        json_decref(o);
        return -1;
    }
    return out_json_print(o);
}

static void line(const char *label, const char *v)
{
    if (!v)
        return;
    printf("%-15s", label);
    out_clean(stdout, v);
    fputc('\n', stdout);
}

static void print_human(const mtarep_dmarc_result *r)
{
    int c = out_use_color(stdout);
    mtarep_auth_verdict v = mtarep_dmarc_result_verdict(r);
    const char *col = v == MTAREP_AUTH_VALID ? OUT_GREEN
                      : v == MTAREP_AUTH_WARNING || v == MTAREP_AUTH_UNKNOWN ? OUT_YELLOW
                                                                              : OUT_RED;
    printf("%-15s%s%s%s\n", "Verdict:", c ? col : "", mtarep_auth_verdict_name(v),
           c ? OUT_RESET : "");
    line("Policy:", mtarep_dmarc_result_policy(r));
    line("Policy domain:", mtarep_dmarc_result_policy_domain(r));
    line("Found by:", mtarep_dmarc_result_rule(r));
    line("Org domain:", mtarep_dmarc_result_org_domain(r));
    line("Record:", mtarep_dmarc_result_record(r));
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++) {
        printf("  %-8s ", mtarep_auth_severity_name(mtarep_dmarc_result_problem_severity(r, i)));
        out_clean(stdout, mtarep_dmarc_result_problem_message(r, i));
        fputc('\n', stdout);
    }
}

static int dmarc_run(struct cli *cli, int argc, char **argv)
{
    struct dmarc_args a;
    mtarep_dmarc_result *r = NULL;
    char **args;
    int nargs, rc;
    mtarep_auth_verdict v;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, dmarc_opts, NULL, dmarc_opt, &a, &args, &nargs);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (nargs)
        return cli_usage_error(cli, "dmarc takes options only (--domain or --record)");
    if (!!a.domain + !!a.record != 1)
        return cli_usage_error(cli, "dmarc needs exactly one of: --domain D, --record TEXT");
    if (a.record) {
        rc = mtarep_dmarc_validate(&r, NULL, a.record, strlen(a.record));
    } else {
        if ((rc = cli_ctx(cli)) != 0)
            return rc;
        rc = mtarep_dmarc_fetch(&r, cli->ctx, a.domain, NULL);
    }
    if (rc)
        return cli_lib_error(cli, rc, "dmarc");
    v = mtarep_dmarc_result_verdict(r);
    rc = v == MTAREP_AUTH_VALID ? CLI_EXIT_OK
         : v == MTAREP_AUTH_UNKNOWN ? CLI_EXIT_UNKNOWN
                                    : CLI_EXIT_PROBLEM;
    if (cli->json) {
        if (print_json(r, a.domain))
            rc = CLI_EXIT_UNKNOWN;
    } else {
        print_human(r);
    }
    mtarep_dmarc_result_free(r);
    return rc;
}

const struct cli_command cli_cmd_dmarc = {
    "dmarc",
    "find and validate a domain's DMARC policy, or validate a record",
    "--domain D | --record TEXT",
    "Modes (exactly one):\n"
    "  --domain D     _dmarc.D, else the RFC 9989 tree walk; the RFC 7489\n"
    "                 organizational domain (Public Suffix List) is reported\n"
    "                 too; report destinations in other domains are checked for\n"
    "                 authorization (<D>._report._dmarc.<dest>)\n"
    "  --record TEXT  validate record text without DNS\n"
    "\n"
    "JSON (--json): verdict (valid|warning|invalid|none|unknown), problems\n"
    "(array of {severity, message, offset}), policy, record, policy_domain, rule\n"
    "(exact|tree-walk), org_domain, tags (object).\n"
    "Exit status: 0 valid, 1 warning, invalid or no record, 2 usage, 3 could\n"
    "not decide (DNS failed).\n",
    dmarc_run,
};
