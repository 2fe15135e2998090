/* mtarep CLI: output helpers (terminal-safe text, tables, colour, JSON,
 * progress bar). */
#ifndef MTAREP_CLI_OUT_H
#define MTAREP_CLI_OUT_H

#include <stdio.h>

#include <jansson.h>
#include <mtarep.h>

#define OUT_RED "\033[31m"
#define OUT_GREEN "\033[32m"
#define OUT_YELLOW "\033[33m"
#define OUT_MAGENTA "\033[35m"
#define OUT_DIM "\033[2m"
#define OUT_BOLD "\033[1m"
#define OUT_RESET "\033[0m"

/* Colour on @p f? Only for a terminal, NO_COLOR unset or empty, TERM not
 * "dumb" (https://no-color.org). */
int out_use_color(FILE *f);

/* Write @p s (NULL: nothing) to @p f with control characters, invalid
 * UTF-8, C1 controls and bidi overrides escaped (\xNN, \uNNNN), so DNS data
 * cannot drive the terminal. */
void out_clean(FILE *f, const char *s);
/* The same into a new string; NULL only when out of memory. NULL in: "". */
char *out_clean_dup(const char *s);
/* Display width of a cleaned string (code points; no wide-char tables). */
size_t out_width(const char *clean);

/* A text table: cells are cleaned copies; one colour per cell (may be NULL). */
struct out_table {
    size_t ncols, nrows, cap;
    char **cells;
    const char **colors;
};
void out_table_init(struct out_table *t, size_t ncols);
/* Append a row of ncols cells (NULL cell = ""); @p colors may be NULL.
 * Returns 0 or -1 (out of memory). */
int out_table_add(struct out_table *t, const char *const *cells,
                  const char *const *colors);
void out_table_print(const struct out_table *t, FILE *f,
                     const char *const *headers, int color);
void out_table_free(struct out_table *t);

/* JSON values; all return NULL only when out of memory. */
json_t *out_jstr(const char *s);           /* NULL -> null; bad UTF-8 fixed */
json_t *out_jtri(mtarep_tristate v);       /* YES/NO -> bool, UNKNOWN -> null */
/* json_object_set_new() that tolerates NULL values; returns 0 or -1. */
int out_jset(json_t *obj, const char *key, json_t *value);
/* json_array_append_new() likewise. */
int out_jpush(json_t *arr, json_t *value);
/* Print @p root (stolen) on stdout followed by a newline; 0 or -1. */
int out_json_print(json_t *root);

/* Progress bar on stderr; use out_progress_cb as the dnsbl progress
 * callback with a struct out_progress as payload. */
struct out_progress {
    size_t last_permille;
    int drawn;
};
void out_progress_cb(size_t done, size_t total, void *payload);
/* Erase the bar if one was drawn. */
void out_progress_end(struct out_progress *p);

#endif
