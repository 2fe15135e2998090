/* DKIM internals shared by dkim.c and the unit tests / fuzzer. */
#ifndef MTAREP_DKIM_INT_H
#define MTAREP_DKIM_INT_H

#include "../authrec/authrec_int.h"

struct mtarep_dkim_result {
    mtarep_auth_verdict verdict;
    authrec_problems pr;
    char *record, *name, *selector;
    const char *key_type; /* static string */
    unsigned bits;
    int testing, revoked;
};

struct mtarep_dkim_discovery {
    mtarep_dkim_result **r;
    size_t n;
};

/* Validate text into r (verdict, problems, key facts). 0 or MTAREP_ENOMEM. */
int mtarep__dkim_check_text(mtarep_dkim_result *r, const char *txt, size_t len);

/* Selector discovery as a job on a shared engine run (the precheck):
 * start validates and submits (on error nothing stays queued); after
 * mtarep__dns_run(), finish builds the discovery and frees the job. */
typedef struct mtarep_dkim_job mtarep_dkim_job;
int mtarep__dkim_discover_start(mtarep_dkim_job **job, mtarep_ctx *ctx, const char *domain,
                                const mtarep_dkim_options *opts);
int mtarep__dkim_discover_finish(mtarep_dkim_discovery **out, mtarep_ctx *ctx,
                                 mtarep_dkim_job *job);

#endif
