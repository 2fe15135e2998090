/* Provider calls as state machines (struct mtarep__prov_job), run either
 * blocking (mtarep__prov_job_run: the public mtarep_provider_* calls) or
 * side by side over one libcurl multi handle inside the DNS engine's run
 * loop (the precheck). Both paths set a request up and map its outcome with
 * the same functions of http.c; a 429/503 retry on the multi path is a
 * timer, never a sleep. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "provider_int.h"

#define PM_MULTI_MAX 8

int mtarep__prov_job_new(struct mtarep__prov_job **out, mtarep_ctx *ctx, const char *what,
                         const mtarep_provider_options *opts)
{
    struct mtarep__prov_job *j;
    int rc;

    *out = NULL;
    if (!(j = calloc(1, sizeof *j)))
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    j->ctx = ctx;
    j->what = what;
    if ((rc = mtarep__prov_opts(ctx, opts, &j->o))) {
        free(j);
        return rc;
    }
    j->rq.what = what;
    j->rq.opts = &j->o;
    *out = j;
    return MTAREP_OK;
}

static void job_end(struct mtarep__prov_job *j, int rc)
{
    j->done = 1;
    j->rc = rc;
    if (rc != MTAREP_OK)
        snprintf(j->errmsg, sizeof j->errmsg, "%s", mtarep_ctx_errmsg(j->ctx));
}

void mtarep__prov_job_feed(struct mtarep__prov_job *j, int rc, const struct mtarep__http_resp *rs)
{
    if (j->done)
        return;
    if (rc == MTAREP_OK)
        rc = j->step(j, rs);
    if (rc != MTAREP_OK) {
        job_end(j, rc);
        return;
    }
    if (j->done) {
        if ((rc = mtarep__prov_finish(j->r, j->ctx)))
            rc = mtarep__fail(j->ctx, rc, "out of memory");
        job_end(j, rc);
    }
}

int mtarep__prov_job_run(struct mtarep__prov_job *j)
{
    void *session = NULL;

    j->rq.session = &session;
    mtarep__prov_job_feed(j, MTAREP_OK, NULL);
    while (!j->done) {
        struct mtarep__http_resp rs = {0, NULL, 0};
        int rc = mtarep__http_do(j->ctx, &j->rq, &rs);
        mtarep__prov_job_feed(j, rc, &rs);
        free(rs.body);
    }
    j->rq.session = NULL;
    mtarep__http_close(&session);
    return j->rc;
}

mtarep_provider_result *mtarep__prov_job_take(struct mtarep__prov_job *j)
{
    mtarep_provider_result *r;
    if (!j || !j->done || j->rc != MTAREP_OK)
        return NULL;
    r = j->r;
    j->r = NULL;
    return r;
}

void mtarep__prov_job_free(struct mtarep__prov_job *j)
{
    if (!j)
        return;
    mtarep__http_release(&j->x, 1); /* x.c is j->handle (or NULL): freed once, below */
    if (j->handle)
        curl_easy_cleanup(j->handle);
    mtarep_provider_result_free(j->r);
    free(j->url);
    free(j->edom);
    free(j->ekey);
    free(j->post);
    free(j->next);
    free(j);
}

int mtarep__prov_blocking_begin(mtarep_provider_result **out, mtarep_ctx *ctx, const char *who,
                                const char *secret, const char *what, size_t *mark)
{
    int rc;

    if (!out || !ctx)
        return mtarep__fail(ctx, MTAREP_EINVAL, "%s: NULL argument", who);
    *out = NULL;
    mtarep__clear_error(ctx);
    ctx->prov_retry_after = -1;
    ctx->prov_http_status = 0;
    if (!secret || !*secret || strpbrk(secret, "\r\n"))
        return mtarep__fail(ctx, MTAREP_EINVAL, "%s: %s missing or malformed", who, what);
    *mark = mtarep__secrets_mark(ctx);
    if ((rc = mtarep__prov_secret(ctx, secret)))
        return mtarep__fail(ctx, rc, "out of memory");
    return MTAREP_OK;
}

int mtarep__prov_blocking_end(mtarep_provider_result **out, mtarep_ctx *ctx,
                              struct mtarep__prov_job *j, int rc, size_t mark)
{
    if (rc == MTAREP_OK && (rc = mtarep__prov_job_run(j)) == MTAREP_OK)
        *out = mtarep__prov_job_take(j);
    mtarep__prov_job_free(j);
    mtarep__secrets_pop(ctx, mark);
    return rc;
}

/* ---- the multi path */

struct mtarep__prov_multi {
    mtarep_ctx *ctx;
    CURLM *cm;
    struct mtarep__prov_job *jobs[PM_MULTI_MAX];
    size_t n;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mtarep__prov_multi_new(struct mtarep__prov_multi **out, mtarep_ctx *ctx)
{
    struct mtarep__prov_multi *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m || !(m->cm = curl_multi_init())) {
        free(m);
        return mtarep__fail(ctx, MTAREP_ENOMEM, "out of memory");
    }
    m->ctx = ctx;
    *out = m;
    return MTAREP_OK;
}

/* Put j's current request on the wire (or end j when that fails). */
static void start_request(struct mtarep__prov_multi *m, struct mtarep__prov_job *j)
{
    int rc = mtarep__http_setup(m->ctx, &j->rq, &j->x, j->handle);
    if (j->x.c)
        j->handle = j->x.c;
    if (rc == MTAREP_OK && curl_multi_add_handle(m->cm, j->x.c) != CURLM_OK)
        rc = mtarep__fail(m->ctx, MTAREP_ENOMEM, "%s: cannot start the request", j->what);
    if (rc != MTAREP_OK) {
        mtarep__http_release(&j->x, 1);
        mtarep__prov_job_feed(j, rc, NULL);
        return;
    }
    j->in_multi = 1;
}

void mtarep__prov_multi_add(struct mtarep__prov_multi *m, struct mtarep__prov_job *j)
{
    int running;
    if (m->n == PM_MULTI_MAX) {
        job_end(j, mtarep__fail(m->ctx, MTAREP_ELIMIT, "%s: too many provider jobs", j->what));
        return;
    }
    m->jobs[m->n++] = j;
    mtarep__prov_job_feed(j, MTAREP_OK, NULL);
    if (!j->done)
        start_request(m, j);
    curl_multi_perform(m->cm, &running); /* connect now, not at the first wait */
}

/* A transfer of j finished with cc. */
static void finished(struct mtarep__prov_multi *m, struct mtarep__prov_job *j, CURLcode cc)
{
    struct mtarep__http_resp rs = {0, NULL, 0};
    long wait;
    int rc;

    curl_multi_remove_handle(m->cm, j->x.c);
    j->in_multi = 0;
    rc = mtarep__http_done(m->ctx, &j->x, (int)cc, &rs, &wait);
    if (rc == MTAREP_OK && wait >= 0) {
        j->retry_at = now_ms() + (uint64_t)wait * 1000u + (wait ? 0 : 1);
        return;
    }
    mtarep__http_release(&j->x, 1);
    mtarep__prov_job_feed(j, rc, &rs);
    free(rs.body);
    if (!j->done)
        start_request(m, j);
}

int mtarep__prov_multi_busy(void *arg)
{
    struct mtarep__prov_multi *m = arg;
    for (size_t i = 0; m && i < m->n; i++)
        if (!m->jobs[i]->done)
            return 1;
    return 0;
}

void mtarep__prov_multi_wait(void *arg, int fd, int max_ms)
{
    struct mtarep__prov_multi *m = arg;
    struct curl_waitfd w = {fd, CURL_WAIT_POLLIN, 0};
    long t = -1;
    uint64_t now = now_ms();
    int running, left;
    CURLMsg *msg;

    curl_multi_timeout(m->cm, &t);
    for (size_t i = 0; i < m->n; i++) {
        struct mtarep__prov_job *j = m->jobs[i];
        if (!j->done && j->retry_at) {
            long d = j->retry_at > now ? (long)(j->retry_at - now) : 0;
            if (t < 0 || d < t)
                t = d;
        }
    }
    if (max_ms >= 0 && (t < 0 || t > max_ms))
        t = max_ms;
    if (t < 0 || t > 1000) /* libcurl always names its next timeout; a bound anyway */
        t = 1000;
    curl_multi_poll(m->cm, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0, (int)t, NULL);
    curl_multi_perform(m->cm, &running);
    while ((msg = curl_multi_info_read(m->cm, &left))) {
        struct mtarep__http_xfer *x = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        for (size_t i = 0; x && i < m->n; i++)
            if (&m->jobs[i]->x == x) {
                finished(m, m->jobs[i], msg->data.result);
                break;
            }
    }
    now = now_ms();
    for (size_t i = 0; i < m->n; i++) {
        struct mtarep__prov_job *j = m->jobs[i];
        if (j->done || !j->retry_at || j->retry_at > now)
            continue;
        j->retry_at = 0;
        mtarep__http_rearm(&j->x);
        if (curl_multi_add_handle(m->cm, j->x.c) != CURLM_OK) {
            mtarep__http_release(&j->x, 1);
            mtarep__prov_job_feed(j, mtarep__fail(m->ctx, MTAREP_ENOMEM, "%s: cannot retry",
                                                  j->what), NULL);
            continue;
        }
        j->in_multi = 1;
    }
    curl_multi_perform(m->cm, &running);
}

void mtarep__prov_multi_run(struct mtarep__prov_multi *m)
{
    while (mtarep__prov_multi_busy(m))
        mtarep__prov_multi_wait(m, -1, -1);
}

void mtarep__prov_multi_free(struct mtarep__prov_multi *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        struct mtarep__prov_job *j = m->jobs[i];
        if (j->in_multi)
            curl_multi_remove_handle(m->cm, j->x.c);
        j->in_multi = 0;
        mtarep__http_release(&j->x, 1);
        if (!j->done)
            job_end(j, mtarep__fail(m->ctx, MTAREP_ECANCELLED, "%s: abandoned", j->what));
    }
    curl_multi_cleanup(m->cm);
    free(m);
}
