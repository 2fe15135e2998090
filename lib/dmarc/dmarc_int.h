/* DMARC internals shared by dmarc.c and the unit tests / fuzzer. */
#ifndef MTAREP_DMARC_INT_H
#define MTAREP_DMARC_INT_H

#include "../authrec/authrec_int.h"

struct mtarep_dmarc_result {
    mtarep_auth_verdict verdict;
    authrec_problems pr;
    char *record, *policy_domain, *org_domain, *name;
    const char *rule;     /* static */
    const char *policy;   /* static: "none", "quarantine", "reject" or NULL */
    char *tagbuf;         /* copy of the record text the tags point into */
    authrec_tags tags;
    int parsed;
};

/* Validate one record's text into r. 0 or MTAREP_ENOMEM. */
int mtarep__dmarc_check_text(mtarep_dmarc_result *r, const char *txt, size_t len);
/* Validate the TXT RRs found at one _dmarc name (several DMARC records are
 * invalid, non-DMARC TXT is skipped). n == 0 gives MTAREP_AUTH_NONE.
 * 0 or MTAREP_ENOMEM. */
int mtarep__dmarc_check_set(mtarep_dmarc_result *r, const authrec_txt *txt, size_t n);
/* 1 if the text starts a DMARC record ("v=DMARC1" then ';', FWS or end). */
int mtarep__dmarc_is_record(const char *txt, size_t len);
/* RFC 9989 tree-walk names for domain (normalized): fills up to 8 names
 * (malloc'd "_dmarc.<x>"), returns the count. */
size_t mtarep__dmarc_walk_names(const char *domain, char **out);

/* The policy fetch as a job on a shared engine run (the precheck): start
 * validates and submits the tree-walk names (on error nothing stays
 * queued); after mtarep__dns_run(), finish hands over the result and
 * frees the job. The report-authorization lookups depend on the record
 * found: they are submitted from the callback of the walk's last answer,
 * so they too are answered within the same run. */
typedef struct mtarep_dmarc_job mtarep_dmarc_job;
int mtarep__dmarc_fetch_start(mtarep_dmarc_job **job, mtarep_ctx *ctx, const char *domain,
                              const mtarep_dmarc_options *opts);
int mtarep__dmarc_fetch_finish(mtarep_dmarc_result **out, mtarep_dmarc_job *job);

#endif
