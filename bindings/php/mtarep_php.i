/* PHP 8 layer of the SWIG binding: extension "mtarep" (no .php file with
 * SWIG >= 4.1; load it with extension=mtarep).
 *
 * PHP API: class MtarepContext (dnsbl_check, rdns_check, dns_lookup, ...
 * returning arrays with the keys of Python's to_dict()), functions
 * mtarep_version(), mtarep_default_zones(), ..., constants MTAREP_E*, and
 * the exception classes generated from bindings/errors.tsv (MtarepException
 * extends \Exception; getCode() is the negative C code). Names are chosen so
 * a later namespaced API (Mtarep\Context, Mtarep\Exception) maps 1:1.
 */
%module mtarep

%{
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
#include "zend_exceptions.h"
#include "mtarep_php_errors.h" /* generated: bindings/gen_errors.py */

typedef zval mtarep_bval;

#define MTAREP_B_VOID(result) ((void)0) /* return_value stays null */
#define MTAREP_B_RETURN(result, v) ZVAL_COPY_VALUE((result), &(v))

static int mtarep_b_dict(mtarep_bval *v)
{
    array_init(v);
    return 0;
}

static int mtarep_b_list(mtarep_bval *v)
{
    array_init(v);
    return 0;
}

static int mtarep_b_set_str(mtarep_bval *d, const char *key, const char *s)
{
    if (s)
        add_assoc_string(d, key, s);
    else
        add_assoc_null(d, key);
    return 0;
}

static int mtarep_b_set_tri(mtarep_bval *d, const char *key, int t)
{
    if (t < 0)
        add_assoc_null(d, key);
    else
        add_assoc_bool(d, key, t != 0);
    return 0;
}

static int mtarep_b_set_bool(mtarep_bval *d, const char *key, int b)
{
    add_assoc_bool(d, key, b != 0);
    return 0;
}

static int mtarep_b_set_int(mtarep_bval *d, const char *key, long n)
{
    add_assoc_long(d, key, (zend_long)n);
    return 0;
}

static int mtarep_b_set_val(mtarep_bval *d, const char *key, mtarep_bval *v)
{
    add_assoc_zval(d, key, v);
    ZVAL_UNDEF(v);
    return 0;
}

static int mtarep_b_push_str(mtarep_bval *l, const char *s)
{
    if (s)
        add_next_index_string(l, s);
    else
        add_next_index_null(l);
    return 0;
}

static int mtarep_b_push_val(mtarep_bval *l, mtarep_bval *v)
{
    add_next_index_zval(l, v);
    ZVAL_UNDEF(v);
    return 0;
}

static void mtarep_b_drop(mtarep_bval *v)
{
    zval_ptr_dtor(v);
    ZVAL_UNDEF(v);
}

/* Class entries of the generated hierarchy, set once in MINIT and only
 * read afterwards (like the engine's own zend_ce_exception). */
static zend_class_entry *mtarep_php_exc_ce[MTAREP_PHP_NEXC];

static void mtarep_b_raise(int code, const char *detail)
{
    const char *text = (detail && *detail) ? detail : mtarep_strerror(code);
    zend_class_entry *ce = NULL, *root = NULL;
    int i;

    for (i = 0; i < MTAREP_PHP_NEXC; i++) {
        if (mtarep_php_exc_defs[i].code == code)
            ce = mtarep_php_exc_ce[i];
        if (mtarep_php_exc_defs[i].parent < 0)
            root = mtarep_php_exc_ce[i];
    }
    if (!ce)
        ce = root ? root : zend_ce_exception;
    zend_throw_exception(ce, text, (zend_long)code);
}

/* Array of strings (or, for queries, one string) -> malloc'd copies;
 * strict: no number or object is silently turned into a query. */
static void mtarep_php_strv_free(char **v, size_t n)
{
    size_t i;
    if (!v)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int mtarep_php_strv(zval *z, const char *what, int scalar_ok, char ***v_out,
                           size_t *n_out)
{
    char **v;
    size_t i = 0, n;
    zval *val;

    *v_out = NULL;
    *n_out = 0;
    ZVAL_DEREF(z);
    if (scalar_ok && Z_TYPE_P(z) == IS_STRING) {
        n = 1;
    } else if (Z_TYPE_P(z) == IS_ARRAY) {
        n = zend_hash_num_elements(Z_ARRVAL_P(z));
    } else {
        zend_type_error("%s must be %s, %s given", what,
                        scalar_ok ? "a string or an array of strings" : "an array of strings",
                        zend_zval_type_name(z));
        return -1;
    }
    v = calloc(n + 1, sizeof *v);
    if (!v) {
        mtarep_b_raise(MTAREP_ENOMEM, NULL);
        return -1;
    }
#define MTAREP_PHP_TAKE(item)                                                 \
    do {                                                                      \
        if (Z_TYPE_P(item) != IS_STRING) {                                    \
            zend_type_error("%s[%zu] must be a string, %s given", what, i,    \
                            zend_zval_type_name(item));                       \
            goto fail;                                                        \
        }                                                                     \
        if (strlen(Z_STRVAL_P(item)) != Z_STRLEN_P(item)) {                   \
            mtarep_b_raise(MTAREP_EINVAL, "embedded NUL byte in a query or zone"); \
            goto fail;                                                        \
        }                                                                     \
        if (i >= n || !(v[i] = strdup(Z_STRVAL_P(item)))) {                   \
            mtarep_b_raise(MTAREP_ENOMEM, NULL);                              \
            goto fail;                                                        \
        }                                                                     \
        i++;                                                                  \
    } while (0)
    if (Z_TYPE_P(z) == IS_STRING) {
        MTAREP_PHP_TAKE(z);
    } else {
        ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(z), val) {
            ZVAL_DEREF(val);
            MTAREP_PHP_TAKE(val);
        } ZEND_HASH_FOREACH_END();
    }
#undef MTAREP_PHP_TAKE
    *v_out = v;
    *n_out = i;
    return 0;
fail:
    mtarep_php_strv_free(v, n);
    return -1;
}
%}

/* Strings: null -> NULL, and no silent truncation at an embedded NUL. */
%typemap(in, phptype="?string") char *, const char * {
  if (Z_ISNULL($input)) {
    $1 = NULL;
  } else {
    convert_to_string(&$input);
    if (strlen(Z_STRVAL($input)) != Z_STRLEN($input)) {
      mtarep_b_raise(MTAREP_EINVAL, "argument $argnum of $symname contains a NUL byte");
      SWIG_fail;
    }
    $1 = ($1_ltype)Z_STRVAL($input);
  }
}

/* queries: a string or an array of strings; zones: null (the default set)
 * or a non-empty array (an empty one would silently mean "default"). */
%typemap(in, phptype="array|string") (const char *const *queries, size_t nqueries) (char **v = NULL, size_t n = 0) {
  if (mtarep_php_strv(&$input, "queries", 1, &v, &n) < 0)
    SWIG_fail;
  $1 = ($1_ltype)v;
  $2 = ($2_ltype)n;
}
%typemap(in, phptype="?array") (const char *const *zones, size_t nzones) (char **v = NULL, size_t n = 0) {
  if (!Z_ISNULL($input)) {
    if (mtarep_php_strv(&$input, "zones", 0, &v, &n) < 0)
      SWIG_fail;
    $1 = ($1_ltype)v; /* freearg frees it, also when refused below */
    $2 = ($2_ltype)n;
    if (n == 0) {
      mtarep_b_raise(MTAREP_EINVAL, "zones is empty (pass null for the default set)");
      SWIG_fail;
    }
  }
  $1 = ($1_ltype)v;
  $2 = ($2_ltype)n;
}
%typemap(freearg) (const char *const *queries, size_t nqueries),
                  (const char *const *zones, size_t nzones) {
  mtarep_php_strv_free((char **)$1, $2);
}

%init %{
  {
    int i_;
    for (i_ = 0; i_ < MTAREP_PHP_NEXC; i_++) {
      zend_class_entry ce_;
      int p_ = mtarep_php_exc_defs[i_].parent;
      INIT_CLASS_ENTRY_EX(ce_, mtarep_php_exc_defs[i_].name,
                          strlen(mtarep_php_exc_defs[i_].name), NULL);
      mtarep_php_exc_ce[i_] = zend_register_internal_class_ex(
          &ce_, p_ < 0 ? zend_ce_exception : mtarep_php_exc_ce[p_]);
    }
    /* Mtarep\Exception\... names: the same classes, so either catches. */
    for (i_ = 0; i_ < MTAREP_PHP_NEXC_ALIASES; i_++) {
      const char *n_ = mtarep_php_exc_aliases[i_].name;
      zend_register_class_alias_ex(n_, strlen(n_),
                                   mtarep_php_exc_ce[mtarep_php_exc_aliases[i_].cls], true);
    }
  }
%}

/* Keys, tokens and Redis passwords must not show in exception traces:
 * with zend.exception_ignore_args=Off (PHP's built-in default and
 * php.ini-development) getTrace() keeps every call argument. Mark those
 * parameters #[SensitiveParameter], as PHP does for password_hash(). The
 * classes exist only after MINIT's class section, so this runs once from
 * the first RINIT (NTS; the attributes are persistent like the methods). */
%{
#include "zend_attributes.h"

static void mtarep_php_sensitive(const char *cls, const char *method, uint32_t arg)
{
    zend_class_entry *ce = zend_hash_str_find_ptr(CG(class_table), cls, strlen(cls));
    zend_function *fn = ce ? zend_hash_str_find_ptr(&ce->function_table, method, strlen(method))
                           : NULL;
    if (fn && fn->type == ZEND_INTERNAL_FUNCTION &&
        !(fn->common.attributes &&
          zend_get_parameter_attribute_str(fn->common.attributes, "sensitiveparameter",
                                           sizeof "sensitiveparameter" - 1, arg)))
        zend_add_parameter_attribute(fn, arg, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);
}
%}
%rinit %{
  {
    static int marked_;
    if (!marked_) {
      marked_ = 1;
      mtarep_php_sensitive("mtarepcontext", "provider_mailgun", 1);
      mtarep_php_sensitive("mtarepcontext", "provider_snds", 0);
      mtarep_php_sensitive("mtarepcontext", "provider_postmaster", 1);
      mtarep_php_sensitive("mtarepcontext", "precheck", 7);  /* mailgun_key */
      mtarep_php_sensitive("mtarepcontext", "precheck", 9);  /* snds_key */
      mtarep_php_sensitive("mtarepcontext", "precheck", 10); /* postmaster_token */
      mtarep_php_sensitive("mtarepthrottle", "__construct", 0); /* redis://:password@ */
    }
  }
%}

%rename(mtarep_version) mtarep_b_version;
%rename(mtarep_version_num) mtarep_b_version_num;
%rename(mtarep_default_zones) mtarep_b_default_zones;
%rename(mtarep_rdns_name_is_generic) mtarep_b_rdns_name_is_generic;
%rename(MtarepContext) mtarep_ctx;

%include "mtarep.i"
