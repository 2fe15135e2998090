/* DKIM key records: the shared vectors (tests/data/dkim/key-records.tsv),
 * one test per rule, tag-list positions, fetch and selector discovery over
 * a static zone (the Knot tests are in tests/integration/test_dkim_net.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim/dkim_int.h"
#include <mtarep.h>

/* generated with openssl 3.0 for these tests (public parts only) */
#define RSA1024 "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+9rAVsSXrGJ4loX9DziDNDhBLRYn3Z6JWHQUASh+2eD1JA4enNqUQNZceMSyIm0/m5I6etvc4VQ96pJK3Ybj72ALTNfWqVw7Md0tqxz2eww5TET/t8gg0SM1De03N5D/UC9j9EqH1im6Xwm7I/wtATfLkyYn3Mw+O1a1Y0GJVwIDAQAB"
#define RSA2048_PKCS1 "MIIBCgKCAQEA3ty3hdTBh3a9b9hww0nqa2ebgm/tEyfbj6k35Mf4VAWtcwjF6JICR8on9IsC0coqTxEORgQU7aJiXCAStJQtvcFavvLez5PjV5nrefUnkTnFeYKEnSciCcG1x/jyWHy2srOp1WjeH1SMBxVDQqAMiPODZcV0AX6UVBdKKbMrcQwnVZXdLkLdZ95PUqVoTtW4EZ4EsLKEzrNVHNMe2VWEYzSiR/XgIT3YuWHkXoRtGVsu8SysAYk1mpZ4zcHO8oXjHNJ7A5GSf+X1QnH0cs6iAgqZHJDPCJTAAmFSJor5MJG9eDZKTtd0CGTzrIEj3v3mP6QqoUZYECkkFgjFAs2NCwIDAQAB"
#define EC_P256 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEuhc0Im8JPr4+tx6TyoKrsd0RcwDrGL9KANfeHQh3aTtnalf8pnQwgKt3jr0iZrd4c/PNsZQ8OyT//Whkb+tnSQ=="
#define RSA5120 "MIICojANBgkqhkiG9w0BAQEFAAOCAo8AMIICigKCAoEAulbT6I+PTnDqrXjnPac9e1FUn4zDVykNRY0PmyVyQWLLT8QeoVZmgYQ7C8A8dKdIg3aTk7X7QU3obe24V6JPZ44gB3ElLsNrh7MouhdDc4G4QsTuCqV/gtVIhXM7rWranb6pBvSG/b03B7R5/QEhxCtvg3utCVIK8tdLb6BzCcPcwmK45irMYyvygDKd46LQ79fXoEb39ik2zr1nUffaAMkwvz+3WzVtBhq1C/xPWtsmWD0vtCWuOjYs2sMUlN2z5Z5lFmzgua1EBUuivwohD9qFUbppVkjl3j/pEizi571ZTXTptitBYgUyHFT6Rrg/YFrT4tVlbsNKW2DSvYR+8Vc4r9ydwja1fDTuUsk3VMSUFer8KWTusehsQw3A4AnXJAXbFqi4y5g4umCZfMg++55EHHhsbvWHHzu3hG3p/rC9kg9C5EImfnOjRARISoOywpqlC0r2OoRMMWot70UZJFI0nmGRGgu0OncAQ4nH0/vNV1ENXcY48dPle4ubNhRtLAxKp8SCdul1EcCu7kE3m+i/OjozPfsvEgRwu0uKd3B4buCVK79n0sXEadYHU40EmIWUWmZGIvQqXjHFBCZBMwsNS2ENCMhNn7WhURZA3yGThAPwr5cig9DfX8WqrYXemUIhsrK56WjbDPO4cBaNXC6HDK1L2/a6w761iYDwg2zIxdWrWfOxU0RPkL4CZx3r2t8FZ/EvArTJfm2ip1khvezjLBhS861oFTU5rkLb7bq4LS3ZH4W78QiGP4RdLZMMiP5CmI3ZEvcQqEJT4LCMFRhoo0dYIdYjiDRXcWsNUhshMz8bqfc6uiaLtHKBgeootwbywwDI+WOi1z/h9xgNjwIDAQAB"
/* from key-records.tsv (RSA 2048, RFC 8463 Ed25519) */
#define RSA2048 "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqYwuXgw2+TefZKmqhuIeZD2bxDdXkflh7RKJHHmR3n6jDs1FemO0kSWjw/sCCxPqBzUnpNPgffUqr+E0ZTXF86O6eDJdk726enDe371C2l5YdDvY716RGLxZxevCht7iJ6ZoC9pyCFHhiTyqoRPhxLJpyNiK50q5MUXvLIlcK22+r/kTlFp7hDLsYx7oXLgZFmkiT78y/1XptpDKnFBJzfVZKr5I4VnhBReygrtLSPvkvnyKAm5CtO8+b14uw6AqszY0Rp8vZT9CyzTEF3tww4iqc+jnmstKjCcZ+QCJm5hcni0gQUTnyTaxNVe8PLh2owl/ObxlUVAupjbXBLc/SwIDAQAB"
#define ED25519 "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

static mtarep_dkim_result *val(const char *txt)
{
    mtarep_dkim_result *r = NULL;
    cr_assert_eq(mtarep_dkim_validate(&r, NULL, txt, strlen(txt)), MTAREP_OK);
    cr_assert_not_null(r);
    return r;
}

/* 1 if some problem of severity sev mentions needle */
static int has_problem(const mtarep_dkim_result *r, int sev, const char *needle)
{
    for (size_t i = 0; i < mtarep_dkim_result_problem_count(r); i++)
        if ((int)mtarep_dkim_result_problem_severity(r, i) == sev &&
            strstr(mtarep_dkim_result_problem_message(r, i), needle))
            return 1;
    return 0;
}

static void dump(const mtarep_dkim_result *r, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < mtarep_dkim_result_problem_count(r) && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "[%s] %s; ",
                              mtarep_auth_severity_name(mtarep_dkim_result_problem_severity(r, i)),
                              mtarep_dkim_result_problem_message(r, i));
}

#define EXPECT(txt, verdict, sev, needle)                                                    \
    do {                                                                                     \
        mtarep_dkim_result *r_ = val(txt);                                                   \
        char d_[4000];                                                                       \
        dump(r_, d_, sizeof d_);                                                             \
        cr_assert_eq(mtarep_dkim_result_verdict(r_), verdict, "%s -> %s (%s)", txt,          \
                     mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r_)), d_);          \
        if (needle)                                                                          \
            cr_assert(has_problem(r_, sev, needle ? needle : ""), "%s: no '%s' in %s", txt,   \
                      needle ? needle : "", d_);                                             \
        mtarep_dkim_result_free(r_);                                                         \
    } while (0)

Test(dkim, vectors)
{
    char path[1024], line[8192];
    const char *dir = getenv("MTAREP_TEST_DATA");
    FILE *f;
    int n = 0, bad = 0;

    cr_assert_not_null(dir, "MTAREP_TEST_DATA not set");
    snprintf(path, sizeof path, "%s/dkim/key-records.tsv", dir);
    cr_assert_not_null(f = fopen(path, "r"), "cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        char *rec = line, *exp, *why, *e;
        mtarep_dkim_result *r;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        cr_assert_not_null(exp = strchr(rec, '\t'));
        *exp++ = 0;
        cr_assert_not_null(why = strchr(exp, '\t'));
        *why++ = 0;
        if ((e = strchr(why, '\t')))
            *e = 0;
        r = val(rec);
        if (strcmp(mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r)), exp) != 0) {
            char d[4000];
            dump(r, d, sizeof d);
            cr_log_error("vector %d (%s): expected %s, got %s: %s", n + 1, why, exp,
                         mtarep_auth_verdict_name(mtarep_dkim_result_verdict(r)), d);
            bad++;
        }
        mtarep_dkim_result_free(r);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 17, "expected 17 vectors, read %d", n);
    cr_assert_eq(bad, 0, "%d of %d vectors disagree (see log)", bad, n);
}

Test(dkim, key_facts)
{
    mtarep_dkim_result *r = val("v=DKIM1; k=rsa; p=" RSA2048);
    cr_assert_str_eq(mtarep_dkim_result_key_type(r), "rsa");
    cr_assert_eq(mtarep_dkim_result_key_bits(r), 2048);
    cr_assert_eq(mtarep_dkim_result_problem_count(r), 0);
    mtarep_dkim_result_free(r);
    r = val("v=DKIM1; k=ed25519; p=" ED25519);
    cr_assert_str_eq(mtarep_dkim_result_key_type(r), "ed25519");
    cr_assert_eq(mtarep_dkim_result_key_bits(r), 256);
    mtarep_dkim_result_free(r);
}

Test(dkim, rsa_sizes)
{
    mtarep_dkim_result *r = val("v=DKIM1; p=" RSA1024);
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_WARNING);
    cr_assert_eq(mtarep_dkim_result_key_bits(r), 1024);
    cr_assert(has_problem(r, MTAREP_AUTH_WARN, "DKIM key 1024-bit"));
    mtarep_dkim_result_free(r);
    EXPECT("v=DKIM1; p=" RSA5120, MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "up to 4096");
    EXPECT("v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAOn7W+WEk3YshwOYG25oGJ3hAvV2y/ZCLfIqgM431trlXzC2JDsrY3Qcha5KzrFqjuwQTmjgRXM520KDdZ7a7pUCAwEAAQ==",
           MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "512-bit");
}

Test(dkim, encodings)
{
    EXPECT("v=DKIM1; p=" RSA2048_PKCS1, MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "PKCS#1");
    EXPECT("v=DKIM1; k=rsa; p=" EC_P256, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "key type mismatch");
    EXPECT("v=DKIM1; k=ed25519; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "raw 32-octet");
    EXPECT("v=DKIM1; k=ed25519; p=AAAA", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "exactly 32");
    EXPECT("v=DKIM1; k=rsa; p=" ED25519, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "does not decode");
    EXPECT("v=DKIM1; p=MIIB*AAA", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "not base64");
    EXPECT("v=DKIM1; p=MIIBA", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "not base64");
    EXPECT("v=DKIM1; p=AA==AA==", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "not base64");
    EXPECT("v=DKIM1; p=" RSA2048 "AAAA", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "garbage");
}

Test(dkim, whitespace_in_key)
{
    /* FWS inside the base64 (RFC 6376 3.6.1 allows it) */
    char rec[1200];
    snprintf(rec, sizeof rec, "v=DKIM1;\tk=rsa ; p=%.100s \r\n\t%s", RSA2048, RSA2048 + 100);
    EXPECT(rec, MTAREP_AUTH_VALID, 0, NULL);
}

Test(dkim, tags)
{
    EXPECT("v=DKIM1; p=", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "revoked");
    EXPECT("v=DKIM1; k=rsa", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "missing");
    EXPECT("v=DKIM2; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "exactly DKIM1");
    EXPECT("v=dkim1; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "exactly DKIM1");
    EXPECT("k=dsa; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "unknown key type");
    EXPECT("h=sha1; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "only sha1");
    EXPECT("h=md5; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "no usable hash");
    EXPECT("h=sha1:sha256; p=" RSA2048, MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "sha1");
    EXPECT("h=sha256; p=" RSA2048, MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("s=email:tlsrpt; p=" RSA2048, MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("s=*; p=" RSA2048, MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("s=tlsrpt; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "not usable for email");
    EXPECT("t=y:s; p=" RSA2048, MTAREP_AUTH_WARNING, MTAREP_AUTH_WARN, "testing");
    EXPECT("t=s; p=" RSA2048, MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "t=s");
    EXPECT("n=hello world; p=" RSA2048, MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("x_custom=1; p=" RSA2048, MTAREP_AUTH_VALID, MTAREP_AUTH_INFO, "unknown tag");
    EXPECT("x-custom=1; p=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "expected");
    EXPECT("p=" RSA2048 ";", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("p=" RSA2048 "; ", MTAREP_AUTH_VALID, 0, NULL);
    EXPECT("P=" RSA2048, MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "missing");
    EXPECT("", MTAREP_AUTH_INVALID, MTAREP_AUTH_ERROR, "empty tag-list");
}

Test(dkim, syntax_positions)
{
    static const struct {
        const char *txt;
        long off;
        const char *msg;
    } cases[] = {
        {"v=DKIM1; k=rsa; k=rsa; p=x", 16, "duplicate tag 'k'"},
        {"v=DKIM1;; p=x", 8, "empty tag-spec"},
        {"v=DKIM1; foo", 12, "'=' expected"},
        {"v=DKIM1; 1k=rsa", 9, "tag name expected"},
        {"v=DKIM1; n=a\x01" "b", 12, "invalid octet 0x01"},
        {"v=DKIM1; n=caf\xc3\xa9", 14, "invalid octet 0xc3"},
        {"v=DKIM1; n=a\nb", 12, "invalid octet 0x0a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mtarep_dkim_result *r = val(cases[i].txt);
        cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_INVALID, "%s", cases[i].txt);
        cr_assert_eq(mtarep_dkim_result_problem_offset(r, 0), cases[i].off, "%s: offset %ld (%s)",
                     cases[i].txt, mtarep_dkim_result_problem_offset(r, 0),
                     mtarep_dkim_result_problem_message(r, 0));
        cr_assert(strstr(mtarep_dkim_result_problem_message(r, 0), cases[i].msg), "%s: %s",
                  cases[i].txt, mtarep_dkim_result_problem_message(r, 0));
        mtarep_dkim_result_free(r);
    }
}

Test(dkim, nul_octet)
{
    mtarep_dkim_result *r = NULL;
    cr_assert_eq(mtarep_dkim_validate(&r, NULL, "p=\0AAA", 6), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_INVALID);
    cr_assert_str_eq(mtarep_dkim_result_record(r), "p=\\x00AAA");
    mtarep_dkim_result_free(r);
    cr_assert_eq(mtarep_dkim_validate(NULL, NULL, "x", 1), MTAREP_EINVAL);
    cr_assert_eq(mtarep_dkim_validate(&r, NULL, NULL, 3), MTAREP_EINVAL);
}

/* ---- fetch and discovery over a static zone -------------------------------- */

static const char ZONE[] =
    "$TTL 300\n"
    "mail._domainkey.example.org. TXT \"v=DKIM1; k=rsa; \" \"p=" RSA1024 "\"\n"
    "selector1._domainkey.example.org. CNAME s1.keys.example.net.\n"
    "s1.keys.example.net. TXT \"v=DKIM1; k=ed25519; p=" ED25519 "\"\n"
    "google._domainkey.example.org. TXT \"v=DKIM1; p=\"\n"
    "two._domainkey.example.org. TXT \"v=DKIM1; p=" ED25519 "\"\n"
    "two._domainkey.example.org. TXT \"v=DKIM1; k=ed25519; p=" ED25519 "\"\n";

static mtarep_ctx *zone_ctx(void)
{
    mtarep_ctx *ctx = NULL;
    cr_assert_eq(mtarep_ctx_new(&ctx, NULL), MTAREP_OK);
    cr_assert_eq(mtarep_ctx_add_zone_text(ctx, ZONE), MTAREP_OK, "zone: %s", mtarep_ctx_errmsg(ctx));
    return ctx;
}

Test(dkim, fetch_static)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_dkim_result *r = NULL;
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "Example.ORG.", "mail", NULL), MTAREP_OK, "%s",
                 mtarep_ctx_errmsg(ctx));
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_WARNING);
    cr_assert_eq(mtarep_dkim_result_key_bits(r), 1024, "multi-string TXT joined");
    cr_assert_str_eq(mtarep_dkim_result_name(r), "mail._domainkey.example.org");
    mtarep_dkim_result_free(r);
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "example.org", "selector1", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_VALID, "CNAME followed");
    cr_assert_str_eq(mtarep_dkim_result_key_type(r), "ed25519");
    mtarep_dkim_result_free(r);
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "example.org", "nope", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_NONE);
    mtarep_dkim_result_free(r);
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "example.org", "two", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_result_verdict(r), MTAREP_AUTH_INVALID);
    cr_assert(has_problem(r, MTAREP_AUTH_ERROR, "2 TXT records"));
    mtarep_dkim_result_free(r);
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "bad..domain", "mail", NULL), MTAREP_EINVAL);
    cr_assert_eq(mtarep_dkim_fetch(&r, ctx, "example.org", "a b", NULL), MTAREP_EINVAL);
    cr_assert_null(r);
    mtarep_ctx_free(ctx);
}

Test(dkim, discover_static)
{
    mtarep_ctx *ctx = zone_ctx();
    mtarep_dkim_discovery *d = NULL;
    int seen_mail = 0, seen_s1 = 0, seen_google = 0;
    cr_assert_eq(mtarep_dkim_discover(&d, ctx, "example.org", NULL), MTAREP_OK);
    cr_assert_eq(mtarep_dkim_discovery_found(d), 3, "mail, selector1, google");
    cr_assert_eq(mtarep_dkim_discovery_undecided(d), 0);
    for (size_t i = 0; i < mtarep_dkim_discovery_count(d); i++) {
        const mtarep_dkim_result *r = mtarep_dkim_discovery_result(d, i);
        const char *s = mtarep_dkim_result_selector(r);
        if (!strcmp(s, "mail"))
            seen_mail = mtarep_dkim_result_verdict(r) == MTAREP_AUTH_WARNING;
        if (!strcmp(s, "selector1"))
            seen_s1 = mtarep_dkim_result_verdict(r) == MTAREP_AUTH_VALID;
        if (!strcmp(s, "google"))
            seen_google = mtarep_dkim_result_revoked(r);
    }
    cr_assert(seen_mail && seen_s1 && seen_google);
    mtarep_dkim_discovery_free(d);
    {
        const char *sel[] = {"two", "none"};
        mtarep_dkim_options o = MTAREP_DKIM_OPTIONS_INIT;
        o.selectors = sel;
        o.selector_count = 2;
        cr_assert_eq(mtarep_dkim_discover(&d, ctx, "example.org", &o), MTAREP_OK);
        cr_assert_eq(mtarep_dkim_discovery_count(d), 2);
        cr_assert_eq(mtarep_dkim_discovery_found(d), 1);
        mtarep_dkim_discovery_free(d);
        o.version = 99;
        cr_assert_eq(mtarep_dkim_discover(&d, ctx, "example.org", &o), MTAREP_EVERSION);
    }
    cr_assert_not_null(mtarep_dkim_default_selector(0));
    mtarep_ctx_free(ctx);
}
