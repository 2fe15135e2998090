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

#endif
