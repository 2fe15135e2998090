/* mtarep check: "dkim" (with --domain): the DKIM keys at the --selector
 * names, or at the common selectors discovery finds, and their validity. */
#include "check.h"

#include <stdio.h>
#include <string.h>

int check_build_dkim(const struct check_input *in, struct check_list *out)
{
    mtarep_dkim_discovery *d = NULL;
    mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;
    struct check *c;
    size_t found, unknown;
    int rc;

    if (!in->domain)
        return 0;
    if (in->nselectors) {
        o.selectors = in->selectors;
        o.selector_count = in->nselectors;
    }
    rc = mtarep_dkim_discover(&d, in->ctx, in->domain, &o);
    if (rc == MTAREP_EINVAL)
        return cli_lib_error(in->cli, rc, "dkim");
    c = check_add(out, "dkim", CHECK_OK);
    if (rc) {
        check_raise(c, CHECK_UNKNOWN);
        check_evidence(out, c, "DKIM lookup failed: %s (%s)", mtarep_ctx_errmsg(in->ctx),
                       mtarep_error_name(rc));
        return 0;
    }
    found = mtarep_dkim_discovery_found(d);
    unknown = mtarep_dkim_discovery_undecided(d);
    for (size_t i = 0; i < mtarep_dkim_discovery_count(d); i++) {
        const mtarep_dkim_result *r = mtarep_dkim_discovery_result(d, i);
        mtarep_auth_verdict v = mtarep_dkim_result_verdict(r);
        const char *sel = mtarep_dkim_result_selector(r);
        if (v == MTAREP_AUTH_NONE) {
            if (in->nselectors) {
                check_raise(c, CHECK_PROBLEM);
                check_evidence(out, c, "no DKIM key at %s", mtarep_dkim_result_name(r));
                check_advice(out, c, "Publish the public key of selector %s at %s, or pass "
                             "the selector your signer uses.", sel, mtarep_dkim_result_name(r));
            }
            continue;
        }
        if (v == MTAREP_AUTH_UNKNOWN) {
            check_raise(c, CHECK_UNKNOWN);
            check_evidence(out, c, "selector %s: %s", sel,
                           mtarep_dkim_result_problem_message(r, 0));
            continue;
        }
        if (mtarep_dkim_result_key_type(r))
            check_evidence(out, c, "selector %s: %s key, %u bits: %s", sel,
                           mtarep_dkim_result_key_type(r), mtarep_dkim_result_key_bits(r),
                           mtarep_auth_verdict_name(v));
        else
            check_evidence(out, c, "selector %s: %s", sel, mtarep_auth_verdict_name(v));
        for (size_t k = 0; k < mtarep_dkim_result_problem_count(r); k++)
            check_evidence(out, c, "selector %s: %s: %s", sel,
                           mtarep_auth_severity_name(mtarep_dkim_result_problem_severity(r, k)),
                           mtarep_dkim_result_problem_message(r, k));
        if (v == MTAREP_AUTH_INVALID) {
            check_raise(c, CHECK_PROBLEM);
            check_advice(out, c, "The DKIM key at selector %s is unusable: receivers fail "
                         "every signature made with it. Fix the record (`mtarep dkim --domain "
                         "%s --selector %s`) or sign with another selector.",
                         sel, in->domain, sel);
        } else if (v == MTAREP_AUTH_WARNING) {
            check_raise(c, CHECK_WARNING);
            if (mtarep_dkim_result_key_type(r) && !strcmp(mtarep_dkim_result_key_type(r), "rsa") &&
                mtarep_dkim_result_key_bits(r) < 2048)
                check_advice(out, c, "Generate a 2048-bit RSA key (e.g. `openssl genpkey "
                             "-algorithm RSA -pkeyopt rsa_keygen_bits:2048`), publish it "
                             "under a new selector, switch the signer to it, then remove "
                             "selector %s.", sel);
            else
                check_advice(out, c, "See `mtarep dkim --domain %s --selector %s` for what "
                             "receivers will treat differently.", in->domain, sel);
        }
    }
    if (!found && !in->nselectors) {
        if (unknown) {
            check_raise(c, CHECK_UNKNOWN);
        } else {
            check_raise(c, CHECK_WARNING);
            check_evidence(out, c, "no DKIM key at any of %zu common selectors of %s",
                           mtarep_dkim_discovery_count(d), in->domain);
            check_advice(out, c, "No DKIM key was found under common selector names. If "
                         "you sign mail, pass your selector with --selector; if not, set up "
                         "DKIM signing: without it DMARC relies on SPF alone.");
        }
    }
    mtarep_dkim_discovery_free(d);
    return 0;
}
