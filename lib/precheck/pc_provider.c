/* Provider checks of the precheck: "mailgun", "snds" (one per sending IP)
 * and "postmaster" from the normalized provider results (lib/provider).
 * _start begins every provider's requests on one libcurl multi handle and
 * hangs it on the DNS engine as its side job, so the transfers progress in
 * the engine's run loop beside the DNS questions (wall time: the longer of
 * the two, not the sum); _finish turns the finished jobs into checks.
 * Rules: docs/precheck.md "Provider checks". */
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include <jansson.h>

#include "../dns/engine.h"
#include "../provider/provider_int.h"
#include "precheck_int.h"

/* The `mtarep provider` CLI's defaults (docs/providers.md: 5 % bounces,
 * Gmail's 0.3 % complaint ceiling) make a problem; the lower marks make a
 * warning: 2 % bounces as the log check (build_bounces), and Google's
 * advice to stay below 0.1 % user-reported spam. */
#define PC_BOUNCE_PROBLEM 0.05
#define PC_BOUNCE_WARNING 0.02
#define PC_COMPLAINT_PROBLEM 0.003
#define PC_COMPLAINT_WARNING 0.001
#define PC_PROVIDER_TIMEOUT_MS 30000

int mtarep__pc_providers_check(mtarep_ctx *ctx, const mtarep_precheck_options *o,
                               const char *domain)
{
    const char *keys[3] = {o->mailgun_key, o->snds_key, o->postmaster_token};
    for (size_t i = 0; i < 3; i++)
        if (keys[i] && (!*keys[i] || strpbrk(keys[i], "\r\n")))
            return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: provider key %s",
                                *keys[i] ? "holds a line break" : "is empty");
    if ((o->mailgun_key || o->postmaster_token) && !domain)
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: the %s check needs a domain",
                            o->mailgun_key ? "mailgun" : "postmaster");
    if (o->mailgun_region && strcasecmp(o->mailgun_region, "us") &&
        strcasecmp(o->mailgun_region, "eu"))
        return mtarep__fail(ctx, MTAREP_EINVAL, "precheck: Mailgun region '%.20s' is not us "
                            "or eu", o->mailgun_region);
    if (o->provider_base_url && (o->mailgun_key || o->snds_key || o->postmaster_token) &&
        mtarep__http_check_base(ctx, "precheck", o->provider_base_url) != MTAREP_OK)
        return MTAREP_EINVAL;
    return MTAREP_OK;
}

int mtarep__pc_providers_secrets(mtarep_ctx *ctx, const mtarep_precheck_options *o)
{
    const char *keys[3] = {o->mailgun_key, o->snds_key, o->postmaster_token};
    for (size_t i = 0; i < 3; i++)
        if (keys[i] && mtarep__prov_secret(ctx, keys[i]) != MTAREP_OK)
            return MTAREP_ENOMEM;
    return MTAREP_OK;
}

static void pct(char *buf, size_t len, double v, int upper)
{
    if (v < 0)
        snprintf(buf, len, "no data");
    else
        snprintf(buf, len, "%s%.2f %%", upper ? "< " : "", v * 100);
}

/* Judge the overall figures of one provider (or one IP's SNDS rows). */
static void judge(pc_list *out, pc_check *c, const char *who, double bounce, double complaint,
                  mtarep_reputation rep)
{
    if (rep == MTAREP_REP_BAD || rep == MTAREP_REP_LOW) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "%s rates your reputation %s: receivers there junk or reject this "
                  "mail. Stop bulk sending to them, fix the other problems listed, then "
                  "resume slowly (`mtarep warmup`).", who, mtarep_reputation_name(rep));
    } else if (rep == MTAREP_REP_MEDIUM) {
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "%s rates your reputation medium: some mail may be junked; keep "
                  "complaints low and send only to engaged recipients.", who);
    }
    if (bounce > PC_BOUNCE_PROBLEM) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "Over 5%% of the mail bounced: remove unknown and inactive "
                  "addresses before sending more.");
    } else if (bounce > PC_BOUNCE_WARNING) {
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "Over 2%% of the mail bounced: watch list hygiene.");
    }
    if (complaint > PC_COMPLAINT_PROBLEM) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "Complaints are above 0.3%% (Gmail's ceiling for bulk senders): "
                  "send only to recipients who asked for the mail and make unsubscribing "
                  "easy (one-click List-Unsubscribe).");
    } else if (complaint > PC_COMPLAINT_WARNING) {
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "Complaints are above 0.1%%, the rate Google advises staying "
                  "below: review who gets this mail.");
    }
}

/* The fetch failed: unknown, the typed reason as evidence. */
static void failed(pc_list *out, pc_check *c, const char *who, int rc, const char *msg,
                   const char *auth_advice, const char *notfound_advice)
{
    pc_raise(c, PC_UNKNOWN);
    pc_evidence(out, c, "%s could not be asked: %s (%s)", who, msg && *msg ? msg :
                mtarep_strerror(rc), mtarep_error_name(rc));
    switch (rc) {
    case MTAREP_EAUTH: pc_advice(out, c, "%s", auth_advice); break;
    case MTAREP_ENOTFOUND: pc_advice(out, c, "%s", notfound_advice); break;
    case MTAREP_ETIMEOUT:
        pc_advice(out, c, "%s did not answer in time: re-run later (or allow a longer "
                  "provider timeout).", who);
        break;
    case MTAREP_ETLS:
        pc_advice(out, c, "The TLS certificate was not trusted: check the CA bundle and the "
                  "clock; verification is never turned off.");
        break;
    case MTAREP_ETHROTTLED:
        pc_advice(out, c, "%s asks to slow down: re-run later.", who);
        break;
    default:
        pc_advice(out, c, "This could not be judged; re-run when %s answers.", who);
    }
}

static int no_figures(const mtarep_provider_period *p)
{
    return mtarep_provider_period_reputation(p) == MTAREP_REP_UNKNOWN &&
           mtarep_provider_period_bounce_rate(p) < 0 &&
           mtarep_provider_period_complaint_rate(p) < 0;
}

/* One provider's call: its job, or why it could not begin. */
typedef struct pc_call {
    struct mtarep__prov_job *job;
    int rc;
    char msg[512];
} pc_call;

struct pc_prov {
    mtarep_ctx *ctx;
    struct mtarep__prov_multi *m;
    mtarep__dns_side side;
    pc_call mailgun, snds, postmaster;
};

/* The call's outcome: 0 and its result, or the error and its message. */
static int call_result(pc_call *k, mtarep_provider_result **r, const char **msg)
{
    *r = NULL;
    *msg = k->msg;
    if (!k->job)
        return k->rc;
    if (!k->job->done)
        return MTAREP_ECANCELLED;
    *msg = k->job->errmsg;
    if (k->job->rc == MTAREP_OK)
        *r = mtarep__prov_job_take(k->job);
    return k->job->rc;
}

static void build_mailgun(pc_call *k, const char *domain, pc_list *out)
{
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *all;
    pc_check *c = pc_add(out, "mailgun", PC_OK);
    char b1[32], b2[32];
    const char *msg;
    int rc = call_result(k, &r, &msg);

    if (rc != MTAREP_OK) {
        failed(out, c, "Mailgun", rc, msg,
               "Mailgun refused the key: a bad API key or the wrong region (an EU domain "
               "needs region eu).",
               "Mailgun does not know this domain in this account and region: check the "
               "sending domain and the region.");
        return;
    }
    all = mtarep_provider_result_overall(r);
    if (no_figures(all)) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "Mailgun accepted no mail for %s in the last 7 days", domain);
        pc_advice(out, c, "Nothing to judge: no mail went through Mailgun for this domain.");
        mtarep_provider_result_free(r);
        return;
    }
    pct(b1, sizeof b1, mtarep_provider_period_bounce_rate(all), 0);
    pct(b2, sizeof b2, mtarep_provider_period_complaint_rate(all), 0);
    pc_evidence(out, c, "Mailgun, last 7 days: %lld accepted, hard bounces %s, complaints %s",
                (long long)mtarep_provider_period_volume(all), b1, b2);
    if (mtarep_provider_period_count(all, "esp_block") > 0)
        pc_evidence(out, c, "%lld deferred because the receiving provider blocked the IP "
                    "(esp_block)", (long long)mtarep_provider_period_count(all, "esp_block"));
    judge(out, c, "Mailgun", mtarep_provider_period_bounce_rate(all),
          mtarep_provider_period_complaint_rate(all), MTAREP_REP_UNKNOWN);
    mtarep_provider_result_free(r);
}

static void build_postmaster(pc_call *k, const char *domain, pc_list *out)
{
    mtarep_provider_result *r = NULL;
    const mtarep_provider_period *all;
    const char *rep, *msg;
    pc_check *c = pc_add(out, "postmaster", PC_OK);
    char b1[32], b2[32];
    int rc = call_result(k, &r, &msg);

    if (rc != MTAREP_OK) {
        failed(out, c, "Google Postmaster Tools", rc, msg,
               "Google refused the token: it expired (access tokens last an hour), lacks the "
               "postmaster.readonly scope, or the account cannot see this domain.",
               "The domain is not registered in Postmaster Tools for this account: add and "
               "verify it there.");
        return;
    }
    all = mtarep_provider_result_overall(r);
    if (no_figures(all)) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "Postmaster Tools has no data for %s in the last 7 days", domain);
        pc_advice(out, c, "Google shows data only for domains with enough daily mail to "
                  "Gmail; nothing to judge.");
        mtarep_provider_result_free(r);
        return;
    }
    rep = mtarep_reputation_name(mtarep_provider_period_reputation(all));
    pct(b1, sizeof b1, mtarep_provider_period_complaint_rate(all), 0);
    pct(b2, sizeof b2, mtarep_provider_period_bounce_rate(all), 0);
    pc_evidence(out, c, "Postmaster Tools, %zu day(s): domain reputation %s (the worst day), "
                "user-reported spam %s, permanent delivery errors %s",
                mtarep_provider_result_period_count(r), rep ? rep : "not given", b1, b2);
    judge(out, c, "Google Postmaster Tools", mtarep_provider_period_bounce_rate(all),
          mtarep_provider_period_complaint_rate(all), mtarep_provider_period_reputation(all));
    mtarep_provider_result_free(r);
}

static int ip_cmp(const mtarep_ip *a, const mtarep_ip *b)
{
    return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16);
}

/* SNDS rows of this IP: the worst filter result and complaint rate. */
static void build_snds_ip(const mtarep_provider_result *r, const char *ipt, pc_list *out)
{
    pc_check *c = pc_add(out, "snds", PC_OK);
    mtarep_reputation worst = MTAREP_REP_UNKNOWN;
    double complaint = -1;
    int rows = 0, blocked = 0;
    long long traps = 0;
    mtarep_ip ip, x, y;

    if (mtarep__ip_parse(&ip, ipt) != MTAREP_OK)
        return;
    for (size_t i = 0; i < mtarep_provider_result_blocked_count(r); i++) {
        if (mtarep__ip_parse(&x, mtarep_provider_result_blocked_first(r, i)) ||
            mtarep__ip_parse(&y, mtarep_provider_result_blocked_last(r, i)) ||
            x.family != ip.family || y.family != ip.family || ip_cmp(&x, &ip) > 0 ||
            ip_cmp(&ip, &y) > 0)
            continue;
        blocked = 1;
        pc_evidence(out, c, "Microsoft blocks %s - %s: %s",
                    mtarep_provider_result_blocked_first(r, i),
                    mtarep_provider_result_blocked_last(r, i),
                    *mtarep_provider_result_blocked_reason(r, i)
                        ? mtarep_provider_result_blocked_reason(r, i) : "no reason given");
    }
    for (size_t i = 0; i < mtarep_provider_result_period_count(r); i++) {
        const mtarep_provider_period *p = mtarep_provider_result_period(r, i);
        const char *raw = mtarep_provider_period_raw(p);
        mtarep_reputation rep = mtarep_provider_period_reputation(p);
        double cr = mtarep_provider_period_complaint_rate(p);
        json_t *j;
        char b[32];
        if (!mtarep_provider_period_subject(p) ||
            mtarep__ip_parse(&x, mtarep_provider_period_subject(p)) || x.family != ip.family ||
            ip_cmp(&x, &ip))
            continue;
        rows++;
        if (rep != MTAREP_REP_UNKNOWN && (worst == MTAREP_REP_UNKNOWN || rep < worst))
            worst = rep;
        if (cr > complaint)
            complaint = cr;
        if (raw && (j = json_loads(raw, 0, NULL))) {
            json_t *t = json_object_get(j, "trap_hits");
            if (json_is_integer(t))
                traps += json_integer_value(t);
            json_decref(j);
        }
        pct(b, sizeof b, cr, mtarep_provider_period_complaint_upper_bound(p));
        pc_evidence(out, c, "SNDS %s to %s: filter result %s, complaints %s, %lld recipients",
                    mtarep_provider_period_start(p) ? mtarep_provider_period_start(p) : "?",
                    mtarep_provider_period_end(p) ? mtarep_provider_period_end(p) : "?",
                    rep == MTAREP_REP_HIGH ? "GREEN" : rep == MTAREP_REP_LOW ? "YELLOW"
                    : rep == MTAREP_REP_BAD ? "RED" : "not given",
                    b, (long long)mtarep_provider_period_volume(p));
    }
    if (blocked) {
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "Outlook.com, Hotmail and Microsoft 365 consumer mail refuse this IP: "
                  "fix the cause, then ask for mitigation at https://sender.office.com.");
    }
    if (traps > 0) {
        pc_evidence(out, c, "%lld spam trap hit(s)", traps);
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "Mail reached spam traps: lists hold addresses that never opted in "
                  "or were abandoned; confirm subscriptions and drop inactive addresses.");
    }
    if (rows == 0 && !blocked) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "SNDS has no data for %s (not covered by the key, or too little "
                    "mail to Microsoft that day)", ipt);
        pc_advice(out, c, "Add the IP to the SNDS account if it is not there; nothing to "
                  "judge otherwise.");
        return;
    }
    if (!blocked && !traps && worst == MTAREP_REP_UNKNOWN && complaint < 0) {
        pc_raise(c, PC_UNKNOWN); /* rows, but nothing that says good or bad */
        pc_evidence(out, c, "SNDS rows for %s carry neither a filter result nor a complaint "
                    "rate", ipt);
        pc_advice(out, c, "Look the IP up in the SNDS web interface; nothing to judge here.");
        return;
    }
    judge(out, c, "Microsoft SNDS", -1, complaint, worst);
}

static void build_snds(pc_call *k, const char *const *ips, size_t nips, pc_list *out)
{
    mtarep_provider_result *r = NULL;
    const char *msg;
    int rc = call_result(k, &r, &msg);
    const char *save = out->subject;

    for (size_t i = 0; i < nips; i++) {
        out->subject = ips[i];
        if (rc != MTAREP_OK) {
            failed(out, pc_add(out, "snds", PC_UNKNOWN), "Microsoft SNDS", rc, msg,
                   "SNDS refused the key: check that automated access is enabled in SNDS "
                   "and the key is current.",
                   "SNDS answered 404: check the base URL.");
            continue;
        }
        build_snds_ip(r, ips[i], out);
    }
    out->subject = save;
    mtarep_provider_result_free(r);
}

/* Begin k's job on p's multi handle; a job that could not be made (rc:
 * bad options) leaves its error in k. */
static void begin(pc_prov *p, pc_call *k, int rc)
{
    if (rc != MTAREP_OK) {
        k->rc = rc;
        snprintf(k->msg, sizeof k->msg, "%s", mtarep_ctx_errmsg(p->ctx));
        return;
    }
    mtarep__prov_multi_add(p->m, k->job);
}

int mtarep__pc_providers_start(pc_prov **out, mtarep_ctx *ctx, const mtarep_precheck_options *po,
                               const char *domain)
{
    mtarep_provider_options o = MTAREP_PROVIDER_OPTIONS_INIT;
    pc_prov *p;

    *out = NULL;
    if (!(p = calloc(1, sizeof *p)) || mtarep__prov_multi_new(&p->m, ctx) != MTAREP_OK) {
        free(p);
        return MTAREP_ENOMEM;
    }
    p->ctx = ctx;
    o.base_url = po->provider_base_url;
    o.ca_file = po->provider_ca_file;
    o.timeout_ms = po->provider_timeout_ms ? po->provider_timeout_ms : PC_PROVIDER_TIMEOUT_MS;
    if (o.connect_timeout_ms > o.timeout_ms)
        o.connect_timeout_ms = o.timeout_ms;
    /* a precheck is interactive: do not wait long on a 429 */
    o.max_retry_wait_s = 5;
    /* the order of the checks they make: SNDS, Postmaster, Mailgun */
    if (po->snds_key)
        begin(p, &p->snds, mtarep__prov_snds_job(&p->snds.job, ctx, po->snds_key, &o));
    if (po->postmaster_token && domain)
        begin(p, &p->postmaster, mtarep__prov_postmaster_job(&p->postmaster.job, ctx, domain,
                                                             po->postmaster_token, &o));
    if (po->mailgun_key && domain) {
        o.region = po->mailgun_region;
        begin(p, &p->mailgun, mtarep__prov_mailgun_job(&p->mailgun.job, ctx, domain,
                                                       po->mailgun_key, &o));
    }
    mtarep__clear_error(ctx); /* a provider's failure goes into its check */
    p->side.busy = mtarep__prov_multi_busy;
    p->side.wait = mtarep__prov_multi_wait;
    p->side.arg = p->m;
    mtarep__dns_set_side(ctx, &p->side);
    *out = p;
    return MTAREP_OK;
}

void mtarep__pc_providers_finish(pc_prov *p, const mtarep_precheck_options *po,
                                 const char *const *ips, size_t nips, const char *domain,
                                 pc_list *out)
{
    mtarep__prov_multi_run(p->m); /* done already, unless the DNS run gave up early */
    if (po->snds_key)
        build_snds(&p->snds, ips, nips, out);
    out->subject = domain;
    if (po->postmaster_token && domain)
        build_postmaster(&p->postmaster, domain, out);
    if (po->mailgun_key && domain)
        build_mailgun(&p->mailgun, domain, out);
}

void mtarep__pc_providers_free(pc_prov *p)
{
    if (!p)
        return;
    mtarep__dns_set_side(p->ctx, NULL);
    mtarep__prov_multi_free(p->m);
    mtarep__prov_job_free(p->mailgun.job);
    mtarep__prov_job_free(p->snds.job);
    mtarep__prov_job_free(p->postmaster.job);
    free(p);
}
