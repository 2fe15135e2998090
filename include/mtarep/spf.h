/**
 * @file mtarep/spf.h
 * @brief SPF (RFC 7208): evaluate check_host() for a client, validate a
 * domain's record tree, or validate record text without DNS.
 *
 * Evaluation follows RFC 7208 to the letter: the 10 DNS-mechanism limit,
 * the 2 void-lookup limit, 10 MX / 10 PTR names, macro expansion (exp=
 * included), HELO identity for the null sender. A DNS timeout or SERVFAIL
 * gives ::MTAREP_SPF_TEMPERROR, never a pass.
 *
 * Threads: as every call on a ::mtarep_ctx (one thread at a time).
 */
#ifndef MTAREP_SPF_H
#define MTAREP_SPF_H

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The seven RFC 7208 results. */
typedef enum mtarep_spf_verdict {
    MTAREP_SPF_NONE = 0,      /**< no SPF record (or no usable identity) */
    MTAREP_SPF_NEUTRAL = 1,   /**< the record makes no assertion (?all) */
    MTAREP_SPF_PASS = 2,      /**< the client is authorised */
    MTAREP_SPF_FAIL = 3,      /**< the client is not authorised (-all) */
    MTAREP_SPF_SOFTFAIL = 4,  /**< probably not authorised (~all) */
    MTAREP_SPF_TEMPERROR = 5, /**< DNS failed: no verdict, never a pass */
    MTAREP_SPF_PERMERROR = 6  /**< the record is broken or over a limit */
} mtarep_spf_verdict;

/** Lower-case RFC name ("pass", "permerror", ...); "unknown" if out of range. */
MTAREP_API const char *mtarep_spf_verdict_name(mtarep_spf_verdict v);

/** Opaque result of every call below. */
typedef struct mtarep_spf_result mtarep_spf_result;

/** Version of ::mtarep_spf_options this header describes (its `version` field). */
#define MTAREP_SPF_OPTIONS_VERSION 1

/** Options. Initialise with MTAREP_SPF_OPTIONS_INIT. */
typedef struct mtarep_spf_options {
    unsigned int version;           /**< MTAREP_SPF_OPTIONS_VERSION */
    /** Explanation for a fail without a usable exp= (NULL: a built-in
     *  sentence naming the domain). Macro-expanded like exp= text. */
    const char *default_explanation;
    /** %{r}: the receiving host's domain (NULL: "unknown"). */
    const char *receiver;
    unsigned int max_dns_mechanisms; /**< RFC 7208 4.6.4 (default 10) */
    unsigned int max_void_lookups;   /**< RFC 7208 4.6.4 (default 2) */
    /** Non-zero: check the HELO identity (postmaster\@helo, RFC 7208 2.3)
     *  even when a sender is given (default 0: MAIL FROM, or HELO for the
     *  null sender). */
    int helo_identity;
} mtarep_spf_options;

/** Static initializer of ::mtarep_spf_options: this version, every default. */
#define MTAREP_SPF_OPTIONS_INIT { MTAREP_SPF_OPTIONS_VERSION, NULL, NULL, 10, 2, 0 }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_spf_options_init(mtarep_spf_options *opts,
                                                 unsigned int version);

/**
 * Evaluate SPF for a client: check_host(ip, domain of sender, sender).
 * @param ip      client address (IPv4 or IPv6; v4-mapped IPv6 is IPv4).
 * @param sender  MAIL FROM address; NULL or "" checks the HELO identity
 *                (postmaster\@helo). "\@dom" and "dom" mean postmaster\@dom.
 * @param helo    HELO/EHLO name (for %{h}; required when @p sender is empty;
 *                may be NULL otherwise).
 * @param opts    NULL for defaults.
 * @return ::MTAREP_OK with the verdict in the result (temperror and
 *   permerror are verdicts, not errors); ::MTAREP_EINVAL for a malformed IP
 *   or a missing identity; ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_spf_check(mtarep_spf_result **out, mtarep_ctx *ctx,
                                          const char *ip, const char *sender,
                                          const char *helo,
                                          const mtarep_spf_options *opts);

/** One evaluation of a batch. */
typedef struct mtarep_spf_query {
    const char *ip;     /**< client IP */
    const char *sender; /**< MAIL FROM identity ("" or NULL: HELO identity) */
    const char *helo;   /**< HELO/EHLO name, or NULL */
} mtarep_spf_query;

/**
 * Evaluate @p n queries side by side (their DNS lookups share one engine
 * run). @p out is an array of @p n pointers; entry i receives the result of
 * query i, or NULL when that query was malformed (see mtarep_spf_check();
 * the first such problem is in mtarep_ctx_errmsg()). Free each entry.
 * @return ::MTAREP_OK (even if some entries are NULL), ::MTAREP_EINVAL for
 *   NULL arrays, ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_spf_check_batch(mtarep_spf_result **out,
                                                mtarep_ctx *ctx,
                                                const mtarep_spf_query *queries,
                                                size_t n,
                                                const mtarep_spf_options *opts);

/**
 * Validate @p domain's SPF: fetch its record and every include/redirect
 * target (whatever the result of evaluation would be), count DNS-querying
 * terms per branch and in total, probe a/mx targets for void lookups, and
 * collect warnings. Targets containing macros cannot be followed without a
 * client and are reported as such.
 * @return ::MTAREP_OK (a missing or broken record is a finding, see
 *   mtarep_spf_result_verdict() and _valid()); ::MTAREP_EINVAL for a
 *   malformed domain; ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_spf_inspect(mtarep_spf_result **out, mtarep_ctx *ctx,
                                            const char *domain,
                                            const mtarep_spf_options *opts);

/**
 * Validate record text without DNS. @p record may contain NUL octets (they
 * make it invalid): @p len is its length in octets.
 * @param ctx may be NULL (then no detailed message).
 * @return ::MTAREP_OK with the findings in the result (invalid text is a
 *   finding); ::MTAREP_EINVAL for NULL arguments; ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_spf_validate(mtarep_spf_result **out, mtarep_ctx *ctx,
                                             const char *record, size_t len);

/**
 * The verdict. check: the RFC 7208 result. inspect: ::MTAREP_SPF_NONE (no
 * record), ::MTAREP_SPF_PERMERROR (a record or branch is broken or over a
 * limit), ::MTAREP_SPF_TEMPERROR (DNS failed) or ::MTAREP_SPF_NEUTRAL (a
 * usable record). validate: ::MTAREP_SPF_PERMERROR or ::MTAREP_SPF_NEUTRAL.
 */
MTAREP_API mtarep_spf_verdict mtarep_spf_result_verdict(const mtarep_spf_result *r);
/** 1 if the record (tree) is valid: parses and stays within the limits. */
MTAREP_API int mtarep_spf_result_valid(const mtarep_spf_result *r);
/** Explanation of a fail (exp= or the default), else NULL. */
MTAREP_API const char *mtarep_spf_result_explanation(const mtarep_spf_result *r);
/** Why the verdict is permerror/temperror/none (human text), else NULL. */
MTAREP_API const char *mtarep_spf_result_reason(const mtarep_spf_result *r);
/** Octet offset of the syntax error in the record text that caused a
 *  permerror (validate, or the node named by _reason), else -1. */
MTAREP_API long mtarep_spf_result_error_offset(const mtarep_spf_result *r);
/** DNS-querying terms counted (check: evaluated; inspect: whole tree). */
MTAREP_API unsigned int mtarep_spf_result_lookups(const mtarep_spf_result *r);
/** Void lookups (NXDOMAIN/NODATA) counted. */
MTAREP_API unsigned int mtarep_spf_result_void_lookups(const mtarep_spf_result *r);
/** Number of warnings. */
MTAREP_API size_t mtarep_spf_result_warning_count(const mtarep_spf_result *r);
/** Warning @p i, or NULL. Borrowed from @p r. */
MTAREP_API const char *mtarep_spf_result_warning(const mtarep_spf_result *r, size_t i);

/**
 * The include/redirect tree, nodes in depth-first order (node 0 = the
 * domain asked). check: the records visited; inspect: every reachable
 * record; validate: one node with an empty domain.
 */
MTAREP_API size_t mtarep_spf_result_node_count(const mtarep_spf_result *r);
/** Domain of node @p i, or NULL. */
MTAREP_API const char *mtarep_spf_result_node_domain(const mtarep_spf_result *r, size_t i);
/** SPF record text of node @p i (NULL: none found). May contain escapes
 *  for non-printable octets. */
MTAREP_API const char *mtarep_spf_result_node_record(const mtarep_spf_result *r, size_t i);
/** Parent of node @p i, -1 for the root or out of range. */
MTAREP_API long mtarep_spf_result_node_parent(const mtarep_spf_result *r, size_t i);
/** How node @p i was reached: "root", "include" or "redirect". */
MTAREP_API const char *mtarep_spf_result_node_via(const mtarep_spf_result *r, size_t i);
/** DNS-querying terms in node @p i's own record. */
MTAREP_API unsigned int mtarep_spf_result_node_lookups(const mtarep_spf_result *r, size_t i);
/** DNS-querying terms of node @p i and everything below it. */
MTAREP_API unsigned int mtarep_spf_result_node_lookups_total(const mtarep_spf_result *r,
                                                             size_t i);
/** Void lookups seen in node @p i's own record. */
MTAREP_API unsigned int mtarep_spf_result_node_void_lookups(const mtarep_spf_result *r,
                                                            size_t i);
/** Problem with node @p i (no record, syntax error, loop, DNS failure), or NULL. */
MTAREP_API const char *mtarep_spf_result_node_error(const mtarep_spf_result *r, size_t i);

/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_spf_result_free(mtarep_spf_result *r);

#ifdef __cplusplus
}
#endif
#endif
