/* Internal to libmtarep: the context struct and helpers shared by modules.
 * Nothing here is installed or exported. */
#ifndef MTAREP_INTERNAL_H
#define MTAREP_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "mtarep.h"

struct mtarep_dns_engine;  /* lib/dns/engine.c */
struct mtarep_dnsbl_table; /* lib/dnsbl */

/* Small growable string array used by results. */
typedef struct mtarep_strvec {
    char **v;
    size_t n, cap;
} mtarep_strvec;

struct mtarep_ctx {
    mtarep_ctx_options opts;
    mtarep_strvec secrets; /* redacted from every log line and error message */
    char errmsg[512];
    struct mtarep_dns_engine *dns;
    struct mtarep_dnsbl_table *dnsbl_defs; /* per-context additions; NULL = built-in only */
    long prov_retry_after; /* lib/provider: last Retry-After in s, -1 = none */
    long prov_http_status; /* lib/provider: last HTTP status, 0 = none */
};

#if defined(__GNUC__)
#define MTAREP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MTAREP_PRINTF(f, a)
#endif

/* Record a detailed message on ctx (may be NULL) and return code, so callers
 * can write `return mtarep__fail(ctx, MTAREP_EINVAL, "bad IP '%s'", s);`.
 * Never pass a secret into the format arguments. */
int mtarep__fail(mtarep_ctx *ctx, int code, const char *fmt, ...) MTAREP_PRINTF(3, 4);
void mtarep__clear_error(mtarep_ctx *ctx);
void mtarep__log(mtarep_ctx *ctx, mtarep_log_level level, const char *fmt, ...)
    MTAREP_PRINTF(3, 4);

/* Secrets (DNSBL keys, API tokens) that must never reach a log line or an
 * error message: while registered, mtarep__log and mtarep__fail replace each
 * occurrence with "<key>". Scoped: take a mark, push, pop back to the mark. */
size_t mtarep__secrets_mark(const mtarep_ctx *ctx);
int mtarep__secrets_push(mtarep_ctx *ctx, const char *secret);
void mtarep__secrets_pop(mtarep_ctx *ctx, size_t mark);
/* Copy of s with every registered secret of ctx (may be NULL) replaced by
 * "<key>"; if s was cut from a longer text (cut != 0), a tail that could be
 * the start of a secret is dropped too. malloc'd; NULL on OOM. */
char *mtarep__secrets_redact(const mtarep_ctx *ctx, const char *s, int cut);
/* Copy of s with every case-insensitive occurrence of secret replaced by
 * "<key>" (malloc'd; NULL on OOM or NULL s). */
char *mtarep__redact(const char *s, const char *secret);

/* Addresses: parse IPv4/IPv6 text strictly (no leading zeros in IPv4
 * octets, no zone ids). family is 4 or 6; bytes holds 4 or 16 octets. */
typedef struct mtarep_ip {
    int family;
    uint8_t bytes[16];
} mtarep_ip;

int mtarep__ip_parse(mtarep_ip *out, const char *text);
/* Canonical text form (IPv6 compressed per RFC 5952, lower case). buf >= 46. */
void mtarep__ip_format(const mtarep_ip *ip, char *buf, size_t len);
/* Reverse name: "4.3.2.1" (IPv4) or 32 nibbles (IPv6), without suffix.
 * buf >= 73. */
void mtarep__ip_reverse(const mtarep_ip *ip, char *buf, size_t len);

/* Do the first bits of two address byte strings agree? */
int mtarep__ip_prefix_match(const uint8_t *a, const uint8_t *b, int bits);

/* Host/domain name syntax (LDH labels plus '_', 1..63 octets per label,
 * <= 253 total, optional trailing dot). Returns 1 if valid. */
int mtarep__domain_valid(const char *name);
/* Copy name lower-cased without a trailing dot into buf; returns 0 or
 * MTAREP_EINVAL if invalid or too long for buf. */
int mtarep__domain_normalize(const char *name, char *buf, size_t len);

int mtarep__strvec_push(mtarep_strvec *sv, const char *s);
int mtarep__strvec_pushf(mtarep_strvec *sv, const char *fmt, ...) MTAREP_PRINTF(2, 3);
void mtarep__strvec_free(mtarep_strvec *sv);

char *mtarep__strdup(const char *s);
/* In place: every byte that does not start a valid UTF-8 sequence becomes
 * '?'. Text from the network and files (TXT records, server replies, CSV
 * fields, file names) goes through this before jansson, which refuses it,
 * and before the HTML page and the bindings. NULL is allowed. */
void mtarep__utf8_fix(char *s);

#endif
