/* mtarep check --html: one self-contained page (inline CSS, no script, no
 * external asset), the same content as the text and JSON output. */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* HTML-escaped text; control bytes become U+FFFD-free '?'. */
static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
        }
    }
}

static const char CSS[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;"
    "color:#222;background:#fff}"
    "h1{font-size:1.5em}.meta{color:#555}"
    ".verdict{font-size:1.2em;padding:.6em 1em;border-radius:.3em;margin:1em 0}"
    ".check{border:1px solid #ccc;border-left-width:.5em;border-radius:.3em;margin:.8em 0;"
    "padding:.5em 1em}"
    ".check h2{font-size:1.05em;margin:.2em 0}.check ul{margin:.3em 0;padding-left:1.4em}"
    ".advice{background:#f6f6f6;padding:.4em .6em;border-radius:.2em}"
    ".st{display:inline-block;min-width:5.5em;font-weight:bold;text-transform:uppercase}"
    ".ok{border-color:#2e7d32}.ok .st,.verdict.ok{color:#1b5e20}.verdict.ok{background:#e8f5e9}"
    ".warning{border-color:#f9a825}.warning .st,.verdict.warning{color:#8d6e00}"
    ".verdict.warning{background:#fff8e1}"
    ".problem{border-color:#c62828}.problem .st,.verdict.problem{color:#b71c1c}"
    ".verdict.problem{background:#ffebee}"
    ".unknown{border-color:#6a1b9a}.unknown .st,.verdict.unknown{color:#4a148c}"
    ".verdict.unknown{background:#f3e5f5}"
    "code{font-family:ui-monospace,monospace}";

void check_count(const mtarep_precheck_report *r, size_t counts[4])
{
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        unsigned st = (unsigned)mtarep_precheck_check_status(mtarep_precheck_report_check(r, i));
        counts[st < 4 ? st : MTAREP_PRECHECK_UNKNOWN]++;
    }
}

int check_write_html(const char *path, const mtarep_precheck_report *r, const char *ip,
                     const char *domain, const char *helo)
{
    const char *verdict = mtarep_precheck_status_name(mtarep_precheck_report_verdict(r));
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    size_t counts[4];
    char when[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    int err;

    if (!f)
        return -1;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    check_count(r, counts);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>mtarep check: ", f);
    esc(f, ip);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>mtarep check: ", CSS);
    esc(f, ip);
    fputs("</h1>\n<p class=\"meta\">Sending IP <code>", f);
    esc(f, ip);
    fputs("</code>", f);
    if (domain) {
        fputs(", domain <code>", f);
        esc(f, domain);
        fputs("</code>", f);
    }
    if (helo) {
        fputs(", HELO <code>", f);
        esc(f, helo);
        fputs("</code>", f);
    }
    fprintf(f, ". Checked %s.</p>\n", when);
    fprintf(f, "<p class=\"verdict %s\" id=\"verdict\">Verdict: <strong>%s</strong> "
            "(%zu ok, %zu warning%s, %zu problem%s, %zu unknown)</p>\n",
            verdict, verdict, counts[MTAREP_PRECHECK_OK],
            counts[MTAREP_PRECHECK_WARNING], counts[MTAREP_PRECHECK_WARNING] == 1 ? "" : "s",
            counts[MTAREP_PRECHECK_PROBLEM], counts[MTAREP_PRECHECK_PROBLEM] == 1 ? "" : "s",
            counts[MTAREP_PRECHECK_UNKNOWN]);
    fputs("<p class=\"meta\">Checks are listed with the most likely cause of a rejection "
          "first.</p>\n", f);
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        const char *st = mtarep_precheck_status_name(mtarep_precheck_check_status(c));
        size_t nev = mtarep_precheck_check_evidence_count(c);
        fprintf(f, "<section class=\"check %s\" data-check=\"", st);
        esc(f, mtarep_precheck_check_name(c));
        fprintf(f, "\" data-status=\"%s\">\n<h2><span class=\"st\">%s</span> ", st, st);
        esc(f, mtarep_precheck_check_name(c));
        if (mtarep_precheck_check_subject(c)) {
            fputs(" <small><code>", f);
            esc(f, mtarep_precheck_check_subject(c));
            fputs("</code></small>", f);
        }
        fputs("</h2>\n", f);
        if (nev) {
            fputs("<ul>\n", f);
            for (size_t k = 0; k < nev; k++) {
                fputs("<li>", f);
                esc(f, mtarep_precheck_check_evidence(c, k));
                fputs("</li>\n", f);
            }
            fputs("</ul>\n", f);
        }
        if (mtarep_precheck_check_advice(c)) {
            fputs("<p class=\"advice\"><strong>Advice:</strong> ", f);
            esc(f, mtarep_precheck_check_advice(c));
            fputs("</p>\n", f);
        }
        fputs("</section>\n", f);
    }
    fputs("<p class=\"meta\">Generated by mtarep ", f);
    esc(f, mtarep_version(NULL));
    fputs(". A check whose DNS lookups failed is unknown, never ok.</p>\n</body>\n</html>\n",
          f);
    err = ferror(f);
    if (f != stdout) {
        if (fclose(f) != 0)
            err = 1;
    } else if (fflush(f) != 0) {
        err = 1;
    }
    if (err && !errno)
        errno = EIO;
    return err ? -1 : 0;
}
