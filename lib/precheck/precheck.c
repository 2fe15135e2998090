/* mtarep_precheck(): every module's questions go into one DNS engine run,
 * and the HTTPS provider requests (pc_provider.c) progress in that same run
 * loop as the engine's side job; the builders (pc_<module>.c) then turn the
 * finished results into checks with evidence and advice. The logs and the
 * SMTP probe run after the engine run. A new source of checks also needs a
 * place in report.c's cause ranking. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../dkim/dkim_int.h"
#include "../dmarc/dmarc_int.h"
#include "../dns/engine.h"
#include "../dnsbl/dnsbl_int.h"
#include "../rdns/rdns_int.h"
#include "../spf/spf_int.h"
#include "../spf/spf_pub.h"
#include "precheck_int.h"
#include "report_int.h"

#define PC_MAX_IPS 16
#define PC_MAX_MX 5

/* Bytes of the options a version has (docs/ABI.md: structs grow at the
 * end); 0 for an unknown version. */
static size_t opts_size(unsigned int version)
{
    switch (version) {
    case 1: return offsetof(mtarep_precheck_options, mailgun_key);
    case 2: return sizeof(mtarep_precheck_options);
    default: return 0;
    }
}

mtarep_status mtarep_precheck_options_init(mtarep_precheck_options *opts, unsigned int version)
{
    static const mtarep_precheck_options def = MTAREP_PRECHECK_OPTIONS_INIT;
    if (!opts)
        return MTAREP_EINVAL;
    if (!opts_size(version))
        return MTAREP_EVERSION;
    memcpy(opts, &def, opts_size(version)); /* a version-1 caller's struct is shorter */
    opts->version = version;
    return MTAREP_OK;
}

/* A question the precheck asks itself (domain MX, probe host address). */
typedef struct pc_ask {
    int done, status, rcode;
    int null_mx;
    size_t n;
    char *names[PC_MAX_MX]; /* "10 mx.example.com" / address text */
    char *errmsg;
} pc_ask;

static void ask_free(pc_ask *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->names[i]);
    free(a->errmsg);
}

static void on_ask(const mtarep_dns_answer *ans, void *arg)
{
    pc_ask *a = arg;
    a->done = 1;
    a->status = ans->status;
    a->rcode = ans->rcode;
    if (ans->status != MTAREP_OK) {
        a->errmsg = mtarep__strdup(ans->errmsg ? ans->errmsg : mtarep_strerror(ans->status));
        return;
    }
    for (size_t i = 0; i < ldns_rr_list_rr_count(ans->rrs) && a->n < PC_MAX_MX; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ans->rrs, i);
        char *t = NULL;
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_MX && ldns_rr_rd_count(rr) >= 2) {
            char *pref = ldns_rdf2str(ldns_rr_rdf(rr, 0));
            char *host = ldns_rdf2str(ldns_rr_rdf(rr, 1));
            if (host && strcmp(host, ".") == 0)
                a->null_mx = 1;
            if (pref && host && asprintf(&t, "%s %s", pref, host) < 0)
                t = NULL;
            free(pref);
            free(host);
        } else if ((ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ||
                    ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA) &&
                   ldns_rr_rd_count(rr) >= 1) {
            t = ldns_rdf2str(ldns_rr_rdf(rr, 0));
        } else {
            continue;
        }
        if (t)
            a->names[a->n++] = t;
    }
}

static void build_mx(const pc_input *in, pc_list *out, const pc_ask *a)
{
    pc_check *c = pc_add(out, "mx", PC_OK);
    if (a->status != MTAREP_OK || !a->done) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "MX lookup of %s failed: %s", in->domain,
                    a->errmsg ? a->errmsg : "no answer");
        pc_advice(out, c, "The lookup got no answer, so this could not be judged; re-run "
                  "when DNS answers.");
    } else if (a->rcode == LDNS_RCODE_NXDOMAIN) {
        pc_raise(c, PC_PROBLEM);
        pc_evidence(out, c, "%s does not exist in DNS (NXDOMAIN)", in->domain);
        pc_advice(out, c, "Receivers reject mail whose envelope domain does not exist: send "
                  "from a registered domain with DNS records.");
    } else if (a->null_mx) {
        pc_raise(c, PC_PROBLEM);
        pc_evidence(out, c, "%s publishes a null MX (RFC 7505): it accepts no mail", in->domain);
        pc_advice(out, c, "Receivers reject senders whose domain cannot receive bounces: "
                  "publish a real MX for %s.", in->domain);
    } else if (a->n == 0) {
        pc_raise(c, PC_WARNING);
        pc_evidence(out, c, "%s has no MX records", in->domain);
        pc_advice(out, c, "Publish an MX record for %s so bounces and replies can reach it; "
                  "some receivers reject senders whose domain accepts no mail.", in->domain);
    } else {
        for (size_t i = 0; i < a->n; i++)
            pc_evidence(out, c, "MX %s", a->names[i]);
    }
}

static void build_bounces(pc_list *out, const char *const *files, size_t n)
{
    mtarep_logscan *s = NULL;
    mtarep_logscan_counts t;
    pc_check *c = pc_add(out, "bounces", PC_OK);
    unsigned long long attempts, rep = 0, bounced;
    int rc = mtarep_logscan_new(&s, NULL);

    for (size_t i = 0; rc == MTAREP_OK && i < n; i++) {
        rc = mtarep_logscan_file(s, files[i]);
        if (rc != MTAREP_OK) {
            pc_raise(c, PC_UNKNOWN);
            pc_evidence(out, c, "could not read %s: %s", files[i], mtarep_logscan_errmsg(s));
        }
    }
    if (rc == MTAREP_OK)
        rc = mtarep_logscan_finish(s);
    if (rc != MTAREP_OK) {
        pc_raise(c, PC_UNKNOWN);
        if (!s)
            pc_evidence(out, c, "log scan failed: %s", mtarep_strerror(rc));
        mtarep_logscan_free(s);
        return;
    }
    mtarep_logscan_totals(s, &t);
    bounced = t.bounced;
    attempts = t.sent + t.bounced;
    rep = t.bounced_by_cause[MTAREP_SMTPREPLY_REPUTATION] +
          t.bounced_by_cause[MTAREP_SMTPREPLY_BLOCKLIST] +
          t.deferred_by_cause[MTAREP_SMTPREPLY_REPUTATION] +
          t.deferred_by_cause[MTAREP_SMTPREPLY_BLOCKLIST];
    if (attempts == 0 && t.deferred == 0) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "no deliveries found in the log%s", n == 1 ? "" : "s");
        pc_advice(out, c, "Pass the MTA's main log (Postfix or Exim) covering recent sending.");
        mtarep_logscan_free(s);
        return;
    }
    pc_evidence(out, c, "%llu sent, %llu bounced, %llu deferred (%.1f%% bounced)", t.sent,
                bounced, t.deferred, attempts ? 100.0 * (double)bounced / (double)attempts : 0.0);
    for (int k = 0; k < MTAREP_SMTPREPLY_NCATEGORIES; k++)
        if (t.bounced_by_cause[k] || t.deferred_by_cause[k])
            pc_evidence(out, c, "cause %s: %llu bounced, %llu deferred",
                        mtarep_smtpreply_category_name((mtarep_smtpreply_category)k),
                        t.bounced_by_cause[k], t.deferred_by_cause[k]);
    for (size_t i = 0, shown = 0; i < mtarep_logscan_domain_count(s) && shown < 5; i++) {
        mtarep_logscan_counts d;
        const char *name = mtarep_logscan_domain(s, i, &d);
        if (!name || (!d.bounced && !d.deferred))
            continue;
        shown++;
        pc_evidence(out, c, "to %s: %llu sent, %llu bounced, %llu deferred", name, d.sent,
                    d.bounced, d.deferred);
    }
    if (rep) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "%llu bounce(s) or deferral(s) name your reputation or a blocklist: "
                  "fix the checks above first, then resume sending slowly (see `mtarep "
                  "warmup`).", rep);
    }
    if (attempts && bounced * 20 > attempts) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "Over 5%% of deliveries bounced: clean the recipient lists (remove "
                  "unknown and inactive addresses) before sending more.");
    } else if (attempts && bounced * 50 > attempts) {
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "Over 2%% of deliveries bounced: watch list hygiene.");
    }
    mtarep_logscan_free(s);
}

int mtarep__pc_parse_hostport(const char *s, pc_probe *p)
{
    const char *colon;
    size_t hl;
    char *end;
    p->port = 25;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || (rb[1] && rb[1] != ':'))
            return -1;
        hl = (size_t)(rb - s - 1);
        if (hl == 0 || hl >= sizeof p->host)
            return -1;
        memcpy(p->host, s + 1, hl);
        p->host[hl] = 0;
        colon = rb[1] ? rb + 1 : NULL;
    } else {
        colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL; /* bare IPv6 */
        hl = colon ? (size_t)(colon - s) : strlen(s);
        if (hl == 0 || hl >= sizeof p->host)
            return -1;
        memcpy(p->host, s, hl);
        p->host[hl] = 0;
    }
    if (colon) {
        unsigned long v = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || v == 0 || v > 65535)
            return -1;
        p->port = (unsigned)v;
    }
    return 0;
}

/* Last line of defence for the secret keys: whatever a builder wrote
 * (a server's echo, a message), no check leaves with a registered secret. */
static int redact_str(mtarep_ctx *ctx, char **s)
{
    char *r;
    if (!*s || !ctx->secrets.n)
        return MTAREP_OK;
    if (!(r = mtarep__secrets_redact(ctx, *s, 0)))
        return MTAREP_ENOMEM;
    free(*s);
    *s = r;
    return MTAREP_OK;
}

static int redact_list(mtarep_ctx *ctx, pc_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        pc_check *c = l->v[i];
        if (redact_str(ctx, &c->subject) || redact_str(ctx, &c->advice))
            return MTAREP_ENOMEM;
        for (size_t k = 0; k < c->evidence.n; k++)
            if (redact_str(ctx, &c->evidence.v[k]))
                return MTAREP_ENOMEM;
    }
    return MTAREP_OK;
}

typedef struct pc_ipjobs {
    mtarep_rdns_job *rdns;
    mtarep_spf_job *spf;
    int rdns_rc, spf_rc;
} pc_ipjobs;

mtarep_status mtarep_precheck(mtarep_precheck_report **out, mtarep_ctx *ctx,
                              const char *const *ips, size_t ip_count, const char *domain,
                              const char *helo, const mtarep_precheck_options *opts)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    pc_ipjobs ipj[PC_MAX_IPS];
    mtarep_dnsbl_job *dnsbl = NULL;
    mtarep_spf_ijob *tree = NULL;
    mtarep_dkim_job *dkim = NULL;
    mtarep_dmarc_job *dmarc = NULL;
    mtarep_dnsbl_results *dres = NULL;
    mtarep_spf_result *tres = NULL;
    mtarep_dkim_discovery *kres = NULL;
    mtarep_dmarc_result *mres = NULL;
    pc_ask mx, host;
    int ask_host = 0, probing = 0;
    pc_probe probe;
    pc_prov *prov = NULL;
    const char *queries[PC_MAX_IPS + 1];
    char sender[300], dom[256], rcpt_buf[300], from_buf[300], addr[64];
    mtarep_ip hip;
    pc_list list;
    pc_input in;
    int rc = MTAREP_OK, fail = MTAREP_OK, dnsbl_rc = 0, tree_rc = 0, dkim_rc = 0, dmarc_rc = 0;
    char failmsg[512] = "";
    size_t mark = 0;

    memset(ipj, 0, sizeof ipj);
    memset(&mx, 0, sizeof mx);
    memset(&host, 0, sizeof host);
    memset(&list, 0, sizeof list);
    memset(&probe, 0, sizeof probe);
    if (out)
        *out = NULL;
    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: out is NULL");
    if (opts) {
        if (!opts_size(opts->version))
            return mtarep__fail(ctx, MTAREP_EVERSION, "precheck: options version %u not "
                                "supported", opts->version);
        memcpy(&o, opts, opts_size(opts->version)); /* later fields keep their defaults */
    }
    if (!ips || ip_count == 0 || ip_count > PC_MAX_IPS)
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: give 1 to %d sending IPs",
                            PC_MAX_IPS);
    for (size_t i = 0; i < ip_count; i++) {
        mtarep_ip ip;
        if (!ips[i] || mtarep__ip_parse(&ip, ips[i]) != MTAREP_OK)
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: '%.64s' is not an IP address",
                                ips[i] ? ips[i] : "(null)");
        queries[i] = ips[i];
    }
    if (domain && (mtarep__domain_normalize(domain, dom, sizeof dom) != MTAREP_OK ||
                   !strchr(dom, '.')))
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: '%.100s' is not a domain name",
                            domain);
    if ((o.selector_count && !o.selectors) || (o.zone_count && !o.zones) ||
        (o.log_file_count && !o.log_files))
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: NULL list in options");
    if (helo) {
        mtarep_ip hl;
        if (!mtarep__domain_valid(helo) && !mtarep__helo_literal(helo, &hl))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: HELO '%.100s' is neither a "
                                "host name nor an address literal", helo);
    }
    /* the checks validate again, but only after others have queued
     * questions: refuse the common mistakes before anything is sent */
    for (size_t i = 0; i < o.zone_count; i++) {
        char z[256];
        if (!o.zones[i] || mtarep__domain_normalize(o.zones[i], z, sizeof z) != MTAREP_OK ||
            !strchr(z, '.'))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: zone '%.100s' is not a zone "
                                "name", o.zones[i] ? o.zones[i] : "(null)");
    }
    for (size_t i = 0; domain && i < o.selector_count; i++) {
        char n[300];
        if (!o.selectors[i] || !*o.selectors[i] ||
            (size_t)snprintf(n, sizeof n, "%s._domainkey.%s", o.selectors[i], dom) >= sizeof n ||
            !mtarep__domain_valid(n))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: '%.100s' is not a DKIM "
                                "selector", o.selectors[i] ? o.selectors[i] : "(null)");
    }
    for (size_t i = 0; i < o.log_file_count; i++)
        if (!o.log_files[i])
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: log file %zu is NULL", i);
    if (o.probe_mx) {
        probing = 1;
        if (mtarep__pc_parse_hostport(o.probe_mx, &probe) != 0 ||
            (mtarep__ip_parse(&hip, probe.host) != MTAREP_OK &&
             !mtarep__domain_valid(probe.host)))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: probe '%.100s' is not "
                                "HOST[:PORT]", o.probe_mx);
        if (mtarep__ip_parse(&hip, probe.host) != MTAREP_OK)
            ask_host = 1;
        else
            mtarep__ip_format(&hip, addr, sizeof addr);
        snprintf(from_buf, sizeof from_buf, "postmaster@%s", domain ? dom : "localhost");
        if (ask_host)
            snprintf(rcpt_buf, sizeof rcpt_buf, "postmaster@%s", probe.host);
        else
            snprintf(rcpt_buf, sizeof rcpt_buf, "postmaster@[%s%s]",
                     hip.family == 6 ? "IPv6:" : "", addr);
        probe.from = o.probe_from ? o.probe_from : from_buf;
        probe.rcpt = o.probe_rcpt ? o.probe_rcpt : rcpt_buf;
        probe.helo = helo ? helo : "localhost";
        probe.timeout_ms = o.probe_timeout_ms ? o.probe_timeout_ms : 10000;
        if (strpbrk(probe.from, "\r\n<>") || strpbrk(probe.rcpt, "\r\n<>") ||
            strpbrk(probe.helo, "\r\n "))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: probe addresses must not "
                                "hold CR, LF, '<' or '>'");
        /* RFC 5321 4.5.3.1.3; a longer one would leave the command cut,
         * without its CRLF */
        if ((o.probe_from && strlen(o.probe_from) > 256) ||
            (o.probe_rcpt && strlen(o.probe_rcpt) > 256))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: probe address longer than an "
                                "SMTP path (256 octets)");
    }

    if (mtarep__pc_providers_check(ctx, &o, domain ? dom : NULL) != MTAREP_OK)
        return MTAREP_EINVAL;
    /* the keys stay secrets of ctx for the whole call: every message, log
     * line and check built from here on is redacted */
    mark = mtarep__secrets_mark(ctx);
    if (mtarep__pc_providers_secrets(ctx, &o) != MTAREP_OK) {
        mtarep__secrets_pop(ctx, mark);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "precheck: out of memory");
    }

    /* The provider requests first: they take longest and need no DNS. */
    if ((o.mailgun_key || o.snds_key || o.postmaster_token) &&
        mtarep__pc_providers_start(&prov, ctx, &o, domain ? dom : NULL) != MTAREP_OK) {
        mtarep__secrets_pop(ctx, mark);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "precheck: out of memory");
    }

    /* Start everything; if one start fails, what was queued still runs
     * (its callbacks point into the jobs) and is then thrown away. */
#define START(call)                                                                          \
    do {                                                                                     \
        if (fail == MTAREP_OK && (rc = (call)) != MTAREP_OK) {                               \
            fail = rc;                                                                       \
            snprintf(failmsg, sizeof failmsg, "%s", mtarep_ctx_errmsg(ctx));                 \
        }                                                                                    \
    } while (0)
    /* Heads of the longest chains first: the engine's send window starts
     * at 32 queries and the queue is FIFO, so SPF (one round per include
     * level) must not wait behind the ~70 one-round DNSBL questions. */
    if (domain)
        snprintf(sender, sizeof sender, "postmaster@%s", dom);
    for (size_t i = 0; domain && i < ip_count; i++)
        START(mtarep__spf_check_start(&ipj[i].spf, ctx, ips[i], sender, helo, NULL));
    if (domain)
        START(mtarep__spf_inspect_start(&tree, ctx, dom, NULL));
    for (size_t i = 0; i < ip_count; i++)
        START(mtarep__rdns_start(&ipj[i].rdns, ctx, ips[i], helo));
    if (domain) {
        mtarep_dkim_options ko = MTAREP_DKIM_OPTIONS_INIT;
        if (o.selector_count) {
            ko.selectors = o.selectors;
            ko.selector_count = o.selector_count;
        }
        START(mtarep__dkim_discover_start(&dkim, ctx, dom, &ko));
        START(mtarep__dmarc_fetch_start(&dmarc, ctx, dom, NULL));
        START(mtarep__dns_submit(ctx, dom, LDNS_RR_TYPE_MX, on_ask, &mx));
    }
    if (domain)
        queries[ip_count] = dom;
    START(mtarep__dnsbl_start(&dnsbl, ctx, queries, ip_count + (domain ? 1 : 0), o.zones,
                              o.zone_count, NULL));
    if (ask_host && fail == MTAREP_OK) {
        START(mtarep__dns_submit(ctx, probe.host, LDNS_RR_TYPE_A, on_ask, &host));
        if (fail != MTAREP_OK)
            ask_host = 0;
    }
#undef START
    if (fail != MTAREP_OK) { /* no report: do not wait for the providers */
        mtarep__pc_providers_free(prov);
        prov = NULL;
    }

    rc = mtarep__dns_run(ctx); /* the provider requests too (the engine's side job) */
    if (rc != MTAREP_OK)
        mtarep__log(ctx, MTAREP_LOG_WARNING, "precheck: DNS engine failure: %s",
                    mtarep_strerror(rc));
    rc = MTAREP_OK;

    memset(&in, 0, sizeof in);
    in.ctx = ctx;
    in.domain = domain ? dom : NULL;
    in.helo = helo;
    in.nselectors = o.selector_count;
    if (dnsbl)
        dnsbl_rc = mtarep__dnsbl_finish(&dres, dnsbl);
    if (tree)
        tree_rc = mtarep__spf_inspect_finish(&tres, tree);
    if (dkim)
        dkim_rc = mtarep__dkim_discover_finish(&kres, ctx, dkim);
    if (dmarc)
        dmarc_rc = mtarep__dmarc_fetch_finish(&mres, dmarc);
    for (size_t i = 0; i < ip_count; i++) {
        mtarep_rdns_result *rr = NULL;
        mtarep_spf_result *sr = NULL;
        int rrc = ipj[i].rdns ? mtarep__rdns_finish(&rr, ipj[i].rdns) : MTAREP_ECANCELLED;
        int src = ipj[i].spf ? mtarep__spf_check_finish(&sr, ipj[i].spf) : MTAREP_ECANCELLED;
        if (fail == MTAREP_OK) {
            size_t per = dres ? mtarep_dnsbl_results_count(dres) / (ip_count + (domain ? 1 : 0))
                              : 0;
            in.ip = ips[i];
            list.subject = ips[i];
            mtarep__pc_dnsbl(&in, &list, dnsbl_rc, dres, i * per, per,
                             domain && i == 0 ? (int)(ip_count * per) : -1);
            mtarep__pc_rdns(&in, &list, rrc, rr);
            if (domain)
                mtarep__pc_spf(&in, &list, src, sr, tree_rc, tres);
        }
        mtarep_rdns_result_free(rr);
        mtarep_spf_result_free(sr);
    }
    if (fail == MTAREP_OK && domain) {
        list.subject = dom;
        mtarep__pc_dkim(&in, &list, dkim_rc, kres);
        mtarep__pc_dmarc(&in, &list, dmarc_rc, mres);
        build_mx(&in, &list, &mx);
    }
    if (fail == MTAREP_OK && o.log_file_count) {
        list.subject = o.log_file_count == 1 ? o.log_files[0] : "logs";
        build_bounces(&list, o.log_files, o.log_file_count);
    }
    if (fail == MTAREP_OK && probing) {
        list.subject = o.probe_mx;
        if (ask_host && (host.status != MTAREP_OK || host.n == 0)) {
            pc_check *c = pc_add(&list, "smtp", PC_UNKNOWN);
            pc_evidence(&list, c, "could not resolve %s: %s", probe.host,
                        host.status != MTAREP_OK ? (host.errmsg ? host.errmsg : "no answer")
                                                 : "no A record");
        } else {
            mtarep__pc_smtp_probe(&probe, ask_host ? host.names[0] : addr, &list);
        }
    }
    if (fail == MTAREP_OK && prov)
        mtarep__pc_providers_finish(prov, &o, ips, ip_count, domain ? dom : NULL, &list);
    mtarep__pc_providers_free(prov);
    mtarep_dnsbl_results_free(dres);
    mtarep_spf_result_free(tres);
    mtarep_dkim_discovery_free(kres);
    mtarep_dmarc_result_free(mres);
    ask_free(&mx);
    ask_free(&host);
    if (fail == MTAREP_OK && redact_list(ctx, &list) != MTAREP_OK)
        list.oom = 1;
    mtarep__secrets_pop(ctx, mark);
    if (fail != MTAREP_OK) {
        mtarep__pc_list_free(&list);
        return mtarep__fail(ctx, fail, "%s", failmsg);
    }
    if (list.oom || mtarep__pc_report_make(out, &list, ips, ip_count, domain ? dom : NULL,
                                           helo) != MTAREP_OK) {
        mtarep__pc_list_free(&list);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "precheck: out of memory");
    }
    mtarep__clear_error(ctx); /* a provider's failure is in the report, not an error */
    return MTAREP_OK;
}
