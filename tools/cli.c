/* cli.c — option parsing, numbers, files and NAME=VALUE for the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mgviz %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

bool cli_flag(const char *arg, const char *name) { return strcmp(arg, name) == 0; }

int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char **value)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (arg[len] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_fail(cmd, CLI_USAGE, "option %s needs a value (see mgviz %s --help)", name, cmd);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

bool cli_parse_u64(const char *text, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *text, double *out)
{
    if (!text || !*text)
        return false;
    char *end;
    double v = strtod(text, &end); /* takes nan, inf, -inf and 1e-3 alike */
    if (*end)
        return false;
    *out = v;
    return true;
}

bool cli_is_option(const char *arg) { return arg[0] == '-' && arg[1] != '\0'; }

char *cli_read_file(const char *cmd, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_fail(cmd, CLI_USAGE, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    while (text) {
        len += fread(text + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *grown = realloc(text, cap *= 2);
        if (!grown)
            free(text);
        text = grown;
    }
    int bad = !text || ferror(f);
    int saved = errno;
    if (f != stdin)
        fclose(f);
    if (bad) {
        cli_fail(cmd, CLI_USAGE, "cannot read %s: %s", path,
                 text ? strerror(saved) : "out of memory");
        free(text);
        return NULL;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        cli_fail(cmd, CLI_USAGE, "%s is not a text file (it holds a NUL byte)", path);
        return NULL;
    }
    return text;
}

int cli_binding(const char *cmd, char *arg, mg_expr_binding *b)
{
    size_t n = strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
    if (n == 0 || arg[n] != '=' || (arg[0] >= '0' && arg[0] <= '9'))
        return 0;
    if (!cli_parse_double(arg + n + 1, &b->value)) {
        cli_fail(cmd, CLI_BAD, "value of %.*s is not a number: '%s'", (int)n, arg, arg + n + 1);
        return -1;
    }
    arg[n] = '\0';
    b->name = arg;
    return 1;
}

int cli_positional(const char *cmd, char *arg, bool option_like, bool has_source,
                   const char **program, mg_expr_binding *bindings, size_t *n)
{
    /* A program may start with '-' ("-x**2"): it is one when no program came
     * yet and it is not a long option. */
    if (option_like && (arg[1] == '-' || has_source))
        return cli_fail(cmd, CLI_USAGE, "unknown option '%s' (see mgviz %s --help;"
                        " put '--' before a program that starts with '-')", arg, cmd);
    if (!has_source)
        return *program = arg, -1;
    int rc = cli_binding(cmd, arg, &bindings[*n]);
    if (rc < 0)
        return CLI_BAD;
    if (rc == 0)
        return cli_fail(cmd, CLI_USAGE, "unexpected argument '%s': expected NAME=VALUE", arg);
    ++*n;
    return -1;
}
