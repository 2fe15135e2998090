/* mtarep rdns: PTR, forward confirmation, HELO comparison. */
#include "cli.h"
#include "out.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_HELO = 0x200 };

struct rdns_args {
    const char *helo;
};

static const struct option rdns_opts[] = {
    {"helo", required_argument, NULL, OPT_HELO},
    {NULL, 0, NULL, 0},
};

static int rdns_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct rdns_args *a = state;
    if (opt != OPT_HELO)
        return 1;
    if (!cli_is_helo(arg))
        return cli_usage_error(cli, "--helo: '%s' is not a host name or an address literal "
                               "([192.0.2.1])", arg);
    a->helo = arg;
    return 0;
}

static const char *tri_word(mtarep_tristate v)
{
    return v == MTAREP_YES ? "yes" : v == MTAREP_NO ? "no" : "unknown";
}

static int print_json(const mtarep_rdns_result *r, const char *helo)
{
    json_t *o = json_object(), *ptr = json_array(), *warn = json_array();
    int err = 0;
    for (size_t i = 0; i < mtarep_rdns_result_ptr_count(r); i++)
        err |= out_jpush(ptr, out_jstr(mtarep_rdns_result_ptr(r, i)));
    for (size_t i = 0; i < mtarep_rdns_result_warning_count(r); i++)
        err |= out_jpush(warn, out_jstr(mtarep_rdns_result_warning(r, i)));
    err |= out_jset(o, "ip", out_jstr(mtarep_rdns_result_ip(r)));
    err |= out_jset(o, "has_ptr", out_jtri(mtarep_rdns_result_has_ptr(r)));
    err |= out_jset(o, "ptr", ptr);
    err |= out_jset(o, "fcrdns", out_jtri(mtarep_rdns_result_fcrdns(r)));
    err |= out_jset(o, "confirmed_name", out_jstr(mtarep_rdns_result_confirmed_name(r)));
    err |= out_jset(o, "helo", out_jstr(helo));
    err |= out_jset(o, "helo_match", helo ? out_jtri(mtarep_rdns_result_helo_match(r)) : json_null());
    err |= out_jset(o, "helo_resolves",
                    helo ? out_jtri(mtarep_rdns_result_helo_resolves(r)) : json_null());
    err |= out_jset(o, "generic", json_boolean(mtarep_rdns_result_generic(r)));
    err |= out_jset(o, "warnings", warn);
    err |= out_jset(o, "error", out_jstr(mtarep_rdns_result_error(r)));
    if (err) {
        json_decref(o);
        return -1;
    }
    return out_json_print(o);
}

static void line(const char *label, const char *color, int use_color)
{
    printf("%-15s", label);
    if (use_color && color)
        fputs(color, stdout);
}

static void endline(const char *color, int use_color)
{
    if (use_color && color)
        fputs(OUT_RESET, stdout);
    fputc('\n', stdout);
}

static const char *tri_color(mtarep_tristate v, int good_is_yes)
{
    if (v == MTAREP_UNKNOWN)
        return OUT_YELLOW;
    return (v == MTAREP_YES) == good_is_yes ? OUT_GREEN : OUT_RED;
}

static void print_human(const mtarep_rdns_result *r, const char *helo, int rc)
{
    int c = out_use_color(stdout);
    size_t nptr = mtarep_rdns_result_ptr_count(r);
    mtarep_tristate has = mtarep_rdns_result_has_ptr(r);
    mtarep_tristate fc = mtarep_rdns_result_fcrdns(r);
    const char *col;

    line("IP:", NULL, c);
    out_clean(stdout, mtarep_rdns_result_ip(r));
    endline(NULL, c);

    col = has == MTAREP_YES ? NULL : tri_color(has, 1);
    line("PTR:", col, c);
    if (nptr == 0)
        fputs(has == MTAREP_NO ? "none" : "unknown (lookup failed)", stdout);
    for (size_t i = 0; i < nptr; i++) {
        if (i)
            fputs(", ", stdout);
        out_clean(stdout, mtarep_rdns_result_ptr(r, i));
    }
    endline(col, c);

    col = tri_color(fc, 1);
    line("FCrDNS:", col, c);
    fputs(tri_word(fc), stdout);
    if (fc == MTAREP_YES && mtarep_rdns_result_confirmed_name(r)) {
        fputs(" (", stdout);
        out_clean(stdout, mtarep_rdns_result_confirmed_name(r));
        fputs(" resolves back to the IP)", stdout);
    } else if (fc == MTAREP_NO && nptr) {
        fputs(" (no PTR name resolves back to the IP)", stdout);
    }
    endline(col, c);

    col = mtarep_rdns_result_generic(r) ? OUT_YELLOW : NULL;
    line("Generic name:", col, c);
    fputs(mtarep_rdns_result_generic(r) ? "yes (looks dynamic/residential)" : "no", stdout);
    endline(col, c);

    if (helo) {
        mtarep_tristate m = mtarep_rdns_result_helo_match(r);
        mtarep_tristate res = mtarep_rdns_result_helo_resolves(r);
        col = tri_color(m, 1);
        line("HELO:", col, c);
        out_clean(stdout, helo);
        printf(": matches PTR %s, resolves to the IP %s", tri_word(m), tri_word(res));
        endline(col, c);
    }
    for (size_t i = 0; i < mtarep_rdns_result_warning_count(r); i++) {
        line("Warning:", OUT_YELLOW, c);
        out_clean(stdout, mtarep_rdns_result_warning(r, i));
        endline(OUT_YELLOW, c);
    }
    if (mtarep_rdns_result_error(r)) {
        line("Error:", OUT_YELLOW, c);
        out_clean(stdout, mtarep_rdns_result_error(r));
        endline(OUT_YELLOW, c);
    }
    col = rc == CLI_EXIT_PROBLEM ? OUT_RED : rc == CLI_EXIT_UNKNOWN ? OUT_YELLOW : OUT_GREEN;
    line("Result:", col, c);
    fputs(rc == CLI_EXIT_PROBLEM ? "PROBLEM" : rc == CLI_EXIT_UNKNOWN ? "UNKNOWN (DNS failed)" : "OK",
          stdout);
    endline(col, c);
}

/* 1 if no PTR, FCrDNS failed or HELO mismatch; else 3 if any of those is
 * unknown; else 0. */
static int rdns_exit(const mtarep_rdns_result *r, const char *helo)
{
    mtarep_tristate v[3];
    int problems = 0, unknowns = 0;
    v[0] = mtarep_rdns_result_has_ptr(r);
    v[1] = mtarep_rdns_result_fcrdns(r);
    v[2] = helo ? mtarep_rdns_result_helo_match(r) : MTAREP_YES;
    for (int i = 0; i < 3; i++) {
        problems += v[i] == MTAREP_NO;
        unknowns += v[i] == MTAREP_UNKNOWN;
    }
    return cli_exit_from(problems, unknowns);
}

static int rdns_run(struct cli *cli, int argc, char **argv)
{
    struct rdns_args a = {NULL};
    mtarep_rdns_result *r = NULL;
    char **args;
    int nargs, rc;

    rc = cli_parse(cli, argc, argv, rdns_opts, NULL, rdns_opt, &a, &args, &nargs);
    if (rc)
        return rc;
    if (nargs != 1)
        return cli_usage_error(cli, nargs ? "rdns takes one IP address" : "rdns needs an IP address");
    if (!cli_is_ip(args[0]))
        return cli_usage_error(cli, "'%s' is not an IP address", args[0]);
    if ((rc = cli_ctx(cli)) != 0)
        return rc;
    rc = mtarep_rdns_check(&r, cli->ctx, args[0], a.helo);
    if (rc)
        return cli_lib_error(cli, rc, "rdns");
    rc = rdns_exit(r, a.helo);
    if (cli->json) {
        if (print_json(r, a.helo)) {
            fputs("mtarep: out of memory\n", stderr);
            rc = CLI_EXIT_UNKNOWN;
        }
    } else {
        print_human(r, a.helo, rc);
    }
    mtarep_rdns_result_free(r);
    return rc;
}

const struct cli_command cli_cmd_rdns = {
    "rdns",
    "check an IP's reverse DNS: PTR, forward confirmation, HELO name",
    "IP [--helo NAME]",
    "Options:\n"
    "  --helo NAME   compare with the name the MTA announces in HELO/EHLO\n"
    "\n"
    "JSON (--json): ip, has_ptr, ptr (array), fcrdns (true/false/null),\n"
    "confirmed_name, helo, helo_match, helo_resolves (true/false/null),\n"
    "generic, warnings (array), error.\n"
    "Exit status: 1 if there is no PTR, FCrDNS failed or the HELO does not\n"
    "match, else 3 if DNS failed, else 0.\n",
    rdns_run,
};
