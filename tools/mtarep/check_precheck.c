/* mtarep check: every library check in one concurrent mtarep_precheck()
 * call; its report (already in rejection-cause order) becomes the list. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static check_status from_lib(mtarep_precheck_status s)
{
    switch (s) {
    case MTAREP_PRECHECK_OK: return CHECK_OK;
    case MTAREP_PRECHECK_WARNING: return CHECK_WARNING;
    case MTAREP_PRECHECK_PROBLEM: return CHECK_PROBLEM;
    default: return CHECK_UNKNOWN;
    }
}

int check_build_precheck(const struct check_input *in, struct check_list *out)
{
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    mtarep_precheck_report *r = NULL;
    const char *ips[1] = {in->ip};
    int rc;

    o.selectors = in->selectors;
    o.selector_count = in->nselectors;
    o.zones = in->zones;
    o.zone_count = in->nzones;
    o.probe_mx = in->probe_mx;
    o.probe_from = in->probe_from;
    o.probe_rcpt = in->probe_rcpt;
    o.log_files = in->logs;
    o.log_file_count = in->nlogs;
    o.mailgun_key = in->mailgun_key;
    o.mailgun_region = in->mailgun_region;
    o.snds_key = in->snds_key;
    o.postmaster_token = in->postmaster_token;
    o.provider_base_url = in->provider_base_url;
    o.provider_ca_file = in->provider_ca_file;
    o.provider_timeout_ms = in->provider_timeout_ms;
    rc = mtarep_precheck(&r, in->ctx, ips, 1, in->domain, in->helo, &o);
    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "check");
    if (rc) {
        struct check *c = check_add(out, "precheck", CHECK_UNKNOWN);
        check_evidence(out, c, "the checks could not run: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        return 0;
    }
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        const mtarep_precheck_check *pc = mtarep_precheck_report_check(r, i);
        struct check *c = check_add(out, mtarep_precheck_check_name(pc),
                                    from_lib(mtarep_precheck_check_status(pc)));
        const char *subj = mtarep_precheck_check_subject(pc);
        if (!c)
            break;
        if (subj && !(c->subject = strdup(subj)))
            out->oom = 1;
        for (size_t k = 0; k < mtarep_precheck_check_evidence_count(pc); k++)
            check_evidence(out, c, "%s", mtarep_precheck_check_evidence(pc, k));
        if (mtarep_precheck_check_advice(pc))
            check_advice(out, c, "%s", mtarep_precheck_check_advice(pc));
    }
    mtarep_precheck_report_free(r);
    return 0;
}
