/**
 * @file mtarep/smtpreply.h
 * @brief SMTP reply classifier: turns a rejection or deferral text into a
 * cause category, the receiver that sent it, the block list it names and a
 * one-line advice pointing at the libmtarep check that helps.
 *
 * Pure function: no context, no I/O, no allocation; safe from any thread.
 * The rules are a documented, ordered table (docs/smtp-replies.md).
 */
#ifndef MTAREP_SMTPREPLY_H
#define MTAREP_SMTPREPLY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest reply text accepted by mtarep_smtpreply_classify(), in bytes. */
#define MTAREP_SMTPREPLY_MAX_LEN 4096

/** Cause categories (docs/smtp-replies.md gives the rule for each). */
typedef enum mtarep_smtpreply_category {
    MTAREP_SMTPREPLY_OTHER = 0,          /**< cause not stated / not recognised */
    MTAREP_SMTPREPLY_REPUTATION = 1,     /**< receiver's own verdict on the sender's standing */
    MTAREP_SMTPREPLY_BLOCKLIST = 2,      /**< a third-party DNSBL / feed is named */
    MTAREP_SMTPREPLY_AUTHENTICATION = 3, /**< SPF, DKIM, DMARC, unauthenticated sender */
    MTAREP_SMTPREPLY_RDNS = 4,           /**< missing or mismatched PTR */
    MTAREP_SMTPREPLY_RATE_LIMIT = 5,     /**< volume/connection throttling */
    MTAREP_SMTPREPLY_CONTENT = 6,        /**< message judged spam or malformed */
    MTAREP_SMTPREPLY_POLICY = 7,         /**< receiver policy (TLS, relay, customer block list) */
    MTAREP_SMTPREPLY_MAILBOX = 8         /**< recipient-side problem (unknown, full, disabled) */
} mtarep_smtpreply_category;

/** Number of categories (for arrays indexed by category). */
#define MTAREP_SMTPREPLY_NCATEGORIES 9

/** Result of mtarep_smtpreply_classify(). Strings are static or inline. */
typedef struct mtarep_smtpreply_info {
    mtarep_smtpreply_category category; /**< the cause */
    int code;             /**< basic reply code (e.g. 550), 0 if absent */
    char enhanced[16];    /**< RFC 3463 code ("5.7.1"), "" if absent */
    const char *receiver; /**< static name ("Gmail", "Outlook.com"), NULL if unknown */
    char blocklist[64];   /**< block list named in the text ("zen.spamhaus.org",
                               "Spamhaus"), "" if none; set for BLOCKLIST only */
    const char *advice;   /**< static one-line advice, never NULL */
    const char *rule;     /**< static id of the rule that decided, never NULL */
} mtarep_smtpreply_info;

/**
 * Classify one reply text, with or without the leading basic and enhanced
 * codes ("550 5.7.1 ...", "550-5.7.1 ... 550 5.7.1 ...", "4.7.26 ...",
 * "Blocked - see ..."). Bytes are not decoded; any content is safe.
 * @param out  filled on success (zeroed on error).
 * @param text NUL-terminated reply.
 * @return ::MTAREP_OK; ::MTAREP_EINVAL for NULL or empty (only blanks) text;
 *   ::MTAREP_ELIMIT when longer than ::MTAREP_SMTPREPLY_MAX_LEN.
 */
MTAREP_API mtarep_status mtarep_smtpreply_classify(mtarep_smtpreply_info *out,
                                                   const char *text);

/** Stable lower-case name of a category ("rate-limit"); "other" if unknown. */
MTAREP_API const char *mtarep_smtpreply_category_name(mtarep_smtpreply_category c);

/** The category's default one-line advice (static, never NULL). */
MTAREP_API const char *mtarep_smtpreply_category_advice(mtarep_smtpreply_category c);

/**
 * Category from its name (as printed by mtarep_smtpreply_category_name()).
 * @return the category, or -1 if @p name is not one.
 */
MTAREP_API int mtarep_smtpreply_category_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
