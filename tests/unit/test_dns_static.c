/* DNS engine without a network: static zones, the plugged-in resolver (a
 * fake one building wire answers with ldns), the cache, callback rules, the
 * public dns.h and nameserver address parsing. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/dns_int.h" /* engine internals: zones, nameserver list */
#include "mtarep.h"

static const char *ZONE =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@        SOA ns hostmaster 1 3600 600 86400 120\n"
    "@        NS ns\n"
    "ns       A 192.0.2.53\n"
    "www      A 192.0.2.1\n"
    "www      A 192.0.2.2\n"
    "multi    TXT \"part1\" \"part2\"\n"
    "nul      TXT \"a\\000b\"\n"
    "alias    CNAME www\n"
    "alias2   CNAME alias.example.test.\n"
    "loop1    CNAME loop2\n"
    "loop2    CNAME loop1\n"
    "self     CNAME self\n"
    "dangling CNAME nowhere\n"
    "a.b.c    A 192.0.2.3 ; b.c and c are empty non-terminals\n"
    "*.wild   A 192.0.2.4\n"
    "*.wild   TXT \"wild\"\n"
    "exact.wild A 192.0.2.5\n"
    "MiXeD    A 192.0.2.6\n"
    "tocname  CNAME x.wild\n"
    "$ORIGIN other.test.\n"
    "host 600 A 198.51.100.1\n";

/* ---- helpers */

typedef struct got {
    int calls;
    int status, rcode;
    size_t n;
    char rec[8][128];
    char owner[8][128];
    unsigned ttl[8];
    char errmsg[256];
    int had_pkt;
} got;

static void got_cb(const mtarep_dns_answer *a, void *arg)
{
    got *g = arg;
    g->calls++;
    g->status = a->status;
    g->rcode = a->rcode;
    g->had_pkt = a->pkt != NULL;
    g->n = 0;
    if (a->status != MTAREP_OK) {
        cr_assert_not_null(a->errmsg, "errmsg must be set when status != OK");
        cr_assert_null(a->rrs);
        snprintf(g->errmsg, sizeof g->errmsg, "%s", a->errmsg);
        return;
    }
    cr_assert_not_null(a->rrs, "rrs must never be NULL with status OK");
    g->n = ldns_rr_list_rr_count(a->rrs);
    for (size_t i = 0; i < g->n && i < 8; i++) {
        ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
        char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        char *o = ldns_rdf2str(ldns_rr_owner(rr));
        cr_assert_eq(ldns_rr_get_type(rr), a->qtype, "only RRs of the asked type");
        snprintf(g->rec[i], sizeof g->rec[i], "%s", s);
        snprintf(g->owner[i], sizeof g->owner[i], "%s", o);
        g->ttl[i] = ldns_rr_ttl(rr);
        free(s);
        free(o);
    }
}

static mtarep_ctx *zone_ctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK, "zone: %s",
                 mtarep_ctx_errmsg(ctx));
    return ctx;
}

static got ask(mtarep_ctx *ctx, const char *name, ldns_rr_type t)
{
    got g;
    memset(&g, 0, sizeof g);
    cr_assert_eq(mtarep__dns_submit(ctx, name, t, got_cb, &g), MTAREP_OK, "submit %s: %s",
                 name, mtarep_ctx_errmsg(ctx));
    cr_assert_eq(g.calls, 0, "callback must not fire inside submit");
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(g.calls, 1, "%s: callback fired %d times", name, g.calls);
    return g;
}

static int has_rec(const got *g, const char *s)
{
    for (size_t i = 0; i < g->n && i < 8; i++)
        if (strcmp(g->rec[i], s) == 0)
            return 1;
    return 0;
}

/* ---- static zones */

Test(static_zone, a_records)
{
    mtarep_ctx *ctx = zone_ctx();
    got g = ask(ctx, "www.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    cr_assert_eq(g.n, 2);
    cr_assert(has_rec(&g, "192.0.2.1") && has_rec(&g, "192.0.2.2"));
    cr_assert_eq(g.ttl[0], 300);
    cr_assert_eq(g.had_pkt, 0, "static answers carry no packet");
    g = ask(ctx, "www.example.test.", LDNS_RR_TYPE_A); /* trailing dot tolerated */
    cr_assert_eq(g.n, 2);
    mtarep_ctx_free(ctx);
}

Test(static_zone, txt_multi_string_and_nul)
{
    mtarep_ctx *ctx = zone_ctx();
    got g;
    ldns_rr_list *rrs = NULL;
    int rcode;

    g = ask(ctx, "multi.example.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "\"part1\"");
    /* the rdfs are kept as ldns gives them: two strings */
    cr_assert_eq(mtarep__dns_zone_answer(ctx, ctx->dns->zones, "multi.example.test",
                                         LDNS_RR_TYPE_TXT, &rrs, &rcode),
                 MTAREP_OK);
    cr_assert_eq(ldns_rr_rd_count(ldns_rr_list_rr(rrs, 0)), 2);
    ldns_rr_list_deep_free(rrs);

    cr_assert_eq(mtarep__dns_zone_answer(ctx, ctx->dns->zones, "nul.example.test",
                                         LDNS_RR_TYPE_TXT, &rrs, &rcode),
                 MTAREP_OK);
    cr_assert_eq(ldns_rr_list_rr_count(rrs), 1);
    {
        const ldns_rdf *d = ldns_rr_rdf(ldns_rr_list_rr(rrs, 0), 0);
        cr_assert_eq(ldns_rdf_size(d), 4, "length byte + 'a' NUL 'b'");
        cr_assert_eq(ldns_rdf_data(d)[1], 'a');
        cr_assert_eq(ldns_rdf_data(d)[2], 0, "embedded NUL kept");
        cr_assert_eq(ldns_rdf_data(d)[3], 'b');
    }
    ldns_rr_list_deep_free(rrs);
    mtarep_ctx_free(ctx);
}

Test(static_zone, cname_chain_and_loops)
{
    mtarep_ctx *ctx = zone_ctx();
    got g = ask(ctx, "alias2.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.n, 2, "two hops to www");
    cr_assert_str_eq(g.owner[0], "www.example.test.");

    g = ask(ctx, "alias.example.test", LDNS_RR_TYPE_CNAME);
    cr_assert_eq(g.n, 1, "asking for the CNAME itself gives it");
    cr_assert_str_eq(g.rec[0], "www.example.test.");

    g = ask(ctx, "loop1.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    cr_assert_eq(g.n, 0, "a CNAME loop ends as NODATA");
    g = ask(ctx, "self.example.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.n, 0);

    g = ask(ctx, "dangling.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN, "target does not exist");

    g = ask(ctx, "tocname.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1, "CNAME into a wildcard");
    cr_assert_str_eq(g.rec[0], "192.0.2.4");
    mtarep_ctx_free(ctx);
}

Test(static_zone, nodata_nxdomain_empty_nonterminal)
{
    mtarep_ctx *ctx = zone_ctx();
    got g = ask(ctx, "www.example.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR, "NODATA is NOERROR");
    cr_assert_eq(g.n, 0);

    g = ask(ctx, "nope.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    cr_assert_eq(g.n, 0);

    g = ask(ctx, "b.c.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR, "empty non-terminal exists");
    cr_assert_eq(g.n, 0);
    g = ask(ctx, "c.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    g = ask(ctx, "x.c.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    g = ask(ctx, "a.b.c.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.3");
    g = ask(ctx, "unrelated.invalid", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN, "names outside every zone do not exist");
    mtarep_ctx_free(ctx);
}

Test(static_zone, wildcard_rfc4592)
{
    mtarep_ctx *ctx = zone_ctx();
    got g = ask(ctx, "foo.wild.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.4");
    cr_assert_str_eq(g.owner[0], "foo.wild.example.test.", "synthesised owner is the qname");

    g = ask(ctx, "a.b.wild.example.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.n, 1, "wildcard covers deeper names");

    g = ask(ctx, "exact.wild.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.5", "an existing name wins over the wildcard");
    g = ask(ctx, "exact.wild.example.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    cr_assert_eq(g.n, 0, "existing name: NODATA, no wildcard");
    g = ask(ctx, "sub.exact.wild.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN, "closest encloser exact.wild has no '*'");
    g = ask(ctx, "wild.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR);
    cr_assert_eq(g.n, 0);
    g = ask(ctx, "foo.wild.example.test", LDNS_RR_TYPE_AAAA);
    cr_assert_eq(g.rcode, LDNS_RCODE_NOERROR, "wildcard matched but no AAAA: NODATA");
    cr_assert_eq(g.n, 0);
    mtarep_ctx_free(ctx);
}

Test(static_zone, case_insensitive_and_many_domains)
{
    mtarep_ctx *ctx = zone_ctx();
    got g = ask(ctx, "WWW.Example.TEST", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 2);
    g = ask(ctx, "mixed.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.6");
    g = ask(ctx, "HOST.other.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.ttl[0], 600);
    mtarep_ctx_free(ctx);
}

Test(static_zone, parse_error_keeps_earlier_zones)
{
    mtarep_ctx *ctx = zone_ctx();
    int rc = mtarep_ctx_add_zone_text(ctx, "$ORIGIN bad.test.\n"
                                           "ok   A 192.0.2.9\n"
                                           "\n"
                                           "oops A 999.1.1.1\n");
    cr_assert_eq(rc, MTAREP_EPARSE);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "line 4") != NULL, "errmsg: %s",
              mtarep_ctx_errmsg(ctx));
    got g = ask(ctx, "www.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 2, "earlier zone still loaded");
    g = ask(ctx, "ok.bad.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN, "a failed file adds nothing");

    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, "foo IN BOGUSTYPE bar\n"), MTAREP_EPARSE);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "line 1") != NULL, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, "$INCLUDE /etc/passwd\n"), MTAREP_EPARSE);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, "x.test. MX notanumber mx.test.\n"), MTAREP_EPARSE);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, "x.test. A\n"), MTAREP_EPARSE);
    mtarep_ctx_free(ctx);
}

Test(static_zone, zone_file)
{
    mtarep_ctx *ctx = NULL;
    char path[] = "/tmp/mtarep-zone-XXXXXX";
    int fd = mkstemp(path);
    FILE *fp;

    cr_assert(fd >= 0);
    fp = fdopen(fd, "w");
    fputs("$TTL 60\nfile.test. A 203.0.113.7\n", fp);
    fclose(fp);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, "/nonexistent/zone"), MTAREP_EIO);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "/nonexistent/zone") != NULL);
    /* a directory opens but never reaches EOF: an error, not an endless loop */
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, "/"), MTAREP_EIO);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "directory") != NULL);
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, path), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    unlink(path);
    got g = ask(ctx, "file.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "203.0.113.7");
    cr_assert_eq(g.ttl[0], 60);
    mtarep_ctx_free(ctx);
}

static void never_cb(const mtarep_dns_answer *a, void *arg)
{
    (void)a;
    (*(int *)arg)++;
}

Test(static_zone, bad_names_rejected)
{
    mtarep_ctx *ctx = zone_ctx();
    int calls = 0;
    char longlabel[80], longname[300];
    const char *bad[] = {"", "a..b", ".", "-a.test", "a-.test", "sp ace.test", "x\"y.test",
                         longlabel, longname};

    memset(longlabel, 'a', 64);
    strcpy(longlabel + 64, ".test");
    for (int i = 0; i < 300 - 1; i++)
        longname[i] = (i % 2) ? '.' : 'a';
    longname[299] = '\0';
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(mtarep__dns_submit(ctx, bad[i], LDNS_RR_TYPE_A, never_cb, &calls),
                     MTAREP_EINVAL, "'%s' accepted", bad[i]);
        cr_assert(mtarep_ctx_errmsg(ctx)[0] != '\0');
    }
    cr_assert_eq(mtarep__dns_submit(ctx, NULL, LDNS_RR_TYPE_A, never_cb, &calls), MTAREP_EINVAL);
    cr_assert_eq(mtarep__dns_submit(ctx, "ok.test", 0, never_cb, &calls), MTAREP_EINVAL);
    cr_assert_eq(mtarep__dns_submit(ctx, "ok.test", LDNS_RR_TYPE_A, NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(calls, 0, "rejected submits never call back");
    mtarep_ctx_free(ctx);
}

/* ---- callbacks */

typedef struct chain {
    mtarep_ctx *ctx;
    int calls[6];
    int depth;
} chain;

static void chain_cb(const mtarep_dns_answer *a, void *arg)
{
    chain *c = arg;
    cr_assert_eq(a->status, MTAREP_OK);
    c->calls[c->depth]++;
    if (++c->depth < 6)
        cr_assert_eq(mtarep__dns_submit(c->ctx, "www.example.test", LDNS_RR_TYPE_A, chain_cb, c),
                     MTAREP_OK);
}

Test(callbacks, submit_from_callback_and_exactly_once)
{
    chain c;
    int counts[50];

    memset(&c, 0, sizeof c);
    memset(counts, 0, sizeof counts);
    c.ctx = zone_ctx();
    cr_assert_eq(mtarep__dns_submit(c.ctx, "www.example.test", LDNS_RR_TYPE_A, chain_cb, &c),
                 MTAREP_OK);
    for (int i = 0; i < 50; i++)
        cr_assert_eq(mtarep__dns_submit(c.ctx, i % 2 ? "nope.example.test" : "multi.example.test",
                                        LDNS_RR_TYPE_TXT, never_cb, &counts[i]),
                     MTAREP_OK);
    cr_assert_eq(c.calls[0], 0);
    cr_assert_eq(mtarep__dns_run(c.ctx), MTAREP_OK);
    cr_assert_eq(c.depth, 6, "run() continued with queries submitted by callbacks");
    for (int i = 0; i < 6; i++)
        cr_assert_eq(c.calls[i], 1);
    for (int i = 0; i < 50; i++)
        cr_assert_eq(counts[i], 1, "query %d called back %d times", i, counts[i]);
    cr_assert_eq(mtarep__dns_run(c.ctx), MTAREP_OK, "run with nothing pending returns");
    mtarep_ctx_free(c.ctx);
}

typedef struct nested {
    mtarep_ctx *ctx;
    int calls;
    size_t inner_count;
    int inner_rc;
} nested;

static void nested_cb(const mtarep_dns_answer *a, void *arg)
{
    nested *n = arg;
    mtarep_dns_result *r = NULL;
    (void)a;
    n->calls++;
    /* a blocking public call from inside a callback runs the engine again */
    n->inner_rc = mtarep_dns_lookup(&r, n->ctx, "multi.example.test", "TXT");
    n->inner_count = mtarep_dns_result_count(r);
    mtarep_dns_result_free(r);
}

Test(callbacks, run_again_from_callback)
{
    nested n;
    int other = 0;
    memset(&n, 0, sizeof n);
    n.ctx = zone_ctx();
    cr_assert_eq(mtarep__dns_submit(n.ctx, "www.example.test", LDNS_RR_TYPE_A, nested_cb, &n),
                 MTAREP_OK);
    cr_assert_eq(mtarep__dns_submit(n.ctx, "ns.example.test", LDNS_RR_TYPE_A, never_cb, &other),
                 MTAREP_OK);
    cr_assert_eq(mtarep__dns_run(n.ctx), MTAREP_OK);
    cr_assert_eq(n.calls, 1);
    cr_assert_eq(n.inner_rc, MTAREP_OK);
    cr_assert_eq(n.inner_count, 1);
    cr_assert_eq(other, 1, "the other query fired once, in the inner or outer run");
    mtarep_ctx_free(n.ctx);
}

static void cancel_cb(const mtarep_dns_answer *a, void *arg)
{
    int *st = arg;
    st[0]++;
    st[1] = a->status;
}

Test(callbacks, free_cancels_pending)
{
    mtarep_ctx *ctx = zone_ctx();
    int st[2] = {0, 0};
    cr_assert_eq(mtarep__dns_submit(ctx, "www.example.test", LDNS_RR_TYPE_A, cancel_cb, st),
                 MTAREP_OK);
    mtarep_ctx_free(ctx);
    cr_assert_eq(st[0], 1);
    cr_assert_eq(st[1], MTAREP_ECANCELLED);
}

/* ---- the public API */

Test(public_api, lookup)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_dns_result *r = NULL;

    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "www.example.test", "A"), MTAREP_OK);
    cr_assert_eq(mtarep_dns_result_rcode(r), MTAREP_DNS_NOERROR);
    cr_assert_eq(mtarep_dns_result_count(r), 2);
    cr_assert_str_eq(mtarep_dns_result_record(r, 0), "192.0.2.1");
    cr_assert_eq(mtarep_dns_result_ttl(r, 1), 300);
    cr_assert_null(mtarep_dns_result_record(r, 2));
    cr_assert_eq(mtarep_dns_result_ttl(r, 2), 0);
    mtarep_dns_result_free(r);

    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "multi.example.test", "txt"), MTAREP_OK);
    cr_assert_str_eq(mtarep_dns_result_record(r, 0), "\"part1\" \"part2\"");
    mtarep_dns_result_free(r);

    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "example.test", "SOA"), MTAREP_OK);
    cr_assert_str_eq(mtarep_dns_result_record(r, 0),
                     "ns.example.test. hostmaster.example.test. 1 3600 600 86400 120");
    mtarep_dns_result_free(r);

    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "nope.example.test", "TYPE1"), MTAREP_OK);
    cr_assert_eq(mtarep_dns_result_rcode(r), MTAREP_DNS_NXDOMAIN);
    cr_assert_eq(mtarep_dns_result_count(r), 0);
    mtarep_dns_result_free(r);

    r = (mtarep_dns_result *)1;
    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "www.example.test", "BOGUS"), MTAREP_EINVAL);
    cr_assert_null(r);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "BOGUS") != NULL);
    cr_assert_eq(mtarep_dns_lookup(&r, ctx, "bad..name", "A"), MTAREP_EINVAL);
    cr_assert_eq(mtarep_dns_lookup(NULL, ctx, "www.example.test", "A"), MTAREP_EINVAL);
    cr_assert_eq(mtarep_dns_result_count(NULL), 0);
    mtarep_dns_result_free(NULL);
    mtarep_ctx_free(ctx);
}

/* ---- a fake plugged-in resolver */

enum fake_mode { FK_OK, FK_NX, FK_WRONGQ, FK_SERVFAIL, FK_TIMEOUT, FK_GARBAGE, FK_TTL0, FK_CNAME };

typedef struct fake {
    int mode;
    int immediate; /* answer inside submit */
    int submits;
    int n;
    struct {
        char name[256];
        int type;
        mtarep_resolver_done_cb done;
        void *arg;
    } p[64];
} fake;

static void fake_answer(fake *f, const char *name, int type, mtarep_resolver_done_cb done,
                        void *arg)
{
    ldns_pkt *p;
    uint8_t *w = NULL;
    size_t len = 0;
    ldns_rr *rr = NULL;
    char buf[400];

    if (f->mode == FK_TIMEOUT) {
        done(MTAREP_ETIMEOUT, NULL, 0, arg);
        return;
    }
    if (f->mode == FK_GARBAGE) {
        static const unsigned char junk[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 9, 0, 0, 0, 0, 3};
        done(0, junk, sizeof junk, arg);
        return;
    }
    p = ldns_pkt_query_new(ldns_dname_new_frm_str(f->mode == FK_WRONGQ ? "other.test" : name),
                           (ldns_rr_type)type, LDNS_RR_CLASS_IN, LDNS_RD);
    ldns_pkt_set_qr(p, true);
    ldns_pkt_set_id(p, 4242); /* any ID: plugged answers skip the ID check */
    if (f->mode == FK_SERVFAIL) {
        ldns_pkt_set_rcode(p, LDNS_RCODE_SERVFAIL);
    } else if (f->mode == FK_NX) {
        ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
        ldns_rr_new_frm_str(&rr, "test. 900 IN SOA ns.test. h.test. 1 2 3 4 30", 0, NULL, NULL);
        ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
    } else {
        if (f->mode == FK_CNAME) {
            snprintf(buf, sizeof buf, "%s. 300 IN CNAME target.test.", name);
            ldns_rr_new_frm_str(&rr, buf, 0, NULL, NULL);
            ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
            ldns_rr_new_frm_str(&rr, "target.test. 300 IN A 192.0.2.99", 0, NULL, NULL);
            ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
            ldns_rr_new_frm_str(&rr, "unrelated.test. 300 IN A 192.0.2.98", 0, NULL, NULL);
            ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
        } else if (type == LDNS_RR_TYPE_A) {
            snprintf(buf, sizeof buf, "%s. %d IN A 192.0.2.77", name,
                     f->mode == FK_TTL0 ? 0 : 300);
            cr_assert_eq(ldns_rr_new_frm_str(&rr, buf, 0, NULL, NULL), LDNS_STATUS_OK);
            ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
        }
    }
    cr_assert_eq(ldns_pkt2wire(&w, p, &len), LDNS_STATUS_OK);
    ldns_pkt_free(p);
    done(0, w, len, arg);
    free(w);
}

static int fake_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                       void *done_arg)
{
    fake *f = payload;
    f->submits++;
    cr_assert(name[strlen(name) - 1] != '.', "name passed without trailing dot");
    if (f->immediate) {
        fake_answer(f, name, rrtype, done, done_arg);
        return 0;
    }
    cr_assert(f->n < 64);
    snprintf(f->p[f->n].name, sizeof f->p[f->n].name, "%s", name);
    f->p[f->n].type = rrtype;
    f->p[f->n].done = done;
    f->p[f->n].arg = done_arg;
    f->n++;
    return 0;
}

static int fake_poll(void *payload, int timeout_ms)
{
    fake *f = payload;
    int n = f->n;
    (void)timeout_ms;
    f->n = 0;
    for (int i = 0; i < n; i++)
        fake_answer(f, f->p[i].name, f->p[i].type, f->p[i].done, f->p[i].arg);
    return f->n;
}

static void fake_cancel(void *payload)
{
    fake *f = payload;
    int n = f->n;
    f->n = 0;
    for (int i = 0; i < n; i++)
        f->p[i].done(MTAREP_ECANCELLED, NULL, 0, f->p[i].arg);
}

static const mtarep_resolver_ops fake_ops = {MTAREP_RESOLVER_OPS_VERSION, fake_submit, fake_poll,
                                             fake_cancel};

static mtarep_ctx *fake_ctx(fake *f, int use_cache)
{
    mtarep_ctx *ctx = NULL;
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    o.use_cache = use_cache;
    memset(f, 0, sizeof *f);
    cr_assert_eq(mtarep_ctx_new(&ctx, &o), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &fake_ops, f), MTAREP_OK);
    return ctx;
}

Test(plugged, answers_and_validation)
{
    fake f;
    mtarep_ctx *ctx = fake_ctx(&f, 0);
    got g = ask(ctx, "Host.Plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "%s", g.errmsg);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.rec[0], "192.0.2.77");
    cr_assert_eq(g.had_pkt, 1);

    f.mode = FK_WRONGQ;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_EPARSE, "wrong question rejected");

    f.mode = FK_GARBAGE;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_EPARSE);

    f.mode = FK_SERVFAIL;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETEMPFAIL, "SERVFAIL is no verdict");
    cr_assert(strstr(g.errmsg, "SERVFAIL") != NULL, "%s", g.errmsg);

    f.mode = FK_TIMEOUT;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETIMEOUT);

    f.mode = FK_NX;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);

    f.mode = FK_CNAME;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1, "only the end of the CNAME chain");
    cr_assert_str_eq(g.rec[0], "192.0.2.99");

    f.mode = FK_OK;
    f.immediate = 1;
    g = ask(ctx, "host.plug.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_OK, "done() inside submit() is fine");
    mtarep_ctx_free(ctx);
}

Test(plugged, zones_win_and_unplug)
{
    fake f;
    mtarep_ctx *ctx = fake_ctx(&f, 1);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK);
    got g = ask(ctx, "www.example.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(f.submits, 0, "zones answer before the plugged resolver");
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, NULL, NULL), MTAREP_OK);
    mtarep_resolver_ops bad = fake_ops;
    bad.version = 99;
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &bad, &f), MTAREP_EVERSION);
    bad.version = 1;
    bad.poll = NULL;
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &bad, &f), MTAREP_EINVAL);
    mtarep_ctx_free(ctx);
}

Test(plugged, free_cancels)
{
    fake f;
    mtarep_ctx *ctx = fake_ctx(&f, 1);
    int st[2] = {0, 0};
    cr_assert_eq(mtarep__dns_submit(ctx, "x.test", LDNS_RR_TYPE_A, cancel_cb, st), MTAREP_OK);
    mtarep_ctx_free(ctx);
    cr_assert_eq(st[0], 1);
    cr_assert_eq(st[1], MTAREP_ECANCELLED);
}

/* ---- cache */

Test(cache, reuse_clear_ttl_and_disable)
{
    fake f;
    mtarep_ctx *ctx = fake_ctx(&f, 1);
    got g;

    g = ask(ctx, "c.test", LDNS_RR_TYPE_A);
    g = ask(ctx, "C.TEST", LDNS_RR_TYPE_A);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(f.submits, 1, "second answer from the cache");
    g = ask(ctx, "c.test", LDNS_RR_TYPE_TXT);
    cr_assert_eq(f.submits, 2, "the type is part of the key");
    mtarep_ctx_clear_cache(ctx);
    g = ask(ctx, "c.test", LDNS_RR_TYPE_A);
    cr_assert_eq(f.submits, 3, "cleared");

    f.mode = FK_TTL0;
    g = ask(ctx, "ttl0.test", LDNS_RR_TYPE_A);
    g = ask(ctx, "ttl0.test", LDNS_RR_TYPE_A);
    cr_assert_eq(f.submits, 5, "TTL 0 is not reused");

    f.mode = FK_NX;
    g = ask(ctx, "nx.test", LDNS_RR_TYPE_A);
    g = ask(ctx, "nx.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.rcode, LDNS_RCODE_NXDOMAIN);
    cr_assert_eq(f.submits, 6, "negative answers are cached (SOA minimum)");

    f.mode = FK_SERVFAIL;
    g = ask(ctx, "sf.test", LDNS_RR_TYPE_A);
    g = ask(ctx, "sf.test", LDNS_RR_TYPE_A);
    cr_assert_eq(g.status, MTAREP_ETEMPFAIL);
    cr_assert_eq(f.submits, 8, "failures are never cached");
    mtarep_ctx_free(ctx);

    ctx = fake_ctx(&f, 0);
    g = ask(ctx, "c.test", LDNS_RR_TYPE_A);
    g = ask(ctx, "c.test", LDNS_RR_TYPE_A);
    cr_assert_eq(f.submits, 2, "use_cache = 0");
    mtarep_ctx_free(ctx);
}

Test(cache, coalesce_identical_questions)
{
    fake f;
    mtarep_ctx *ctx = fake_ctx(&f, 0);
    got g[5];

    memset(g, 0, sizeof g);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(mtarep__dns_submit(ctx, i == 4 ? "other.test" : "same.test",
                                        LDNS_RR_TYPE_A, got_cb, &g[i]),
                     MTAREP_OK);
    cr_assert_eq(mtarep__dns_run(ctx), MTAREP_OK);
    cr_assert_eq(f.submits, 2, "four identical questions sent once");
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(g[i].calls, 1);
        cr_assert_eq(g[i].n, 1);
    }
    mtarep_ctx_free(ctx);
}

/* ---- nameserver text */

Test(nameservers, parse_good)
{
    struct sockaddr_storage ss;
    unsigned int len;
    struct {
        const char *s;
        int fam;
        unsigned port;
    } ok[] = {{"127.0.0.1:5300", AF_INET, 5300}, {"192.0.2.1", AF_INET, 53},
              {"::1", AF_INET6, 53},             {"[::1]:5300", AF_INET6, 5300},
              {"[2001:db8::1]", AF_INET6, 53},   {"2001:db8::53", AF_INET6, 53},
              {"10.0.0.1:65535", AF_INET, 65535}, {"10.0.0.1:1", AF_INET, 1}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert_eq(mtarep__dns_parse_server(ok[i].s, &ss, &len), MTAREP_OK, "%s", ok[i].s);
        cr_assert_eq(ss.ss_family, ok[i].fam, "%s", ok[i].s);
        if (ok[i].fam == AF_INET)
            cr_assert_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), ok[i].port);
        else
            cr_assert_eq(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), ok[i].port);
    }
}

Test(nameservers, parse_bad)
{
    struct sockaddr_storage ss;
    unsigned int len;
    const char *bad[] = {"",
                         "127.0.0.1:0",
                         "127.0.0.1:65536",
                         "127.0.0.1:99999",
                         "127.0.0.1:",
                         "127.0.0.1:53x",
                         "127.0.0.1:-1",
                         "127.0.0.1:+53",
                         "127.0.0.1:053",
                         "127.0.0.01",
                         "256.0.0.1",
                         "localhost",
                         "ns.example.com:53",
                         "[::1]:",
                         "[::1]x",
                         "[::1:53",
                         "[127.0.0.1]:53",
                         "::1:53:zz",
                         "fe80::1%eth0",
                         " 127.0.0.1",
                         "127.0.0.1 ",
                         "[]:53"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mtarep__dns_parse_server(bad[i], &ss, &len);
        cr_assert_eq(rc, MTAREP_EINVAL, "'%s' accepted", bad[i]);
    }
    cr_assert_eq(mtarep__dns_parse_server(NULL, &ss, &len), MTAREP_EINVAL);
}

Test(nameservers, ctx_setter)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, "127.0.0.1:5300"), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, "[::1]:5300"), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, "127.0.0.1:0"), MTAREP_EINVAL);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "127.0.0.1:0") != NULL, "%s",
              mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, "junk"), MTAREP_EINVAL);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, NULL), MTAREP_EINVAL);
    cr_assert_eq(ctx->dns->nns, 2, "bad entries not added");
    mtarep_ctx_free(ctx);
}

Test(nameservers, resolv_conf_file)
{
    mtarep_ctx *ctx = NULL;
    char path[] = "/tmp/mtarep-resolv-XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");

    fputs("# test\nsearch example.test\nnameserver 127.0.0.1\nnameserver ::1\n", fp);
    fclose(fp);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_nameserver(ctx, "192.0.2.1"), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_load_resolv_conf(ctx, path), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    unlink(path);
    cr_assert_eq(ctx->dns->nns, 2, "replaces the servers added before");
    cr_assert_eq(ctx->dns->ns[0].ss_family, AF_INET);
    cr_assert_eq(ntohs(((struct sockaddr_in *)&ctx->dns->ns[0])->sin_port), 53);
    cr_assert_eq(ctx->dns->ns[1].ss_family, AF_INET6);
    cr_assert_eq(mtarep_ctx_load_resolv_conf(ctx, "/nonexistent/resolv.conf"), MTAREP_EIO);
    cr_assert_eq(ctx->dns->nns, 2, "failed load keeps the old list");
    mtarep_ctx_free(ctx);
}
