/* libFuzzer: DNS answers in wire format, through mtarep__dns_parse_answer
 * (the validation every network answer takes) and through a plugged-in
 * resolver and the public mtarep_dns_lookup (cache TTLs, record text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/engine.h"
#include "mtarep.h"

static const ldns_rr_type types[] = {LDNS_RR_TYPE_A,   LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_TXT,
                                     LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_MX,   LDNS_RR_TYPE_CNAME,
                                     LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_ANY};
static const char *type_names[] = {"A", "AAAA", "TXT", "PTR", "MX", "CNAME", "SOA", "ANY"};

typedef struct plug {
    const uint8_t *wire;
    size_t len;
} plug;

static int plug_submit(void *payload, const char *name, int rrtype, mtarep_resolver_done_cb done,
                       void *arg)
{
    plug *p = payload;
    (void)name;
    (void)rrtype;
    done(0, p->wire, p->len, arg);
    return 0;
}

static int plug_poll(void *payload, int timeout_ms)
{
    (void)payload;
    (void)timeout_ms;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mtarep_resolver_ops ops = {MTAREP_RESOLVER_OPS_VERSION, plug_submit, plug_poll,
                                            NULL};
    ldns_pkt *pkt = NULL;
    ldns_rr_list *rrs = NULL;
    char err[256];
    int rcode;
    unsigned t;
    uint16_t id;
    mtarep_ctx *ctx = NULL;
    mtarep_dns_result *res = NULL;
    plug p;

    if (size < 1)
        return 0;
    t = data[0] % (sizeof types / sizeof types[0]);
    data++;
    size--;
    /* The ID is taken from the packet so that the ID check passes. */
    id = size >= 2 ? (uint16_t)((data[0] << 8) | data[1]) : 0;
    if (mtarep__dns_parse_answer(data, size, id, "x", types[t], &pkt, &rrs, &rcode, err,
                                 sizeof err) == MTAREP_OK) {
        if (!pkt || !rrs || (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN))
            abort();
        for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++)
            if (types[t] != LDNS_RR_TYPE_ANY &&
                ldns_rr_get_type(ldns_rr_list_rr(rrs, i)) != types[t])
                abort(); /* only records of the asked type */
        ldns_pkt_free(pkt);
        ldns_rr_list_deep_free(rrs);
    } else if (pkt || rrs) {
        abort();
    }

    if (mtarep_ctx_new(&ctx, NULL) != MTAREP_OK)
        return 0;
    p.wire = data;
    p.len = size;
    mtarep_ctx_set_resolver(ctx, &ops, &p);
    for (int round = 0; round < 2; round++) { /* the second may come from the cache */
        if (mtarep_dns_lookup(&res, ctx, "x", type_names[t]) == MTAREP_OK) {
            for (size_t i = 0; i < mtarep_dns_result_count(res); i++)
                if (!mtarep_dns_result_record(res, i))
                    abort();
            mtarep_dns_result_free(res);
        }
    }
    mtarep_ctx_free(ctx);
    return 0;
}
