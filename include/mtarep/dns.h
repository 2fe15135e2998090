/**
 * @file mtarep/dns.h
 * @brief One DNS question through the context's resolver (for tools and
 * diagnostics; the checks use the same engine many queries at a time).
 */
#ifndef MTAREP_DNS_H
#define MTAREP_DNS_H

#include "common.h"
#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque answer to one question. */
typedef struct mtarep_dns_result mtarep_dns_result;

/** How the name server answered. */
typedef enum mtarep_dns_rcode {
    MTAREP_DNS_NOERROR = 0,  /**< records, or none of that type (NODATA) */
    MTAREP_DNS_NXDOMAIN = 3  /**< the name does not exist */
} mtarep_dns_rcode;

/**
 * Ask @p name / @p type ("A", "AAAA", "TXT", "MX", "PTR", "CNAME", "NS",
 * "SOA", "SPF" or "TYPEnnn") and wait for the answer.
 * @return ::MTAREP_OK with NOERROR or NXDOMAIN in the result;
 *   ::MTAREP_ETIMEOUT / ::MTAREP_ETEMPFAIL (SERVFAIL, REFUSED, network) /
 *   ::MTAREP_EPARSE (garbage answer) when there is no verdict;
 *   ::MTAREP_EINVAL for a malformed name or unknown type.
 */
MTAREP_API mtarep_status mtarep_dns_lookup(mtarep_dns_result **out,
                                           mtarep_ctx *ctx, const char *name,
                                           const char *type);

/** ::MTAREP_DNS_NOERROR or ::MTAREP_DNS_NXDOMAIN. */
MTAREP_API int mtarep_dns_result_rcode(const mtarep_dns_result *res);
/** Number of answer records of the asked type (after CNAMEs). */
MTAREP_API size_t mtarep_dns_result_count(const mtarep_dns_result *res);
/**
 * Record @p i as presentation-format RDATA ("192.0.2.1", "10 mx.example.",
 * "\"v=spf1 -all\""); NULL if out of range. Borrowed from @p res.
 */
MTAREP_API const char *mtarep_dns_result_record(const mtarep_dns_result *res,
                                                size_t i);
/** TTL of record @p i in seconds (0 if out of range). */
MTAREP_API unsigned int mtarep_dns_result_ttl(const mtarep_dns_result *res,
                                              size_t i);
/** Free a result; NULL is allowed. */
MTAREP_API void mtarep_dns_result_free(mtarep_dns_result *res);

#ifdef __cplusplus
}
#endif
#endif
