/* mtarep check: the check list every builder appends to.
 *
 * Adding a check (spf, dkim, dmarc, ...): write check_<name>.c with
 *   int check_build_<name>(const struct check_input *in, struct check_list *out);
 * and add CHECK_BUILDER(<name>) to checks.def. */
#ifndef MTAREP_CLI_CHECK_H
#define MTAREP_CLI_CHECK_H

#include "cli.h"

typedef enum check_status {
    CHECK_OK = 0,
    CHECK_WARNING,
    CHECK_PROBLEM,
    CHECK_UNKNOWN /* could not be seen (DNS failed): never reported as ok */
} check_status;

struct check {
    const char *name;            /* static: "rdns", "helo", "dnsbl", ... */
    char *subject;               /* what it is about (IP, domain, ...); may be NULL */
    check_status status;
    struct cli_strvec evidence;  /* what was seen, one line each */
    char *advice;                /* what to do; NULL when nothing */
};

struct check_list {
    struct check **v;
    size_t n, cap;
    int oom; /* sticky: some helper ran out of memory */
};

/* What `mtarep check` was asked. */
struct check_input {
    struct cli *cli;
    mtarep_ctx *ctx;
    const char *ip;
    const char *domain;               /* NULL: not given */
    const char *helo;                 /* NULL: not given */
    const char *const *zones;         /* --zones; NULL with nzones 0: defaults */
    size_t nzones;
    const char *const *selectors;     /* --selector (DKIM); none: discovery */
    size_t nselectors;
    const char *probe_mx;             /* --probe-mx HOST[:PORT]; NULL: no probe */
    const char *probe_from, *probe_rcpt; /* NULL: the library's defaults */
    const char *const *logs;          /* --log files */
    size_t nlogs;
    /* --provider: keys from the environment (NULL: provider not asked) */
    const char *mailgun_key, *mailgun_region, *snds_key, *postmaster_token;
    const char *provider_base_url, *provider_ca_file; /* NULL: real hosts, system CAs */
    unsigned int provider_timeout_ms; /* 0: the library's default */
};

/*
 * A builder does its lookups and appends its checks (possibly several).
 * DNS failures become checks with status CHECK_UNKNOWN; the return value is
 * 0, or an exit code when the check cannot run at all (malformed input
 * rejected by the library, ...) after printing a message.
 */
typedef int (*check_builder_fn)(const struct check_input *in, struct check_list *out);

#define CHECK_BUILDER(n) int check_build_##n(const struct check_input *in, struct check_list *out);
#include "checks.def"
#undef CHECK_BUILDER

/* Append a check; NULL (and list->oom set) when out of memory. The helpers
 * below accept NULL, so builders need not test every call. */
struct check *check_add(struct check_list *l, const char *name, check_status st);
/* Raise the status: PROBLEM > UNKNOWN > WARNING > OK for one check's
 * findings (a listing outweighs a list that did not answer). */
void check_raise(struct check *c, check_status st);
void check_evidence(struct check_list *l, struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append a sentence to the advice (skipped if already present). */
void check_advice(struct check_list *l, struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *check_status_name(check_status st);
/* problem if any problem, else unknown if any unknown, else warning if any
 * warning, else ok. */
check_status check_verdict(const struct check_list *l);
void check_list_free(struct check_list *l);

/* Write the list as one self-contained HTML page (inline CSS, no script,
 * no external asset). 0, or -1 with errno. */
int check_write_html(const char *path, const struct check_list *l, check_status verdict,
                     const struct check_input *in);

#endif
