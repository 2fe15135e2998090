/**
 * @file mtarep/precheck.h
 * @brief One concurrent check of a sending setup, with a verdict and advice.
 *
 * mtarep_precheck() asks every DNS question of every check (rDNS and
 * FCrDNS, the HELO name, the domain's MX, SPF for each IP plus the SPF
 * tree, DKIM keys, DMARC, DNSBL for each IP and domain lists for the
 * domain) in one run of the context's DNS engine, so its wall time is the
 * longest chain of dependent questions (usually the SPF include depth), not
 * their number. Optionally it summarises bounce logs (logscan), probes a
 * receiving MX over SMTP (never sending DATA), and asks reputation
 * providers (Mailgun, Microsoft SNDS, Google Postmaster Tools) when given
 * their credentials; their HTTPS requests run beside the DNS questions, so
 * they add only what the slowest provider takes beyond the DNS chain.
 *
 * The report lists checks with the most likely cause of a reputation
 * rejection first (docs/precheck.md): sorted by status (problem, unknown,
 * warning, ok), then by a fixed cause ranking (the MX's own rejection,
 * SNDS and Postmaster Tools reputation, IP blocklisting, rDNS, SPF, Mailgun
 * bounce and complaint rates, domain blocklisting, HELO, DKIM, DMARC, MX of
 * the domain, bounces). A check whose lookups failed is ::MTAREP_PRECHECK_UNKNOWN,
 * never ok, and the verdict is never ok while any check is unknown.
 *
 * Threads: as every call on a ::mtarep_ctx (one thread at a time); the
 * report is immutable and may be read from any thread.
 */
#ifndef MTAREP_PRECHECK_H
#define MTAREP_PRECHECK_H

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status of one check and the overall verdict. */
typedef enum mtarep_precheck_status {
    MTAREP_PRECHECK_OK = 0,      /**< nothing wrong seen */
    MTAREP_PRECHECK_WARNING = 1, /**< works, but weakens reputation or delivery */
    MTAREP_PRECHECK_PROBLEM = 2, /**< likely to get mail rejected or junked */
    MTAREP_PRECHECK_UNKNOWN = 3  /**< could not be seen (DNS timeout, SERVFAIL, ...) */
} mtarep_precheck_status;

/** Current version of ::mtarep_precheck_options (2: provider credentials;
 * version 1 structs are still accepted). */
#define MTAREP_PRECHECK_OPTIONS_VERSION 2

/**
 * Options of mtarep_precheck(). Initialise with MTAREP_PRECHECK_OPTIONS_INIT.
 * Append-only (docs/ABI.md): version 1 ends at @p probe_timeout_ms.
 *
 * Provider credentials (version 2): each one given adds that provider's
 * checks ("mailgun", "snds" per IP, "postmaster"), asked over HTTPS after
 * the DNS run. The keys are registered as secrets of the context for the
 * call, so they never appear in the report, its JSON, the context's error
 * message or the log. NULL: that provider is not asked.
 */
typedef struct mtarep_precheck_options {
    unsigned int version;            /**< MTAREP_PRECHECK_OPTIONS_VERSION */
    const char *const *selectors;    /**< DKIM selectors; NULL: discovery of common ones */
    size_t selector_count;           /**< number of @p selectors */
    const char *const *zones;        /**< DNSBL zones; NULL: the default set */
    size_t zone_count;               /**< number of @p zones */
    const char *const *log_files;    /**< Postfix/Exim logs to summarise; NULL: none */
    size_t log_file_count;           /**< number of @p log_files */
    /** Receiving MX to probe, "HOST[:PORT]" (port 25 by default; a name is
     * resolved through the context's DNS), or NULL for no probe. */
    const char *probe_mx;
    /** MAIL FROM (at most 256 octets, no CR, LF or angle brackets); NULL: postmaster\@domain */
    const char *probe_from;
    const char *probe_rcpt;          /**< RCPT TO (as @p probe_from); NULL: postmaster\@HOST */
    unsigned int probe_timeout_ms;   /**< per SMTP step; 0: 10000 */
    /* version 2 */
    const char *mailgun_key;         /**< Mailgun private API key (needs @p domain) */
    const char *mailgun_region;      /**< "us" (default) or "eu" */
    const char *snds_key;            /**< Microsoft SNDS automated-access key */
    /** Google OAuth 2.0 access token for Postmaster Tools v1 (needs @p domain) */
    const char *postmaster_token;
    /** Replaces every provider's scheme and host (tests, your own proxy):
     *  https://, or http:// to loopback only; NULL: the real hosts */
    const char *provider_base_url;
    const char *provider_ca_file;    /**< PEM CA bundle; NULL: the system store */
    unsigned int provider_timeout_ms; /**< per HTTPS request; 0: 30000 */
} mtarep_precheck_options;

/** Default options. */
#define MTAREP_PRECHECK_OPTIONS_INIT                                                     \
    { MTAREP_PRECHECK_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, NULL, 0,   \
      NULL, NULL, NULL, NULL, NULL, NULL, 0 }

/** Fill @p opts with the defaults of @p version (1 or 2; for 1 only the
 * fields version 1 has are written). @return ::MTAREP_EINVAL,
 * ::MTAREP_EVERSION. */
MTAREP_API mtarep_status mtarep_precheck_options_init(mtarep_precheck_options *opts,
                                                      unsigned int version);

/** The report of one mtarep_precheck() (opaque, immutable). */
typedef struct mtarep_precheck_report mtarep_precheck_report;
/** One check of a report (opaque, borrowed from the report). */
typedef struct mtarep_precheck_check mtarep_precheck_check;

/**
 * Check a sending setup.
 * @param out     receives the report (free with mtarep_precheck_report_free()).
 * @param ctx     context: its DNS settings, timeouts and zones apply.
 * @param ips     sending addresses (1..16).
 * @param ip_count number of @p ips.
 * @param domain  envelope/From domain, or NULL (then no SPF, DKIM, DMARC,
 *                MX or domain-list checks).
 * @param helo    the name the MTA announces in HELO/EHLO, or NULL.
 * @param opts    NULL for defaults.
 * @return ::MTAREP_OK (verdicts, including DNS and provider failures, are
 *   in the report); ::MTAREP_EINVAL for malformed input (message on @p ctx;
 *   also a Mailgun key or Postmaster token without @p domain, an empty key,
 *   a bad region or provider base URL),
 *   ::MTAREP_EVERSION, ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_precheck(mtarep_precheck_report **out, mtarep_ctx *ctx,
                                         const char *const *ips, size_t ip_count,
                                         const char *domain, const char *helo,
                                         const mtarep_precheck_options *opts);

/** Overall verdict: problem if any check has one, else unknown if any is
 * unknown, else warning if any warns, else ok. */
MTAREP_API mtarep_precheck_status
mtarep_precheck_report_verdict(const mtarep_precheck_report *r);
/** Number of checks. */
MTAREP_API size_t mtarep_precheck_report_count(const mtarep_precheck_report *r);
/** Check @p i (most likely rejection cause first); NULL when out of range.
 * Borrowed: valid until the report is freed. */
MTAREP_API const mtarep_precheck_check *
mtarep_precheck_report_check(const mtarep_precheck_report *r, size_t i);
/**
 * The report as JSON: {"verdict", "checks": [{"name", "subject", "status",
 * "evidence": [...], "advice"}], "ips", "domain", "helo"}. Borrowed, never
 * NULL for a report.
 */
MTAREP_API const char *mtarep_precheck_report_json(const mtarep_precheck_report *r);
/** Free a report; NULL is allowed. */
MTAREP_API void mtarep_precheck_report_free(mtarep_precheck_report *r);

/** Stable check name: "smtp", "snds", "postmaster", "dnsbl", "rdns",
 * "spf", "mailgun", "dbl", "helo", "dkim", "dmarc", "mx", "bounces". */
MTAREP_API const char *mtarep_precheck_check_name(const mtarep_precheck_check *c);
/** What the check is about: the IP, the domain, the HELO name, the MX. */
MTAREP_API const char *mtarep_precheck_check_subject(const mtarep_precheck_check *c);
/** The check's status (::MTAREP_PRECHECK_UNKNOWN for NULL). */
MTAREP_API mtarep_precheck_status mtarep_precheck_check_status(const mtarep_precheck_check *c);
/** Number of lines of evidence (what was seen), at least 1 for every check. */
MTAREP_API size_t mtarep_precheck_check_evidence_count(const mtarep_precheck_check *c);
/** Evidence line @p i, or NULL when out of range. Borrowed like the check. */
MTAREP_API const char *mtarep_precheck_check_evidence(const mtarep_precheck_check *c, size_t i);
/** What to do, or NULL when nothing. */
MTAREP_API const char *mtarep_precheck_check_advice(const mtarep_precheck_check *c);

/** "ok", "warning", "problem", "unknown" (static, never NULL). */
MTAREP_API const char *mtarep_precheck_status_name(mtarep_precheck_status s);

#ifdef __cplusplus
}
#endif
#endif
