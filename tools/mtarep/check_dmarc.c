/* mtarep check: "dmarc" (with --domain): the DMARC policy that applies to
 * the domain (exact name or RFC 9989 tree walk) and its validity. */
#include "check.h"

#include <stdio.h>
#include <string.h>

int check_build_dmarc(const struct check_input *in, struct check_list *out)
{
    mtarep_dmarc_result *r = NULL;
    struct check *c;
    mtarep_auth_verdict v;
    int rc;

    if (!in->domain)
        return 0;
    rc = mtarep_dmarc_fetch(&r, in->ctx, in->domain, NULL);
    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "dmarc");
    c = check_add(out, "dmarc", CHECK_OK);
    if (rc) {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "DMARC lookup failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        return 0;
    }
    v = mtarep_dmarc_result_verdict(r);
    switch (v) {
    case MTAREP_AUTH_NONE:
        check_raise(c, CHECK_PROBLEM);
        check_evidence(out, c, "no DMARC record for %s", in->domain);
        check_advice(out, c, "Publish a DMARC record, e.g. \"v=DMARC1; p=none; "
                     "rua=mailto:dmarc-reports@%s\" at _dmarc.%s; read the reports, then "
                     "move to p=quarantine and p=reject. Large receivers expect DMARC from "
                     "bulk senders.",
                     mtarep_dmarc_result_org_domain(r) ? mtarep_dmarc_result_org_domain(r)
                                                       : in->domain,
                     mtarep_dmarc_result_org_domain(r) ? mtarep_dmarc_result_org_domain(r)
                                                       : in->domain);
        mtarep_dmarc_result_free(r);
        return 0;
    case MTAREP_AUTH_UNKNOWN:
        check_raise(c, CHECK_UNKNOWN);
        break;
    case MTAREP_AUTH_INVALID:
        check_raise(c, CHECK_PROBLEM);
        check_advice(out, c, "The DMARC record is unusable: receivers ignore it or apply "
                     "no policy. Fix it (`mtarep dmarc --domain %s` lists the problems).",
                     in->domain);
        break;
    case MTAREP_AUTH_WARNING:
        check_raise(c, CHECK_WARNING);
        check_advice(out, c, "Receivers will apply the DMARC record differently from what "
                     "it seems to say: see the warnings (`mtarep dmarc --domain %s`).",
                     in->domain);
        break;
    default:
        break;
    }
    if (mtarep_dmarc_result_record(r))
        check_evidence(out, c, "DMARC of %s (%s at _dmarc.%s): %s", in->domain,
                       mtarep_dmarc_result_rule(r) ? mtarep_dmarc_result_rule(r) : "found",
                       mtarep_dmarc_result_policy_domain(r) ? mtarep_dmarc_result_policy_domain(r)
                                                            : in->domain,
                       mtarep_dmarc_result_record(r));
    if (mtarep_dmarc_result_policy(r))
        check_evidence(out, c, "policy: %s", mtarep_dmarc_result_policy(r));
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++) {
        mtarep_auth_severity s = mtarep_dmarc_result_problem_severity(r, i);
        if (s == MTAREP_AUTH_INFO)
            check_advice(out, c, "%s.", mtarep_dmarc_result_problem_message(r, i));
        else
            check_evidence(out, c, "%s: %s", mtarep_auth_severity_name(s),
                           mtarep_dmarc_result_problem_message(r, i));
    }
    mtarep_dmarc_result_free(r);
    return 0;
}
