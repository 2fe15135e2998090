/* Private to lib/dns: the engine struct and what its parts share.
 * engine.c: queue, cache, coalescing, delivery, plugged-in resolver;
 * zone.c: static zones; net.c: UDP/TCP transport and nameservers;
 * wire.c: packet building and answer validation; api.c: public dns.h. */
#ifndef MTAREP_DNS_INT_H
#define MTAREP_DNS_INT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "engine.h"

#define DNS_MAX_NS 16
#define DNS_NAME_MAX 256   /* normalised text name + NUL */
#define DNS_WIRE_MAX 320   /* a query: header + 255-byte name + question + OPT */
#define DNS_CNAME_HOPS 16  /* chain length we follow before calling it a loop */
#define DNS_EDNS_SIZE 1232 /* DNS flag day 2020 */

/* A finished answer, shared (refcounted) by the query, its coalesced
 * followers and the cache. */
typedef struct dns_res {
    unsigned refs;
    int status;
    int rcode;
    int rrs_borrowed; /* rrs point into pkt: free the list only */
    ldns_pkt *pkt;
    ldns_rr_list *rrs;
    char errmsg[];
} dns_res;

enum dns_qstate { Q_NEW, Q_WAIT, Q_NET, Q_PLUG, Q_FOLLOW, Q_DONE, Q_ZOMBIE };

struct dns_udp;
struct dns_tcp;
struct cache_ent;

typedef struct dns_query {
    struct mtarep_dns_engine *eng;
    struct dns_query *next;          /* the one FIFO the query is on */
    struct dns_query *tprev, *tnext; /* deadline list (wire or plugged resolver) */
    struct dns_query *followers;     /* identical questions coalesced onto this one */
    struct cache_ent *ent;           /* pending cache entry while leader */
    mtarep_dns_cb cb;
    void *arg;
    dns_res *res;
    uint64_t deadline; /* monotonic ms: end of the current try */
    struct dns_query *rprev, *rnext; /* early-retransmit list (UDP) */
    uint64_t rto_at;   /* monotonic ms of the next early retransmit */
    uint64_t sent_us;  /* first send of this try, for the RTT estimate */
    unsigned rto_ms;
    int rexmit;        /* resent within this try: no RTT sample (Karn) */
    int unsent;        /* on the net's send queue, datagram not yet sent */
    struct dns_udp *udp;
    struct dns_tcp *tcp;
    unsigned try_no, tries;
    unsigned ns_idx;
    int state;
    uint16_t id;
    uint16_t slot; /* index in udp->tab */
    ldns_rr_type type;
    size_t wirelen;
    size_t qwlen;  /* the question name is at wire + 12, uncompressed */
    uint8_t *wire; /* DNS_WIRE_MAX bytes from the engine's pool while on the wire */
    char name[DNS_NAME_MAX];
} dns_query;

typedef struct dns_qfifo {
    dns_query *head, *tail;
} dns_qfifo;

typedef struct cache_ent {
    struct cache_ent *hnext;
    uint64_t expires;  /* monotonic ms; meaningless while pending */
    dns_res *res;      /* NULL while the question is on the wire */
    dns_query *leader; /* non-NULL while pending */
    uint32_t hash;
    ldns_rr_type type;
    char name[];
} cache_ent;

struct dns_zone_db;
struct dns_net;

struct mtarep_dns_engine {
    mtarep_ctx *ctx;
    dns_qfifo newq;  /* submitted, not yet looked at */
    dns_qfifo waitq; /* waiting for an in-flight slot */
    dns_qfifo doneq; /* finished, callback not yet called */
    dns_query *freeq; /* recycled query structs */
    size_t nfreeq;
    dns_query *zombies; /* plugged queries given up on; freed with the engine */
    size_t inflight;    /* queries on the wire (network path) */
    size_t plug_out;    /* queries handed to the plugged resolver */
    dns_query *plug_head, *plug_tail; /* those, oldest first (tprev/tnext) */

    cache_ent **buckets;
    size_t nbuckets, nents; /* entries: pending + resolved */
    size_t ncached;         /* resolved entries */

    struct dns_zone_db *zones; /* non-NULL once a zone loaded: static mode */

    int plugged;
    mtarep_resolver_ops plug;
    void *plug_payload;

    /* nameservers */
    struct sockaddr_storage ns[DNS_MAX_NS];
    socklen_t nslen[DNS_MAX_NS];
    char nstext[DNS_MAX_NS][56];
    unsigned nns;
    int ns_set;
    /* Congestion window: queries allowed on the wire (<= max_inflight),
     * grown per answer, halved when a datagram had to be resent. */
    unsigned cwnd, ssthresh, cwnd_acc;
    size_t nlost; /* on the wire and already resent in this try */
    uint64_t cwnd_cut_ms;
    /* smoothed RTT and its variance per nameserver, microseconds; 0 = none */
    uint32_t srtt_us[DNS_MAX_NS], rttvar_us[DNS_MAX_NS]; /* 0: resolv.conf default not read yet */

    struct dns_net *net;
    int tail_mode; /* set once the wait queue ran dry, see net_tail */
    void *wire_free;   /* pool of query wire buffers */
    size_t nwire_free;
    dns_res *oom; /* handed out when allocating a result fails */
    int closing;
    const mtarep__dns_side *side; /* NULL: none (mtarep__dns_set_side) */
};

/* The side job has work outstanding. */
int mtarep__dns_side_busy(const struct mtarep_dns_engine *e);

uint64_t mtarep__dns_now_ms(void);
/* Slots on the wire right now: min(max_inflight, congestion window). */
size_t mtarep__dns_window(const struct mtarep_dns_engine *e);
uint64_t mtarep__dns_now_us(void);
void mtarep__dns_fifo_push(dns_qfifo *f, dns_query *q);
dns_query *mtarep__dns_fifo_pop(dns_qfifo *f);

dns_res *mtarep__dns_res_new(int status, int rcode, ldns_pkt *pkt, ldns_rr_list *rrs,
                             const char *fmt, ...) MTAREP_PRINTF(5, 6);
void mtarep__dns_res_unref(dns_res *r);
/* Query wire buffers (DNS_WIRE_MAX bytes), recycled. */
uint8_t *mtarep__dns_wire_get(struct mtarep_dns_engine *e);
void mtarep__dns_wire_put(struct mtarep_dns_engine *e, uint8_t *w);
/* Finish q (and its followers) with r (reference taken over): caches it if
 * a verdict and queues the callbacks for delivery. */
void mtarep__dns_finish(struct mtarep_dns_engine *e, dns_query *q, dns_res *r);

/* wire.c */
/* Writes q->wire / wirelen / qwlen from q->name and q->type. */
int mtarep__dns_build_query(dns_query *q);
int mtarep__dns_parse_answer_ex(const uint8_t *wire, size_t len, int check_id, uint16_t id,
                                const char *qname, ldns_rr_type qtype, ldns_pkt **pkt_out,
                                ldns_rr_list **rrs_out, int *rcode_out, char *err,
                                size_t errlen);
/* The engine's fast path: qname as wire bytes; deep = 0 makes *rrs_out
 * borrow the packet's RRs (free it with ldns_rr_list_free). */
int mtarep__dns_check_answer(const uint8_t *wire, size_t len, int check_id, uint16_t id,
                             const uint8_t *qw, size_t qwlen, ldns_rr_type qtype, int deep,
                             ldns_pkt **pkt_out, ldns_rr_list **rrs_out, int *rcode_out,
                             char *err, size_t errlen);
/* MTAREP_OK: usable; 1: not ours (ignore and keep waiting); else status. */
#define DNS_PARSE_IGNORE 1
#define DNS_PARSE_TRUNC 2 /* TC set: retry over TCP */
void mtarep__dns_format_sa(const struct sockaddr_storage *sa, char *buf, size_t len);

/* zone.c */
int mtarep__dns_zone_load(mtarep_ctx *ctx, FILE *fp, const char *what);
void mtarep__dns_zone_free(struct dns_zone_db *db);
/* Answer from memory: *rrs_out (never NULL on OK) and *rcode_out. */
int mtarep__dns_zone_answer(mtarep_ctx *ctx, const struct dns_zone_db *db, const char *name,
                            ldns_rr_type type, ldns_rr_list **rrs_out, int *rcode_out);

/* net.c */
int mtarep__dns_net_new(struct mtarep_dns_engine *e);
void mtarep__dns_net_free(struct mtarep_dns_engine *e);
/* Put q on the wire (first try). Finishes q itself on failure. */
void mtarep__dns_net_start(struct mtarep_dns_engine *e, dns_query *q);
/* Wait up to max_ms (-1: until the next deadline) and process I/O and
 * timeouts. Returns 0 or a negative code on engine failure. */
int mtarep__dns_net_step(struct mtarep_dns_engine *e, int max_ms);
/* Send the datagrams queued by send_try (also done by net_step). */
void mtarep__dns_net_flush(struct mtarep_dns_engine *e);
/* Nothing left to send: probe the outstanding tail sooner. */
void mtarep__dns_net_tail(struct mtarep_dns_engine *e);
/* Finish every query on the wire with MTAREP_ECANCELLED. */
void mtarep__dns_net_cancel_all(struct mtarep_dns_engine *e);
int mtarep__dns_ns_ensure(struct mtarep_dns_engine *e);

#endif
