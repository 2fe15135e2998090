/**
 * @file mtarep/rdns.h
 * @brief Reverse DNS: PTR, forward confirmation (FCrDNS), HELO comparison
 * and generic/dynamic-looking PTR names.
 */
#ifndef MTAREP_RDNS_H
#define MTAREP_RDNS_H

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque result of mtarep_rdns_check(). */
typedef struct mtarep_rdns_result mtarep_rdns_result;

/**
 * Look up the PTR names of @p ip, the A/AAAA of each name, and compare with
 * @p helo (may be NULL).
 * @return ::MTAREP_OK with verdicts in the result (any of which may be
 *   ::MTAREP_UNKNOWN when DNS failed); ::MTAREP_EINVAL for a malformed IP or
 *   HELO name.
 */
MTAREP_API mtarep_status mtarep_rdns_check(mtarep_rdns_result **out,
                                           mtarep_ctx *ctx, const char *ip,
                                           const char *helo);

/** The IP as checked (normalised). */
MTAREP_API const char *mtarep_rdns_result_ip(const mtarep_rdns_result *r);
/** Does the IP have at least one PTR name? UNKNOWN if the lookup failed. */
MTAREP_API mtarep_tristate mtarep_rdns_result_has_ptr(const mtarep_rdns_result *r);
/** Number of PTR names. */
MTAREP_API size_t mtarep_rdns_result_ptr_count(const mtarep_rdns_result *r);
/** PTR name @p i (no trailing dot, lower case), or NULL. */
MTAREP_API const char *mtarep_rdns_result_ptr(const mtarep_rdns_result *r, size_t i);
/**
 * Forward-confirmed: some PTR name's A/AAAA includes the IP. NO when every
 * forward lookup answered without the IP; UNKNOWN if one failed and none
 * confirmed.
 */
MTAREP_API mtarep_tristate mtarep_rdns_result_fcrdns(const mtarep_rdns_result *r);
/** The first forward-confirmed name, or NULL. */
MTAREP_API const char *mtarep_rdns_result_confirmed_name(const mtarep_rdns_result *r);
/**
 * HELO matches: the HELO name equals a forward-confirmed PTR name (case
 * insensitive). UNKNOWN when no HELO was given or DNS failed.
 */
MTAREP_API mtarep_tristate mtarep_rdns_result_helo_match(const mtarep_rdns_result *r);
/**
 * Does the HELO name resolve (A/AAAA) to the IP? UNKNOWN when no HELO was
 * given or DNS failed.
 */
MTAREP_API mtarep_tristate mtarep_rdns_result_helo_resolves(const mtarep_rdns_result *r);
/** Non-zero if a PTR name looks generic/dynamic (IP digits, "dyn", "pool", ...). */
MTAREP_API int mtarep_rdns_result_generic(const mtarep_rdns_result *r);
/** Number of human-readable warnings. */
MTAREP_API size_t mtarep_rdns_result_warning_count(const mtarep_rdns_result *r);
/** Warning @p i, or NULL. */
MTAREP_API const char *mtarep_rdns_result_warning(const mtarep_rdns_result *r, size_t i);
/** Why some verdict is UNKNOWN, or NULL. */
MTAREP_API const char *mtarep_rdns_result_error(const mtarep_rdns_result *r);
/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_rdns_result_free(mtarep_rdns_result *r);

/**
 * Pure check, no DNS: does @p name look like a generic/dynamic PTR for
 * @p ip? Returns non-zero if so.
 */
MTAREP_API int mtarep_rdns_name_is_generic(const char *name, const char *ip);

#ifdef __cplusplus
}
#endif
#endif
