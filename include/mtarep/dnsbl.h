/**
 * @file mtarep/dnsbl.h
 * @brief Blocklist (DNSBL/RHSBL) look-ups: many addresses and domains
 * against many zones in one call, with return codes decoded per list.
 *
 * Zone behaviour (which answers mean what, which are refusals) is data: a
 * built-in table of well-known lists (Spamhaus ZEN/DBL, SpamCop, Barracuda,
 * SenderScore, Mailspike, PSBL, UCEPROTECT, Abusix, SURBL, URIBL, ...) that
 * mtarep_dnsbl_load_zone_defs() can extend or override per context. A zone
 * not in the table is treated generically: any 127.0.0.0/8 answer except
 * 127.0.0.1 is a listing.
 */
#ifndef MTAREP_DNSBL_H
#define MTAREP_DNSBL_H

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Outcome for one (query, zone) pair. */
typedef enum mtarep_dnsbl_status {
    MTAREP_DNSBL_NOT_LISTED = 0,     /**< NXDOMAIN from a healthy zone */
    MTAREP_DNSBL_LISTED = 1,         /**< a listing code was returned */
    MTAREP_DNSBL_ERROR = 2,          /**< no verdict: timeout, SERVFAIL, refusal code, bad answer */
    MTAREP_DNSBL_NOT_APPLICABLE = 3  /**< the zone does not list this kind of query (IPv6 on an IPv4-only list, IP on a domain list); nothing was sent */
} mtarep_dnsbl_status;

/** Version of ::mtarep_dnsbl_options this header describes (its `version` field). */
#define MTAREP_DNSBL_OPTIONS_VERSION 1

/**
 * Progress callback: @p done of @p total (query, zone) pairs have a result.
 * Called from inside mtarep_dnsbl_check(); must not call into the context.
 */
typedef void (*mtarep_dnsbl_progress_cb)(size_t done, size_t total, void *payload);

/** Options for mtarep_dnsbl_check(). Initialise with MTAREP_DNSBL_OPTIONS_INIT. */
typedef struct mtarep_dnsbl_options {
    unsigned int version; /**< MTAREP_DNSBL_OPTIONS_VERSION */
    int fetch_txt;        /**< non-zero: also fetch the TXT reason of listings (default 1) */
    int health_check;     /**< non-zero: probe each zone's test points (127.0.0.2 listed, 127.0.0.1 not); a zone failing it gives ERROR, never NOT_LISTED (default 1) */
    mtarep_dnsbl_progress_cb progress; /**< NULL: none */
    void *progress_payload;            /**< passed to progress */
} mtarep_dnsbl_options;

/** Static initializer of ::mtarep_dnsbl_options: this version, every default. */
#define MTAREP_DNSBL_OPTIONS_INIT { MTAREP_DNSBL_OPTIONS_VERSION, 1, 1, NULL, NULL }

/** Fill @p opts with defaults for @p version. */
MTAREP_API mtarep_status mtarep_dnsbl_options_init(mtarep_dnsbl_options *opts,
                                                   unsigned int version);

/** Opaque set of results, one per (query, zone) pair, in query-major order. */
typedef struct mtarep_dnsbl_results mtarep_dnsbl_results;
/** One (query, zone) result, borrowed from its ::mtarep_dnsbl_results. */
typedef struct mtarep_dnsbl_result mtarep_dnsbl_result;

/**
 * Check every query against every zone, all queries in flight at once.
 * @param out     receives the results (free with mtarep_dnsbl_results_free()).
 * @param queries IPv4 or IPv6 addresses, or domain names.
 * @param zones   zone names ("zen.spamhaus.org"); NULL with @p nzones 0
 *                selects the default set (mtarep_dnsbl_default_zones()).
 * @param opts    NULL for defaults.
 * @return ::MTAREP_OK even when some pairs are in error (see each result);
 *   ::MTAREP_EINVAL (message names the bad item) for a malformed query or
 *   zone name, in which case nothing is sent.
 */
MTAREP_API mtarep_status mtarep_dnsbl_check(mtarep_dnsbl_results **out,
                                            mtarep_ctx *ctx,
                                            const char *const *queries,
                                            size_t nqueries,
                                            const char *const *zones,
                                            size_t nzones,
                                            const mtarep_dnsbl_options *opts);

/** Number of results (nqueries x nzones). */
MTAREP_API size_t mtarep_dnsbl_results_count(const mtarep_dnsbl_results *res);
/** Result @p i, or NULL if out of range. */
MTAREP_API const mtarep_dnsbl_result *
mtarep_dnsbl_results_get(const mtarep_dnsbl_results *res, size_t i);
/** Free results; NULL is allowed. */
MTAREP_API void mtarep_dnsbl_results_free(mtarep_dnsbl_results *res);

/** The query as checked (normalised: lower case, IPv6 compressed). */
MTAREP_API const char *mtarep_dnsbl_result_query(const mtarep_dnsbl_result *r);
/** The zone queried. */
MTAREP_API const char *mtarep_dnsbl_result_zone(const mtarep_dnsbl_result *r);
/** Human name of the list ("Spamhaus ZEN"); the zone name if unknown. */
MTAREP_API const char *mtarep_dnsbl_result_list_name(const mtarep_dnsbl_result *r);
/** The outcome. */
MTAREP_API mtarep_dnsbl_status mtarep_dnsbl_result_status(const mtarep_dnsbl_result *r);
/** Number of A answers returned (listing or refusal codes). */
MTAREP_API size_t mtarep_dnsbl_result_code_count(const mtarep_dnsbl_result *r);
/** Answer @p i as dotted quad ("127.0.0.2"), or NULL. */
MTAREP_API const char *mtarep_dnsbl_result_code(const mtarep_dnsbl_result *r, size_t i);
/** Number of decoded labels. */
MTAREP_API size_t mtarep_dnsbl_result_meaning_count(const mtarep_dnsbl_result *r);
/** Decoded label @p i ("SBL", "XBL", "PBL", "phishing"), or NULL. */
MTAREP_API const char *mtarep_dnsbl_result_meaning(const mtarep_dnsbl_result *r, size_t i);
/** Longer explanation of the listing for reports, or NULL. */
MTAREP_API const char *mtarep_dnsbl_result_description(const mtarep_dnsbl_result *r);
/** TXT reason published by the list, or NULL. */
MTAREP_API const char *mtarep_dnsbl_result_txt(const mtarep_dnsbl_result *r);
/** Why there is no verdict (status ERROR), or NULL. */
MTAREP_API const char *mtarep_dnsbl_result_error(const mtarep_dnsbl_result *r);
/** The ::mtarep_error_code behind status ERROR (0 otherwise). */
MTAREP_API int mtarep_dnsbl_result_error_code(const mtarep_dnsbl_result *r);

/**
 * Zones checked when none are named. The array and strings are static.
 * @param n_out receives the number of zones.
 */
MTAREP_API const char *const *mtarep_dnsbl_default_zones(size_t *n_out);

/**
 * Add or override zone definitions for this context from text in the zone
 * table format (docs/dnsbl-zones.md; the built-in table is written in it).
 * @return ::MTAREP_EPARSE with the line in mtarep_ctx_errmsg(); nothing is
 *   changed when the text is malformed.
 */
MTAREP_API mtarep_status mtarep_dnsbl_load_zone_defs(mtarep_ctx *ctx,
                                                     const char *text);

#ifdef __cplusplus
}
#endif
#endif
