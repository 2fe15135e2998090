/* Redis store: one atomic Lua script per decision (EVALSHA, EVAL when the
 * server has lost the script), the same arithmetic as
 * mtarep__limits_decide() in Lua, server clock by default.
 *
 * Keys: "mtarep:{<key>}:<period ms>" (GCRA) and "...:<period ms>:w"
 * (window), the user key escaped so that its
 * braces cannot move the hash tag: every key of one decision has the same
 * tag and lands in the same cluster slot. Keys go in KEYS, parameters in
 * ARGV (cluster-safe). Each key holds its state (see the script) with a
 * TTL of the time until it drains, so idle keys vanish. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "throttle_int.h"

/* ARGV: q, peek (0/1), now us ("" = server TIME), then 4 per key: "g", T,
 * tau, 0 (GCRA) or "w", P, w, N (window, all in us). Returns {admitted,
 * now, then per key the normalised state before the request: GCRA the
 * clamped TAT; window E and its 16 counters}, from which the client
 * computes remaining and retry times with the same C code the local
 * stores use. A GCRA key holds the TAT (decimal); a window key E and the
 * 16 counters as 17 little-endian doubles (struct.pack: a third of the
 * cost of formatting and parsing decimals; every value is an integer
 * below 2^53, exact in a double). Lua
 * numbers are doubles; every value stays below 2^53 (see throttle_int.h)
 * and fdiv() corrects the one rounding a double division can make. */
const char mtarep__redis_script[] =
    "local q = tonumber(ARGV[1])\n"
    "local peek = ARGV[2] == '1'\n"
    "local now\n"
    "if ARGV[3] == '' then\n"
    "  local t = redis.call('TIME')\n"
    "  now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "else\n"
    "  now = tonumber(ARGV[3])\n"
    "end\n"
    "local R, CMAX = 16, 1000000000000\n"
    "local function fdiv(a, b)\n"
    "  local d = math.floor(a / b)\n"
    "  if d * b > a then d = d - 1 elseif (d + 1) * b <= a then d = d + 1 end\n"
    "  return d\n"
    "end\n"
    "local function ttl(e) return math.ceil((e - now) / 1000) + 1 end\n"
    "local WF = '<' .. string.rep('d', R + 1)\n"
    "local function wstr(e, c) return struct.pack(WF, e, unpack(c, 0, R - 1)) end\n"
    "local n = #KEYS\n"
    "local kind, A, B, C, st, nxt, reb = {}, {}, {}, {}, {}, {}, {}\n"
    "local ok = true\n"
    "for i = 1, n do\n"
    "  kind[i] = ARGV[4 * i]\n"
    "  A[i] = tonumber(ARGV[4 * i + 1])\n"
    "  B[i] = tonumber(ARGV[4 * i + 2])\n"
    "  C[i] = tonumber(ARGV[4 * i + 3])\n"
    "  if kind[i] == 'g' then\n"
    "    local T, tau = A[i], B[i]\n"
    "    local v = tonumber(redis.call('GET', KEYS[i])) or 0\n"
    "    if v ~= v then v = 0 end\n" /* "nan": not a number, as any text */
    "    if v > now + tau then v = now + tau end\n"
    "    if v < now then v = now end\n"
    "    st[i] = v\n"
    "    nxt[i] = v + q * T\n"
    "    if nxt[i] - now > tau then ok = false end\n"
    "  else\n"
    "    local P, w, N = A[i], B[i], C[i]\n"
    "    local E, c, vals = 0, {}, {}\n"
    "    local raw = redis.call('GET', KEYS[i])\n"
    "    if raw and #raw == 8 * (R + 1) then vals = {struct.unpack(WF, raw)} end\n"
    "    if #vals > R and vals[1] == vals[1] then E = math.floor(vals[1]) end\n"
    "    for j = 0, R - 1 do\n"
    "      local x = vals[j + 2]\n"
    "      if not x or not (x >= 0) then x = 0 end\n"
    "      if x > CMAX then x = CMAX end\n"
    "      c[j] = math.floor(x)\n"
    "    end\n"
    "    local jn = fdiv(now, w)\n"
    "    local J = nil\n"
    "    if E > now and E >= P + w then\n"
    "      J = fdiv(E - P, w) - 1\n"
    "      if J > jn + R - 1 and (J - jn) * w > 60000000 then\n"
    "        local s = 0\n"
    "        for j = 0, R - 1 do s = s + c[j]; c[j] = 0 end\n"
    "        if s > CMAX then s = CMAX end\n"
    "        c[jn % R] = s\n"
    "        J = jn\n"
    "        reb[i] = true\n"
    "      end\n"
    "    else\n"
    "      for j = 0, R - 1 do c[j] = 0 end\n"
    "    end\n"
    "    local sum = 0\n"
    "    if J then\n"
    "      local lo = 0\n"
    "      if now >= P then lo = fdiv(now - P, w) end\n"
    "      local f = J + 1 - R\n"
    "      if lo > f then f = lo end\n"
    "      for j = f, J do sum = sum + c[j % R] end\n"
    "    end\n"
    "    local r = {J and ((J + 1) * w + P) or 0}\n"
    "    for j = 0, R - 1 do r[j + 2] = c[j] end\n"
    "    st[i] = r\n"
    "    if N == 0 or q > N or sum + q > N then ok = false end\n"
    "    if ok then\n"
    "      local je = jn\n"
    "      local d = {}\n"
    "      for j = 0, R - 1 do d[j] = c[j] end\n"
    "      if J and J > je then je = J end\n"
    "      if not J or je - J >= R then\n"
    "        for j = 0, R - 1 do d[j] = 0 end\n"
    "      else\n"
    "        for j = J + 1, je do d[j % R] = 0 end\n"
    "      end\n"
    "      d[je % R] = d[je % R] + q\n"
    "      nxt[i] = {(je + 1) * w + P, d}\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if not peek then\n"
    "  for i = 1, n do\n"
    "    if ok and kind[i] == 'g' then\n"
    "      redis.call('SET', KEYS[i], string.format('%.0f', nxt[i]), 'PX', ttl(nxt[i]))\n"
    "    elseif ok then\n"
    "      redis.call('SET', KEYS[i], wstr(nxt[i][1], nxt[i][2]), 'PX', ttl(nxt[i][1]))\n"
    "    elseif reb[i] then\n"
    "      local c = {}\n"
    "      for j = 0, R - 1 do c[j] = st[i][j + 2] end\n"
    "      redis.call('SET', KEYS[i], wstr(st[i][1], c), 'PX', ttl(st[i][1]))\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local r = {ok and 1 or 0, now}\n"
    "for i = 1, n do\n"
    "  if kind[i] == 'g' then\n"
    "    r[#r + 1] = st[i]\n"
    "  else\n"
    "    for j = 1, R + 1 do r[#r + 1] = st[i][j] end\n"
    "  end\n"
    "end\n"
    "return r\n";

typedef struct rconn {
    pthread_mutex_t mu;
    redisContext *c;
    char sha[48];
} rconn;

typedef struct rstore {
    mtarep__tstore base;
    char host[256];
    int port;
    int db;
    char *user, *pass;
    char safe[320];
    mtarep__redis_cfg cfg;
    mtarep__tlog log;
    size_t nconn;
    rconn *conns;
    unsigned int rr;         /* round robin, atomic */
    uint64_t down_until;     /* monotonic ms, atomic */
    pthread_mutex_t err_mu;
    char last_err[160];
} rstore;

/* Replace every occurrence of the password (servers may echo arguments). */
static void scrub(char *s, const char *secret)
{
    size_t n;
    char *p;

    if (!secret || !(n = strlen(secret)))
        return;
    while ((p = strstr(s, secret)) != NULL) {
        memset(p, '*', n);
    }
}

int mtarep__redis_key(char *buf, size_t len, const char *key, size_t klen, uint64_t period_ms,
                      int window)
{
    size_t o = 0;
    int n;

    n = snprintf(buf, len, "mtarep:{");
    if (n < 0 || (size_t)n >= len)
        return MTAREP_ELIMIT;
    o = (size_t)n;
    for (size_t i = 0; i < klen; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c == '{' || c == '}' || c == '%') {
            if (o + 3 >= len)
                return MTAREP_ELIMIT;
            snprintf(buf + o, 4, "%%%02X", c);
            o += 3;
        } else {
            if (o + 1 >= len)
                return MTAREP_ELIMIT;
            buf[o++] = (char)c;
        }
    }
    n = snprintf(buf + o, len - o, window ? "}:%llu:w" : "}:%llu", (unsigned long long)period_ms);
    return (n < 0 || (size_t)n >= len - o) ? MTAREP_ELIMIT : MTAREP_OK;
}

static void set_msg(rstore *r, char *msg, size_t msglen, const char *what, const char *detail)
{
    snprintf(msg, msglen, "%s: %s%s%s", r->safe, what, detail ? ": " : "", detail ? detail : "");
    scrub(msg, r->pass);
}

static int conn_open(rstore *r, rconn *cn, char *msg, size_t msglen)
{
    struct timeval tv = {(time_t)(r->cfg.timeout_ms / 1000),
                         (suseconds_t)(r->cfg.timeout_ms % 1000) * 1000};
    redisReply *rep;
    redisContext *c = redisConnectWithTimeout(r->host, r->port, tv);

    if (!c) {
        set_msg(r, msg, msglen, "cannot connect", "out of memory");
        return MTAREP_ETEMPFAIL;
    }
    if (c->err) {
        set_msg(r, msg, msglen, "cannot connect", c->errstr);
        redisFree(c);
        return MTAREP_ETEMPFAIL;
    }
    redisSetTimeout(c, tv);
    if (r->pass) {
        if (r->user)
            rep = redisCommand(c, "AUTH %s %s", r->user, r->pass);
        else
            rep = redisCommand(c, "AUTH %s", r->pass);
        if (!rep || rep->type == REDIS_REPLY_ERROR) {
            set_msg(r, msg, msglen, "authentication failed", rep ? rep->str : c->errstr);
            if (rep)
                freeReplyObject(rep);
            redisFree(c);
            return MTAREP_ETEMPFAIL;
        }
        freeReplyObject(rep);
    }
    if (r->db) {
        rep = redisCommand(c, "SELECT %d", r->db);
        if (!rep || rep->type == REDIS_REPLY_ERROR) {
            set_msg(r, msg, msglen, "SELECT failed", rep ? rep->str : c->errstr);
            if (rep)
                freeReplyObject(rep);
            redisFree(c);
            return MTAREP_ETEMPFAIL;
        }
        freeReplyObject(rep);
    }
    rep = redisCommand(c, "SCRIPT LOAD %s", mtarep__redis_script);
    if (!rep || rep->type != REDIS_REPLY_STRING || rep->len >= (int)sizeof cn->sha) {
        set_msg(r, msg, msglen, "SCRIPT LOAD failed",
                rep && rep->type == REDIS_REPLY_ERROR ? rep->str : c->errstr);
        if (rep)
            freeReplyObject(rep);
        redisFree(c);
        return MTAREP_ETEMPFAIL;
    }
    memcpy(cn->sha, rep->str, (size_t)rep->len);
    cn->sha[rep->len] = '\0';
    freeReplyObject(rep);
    cn->c = c;
    return MTAREP_OK;
}

static void conn_drop(rconn *cn)
{
    if (cn->c)
        redisFree(cn->c);
    cn->c = NULL;
}

static rconn *conn_get(rstore *r)
{
    unsigned int start = __atomic_fetch_add(&r->rr, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < r->nconn; i++) {
        rconn *cn = &r->conns[(start + i) % r->nconn];
        if (pthread_mutex_trylock(&cn->mu) == 0)
            return cn;
    }
    {
        rconn *cn = &r->conns[start % r->nconn];
        pthread_mutex_lock(&cn->mu);
        return cn;
    }
}

/* Send argv (argv[0..1] replaced by EVALSHA sha / EVAL script), retrying
 * once on a fresh connection when an established one turns out dead (a
 * restarted server). A reply lost with a dead connection may have been
 * counted: the retry then counts twice, which only under-admits. */
static redisReply *run_script(rstore *r, rconn *cn, int argc, const char **argv, size_t *lens,
                              char *msg, size_t msglen, int *rc)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fresh = 0;
        redisReply *rep;

        if (!cn->c) {
            if ((*rc = conn_open(r, cn, msg, msglen)) != MTAREP_OK)
                return NULL;
            fresh = 1;
        }
        argv[0] = "EVALSHA";
        argv[1] = cn->sha;
        lens[0] = 7;
        lens[1] = strlen(cn->sha);
        rep = redisCommandArgv(cn->c, argc, argv, lens);
        if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject(rep);
            argv[0] = "EVAL";
            argv[1] = mtarep__redis_script;
            lens[0] = 4;
            lens[1] = sizeof mtarep__redis_script - 1;
            rep = redisCommandArgv(cn->c, argc, argv, lens);
        }
        if (!rep) {
            set_msg(r, msg, msglen, "connection failed", cn->c->errstr);
            conn_drop(cn);
            if (!fresh)
                continue;
            *rc = MTAREP_ETEMPFAIL;
            return NULL;
        }
        if (rep->type == REDIS_REPLY_ERROR) {
            set_msg(r, msg, msglen, "script failed", rep->str);
            freeReplyObject(rep);
            *rc = MTAREP_ETEMPFAIL;
            return NULL;
        }
        *rc = MTAREP_OK;
        return rep;
    }
    *rc = MTAREP_ETEMPFAIL;
    return NULL;
}

static int unavailable(rstore *r, char *msg, size_t msglen)
{
    uint64_t until = __atomic_load_n(&r->down_until, __ATOMIC_ACQUIRE);
    uint64_t now = mtarep__mono_ms();
    if (now >= until)
        return 0;
    pthread_mutex_lock(&r->err_mu);
    snprintf(msg, msglen, "%s (not retried for %llu ms)", r->last_err,
             (unsigned long long)(until - now));
    pthread_mutex_unlock(&r->err_mu);
    return 1;
}

static void mark_down(rstore *r, const char *msg)
{
    pthread_mutex_lock(&r->err_mu);
    snprintf(r->last_err, sizeof r->last_err, "%s", msg);
    pthread_mutex_unlock(&r->err_mu);
    __atomic_store_n(&r->down_until, mtarep__mono_ms() + r->cfg.retry_interval_ms,
                     __ATOMIC_RELEASE);
}

static int64_t int_of(const redisReply *e, int *bad)
{
    if (e->type == REDIS_REPLY_INTEGER)
        return (int64_t)e->integer;
    *bad = 1;
    return 0;
}

static int redis_decide(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                        size_t n, uint64_t q, int peek, const mtarep__tclock *clk,
                        uint64_t *now_out, mtarep__lstate *view, int *admitted, char *msg,
                        size_t msglen)
{
    rstore *r = (rstore *)s;
    enum { KLEN = 3 * MTAREP_THROTTLE_KEY_MAX + 40 };
    char keys[MTAREP_THROTTLE_MAX_LIMITS][KLEN];
    char nums[3 + 3 * MTAREP_THROTTLE_MAX_LIMITS][24];
    const char *argv[6 + 5 * MTAREP_THROTTLE_MAX_LIMITS];
    size_t lens[6 + 5 * MTAREP_THROTTLE_MAX_LIMITS];
    size_t want = 2, e;
    int argc = 0, rc, bad = 0;
    redisReply *rep;
    rconn *cn;

    if (unavailable(r, msg, msglen))
        return MTAREP_ETEMPFAIL;
    argv[argc++] = NULL; /* EVALSHA / EVAL */
    argv[argc++] = NULL; /* sha / script */
    snprintf(nums[0], sizeof nums[0], "%zu", n);
    argv[argc++] = nums[0];
    for (size_t i = 0; i < n; i++) {
        if (mtarep__redis_key(keys[i], sizeof keys[i], key, klen, g[i].period_ms, g[i].window) !=
            MTAREP_OK) {
            snprintf(msg, msglen, "key too long");
            return MTAREP_EINVAL;
        }
        argv[argc++] = keys[i];
    }
    snprintf(nums[1], sizeof nums[1], "%llu", (unsigned long long)q);
    argv[argc++] = nums[1];
    argv[argc++] = peek ? "1" : "0";
    if (r->cfg.client_clock)
        snprintf(nums[2], sizeof nums[2], "%llu", (unsigned long long)clk->now_us(clk->arg));
    else
        nums[2][0] = '\0';
    argv[argc++] = nums[2];
    for (size_t i = 0; i < n; i++) {
        char *a = nums[3 + 3 * i], *b = nums[4 + 3 * i], *c = nums[5 + 3 * i];
        if (g[i].window) {
            snprintf(a, sizeof nums[0], "%llu", (unsigned long long)g[i].period_us);
            snprintf(b, sizeof nums[0], "%llu", (unsigned long long)g[i].w);
            snprintf(c, sizeof nums[0], "%llu", (unsigned long long)g[i].count);
        } else {
            snprintf(a, sizeof nums[0], "%llu", (unsigned long long)g[i].T);
            snprintf(b, sizeof nums[0], "%llu", (unsigned long long)g[i].tau);
            snprintf(c, sizeof nums[0], "0");
        }
        argv[argc++] = g[i].window ? "w" : "g";
        argv[argc++] = a;
        argv[argc++] = b;
        argv[argc++] = c;
        want += g[i].window ? 1 + MTAREP__WIN_SLOTS : 1;
    }
    for (int i = 2; i < argc; i++)
        lens[i] = strlen(argv[i]);

    cn = conn_get(r);
    rep = run_script(r, cn, argc, argv, lens, msg, msglen, &rc);
    pthread_mutex_unlock(&cn->mu);
    if (!rep) {
        mark_down(r, msg);
        return rc;
    }
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != want) {
        set_msg(r, msg, msglen, "unexpected script reply", NULL);
        freeReplyObject(rep);
        mark_down(r, msg);
        return MTAREP_ETEMPFAIL;
    }
    *admitted = int_of(rep->element[0], &bad) == 1;
    *now_out = (uint64_t)int_of(rep->element[1], &bad);
    e = 2;
    for (size_t i = 0; i < n; i++) {
        memset(&view[i], 0, sizeof view[i]);
        view[i].tat = (uint64_t)int_of(rep->element[e++], &bad);
        if (g[i].window)
            for (unsigned j = 0; j < MTAREP__WIN_SLOTS; j++)
                view[i].c[j] = (uint64_t)int_of(rep->element[e++], &bad);
    }
    freeReplyObject(rep);
    if (bad) {
        set_msg(r, msg, msglen, "unexpected script reply", NULL);
        mark_down(r, msg);
        return MTAREP_ETEMPFAIL;
    }
    return MTAREP_OK;
}

static int redis_reset(mtarep__tstore *s, const char *key, size_t klen, const mtarep__gcra *g,
                       size_t n, char *msg, size_t msglen)
{
    rstore *r = (rstore *)s;
    enum { KLEN = 3 * MTAREP_THROTTLE_KEY_MAX + 40 };
    char keys[MTAREP_THROTTLE_MAX_LIMITS][KLEN];
    const char *argv[1 + MTAREP_THROTTLE_MAX_LIMITS];
    size_t lens[1 + MTAREP_THROTTLE_MAX_LIMITS];
    redisReply *rep = NULL;
    rconn *cn;
    int rc = MTAREP_OK;

    argv[0] = "DEL";
    lens[0] = 3;
    for (size_t i = 0; i < n; i++) {
        if (mtarep__redis_key(keys[i], sizeof keys[i], key, klen, g[i].period_ms, g[i].window) != MTAREP_OK) {
            snprintf(msg, msglen, "key too long");
            return MTAREP_EINVAL;
        }
        argv[1 + i] = keys[i];
        lens[1 + i] = strlen(keys[i]);
    }
    cn = conn_get(r);
    for (int attempt = 0; attempt < 2 && !rep; attempt++) {
        if (!cn->c && (rc = conn_open(r, cn, msg, msglen)) != MTAREP_OK)
            break;
        rep = redisCommandArgv(cn->c, (int)(1 + n), argv, lens);
        if (!rep) {
            set_msg(r, msg, msglen, "connection failed", cn->c->errstr);
            conn_drop(cn);
            rc = MTAREP_ETEMPFAIL;
        }
    }
    pthread_mutex_unlock(&cn->mu);
    if (rep) {
        rc = rep->type == REDIS_REPLY_ERROR ? MTAREP_ETEMPFAIL : MTAREP_OK;
        if (rc != MTAREP_OK)
            set_msg(r, msg, msglen, "DEL failed", rep->str);
        freeReplyObject(rep);
    }
    return rc;
}

static void redis_free(mtarep__tstore *s)
{
    rstore *r = (rstore *)s;
    if (!r)
        return;
    for (size_t i = 0; i < r->nconn; i++) {
        conn_drop(&r->conns[i]);
        pthread_mutex_destroy(&r->conns[i].mu);
    }
    free(r->conns);
    if (r->pass) {
        /* volatile walk so the wipe is not optimised away */
        volatile char *p = r->pass;
        while (*p)
            *p++ = 0;
    }
    free(r->pass);
    free(r->user);
    pthread_mutex_destroy(&r->err_mu);
    free(r);
}

static const mtarep__tstore_ops redis_ops = {redis_decide, redis_reset, redis_free};

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* redis://[[user]:password@]host[:port][/db] */
int mtarep__redis_open(mtarep__tstore **out, const char *uri, const mtarep__redis_cfg *cfg,
                       const mtarep__tlog *lg, char *safe_uri, size_t safe_len,
                       mtarep_throttle_error *err)
{
    const char *p = uri + 8, *at, *hs, *he, *slash;
    rstore *r;
    long v;
    char *end;

    if (strncmp(uri, "redis://", 8) != 0)
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "not a redis:// URI");
    r = calloc(1, sizeof *r);
    if (!r)
        return MTAREP_ENOMEM;
    r->base.ops = &redis_ops;
    r->base.remote = 1;
    r->cfg = *cfg;
    if (lg)
        r->log = *lg;
    r->port = 6379;
    pthread_mutex_init(&r->err_mu, NULL);
    slash = strchr(p, '/');
    at = memchr(p, '@', slash ? (size_t)(slash - p) : strlen(p));
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon) {
            redis_free(&r->base);
            /* no position: the user info may be a password typed without ':' */
            return mtarep__terr(err, MTAREP_EINVAL, NULL, -1,
                                "redis URI user info must be [user]:password");
        }
        if (colon > p)
            r->user = dup_n(p, (size_t)(colon - p));
        r->pass = dup_n(colon + 1, (size_t)(at - colon - 1));
        if ((colon > p && !r->user) || !r->pass) {
            redis_free(&r->base);
            return MTAREP_ENOMEM;
        }
        if (!r->pass[0]) {
            free(r->pass);
            r->pass = NULL;
        }
        p = at + 1;
    }
    hs = p;
    if (*hs == '[') {
        he = strchr(hs, ']');
        if (!he) {
            redis_free(&r->base);
            return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "redis URI: unclosed '['");
        }
        p = he + 1;
        hs++;
    } else {
        he = hs;
        while (*he && *he != ':' && *he != '/')
            he++;
        p = he;
    }
    if (he == hs || (size_t)(he - hs) >= sizeof r->host) {
        redis_free(&r->base);
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "redis URI: bad host");
    }
    memcpy(r->host, hs, (size_t)(he - hs));
    r->host[he - hs] = '\0';
    if (*p == ':') {
        v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535) {
            redis_free(&r->base);
            return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "redis URI: bad port");
        }
        r->port = (int)v;
        p = end;
    }
    if (*p == '/') {
        if (p[1]) {
            v = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end || v < 0 || v > 1000000) {
                redis_free(&r->base);
                return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "redis URI: bad db number");
            }
            r->db = (int)v;
        }
    } else if (*p) {
        redis_free(&r->base);
        return mtarep__terr(err, MTAREP_EINVAL, NULL, -1, "redis URI: unexpected text after host");
    }
    snprintf(r->safe, sizeof r->safe, strchr(r->host, ':') ? "redis://[%s]:%d/%d"
                                                           : "redis://%s:%d/%d",
             r->host, r->port, r->db);
    snprintf(safe_uri, safe_len, "%s", r->safe);
    r->nconn = cfg->connections ? cfg->connections : 1;
    r->conns = calloc(r->nconn, sizeof *r->conns);
    if (!r->conns) {
        redis_free(&r->base);
        return MTAREP_ENOMEM;
    }
    for (size_t i = 0; i < r->nconn; i++)
        pthread_mutex_init(&r->conns[i].mu, NULL);
    *out = &r->base;
    return MTAREP_OK;
}
