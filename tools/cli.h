/* cli.h — what the mgviz subcommands share: exit codes, option parsing,
 * reading programs and values, building them, drawing options. */
#ifndef MGVIZ_CLI_H
#define MGVIZ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mg_export.h"
#include "mg_expr.h"
#include "mg_viz.h"

/* Exit codes, the same for every subcommand. */
enum {
    CLI_OK = 0,     /* done */
    CLI_BAD = 1,    /* a bad program or value: syntax error, unknown function... */
    CLI_USAGE = 2   /* a usage error (unknown option, missing argument) or I/O error */
};

/* Declarations of every cmd_<name>() listed in commands.def. */
#define MGVIZ_COMMAND(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef MGVIZ_COMMAND

/* Prints "mgviz <cmd>: message" to stderr; returns code. */
int cli_fail(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when arg is exactly the flag name, e.g. "--json". */
bool cli_flag(const char *arg, const char *name);
/* Option `name` with a value, as "NAME VALUE" or "NAME=VALUE" at argv[*i]:
 * 1 with *value set (and *i moved past the value), 0 when argv[*i] is another
 * argument, -1 (message printed) when the value is missing. */
int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char **value);
/* Reads a whole unsigned number / double from text; false if it is not one. */
bool cli_parse_u64(const char *text, uint64_t *out);
bool cli_parse_double(const char *text, double *out);
/* True when arg looks like an option ("-x", "--name") rather than a value. */
bool cli_is_option(const char *arg);

/* Reads a whole file ("-" is stdin) into a malloc'd NUL-terminated string;
 * NULL with a message printed when it cannot. */
char *cli_read_file(const char *cmd, const char *path);

/* "name=value" arguments. cli_binding() returns 1 when arg has that shape and
 * was stored in *b (arg is cut at the '=': b->name points into it), 0 when
 * arg is not a binding, -1 (message printed) when the value is not a number. */
int cli_binding(const char *cmd, char *arg, mg_expr_binding *b);

/* An argument no option took: an unknown option when option_like (exit code
 * CLI_USAGE), else the program when none came yet (has_source false), else
 * NAME=VALUE appended to bindings[*n]. Returns -1 to go on, or an exit code. */
int cli_positional(const char *cmd, char *arg, bool option_like, bool has_source,
                   const char **program, mg_expr_binding *bindings, size_t *n);

/* Where free variables get their values: the command line's bindings, then
 * the no-values rule (see CLI_VALUES_RULE) for the rest. */
typedef struct cli_values {
    const mg_expr_binding *bindings;
    size_t nbindings;
    uint64_t seed;        /* seeds the generator afresh for every program */
    bool skip_unknown;    /* bindings naming no variable are skipped, not errors */
    FILE *notes;          /* "x = 0.37 (...)" for each value drawn; NULL = quiet */
} cli_values;

/* The no-values rule, as help texts state it. */
#define CLI_VALUES_RULE \
    "A free variable (read before any assignment) given no NAME=VALUE gets a\n" \
    "value drawn uniformly from [-2, 2], rounded to 2 decimals, by the seeded\n" \
    "xoshiro256** generator (--seed N, default 1; reseeded for every program),\n" \
    "in order of first appearance; the values used are printed. A name read\n" \
    "before the program assigns it is an error unless NAME=VALUE gives it.\n" \
    "NAME=VALUE also overrides a literal input (a = -4.0).\n"

/* A program built into a graph, with its variables. */
typedef struct cli_program {
    mg_expr *expr;
    mg_value *root;
    size_t nvars;
    mg_value **var_nodes;     /* per variable of expr: its leaf */
    mg_export_var *vars;      /* the same as name + node, for exports */
} cli_program;

/* Parses source and builds it into g with values; CLI_OK, or CLI_BAD (or
 * CLI_USAGE when out of memory) with err filled. Release with
 * cli_program_free() either way. */
int cli_program_build(cli_program *p, const char *source, mg_graph *g,
                      const cli_values *values, mg_expr_error *err);
void cli_program_free(cli_program *p);
/* Prints a program error: "mgviz CMD: ORIGIN: line L, column C: message",
 * the program line and a caret under the column. */
void cli_print_expr_error(const char *cmd, const char *origin, const char *source,
                          const mg_expr_error *err);

/* Prints a number the shortest way that reads back exactly. */
void cli_print_number(FILE *out, double x);

/* Drawing options (--rankdir, --ids, --precision, --no-op-nodes,
 * --fold-budget, --title, --focus, --radius, --unfold, --dpi): 1 when
 * argv[*i] was one (stored in opt), 0 when not, -1 (message printed) when
 * its value is bad. */
int cli_viz_option(const char *cmd, int argc, char **argv, int *i, mg_viz_options *opt);
/* The help lines for those options. */
extern const char cli_viz_help[];

#endif
