/* Network transport: many queries in flight over non-blocking UDP, TCP
 * when an answer is truncated, retries rotating over the nameservers.
 *
 * UDP sockets are connected (the kernel picks a random source port and
 * drops datagrams from any other peer) and shared by up to UDP_MAX_USES
 * queries over their life, then replaced: one socket per query would cost a
 * socket/connect/close per query, which is most of the work at high rates.
 * Answers are matched by socket + random ID, then source address, then the
 * question (wire.c); anything that does not match is dropped and the query
 * keeps waiting. Deadlines are a list in send order (every try gets the
 * same timeout), so expiry is a look at its head.
 *
 * Within a try, a datagram that got no answer after the server's RTO
 * (smoothed RTT + 4 x variance, RFC 6298 style, at least RTO_MIN_MS) is sent
 * again with the same ID, backing off exponentially until the try's
 * deadline: a lost packet then costs tens of milliseconds instead of a whole
 * timeout_ms, which is what dominates a large sweep against a busy server.
 * Tries, their timeout and rotation stay as configured.
 *
 * How many queries go out at once follows TCP's congestion control (slow
 * start, halving on loss, RFC 5681 in spirit) below max_inflight: a burst
 * of max_inflight datagrams overflows a busy server's socket buffer, and
 * every drop costs at least an RTO. Only a resent query that then gets its
 * answer counts as a loss: names or servers that never answer say nothing
 * about congestion, and queries already resent leave the window (not the
 * max_inflight cap), so they cannot starve the others. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include "dns_int.h"

#define UDP_TAB 256      /* per-socket ID table (open addressing) */
#define UDP_MAX_USES 128 /* < UDP_TAB: the table never fills, no deletion logic */
#define RECV_BATCH 32
#define SEND_BATCH 64
#define RECV_BUF 4096
#define EPOLL_BATCH 256
#define RTO_MIN_MS 50
#define RTO_INITIAL_MS 200 /* before the first RTT sample */
#define TLP_MIN_MS 10 /* tail probe floor, see mtarep__dns_net_tail() */
#define CWND_INIT 32
#define CWND_MIN 8

enum { K_UDP = 1, K_TCP = 2 };

typedef struct dns_udp {
    int kind;
    int fd;
    unsigned outstanding, uses;
    int retired, closing;
    int cur_idx; /* index in net->cur while current, else -1 */
    struct dns_udp *next_close;
    struct sockaddr_storage peer;
    socklen_t peerlen;
    char peertext[56];
    struct {
        dns_query *q;
        uint8_t used;
    } tab[UDP_TAB];
} dns_udp;

typedef struct dns_tcp {
    int kind;
    int fd;
    dns_query *q;
    int connected, writing;
    size_t woff;
    uint8_t lenbuf[2];
    size_t lgot;
    uint8_t *rbuf;
    size_t rneed, rgot;
    struct dns_tcp *next_free;
    char peertext[56];
} dns_tcp;

struct dns_net {
    int epfd;
    dns_query *thead, *ttail; /* deadline order */
    dns_query *rhead, *rtail; /* early retransmits, rto_at order */
    dns_udp *cur[DNS_MAX_NS];
    dns_udp *closeq;
    dns_tcp *tcpfree;
    uint16_t rnd[128];
    unsigned rndpos;
    /* Datagrams of this step not yet sent, in order: sent together with
     * sendmmsg() before the engine waits or delivers (see net_flush). */
    dns_query *sendq[SEND_BATCH];
    unsigned nsend;
    int flushing;
    struct mmsghdr smsgs[SEND_BATCH];
    struct iovec siov[SEND_BATCH];
    struct mmsghdr msgs[RECV_BATCH];
    struct iovec iov[RECV_BATCH];
    struct sockaddr_storage from[RECV_BATCH];
    uint8_t bufs[RECV_BATCH][RECV_BUF];
};

static void send_try(struct mtarep_dns_engine *e, dns_query *q);
static void send_failed(struct mtarep_dns_engine *e, dns_query *q, int err);
static void udp_refused(struct mtarep_dns_engine *e, dns_udp *u);
static void try_fail(struct mtarep_dns_engine *e, dns_query *q, int status, const char *fmt,
                     ...) MTAREP_PRINTF(4, 5);

/* ---- nameservers */

static void net_forget_sockets(struct mtarep_dns_engine *e);

static int set_ns_list(struct mtarep_dns_engine *e, const struct sockaddr_storage *ss,
                       const socklen_t *lens, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        e->ns[i] = ss[i];
        e->nslen[i] = lens[i];
        mtarep__dns_format_sa(&ss[i], e->nstext[i], sizeof e->nstext[i]);
    }
    e->nns = n;
    e->ns_set = 1;
    memset(e->srtt_us, 0, sizeof e->srtt_us);
    memset(e->rttvar_us, 0, sizeof e->rttvar_us);
    net_forget_sockets(e); /* indexes changed: the next try opens fresh sockets */
    return MTAREP_OK;
}

int mtarep__dns_add_nameserver(mtarep_ctx *ctx, const char *addr)
{
    struct mtarep_dns_engine *e = ctx->dns;
    struct sockaddr_storage ss;
    unsigned int len;

    if (mtarep__dns_parse_server(addr, &ss, &len) != MTAREP_OK)
        return mtarep__fail(ctx, MTAREP_EINVAL,
                            "bad nameserver '%.80s' (want IP, IP:PORT or [IPv6]:PORT, port "
                            "1..65535)",
                            addr);
    if (e->ns_set != 2) { /* the first explicit one replaces the default */
        e->nns = 0;
        memset(e->srtt_us, 0, sizeof e->srtt_us);
        memset(e->rttvar_us, 0, sizeof e->rttvar_us);
        net_forget_sockets(e);
    }
    if (e->nns >= DNS_MAX_NS)
        return mtarep__fail(ctx, MTAREP_ELIMIT, "at most %d nameservers", DNS_MAX_NS);
    e->ns[e->nns] = ss;
    e->nslen[e->nns] = (socklen_t)len;
    mtarep__dns_format_sa(&ss, e->nstext[e->nns], sizeof e->nstext[e->nns]);
    e->nns++;
    e->ns_set = 2;
    return MTAREP_OK;
}

int mtarep__dns_load_resolv_conf(mtarep_ctx *ctx, const char *path)
{
    struct mtarep_dns_engine *e = ctx->dns;
    struct sockaddr_storage ss[DNS_MAX_NS];
    socklen_t lens[DNS_MAX_NS];
    ldns_resolver *res = NULL;
    ldns_rdf **nss;
    unsigned n = 0;
    ldns_status st;
    FILE *fp;

    if (!path)
        path = "/etc/resolv.conf";
    fp = fopen(path, "re");
    if (!fp)
        return mtarep__fail(ctx, MTAREP_EIO, "cannot open %s: %s", path, strerror(errno));
    /* ldns's own resolv.conf parser; only its nameserver list is used. */
    st = ldns_resolver_new_frm_fp(&res, fp);
    fclose(fp);
    if (st != LDNS_STATUS_OK)
        return mtarep__fail(ctx, MTAREP_EPARSE, "cannot parse %s: %s", path,
                            ldns_get_errorstr_by_id(st));
    nss = ldns_resolver_nameservers(res);
    for (size_t i = 0; i < ldns_resolver_nameserver_count(res) && n < DNS_MAX_NS; i++) {
        size_t sl = 0;
        struct sockaddr_storage *sa = ldns_rdf2native_sockaddr_storage(nss[i], 53, &sl);
        if (!sa)
            continue;
        if (sl <= sizeof ss[n]) {
            memset(&ss[n], 0, sizeof ss[n]);
            memcpy(&ss[n], sa, sl);
            lens[n++] = (socklen_t)sl;
        }
        free(sa);
    }
    ldns_resolver_deep_free(res);
    if (n == 0)
        return mtarep__fail(ctx, MTAREP_ECONFIG, "no nameserver in %s", path);
    set_ns_list(e, ss, lens, n);
    mtarep__log(ctx, MTAREP_LOG_DEBUG, "dns: %u nameserver(s) from %s, first %s", n, path,
                e->nstext[0]);
    return MTAREP_OK;
}

int mtarep__dns_ns_ensure(struct mtarep_dns_engine *e)
{
    if (e->ns_set)
        return MTAREP_OK;
    e->ns_set = 1; /* read once, even if it fails */
    return mtarep__dns_load_resolv_conf(e->ctx, NULL);
}

/* ---- sockets */

static void udp_close_now(struct mtarep_dns_engine *e, dns_udp *u)
{
    (void)e;
    if (u->fd >= 0)
        close(u->fd); /* also leaves the epoll set */
    free(u);
}

static void udp_maybe_close(struct mtarep_dns_engine *e, dns_udp *u)
{
    if (u->retired && u->outstanding == 0 && !u->closing) {
        u->closing = 1;
        u->next_close = e->net->closeq;
        e->net->closeq = u;
    }
}

static void udp_retire(struct mtarep_dns_engine *e, dns_udp *u)
{
    if (u->retired)
        return;
    u->retired = 1;
    if (u->cur_idx >= 0 && e->net->cur[u->cur_idx] == u)
        e->net->cur[u->cur_idx] = NULL;
    u->cur_idx = -1;
    udp_maybe_close(e, u);
}

static void net_forget_sockets(struct mtarep_dns_engine *e)
{
    if (!e->net)
        return;
    for (int i = 0; i < DNS_MAX_NS; i++)
        if (e->net->cur[i])
            udp_retire(e, e->net->cur[i]);
}

/* Close sockets retired during an event batch, once nothing refers to them. */
static void flush_closed(struct mtarep_dns_engine *e)
{
    dns_udp *u;
    dns_tcp *t;

    while ((u = e->net->closeq)) {
        e->net->closeq = u->next_close;
        udp_close_now(e, u);
    }
    while ((t = e->net->tcpfree)) {
        e->net->tcpfree = t->next_free;
        free(t->rbuf);
        free(t);
    }
}

static dns_udp *udp_open(struct mtarep_dns_engine *e, unsigned ns)
{
    dns_udp *u = calloc(1, sizeof *u);
    struct epoll_event ev;

    if (!u)
        return NULL;
    u->kind = K_UDP;
    u->cur_idx = -1;
    u->peer = e->ns[ns];
    u->peerlen = e->nslen[ns];
    memcpy(u->peertext, e->nstext[ns], sizeof u->peertext);
    u->fd = socket(u->peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (u->fd < 0)
        goto fail;
    if (connect(u->fd, (struct sockaddr *)&u->peer, u->peerlen) != 0)
        goto fail;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = u;
    if (epoll_ctl(e->net->epfd, EPOLL_CTL_ADD, u->fd, &ev) != 0)
        goto fail;
    return u;
fail:
    if (u->fd >= 0)
        close(u->fd);
    free(u);
    return NULL;
}

static int random_id(struct mtarep_dns_engine *e, uint16_t *id)
{
    struct dns_net *n = e->net;
    if (n->rndpos == 0 || n->rndpos >= sizeof n->rnd / sizeof n->rnd[0]) {
        if (getrandom(n->rnd, sizeof n->rnd, 0) != (ssize_t)sizeof n->rnd)
            return MTAREP_ERROR;
        n->rndpos = 0;
    }
    *id = n->rnd[n->rndpos++];
    if (n->rndpos >= sizeof n->rnd / sizeof n->rnd[0])
        n->rndpos = 0;
    return MTAREP_OK;
}

/* ---- deadline list */

static void dl_remove(struct dns_net *n, dns_query *q)
{
    if (q->tprev)
        q->tprev->tnext = q->tnext;
    else if (n->thead == q)
        n->thead = q->tnext;
    if (q->tnext)
        q->tnext->tprev = q->tprev;
    else if (n->ttail == q)
        n->ttail = q->tprev;
    q->tprev = q->tnext = NULL;
}

static void dl_insert(struct dns_net *n, dns_query *q, uint64_t deadline)
{
    dns_query *p = n->ttail;
    q->deadline = deadline;
    while (p && p->deadline > deadline) /* only if the timeout was lowered */
        p = p->tprev;
    q->tprev = p;
    q->tnext = p ? p->tnext : n->thead;
    if (q->tnext)
        q->tnext->tprev = q;
    else
        n->ttail = q;
    if (p)
        p->tnext = q;
    else
        n->thead = q;
}

static void rl_remove(struct dns_net *n, dns_query *q)
{
    if (q->rprev)
        q->rprev->rnext = q->rnext;
    else if (n->rhead == q)
        n->rhead = q->rnext;
    if (q->rnext)
        q->rnext->rprev = q->rprev;
    else if (n->rtail == q)
        n->rtail = q->rprev;
    q->rprev = q->rnext = NULL;
}

static void rl_insert(struct dns_net *n, dns_query *q, uint64_t at)
{
    dns_query *p = n->rtail;
    q->rto_at = at;
    while (p && p->rto_at > at) /* short walk: RTOs change slowly */
        p = p->rprev;
    q->rprev = p;
    q->rnext = p ? p->rnext : n->rhead;
    if (q->rnext)
        q->rnext->rprev = q;
    else
        n->rtail = q;
    if (p)
        p->rnext = q;
    else
        n->rhead = q;
}

static unsigned rto_of(const struct mtarep_dns_engine *e, unsigned ns)
{
    uint64_t us;
    if (!e->srtt_us[ns])
        return RTO_INITIAL_MS;
    us = (uint64_t)e->srtt_us[ns] + 4u * (uint64_t)e->rttvar_us[ns];
    return us / 1000u < RTO_MIN_MS ? RTO_MIN_MS : (unsigned)(us / 1000u);
}

size_t mtarep__dns_window(const struct mtarep_dns_engine *e)
{
    size_t w = (size_t)(e->cwnd ? e->cwnd : CWND_INIT) + e->nlost;
    return w < e->ctx->opts.max_inflight ? w : e->ctx->opts.max_inflight;
}

static void cwnd_grow(struct mtarep_dns_engine *e)
{
    unsigned max = e->ctx->opts.max_inflight;
    if (!e->cwnd)
        e->cwnd = CWND_INIT;
    if (e->cwnd >= max)
        return;
    if (!e->ssthresh || e->cwnd < e->ssthresh) {
        e->cwnd++; /* slow start: doubles per round trip */
    } else if (++e->cwnd_acc >= e->cwnd) {
        e->cwnd_acc = 0; /* congestion avoidance: +1 per window */
        e->cwnd++;
    }
}

static void cwnd_cut(struct mtarep_dns_engine *e, uint64_t now)
{
    uint64_t srtt_ms = e->srtt_us[0] / 1000u + 1;
    if (!e->cwnd)
        e->cwnd = CWND_INIT;
    if (now < e->cwnd_cut_ms + srtt_ms)
        return; /* one cut per loss event, not per lost datagram */
    e->cwnd_cut_ms = now;
    e->ssthresh = e->cwnd / 2 < CWND_MIN ? CWND_MIN : e->cwnd / 2;
    e->cwnd = e->ssthresh;
    e->cwnd_acc = 0;
}

static void rtt_sample(struct mtarep_dns_engine *e, unsigned ns, uint64_t sent_us)
{
    cwnd_grow(e);
    uint64_t now = mtarep__dns_now_us();
    uint32_t s = now > sent_us ? (uint32_t)(now - sent_us > 60000000u ? 60000000u : now - sent_us) : 1;
    if (!e->srtt_us[ns]) {
        e->srtt_us[ns] = s;
        e->rttvar_us[ns] = s / 2;
    } else {
        uint32_t d = e->srtt_us[ns] > s ? e->srtt_us[ns] - s : s - e->srtt_us[ns];
        e->rttvar_us[ns] = (3u * e->rttvar_us[ns] + d) / 4u;
        e->srtt_us[ns] = (7u * e->srtt_us[ns] + s) / 8u;
    }
}

/* ---- finishing and retrying */

static void sendq_remove(struct dns_net *n, dns_query *q)
{
    for (unsigned i = 0; i < n->nsend; i++)
        if (n->sendq[i] == q) {
            memmove(&n->sendq[i], &n->sendq[i + 1], (n->nsend - i - 1) * sizeof n->sendq[0]);
            n->nsend--;
            break;
        }
    q->unsent = 0;
}

static void detach(struct mtarep_dns_engine *e, dns_query *q)
{
    if (q->unsent)
        sendq_remove(e->net, q); /* rare: a try failed before its datagram left */
    dl_remove(e->net, q);
    rl_remove(e->net, q);
    if (q->rexmit) {
        q->rexmit = 0;
        e->nlost--;
    }
    if (q->udp) {
        dns_udp *u = q->udp;
        u->tab[q->slot].q = NULL;
        u->outstanding--;
        q->udp = NULL;
        udp_maybe_close(e, u);
    }
    if (q->tcp) {
        dns_tcp *t = q->tcp;
        close(t->fd);
        t->fd = -1;
        t->q = NULL;
        t->next_free = e->net->tcpfree; /* freed after the event batch */
        e->net->tcpfree = t;
        q->tcp = NULL;
    }
}

static void net_done(struct mtarep_dns_engine *e, dns_query *q, dns_res *r)
{
    detach(e, q);
    e->inflight--;
    mtarep__dns_wire_put(e, q->wire);
    q->wire = NULL;
    if (e->ctx->opts.log_cb && e->ctx->opts.log_level >= MTAREP_LOG_DEBUG)
        mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d -> %s%s%s", q->name, q->type,
                    r ? mtarep_error_name(r->status) : "MTAREP_ENOMEM",
                    r && r->errmsg[0] ? ": " : "", r ? r->errmsg : "");
    mtarep__dns_finish(e, q, r);
}

static void try_fail(struct mtarep_dns_engine *e, dns_query *q, int status, const char *fmt, ...)
{
    char msg[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    detach(e, q);
    if (q->try_no + 1 < q->tries && e->nns > 0) {
        mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d try %u: %s", q->name, q->type,
                    q->try_no + 1, msg);
        q->try_no++;
        send_try(e, q);
        return;
    }
    if (q->tries > 1)
        net_done(e, q, mtarep__dns_res_new(status, -1, NULL, NULL, "%s (%u tries)", msg,
                                           q->tries));
    else
        net_done(e, q, mtarep__dns_res_new(status, -1, NULL, NULL, "%s", msg));
}

static void tcp_start(struct mtarep_dns_engine *e, dns_query *q, const struct sockaddr_storage *peer,
                      socklen_t peerlen, const char *peertext)
{
    dns_tcp *t = calloc(1, sizeof *t);
    struct epoll_event ev;
    int err;

    if (!t) {
        try_fail(e, q, MTAREP_ENOMEM, "out of memory");
        return;
    }
    t->kind = K_TCP;
    t->q = q;
    t->writing = 1;
    memcpy(t->peertext, peertext, sizeof t->peertext);
    t->fd = socket(peer->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0 || (connect(t->fd, (const struct sockaddr *)peer, peerlen) != 0 &&
                      errno != EINPROGRESS)) {
        err = errno;
        if (t->fd >= 0)
            close(t->fd);
        free(t);
        try_fail(e, q, MTAREP_ETEMPFAIL, "TCP to %s: %s", peertext, strerror(err));
        return;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.ptr = t;
    if (epoll_ctl(e->net->epfd, EPOLL_CTL_ADD, t->fd, &ev) != 0) {
        err = errno;
        close(t->fd);
        free(t);
        try_fail(e, q, MTAREP_ETEMPFAIL, "TCP to %s: %s", peertext, strerror(err));
        return;
    }
    q->tcp = t;
    dl_insert(e->net, q, mtarep__dns_now_ms() + e->ctx->opts.timeout_ms);
    mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d truncated, TCP to %s", q->name, q->type,
                peertext);
}

/* One try over UDP to nameserver try_no (rotating). */
static void send_try(struct mtarep_dns_engine *e, dns_query *q)
{
    struct dns_net *n = e->net;
    unsigned ns = q->try_no % e->nns;
    dns_udp *u = n->cur[ns];
    unsigned slot;
    uint16_t id;
    ssize_t w;
    uint64_t now;

    if (u && u->uses >= UDP_MAX_USES) {
        udp_retire(e, u);
        u = NULL;
    }
    if (!u) {
        u = udp_open(e, ns);
        if (!u) {
            try_fail(e, q, MTAREP_ETEMPFAIL, "cannot open a socket to %s: %s", e->nstext[ns],
                     strerror(errno));
            return;
        }
        u->cur_idx = (int)ns;
        n->cur[ns] = u;
    }
    /* An ID not used by a live query on this socket. */
    for (;;) {
        int busy = 0;
        if (random_id(e, &id) != MTAREP_OK) {
            try_fail(e, q, MTAREP_ERROR, "getrandom failed: %s", strerror(errno));
            return;
        }
        for (slot = id % UDP_TAB; u->tab[slot].used; slot = (slot + 1) % UDP_TAB)
            if (u->tab[slot].q && u->tab[slot].q->id == id)
                busy = 1;
        if (!busy)
            break;
    }
    q->id = id;
    q->slot = (uint16_t)slot;
    q->wire[0] = (uint8_t)(id >> 8); /* the ID is the only per-try change */
    q->wire[1] = (uint8_t)id;
    u->tab[slot].q = q;
    u->tab[slot].used = 1;
    u->uses++;
    u->outstanding++;
    q->udp = u;
    q->ns_idx = ns;
    now = mtarep__dns_now_ms();
    dl_insert(n, q, now + e->ctx->opts.timeout_ms);
    q->rto_ms = rto_of(e, ns);
    if (q->rto_ms < e->ctx->opts.timeout_ms)
        rl_insert(n, q, now + q->rto_ms);
    q->sent_us = mtarep__dns_now_us();
    if (n->nsend == SEND_BATCH && !n->flushing)
        mtarep__dns_net_flush(e);
    if (n->nsend < SEND_BATCH) {
        q->unsent = 1;
        n->sendq[n->nsend++] = q;
        return;
    }
    /* Queue full during a flush (a failed try moving on): send it now. */
    w = send(u->fd, q->wire, q->wirelen, 0);
    if (w < 0)
        send_failed(e, q, errno);
}

/* A datagram of q could not be sent (errno err). */
static void send_failed(struct mtarep_dns_engine *e, dns_query *q, int err)
{
    dns_udp *u = q->udp;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || !u)
        return; /* lost like any other packet: the RTO / timeout resends it */
    if (err == ECONNREFUSED) /* the ICMP error of an earlier packet: all are doomed */
        udp_refused(e, u);
    else
        try_fail(e, q, MTAREP_ETEMPFAIL, "send to %s: %s", u->peertext, strerror(err));
}

/* Send the queued datagrams, one sendmmsg() per run of the same socket:
 * a sweep sends a few dozen per step, and one system call each was a
 * measurable share of the library's CPU (docs/PERFORMANCE.md). Failures are
 * handled per datagram exactly as a single send()'s were. */
void mtarep__dns_net_flush(struct mtarep_dns_engine *e)
{
    struct dns_net *n = e->net;

    if (!n || n->flushing)
        return;
    n->flushing = 1;
    while (n->nsend > 0) {
        dns_udp *u = n->sendq[0]->udp;
        unsigned k = 0;
        int sent;

        while (k < n->nsend && n->sendq[k]->udp == u) {
            dns_query *q = n->sendq[k];
            n->siov[k].iov_base = q->wire;
            n->siov[k].iov_len = q->wirelen;
            memset(&n->smsgs[k].msg_hdr, 0, sizeof n->smsgs[k].msg_hdr);
            n->smsgs[k].msg_hdr.msg_iov = &n->siov[k];
            n->smsgs[k].msg_hdr.msg_iovlen = 1;
            k++;
        }
        sent = sendmmsg(u->fd, n->smsgs, k, 0);
        if (sent < 0) {
            int err = errno;
            dns_query *q = n->sendq[0];
            if (err == EINTR)
                continue;
            sendq_remove(n, q);
            send_failed(e, q, err); /* may requeue q (next try) or others */
            continue;
        }
        for (int i = 0; i < sent; i++)
            n->sendq[i]->unsent = 0;
        memmove(&n->sendq[0], &n->sendq[sent], (n->nsend - (unsigned)sent) * sizeof n->sendq[0]);
        n->nsend -= (unsigned)sent;
    }
    n->flushing = 0;
}

void mtarep__dns_net_start(struct mtarep_dns_engine *e, dns_query *q)
{
    int rc;

    q->state = Q_NET;
    q->udp = NULL;
    q->tcp = NULL;
    q->tprev = q->tnext = NULL;
    if (!e->net && (rc = mtarep__dns_net_new(e)) != MTAREP_OK) {
        mtarep__dns_finish(e, q, mtarep__dns_res_new(rc, -1, NULL, NULL,
                                                     "cannot set up DNS sockets"));
        return;
    }
    mtarep__dns_ns_ensure(e);
    if (e->nns == 0) {
        mtarep__dns_finish(e, q, mtarep__dns_res_new(MTAREP_ETEMPFAIL, -1, NULL, NULL,
                                                     "no nameserver configured"));
        return;
    }
    if (!(q->wire = mtarep__dns_wire_get(e))) {
        mtarep__dns_finish(e, q, NULL);
        return;
    }
    if ((rc = mtarep__dns_build_query(q)) != MTAREP_OK) {
        mtarep__dns_wire_put(e, q->wire);
        q->wire = NULL;
        mtarep__dns_finish(e, q, mtarep__dns_res_new(rc, -1, NULL, NULL,
                                                     "cannot build the query for %s",
                                                     q->name));
        return;
    }
    q->tries = e->ctx->opts.retries + 1;
    q->try_no = 0;
    e->inflight++;
    send_try(e, q);
}

/* ---- receiving */

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return 0;
}

/* A validated answer (or a verdict about one) for q from peertext. */
static void handle_answer(struct mtarep_dns_engine *e, dns_query *q, const uint8_t *buf,
                          size_t len, const char *peertext, int truncated_read)
{
    ldns_pkt *pkt = NULL;
    ldns_rr_list *rrs = NULL;
    char err[256];
    int rcode = -1, rc;

    if (truncated_read) {
        rc = DNS_PARSE_TRUNC;
    } else {
        rc = mtarep__dns_check_answer(buf, len, 1, q->id, q->wire + 12, q->qwlen, q->type, 0,
                                      &pkt, &rrs, &rcode, err, sizeof err);
    }
    if (rc != DNS_PARSE_IGNORE && q->udp) {
        if (!q->rexmit)
            rtt_sample(e, q->ns_idx, q->sent_us);
        else
            cwnd_cut(e, mtarep__dns_now_ms()); /* a datagram was lost (or late) */
    }
    switch (rc) {
    case MTAREP_OK: {
        dns_res *r = malloc(sizeof *r + 1);
        if (r) {
            r->refs = 1;
            r->status = MTAREP_OK;
            r->rcode = rcode;
            r->rrs_borrowed = 1;
            r->pkt = pkt;
            r->rrs = rrs;
            r->errmsg[0] = '\0';
        } else {
            ldns_rr_list_free(rrs);
            ldns_pkt_free(pkt);
        }
        net_done(e, q, r);
        break;
    }
    case DNS_PARSE_IGNORE: /* spoofed or stray: keep waiting */
        mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d: ignored a packet from %s: %s",
                    q->name, q->type, peertext, err);
        break;
    case DNS_PARSE_TRUNC:
        if (q->udp) {
            dns_udp *u = q->udp;
            detach(e, q);
            tcp_start(e, q, &u->peer, u->peerlen, u->peertext);
        } else {
            try_fail(e, q, MTAREP_ETEMPFAIL, "truncated answer over TCP from %s", peertext);
        }
        break;
    case MTAREP_ETEMPFAIL:
        try_fail(e, q, MTAREP_ETEMPFAIL, "%s from %s", err, peertext);
        break;
    case MTAREP_EPARSE:
        net_done(e, q, mtarep__dns_res_new(MTAREP_EPARSE, -1, NULL, NULL,
                                           "malformed answer from %s: %s", peertext, err));
        break;
    default:
        net_done(e, q, mtarep__dns_res_new(rc, -1, NULL, NULL, "%s", err));
        break;
    }
}

static void udp_refused(struct mtarep_dns_engine *e, dns_udp *u)
{
    udp_retire(e, u);
    for (unsigned i = 0; i < UDP_TAB && u->outstanding > 0; i++) {
        dns_query *q = u->tab[i].q;
        if (q)
            try_fail(e, q, MTAREP_ETEMPFAIL, "connection refused by %s", u->peertext);
    }
}

static void udp_readable(struct mtarep_dns_engine *e, dns_udp *u)
{
    struct dns_net *n = e->net;

    for (;;) {
        int got;
        for (int i = 0; i < RECV_BATCH; i++) {
            n->iov[i].iov_base = n->bufs[i];
            n->iov[i].iov_len = RECV_BUF;
            memset(&n->msgs[i].msg_hdr, 0, sizeof n->msgs[i].msg_hdr);
            n->msgs[i].msg_hdr.msg_iov = &n->iov[i];
            n->msgs[i].msg_hdr.msg_iovlen = 1;
            n->msgs[i].msg_hdr.msg_name = &n->from[i];
            n->msgs[i].msg_hdr.msg_namelen = sizeof n->from[i];
        }
        got = recvmmsg(u->fd, n->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
        if (got < 0) {
            if (errno == ECONNREFUSED) { /* ICMP port unreachable from the peer */
                udp_refused(e, u);
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: recv from %s: %s", u->peertext,
                            strerror(errno));
            return;
        }
        for (int i = 0; i < got; i++) {
            const uint8_t *b = n->bufs[i];
            size_t len = n->msgs[i].msg_len;
            uint16_t id;
            unsigned slot;
            dns_query *q = NULL;

            if (len < 2 || !same_addr(&n->from[i], &u->peer))
                continue;
            id = (uint16_t)((b[0] << 8) | b[1]);
            for (slot = id % UDP_TAB; u->tab[slot].used; slot = (slot + 1) % UDP_TAB) {
                if (u->tab[slot].q && u->tab[slot].q->id == id) {
                    q = u->tab[slot].q;
                    break;
                }
            }
            if (!q)
                continue; /* late answer to a finished try, or a guess */
            handle_answer(e, q, b, len, u->peertext, (n->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
        }
        if (got < RECV_BATCH)
            return;
    }
}

static void tcp_event(struct mtarep_dns_engine *e, dns_tcp *t, uint32_t events)
{
    dns_query *q = t->q;
    ssize_t r;

    if (!q)
        return;
    if (t->writing) {
        uint8_t out[2 + DNS_WIRE_MAX];
        size_t total = 2 + q->wirelen;
        int soerr = 0;
        socklen_t sl = sizeof soerr;

        if (!t->connected) {
            if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = errno;
            if (soerr) {
                try_fail(e, q, MTAREP_ETEMPFAIL, "TCP to %s: %s", t->peertext, strerror(soerr));
                return;
            }
            t->connected = 1;
        }
        out[0] = (uint8_t)(q->wirelen >> 8); /* RFC 1035 4.2.2 length prefix */
        out[1] = (uint8_t)q->wirelen;
        memcpy(out + 2, q->wire, q->wirelen);
        r = send(t->fd, out + t->woff, total - t->woff, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            try_fail(e, q, MTAREP_ETEMPFAIL, "TCP to %s: %s", t->peertext, strerror(errno));
            return;
        }
        t->woff += (size_t)r;
        if (t->woff == total) {
            struct epoll_event ev;
            memset(&ev, 0, sizeof ev);
            ev.events = EPOLLIN;
            ev.data.ptr = t;
            t->writing = 0;
            if (epoll_ctl(e->net->epfd, EPOLL_CTL_MOD, t->fd, &ev) != 0)
                try_fail(e, q, MTAREP_ETEMPFAIL, "TCP to %s: %s", t->peertext, strerror(errno));
        }
        return;
    }
    (void)events;
    for (;;) {
        if (t->lgot < 2) {
            r = recv(t->fd, t->lenbuf + t->lgot, 2 - t->lgot, 0);
        } else {
            if (!t->rbuf) {
                t->rneed = ((size_t)t->lenbuf[0] << 8) | t->lenbuf[1];
                t->rgot = 0;
                if (t->rneed < 2 || !(t->rbuf = malloc(t->rneed))) {
                    try_fail(e, q, MTAREP_ETEMPFAIL, "bad TCP answer length from %s",
                             t->peertext);
                    return;
                }
            }
            r = recv(t->fd, t->rbuf + t->rgot, t->rneed - t->rgot, 0);
        }
        if (r == 0) {
            try_fail(e, q, MTAREP_ETEMPFAIL, "TCP connection closed by %s", t->peertext);
            return;
        }
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            try_fail(e, q, MTAREP_ETEMPFAIL, "TCP from %s: %s", t->peertext, strerror(errno));
            return;
        }
        if (t->lgot < 2) {
            t->lgot += (size_t)r;
            continue;
        }
        t->rgot += (size_t)r;
        if (t->rgot < t->rneed)
            continue;
        /* A whole message. The ID and question must match here too; a
         * stray message is skipped and the next one read. */
        if (t->rneed >= 2 && (uint16_t)((t->rbuf[0] << 8) | t->rbuf[1]) != q->id) {
            free(t->rbuf);
            t->rbuf = NULL;
            t->lgot = 0;
            continue;
        }
        {
            uint8_t *buf = t->rbuf;
            size_t len = t->rneed;
            t->rbuf = NULL;
            t->lgot = 0;
            handle_answer(e, q, buf, len, t->peertext, 0);
            free(buf);
        }
        if (t->q != q || q->tcp != t)
            return; /* finished or moved on */
    }
}

static void process_timeouts(struct mtarep_dns_engine *e, uint64_t now)
{
    dns_query *q;
    while ((q = e->net->rhead) && q->rto_at <= now) {
        rl_remove(e->net, q);
        if (!q->udp)
            continue;
        if (!q->rexmit) {
            q->rexmit = 1;
            e->nlost++;
        }
        if (e->ctx->opts.log_cb && e->ctx->opts.log_level >= MTAREP_LOG_DEBUG)
            mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d resent to %s after %u ms",
                        q->name, q->type, q->udp->peertext, q->rto_ms);
        if (send(q->udp->fd, q->wire, q->wirelen, 0) < 0 && errno == ECONNREFUSED) {
            udp_refused(e, q->udp);
            continue;
        }
        q->rto_ms *= 2;
        if (now + q->rto_ms < q->deadline)
            rl_insert(e->net, q, now + q->rto_ms);
    }
    while ((q = e->net->thead) && q->deadline <= now) {
        if (q->tcp)
            try_fail(e, q, MTAREP_ETIMEOUT, "no TCP answer from %s", q->tcp->peertext);
        else if (q->udp)
            try_fail(e, q, MTAREP_ETIMEOUT, "no answer from %s", q->udp->peertext);
        else
            try_fail(e, q, MTAREP_ETIMEOUT, "no answer");
    }
}

int mtarep__dns_net_step(struct mtarep_dns_engine *e, int max_ms)
{
    struct epoll_event evs[EPOLL_BATCH];
    struct dns_net *n = e->net;
    uint64_t now;
    int timeout, got;

    if (!n || e->inflight == 0)
        return MTAREP_OK;
    mtarep__dns_net_flush(e);
    now = mtarep__dns_now_ms();
    process_timeouts(e, now);
    mtarep__dns_net_flush(e);
    flush_closed(e);
    if (e->doneq.head || !n->thead)
        return MTAREP_OK;
    timeout = n->thead->deadline > now ? (int)(n->thead->deadline - now) : 0;
    if (n->rhead) {
        int r = n->rhead->rto_at > now ? (int)(n->rhead->rto_at - now) : 0;
        if (r < timeout)
            timeout = r;
    }
    if (max_ms >= 0 && timeout > max_ms)
        timeout = max_ms;
    if (mtarep__dns_side_busy(e)) {
        /* the side job waits for its own events and for ours */
        e->side->wait(e->side->arg, n->epfd, timeout);
        timeout = 0;
    }
    got = epoll_wait(n->epfd, evs, EPOLL_BATCH, timeout);
    if (got < 0) {
        if (errno == EINTR)
            return MTAREP_OK;
        return mtarep__fail(e->ctx, MTAREP_EIO, "epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < got; i++) {
        int *kind = evs[i].data.ptr;
        if (*kind == K_UDP)
            udp_readable(e, (dns_udp *)kind);
        else
            tcp_event(e, (dns_tcp *)kind, evs[i].events);
    }
    flush_closed(e);
    process_timeouts(e, mtarep__dns_now_ms());
    mtarep__dns_net_flush(e);
    flush_closed(e);
    return MTAREP_OK;
}

/* Nothing is left to send: whatever is still outstanding is the tail of a
 * sweep, where a lost datagram would hold up the whole run for an RTO.
 * Probe it sooner, after 2 x SRTT (TCP's tail loss probe, RFC 8985 in
 * spirit); it costs at most one extra datagram per query. */
void mtarep__dns_net_tail(struct mtarep_dns_engine *e)
{
    struct dns_net *n = e->net;
    dns_query *chain = NULL, **tail = &chain, *q;

    if (!n)
        return;
    while ((q = n->rhead)) { /* unhook all, keeping their order */
        rl_remove(n, q);
        *tail = q;
        tail = &q->rnext;
    }
    while ((q = chain)) {
        uint64_t pto = e->srtt_us[q->ns_idx] ? 2u * e->srtt_us[q->ns_idx] / 1000u : 0;
        uint64_t at = q->sent_us / 1000u + (pto < TLP_MIN_MS ? TLP_MIN_MS : pto);
        chain = q->rnext;
        q->rnext = NULL;
        rl_insert(n, q, q->rexmit || at > q->rto_at ? q->rto_at : at);
    }
}

void mtarep__dns_net_cancel_all(struct mtarep_dns_engine *e)
{
    dns_query *q;
    if (!e->net)
        return;
    while ((q = e->net->thead))
        net_done(e, q, mtarep__dns_res_new(MTAREP_ECANCELLED, -1, NULL, NULL,
                                           "context freed"));
    flush_closed(e);
}

int mtarep__dns_net_new(struct mtarep_dns_engine *e)
{
    struct dns_net *n = calloc(1, sizeof *n);
    if (!n)
        return MTAREP_ENOMEM;
    n->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (n->epfd < 0) {
        free(n);
        return mtarep__fail(e->ctx, MTAREP_EIO, "epoll_create1: %s", strerror(errno));
    }
    e->net = n;
    return MTAREP_OK;
}

void mtarep__dns_net_free(struct mtarep_dns_engine *e)
{
    struct dns_net *n = e->net;
    if (!n)
        return;
    net_forget_sockets(e);
    flush_closed(e);
    close(n->epfd);
    free(n);
    e->net = NULL;
}
