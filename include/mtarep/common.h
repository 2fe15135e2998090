/**
 * @file mtarep/common.h
 * @brief Linkage macro, status type and the tri-state shared by all modules.
 *
 * Threads: a ::mtarep_ctx and everything created from it is used by one
 * thread at a time. Results are immutable once returned and may be read from
 * any thread. The library keeps no global mutable state other than the
 * reference-counted mtarep_library_init().
 */
#ifndef MTAREP_COMMON_H
#define MTAREP_COMMON_H

#include <stddef.h>

#if defined(MTAREP_BUILDING) && defined(__GNUC__)
#define MTAREP_API __attribute__((visibility("default")))
#else
#define MTAREP_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Return type of every fallible call: 0 (::MTAREP_OK) or a negative
 * ::mtarep_error_code. Verdicts (listed, fail, ...) are never errors: they
 * come back through out-parameters with ::MTAREP_OK.
 */
typedef int mtarep_status;

/** Answer to a yes/no question asked over the network. */
typedef enum mtarep_tristate {
    MTAREP_UNKNOWN = -1, /**< could not decide: timeout, SERVFAIL, refused */
    MTAREP_NO = 0,
    MTAREP_YES = 1
} mtarep_tristate;

/**
 * Version of the library actually linked.
 * @param num_out if not NULL, receives MTAREP_VERSION_NUM of the library.
 * @return static string such as "0.2.0", never NULL.
 */
MTAREP_API const char *mtarep_version(unsigned int *num_out);

/**
 * Reference-counted global set-up (libcurl's global init). Call before
 * starting threads; every successful call needs one mtarep_library_shutdown().
 * mtarep_ctx_new() calls it for you when it has not been called.
 */
MTAREP_API mtarep_status mtarep_library_init(void);
/** Undo one mtarep_library_init(). */
MTAREP_API void mtarep_library_shutdown(void);

#ifdef __cplusplus
}
#endif
#endif
