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

/* Prints "mgviz <cmd>: message" to stderr, control bytes escaped (the
 * message may quote input); returns code. */
int cli_fail(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes text from input (a label, a name) to f as a terminal may show it:
 * control bytes and broken UTF-8 as \xNN (mg_format_visible_char); newlines
 * stay when keep_newlines. */
void cli_put_visible(FILE *f, const char *text, bool keep_newlines);

/* True when arg is exactly the flag name, e.g. "--json". */
bool cli_flag(const char *arg, const char *name);
/* Option `name` with a value, as "NAME VALUE" or "NAME=VALUE" at argv[*i]
 * (a one-letter option also as "-oVALUE", getopt's way): 1 with *value set
 * (and *i moved past the value), 0 when argv[*i] is another argument, -1
 * (message printed) when the value is missing. */
int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name,
              const char **value);
/* Reads a whole unsigned number / double from text; false if it is not one. */
bool cli_parse_u64(const char *text, uint64_t *out);
bool cli_parse_double(const char *text, double *out);
/* True when arg looks like an option ("-x", "--name") rather than a value. */
bool cli_is_option(const char *arg);

/* Option values whose errors name the valid range or choices, e.g.
 * "mgviz CMD: bad value '0' for --dpi: expected a whole number from 1 to 2400".
 * Each returns true with *out set, or false with the message printed. */
/* A whole number in [lo, hi] (hi UINT64_MAX: no upper bound). */
bool cli_whole_in(const char *cmd, const char *name, const char *text, uint64_t lo,
                  uint64_t hi, uint64_t *out);
/* A finite number in [lo, hi], or (lo, hi] when lo_open (a rate > 0); hi
 * INFINITY: no upper bound. */
bool cli_real_in(const char *cmd, const char *name, const char *text, double lo,
                 bool lo_open, double hi, double *out);
/* One of choices (NULL-terminated): *out gets its index; the error lists
 * them all and suggests the closest. */
bool cli_choice(const char *cmd, const char *name, const char *text,
                const char *const *choices, size_t *out);

/* "Did you mean": the candidate closest to a mistyped word (a few edits away
 * or a prefix of it). Candidates come one by one, from a list or from the
 * options a help text lists, so a table-driven parser and a hand-written one
 * share it. */
typedef struct cli_closest {
    const char *word;
    const char *best;  /* not NUL-terminated: best_len bytes */
    size_t best_len;
    size_t distance;
} cli_closest;
void cli_closest_init(cli_closest *c, const char *word);
/* Considers the candidate name[0..len). */
void cli_closest_add(cli_closest *c, const char *name, size_t len);
/* Considers every entry of a NULL-terminated list. */
void cli_closest_list(cli_closest *c, const char *const *names);
/* Considers every option a help text lists: "-x" and "--name" at the start
 * of an indented line, and after ", " there ("  -h, --help"). */
void cli_closest_help(cli_closest *c, const char *help);
/* Writes " (did you mean NAME?)" into buf, or "" when nothing is close. */
const char *cli_closest_hint(const cli_closest *c, char *buf, size_t n);
/* Prints "mgviz CMD: unknown option 'ARG' (did you mean --X?); see mgviz CMD
 * --help" with candidates from the help texts (NULL-terminated); returns
 * CLI_USAGE. */
int cli_unknown_option(const char *cmd, const char *arg, const char *const *helps);

/* Reads a whole file ("-" is stdin) into a malloc'd NUL-terminated string;
 * NULL with a message printed when it cannot. */
char *cli_read_file(const char *cmd, const char *path);

/* "name=value" arguments. cli_binding() returns 1 when arg has that shape and
 * was stored in *b (arg is cut at the '=': b->name points into it), 0 when
 * arg is not a binding, -1 (message printed) when the value is not a number. */
int cli_binding(const char *cmd, char *arg, mg_expr_binding *b);

/* An argument no option took: an unknown option when option_like (exit code
 * CLI_USAGE; the closest option of the help texts helps, NULL-terminated, is
 * suggested), else the program when none came yet (has_source false), else
 * NAME=VALUE appended to bindings[*n]. Returns -1 to go on, or an exit code. */
int cli_positional(const char *cmd, char *arg, bool option_like, bool has_source,
                   const char *const *helps, const char **program,
                   mg_expr_binding *bindings, size_t *n);

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
