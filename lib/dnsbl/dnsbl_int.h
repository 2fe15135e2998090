/* Internal to the dnsbl module: the zone table (docs/dnsbl-zones.md) and
 * the decoder that turns A answers into a verdict. */
#ifndef MTAREP_DNSBL_INT_H
#define MTAREP_DNSBL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/internal.h"

/* Query kinds a zone lists (bit set). */
#define DNSBL_KIND_IP4 1u
#define DNSBL_KIND_IP6 2u
#define DNSBL_KIND_DOMAIN 4u
#define DNSBL_KIND_ANY (DNSBL_KIND_IP4 | DNSBL_KIND_IP6 | DNSBL_KIND_DOMAIN)

/* Family index of a query / test point. */
enum { DNSBL_FAM_IP4 = 0, DNSBL_FAM_IP6 = 1, DNSBL_FAM_DOMAIN = 2, DNSBL_NFAM = 3 };

/* What an answer code means. */
typedef enum dnsbl_class {
    DNSBL_CLASS_LISTED = 0, /* a listing */
    DNSBL_CLASS_INFO = 1,   /* reported, but not a listing (grades, allow lists) */
    DNSBL_CLASS_ERROR = 2   /* refusal / misuse: no verdict */
} dnsbl_class;

typedef enum dnsbl_rule_kind {
    DNSBL_RULE_CODE = 0,  /* address range -> class/label */
    DNSBL_RULE_BITMASK,   /* address range decoded with the zone's bit rules */
    DNSBL_RULE_SCORE      /* address range, last octet is a score */
} dnsbl_rule_kind;

typedef struct dnsbl_rule {
    dnsbl_rule_kind kind;
    uint32_t lo, hi;    /* inclusive, host byte order */
    dnsbl_class cls;    /* CODE */
    int err;            /* CODE with ERROR class: an MTAREP_E* code */
    unsigned threshold; /* SCORE: listed when score < threshold */
    char *label;        /* CODE: NULL = the answer itself ("-" in the text) */
    char *desc;         /* may be NULL */
} dnsbl_rule;

typedef struct dnsbl_bit {
    unsigned value; /* 1, 2, 4, ... 128 */
    dnsbl_class cls;
    int err;
    char *label;
    char *desc;
} dnsbl_bit;

typedef struct dnsbl_zone_def {
    char *zone;       /* "zen.spamhaus.org"; keyed: the part after "<key>."; "*" = fallback */
    int keyed;        /* first label of the queried zone is a secret key */
    char *name;       /* human name, may be NULL */
    unsigned kinds;   /* DNSBL_KIND_* */
    char *note;       /* interpretation note added to listing descriptions */
    char *dead;       /* non-NULL: decommissioned, nothing is sent */
    int no_test;      /* "test none": no health check */
    /* test points per family; NULL = default for the family */
    char *test_listed[DNSBL_NFAM];
    char *test_unlisted[DNSBL_NFAM];
    dnsbl_rule *rules;
    size_t nrules;
    dnsbl_bit *bits;
    size_t nbits;
    int line;         /* where the block started (for messages) */
} dnsbl_zone_def;

struct mtarep_dnsbl_table {
    dnsbl_zone_def *v;
    size_t n, cap;
};

/* The built-in table text (lib/dnsbl/zones.conf, embedded at build time by
 * lib/dnsbl/embed.cmake). NUL-terminated. */
extern const char mtarep__dnsbl_builtin_text[];

/* Parse zone-table text (len bytes; need not be NUL-terminated). "like"
 * finds zones defined earlier in the text, then in base1, then in base2
 * (either may be NULL). On error returns MTAREP_EPARSE (or ENOMEM) with
 * "line N: ..." in err and *out untouched. */
int mtarep__dnsbl_table_parse(const char *text, size_t len,
                              const struct mtarep_dnsbl_table *base1,
                              const struct mtarep_dnsbl_table *base2,
                              struct mtarep_dnsbl_table **out, char *err,
                              size_t errlen);
void mtarep__dnsbl_table_free(struct mtarep_dnsbl_table *t);

/* Move every definition of src into dst, replacing same-named ones; src is
 * left empty. Returns 0 or MTAREP_ENOMEM (dst unchanged then). */
int mtarep__dnsbl_table_merge(struct mtarep_dnsbl_table *dst,
                              struct mtarep_dnsbl_table *src);

/* Find the definition for a normalised zone name: exact match, else a keyed
 * definition matching everything after the first label. NULL if none. */
const dnsbl_zone_def *mtarep__dnsbl_table_find(const struct mtarep_dnsbl_table *t,
                                               const char *zone);

/* Outcome of decoding a set of A answers. */
typedef struct dnsbl_verdict {
    int listed;        /* some answer is a listing */
    int err;           /* first error class answer: MTAREP_E* code, or 0 */
    char errmsg[256];
    mtarep_strvec meanings;  /* union of labels */
    mtarep_strvec descs;     /* union of descriptions */
} dnsbl_verdict;

/* Decode answers (host-order IPv4 values) with def (NULL = generic rules
 * of fallback, which may be NULL too). verdict must be zeroed first;
 * free with mtarep__dnsbl_verdict_free. Returns 0 or MTAREP_ENOMEM. */
int mtarep__dnsbl_decode(const dnsbl_zone_def *def, const dnsbl_zone_def *fallback,
                         const uint32_t *codes, size_t ncodes, dnsbl_verdict *v);
void mtarep__dnsbl_verdict_free(dnsbl_verdict *v);

/* The check as a job on a shared engine run (the precheck): start
 * validates and submits everything (on error nothing stays queued, message
 * on ctx); after mtarep__dns_run(), finish composes the results as
 * mtarep_dnsbl_check() does and frees the job. */
typedef struct mtarep_dnsbl_job mtarep_dnsbl_job;
int mtarep__dnsbl_start(mtarep_dnsbl_job **job, mtarep_ctx *ctx,
                        const char *const *queries, size_t nqueries,
                        const char *const *zones, size_t nzones,
                        const mtarep_dnsbl_options *opts);
int mtarep__dnsbl_finish(mtarep_dnsbl_results **out, mtarep_dnsbl_job *job);

#endif
