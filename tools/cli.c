/* cli.c — option parsing, numbers, files and NAME=VALUE for the subcommands. */
#include "cli.h"
#include "mg_buf.h"
#include "mg_file.h"
#include "mg_format.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_put_visible(FILE *f, const char *text, bool keep_newlines)
{
    for (size_t left = strlen(text); left;) {
        size_t k = mg_format_visible_char(text, left);
        if (k)
            fwrite(text, 1, k, f);
        else if (keep_newlines && *text == '\n')
            fputc('\n', f);
        else
            fprintf(f, "\\x%02x", (unsigned char)*text);
        k = k ? k : 1;
        text += k;
        left -= k;
    }
}

int cli_fail(const char *cmd, int code, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "mgviz %s: ", cmd);
    cli_put_visible(stderr, text, true);
    fputc('\n', stderr);
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
    if (arg[len] != '\0' && len == 2 && name[1] != '-') { /* -oFILE */
        *value = arg + len;
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

static void bad_value(const char *cmd, const char *name, const char *text, const char *want)
{
    cli_fail(cmd, CLI_USAGE, "bad value '%s' for %s: expected %s", text, name, want);
}

bool cli_whole_in(const char *cmd, const char *name, const char *text, uint64_t lo,
                  uint64_t hi, uint64_t *out)
{
    uint64_t v;
    if (cli_parse_u64(text, &v) && v >= lo && v <= hi)
        return *out = v, true;
    char want[96];
    if (hi == UINT64_MAX)
        snprintf(want, sizeof want, "a whole number, at least %llu", (unsigned long long)lo);
    else
        snprintf(want, sizeof want, "a whole number from %llu to %llu",
                 (unsigned long long)lo, (unsigned long long)hi);
    bad_value(cmd, name, text, want);
    return false;
}

bool cli_real_in(const char *cmd, const char *name, const char *text, double lo,
                 bool lo_open, double hi, double *out)
{
    double v;
    if (cli_parse_double(text, &v) && isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi)
        return *out = v, true;
    char want[96];
    if (isinf(hi))
        snprintf(want, sizeof want, "a finite number %s %g", lo_open ? "greater than" : "at least",
                 lo);
    else if (lo_open)
        snprintf(want, sizeof want, "a number greater than %g, at most %g", lo, hi);
    else
        snprintf(want, sizeof want, "a number from %g to %g", lo, hi);
    bad_value(cmd, name, text, want);
    return false;
}

bool cli_choice(const char *cmd, const char *name, const char *text,
                const char *const *choices, size_t *out)
{
    for (size_t k = 0; choices[k]; k++)
        if (strcmp(text, choices[k]) == 0)
            return *out = k, true;
    mg_buf want = {0};
    for (size_t k = 0; choices[k]; k++)
        mg_buf_printf(&want, "%s%s", k == 0 ? "" : choices[k + 1] ? ", " : " or ", choices[k]);
    cli_closest c;
    cli_closest_init(&c, text);
    cli_closest_list(&c, choices);
    char hint[96];
    cli_fail(cmd, CLI_USAGE, "bad value '%s' for %s: expected %s%s", text, name,
             want.failed ? "another value" : want.p, cli_closest_hint(&c, hint, sizeof hint));
    mg_buf_free(&want);
    return false;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Edit distance with adjacent transpositions (optimal string alignment),
 * ignoring case; words longer than CLOSEST_MAX are never close. */
#define CLOSEST_MAX 64
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > CLOSEST_MAX || m > CLOSEST_MAX)
        return SIZE_MAX;
    size_t d[CLOSEST_MAX + 1][CLOSEST_MAX + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (lower(a[i - 1]) != lower(b[j - 1]));
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

void cli_closest_init(cli_closest *c, const char *word)
{
    *c = (cli_closest){word, NULL, 0, SIZE_MAX};
}

void cli_closest_add(cli_closest *c, const char *name, size_t len)
{
    size_t n = strlen(c->word), core = n - strspn(c->word, "-");
    /* a third of the word (without its dashes) may be wrong, at least one
     * letter and at most three; a word of three or more letters that starts
     * the name counts as one edit */
    size_t allowed = core / 3 < 1 ? 1 : core / 3 > 3 ? 3 : core / 3;
    size_t d = edit_distance(c->word, n, name, len);
    if (d == 0 && (n != len || strncmp(name, c->word, n) != 0))
        d = 1; /* only the case differs */
    if (d > 1 && core >= 3 && n < len && strncmp(name, c->word, n) == 0)
        d = 1;
    if (d == 0 || d > allowed || d >= c->distance)
        return;
    c->best = name;
    c->best_len = len;
    c->distance = d;
}

void cli_closest_list(cli_closest *c, const char *const *names)
{
    for (; *names; names++)
        cli_closest_add(c, *names, strlen(*names));
}

void cli_closest_help(cli_closest *c, const char *help)
{
    for (const char *line = help; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        const char *p = line + strspn(line, " ");
        if (p == line)
            continue; /* options are listed on indented lines */
        while (*p == '-' && p[1] && p[1] != ' ') {
            size_t len = strspn(p, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            cli_closest_add(c, p, len);
            if (strncmp(p + len, ", ", 2) != 0)
                break;
            p += len + 2;
        }
    }
}

const char *cli_closest_hint(const cli_closest *c, char *buf, size_t n)
{
    if (!c->best)
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, " (did you mean %.*s?)", (int)c->best_len, c->best);
    return buf;
}

/* The unknown-option message, with tail after the pointer to --help. */
static int unknown_option(const char *cmd, const char *arg, const char *const *helps,
                          const char *tail)
{
    cli_closest c;
    cli_closest_init(&c, arg);
    for (; helps && *helps; helps++)
        cli_closest_help(&c, *helps);
    char hint[96];
    return cli_fail(cmd, CLI_USAGE, "unknown option '%s'%s; see mgviz %s --help%s", arg,
                    cli_closest_hint(&c, hint, sizeof hint), cmd, tail);
}

int cli_unknown_option(const char *cmd, const char *arg, const char *const *helps)
{
    return unknown_option(cmd, arg, helps, "");
}

char *cli_read_file(const char *cmd, const char *path)
{
    char *text;
    size_t len;
    mg_error err;
    if (mg_file_read(path, 0, &text, &len, &err) != MG_OK) {
        cli_fail(cmd, CLI_USAGE, "%s", err.message);
        return NULL;
    }
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
                   const char *const *helps, const char **program,
                   mg_expr_binding *bindings, size_t *n)
{
    /* A program may start with '-' ("-x**2"): it is one when no program came
     * yet and it is not a long option. */
    if (option_like && (arg[1] == '-' || has_source))
        return unknown_option(cmd, arg, helps, has_source ? "" :
                              " (put '--' before a program that starts with '-')");
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
