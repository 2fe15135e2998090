/* Packets (built and parsed by ldns), answer validation and nameserver
 * address text. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_int.h"

/* The query wire is written by hand, not via ldns_pkt_query_new +
 * ldns_pkt2buffer_wire: that built (and freed) a packet, an RR, two rdfs and
 * the EDNS state per query, ~16% of the library's CPU in a DNSBL sweep
 * (callgrind, docs/PERFORMANCE.md). The shape is fixed: a 12-byte header
 * (ID patched per try, RD, QDCOUNT 1, ARCOUNT 1), the question, and an EDNS0
 * OPT RR (RFC 6891: root owner, UDP size 1232, DO clear, no options). The
 * name is already validated and normalised by submit (no escapes, labels
 * 1..63, <= 253 octets), so encoding it is splitting at the dots. The bytes
 * are what the ldns path produced (checked by test_dns_wire). */
int mtarep__dns_build_query(dns_query *q)
{
    static const uint8_t hdr[12] = {0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    uint8_t *w = q->wire;
    size_t o = 12, lab = o++, namelen;
    const char *s = q->name;

    memcpy(w, hdr, sizeof hdr);
    if (s[0] == '.' && s[1] == '\0')
        s++; /* the root */
    for (; *s; s++) {
        if (o >= 12 + 255)
            return MTAREP_EINVAL;
        if (*s == '.') {
            if (o - lab - 1 == 0 || o - lab - 1 > 63)
                return MTAREP_EINVAL;
            w[lab] = (uint8_t)(o - lab - 1);
            lab = o++;
        } else {
            w[o++] = (uint8_t)*s;
        }
    }
    if (o - lab - 1 > 63 || (o - lab - 1 == 0 && lab != 12))
        return MTAREP_EINVAL; /* a label too long, or an empty one ("a..b", "a.") */
    w[lab] = (uint8_t)(o - lab - 1);
    if (o - lab - 1 > 0)
        w[o++] = 0; /* the root label ends the name */
    namelen = o - 12;
    if (namelen > 255 || o + 4 + 11 > DNS_WIRE_MAX)
        return MTAREP_EINVAL;
    w[o++] = (uint8_t)(q->type >> 8);
    w[o++] = (uint8_t)q->type;
    w[o++] = 0;
    w[o++] = LDNS_RR_CLASS_IN;
    /* OPT: owner root, TYPE 41, CLASS = UDP payload size, TTL 0 (ext. RCODE,
     * version 0, DO clear), RDLENGTH 0 */
    w[o++] = 0;
    w[o++] = 0;
    w[o++] = LDNS_RR_TYPE_OPT;
    w[o++] = (uint8_t)(DNS_EDNS_SIZE >> 8);
    w[o++] = (uint8_t)DNS_EDNS_SIZE;
    memset(w + o, 0, 6);
    o += 6;
    q->wirelen = o;
    q->qwlen = namelen;
    return MTAREP_OK;
}

/* Name equality on uncompressed wire names, ASCII case-insensitive.
 * Hand-written because ldns only offers ldns_dname_compare, which computes
 * the canonical order label by label and was the top item in profiles. */
static int dname_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        uint8_t x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (uint8_t)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (uint8_t)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

static int rdf_eq(const ldns_rdf *r, const uint8_t *w, size_t wlen)
{
    return r && dname_eq(ldns_rdf_data(r), ldns_rdf_size(r), w, wlen);
}

/* RRs of qtype owned by qname or the end of its CNAME chain. deep: clones
 * (list owns them); else the list borrows the packet's RRs. */
static ldns_rr_list *extract(const ldns_pkt *pkt, const uint8_t *qw, size_t qwlen,
                             ldns_rr_type qtype, int deep)
{
    const ldns_rr_list *an = ldns_pkt_answer(pkt);
    size_t n = an ? ldns_rr_list_rr_count(an) : 0;
    ldns_rr_list *out = ldns_rr_list_new();
    const uint8_t *cur = qw;
    size_t curlen = qwlen;

    if (!out)
        return NULL;
    for (int hop = 0; hop <= DNS_CNAME_HOPS; hop++) {
        const ldns_rdf *next = NULL;
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            ldns_rr *rr = ldns_rr_list_rr(an, i);
            if (!rdf_eq(ldns_rr_owner(rr), cur, curlen))
                continue;
            if (ldns_rr_get_type(rr) == qtype || qtype == LDNS_RR_TYPE_ANY) {
                ldns_rr *c = deep ? ldns_rr_clone(rr) : rr;
                if (!c || !ldns_rr_list_push_rr(out, c)) {
                    if (deep) {
                        ldns_rr_free(c);
                        ldns_rr_list_deep_free(out);
                    } else {
                        ldns_rr_list_free(out);
                    }
                    return NULL;
                }
                found = 1;
            } else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && !next &&
                       ldns_rr_rd_count(rr) == 1 &&
                       ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) == LDNS_RDF_TYPE_DNAME) {
                next = ldns_rr_rdf(rr, 0);
            }
        }
        if (found || !next || qtype == LDNS_RR_TYPE_CNAME)
            break;
        cur = ldns_rdf_data(next); /* a loop just runs out of hops: NODATA */
        curlen = ldns_rdf_size(next);
    }
    return out;
}

int mtarep__dns_check_answer(const uint8_t *wire, size_t len, int check_id, uint16_t id,
                             const uint8_t *qw, size_t qwlen, ldns_rr_type qtype, int deep,
                             ldns_pkt **pkt_out, ldns_rr_list **rrs_out, int *rcode_out,
                             char *err, size_t errlen)
{
    ldns_pkt *pkt = NULL;
    const ldns_rr_list *qs;
    ldns_rr *q0;
    ldns_status st;
    int rcode, rc;

    *pkt_out = NULL;
    *rrs_out = NULL;
    *rcode_out = -1;
    if (errlen)
        err[0] = '\0';
    if (!wire || len < 12) {
        snprintf(err, errlen, "answer too short (%zu bytes)", len);
        return check_id ? DNS_PARSE_IGNORE : MTAREP_EPARSE;
    }
    if (check_id && (uint16_t)((wire[0] << 8) | wire[1]) != id) {
        snprintf(err, errlen, "answer ID mismatch");
        return DNS_PARSE_IGNORE;
    }
    st = ldns_wire2pkt(&pkt, wire, len);
    if (st != LDNS_STATUS_OK) {
        snprintf(err, errlen, "%s", ldns_get_errorstr_by_id(st));
        return MTAREP_EPARSE;
    }
    qs = ldns_pkt_question(pkt);
    if (!ldns_pkt_qr(pkt) || ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY || !qs ||
        ldns_rr_list_rr_count(qs) != 1 || !(q0 = ldns_rr_list_rr(qs, 0)) ||
        ldns_rr_get_type(q0) != qtype || ldns_rr_get_class(q0) != LDNS_RR_CLASS_IN ||
        !rdf_eq(ldns_rr_owner(q0), qw, qwlen)) {
        snprintf(err, errlen, "answer does not match the question");
        rc = DNS_PARSE_IGNORE;
        goto out;
    }
    rcode = ldns_pkt_get_rcode(pkt);
    *rcode_out = rcode;
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
        ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rcode);
        if (lt)
            snprintf(err, errlen, "%s", lt->name);
        else
            snprintf(err, errlen, "RCODE%d", rcode);
        rc = MTAREP_ETEMPFAIL;
        goto out;
    }
    if (ldns_pkt_tc(pkt)) {
        snprintf(err, errlen, "truncated answer");
        rc = DNS_PARSE_TRUNC;
        goto out;
    }
    *rrs_out = extract(pkt, qw, qwlen, qtype, deep);
    if (!*rrs_out) {
        snprintf(err, errlen, "out of memory");
        rc = MTAREP_ENOMEM;
        goto out;
    }
    *pkt_out = pkt;
    return MTAREP_OK;
out:
    ldns_pkt_free(pkt);
    return rc;
}

int mtarep__dns_parse_answer_ex(const uint8_t *wire, size_t len, int check_id, uint16_t id,
                                const char *qname, ldns_rr_type qtype, ldns_pkt **pkt_out,
                                ldns_rr_list **rrs_out, int *rcode_out, char *err,
                                size_t errlen)
{
    ldns_rdf *qn;
    int rc;

    *pkt_out = NULL;
    *rrs_out = NULL;
    *rcode_out = -1;
    if (!qname || !(qn = ldns_dname_new_frm_str(qname))) {
        snprintf(err, errlen, "bad query name");
        return MTAREP_EINVAL;
    }
    rc = mtarep__dns_check_answer(wire, len, check_id, id, ldns_rdf_data(qn), ldns_rdf_size(qn),
                                  qtype, 1, pkt_out, rrs_out, rcode_out, err, errlen);
    ldns_rdf_deep_free(qn);
    return rc;
}

int mtarep__dns_parse_answer(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
                             ldns_rr_type qtype, ldns_pkt **pkt_out, ldns_rr_list **rrs_out,
                             int *rcode_out, char *err, size_t errlen)
{
    int rc = mtarep__dns_parse_answer_ex(wire, len, 1, id, qname, qtype, pkt_out, rrs_out,
                                         rcode_out, err, errlen);
    if (rc == DNS_PARSE_IGNORE)
        return MTAREP_EPARSE;
    if (rc == DNS_PARSE_TRUNC)
        return MTAREP_ETEMPFAIL;
    return rc;
}

void mtarep__dns_format_sa(const struct sockaddr_storage *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];

    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
    } else {
        snprintf(buf, len, "?");
    }
}

/* Strict: 1..65535, digits only, no sign or leading zero. */
static int parse_port(const char *s, unsigned int *port)
{
    unsigned long v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 5 || s[0] == '0')
        return MTAREP_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return MTAREP_EINVAL;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return MTAREP_EINVAL;
    *port = (unsigned int)v;
    return MTAREP_OK;
}

int mtarep__dns_parse_server(const char *text, struct sockaddr_storage *out,
                             unsigned int *len_out)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port_s = NULL, *colon;
    unsigned int port = 53;
    size_t hl;
    mtarep_ip ip;
    int want_family;

    if (!text || !out || !len_out)
        return MTAREP_EINVAL;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return MTAREP_EINVAL;
        hl = (size_t)(close - text - 1);
        if (close[1] == ':')
            port_s = close + 2;
        else if (close[1] != '\0')
            return MTAREP_EINVAL;
        want_family = 6;
        text++;
    } else if ((colon = strchr(text, ':')) && !strchr(colon + 1, ':')) {
        hl = (size_t)(colon - text); /* exactly one colon: IPv4:port */
        port_s = colon + 1;
        want_family = 4;
    } else {
        hl = strlen(text);
        want_family = 0;
    }
    if (hl == 0 || hl >= sizeof host)
        return MTAREP_EINVAL;
    memcpy(host, text, hl);
    host[hl] = '\0';
    if (mtarep__ip_parse(&ip, host) != MTAREP_OK)
        return MTAREP_EINVAL;
    if (want_family && ip.family != want_family)
        return MTAREP_EINVAL;
    if (port_s && parse_port(port_s, &port) != MTAREP_OK)
        return MTAREP_EINVAL;
    memset(out, 0, sizeof *out);
    if (ip.family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)out;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        memcpy(&s4->sin_addr, ip.bytes, 4);
        *len_out = sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        memcpy(&s6->sin6_addr, ip.bytes, 16);
        *len_out = sizeof *s6;
    }
    return MTAREP_OK;
}
