/* The query engine: submit/run, per-context cache with coalescing of
 * identical questions, callback delivery, and the dispatch to the static
 * zones, a plugged-in resolver or the network (net.c).
 *
 * Callbacks are only ever called from deliver_all(), at the top of the run
 * loop, after the query has left every internal structure: a callback may
 * submit, clear the cache or even run the engine again. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_int.h"

#define CACHE_MAX_ENTRIES 200000
#define CACHE_MAX_TTL 86400u
#define CACHE_NEG_TTL 60u
#define FREEQ_MAX 4096 /* recycled query structs kept (~3 MB at most) */

uint64_t mtarep__dns_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t mtarep__dns_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void mtarep__dns_fifo_push(dns_qfifo *f, dns_query *q)
{
    q->next = NULL;
    if (f->tail)
        f->tail->next = q;
    else
        f->head = q;
    f->tail = q;
}

dns_query *mtarep__dns_fifo_pop(dns_qfifo *f)
{
    dns_query *q = f->head;
    if (q) {
        f->head = q->next;
        if (!f->head)
            f->tail = NULL;
        q->next = NULL;
    }
    return q;
}

dns_res *mtarep__dns_res_new(int status, int rcode, ldns_pkt *pkt, ldns_rr_list *rrs,
                             const char *fmt, ...)
{
    char msg[512];
    size_t n = 0;
    dns_res *r;

    msg[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        n = strlen(msg);
    }
    r = malloc(sizeof *r + n + 1);
    if (!r) {
        ldns_pkt_free(pkt);
        ldns_rr_list_deep_free(rrs);
        return NULL;
    }
    r->refs = 1;
    r->rrs_borrowed = 0;
    r->status = status;
    r->rcode = rcode;
    r->pkt = pkt;
    r->rrs = rrs;
    memcpy(r->errmsg, msg, n + 1);
    return r;
}

void mtarep__dns_res_unref(dns_res *r)
{
    if (r && --r->refs == 0) {
        if (r->rrs_borrowed)
            ldns_rr_list_free(r->rrs);
        else
            ldns_rr_list_deep_free(r->rrs);
        ldns_pkt_free(r->pkt);
        free(r);
    }
}

/* A result we can always hand out, even when malloc fails: the engine's
 * own, whose reference the engine holds until it is freed. */
static dns_res *res_or_oom(struct mtarep_dns_engine *e, dns_res *r)
{
    if (r)
        return r;
    e->oom->refs++;
    return e->oom;
}

static dns_query *qalloc(struct mtarep_dns_engine *e)
{
    dns_query *q = e->freeq;
    if (q) {
        e->freeq = q->next;
        e->nfreeq--;
    } else if (!(q = malloc(sizeof *q))) {
        return NULL;
    }
    /* Only the header fields: the name is written before use. */
    memset(q, 0, offsetof(dns_query, name));
    q->eng = e;
    return q;
}

static void qfree(struct mtarep_dns_engine *e, dns_query *q)
{
    if (e->nfreeq < FREEQ_MAX) {
        q->next = e->freeq;
        e->freeq = q;
        e->nfreeq++;
    } else {
        free(q);
    }
}

/* Kept apart from the query struct: only queries on the wire need one, and
 * a sweep may queue many thousands of queries behind max_inflight. */
typedef union wire_buf {
    union wire_buf *next;
    uint8_t b[DNS_WIRE_MAX];
} wire_buf;

uint8_t *mtarep__dns_wire_get(struct mtarep_dns_engine *e)
{
    wire_buf *w = e->wire_free;
    if (w) {
        e->wire_free = w->next;
        e->nwire_free--;
        return w->b;
    }
    w = malloc(sizeof *w);
    return w ? w->b : NULL;
}

void mtarep__dns_wire_put(struct mtarep_dns_engine *e, uint8_t *b)
{
    wire_buf *w = (wire_buf *)(void *)b;
    if (!w)
        return;
    if (e->nwire_free < FREEQ_MAX) {
        w->next = e->wire_free;
        e->wire_free = w;
        e->nwire_free++;
    } else {
        free(w);
    }
}

/* ---- cache (also the table of questions on the wire, for coalescing) */

static uint32_t key_hash(const char *name, ldns_rr_type type)
{
    uint32_t h = 2166136261u ^ (uint32_t)type;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static cache_ent **cache_slot(struct mtarep_dns_engine *e, const char *name, ldns_rr_type type,
                              uint32_t h)
{
    cache_ent **pp;
    if (!e->nbuckets)
        return NULL;
    for (pp = &e->buckets[h & (e->nbuckets - 1)]; *pp; pp = &(*pp)->hnext)
        if ((*pp)->hash == h && (*pp)->type == type && strcmp((*pp)->name, name) == 0)
            return pp;
    return NULL;
}

/* Callers keep e->nents / e->ncached right. */
static void ent_free(cache_ent *c)
{
    mtarep__dns_res_unref(c->res);
    free(c);
}

static void cache_unlink(struct mtarep_dns_engine *e, cache_ent *c)
{
    cache_ent **pp = &e->buckets[c->hash & (e->nbuckets - 1)];
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp) {
        *pp = c->hnext;
        e->nents--;
    }
}

/* Drop resolved entries (all, or only expired ones); pending ones stay. */
static void cache_purge(struct mtarep_dns_engine *e, int only_expired)
{
    uint64_t now = mtarep__dns_now_ms();
    for (size_t i = 0; i < e->nbuckets; i++) {
        cache_ent **pp = &e->buckets[i];
        while (*pp) {
            cache_ent *c = *pp;
            if (c->res && (!only_expired || c->expires <= now)) {
                *pp = c->hnext;
                e->nents--;
                e->ncached--;
                ent_free(c);
            } else {
                pp = &c->hnext;
            }
        }
    }
}

static cache_ent *cache_add(struct mtarep_dns_engine *e, const char *name, ldns_rr_type type,
                            uint32_t h)
{
    size_t n = strlen(name) + 1;
    cache_ent *c;

    if (e->nents >= e->nbuckets) {
        size_t nb = e->nbuckets ? e->nbuckets * 2 : 256;
        cache_ent **b = calloc(nb, sizeof *b);
        if (!b)
            return NULL;
        for (size_t i = 0; i < e->nbuckets; i++) {
            cache_ent *x = e->buckets[i], *nx;
            for (; x; x = nx) {
                nx = x->hnext;
                x->hnext = b[x->hash & (nb - 1)];
                b[x->hash & (nb - 1)] = x;
            }
        }
        free(e->buckets);
        e->buckets = b;
        e->nbuckets = nb;
    }
    c = malloc(sizeof *c + n);
    if (!c)
        return NULL;
    c->hash = h;
    c->type = type;
    c->res = NULL;
    c->leader = NULL;
    c->expires = 0;
    memcpy(c->name, name, n);
    c->hnext = e->buckets[h & (e->nbuckets - 1)];
    e->buckets[h & (e->nbuckets - 1)] = c;
    e->nents++;
    return c;
}

void mtarep__dns_clear_cache(mtarep_ctx *ctx)
{
    if (ctx && ctx->dns)
        cache_purge(ctx->dns, 0);
}

/* Seconds a verdict may be reused: the smallest TTL of the records; for
 * negative answers the SOA's (min of its TTL and MINIMUM, RFC 2308). */
static uint32_t res_ttl(const dns_res *r)
{
    uint32_t ttl = UINT32_MAX;
    size_t n = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t t = ldns_rr_ttl(ldns_rr_list_rr(r->rrs, i));
        if (t < ttl)
            ttl = t;
    }
    if (n == 0 && r->pkt) {
        const ldns_rr_list *au = ldns_pkt_authority(r->pkt);
        for (size_t i = 0; au && i < ldns_rr_list_rr_count(au); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(au, i);
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 7) {
                uint32_t m = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
                ttl = ldns_rr_ttl(rr) < m ? ldns_rr_ttl(rr) : m;
                break;
            }
        }
    }
    if (ttl == UINT32_MAX)
        ttl = CACHE_NEG_TTL;
    return ttl > CACHE_MAX_TTL ? CACHE_MAX_TTL : ttl;
}

void mtarep__dns_finish(struct mtarep_dns_engine *e, dns_query *q, dns_res *r)
{
    cache_ent *c = q->ent;
    dns_query *f, *nf;

    r = res_or_oom(e, r);
    if (c) {
        c->leader = NULL;
        q->ent = NULL;
        if (r->status == MTAREP_OK && e->ctx->opts.use_cache && !e->closing &&
            e->ncached < CACHE_MAX_ENTRIES) {
            uint32_t ttl = res_ttl(r);
            e->ncached++;
            c->res = r;
            r->refs++;
            c->expires = mtarep__dns_now_ms() + (uint64_t)ttl * 1000u;
        } else {
            cache_unlink(e, c);
            ent_free(c);
        }
    }
    for (f = q->followers; f; f = nf) {
        nf = f->next;
        f->res = r;
        r->refs++;
        f->state = Q_DONE;
        mtarep__dns_fifo_push(&e->doneq, f);
    }
    q->followers = NULL;
    q->res = r;
    q->state = Q_DONE;
    mtarep__dns_fifo_push(&e->doneq, q);
}

/* ---- plugged-in resolver */

static void plug_unlink(struct mtarep_dns_engine *e, dns_query *q)
{
    if (q->tprev)
        q->tprev->tnext = q->tnext;
    else
        e->plug_head = q->tnext;
    if (q->tnext)
        q->tnext->tprev = q->tprev;
    else
        e->plug_tail = q->tprev;
    q->tprev = q->tnext = NULL;
    e->plug_out--;
}

static void plug_done(int status, const unsigned char *wire, size_t len, void *arg)
{
    dns_query *q = arg;
    struct mtarep_dns_engine *e;
    ldns_pkt *pkt = NULL;
    ldns_rr_list *rrs = NULL;
    char err[256];
    int rcode = -1, rc;
    dns_res *r;

    if (!q || q->state != Q_PLUG)
        return; /* given up on already, or a second call */
    e = q->eng;
    plug_unlink(e, q);
    if (status != 0) {
        if (status > 0 || status == MTAREP_EPARSE)
            status = MTAREP_ETEMPFAIL;
        r = mtarep__dns_res_new(status, -1, NULL, NULL, "plugged resolver: %s",
                                mtarep_strerror(status));
    } else {
        rc = mtarep__dns_parse_answer_ex(wire, len, 0, 0, q->name, q->type, &pkt, &rrs,
                                         &rcode, err, sizeof err);
        if (rc == MTAREP_OK)
            r = mtarep__dns_res_new(MTAREP_OK, rcode, pkt, rrs, NULL);
        else if (rc == DNS_PARSE_IGNORE)
            r = mtarep__dns_res_new(MTAREP_EPARSE, -1, NULL, NULL,
                                    "plugged resolver: %s", err);
        else if (rc == DNS_PARSE_TRUNC)
            r = mtarep__dns_res_new(MTAREP_ETEMPFAIL, -1, NULL, NULL,
                                    "plugged resolver: truncated answer");
        else if (rc == MTAREP_ETEMPFAIL)
            r = mtarep__dns_res_new(rc, rcode, NULL, NULL, "%s from plugged resolver", err);
        else if (rc == MTAREP_EPARSE)
            r = mtarep__dns_res_new(rc, -1, NULL, NULL,
                                    "malformed answer from plugged resolver: %s", err);
        else
            r = mtarep__dns_res_new(rc, -1, NULL, NULL, "plugged resolver: %s", err);
    }
    mtarep__log(e->ctx, MTAREP_LOG_DEBUG, "dns: %s/%d via plugged resolver: %s", q->name,
                q->type, r ? mtarep_error_name(r->status) : "ENOMEM");
    mtarep__dns_finish(e, q, r);
}

/* Give up on a query the plugged resolver still holds: its done callback
 * may yet come, so the struct lives on (as a zombie) until the engine is
 * freed, and a copy carries the answer to the caller. */
static void plug_abandon(struct mtarep_dns_engine *e, dns_query *q, int status,
                         const char *why)
{
    dns_query *c = qalloc(e);

    plug_unlink(e, q);
    q->state = Q_ZOMBIE;
    if (!c) {
        /* Out of memory: deliver q itself. A late done() for it is then
         * ignored as long as the struct is not reused for another plugged
         * query (its state is not Q_PLUG). */
        mtarep__dns_finish(e, q, mtarep__dns_res_new(status, -1, NULL, NULL, "%s", why));
        return;
    }
    c->cb = q->cb;
    c->arg = q->arg;
    c->type = q->type;
    c->followers = q->followers;
    c->ent = q->ent;
    if (c->ent)
        c->ent->leader = c;
    memcpy(c->name, q->name, sizeof c->name);
    q->followers = NULL;
    q->ent = NULL;
    q->next = e->zombies;
    e->zombies = q;
    mtarep__dns_finish(e, c,
                       mtarep__dns_res_new(status, -1, NULL, NULL, "%s for %s", why, c->name));
}

static void plug_start(struct mtarep_dns_engine *e, dns_query *q)
{
    unsigned tries = e->ctx->opts.retries + 1;
    int rc;

    q->state = Q_PLUG;
    /* Our own backstop in case the resolver never answers. */
    q->deadline = mtarep__dns_now_ms() + (uint64_t)e->ctx->opts.timeout_ms * tries + 1000u;
    q->tprev = e->plug_tail;
    q->tnext = NULL;
    if (e->plug_tail)
        e->plug_tail->tnext = q;
    else
        e->plug_head = q;
    e->plug_tail = q;
    e->plug_out++;
    rc = e->plug.submit(e->plug_payload, q->name, (int)q->type, plug_done, q);
    if (rc != 0 && q->state == Q_PLUG) {
        plug_unlink(e, q);
        if (rc > 0 || rc == MTAREP_EPARSE)
            rc = MTAREP_ETEMPFAIL;
        mtarep__dns_finish(e, q,
                           mtarep__dns_res_new(rc, -1, NULL, NULL,
                                               "plugged resolver refused %s: %s", q->name,
                                               mtarep_strerror(rc)));
    }
}

static int plug_step(struct mtarep_dns_engine *e, int max_ms)
{
    uint64_t now = mtarep__dns_now_ms();
    int left, wait;

    while (e->plug_head && e->plug_head->deadline <= now)
        plug_abandon(e, e->plug_head, MTAREP_ETIMEOUT, "plugged resolver did not answer");
    if (!e->plug_head)
        return MTAREP_OK;
    wait = (int)(e->plug_head->deadline - now);
    if (wait > (int)e->ctx->opts.timeout_ms)
        wait = (int)e->ctx->opts.timeout_ms;
    if (max_ms >= 0 && wait > max_ms)
        wait = max_ms;
    left = e->plug.poll(e->plug_payload, wait);
    if (left < 0 || (left == 0 && e->plug_head)) {
        /* The resolver failed or forgot queries: they will never finish. */
        if (left < 0 && e->plug.cancel_all)
            e->plug.cancel_all(e->plug_payload);
        while (e->plug_head)
            plug_abandon(e, e->plug_head, MTAREP_ETEMPFAIL,
                         left < 0 ? "plugged resolver failed" : "plugged resolver lost the query");
        return left < 0 ? mtarep__fail(e->ctx, MTAREP_ETEMPFAIL,
                                       "plugged resolver poll failed: %s",
                                       mtarep_strerror(left))
                        : MTAREP_OK;
    }
    return MTAREP_OK;
}

int mtarep__dns_set_resolver(mtarep_ctx *ctx, const mtarep_resolver_ops *ops, void *payload)
{
    struct mtarep_dns_engine *e = ctx->dns;
    if (ops) {
        e->plug = *ops;
        e->plug_payload = payload;
        e->plugged = 1;
    } else {
        e->plugged = 0;
    }
    return MTAREP_OK;
}

/* ---- dispatch and the run loop */

/* Answer q from the cache or attach it to the same question on the wire.
 * Returns 1 if done so; else 0 with *hash_out set for begin(). */
static int from_cache(struct mtarep_dns_engine *e, dns_query *q, uint32_t *hash_out)
{
    uint32_t h = key_hash(q->name, q->type);
    cache_ent **pp = cache_slot(e, q->name, q->type, h), *c;

    *hash_out = h;
    if (!pp)
        return 0;
    c = *pp;
    if (c->leader) { /* same question already on its way */
        q->state = Q_FOLLOW;
        q->next = c->leader->followers;
        c->leader->followers = q;
        return 1;
    }
    if (c->expires > mtarep__dns_now_ms()) {
        c->res->refs++;
        mtarep__dns_finish(e, q, c->res);
        return 1;
    }
    *pp = c->hnext;
    e->nents--;
    e->ncached--;
    ent_free(c);
    return 0;
}

/* Send q (network or plugged resolver), registered as the leader of its
 * question so that identical ones coalesce. Queries waiting for a slot are
 * not in the table: at high rates it would hold every queued query. */
static void begin(struct mtarep_dns_engine *e, dns_query *q)
{
    uint32_t h;
    cache_ent *c;

    if (from_cache(e, q, &h))
        return;
    if (e->ncached >= CACHE_MAX_ENTRIES) {
        /* Full: drop what expired; if that freed little, drop everything,
         * so the scan is paid at most once per CACHE_MAX_ENTRIES/2 inserts. */
        cache_purge(e, 1);
        if (e->ncached >= CACHE_MAX_ENTRIES / 2)
            cache_purge(e, 0);
    }
    c = cache_add(e, q->name, q->type, h);
    if (c) { /* without an entry the query just is not coalesced */
        c->leader = q;
        q->ent = c;
    }
    if (e->plugged)
        plug_start(e, q);
    else
        mtarep__dns_net_start(e, q);
}

static void dispatch(struct mtarep_dns_engine *e, dns_query *q)
{
    uint32_t h;

    if (e->zones) {
        ldns_rr_list *rrs = NULL;
        int rcode = 0;
        int rc = mtarep__dns_zone_answer(e->ctx, e->zones, q->name, q->type, &rrs, &rcode);
        mtarep__dns_finish(e, q,
                           rc == MTAREP_OK
                               ? mtarep__dns_res_new(MTAREP_OK, rcode, NULL, rrs, NULL)
                               : mtarep__dns_res_new(rc, -1, NULL, NULL, "static zone: %s",
                                                     mtarep_strerror(rc)));
        return;
    }
    if (e->plugged || e->inflight < mtarep__dns_window(e)) {
        begin(e, q);
    } else if (!(e->nents && from_cache(e, q, &h))) {
        q->state = Q_WAIT;
        mtarep__dns_fifo_push(&e->waitq, q);
    }
}

static void deliver_all(struct mtarep_dns_engine *e)
{
    dns_query *q;

    while ((q = mtarep__dns_fifo_pop(&e->doneq))) {
        dns_res *r = q->res;
        mtarep_dns_answer a;
        mtarep_dns_cb cb = q->cb;
        void *arg = q->arg;

        a.status = r->status;
        a.rcode = r->status == MTAREP_OK ? r->rcode : -1;
        a.rrs = r->status == MTAREP_OK ? r->rrs : NULL;
        a.pkt = r->status == MTAREP_OK ? r->pkt : NULL;
        a.errmsg = r->status == MTAREP_OK ? NULL : (r->errmsg[0] ? r->errmsg
                                                                : mtarep_strerror(r->status));
        a.qname = q->name;
        a.qtype = q->type;
        q->state = Q_ZOMBIE; /* nothing may touch it during the callback */
        cb(&a, arg);
        mtarep__dns_res_unref(r);
        qfree(e, q);
    }
}

/* Names as RFC 2181 11 allows: any printable octet but '\\' (ldns would
 * read it as an escape), labels 1..63, <= 253 in all; lower-cased, trailing
 * dot dropped. For SPF domain-specs ("foo:bar/baz.example.com"). */
static int dns_name_any(const char *name, char *buf, size_t len)
{
    size_t n = strlen(name), label = 0;
    if (n && name[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n + 1 > len)
        return MTAREP_EINVAL;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)name[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63)
                return MTAREP_EINVAL;
            label = 0;
        } else if (c < 0x20 || c > 0x7e || c == '\\') {
            return MTAREP_EINVAL;
        } else {
            label++;
        }
        if (i < n)
            buf[i] = (char)tolower(c);
    }
    buf[n] = '\0';
    return MTAREP_OK;
}

static int dns_submit(mtarep_ctx *ctx, const char *name, ldns_rr_type type, mtarep_dns_cb cb,
                      void *arg, int any_name);

int mtarep__dns_submit(mtarep_ctx *ctx, const char *name, ldns_rr_type type, mtarep_dns_cb cb,
                       void *arg)
{
    return dns_submit(ctx, name, type, cb, arg, 0);
}

int mtarep__dns_submit_any(mtarep_ctx *ctx, const char *name, ldns_rr_type type,
                           mtarep_dns_cb cb, void *arg)
{
    return dns_submit(ctx, name, type, cb, arg, 1);
}

static int dns_submit(mtarep_ctx *ctx, const char *name, ldns_rr_type type, mtarep_dns_cb cb,
                      void *arg, int any_name)
{
    struct mtarep_dns_engine *e;
    dns_query *q;

    if (!ctx || !ctx->dns || !cb)
        return mtarep__fail(ctx, MTAREP_EINVAL, "DNS submit: missing context or callback");
    e = ctx->dns;
    if (e->closing)
        return MTAREP_ECANCELLED;
    if (!name)
        return mtarep__fail(ctx, MTAREP_EINVAL, "DNS name is NULL");
    if (type == 0)
        return mtarep__fail(ctx, MTAREP_EINVAL, "DNS type 0 is not valid");
    q = qalloc(e);
    if (!q)
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    if ((any_name ? dns_name_any(name, q->name, sizeof q->name)
                  : mtarep__domain_normalize(name, q->name, sizeof q->name)) != MTAREP_OK) {
        qfree(e, q);
        return mtarep__fail(ctx, MTAREP_EINVAL, "invalid DNS name '%.300s'", name);
    }
    q->type = type;
    q->cb = cb;
    q->arg = arg;
    q->state = Q_NEW;
    mtarep__dns_fifo_push(&e->newq, q);
    return MTAREP_OK;
}

int mtarep__dns_run(mtarep_ctx *ctx)
{
    struct mtarep_dns_engine *e;
    int rc = MTAREP_OK, side;

    if (!ctx || !ctx->dns)
        return MTAREP_EINVAL;
    e = ctx->dns;
    for (;;) {
        dns_query *q;
        while ((q = mtarep__dns_fifo_pop(&e->newq)))
            dispatch(e, q);
        while (e->waitq.head && e->inflight < mtarep__dns_window(e))
            begin(e, mtarep__dns_fifo_pop(&e->waitq));
        if (e->waitq.head || e->newq.head) {
            e->tail_mode = 0;
        } else if (!e->tail_mode && e->inflight > 0) {
            e->tail_mode = 1;
            mtarep__dns_net_tail(e);
        }
        if (e->doneq.head) {
            mtarep__dns_net_flush(e); /* before callbacks run and structs recycle */
            deliver_all(e);
            continue;
        }
        side = mtarep__dns_side_busy(e);
        if (e->inflight == 0 && e->plug_out == 0 && !e->waitq.head && !side)
            break;
        if (e->inflight > 0) {
            int r = mtarep__dns_net_step(e, e->plug_out ? 10 : -1);
            if (r != MTAREP_OK)
                rc = r;
        }
        if (e->plug_out > 0) {
            /* the plugged resolver's poll knows nothing of the side job */
            int r = plug_step(e, side ? 10 : -1);
            if (r != MTAREP_OK)
                rc = r;
        }
        if (side && e->inflight == 0 && !e->doneq.head)
            e->side->wait(e->side->arg, -1, e->plug_out || e->waitq.head ? 0 : -1);
    }
    return rc;
}

int mtarep__dns_side_busy(const struct mtarep_dns_engine *e)
{
    return e->side && e->side->busy(e->side->arg);
}

void mtarep__dns_set_side(mtarep_ctx *ctx, const mtarep__dns_side *side)
{
    if (ctx && ctx->dns)
        ctx->dns->side = side;
}

/* ---- lifecycle and setters */

int mtarep__dns_engine_new(mtarep_ctx *ctx)
{
    struct mtarep_dns_engine *e = calloc(1, sizeof *e);
    if (!e)
        return MTAREP_ENOMEM;
    e->oom = mtarep__dns_res_new(MTAREP_ENOMEM, -1, NULL, NULL, "out of memory");
    if (!e->oom) {
        free(e);
        return MTAREP_ENOMEM;
    }
    e->ctx = ctx;
    ctx->dns = e;
    return MTAREP_OK;
}

void mtarep__dns_engine_free(mtarep_ctx *ctx)
{
    struct mtarep_dns_engine *e;
    dns_query *q;

    if (!ctx || !(e = ctx->dns))
        return;
    e->closing = 1;
    for (;;) {
        while ((q = mtarep__dns_fifo_pop(&e->newq)))
            mtarep__dns_finish(e, q, mtarep__dns_res_new(MTAREP_ECANCELLED, -1, NULL, NULL,
                                                         "context freed"));
        while ((q = mtarep__dns_fifo_pop(&e->waitq))) {
            mtarep__dns_finish(e, q, mtarep__dns_res_new(MTAREP_ECANCELLED, -1, NULL, NULL,
                                                         "context freed"));
        }
        mtarep__dns_net_cancel_all(e);
        if (e->plug_head && e->plug.cancel_all)
            e->plug.cancel_all(e->plug_payload);
        while (e->plug_head)
            plug_abandon(e, e->plug_head, MTAREP_ECANCELLED, "context freed");
        if (!e->doneq.head)
            break;
        deliver_all(e);
    }
    mtarep__dns_net_free(e);
    cache_purge(e, 0);
    free(e->buckets);
    mtarep__dns_zone_free(e->zones);
    mtarep__dns_res_unref(e->oom);
    while ((q = e->freeq)) {
        e->freeq = q->next;
        free(q);
    }
    while (e->wire_free) {
        wire_buf *w = e->wire_free;
        e->wire_free = w->next;
        free(w);
    }
    while ((q = e->zombies)) {
        e->zombies = q->next;
        free(q);
    }
    free(e);
    ctx->dns = NULL;
}

int mtarep__dns_add_zone_file(mtarep_ctx *ctx, const char *path)
{
    FILE *fp = fopen(path, "re");
    int rc;

    if (!fp)
        return mtarep__fail(ctx, MTAREP_EIO, "cannot open zone file '%s': %s", path,
                            strerror(errno));
    rc = mtarep__dns_zone_load(ctx, fp, path);
    fclose(fp);
    return rc;
}

int mtarep__dns_add_zone_text(mtarep_ctx *ctx, const char *text)
{
    size_t n = strlen(text);
    FILE *fp;
    int rc;

    if (n == 0) /* fmemopen refuses size 0; an empty zone is still a zone */
        fp = fmemopen((void *)"\n", 1, "r");
    else
        fp = fmemopen((void *)(uintptr_t)text, n, "r");
    if (!fp)
        return mtarep__fail(ctx, MTAREP_ENOMEM, "cannot read zone text: %s", strerror(errno));
    rc = mtarep__dns_zone_load(ctx, fp, "zone text");
    fclose(fp);
    return rc;
}
