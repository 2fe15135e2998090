/* The one HTTP layer of the providers, over libcurl (setup and outcome
 * mapping shared by the blocking easy path here and the multi path of
 * job.c):
 * TLS verification always on, plain http:// only to loopback, no
 * redirects, no environment proxies, bounded body, Retry-After honoured on
 * 429/503 a bounded number of times. URLs are logged without their query
 * (the SNDS key is a query parameter). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <strings.h>

#include <curl/curl.h>

#include "provider_int.h"

_Static_assert(sizeof(((struct mtarep__http_xfer *)0)->errbuf) >= CURL_ERROR_SIZE,
               "libcurl error buffer");

mtarep_status mtarep_provider_options_init(mtarep_provider_options *opts, unsigned int version)
{
    if (!opts)
        return MTAREP_EINVAL;
    if (version != MTAREP_PROVIDER_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = (mtarep_provider_options)MTAREP_PROVIDER_OPTIONS_INIT;
    return MTAREP_OK;
}

int mtarep__prov_opts(mtarep_ctx *ctx, const mtarep_provider_options *in,
                      mtarep_provider_options *out)
{
    if (!in) {
        mtarep_provider_options_init(out, MTAREP_PROVIDER_OPTIONS_VERSION);
        return MTAREP_OK;
    }
    if (in->version != MTAREP_PROVIDER_OPTIONS_VERSION)
        return mtarep__fail(ctx, MTAREP_EVERSION, "provider options version %u not supported",
                            in->version);
    *out = *in;
    if (out->timeout_ms == 0)
        out->timeout_ms = 30000;
    if (out->connect_timeout_ms == 0)
        out->connect_timeout_ms = 10000;
    if (out->max_body == 0)
        out->max_body = 8u << 20;
    if (out->max_retries > 10)
        return mtarep__fail(ctx, MTAREP_EINVAL, "provider options: max_retries above 10");
    return MTAREP_OK;
}

char *mtarep__http_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0), *r;
    if (!e)
        return NULL;
    r = mtarep__strdup(e);
    curl_free(e);
    return r;
}

int mtarep__prov_secret(mtarep_ctx *ctx, const char *key)
{
    char *e;
    int rc;
    if ((rc = mtarep__secrets_push(ctx, key)))
        return rc;
    if (!(e = mtarep__http_escape(key)))
        return MTAREP_ENOMEM;
    rc = strcmp(e, key) ? mtarep__secrets_push(ctx, e) : MTAREP_OK;
    free(e);
    return rc;
}

static int host_is_loopback(const char *h)
{
    size_t n = strlen(h);
    if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0)
        return 1;
    /* 127.0.0.0/8 as a dotted quad */
    if (strncmp(h, "127.", 4) == 0 && n <= 15 && strspn(h, "0123456789.") == n) {
        mtarep_ip ip;
        return mtarep__ip_parse(&ip, h) == 0;
    }
    return 0;
}

int mtarep__http_check_base(mtarep_ctx *ctx, const char *what, const char *base)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *query = NULL, *frag = NULL, *user = NULL;
    int rc = MTAREP_OK;

    if (!u)
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    if (strlen(base) > 512) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "%s: base URL longer than 512 octets", what);
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "%s: base URL is not a URL", what);
        goto out;
    }
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    if (query || frag || user)
        rc = mtarep__fail(ctx, MTAREP_EINVAL,
                          "%s: base URL must not carry a query, fragment or user", what);
    else if (strcasecmp(scheme, "https") != 0 &&
             !(strcasecmp(scheme, "http") == 0 && host_is_loopback(host)))
        rc = mtarep__fail(ctx, MTAREP_EINVAL,
                          "%s: base URL must be https:// (plain http:// only for loopback hosts)",
                          what);
    else if (base[strlen(base) - 1] == '/')
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "%s: base URL must not end with '/'", what);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(query);
    curl_free(frag);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

void mtarep__http_close(void **session)
{
    if (session && *session) {
        curl_easy_cleanup(*session);
        *session = NULL;
    }
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct mtarep__http_sink *s = ud;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->over = 1;
        return 0; /* aborts with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        char *nb;
        while (cap < s->len + n + 1)
            cap *= 2;
        if (!(nb = realloc(s->buf, cap)))
            return 0;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, ptr, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

/* Retry-After: delay-seconds or an HTTP-date; X-RateLimit-Reset (Mailgun):
 * Unix seconds, possibly fractional. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct mtarep__http_sink *s = ud;
    size_t n = size * nmemb;
    char line[256], *v;
    int reset;

    if (n >= sizeof line)
        return n;
    memcpy(line, ptr, n);
    line[n] = '\0';
    if (strncasecmp(line, "HTTP/", 5) == 0) { /* a new response (retry) */
        s->retry_after = -1;
        return n;
    }
    reset = strncasecmp(line, "X-RateLimit-Reset:", 18) == 0;
    if (!reset && strncasecmp(line, "Retry-After:", 12) != 0)
        return n;
    v = strchr(line, ':') + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    v[strcspn(v, "\r\n")] = '\0';
    if (reset) {
        char *end;
        double t = strtod(v, &end);
        if (end != v && t > 0 && s->retry_after < 0) {
            double d = t - (double)time(NULL);
            s->retry_after = d <= 0 ? 0 : d > 86400 ? 86400 : (long)(d + 0.999);
        }
    } else if (isdigit((unsigned char)*v)) {
        char *end;
        long d;
        errno = 0;
        d = strtol(v, &end, 10);
        if (!errno && (*end == '\0' || *end == ' '))
            s->retry_after = d > 86400 ? 86400 : d;
    } else {
        time_t t = curl_getdate(v, NULL);
        if (t != (time_t)-1) {
            long d = (long)(t - time(NULL));
            s->retry_after = d < 0 ? 0 : d > 86400 ? 86400 : d;
        }
    }
    return n;
}

static int map_curl_error(mtarep_ctx *ctx, const struct mtarep__http_req *rq, const char *logurl,
                          CURLcode cc, const char *errbuf, const struct mtarep__http_sink *s)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    int code;
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        code = MTAREP_ETIMEOUT;
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        code = MTAREP_ETLS;
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        code = MTAREP_ETEMPFAIL;
        break;
    case CURLE_FILESIZE_EXCEEDED:
        code = MTAREP_ELIMIT;
        break;
    case CURLE_WRITE_ERROR:
        if (s->over)
            return mtarep__fail(ctx, MTAREP_ELIMIT, "%s: %s %s: response larger than %zu bytes",
                                rq->what, rq->method, logurl, s->max);
        code = MTAREP_ENOMEM;
        break;
    case CURLE_OUT_OF_MEMORY:
        code = MTAREP_ENOMEM;
        break;
    case CURLE_PARTIAL_FILE:
        return mtarep__fail(ctx, MTAREP_EHTTP, "%s: %s %s: response truncated (%s)", rq->what,
                            rq->method, logurl, detail);
    default:
        code = MTAREP_EHTTP;
        break;
    }
    if (code == MTAREP_ELIMIT)
        return mtarep__fail(ctx, code, "%s: %s %s: response larger than %zu bytes", rq->what,
                            rq->method, logurl, s->max);
    return mtarep__fail(ctx, code, "%s: %s %s: %s", rq->what, rq->method, logurl, detail);
}

static void sleep_s(long s)
{
    struct timespec ts = {s, 0};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int mtarep__http_setup(mtarep_ctx *ctx, const struct mtarep__http_req *rq,
                       struct mtarep__http_xfer *x, void *reuse)
{
    const mtarep_provider_options *o = rq->opts;
    char ua[64];
    struct curl_slist *h;
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL;
    CURL *c;
    int rc = MTAREP_OK;

    memset(x, 0, sizeof *x);
    x->rq = rq;
    x->s.max = o->max_body;
    x->s.retry_after = -1;
    /* Never log the query: the SNDS key lives there. */
    snprintf(x->logurl, sizeof x->logurl, "%.*s", (int)strcspn(rq->url, "?"), rq->url);

    if (!(u = curl_url()) || curl_url_set(u, CURLUPART_URL, rq->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "%s: bad URL %s", rq->what, x->logurl);
        goto out;
    }
    if (strcasecmp(scheme, "https") != 0 &&
        !(strcasecmp(scheme, "http") == 0 && host_is_loopback(host))) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL,
                          "%s: refusing %s (https:// only; http:// for loopback hosts)", rq->what,
                          x->logurl);
        goto out;
    }
    /* A reused handle keeps its connection cache: the next request of the
     * same call skips the TCP and TLS handshakes. */
    if (reuse) {
        c = reuse;
        curl_easy_reset(c);
    } else if (!(c = curl_easy_init())) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto out;
    }
    x->c = c;
    snprintf(ua, sizeof ua, "libmtarep/%s", mtarep_version(NULL));
    if (!(h = curl_slist_append(x->hdr, "Accept: application/json, text/csv;q=0.9, */*;q=0.1")))
        goto oom;
    x->hdr = h;
    if (rq->post_json) {
        if (!(h = curl_slist_append(x->hdr, "Content-Type: application/json")))
            goto oom;
        x->hdr = h;
    }
    if (rq->bearer) {
        size_t n = strlen(rq->bearer) + 32;
        if (!(x->auth = malloc(n)))
            goto oom;
        snprintf(x->auth, n, "Authorization: Bearer %s", rq->bearer);
        if (!(h = curl_slist_append(x->hdr, x->auth)))
            goto oom;
        x->hdr = h;
    }
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, strcasecmp(scheme, "https") == 0 ? "https" : "http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");     /* TOOLCHAIN pitfall 25 */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, ua); /* libcurl copies strings */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdr);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x->s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x->s);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    if (rq->basic_user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, rq->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, rq->basic_pass ? rq->basic_pass : "");
    }
    if (rq->post_json)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->post_json);
    mtarep__http_rearm(x);
    goto out;
oom:
    rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

void mtarep__http_rearm(struct mtarep__http_xfer *x)
{
    x->errbuf[0] = '\0';
    x->s.len = 0;
    x->s.over = 0;
    x->s.retry_after = -1;
    if (x->s.buf)
        x->s.buf[0] = '\0';
}

int mtarep__http_done(mtarep_ctx *ctx, struct mtarep__http_xfer *x, int curl_code,
                      struct mtarep__http_resp *resp, long *retry_s)
{
    const struct mtarep__http_req *rq = x->rq;
    const mtarep_provider_options *o = rq->opts;
    long st = 0, wait;

    *retry_s = -1;
    memset(resp, 0, sizeof *resp);
    if ((CURLcode)curl_code != CURLE_OK)
        return map_curl_error(ctx, rq, x->logurl, (CURLcode)curl_code, x->errbuf, &x->s);
    curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &st);
    ctx->prov_http_status = st;
    ctx->prov_retry_after = x->s.retry_after;
    mtarep__log(ctx, MTAREP_LOG_INFO, "%s: %s %s -> HTTP %ld, %zu bytes", rq->what, rq->method,
                x->logurl, st, x->s.len);
    if (st == 429 || st == 503) {
        /* No Retry-After: 1 s, then 2 s, ... */
        wait = x->s.retry_after >= 0 ? x->s.retry_after : 1L << (x->attempt < 5 ? x->attempt : 5);
        if (x->attempt < o->max_retries && wait <= (long)o->max_retry_wait_s) {
            x->attempt++;
            mtarep__log(ctx, MTAREP_LOG_WARNING, "%s: HTTP %ld, retrying in %ld s (%u of %u)",
                        rq->what, st, wait, x->attempt, o->max_retries);
            *retry_s = wait;
            return MTAREP_OK;
        }
    }
    if (!x->s.buf && !(x->s.buf = calloc(1, 1)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    resp->status = st;
    resp->body = x->s.buf;
    resp->len = x->s.len;
    x->s.buf = NULL;
    return MTAREP_OK;
}

void mtarep__http_release(struct mtarep__http_xfer *x, int keep_handle)
{
    free(x->s.buf);
    x->s.buf = NULL;
    if (x->auth) {
        memset(x->auth, 0, strlen(x->auth));
        free(x->auth);
        x->auth = NULL;
    }
    if (x->c) { /* nothing may point at hdr, auth or errbuf after this call */
        curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(x->c, CURLOPT_PRIVATE, NULL);
        if (!keep_handle)
            curl_easy_cleanup(x->c);
        x->c = NULL;
    }
    curl_slist_free_all(x->hdr);
    x->hdr = NULL;
}

int mtarep__http_do(mtarep_ctx *ctx, const struct mtarep__http_req *rq,
                    struct mtarep__http_resp *resp)
{
    struct mtarep__http_xfer x;
    long wait;
    int rc;

    memset(resp, 0, sizeof *resp);
    rc = mtarep__http_setup(ctx, rq, &x, rq->session ? *rq->session : NULL);
    if (rq->session && x.c)
        *rq->session = x.c;
    while (rc == MTAREP_OK) {
        rc = mtarep__http_done(ctx, &x, curl_easy_perform(x.c), resp, &wait);
        if (rc != MTAREP_OK || wait < 0)
            break;
        sleep_s(wait);
        mtarep__http_rearm(&x);
    }
    mtarep__http_release(&x, rq->session != NULL);
    return rc;
}

/* The server's message: JSON message / Error / error.message(+status), or
 * the start of a text body; secrets redacted before it is cut to fit buf,
 * then printable ASCII only. */
static void server_message(mtarep_ctx *ctx, const struct mtarep__http_resp *rs, char *buf,
                           size_t len)
{
    json_t *j = NULL;
    char *full = NULL, *red;
    size_t i = 0, k = 0, n;
    int cut = 0;

    buf[0] = '\0';
    while (i < rs->len && isspace((unsigned char)rs->body[i]))
        i++;
    if (i < rs->len && rs->body[i] == '{')
        j = json_loadb(rs->body, rs->len, 0, NULL);
    if (json_is_object(j)) {
        json_t *e = json_object_get(j, "error");
        const char *m = json_string_value(json_object_get(j, "message")), *st = NULL;
        if (!m)
            m = json_string_value(json_object_get(j, "Error"));
        if (!m && json_is_string(e))
            m = json_string_value(e);
        if (!m && json_is_object(e)) {
            st = json_string_value(json_object_get(e, "status"));
            m = json_string_value(json_object_get(e, "message"));
        }
        if (st && m) {
            n = strlen(st) + strlen(m) + 3;
            if ((full = malloc(n)))
                snprintf(full, n, "%s: %s", st, m);
        } else if (st || m) {
            full = mtarep__strdup(st ? st : m);
        }
    } else if (i < rs->len) {
        n = rs->len - i < 4096 ? rs->len - i : 4096;
        cut = rs->len - i > n;
        full = strndup(rs->body + i, n);
    }
    json_decref(j);
    if (!full)
        return;
    red = mtarep__secrets_redact(ctx, full, cut);
    free(full);
    if (!red)
        return;
    /* one line, printable, cut to fit (already redacted: the cut is safe) */
    for (i = 0; red[i] && k + 1 < len; i++) {
        unsigned char ch = (unsigned char)red[i];
        if (ch == '\r' || ch == '\n' || ch == '\t')
            ch = ' ';
        if (ch >= 0x20 && ch < 0x7f)
            buf[k++] = (char)ch;
        else if (ch >= 0x80)
            buf[k++] = '?';
    }
    buf[k] = '\0';
    while (k && buf[k - 1] == ' ')
        buf[--k] = '\0';
    free(red);
}

int mtarep__http_status_error(mtarep_ctx *ctx, const char *what, const struct mtarep__http_resp *rs,
                              const char *hint401)
{
    char msg[256];
    long st = rs->status;

    if (st >= 200 && st < 300)
        return MTAREP_OK;
    server_message(ctx, rs, msg, sizeof msg);
    if (st >= 300 && st < 400)
        return mtarep__fail(ctx, MTAREP_EHTTP, "%s: HTTP %ld: redirect not followed", what, st);
    if (st == 401)
        return mtarep__fail(ctx, MTAREP_EAUTH, "%s: HTTP 401: %s%s%s%s", what, hint401,
                            msg[0] ? " (server: " : "", msg, msg[0] ? ")" : "");
    if (st == 403)
        return mtarep__fail(ctx, MTAREP_EAUTH, "%s: HTTP 403: access denied%s%s", what,
                            msg[0] ? ": " : "", msg);
    if (st == 404)
        return mtarep__fail(ctx, MTAREP_ENOTFOUND, "%s: HTTP 404: not found%s%s", what,
                            msg[0] ? ": " : "", msg);
    if (st == 429) {
        if (ctx && ctx->prov_retry_after >= 0)
            return mtarep__fail(ctx, MTAREP_ETHROTTLED, "%s: HTTP 429: rate limited, retry after %ld s",
                                what, ctx->prov_retry_after);
        return mtarep__fail(ctx, MTAREP_ETHROTTLED, "%s: HTTP 429: rate limited", what);
    }
    return mtarep__fail(ctx, MTAREP_EHTTP, "%s: HTTP %ld%s%s", what, st, msg[0] ? ": " : "", msg);
}
