/* DNS engine over the network: Knot (MTAREP_TEST_KNOT, zone
 * tests/servers/zones/dnstest.test.zone) and the fault server
 * (MTAREP_TEST_FAULTDNS, tests/servers/faultdns.py). Loopback only. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns_int.h"
#include "mtarep.h"

static const char *env_or(const char *k, const char *def)
{
    const char *v = getenv(k);
    return v && *v ? v : def;
}
#define KNOT env_or("MTAREP_TEST_KNOT", "127.0.0.1:5300")
#define FAULT env_or("MTAREP_TEST_FAULTDNS", "127.0.0.1:5301")

typedef struct logcap {
    char lines[64][300];
    int n;
    int tcp_lines;
} logcap;

static void log_cb(mtarep_log_level lvl, const char *msg, void *payload)
{
    logcap *l = payload;
    (void)lvl;
    if (strstr(msg, "TCP to"))
        l->tcp_lines++;
    if (l->n < 64)
        snprintf(l->lines[l->n++], sizeof l->lines[0], "%s", msg);
}

static mtarep_ctx *net_ctx(const char *ns, unsigned timeout_ms, unsigned retries, int cache)
{
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    o.timeout_ms = timeout_ms;
    o.retries = retries;
    o.use_cache = cache;
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    if (ns)
        cr_assert_eq(mtarep_ctx_add_nameserver(ctx, ns), MTAREP_OK, "%s: %s", ns,
                     mtarep_ctx_errmsg(ctx));
    return ctx;
}

typedef struct got {
    int calls, status, rcode;
    size_t n;
    char rec[16][256];
    char owner[16][256];
    char errmsg[300];
    uint64_t at_ms;
    char qname[256];
} got;

static void got_cb(const mtarep_dns_answer *a, void *arg)
{
    got *g = arg;
    g->calls++;
    g->status = a->status;
    g->rcode = a->rcode;
    g->at_ms = mtarep__dns_now_ms();
    snprintf(g->qname, sizeof g->qname, "%s", a->qname);
    g->n = 0;
    if (a->status != MTAREP_OK) {
        cr_assert_not_null(a->errmsg);
        snprintf(g->errmsg, sizeof g->errmsg, "%s", a->errmsg);
        return;
    }
    cr_assert_not_null(a->pkt, "network answers carry the packet");
    g->n = ldns_rr_list_rr_count(a->rrs);
    for (size_t i = 0; i < g->n && i < 16; i++) {
        ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
        char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        char *o = ldns_rdf2str(ldns_rr_owner(rr));
        snprintf(g->rec[i], sizeof g->rec[i], "%s", s);
        snprintf(g->owner[i], sizeof g->owner[i], "%s", o);
        free(s);
        free(o);
    }
}

static got ask(mtarep_ctx *ctx, const char *name, ldns_rr_type t)
{
    got g;
    memset(&g, 0, sizeof g);
    cr_assert_eq(mtarep__dns_submit(ctx, name, t, got_cb, &g), MTAREP_OK);
    cr_assert_eq(g.calls, 0);
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(g.calls, 1, "%s: %d callbacks", name, g.calls);
    return g;
}

/* ---- Knot */

Test(knot, records)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000, 1, 1);
    got g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "%s", g.errmsg);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.10");
    g = ask(ctx, "HOST.dnstest.test", LDNS_RR_TYPE_AAAA);
    cr_assert_str_eq(g.rec[0], "2001:db8::10");
    g = ask(ctx, "alias.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1, "CNAME chain followed in the answer section");
    cr_assert_str_eq(g.owner[0], "host.dnstest.test.");
    g = ask(ctx, "10.2.0.192.rev.dnstest.test", LDNS_RR_TYPE_PTR);
    cr_assert_str_eq(g.rec[0], "host.dnstest.test.");
    g = ask(ctx, "nope.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    cr_assert_eq(g.n, 0, "NODATA");
    mtarep_ctx_free(ctx);
}

Test(knot, public_lookup)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000, 1, 1);
    mtarep_dns_result *r = NULL;
    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "multi.dnstest.test", "TXT"), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_dns_result_count(r), 1);
    cr_assert_str_eq(mtarep_dns_result_record(r, 0), "\"part one\" \"part two\"");
    cr_assert_eq(mtarep_dns_result_ttl(r, 0), 300);
    mtarep_dns_result_free(r);
    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "host.dnstest.test", "MX"), MTAREP_OK);
    cr_assert_str_eq(mtarep_dns_result_record(r, 0), "10 mx.dnstest.test.");
    mtarep_dns_result_free(r);
    mtarep_ctx_free(ctx);
}

Test(knot, truncation_falls_back_to_tcp)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000, 0, 0);
    logcap lc;
    memset(&lc, 0, sizeof lc);
    mtarep_ctx_set_log_callback(ctx, log_cb, MTAREP_LOG_DEBUG, &lc);
    got g = ask(ctx, "big.dnstest.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.status, MTAREP_OK, "%s", g.errmsg);
    cr_assert_eq(g.n, 8, "all eight 200-byte strings");
    cr_assert_eq(lc.tcp_lines, 1, "answered over TCP after TC");
    g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(lc.tcp_lines, 1, "small answers stay on UDP");
    mtarep_ctx_free(ctx);
}

Test(knot, cache_avoids_the_network)
{
    mtarep_ctx *ctx = net_ctx(KNOT, 2000, 0, 1);
    logcap lc;
    int sent = 0;
    memset(&lc, 0, sizeof lc);
    mtarep_ctx_set_log_callback(ctx, log_cb, MTAREP_LOG_DEBUG, &lc);
    ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    ask(ctx, "nope.dnstest.test", LDNS_RR_TYPE_A);
    got g = ask(ctx, "nope.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    for (int i = 0; i < lc.n; i++)
        if (strstr(lc.lines[i], "-> MTAREP_OK"))
            sent++;
    cr_assert_eq(sent, 2, "one network answer per question, the rest cached");
    mtarep_ctx_free(ctx);
}

Test(knot, many_in_flight)
{
    enum { N = 1000 };
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    got *g = calloc(N, sizeof *g);
    char name[64];

    o.max_inflight = N;
    o.use_cache = 0;
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, KNOT), MTAREP_OK);
    for (int i = 0; i < N; i++) {
        if (i % 10 == 9)
            snprintf(name, sizeof name, "nx%d.dnstest.test", i);
        else
            snprintf(name, sizeof name, "q%d.bulk.dnstest.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_A, got_cb, &g[i]), MTAREP_OK);
    }
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(g[i].calls, 1, "query %d: %d callbacks", i, g[i].calls);
        cr_assert_eq(g[i].status, MTAREP_OK, "query %d: %s", i, g[i].errmsg);
        if (i % 10 == 9) {
            cr_assert_eq(g[i].rcode, LDNS_RCODE_NXDOMAIN);
        } else {
            snprintf(name, sizeof name, "q%d.bulk.dnstest.test.", i);
            cr_assert_eq(g[i].n, 1);
            cr_assert_str_eq(g[i].owner[0], name, "answer belongs to its own question");
        }
    }
    free(g);
    mtarep_ctx_free(ctx);
}

Test(knot, inflight_cap_queues_the_rest)
{
    enum { N = 300 };
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    got *g = calloc(N, sizeof *g);
    char name[64];

    o.max_inflight = 7;
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, KNOT), MTAREP_OK);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%d.bulk.dnstest.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_TXT, got_cb, &g[i]), MTAREP_OK);
    }
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(ctx->dns->inflight, 0);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(g[i].calls, 1);
        cr_assert_eq(g[i].status, MTAREP_OK, "%d: %s", i, g[i].errmsg);
        cr_assert_str_eq(g[i].rec[0], "\"bulk\"");
    }
    free(g);
    mtarep_ctx_free(ctx);
}

/* ---- fault server */

Test(fault, servfail_and_refused_are_tempfail)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 1000, 1, 1);
    got g = ask(ctx, "x.servfail.fault.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETEMPFAIL, "SERVFAIL must never look like NXDOMAIN");
    cr_assert(strstr(g.errmsg, "SERVFAIL") && strstr(g.errmsg, FAULT), "%s", g.errmsg);
    g = ask(ctx, "2.0.0.127.refused.example", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETEMPFAIL);
    cr_assert(strstr(g.errmsg, "REFUSED"), "%s", g.errmsg);
    g = ask(ctx, "x.servfail.fault.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETEMPFAIL, "failures are not cached as verdicts");
    mtarep_ctx_free(ctx);
}

static void expect_timeout(const char *name)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 300, 0, 1);
    uint64_t t0 = mtarep__dns_now_ms();
    got g = ask(ctx, name, LDNS_RR_TYPE_A);
    uint64_t dt = mtarep__dns_now_ms() - t0;
    cr_assert_eq(g.status, MTAREP_ETIMEOUT, "%s: status %d (%s)", name, g.status, g.errmsg);
    cr_assert(dt >= 280 && dt < 1500, "%s: took %llu ms", name, (unsigned long long)dt);
    cr_assert(strstr(g.errmsg, FAULT), "%s", g.errmsg);
    mtarep_ctx_free(ctx);
}

Test(fault, timeout) { expect_timeout("a.timeout.fault.test"); }
Test(fault, wrong_id_is_ignored) { expect_timeout("a.wrongid.fault.test"); }
Test(fault, wrong_question_is_ignored) { expect_timeout("a.wrongq.fault.test"); }

Test(fault, timeout_with_retries)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 200, 2, 1);
    uint64_t t0 = mtarep__dns_now_ms();
    got g = ask(ctx, "b.timeout.fault.test", LDNS_RR_TYPE_TXT);
    uint64_t dt = mtarep__dns_now_ms() - t0;
    cr_assert_eq(g.status, MTAREP_ETIMEOUT);
    cr_assert(dt >= 580 && dt < 2000, "three tries of 200 ms took %llu ms",
              (unsigned long long)dt);
    cr_assert(strstr(g.errmsg, "3 tries"), "%s", g.errmsg);
    mtarep_ctx_free(ctx);
}

Test(fault, garbage_is_parse_error_at_once)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 2000, 2, 1);
    uint64_t t0 = mtarep__dns_now_ms();
    got g = ask(ctx, "a.garbage.fault.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_EPARSE);
    cr_assert(strstr(g.errmsg, "malformed answer from"), "%s", g.errmsg);
    cr_assert(mtarep__dns_now_ms() - t0 < 1000, "no waiting for the timeout");
    mtarep_ctx_free(ctx);
}

Test(fault, truncated_goes_tcp)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 2000, 0, 1);
    got g = ask(ctx, "a.truncated.fault.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "%s", g.errmsg);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "127.0.0.2");
    g = ask(ctx, "a.truncated.fault.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.status, MTAREP_OK, "%s", g.errmsg);
    cr_assert_eq(g.n, 1);
    mtarep_ctx_free(ctx);
}

Test(fault, nxdomain_and_defaults)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 2000, 0, 1);
    got g = ask(ctx, "2.0.0.127.nxdomain.example", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    g = ask(ctx, "plain.fault.test", LDNS_RR_TYPE_TXT);
    cr_assert_str_eq(g.rec[0], "\"fault-ok\"");
    g = ask(ctx, "plain.fault.test", LDNS_RR_TYPE_MX);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.n, 0);
    mtarep_ctx_free(ctx);
}

Test(fault, slow_does_not_delay_others)
{
    mtarep_ctx *ctx = net_ctx(FAULT, 2000, 0, 1);
    got slow, fast[20];
    uint64_t t0;
    char name[64];

    memset(&slow, 0, sizeof slow);
    memset(fast, 0, sizeof fast);
    t0 = mtarep__dns_now_ms();
    cr_assert_eq(mtarep__dns_submit(ctx, "a.slow.fault.test", LDNS_RR_TYPE_A, got_cb, &slow),
                 MTAREP_OK);
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "f%d.fault.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_A, got_cb, &fast[i]), MTAREP_OK);
    }
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(slow.status, MTAREP_OK, "%s", slow.errmsg);
    cr_assert(slow.at_ms - t0 >= 290, "slow answered after %llu ms",
              (unsigned long long)(slow.at_ms - t0));
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(fast[i].status, MTAREP_OK);
        cr_assert(fast[i].at_ms - t0 < 250, "fast %d waited %llu ms", i,
                  (unsigned long long)(fast[i].at_ms - t0));
    }
    mtarep_ctx_free(ctx);
}

Test(fault, silent_names_do_not_starve_the_rest)
{
    enum { NDEAD = 60, NGOOD = 600 };
    mtarep_ctx *ctx = net_ctx(FAULT, 1500, 0, 0);
    got *dead = calloc(NDEAD, sizeof *dead), *good = calloc(NGOOD, sizeof *good);
    char name[64];
    uint64_t t0 = mtarep__dns_now_ms(), last_good = 0;

    /* the silent ones first, so they hold the first slots */
    for (int i = 0; i < NDEAD; i++) {
        snprintf(name, sizeof name, "d%d.timeout.fault.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_A, got_cb, &dead[i]), MTAREP_OK);
    }
    for (int i = 0; i < NGOOD; i++) {
        snprintf(name, sizeof name, "g%d.fault.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_A, got_cb, &good[i]), MTAREP_OK);
    }
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    for (int i = 0; i < NGOOD; i++) {
        cr_assert_eq(good[i].status, MTAREP_OK, "%d: %s", i, good[i].errmsg);
        if (good[i].at_ms > last_good)
            last_good = good[i].at_ms;
    }
    for (int i = 0; i < NDEAD; i++)
        cr_assert_eq(dead[i].status, MTAREP_ETIMEOUT);
    cr_assert(last_good - t0 < 1000, "answerable queries waited %llu ms behind silent ones",
              (unsigned long long)(last_good - t0));
    free(dead);
    free(good);
    mtarep_ctx_free(ctx);
}

/* ---- dead servers and rotation */

/* A loopback port nobody listens on (bound, then closed). */
static void closed_port(char *buf, size_t len)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(buf, len, "127.0.0.1:%u", ntohs(sa.sin_port));
    close(fd);
}

/* A loopback UDP socket that never answers (a true black hole). */
static int black_hole(char *buf, size_t len)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(buf, len, "127.0.0.1:%u", ntohs(sa.sin_port));
    return fd;
}

Test(dead, closed_port_fails_fast)
{
    char ns[64];
    mtarep_ctx *ctx;
    uint64_t t0;
    got g[10];

    closed_port(ns, sizeof ns);
    ctx = net_ctx(ns, 2000, 1, 1);
    memset(g, 0, sizeof g);
    t0 = mtarep__dns_now_ms();
    for (int i = 0; i < 10; i++) {
        char name[32];
        snprintf(name, sizeof name, "d%d.dnstest.test", i);
        cr_assert_eq(mtarep__dns_submit(ctx, name, LDNS_RR_TYPE_A, got_cb, &g[i]), MTAREP_OK);
    }
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(g[i].calls, 1);
        cr_assert(g[i].status == MTAREP_ETEMPFAIL || g[i].status == MTAREP_ETIMEOUT,
                  "status %d", g[i].status);
    }
    cr_assert(mtarep__dns_now_ms() - t0 < 1000, "ICMP unreachable is not waited out: %llu ms",
              (unsigned long long)(mtarep__dns_now_ms() - t0));
    cr_assert(strstr(g[0].errmsg, ns), "%s", g[0].errmsg);
    mtarep_ctx_free(ctx);
}

Test(dead, retry_rotates_to_next_server)
{
    char dead[64], hole[64];
    int hfd = black_hole(hole, sizeof hole);
    mtarep_ctx *ctx;
    got g;

    closed_port(dead, sizeof dead);
    ctx = net_ctx(dead, 300, 1, 0);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, KNOT), MTAREP_OK);
    g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "closed port, then Knot: %s", g.errmsg);
    cr_assert_str_eq(g.rec[0], "192.0.2.10");
    mtarep_ctx_free(ctx);

    ctx = net_ctx(hole, 300, 1, 0);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, KNOT), MTAREP_OK);
    uint64_t t0 = mtarep__dns_now_ms();
    g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "black hole, then Knot: %s", g.errmsg);
    cr_assert(mtarep__dns_now_ms() - t0 >= 280, "first try waited for its timeout");
    mtarep_ctx_free(ctx);

    ctx = net_ctx(FAULT, 1000, 1, 0);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, KNOT), MTAREP_OK);
    g = ask(ctx, "x.servfail.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "SERVFAIL, then Knot's verdict: %s", g.errmsg);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    mtarep_ctx_free(ctx);

    ctx = net_ctx(hole, 200, 0, 0);
    g = ask(ctx, "host.dnstest.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETIMEOUT, "no retries: the black hole is all there is");
    mtarep_ctx_free(ctx);
    close(hfd);
}

Test(dead, no_nameserver_from_empty_resolv_conf)
{
    mtarep_ctx *ctx = net_ctx(NULL, 300, 0, 0);
    char path[] = "/tmp/mtarep-resolv-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(write(fd, "search x.test\n", 14) == 14);
    close(fd);
    cr_assert_eq(mtarep_ctx_load_resolv_conf(ctx, path), MTAREP_ECONFIG);
    unlink(path);
    mtarep_ctx_free(ctx);
}
