/**
 * @file mtarep/provider.h
 * @brief Reputation data from mailbox providers over HTTPS: Mailgun (stats
 * totals and the Analytics Metrics API), Microsoft SNDS (data.aspx,
 * ipStatus.aspx) and Google Postmaster Tools v1 (trafficStats), put into
 * one normalized shape.
 *
 * A result holds, per period (a day, an hour, or one IP's activity window
 * for SNDS): volume, bounce rate, complaint/spam rate (fractions 0..1) and a
 * reputation level on one ordered scale, plus the provider's raw fields.
 * "No data" is never zero: volumes are -1 and rates negative when the
 * provider did not say. The overall figures: volume summed, rates weighted
 * by volume (a plain mean where no volume is known), reputation the worst
 * seen. Field meanings: docs/providers.md.
 *
 * HTTP: TLS verification is always on (a CA bundle may be given, nothing
 * turns it off); plain http:// is accepted only for loopback hosts;
 * redirects are not followed; environment proxies are ignored; 429 and 503
 * answers are retried after their Retry-After when it is short enough.
 *
 * Secrets: the key or token is registered with the context while the call
 * runs, so it never appears in mtarep_ctx_errmsg(), the log callback, or
 * the result (strings the server echoes are redacted to "<key>").
 *
 * Threads: as every call on a ::mtarep_ctx (one thread at a time).
 */
#ifndef MTAREP_PROVIDER_H
#define MTAREP_PROVIDER_H

#include <stdint.h>

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ordered reputation scale; a larger value is better. */
typedef enum mtarep_reputation {
    MTAREP_REP_UNKNOWN = -1, /**< the source gave no level */
    MTAREP_REP_BAD = 0,      /**< Postmaster BAD; SNDS RED (> 90 % judged spam) */
    MTAREP_REP_LOW = 1,      /**< Postmaster LOW; SNDS YELLOW (10-90 %) */
    MTAREP_REP_MEDIUM = 2,   /**< Postmaster MEDIUM */
    MTAREP_REP_HIGH = 3      /**< Postmaster HIGH; SNDS GREEN (<= 10 %) */
} mtarep_reputation;

/** Body formats mtarep_provider_parse() understands. */
typedef enum mtarep_provider_format {
    MTAREP_PROVIDER_MAILGUN_STATS = 1,   /**< GET /v3/{domain}/stats/total (JSON) */
    MTAREP_PROVIDER_MAILGUN_METRICS = 2, /**< POST /v1/analytics/metrics (JSON) */
    MTAREP_PROVIDER_SNDS_DATA = 3,       /**< data.aspx (14-column CSV) */
    MTAREP_PROVIDER_SNDS_IPSTATUS = 4,   /**< ipStatus.aspx (4-column CSV) */
    MTAREP_PROVIDER_POSTMASTER_TRAFFIC = 5, /**< v1 trafficStats: one object or a list */
    MTAREP_PROVIDER_POSTMASTER_V2 = 6    /**< v2 domainStats:query response (JSON) */
} mtarep_provider_format;

/** Which Mailgun API mtarep_provider_mailgun() asks. */
typedef enum mtarep_mailgun_api {
    MTAREP_MAILGUN_METRICS = 0, /**< POST /v1/analytics/metrics (the current API) */
    MTAREP_MAILGUN_STATS = 1    /**< GET /v3/{domain}/stats/total (deprecated) */
} mtarep_mailgun_api;

/** Which Postmaster Tools API mtarep_provider_postmaster() asks. */
typedef enum mtarep_postmaster_api {
    MTAREP_POSTMASTER_V1 = 0, /**< v1 trafficStats (reputation levels; being retired) */
    MTAREP_POSTMASTER_V2 = 1  /**< v2 domainStats:query: spam and reject rates, no reputation */
} mtarep_postmaster_api;

/** Opaque normalized result. */
typedef struct mtarep_provider_result mtarep_provider_result;
/** One period of a result (borrowed from it). */
typedef struct mtarep_provider_period mtarep_provider_period;

/** Current version of ::mtarep_provider_options. */
#define MTAREP_PROVIDER_OPTIONS_VERSION 1

/** Options. Initialise with MTAREP_PROVIDER_OPTIONS_INIT. */
typedef struct mtarep_provider_options {
    unsigned int version;         /**< MTAREP_PROVIDER_OPTIONS_VERSION */
    /** Scheme, host and optional port (and path prefix) replacing the
     *  provider's default, e.g. "https://127.0.0.1:8443". NULL: default. */
    const char *base_url;
    const char *ca_file;          /**< PEM CA bundle; NULL: the system store */
    /** Each HTTP request, start to end of its body (default 30000); one
     *  call may make several (retries, pages; SNDS asks twice). */
    unsigned int timeout_ms;
    unsigned int connect_timeout_ms; /**< connect + TLS handshake (default 10000) */
    unsigned int max_retries;     /**< retries after 429/503 (default 2, at most 10) */
    unsigned int max_retry_wait_s; /**< longest Retry-After waited for (default 30) */
    size_t max_body;              /**< response size cap in bytes (default 8 MiB) */
    /* Mailgun */
    const char *region;           /**< "us" (default) or "eu" */
    const char *duration;         /**< "[0-9]+[hdm]" counted back from @p end (default
                                       "7d" when @p start is NULL); overrides @p start */
    const char *resolution;       /**< "hour", "day" (default), "month" */
    const char *start;            /**< RFC 2822 date or Unix seconds; NULL: Mailgun's default */
    const char *end;              /**< likewise; NULL: now */
    mtarep_mailgun_api mailgun_api; /**< default ::MTAREP_MAILGUN_METRICS */
    /* SNDS */
    const char *snds_date;        /**< "MMDDYY"; NULL: the latest day with data */
    /* Postmaster */
    unsigned int days;            /**< days back from today, UTC (default 7, at most 120) */
    mtarep_postmaster_api postmaster_api; /**< default ::MTAREP_POSTMASTER_V1 */
} mtarep_provider_options;

/** Defaults of ::mtarep_provider_options. */
#define MTAREP_PROVIDER_OPTIONS_INIT                                         \
    { MTAREP_PROVIDER_OPTIONS_VERSION, NULL, NULL, 30000, 10000, 2, 30,     \
      8u << 20, NULL, NULL, NULL, NULL, NULL, MTAREP_MAILGUN_METRICS, NULL, 7,   \
      MTAREP_POSTMASTER_V1 }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_provider_options_init(mtarep_provider_options *opts,
                                                      unsigned int version);

/**
 * Mailgun statistics of @p domain (HTTP Basic, user "api").
 * @param api_key the private API key; registered as a secret for the call.
 * @param opts NULL for defaults.
 * @return ::MTAREP_OK; ::MTAREP_EINVAL (bad domain, region, duration, base
 *   URL); ::MTAREP_EAUTH (401/403: "bad API key or wrong region (US/EU)");
 *   ::MTAREP_ENOTFOUND (404); ::MTAREP_ETHROTTLED (429 after the retries,
 *   see mtarep_provider_retry_after()); ::MTAREP_EHTTP (other statuses,
 *   redirects, broken transfers); ::MTAREP_ETIMEOUT; ::MTAREP_ETLS;
 *   ::MTAREP_ETEMPFAIL (connection failed); ::MTAREP_ELIMIT (body over
 *   max_body); ::MTAREP_EPARSE (malformed body, position in the message);
 *   ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_provider_mailgun(mtarep_provider_result **out, mtarep_ctx *ctx,
                                                 const char *domain, const char *api_key,
                                                 const mtarep_provider_options *opts);

/**
 * Microsoft SNDS: data.aspx (per-IP activity) and ipStatus.aspx (blocked
 * ranges) with the automated-access @p key (a query parameter, never
 * logged). Errors as mtarep_provider_mailgun().
 */
MTAREP_API mtarep_status mtarep_provider_snds(mtarep_provider_result **out, mtarep_ctx *ctx,
                                              const char *key,
                                              const mtarep_provider_options *opts);

/**
 * Google Postmaster Tools statistics of @p domain for the last opts->days
 * days (UTC, today excluded), all pages, with an OAuth 2.0 bearer @p token.
 * v1 (default): GET trafficStats, scope postmaster.readonly; v2
 * (opts->postmaster_api): POST domainStats:query for the metrics
 * "spam_rate" (SPAM_RATE) and "reject_rate" (DELIVERY_ERROR_RATE with
 * error_type = "reject"), scope postmaster.traffic.readonly; v2 has no
 * reputation levels. PERMISSION_DENIED gives ::MTAREP_EAUTH. Errors as
 * mtarep_provider_mailgun().
 */
MTAREP_API mtarep_status mtarep_provider_postmaster(mtarep_provider_result **out, mtarep_ctx *ctx,
                                                    const char *domain, const char *token,
                                                    const mtarep_provider_options *opts);

/**
 * Parse a response body without any network (pure; tests, fuzzing, data
 * fetched by other means).
 * @param ctx may be NULL; receives the message of a failure.
 * @param err_pos if not NULL, receives the byte offset of a parse error
 *   (else -1).
 * @return ::MTAREP_OK; ::MTAREP_EPARSE; ::MTAREP_EINVAL (NULL arguments,
 *   unknown format); ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_provider_parse(mtarep_provider_result **out, mtarep_ctx *ctx,
                                               mtarep_provider_format format,
                                               const char *body, size_t len, long *err_pos);

/** Seconds the server asked to wait (Retry-After / X-RateLimit-Reset) in the
 *  last provider call on @p ctx, or -1 when it did not say. */
MTAREP_API long mtarep_provider_retry_after(const mtarep_ctx *ctx);
/** HTTP status of the last answer in the last provider call, 0 if none. */
MTAREP_API long mtarep_provider_http_status(const mtarep_ctx *ctx);

/** "high", "medium", "low", "bad", or NULL for ::MTAREP_REP_UNKNOWN. */
MTAREP_API const char *mtarep_reputation_name(mtarep_reputation r);

/** "mailgun", "snds" or "postmaster". Borrowed. */
MTAREP_API const char *mtarep_provider_result_source(const mtarep_provider_result *r);
/** Domain asked about, or NULL (SNDS). Borrowed. */
MTAREP_API const char *mtarep_provider_result_subject(const mtarep_provider_result *r);
/** The overall figures (never NULL for a non-NULL @p r). Borrowed. */
MTAREP_API const mtarep_provider_period *mtarep_provider_result_overall(const mtarep_provider_result *r);
/** Number of periods. */
MTAREP_API size_t mtarep_provider_result_period_count(const mtarep_provider_result *r);
/** Period @p i in the provider's order, or NULL. Borrowed. */
MTAREP_API const mtarep_provider_period *mtarep_provider_result_period(const mtarep_provider_result *r,
                                                                       size_t i);
/** Blocked ranges (SNDS ipStatus); 0 for other sources. */
MTAREP_API size_t mtarep_provider_result_blocked_count(const mtarep_provider_result *r);
/** First address of blocked range @p i, or NULL. Borrowed. */
MTAREP_API const char *mtarep_provider_result_blocked_first(const mtarep_provider_result *r,
                                                            size_t i);
/** Last address of blocked range @p i (ranges may cross octets), or NULL. Borrowed. */
MTAREP_API const char *mtarep_provider_result_blocked_last(const mtarep_provider_result *r,
                                                           size_t i);
/** Reason SNDS gives for blocked range @p i ("" if none), or NULL. Borrowed. */
MTAREP_API const char *mtarep_provider_result_blocked_reason(const mtarep_provider_result *r,
                                                             size_t i);
/**
 * The whole result as JSON text: {source, subject, volume, bounce_rate,
 * complaint_rate, complaint_rate_upper_bound, reputation, counts, periods
 * [{subject, start, end, volume, bounce_rate, complaint_rate,
 * complaint_rate_upper_bound, reputation, counts, raw}], blocked [{first,
 * last, reason}]}; no data is null; counts is an object of the counters of
 * mtarep_provider_period_count() or null. Free with free(); NULL when out of memory.
 */
MTAREP_API char *mtarep_provider_result_json(const mtarep_provider_result *r);
/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_provider_result_free(mtarep_provider_result *r);

/** What the period is about: an IP (SNDS), a domain, or NULL. Borrowed. */
MTAREP_API const char *mtarep_provider_period_subject(const mtarep_provider_period *p);
/** Start as ISO 8601 ("2025-09-01T00:00:00Z"; SNDS times have no zone:
 *  "2025-09-01T00:00:00"), the provider's text if it did not parse, or NULL. */
MTAREP_API const char *mtarep_provider_period_start(const mtarep_provider_period *p);
/** End, likewise; NULL when the provider gives none. */
MTAREP_API const char *mtarep_provider_period_end(const mtarep_provider_period *p);
/** Messages (Mailgun accepted, SNDS message recipients), -1 = no data. */
MTAREP_API int64_t mtarep_provider_period_volume(const mtarep_provider_period *p);
/** Bounce rate 0..1, negative = no data. */
MTAREP_API double mtarep_provider_period_bounce_rate(const mtarep_provider_period *p);
/** Complaint / user-reported spam rate 0..1, negative = no data. */
MTAREP_API double mtarep_provider_period_complaint_rate(const mtarep_provider_period *p);
/** 1 when the complaint rate is only an upper bound (SNDS "< 0.1%"). */
MTAREP_API int mtarep_provider_period_complaint_upper_bound(const mtarep_provider_period *p);
/** Reputation level. */
MTAREP_API mtarep_reputation mtarep_provider_period_reputation(const mtarep_provider_period *p);
/**
 * A named counter of this period, -1 when absent or no data. Mailgun (both
 * APIs): "accepted", "delivered", "failed_permanent", "failed_temporary",
 * "complained", "bounced" (hard bounces), "esp_block" (deferred because the
 * receiving ESP blocked the IP), and for the stats API "suppressed" (never
 * sent: suppression lists). The overall period sums them. Other providers
 * have none (their numbers are in the raw fields).
 */
MTAREP_API int64_t mtarep_provider_period_count(const mtarep_provider_period *p,
                                                const char *name);
/** The provider's own fields of this period as compact JSON text, or NULL
 *  (overall). Borrowed. */
MTAREP_API const char *mtarep_provider_period_raw(const mtarep_provider_period *p);

#ifdef __cplusplus
}
#endif
#endif
