/* mtarep check: "spf" (with --domain): does the domain's SPF authorise the
 * IP, and is its record tree valid? */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int check_build_spf(const struct check_input *in, struct check_list *out)
{
    mtarep_spf_result *ev = NULL, *tree = NULL;
    struct check *c;
    char sender[300];
    mtarep_spf_verdict v;
    int rc;

    if (!in->domain)
        return 0;
    snprintf(sender, sizeof sender, "postmaster@%s", in->domain);
    rc = mtarep_spf_check(&ev, in->ctx, in->ip, sender, in->helo, NULL);
    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "spf");
    c = check_add(out, "spf", CHECK_OK);
    if (rc) {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "SPF check failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        return 0;
    }
    v = mtarep_spf_result_verdict(ev);
    check_evidence(out, c, "SPF of %s for %s: %s (%u DNS lookups)", in->domain, in->ip,
                   mtarep_spf_verdict_name(v), mtarep_spf_result_lookups(ev));
    if (mtarep_spf_result_node_record(ev, 0))
        check_evidence(out, c, "record: %s", mtarep_spf_result_node_record(ev, 0));
    if (mtarep_spf_result_reason(ev) && v != MTAREP_SPF_PASS)
        check_evidence(out, c, "reason: %s", mtarep_spf_result_reason(ev));
    switch (v) {
    case MTAREP_SPF_PASS:
        break;
    case MTAREP_SPF_FAIL:
    case MTAREP_SPF_SOFTFAIL:
        check_raise(c, CHECK_PROBLEM);
        check_advice(out, c,
                     "%s's SPF does not authorise %s, so receivers %s mail from it: add the "
                     "address to the record (e.g. ip%c:%s) or to a domain it includes.",
                     in->domain, in->ip, v == MTAREP_SPF_FAIL ? "may reject" : "may mark",
                     strchr(in->ip, ':') ? '6' : '4', in->ip);
        break;
    case MTAREP_SPF_PERMERROR:
        check_raise(c, CHECK_PROBLEM);
        check_advice(out, c, "The SPF record is broken (%s); receivers treat it as an error. "
                     "Run `mtarep spf --domain %s` to see the tree and fix it.",
                     mtarep_spf_result_reason(ev) ? mtarep_spf_result_reason(ev) : "permerror",
                     in->domain);
        break;
    case MTAREP_SPF_TEMPERROR:
        check_raise(c, CHECK_UNKNOWN);
        check_advice(out, c, "The SPF lookups got no answer, so this could not be judged; "
                     "re-run when DNS answers.");
        break;
    case MTAREP_SPF_NONE:
        check_raise(c, CHECK_WARNING);
        check_advice(out, c, "%s publishes no SPF record: publish one, e.g. \"v=spf1 "
                     "ip%c:%s -all\", so receivers can authorise this server.", in->domain,
                     strchr(in->ip, ':') ? '6' : '4', in->ip);
        break;
    default: /* neutral */
        check_raise(c, CHECK_WARNING);
        check_advice(out, c, "The SPF result is neutral: the record neither authorises nor "
                     "refuses %s. Authorise it explicitly and end the record with -all or "
                     "~all.", in->ip);
        break;
    }
    /* validation warnings over the whole tree */
    rc = mtarep_spf_inspect(&tree, in->ctx, in->domain, NULL);
    if (rc == MTAREP_OK && mtarep_spf_result_verdict(tree) != MTAREP_SPF_NONE) {
        size_t n = mtarep_spf_result_warning_count(tree);
        for (size_t i = 0; i < n; i++)
            check_evidence(out, c, "warning: %s", mtarep_spf_result_warning(tree, i));
        if (n) {
            check_raise(c, CHECK_WARNING);
            check_advice(out, c, "Run `mtarep spf --domain %s` for the full tree and "
                         "warnings.", in->domain);
        }
    }
    mtarep_spf_result_free(tree);
    mtarep_spf_result_free(ev);
    return 0;
}
