/* mtarep_precheck(): the demo report from the static demo zone (order,
 * subjects, JSON), several IPs, every check unknown when DNS times out
 * (plugged resolver), bad input. Offline. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mtarep.h"
#include "mtarep/sys/resolver.h"

static mtarep_ctx *demo_ctx(void)
{
    char path[4096];
    const char *src = getenv("MTAREP_SOURCE_DIR");
    mtarep_ctx *ctx = NULL;
    cr_assert_not_null(src, "MTAREP_SOURCE_DIR not set");
    snprintf(path, sizeof path, "%s/examples/demo.zone", src);
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_file(ctx, path), MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

static const char *names(const mtarep_precheck_report *r, char *buf, size_t len)
{
    buf[0] = 0;
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%s", i ? "," : "", mtarep_precheck_check_name(c));
    }
    return buf;
}

static const char *const SEL[] = {"mail", "s2048"};

Test(precheck, demo_report)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"77.245.64.44"};
    char buf[512];
    json_error_t jerr;
    json_t *doc;

    o.selectors = SEL;
    o.selector_count = 2;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", "mail.example.com", &o),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_PROBLEM);
    /* problems first, each status group in rejection-cause order */
    cr_assert_str_eq(names(r, buf, sizeof buf), "dnsbl,spf,helo,dmarc,rdns,dkim,dbl,mx");
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        mtarep_precheck_status st = mtarep_precheck_check_status(c);
        cr_assert(mtarep_precheck_check_evidence_count(c) > 0, "%s", mtarep_precheck_check_name(c));
        if (st == MTAREP_PRECHECK_PROBLEM || st == MTAREP_PRECHECK_WARNING)
            cr_assert_not_null(mtarep_precheck_check_advice(c), "%s",
                               mtarep_precheck_check_name(c));
    }
    cr_assert_str_eq(mtarep_precheck_check_subject(mtarep_precheck_report_check(r, 0)),
                     "77.245.64.44");
    cr_assert_str_eq(mtarep_precheck_check_subject(mtarep_precheck_report_check(r, 3)),
                     "example.com");
    cr_assert_null(mtarep_precheck_report_check(r, 8));
    doc = json_loads(mtarep_precheck_report_json(r), 0, &jerr);
    cr_assert_not_null(doc, "%s", jerr.text);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "verdict")), "problem");
    cr_assert_eq(json_array_size(json_object_get(doc, "checks")), 8);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(doc, "checks"), 0), "name")),
                     "dnsbl");
    json_decref(doc);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck, two_ips)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"77.245.64.44", "192.0.2.25"};
    size_t dnsbl = 0, rdns = 0, spf = 0, dbl = 0;

    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 2, "example.com", NULL, NULL), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        const char *n = mtarep_precheck_check_name(c), *s = mtarep_precheck_check_subject(c);
        dnsbl += !strcmp(n, "dnsbl");
        rdns += !strcmp(n, "rdns");
        spf += !strcmp(n, "spf");
        dbl += !strcmp(n, "dbl");
        if (!strcmp(n, "spf") && !strcmp(s, "192.0.2.25"))
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_OK); /* in 192.0.2.0/24 */
        if (!strcmp(n, "dnsbl") && !strcmp(s, "192.0.2.25"))
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_OK);
        if (!strcmp(n, "dnsbl") && !strcmp(s, "77.245.64.44"))
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_PROBLEM);
    }
    cr_assert_eq(dnsbl, 2);
    cr_assert_eq(rdns, 2);
    cr_assert_eq(spf, 2);
    cr_assert_eq(dbl, 1);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck, ip_lists_only_no_dbl_check)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"77.245.64.44"}, *zones[] = {"zen.spamhaus.org"};
    char buf[512];

    o.zones = zones;
    o.zone_count = 1;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, &o), MTAREP_OK);
    /* no domain list asked: no "dbl" check that could not run */
    cr_assert_str_eq(names(r, buf, sizeof buf), "dnsbl,spf,dmarc,rdns,dkim,mx");
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* A resolver whose every question times out at once. */
static int to_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                     void *done_arg)
{
    (void)payload;
    (void)name;
    (void)rrtype;
    done(MTAREP_ETIMEOUT, NULL, 0, done_arg);
    return 0;
}

static int to_poll(void *payload, int timeout_ms)
{
    (void)payload;
    (void)timeout_ms;
    return 0;
}

Test(precheck, all_timeouts_unknown_never_ok)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, to_submit, to_poll,
                                            NULL};
    mtarep_ctx *ctx = NULL;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.1"};
    char buf[512];

    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", "mail.example.com", NULL),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_UNKNOWN);
    /* all unknown: the cause ranking alone decides the order */
    cr_assert_str_eq(names(r, buf, sizeof buf), "dnsbl,rdns,spf,dbl,helo,dkim,dmarc,mx");
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++)
        cr_assert_eq(mtarep_precheck_check_status(mtarep_precheck_report_check(r, i)),
                     MTAREP_PRECHECK_UNKNOWN, "%s",
                     mtarep_precheck_check_name(mtarep_precheck_report_check(r, i)));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck, bad_input)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = (mtarep_precheck_report *)1;
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    const char *ok[] = {"192.0.2.1"}, *bad[] = {"192.0.2.300"}, *many[17];
    const char *zones[] = {"not a zone"};

    for (int i = 0; i < 17; i++)
        many[i] = "192.0.2.1";
    cr_assert_eq(mtarep_precheck(NULL, ctx, ok, 1, NULL, NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_precheck(&r, NULL, ok, 1, NULL, NULL, NULL), MTAREP_EINVAL);
    cr_assert_null(r);
    cr_assert_eq(mtarep_precheck(&r, ctx, NULL, 0, NULL, NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_precheck(&r, ctx, many, 17, NULL, NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_precheck(&r, ctx, bad, 1, NULL, NULL, NULL), MTAREP_EINVAL);
    cr_assert(strstr(mtarep_ctx_errmsg(ctx), "192.0.2.300"));
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, "no domain", NULL, NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, "bad helo!", NULL), MTAREP_EINVAL);
    o.zones = zones;
    o.zone_count = 1;
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, "example.com", NULL, &o), MTAREP_EINVAL);
    o = (mtarep_precheck_options)MTAREP_PRECHECK_OPTIONS_INIT;
    o.probe_mx = "mx.example.com:0";
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, NULL, &o), MTAREP_EINVAL);
    o.probe_mx = "[]:25";
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, NULL, &o), MTAREP_EINVAL);
    o.probe_mx = "mx.example.com";
    o.probe_rcpt = "a>\r\nDATA";
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, NULL, &o), MTAREP_EINVAL);
    o = (mtarep_precheck_options)MTAREP_PRECHECK_OPTIONS_INIT;
    o.version = 99;
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, NULL, &o), MTAREP_EVERSION);
    cr_assert_eq(mtarep_precheck_options_init(&o, 99), MTAREP_EVERSION);
    cr_assert_eq(mtarep_precheck_options_init(&o, MTAREP_PRECHECK_OPTIONS_VERSION), MTAREP_OK);
    cr_assert_null(r);
    /* still usable after every refusal (nothing left queued) */
    cr_assert_eq(mtarep_precheck(&r, ctx, ok, 1, NULL, NULL, NULL), MTAREP_OK);
    mtarep_precheck_report_free(r);
    mtarep_precheck_report_free(NULL);
    cr_assert_str_eq(mtarep_precheck_status_name(MTAREP_PRECHECK_WARNING), "warning");
    mtarep_ctx_free(ctx);
}

/* ---- rounds: a plugged resolver that answers everything asked so far at
 * each poll() (one "round trip"), from a second context holding the demo
 * zone. The precheck's questions then take exactly as many rounds as its
 * longest dependency chain: SPF's root record and 3 includes = 4. Timing
 * free, so it holds on any machine (the wall-clock version with a 50 ms
 * delay is tests/cli/test_cli_precheck.py). */
#include <ldns/ldns.h>

#include "dns/engine.h"

typedef struct pend {
    char name[256];
    int type;
    mtarep_resolver_done_cb done;
    void *arg;
} pend;

typedef struct rounds_res {
    mtarep_ctx *zone;
    pend *v;
    size_t n, cap, asked;
    int rounds;
} rounds_res;

typedef struct wire_out {
    uint8_t *wire;
    size_t len;
    int status;
} wire_out;

static int rr_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                     void *done_arg)
{
    rounds_res *r = payload;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        cr_assert_not_null(r->v);
    }
    snprintf(r->v[r->n].name, sizeof r->v[r->n].name, "%s", name);
    r->v[r->n].type = rrtype;
    r->v[r->n].done = done;
    r->v[r->n].arg = done_arg;
    r->n++;
    r->asked++;
    return 0;
}

static void zone_answer(const mtarep_dns_answer *ans, void *arg)
{
    wire_out *o = arg;
    ldns_pkt *pkt;
    o->status = ans->status;
    if (ans->status != MTAREP_OK)
        return;
    pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(ans->qname), ans->qtype, LDNS_RR_CLASS_IN,
                             LDNS_QR | LDNS_AA | LDNS_RD);
    cr_assert_not_null(pkt);
    ldns_pkt_set_id(pkt, 0);
    ldns_pkt_set_rcode(pkt, (uint8_t)ans->rcode);
    for (size_t i = 0; i < ldns_rr_list_rr_count(ans->rrs); i++)
        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, ldns_rr_clone(ldns_rr_list_rr(ans->rrs, i)));
    cr_assert_eq(ldns_pkt2wire(&o->wire, pkt, &o->len), LDNS_STATUS_OK);
    ldns_pkt_free(pkt);
}

static int rr_poll(void *payload, int timeout_ms)
{
    rounds_res *r = payload;
    pend *batch = r->v;
    size_t nb = r->n;
    (void)timeout_ms;
    if (nb == 0)
        return 0;
    r->v = NULL;
    r->n = r->cap = 0;
    r->rounds++;
    for (size_t i = 0; i < nb; i++) {
        wire_out o = {NULL, 0, MTAREP_ETIMEOUT};
        cr_assert_eq(mtarep__dns_submit_any(r->zone, batch[i].name, (ldns_rr_type)batch[i].type,
                                            zone_answer, &o), MTAREP_OK);
        mtarep__dns_run(r->zone);
        if (o.status == MTAREP_OK)
            batch[i].done(0, o.wire, o.len, batch[i].arg);
        else
            batch[i].done(o.status, NULL, 0, batch[i].arg);
        free(o.wire);
    }
    free(batch);
    return (int)r->n;
}

Test(precheck, one_run_rounds_are_the_longest_chain)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, rr_submit, rr_poll,
                                            NULL};
    rounds_res rr;
    mtarep_ctx *ctx = NULL;
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"77.245.64.44"};
    char buf[512];

    memset(&rr, 0, sizeof rr);
    rr.zone = demo_ctx();
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, &rr), MTAREP_OK);
    o.selectors = SEL;
    o.selector_count = 2;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", "mail.example.com", &o),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    /* the same report as from the zone directly */
    cr_assert_str_eq(names(r, buf, sizeof buf), "dnsbl,spf,helo,dmarc,rdns,dkim,dbl,mx");
    cr_assert_eq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_PROBLEM);
    cr_log_info("%zu questions in %d rounds", rr.asked, rr.rounds);
    cr_assert_gt(rr.asked, 40); /* 12 lists, their probes, rDNS, SPF, DKIM, DMARC, MX */
    cr_assert_eq(rr.rounds, 4, "%d rounds for %zu questions", rr.rounds, rr.asked);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
    mtarep_ctx_free(rr.zone);
    free(rr.v);
}

/* A resolver answering from the demo zone at once, except that questions
 * for drop_name time out. */
typedef struct drop_res {
    mtarep_ctx *zone;
    const char *drop_name;
} drop_res;

static int dr_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                     void *done_arg)
{
    drop_res *d = payload;
    wire_out o = {NULL, 0, MTAREP_ETIMEOUT};
    if (strcasecmp(name, d->drop_name) != 0) {
        cr_assert_eq(mtarep__dns_submit_any(d->zone, name, (ldns_rr_type)rrtype, zone_answer,
                                            &o), MTAREP_OK);
        mtarep__dns_run(d->zone);
    }
    if (o.status == MTAREP_OK)
        done(0, o.wire, o.len, done_arg);
    else
        done(o.status, NULL, 0, done_arg);
    free(o.wire);
    return 0;
}

Test(precheck, spf_tree_lookup_timeout_is_not_ok)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, dr_submit, to_poll,
                                            NULL};
    drop_res d = {NULL, "_spf.example.net"};
    mtarep_ctx *ctx = NULL;
    mtarep_precheck_report *r = NULL;
    /* 192.0.2.25 passes at example.com's own ip4: before the include that
     * times out, which only the tree inspection fetches */
    const char *ips[] = {"192.0.2.25"};
    size_t seen = 0, named = 0;

    d.zone = demo_ctx();
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, &d), MTAREP_OK);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, NULL), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        if (strcmp(mtarep_precheck_check_name(c), "spf") != 0)
            continue;
        seen++;
        cr_assert_str_eq(mtarep_precheck_status_name(mtarep_precheck_check_status(c)),
                         "unknown", "%s", mtarep_precheck_check_evidence(c, 0));
        for (size_t k = 0; k < mtarep_precheck_check_evidence_count(c); k++) {
            cr_log_info("%s", mtarep_precheck_check_evidence(c, k));
            named += strstr(mtarep_precheck_check_evidence(c, k), "_spf.example.net") != NULL;
        }
    }
    cr_assert_gt(named, 0, "the evidence names what could not be fetched");
    cr_assert_eq(seen, 1);
    cr_assert_neq(mtarep_precheck_report_verdict(r), MTAREP_PRECHECK_OK);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
    mtarep_ctx_free(d.zone);
}

/* A start that fails after other jobs have queued questions (rDNS refuses
 * the bracketed HELO the precheck's own check lets through): the queued
 * jobs still run and are freed (ASan), nothing is left queued. */
Test(precheck, late_start_failure_frees_started_jobs)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.25"};

    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", "[not-an-address]", NULL),
                 MTAREP_EINVAL);
    cr_assert_null(r);
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", NULL, NULL), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* An address longer than an SMTP path (RFC 5321 4.5.3.1.3: 256 octets)
 * did not fit the command buffer: the command went out cut, without its
 * CRLF. Refused before anything is sent. */
Test(precheck, overlong_probe_address_refused)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    const char *ips[] = {"192.0.2.25"};
    char longaddr[1200];

    memset(longaddr, 'a', sizeof longaddr);
    strcpy(longaddr + sizeof longaddr - 14, "@example.com");
    o.probe_mx = "127.0.0.1:9";
    o.probe_timeout_ms = 200;
    o.probe_from = longaddr;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EINVAL);
    o.probe_from = NULL;
    o.probe_rcpt = longaddr;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_EINVAL);
    cr_assert_null(r);
    mtarep_ctx_free(ctx);
}

/* Evidence is text from the network: a DNSBL's TXT reason in Latin-1 is
 * not UTF-8, which jansson refuses, and the whole precheck failed with
 * "out of memory". The report must come out, valid UTF-8 everywhere. */
Test(precheck, non_utf8_evidence_still_gives_a_report)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    const char *ips[] = {"192.0.2.99"}, *zones[] = {"zen.spamhaus.org"};
    json_error_t jerr;
    json_t *doc;
    int found = 0;

    cr_assert_eq(mtarep_ctx_add_zone_text(ctx,
                                          "99.2.0.192.zen.spamhaus.org. A 127.0.0.2\n"
                                          "99.2.0.192.zen.spamhaus.org. TXT "
                                          "\"list\\233e caf\\195\\169\"\n"),
                 MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
    o.zones = zones;
    o.zone_count = 1;
    cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    doc = json_loads(mtarep_precheck_report_json(r), 0, &jerr);
    cr_assert_not_null(doc, "%s", jerr.text);
    json_decref(doc);
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
        for (size_t k = 0; k < mtarep_precheck_check_evidence_count(c); k++) {
            const char *e = mtarep_precheck_check_evidence(c, k);
            json_t *s = json_string(e); /* NULL for invalid UTF-8 */
            cr_assert_not_null(s, "not UTF-8: %s", e);
            json_decref(s);
            if (strstr(e, "list?e caf\xc3\xa9"))
                found = 1; /* the bad byte replaced, valid UTF-8 kept */
        }
    }
    cr_assert(found);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}
