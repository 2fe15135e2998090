/* Shared parsing helpers and mtarep_provider_parse(). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "provider_int.h"

/* jansson's text quotes the body up to the error ("... near '<text>'"):
 * cut there, it may end with a secret's first characters. */
static void redact_near(mtarep_ctx *ctx, char *text, size_t size)
{
    char *q = strstr(text, " near '"), *r;
    size_t n = strlen(text);

    if (!q || q + 7 >= text + n || text[n - 1] != '\'')
        return;
    q += 7;
    text[n - 1] = '\0';
    r = mtarep__secrets_redact(ctx, q, 1);
    snprintf(q, size - (size_t)(q - text), "%s'", r ? r : "");
    free(r);
}

int mtarep__prov_json_object(json_t **out, mtarep_ctx *ctx, const char *what,
                             const char *body, size_t len, long *err_pos)
{
    json_error_t e;
    size_t i = 0;
    json_t *j;

    *out = NULL;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    /* Mailgun's 401 body is plain text: decode only what looks like JSON. */
    if (i == len || body[i] != '{') {
        if (err_pos)
            *err_pos = (long)i;
        return mtarep__fail(ctx, MTAREP_EPARSE, "%s: malformed body at byte %zu: not a JSON object",
                            what, i);
    }
    j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        if (err_pos)
            *err_pos = e.position;
        redact_near(ctx, e.text, sizeof e.text);
        return mtarep__fail(ctx, MTAREP_EPARSE,
                            "%s: malformed JSON at byte %d (line %d, column %d): %s", what,
                            e.position, e.line, e.column, e.text);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        if (err_pos)
            *err_pos = (long)i;
        return mtarep__fail(ctx, MTAREP_EPARSE, "%s: malformed body at byte %zu: not a JSON object",
                            what, i);
    }
    *out = j;
    return MTAREP_OK;
}

int64_t mtarep__prov_count(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return d >= 0 && d < 9.2e18 && floor(d) == d ? (int64_t)d : -1;
    }
    if (json_is_string(v)) { /* int64 as a JSON string (Google) */
        const char *s = json_string_value(v);
        char *end;
        long long n;
        if (!isdigit((unsigned char)s[0]))
            return -1;
        errno = 0;
        n = strtoll(s, &end, 10);
        return errno || *end || n < 0 ? -1 : (int64_t)n;
    }
    return -1;
}

double mtarep__prov_ratio(const json_t *v)
{
    double d = -1;
    if (json_is_number(v)) {
        d = json_number_value(v);
    } else if (json_is_string(v)) { /* Mailgun rates: "0.0095" */
        const char *s = json_string_value(v);
        char *end;
        if (!isdigit((unsigned char)s[0]) && s[0] != '.')
            return -1;
        d = strtod(s, &end);
        if (*end)
            return -1;
    }
    return isfinite(d) && d >= 0 ? d : -1;
}

int mtarep__prov_rfc2822_iso(const char *s, char *buf, size_t len)
{
    /* libcurl's date parser takes RFC 2822 with its US zones, numeric
     * offsets and Mailgun's non-RFC "UTC". */
    time_t t = curl_getdate(s, NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return -1;
    return 0;
}

mtarep_status mtarep_provider_parse(mtarep_provider_result **out, mtarep_ctx *ctx,
                                    mtarep_provider_format format, const char *body, size_t len,
                                    long *err_pos)
{
    static const char *const src[] = {NULL,   "mailgun", "mailgun",   "snds",
                                      "snds", "postmaster", "postmaster"};
    mtarep_provider_result *r;
    int rc;

    if (err_pos)
        *err_pos = -1;
    if (!out)
        return mtarep__fail(ctx, MTAREP_EINVAL, "provider parse: NULL out");
    *out = NULL;
    if (!body && len)
        return mtarep__fail(ctx, MTAREP_EINVAL, "provider parse: NULL body");
    if (format < MTAREP_PROVIDER_MAILGUN_STATS || format > MTAREP_PROVIDER_POSTMASTER_V2)
        return mtarep__fail(ctx, MTAREP_EINVAL, "provider parse: unknown format %d", (int)format);
    mtarep__clear_error(ctx);
    if (!body)
        body = "";
    if (!(r = mtarep__prov_result_new(src[format], NULL)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    switch (format) {
    case MTAREP_PROVIDER_MAILGUN_STATS:
        rc = mtarep__prov_parse_mailgun_stats(r, ctx, body, len, err_pos);
        break;
    case MTAREP_PROVIDER_MAILGUN_METRICS:
        rc = mtarep__prov_parse_mailgun_metrics(r, ctx, body, len, err_pos, NULL, NULL);
        break;
    case MTAREP_PROVIDER_SNDS_DATA:
        rc = mtarep__prov_parse_snds_data(r, ctx, body, len, err_pos);
        break;
    case MTAREP_PROVIDER_SNDS_IPSTATUS:
        rc = mtarep__prov_parse_snds_ipstatus(r, ctx, body, len, err_pos);
        break;
    case MTAREP_PROVIDER_POSTMASTER_TRAFFIC:
        rc = mtarep__prov_parse_postmaster(r, ctx, body, len, err_pos, NULL);
        break;
    default:
        rc = mtarep__prov_parse_postmaster_v2(r, ctx, body, len, err_pos, NULL);
        break;
    }
    if (rc == MTAREP_OK && (rc = mtarep__prov_finish(r, ctx)) != MTAREP_OK)
        rc = mtarep__fail(ctx, rc, "out of memory");
    if (rc != MTAREP_OK) {
        mtarep_provider_result_free(r);
        return rc;
    }
    *out = r;
    return MTAREP_OK;
}
