/**
 * @file mtarep/ctx.h
 * @brief The context: DNS set-up, timeouts, logging and the last error.
 *
 * One context per thread: a context and every object made from it must not
 * be used by two threads at once. Contexts share nothing, so one per thread
 * runs in parallel without locks.
 *
 * Which DNS answers a context's questions, in this order:
 *  1. zone files or text added with mtarep_ctx_add_zone_file() /
 *     mtarep_ctx_add_zone_text(): answered from memory, nothing is sent;
 *  2. a resolver plugged in with mtarep_ctx_set_resolver() (sys/resolver.h);
 *  3. nameservers added with mtarep_ctx_add_nameserver();
 *  4. otherwise the nameservers of /etc/resolv.conf, read on first use.
 */
#ifndef MTAREP_CTX_H
#define MTAREP_CTX_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque context. */
typedef struct mtarep_ctx mtarep_ctx;

/** Severity of a log line. */
typedef enum mtarep_log_level {
    MTAREP_LOG_ERROR = 0,
    MTAREP_LOG_WARNING = 1,
    MTAREP_LOG_INFO = 2,
    MTAREP_LOG_DEBUG = 3
} mtarep_log_level;

/**
 * Log callback. @p msg is valid during the call only and never contains a
 * secret (API keys, tokens).
 */
typedef void (*mtarep_log_cb)(mtarep_log_level level, const char *msg,
                              void *payload);

/** Version of ::mtarep_ctx_options this header describes (its `version` field). */
#define MTAREP_CTX_OPTIONS_VERSION 1

/** Options for mtarep_ctx_new(). Initialise with MTAREP_CTX_OPTIONS_INIT. */
typedef struct mtarep_ctx_options {
    unsigned int version;      /**< MTAREP_CTX_OPTIONS_VERSION */
    unsigned int timeout_ms;   /**< per try of one query (default 2000) */
    unsigned int retries;      /**< extra tries after the first (default 1) */
    unsigned int max_inflight; /**< queries on the wire at once (default 256) */
    int use_cache;             /**< non-zero: cache answers per context, honouring TTLs (default 1) */
    mtarep_log_level log_level; /**< most verbose level passed to log_cb (default WARNING) */
    mtarep_log_cb log_cb;      /**< NULL: no logging */
    void *log_payload;         /**< passed to log_cb */
} mtarep_ctx_options;

/** Static initializer of ::mtarep_ctx_options: this version, every default. */
#define MTAREP_CTX_OPTIONS_INIT                                              \
    { MTAREP_CTX_OPTIONS_VERSION, 2000, 1, 256, 1, MTAREP_LOG_WARNING, NULL, NULL }

/** Fill @p opts with defaults for @p version. @return ::MTAREP_EVERSION if unsupported. */
MTAREP_API mtarep_status mtarep_ctx_options_init(mtarep_ctx_options *opts,
                                                 unsigned int version);

/**
 * Create a context.
 * @param out  receives the context; free it with mtarep_ctx_free().
 * @param opts NULL for defaults.
 * @return ::MTAREP_OK, ::MTAREP_EINVAL, ::MTAREP_EVERSION or ::MTAREP_ENOMEM.
 */
MTAREP_API mtarep_status mtarep_ctx_new(mtarep_ctx **out,
                                        const mtarep_ctx_options *opts);

/** Free a context; NULL is allowed. Outstanding queries are cancelled. */
MTAREP_API void mtarep_ctx_free(mtarep_ctx *ctx);

/**
 * Detailed message for the last failed call on @p ctx ("" if none). Valid
 * until the next call on the context. Never NULL (a NULL ctx gives "").
 */
MTAREP_API const char *mtarep_ctx_errmsg(const mtarep_ctx *ctx);

/**
 * Add a nameserver: "192.0.2.1", "192.0.2.1:5300", "2001:db8::1",
 * "[2001:db8::1]:5300". The first call replaces the resolv.conf default.
 * @return ::MTAREP_EINVAL for a malformed address or port,
 *   ::MTAREP_ELIMIT past 16 nameservers.
 */
MTAREP_API mtarep_status mtarep_ctx_add_nameserver(mtarep_ctx *ctx,
                                                   const char *addr);

/**
 * Use the nameservers of a resolv.conf file (NULL: /etc/resolv.conf) in
 * place of any added so far.
 * @return ::MTAREP_EIO if unreadable, ::MTAREP_EPARSE if malformed,
 *   ::MTAREP_ECONFIG if it names no nameserver.
 */
MTAREP_API mtarep_status mtarep_ctx_load_resolv_conf(mtarep_ctx *ctx,
                                                     const char *path);

/**
 * Load an RFC 1035 zone file ($ORIGIN, $TTL; SOA optional; records of many
 * domains allowed) and answer every query from loaded zones only.
 * @return ::MTAREP_EIO if unreadable, ::MTAREP_EPARSE with the line in
 * mtarep_ctx_errmsg() if malformed; zones loaded earlier stay loaded.
 */
MTAREP_API mtarep_status mtarep_ctx_add_zone_file(mtarep_ctx *ctx,
                                                  const char *path);

/** As mtarep_ctx_add_zone_file(), from a string in zone-file format. */
MTAREP_API mtarep_status mtarep_ctx_add_zone_text(mtarep_ctx *ctx,
                                                  const char *text);

/** Per-try timeout in milliseconds (1 .. 600000). */
MTAREP_API mtarep_status mtarep_ctx_set_timeout_ms(mtarep_ctx *ctx,
                                                   unsigned int timeout_ms);

/** Extra tries after the first (0 .. 10). */
MTAREP_API mtarep_status mtarep_ctx_set_retries(mtarep_ctx *ctx,
                                                unsigned int retries);

/** Replace the log callback; @p cb NULL turns logging off. */
MTAREP_API void mtarep_ctx_set_log_callback(mtarep_ctx *ctx, mtarep_log_cb cb,
                                            mtarep_log_level level,
                                            void *payload);

/** Drop every cached DNS answer. */
MTAREP_API void mtarep_ctx_clear_cache(mtarep_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
