/* The RFC 7208 test suite (203 tests) through mtarep_spf_check(), with each
 * scenario's zonedata served by a plugged-in in-memory resolver (rules of
 * SPF-SUITE.md §3). Prints per-scenario counts; fails if any test fails. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "spf_suite.h"

static char *suite_path(void)
{
    const char *d = getenv("MTAREP_TEST_DATA");
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/spf/rfc7208-tests.yml", d ? d : "tests/data");
    return p;
}

Test(spf_suite, rfc7208_all_203, .timeout = 120)
{
    char *path = suite_path();
    sz_suite *s = sz_load(path);
    size_t total = 0, passed = 0, exp_checked = 0, exp_ok = 0;

    cr_assert_not_null(s, "cannot load %s", path);
    for (size_t i = 0; i < s->n; i++) {
        sz_scenario *sc = &s->sc[i];
        size_t ok = 0;
        sz_resolver res = {sc, 0};
        for (size_t k = 0; k < sc->nt; k++) {
            sz_test *t = &sc->tests[k];
            mtarep_ctx *ctx = NULL;
            mtarep_spf_result *r = NULL;
            mtarep_spf_options o = MTAREP_SPF_OPTIONS_INIT;
            mtarep_ctx_options co = MTAREP_CTX_OPTIONS_INIT;
            const char *got;
            int good;

            co.timeout_ms = 500;
            co.retries = 0;
            o.default_explanation = "DEFAULT";
            cr_assert_eq(mtarep_ctx_new(&ctx, &co), MTAREP_OK);
            mtarep_ctx_set_resolver(ctx, &sz_ops, &res);
            int rc = mtarep_spf_check(&r, ctx, t->host, t->mailfrom, t->helo, &o);
            got = rc == MTAREP_OK ? mtarep_spf_verdict_name(mtarep_spf_result_verdict(r))
                                  : mtarep_error_name(rc);
            good = rc == MTAREP_OK && sz_result_ok(t, got);
            if (good && t->explanation) {
                const char *e = mtarep_spf_result_explanation(r);
                exp_checked++;
                if (!e || strcmp(e, t->explanation) != 0) {
                    good = 0;
                    fprintf(stderr, "  FAIL %-32s explanation '%s', want '%s'\n", t->name,
                            e ? e : "(none)", t->explanation);
                } else {
                    exp_ok++;
                }
            } else if (!good) {
                fprintf(stderr, "  FAIL %-32s got %s (%s), want %s%s\n", t->name, got,
                        r && mtarep_spf_result_reason(r) ? mtarep_spf_result_reason(r)
                                                         : mtarep_ctx_errmsg(ctx),
                        t->results[0], t->nres > 1 ? " (or another listed)" : "");
            }
            ok += good;
            mtarep_spf_result_free(r);
            mtarep_ctx_free(ctx);
        }
        fprintf(stderr, "spf suite: %-28s %3zu/%zu\n", sc->desc, ok, sc->nt);
        total += sc->nt;
        passed += ok;
    }
    fprintf(stderr, "spf suite: TOTAL %zu/%zu passed (%zu scenarios; explanations %zu/%zu)\n",
            passed, total, s->n, exp_ok, exp_checked);
    cr_expect_eq(s->n, 16, "the suite has 16 scenarios, loaded %zu", s->n);
    sz_free(s);
    free(path);
    cr_expect_eq(total, 203, "the suite has 203 tests, loaded %zu", total);
    cr_assert_eq(passed, total, "%zu of %zu RFC 7208 tests failed", total - passed, total);
}
