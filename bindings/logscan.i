/* Log scanner and SMTP reply classifier part of the shared interface
 * (%included from mtarep.i). Module-level, no context:
 *   classify(text) -> {category, receiver, blocklist, advice, code,
 *                      enhanced_code, rule}   (None for absent fields)
 *   logscan(paths, format="auto", since=None, exclude_relays=None)
 *     -> {format, totals: COUNTS, domains: {domain: COUNTS}, relays: {...}}
 *   COUNTS = {sent, deferred, bounced, expired, deferred_recipients, expired_recipients,
 *             bounced_by_cause: {category: n}, deferred_by_cause: {...}}
 * Python names: classify, logscan (in mtarep._capi); PHP: mtarep_classify,
 * mtarep_logscan. Bad input raises (InvalidInput / ValueError). */

%{
typedef struct mtarep_b_reply {
    int rc;
    mtarep_smtpreply_info info;
} mtarep_b_reply;

static mtarep_b_reply mtarep_b_classify(const char *text)
{
    mtarep_b_reply r;
    r.rc = mtarep_smtpreply_classify(&r.info, text);
    return r;
}

static int mtarep_b_reply_dict(mtarep_bval *d, const mtarep_smtpreply_info *i)
{
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "category", mtarep_smtpreply_category_name(i->category)) < 0 ||
        mtarep_b_set_str(d, "receiver", i->receiver) < 0 ||
        mtarep_b_set_str(d, "blocklist", i->blocklist[0] ? i->blocklist : NULL) < 0 ||
        mtarep_b_set_str(d, "advice", i->advice) < 0 ||
        (i->code ? mtarep_b_set_int(d, "code", i->code) : mtarep_b_set_str(d, "code", NULL)) < 0 ||
        mtarep_b_set_str(d, "enhanced_code", i->enhanced[0] ? i->enhanced : NULL) < 0 ||
        mtarep_b_set_str(d, "rule", i->rule) < 0) {
        mtarep_b_drop(d);
        return -1;
    }
    return 0;
}

static int mtarep_b_causes(mtarep_bval *d, const char *key, const unsigned long long *v)
{
    mtarep_bval c;
    if (mtarep_b_dict(&c) < 0)
        return -1;
    for (int k = 0; k < MTAREP_SMTPREPLY_NCATEGORIES; k++) {
        if (mtarep_b_set_int(&c, mtarep_smtpreply_category_name((mtarep_smtpreply_category)k),
                             (long)v[k]) < 0) {
            mtarep_b_drop(&c);
            return -1;
        }
    }
    return mtarep_b_set_val(d, key, &c);
}

static int mtarep_b_counts(mtarep_bval *d, const mtarep_logscan_counts *c)
{
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_int(d, "sent", (long)c->sent) < 0 ||
        mtarep_b_set_int(d, "deferred", (long)c->deferred) < 0 ||
        mtarep_b_set_int(d, "bounced", (long)c->bounced) < 0 ||
        mtarep_b_set_int(d, "expired", (long)c->expired) < 0 ||
        mtarep_b_set_int(d, "deferred_recipients", (long)c->deferred_recipients) < 0 ||
        mtarep_b_set_int(d, "expired_recipients", (long)c->expired_recipients) < 0 ||
        mtarep_b_causes(d, "bounced_by_cause", c->bounced_by_cause) < 0 ||
        mtarep_b_causes(d, "deferred_by_cause", c->deferred_by_cause) < 0) {
        mtarep_b_drop(d);
        return -1;
    }
    return 0;
}

/* rows of domains (relays = 0) or relays (1) as {name: COUNTS} */
static int mtarep_b_rows(mtarep_bval *d, const char *key, const mtarep_logscan *s, int relays)
{
    mtarep_bval rows;
    size_t n = relays ? mtarep_logscan_relay_count(s) : mtarep_logscan_domain_count(s);
    if (mtarep_b_dict(&rows) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        mtarep_logscan_counts c;
        mtarep_bval row;
        const char *name = relays ? mtarep_logscan_relay(s, i, &c) : mtarep_logscan_domain(s, i, &c);
        if (mtarep_b_counts(&row, &c) < 0 || mtarep_b_set_val(&rows, name, &row) < 0) {
            mtarep_b_drop(&rows);
            return -1;
        }
    }
    return mtarep_b_set_val(d, key, &rows);
}

typedef struct mtarep_b_scan {
    int rc;
    char errmsg[300];
    mtarep_logscan *s;
} mtarep_b_scan;

static mtarep_b_scan mtarep_b_logscan(const char *const *paths, size_t npaths,
                                      const char *format, const char *since,
                                      const char *exclude_relays)
{
    mtarep_b_scan r;
    mtarep_logscan_options o;
    memset(&r, 0, sizeof r);
    mtarep_logscan_options_init(&o, MTAREP_LOGSCAN_OPTIONS_VERSION);
    if (!format || !strcmp(format, "auto"))
        o.format = MTAREP_LOGSCAN_AUTO;
    else if (!strcmp(format, "postfix"))
        o.format = MTAREP_LOGSCAN_POSTFIX;
    else if (!strcmp(format, "exim"))
        o.format = MTAREP_LOGSCAN_EXIM;
    else {
        r.rc = MTAREP_EINVAL;
        snprintf(r.errmsg, sizeof r.errmsg, "format must be auto, postfix or exim");
        return r;
    }
    if (since && mtarep_logscan_parse_time(&o.since, since) != MTAREP_OK) {
        r.rc = MTAREP_EINVAL;
        snprintf(r.errmsg, sizeof r.errmsg, "since: not a time (YYYY-MM-DD[THH:MM[:SS]])");
        return r;
    }
    o.exclude_relays = exclude_relays;
    if ((r.rc = mtarep_logscan_new(&r.s, &o)) != MTAREP_OK) {
        snprintf(r.errmsg, sizeof r.errmsg, "bad options");
        return r;
    }
    for (size_t i = 0; i < npaths; i++) {
        if ((r.rc = mtarep_logscan_file(r.s, paths[i])) != MTAREP_OK) {
            snprintf(r.errmsg, sizeof r.errmsg, "%s", mtarep_logscan_errmsg(r.s));
            return r;
        }
    }
    r.rc = mtarep_logscan_finish(r.s);
    return r;
}

static int mtarep_b_scan_dict(mtarep_bval *d, const mtarep_logscan *s)
{
    static const char *const fmt[] = {"unknown", "postfix", "exim"};
    mtarep_logscan_counts t;
    mtarep_bval tot;
    if (mtarep_b_dict(d) < 0)
        return -1;
    mtarep_logscan_totals(s, &t);
    if (mtarep_b_set_str(d, "format", fmt[mtarep_logscan_detected_format(s)]) < 0 ||
        mtarep_b_counts(&tot, &t) < 0)
        goto fail;
    if (mtarep_b_set_val(d, "totals", &tot) < 0 || mtarep_b_rows(d, "domains", s, 0) < 0 ||
        mtarep_b_rows(d, "relays", s, 1) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}
%}

%typemap(out, phptype="array") mtarep_b_reply {
  {
    mtarep_bval v_;
    if ($1.rc < 0) {
      mtarep_b_raise($1.rc, $1.rc == MTAREP_ELIMIT ? "reply text too long" : "empty reply text");
      SWIG_fail;
    }
    if (mtarep_b_reply_dict(&v_, &$1.info) < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}

%typemap(out, phptype="array") mtarep_b_scan {
  {
    mtarep_bval v_;
    int rc_ = $1.rc;
    if (rc_ < 0) {
      mtarep_b_raise(rc_, $1.errmsg);
      mtarep_logscan_free($1.s);
      SWIG_fail;
    }
    rc_ = mtarep_b_scan_dict(&v_, $1.s);
    mtarep_logscan_free($1.s);
    if (rc_ < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}

%apply (const char *const *queries, size_t nqueries) { (const char *const *paths, size_t npaths) };

typedef struct mtarep_b_reply mtarep_b_reply;
typedef struct mtarep_b_scan mtarep_b_scan;
#ifdef SWIGPHP
%rename(mtarep_classify) mtarep_b_classify;
%rename(mtarep_logscan) mtarep_b_logscan;
#else
%rename(classify) mtarep_b_classify;
%rename(logscan) mtarep_b_logscan;
#endif
/* pure CPU work, but a big log takes a while: release the GIL (default -threads) */
mtarep_b_reply mtarep_b_classify(const char *text);
mtarep_b_scan mtarep_b_logscan(const char *const *paths, size_t npaths, const char *format = "auto",
                               const char *since = NULL, const char *exclude_relays = NULL);
