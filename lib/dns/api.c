/* Public dns.h: one blocking question through the context's engine. */
#include <stdlib.h>
#include <string.h>

#include "dns_int.h"

struct mtarep_dns_result {
    int rcode;
    size_t n;
    char **rec;
    unsigned int *ttl;
};

struct lookup_state {
    int fired;
    int status;
    mtarep_dns_result *res;
    char errmsg[512];
};

/* Presentation RDATA: each rdf as ldns prints it, joined by spaces. */
static char *rr_rdata_text(const ldns_rr *rr)
{
    size_t len = 0, cap = 64;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
        char *s = ldns_rdf2str(ldns_rr_rdf(rr, i));
        size_t sl;
        if (!s) {
            free(out);
            return NULL;
        }
        sl = strlen(s);
        if (len + sl + 2 > cap) {
            char *n;
            while (len + sl + 2 > cap)
                cap *= 2;
            n = realloc(out, cap);
            if (!n) {
                free(s);
                free(out);
                return NULL;
            }
            out = n;
        }
        if (i > 0)
            out[len++] = ' ';
        memcpy(out + len, s, sl + 1);
        len += sl;
        free(s);
    }
    return out;
}

void mtarep_dns_result_free(mtarep_dns_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        free(res->rec[i]);
    free(res->rec);
    free(res->ttl);
    free(res);
}

static void lookup_cb(const mtarep_dns_answer *a, void *arg)
{
    struct lookup_state *st = arg;
    mtarep_dns_result *r;
    size_t n;

    st->fired = 1;
    st->status = a->status;
    if (a->status != MTAREP_OK) {
        snprintf(st->errmsg, sizeof st->errmsg, "%s", a->errmsg ? a->errmsg : "");
        return;
    }
    n = ldns_rr_list_rr_count(a->rrs);
    r = calloc(1, sizeof *r);
    if (!r || (n && (!(r->rec = calloc(n, sizeof *r->rec)) ||
                     !(r->ttl = calloc(n, sizeof *r->ttl))))) {
        mtarep_dns_result_free(r);
        st->status = MTAREP_ENOMEM;
        snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
        return;
    }
    r->rcode = a->rcode;
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(a->rrs, i);
        if (!(r->rec[i] = rr_rdata_text(rr))) {
            mtarep_dns_result_free(r);
            st->status = MTAREP_ENOMEM;
            snprintf(st->errmsg, sizeof st->errmsg, "out of memory");
            return;
        }
        r->ttl[i] = ldns_rr_ttl(rr);
        r->n = i + 1;
    }
    st->res = r;
}

mtarep_status mtarep_dns_lookup(mtarep_dns_result **out, mtarep_ctx *ctx, const char *name,
                                const char *type)
{
    struct lookup_state st;
    ldns_rr_type t;
    int rc;

    if (out)
        *out = NULL;
    if (!out || !ctx || !name || !type)
        return mtarep__fail(ctx, MTAREP_EINVAL, "mtarep_dns_lookup: NULL argument");
    mtarep__clear_error(ctx);
    t = ldns_get_rr_type_by_name(type);
    if (t == 0)
        return mtarep__fail(ctx, MTAREP_EINVAL, "unknown DNS record type '%.40s'", type);
    memset(&st, 0, sizeof st);
    rc = mtarep__dns_submit(ctx, name, t, lookup_cb, &st);
    if (rc != MTAREP_OK)
        return rc;
    rc = mtarep__dns_run(ctx);
    if (!st.fired)
        return mtarep__fail(ctx, rc ? rc : MTAREP_ERROR, "DNS engine ended without an answer");
    if (st.status != MTAREP_OK)
        return mtarep__fail(ctx, st.status, "%s/%s: %s", name, type, st.errmsg);
    *out = st.res;
    return MTAREP_OK;
}

int mtarep_dns_result_rcode(const mtarep_dns_result *res)
{
    return res ? res->rcode : -1;
}

size_t mtarep_dns_result_count(const mtarep_dns_result *res)
{
    return res ? res->n : 0;
}

const char *mtarep_dns_result_record(const mtarep_dns_result *res, size_t i)
{
    return res && i < res->n ? res->rec[i] : NULL;
}

unsigned int mtarep_dns_result_ttl(const mtarep_dns_result *res, size_t i)
{
    return res && i < res->n ? res->ttl[i] : 0;
}

int mtarep__dns_rrs_match_ip(const ldns_rr_list *rrs, const mtarep_ip *ip, int cidr4, int cidr6)
{
    ldns_rr_type want = ip->family == 4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
    size_t n = ip->family == 4 ? 4 : 16;

    for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
        const ldns_rdf *rd;
        if (ldns_rr_get_type(rr) != want || ldns_rr_rd_count(rr) < 1)
            continue;
        rd = ldns_rr_rdf(rr, 0);
        if (ldns_rdf_size(rd) == n &&
            mtarep__ip_prefix_match(ldns_rdf_data(rd), ip->bytes, ip->family == 4 ? cidr4 : cidr6))
            return 1;
    }
    return 0;
}
