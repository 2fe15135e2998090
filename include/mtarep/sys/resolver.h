/**
 * @file mtarep/sys/resolver.h
 * @brief Plug your own DNS into a context (stable per minor release).
 *
 * An embedding MTA that already runs a resolver (c-ares, unbound, its own)
 * hands libmtarep raw DNS answers through these operations. Queries go out
 * many at a time: submit() must not block waiting for the answer.
 */
#ifndef MTAREP_SYS_RESOLVER_H
#define MTAREP_SYS_RESOLVER_H

#include "../common.h"
#include "../ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Completion of one query. Call exactly once per submit() that returned 0.
 * @param status  0 with the answer in @p wire, or a negative code:
 *                ::MTAREP_ETIMEOUT, ::MTAREP_ETEMPFAIL, ::MTAREP_ECANCELLED.
 * @param wire    the DNS response message in wire format (copied before
 *                return); its question must match the query or it is
 *                rejected as ::MTAREP_EPARSE. NULL when status != 0.
 * @param len     length of @p wire.
 * @param done_arg the value given to submit().
 */
typedef void (*mtarep_resolver_done_cb)(int status, const unsigned char *wire,
                                        size_t len, void *done_arg);

/** Version of ::mtarep_resolver_ops this header describes (its `version` field). */
#define MTAREP_RESOLVER_OPS_VERSION 1

/** Operations of a plugged-in resolver. */
typedef struct mtarep_resolver_ops {
    unsigned int version; /**< MTAREP_RESOLVER_OPS_VERSION */
    /**
     * Start a query for @p name (absolute, no trailing dot) of RR type
     * @p rrtype (1 = A, 16 = TXT, ...). Return 0 if started (then @p done
     * fires exactly once, possibly before submit returns) or a negative code.
     */
    int (*submit)(void *payload, const char *name, int rrtype,
                  mtarep_resolver_done_cb done, void *done_arg);
    /**
     * Make progress for at most @p timeout_ms, calling done callbacks.
     * Return the number of queries still outstanding, or a negative code.
     */
    int (*poll)(void *payload, int timeout_ms);
    /** Finish every outstanding query with ::MTAREP_ECANCELLED. May be NULL. */
    void (*cancel_all)(void *payload);
} mtarep_resolver_ops;

/**
 * Answer this context's queries with @p ops (copied); @p payload is passed
 * to each operation and must outlive the context or the next call. NULL
 * @p ops restores the nameserver path. Zone files, if loaded, still win.
 */
MTAREP_API mtarep_status mtarep_ctx_set_resolver(mtarep_ctx *ctx,
                                                 const mtarep_resolver_ops *ops,
                                                 void *payload);

#ifdef __cplusplus
}
#endif
#endif
