/**
 * @file mtarep/dkim.h
 * @brief DKIM public key records (RFC 6376 3.6.1, RFC 8301, RFC 8463):
 * validate record text, fetch \<selector\>._domainkey.\<domain\>, discover
 * which common selectors a domain publishes.
 *
 * The tag-list is parsed per RFC 6376 3.2 (duplicate tags are an error,
 * unknown tags are ignored), v= must be first and exactly DKIM1, k= is rsa
 * (default) or ed25519, h= must allow sha256, s= must allow email, and p= is
 * decoded with OpenSSL: the key type must match k=, RSA keys below 1024 bits
 * are invalid and below 2048 bits a warning, Ed25519 keys are 32 raw octets,
 * an empty p= is a revoked key. Verdict scale: authrec.h.
 *
 * Network verdicts are tri-state: a timeout or SERVFAIL gives
 * ::MTAREP_AUTH_UNKNOWN, never ::MTAREP_AUTH_NONE.
 *
 * Threads: as every call on a ::mtarep_ctx (one thread at a time).
 */
#ifndef MTAREP_DKIM_H
#define MTAREP_DKIM_H

#include "authrec.h"
#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque verdict on one key record. */
typedef struct mtarep_dkim_result mtarep_dkim_result;
/** Opaque outcome of a selector discovery: one result per selector tried. */
typedef struct mtarep_dkim_discovery mtarep_dkim_discovery;

/** Version of ::mtarep_dkim_options this header describes (its `version` field). */
#define MTAREP_DKIM_OPTIONS_VERSION 1

/** Options. Initialise with MTAREP_DKIM_OPTIONS_INIT. */
typedef struct mtarep_dkim_options {
    unsigned int version;          /**< MTAREP_DKIM_OPTIONS_VERSION */
    /** Selectors mtarep_dkim_discover() tries (NULL: the built-in list,
     *  see mtarep_dkim_default_selector()). */
    const char *const *selectors;
    size_t selector_count;         /**< entries in @p selectors */
} mtarep_dkim_options;

/** Static initializer of ::mtarep_dkim_options: this version, every default. */
#define MTAREP_DKIM_OPTIONS_INIT { MTAREP_DKIM_OPTIONS_VERSION, NULL, 0 }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_dkim_options_init(mtarep_dkim_options *opts,
                                                  unsigned int version);

/** Built-in discovery selector @p i ("google", "selector1", ...), NULL past the end. */
MTAREP_API const char *mtarep_dkim_default_selector(size_t i);

/**
 * Validate key record text without DNS (TXT character-strings already
 * joined). @p record may contain NUL octets (they make it invalid).
 * @param ctx may be NULL.
 * @return ::MTAREP_OK with the verdict in the result (a broken record is a
 *   verdict); ::MTAREP_EINVAL for NULL arguments; ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_dkim_validate(mtarep_dkim_result **out, mtarep_ctx *ctx,
                                              const char *record, size_t len);

/**
 * Fetch and validate the TXT record at \<selector\>._domainkey.\<domain\>
 * (character-strings joined, CNAMEs followed). No record gives
 * ::MTAREP_AUTH_NONE; several TXT records give ::MTAREP_AUTH_INVALID.
 * @param opts NULL for defaults.
 * @return ::MTAREP_OK; ::MTAREP_EINVAL for a malformed domain or selector;
 *   ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_dkim_fetch(mtarep_dkim_result **out, mtarep_ctx *ctx,
                                           const char *domain, const char *selector,
                                           const mtarep_dkim_options *opts);

/**
 * Try every selector of @p opts (or the built-in list) concurrently.
 * @return ::MTAREP_OK; ::MTAREP_EINVAL for a malformed domain or selector;
 *   ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_dkim_discover(mtarep_dkim_discovery **out, mtarep_ctx *ctx,
                                              const char *domain,
                                              const mtarep_dkim_options *opts);

/** Number of selectors tried. */
MTAREP_API size_t mtarep_dkim_discovery_count(const mtarep_dkim_discovery *d);
/** Result for selector @p i (its verdict is ::MTAREP_AUTH_NONE when the
 *  selector does not exist), or NULL. Borrowed from @p d. */
MTAREP_API const mtarep_dkim_result *mtarep_dkim_discovery_result(const mtarep_dkim_discovery *d,
                                                                   size_t i);
/** Selectors that exist (a record of any verdict but none/unknown). */
MTAREP_API size_t mtarep_dkim_discovery_found(const mtarep_dkim_discovery *d);
/** Selectors whose lookup could not decide (timeout, SERVFAIL). */
MTAREP_API size_t mtarep_dkim_discovery_undecided(const mtarep_dkim_discovery *d);
/** Free a discovery; NULL is allowed. */
MTAREP_API void mtarep_dkim_discovery_free(mtarep_dkim_discovery *d);

/** The verdict. */
MTAREP_API mtarep_auth_verdict mtarep_dkim_result_verdict(const mtarep_dkim_result *r);
/** Number of problems (all severities). */
MTAREP_API size_t mtarep_dkim_result_problem_count(const mtarep_dkim_result *r);
/** Severity of problem @p i (::MTAREP_AUTH_INFO if out of range). */
MTAREP_API mtarep_auth_severity mtarep_dkim_result_problem_severity(const mtarep_dkim_result *r,
                                                                    size_t i);
/** Message of problem @p i, or NULL. Borrowed from @p r. */
MTAREP_API const char *mtarep_dkim_result_problem_message(const mtarep_dkim_result *r,
                                                          size_t i);
/** Octet offset in the record text the problem points at, else -1. */
MTAREP_API long mtarep_dkim_result_problem_offset(const mtarep_dkim_result *r, size_t i);
/** "rsa" or "ed25519" when p= decoded to a key, else NULL. */
MTAREP_API const char *mtarep_dkim_result_key_type(const mtarep_dkim_result *r);
/** Key size in bits (Ed25519: 256), 0 when no key decoded. */
MTAREP_API unsigned int mtarep_dkim_result_key_bits(const mtarep_dkim_result *r);
/** 1 if t=y (testing mode). */
MTAREP_API int mtarep_dkim_result_testing(const mtarep_dkim_result *r);
/** 1 if p= is empty (revoked key). */
MTAREP_API int mtarep_dkim_result_revoked(const mtarep_dkim_result *r);
/** Record text (joined TXT strings; escapes for non-printable octets), or NULL. */
MTAREP_API const char *mtarep_dkim_result_record(const mtarep_dkim_result *r);
/** Name queried (\<selector\>._domainkey.\<domain\>), NULL for validate. */
MTAREP_API const char *mtarep_dkim_result_name(const mtarep_dkim_result *r);
/** Selector asked, NULL for validate. */
MTAREP_API const char *mtarep_dkim_result_selector(const mtarep_dkim_result *r);
/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_dkim_result_free(mtarep_dkim_result *r);

#ifdef __cplusplus
}
#endif
#endif
