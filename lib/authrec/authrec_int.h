/* Shared by the DKIM and DMARC validators: the RFC 6376 3.2 tag-list
 * parser (fuzzed through both), the problem list and a batch TXT lookup. */
#ifndef MTAREP_AUTHREC_INT_H
#define MTAREP_AUTHREC_INT_H

#include <stddef.h>

#include "../core/internal.h"

typedef struct authrec_tag {
    const char *name, *value; /* point into the record text (not NUL-terminated) */
    size_t nlen, vlen;
    size_t npos, vpos;        /* octet offsets */
} authrec_tag;

#define AUTHREC_MAX_TAGS 64

typedef struct authrec_tags {
    authrec_tag t[AUTHREC_MAX_TAGS];
    size_t n;
} authrec_tags;

/* Parse a tag-list. nocase: tag names compare case-insensitively (DMARC's
 * ABNF quoted strings) for the duplicate check. Returns 0, or MTAREP_EPARSE
 * with err and *errpos set (syntax error, duplicate tag, too many tags). */
int mtarep__taglist_parse(authrec_tags *out, const char *txt, size_t len, int nocase,
                          char *err, size_t errlen, size_t *errpos);
/* Index of tag name (as given), or -1. */
long mtarep__taglist_find(const authrec_tags *t, const char *name, int nocase);

typedef struct authrec_problem {
    int sev; /* mtarep_auth_severity */
    long off;
    char *msg;
} authrec_problem;

typedef struct authrec_problems {
    authrec_problem *v;
    size_t n, cap;
    int oom;
} authrec_problems;

void mtarep__problem_add(authrec_problems *p, int sev, long off, const char *fmt, ...)
    MTAREP_PRINTF(4, 5);
void mtarep__problems_free(authrec_problems *p);
/* Verdict the problems give: invalid for any error, warning for any warn. */
int mtarep__problems_verdict(const authrec_problems *p);

/* Printable copy (non-printable octets as \xNN); malloc'd. */
char *mtarep__escape_text(const char *s, size_t len);

/* Batch TXT lookup: all names queried in one engine run. */
typedef struct authrec_txt {
    char *p;
    size_t len;
} authrec_txt;

/* A batch whose last answer calls done(arg) (from the engine run, so done
 * may submit more questions: dependent lookups stay in the same run). */
typedef struct authrec_group {
    size_t pending;
    void (*done)(void *arg);
    void *arg;
} authrec_group;

typedef struct authrec_lookup {
    const char *name;  /* caller's */
    authrec_group *group; /* NULL: none */
    int status;        /* MTAREP_OK or the engine's error */
    int rcode;
    char *errmsg;      /* when status != OK */
    authrec_txt *txt;  /* every TXT RR, character-strings joined */
    size_t ntxt;
} authrec_lookup;

/* Fill in status/txt for each entry. Returns 0, MTAREP_EINVAL (a name the
 * engine refused; message on ctx) or MTAREP_ENOMEM. */
int mtarep__txt_lookup(mtarep_ctx *ctx, authrec_lookup *q, size_t n);
/* Submit only (for a shared engine run): every entry's callback has fired
 * once mtarep__dns_run() returns, even when this fails part-way (entries
 * not submitted keep status MTAREP_ECANCELLED). Same returns. */
int mtarep__txt_submit(mtarep_ctx *ctx, authrec_lookup *q, size_t n);
/* As mtarep__txt_submit(), every entry in group g: g->done fires once when
 * the last submitted entry is answered, or before this returns when none
 * could be submitted. */
int mtarep__txt_submit_group(mtarep_ctx *ctx, authrec_lookup *q, size_t n, authrec_group *g);
void mtarep__txt_lookup_free(authrec_lookup *q, size_t n);

#endif
