/* Throttle part of the shared interface (%included from mtarep.i):
 * a limiter object bound to one store and a fixed set of limits, and the
 * warm-up plans.
 *   Python _capi.Throttle(store_uri, limits, on_failure="closed",
 *                         fallback_uri=None, timeout_ms=500)
 *   PHP    new MtarepThrottle(...) (same arguments)
 *     limits: "100/1h window" or several joined with ','
 *       ("100/1h window,1000/1d:200"; see mtarep_limit_parse)
 *     .try_acquire(key, quantity=1), .acquire(key, quantity=1, deadline_ms=60000),
 *     .status(key) -> DECISION; .reset(key); .store() -> URI without password
 *   DECISION = {admitted, retry_after_ms (0 admitted, -1 never), remaining
 *     (smallest over the limits), degraded ("none", "closed", "open",
 *     "local"), message, status ("ok", "throttled": the deadline is too
 *     short, "never": can never pass), limits [{limit, remaining,
 *     reset_after_ms, blocking}]}
 *   warmup_plan(preset=None, spec=None, start=None, days=0)
 *     -> [{day, date (None without start), daily, hourly}]
 *   (PHP: mtarep_warmup_plan). Store failures raise TempFail (closed mode),
 *   IOFailure, LimitExceeded (table full); bad arguments InvalidInput.
 * acquire's wait runs with the GIL released (module built with -threads). */

%{
#include <time.h>

typedef struct mtarep_b_throttle {
    mtarep_throttle *t;
    mtarep_limit lim[MTAREP_THROTTLE_MAX_LIMITS];
    size_t n;
} mtarep_b_throttle;

typedef struct mtarep_b_decision {
    int rc;
    const mtarep_b_throttle *self;
    mtarep_throttle_decision d;
} mtarep_b_decision;

/* "a,b,c" -> limits; 0 or -1 with the reason in @p why */
static int mtarep_b_parse_limits(mtarep_b_throttle *bt, const char *text, char *why, size_t len)
{
    char buf[1024];
    char *save = NULL, *tok;
    mtarep_throttle_error e;
    if (!text || strlen(text) >= sizeof buf) {
        snprintf(why, len, "limits: missing or too long");
        return -1;
    }
    memcpy(buf, text, strlen(text) + 1);
    bt->n = 0;
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (bt->n == MTAREP_THROTTLE_MAX_LIMITS) {
            snprintf(why, len, "limits: at most %d", MTAREP_THROTTLE_MAX_LIMITS);
            return -1;
        }
        if (mtarep_limit_parse(&bt->lim[bt->n], tok, &e) != MTAREP_OK) {
            snprintf(why, len, "limit '%.60s': %s", tok, e.text);
            return -1;
        }
        bt->n++;
    }
    if (!bt->n) {
        snprintf(why, len, "limits: none given");
        return -1;
    }
    return 0;
}

static const char *mtarep_b_degraded_name(mtarep_throttle_degraded d)
{
    switch (d) {
    case MTAREP_THROTTLE_DEGRADED_NONE: return "none";
    case MTAREP_THROTTLE_DEGRADED_CLOSED: return "closed";
    case MTAREP_THROTTLE_DEGRADED_OPEN: return "open";
    case MTAREP_THROTTLE_DEGRADED_LOCAL: return "local";
    }
    return "unknown";
}

static int mtarep_b_decision_dict(mtarep_bval *d, const mtarep_b_decision *r)
{
    mtarep_bval arr;
    uint64_t minrem = UINT64_MAX;
    const char *status = "ok";
    char buf[64];
    if (r->rc == MTAREP_ETHROTTLED)
        status = "throttled";
    else if (!r->d.admitted && r->d.retry_after_ms < 0)
        status = "never";
    if (mtarep_b_dict(d) < 0)
        return -1;
    if (mtarep_b_list(&arr) < 0)
        goto fail;
    for (size_t i = 0; i < r->d.nlimits && i < r->self->n; i++) {
        mtarep_bval l;
        if (r->d.limits[i].remaining < minrem)
            minrem = r->d.limits[i].remaining;
        mtarep_limit_format(buf, sizeof buf, &r->self->lim[i]);
        if (mtarep_b_dict(&l) < 0) {
            mtarep_b_drop(&arr);
            goto fail;
        }
        if (mtarep_b_set_str(&l, "limit", buf) < 0 ||
            mtarep_b_set_int(&l, "remaining", (long)r->d.limits[i].remaining) < 0 ||
            mtarep_b_set_int(&l, "reset_after_ms", (long)r->d.limits[i].reset_after_ms) < 0 ||
            mtarep_b_set_bool(&l, "blocking", r->d.limits[i].blocking) < 0 ||
            mtarep_b_push_val(&arr, &l) < 0) {
            mtarep_b_drop(&l);
            mtarep_b_drop(&arr);
            goto fail;
        }
    }
    if (!r->d.nlimits)
        minrem = 0;
    if (mtarep_b_set_bool(d, "admitted", r->d.admitted) < 0 ||
        mtarep_b_set_int(d, "retry_after_ms", (long)r->d.retry_after_ms) < 0 ||
        mtarep_b_set_int(d, "remaining", (long)minrem) < 0 ||
        mtarep_b_set_str(d, "degraded", mtarep_b_degraded_name(r->d.degraded)) < 0 ||
        mtarep_b_set_str(d, "message", r->d.message) < 0 ||
        mtarep_b_set_str(d, "status", status) < 0 ||
        mtarep_b_set_val(d, "limits", &arr) < 0)
        goto fail;
    return 0;
fail:
    mtarep_b_drop(d);
    return -1;
}

typedef struct mtarep_b_plan {
    int rc;
    char errmsg[200];
    mtarep_warmup *w;
    int days;
    int64_t start;
    int has_start;
} mtarep_b_plan;

static mtarep_b_plan mtarep_b_warmup_plan(const char *preset, const char *spec,
                                          const char *start, int days)
{
    mtarep_b_plan p;
    mtarep_throttle_error e;
    memset(&p, 0, sizeof p);
    if (preset && spec) {
        p.rc = MTAREP_EINVAL;
        snprintf(p.errmsg, sizeof p.errmsg, "preset and spec exclude each other");
        return p;
    }
    if (days < 0 || days > 366) {
        p.rc = MTAREP_EINVAL;
        snprintf(p.errmsg, sizeof p.errmsg, "days must be 0 (the plan's length) .. 366");
        return p;
    }
    if (start) {
        if (mtarep_warmup_parse_date(&p.start, start) != MTAREP_OK) {
            p.rc = MTAREP_EINVAL;
            snprintf(p.errmsg, sizeof p.errmsg, "start: not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z");
            return p;
        }
        p.has_start = 1;
    }
    if (spec) {
        p.rc = mtarep_warmup_parse(&p.w, spec, &e);
        if (p.rc)
            snprintf(p.errmsg, sizeof p.errmsg, "spec line %d column %d: %s", e.line, e.column,
                     e.text);
    } else {
        p.rc = mtarep_warmup_preset(&p.w, preset ? preset : "mtarep");
        if (p.rc == MTAREP_ENOTFOUND)
            snprintf(p.errmsg, sizeof p.errmsg, "unknown preset '%.60s'", preset);
    }
    if (p.rc == MTAREP_OK)
        p.days = days ? days : mtarep_warmup_days(p.w);
    return p;
}

static int mtarep_b_plan_list(mtarep_bval *out, const mtarep_b_plan *p)
{
    if (mtarep_b_list(out) < 0)
        return -1;
    for (int i = 0; i < p->days; i++) {
        mtarep_warmup_caps c;
        mtarep_bval d;
        char date[16];
        mtarep_warmup_caps_for_day(&c, p->w, i + 1);
        if (p->has_start) {
            time_t t = (time_t)(p->start + (int64_t)i * 86400);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
        }
        if (mtarep_b_dict(&d) < 0)
            goto fail;
        if (mtarep_b_set_int(&d, "day", i + 1) < 0 ||
            mtarep_b_set_str(&d, "date", p->has_start ? date : NULL) < 0 ||
            mtarep_b_set_int(&d, "daily", (long)c.daily) < 0 ||
            mtarep_b_set_int(&d, "hourly", (long)c.hourly) < 0 ||
            mtarep_b_push_val(out, &d) < 0) {
            mtarep_b_drop(&d);
            goto fail;
        }
    }
    return 0;
fail:
    mtarep_b_drop(out);
    return -1;
}
%}

%typemap(out, phptype="array") mtarep_b_decision {
  {
    mtarep_bval v_;
    int rc_ = $1.rc;
    /* refusals are decisions, not errors (ELIMIT with retry -1: never passes) */
    if (rc_ < 0 && rc_ != MTAREP_ETHROTTLED &&
        !(rc_ == MTAREP_ELIMIT && $1.d.retry_after_ms == -1)) {
      mtarep_b_raise(rc_, $1.d.message);
      SWIG_fail;
    }
    if (mtarep_b_decision_dict(&v_, &$1) < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}

%typemap(out, phptype="array") mtarep_b_plan {
  {
    mtarep_bval v_;
    int rc_ = $1.rc;
    if (rc_ < 0) {
      mtarep_b_raise(rc_, $1.errmsg);
      mtarep_warmup_free($1.w);
      SWIG_fail;
    }
    rc_ = mtarep_b_plan_list(&v_, &$1);
    mtarep_warmup_free($1.w);
    if (rc_ < 0)
      SWIG_fail;
    MTAREP_B_RETURN($result, v_);
  }
}

typedef struct mtarep_b_decision mtarep_b_decision;
typedef struct mtarep_b_plan mtarep_b_plan;
#ifdef SWIGPHP
%rename(mtarep_warmup_plan) mtarep_b_warmup_plan;
%rename(MtarepThrottle) mtarep_b_throttle;
#else
%rename(warmup_plan) mtarep_b_warmup_plan;
%rename(Throttle) mtarep_b_throttle;
#endif
typedef struct mtarep_b_throttle {} mtarep_b_throttle;
mtarep_b_plan mtarep_b_warmup_plan(const char *preset = NULL, const char *spec = NULL,
                                   const char *start = NULL, int days = 0);

%rename(try_acquire) mtarep_b_throttle::b_try;
%rename(acquire) mtarep_b_throttle::b_acquire;
%rename(status) mtarep_b_throttle::b_status;
%rename(reset) mtarep_b_throttle::b_reset;
%rename(store) mtarep_b_throttle::b_store;

/* The constructor and reset raise themselves; they keep the GIL. */
%feature("nothread") mtarep_b_throttle::mtarep_b_throttle;
%feature("nothread") mtarep_b_throttle::b_reset;
%exception mtarep_b_throttle::mtarep_b_throttle {
  $action
  if (!result)
    SWIG_fail;
}
%exception mtarep_b_throttle::b_reset {
  $action
  if (!result)
    SWIG_fail;
}

%extend mtarep_b_throttle {
  /* on_failure: "closed", "open" or "local" (Redis stores only) */
  mtarep_b_throttle(const char *store_uri, const char *limits,
                    const char *on_failure = "closed", const char *fallback_uri = NULL,
                    unsigned int timeout_ms = 500) {
    mtarep_b_throttle *bt = calloc(1, sizeof *bt);
    mtarep_throttle_options o;
    mtarep_throttle_error e;
    char why[200];
    int rc;
    if (!bt) {
      mtarep_b_raise(MTAREP_ENOMEM, NULL);
      return NULL;
    }
    if (mtarep_b_parse_limits(bt, limits, why, sizeof why) < 0) {
      free(bt);
      mtarep_b_raise(MTAREP_EINVAL, why);
      return NULL;
    }
    mtarep_throttle_options_init(&o, MTAREP_THROTTLE_OPTIONS_VERSION);
    if (!on_failure || !strcmp(on_failure, "closed"))
      o.on_failure = MTAREP_THROTTLE_FAIL_CLOSED;
    else if (!strcmp(on_failure, "open"))
      o.on_failure = MTAREP_THROTTLE_FAIL_OPEN;
    else if (!strcmp(on_failure, "local"))
      o.on_failure = MTAREP_THROTTLE_FAIL_LOCAL;
    else {
      free(bt);
      mtarep_b_raise(MTAREP_EINVAL, "on_failure must be closed, open or local");
      return NULL;
    }
    o.fallback_uri = fallback_uri;
    if (timeout_ms)
      o.timeout_ms = timeout_ms;
    rc = mtarep_throttle_new(&bt->t, store_uri, &o, &e);
    if (rc != MTAREP_OK) {
      free(bt);
      mtarep_b_raise(rc, e.text);
      return NULL;
    }
    return bt;
  }
  ~mtarep_b_throttle() {
    mtarep_throttle_free($self->t);
    free($self);
  }
  mtarep_b_decision b_try(const char *key, unsigned long long quantity = 1) {
    mtarep_b_decision r;
    memset(&r, 0, sizeof r);
    r.self = $self;
    r.rc = mtarep_throttle_try(&r.d, $self->t, key, $self->lim, $self->n, quantity);
    return r;
  }
  mtarep_b_decision b_acquire(const char *key, unsigned long long quantity = 1,
                              unsigned int deadline_ms = 60000) {
    mtarep_b_decision r;
    memset(&r, 0, sizeof r);
    r.self = $self;
    r.rc = mtarep_throttle_acquire(&r.d, $self->t, key, $self->lim, $self->n, quantity,
                                   deadline_ms);
    return r;
  }
  mtarep_b_decision b_status(const char *key) {
    mtarep_b_decision r;
    memset(&r, 0, sizeof r);
    r.self = $self;
    r.rc = mtarep_throttle_status(&r.d, $self->t, key, $self->lim, $self->n);
    return r;
  }
  /* returns true; raises on failure */
  bool b_reset(const char *key) {
    int rc = mtarep_throttle_reset($self->t, key, $self->lim, $self->n);
    if (rc != MTAREP_OK) {
      mtarep_b_raise(rc, "reset failed");
      return false;
    }
    return true;
  }
  const char *b_store() {
    return mtarep_throttle_store($self->t);
  }
}
