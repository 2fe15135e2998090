/* mtarep: command-line front end of libmtarep.
 *
 *   mtarep [GLOBAL OPTIONS] COMMAND [ARGS]   (global options may also follow
 *   the command). The commands come from commands.def. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_COMMAND(n) extern const struct cli_command cli_cmd_##n;
#include "commands.def"
#undef CLI_COMMAND

const struct cli_command *const cli_commands[] = {
#define CLI_COMMAND(n) &cli_cmd_##n,
#include "commands.def"
#undef CLI_COMMAND
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

const struct cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < cli_n_commands; i++)
        if (strcmp(cli_commands[i]->name, name) == 0)
            return cli_commands[i];
    return NULL;
}

static const char global_help[] =
    "Global options (before or after the command):\n"
    "  --nameserver ADDR[:PORT]  ask this DNS server (repeatable; default: the\n"
    "                            servers of /etc/resolv.conf)\n"
    "  --zone-file FILE          answer DNS only from this RFC 1035 zone file\n"
    "                            (repeatable; nothing is sent: offline use)\n"
    "  --timeout MS              DNS timeout per try, 1..600000 ms (default 2000)\n"
    "  -j, --json                print JSON on stdout\n"
    "  -v, --verbose             log library messages on stderr (twice: debug)\n"
    "  -V, --version             print the version\n"
    "  -h, --help                show help (`mtarep help COMMAND` for a command)\n";

static const char general_tail[] =
    "\n"
    "Exit status: 0 nothing wrong found, 1 a problem was found, 2 usage error\n"
    "(bad option, malformed IP or domain), 3 could not decide (DNS failed).\n"
    "Colour is used only on a terminal and never when NO_COLOR is set.\n";

void cli_help(const struct cli_command *cmd)
{
    if (!cmd) {
        printf("Usage: mtarep [OPTIONS] COMMAND [ARGS]\n\n"
               "Diagnose a mail sender's reputation (libmtarep %s).\n\n"
               "Commands:\n",
               mtarep_version(NULL));
        for (size_t i = 0; i < cli_n_commands; i++)
            printf("  %-8s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
        printf("  %-8s %s\n\n", "help", "show the help of a command");
        fputs(global_help, stdout);
        fputs(general_tail, stdout);
        return;
    }
    printf("Usage: mtarep %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->help && *cmd->help)
        printf("\n%s", cmd->help);
    printf("\n%s", global_help);
}

static void cli_free(struct cli *cli)
{
    mtarep_ctx_free(cli->ctx);
    free(cli->nameservers);
    free(cli->zone_files);
}

static int run(struct cli *cli, int argc, char **argv)
{
    int first, rc;
    const char *name;

    rc = cli_parse_global(cli, argc, argv, &first);
    if (rc)
        return rc;
    if (first >= argc) {
        if (cli->want_help) {
            cli_help(NULL);
            return CLI_EXIT_OK;
        }
        if (cli->want_version) {
            printf("mtarep %s\n", mtarep_version(NULL));
            return CLI_EXIT_OK;
        }
        return cli_usage_error(cli, "no command given");
    }
    name = argv[first];
    if (strcmp(name, "help") == 0) {
        if (argc - first > 2)
            return cli_usage_error(cli, "'help' takes at most one command name");
        if (argc - first == 2) {
            const struct cli_command *c = cli_find_command(argv[first + 1]);
            if (!c)
                return cli_usage_error(cli, "unknown command '%s'", argv[first + 1]);
            cli_help(c);
        } else {
            cli_help(NULL);
        }
        return CLI_EXIT_OK;
    }
    cli->cmd = cli_find_command(name);
    if (!cli->cmd)
        return cli_usage_error(cli, "unknown command '%s'", name);
    rc = cli->cmd->run(cli, argc - first, argv + first);
    return rc < 0 ? CLI_EXIT_OK : rc; /* -1: --help/--version handled */
}

int main(int argc, char **argv)
{
    struct cli cli;
    int rc;

    memset(&cli, 0, sizeof cli);
    rc = run(&cli, argc, argv);
    cli_free(&cli);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("mtarep: writing the output");
        if (rc == CLI_EXIT_OK)
            rc = CLI_EXIT_UNKNOWN;
    }
    return rc;
}
