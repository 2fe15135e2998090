/* mtarep check: "spf" (with --domain): does the domain's SPF authorise the
 * IP, and is its record tree valid? */
#include "precheck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mtarep__pc_spf(const pc_input *in, pc_list *out, int rc, const mtarep_spf_result *ev,
                    int trc, const mtarep_spf_result *tree)
{
    pc_check *c;
    mtarep_spf_verdict v;

    c = pc_add(out, "spf", PC_OK);
    if (rc) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "SPF check failed: %s", mtarep_strerror(rc));
        return;
    }
    v = mtarep_spf_result_verdict(ev);
    pc_evidence(out, c, "SPF of %s for %s: %s (%u DNS lookups)", in->domain, in->ip,
                   mtarep_spf_verdict_name(v), mtarep_spf_result_lookups(ev));
    if (mtarep_spf_result_node_record(ev, 0))
        pc_evidence(out, c, "record: %s", mtarep_spf_result_node_record(ev, 0));
    if (mtarep_spf_result_reason(ev) && v != MTAREP_SPF_PASS)
        pc_evidence(out, c, "reason: %s", mtarep_spf_result_reason(ev));
    switch (v) {
    case MTAREP_SPF_PASS:
        break;
    case MTAREP_SPF_FAIL:
    case MTAREP_SPF_SOFTFAIL:
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c,
                     "%s's SPF does not authorise %s, so receivers %s mail from it: add the "
                     "address to the record (e.g. ip%c:%s) or to a domain it includes.",
                     in->domain, in->ip, v == MTAREP_SPF_FAIL ? "may reject" : "may mark",
                     strchr(in->ip, ':') ? '6' : '4', in->ip);
        break;
    case MTAREP_SPF_PERMERROR:
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "The SPF record is broken (%s); receivers treat it as an error. "
                     "Run `mtarep spf --domain %s` to see the tree and fix it.",
                     mtarep_spf_result_reason(ev) ? mtarep_spf_result_reason(ev) : "permerror",
                     in->domain);
        break;
    case MTAREP_SPF_TEMPERROR:
        pc_raise(c, PC_UNKNOWN);
        pc_advice(out, c, "The SPF lookups got no answer, so this could not be judged; "
                     "re-run when DNS answers.");
        break;
    case MTAREP_SPF_NONE:
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "%s publishes no SPF record: publish one, e.g. \"v=spf1 "
                     "ip%c:%s -all\", so receivers can authorise this server.", in->domain,
                     strchr(in->ip, ':') ? '6' : '4', in->ip);
        break;
    default: /* neutral */
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "The SPF result is neutral: the record neither authorises nor "
                     "refuses %s. Authorise it explicitly and end the record with -all or "
                     "~all.", in->ip);
        break;
    }
    /* The tree fetches includes the evaluation may never reach (it stops
     * at the first match): what it could not fetch was not validated. */
    if (trc != MTAREP_OK || !tree) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "the SPF record tree could not be checked: %s",
                    mtarep_strerror(trc ? trc : MTAREP_ENOMEM));
    } else if (mtarep_spf_result_verdict(tree) == MTAREP_SPF_TEMPERROR) {
        pc_raise(c, PC_UNKNOWN);
        for (size_t i = 0; i < mtarep_spf_result_node_count(tree); i++)
            if (mtarep_spf_result_node_error(tree, i))
                pc_evidence(out, c, "tree: %s: %s", mtarep_spf_result_node_domain(tree, i),
                            mtarep_spf_result_node_error(tree, i));
        pc_advice(out, c, "Some lookups of the SPF record tree got no answer, so it could "
                  "not be fully validated; re-run when DNS answers.");
    }
    /* validation warnings over the whole tree */
    if (trc == MTAREP_OK && tree && mtarep_spf_result_verdict(tree) != MTAREP_SPF_NONE) {
        size_t n = mtarep_spf_result_warning_count(tree);
        for (size_t i = 0; i < n; i++)
            pc_evidence(out, c, "warning: %s", mtarep_spf_result_warning(tree, i));
        if (n) {
            pc_raise(c, PC_WARNING);
            pc_advice(out, c, "Run `mtarep spf --domain %s` for the full tree and "
                         "warnings.", in->domain);
        }
    }
}
