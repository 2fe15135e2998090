/* The engine writes query packets by hand (wire.c, for speed): they must be
 * byte for byte what ldns builds for the same question (RD, EDNS0 size 1232,
 * DO clear), and names the wire cannot hold must be refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "dns/dns_int.h"

static size_t ldns_query(const char *name, ldns_rr_type type, uint8_t *out)
{
    ldns_rdf *dn = ldns_dname_new_frm_str(name);
    cr_assert_not_null(dn, "ldns rejects %s", name);
    ldns_pkt *p = ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, LDNS_RD);
    cr_assert_not_null(p);
    ldns_pkt_set_id(p, 0);
    ldns_pkt_set_edns_udp_size(p, DNS_EDNS_SIZE);
    ldns_pkt_set_edns_do(p, false);
    ldns_buffer *b = ldns_buffer_new(DNS_WIRE_MAX);
    cr_assert_eq(ldns_pkt2buffer_wire_compress(b, p, NULL), LDNS_STATUS_OK);
    size_t n = ldns_buffer_position(b);
    cr_assert_leq(n, DNS_WIRE_MAX);
    memcpy(out, ldns_buffer_begin(b), n);
    ldns_buffer_free(b);
    ldns_pkt_free(p);
    return n;
}

static int build(const char *name, ldns_rr_type type, dns_query *q, uint8_t *wire)
{
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", name);
    q->type = type;
    q->wire = wire;
    return mtarep__dns_build_query(q);
}

Test(dns_wire, query_bytes_match_ldns)
{
    static const char *names[] = {
        "example.com", "a", "2.0.0.127.zen.spamhaus.org", "_dmarc.example.org",
        "sel._domainkey.example.net", "foo:bar/baz.example", "x-y.z_1.test",
        /* 63-octet label and a 253-octet name */
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123.test",
        "aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa."
        "aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa."
        "aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa."
        "bbbbbbbbb.ccc",
    };
    static const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_TXT,
                                         LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_MX, LDNS_RR_TYPE_ANY};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            uint8_t want[DNS_WIRE_MAX], got[DNS_WIRE_MAX];
            dns_query q;
            size_t n = ldns_query(names[i], types[t], want);
            cr_assert_eq(build(names[i], types[t], &q, got), MTAREP_OK, "build %s", names[i]);
            cr_assert_eq(q.wirelen, n, "%s/%d: length %zu, ldns %zu", names[i], types[t],
                         q.wirelen, n);
            cr_assert(memcmp(got, want, n) == 0, "%s/%d: bytes differ from ldns", names[i],
                      types[t]);
            cr_assert_eq(q.qwlen, strlen(names[i]) + 2, "%s: question name length", names[i]);
        }
}

Test(dns_wire, bad_names_refused)
{
    uint8_t w[DNS_WIRE_MAX];
    dns_query q;
    char longlabel[80];
    memset(longlabel, 'a', 64);
    strcpy(longlabel + 64, ".test");
    cr_assert_neq(build(longlabel, LDNS_RR_TYPE_A, &q, w), MTAREP_OK, "64-octet label");
    cr_assert_neq(build("a..b", LDNS_RR_TYPE_A, &q, w), MTAREP_OK, "empty label");
    cr_assert_neq(build(".a", LDNS_RR_TYPE_A, &q, w), MTAREP_OK, "leading dot");
    char big[DNS_NAME_MAX];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = i % 10 == 9 ? '.' : 'a';
    big[sizeof big - 1] = '\0'; /* 255 characters: a 257-octet wire name */
    cr_assert_neq(build(big, LDNS_RR_TYPE_A, &q, w), MTAREP_OK, "name over 255 octets");
}
