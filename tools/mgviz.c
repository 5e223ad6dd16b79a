/* mgviz.c — the mgviz command: finds the subcommand and hands it argv.
 * Subcommands are listed in commands.def, one line each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
          "       mgviz help COMMAND    (or mgviz COMMAND --help)\n"
          "\n"
          "micrograd in C: scalar autograd graphs you can see.\n"
          "\n"
          "Commands:\n", out);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       this help, or a command's: mgviz help COMMAND\n"
          "\n"
          "Options:\n"
          "  -h, --help     this help\n"
          "  -V, --version  the version\n"
          "\n"
          "Exit codes: 0 done, 1 a bad program or value, 2 a usage or I/O error.\n"
          "See man mgviz for the whole manual.\n"
          "\n"
          "Example:\n"
          "  mgviz expr \"x*y + x\" x=2 y=3      # writes mgviz-expr.png, prints grads\n", out);
}

static const command *find_command(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* "unknown command" with the closest command suggested. */
static int unknown_command(const char *name)
{
    cli_closest c;
    cli_closest_init(&c, name);
    for (int i = 0; i < NCOMMANDS; i++)
        cli_closest_add(&c, commands[i].name, strlen(commands[i].name));
    cli_closest_add(&c, "help", 4);
    char hint[96];
    fputs("mgviz: unknown command '", stderr);
    cli_put_visible(stderr, name, false);
    fprintf(stderr, "'%s; mgviz --help lists them\n", cli_closest_hint(&c, hint, sizeof hint));
    return CLI_USAGE;
}

/* mgviz help [COMMAND]: the top-level help, or COMMAND --help. */
static int help(int argc, char **argv)
{
    if (argc < 3 || cli_flag(argv[2], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    const command *c = find_command(argv[2]);
    if (!c)
        return unknown_command(argv[2]);
    char flag[] = "--help";
    char *args[] = {argv[2], flag, NULL};
    return c->run(2, args);
}

/* What the command printed must have reached stdout: a full disk or a
 * closed file is an error, not a silent exit 0. */
static int finish(int status)
{
    int failed = fflush(stdout) != 0;
    int saved = errno;
    if (status != CLI_OK || (!failed && !ferror(stdout)))
        return status; /* a failed command has said why */
    fprintf(stderr, "mgviz: cannot write to standard output: %s\n",
            failed ? strerror(saved) : "a write failed, the output is incomplete");
    return CLI_USAGE;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (cli_flag(name, "--help") || cli_flag(name, "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    if (cli_flag(name, "help"))
        return help(argc, argv);
    if (cli_flag(name, "--version") || cli_flag(name, "-V")) {
        printf("mgviz %s\n", mg_version());
        return CLI_OK;
    }
    const command *c = find_command(name);
    if (c)
        return c->run(argc - 1, argv + 1);
    if (cli_is_option(name)) {
        static const char *const options[] = {"--help", "-h", "--version", "-V", NULL};
        cli_closest near;
        cli_closest_init(&near, name);
        cli_closest_list(&near, options);
        char hint[96];
        fputs("mgviz: unknown option '", stderr);
        cli_put_visible(stderr, name, false);
        fprintf(stderr, "'%s; mgviz --help lists commands and options\n",
                cli_closest_hint(&near, hint, sizeof hint));
        return CLI_USAGE;
    }
    return unknown_command(name);
}

int main(int argc, char **argv)
{
    /* Output to a file or pipe leaves in big blocks: fewer writes, and a
     * failure usually surfaces at the final flush, where errno says why. */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    return finish(run(argc, argv));
}
