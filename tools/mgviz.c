/* mgviz.c — the mgviz command: finds the subcommand and hands it argv.
 * Subcommands are listed in commands.def, one line each. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
#define MGVIZ_COMMAND(name, summary) {#name, summary, cmd_##name},
#include "commands.def"
#undef MGVIZ_COMMAND
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *out)
{
    fputs("Usage: mgviz COMMAND [ARGS...]\n"
          "       mgviz COMMAND --help\n"
          "\n"
          "micrograd in C: scalar autograd graphs you can see.\n"
          "\n"
          "Commands:\n", out);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help     this help\n"
          "  --version      the version\n"
          "\n"
          "Exit codes: 0 done, 1 a bad program or value, 2 a usage or I/O error.\n"
          "\n"
          "Example:\n"
          "  mgviz expr \"x*y + x\" x=2 y=3      # writes mgviz-expr.png, prints grads\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (cli_flag(name, "--help") || cli_flag(name, "-h") || cli_flag(name, "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (cli_flag(name, "--version")) {
        puts("mgviz " MGVIZ_VERSION);
        return CLI_OK;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mgviz: unknown command '%s' (mgviz --help lists them)\n", name);
    return CLI_USAGE;
}
