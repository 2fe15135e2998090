/* mtarep check: "rdns" (PTR + FCrDNS) and "helo" (HELO vs PTR). */
#include "precheck_int.h"
#include "../rdns/rdns_int.h"

#include <stdlib.h>
#include <string.h>

static const char ADVICE_DNS_FAILED[] =
    "The lookup got no answer, so this could not be judged; re-run when DNS "
    "answers (see --nameserver and --timeout).";

/* "a, b" of the PTR names; NULL if out of memory. */
static char *ptr_list(const mtarep_rdns_result *r)
{
    size_t n = mtarep_rdns_result_ptr_count(r), len = 1;
    char *s;
    for (size_t i = 0; i < n; i++)
        len += strlen(mtarep_rdns_result_ptr(r, i)) + 2;
    if (!(s = malloc(len)))
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, mtarep_rdns_result_ptr(r, i));
    }
    return s;
}

static void rdns_check(const pc_input *in, pc_list *out,
                       const mtarep_rdns_result *r, const char *ptrs)
{
    pc_check *c = pc_add(out, "rdns", PC_OK);
    mtarep_tristate has = mtarep_rdns_result_has_ptr(r);
    mtarep_tristate fc = mtarep_rdns_result_fcrdns(r);
    const char *err = mtarep_rdns_result_error(r);
    const char *ip = mtarep_rdns_result_ip(r);

    if (has == MTAREP_UNKNOWN) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "PTR lookup for %s failed: %s", ip, err ? err : "no answer");
        pc_advice(out, c, "%s", ADVICE_DNS_FAILED);
    } else if (has == MTAREP_NO) {
        pc_raise(c, PC_PROBLEM);
        pc_evidence(out, c, "%s has no PTR record", ip);
        pc_advice(out, c,
                     "Many receivers reject mail from an address without reverse DNS. Ask "
                     "whoever controls the address's reverse zone (usually the hosting "
                     "provider or ISP) to publish a PTR naming this mail server (e.g. "
                     "mail.%s), and publish an A/AAAA record for that name pointing back "
                     "to %s.",
                     in->domain ? in->domain : "example.com", ip);
    } else {
        pc_evidence(out, c, "PTR: %s", ptrs);
        if (fc == MTAREP_NO) {
            pc_raise(c, PC_PROBLEM);
            pc_evidence(out, c, "no PTR name resolves back to %s (FCrDNS failed)", ip);
            pc_advice(out, c,
                         "Receivers require forward-confirmed reverse DNS: publish an A/AAAA "
                         "record for %s pointing to %s, or have the PTR changed to a name "
                         "that resolves to it.",
                         mtarep_rdns_result_ptr(r, 0) ? mtarep_rdns_result_ptr(r, 0) : "the PTR name",
                         ip);
        } else if (fc == MTAREP_UNKNOWN) {
            pc_raise(c, PC_UNKNOWN);
            pc_evidence(out, c, "forward lookup of the PTR name failed: %s",
                           err ? err : "no answer");
            pc_advice(out, c, "%s", ADVICE_DNS_FAILED);
        } else {
            pc_evidence(out, c, "forward-confirmed: %s resolves to %s",
                           mtarep_rdns_result_confirmed_name(r)
                               ? mtarep_rdns_result_confirmed_name(r) : ptrs, ip);
        }
        if (mtarep_rdns_result_generic(r)) {
            pc_raise(c, PC_WARNING);
            pc_evidence(out, c, "the PTR name looks generic (dynamic or residential)");
            pc_advice(out, c,
                         "Names made of the IP's digits or words like 'dyn', 'pool', "
                         "'dsl' mark end-user addresses, and many receivers reject or "
                         "down-rank them: set a PTR that names the mail server (e.g. "
                         "mail.%s) with a matching A record.",
                         in->domain ? in->domain : "example.com");
        }
    }
    /* The library's warnings restate the verdicts above (and the HELO ones
     * belong to the helo check), so only this one is carried over. */
    if (mtarep_rdns_result_ptr_count(r) > 1)
        pc_evidence(out, c, "%zu PTR names: one is best, some receivers look only at "
                       "the first", mtarep_rdns_result_ptr_count(r));
}

static void helo_check(const pc_input *in, pc_list *out,
                       const mtarep_rdns_result *r, const char *ptrs)
{
    pc_check *c = pc_add(out, "helo", PC_OK);
    mtarep_tristate m = mtarep_rdns_result_helo_match(r);
    mtarep_tristate res = mtarep_rdns_result_helo_resolves(r);
    const char *confirmed = mtarep_rdns_result_confirmed_name(r);
    const char *ip = mtarep_rdns_result_ip(r);
    const char *err = mtarep_rdns_result_error(r);
    mtarep_ip lit;

    if (mtarep__helo_literal(in->helo, &lit)) {
        /* An address literal is legal SMTP but names no host: nothing to
         * match with the PTR. A bare address (no brackets) is not even
         * valid HELO syntax (RFC 5321 4.1.3). */
        int bare = in->helo[0] != '[';
        int good = confirmed && !mtarep_rdns_result_generic(r); /* a PTR worth announcing */
        pc_raise(c, bare || res != MTAREP_YES ? PC_PROBLEM : PC_WARNING);
        pc_evidence(out, c, "HELO %s is %s, not a host name%s", in->helo,
                    bare ? "a bare IP address (invalid: literals need brackets)"
                         : "an address literal",
                    res == MTAREP_YES ? "" : res == MTAREP_NO
                        ? "; it is not even the connecting address" : "");
        pc_advice(out, c,
                  "Announce a fully qualified host name in HELO/EHLO that resolves to %s%s%s "
                  "(Postfix: smtp_helo_name; Exim: helo_data); receivers down-rank or reject "
                  "address HELOs from mail servers.",
                  ip, good ? " and is its PTR name, e.g. " : " and set it as the PTR",
                  good ? confirmed : "");
        return;
    }
    if (m == MTAREP_YES) {
        pc_evidence(out, c, "HELO %s matches the forward-confirmed PTR name", in->helo);
    } else if (m == MTAREP_NO) {
        pc_raise(c, PC_PROBLEM);
        pc_evidence(out, c, "HELO %s does not match the PTR name%s%s", in->helo,
                       *ptrs ? " " : " (there is none)", ptrs);
        if (confirmed && mtarep_rdns_result_generic(r))
            pc_advice(out, c,
                         "Have the PTR changed to %s and make that name resolve to %s "
                         "(the current PTR name looks generic, so announcing it in "
                         "HELO/EHLO would not help much).",
                         in->helo, ip);
        else if (confirmed)
            pc_advice(out, c,
                         "Announce the PTR name in HELO/EHLO (Postfix: smtp_helo_name = "
                         "%s; Exim: helo_data), or have the PTR changed to %s and make "
                         "that name resolve to %s.",
                         confirmed, in->helo, ip);
        else
            pc_advice(out, c,
                         "Fix the reverse DNS first (see the rdns check), then announce "
                         "the PTR name in HELO/EHLO.");
    } else {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "could not compare HELO %s with the PTR: %s", in->helo,
                       err ? err : "DNS failed");
        pc_advice(out, c, "%s", ADVICE_DNS_FAILED);
    }
    if (res == MTAREP_YES)
        pc_evidence(out, c, "HELO %s resolves to %s", in->helo, ip);
    else if (res == MTAREP_NO)
        pc_evidence(out, c, "HELO %s does not resolve to %s", in->helo, ip);
    else
        pc_evidence(out, c, "could not resolve HELO %s", in->helo);
    if (res == MTAREP_NO && m != MTAREP_NO)
        pc_raise(c, PC_WARNING);
}

void mtarep__pc_rdns(const pc_input *in, pc_list *out, int rc, const mtarep_rdns_result *r)
{
    char *ptrs;

    if (rc) {
        /* Not a verdict: report it as a check that could not be done. */
        pc_check *c = pc_add(out, "rdns", PC_UNKNOWN);
        pc_evidence(out, c, "rDNS check failed: %s", mtarep_strerror(rc));
        pc_advice(out, c, "%s", ADVICE_DNS_FAILED);
        if (in->helo) {
            c = pc_add(out, "helo", PC_UNKNOWN);
            pc_evidence(out, c, "not checked: the rDNS check failed");
        }
        return;
    }
    ptrs = ptr_list(r);
    if (!ptrs) {
        out->oom = 1;
    } else {
        rdns_check(in, out, r, ptrs);
        if (in->helo)
            helo_check(in, out, r, ptrs);
    }
    free(ptrs);
}
