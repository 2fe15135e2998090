/* Precheck internals: the check list the builders (pc_<module>.c) fill
 * from finished module results, and the SMTP probe. */
#ifndef MTAREP_PRECHECK_INT_H
#define MTAREP_PRECHECK_INT_H

#include <stdio.h>

#include "../core/internal.h"

typedef mtarep_precheck_status pc_status;
#define PC_OK MTAREP_PRECHECK_OK
#define PC_WARNING MTAREP_PRECHECK_WARNING
#define PC_PROBLEM MTAREP_PRECHECK_PROBLEM
#define PC_UNKNOWN MTAREP_PRECHECK_UNKNOWN

struct mtarep_precheck_check {
    const char *name;  /* static */
    char *subject;
    pc_status status;
    mtarep_strvec evidence;
    char *advice;      /* NULL when nothing to do */
    size_t seq;        /* insertion order, for a stable sort */
};
typedef struct mtarep_precheck_check pc_check;

typedef struct pc_list {
    pc_check **v;
    size_t n, cap;
    const char *subject; /* given to checks added from now on */
    int oom;             /* sticky */
} pc_list;

/* What is being checked (one IP at a time for the per-IP builders). */
typedef struct pc_input {
    mtarep_ctx *ctx;
    const char *ip;
    const char *domain, *helo;
    size_t nselectors; /* selectors given (not discovery) */
} pc_input;

/* Append a check (subject from l->subject); NULL and l->oom on ENOMEM. The
 * helpers accept NULL, so builders need not test every call. */
pc_check *mtarep__pc_add(pc_list *l, const char *name, pc_status st);
/* Raise a check's status: PROBLEM > UNKNOWN > WARNING > OK. */
void mtarep__pc_raise(pc_check *c, pc_status st);
void mtarep__pc_evidence(pc_list *l, pc_check *c, const char *fmt, ...) MTAREP_PRINTF(3, 4);
/* Append a sentence to the advice (skipped if already there). */
void mtarep__pc_advice(pc_list *l, pc_check *c, const char *fmt, ...) MTAREP_PRINTF(3, 4);
#define pc_add mtarep__pc_add
#define pc_raise mtarep__pc_raise
#define pc_evidence mtarep__pc_evidence
#define pc_advice mtarep__pc_advice
void mtarep__pc_list_free(pc_list *l);
/* Sort: status (problem, unknown, warning, ok), then the cause ranking. */
void mtarep__pc_sort(pc_list *l);
pc_status mtarep__pc_verdict(const pc_list *l);

/* Builders: rc is the module's finish status (not OK: the check is
 * unknown), the result is NULL then. */
void mtarep__pc_rdns(const pc_input *in, pc_list *out, int rc, const mtarep_rdns_result *r);
/* dnsbl: the IP's results are res[first .. first+per); domain_first >= 0
 * adds the "dbl" check from res[domain_first .. +per). */
void mtarep__pc_dnsbl(const pc_input *in, pc_list *out, int rc, const mtarep_dnsbl_results *res,
                      size_t first, size_t per, int domain_first);
void mtarep__pc_spf(const pc_input *in, pc_list *out, int rc, const mtarep_spf_result *ev,
                    int trc, const mtarep_spf_result *tree);
void mtarep__pc_dkim(const pc_input *in, pc_list *out, int rc, const mtarep_dkim_discovery *d);
void mtarep__pc_dmarc(const pc_input *in, pc_list *out, int rc, const mtarep_dmarc_result *r);

/* Providers (pc_provider.c). _check validates the credentials and the
 * base URL before anything is sent (0 or EINVAL, message on ctx);
 * _secrets registers the keys on ctx (the caller pops them); _start begins
 * the requests of each provider given a key and attaches them to the DNS
 * engine as its side job (0 or ENOMEM), so mtarep__dns_run() drives them to
 * their end beside the questions; _finish adds their checks; _free detaches
 * and frees (NULL allowed). */
typedef struct pc_prov pc_prov;
int mtarep__pc_providers_check(mtarep_ctx *ctx, const mtarep_precheck_options *o,
                               const char *domain);
int mtarep__pc_providers_secrets(mtarep_ctx *ctx, const mtarep_precheck_options *o);
int mtarep__pc_providers_start(pc_prov **out, mtarep_ctx *ctx, const mtarep_precheck_options *o,
                               const char *domain);
void mtarep__pc_providers_finish(pc_prov *p, const mtarep_precheck_options *o,
                                 const char *const *ips, size_t nips, const char *domain,
                                 pc_list *out);
void mtarep__pc_providers_free(pc_prov *p);

/* SMTP probe: what happened, step by step. */
typedef struct pc_probe {
    char host[256];      /* as given */
    unsigned port;
    const char *helo, *from, *rcpt;
    unsigned timeout_ms;
} pc_probe;
/* Parse one SMTP reply from the start of raw[0..have): a complete reply
 * gives its code (200..599), the lines joined by " " in buf (cut to cap),
 * and *used the octets it took; 0 when more input is needed; -1 when
 * malformed. Pure (fuzzed). The probe reads one reply per command, so
 * pipelined extra lines after it are not expected. */
int mtarep__pc_smtp_reply_parse(const char *raw, size_t have, char *buf, size_t cap,
                                size_t *used);
/* "HOST[:PORT]", "[V6]:PORT" or a bare IPv6 address into p->host and
 * p->port (25 by default). 0, or -1 when malformed. Pure (fuzzed). */
int mtarep__pc_parse_hostport(const char *s, pc_probe *p);
/* Connect to addr (text IP) and talk; fills the "smtp" check. */
void mtarep__pc_smtp_probe(const pc_probe *p, const char *addr, pc_list *out);

#endif
