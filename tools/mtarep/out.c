/* mtarep CLI: output helpers. */
#include "out.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int out_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (nc && *nc)
        return 0;
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(fileno(f));
}

/* Decode one UTF-8 sequence strictly (no overlongs, surrogates or code
 * points above U+10FFFF). Returns its length, 0 if invalid. Hand-written:
 * jansson only validates whole strings and iconv would need a locale. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t n, i;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2; c &= 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3; c &= 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4; c &= 0x07; min = 0x10000;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Code points that must not reach a terminal: C0/C1 controls, DEL, and the
 * bidi embedding/override/isolate controls (they reorder what is shown). */
static int unsafe_cp(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x200E || c == 0x200F;
}

/* Shared walker: emits cleaned text through @p put. */
static void clean_walk(const char *s, void (*put)(void *, const char *, size_t),
                       void *arg)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];
    while (p && *p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", *p);
            put(arg, esc, 4);
            p++;
        } else if (unsafe_cp(cp)) {
            int len = cp < 0x80 ? snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp)
                                : snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
            put(arg, esc, (size_t)len);
            p += n;
        } else {
            put(arg, (const char *)p, n);
            p += n;
        }
    }
}

static void put_file(void *arg, const char *s, size_t n)
{
    fwrite(s, 1, n, (FILE *)arg);
}

void out_clean(FILE *f, const char *s)
{
    clean_walk(s, put_file, f);
}

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void put_buf(void *arg, const char *s, size_t n)
{
    struct sbuf *b = arg;
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 64) + n;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

char *out_clean_dup(const char *s)
{
    struct sbuf b = {0};
    put_buf(&b, "", 0);
    clean_walk(s, put_buf, &b);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

size_t out_width(const char *clean)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)clean; *p; p++)
        if ((*p & 0xC0) != 0x80)
            w++;
    return w;
}

void out_table_init(struct out_table *t, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
}

int out_table_add(struct out_table *t, const char *const *cells,
                  const char *const *colors)
{
    size_t i, base;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cells, cap * t->ncols * sizeof *nc);
        if (!nc)
            return -1;
        t->cells = nc;
        const char **ncol = realloc(t->colors, cap * t->ncols * sizeof *ncol);
        if (!ncol)
            return -1;
        t->colors = ncol;
        t->cap = cap;
    }
    base = t->nrows * t->ncols;
    for (i = 0; i < t->ncols; i++) {
        t->cells[base + i] = out_clean_dup(cells[i] ? cells[i] : "");
        t->colors[base + i] = colors ? colors[i] : NULL;
        if (!t->cells[base + i]) {
            while (i-- > 0)
                free(t->cells[base + i]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

static void print_cell(FILE *f, const char *text, const char *color,
                       size_t pad_to, int last)
{
    size_t w = out_width(text);
    if (color)
        fputs(color, f);
    fputs(text, f);
    if (color)
        fputs(OUT_RESET, f);
    if (!last)
        for (; w < pad_to + 2; w++)
            fputc(' ', f);
}

void out_table_print(const struct out_table *t, FILE *f,
                     const char *const *headers, int color)
{
    size_t *wid = calloc(t->ncols ? t->ncols : 1, sizeof *wid);
    size_t r, c, last = t->ncols ? t->ncols - 1 : 0; /* header's last column */
    if (!wid)
        return;
    for (c = 0; c < t->ncols; c++)
        wid[c] = headers ? strlen(headers[c]) : 0;
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            size_t w = out_width(t->cells[r * t->ncols + c]);
            if (w > wid[c])
                wid[c] = w;
        }
    /* The last column is not padded: no trailing blanks. */
    if (headers) {
        for (c = 0; c < t->ncols; c++)
            print_cell(f, headers[c], color ? OUT_BOLD : NULL, wid[c], c == last);
        fputc('\n', f);
    }
    for (r = 0; r < t->nrows; r++) {
        size_t end = t->ncols; /* stop after the last non-empty cell */
        while (end > 1 && t->cells[r * t->ncols + end - 1][0] == '\0')
            end--;
        for (c = 0; c < end; c++)
            print_cell(f, t->cells[r * t->ncols + c],
                       color ? t->colors[r * t->ncols + c] : NULL, wid[c],
                       c == end - 1);
        fputc('\n', f);
    }
    free(wid);
}

void out_table_free(struct out_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->colors);
    memset(t, 0, sizeof *t);
}

json_t *out_jstr(const char *s)
{
    json_t *j;
    if (!s)
        return json_null();
    j = json_string(s);
    if (j)
        return j;
    /* Not UTF-8 (json_string refuses it): replace bad bytes with U+FFFD. */
    struct sbuf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    put_buf(&b, "", 0);
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            put_buf(&b, "\xEF\xBF\xBD", 3);
            p++;
        } else {
            put_buf(&b, (const char *)p, n);
            p += n;
        }
    }
    j = b.oom ? NULL : json_string(b.p);
    free(b.p);
    return j;
}

json_t *out_jtri(mtarep_tristate v)
{
    if (v == MTAREP_YES)
        return json_true();
    if (v == MTAREP_NO)
        return json_false();
    return json_null();
}

int out_jset(json_t *obj, const char *key, json_t *value)
{
    if (!obj || !value) {
        json_decref(value);
        return -1;
    }
    return json_object_set_new(obj, key, value);
}

int out_jpush(json_t *arr, json_t *value)
{
    if (!arr || !value) {
        json_decref(value);
        return -1;
    }
    return json_array_append_new(arr, value);
}

int out_json_print(json_t *root)
{
    char *s = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
    json_decref(root);
    if (!s)
        return -1;
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
    return 0;
}

void out_progress_cb(size_t done, size_t total, void *payload)
{
    struct out_progress *p = payload;
    enum { WIDTH = 30 };
    size_t permille, fill, i;
    if (total == 0)
        return;
    permille = done >= total ? 1000 : done * 1000 / total;
    /* Redraw only when the bar moves, not once per answer. */
    if (p->drawn && permille / 5 == p->last_permille / 5 && done < total)
        return;
    p->last_permille = permille;
    p->drawn = 1;
    fill = permille * WIDTH / 1000;
    fputs("\r[", stderr);
    for (i = 0; i < WIDTH; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %zu/%zu lookups", done, total);
    fflush(stderr);
}

void out_progress_end(struct out_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}
