/* Shared SWIG interface of libmtarep: what every binding exposes.
 *
 * Included by bindings/python/mtarep_python.i and bindings/php/mtarep_php.i
 * after they declare %module and their language layer:
 *   mtarep_bval                      a native value under construction
 *   mtarep_b_dict/list(v)            start a dict (assoc. array) / list
 *   mtarep_b_set_str/tri/bool/int    dict[key] = scalar (NULL string -> None/null)
 *   mtarep_b_set_val(d, key, v)      dict[key] = v; always consumes v
 *   mtarep_b_push_str/push_val       append to a list; push_val consumes v
 *   mtarep_b_drop(v)                 release a value under construction
 *   mtarep_b_raise(code, detail)     set the pending exception for a C code
 *   MTAREP_B_RETURN(result, v)       hand v back as (part of) the return value
 *   MTAREP_B_RESULT_PTR(result)      the wrapper's result as mtarep_bval *
 *   typemaps for (const char *const *queries, size_t nqueries) and
 *   (const char *const *zones, size_t nzones)
 * All builders return 0, or -1 with the exception already set.
 *
 * Results are converted to native lists/dicts right after the C call and
 * freed in freearg (also on the error path), so no binding object ever
 * borrows from a freed C result. The key names below are the one definition
 * of the result shape for both languages (Python to_dict(), PHP arrays).
 */

%{
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"

/* Unknown future statuses map to "error": no verdict is never "not listed". */
static const char *mtarep_b_dnsbl_status_name(mtarep_dnsbl_status s)
{
    switch (s) {
    case MTAREP_DNSBL_LISTED: return "listed";
    case MTAREP_DNSBL_NOT_LISTED: return "not_listed";
    case MTAREP_DNSBL_NOT_APPLICABLE: return "not_applicable";
    case MTAREP_DNSBL_ERROR: break;
    }
    return "error";
}

/* d[key] = [EXPR for i_ in range(N)]; jumps to fail on error. */
#define MTAREP_B_SET_LIST(d, key, n, expr)                                   \
    do {                                                                     \
        mtarep_bval l_;                                                      \
        size_t i_, n_ = (n);                                                 \
        if (mtarep_b_list(&l_) < 0)                                          \
            goto fail;                                                       \
        for (i_ = 0; i_ < n_; i_++) {                                        \
            if (mtarep_b_push_str(&l_, (expr)) < 0) {                        \
                mtarep_b_drop(&l_);                                          \
                goto fail;                                                   \
            }                                                                \
        }                                                                    \
        if (mtarep_b_set_val((d), (key), &l_) < 0)                           \
            goto fail;                                                       \
    } while (0)

static int mtarep_b_dnsbl_result(mtarep_bval *d, const mtarep_dnsbl_result *r)
{
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "query", mtarep_dnsbl_result_query(r)) < 0 ||
        mtarep_b_set_str(d, "zone", mtarep_dnsbl_result_zone(r)) < 0 ||
        mtarep_b_set_str(d, "list_name", mtarep_dnsbl_result_list_name(r)) < 0 ||
        mtarep_b_set_str(d, "status",
                         mtarep_b_dnsbl_status_name(mtarep_dnsbl_result_status(r))) < 0)
        goto fail;
    MTAREP_B_SET_LIST(d, "codes", mtarep_dnsbl_result_code_count(r),
                      mtarep_dnsbl_result_code(r, i_));
    MTAREP_B_SET_LIST(d, "meanings", mtarep_dnsbl_result_meaning_count(r),
                      mtarep_dnsbl_result_meaning(r, i_));
    if (mtarep_b_set_str(d, "description", mtarep_dnsbl_result_description(r)) < 0 ||
        mtarep_b_set_str(d, "txt", mtarep_dnsbl_result_txt(r)) < 0 ||
        mtarep_b_set_str(d, "error", mtarep_dnsbl_result_error(r)) < 0 ||
        mtarep_b_set_int(d, "error_code", mtarep_dnsbl_result_error_code(r)) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

static int mtarep_b_dnsbl_results(mtarep_bval *out, const mtarep_dnsbl_results *res)
{
    size_t i, n = mtarep_dnsbl_results_count(res);

    if (mtarep_b_list(out) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        mtarep_bval d;
        if (mtarep_b_dnsbl_result(&d, mtarep_dnsbl_results_get(res, i)) < 0 ||
            mtarep_b_push_val(out, &d) < 0) {
            mtarep_b_drop(out);
            return -1;
        }
    }
    return 0;
}

static int mtarep_b_rdns_result(mtarep_bval *d, const mtarep_rdns_result *r)
{
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_set_str(d, "ip", mtarep_rdns_result_ip(r)) < 0)
        goto fail;
    MTAREP_B_SET_LIST(d, "ptr", mtarep_rdns_result_ptr_count(r), mtarep_rdns_result_ptr(r, i_));
    if (mtarep_b_set_tri(d, "has_ptr", mtarep_rdns_result_has_ptr(r)) < 0 ||
        mtarep_b_set_tri(d, "fcrdns", mtarep_rdns_result_fcrdns(r)) < 0 ||
        mtarep_b_set_str(d, "confirmed_name", mtarep_rdns_result_confirmed_name(r)) < 0 ||
        mtarep_b_set_tri(d, "helo_match", mtarep_rdns_result_helo_match(r)) < 0 ||
        mtarep_b_set_tri(d, "helo_resolves", mtarep_rdns_result_helo_resolves(r)) < 0 ||
        mtarep_b_set_bool(d, "generic", mtarep_rdns_result_generic(r)) < 0)
        goto fail;
    MTAREP_B_SET_LIST(d, "warnings", mtarep_rdns_result_warning_count(r),
                      mtarep_rdns_result_warning(r, i_));
    if (mtarep_b_set_str(d, "error", mtarep_rdns_result_error(r)) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

static int mtarep_b_strs(mtarep_bval *out, const char *const *v, size_t n)
{
    size_t i;

    if (mtarep_b_list(out) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (mtarep_b_push_str(out, v[i]) < 0) {
            mtarep_b_drop(out);
            return -1;
        }
    }
    return 0;
}

static int mtarep_b_dns_records(mtarep_bval *out, const mtarep_dns_result *r)
{
    size_t i, n = mtarep_dns_result_count(r);

    if (mtarep_b_list(out) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (mtarep_b_push_str(out, mtarep_dns_result_record(r, i)) < 0) {
            mtarep_b_drop(out);
            return -1;
        }
    }
    return 0;
}

/* Module-level helpers (renamed per language). */
typedef struct mtarep_b_strlist {
    const char *const *v;
    size_t n;
} mtarep_b_strlist;

static mtarep_b_strlist mtarep_b_default_zones(void)
{
    mtarep_b_strlist l;
    l.n = 0;
    l.v = mtarep_dnsbl_default_zones(&l.n);
    if (!l.v)
        l.n = 0;
    return l;
}

static const char *mtarep_b_version(void)
{
    return mtarep_version(NULL);
}

static unsigned int mtarep_b_version_num(void)
{
    unsigned int n = 0;
    mtarep_version(&n);
    return n;
}

static bool mtarep_b_rdns_name_is_generic(const char *name, const char *ip)
{
    return name && ip && mtarep_rdns_name_is_generic(name, ip) != 0;
}
%}

/* Typemaps key on this typedef (as GDAL's on OGRErr): a status never
 * reaches the target language; a negative one raises. Used only by
 * mtarep_ctx methods, so arg1 is the context holding the detail message
 * (anything else fails to compile: -Werror=incompatible-pointer-types). */
typedef int mtarep_status;
typedef struct mtarep_b_strlist mtarep_b_strlist;

%define MTAREP_B_STATUS_OUT
{
  if ($1 < 0) {
    mtarep_b_raise($1, mtarep_ctx_errmsg(arg1));
    SWIG_fail;
  }
  MTAREP_B_VOID($result);
}
%enddef
%typemap(out, phptype="void") mtarep_status MTAREP_B_STATUS_OUT
/* These hand back their result through an argout typemap. */
%typemap(out, phptype="array") mtarep_status b_dnsbl_check, mtarep_status b_rdns_check,
                               mtarep_status b_dns_lookup MTAREP_B_STATUS_OUT

%typemap(out, phptype="array") mtarep_b_strlist {
  {
    mtarep_bval v_;
    if (mtarep_b_strs(&v_, $1.v, $1.n) < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}

/* T **out: the argument disappears from the target signature; the result
 * is converted after the call and freed in freearg (which SWIG also runs
 * on the error path). */
%define MTAREP_B_ARGOUT(TYPE, CONVERT, FREE)
%typemap(in, numinputs=0) TYPE **out (TYPE *tmp) {
  tmp = NULL;
  $1 = &tmp;
}
%typemap(argout) TYPE **out {
  {
    mtarep_bval v_;
    if (CONVERT(&v_, *$1) < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}
%typemap(freearg) TYPE **out {
  if ($1)
    FREE(*$1);
}
%enddef

MTAREP_B_ARGOUT(mtarep_dnsbl_results, mtarep_b_dnsbl_results, mtarep_dnsbl_results_free)
MTAREP_B_ARGOUT(mtarep_rdns_result, mtarep_b_rdns_result, mtarep_rdns_result_free)
MTAREP_B_ARGOUT(mtarep_dns_result, mtarep_b_dns_records, mtarep_dns_result_free)
%include "spf.i" /* SPF: typemaps must precede the mtarep_ctx declaration */
%include "dkim.i" /* DKIM keys and DMARC policies (likewise) */
%include "logscan.i" /* log scanner, SMTP reply classifier (module level) */
%include "throttle.i" /* rate limiter object and warm-up plans */
%include "precheck.i" /* mtarep_precheck(): every check at once, one report */
%include "provider.i" /* Mailgun, SNDS, Postmaster (normalized results) */

/* Error codes as constants (MTAREP_EINVAL, ...) plus mtarep_strerror() and
 * mtarep_error_name(). */
#define MTAREP_API
%include "mtarep/errors.h"

mtarep_b_strlist mtarep_b_default_zones(void);
const char *mtarep_b_version(void);
unsigned int mtarep_b_version_num(void);
bool mtarep_b_rdns_name_is_generic(const char *name, const char *ip);

/* The context. C-level method names carry a b_ prefix because SWIG names
 * %extend helpers <struct>_<method>, which would collide with the
 * library's own mtarep_ctx_* symbols. */
typedef struct mtarep_ctx {} mtarep_ctx;

%rename(add_nameserver) mtarep_ctx::b_add_nameserver;
%rename(load_resolv_conf) mtarep_ctx::b_load_resolv_conf;
%rename(add_zone_file) mtarep_ctx::b_add_zone_file;
%rename(add_zone_text) mtarep_ctx::b_add_zone_text;
%rename(load_dnsbl_zone_defs) mtarep_ctx::b_load_dnsbl_zone_defs;
%rename(set_timeout_ms) mtarep_ctx::b_set_timeout_ms;
%rename(set_retries) mtarep_ctx::b_set_retries;
%rename(clear_cache) mtarep_ctx::b_clear_cache;
%rename(dnsbl_check) mtarep_ctx::b_dnsbl_check;
%rename(rdns_check) mtarep_ctx::b_rdns_check;
%rename(dns_lookup) mtarep_ctx::b_dns_lookup;

/* The constructor raises itself (it has no context to hand the out typemap);
 * it does no network I/O, so it keeps the GIL (Python %nothread). */
%feature("nothread") mtarep_ctx::mtarep_ctx;
%exception mtarep_ctx::mtarep_ctx {
  $action
  if (!result)
    SWIG_fail;
}

%extend mtarep_ctx {
  mtarep_ctx(unsigned int timeout_ms = 2000, unsigned int retries = 1) {
    mtarep_ctx *c = NULL;
    int rc = mtarep_ctx_new(&c, NULL);
    if (rc == MTAREP_OK)
      rc = mtarep_ctx_set_timeout_ms(c, timeout_ms);
    if (rc == MTAREP_OK)
      rc = mtarep_ctx_set_retries(c, retries);
    if (rc != MTAREP_OK) {
      mtarep_b_raise(rc, c ? mtarep_ctx_errmsg(c) : NULL);
      mtarep_ctx_free(c);
      return NULL;
    }
    return c;
  }
  ~mtarep_ctx() {
    mtarep_ctx_free($self);
  }
  mtarep_status b_add_nameserver(const char *addr) {
    return mtarep_ctx_add_nameserver($self, addr);
  }
  /* NULL path: /etc/resolv.conf */
  mtarep_status b_load_resolv_conf(const char *path = NULL) {
    return mtarep_ctx_load_resolv_conf($self, path);
  }
  mtarep_status b_add_zone_file(const char *path) {
    return mtarep_ctx_add_zone_file($self, path);
  }
  mtarep_status b_add_zone_text(const char *text) {
    return mtarep_ctx_add_zone_text($self, text);
  }
  mtarep_status b_load_dnsbl_zone_defs(const char *text) {
    return mtarep_dnsbl_load_zone_defs($self, text);
  }
  mtarep_status b_set_timeout_ms(unsigned int timeout_ms) {
    return mtarep_ctx_set_timeout_ms($self, timeout_ms);
  }
  mtarep_status b_set_retries(unsigned int retries) {
    return mtarep_ctx_set_retries($self, retries);
  }
  void b_clear_cache() {
    mtarep_ctx_clear_cache($self);
  }
  /* zones NULL (None/null): the default set. */
  mtarep_status b_dnsbl_check(mtarep_dnsbl_results **out,
                              const char *const *queries, size_t nqueries,
                              const char *const *zones = NULL, size_t nzones = 0,
                              bool fetch_txt = true, bool health_check = true) {
    mtarep_dnsbl_options o;
    mtarep_status rc = mtarep_dnsbl_options_init(&o, MTAREP_DNSBL_OPTIONS_VERSION);
    if (rc != MTAREP_OK)
      return rc;
    o.fetch_txt = fetch_txt;
    o.health_check = health_check;
    return mtarep_dnsbl_check(out, $self, queries, nqueries, zones, nzones, &o);
  }
  mtarep_status b_rdns_check(mtarep_rdns_result **out, const char *ip,
                             const char *helo = NULL) {
    return mtarep_rdns_check(out, $self, ip, helo);
  }
  mtarep_status b_dns_lookup(mtarep_dns_result **out, const char *name,
                             const char *type = "A") {
    return mtarep_dns_lookup(out, $self, name, type);
  }
}
