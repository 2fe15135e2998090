/* mtarep check: "dmarc" (with --domain): the DMARC policy that applies to
 * the domain (exact name or RFC 9989 tree walk) and its validity. */
#include "precheck_int.h"

#include <stdio.h>
#include <string.h>

void mtarep__pc_dmarc(const pc_input *in, pc_list *out, int rc, const mtarep_dmarc_result *r)
{
    pc_check *c;
    mtarep_auth_verdict v;

    c = pc_add(out, "dmarc", PC_OK);
    if (rc) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "DMARC lookup failed: %s", mtarep_strerror(rc));
        return;
    }
    v = mtarep_dmarc_result_verdict(r);
    switch (v) {
    case MTAREP_AUTH_NONE:
        pc_raise(c, PC_PROBLEM);
        pc_evidence(out, c, "no DMARC record for %s", in->domain);
        pc_advice(out, c, "Publish a DMARC record, e.g. \"v=DMARC1; p=none; "
                     "rua=mailto:dmarc-reports@%s\" at _dmarc.%s; read the reports, then "
                     "move to p=quarantine and p=reject. Large receivers expect DMARC from "
                     "bulk senders.",
                     mtarep_dmarc_result_org_domain(r) ? mtarep_dmarc_result_org_domain(r)
                                                       : in->domain,
                     mtarep_dmarc_result_org_domain(r) ? mtarep_dmarc_result_org_domain(r)
                                                       : in->domain);
        return;
    case MTAREP_AUTH_UNKNOWN:
        pc_raise(c, PC_UNKNOWN);
        break;
    case MTAREP_AUTH_INVALID:
        pc_raise(c, PC_PROBLEM);
        pc_advice(out, c, "The DMARC record is unusable: receivers ignore it or apply "
                     "no policy. Fix it (`mtarep dmarc --domain %s` lists the problems).",
                     in->domain);
        break;
    case MTAREP_AUTH_WARNING:
        pc_raise(c, PC_WARNING);
        pc_advice(out, c, "Receivers will apply the DMARC record differently from what "
                     "it seems to say: see the warnings (`mtarep dmarc --domain %s`).",
                     in->domain);
        break;
    default:
        break;
    }
    if (mtarep_dmarc_result_record(r))
        pc_evidence(out, c, "DMARC of %s (%s at _dmarc.%s): %s", in->domain,
                       mtarep_dmarc_result_rule(r) ? mtarep_dmarc_result_rule(r) : "found",
                       mtarep_dmarc_result_policy_domain(r) ? mtarep_dmarc_result_policy_domain(r)
                                                            : in->domain,
                       mtarep_dmarc_result_record(r));
    if (mtarep_dmarc_result_policy(r))
        pc_evidence(out, c, "policy: %s", mtarep_dmarc_result_policy(r));
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++) {
        mtarep_auth_severity s = mtarep_dmarc_result_problem_severity(r, i);
        if (s == MTAREP_AUTH_INFO)
            pc_advice(out, c, "%s.", mtarep_dmarc_result_problem_message(r, i));
        else
            pc_evidence(out, c, "%s: %s", mtarep_auth_severity_name(s),
                           mtarep_dmarc_result_problem_message(r, i));
    }
}
