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

/* The provider requests beside a plugged resolver (the engine's plug path
 * with a side job): a refused connection and a server that never answers
 * (a listening socket nobody accepts from) make the provider checks
 * unknown; the DNS checks and their 4 rounds stay as without providers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int loopback_socket(int listening, char *url, size_t len)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    if (listening)
        cr_assert_eq(listen(fd, 16), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    snprintf(url, len, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    return fd;
}

Test(precheck, providers_fail_beside_plugged_resolver)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, rr_submit, rr_poll,
                                            NULL};
    static const char *const codes[] = {"MTAREP_ETEMPFAIL", "MTAREP_ETIMEOUT"};
    const char *ips[] = {"77.245.64.44"};
    char buf[512], url[64];

    for (int listening = 0; listening < 2; listening++) {
        mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
        mtarep_precheck_report *r = NULL;
        mtarep_ctx *ctx = NULL;
        rounds_res rr;
        int fd = loopback_socket(listening, url, sizeof url);
        size_t nprov = 0;

        memset(&rr, 0, sizeof rr);
        rr.zone = demo_ctx();
        cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
        cr_assert_eq(mtarep_ctx_set_resolver(ctx, &ops, &rr), MTAREP_OK);
        o.selectors = SEL;
        o.selector_count = 2;
        o.snds_key = "snds-key-unit";
        o.mailgun_key = "key-unit";
        o.postmaster_token = "token-unit";
        o.provider_base_url = url;
        o.provider_timeout_ms = 300;
        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", "mail.example.com", &o),
                     MTAREP_OK, "%s", mtarep_ctx_errmsg(ctx));
        close(fd);
        cr_assert_eq(rr.rounds, 4, "%d rounds", rr.rounds);
        for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
            const mtarep_precheck_check *c = mtarep_precheck_report_check(r, i);
            const char *n = mtarep_precheck_check_name(c);
            if (strcmp(n, "snds") && strcmp(n, "mailgun") && strcmp(n, "postmaster"))
                continue;
            nprov++;
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_UNKNOWN, "%s", n);
            cr_assert(strstr(mtarep_precheck_check_evidence(c, 0), codes[listening]), "%s",
                      mtarep_precheck_check_evidence(c, 0));
        }
        cr_assert_eq(nprov, 3);
        /* the DNS checks as without providers (names() lists every check) */
        cr_assert(strstr(names(r, buf, sizeof buf), "dnsbl,spf,helo,dmarc"), "%s", buf);
        cr_assert(strstr(buf, "rdns,dkim,dbl,mx"), "%s", buf);
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
        mtarep_ctx_free(rr.zone);
        free(rr.v);
    }
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

/* ---- the SMTP probe against a scripted server on loopback (a thread):
 * silent, flooding, multi-line replies, a recipient the MX does not know. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct smtp_script {
    int lfd, port;
    const char *banner;     /* NULL: never says anything */
    const char *rcpt_reply; /* the answer to RCPT TO */
    int flood;              /* "220-" lines until the probe hangs up */
    const char *ehlo_reply; /* NULL: a multi-line 250 */
} smtp_script;

static void *smtp_serve(void *arg)
{
    smtp_script *s = arg;
    char buf[1024];
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    if (s->flood) {
        static const char line[] = "220-flood flood flood flood flood flood flood\r\n";
        while (send(fd, line, sizeof line - 1, MSG_NOSIGNAL) > 0)
            ;
    } else if (s->banner) {
        ssize_t n;
        send(fd, s->banner, strlen(s->banner), MSG_NOSIGNAL);
        while ((n = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
            const char *rep;
            buf[n] = 0;
            rep = !strncasecmp(buf, "EHLO", 4)
                      ? (s->ehlo_reply ? s->ehlo_reply
                                       : "250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                  : !strncasecmp(buf, "HELO", 4) ? "250 mx.test hello\r\n"
                  : !strncasecmp(buf, "MAIL", 4) ? "250 2.1.0 ok\r\n"
                  : !strncasecmp(buf, "RCPT", 4) ? s->rcpt_reply
                  : !strncasecmp(buf, "QUIT", 4) ? "221 bye\r\n"
                                                 : "500 5.5.1 what\r\n";
            send(fd, rep, strlen(rep), MSG_NOSIGNAL);
        }
    } else {
        while (recv(fd, buf, sizeof buf, 0) > 0)
            ;
    }
    close(fd);
    return NULL;
}

static const mtarep_precheck_check *probe_with(smtp_script *s, mtarep_precheck_report **r,
                                               mtarep_ctx *ctx, double *secs)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    const char *ips[] = {"192.0.2.25"}, *zones[] = {"zen.spamhaus.org"};
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    struct timespec t0, t1;
    pthread_t th;
    char mx[64];

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(s->lfd >= 0);
    cr_assert_eq(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(s->lfd, 1), 0);
    cr_assert_eq(getsockname(s->lfd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(mx, sizeof mx, "127.0.0.1:%u", ntohs(sa.sin_port));
    cr_assert_eq(pthread_create(&th, NULL, smtp_serve, s), 0);
    o.zones = zones;
    o.zone_count = 1;
    o.probe_mx = mx;
    o.probe_timeout_ms = 300;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(mtarep_precheck(r, ctx, ips, 1, NULL, NULL, &o), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    pthread_join(th, NULL);
    close(s->lfd);
    for (size_t i = 0; i < mtarep_precheck_report_count(*r); i++)
        if (!strcmp(mtarep_precheck_check_name(mtarep_precheck_report_check(*r, i)), "smtp"))
            return mtarep_precheck_report_check(*r, i);
    cr_assert_fail("no smtp check");
    return NULL;
}

static int has_evidence(const mtarep_precheck_check *c, const char *needle)
{
    for (size_t k = 0; k < mtarep_precheck_check_evidence_count(c); k++)
        if (strstr(mtarep_precheck_check_evidence(c, k), needle))
            return 1;
    return 0;
}

Test(precheck, probe_silent_server_times_out_unknown)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, NULL, NULL, 0};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_UNKNOWN);
    cr_assert(has_evidence(c, "banner: timeout"));
    cr_assert_lt(secs, 5.0, "%.2f s for a 300 ms step timeout", secs);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck, probe_reply_that_never_ends_is_unknown)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, NULL, NULL, 1};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_UNKNOWN);
    cr_assert_lt(secs, 5.0, "%.2f s", secs);
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

Test(precheck, probe_multiline_replies_accepted)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, "220-mx.test ESMTP\r\n220-second line\r\n220 ready\r\n",
                     "250 2.1.5 ok\r\n", 0};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_OK);
    cr_assert(has_evidence(c, "banner: 220-mx.test ESMTP 220-second line 220 ready"));
    cr_assert(has_evidence(c, "EHLO: 250-mx.test 250-PIPELINING 250 8BITMIME"));
    cr_assert(has_evidence(c, "DATA never sent"));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* An old MX that does not know EHLO (502) gets HELO (RFC 5321 4.1.4) and
 * the probe goes on; an EHLO refused for a reason (554) stays a refusal. */
Test(precheck, probe_falls_back_to_helo)
{
    static const char *const ehlo[] = {"502 5.5.2 Error: command not recognized\r\n",
                                       "554 5.7.1 poor reputation\r\n"};
    for (int k = 0; k < 2; k++) {
        mtarep_ctx *ctx = demo_ctx();
        mtarep_precheck_report *r = NULL;
        smtp_script s = {-1, 0, "220 mx.test SMTP\r\n", "250 2.1.5 ok\r\n", 0, ehlo[k]};
        double secs;
        const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
        if (k == 0) {
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_OK, "%s",
                         mtarep_precheck_report_json(r));
            cr_assert(has_evidence(c, "EHLO not supported (502 5.5.2"));
            cr_assert(has_evidence(c, "HELO: 250 mx.test hello"));
            cr_assert(has_evidence(c, "DATA never sent"));
        } else {
            cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_PROBLEM, "%s",
                         mtarep_precheck_report_json(r));
            cr_assert(!has_evidence(c, "HELO:"));
        }
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
    }
}

/* A HELO that is an address: no host name to match with the PTR. The
 * connecting address in brackets is a warning; another address, or a bare
 * one (invalid syntax), is a problem; the generic demo PTR is not offered
 * as the name to announce. */
Test(precheck, helo_address_literals)
{
    static const struct {
        const char *helo;
        mtarep_precheck_status want;
        const char *evidence;
    } cases[] = {
        {"[77.245.64.44]", MTAREP_PRECHECK_WARNING, "is an address literal, not a host name"},
        {"[IPv6:2001:db8::1]", MTAREP_PRECHECK_PROBLEM, "not even the connecting address"},
        {"[192.0.2.9]", MTAREP_PRECHECK_PROBLEM, "not even the connecting address"},
        {"77.245.64.44", MTAREP_PRECHECK_PROBLEM, "bare IP address"},
    };
    const char *ips[] = {"77.245.64.44"};

    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        mtarep_ctx *ctx = demo_ctx();
        mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
        mtarep_precheck_report *r = NULL;
        const mtarep_precheck_check *c = NULL;
        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", cases[k].helo, &o),
                     MTAREP_OK, "%s: %s", cases[k].helo, mtarep_ctx_errmsg(ctx));
        for (size_t i = 0; i < mtarep_precheck_report_count(r); i++)
            if (!strcmp(mtarep_precheck_check_name(mtarep_precheck_report_check(r, i)), "helo"))
                c = mtarep_precheck_report_check(r, i);
        cr_assert_not_null(c, "%s", cases[k].helo);
        cr_assert_eq(mtarep_precheck_check_status(c), cases[k].want, "%s: %s", cases[k].helo,
                     mtarep_precheck_report_json(r));
        cr_assert(has_evidence(c, cases[k].evidence), "%s: %s", cases[k].helo,
                  mtarep_precheck_check_evidence(c, 0));
        cr_assert(strstr(mtarep_precheck_check_advice(c), "fully qualified host name"));
        cr_assert_null(strstr(mtarep_precheck_check_advice(c), "static.example-hosting"),
                       "%s", mtarep_precheck_check_advice(c));
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
    }
    /* brackets around no address: refused up front, with the reason */
    for (int k = 0; k < 2; k++) {
        mtarep_ctx *ctx = demo_ctx();
        mtarep_precheck_report *r = NULL;
        const char *bad = k ? "[IPv6:1.2.3.4]" : "[x]";
        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, "example.com", bad, NULL),
                     MTAREP_EINVAL);
        cr_assert_null(r);
        cr_assert(strstr(mtarep_ctx_errmsg(ctx), "precheck: HELO"), "%s",
                  mtarep_ctx_errmsg(ctx));
        mtarep_ctx_free(ctx);
    }
}

/* The MX refusing the probe's own recipient (the default postmaster@HOST
 * often does not exist there) says nothing about the sender: it was a
 * "problem" ranked as the first cause of rejection. */
Test(precheck, probe_unknown_recipient_is_not_a_sender_problem)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, "220 mx.test ESMTP\r\n",
                     "550 5.1.1 <postmaster@127.0.0.1>: Recipient address rejected: User "
                     "unknown in local recipient table\r\n", 0};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert(has_evidence(c, "RCPT TO refused: 550 5.1.1"));
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_UNKNOWN, "%s",
                 mtarep_precheck_status_name(mtarep_precheck_check_status(c)));
    cr_assert(strstr(mtarep_precheck_check_advice(c), "probe_rcpt") ||
              strstr(mtarep_precheck_check_advice(c), "--probe-rcpt"), "%s",
              mtarep_precheck_check_advice(c));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* A deferral without a stated cause (greylisting, a local error) leaves
 * the answer open: it was a warning, so the verdict could say "warning"
 * (exit 0) for a probe that saw nothing. */
Test(precheck, probe_deferral_without_cause_is_unknown)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, "220 mx.test ESMTP\r\n",
                     "450 4.2.0 <postmaster@127.0.0.1>: Recipient address rejected: "
                     "Greylisted, please try again later\r\n", 0};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert(has_evidence(c, "RCPT TO refused: 450 4.2.0"));
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_UNKNOWN, "%s",
                 mtarep_precheck_status_name(mtarep_precheck_check_status(c)));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* A deferral that names the sender's standing stays a problem. */
Test(precheck, probe_reputation_deferral_is_a_problem)
{
    mtarep_ctx *ctx = demo_ctx();
    mtarep_precheck_report *r = NULL;
    smtp_script s = {-1, 0, "220 mx.test ESMTP\r\n",
                     "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to "
                     "unexpected volume or user complaints - 4.16.55.1; see "
                     "https://postmaster.yahooinc.com/error-codes\r\n", 0};
    double secs;
    const mtarep_precheck_check *c = probe_with(&s, &r, ctx, &secs);
    cr_assert_eq(mtarep_precheck_check_status(c), MTAREP_PRECHECK_PROBLEM, "%s",
                 mtarep_precheck_status_name(mtarep_precheck_check_status(c)));
    mtarep_precheck_report_free(r);
    mtarep_ctx_free(ctx);
}

/* While the provider requests wait on a server that never answers, run()
 * must sleep, not spin: the static-zone path (no DNS in flight), the
 * socket path (a nameserver that never answers) and the plugged path (a
 * resolver that never answers) each use well under half a CPU. */
static int silent_submit(void *payload, const char *name, int rrtype,
                         mtarep_resolver_done_cb done, void *done_arg)
{
    (void)payload, (void)name, (void)rrtype, (void)done, (void)done_arg;
    return 0; /* held forever: the engine's own deadline ends it */
}

static int silent_poll(void *payload, int timeout_ms)
{
    (void)payload;
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return 1; /* still working on it */
}

static double secs(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(precheck, providers_waiting_do_not_spin)
{
    static const mtarep_resolver_ops silent = {MTAREP_RESOLVER_OPS_VERSION, silent_submit,
                                               silent_poll, NULL};
    const char *ips[] = {"77.245.64.44"};
    char url[64], ns[64];

    for (int path = 0; path < 3; path++) {
        mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
        mtarep_precheck_report *r = NULL;
        mtarep_ctx *ctx = NULL;
        int fd = loopback_socket(1, url, sizeof url), dfd = -1;
        double w0, c0, wall, cpu;

        if (path == 0) {
            ctx = demo_ctx();
        } else {
            cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
            cr_assert_eq(mtarep_ctx_set_timeout_ms(ctx, 400), MTAREP_OK);
            cr_assert_eq(mtarep_ctx_set_retries(ctx, 0), MTAREP_OK);
        }
        if (path == 1) { /* a UDP socket nobody reads */
            struct sockaddr_in a;
            socklen_t al = sizeof a;
            dfd = socket(AF_INET, SOCK_DGRAM, 0);
            memset(&a, 0, sizeof a);
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            cr_assert_eq(bind(dfd, (struct sockaddr *)&a, sizeof a), 0);
            cr_assert_eq(getsockname(dfd, (struct sockaddr *)&a, &al), 0);
            snprintf(ns, sizeof ns, "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
            cr_assert_eq(mtarep_ctx_add_nameserver(ctx, ns), MTAREP_OK, "%s",
                         mtarep_ctx_errmsg(ctx));
        }
        if (path == 2)
            cr_assert_eq(mtarep_ctx_set_resolver(ctx, &silent, NULL), MTAREP_OK);
        o.snds_key = "snds-key-unit";
        o.provider_base_url = url;
        o.provider_timeout_ms = 600;
        w0 = secs(CLOCK_MONOTONIC);
        c0 = secs(CLOCK_PROCESS_CPUTIME_ID);
        cr_assert_eq(mtarep_precheck(&r, ctx, ips, 1, NULL, NULL, &o), MTAREP_OK, "%s",
                     mtarep_ctx_errmsg(ctx));
        wall = secs(CLOCK_MONOTONIC) - w0;
        cpu = secs(CLOCK_PROCESS_CPUTIME_ID) - c0;
        close(fd);
        if (dfd >= 0)
            close(dfd);
        cr_assert_geq(wall, 0.55, "path %d: %.3f s", path, wall); /* waited for the timeout */
        cr_assert_lt(cpu, wall / 2, "path %d: %.3f s CPU in %.3f s", path, cpu, wall);
        mtarep_precheck_report_free(r);
        mtarep_ctx_free(ctx);
    }
}

/* A check that fails to start fails the precheck (nothing is reported):
 * the provider requests already under way are abandoned then, not waited
 * for. ("[x]" passes the precheck's HELO screen, the checks refuse it.) */
Test(precheck, failed_start_does_not_wait_for_providers)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    mtarep_ctx *ctx = demo_ctx();
    const char *ips[] = {"77.245.64.44"};
    char url[64];
    int fd = loopback_socket(1, url, sizeof url), rc;
    double w0, wall;

    o.snds_key = "snds-key-unit";
    o.provider_base_url = url;
    o.provider_timeout_ms = 3000;
    w0 = secs(CLOCK_MONOTONIC);
    rc = mtarep_precheck(&r, ctx, ips, 1, "example.com", "[x]", &o);
    wall = secs(CLOCK_MONOTONIC) - w0;
    close(fd);
    cr_assert_eq(rc, MTAREP_EINVAL, "%d %s", rc, mtarep_ctx_errmsg(ctx));
    cr_assert_null(r);
    cr_assert_lt(wall, 1.5, "%.3f s: waited for the provider timeout", wall);
    mtarep_ctx_free(ctx);
}
