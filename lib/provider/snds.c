/* Microsoft SNDS: data.aspx (14 columns, no header, CRLF) and ipStatus.aspx
 * (4 columns). The splitter understands double quotes although none were
 * seen. Filter results map GREEN -> high, YELLOW -> low, RED -> bad. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "provider_int.h"

#define SNDS_MAX_FIELDS 32

struct field {
    char *s;     /* unquoted copy */
    size_t off;  /* byte offset in the body */
};

struct row {
    struct field f[SNDS_MAX_FIELDS];
    size_t n;
};

static void row_clear(struct row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i].s);
    r->n = 0;
}

/* Split the line [b, e) at offset base into fields. 0, ENOMEM, or EPARSE
 * with *bad = offset. */
static int split(const char *body, size_t b, size_t e, struct row *r, size_t *bad)
{
    size_t i = b;
    r->n = 0;
    for (;;) {
        size_t cap = e - i + 1, k = 0;
        char *s;
        if (r->n == SNDS_MAX_FIELDS) {
            *bad = i;
            return MTAREP_EPARSE;
        }
        if (!(s = malloc(cap)))
            return MTAREP_ENOMEM;
        r->f[r->n].s = s;
        r->f[r->n].off = i;
        r->n++;
        if (i < e && body[i] == '"') {
            i++;
            for (;;) {
                if (i >= e) {
                    *bad = i;
                    return MTAREP_EPARSE; /* unterminated quote */
                }
                if (body[i] == '"') {
                    if (i + 1 < e && body[i + 1] == '"') {
                        s[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                s[k++] = body[i++];
            }
            if (i < e && body[i] != ',') {
                *bad = i;
                return MTAREP_EPARSE;
            }
        } else {
            while (i < e && body[i] != ',')
                s[k++] = body[i++];
        }
        s[k] = '\0';
        if (i >= e)
            return MTAREP_OK;
        i++; /* the comma */
    }
}

/* Strip surrounding blanks in place. */
static char *trim(char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Non-negative integer; empty -> -1 (no data); else -2 (malformed). */
static int64_t parse_count(const char *s)
{
    char *end;
    long long v;
    if (!*s)
        return -1;
    if (!isdigit((unsigned char)*s))
        return -2;
    errno = 0;
    v = strtoll(s, &end, 10);
    return errno || *end ? -2 : (int64_t)v;
}

/* "< 0.1%", "0.3%", "12 %", "" -> fraction, upper-bound flag. Returns 0,
 * 1 for empty (no data), -1 when malformed. */
static int parse_percent(const char *s, double *out, int *upper)
{
    char *end;
    double v;
    *upper = 0;
    if (!*s)
        return 1;
    if (*s == '<') {
        *upper = 1;
        s++;
        while (*s == ' ')
            s++;
    }
    if (!isdigit((unsigned char)*s) && *s != '.')
        return -1;
    v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end != '%' || end[1] != '\0' || !(v >= 0 && v <= 100))
        return -1;
    *out = v / 100.0;
    return 0;
}

/* "9/1/2025 2:13 PM" -> "2025-09-01T14:13:00" (no zone: SNDS does not say
 * which). Returns 0 or -1. */
static int snds_time(const char *s, char *buf, size_t len)
{
    int mo, d, y, h, mi, n = 0;
    char ap[3];
    if (sscanf(s, "%d/%d/%d %d:%d %2s%n", &mo, &d, &y, &h, &mi, ap, &n) != 6 || s[n])
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 9999 || h < 1 || h > 12 ||
        mi < 0 || mi > 59)
        return -1;
    if (strcasecmp(ap, "AM") == 0)
        h = h == 12 ? 0 : h;
    else if (strcasecmp(ap, "PM") == 0)
        h = h == 12 ? 12 : h + 12;
    else
        return -1;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:00", y, mo, d, h, mi);
    return 0;
}

static mtarep_reputation filter_rep(const char *s)
{
    if (strcasecmp(s, "GREEN") == 0)
        return MTAREP_REP_HIGH;
    if (strcasecmp(s, "YELLOW") == 0)
        return MTAREP_REP_LOW;
    if (strcasecmp(s, "RED") == 0)
        return MTAREP_REP_BAD;
    return MTAREP_REP_UNKNOWN;
}

typedef int (*row_fn)(mtarep_provider_result *r, mtarep_ctx *ctx, struct row *row,
                      size_t line, long *err_pos);

/* Walk the lines of body (LF or CRLF; blank lines skipped). */
static int each_row(mtarep_provider_result *r, mtarep_ctx *ctx, const char *what,
                    const char *body, size_t len, long *err_pos, row_fn fn)
{
    struct row row;
    size_t b = 0, line = 0;
    int rc = MTAREP_OK;

    row.n = 0;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
        b = 3; /* a UTF-8 byte order mark */
    while (b < len && rc == MTAREP_OK) {
        const char *nl = memchr(body + b, '\n', len - b);
        size_t e = nl ? (size_t)(nl - body) : len, next = nl ? e + 1 : len, bad = b;
        line++;
        if (e > b && body[e - 1] == '\r')
            e--;
        if (memchr(body + b, '\0', e - b)) {
            if (err_pos)
                *err_pos = (long)((const char *)memchr(body + b, '\0', e - b) - body);
            return mtarep__fail(ctx, MTAREP_EPARSE, "%s: NUL octet on line %zu", what, line);
        }
        if (e > b) {
            rc = split(body, b, e, &row, &bad);
            if (rc == MTAREP_EPARSE) {
                if (err_pos)
                    *err_pos = (long)bad;
                rc = mtarep__fail(ctx, rc, "%s: malformed CSV at byte %zu (line %zu)", what, bad,
                                  line);
            } else if (rc == MTAREP_ENOMEM) {
                rc = mtarep__fail(ctx, rc, "out of memory");
            } else {
                rc = fn(r, ctx, &row, line, err_pos);
            }
            row_clear(&row);
        }
        b = next;
    }
    return rc;
}

static int bad_field(mtarep_ctx *ctx, const char *what, const struct field *f, size_t line,
                     const char *why, long *err_pos)
{
    if (err_pos)
        *err_pos = (long)f->off;
    return mtarep__fail(ctx, MTAREP_EPARSE, "%s: malformed CSV at byte %zu (line %zu): %s", what,
                        f->off, line, why);
}

static int data_row(mtarep_provider_result *r, mtarep_ctx *ctx, struct row *row, size_t line,
                    long *err_pos)
{
    static const char *const names[14] = {
        "ip", "activity_start", "activity_end", "rcpt_commands", "data_commands",
        "message_recipients", "filter_result", "complaint_rate", "trap_start", "trap_end",
        "trap_hits", "sample_helo", "jmr_p1_sender", "comments"};
    static const char what[] = "snds data";
    struct mtarep_provider_period *p;
    char *v[14], iso[32];
    int64_t counts[14];
    mtarep_ip ip;
    json_t *raw;
    double cr = -1;
    int up = 0, pr;

    for (size_t i = 0; i < 14; i++)
        v[i] = i < row->n ? trim(row->f[i].s) : "";
    if (mtarep__ip_parse(&ip, v[0]) != 0) /* also an HTML error page */
        return bad_field(ctx, what, &row->f[0], line, "first field is not an IP address",
                         err_pos);
    if (row->n < 11) /* a third-party parser documents 13-field lines */
        return bad_field(ctx, what, &row->f[0], line, "fewer than 11 fields", err_pos);
    for (size_t i = 3; i <= 10; i += (i == 5 ? 5 : 1)) {
        counts[i] = parse_count(v[i]);
        if (counts[i] == -2)
            return bad_field(ctx, what, &row->f[i], line, "not a count", err_pos);
    }
    pr = parse_percent(v[7], &cr, &up);
    if (pr < 0)
        return bad_field(ctx, what, &row->f[7], line, "complaint rate is not a percentage",
                         err_pos);
    if (!(p = mtarep__prov_period_add(r)) || !(raw = json_object()))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    p->raw = raw;
    for (size_t i = 0; i < 14; i++) {
        json_t *x;
        if (i == 3 || i == 4 || i == 5 || i == 10)
            x = counts[i] >= 0 ? json_integer(counts[i]) : json_null();
        else
            x = json_stringn(v[i], strlen(v[i])); /* NULL for invalid UTF-8 */
        if (!x)
            x = json_null();
        if (json_object_set_new(raw, names[i], x) < 0)
            return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    if (json_object_set_new(raw, "time_zone_known", json_false()) < 0)
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    if (!(p->subject = mtarep__strdup(v[0])))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    if (*v[1] && !(p->start = mtarep__strdup(snds_time(v[1], iso, sizeof iso) ? v[1] : iso)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    if (*v[2] && !(p->end = mtarep__strdup(snds_time(v[2], iso, sizeof iso) ? v[2] : iso)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    p->volume = counts[5];
    p->complaint_rate = pr == 0 ? cr : -1;
    p->upper_bound = pr == 0 && up;
    p->rep = filter_rep(v[6]);
    return MTAREP_OK;
}

static int ipstatus_row(mtarep_provider_result *r, mtarep_ctx *ctx, struct row *row,
                        size_t line, long *err_pos)
{
    static const char what[] = "snds ipStatus";
    mtarep_ip a, b;
    char reason[1024], *first, *last;
    size_t k = 0;

    if (row->n < 3)
        return bad_field(ctx, what, &row->f[0], line, "fewer than 3 fields", err_pos);
    if (mtarep__ip_parse(&a, first = trim(row->f[0].s)) != 0)
        return bad_field(ctx, what, &row->f[0], line, "first address is not an IP", err_pos);
    if (mtarep__ip_parse(&b, last = trim(row->f[1].s)) != 0)
        return bad_field(ctx, what, &row->f[1], line, "last address is not an IP", err_pos);
    if (strcasecmp(trim(row->f[2].s), "Yes") != 0)
        return MTAREP_OK; /* only "Yes" has been seen; anything else is not a block */
    /* An unquoted reason with commas spans the remaining fields. */
    reason[0] = '\0';
    for (size_t i = 3; i < row->n; i++) {
        int w = snprintf(reason + k, sizeof reason - k, "%s%s", i > 3 ? "," : "", row->f[i].s);
        if (w < 0 || (size_t)w >= sizeof reason - k)
            break;
        k += (size_t)w;
    }
    if (mtarep__prov_blocked_add(r, first, last, trim(reason)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    return MTAREP_OK;
}

int mtarep__prov_parse_snds_data(mtarep_provider_result *r, mtarep_ctx *ctx,
                                 const char *body, size_t len, long *err_pos)
{
    return each_row(r, ctx, "snds data", body, len, err_pos, data_row);
}

int mtarep__prov_parse_snds_ipstatus(mtarep_provider_result *r, mtarep_ctx *ctx,
                                     const char *body, size_t len, long *err_pos)
{
    return each_row(r, ctx, "snds ipStatus", body, len, err_pos, ipstatus_row);
}

/* Two GETs: data.aspx, then ipStatus.aspx. */
static int snds_step(struct mtarep__prov_job *j, const struct mtarep__http_resp *rs)
{
    mtarep_ctx *ctx = j->ctx;
    int rc;

    if (!rs) {
        snprintf(j->url, j->urlcap, "%s/data.aspx?key=%s%s%s", j->base, j->ekey,
                 j->o.snds_date ? "&date=" : "", j->o.snds_date ? j->o.snds_date : "");
        return MTAREP_OK;
    }
    if ((rc = mtarep__http_status_error(ctx, "snds", rs, "bad key")))
        return rc;
    if (j->phase == 0) {
        if ((rc = mtarep__prov_parse_snds_data(j->r, ctx, rs->body, rs->len, NULL)))
            return rc;
        j->phase = 1;
        snprintf(j->url, j->urlcap, "%s/ipStatus.aspx?key=%s", j->base, j->ekey);
        return MTAREP_OK;
    }
    if ((rc = mtarep__prov_parse_snds_ipstatus(j->r, ctx, rs->body, rs->len, NULL)))
        return rc;
    j->done = 1;
    return MTAREP_OK;
}

/* MMDDYY: month 01..12, day 01..31 (SNDS answers a wrong day with an
 * empty body, which would read as "no data"). */
static int snds_date_ok(const char *d)
{
    int mm = (d[0] - '0') * 10 + (d[1] - '0'), dd = (d[2] - '0') * 10 + (d[3] - '0');
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

int mtarep__prov_snds_job(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *key,
                          const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j;
    int rc;

    *out = NULL;
    if ((rc = mtarep__prov_job_new(&j, ctx, "snds", opts)))
        return rc;
    if (j->o.snds_date &&
        (strlen(j->o.snds_date) != 6 || strspn(j->o.snds_date, "0123456789") != 6 ||
         !snds_date_ok(j->o.snds_date))) {
        rc = mtarep__fail(ctx, MTAREP_EINVAL, "snds: date '%s' is not MMDDYY (month 01-12, day 01-31)", j->o.snds_date);
        goto fail;
    }
    j->base = j->o.base_url ? j->o.base_url
                            : "https://sendersupport.olc.protection.outlook.com/snds";
    if ((rc = mtarep__http_check_base(ctx, "snds", j->base)))
        goto fail;
    j->urlcap = strlen(j->base) + 3 * strlen(key) + 64;
    if (!(j->ekey = mtarep__http_escape(key)) || !(j->url = malloc(j->urlcap)) ||
        !(j->r = mtarep__prov_result_new("snds", NULL))) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto fail;
    }
    j->key = key;
    j->step = snds_step;
    j->rq.method = "GET";
    j->rq.url = j->url;
    *out = j;
    return MTAREP_OK;
fail:
    mtarep__prov_job_free(j);
    return rc;
}

mtarep_status mtarep_provider_snds(mtarep_provider_result **out, mtarep_ctx *ctx,
                                   const char *key, const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j = NULL;
    size_t mark = 0;
    int rc = mtarep__prov_blocking_begin(out, ctx, "snds", key, "key", &mark);

    if (rc != MTAREP_OK)
        return rc;
    rc = mtarep__prov_snds_job(&j, ctx, key, opts);
    return mtarep__prov_blocking_end(out, ctx, j, rc, mark);
}
