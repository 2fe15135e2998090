/* Static-zone resolver: RFC 1035 zone text read by ldns, answered from a
 * hash of owner names (lower-cased wire form). Every ancestor of an owner is
 * present too (as an empty non-terminal if it has no records), so "does the
 * name exist" and the RFC 4592 closest encloser are plain look-ups. */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns_int.h"

typedef struct zone_node {
    struct zone_node *next;
    uint32_t hash;
    ldns_rr_list *rrs; /* NULL: empty non-terminal */
    size_t keylen;
    uint8_t key[];
} zone_node;

struct dns_zone_db {
    zone_node **b;
    size_t nb, n;
};

static uint32_t hash_key(const uint8_t *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

/* Length bytes are <= 63, below 'A', so lower-casing every byte is safe. */
static void canon(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (uint8_t)(src[i] + 32) : src[i];
}

static zone_node *find(const struct dns_zone_db *db, const uint8_t *k, size_t n)
{
    uint32_t h;
    zone_node *z;

    if (!db->nb)
        return NULL;
    h = hash_key(k, n);
    for (z = db->b[h & (db->nb - 1)]; z; z = z->next)
        if (z->hash == h && z->keylen == n && memcmp(z->key, k, n) == 0)
            return z;
    return NULL;
}

static int grow(struct dns_zone_db *db)
{
    size_t nb = db->nb ? db->nb * 2 : 64;
    zone_node **b = calloc(nb, sizeof *b);

    if (!b)
        return MTAREP_ENOMEM;
    for (size_t i = 0; i < db->nb; i++) {
        zone_node *z = db->b[i], *nx;
        for (; z; z = nx) {
            nx = z->next;
            z->next = b[z->hash & (nb - 1)];
            b[z->hash & (nb - 1)] = z;
        }
    }
    free(db->b);
    db->b = b;
    db->nb = nb;
    return MTAREP_OK;
}

static zone_node *get_or_add(struct dns_zone_db *db, const uint8_t *k, size_t n)
{
    zone_node *z = find(db, k, n);

    if (z)
        return z;
    if (db->n >= db->nb && grow(db) != MTAREP_OK)
        return NULL;
    z = calloc(1, sizeof *z + n);
    if (!z)
        return NULL;
    z->hash = hash_key(k, n);
    z->keylen = n;
    memcpy(z->key, k, n);
    z->next = db->b[z->hash & (db->nb - 1)];
    db->b[z->hash & (db->nb - 1)] = z;
    db->n++;
    return z;
}

/* Takes rr (frees it on failure or when it is a duplicate). */
static int insert_rr(struct dns_zone_db *db, ldns_rr *rr)
{
    const ldns_rdf *own = ldns_rr_owner(rr);
    uint8_t key[LDNS_MAX_DOMAINLEN + 1];
    size_t n = ldns_rdf_size(own), off;
    zone_node *z;

    if (n == 0 || n > sizeof key || ldns_rdf_data(own)[n - 1] != 0) {
        ldns_rr_free(rr);
        return MTAREP_EPARSE;
    }
    canon(key, ldns_rdf_data(own), n);
    z = get_or_add(db, key, n);
    if (!z || (!z->rrs && !(z->rrs = ldns_rr_list_new()))) {
        ldns_rr_free(rr);
        return MTAREP_ENOMEM;
    }
    for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
        if (ldns_rr_compare(ldns_rr_list_rr(z->rrs, i), rr) == 0) {
            ldns_rr_free(rr); /* the same record loaded twice */
            return MTAREP_OK;
        }
    }
    if (!ldns_rr_list_push_rr(z->rrs, rr)) {
        ldns_rr_free(rr);
        return MTAREP_ENOMEM;
    }
    /* Ancestors up to the root; stop at the first one already present
     * (its own ancestors were added with it). */
    for (off = 0; key[off] != 0;) {
        off += 1u + key[off];
        if (find(db, key + off, n - off))
            break;
        if (!get_or_add(db, key + off, n - off))
            return MTAREP_ENOMEM;
    }
    return MTAREP_OK;
}

void mtarep__dns_zone_free(struct dns_zone_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->nb; i++) {
        zone_node *z = db->b[i], *nx;
        for (; z; z = nx) {
            nx = z->next;
            ldns_rr_list_deep_free(z->rrs);
            free(z);
        }
    }
    free(db->b);
    free(db);
}

int mtarep__dns_zone_load(mtarep_ctx *ctx, FILE *fp, const char *what)
{
    struct mtarep_dns_engine *e = ctx->dns;
    ldns_rdf *origin = ldns_dname_new_frm_str("."), *prev = NULL;
    ldns_rr_list *tmp = ldns_rr_list_new();
    uint32_t ttl = 3600;
    int line = 1, rc = MTAREP_OK, read_errno = 0;

    if (!origin || !tmp) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto out;
    }
    /* Parse everything first: a file with an error adds nothing. A read
     * error (e.g. a directory: EISDIR) never sets EOF: it ends the load. */
    while (!feof(fp)) {
        ldns_rr *rr = NULL;
        int at = line;
        ldns_status st;
        errno = 0;
        st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
        if (ferror(fp)) {
            ldns_rr_free(rr);
            read_errno = errno;
            break;
        }
        if (st == LDNS_STATUS_OK) {
            if (!ldns_rr_list_push_rr(tmp, rr)) {
                ldns_rr_free(rr);
                rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
                goto out;
            }
            continue;
        }
        if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
            st == LDNS_STATUS_SYNTAX_ORIGIN)
            continue;
        line = at; /* ldns has read past the record's line by now */
        if (st == LDNS_STATUS_SYNTAX_INCLUDE)
            rc = mtarep__fail(ctx, MTAREP_EPARSE, "%s line %d: $INCLUDE is not supported",
                              what, line);
        else
            rc = mtarep__fail(ctx, MTAREP_EPARSE, "%s line %d: %s", what, line,
                              ldns_get_errorstr_by_id(st));
        goto out;
    }
    if (ferror(fp)) {
        rc = mtarep__fail(ctx, MTAREP_EIO, "cannot read %s: %s", what,
                          read_errno ? strerror(read_errno) : "read error");
        goto out;
    }
    if (!e->zones && !(e->zones = calloc(1, sizeof *e->zones))) {
        rc = mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
        goto out;
    }
    /* In file order (answers keep it); insert_rr owns each record. */
    for (size_t i = 0; i < ldns_rr_list_rr_count(tmp); i++) {
        int r = insert_rr(e->zones, ldns_rr_list_set_rr(tmp, NULL, i));
        if (r != MTAREP_OK) {
            rc = mtarep__fail(ctx, r, "%s: cannot store a record (%s)", what,
                              mtarep_strerror(r));
            goto out;
        }
    }
    mtarep__log(ctx, MTAREP_LOG_DEBUG, "dns: loaded %s (%zu names in memory)", what,
                e->zones->n);
out:
    ldns_rr_list_deep_free(tmp);
    ldns_rdf_deep_free(origin);
    ldns_rdf_deep_free(prev);
    return rc;
}

static int push_clone(ldns_rr_list *out, const ldns_rr *rr, const uint8_t *owner, size_t olen)
{
    ldns_rr *c = ldns_rr_clone(rr);

    if (!c)
        return MTAREP_ENOMEM;
    if (owner) { /* wildcard synthesis: the owner becomes the name asked */
        ldns_rdf *o = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, olen, owner);
        if (!o) {
            ldns_rr_free(c);
            return MTAREP_ENOMEM;
        }
        ldns_rdf_deep_free(ldns_rr_owner(c));
        ldns_rr_set_owner(c, o);
    }
    if (!ldns_rr_list_push_rr(out, c)) {
        ldns_rr_free(c);
        return MTAREP_ENOMEM;
    }
    return MTAREP_OK;
}

int mtarep__dns_zone_answer(mtarep_ctx *ctx, const struct dns_zone_db *db, const char *name,
                            ldns_rr_type type, ldns_rr_list **rrs_out, int *rcode_out)
{
    uint8_t cur[LDNS_MAX_DOMAINLEN + 1], wild[LDNS_MAX_DOMAINLEN + 3];
    size_t n;
    ldns_rdf *dn = ldns_dname_new_frm_str(name);
    ldns_rr_list *out = ldns_rr_list_new();

    *rrs_out = NULL;
    if (!dn || !out || ldns_rdf_size(dn) > sizeof cur) {
        ldns_rdf_deep_free(dn);
        ldns_rr_list_free(out);
        return dn && out ? MTAREP_EINVAL : MTAREP_ENOMEM;
    }
    n = ldns_rdf_size(dn);
    canon(cur, ldns_rdf_data(dn), n);
    ldns_rdf_deep_free(dn);
    *rcode_out = LDNS_RCODE_NOERROR;

    for (int hop = 0;; hop++) {
        const zone_node *z = find(db, cur, n);
        const ldns_rr *cname = NULL;
        int synth = 0, found = 0;

        if (hop > DNS_CNAME_HOPS) {
            mtarep__log(ctx, MTAREP_LOG_DEBUG, "dns: CNAME loop or chain too long at %s",
                        name);
            break; /* NODATA, as a server answering the chain would give */
        }
        if (!z) {
            /* Closest encloser, then its wildcard child (RFC 4592). */
            size_t off = 0;
            while (cur[off] != 0) {
                off += 1u + cur[off];
                if (find(db, cur + off, n - off))
                    break;
            }
            if (find(db, cur + off, n - off) && n - off + 2 <= sizeof wild) {
                wild[0] = 1;
                wild[1] = '*';
                memcpy(wild + 2, cur + off, n - off);
                z = find(db, wild, n - off + 2);
            }
            if (!z) {
                *rcode_out = LDNS_RCODE_NXDOMAIN;
                break;
            }
            synth = 1;
        }
        for (size_t i = 0; z->rrs && i < ldns_rr_list_rr_count(z->rrs); i++) {
            const ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
            ldns_rr_type t = ldns_rr_get_type(rr);
            if (t == type || type == LDNS_RR_TYPE_ANY) {
                if (push_clone(out, rr, synth ? cur : NULL, n) != MTAREP_OK) {
                    ldns_rr_list_deep_free(out);
                    return MTAREP_ENOMEM;
                }
                found = 1;
            } else if (t == LDNS_RR_TYPE_CNAME && !cname && ldns_rr_rd_count(rr) == 1) {
                cname = rr;
            }
        }
        if (found || !cname || type == LDNS_RR_TYPE_CNAME)
            break;
        {
            const ldns_rdf *t = ldns_rr_rdf(cname, 0);
            n = ldns_rdf_size(t);
            if (n == 0 || n > sizeof cur)
                break;
            canon(cur, ldns_rdf_data(t), n);
        }
    }
    *rrs_out = out;
    return MTAREP_OK;
}
