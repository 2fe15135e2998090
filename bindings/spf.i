/* SPF part of the shared interface (%included at the end of mtarep.i):
 * ctx.spf_check(ip, sender, helo=None), ctx.spf_inspect(domain) and
 * ctx.spf_validate(record), each returning one dict:
 *   result, valid, explanation, reason, error_offset (None if none),
 *   lookups, void_lookups, warnings [str], tree [{domain, via, parent
 *   (None for the root), record, lookups, lookups_total, void_lookups,
 *   error}]. */

%{
static int mtarep_b_spf_result(mtarep_bval *d, const mtarep_spf_result *r)
{
    mtarep_bval tree;
    long off = mtarep_spf_result_error_offset(r);

    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "result", mtarep_spf_verdict_name(mtarep_spf_result_verdict(r))) < 0 ||
        mtarep_b_set_bool(d, "valid", mtarep_spf_result_valid(r)) < 0 ||
        mtarep_b_set_str(d, "explanation", mtarep_spf_result_explanation(r)) < 0 ||
        mtarep_b_set_str(d, "reason", mtarep_spf_result_reason(r)) < 0 ||
        mtarep_b_set_int(d, "lookups", (long)mtarep_spf_result_lookups(r)) < 0 ||
        mtarep_b_set_int(d, "void_lookups", (long)mtarep_spf_result_void_lookups(r)) < 0)
        goto fail;
    if (off >= 0 ? mtarep_b_set_int(d, "error_offset", off) < 0
                 : mtarep_b_set_str(d, "error_offset", NULL) < 0)
        goto fail;
    MTAREP_B_SET_LIST(d, "warnings", mtarep_spf_result_warning_count(r),
                      mtarep_spf_result_warning(r, i_));
    if (mtarep_b_list(&tree) < 0)
        goto fail;
    for (size_t i = 0; i < mtarep_spf_result_node_count(r); i++) {
        mtarep_bval n;
        long p = mtarep_spf_result_node_parent(r, i);
        if (mtarep_b_dict(&n) < 0) {
            mtarep_b_drop(&tree);
            goto fail;
        }
        if (mtarep_b_set_str(&n, "domain", mtarep_spf_result_node_domain(r, i)) < 0 ||
            mtarep_b_set_str(&n, "via", mtarep_spf_result_node_via(r, i)) < 0 ||
            (p >= 0 ? mtarep_b_set_int(&n, "parent", p) : mtarep_b_set_str(&n, "parent", NULL)) < 0 ||
            mtarep_b_set_str(&n, "record", mtarep_spf_result_node_record(r, i)) < 0 ||
            mtarep_b_set_int(&n, "lookups", (long)mtarep_spf_result_node_lookups(r, i)) < 0 ||
            mtarep_b_set_int(&n, "lookups_total",
                             (long)mtarep_spf_result_node_lookups_total(r, i)) < 0 ||
            mtarep_b_set_int(&n, "void_lookups",
                             (long)mtarep_spf_result_node_void_lookups(r, i)) < 0 ||
            mtarep_b_set_str(&n, "error", mtarep_spf_result_node_error(r, i)) < 0) {
            mtarep_b_drop(&n);
            mtarep_b_drop(&tree);
            goto fail;
        }
        if (mtarep_b_push_val(&tree, &n) < 0) {
            mtarep_b_drop(&tree);
            goto fail;
        }
    }
    if (mtarep_b_set_val(d, "tree", &tree) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}
%}

%typemap(out, phptype="array") mtarep_status b_spf_check, mtarep_status b_spf_inspect,
                               mtarep_status b_spf_validate MTAREP_B_STATUS_OUT
MTAREP_B_ARGOUT(mtarep_spf_result, mtarep_b_spf_result, mtarep_spf_result_free)

%rename(spf_check) mtarep_ctx::b_spf_check;
%rename(spf_inspect) mtarep_ctx::b_spf_inspect;
%rename(spf_validate) mtarep_ctx::b_spf_validate;

%extend mtarep_ctx {
  /* sender "" or NULL: the HELO identity (postmaster@helo). */
  mtarep_status b_spf_check(mtarep_spf_result **out, const char *ip, const char *sender,
                            const char *helo = NULL) {
    return mtarep_spf_check(out, $self, ip, sender, helo, NULL);
  }
  mtarep_status b_spf_inspect(mtarep_spf_result **out, const char *domain) {
    return mtarep_spf_inspect(out, $self, domain, NULL);
  }
  mtarep_status b_spf_validate(mtarep_spf_result **out, const char *record) {
    return mtarep_spf_validate(out, $self, record, record ? strlen(record) : 0);
  }
}
