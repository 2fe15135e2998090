/* mtarep spf: evaluate SPF for a client, inspect a domain's SPF tree, or
 * validate record text. */
#include "cli.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_IP = 0x200, OPT_SENDER, OPT_HELO, OPT_DOMAIN, OPT_RECORD };

struct spf_args {
    const char *ip, *sender, *helo, *domain, *record;
    int sender_given;
};

static const struct option spf_opts[] = {
    {"ip", required_argument, NULL, OPT_IP},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"helo", required_argument, NULL, OPT_HELO},
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"record", required_argument, NULL, OPT_RECORD},
    {NULL, 0, NULL, 0},
};

static int spf_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct spf_args *a = state;
    switch (opt) {
    case OPT_IP:
        if (!cli_is_ip(arg))
            return cli_usage_error(cli, "--ip: '%s' is not an IP address", arg);
        a->ip = arg;
        return 0;
    case OPT_SENDER:
        /* any text: the library decides (an unusable domain gives "none") */
        a->sender = arg;
        a->sender_given = 1;
        return 0;
    case OPT_HELO:
        a->helo = arg;
        return 0;
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

static json_t *tree_json(const mtarep_spf_result *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < mtarep_spf_result_node_count(r); i++) {
        json_t *n = json_object();
        long p = mtarep_spf_result_node_parent(r, i);
        int err = 0;
        err |= out_jset(n, "domain", out_jstr(mtarep_spf_result_node_domain(r, i)));
        err |= out_jset(n, "via", out_jstr(mtarep_spf_result_node_via(r, i)));
        err |= out_jset(n, "parent", p < 0 ? json_null() : json_integer(p));
        err |= out_jset(n, "record", out_jstr(mtarep_spf_result_node_record(r, i)));
        err |= out_jset(n, "lookups", json_integer(mtarep_spf_result_node_lookups(r, i)));
        err |= out_jset(n, "lookups_total",
                        json_integer(mtarep_spf_result_node_lookups_total(r, i)));
        err |= out_jset(n, "void_lookups",
                        json_integer(mtarep_spf_result_node_void_lookups(r, i)));
        err |= out_jset(n, "error", out_jstr(mtarep_spf_result_node_error(r, i)));
        if (err || out_jpush(arr, n)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int print_json(const mtarep_spf_result *r, const char *mode, int valid_field)
{
    json_t *o = json_object(), *w = json_array();
    long off = mtarep_spf_result_error_offset(r);
    int err = 0;
    for (size_t i = 0; i < mtarep_spf_result_warning_count(r); i++)
        err |= out_jpush(w, out_jstr(mtarep_spf_result_warning(r, i)));
    err |= out_jset(o, "mode", out_jstr(mode));
    err |= out_jset(o, "result",
                    out_jstr(mtarep_spf_verdict_name(mtarep_spf_result_verdict(r))));
    if (valid_field)
        err |= out_jset(o, "valid", json_boolean(mtarep_spf_result_valid(r)));
    err |= out_jset(o, "explanation", out_jstr(mtarep_spf_result_explanation(r)));
    err |= out_jset(o, "reason", out_jstr(mtarep_spf_result_reason(r)));
    err |= out_jset(o, "error_offset", off < 0 ? json_null() : json_integer(off));
    err |= out_jset(o, "lookups", json_integer(mtarep_spf_result_lookups(r)));
    err |= out_jset(o, "void_lookups", json_integer(mtarep_spf_result_void_lookups(r)));
    err |= out_jset(o, "warnings", w);
    err |= out_jset(o, "tree", tree_json(r));
    if (err) {
        json_decref(o);
        return -1;
    }
    return out_json_print(o);
}

static void print_tree(const mtarep_spf_result *r)
{
    for (size_t i = 0; i < mtarep_spf_result_node_count(r); i++) {
        int depth = 0;
        const char *rec = mtarep_spf_result_node_record(r, i);
        const char *err = mtarep_spf_result_node_error(r, i);
        for (long p = mtarep_spf_result_node_parent(r, i); p >= 0;
             p = mtarep_spf_result_node_parent(r, (size_t)p))
            depth++;
        printf("%*s", 2 + depth * 2, "");
        if (i > 0)
            printf("%s ", mtarep_spf_result_node_via(r, i));
        out_clean(stdout, *mtarep_spf_result_node_domain(r, i)
                              ? mtarep_spf_result_node_domain(r, i) : "(record)");
        printf("  [lookups %u, branch %u, void %u]\n", mtarep_spf_result_node_lookups(r, i),
               mtarep_spf_result_node_lookups_total(r, i),
               mtarep_spf_result_node_void_lookups(r, i));
        if (rec) {
            printf("%*s", 4 + depth * 2, "");
            out_clean(stdout, rec);
            fputc('\n', stdout);
        }
        if (err) {
            printf("%*s! ", 4 + depth * 2, "");
            out_clean(stdout, err);
            fputc('\n', stdout);
        }
    }
}

static void print_human(const mtarep_spf_result *r, int eval, int rc)
{
    int c = out_use_color(stdout);
    mtarep_spf_verdict v = mtarep_spf_result_verdict(r);
    const char *col = rc == CLI_EXIT_OK ? OUT_GREEN : rc == CLI_EXIT_UNKNOWN ? OUT_YELLOW : OUT_RED;

    printf("%-15s", eval ? "SPF result:" : "Valid:");
    if (c)
        fputs(col, stdout);
    if (eval)
        fputs(mtarep_spf_verdict_name(v), stdout);
    else
        fputs(mtarep_spf_result_valid(r) ? "yes" : v == MTAREP_SPF_NONE ? "no (no SPF record)"
                                       : v == MTAREP_SPF_TEMPERROR ? "unknown (DNS failed)"
                                                                   : "no",
              stdout);
    if (c)
        fputs(OUT_RESET, stdout);
    fputc('\n', stdout);
    if (mtarep_spf_result_explanation(r)) {
        printf("%-15s", "Explanation:");
        out_clean(stdout, mtarep_spf_result_explanation(r));
        fputc('\n', stdout);
    }
    if (mtarep_spf_result_reason(r)) {
        printf("%-15s", "Reason:");
        out_clean(stdout, mtarep_spf_result_reason(r));
        fputc('\n', stdout);
    }
    printf("%-15s%u of 10 (void: %u of 2)\n", "DNS lookups:", mtarep_spf_result_lookups(r),
           mtarep_spf_result_void_lookups(r));
    if (mtarep_spf_result_node_count(r)) {
        puts("Tree:");
        print_tree(r);
    }
    for (size_t i = 0; i < mtarep_spf_result_warning_count(r); i++) {
        printf("%-15s", "Warning:");
        if (c)
            fputs(OUT_YELLOW, stdout);
        out_clean(stdout, mtarep_spf_result_warning(r, i));
        if (c)
            fputs(OUT_RESET, stdout);
        fputc('\n', stdout);
    }
}

static int spf_run(struct cli *cli, int argc, char **argv)
{
    struct spf_args a;
    mtarep_spf_result *r = NULL;
    char **args;
    int nargs, rc, modes, eval = 0;
    const char *mode;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, spf_opts, NULL, spf_opt, &a, &args, &nargs);
    if (rc)
        return rc;
    if (nargs)
        return cli_usage_error(cli, "spf takes options only (--ip/--sender, --domain or --record)");
    modes = (a.ip || a.sender_given) + !!a.domain + !!a.record;
    if (modes != 1)
        return cli_usage_error(cli, "spf needs exactly one of: --ip IP --sender ADDR, "
                                    "--domain DOMAIN, --record TEXT");
    if (a.ip || a.sender_given) {
        if (!a.ip)
            return cli_usage_error(cli, "--sender needs --ip");
        if ((!a.sender || !*a.sender) && !a.helo)
            return cli_usage_error(cli, "--ip needs --sender (or --helo for the HELO identity)");
        if ((rc = cli_ctx(cli)) != 0)
            return rc;
        rc = mtarep_spf_check(&r, cli->ctx, a.ip, a.sender, a.helo, NULL);
        mode = "check";
        eval = 1;
    } else if (a.domain) {
        if ((rc = cli_ctx(cli)) != 0)
            return rc;
        rc = mtarep_spf_inspect(&r, cli->ctx, a.domain, NULL);
        mode = "inspect";
    } else {
        rc = mtarep_spf_validate(&r, NULL, a.record, strlen(a.record));
        mode = "validate";
    }
    if (rc)
        return cli_lib_error(cli, rc, "spf");
    if (eval) {
        switch (mtarep_spf_result_verdict(r)) {
        case MTAREP_SPF_PASS:
            rc = CLI_EXIT_OK;
            break;
        case MTAREP_SPF_TEMPERROR:
            rc = CLI_EXIT_UNKNOWN;
            break;
        case MTAREP_SPF_FAIL:
        case MTAREP_SPF_SOFTFAIL:
        case MTAREP_SPF_PERMERROR:
            rc = CLI_EXIT_PROBLEM;
            break;
        default: /* neutral, none: not authorised, not refused */
            rc = CLI_EXIT_OK;
            break;
        }
    } else {
        rc = mtarep_spf_result_valid(r) ? CLI_EXIT_OK
             : mtarep_spf_result_verdict(r) == MTAREP_SPF_TEMPERROR ? CLI_EXIT_UNKNOWN
                                                                   : CLI_EXIT_PROBLEM;
    }
    if (cli->json) {
        if (print_json(r, mode, !eval)) {
            fputs("mtarep: out of memory\n", stderr);
            rc = CLI_EXIT_UNKNOWN;
        }
    } else {
        print_human(r, eval, rc);
    }
    mtarep_spf_result_free(r);
    return rc;
}

const struct cli_command cli_cmd_spf = {
    "spf",
    "evaluate SPF for a client, or validate a domain's SPF tree or a record",
    "--ip IP --sender ADDR [--helo NAME] | --domain DOMAIN | --record TEXT",
    "Modes (exactly one):\n"
    "  --ip IP --sender ADDR [--helo NAME]\n"
    "                 evaluate RFC 7208 check_host() for the client; an empty\n"
    "                 --sender \"\" checks the HELO identity (postmaster@HELO)\n"
    "  --domain DOMAIN  fetch the domain's SPF and every include/redirect: the\n"
    "                 tree with DNS-lookup counts per branch, void lookups and\n"
    "                 warnings (10-lookup limit, ptr, +all, record size, ...)\n"
    "  --record TEXT  validate record text without DNS\n"
    "\n"
    "JSON (--json): mode, result, valid (inspect/validate), explanation,\n"
    "reason, error_offset, lookups, void_lookups, warnings (array), tree (array\n"
    "of {domain, via, parent, record, lookups, lookups_total, void_lookups,\n"
    "error}).\n"
    "Exit status: evaluation: 0 pass (also neutral/none), 1 fail, softfail or\n"
    "permerror, 3 temperror; --domain/--record: 0 valid, 1 invalid or no\n"
    "record, 3 DNS failed.\n",
    spf_run,
};
