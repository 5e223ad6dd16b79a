/* mg_expr.h — a small expression language that builds engine graphs.
 *
 * The language is Python as micrograd's tests write it, so their programs can
 * be pasted unchanged:
 *
 *     a = Value(-4.0)          # a named input (a literal: `a = -4.0` too)
 *     b = 2                    # also an input, labelled "b"
 *     c = a*b + b**3           # ** binds tighter than unary minus: -x**2
 *     c += (b - a).relu()      # += -= *= /=, relu(z) or z.relu()
 *     c / x                    # x is free: its value comes from the bindings
 *
 * Numbers (2, 2.5, .5, 1e-3), names, + - * / **, unary - and +, parentheses,
 * the functions tanh relu sigmoid exp log (as f(z) or z.f()), Value(number),
 * statements separated by newlines or ';', '#' comments. The last statement's
 * value is the root, unless a statement `z.backward()` names it (the last
 * such). Lines `import ...`, `from ...` and `print(...)` are skipped, so
 * micrograd snippets paste whole. A name always refers to one node, so shared
 * subexpressions stay shared. Constants become mg_const() leaves; an exponent
 * that is a constant expression is folded into mg_pow(x, k), any other
 * exponent uses mg_pow_value(). Undefined math (log(-1), 1/0) is not an error:
 * it gives NaN or Inf as PyTorch does.
 *
 * Variables are the names that need a value: a name assigned a plain number
 * (`a = -4.0`, `a = Value(-4.0)`) becomes an input leaf labelled with its name;
 * a name read before any assignment is free and takes its value from the
 * bindings. Assigned intermediate nodes are labelled with their name too.
 *
 *     mg_expr_error err;
 *     mg_expr *e = mg_expr_parse("y = x*x; y + y", &err);
 *     mg_expr_binding x = {"x", 3.0};
 *     mg_value *root;
 *     mg_expr_build(e, g, &x, 1, &root, NULL, &err);  // root->data == 18
 *     mg_expr_free(e);
 *
 * A program is parsed once into a compact stack code and can be built any
 * number of times, into any graphs, with different bindings. */
#ifndef MG_EXPR_H
#define MG_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"
#include "mg_graph.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

typedef struct mg_expr mg_expr;

/* An error with the place it refers to. */
typedef struct mg_expr_error {
    mg_code code;     /* MG_ESYNTAX for programs that do not parse, MG_EINVAL
                         for bad bindings and unknown variables */
    int line;         /* 1-based; 0 when the error has no place in the program */
    int column;       /* 1-based, in characters */
    char message[MG_ERROR_MESSAGE_SIZE]; /* the problem, without the place */
} mg_expr_error;

/* A value for a variable, by name. */
typedef struct mg_expr_binding {
    const char *name;
    double value;
} mg_expr_binding;

/* One variable of a program, in order of first appearance. */
typedef struct mg_expr_var {
    const char *name;
    bool free;       /* read before any assignment: needs a binding */
    bool assigned;   /* the program assigns the name somewhere */
    double value;    /* the literal of `name = literal` when !free */
    int line;        /* first appearance */
    int column;
} mg_expr_var;

/* Parses source (NUL-terminated); NULL with err filled when it does not parse. */
MG_API mg_expr *mg_expr_parse(const char *source, mg_expr_error *err);
/* Frees a parsed program; NULL is a no-op. */
MG_API void mg_expr_free(mg_expr *e);

/* Number of variables of the program. */
MG_API size_t mg_expr_var_count(const mg_expr *e);
/* The variables, mg_expr_var_count() of them. */
MG_API const mg_expr_var *mg_expr_vars(const mg_expr *e);
/* Index of the variable called name, or -1. */
MG_API long mg_expr_var_find(const mg_expr *e, const char *name);

/* Builds the program into g. Bindings give free variables their values and
 * override the literals of `name = literal`; a binding naming no variable, or
 * a free variable without one ("unknown variable 'z'"), is an MG_EINVAL error.
 * On success *root is the last statement's node and var_nodes (if not NULL,
 * mg_expr_var_count() entries) receives each variable's leaf. */
MG_API mg_code mg_expr_build(const mg_expr *e, mg_graph *g,
                      const mg_expr_binding *bindings, size_t nbindings,
                      mg_value **root, mg_value **var_nodes, mg_expr_error *err);

/* Parses and builds in one call; the root, or NULL with err filled. */
MG_API mg_value *mg_expr_eval(mg_graph *g, const char *source,
                       const mg_expr_binding *bindings, size_t nbindings,
                       mg_expr_error *err);

/* Formats err for people: "line L, column C: message", then the program line
 * and a caret under the column (just the message when line is 0). Writes at
 * most n bytes (NUL included) to buf; returns the full length as snprintf. */
MG_API size_t mg_expr_error_format(const char *source, const mg_expr_error *err,
                            char *buf, size_t n);

MG_EXTERN_C_END

#endif
