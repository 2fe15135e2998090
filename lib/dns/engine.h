/* Internal DNS query engine (see DESIGN: concurrency model).
 *
 * submit() returns at once; run() sends, retries, times out and calls each
 * callback exactly once. The network, static-zone and plugged-in resolvers
 * all sit behind this one shape, so checks cannot tell which one answers.
 */
#ifndef MTAREP_DNS_ENGINE_H
#define MTAREP_DNS_ENGINE_H

#include <ldns/ldns.h>

#include "../core/internal.h"

typedef struct mtarep_dns_answer {
    /* MTAREP_OK: the server gave a verdict (see rcode). Otherwise
     * MTAREP_ETIMEOUT, MTAREP_ETEMPFAIL (SERVFAIL, REFUSED, other rcodes,
     * socket errors), MTAREP_EPARSE (garbage or mismatched answer),
     * MTAREP_ECANCELLED (context freed). */
    int status;
    /* LDNS_RCODE_NOERROR or LDNS_RCODE_NXDOMAIN when status == MTAREP_OK. */
    int rcode;
    /* Answer RRs of the asked type owned by the name asked or the end of
     * its CNAME chain; empty list (never NULL) when status == OK and the
     * name has no such records (NODATA) or NXDOMAIN. Borrowed: valid only
     * during the callback; clone what you keep. NULL when status != OK. */
    const ldns_rr_list *rrs;
    /* The whole parsed response, borrowed likewise; NULL when status != OK
     * or the answer came from the static-zone resolver. */
    const ldns_pkt *pkt;
    /* Human detail when status != OK ("timeout after 2 tries to
     * 127.0.0.1:5300", "SERVFAIL from ..."); never NULL then. */
    const char *errmsg;
    /* The question, for convenience. */
    const char *qname;
    ldns_rr_type qtype;
} mtarep_dns_answer;

typedef void (*mtarep_dns_cb)(const mtarep_dns_answer *ans, void *arg);

/* Queue a question. name is absolute without trailing dot (a trailing dot is
 * tolerated). Returns 0, or MTAREP_EINVAL for a malformed name (cb is then
 * NOT called) or MTAREP_ENOMEM (or MTAREP_ECANCELLED from a callback that
 * runs while the context is being freed). A cached answer may be delivered during the
 * next run(), never from inside submit(). Callbacks may submit more. */
int mtarep__dns_submit(mtarep_ctx *ctx, const char *name, ldns_rr_type type,
                       mtarep_dns_cb cb, void *arg);

/* As mtarep__dns_submit(), accepting any printable octet except '\\' in
 * labels (RFC 2181 11), as SPF domain-specs need ("foo:bar/baz.example").
 * Labels 1..63 octets, <= 253 in all; else MTAREP_EINVAL. */
int mtarep__dns_submit_any(mtarep_ctx *ctx, const char *name, ldns_rr_type type,
                           mtarep_dns_cb cb, void *arg);

/* Drive every queued query to completion (including ones submitted from
 * callbacks). Returns 0 or a negative code for a failure of the engine
 * itself (every callback has still fired exactly once). */
int mtarep__dns_run(mtarep_ctx *ctx);

/* A side job run() drives beside the questions (the precheck's provider
 * HTTP requests): whenever run() would wait, it calls wait(arg, fd, max_ms)
 * instead, which waits for its own events or for fd (the engine's epoll
 * descriptor; -1: none) to become readable, at most max_ms (-1: as the side
 * job needs), and makes progress. run() does not return while busy(arg) is
 * true. Neither callback may submit questions. */
typedef struct mtarep__dns_side {
    int (*busy)(void *arg);
    void (*wait)(void *arg, int fd, int max_ms);
    void *arg;
} mtarep__dns_side;

/* Attach (side borrowed until detached) or detach (NULL) the side job. */
void mtarep__dns_set_side(mtarep_ctx *ctx, const mtarep__dns_side *side);

/* Does an A/AAAA answer hold an address of ip's family within the first
 * cidr4 / cidr6 bits of ip? (FCrDNS uses 32/128, SPF a/mx its own.) */
int mtarep__dns_rrs_match_ip(const ldns_rr_list *rrs, const mtarep_ip *ip, int cidr4,
                             int cidr6);

/* Engine lifecycle, called by ctx.c. */
int mtarep__dns_engine_new(mtarep_ctx *ctx);
void mtarep__dns_engine_free(mtarep_ctx *ctx);

/* Backing for the public ctx setters in ctx.h / sys/resolver.h. */
int mtarep__dns_add_nameserver(mtarep_ctx *ctx, const char *addr);
int mtarep__dns_load_resolv_conf(mtarep_ctx *ctx, const char *path);
int mtarep__dns_add_zone_file(mtarep_ctx *ctx, const char *path);
int mtarep__dns_add_zone_text(mtarep_ctx *ctx, const char *text);
int mtarep__dns_set_resolver(mtarep_ctx *ctx, const mtarep_resolver_ops *ops, void *payload);
void mtarep__dns_clear_cache(mtarep_ctx *ctx);

/* Parse "ADDR[:PORT]" / "[V6]:PORT" into a sockaddr (port default 53).
 * Exposed for the fuzzer and unit tests. */
struct sockaddr_storage;
int mtarep__dns_parse_server(const char *text, struct sockaddr_storage *out,
                             unsigned int *len_out);

/* Validate a wire-format response against a question and extract the
 * answer (the path every network and plugged-in answer takes). On return
 * *pkt_out (if status OK) must be freed with ldns_pkt_free and *rrs_out with
 * ldns_rr_list_deep_free. Exposed for the fuzzer and unit tests. */
int mtarep__dns_parse_answer(const uint8_t *wire, size_t len, uint16_t id,
                             const char *qname, ldns_rr_type qtype,
                             ldns_pkt **pkt_out, ldns_rr_list **rrs_out,
                             int *rcode_out, char *err, size_t errlen);

#endif
