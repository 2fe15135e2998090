/* DKIM and DMARC part of the shared interface (%included from mtarep.i):
 * ctx.dkim_validate(record), ctx.dkim_fetch(domain, selector) -> dict
 *   {verdict, problems [{severity, message, offset (None)}], key_type,
 *    key_bits, testing, revoked, record, name, selector};
 * ctx.dkim_discover(domain, selectors=None) -> dict {found, undecided,
 *   selectors [dict as above, one per selector tried]};
 * ctx.dmarc_validate(record), ctx.dmarc_fetch(domain) -> dict
 *   {verdict, problems, policy, record, policy_domain, rule, org_domain,
 *    tags {name: value}}.
 * verdict: valid, warning, invalid, none (no record), unknown (DNS failed). */

%{
static int mtarep_b_auth_problem(mtarep_bval *list, int sev, const char *msg, long off)
{
    mtarep_bval p;
    if (mtarep_b_dict(&p) < 0)
        return -1;
    if (mtarep_b_set_str(&p, "severity", mtarep_auth_severity_name((mtarep_auth_severity)sev)) < 0 ||
        mtarep_b_set_str(&p, "message", msg) < 0 ||
        (off >= 0 ? mtarep_b_set_int(&p, "offset", off) : mtarep_b_set_str(&p, "offset", NULL)) < 0) {
        mtarep_b_drop(&p);
        return -1;
    }
    return mtarep_b_push_val(list, &p);
}

static int mtarep_b_dkim_result(mtarep_bval *d, const mtarep_dkim_result *r)
{
    mtarep_bval pl;
    unsigned bits = mtarep_dkim_result_key_bits(r);

    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "verdict", mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r))) < 0 ||
        mtarep_b_set_str(d, "key_type", mtarep_dkim_result_key_type(r)) < 0 ||
        (bits ? mtarep_b_set_int(d, "key_bits", (long)bits) : mtarep_b_set_str(d, "key_bits", NULL)) < 0 ||
        mtarep_b_set_bool(d, "testing", mtarep_dkim_result_testing(r)) < 0 ||
        mtarep_b_set_bool(d, "revoked", mtarep_dkim_result_revoked(r)) < 0 ||
        mtarep_b_set_str(d, "record", mtarep_dkim_result_record(r)) < 0 ||
        mtarep_b_set_str(d, "name", mtarep_dkim_result_name(r)) < 0 ||
        mtarep_b_set_str(d, "selector", mtarep_dkim_result_selector(r)) < 0)
        goto fail;
    if (mtarep_b_list(&pl) < 0)
        goto fail;
    for (size_t i = 0; i < mtarep_dkim_result_problem_count(r); i++)
        if (mtarep_b_auth_problem(&pl, mtarep_dkim_result_problem_severity(r, i),
                                  mtarep_dkim_result_problem_message(r, i),
                                  mtarep_dkim_result_problem_offset(r, i)) < 0) {
            mtarep_b_drop(&pl);
            goto fail;
        }
    if (mtarep_b_set_val(d, "problems", &pl) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

static int mtarep_b_dkim_discovery(mtarep_bval *d, const mtarep_dkim_discovery *x)
{
    mtarep_bval l;
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_int(d, "found", (long)mtarep_dkim_discovery_found(x)) < 0 ||
        mtarep_b_set_int(d, "undecided", (long)mtarep_dkim_discovery_undecided(x)) < 0 ||
        mtarep_b_list(&l) < 0)
        goto fail;
    for (size_t i = 0; i < mtarep_dkim_discovery_count(x); i++) {
        mtarep_bval e;
        if (mtarep_b_dkim_result(&e, mtarep_dkim_discovery_result(x, i)) < 0 ||
            mtarep_b_push_val(&l, &e) < 0) {
            mtarep_b_drop(&l);
            goto fail;
        }
    }
    if (mtarep_b_set_val(d, "selectors", &l) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

static int mtarep_b_dmarc_result(mtarep_bval *d, const mtarep_dmarc_result *r)
{
    static const char *const tags[] = {"v", "p", "sp", "np", "adkim", "aspf", "pct", "fo",
                                       "rf", "ri", "rua", "ruf", "psd", "t"};
    mtarep_bval pl, t;

    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "verdict", mtarep_auth_verdict_name(mtarep_dmarc_result_verdict(r))) < 0 ||
        mtarep_b_set_str(d, "policy", mtarep_dmarc_result_policy(r)) < 0 ||
        mtarep_b_set_str(d, "record", mtarep_dmarc_result_record(r)) < 0 ||
        mtarep_b_set_str(d, "policy_domain", mtarep_dmarc_result_policy_domain(r)) < 0 ||
        mtarep_b_set_str(d, "rule", mtarep_dmarc_result_rule(r)) < 0 ||
        mtarep_b_set_str(d, "org_domain", mtarep_dmarc_result_org_domain(r)) < 0)
        goto fail;
    if (mtarep_b_dict(&t) < 0)
        goto fail;
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
        if (mtarep_dmarc_result_tag(r, tags[i]) &&
            mtarep_b_set_str(&t, tags[i], mtarep_dmarc_result_tag(r, tags[i])) < 0) {
            mtarep_b_drop(&t);
            goto fail;
        }
    if (mtarep_b_set_val(d, "tags", &t) < 0 || mtarep_b_list(&pl) < 0)
        goto fail;
    for (size_t i = 0; i < mtarep_dmarc_result_problem_count(r); i++)
        if (mtarep_b_auth_problem(&pl, mtarep_dmarc_result_problem_severity(r, i),
                                  mtarep_dmarc_result_problem_message(r, i),
                                  mtarep_dmarc_result_problem_offset(r, i)) < 0) {
            mtarep_b_drop(&pl);
            goto fail;
        }
    if (mtarep_b_set_val(d, "problems", &pl) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}
%}

%typemap(out, phptype="array") mtarep_status b_dkim_validate, mtarep_status b_dkim_fetch,
                               mtarep_status b_dkim_discover, mtarep_status b_dmarc_validate,
                               mtarep_status b_dmarc_fetch MTAREP_B_STATUS_OUT
MTAREP_B_ARGOUT(mtarep_dkim_result, mtarep_b_dkim_result, mtarep_dkim_result_free)
MTAREP_B_ARGOUT(mtarep_dkim_discovery, mtarep_b_dkim_discovery, mtarep_dkim_discovery_free)
MTAREP_B_ARGOUT(mtarep_dmarc_result, mtarep_b_dmarc_result, mtarep_dmarc_result_free)

%rename(dkim_validate) mtarep_ctx::b_dkim_validate;
%rename(dkim_fetch) mtarep_ctx::b_dkim_fetch;
%rename(dkim_discover) mtarep_ctx::b_dkim_discover;
%rename(dmarc_validate) mtarep_ctx::b_dmarc_validate;
%rename(dmarc_fetch) mtarep_ctx::b_dmarc_fetch;

%extend mtarep_ctx {
  mtarep_status b_dkim_validate(mtarep_dkim_result **out, const char *record) {
    return mtarep_dkim_validate(out, $self, record, record ? strlen(record) : 0);
  }
  mtarep_status b_dkim_fetch(mtarep_dkim_result **out, const char *domain, const char *selector) {
    return mtarep_dkim_fetch(out, $self, domain, selector, NULL);
  }
  /* zones = the selectors to try; NULL (None/null): the built-in list. */
  mtarep_status b_dkim_discover(mtarep_dkim_discovery **out, const char *domain,
                                const char *const *zones = NULL, size_t nzones = 0) {
    mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;
    if (zones) {
      o.selectors = zones;
      o.selector_count = nzones;
    }
    return mtarep_dkim_discover(out, $self, domain, &o);
  }
  mtarep_status b_dmarc_validate(mtarep_dmarc_result **out, const char *record) {
    return mtarep_dmarc_validate(out, $self, record, record ? strlen(record) : 0);
  }
  mtarep_status b_dmarc_fetch(mtarep_dmarc_result **out, const char *domain) {
    return mtarep_dmarc_fetch(out, $self, domain, NULL);
  }
}
