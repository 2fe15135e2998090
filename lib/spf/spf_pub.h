/* SPF result object and helpers shared by spf.c (evaluation) and
 * inspect.c (tree validation, text validation, getters). */
#ifndef MTAREP_SPF_PUB_H
#define MTAREP_SPF_PUB_H

#include <ldns/ldns.h>

#include "spf_int.h"

enum { SPF_VIA_ROOT = 0, SPF_VIA_INCLUDE = 1, SPF_VIA_REDIRECT = 2 };

typedef struct spf_node {
    char *domain;
    char *record;  /* escaped for display; NULL = none found */
    long parent;
    int via;
    unsigned lookups, total, voids;
    int result;    /* mtarep_spf_verdict of this branch (check), -1 unknown */
    char *error;
} spf_node;

struct mtarep_spf_result {
    mtarep_spf_verdict verdict;
    int valid;
    char *explanation;
    char *reason;
    long erroff;
    unsigned lookups, voids;
    mtarep_strvec warnings;
    spf_node *nodes;
    size_t nn, ncap;
};

mtarep_spf_result *mtarep__spf_result_new(void);
/* Add a node; returns its index or -1 (out of memory). */
long mtarep__spf_node_add(mtarep_spf_result *r, const char *domain, long parent, int via);
void mtarep__spf_node_set_record(mtarep_spf_result *r, long node, const char *txt, size_t len);
void mtarep__spf_node_note(mtarep_spf_result *r, long node, const char *msg);
void mtarep__spf_node_result(mtarep_spf_result *r, long node, mtarep_spf_verdict v);
/* Compute per-branch totals. */
void mtarep__spf_result_finish(mtarep_spf_result *r);

/* A TXT RR's character-strings joined (RFC 7208 3.3), as (ptr, len) with a
 * NUL after for convenience; *out malloc'd. 0 or -1. */
int mtarep__spf_txt_join(const ldns_rr *rr, char **out, size_t *len);

typedef struct spf_txt {
    char *p;
    size_t len;
} spf_txt;
/* The "v=spf1" records among TXT RRs: fills up to max (caller frees .p)
 * and returns how many there are in total (capped at max). */
size_t mtarep__spf_select(const ldns_rr_list *rrs, spf_txt *out, size_t max);

/* Record-level warnings (no DNS) into r->warnings, prefixed with where. */
void mtarep__spf_record_warnings(mtarep_spf_result *r, const char *where, size_t textlen,
                                 const spf_record *rec);

/* check_host() and the tree inspector as jobs on a shared engine run (the
 * precheck): start validates and submits (on error nothing stays queued,
 * message on ctx); after mtarep__dns_run(), finish hands over the result
 * and frees the job. */
typedef struct mtarep_spf_job mtarep_spf_job;
typedef struct mtarep_spf_ijob mtarep_spf_ijob;
int mtarep__spf_check_start(mtarep_spf_job **job, mtarep_ctx *ctx, const char *ip,
                            const char *sender, const char *helo,
                            const mtarep_spf_options *opts);
int mtarep__spf_check_finish(mtarep_spf_result **out, mtarep_spf_job *job);
int mtarep__spf_inspect_start(mtarep_spf_ijob **job, mtarep_ctx *ctx, const char *domain,
                              const mtarep_spf_options *opts);
int mtarep__spf_inspect_finish(mtarep_spf_result **out, mtarep_spf_ijob *job);

#endif
