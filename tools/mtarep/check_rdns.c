/* mtarep check: "rdns" (PTR + FCrDNS) and "helo" (HELO vs PTR). */
#include "check.h"

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

static void rdns_check(const struct check_input *in, struct check_list *out,
                       const mtarep_rdns_result *r, const char *ptrs)
{
    struct check *c = check_add(out, "rdns", CHECK_OK);
    mtarep_tristate has = mtarep_rdns_result_has_ptr(r);
    mtarep_tristate fc = mtarep_rdns_result_fcrdns(r);
    const char *err = mtarep_rdns_result_error(r);
    const char *ip = mtarep_rdns_result_ip(r);

    if (has == MTAREP_UNKNOWN) {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "PTR lookup for %s failed: %s", ip, err ? err : "no answer");
        check_advice(out, c, "%s", ADVICE_DNS_FAILED);
    } else if (has == MTAREP_NO) {
        check_raise(c, CHECK_PROBLEM);
        check_evidence(out, c, "%s has no PTR record", ip);
        check_advice(out, c,
                     "Many receivers reject mail from an address without reverse DNS. Ask "
                     "whoever controls the address's reverse zone (usually the hosting "
                     "provider or ISP) to publish a PTR naming this mail server (e.g. "
                     "mail.%s), and publish an A/AAAA record for that name pointing back "
                     "to %s.",
                     in->domain ? in->domain : "example.com", ip);
    } else {
        check_evidence(out, c, "PTR: %s", ptrs);
        if (fc == MTAREP_NO) {
            check_raise(c, CHECK_PROBLEM);
            check_evidence(out, c, "no PTR name resolves back to %s (FCrDNS failed)", ip);
            check_advice(out, c,
                         "Receivers require forward-confirmed reverse DNS: publish an A/AAAA "
                         "record for %s pointing to %s, or have the PTR changed to a name "
                         "that resolves to it.",
                         mtarep_rdns_result_ptr(r, 0) ? mtarep_rdns_result_ptr(r, 0) : "the PTR name",
                         ip);
        } else if (fc == MTAREP_UNKNOWN) {
            check_raise(c, CHECK_UNKNOWN);
            check_evidence(out, c, "forward lookup of the PTR name failed: %s",
                           err ? err : "no answer");
            check_advice(out, c, "%s", ADVICE_DNS_FAILED);
        } else {
            check_evidence(out, c, "forward-confirmed: %s resolves to %s",
                           mtarep_rdns_result_confirmed_name(r)
                               ? mtarep_rdns_result_confirmed_name(r) : ptrs, ip);
        }
        if (mtarep_rdns_result_generic(r)) {
            check_raise(c, CHECK_WARNING);
            check_evidence(out, c, "the PTR name looks generic (dynamic or residential)");
            check_advice(out, c,
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
        check_evidence(out, c, "%zu PTR names: one is best, some receivers look only at "
                       "the first", mtarep_rdns_result_ptr_count(r));
}

static void helo_check(const struct check_input *in, struct check_list *out,
                       const mtarep_rdns_result *r, const char *ptrs)
{
    struct check *c = check_add(out, "helo", CHECK_OK);
    mtarep_tristate m = mtarep_rdns_result_helo_match(r);
    mtarep_tristate res = mtarep_rdns_result_helo_resolves(r);
    const char *confirmed = mtarep_rdns_result_confirmed_name(r);
    const char *ip = mtarep_rdns_result_ip(r);
    const char *err = mtarep_rdns_result_error(r);

    if (m == MTAREP_YES) {
        check_evidence(out, c, "HELO %s matches the forward-confirmed PTR name", in->helo);
    } else if (m == MTAREP_NO) {
        check_raise(c, CHECK_PROBLEM);
        check_evidence(out, c, "HELO %s does not match the PTR name%s%s", in->helo,
                       *ptrs ? " " : " (there is none)", ptrs);
        if (confirmed && mtarep_rdns_result_generic(r))
            check_advice(out, c,
                         "Have the PTR changed to %s and make that name resolve to %s "
                         "(the current PTR name looks generic, so announcing it in "
                         "HELO/EHLO would not help much).",
                         in->helo, ip);
        else if (confirmed)
            check_advice(out, c,
                         "Announce the PTR name in HELO/EHLO (Postfix: smtp_helo_name = "
                         "%s; Exim: helo_data), or have the PTR changed to %s and make "
                         "that name resolve to %s.",
                         confirmed, in->helo, ip);
        else
            check_advice(out, c,
                         "Fix the reverse DNS first (see the rdns check), then announce "
                         "the PTR name in HELO/EHLO.");
    } else {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "could not compare HELO %s with the PTR: %s", in->helo,
                       err ? err : "DNS failed");
        check_advice(out, c, "%s", ADVICE_DNS_FAILED);
    }
    if (res == MTAREP_YES)
        check_evidence(out, c, "HELO %s resolves to %s", in->helo, ip);
    else if (res == MTAREP_NO)
        check_evidence(out, c, "HELO %s does not resolve to %s", in->helo, ip);
    else
        check_evidence(out, c, "could not resolve HELO %s", in->helo);
    if (res == MTAREP_NO && m != MTAREP_NO)
        check_raise(c, CHECK_WARNING);
}

int check_build_rdns(const struct check_input *in, struct check_list *out)
{
    mtarep_rdns_result *r = NULL;
    char *ptrs;
    int rc = mtarep_rdns_check(&r, in->ctx, in->ip, in->helo);

    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "rdns");
    if (rc) {
        /* Not a verdict: report it as a check that could not be done. */
        struct check *c = check_add(out, "rdns", CHECK_UNKNOWN);
        check_evidence(out, c, "rDNS check failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        if (in->helo) {
            c = check_add(out, "helo", CHECK_UNKNOWN);
            check_evidence(out, c, "not checked: the rDNS check failed");
        }
        return 0;
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
    mtarep_rdns_result_free(r);
    return 0;
}
