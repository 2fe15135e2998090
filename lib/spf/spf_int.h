/* SPF internals: record parser and macro expander (no DNS; fuzzed), shared
 * by the evaluator, the inspector and the unit tests. */
#ifndef MTAREP_SPF_INT_H
#define MTAREP_SPF_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../core/internal.h"

typedef enum spf_mech {
    SPF_M_ALL,
    SPF_M_INCLUDE,
    SPF_M_A,
    SPF_M_MX,
    SPF_M_PTR,
    SPF_M_IP4,
    SPF_M_IP6,
    SPF_M_EXISTS
} spf_mech;

typedef struct spf_term {
    int is_mod;
    char qual;      /* '+', '-', '~', '?' */
    spf_mech mech;
    char *name;     /* modifier name (as written) */
    char *arg;      /* domain-spec or modifier value; NULL when absent */
    int cidr4;      /* prefix for a/mx/ip4 (default 32) */
    int cidr6;      /* prefix for a/mx/ip6 (default 128) */
    mtarep_ip net;  /* ip4/ip6 network */
    size_t pos;     /* offset of the term in the record text */
} spf_term;

typedef struct spf_record {
    spf_term *t;
    size_t n;
    long redirect;      /* term index, -1 if none */
    long exp;           /* term index, -1 if none */
    unsigned dns_terms; /* include, a, mx, ptr, exists, redirect */
} spf_record;

/* 1 if txt is an SPF version 1 record ("v=spf1" then SP or end, case
 * insensitive, RFC 7208 4.5). */
int mtarep__spf_is_v1(const char *txt, size_t len);

/* Parse a whole record (all terms, so a syntax error anywhere is found
 * before evaluation, RFC 7208 4.6). Returns 0, MTAREP_EPARSE with err and
 * *errpos (octet offset) set, or MTAREP_ENOMEM. */
int mtarep__spf_parse(spf_record *out, const char *txt, size_t len, char *err, size_t errlen,
                      size_t *errpos);
void mtarep__spf_record_free(spf_record *r);

/* Macro-string syntax (RFC 7208 7.1). explain: exp= text (c, r, t
 * letters and SP allowed). Returns 0 or MTAREP_EPARSE with *errpos. */
int mtarep__spf_macro_check(const char *s, size_t len, int explain, size_t *errpos);
/* 1 if s holds a %{p} macro. */
int mtarep__spf_macro_has_p(const char *s);

typedef struct spf_macro_env {
    const char *sender;   /* local@domain */
    const char *local;
    const char *sdomain;  /* domain of the sender */
    const char *domain;   /* current <domain> */
    const mtarep_ip *ip;
    const char *helo;
    const char *p;        /* validated name; NULL: "unknown" */
    const char *receiver; /* NULL: "unknown" */
    time_t now;
} spf_macro_env;

/* Expand s into out (NUL-terminated). explain as above. Returns 0,
 * MTAREP_EPARSE (bad macro) or MTAREP_ELIMIT (does not fit). */
int mtarep__spf_macro_expand(const spf_macro_env *env, const char *s, int explain, char *out,
                             size_t outlen);

/* Expanded domain-spec -> name to query: drops a trailing dot and truncates
 * labels from the left past 253 octets (RFC 7208 7.3). Returns 0, or -1 if
 * empty or with an empty or over-long label (such a name is never asked). */
int mtarep__spf_target_name(char *name);

#endif
