/* expr_parse.c — recursive descent from tokens to stack code.
 *
 * Grammar (Python's precedence):
 *     program   := sep* (statement (sep+ statement)*)? sep* END
 *     statement := NAME ('=' | '+=' | '-=' | '*=' | '/=') expr | expr
 *     expr      := term (('+' | '-') term)*
 *     term      := unary (('*' | '/') unary)*
 *     unary     := ('-' | '+') unary | power
 *     power     := postfix ('**' unary)?          -x**2 is -(x**2); 2**-1 works
 *     postfix   := atom ('.' NAME '(' ')')*
 *     atom      := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'
 *
 * The code of a subexpression is one contiguous run of instructions, so when a
 * subexpression turns out to be a constant it can be cut and replaced: that
 * is how exponents fold to mg_pow(x, k) and `a = -4.0` becomes an input. */
#include "expr_internal.h"
#include "mg_size.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is refused rather than risking the C stack. */
enum { MAX_NESTING = 500 };

typedef enum operand_kind {
    K_GENERAL,  /* depends on variables */
    K_CONST,    /* constants only; k holds its value */
    K_LITERAL,  /* a signed number, perhaps in parentheses */
    K_VALUE     /* Value(k): an unnamed input */
} operand_kind;

typedef struct operand {
    size_t start;  /* first instruction of its code */
    operand_kind kind;
    double k;
} operand;

typedef struct parser {
    const expr_token *tok;
    size_t pos;
    int depth;
    mg_expr *e;
    size_t code_cap, sym_cap, var_cap, var_symbol_cap;
    unsigned char *bound;   /* per symbol: assigned (or read free) so far */
    const mg_expr_error *lex_error;
    bool expr_statement;    /* parsing an expression statement... */
    size_t statement_start; /* ...whose code starts here */
    bool backward;          /* ...that is `z.backward()` */
    mg_expr_error *err;
} parser;

static const expr_token *peek(const parser *p) { return &p->tok[p->pos]; }

static int is_const(const operand *o) { return o->kind == K_CONST || o->kind == K_LITERAL; }

static void describe(const expr_token *t, char *buf, size_t n)
{
    switch (t->kind) {
    case TOK_END: snprintf(buf, n, "end of input"); break;
    case TOK_NUMBER: snprintf(buf, n, "number '%.*s'", (int)t->len, t->start); break;
    case TOK_NAME: snprintf(buf, n, "name '%.*s'", (int)t->len, t->start); break;
    case TOK_SEPARATOR:
        snprintf(buf, n, "%s", *t->start == ';' ? "';'" : "end of line");
        break;
    default: snprintf(buf, n, "'%.*s'", (int)t->len, t->start); break;
    }
}

/* Every syntax error goes through here: a lexer error waiting at the token
 * takes precedence, since the token itself is not real. */
static int fail(parser *p, const expr_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(parser *p, const expr_token *t, const char *fmt, ...)
{
    if (t->kind == TOK_ERROR) {
        if (p->err)
            *p->err = *p->lex_error;
        return -1;
    }
    if (p->err) {
        p->err->code = MG_ESYNTAX;
        p->err->line = t->line;
        p->err->column = t->column;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int out_of_memory(parser *p)
{
    expr_fail(p->err, MG_ENOMEM, 0, 0, "out of memory parsing the program");
    return -1;
}

/* Grows *items (of size each) so that index `need` fits; 0 or -1. */
static int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need < *cap)
        return 0;
    size_t n;
    void *q = mg_size_grow(*cap, need + 1, 16, SIZE_MAX, &n) ? mg_realloc_array(*items, n, size)
                                                             : NULL;
    if (!q)
        return -1;
    *items = q;
    *cap = n;
    return 0;
}

static int emit(parser *p, expr_opcode op, uint32_t arg, double k, const expr_token *at)
{
    mg_expr *e = p->e;
    if (grow((void **)&e->code, &p->code_cap, e->ncode, sizeof *e->code) != 0)
        return out_of_memory(p);
    e->code[e->ncode++] = (expr_instr){.op = (uint8_t)op, .arg = arg, .k = k,
                                       .line = at->line, .column = at->column};
    return 0;
}

/* Drops the code of o and emits one instruction in its place. */
static int replace(parser *p, operand *o, expr_opcode op, uint32_t arg, double k,
                   const expr_token *at)
{
    p->e->ncode = o->start;
    return emit(p, op, arg, k, at);
}

static long symbol_of(parser *p, const expr_token *name)
{
    mg_expr *e = p->e;
    size_t known = mg_names_find(&e->symbol_index, name->start, name->len);
    if (known != MG_NAMES_NONE)
        return (long)known;
    size_t old_cap = p->sym_cap;
    if (grow((void **)&e->symbols, &p->sym_cap, e->nsymbols, sizeof *e->symbols) != 0)
        return out_of_memory(p);
    if (p->sym_cap != old_cap) {
        unsigned char *b = realloc(p->bound, p->sym_cap);
        if (!b)
            return out_of_memory(p);
        p->bound = b;
    }
    char *copy = malloc(name->len + 1);
    if (!copy)
        return out_of_memory(p);
    memcpy(copy, name->start, name->len);
    copy[name->len] = '\0';
    if (mg_names_add(&e->symbol_index, copy, name->len, e->nsymbols, NULL) != MG_OK) {
        free(copy);
        return out_of_memory(p);
    }
    e->symbols[e->nsymbols] = (expr_symbol){.name = copy, .var = -1};
    p->bound[e->nsymbols] = 0;
    return (long)e->nsymbols++;
}

/* Makes symbol sym a variable first seen at token at. */
static long add_var(parser *p, long sym, const expr_token *at, bool is_free, double value)
{
    mg_expr *e = p->e;
    if (e->symbols[sym].var >= 0)
        return e->symbols[sym].var;
    if (grow((void **)&e->vars, &p->var_cap, e->nvars, sizeof *e->vars) != 0 ||
        grow((void **)&e->var_symbol, &p->var_symbol_cap, e->nvars,
             sizeof *e->var_symbol) != 0)
        return out_of_memory(p);
    e->vars[e->nvars] = (mg_expr_var){.name = e->symbols[sym].name, .free = is_free,
                                      .value = value, .line = at->line,
                                      .column = at->column};
    e->var_symbol[e->nvars] = sym;
    e->symbols[sym].var = (long)e->nvars;
    return (long)e->nvars++;
}

/* A name read in an expression: its node, or a new free variable. */
static int load_name(parser *p, const expr_token *name)
{
    long sym = symbol_of(p, name);
    if (sym < 0)
        return -1;
    if (p->bound[sym])
        return emit(p, X_LOAD, (uint32_t)sym, 0.0, name);
    long var = add_var(p, sym, name, true, 0.0);
    if (var < 0)
        return -1;
    p->bound[sym] = 1;
    return emit(p, X_FREE, (uint32_t)var, 0.0, name);
}

static int parse_expr(parser *p, operand *o);
static int parse_unary(parser *p, operand *o);

/* One level deeper into the recursion; the caller decrements p->depth. */
static int enter(parser *p, const expr_token *at)
{
    if (++p->depth > MAX_NESTING)
        return fail(p, at, "expression nested too deeply (more than %d levels)", MAX_NESTING);
    return 0;
}

static double fold(expr_opcode op, double a, double b)
{
    switch (op) {
    case X_ADD: return a + b;
    case X_SUB: return a - b;
    case X_MUL: return a * b;
    case X_DIV: return a / b;
    default: return pow(a, b);
    }
}

/* Combines l (whose code comes first) and r, whose code follows, with op. */
static int combine(parser *p, operand *l, const operand *r, expr_opcode op,
                   const expr_token *at)
{
    if (emit(p, op, 0, 0.0, at) != 0)
        return -1;
    if (is_const(l) && is_const(r)) {
        l->k = fold(op, l->k, r->k);
        l->kind = K_CONST;
    } else {
        l->kind = K_GENERAL;
    }
    return 0;
}

/* The one argument of f( ... ): the '(' is already consumed. */
static int parse_argument(parser *p, const expr_token *fname, operand *arg)
{
    if (peek(p)->kind == TOK_RPAREN)
        return fail(p, peek(p), "'%.*s' takes 1 argument, got none",
                    (int)fname->len, fname->start);
    if (parse_expr(p, arg) != 0)
        return -1;
    if (peek(p)->kind == TOK_COMMA)
        return fail(p, peek(p), "'%.*s' takes 1 argument",
                    (int)fname->len, fname->start);
    if (peek(p)->kind != TOK_RPAREN) {
        char what[96];
        describe(peek(p), what, sizeof what);
        return fail(p, peek(p), "expected ')' after the argument of '%.*s', got %s",
                    (int)fname->len, fname->start, what);
    }
    p->pos++;
    return 0;
}

static int apply_fn(parser *p, operand *o, expr_fn f, const expr_token *at)
{
    if (emit(p, X_CALL, (uint32_t)f, 0.0, at) != 0)
        return -1;
    if (is_const(o)) {
        o->k = expr_fn_number(f, o->k);
        o->kind = K_CONST;
    } else {
        o->kind = K_GENERAL;
    }
    return 0;
}

/* NAME '(' arg ')': a function, or Value(number). */
static int parse_call(parser *p, const expr_token *fname, operand *o)
{
    p->pos++; /* '(' */
    o->start = p->e->ncode;
    operand arg;
    if (parse_argument(p, fname, &arg) != 0)
        return -1;
    if (fname->len == 5 && memcmp(fname->start, "Value", 5) == 0) {
        if (!is_const(&arg))
            return fail(p, fname, "Value() takes a number, not an expression of variables");
        o->kind = K_VALUE;
        o->k = arg.k;
        return replace(p, o, X_INPUT, 0, arg.k, fname);
    }
    expr_fn f = expr_fn_find(fname->start, fname->len);
    *o = arg;
    return apply_fn(p, o, f, fname);
}

static int parse_paren(parser *p, operand *o)
{
    const expr_token *open = peek(p);
    p->pos++;
    if (parse_expr(p, o) != 0)
        return -1;
    if (peek(p)->kind != TOK_RPAREN) {
        char what[96];
        describe(peek(p), what, sizeof what);
        return fail(p, peek(p), "expected ')' to close the '(' at line %d, column %d, got %s",
                    open->line, open->column, what);
    }
    p->pos++;
    return 0;
}

static int parse_atom(parser *p, operand *o)
{
    const expr_token *t = peek(p);
    o->start = p->e->ncode;
    switch (t->kind) {
    case TOK_NUMBER:
        p->pos++;
        o->kind = K_LITERAL;
        o->k = t->number;
        return emit(p, X_CONST, 0, t->number, t);
    case TOK_NAME:
        p->pos++;
        if (peek(p)->kind == TOK_LPAREN) {
            if (!(t->len == 5 && memcmp(t->start, "Value", 5) == 0) &&
                expr_fn_find(t->start, t->len) == FN_COUNT)
                return fail(p, t, "unknown function '%.*s'", (int)t->len, t->start);
            return parse_call(p, t, o);
        }
        o->kind = K_GENERAL;
        return load_name(p, t);
    case TOK_LPAREN:
        return parse_paren(p, o);
    case TOK_END:
        return fail(p, t, "expected expression at end of input");
    case TOK_SEPARATOR:
        return fail(p, t, *t->start == ';' ? "expected expression before ';'"
                                           : "expected expression at end of line");
    default: {
        char what[96];
        describe(t, what, sizeof what);
        return fail(p, t, "unexpected %s: expected expression", what);
    }
    }
}

/* `z.backward()`, as micrograd writes it: a statement of its own that makes
 * z the root. It emits no code; the statement ends with X_ROOT. */
static int mark_backward(parser *p, const operand *o, const expr_token *m)
{
    expr_tok next = peek(p)->kind;
    if (!p->expr_statement || p->depth != 1 || o->start != p->statement_start ||
        (next != TOK_SEPARATOR && next != TOK_END))
        return fail(p, m, "backward() must be a statement of its own: z.backward()");
    p->backward = true;
    return 0;
}

/* atom followed by method calls: z.relu().exp() */
static int parse_postfix(parser *p, operand *o)
{
    if (parse_atom(p, o) != 0)
        return -1;
    while (peek(p)->kind == TOK_DOT) {
        p->pos++;
        const expr_token *m = peek(p);
        if (m->kind != TOK_NAME)
            return fail(p, m, "expected a method name after '.'");
        expr_fn f = expr_fn_find(m->start, m->len);
        bool backward = m->len == 8 && memcmp(m->start, "backward", 8) == 0;
        if (f == FN_COUNT && !backward)
            return fail(p, m, "unknown method '%.*s'", (int)m->len, m->start);
        p->pos++;
        if (peek(p)->kind != TOK_LPAREN)
            return fail(p, peek(p), "expected '()' after method '%.*s'", (int)m->len, m->start);
        p->pos++;
        const expr_token *t = peek(p);
        if (t->kind == TOK_END || t->kind == TOK_SEPARATOR)
            return fail(p, t, "expected ')' after '%.*s('", (int)m->len, m->start);
        if (t->kind != TOK_RPAREN)
            return fail(p, t, "method '%.*s' takes no arguments", (int)m->len, m->start);
        p->pos++;
        if (backward) {
            if (mark_backward(p, o, m) != 0)
                return -1;
        } else if (apply_fn(p, o, f, m) != 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_power(parser *p, operand *o)
{
    if (parse_postfix(p, o) != 0)
        return -1;
    if (peek(p)->kind != TOK_POW)
        return 0;
    const expr_token *op = peek(p);
    p->pos++;
    operand r;
    int rc = enter(p, op) != 0 ? -1 : parse_unary(p, &r);
    p->depth--;
    if (rc != 0)
        return -1;
    if (!is_const(&r))
        return combine(p, o, &r, X_POWV, op);
    double k = r.k;
    if (replace(p, &r, X_POWK, 0, k, op) != 0)
        return -1;
    if (is_const(o)) {
        o->k = pow(o->k, k);
        o->kind = K_CONST;
    } else {
        o->kind = K_GENERAL;
    }
    return 0;
}

static int parse_unary(parser *p, operand *o)
{
    const expr_token *t = peek(p);
    if (t->kind != TOK_MINUS && t->kind != TOK_PLUS)
        return parse_power(p, o);
    if (enter(p, t) != 0)
        return -1;
    p->pos++;
    int rc = parse_unary(p, o);
    p->depth--;
    if (rc != 0 || t->kind == TOK_PLUS)
        return rc;
    if (o->kind == K_LITERAL) /* -4.0 is a number, as Python folds it */
        return replace(p, o, X_CONST, 0, o->k = -o->k, t);
    if (o->kind == K_CONST)
        o->k = -o->k;
    else
        o->kind = K_GENERAL;
    return emit(p, X_NEG, 0, 0.0, t);
}

static int parse_term(parser *p, operand *o)
{
    if (parse_unary(p, o) != 0)
        return -1;
    for (;;) {
        const expr_token *t = peek(p);
        if (t->kind != TOK_STAR && t->kind != TOK_SLASH)
            return 0;
        p->pos++;
        operand r;
        if (parse_unary(p, &r) != 0 ||
            combine(p, o, &r, t->kind == TOK_STAR ? X_MUL : X_DIV, t) != 0)
            return -1;
    }
}

static int parse_expr(parser *p, operand *o)
{
    int rc = enter(p, peek(p)) != 0 ? -1 : parse_term(p, o);
    while (rc == 0) {
        const expr_token *t = peek(p);
        if (t->kind != TOK_PLUS && t->kind != TOK_MINUS)
            break;
        p->pos++;
        operand r;
        rc = parse_term(p, &r);
        if (rc == 0)
            rc = combine(p, o, &r, t->kind == TOK_PLUS ? X_ADD : X_SUB, t);
    }
    p->depth--;
    return rc;
}

static int is_assignment(expr_tok k)
{
    return k == TOK_ASSIGN || k == TOK_PLUS_ASSIGN || k == TOK_MINUS_ASSIGN ||
           k == TOK_STAR_ASSIGN || k == TOK_SLASH_ASSIGN;
}

static expr_opcode augmented_op(expr_tok k)
{
    switch (k) {
    case TOK_PLUS_ASSIGN: return X_ADD;
    case TOK_MINUS_ASSIGN: return X_SUB;
    case TOK_STAR_ASSIGN: return X_MUL;
    default: return X_DIV;
    }
}

/* NAME op expr, the name and op already consumed. */
static int parse_assignment(parser *p, const expr_token *name, const expr_token *op)
{
    operand r;
    if (op->kind != TOK_ASSIGN && load_name(p, name) != 0)
        return -1;  /* c += e is c + e, with c read first */
    if (parse_expr(p, &r) != 0)
        return -1;
    long sym = symbol_of(p, name);
    if (sym < 0)
        return -1;
    int rc;
    if (op->kind != TOK_ASSIGN) {
        rc = emit(p, augmented_op(op->kind), 0, 0.0, op);
        if (rc == 0)
            rc = emit(p, X_STORE, (uint32_t)sym, 0.0, name);
    } else if (r.kind == K_LITERAL || r.kind == K_VALUE) {
        rc = add_var(p, sym, name, false, r.k) < 0 ? -1 : 0;
        if (rc == 0)
            rc = replace(p, &r, X_LITERAL, (uint32_t)sym, r.k, name);
    } else {
        rc = emit(p, X_STORE, (uint32_t)sym, 0.0, name);
    }
    p->bound[sym] = 1;
    if (p->e->symbols[sym].var >= 0)
        p->e->vars[p->e->symbols[sym].var].assigned = true;
    return rc;
}

static int parse_statement(parser *p)
{
    const expr_token *t = peek(p);
    if (t->kind == TOK_NAME && is_assignment(p->tok[p->pos + 1].kind)) {
        p->pos += 2;
        return parse_assignment(p, t, t + 1);
    }
    operand o;
    p->expr_statement = true;
    p->statement_start = p->e->ncode;
    p->backward = false;
    int rc = parse_expr(p, &o);
    p->expr_statement = false;
    if (rc != 0)
        return -1;
    if (is_assignment(peek(p)->kind))
        return fail(p, peek(p), "cannot assign to an expression: only to a name");
    return emit(p, p->backward ? X_ROOT : X_DROP, 0, 0.0, t);
}

static int parse_program(parser *p)
{
    size_t statements = 0;
    for (;;) {
        while (peek(p)->kind == TOK_SEPARATOR)
            p->pos++;
        if (peek(p)->kind == TOK_END)
            break;
        if (parse_statement(p) != 0)
            return -1;
        statements++;
        const expr_token *t = peek(p);
        if (t->kind != TOK_SEPARATOR && t->kind != TOK_END) {
            char what[96];
            describe(t, what, sizeof what);
            return fail(p, t, "unexpected %s", what);
        }
    }
    if (statements == 0)
        return fail(p, peek(p), "empty program: nothing to compute");
    return 0;
}

/* How deep the value stack gets when the code runs. */
static size_t stack_need(const mg_expr *e)
{
    size_t depth = 0, most = 0;
    for (size_t i = 0; i < e->ncode; i++) {
        switch ((expr_opcode)e->code[i].op) {
        case X_CONST: case X_INPUT: case X_FREE: case X_LOAD:
            depth++;
            break;
        case X_STORE: case X_DROP: case X_ROOT: case X_ADD: case X_SUB: case X_MUL:
        case X_DIV: case X_POWV:
            depth--;
            break;
        default:
            break;
        }
        if (depth > most)
            most = depth;
    }
    return most;
}

mg_expr *mg_expr_parse(const char *source, mg_expr_error *err)
{
    mg_expr_error lex_error = {0};
    expr_token *tokens = NULL;
    size_t ntokens = 0;
    if (err)
        *err = (mg_expr_error){0};
    if (!source) {
        expr_fail(err, MG_EINVAL, 0, 0, "no program given (NULL source)");
        return NULL;
    }
    if (expr_lex(source, &tokens, &ntokens, &lex_error) != 0) {
        if (err)
            *err = lex_error;
        return NULL;
    }
    mg_expr *e = calloc(1, sizeof *e);
    parser p = {.tok = tokens, .e = e, .lex_error = &lex_error, .err = err};
    int rc = e ? parse_program(&p) : out_of_memory(&p);
    free(tokens);
    free(p.bound);
    if (rc != 0) {
        mg_expr_free(e);
        return NULL;
    }
    e->max_stack = stack_need(e);
    return e;
}

void mg_expr_free(mg_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nsymbols; i++)
        free(e->symbols[i].name);
    free(e->symbols);
    mg_names_free(&e->symbol_index);
    free(e->code);
    free(e->vars);
    free(e->var_symbol);
    free(e);
}

size_t mg_expr_var_count(const mg_expr *e) { return e ? e->nvars : 0; }

const mg_expr_var *mg_expr_vars(const mg_expr *e) { return e ? e->vars : NULL; }

long mg_expr_var_find(const mg_expr *e, const char *name)
{
    if (!e || !name)
        return -1;
    size_t sym = mg_names_find(&e->symbol_index, name, strlen(name));
    return sym == MG_NAMES_NONE ? -1 : e->symbols[sym].var;
}
