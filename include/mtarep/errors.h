/**
 * @file mtarep/errors.h
 * @brief Error codes. The list is append-only: values are never reused or
 * renumbered. All were introduced in 0.1.0 unless noted.
 */
#ifndef MTAREP_ERRORS_H
#define MTAREP_ERRORS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Negative status codes returned by fallible calls. */
typedef enum mtarep_error_code {
    MTAREP_OK = 0,            /**< success */
    MTAREP_ERROR = -1,        /**< unclassified failure */
    MTAREP_ENOMEM = -2,       /**< out of memory */
    MTAREP_EINVAL = -3,       /**< bad argument or malformed input (IP, domain, ...) */
    MTAREP_ETIMEOUT = -4,     /**< no answer in time */
    MTAREP_ETEMPFAIL = -5,    /**< temporary failure: SERVFAIL, refused, network error */
    MTAREP_ENOTFOUND = -6,    /**< the thing asked for does not exist */
    MTAREP_EPARSE = -7,       /**< malformed data from outside (packet, record, file) */
    MTAREP_ELIMIT = -8,       /**< a limit was reached (sizes, lookups, table full) */
    MTAREP_EBLOCKED = -9,     /**< the remote service refused to answer us */
    MTAREP_EHTTP = -10,       /**< HTTP-level failure */
    MTAREP_ETHROTTLED = -11,  /**< refused by a rate limit */
    MTAREP_ECANCELLED = -12,  /**< the operation was cancelled */
    MTAREP_EIO = -13,         /**< local I/O failure (file, socket) */
    MTAREP_EAUTH = -14,       /**< authentication failed (key, token) */
    MTAREP_ETLS = -15,        /**< TLS failure (certificate, handshake) */
    MTAREP_EVERSION = -16,    /**< unsupported version (options struct, file format) */
    MTAREP_ECONFIG = -17      /**< configuration error (zone name, DNSBL key, ...) */
} mtarep_error_code;

/**
 * Short, static description of a status code; never NULL. Unknown codes give
 * "unknown error".
 */
MTAREP_API const char *mtarep_strerror(int code);

/**
 * Stable symbolic name of a code ("MTAREP_ETIMEOUT"); never NULL. Bindings
 * use it to pick exception classes.
 */
MTAREP_API const char *mtarep_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
