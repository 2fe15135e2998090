/* Reputation providers (%included from mtarep.i):
 * ctx.provider_mailgun(domain, key, region, duration, resolution, api,
 *                      base_url, ca_file, timeout_ms, start, end),
 * ctx.provider_snds(key, date, base_url, ca_file, timeout_ms),
 * ctx.provider_postmaster(domain, token, days, base_url, ca_file, timeout_ms, api),
 * ctx.provider_parse(format, body) with format mailgun_stats,
 *   mailgun_metrics, snds_data, snds_ipstatus, postmaster or postmaster_v2
 * -> dict / assoc. array, the normalized result exactly as
 *   mtarep_provider_result_json() writes it: {source, subject, volume,
 *   bounce_rate, complaint_rate, complaint_rate_upper_bound, reputation,
 *   periods [{subject, start, end, volume, bounce_rate, complaint_rate,
 *   complaint_rate_upper_bound, reputation, raw {...}}], blocked [{first,
 *   last, reason}]}; no data is None / null.
 * Empty strings and 0 mean "default" for the optional arguments. The key
 * never reaches an exception message (the library redacts it). */

%{
#ifdef SWIGPHP
#include "ext/json/php_json.h"
#endif

/* One definition of the shape: decode the library's JSON into a native
 * value rather than building it twice. */
static int mtarep_b_provider_result(mtarep_bval *v, const mtarep_provider_result *r)
{
    char *js = mtarep_provider_result_json(r);
    if (!js) {
        mtarep_b_raise(MTAREP_ENOMEM, NULL);
        return -1;
    }
#ifdef SWIGPYTHON
    {
        PyObject *mod = PyImport_ImportModule("json");
        *v = mod ? PyObject_CallMethod(mod, "loads", "s", js) : NULL;
        Py_XDECREF(mod);
    }
    free(js);
    return *v ? 0 : -1;
#else
    if (php_json_decode_ex(v, js, strlen(js), PHP_JSON_OBJECT_AS_ARRAY, 512) != SUCCESS) {
        free(js);
        mtarep_b_raise(MTAREP_ENOMEM, "provider result: JSON decoding failed");
        return -1;
    }
    free(js);
    return 0;
#endif
}

static const char *mtarep_b_opt(const char *s)
{
    return s && *s ? s : NULL;
}

static void mtarep_b_provider_opts(mtarep_provider_options *o, const char *base_url,
                                   const char *ca_file, unsigned int timeout_ms)
{
    mtarep_provider_options_init(o, MTAREP_PROVIDER_OPTIONS_VERSION);
    o->base_url = mtarep_b_opt(base_url);
    o->ca_file = mtarep_b_opt(ca_file);
    if (timeout_ms)
        o->timeout_ms = timeout_ms;
}
%}

%typemap(out, phptype="array") mtarep_status b_provider_mailgun, mtarep_status b_provider_snds,
                               mtarep_status b_provider_postmaster,
                               mtarep_status b_provider_parse MTAREP_B_STATUS_OUT
MTAREP_B_ARGOUT(mtarep_provider_result, mtarep_b_provider_result, mtarep_provider_result_free)

%rename(provider_mailgun) mtarep_ctx::b_provider_mailgun;
%rename(provider_snds) mtarep_ctx::b_provider_snds;
%rename(provider_postmaster) mtarep_ctx::b_provider_postmaster;
%rename(provider_parse) mtarep_ctx::b_provider_parse;

%extend mtarep_ctx {
  /* api: "metrics" (default) or "stats" */
  mtarep_status b_provider_mailgun(mtarep_provider_result **out, const char *domain,
                                   const char *key, const char *region = NULL,
                                   const char *duration = NULL, const char *resolution = NULL,
                                   const char *api = NULL, const char *base_url = NULL,
                                   const char *ca_file = NULL, unsigned int timeout_ms = 0,
                                   const char *start = NULL, const char *end = NULL) {
    mtarep_provider_options o;
    mtarep_b_provider_opts(&o, base_url, ca_file, timeout_ms);
    o.region = mtarep_b_opt(region);
    o.start = mtarep_b_opt(start);
    o.end = mtarep_b_opt(end);
    o.duration = mtarep_b_opt(duration);
    o.resolution = mtarep_b_opt(resolution);
    if (mtarep_b_opt(api)) /* anything else: the library rejects it with a message */
      o.mailgun_api = strcmp(api, "stats") == 0 ? MTAREP_MAILGUN_STATS
                      : strcmp(api, "metrics") == 0 ? MTAREP_MAILGUN_METRICS
                                                    : (mtarep_mailgun_api)99;
    return mtarep_provider_mailgun(out, $self, domain, key, &o);
  }
  mtarep_status b_provider_snds(mtarep_provider_result **out, const char *key,
                                const char *date = NULL, const char *base_url = NULL,
                                const char *ca_file = NULL, unsigned int timeout_ms = 0) {
    mtarep_provider_options o;
    mtarep_b_provider_opts(&o, base_url, ca_file, timeout_ms);
    o.snds_date = mtarep_b_opt(date);
    return mtarep_provider_snds(out, $self, key, &o);
  }
  /* api: "v1" (default) or "v2" */
  mtarep_status b_provider_postmaster(mtarep_provider_result **out, const char *domain,
                                      const char *token, unsigned int days = 0,
                                      const char *base_url = NULL, const char *ca_file = NULL,
                                      unsigned int timeout_ms = 0, const char *api = NULL) {
    mtarep_provider_options o;
    mtarep_b_provider_opts(&o, base_url, ca_file, timeout_ms);
    if (days)
      o.days = days;
    if (mtarep_b_opt(api)) /* anything else: the library rejects it with a message */
      o.postmaster_api = strcmp(api, "v1") == 0 ? MTAREP_POSTMASTER_V1
                         : strcmp(api, "v2") == 0 ? MTAREP_POSTMASTER_V2
                                                  : (mtarep_postmaster_api)99;
    return mtarep_provider_postmaster(out, $self, domain, token, &o);
  }
  mtarep_status b_provider_parse(mtarep_provider_result **out, const char *format,
                                 const char *body) {
    static const char *const names[] = {"mailgun_stats", "mailgun_metrics", "snds_data",
                                        "snds_ipstatus", "postmaster", "postmaster_v2"};
    int f = 0; /* unknown: the library rejects format 0 with a message */
    for (int i = 0; format && i < 6; i++)
      if (strcmp(format, names[i]) == 0)
        f = i + 1;
    return mtarep_provider_parse(out, $self, (mtarep_provider_format)f, body,
                                 body ? strlen(body) : 0, NULL);
  }
}
