/* expr_internal.h — the expression language's tokens and stack code, shared by
 * expr_lex.c, expr_parse.c, expr_build.c and expr_error.c only. */
#ifndef MG_EXPR_INTERNAL_H
#define MG_EXPR_INTERNAL_H

#include <stdint.h>

#include "mg_expr.h"
#include "mg_names.h"

typedef enum expr_tok {
    TOK_END,
    TOK_SEPARATOR,   /* newline (outside parentheses) or ';' */
    TOK_NUMBER,
    TOK_NAME,
    TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_POW,
    TOK_LPAREN, TOK_RPAREN, TOK_DOT, TOK_COMMA,
    TOK_ASSIGN, TOK_PLUS_ASSIGN, TOK_MINUS_ASSIGN, TOK_STAR_ASSIGN,
    TOK_SLASH_ASSIGN,
    TOK_ERROR        /* where the source stopped making tokens: see expr_lex() */
} expr_tok;

typedef struct expr_token {
    expr_tok kind;
    const char *start;  /* into the source */
    uint32_t len;
    int line, column;
    double number;      /* TOK_NUMBER only */
} expr_token;

/* Splits source into tokens ending with TOK_END, or with TOK_ERROR where a bad
 * character or number stops it (err then holds that error, to be reported
 * only if the parser gets there: earlier syntax errors come first). Returns 0,
 * or -1 with err filled when out of memory. */
int expr_lex(const char *source, expr_token **tokens, size_t *ntokens,
             mg_expr_error *err);

/* Fills err with code, place and a printf-style message; returns code. */
mg_code expr_fail(mg_expr_error *err, mg_code code, int line, int column,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Functions of one value. */
typedef enum expr_fn { FN_EXP, FN_LOG, FN_TANH, FN_RELU, FN_SIGMOID, FN_COUNT } expr_fn;

/* Stack code: each instruction pushes or pops engine nodes. */
typedef enum expr_opcode {
    X_CONST,   /* push mg_const(k) */
    X_INPUT,   /* push an unnamed mg_input(k): Value(k) inside an expression */
    X_FREE,    /* push a new input for free variable arg, from the bindings */
    X_LITERAL, /* bind symbol arg to a new input: `name = literal` (k) */
    X_LOAD,    /* push the node symbol arg refers to */
    X_STORE,   /* pop into symbol arg; it becomes the statement's value */
    X_DROP,    /* pop: an expression statement's value */
    X_ROOT,    /* pop: `z.backward()` makes z the root */
    X_NEG, X_ADD, X_SUB, X_MUL, X_DIV,
    X_POWK,    /* a ** k with k a folded constant */
    X_POWV,    /* a ** b */
    X_CALL     /* function arg of the top node */
} expr_opcode;

typedef struct expr_instr {
    uint8_t op;      /* expr_opcode */
    uint32_t arg;    /* symbol, variable or function */
    double k;
    int line, column;/* where the instruction comes from, for errors */
} expr_instr;

typedef struct expr_symbol {
    char *name;
    long var;        /* variable index, -1 when the name is not a variable */
} expr_symbol;

struct mg_expr {
    expr_instr *code;
    size_t ncode;
    size_t max_stack;
    expr_symbol *symbols;
    size_t nsymbols;
    mg_names symbol_index;  /* symbol name -> its index in symbols */
    mg_expr_var *vars;
    size_t nvars;
    long *var_symbol;  /* per variable: its symbol */
};

/* The function of name (len bytes), or FN_COUNT when there is none. */
expr_fn expr_fn_find(const char *name, size_t len);
/* The engine op of f applied to a. */
mg_value *expr_fn_apply(expr_fn f, mg_value *a);
/* f applied to a plain number, for folding constant exponents. */
double expr_fn_number(expr_fn f, double x);
/* f's name. */
const char *expr_fn_name(expr_fn f);

#endif
