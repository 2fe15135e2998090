/* lib/provider: shared by the HTTP layer, the three providers and the
 * result object. */
#ifndef MTAREP_PROVIDER_INT_H
#define MTAREP_PROVIDER_INT_H

#include <stdint.h>

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
