/* mtarep warmup: show an IP warm-up plan (table, JSON or an SVG chart). */
#include "cli.h"
#include "out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_PRESET = 0x200, OPT_SCHEDULE, OPT_START, OPT_DAYS, OPT_SVG };

struct warmup_args {
    const char *preset, *schedule, *start, *svg;
    unsigned long days; /* 0: the plan's own length */
};

static const struct option warmup_opts[] = {
    {"preset", required_argument, NULL, OPT_PRESET},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"start", required_argument, NULL, OPT_START},
    {"days", required_argument, NULL, OPT_DAYS},
    {"svg", required_argument, NULL, OPT_SVG},
    {NULL, 0, NULL, 0},
};

static int warmup_opt(struct cli *cli, void *state, int opt, const char *arg)
{
    struct warmup_args *a = state;
    switch (opt) {
    case OPT_PRESET:
        a->preset = arg;
        return 0;
    case OPT_SCHEDULE:
        a->schedule = arg;
        return 0;
    case OPT_START:
        a->start = arg;
        return 0;
    case OPT_DAYS:
        if (cli_parse_uint(arg, 1, 366, &a->days))
            return cli_usage_error(cli, "--days: '%s' is not a number 1..366", arg);
        return 0;
    case OPT_SVG:
        a->svg = arg;
        return 0;
    default:
        return 1;
    }
}

struct plan_row {
    int day;
    uint64_t daily, hourly;
    char date[16]; /* "" without --start */
};

/* "nice" axis maximum: 1, 2 or 5 x 10^k at or above @p v */
static uint64_t nice_ceil(uint64_t v)
{
    uint64_t p = 1;
    if (v < 1)
        return 1;
    while (p <= v / 10)
        p *= 10;
    for (;;) {
        if (p >= v)
            return p;
        if (2 * p >= v)
            return 2 * p;
        if (5 * p >= v)
            return 5 * p;
        p *= 10;
    }
}

/* Written by hand: a bar chart is a few rectangles and labels, not worth a
 * plotting dependency. Only numbers and fixed words are printed, but the
 * title is XML-escaped anyway. */
static int write_svg(const char *path, const char *title, const struct plan_row *rows, int n)
{
    const int W = 900, H = 420, L = 80, R = 20, T = 40, B = 60;
    const int pw = W - L - R, ph = H - T - B;
    uint64_t max = 0, top;
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return -1;
    for (int i = 0; i < n; i++)
        if (rows[i].daily > max)
            max = rows[i].daily;
    top = nice_ceil(max);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            W, H, W, H);
    fprintf(f, "<title>");
    for (const char *p = title; *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        default:
            if ((unsigned char)*p >= 0x20 && *p != 0x7f)
                fputc(*p, f);
        }
    }
    fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">"
               "Warm-up plan: daily cap per day</text>\n", W / 2);
    /* y axis: 5 ticks */
    for (int k = 0; k <= 4; k++) {
        uint64_t v = top / 4 * (uint64_t)k + (k == 4 ? top % 4 : 0);
        double y = T + ph - (double)ph * k / 4;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                L, y, L + pw, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%" PRIu64 "</text>\n",
                L - 6, y + 4, v);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, T + ph);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T + ph,
            L + pw, T + ph);
    double slot = (double)pw / n;
    int every = n <= 31 ? 1 : (n + 30) / 31;
    for (int i = 0; i < n; i++) {
        double h = (double)ph * (double)rows[i].daily / (double)top;
        double x = L + slot * i + slot * 0.1;
        fprintf(f, "<rect class=\"day\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#4a7fc1\"><title>day %d: %" PRIu64 "/d, %" PRIu64 "/h</title></rect>\n",
                x, T + ph - h, slot * 0.8, h, rows[i].day, rows[i].daily, rows[i].hourly);
        if (i % every == 0)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    L + slot * (i + 0.5), T + ph + 16, rows[i].day);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">day of warm-up%s%s</text>\n",
            L + pw / 2, H - 16, rows[0].date[0] ? " from " : "", rows[0].date);
    fprintf(f, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">"
               "messages per day</text>\n</svg>\n", T + ph / 2);
    {
        int bad = ferror(f);
        if (f == stdout)
            return fflush(f) == 0 && !bad ? 0 : -1;
        return fclose(f) == 0 && !bad ? 0 : -1;
    }
}

/* --schedule @FILE: the whole file (a spec is small: at most 1 MiB) */
static int read_spec(const struct cli *cli, const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    size_t n;
    char *buf;
    if (!f)
        return cli_usage_error(cli, "--schedule: cannot read '%s'", path);
    buf = malloc((1u << 20) + 1);
    if (!buf) {
        fclose(f);
        fputs("mtarep: out of memory\n", stderr);
        return CLI_EXIT_UNKNOWN;
    }
    n = fread(buf, 1, 1u << 20, f);
    if (ferror(f) || (n == 1u << 20 && fgetc(f) != EOF)) {
        fclose(f);
        free(buf);
        return cli_usage_error(cli, "--schedule: '%s' unreadable or over 1 MiB", path);
    }
    fclose(f);
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return cli_usage_error(cli, "--schedule: '%s' contains a NUL byte", path);
    }
    *out = buf;
    return 0;
}

static int warmup_run(struct cli *cli, int argc, char **argv)
{
    struct warmup_args a;
    mtarep_warmup *w = NULL;
    mtarep_throttle_error e;
    struct plan_row *rows = NULL;
    int64_t start = 0;
    char **args;
    int nargs, rc, n;

    memset(&a, 0, sizeof a);
    rc = cli_parse(cli, argc, argv, warmup_opts, NULL, warmup_opt, &a, &args, &nargs);
    if (rc)
        return rc;
    if (nargs != 1 || strcmp(args[0], "plan") != 0)
        return cli_usage_error(cli, "usage: mtarep warmup plan [--preset NAME|--schedule SPEC] ...");
    if (a.preset && a.schedule)
        return cli_usage_error(cli, "--preset and --schedule exclude each other");
    if (a.svg && strcmp(a.svg, "-") == 0 && cli->json)
        return cli_usage_error(cli, "--svg - and --json would both write to standard output");
    if (a.start && mtarep_warmup_parse_date(&start, a.start) != MTAREP_OK)
        return cli_usage_error(cli, "--start: '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z",
                               a.start);
    if (a.schedule) {
        char *text = NULL;
        if (a.schedule[0] == '@' && (rc = read_spec(cli, a.schedule + 1, &text)) != 0)
            return rc;
        rc = mtarep_warmup_parse(&w, text ? text : a.schedule, &e);
        free(text);
        if (rc == MTAREP_EPARSE)
            return cli_usage_error(cli, "--schedule: line %d column %d: %s", e.line, e.column,
                                   e.text);
    } else {
        rc = mtarep_warmup_preset(&w, a.preset ? a.preset : "mtarep");
        if (rc == MTAREP_ENOTFOUND) {
            size_t np;
            const char *const *names = mtarep_warmup_preset_names(&np);
            char list[256] = "";
            for (size_t i = 0; i < np; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         i ? ", " : "", names[i]);
            return cli_usage_error(cli, "--preset: unknown plan '%s' (known: %s)", a.preset, list);
        }
    }
    if (rc)
        return cli_lib_error(NULL, rc, "warmup");
    n = a.days ? (int)a.days : mtarep_warmup_days(w);
    rows = calloc((size_t)n, sizeof *rows);
    if (!rows) {
        mtarep_warmup_free(w);
        fputs("mtarep: out of memory\n", stderr);
        return CLI_EXIT_UNKNOWN;
    }
    for (int i = 0; i < n; i++) {
        mtarep_warmup_caps c;
        mtarep_warmup_caps_for_day(&c, w, i + 1);
        rows[i].day = i + 1;
        rows[i].daily = c.daily;
        rows[i].hourly = c.hourly;
        if (a.start) {
            time_t t = (time_t)(start + (int64_t)i * 86400);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(rows[i].date, sizeof rows[i].date, "%Y-%m-%d", &tm);
        }
    }
    rc = CLI_EXIT_OK;
    if (a.svg && write_svg(a.svg, a.schedule ? "custom schedule" : a.preset ? a.preset : "mtarep",
                           rows, n)) {
        int err = errno;
        fputs("mtarep: --svg: cannot write ", stderr);
        out_clean(stderr, a.svg);
        fprintf(stderr, ": %s\n", strerror(err ? err : EIO));
        rc = CLI_EXIT_USAGE;
    } else if (cli->json) {
        json_t *o = json_object(), *arr = json_array();
        int err = !o || !arr;
        for (int i = 0; i < n && !err; i++) {
            json_t *r = json_object();
            err |= out_jset(r, "day", json_integer(rows[i].day));
            err |= out_jset(r, "date", a.start ? out_jstr(rows[i].date) : json_null());
            err |= out_jset(r, "daily", json_integer((json_int_t)rows[i].daily));
            err |= out_jset(r, "hourly", json_integer((json_int_t)rows[i].hourly));
            err |= out_jpush(arr, r);
        }
        err |= out_jset(o, "plan", out_jstr(a.schedule ? NULL : a.preset ? a.preset : "mtarep"));
        err |= out_jset(o, "plan_days", json_integer(mtarep_warmup_days(w)));
        err |= out_jset(o, "days", arr);
        if (err || out_json_print(o)) {
            fputs("mtarep: out of memory\n", stderr);
            rc = CLI_EXIT_UNKNOWN;
        }
    } else if (!a.svg) {
        struct out_table t;
        static const char *const hdr[] = {"DAY", "DATE", "DAILY", "HOURLY"};
        static const char *const hdr2[] = {"DAY", "DAILY", "HOURLY"};
        out_table_init(&t, a.start ? 4 : 3);
        for (int i = 0; i < n; i++) {
            char d[16], dl[24], hl[24];
            const char *cells[4];
            size_t k = 0;
            snprintf(d, sizeof d, "%d", rows[i].day);
            snprintf(dl, sizeof dl, "%" PRIu64, rows[i].daily);
            snprintf(hl, sizeof hl, "%" PRIu64, rows[i].hourly);
            cells[k++] = d;
            if (a.start)
                cells[k++] = rows[i].date;
            cells[k++] = dl;
            cells[k++] = hl;
            if (out_table_add(&t, cells, NULL)) {
                rc = CLI_EXIT_UNKNOWN;
                break;
            }
        }
        out_table_print(&t, stdout, a.start ? hdr : hdr2, 0);
        out_table_free(&t);
    }
    free(rows);
    mtarep_warmup_free(w);
    return rc;
}

const struct cli_command cli_cmd_warmup = {
    "warmup",
    "show an IP warm-up plan: daily and hourly caps per day",
    "plan [--preset NAME | --schedule SPEC] [--start DATE] [--days N] [--svg FILE]",
    "  --preset NAME    built-in plan: mtarep (default), sendgrid, sparkpost, mailtrap\n"
    "  --schedule SPEC  a plan in the warm-up spec language (docs/throttle.md):\n"
    "                   the text itself (lines: \"day 1 50/d\", \"geometric 150 1.4\n"
    "                   50000\", ...) or @FILE to read it from a file\n"
    "  --start DATE     first day, YYYY-MM-DD (UTC): adds a date column\n"
    "  --days N         show N days (1..366; default the plan's length; past the\n"
    "                   end the last day's caps stay)\n"
    "  --svg FILE       write a bar chart of the daily caps (SVG) instead of the table\n"
    "                   (\"-\": standard output)\n"
    "\n"
    "JSON (--json): plan (preset name, null for --schedule), plan_days, days\n"
    "(array of {day, date (null without --start), daily, hourly}).\n"
    "Exit status: 0, or 2 for a bad option, plan or date.\n",
    warmup_run,
};
