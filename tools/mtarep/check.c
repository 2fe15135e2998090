/* mtarep check: check list helpers. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check *check_add(struct check_list *l, const char *name, check_status st)
{
    struct check *c;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct check **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return NULL;
        }
        l->v = nv;
        l->cap = cap;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        l->oom = 1;
        return NULL;
    }
    c->name = name;
    c->status = st;
    l->v[l->n++] = c;
    return c;
}

static int rank(check_status st)
{
    switch (st) {
    case CHECK_PROBLEM: return 3;
    case CHECK_UNKNOWN: return 2;
    case CHECK_WARNING: return 1;
    default: return 0;
    }
}

void check_raise(struct check *c, check_status st)
{
    if (c && rank(st) > rank(c->status))
        c->status = st;
}

void check_evidence(struct check_list *l, struct check *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    if (!c)
        return;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0 || cli_strvec_push(&c->evidence, s))
        l->oom = 1;
    free(n < 0 ? NULL : s);
}

void check_advice(struct check_list *l, struct check *c, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL, *joined = NULL;
    int n;
    if (!c)
        return;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        l->oom = 1;
        return;
    }
    if (c->advice && strstr(c->advice, s)) {
        free(s);
        return;
    }
    if (!c->advice) {
        c->advice = s;
        return;
    }
    if (asprintf(&joined, "%s %s", c->advice, s) < 0) {
        l->oom = 1;
        free(s);
        return;
    }
    free(s);
    free(c->advice);
    c->advice = joined;
}

const char *check_status_name(check_status st)
{
    switch (st) {
    case CHECK_OK: return "ok";
    case CHECK_WARNING: return "warning";
    case CHECK_PROBLEM: return "problem";
    default: return "unknown";
    }
}

check_status check_verdict(const struct check_list *l)
{
    check_status v = CHECK_OK;
    for (size_t i = 0; i < l->n; i++)
        if (rank(l->v[i]->status) > rank(v))
            v = l->v[i]->status;
    return v;
}

void check_list_free(struct check_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cli_strvec_free(&l->v[i]->evidence);
        free(l->v[i]->advice);
        free(l->v[i]->subject);
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
