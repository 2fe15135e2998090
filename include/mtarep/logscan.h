/**
 * @file mtarep/logscan.h
 * @brief Streaming mail-log scanner: Postfix and Exim main logs, counted per
 * recipient delivery attempt (sent, deferred, bounced) and per expiry, per
 * destination domain, relay, hour and day, with every bounce and deferral
 * classified by cause (mtarep/smtpreply.h).
 *
 * Memory is bounded whatever the log size: every table has a fixed capacity
 * (options), and what does not fit is counted in an "(other)" row (domains,
 * relays) or dropped from the per-period tables (stats count the drops).
 * A scanner is used by one thread at a time; no context is needed.
 *
 * Counting rules (docs/logscan.md):
 * - Postfix: one count per delivery line of smtp, lmtp, local, virtual, pipe,
 *   error, discard or relay (`to=..., status=sent|deferred|bounced`;
 *   SOFTBOUNCE counts as deferred, address probes are ignored); `expired` is
 *   one per qmgr `status=expired` line, and the still-deferred recipients of
 *   that queue id add to their domains' `expired`. smtpd/postscreen rejects
 *   (inbound) are never counted.
 * - Exim: `=>`, `->`, `>>` sent; `**` bounced; `==` deferred (`*>`, `-N`
 *   suppressed deliveries, are not counted).
 * - Timestamps without a zone are taken as UTC; syslog timestamps without a
 *   year get the year from the options (or the current one), with the
 *   December to January rollover detected.
 */
#ifndef MTAREP_LOGSCAN_H
#define MTAREP_LOGSCAN_H

#include "common.h"
#include "smtpreply.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log format. */
typedef enum mtarep_logscan_format {
    MTAREP_LOGSCAN_AUTO = 0,    /**< decide per line (Exim lines start "YYYY-MM-DD HH:MM:SS") */
    MTAREP_LOGSCAN_POSTFIX = 1, /**< syslog, RFC 3339/ISO and postlogd timestamps */
    MTAREP_LOGSCAN_EXIM = 2     /**< Exim main log */
} mtarep_logscan_format;

/** Period granularity for mtarep_logscan_period(). */
typedef enum mtarep_logscan_unit {
    MTAREP_LOGSCAN_HOUR = 0,
    MTAREP_LOGSCAN_DAY = 1
} mtarep_logscan_unit;

/** Version of ::mtarep_logscan_options this header describes (its `version` field). */
#define MTAREP_LOGSCAN_OPTIONS_VERSION 1

/** Options for mtarep_logscan_new(). Initialise with MTAREP_LOGSCAN_OPTIONS_INIT. */
typedef struct mtarep_logscan_options {
    unsigned int version;         /**< MTAREP_LOGSCAN_OPTIONS_VERSION */
    mtarep_logscan_format format; /**< default AUTO */
    long long since;              /**< skip lines older than this Unix time; 0 = none */
    int year;                     /**< year for syslog timestamps; 0 = current year */
    unsigned int max_domains;     /**< domain rows, 16..1048576; default 4096 */
    unsigned int max_relays;      /**< relay rows, 16..1048576; default 1024 */
    /** Comma-separated relays whose deliveries are not counted (content-filter
     * hops such as "127.0.0.1:10024"); each item matches the relay host name,
     * its bracketed address, or "address:port". NULL = none. Copied. */
    const char *exclude_relays;
} mtarep_logscan_options;

/** Static initializer of ::mtarep_logscan_options: this version, every default. */
#define MTAREP_LOGSCAN_OPTIONS_INIT                                                      \
    { MTAREP_LOGSCAN_OPTIONS_VERSION, MTAREP_LOGSCAN_AUTO, 0, 0, 4096, 1024, NULL }

/** Fill @p opts with defaults. @return ::MTAREP_EVERSION for a bad @p version. */
MTAREP_API mtarep_status mtarep_logscan_options_init(mtarep_logscan_options *opts,
                                                     unsigned int version);

/** Counts of one row (totals, a domain, a relay, a period). */
typedef struct mtarep_logscan_counts {
    unsigned long long sent;     /**< delivery lines with status sent */
    unsigned long long deferred; /**< delivery lines with status deferred */
    unsigned long long bounced;  /**< delivery lines with status bounced */
    unsigned long long expired;  /**< qmgr status=expired lines (messages given up) */
    /** Bounces per ::mtarep_smtpreply_category. */
    unsigned long long bounced_by_cause[MTAREP_SMTPREPLY_NCATEGORIES];
    /** Deferrals per ::mtarep_smtpreply_category. */
    unsigned long long deferred_by_cause[MTAREP_SMTPREPLY_NCATEGORIES];
    /** Final outcome view (Postfix): recipients (per queue id) deferred at
     * least once, and those still deferred when their message expired.
     * Tracked for up to 6 recipients per queue id; totals and domains only. */
    unsigned long long deferred_recipients;
    unsigned long long expired_recipients; /**< see deferred_recipients */
} mtarep_logscan_counts;

/** Scanner statistics. */
typedef struct mtarep_logscan_stats {
    unsigned long long bytes; /**< bytes fed (decompressed text for gzip files) */
    unsigned long long lines; /**< lines read */
    unsigned long long postfix_lines; /**< lines in a Postfix envelope */
    unsigned long long exim_lines;    /**< lines in an Exim envelope */
    unsigned long long counted;       /**< delivery / expiry lines counted */
    unsigned long long excluded;      /**< deliveries through an excluded relay */
    unsigned long long skipped_since; /**< counted lines older than `since` */
    unsigned long long long_lines;    /**< lines cut at the line limit (64 KiB) */
    unsigned long long period_dropped;/**< counts not kept per period (table full) */
    unsigned long long queue_evicted; /**< queue ids dropped from the expiry table */
} mtarep_logscan_stats;

/** Opaque scanner. */
typedef struct mtarep_logscan mtarep_logscan;

/**
 * New scanner. @p opts may be NULL (defaults).
 * @return ::MTAREP_EINVAL for bad options, ::MTAREP_EVERSION, ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_logscan_new(mtarep_logscan **out,
                                            const mtarep_logscan_options *opts);
/** Free a scanner; NULL is allowed. */
MTAREP_API void mtarep_logscan_free(mtarep_logscan *s);

/**
 * Feed any slice of the log; lines may be split across calls (a partial last
 * line is kept until the next call or mtarep_logscan_finish()).
 */
MTAREP_API mtarep_status mtarep_logscan_feed(mtarep_logscan *s, const char *data, size_t len);

/**
 * Scan a whole file: @p path "-" reads stdin; gzip (and zlib) data is
 * detected by its magic bytes and inflated on the fly (concatenated members
 * too). Does not call mtarep_logscan_finish().
 * @return ::MTAREP_EIO (cannot open/read), ::MTAREP_EPARSE (corrupt gzip);
 *   mtarep_logscan_errmsg() says which.
 */
MTAREP_API mtarep_status mtarep_logscan_file(mtarep_logscan *s, const char *path);

/** Process the pending partial line and sort the rows (by attempts, descending). */
MTAREP_API mtarep_status mtarep_logscan_finish(mtarep_logscan *s);

/** Detail of the last error, "" if none. Valid until the next call. */
MTAREP_API const char *mtarep_logscan_errmsg(const mtarep_logscan *s);

/** Totals over all lines counted. */
MTAREP_API void mtarep_logscan_totals(const mtarep_logscan *s, mtarep_logscan_counts *out);
/** Statistics. */
MTAREP_API void mtarep_logscan_get_stats(const mtarep_logscan *s, mtarep_logscan_stats *out);
/** Format of the last line recognised (AUTO if none yet). */
MTAREP_API mtarep_logscan_format mtarep_logscan_detected_format(const mtarep_logscan *s);

/** Number of destination-domain rows (including "(other)" once used). */
MTAREP_API size_t mtarep_logscan_domain_count(const mtarep_logscan *s);
/**
 * Domain row @p i (lower case; "(local)" for addresses without a domain,
 * "(other)" for the overflow row); counts to @p out (may be NULL).
 * @return the name, or NULL when @p i is out of range.
 */
MTAREP_API const char *mtarep_logscan_domain(const mtarep_logscan *s, size_t i,
                                             mtarep_logscan_counts *out);
/** Counts of one domain by name (case-insensitive). @return 0, or -1 if absent. */
MTAREP_API int mtarep_logscan_domain_lookup(const mtarep_logscan *s, const char *domain,
                                            mtarep_logscan_counts *out);

/** Number of relay rows. */
MTAREP_API size_t mtarep_logscan_relay_count(const mtarep_logscan *s);
/**
 * Relay row @p i: host name without address and port ("mx.example.com",
 * "none", "local", "virtual"; Exim: H= host, else the transport).
 */
MTAREP_API const char *mtarep_logscan_relay(const mtarep_logscan *s, size_t i,
                                            mtarep_logscan_counts *out);

/** Number of hour or day rows (at most 9600 hours / 4000 days are kept). */
MTAREP_API size_t mtarep_logscan_period_count(const mtarep_logscan *s, mtarep_logscan_unit unit);
/**
 * Period row @p i in time order; its start as Unix time to @p start (may be
 * NULL). @return 0, or -1 when @p i is out of range.
 */
MTAREP_API int mtarep_logscan_period(const mtarep_logscan *s, mtarep_logscan_unit unit, size_t i,
                                     long long *start, mtarep_logscan_counts *out);

/**
 * Parse a time for `since`: Unix seconds, "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]"
 * or "YYYY-MM-DD HH:MM[:SS]" (UTC), optionally with Z or ±HH:MM.
 * @return ::MTAREP_OK or ::MTAREP_EINVAL.
 */
MTAREP_API mtarep_status mtarep_logscan_parse_time(long long *out, const char *text);

#ifdef __cplusplus
}
#endif
#endif
