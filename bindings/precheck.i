/* Precheck part of the shared interface (%included at the end of mtarep.i):
 * ctx.precheck(ips, domain, helo, selectors, zones, log_files, probe_mx,
 *              mailgun_key, mailgun_region, snds_key, postmaster_token,
 *              provider_base_url, provider_ca_file, provider_timeout_ms)
 * returning one dict: verdict (ok|warning|problem|unknown), checks [{name,
 * subject, status, evidence [str], advice (None if nothing to do)}], most
 * likely rejection cause first (docs/precheck.md). */

%{
static int mtarep_b_precheck_check(mtarep_bval *d, const mtarep_precheck_check *c)
{
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "name", mtarep_precheck_check_name(c)) < 0 ||
        mtarep_b_set_str(d, "subject", mtarep_precheck_check_subject(c)) < 0 ||
        mtarep_b_set_str(d, "status",
                         mtarep_precheck_status_name(mtarep_precheck_check_status(c))) < 0 ||
        mtarep_b_set_str(d, "advice", mtarep_precheck_check_advice(c)) < 0)
        goto fail;
    MTAREP_B_SET_LIST(d, "evidence", mtarep_precheck_check_evidence_count(c),
                      mtarep_precheck_check_evidence(c, i_));
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

static int mtarep_b_precheck_report(mtarep_bval *d, const mtarep_precheck_report *r)
{
    mtarep_bval checks;

    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "verdict",
                         mtarep_precheck_status_name(mtarep_precheck_report_verdict(r))) < 0 ||
        mtarep_b_list(&checks) < 0)
        goto fail;
    for (size_t i = 0; i < mtarep_precheck_report_count(r); i++) {
        mtarep_bval cd;
        if (mtarep_b_precheck_check(&cd, mtarep_precheck_report_check(r, i)) < 0) {
            mtarep_b_drop(&checks);
            goto fail;
        }
        if (mtarep_b_push_val(&checks, &cd) < 0) {
            mtarep_b_drop(&checks);
            goto fail;
        }
    }
    if (mtarep_b_set_val(d, "checks", &checks) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}
%}

%typemap(out, phptype="array") mtarep_status b_precheck MTAREP_B_STATUS_OUT
MTAREP_B_ARGOUT(mtarep_precheck_report, mtarep_b_precheck_report, mtarep_precheck_report_free)
/* the lists: None/null or a non-empty sequence of str, like zones */
%apply (const char *const *zones, size_t nzones) {
  (const char *const *selectors, size_t nselectors),
  (const char *const *log_files, size_t nlog_files)
};

%rename(precheck) mtarep_ctx::b_precheck;

%extend mtarep_ctx {
  mtarep_status b_precheck(mtarep_precheck_report **out, const char *const *queries,
                           size_t nqueries, const char *domain = NULL, const char *helo = NULL,
                           const char *const *selectors = NULL, size_t nselectors = 0,
                           const char *const *zones = NULL, size_t nzones = 0,
                           const char *const *log_files = NULL, size_t nlog_files = 0,
                           const char *probe_mx = NULL, const char *mailgun_key = NULL,
                           const char *mailgun_region = NULL, const char *snds_key = NULL,
                           const char *postmaster_token = NULL,
                           const char *provider_base_url = NULL,
                           const char *provider_ca_file = NULL,
                           unsigned int provider_timeout_ms = 0) {
    mtarep_precheck_options o = MTAREP_PRECHECK_OPTIONS_INIT;
    o.selectors = selectors;
    o.selector_count = nselectors;
    o.zones = zones;
    o.zone_count = nzones;
    o.log_files = log_files;
    o.log_file_count = nlog_files;
    o.probe_mx = probe_mx;
    /* NULL (None / null) or "": that provider is not asked */
    o.mailgun_key = mailgun_key && *mailgun_key ? mailgun_key : NULL;
    o.mailgun_region = mailgun_region && *mailgun_region ? mailgun_region : NULL;
    o.snds_key = snds_key && *snds_key ? snds_key : NULL;
    o.postmaster_token = postmaster_token && *postmaster_token ? postmaster_token : NULL;
    o.provider_base_url = provider_base_url && *provider_base_url ? provider_base_url : NULL;
    o.provider_ca_file = provider_ca_file && *provider_ca_file ? provider_ca_file : NULL;
    o.provider_timeout_ms = provider_timeout_ms;
    return mtarep_precheck(out, $self, queries, nqueries, domain, helo, &o);
  }
}
