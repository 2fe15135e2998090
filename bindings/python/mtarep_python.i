/* Python layer of the SWIG binding: the raw module mtarep._capi (C part
 * mtarep.__capi). Users import the hand-written package `mtarep`, which
 * wraps this module; nothing here is public API.
 *
 * Built with -threads: the GIL is released around every C call (the
 * network waits), and every typemap below runs with the GIL held.
 * Built with -builtin: the classic proxy classes would name the C module
 * `__capi` inside a class body, where Python mangles it (_Context__capi).
 */
%module(package="mtarep") _capi

%begin %{
#define PY_SSIZE_T_CLEAN
%}

%{
#include <stdlib.h>
#include <string.h>

#include "mtarep.h"
typedef PyObject *mtarep_bval;

#define MTAREP_B_VOID(result) ((result) = SWIG_Py_Void())
#define MTAREP_B_RETURN(result, v) ((result) = SWIG_Python_AppendOutput((result), (v)))

/* Text from C is UTF-8 by contract, but may quote bytes from the wire (a
 * TXT record, a bad name): never fail a whole result on one bad byte. */
static PyObject *mtarep_py_str(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static int mtarep_b_dict(mtarep_bval *v)
{
    *v = PyDict_New();
    return *v ? 0 : -1;
}

static int mtarep_b_list(mtarep_bval *v)
{
    *v = PyList_New(0);
    return *v ? 0 : -1;
}

static int mtarep_b_set_obj(mtarep_bval *d, const char *key, PyObject *o)
{
    int rc;
    if (!o)
        return -1;
    rc = PyDict_SetItemString(*d, key, o);
    Py_DECREF(o);
    return rc < 0 ? -1 : 0;
}

static int mtarep_b_set_str(mtarep_bval *d, const char *key, const char *s)
{
    return mtarep_b_set_obj(d, key, mtarep_py_str(s));
}

static int mtarep_b_set_tri(mtarep_bval *d, const char *key, int t)
{
    PyObject *o = t < 0 ? Py_None : (t ? Py_True : Py_False);
    Py_INCREF(o);
    return mtarep_b_set_obj(d, key, o);
}

static int mtarep_b_set_bool(mtarep_bval *d, const char *key, int b)
{
    return mtarep_b_set_obj(d, key, PyBool_FromLong(b != 0));
}

static int mtarep_b_set_int(mtarep_bval *d, const char *key, long n)
{
    return mtarep_b_set_obj(d, key, PyLong_FromLong(n));
}

static int mtarep_b_set_val(mtarep_bval *d, const char *key, mtarep_bval *v)
{
    PyObject *o = *v;
    *v = NULL;
    return mtarep_b_set_obj(d, key, o);
}

static int mtarep_b_push_obj(mtarep_bval *l, PyObject *o)
{
    int rc;
    if (!o)
        return -1;
    rc = PyList_Append(*l, o);
    Py_DECREF(o);
    return rc < 0 ? -1 : 0;
}

static int mtarep_b_push_str(mtarep_bval *l, const char *s)
{
    return mtarep_b_push_obj(l, mtarep_py_str(s));
}

static int mtarep_b_push_val(mtarep_bval *l, mtarep_bval *v)
{
    PyObject *o = *v;
    *v = NULL;
    return mtarep_b_push_obj(l, o);
}

static void mtarep_b_drop(mtarep_bval *v)
{
    Py_CLEAR(*v);
}

/* The classes live in the generated mtarep._errors (bindings/errors.tsv);
 * importing it here is a dict look-up after the first time. */
static void mtarep_b_raise(int code, const char *detail)
{
    PyObject *mod, *msg, *exc;
    const char *text = (detail && *detail) ? detail : mtarep_strerror(code);

    mod = PyImport_ImportModule("mtarep._errors");
    if (!mod)
        return;
    msg = mtarep_py_str(text);
    exc = msg ? PyObject_CallMethod(mod, "_from_code", "iO", code, msg) : NULL;
    Py_XDECREF(msg);
    Py_DECREF(mod);
    if (!exc)
        return;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}

/* A sequence of str -> malloc'd copies: the GIL is released during the
 * call, so pointers into Python objects could be freed under our feet. A
 * bare str is refused (it is a sequence of one-letter strings). */
static void mtarep_py_strv_free(char **v, size_t n)
{
    size_t i;
    if (!v)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int mtarep_py_strv(PyObject *o, const char *what, char ***v_out, size_t *n_out)
{
    PyObject *seq;
    Py_ssize_t i, n;
    char **v;

    *v_out = NULL;
    *n_out = 0;
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of str, not a single %s", what,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    seq = PySequence_Fast(o, "");
    if (!seq) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of str, not %s", what,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    v = calloc((size_t)n + 1, sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        const char *s;
        Py_ssize_t len;
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be str, not %s", what, i,
                         Py_TYPE(item)->tp_name);
            goto fail;
        }
        s = PyUnicode_AsUTF8AndSize(item, &len);
        if (!s)
            goto fail;
        if ((size_t)len != strlen(s)) {
            mtarep_b_raise(MTAREP_EINVAL, "embedded NUL character in a query or zone");
            goto fail;
        }
        v[i] = malloc((size_t)len + 1);
        if (!v[i]) {
            PyErr_NoMemory();
            goto fail;
        }
        memcpy(v[i], s, (size_t)len + 1);
    }
    Py_DECREF(seq);
    *v_out = v;
    *n_out = (size_t)n;
    return 0;
fail:
    Py_DECREF(seq);
    mtarep_py_strv_free(v, (size_t)n);
    return -1;
}
%}

/* queries: a sequence of str. zones: None (the default set) or a
 * non-empty sequence of str; an empty one would silently mean "default"
 * in C, so it is refused. */
%typemap(in) (const char *const *queries, size_t nqueries) (char **v = NULL, size_t n = 0) {
  if (mtarep_py_strv($input, "queries", &v, &n) < 0)
    SWIG_fail;
  $1 = ($1_ltype)v;
  $2 = ($2_ltype)n;
}
%typemap(in) (const char *const *zones, size_t nzones) (char **v = NULL, size_t n = 0) {
  if ($input != Py_None) {
    if (mtarep_py_strv($input, "zones", &v, &n) < 0)
      SWIG_fail;
    $1 = ($1_ltype)v; /* freearg frees it, also when refused below */
    $2 = ($2_ltype)n;
    if (n == 0) {
      mtarep_b_raise(MTAREP_EINVAL, "zones is empty (pass None for the default set)");
      SWIG_fail;
    }
  }
  $1 = ($1_ltype)v;
  $2 = ($2_ltype)n;
}
%typemap(freearg) (const char *const *queries, size_t nqueries),
                  (const char *const *zones, size_t nzones) {
  mtarep_py_strv_free((char **)$1, $2);
}

/* -builtin: Context.__new__ without __init__ leaves an object with no type,
 * which SWIG 4.1's pointer conversion dereferences: refuse it first. */
%typemap(in) struct mtarep_ctx *self (void *argp = 0, int res = 0) {
  {
    SwigPyObject *so_ = SWIG_Python_GetSwigThis($input);
    if (!so_ || !so_->ty || !so_->ptr) {
      PyErr_SetString(PyExc_TypeError, "mtarep._capi.Context object is not initialised");
      SWIG_fail;
    }
  }
  res = SWIG_ConvertPtr($input, &argp, $descriptor, 0);
  if (!SWIG_IsOK(res))
    SWIG_exception_fail(SWIG_ArgError(res), "in method '$symname', argument 1 is not a Context");
  $1 = ($ltype)argp;
}

%rename(version) mtarep_b_version;
%rename(version_num) mtarep_b_version_num;
%rename(default_zones) mtarep_b_default_zones;
%rename(rdns_name_is_generic) mtarep_b_rdns_name_is_generic;
%rename(strerror) mtarep_strerror;
%rename(error_name) mtarep_error_name;
%rename(Context) mtarep_ctx;

%include "mtarep.i"
