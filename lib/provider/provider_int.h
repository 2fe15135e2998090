/* lib/provider: shared by the HTTP layer, the three providers and the
 * result object. */
#ifndef MTAREP_PROVIDER_INT_H
#define MTAREP_PROVIDER_INT_H

#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include <jansson.h>

#include "core/internal.h"

struct mtarep_provider_period {
    char *subject, *start, *end;
    int64_t volume;        /* -1: no data */
    double bounce_rate;    /* < 0: no data */
    double complaint_rate; /* < 0: no data */
    int upper_bound;       /* complaint_rate is a bound ("< 0.1%") */
    mtarep_reputation rep;
    json_t *counts;        /* Mailgun counters by normalized name (null = no data); NULL: none */
    json_t *raw;           /* provider fields; NULL for overall */
    char *raw_text;        /* compact dump of raw, made by finish */
};

struct prov_blocked {
    char *first, *last, *reason;
};

struct mtarep_provider_result {
    char *source, *subject;
    struct mtarep_provider_period overall;
    struct mtarep_provider_period *periods;
    size_t n, cap;
    struct prov_blocked *blocked;
    size_t nblocked, capblocked;
};

/* Result building. */
mtarep_provider_result *mtarep__prov_result_new(const char *source, const char *subject);
/* New period with "no data" everywhere; NULL on OOM. */
struct mtarep_provider_period *mtarep__prov_period_add(mtarep_provider_result *r);
/* p->counts[name] = v (v < 0: null); 0 or MTAREP_ENOMEM. */
int mtarep__prov_count_set(struct mtarep_provider_period *p, const char *name, int64_t v);
int mtarep__prov_blocked_add(mtarep_provider_result *r, const char *first, const char *last,
                             const char *reason);
/* Compute the overall figures, redact ctx's secrets from every string and
 * dump raw fields. Returns 0 or MTAREP_ENOMEM. */
int mtarep__prov_finish(mtarep_provider_result *r, mtarep_ctx *ctx);

/* Parsers: append to r. next (postmaster, may be NULL) receives a malloc'd
 * nextPageToken or NULL; total (mailgun metrics, may be NULL) the
 * pagination total or -1. */
int mtarep__prov_parse_mailgun_stats(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos);
int mtarep__prov_parse_mailgun_metrics(mtarep_provider_result *r, mtarep_ctx *ctx,
                                       const char *body, size_t len, long *err_pos,
                                       size_t *items, int64_t *total);
int mtarep__prov_parse_snds_data(mtarep_provider_result *r, mtarep_ctx *ctx,
                                 const char *body, size_t len, long *err_pos);
int mtarep__prov_parse_snds_ipstatus(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos);
int mtarep__prov_parse_postmaster(mtarep_provider_result *r, mtarep_ctx *ctx,
                                  const char *body, size_t len, long *err_pos, char **next);
int mtarep__prov_parse_postmaster_v2(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos, char **next);

/* JSON helpers (parse.c). */
/* Decode a JSON object body; EPARSE with position when not JSON or not an
 * object. what names the source in messages. */
int mtarep__prov_json_object(json_t **out, mtarep_ctx *ctx, const char *what,
                             const char *body, size_t len, long *err_pos);
/* Non-negative integer counter: JSON integer, integral real or decimal
 * string. -1 when missing, null or invalid. */
int64_t mtarep__prov_count(const json_t *v);
/* Ratio: JSON number or decimal string, finite. -1 when missing. */
double mtarep__prov_ratio(const json_t *v);
/* "Mon, 01 Sep 2025 00:00:00 UTC" (RFC 2822 plus UTC) to
 * "2025-09-01T00:00:00Z" in buf (>= 21); 0 or -1. */
int mtarep__prov_rfc2822_iso(const char *s, char *buf, size_t len);

/* HTTP (http.c). */
struct mtarep__http_req {
    const char *what;       /* "mailgun", ... for messages */
    const char *method;     /* "GET" or "POST" */
    const char *url;        /* may hold a secret in its query: never logged */
    const char *post_json;  /* POST body or NULL */
    const char *basic_user; /* HTTP Basic, with basic_pass */
    const char *basic_pass;
    const char *bearer;     /* Authorization: Bearer */
    const mtarep_provider_options *opts;
    void **session;         /* NULL, or a libcurl handle kept between requests of one
                               call (connection reuse); mtarep__http_close() it */
};

struct mtarep__http_resp {
    long status;
    char *body; /* NUL-terminated, malloc'd */
    size_t len;
};

/* One request in flight (with its 429/503 retries) on a libcurl easy
 * handle. The blocking path (mtarep__http_do) and the multi path (job.c)
 * share setup, done and release, so the two cannot drift apart. */
struct mtarep__http_sink {
    char *buf;
    size_t len, cap, max;
    int over;
    long retry_after; /* seconds, -1 none */
};

struct mtarep__http_xfer {
    const struct mtarep__http_req *rq; /* borrowed until release */
    void *c;                           /* CURL * */
    struct curl_slist *hdr;
    char *auth;
    char errbuf[256];                  /* CURL_ERROR_SIZE */
    char logurl[512];                  /* the URL without its query */
    struct mtarep__http_sink s;
    unsigned int attempt;
};

/* Check rq's URL and configure an easy handle for it (reuse: a handle of
 * an earlier request to keep its connections, else a new one; x->c is the
 * handle, also on failure once set). 0, EINVAL or ENOMEM (message set). */
int mtarep__http_setup(mtarep_ctx *ctx, const struct mtarep__http_req *rq,
                       struct mtarep__http_xfer *x, void *reuse);
/* Ready x for another attempt of the same request. */
void mtarep__http_rearm(struct mtarep__http_xfer *x);
/* Map a finished attempt (curl_code: its CURLcode) to the typed result:
 * a transport error (as mtarep__http_do), or 0 with *retry_s >= 0 (a 429/503
 * to retry after that many seconds; resp empty), or 0 with *retry_s = -1 and
 * the response in resp (free resp->body). Sets ctx's last status and
 * Retry-After. */
int mtarep__http_done(mtarep_ctx *ctx, struct mtarep__http_xfer *x, int curl_code,
                      struct mtarep__http_resp *resp, long *retry_s);
/* Free what setup allocated; the handle too unless keep_handle. */
void mtarep__http_release(struct mtarep__http_xfer *x, int keep_handle);

/* A provider call as a state machine (pages, SNDS's two endpoints): the
 * blocking calls run it with mtarep__http_do (mtarep__prov_job_run), the
 * precheck over libcurl's multi interface beside the DNS engine
 * (mtarep__prov_multi). The constructors validate the arguments (message
 * on ctx) and register no secrets: the caller does. */
struct mtarep__prov_job {
    mtarep_ctx *ctx;
    const char *what;
    mtarep_provider_options o;
    struct mtarep__http_req rq; /* the next request */
    mtarep_provider_result *r;
    /* rs NULL: build the first request into rq; else judge and parse rs
     * and build the next request, or set done. 0 or an error (message on
     * ctx). */
    int (*step)(struct mtarep__prov_job *j, const struct mtarep__http_resp *rs);
    int done, rc;               /* rc: the call's result once done */
    char errmsg[512];           /* ctx's message when rc failed */
    /* provider state */
    const char *key, *base;
    char dom[256];
    char *url, *edom, *ekey, *post, *next;
    size_t urlcap;
    int page, api, phase;
    int64_t skip;
    struct tm a, b;
    /* multi path */
    struct mtarep__http_xfer x;
    void *handle;               /* kept easy handle (connection reuse) */
    uint64_t retry_at;          /* ms (monotonic) of a scheduled retry, 0 none */
    int in_multi;
};

int mtarep__prov_mailgun_job(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *domain,
                             const char *api_key, const mtarep_provider_options *opts);
int mtarep__prov_snds_job(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *key,
                          const mtarep_provider_options *opts);
int mtarep__prov_postmaster_job(struct mtarep__prov_job **out, mtarep_ctx *ctx,
                                const char *domain, const char *token,
                                const mtarep_provider_options *opts);
/* Allocate a job (state zeroed, options checked and copied); NULL rc set. */
int mtarep__prov_job_new(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *what,
                         const mtarep_provider_options *opts);
/* Feed the outcome of a request (transport rc, rs when rc == 0; rc = 0 and
 * rs = NULL to begin): steps the job; sets done, rc and errmsg at the end
 * (the result finished). */
void mtarep__prov_job_feed(struct mtarep__prov_job *j, int rc, const struct mtarep__http_resp *rs);
/* Blocking: run the job to its end; returns j->rc. */
int mtarep__prov_job_run(struct mtarep__prov_job *j);
/* Take the result (NULL unless done with rc 0). */
mtarep_provider_result *mtarep__prov_job_take(struct mtarep__prov_job *j);
void mtarep__prov_job_free(struct mtarep__prov_job *j);
/* The public blocking calls' shared frame. begin: check the arguments and
 * the secret (@p who names the provider, @p what the secret in messages),
 * reset the ctx's provider state, register the secret from *mark on.
 * end: run the job built with rc @p rc, hand its result to *out, free it,
 * unregister the secret; returns the call's status. */
int mtarep__prov_blocking_begin(mtarep_provider_result **out, mtarep_ctx *ctx, const char *who,
                                const char *secret, const char *what, size_t *mark);
int mtarep__prov_blocking_end(mtarep_provider_result **out, mtarep_ctx *ctx,
                              struct mtarep__prov_job *j, int rc, size_t mark);

/* Jobs side by side over one libcurl multi handle (job.c). wait() is the
 * DNS engine's side-job wait (mtarep__dns_side): poll curl's sockets and fd,
 * progress transfers, fire due retries (timers, never a sleep). */
struct mtarep__prov_multi;
int mtarep__prov_multi_new(struct mtarep__prov_multi **out, mtarep_ctx *ctx);
/* Begin j (its first request goes out at once); j stays the caller's.
 * A job that fails to begin is done with its error. */
void mtarep__prov_multi_add(struct mtarep__prov_multi *m, struct mtarep__prov_job *j);
int mtarep__prov_multi_busy(void *m);
void mtarep__prov_multi_wait(void *m, int fd, int max_ms);
/* Run until every job is done (no DNS beside). */
void mtarep__prov_multi_run(struct mtarep__prov_multi *m);
/* Abandon unfinished jobs (done with MTAREP_ECANCELLED) and free m. */
void mtarep__prov_multi_free(struct mtarep__prov_multi *m);

/* Check that base is https:// or loopback http:// and has no query.
 * Returns 0 or EINVAL (message set). */
int mtarep__http_check_base(mtarep_ctx *ctx, const char *what, const char *base);
/* Perform the request with retries on 429/503. Returns 0 with any HTTP
 * status in resp, or a transport error (ETIMEOUT, ETLS, ETEMPFAIL, EHTTP,
 * ELIMIT, EINVAL, ENOMEM). Free resp->body in every case. */
int mtarep__http_do(mtarep_ctx *ctx, const struct mtarep__http_req *req,
                    struct mtarep__http_resp *resp);
/* Free a session handle of mtarep__http_req (NULL allowed). */
void mtarep__http_close(void **session);
/* Map a non-2xx status to a typed error with the server's message. hint401
 * is the text for 401. Returns 0 for 2xx. */
int mtarep__http_status_error(mtarep_ctx *ctx, const char *what, const struct mtarep__http_resp *resp,
                              const char *hint401);
/* Effective options (defaults for NULL), checked. */
int mtarep__prov_opts(mtarep_ctx *ctx, const mtarep_provider_options *in,
                      mtarep_provider_options *out);
/* Register key (and its URL-escaped form) as secrets; returns 0 or ENOMEM. */
int mtarep__prov_secret(mtarep_ctx *ctx, const char *key);
/* URL-escape (curl_easy_escape); malloc'd, NULL on OOM. */
char *mtarep__http_escape(const char *s);

#endif
