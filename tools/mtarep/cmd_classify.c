/* mtarep classify: SMTP reply texts -> cause category, receiver, advice. */
#include "cli.h"
#include "out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit(const struct cli *cli, const char *text, int use_color)
{
    mtarep_smtpreply_info i;
    int rc = mtarep_smtpreply_classify(&i, text);
    if (cli->json) {
        json_t *o = json_object();
        int err = !o;
        if (rc) {
            err |= out_jset(o, "category", json_null());
            err |= out_jset(o, "error", out_jstr(rc == MTAREP_ELIMIT ? "reply text too long"
                                                                     : "empty reply text"));
            err |= out_jset(o, "error_code", out_jstr(mtarep_error_name(rc)));
        } else {
            err |= out_jset(o, "category", out_jstr(mtarep_smtpreply_category_name(i.category)));
            err |= out_jset(o, "receiver", out_jstr(i.receiver));
            err |= out_jset(o, "blocklist", i.blocklist[0] ? out_jstr(i.blocklist) : json_null());
            err |= out_jset(o, "advice", out_jstr(i.advice));
            err |= out_jset(o, "code", i.code ? json_integer(i.code) : json_null());
            err |= out_jset(o, "enhanced_code", i.enhanced[0] ? out_jstr(i.enhanced) : json_null());
            err |= out_jset(o, "rule", out_jstr(i.rule));
        }
        if (err) {
            json_decref(o);
            return -1;
        }
        /* one compact object per line (JSON Lines) */
        char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(o);
        if (!s)
            return -1;
        puts(s);
        free(s);
        return rc ? 1 : 0;
    }
    if (rc) {
        printf("error: %s\n", rc == MTAREP_ELIMIT ? "reply text too long" : "empty reply text");
        return 1;
    }
    const char *cat = mtarep_smtpreply_category_name(i.category);
    int bad = i.category == MTAREP_SMTPREPLY_REPUTATION || i.category == MTAREP_SMTPREPLY_BLOCKLIST;
    if (use_color && bad)
        fputs(OUT_RED, stdout);
    fputs(cat, stdout);
    if (use_color && bad)
        fputs(OUT_RESET, stdout);
    if (i.receiver) {
        fputs("  receiver=", stdout);
        out_clean(stdout, i.receiver);
    }
    if (i.blocklist[0]) {
        fputs("  blocklist=", stdout);
        out_clean(stdout, i.blocklist);
    }
    if (i.enhanced[0])
        printf("  code=%s", i.enhanced);
    fputs("\n  ", stdout);
    out_clean(stdout, i.advice);
    fputc('\n', stdout);
    return 0;
}

static int classify_run(struct cli *cli, int argc, char **argv)
{
    char **args;
    int nargs, rc, bad = 0;
    rc = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL, &args, &nargs);
    if (rc)
        return rc;
    int color = !cli->json && out_use_color(stdout);
    if (nargs > 0) {
        for (int k = 0; k < nargs; k++) {
            int r = emit(cli, args[k], color);
            if (r < 0)
                goto oom;
            bad |= r;
        }
        return bad ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        /* a NUL inside the line ends the C string: classify what precedes */
        if (strlen(line) == 0 && n == 0)
            continue; /* blank separator lines */
        int r = emit(cli, line, color);
        if (r < 0) {
            free(line);
            goto oom;
        }
        bad |= r;
    }
    free(line);
    return bad ? CLI_EXIT_USAGE : CLI_EXIT_OK;
oom:
    fputs("mtarep: out of memory\n", stderr);
    return CLI_EXIT_UNKNOWN;
}

const struct cli_command cli_cmd_classify = {
    "classify",
    "classify SMTP rejection replies by cause (reputation, blocklist, auth, ...)",
    "[REPLY...]  (without arguments: one reply per line on stdin)",
    "Each reply may carry its codes (\"550 5.7.1 ...\") or not. Empty lines on\n"
    "stdin are skipped; a whitespace-only or too long (> 4096 bytes) reply gives\n"
    "an error entry and exit status 2.\n"
    "\n"
    "JSON (--json): one object per line (JSON Lines) with category, receiver,\n"
    "blocklist, advice, code, enhanced_code, rule (null when absent); on a bad\n"
    "line: category null, error, error_code.\n",
    classify_run,
};
