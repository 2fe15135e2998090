#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "../dns/engine.h"
#include "internal.h"

void mtarep__dnsbl_table_free(struct mtarep_dnsbl_table *t); /* lib/dnsbl */

/* Global init is reference counted and guarded: curl_global_init is not
 * thread-safe on its own (TOOLCHAIN pitfall 25). */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int init_count;

mtarep_status mtarep_library_init(void)
{
    int rc = MTAREP_OK;
    pthread_mutex_lock(&init_lock);
    if (init_count == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        rc = MTAREP_ERROR;
    if (rc == MTAREP_OK)
        init_count++;
    pthread_mutex_unlock(&init_lock);
    return rc;
}

void mtarep_library_shutdown(void)
{
    pthread_mutex_lock(&init_lock);
    if (init_count > 0 && --init_count == 0)
        curl_global_cleanup();
    pthread_mutex_unlock(&init_lock);
}

const char *mtarep_version(unsigned int *num_out)
{
    if (num_out)
        *num_out = MTAREP_VERSION_NUM;
    return MTAREP_VERSION_STR;
}

mtarep_status mtarep_ctx_options_init(mtarep_ctx_options *opts, unsigned int version)
{
    static const mtarep_ctx_options defaults = MTAREP_CTX_OPTIONS_INIT;
    if (!opts)
        return MTAREP_EINVAL;
    if (version == 0 || version > MTAREP_CTX_OPTIONS_VERSION)
        return MTAREP_EVERSION;
    *opts = defaults;
    opts->version = version;
    return MTAREP_OK;
}

mtarep_status mtarep_ctx_new(mtarep_ctx **out, const mtarep_ctx_options *opts)
{
    mtarep_ctx *ctx;
    int rc;

    if (!out)
        return MTAREP_EINVAL;
    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > MTAREP_CTX_OPTIONS_VERSION))
        return MTAREP_EVERSION;
    if (opts && (opts->timeout_ms == 0 || opts->timeout_ms > 600000 || opts->retries > 10))
        return MTAREP_EINVAL;
    /* Lazy, counted once for the process: contexts do not pair it. */
    pthread_mutex_lock(&init_lock);
    rc = (init_count == 0) ? MTAREP_ERROR : MTAREP_OK;
    pthread_mutex_unlock(&init_lock);
    if (rc != MTAREP_OK && (rc = mtarep_library_init()) != MTAREP_OK)
        return rc;

    ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return MTAREP_ENOMEM;
    if (opts)
        ctx->opts = *opts;
    else
        mtarep_ctx_options_init(&ctx->opts, MTAREP_CTX_OPTIONS_VERSION);
    if (ctx->opts.max_inflight == 0)
        ctx->opts.max_inflight = 256;
    ctx->prov_retry_after = -1;
    rc = mtarep__dns_engine_new(ctx);
    if (rc != MTAREP_OK) {
        free(ctx);
        return rc;
    }
    *out = ctx;
    return MTAREP_OK;
}

void mtarep_ctx_free(mtarep_ctx *ctx)
{
    if (!ctx)
        return;
    mtarep__dns_engine_free(ctx);
    mtarep__dnsbl_table_free(ctx->dnsbl_defs);
    mtarep__strvec_free(&ctx->secrets);
    free(ctx);
}

const char *mtarep_ctx_errmsg(const mtarep_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

mtarep_status mtarep_ctx_add_nameserver(mtarep_ctx *ctx, const char *addr)
{
    if (!ctx || !addr)
        return mtarep__fail(ctx, MTAREP_EINVAL, "nameserver address is NULL");
    mtarep__clear_error(ctx);
    return mtarep__dns_add_nameserver(ctx, addr);
}

mtarep_status mtarep_ctx_load_resolv_conf(mtarep_ctx *ctx, const char *path)
{
    if (!ctx)
        return MTAREP_EINVAL;
    mtarep__clear_error(ctx);
    return mtarep__dns_load_resolv_conf(ctx, path);
}

mtarep_status mtarep_ctx_add_zone_file(mtarep_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return mtarep__fail(ctx, MTAREP_EINVAL, "zone file path is NULL");
    mtarep__clear_error(ctx);
    return mtarep__dns_add_zone_file(ctx, path);
}

mtarep_status mtarep_ctx_add_zone_text(mtarep_ctx *ctx, const char *text)
{
    if (!ctx || !text)
        return mtarep__fail(ctx, MTAREP_EINVAL, "zone text is NULL");
    mtarep__clear_error(ctx);
    return mtarep__dns_add_zone_text(ctx, text);
}

mtarep_status mtarep_ctx_set_resolver(mtarep_ctx *ctx, const mtarep_resolver_ops *ops,
                                      void *payload)
{
    if (!ctx)
        return MTAREP_EINVAL;
    if (ops && (ops->version == 0 || ops->version > MTAREP_RESOLVER_OPS_VERSION))
        return mtarep__fail(ctx, MTAREP_EVERSION, "resolver ops version %u not supported",
                            ops->version);
    if (ops && (!ops->submit || !ops->poll))
        return mtarep__fail(ctx, MTAREP_EINVAL, "resolver ops need submit and poll");
    mtarep__clear_error(ctx);
    return mtarep__dns_set_resolver(ctx, ops, payload);
}

mtarep_status mtarep_ctx_set_timeout_ms(mtarep_ctx *ctx, unsigned int timeout_ms)
{
    if (!ctx)
        return MTAREP_EINVAL;
    if (timeout_ms == 0 || timeout_ms > 600000)
        return mtarep__fail(ctx, MTAREP_EINVAL, "timeout %u ms out of range 1..600000",
                            timeout_ms);
    mtarep__clear_error(ctx);
    ctx->opts.timeout_ms = timeout_ms;
    return MTAREP_OK;
}

mtarep_status mtarep_ctx_set_retries(mtarep_ctx *ctx, unsigned int retries)
{
    if (!ctx)
        return MTAREP_EINVAL;
    if (retries > 10)
        return mtarep__fail(ctx, MTAREP_EINVAL, "retries %u out of range 0..10", retries);
    mtarep__clear_error(ctx);
    ctx->opts.retries = retries;
    return MTAREP_OK;
}

void mtarep_ctx_set_log_callback(mtarep_ctx *ctx, mtarep_log_cb cb, mtarep_log_level level,
                                 void *payload)
{
    if (!ctx)
        return;
    ctx->opts.log_cb = cb;
    ctx->opts.log_level = level;
    ctx->opts.log_payload = payload;
}

void mtarep_ctx_clear_cache(mtarep_ctx *ctx)
{
    if (ctx)
        mtarep__dns_clear_cache(ctx);
}

char *mtarep__secrets_redact(const mtarep_ctx *ctx, const char *s, int cut)
{
    char *out = mtarep__strdup(s ? s : "");
    size_t n;

    if (!out || !ctx)
        return out;
    for (size_t i = 0; i < ctx->secrets.n; i++) {
        char *r = mtarep__redact(out, ctx->secrets.v[i]);
        free(out);
        if (!(out = r))
            return NULL;
    }
    /* A secret cut in two by truncation leaves its first characters at the
     * end: drop any tail that could be such a start. */
    n = strlen(out);
    for (size_t i = 0; cut && i < ctx->secrets.n; i++) {
        const char *k = ctx->secrets.v[i];
        size_t kl = strlen(k);
        for (size_t m = (kl - 1 < n ? kl - 1 : n); m > 0; m--)
            if (strncasecmp(out + n - m, k, m) == 0) {
                n -= m;
                out[n] = '\0';
                break;
            }
    }
    return out;
}

/* Redact registered secrets in place (buf holds a NUL-terminated line,
 * possibly cut from a longer one). */
static void redact_secrets(const mtarep_ctx *ctx, char *buf, size_t len, int cut)
{
    char *r;
    if (!ctx->secrets.n)
        return;
    if (!(r = mtarep__secrets_redact(ctx, buf, cut))) {
        snprintf(buf, len, "(message withheld: out of memory while redacting)");
        return;
    }
    snprintf(buf, len, "%s", r);
    free(r);
}

int mtarep__fail(mtarep_ctx *ctx, int code, const char *fmt, ...)
{
    if (ctx) {
        /* Redact before cutting to size, so a secret straddling the cut
         * cannot leave its first characters behind. */
        char buf[4096];
        va_list ap;
        int n;
        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        redact_secrets(ctx, buf, sizeof buf, n < 0 || (size_t)n >= sizeof buf);
        n = (int)strnlen(buf, sizeof ctx->errmsg - 1);
        memcpy(ctx->errmsg, buf, (size_t)n);
        ctx->errmsg[n] = '\0';
    }
    return code;
}

size_t mtarep__secrets_mark(const mtarep_ctx *ctx)
{
    return ctx ? ctx->secrets.n : 0;
}

int mtarep__secrets_push(mtarep_ctx *ctx, const char *secret)
{
    if (!ctx || !secret || !*secret)
        return MTAREP_OK;
    return mtarep__strvec_push(&ctx->secrets, secret);
}

void mtarep__secrets_pop(mtarep_ctx *ctx, size_t mark)
{
    if (!ctx)
        return;
    while (ctx->secrets.n > mark)
        free(ctx->secrets.v[--ctx->secrets.n]);
}

void mtarep__clear_error(mtarep_ctx *ctx)
{
    if (ctx)
        ctx->errmsg[0] = '\0';
}

void mtarep__log(mtarep_ctx *ctx, mtarep_log_level level, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;

    if (!ctx || !ctx->opts.log_cb || level > ctx->opts.log_level)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* before the cut, as in mtarep__fail */
    redact_secrets(ctx, buf, sizeof buf, n < 0 || (size_t)n >= sizeof buf);
    buf[1023] = '\0';
    ctx->opts.log_cb(level, buf, ctx->opts.log_payload);
}
