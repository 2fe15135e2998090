/**
 * @file mtarep/authrec.h
 * @brief Verdict scale and problem severities shared by the DKIM key
 * record and DMARC record validators (see dkim.h, dmarc.h).
 *
 * One scale for both: ::MTAREP_AUTH_INVALID means receivers will ignore,
 * reject or misapply the record; ::MTAREP_AUTH_WARNING means usable, but
 * receivers will treat it differently from what the owner probably means;
 * ::MTAREP_AUTH_VALID otherwise. Advice that does not change what receivers
 * do is a problem of severity ::MTAREP_AUTH_INFO and leaves a record valid.
 */
#ifndef MTAREP_AUTHREC_H
#define MTAREP_AUTHREC_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Verdict on one record (or on a lookup that found none). */
typedef enum mtarep_auth_verdict {
    MTAREP_AUTH_VALID = 0,   /**< usable as published */
    MTAREP_AUTH_WARNING = 1, /**< usable, but weak or risky */
    MTAREP_AUTH_INVALID = 2, /**< receivers ignore, reject or misapply it */
    MTAREP_AUTH_NONE = 3,    /**< fetch: the DNS said there is no record */
    MTAREP_AUTH_UNKNOWN = 4  /**< fetch: could not decide (timeout, SERVFAIL, ...) */
} mtarep_auth_verdict;

/** Severity of one problem. */
typedef enum mtarep_auth_severity {
    MTAREP_AUTH_INFO = 0,  /**< advice; does not change the verdict */
    MTAREP_AUTH_WARN = 1,  /**< makes the verdict at least "warning" */
    MTAREP_AUTH_ERROR = 2  /**< makes the verdict "invalid" */
} mtarep_auth_severity;

/** "valid", "warning", "invalid", "none", "unknown"; "unknown" if out of range. */
MTAREP_API const char *mtarep_auth_verdict_name(mtarep_auth_verdict v);
/** "info", "warning", "error"; "unknown" if out of range. */
MTAREP_API const char *mtarep_auth_severity_name(mtarep_auth_severity s);

#ifdef __cplusplus
}
#endif
#endif
