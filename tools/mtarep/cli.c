/* mtarep CLI: option parsing shared by all subcommands, context set-up,
 * error reporting. */
#include "cli.h"
#include "out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    OPT_NAMESERVER = 0x100,
    OPT_ZONE_FILE,
    OPT_TIMEOUT
};

#define GLOBAL_SHORT "hVjv"

static const struct option global_opts[] = {
    {"nameserver", required_argument, NULL, OPT_NAMESERVER},
    {"zone-file", required_argument, NULL, OPT_ZONE_FILE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, 'j'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
};
#define N_GLOBAL (sizeof global_opts / sizeof global_opts[0])
#define MAX_OPTS 48

static const char *cmd_hint(const struct cli *cli)
{
    return cli && cli->cmd ? cli->cmd->name : NULL;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs("mtarep: ", stderr);
    out_clean(stderr, msg); /* may quote user input */
    fputc('\n', stderr);
    if (cmd_hint(cli))
        fprintf(stderr, "Try 'mtarep help %s'.\n", cmd_hint(cli));
    else
        fputs("Try 'mtarep --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_lib_error(const struct cli *cli, int rc, const char *what)
{
    const char *detail = cli ? mtarep_ctx_errmsg(cli->ctx) : "";
    fputs("mtarep: ", stderr);
    out_clean(stderr, what);
    fputs(": ", stderr);
    out_clean(stderr, detail && *detail ? detail : mtarep_strerror(rc));
    fprintf(stderr, " (%s)\n", mtarep_error_name(rc));
    switch (rc) {
    case MTAREP_EINVAL:
    case MTAREP_EPARSE:
    case MTAREP_EIO:
    case MTAREP_ECONFIG:
        return CLI_EXIT_USAGE;
    default:
        return CLI_EXIT_UNKNOWN;
    }
}

int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out)
{
    char *end;
    unsigned long v;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_is_ip(const char *s)
{
    unsigned char buf[16];
    return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

int cli_is_helo(const char *s)
{
    char buf[64];
    unsigned char a[16];
    size_t n = s ? strlen(s) : 0;

    if (cli_is_domain(s) || cli_is_ip(s)) /* a bare IP: judged (badly) by the check */
        return 1;
    /* RFC 5321 4.1.3 address literal: "[192.0.2.1]", "[IPv6:2001:db8::1]" */
    if (n < 3 || n - 2 >= sizeof buf || s[0] != '[' || s[n - 1] != ']')
        return 0;
    memcpy(buf, s + 1, n - 2);
    buf[n - 2] = '\0';
    if (strncasecmp(buf, "IPv6:", 5) == 0)
        return inet_pton(AF_INET6, buf + 5, a) == 1;
    return inet_pton(AF_INET, buf, a) == 1;
}

int cli_is_domain(const char *s)
{
    size_t len, label = 0;
    int digits_only = 1; /* of the last label */
    if (!s)
        return 0;
    len = strlen(s);
    if (len && s[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            digits_only = 1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
        if (c < '0' || c > '9')
            digits_only = 0;
        if (++label > 63)
            return 0;
    }
    /* No top-level domain is all digits (RFC 3696 §2): "256.1.1.1" is a
     * malformed address, not a name. */
    return !digits_only;
}

int cli_exit_from(int problems, int unknowns)
{
    if (problems)
        return CLI_EXIT_PROBLEM;
    if (unknowns)
        return CLI_EXIT_UNKNOWN;
    return CLI_EXIT_OK;
}

static int push_arg(char ***v, size_t *n, char *arg)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
        fputs("mtarep: out of memory\n", stderr);
        return -1;
    }
    nv[(*n)++] = arg;
    *v = nv;
    return 0;
}

/* Returns 0 if handled, 1 if @p c is not a global option, or an exit code
 * (>= 2) on error. */
static int global_opt(struct cli *cli, int c, char *arg)
{
    unsigned long v;
    switch (c) {
    case OPT_NAMESERVER:
        if (!*arg)
            return cli_usage_error(cli, "--nameserver needs an address");
        return push_arg(&cli->nameservers, &cli->n_nameservers, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_ZONE_FILE:
        if (!*arg)
            return cli_usage_error(cli, "--zone-file needs a file name");
        return push_arg(&cli->zone_files, &cli->n_zone_files, arg) ? CLI_EXIT_UNKNOWN : 0;
    case OPT_TIMEOUT:
        if (cli_parse_uint(arg, 1, 600000, &v))
            return cli_usage_error(cli, "--timeout must be a number of milliseconds "
                                        "from 1 to 600000, not '%s'", arg);
        cli->timeout_ms = (unsigned int)v;
        return 0;
    case 'j':
        cli->json = 1;
        return 0;
    case 'v':
        cli->verbose++;
        return 0;
    case 'V':
        cli->want_version = 1;
        return 0;
    case 'h':
        cli->want_help = 1;
        return 0;
    default:
        return 1;
    }
}

/* Message for getopt's '?' and ':' (opterr is 0: the wording is ours). */
static int getopt_error(const struct cli *cli, int c, char **argv, int idx)
{
    const char *typed = idx > 0 ? argv[idx - 1] : "";
    int is_long = strncmp(typed, "--", 2) == 0;
    char name[128];
    if (is_long) {
        size_t n = strcspn(typed, "=");
        snprintf(name, sizeof name, "%.*s", (int)(n < 100 ? n : 100), typed);
    } else {
        snprintf(name, sizeof name, "-%c", optopt > 32 && optopt < 127 ? optopt : '?');
    }
    if (c == ':')
        return cli_usage_error(cli, "option '%s' needs a value", name);
    if (is_long && optopt != 0)
        return cli_usage_error(cli, "option '%s' does not take a value", name);
    return cli_usage_error(cli, "unknown option '%s'", name);
}

static int run_getopt(struct cli *cli, int argc, char **argv, int stop_at_operand,
                      const struct option *opts, const char *shortopts,
                      cli_opt_fn on_opt, void *state)
{
    struct option all[MAX_OPTS + 1];
    char shorts[96];
    size_t n = 0;
    int c, rc;

    for (size_t i = 0; i < N_GLOBAL; i++)
        all[n++] = global_opts[i];
    for (size_t i = 0; opts && opts[i].name; i++) {
        if (n == MAX_OPTS)
            return cli_usage_error(cli, "internal error: too many options");
        all[n++] = opts[i];
    }
    memset(&all[n], 0, sizeof all[n]);
    snprintf(shorts, sizeof shorts, "%s:%s%s", stop_at_operand ? "+" : "",
             GLOBAL_SHORT, shortopts ? shortopts : "");

    optind = 0; /* glibc: full re-initialisation for a new argv */
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
        if (c == '?' || c == ':')
            return getopt_error(cli, c, argv, optind);
        rc = global_opt(cli, c, optarg);
        if (rc == 0)
            continue;
        if (rc != 1)
            return rc;
        rc = on_opt ? on_opt(cli, state, c, optarg) : 1;
        if (rc == 1)
            return cli_usage_error(cli, "internal error: option %d not handled", c);
        if (rc)
            return rc;
    }
    return 0;
}

int cli_parse_global(struct cli *cli, int argc, char **argv, int *first)
{
    int rc = run_getopt(cli, argc, argv, 1, NULL, NULL, NULL, NULL);
    *first = optind;
    return rc;
}

int cli_parse(struct cli *cli, int argc, char **argv,
              const struct option *opts, const char *shortopts,
              cli_opt_fn on_opt, void *state, char ***args, int *nargs)
{
    int rc = run_getopt(cli, argc, argv, 0, opts, shortopts, on_opt, state);
    if (rc)
        return rc;
    *args = argv + optind;
    *nargs = argc - optind;
    if (cli->want_help) {
        cli_help(cli->cmd);
        return -1;
    }
    if (cli->want_version) {
        printf("mtarep %s\n", mtarep_version(NULL));
        return -1;
    }
    return 0;
}

static void log_stderr(mtarep_log_level level, const char *msg, void *payload)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    (void)payload;
    fprintf(stderr, "mtarep: %s: ",
            (unsigned)level < 4 ? names[level] : "log");
    out_clean(stderr, msg);
    fputc('\n', stderr);
}

int cli_ctx(struct cli *cli)
{
    mtarep_ctx_options o = MTAREP_CTX_OPTIONS_INIT;
    int rc;
    if (cli->timeout_ms)
        o.timeout_ms = cli->timeout_ms;
    o.log_cb = log_stderr;
    o.log_level = cli->verbose >= 2 ? MTAREP_LOG_DEBUG
                  : cli->verbose   ? MTAREP_LOG_INFO
                                   : MTAREP_LOG_ERROR;
    rc = mtarep_ctx_new(&cli->ctx, &o);
    if (rc) {
        cli->ctx = NULL;
        return cli_lib_error(cli, rc, "cannot create a context");
    }
    for (size_t i = 0; i < cli->n_nameservers; i++) {
        rc = mtarep_ctx_add_nameserver(cli->ctx, cli->nameservers[i]);
        if (rc) {
            char what[300];
            snprintf(what, sizeof what, "--nameserver '%.200s'", cli->nameservers[i]);
            return cli_lib_error(cli, rc, what);
        }
    }
    for (size_t i = 0; i < cli->n_zone_files; i++) {
        rc = mtarep_ctx_add_zone_file(cli->ctx, cli->zone_files[i]);
        if (rc) {
            char what[300];
            snprintf(what, sizeof what, "--zone-file '%.200s'", cli->zone_files[i]);
            return cli_lib_error(cli, rc, what);
        }
    }
    return 0;
}

static int strvec_take(struct cli_strvec *sv, char *s)
{
    if (!s) {
        fputs("mtarep: out of memory\n", stderr);
        return -1;
    }
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 8;
        char **nv = realloc(sv->v, cap * sizeof *nv);
        if (!nv) {
            free(s);
            fputs("mtarep: out of memory\n", stderr);
            return -1;
        }
        sv->v = nv;
        sv->cap = cap;
    }
    sv->v[sv->n++] = s;
    return 0;
}

int cli_strvec_push(struct cli_strvec *sv, const char *s)
{
    return strvec_take(sv, strdup(s ? s : ""));
}

int cli_strvec_pushf(struct cli_strvec *sv, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return strvec_take(sv, n < 0 ? NULL : s);
}

void cli_strvec_free(struct cli_strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof *sv);
}

int cli_readable_file(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    return access(path, R_OK);
}
