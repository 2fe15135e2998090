/* mtarep dnsbl: addresses and domains against blocklists. */
#include "cli.h"
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_NO_TXT = 0x200, OPT_NO_HEALTH };

/* More queries than this get a progress bar (when stderr is a terminal). */
#define PROGRESS_MIN_QUERIES 50

struct dnsbl_args {
    struct cli_strvec zones;
    int zones_given;
    struct cli_strvec files; /* "-" = stdin */
    int no_txt, no_health;
};

static const struct option dnsbl_opts[] = {
    {"zones", required_argument, NULL, 'z'},
    {"file", required_argument, NULL, 'f'},
    {"no-txt", no_argument, NULL, OPT_NO_TXT},
    {"no-health-check", no_argument, NULL, OPT_NO_HEALTH},
    {NULL, 0, NULL, 0},
};

int cli_split_zones(const struct cli *cli, const char *arg, struct cli_strvec *out)
{
    const char *p = arg;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            char *z = strndup(s, (size_t)(e - s));
            int rc;
            if (!z) {
                fputs("mtarep: out of memory\n", stderr);
                return CLI_EXIT_UNKNOWN;
            }
            if (!cli_is_domain(z))
                rc = cli_usage_error(cli, "--zones: '%s' is not a zone name", z);
            else
                rc = cli_strvec_push(out, z) ? CLI_EXIT_UNKNOWN : 0;
            free(z);
            if (rc)
                return rc;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int dnsbl_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct dnsbl_args *a = state;
    switch (opt) {
    case 'z':
        a->zones_given = 1;
        return cli_split_zones(cli, arg, &a->zones);
    case 'f':
        return cli_strvec_push(&a->files, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_NO_TXT:
        a->no_txt = 1;
        return 0;
    case OPT_NO_HEALTH:
        a->no_health = 1;
        return 0;
    default:
        return 1;
    }
}

static int add_query(const struct cli *cli, struct cli_strvec *q, const char *s,
                     const char *file, size_t line)
{
    if (!cli_is_ip(s) && !cli_is_domain(s)) {
        if (file)
            return cli_usage_error(cli, "%s:%zu: '%s' is not an IP address or domain name",
                                   file, line, s);
        return cli_usage_error(cli, "'%s' is not an IP address or domain name", s);
    }
    return cli_strvec_push(q, s) ? CLI_EXIT_UNKNOWN : 0;
}

/* One query per line; '#' starts a comment; blank lines are skipped. */
static int read_queries(const struct cli *cli, const char *path, struct cli_strvec *q)
{
    int is_stdin = strcmp(path, "-") == 0;
    const char *label = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;

    if (!f)
        return cli_usage_error(cli, "cannot read '%s': %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) != -1) {
        char *s = line, *e;
        lineno++;
        if ((size_t)len != strlen(line)) {
            rc = cli_usage_error(cli, "%s:%zu: line contains a NUL byte", label, lineno);
            break;
        }
        s[strcspn(s, "#")] = '\0';
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            *--e = '\0';
        if (*s && (rc = add_query(cli, q, s, label, lineno)) != 0)
            break;
    }
    if (!rc && ferror(f))
        rc = cli_usage_error(cli, "cannot read '%s': %s", path, strerror(errno));
    free(line);
    if (!is_stdin)
        fclose(f);
    return rc;
}

static const char *status_name(mtarep_dnsbl_status st)
{
    switch (st) {
    case MTAREP_DNSBL_LISTED: return "listed";
    case MTAREP_DNSBL_NOT_LISTED: return "not_listed";
    case MTAREP_DNSBL_NOT_APPLICABLE: return "not_applicable";
    default: return "error";
    }
}

static json_t *result_json(const mtarep_dnsbl_result *r)
{
    json_t *o = json_object(), *codes = json_array(), *mean = json_array();
    int err = 0, ec = mtarep_dnsbl_result_error_code(r);
    for (size_t i = 0; i < mtarep_dnsbl_result_code_count(r); i++)
        err |= out_jpush(codes, out_jstr(mtarep_dnsbl_result_code(r, i)));
    for (size_t i = 0; i < mtarep_dnsbl_result_meaning_count(r); i++)
        err |= out_jpush(mean, out_jstr(mtarep_dnsbl_result_meaning(r, i)));
    err |= out_jset(o, "query", out_jstr(mtarep_dnsbl_result_query(r)));
    err |= out_jset(o, "zone", out_jstr(mtarep_dnsbl_result_zone(r)));
    err |= out_jset(o, "list_name", out_jstr(mtarep_dnsbl_result_list_name(r)));
    err |= out_jset(o, "status", out_jstr(status_name(mtarep_dnsbl_result_status(r))));
    err |= out_jset(o, "codes", codes);
    err |= out_jset(o, "meaning", mean);
    err |= out_jset(o, "description", out_jstr(mtarep_dnsbl_result_description(r)));
    err |= out_jset(o, "txt", out_jstr(mtarep_dnsbl_result_txt(r)));
    err |= out_jset(o, "error", out_jstr(mtarep_dnsbl_result_error(r)));
    err |= out_jset(o, "error_code", ec ? out_jstr(mtarep_error_name(ec)) : json_null());
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* "a, b, c" from a result's list accessor. */
static char *join(const mtarep_dnsbl_result *r,
                  size_t (*count)(const mtarep_dnsbl_result *),
                  const char *(*get)(const mtarep_dnsbl_result *, size_t),
                  const char *sep)
{
    size_t n = count(r), len = 1;
    char *s;
    for (size_t i = 0; i < n; i++)
        len += strlen(get(r, i) ? get(r, i) : "") + strlen(sep);
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, get(r, i) ? get(r, i) : "");
    }
    return s;
}

struct tally {
    size_t listed, not_listed, error, na;
};

static int print_human(const mtarep_dnsbl_results *res, size_t nq, size_t nz,
                       struct tally *t)
{
    static const char *const hdr[] = {"QUERY", "LIST", "STATUS", "MEANING", "DETAILS"};
    struct out_table tab;
    int color = out_use_color(stdout), rc = 0;
    size_t n = mtarep_dnsbl_results_count(res);

    size_t applicable = 0;
    int hide_na;

    for (size_t i = 0; i < n; i++)
        applicable += mtarep_dnsbl_result_status(mtarep_dnsbl_results_get(res, i)) !=
                      MTAREP_DNSBL_NOT_APPLICABLE;
    /* Default zones mix IP and domain lists: rows saying "this list does not
     * take this kind of query" are noise unless nothing else is left. */
    hide_na = applicable > 0;
    out_table_init(&tab, 5);
    for (size_t i = 0; i < n && !rc; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        mtarep_dnsbl_status st = mtarep_dnsbl_result_status(r);
        if (st == MTAREP_DNSBL_NOT_APPLICABLE && hide_na) {
            t->na++;
            continue;
        }
        const char *stxt, *scol, *cells[5], *colors[5] = {NULL, NULL, NULL, NULL, NULL};
        char *meaning = NULL, *codes = NULL, *details = NULL;

        switch (st) {
        case MTAREP_DNSBL_LISTED:
            stxt = "LISTED"; scol = OUT_RED; t->listed++; break;
        case MTAREP_DNSBL_NOT_LISTED:
            stxt = "not listed"; scol = OUT_GREEN; t->not_listed++; break;
        case MTAREP_DNSBL_NOT_APPLICABLE:
            stxt = "n/a"; scol = OUT_DIM; t->na++; break;
        default:
            stxt = "ERROR"; scol = OUT_YELLOW; t->error++; break;
        }
        meaning = join(r, mtarep_dnsbl_result_meaning_count, mtarep_dnsbl_result_meaning, ", ");
        codes = join(r, mtarep_dnsbl_result_code_count, mtarep_dnsbl_result_code, ", ");
        if (!meaning || !codes) {
            rc = -1;
        } else if (st == MTAREP_DNSBL_ERROR) {
            const char *e = mtarep_dnsbl_result_error(r);
            if (asprintf(&details, "%s%s%s", e ? e : "no answer", *codes ? "; answer " : "",
                         codes) < 0)
                details = NULL, rc = -1;
        } else if (st == MTAREP_DNSBL_LISTED) {
            const char *txt = mtarep_dnsbl_result_txt(r);
            /* Unknown zones label a listing with its code: say it once. */
            const char *c2 = strcmp(meaning, codes) == 0 ? "" : codes;
            if (asprintf(&details, "%s%s%s%s%s", c2, *c2 && txt ? " " : "", txt ? "\"" : "",
                         txt ? txt : "", txt ? "\"" : "") < 0)
                details = NULL, rc = -1;
        }
        cells[0] = mtarep_dnsbl_result_query(r);
        cells[1] = mtarep_dnsbl_result_list_name(r);
        cells[2] = stxt;
        cells[3] = meaning;
        cells[4] = details;
        colors[2] = scol;
        if (!rc && out_table_add(&tab, cells, colors))
            rc = -1;
        free(meaning);
        free(codes);
        free(details);
    }
    if (!rc) {
        out_table_print(&tab, stdout, hdr, color);
        printf("\n%zu %s x %zu %s: %zu listed, %zu not listed, %zu error%s",
               nq, nq == 1 ? "query" : "queries", nz, nz == 1 ? "list" : "lists",
               t->listed, t->not_listed, t->error, t->error == 1 ? "" : "s");
        if (t->na)
            printf(", %zu not applicable%s", t->na, hide_na ? " (not shown)" : "");
        printf("\n");
    }
    out_table_free(&tab);
    return rc;
}

static int print_json(const mtarep_dnsbl_results *res, struct tally *t)
{
    json_t *arr = json_array();
    size_t n = mtarep_dnsbl_results_count(res);
    for (size_t i = 0; i < n; i++) {
        const mtarep_dnsbl_result *r = mtarep_dnsbl_results_get(res, i);
        switch (mtarep_dnsbl_result_status(r)) {
        case MTAREP_DNSBL_LISTED: t->listed++; break;
        case MTAREP_DNSBL_NOT_LISTED: t->not_listed++; break;
        case MTAREP_DNSBL_NOT_APPLICABLE: t->na++; break;
        default: t->error++; break;
        }
        if (out_jpush(arr, result_json(r))) {
            json_decref(arr);
            return -1;
        }
    }
    return out_json_print(arr);
}

static int dnsbl_run(struct cli *cli, int argc, char **argv)
{
    struct dnsbl_args a;
    struct cli_strvec q = {0};
    struct out_progress prog = {0};
    struct tally t = {0};
    mtarep_dnsbl_options o = MTAREP_DNSBL_OPTIONS_INIT;
    mtarep_dnsbl_results *res = NULL;
    char **args;
    int nargs, rc;
    size_t nz;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, dnsbl_opts, "z:f:", dnsbl_opt, &a, &args, &nargs);
    for (int i = 0; !rc && i < nargs; i++)
        rc = add_query(cli, &q, args[i], NULL, 0);
    for (size_t i = 0; !rc && i < a.files.n; i++)
        rc = read_queries(cli, a.files.v[i], &q);
    if (!rc && a.zones_given && a.zones.n == 0)
        rc = cli_usage_error(cli, "--zones needs at least one zone name");
    if (!rc && q.n == 0)
        rc = cli_usage_error(cli, "no query: give IP addresses or domains as arguments or with --file");
    if (!rc)
        rc = cli_ctx(cli);
    if (rc)
        goto out;

    o.fetch_txt = !a.no_txt;
    o.health_check = !a.no_health;
    if (q.n > PROGRESS_MIN_QUERIES && isatty(STDERR_FILENO)) {
        o.progress = out_progress_cb;
        o.progress_payload = &prog;
    }
    rc = mtarep_dnsbl_check(&res, cli->ctx, (const char *const *)q.v, q.n,
                            a.zones_given ? (const char *const *)a.zones.v : NULL,
                            a.zones_given ? a.zones.n : 0, &o);
    out_progress_end(&prog);
    if (rc) {
        rc = cli_lib_error(cli, rc, "dnsbl");
        goto out;
    }
    if (a.zones_given)
        nz = a.zones.n;
    else
        mtarep_dnsbl_default_zones(&nz);
    if ((cli->json ? print_json(res, &t) : print_human(res, q.n, nz, &t)) != 0) {
        fputs("mtarep: out of memory\n", stderr);
        rc = CLI_EXIT_UNKNOWN;
        goto out;
    }
    rc = cli_exit_from(t.listed > 0, t.error > 0);
out:
    mtarep_dnsbl_results_free(res);
    cli_strvec_free(&q);
    cli_strvec_free(&a.zones);
    cli_strvec_free(&a.files);
    return rc;
}

const struct cli_command cli_cmd_dnsbl = {
    "dnsbl",
    "check IP addresses and domains against DNS blocklists",
    "[OPTIONS] [QUERY...]",
    "Each QUERY is an IPv4/IPv6 address or a domain; more come from --file.\n"
    "Without --zones the default lists are used (Spamhaus ZEN and DBL, SpamCop,\n"
    "Barracuda, Mailspike, PSBL, UCEPROTECT 1-3, SenderScore, SURBL, URIBL);\n"
    "a list that does not handle a kind of query reports it as not applicable.\n"
    "\n"
    "Options:\n"
    "  -z, --zones Z1,Z2,...  check these zones instead (repeatable)\n"
    "  -f, --file FILE        read queries from FILE ('-': stdin), one per line;\n"
    "                         '#' starts a comment, blank lines are skipped\n"
    "  --no-txt               do not fetch the TXT reason of listings\n"
    "  --no-health-check      do not probe each zone's test entries first\n"
    "\n"
    "JSON (--json): one array, one object per (query, zone) with query, zone,\n"
    "list_name, status (listed|not_listed|error|not_applicable), codes, meaning,\n"
    "description, txt, error, error_code.\n"
    "Exit status: 1 if anything is listed, else 3 if a lookup failed, else 0.\n",
    dnsbl_run,
};
