/**
 * @file mtarep/dmarc.h
 * @brief DMARC policy records (RFC 7489, RFC 9989 "DMARCbis"): validate
 * record text, fetch a domain's policy with policy-domain discovery.
 *
 * Strict validation: v=DMARC1 first (case-sensitive), p none/quarantine/
 * reject (missing p is accepted with a warning only when a valid rua makes
 * RFC 9989 apply p=none), sp, np, psd, t, adkim/aspf, pct, fo, rf, ri,
 * rua/ruf URI lists with optional !size. Duplicate tags and several DMARC
 * records at one name are invalid; unknown tags, tags RFC 9989 removed (pct,
 * rf, ri) and !size are warnings. Verdict scale: authrec.h.
 *
 * Discovery: _dmarc.\<domain\>; if absent, the RFC 9989 DNS tree walk
 * (at most 8 names: the domain shortened to 7 labels, then label by label);
 * the RFC 7489 organizational domain (Public Suffix List, libpsl built-in
 * data) is reported beside it, with a problem when the two disagree. A
 * timeout or SERVFAIL on a name the walk needs gives ::MTAREP_AUTH_UNKNOWN.
 *
 * Threads: as every call on a ::mtarep_ctx (one thread at a time).
 */
#ifndef MTAREP_DMARC_H
#define MTAREP_DMARC_H

#include "authrec.h"
#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque verdict on a domain's (or a text's) DMARC record. */
typedef struct mtarep_dmarc_result mtarep_dmarc_result;

/** Version of ::mtarep_dmarc_options this header describes (its `version` field). */
#define MTAREP_DMARC_OPTIONS_VERSION 1

/** Options. Initialise with MTAREP_DMARC_OPTIONS_INIT. */
typedef struct mtarep_dmarc_options {
    unsigned int version;   /**< MTAREP_DMARC_OPTIONS_VERSION */
    /** Non-zero: do not query \<domain\>._report._dmarc.\<dest\> for report
     *  destinations in other organizational domains (default 0: check). */
    int skip_report_auth;
} mtarep_dmarc_options;

/** Static initializer of ::mtarep_dmarc_options: this version, every default. */
#define MTAREP_DMARC_OPTIONS_INIT { MTAREP_DMARC_OPTIONS_VERSION, 0 }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_dmarc_options_init(mtarep_dmarc_options *opts,
                                                   unsigned int version);

/**
 * Validate one record's text without DNS. @p record may contain NUL octets
 * (they make it invalid). @param ctx may be NULL.
 * @return ::MTAREP_OK with the verdict; ::MTAREP_EINVAL for NULL arguments;
 *   ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_dmarc_validate(mtarep_dmarc_result **out, mtarep_ctx *ctx,
                                               const char *record, size_t len);

/**
 * Find and validate the DMARC policy that applies to mail from @p domain.
 * @param opts NULL for defaults.
 * @return ::MTAREP_OK (no record is ::MTAREP_AUTH_NONE, DNS failure
 *   ::MTAREP_AUTH_UNKNOWN); ::MTAREP_EINVAL for a malformed domain; ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_dmarc_fetch(mtarep_dmarc_result **out, mtarep_ctx *ctx,
                                            const char *domain,
                                            const mtarep_dmarc_options *opts);

/** The verdict. */
MTAREP_API mtarep_auth_verdict mtarep_dmarc_result_verdict(const mtarep_dmarc_result *r);
/** Number of problems (all severities). */
MTAREP_API size_t mtarep_dmarc_result_problem_count(const mtarep_dmarc_result *r);
/** Severity of problem @p i (::MTAREP_AUTH_INFO if out of range). */
MTAREP_API mtarep_auth_severity mtarep_dmarc_result_problem_severity(const mtarep_dmarc_result *r,
                                                                     size_t i);
/** Message of problem @p i, or NULL. Borrowed from @p r. */
MTAREP_API const char *mtarep_dmarc_result_problem_message(const mtarep_dmarc_result *r,
                                                           size_t i);
/** Octet offset in the record text the problem points at, else -1. */
MTAREP_API long mtarep_dmarc_result_problem_offset(const mtarep_dmarc_result *r, size_t i);
/** Value of tag @p tag (lower-case name, e.g. "p", "rua") as written, or
 *  NULL if absent or the record did not parse. Borrowed from @p r. */
MTAREP_API const char *mtarep_dmarc_result_tag(const mtarep_dmarc_result *r, const char *tag);
/** Effective policy ("none", "quarantine", "reject"; lower case), or NULL
 *  if none applies. A missing p with a valid rua is "none" (RFC 9989). */
MTAREP_API const char *mtarep_dmarc_result_policy(const mtarep_dmarc_result *r);
/** Record text (escapes for non-printable octets), or NULL. */
MTAREP_API const char *mtarep_dmarc_result_record(const mtarep_dmarc_result *r);
/** Domain whose _dmarc record applies, or NULL (validate, none found). */
MTAREP_API const char *mtarep_dmarc_result_policy_domain(const mtarep_dmarc_result *r);
/** Which rule found it: "exact" (_dmarc.\<domain\>), "tree-walk" (RFC 9989
 *  4.10), or NULL. */
MTAREP_API const char *mtarep_dmarc_result_rule(const mtarep_dmarc_result *r);
/** RFC 7489 organizational domain of the domain asked (Public Suffix
 *  List), or NULL (validate). */
MTAREP_API const char *mtarep_dmarc_result_org_domain(const mtarep_dmarc_result *r);
/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_dmarc_result_free(mtarep_dmarc_result *r);

#ifdef __cplusplus
}
#endif
#endif
