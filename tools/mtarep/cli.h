/* mtarep CLI: state and helpers shared by every subcommand.
 *
 * Adding a subcommand: write cmd_<name>.c defining
 *   const struct cli_command cli_cmd_<name> = { ... };
 * and add CLI_COMMAND(<name>) to commands.def. Options are parsed with
 * cli_parse(), which also accepts the global options anywhere. */
#ifndef MTAREP_CLI_H
#define MTAREP_CLI_H

#include <getopt.h>
#include <stddef.h>

#include <mtarep.h>

/* Exit codes (documented in `mtarep --help`). */
enum {
    CLI_EXIT_OK = 0,      /* clean */
    CLI_EXIT_PROBLEM = 1, /* a problem was found (listed, FCrDNS failed, ...) */
    CLI_EXIT_USAGE = 2,   /* bad option or malformed input */
    CLI_EXIT_UNKNOWN = 3  /* could not decide (DNS failed, ...) */
};

/* Global options and the context built from them. */
struct cli {
    int json;
    int verbose;            /* -v: library INFO log, -vv: DEBUG */
    unsigned int timeout_ms; /* 0: library default */
    char **nameservers;     /* pointers into argv */
    size_t n_nameservers;
    char **zone_files;      /* pointers into argv */
    size_t n_zone_files;
    int want_help;
    int want_version;
    const struct cli_command *cmd; /* the subcommand being run, or NULL */
    mtarep_ctx *ctx;        /* made by cli_ctx() */
};

struct cli_command {
    const char *name;
    const char *summary; /* one line for the command list */
    const char *usage;   /* arguments after the name: "IP [--helo NAME]" */
    const char *help;    /* option lines for `mtarep help <name>` */
    /* argv[0] is the command name; returns an exit code. */
    int (*run)(struct cli *cli, int argc, char **argv);
};

/* Called by cli_parse() for each command-specific option; returns 0 or an
 * exit code (after printing a message with cli_usage_error()). */
typedef int (*cli_opt_fn)(struct cli *cli, void *state, int opt,
                          const char *arg);

/*
 * Parse a command's argv (argv[0] = command name): the global options plus
 * @p opts (terminated by a zero entry, may be NULL) with short options
 * @p shortopts (may be NULL), options and operands in any order, "--" ends
 * options. Operands are stored in argv[1..*nargs]; *args points at them.
 * Returns 0 to go on, CLI_EXIT_USAGE after printing the error, or -1 when
 * --help/--version was handled (exit 0).
 */
int cli_parse(struct cli *cli, int argc, char **argv,
              const struct option *opts, const char *shortopts,
              cli_opt_fn on_opt, void *state, char ***args, int *nargs);

/* main()'s first pass: global options up to the command name, whose index
 * goes to *first. Returns 0 or an exit code. */
int cli_parse_global(struct cli *cli, int argc, char **argv, int *first);

/* Build cli->ctx from the global options. Returns 0 or an exit code. */
int cli_ctx(struct cli *cli);

/* Print "mtarep: <message>" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report a failed library call: "mtarep: <what>: <detail>". Returns
 * CLI_EXIT_USAGE for malformed input (EINVAL, EPARSE, EIO, ECONFIG) and
 * CLI_EXIT_UNKNOWN for the rest. */
int cli_lib_error(const struct cli *cli, int rc, const char *what);

/* Print the help of @p cmd (NULL: general help) to stdout. */
void cli_help(const struct cli_command *cmd);

/* Parse a decimal number in [min, max]; returns 0 or -1. */
int cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out);

/* Is @p s an IPv4 or IPv6 address? (inet_pton, strict dotted quad.) */
int cli_is_ip(const char *s);

/* Host/domain name syntax, as the library checks it (LDH plus '_', labels
 * 1..63 octets, <= 253, optional trailing dot) and a last label that is
 * not all digits. Checked here too so the CLI rejects bad input before any
 * query leaves, whichever check runs first. */
int cli_is_domain(const char *s);
/* A HELO/EHLO argument: a host name, an address literal ("[192.0.2.1]",
 * "[IPv6:2001:db8::1]") or a bare address (what some MTAs send). */
int cli_is_helo(const char *s);

/* Can @p path be read as a file (not a directory)? 0, or -1 with errno set.
 * For FILE options checked before any network work starts. */
int cli_readable_file(const char *path);

/* Exit code for a tri-state verdict list: see cli_exit_from(). */
int cli_exit_from(int problems, int unknowns);

/* A growable array of owned strings. */
struct cli_strvec {
    char **v;
    size_t n, cap;
};
/* Append a copy of @p s; returns 0 or -1 (out of memory, message printed). */
int cli_strvec_push(struct cli_strvec *sv, const char *s);
/* Append a formatted string; returns 0 or -1. */
int cli_strvec_pushf(struct cli_strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_strvec_free(struct cli_strvec *sv);

/* Split a --zones value ("a,b, c") into @p out, checking each name.
 * Returns 0 or an exit code (message printed). In cmd_dnsbl.c. */
int cli_split_zones(const struct cli *cli, const char *arg, struct cli_strvec *out);

/* The command table (commands.def). */
extern const struct cli_command *const cli_commands[];
extern const size_t cli_n_commands;
const struct cli_command *cli_find_command(const char *name);

#endif
