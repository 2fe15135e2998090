/* mtarep check: "dkim" (with --domain): the DKIM keys at the --selector
 * names, or at the common selectors discovery finds, and their validity. */
#include "precheck_int.h"

#include <stdio.h>
#include <string.h>

void mtarep__pc_dkim(const pc_input *in, pc_list *out, int rc, const mtarep_dkim_discovery *d)
{
    pc_check *c;
    size_t found, unknown;

    c = pc_add(out, "dkim", PC_OK);
    if (rc) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "DKIM lookup failed: %s", mtarep_strerror(rc));
        return;
    }
    found = mtarep_dkim_discovery_found(d);
    unknown = mtarep_dkim_discovery_undecided(d);
    for (size_t i = 0; i < mtarep_dkim_discovery_count(d); i++) {
        const mtarep_dkim_result *r = mtarep_dkim_discovery_result(d, i);
        mtarep_auth_verdict v = mtarep_dkim_result_verdict(r);
        const char *sel = mtarep_dkim_result_selector(r);
        if (v == MTAREP_AUTH_NONE) {
            if (in->nselectors) {
                pc_raise(c, PC_PROBLEM);
                pc_evidence(out, c, "no DKIM key at %s", mtarep_dkim_result_name(r));
                pc_advice(out, c, "Publish the public key of selector %s at %s, or pass "
                             "the selector your signer uses.", sel, mtarep_dkim_result_name(r));
            }
            continue;
        }
        if (v == MTAREP_AUTH_UNKNOWN) {
            pc_raise(c, PC_UNKNOWN);
            pc_evidence(out, c, "selector %s: %s", sel,
                           mtarep_dkim_result_problem_message(r, 0));
            continue;
        }
        if (mtarep_dkim_result_key_type(r))
            pc_evidence(out, c, "selector %s: %s key, %u bits: %s", sel,
                           mtarep_dkim_result_key_type(r), mtarep_dkim_result_key_bits(r),
                           mtarep_auth_verdict_name(v));
        else
            pc_evidence(out, c, "selector %s: %s", sel, mtarep_auth_verdict_name(v));
        for (size_t k = 0; k < mtarep_dkim_result_problem_count(r); k++)
            pc_evidence(out, c, "selector %s: %s: %s", sel,
                           mtarep_auth_severity_name(mtarep_dkim_result_problem_severity(r, k)),
                           mtarep_dkim_result_problem_message(r, k));
        if (v == MTAREP_AUTH_INVALID) {
            pc_raise(c, PC_PROBLEM);
            pc_advice(out, c, "The DKIM key at selector %s is unusable: receivers fail "
                         "every signature made with it. Fix the record (`mtarep dkim --domain "
                         "%s --selector %s`) or sign with another selector.",
                         sel, in->domain, sel);
        } else if (v == MTAREP_AUTH_WARNING) {
            pc_raise(c, PC_WARNING);
            if (mtarep_dkim_result_key_type(r) && !strcmp(mtarep_dkim_result_key_type(r), "rsa") &&
                mtarep_dkim_result_key_bits(r) < 2048)
                pc_advice(out, c, "Generate a 2048-bit RSA key (e.g. `openssl genpkey "
                             "-algorithm RSA -pkeyopt rsa_keygen_bits:2048`), publish it "
                             "under a new selector, switch the signer to it, then remove "
                             "selector %s.", sel);
            else
                pc_advice(out, c, "See `mtarep dkim --domain %s --selector %s` for what "
                             "receivers will treat differently.", in->domain, sel);
        }
    }
    if (!found && !in->nselectors) {
        if (unknown) {
            pc_raise(c, PC_UNKNOWN);
        } else {
            pc_raise(c, PC_WARNING);
            pc_evidence(out, c, "no DKIM key at any of %zu common selectors of %s",
                           mtarep_dkim_discovery_count(d), in->domain);
            pc_advice(out, c, "No DKIM key was found under common selector names. If "
                         "you sign mail, pass your selector with --selector; if not, set up "
                         "DKIM signing: without it DMARC relies on SPF alone.");
        }
    }
}
