/* RFC 7208 test-suite loader (libyaml) and an in-memory resolver serving a
 * scenario's zonedata by the rules of docs SPF-SUITE.md §3 (pyspf's
 * harness), as wire packets built with ldns. Header-only: shared by the
 * unit harness and the Knot-backed integration run. */
#ifndef MTAREP_TEST_SPF_SUITE_H
#define MTAREP_TEST_SPF_SUITE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <yaml.h>

#include <mtarep.h>

typedef struct sz_item {
    int timeout;     /* bare TIMEOUT marker */
    int none;        /* TXT: NONE */
    ldns_rr_type type;
    char **strs;     /* value(s): TXT/SPF character-strings, else one string */
    size_t *lens;
    size_t ns;
    long pref;       /* MX preference */
} sz_item;

typedef struct sz_name {
    char *name;
    sz_item *items;
    size_t n;
} sz_name;

typedef struct sz_test {
    char *name, *host, *mailfrom, *helo, *explanation;
    char *results[8];
    size_t nres;
} sz_test;

typedef struct sz_scenario {
    char *desc;
    sz_test *tests;
    size_t nt;
    sz_name *names;
    size_t nn;
} sz_scenario;

typedef struct sz_suite {
    sz_scenario *sc;
    size_t n;
} sz_suite;

/* UTF-8 -> Latin-1 when every code point fits (SPF-SUITE §3 rule 7); else
 * a plain copy. */
static char *sz_latin1(const char *s, size_t n, size_t *outlen)
{
    char *o = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            o[k++] = (char)c;
        } else if ((c & 0xe0) == 0xc0 && i + 1 < n && c <= 0xc3) {
            o[k++] = (char)(((c & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f));
            i++;
        } else {
            memcpy(o, s, n);
            k = n;
            break;
        }
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

static const char *sz_scalar(yaml_document_t *d, yaml_node_t *n)
{
    (void)d;
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *sz_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = sz_scalar(d, yaml_document_get_node(d, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static char *sz_dup(const char *s) { return s ? strdup(s) : NULL; }

static void sz_add_str(sz_item *it, yaml_node_t *n)
{
    size_t l;
    char *s = sz_latin1((const char *)n->data.scalar.value, n->data.scalar.length, &l);
    it->strs = realloc(it->strs, (it->ns + 1) * sizeof *it->strs);
    it->lens = realloc(it->lens, (it->ns + 1) * sizeof *it->lens);
    it->strs[it->ns] = s;
    it->lens[it->ns++] = l;
}

static int sz_load_item(yaml_document_t *d, yaml_node_t *v, sz_item *it)
{
    memset(it, 0, sizeof *it);
    if (v->type == YAML_SCALAR_NODE) {
        if (strcmp((const char *)v->data.scalar.value, "TIMEOUT") != 0)
            return -1;
        it->timeout = 1;
        return 0;
    }
    if (v->type != YAML_MAPPING_NODE || v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1)
        return -1;
    {
        yaml_node_pair_t *p = v->data.mapping.pairs.start;
        const char *type = sz_scalar(d, yaml_document_get_node(d, p->key));
        yaml_node_t *val = yaml_document_get_node(d, p->value);
        if (!type)
            return -1;
        it->type = ldns_get_rr_type_by_name(type);
        if (it->type == 0)
            return -1;
        if (it->type == LDNS_RR_TYPE_MX) {
            yaml_node_t *a, *b;
            if (val->type != YAML_SEQUENCE_NODE || val->data.sequence.items.top -
                                                           val->data.sequence.items.start != 2)
                return -1;
            a = yaml_document_get_node(d, val->data.sequence.items.start[0]);
            b = yaml_document_get_node(d, val->data.sequence.items.start[1]);
            it->pref = strtol(sz_scalar(d, a), NULL, 10);
            sz_add_str(it, b);
            return 0;
        }
        if (val->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *q = val->data.sequence.items.start;
                 q < val->data.sequence.items.top; q++)
                sz_add_str(it, yaml_document_get_node(d, *q));
            return 0;
        }
        if (val->type != YAML_SCALAR_NODE)
            return -1;
        if (it->type == LDNS_RR_TYPE_TXT && strcmp((const char *)val->data.scalar.value, "NONE") == 0)
            it->none = 1;
        else
            sz_add_str(it, val);
        return 0;
    }
}

/* Load the whole suite; NULL with a message on stderr on failure. */
static sz_suite *sz_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t parser;
    sz_suite *s;

    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    for (;;) {
        yaml_document_t doc;
        yaml_node_t *root, *tests, *zone;
        sz_scenario *sc;
        if (!yaml_parser_load(&parser, &doc)) {
            fprintf(stderr, "YAML error: %s at line %zu\n", parser.problem,
                    parser.problem_mark.line + 1);
            free(s);
            s = NULL;
            break;
        }
        root = yaml_document_get_root_node(&doc);
        if (!root) { /* end of stream */
            yaml_document_delete(&doc);
            break;
        }
        if (root->type != YAML_MAPPING_NODE) { /* empty document */
            yaml_document_delete(&doc);
            continue;
        }
        s->sc = realloc(s->sc, (s->n + 1) * sizeof *s->sc);
        sc = &s->sc[s->n++];
        memset(sc, 0, sizeof *sc);
        sc->desc = sz_dup(sz_scalar(&doc, sz_get(&doc, root, "description")));
        tests = sz_get(&doc, root, "tests");
        zone = sz_get(&doc, root, "zonedata");
        for (yaml_node_pair_t *p = tests ? tests->data.mapping.pairs.start : NULL;
             p && p < tests->data.mapping.pairs.top; p++) {
            yaml_node_t *t = yaml_document_get_node(&doc, p->value), *res;
            sz_test *x;
            sc->tests = realloc(sc->tests, (sc->nt + 1) * sizeof *sc->tests);
            x = &sc->tests[sc->nt++];
            memset(x, 0, sizeof *x);
            x->name = sz_dup(sz_scalar(&doc, yaml_document_get_node(&doc, p->key)));
            x->host = sz_dup(sz_scalar(&doc, sz_get(&doc, t, "host")));
            x->mailfrom = sz_dup(sz_scalar(&doc, sz_get(&doc, t, "mailfrom")));
            x->helo = sz_dup(sz_scalar(&doc, sz_get(&doc, t, "helo")));
            x->explanation = sz_dup(sz_scalar(&doc, sz_get(&doc, t, "explanation")));
            res = sz_get(&doc, t, "result");
            if (res && res->type == YAML_SCALAR_NODE) {
                x->results[x->nres++] = sz_dup(sz_scalar(&doc, res));
            } else if (res && res->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *q = res->data.sequence.items.start;
                     q < res->data.sequence.items.top && x->nres < 8; q++)
                    x->results[x->nres++] =
                        sz_dup(sz_scalar(&doc, yaml_document_get_node(&doc, *q)));
            }
            /* legacy names (SPF-SUITE §4) */
            for (size_t k = 0; k < x->nres; k++) {
                if (strcmp(x->results[k], "unknown") == 0)
                    strcpy(x->results[k], "permerror");
                else if (strcmp(x->results[k], "error") == 0)
                    strcpy(x->results[k], "temperror");
            }
        }
        for (yaml_node_pair_t *p = zone ? zone->data.mapping.pairs.start : NULL;
             p && p < zone->data.mapping.pairs.top; p++) {
            yaml_node_t *list = yaml_document_get_node(&doc, p->value);
            sz_name *nm;
            sc->names = realloc(sc->names, (sc->nn + 1) * sizeof *sc->names);
            nm = &sc->names[sc->nn++];
            memset(nm, 0, sizeof *nm);
            nm->name = sz_dup(sz_scalar(&doc, yaml_document_get_node(&doc, p->key)));
            if (!list || list->type != YAML_SEQUENCE_NODE)
                continue;
            for (yaml_node_item_t *q = list->data.sequence.items.start;
                 q < list->data.sequence.items.top; q++) {
                nm->items = realloc(nm->items, (nm->n + 1) * sizeof *nm->items);
                if (sz_load_item(&doc, yaml_document_get_node(&doc, *q), &nm->items[nm->n]) == 0)
                    nm->n++;
                else
                    fprintf(stderr, "zonedata %s: unsupported item skipped\n", nm->name);
            }
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return s;
}

static void sz_free(sz_suite *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        sz_scenario *sc = &s->sc[i];
        for (size_t k = 0; k < sc->nt; k++) {
            sz_test *t = &sc->tests[k];
            free(t->name), free(t->host), free(t->mailfrom), free(t->helo), free(t->explanation);
            for (size_t r = 0; r < t->nres; r++)
                free(t->results[r]);
        }
        for (size_t k = 0; k < sc->nn; k++) {
            for (size_t j = 0; j < sc->names[k].n; j++) {
                sz_item *it = &sc->names[k].items[j];
                for (size_t q = 0; q < it->ns; q++)
                    free(it->strs[q]);
                free(it->strs);
                free(it->lens);
            }
            free(sc->names[k].items);
            free(sc->names[k].name);
        }
        free(sc->tests);
        free(sc->names);
        free(sc->desc);
    }
    free(s->sc);
    free(s);
}

/* Name comparison: case-insensitive, trailing dot ignored (§3 rule 5). */
static int sz_name_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.')
        la--;
    if (lb && b[lb - 1] == '.')
        lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

static const sz_name *sz_find(const sz_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->nn; i++)
        if (sz_name_eq(sc->names[i].name, name))
            return &sc->names[i];
    return NULL;
}

/* Presentation-format absolute name (adds the dot). */
static ldns_rdf *sz_dname(const char *s)
{
    char buf[1100];
    size_t l = strlen(s);
    snprintf(buf, sizeof buf, "%s%s", s, (l && s[l - 1] == '.') ? "" : ".");
    return ldns_dname_new_frm_str(buf);
}

/* One RR of item it owned by owner; NULL if it cannot be built. */
static ldns_rr *sz_rr(const char *owner, const sz_item *it, ldns_rr_type as)
{
    ldns_rr *rr = ldns_rr_new();
    ldns_rdf *o = sz_dname(owner);
    if (!o) {
        ldns_rr_free(rr);
        return NULL;
    }
    ldns_rr_set_owner(rr, o);
    ldns_rr_set_type(rr, as);
    ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
    ldns_rr_set_ttl(rr, 60);
    switch (as) {
    case LDNS_RR_TYPE_TXT:
    case LDNS_RR_TYPE_SPF:
        for (size_t i = 0; i < it->ns; i++) {
            /* character-strings of <= 255 octets; longer values are split */
            size_t off = 0;
            do {
                size_t l = it->lens[i] - off > 255 ? 255 : it->lens[i] - off;
                uint8_t buf[256];
                buf[0] = (uint8_t)l;
                memcpy(buf + 1, it->strs[i] + off, l);
                ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, l + 1, buf));
                off += l;
            } while (off < it->lens[i]);
        }
        return rr;
    case LDNS_RR_TYPE_A:
    case LDNS_RR_TYPE_AAAA: {
        ldns_rdf *rd = NULL;
        if (ldns_str2rdf_a(&rd, it->strs[0]) == LDNS_STATUS_OK && as == LDNS_RR_TYPE_A) {
            ldns_rr_push_rdf(rr, rd);
            return rr;
        }
        ldns_rdf_deep_free(rd);
        rd = NULL;
        if (as == LDNS_RR_TYPE_AAAA && ldns_str2rdf_aaaa(&rd, it->strs[0]) == LDNS_STATUS_OK) {
            ldns_rr_push_rdf(rr, rd);
            return rr;
        }
        break;
    }
    case LDNS_RR_TYPE_PTR:
    case LDNS_RR_TYPE_CNAME: {
        ldns_rdf *d = sz_dname(it->strs[0]);
        if (d) {
            ldns_rr_push_rdf(rr, d);
            return rr;
        }
        break;
    }
    case LDNS_RR_TYPE_MX: {
        ldns_rdf *d = it->strs[0][0] ? sz_dname(it->strs[0]) : ldns_dname_new_frm_str(".");
        if (d) {
            ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, (uint16_t)it->pref));
            ldns_rr_push_rdf(rr, d);
            return rr;
        }
        /* an invalid host name: a name that cannot resolve */
        ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, (uint16_t)it->pref));
        ldns_rr_push_rdf(rr, ldns_dname_new_frm_str("invalid-mx-host.invalid."));
        return rr;
    }
    default:
        break;
    }
    ldns_rr_free(rr);
    return NULL;
}

/* RRs of type t at name (rules 1-3): 0 answered (list may be empty),
 * 1 timeout. */
static int sz_rrs(const sz_name *nm, ldns_rr_type t, const char *owner, ldns_rr_list *out)
{
    int has_txt = 0, got = 0;
    for (size_t i = 0; i < nm->n; i++)
        if (!nm->items[i].timeout && nm->items[i].type == LDNS_RR_TYPE_TXT)
            has_txt = 1;
    for (size_t i = 0; i < nm->n; i++) {
        const sz_item *it = &nm->items[i];
        if (it->timeout)
            return got ? 0 : 1;
        if (it->none)
            continue;
        if (it->type == t || (t == LDNS_RR_TYPE_TXT && !has_txt && it->type == LDNS_RR_TYPE_SPF)) {
            ldns_rr *rr = sz_rr(owner, it, t);
            if (rr) {
                ldns_rr_list_push_rr(out, rr);
                got++;
            }
        }
    }
    return 0;
}

/* The answer to (name, t) as a wire packet: 0 with *wire (free()), or 1
 * for a timeout. */
static int sz_answer(const sz_scenario *sc, const char *name, ldns_rr_type t, uint8_t **wire,
                     size_t *len)
{
    ldns_pkt *pkt;
    ldns_rdf *q = sz_dname(name);
    const char *cur = name;
    int rcode = LDNS_RCODE_NOERROR, hops = 0;
    ldns_rr_list *ans = ldns_rr_list_new();

    if (!q)
        return 1;
    for (;;) {
        const sz_name *nm = sz_find(sc, cur);
        ldns_rr_list *cn;
        if (!nm) {
            rcode = LDNS_RCODE_NXDOMAIN;
            break;
        }
        /* CNAME (rule 6): the alias plus what its target holds */
        cn = ldns_rr_list_new();
        if (t != LDNS_RR_TYPE_CNAME && sz_rrs(nm, LDNS_RR_TYPE_CNAME, cur, cn) == 0 &&
            ldns_rr_list_rr_count(cn) > 0) {
            ldns_rr *c = ldns_rr_list_pop_rr(cn);
            char *target = ldns_rdf2str(ldns_rr_rdf(c, 0));
            static char hold[8][300];
            ldns_rr_list_push_rr(ans, c);
            ldns_rr_list_deep_free(cn);
            if (++hops > 8 || sz_name_eq(target, cur)) { /* loop: the chain as is */
                free(target);
                break;
            }
            snprintf(hold[hops - 1], sizeof hold[0], "%s", target);
            free(target);
            cur = hold[hops - 1];
            continue;
        }
        ldns_rr_list_deep_free(cn);
        if (sz_rrs(nm, t, cur, ans) != 0) {
            ldns_rr_list_deep_free(ans);
            ldns_rdf_deep_free(q);
            return 1;
        }
        break;
    }
    pkt = ldns_pkt_query_new(q, t, LDNS_RR_CLASS_IN, LDNS_QR | LDNS_AA | LDNS_RD | LDNS_RA);
    ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
    ldns_pkt_push_rr_list(pkt, LDNS_SECTION_ANSWER, ans);
    ldns_rr_list_free(ans);
    if (ldns_pkt2wire(wire, pkt, len) != LDNS_STATUS_OK) {
        ldns_pkt_free(pkt);
        return 1;
    }
    ldns_pkt_free(pkt);
    return 0;
}

/* ---- plugged resolver over one scenario --------------------------------- */

typedef struct sz_resolver {
    const sz_scenario *sc;
    unsigned queries;
    unsigned timeouts; /* queries answered with a TIMEOUT marker */
} sz_resolver;

static int sz_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                     void *done_arg)
{
    sz_resolver *r = payload;
    uint8_t *wire = NULL;
    size_t len = 0;
    r->queries++;
    if (sz_answer(r->sc, name, (ldns_rr_type)rrtype, &wire, &len) != 0) {
        r->timeouts++;
        done(MTAREP_ETIMEOUT, NULL, 0, done_arg);
        return 0;
    }
    done(0, wire, len, done_arg);
    free(wire);
    return 0;
}

static int sz_poll(void *payload, int timeout_ms)
{
    (void)payload;
    (void)timeout_ms;
    return 0; /* every query is answered inside submit */
}

static const mtarep_resolver_ops sz_ops = {MTAREP_RESOLVER_OPS_VERSION, sz_submit, sz_poll, NULL};

/* Does the verdict satisfy the test (any listed result)? */
static int sz_result_ok(const sz_test *t, const char *got)
{
    for (size_t i = 0; i < t->nres; i++)
        if (strcmp(t->results[i], got) == 0)
            return 1;
    return 0;
}

#endif
