/* DKIM key records (RFC 6376 3.6.1, RFC 8301, RFC 8463): validation with
 * OpenSSL decoding of p=, fetch, concurrent selector discovery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../dns/engine.h"
#include "dkim_int.h"

static const char *const default_selectors[] = {
    "google", "selector1", "selector2", "k1", "k2", "k3", "default", "dkim", "mail",
    "s1", "s2", "smtp", "email", "mx", "key1", "key2", "sig1", "mandrill", "mxvault",
    "everlytickey1", "everlytickey2", "dkim1", "mailjet", "pm", "protonmail", "zoho",
    "fm1", "fm2", "fm3", "scph0121", "s1024", "s2048", NULL};

const char *mtarep_dkim_default_selector(size_t i)
{
    return i < sizeof default_selectors / sizeof *default_selectors ? default_selectors[i]
                                                                      : NULL;
}

mtarep_status mtarep_dkim_options_init(mtarep_dkim_options *opts, unsigned int version)
{
    if (!opts)
        return MTAREP_EINVAL;
    if (version != MTAREP_DKIM_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = (mtarep_dkim_options)MTAREP_DKIM_OPTIONS_INIT;
    return MTAREP_OK;
}

/* 1 if the colon-separated list v contains item (case-insensitive; FWS
 * around items allowed). */
static int list_has(const char *v, size_t len, const char *item)
{
    size_t il = strlen(item), i = 0;
    while (i <= len) {
        size_t s = i, e;
        while (i < len && v[i] != ':')
            i++;
        e = i;
        while (s < e && (v[s] == ' ' || v[s] == '\t' || v[s] == '\r' || v[s] == '\n'))
            s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t' || v[e - 1] == '\r' ||
                         v[e - 1] == '\n'))
            e--;
        if (e - s == il && strncasecmp(v + s, item, il) == 0)
            return 1;
        i++;
    }
    return 0;
}

static int tag_is(const authrec_tag *t, const char *v)
{
    return t->vlen == strlen(v) && memcmp(t->value, v, t->vlen) == 0;
}

/* Strict base64 (RFC 4648 alphabet, '=' padding only at the end) with FWS
 * removed, then decoded with OpenSSL. Returns decoded length, -1 with a
 * problem added, or -2 on OOM. */
static long b64_decode(authrec_problems *pr, const authrec_tag *t, unsigned char **out)
{
    char *clean = malloc(t->vlen + 1);
    size_t n = 0, pad = 0;
    long dl;
    int ol = 0, fl = 0;
    EVP_ENCODE_CTX *ec;
    unsigned char *buf;

    *out = NULL;
    if (!clean)
        return -2;
    for (size_t i = 0; i < t->vlen; i++) {
        char c = t->value[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad++;
        } else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/')) {
            mtarep__problem_add(pr, MTAREP_AUTH_ERROR, (long)(t->vpos + i),
                                "p= is not base64: unexpected '%c' at offset %zu", c,
                                t->vpos + i);
            free(clean);
            return -1;
        }
        clean[n++] = c;
    }
    if (n % 4 != 0 || pad > 2) {
        mtarep__problem_add(pr, MTAREP_AUTH_ERROR, (long)t->vpos,
                            "p= is not base64: length %zu is not a multiple of 4 or bad padding",
                            n);
        free(clean);
        return -1;
    }
    buf = malloc(n / 4 * 3 + 4);
    ec = EVP_ENCODE_CTX_new();
    if (!buf || !ec) {
        free(clean);
        free(buf);
        EVP_ENCODE_CTX_free(ec);
        return -2;
    }
    EVP_DecodeInit(ec);
    if (EVP_DecodeUpdate(ec, buf, &ol, (unsigned char *)clean, (int)n) < 0 ||
        EVP_DecodeFinal(ec, buf + ol, &fl) < 0) {
        mtarep__problem_add(pr, MTAREP_AUTH_ERROR, (long)t->vpos, "p= is not valid base64");
        free(buf);
        buf = NULL;
        dl = -1;
    } else {
        dl = ol + fl;
    }
    EVP_ENCODE_CTX_free(ec);
    free(clean);
    *out = buf;
    return dl;
}

static void check_key(mtarep_dkim_result *r, const authrec_tag *p, int ed25519)
{
    unsigned char *der = NULL;
    long n = b64_decode(&r->pr, p, &der);

    if (n == -2) {
        r->pr.oom = 1;
        return;
    }
    if (n < 0)
        return;
    if (ed25519) {
        const unsigned char *q = der;
        EVP_PKEY *k;
        if (n == 32) {
            if ((k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, 32))) {
                r->key_type = "ed25519";
                r->bits = 256;
                EVP_PKEY_free(k);
            } else {
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                    "p= is not a usable Ed25519 key");
            }
        } else if ((k = d2i_PUBKEY(NULL, &q, n)) && q == der + n) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                "k=ed25519 key given as %ld-octet SubjectPublicKeyInfo DER; "
                                "RFC 8463 requires the raw 32-octet key",
                                n);
            EVP_PKEY_free(k);
        } else {
            EVP_PKEY_free(k);
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                "k=ed25519 key is %ld octets; RFC 8463 requires exactly 32", n);
        }
    } else {
        const unsigned char *q = der;
        EVP_PKEY *k = d2i_PUBKEY(NULL, &q, n);
        int pkcs1 = 0;
        if (k && q != der + n) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                "p= has %ld octets of garbage after the key",
                                (long)(der + n - q));
            EVP_PKEY_free(k);
            free(der);
            return;
        }
        if (!k) {
            /* PKCS#1 RSAPublicKey: some verifiers (dkimpy) accept it, OpenSSL-based
             * ones such as OpenDKIM and rspamd do not */
            q = der;
            k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, n);
            if (k && q == der + n)
                pkcs1 = 1;
            else {
                EVP_PKEY_free(k);
                k = NULL;
            }
        }
        if (!k) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                "p= does not decode to a public key (corrupt or truncated DER)");
        } else if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                "key type mismatch: k=rsa but p= holds a %s key",
                                OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
        } else {
            int bits = EVP_PKEY_get_bits(k);
            r->key_type = "rsa";
            r->bits = bits > 0 ? (unsigned)bits : 0;
            if (pkcs1)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)p->vpos,
                                    "RSA key is PKCS#1 RSAPublicKey, not SubjectPublicKeyInfo "
                                    "(RFC 6376 3.6.1): many verifiers cannot read it");
            if (bits < 1024)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)p->vpos,
                                    "DKIM key %d-bit RSA: below 1024 bits, verifiers must not "
                                    "accept its signatures (RFC 8301 3.2)",
                                    bits);
            else if (bits < 2048)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)p->vpos,
                                    "DKIM key %d-bit RSA: below the 2048 bits RFC 8301 3.2 "
                                    "recommends; some receivers distrust it. Publish a 2048-bit "
                                    "key under a new selector and rotate",
                                    bits);
            else if (bits > 4096)
                mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)p->vpos,
                                    "DKIM key %d-bit RSA: verifiers need only handle up to 4096 "
                                    "bits (RFC 8301 3.2)",
                                    bits);
        }
        EVP_PKEY_free(k);
    }
    free(der);
}

int mtarep__dkim_check_text(mtarep_dkim_result *r, const char *txt, size_t len)
{
    authrec_tags *tags = malloc(sizeof *tags);
    char err[200];
    size_t pos = 0;
    long iv, ik, ih, is, it, ip;
    int ed = 0;

    if (!tags)
        return MTAREP_ENOMEM;
    if (mtarep__taglist_parse(tags, txt, len, 0, err, sizeof err, &pos) != 0) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)pos,
                            "tag-list syntax error at offset %zu: %s (RFC 6376 3.2)", pos, err);
        goto done;
    }
    iv = mtarep__taglist_find(tags, "v", 0);
    if (iv > 0)
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)tags->t[iv].npos,
                            "v= must be the first tag (RFC 6376 3.6.1)");
    if (iv >= 0 && !tag_is(&tags->t[iv], "DKIM1"))
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)tags->t[iv].vpos,
                            "v=%.*s: version must be exactly DKIM1",
                            (int)(tags->t[iv].vlen > 60 ? 60 : tags->t[iv].vlen),
                            tags->t[iv].value);
    ik = mtarep__taglist_find(tags, "k", 0);
    if (ik >= 0) {
        if (tag_is(&tags->t[ik], "ed25519"))
            ed = 1;
        else if (!tag_is(&tags->t[ik], "rsa")) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)tags->t[ik].vpos,
                                "unknown key type k=%.*s (rsa or ed25519)",
                                (int)(tags->t[ik].vlen > 60 ? 60 : tags->t[ik].vlen),
                                tags->t[ik].value);
            ed = -1;
        }
    }
    ih = mtarep__taglist_find(tags, "h", 0);
    if (ih >= 0) {
        const authrec_tag *h = &tags->t[ih];
        if (!list_has(h->value, h->vlen, "sha256")) {
            if (list_has(h->value, h->vlen, "sha1"))
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)h->vpos,
                                    "h= allows only sha1: rsa-sha1 is forbidden (RFC 8301 3.1) "
                                    "and sha256 signatures must fail (RFC 6376 6.1.2)");
            else
                mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)h->vpos,
                                    "h= names no usable hash algorithm (sha256)");
        } else if (list_has(h->value, h->vlen, "sha1")) {
            mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)h->vpos,
                                "h= still lists sha1, which RFC 8301 forbids; h=sha256 suffices");
        }
    }
    is = mtarep__taglist_find(tags, "s", 0);
    if (is >= 0 && !list_has(tags->t[is].value, tags->t[is].vlen, "*") &&
        !list_has(tags->t[is].value, tags->t[is].vlen, "email"))
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)tags->t[is].vpos,
                            "s=%.*s: key not usable for email (s= must include email or *)",
                            (int)(tags->t[is].vlen > 60 ? 60 : tags->t[is].vlen),
                            tags->t[is].value);
    it = mtarep__taglist_find(tags, "t", 0);
    if (it >= 0) {
        if (list_has(tags->t[it].value, tags->t[it].vlen, "y")) {
            r->testing = 1;
            mtarep__problem_add(&r->pr, MTAREP_AUTH_WARN, (long)tags->t[it].vpos,
                                "t=y: testing mode, verifiers treat signed mail like unsigned "
                                "mail (RFC 6376 3.6.1); remove t=y once signing works");
        }
        if (list_has(tags->t[it].value, tags->t[it].vlen, "s"))
            mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)tags->t[it].vpos,
                                "t=s: signatures must use exactly the d= domain in i= "
                                "(no subdomains)");
    }
    for (size_t i = 0; i < tags->n; i++) {
        static const char *const known[] = {"v", "g", "h", "k", "n", "p", "s", "t"};
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            if (tags->t[i].nlen == 1 && tags->t[i].name[0] == known[k][0])
                ok = 1;
        if (!ok)
            mtarep__problem_add(&r->pr, MTAREP_AUTH_INFO, (long)tags->t[i].npos,
                                "unknown tag '%.*s' (ignored by verifiers)",
                                (int)(tags->t[i].nlen > 40 ? 40 : tags->t[i].nlen),
                                tags->t[i].name);
    }
    ip = mtarep__taglist_find(tags, "p", 0);
    if (ip < 0) {
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1, "p= (the public key) is missing");
    } else if (tags->t[ip].vlen == 0) {
        r->revoked = 1;
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, (long)tags->t[ip].vpos,
                            "empty p=: the key is revoked, signatures with it fail "
                            "(RFC 6376 3.6.1)");
    } else if (ed >= 0) {
        check_key(r, &tags->t[ip], ed);
    }
done:
    free(tags);
    r->verdict = mtarep__problems_verdict(&r->pr);
    return r->pr.oom ? MTAREP_ENOMEM : MTAREP_OK;
}

/* ---- public API ------------------------------------------------------------ */

mtarep_status mtarep_dkim_validate(mtarep_dkim_result **out, mtarep_ctx *ctx, const char *record,
                                   size_t len)
{
    mtarep_dkim_result *r;
    if (out)
        *out = NULL;
    if (ctx)
        mtarep__clear_error(ctx);
    if (!out || (!record && len))
        return mtarep__fail(ctx, MTAREP_EINVAL, "dkim: NULL argument");
    if (!(r = calloc(1, sizeof *r)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dkim: out of memory");
    if (!(r->record = mtarep__escape_text(record ? record : "", len)) ||
        mtarep__dkim_check_text(r, record ? record : "", len) != MTAREP_OK) {
        mtarep_dkim_result_free(r);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dkim: out of memory");
    }
    *out = r;
    return MTAREP_OK;
}

/* Turn one lookup into a result. */
static int from_lookup(mtarep_dkim_result *r, const authrec_lookup *q)
{
    if (q->status != MTAREP_OK) {
        r->verdict = MTAREP_AUTH_UNKNOWN;
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1, "could not decide: %s",
                            q->errmsg ? q->errmsg : "DNS failure");
    } else if (q->ntxt == 0) {
        r->verdict = MTAREP_AUTH_NONE;
        mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1, "no DKIM key at %s (%s)", q->name,
                            q->rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "no TXT record");
    } else {
        if (!(r->record = mtarep__escape_text(q->txt[0].p, q->txt[0].len)))
            return MTAREP_ENOMEM;
        if (mtarep__dkim_check_text(r, q->txt[0].p, q->txt[0].len) != MTAREP_OK)
            return MTAREP_ENOMEM;
        if (q->ntxt > 1) {
            /* RFC 6376 3.6.2.2: verifiers may pick any one; the result is unpredictable */
            mtarep__problem_add(&r->pr, MTAREP_AUTH_ERROR, -1,
                                "%zu TXT records at %s: verifiers pick one at random", q->ntxt,
                                q->name);
            r->verdict = MTAREP_AUTH_INVALID;
        }
    }
    return r->pr.oom ? MTAREP_ENOMEM : MTAREP_OK;
}

static int make_name(mtarep_ctx *ctx, char *buf, size_t len, const char *domain,
                     const char *selector)
{
    char d[256];
    if (!domain || mtarep__domain_normalize(domain, d, sizeof d) != 0)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dkim: malformed domain '%s'",
                            domain ? domain : "(null)");
    if (!selector || !*selector || (size_t)snprintf(buf, len, "%s._domainkey.%s", selector, d) >= len ||
        !mtarep__domain_valid(buf))
        return mtarep__fail(ctx, MTAREP_EINVAL, "dkim: malformed selector '%s'",
                            selector ? selector : "(null)");
    return MTAREP_OK;
}

mtarep_status mtarep_dkim_fetch(mtarep_dkim_result **out, mtarep_ctx *ctx, const char *domain,
                                const char *selector, const mtarep_dkim_options *opts)
{
    mtarep_dkim_result *r;
    authrec_lookup q;
    char name[300];
    int rc;

    if (out)
        *out = NULL;
    if (!ctx || !out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dkim: NULL argument");
    mtarep__clear_error(ctx);
    if (opts && opts->version != MTAREP_DKIM_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "dkim: options version %u", opts->version);
    if ((rc = make_name(ctx, name, sizeof name, domain, selector)) != MTAREP_OK)
        return rc;
    if (!(r = calloc(1, sizeof *r)) || !(r->name = mtarep__strdup(name)) ||
        !(r->selector = mtarep__strdup(selector))) {
        mtarep_dkim_result_free(r);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "dkim: out of memory");
    }
    q.name = r->name;
    if ((rc = mtarep__txt_lookup(ctx, &q, 1)) == MTAREP_OK)
        rc = from_lookup(r, &q);
    mtarep__txt_lookup_free(&q, 1);
    if (rc != MTAREP_OK) {
        mtarep_dkim_result_free(r);
        return rc == MTAREP_ENOMEM ? mtarep__fail(ctx, rc, "dkim: out of memory") : rc;
    }
    *out = r;
    return MTAREP_OK;
}

struct mtarep_dkim_job {
    mtarep_dkim_discovery *d;
    authrec_lookup *q;
    size_t n;
    int rc; /* submit failure, carried to finish */
};

int mtarep__dkim_discover_start(mtarep_dkim_job **job, mtarep_ctx *ctx, const char *domain,
                                const mtarep_dkim_options *opts)
{
    const char *const *sel = default_selectors;
    size_t n = sizeof default_selectors / sizeof *default_selectors - 1;
    mtarep_dkim_discovery *d = NULL;
    mtarep_dkim_job *j = NULL;
    authrec_lookup *q = NULL;
    int rc = MTAREP_OK;

    *job = NULL;
    if (opts && opts->version != MTAREP_DKIM_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "dkim: options version %u", opts->version);
    if (opts && opts->selectors) {
        sel = opts->selectors;
        n = opts->selector_count;
    }
    if (!(j = calloc(1, sizeof *j)) || !(d = calloc(1, sizeof *d)) ||
        (n && !(d->r = calloc(n, sizeof *d->r))) || (n && !(q = calloc(n, sizeof *q)))) {
        rc = MTAREP_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        char name[300];
        if ((rc = make_name(ctx, name, sizeof name, domain, sel[i])) != MTAREP_OK)
            goto fail;
        if (!(d->r[i] = calloc(1, sizeof **d->r)) || !(d->r[i]->name = mtarep__strdup(name)) ||
            !(d->r[i]->selector = mtarep__strdup(sel[i]))) {
            d->n = i + 1;
            rc = MTAREP_ENOMEM;
            goto fail;
        }
        d->n = i + 1;
        q[i].name = d->r[i]->name;
    }
    j->d = d;
    j->q = q;
    j->n = n;
    /* once anything is queued the job must live through run() */
    if (n)
        j->rc = mtarep__txt_submit(ctx, q, n);
    *job = j;
    return MTAREP_OK;
fail:
    free(q);
    mtarep_dkim_discovery_free(d);
    free(j);
    return rc == MTAREP_ENOMEM ? mtarep__fail(ctx, rc, "dkim: out of memory") : rc;
}

int mtarep__dkim_discover_finish(mtarep_dkim_discovery **out, mtarep_ctx *ctx,
                                 mtarep_dkim_job *j)
{
    int rc = j->rc;
    *out = NULL;
    for (size_t i = 0; i < j->n && rc == MTAREP_OK; i++)
        rc = from_lookup(j->d->r[i], &j->q[i]);
    if (j->q)
        mtarep__txt_lookup_free(j->q, j->n);
    free(j->q);
    if (rc != MTAREP_OK)
        mtarep_dkim_discovery_free(j->d);
    else
        *out = j->d;
    free(j);
    return rc == MTAREP_ENOMEM ? mtarep__fail(ctx, rc, "dkim: out of memory") : rc;
}

mtarep_status mtarep_dkim_discover(mtarep_dkim_discovery **out, mtarep_ctx *ctx,
                                   const char *domain, const mtarep_dkim_options *opts)
{
    mtarep_dkim_job *job;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx || !out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "dkim: NULL argument");
    mtarep__clear_error(ctx);
    if ((rc = mtarep__dkim_discover_start(&job, ctx, domain, opts)) != MTAREP_OK)
        return rc;
    (void)mtarep__dns_run(ctx);
    return mtarep__dkim_discover_finish(out, ctx, job);
}

size_t mtarep_dkim_discovery_count(const mtarep_dkim_discovery *d) { return d ? d->n : 0; }

const mtarep_dkim_result *mtarep_dkim_discovery_result(const mtarep_dkim_discovery *d, size_t i)
{
    return d && i < d->n ? d->r[i] : NULL;
}

size_t mtarep_dkim_discovery_found(const mtarep_dkim_discovery *d)
{
    size_t c = 0;
    for (size_t i = 0; d && i < d->n; i++)
        if (d->r[i]->verdict != MTAREP_AUTH_NONE && d->r[i]->verdict != MTAREP_AUTH_UNKNOWN)
            c++;
    return c;
}

size_t mtarep_dkim_discovery_undecided(const mtarep_dkim_discovery *d)
{
    size_t c = 0;
    for (size_t i = 0; d && i < d->n; i++)
        if (d->r[i]->verdict == MTAREP_AUTH_UNKNOWN)
            c++;
    return c;
}

void mtarep_dkim_discovery_free(mtarep_dkim_discovery *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        mtarep_dkim_result_free(d->r[i]);
    free(d->r);
    free(d);
}

mtarep_auth_verdict mtarep_dkim_result_verdict(const mtarep_dkim_result *r)
{
    return r ? r->verdict : MTAREP_AUTH_UNKNOWN;
}
size_t mtarep_dkim_result_problem_count(const mtarep_dkim_result *r) { return r ? r->pr.n : 0; }
mtarep_auth_severity mtarep_dkim_result_problem_severity(const mtarep_dkim_result *r, size_t i)
{
    return r && i < r->pr.n ? (mtarep_auth_severity)r->pr.v[i].sev : MTAREP_AUTH_INFO;
}
const char *mtarep_dkim_result_problem_message(const mtarep_dkim_result *r, size_t i)
{
    return r && i < r->pr.n ? r->pr.v[i].msg : NULL;
}
long mtarep_dkim_result_problem_offset(const mtarep_dkim_result *r, size_t i)
{
    return r && i < r->pr.n ? r->pr.v[i].off : -1;
}
const char *mtarep_dkim_result_key_type(const mtarep_dkim_result *r) { return r ? r->key_type : NULL; }
unsigned int mtarep_dkim_result_key_bits(const mtarep_dkim_result *r) { return r ? r->bits : 0; }
int mtarep_dkim_result_testing(const mtarep_dkim_result *r) { return r ? r->testing : 0; }
int mtarep_dkim_result_revoked(const mtarep_dkim_result *r) { return r ? r->revoked : 0; }
const char *mtarep_dkim_result_record(const mtarep_dkim_result *r) { return r ? r->record : NULL; }
const char *mtarep_dkim_result_name(const mtarep_dkim_result *r) { return r ? r->name : NULL; }
const char *mtarep_dkim_result_selector(const mtarep_dkim_result *r) { return r ? r->selector : NULL; }

void mtarep_dkim_result_free(mtarep_dkim_result *r)
{
    if (!r)
        return;
    mtarep__problems_free(&r->pr);
    free(r->record);
    free(r->name);
    free(r->selector);
    free(r);
}
