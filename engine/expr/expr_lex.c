/* expr_lex.c — splits an expression program into tokens with their places. */
#include "expr_internal.h"
#include "mg_size.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mg_code expr_fail(mg_expr_error *err, mg_code code, int line, int column,
                  const char *fmt, ...)
{
    if (err) {
        err->code = code;
        err->line = line;
        err->column = column;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

typedef struct lexer {
    const char *p;
    const char *line_start;
    int line;
    int depth;          /* open parentheses: newlines inside them are spaces */
    const char *counted;/* column_of(): how far this line's columns are counted */
    int column;         /* the column at `counted` */
    expr_token *tokens;
    size_t ntokens, cap;
    mg_expr_error *err;
} lexer;

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_name_char(char c) { return is_name_start(c) || is_digit(c); }

/* Columns count characters, not bytes: UTF-8 continuation bytes are skipped.
 * Places only move forward, so counting resumes where it last stopped (a
 * 100000-token line stays linear). */
static int column_of(lexer *lx, const char *at)
{
    if (lx->counted < lx->line_start || lx->counted > at) {
        lx->counted = lx->line_start;
        lx->column = 1;
    }
    for (; lx->counted < at; lx->counted++)
        lx->column += ((unsigned char)*lx->counted & 0xC0) != 0x80;
    return lx->column;
}

static int push(lexer *lx, expr_tok kind, const char *start, size_t len)
{
    if (lx->ntokens == lx->cap) {
        size_t cap;
        expr_token *t = mg_size_grow(lx->cap, lx->cap + 1, 64, SIZE_MAX, &cap)
                        ? mg_realloc_array(lx->tokens, cap, sizeof *t) : NULL;
        if (!t) {
            expr_fail(lx->err, MG_ENOMEM, 0, 0, "out of memory reading the program");
            return -1;
        }
        lx->tokens = t;
        lx->cap = cap;
    }
    expr_token *t = &lx->tokens[lx->ntokens++];
    t->kind = kind;
    t->start = start;
    t->len = (uint32_t)len;
    t->line = lx->line;
    t->column = column_of(lx, start);
    t->number = 0.0;
    return 0;
}

static int fail_at(lexer *lx, const char *at, const char *fmt, const char *what, int len)
{
    expr_fail(lx->err, MG_ESYNTAX, lx->line, column_of(lx, at), fmt, len, what);
    return -1;
}

/* digits [. digits] [e [+-] digits], or . digits ...; strtod reads the text
 * once its shape is known to be ours (it would also take hex, inf and nan,
 * but those start with letters here, and a letter after a number is an error). */
static int lex_number(lexer *lx)
{
    const char *s = lx->p, *q = s;
    while (is_digit(*q))
        q++;
    if (*q == '.') {
        q++;
        while (is_digit(*q))
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        const char *e = q + 1;
        if (*e == '+' || *e == '-')
            e++;
        if (!is_digit(*e)) {
            while (is_name_char(*e))
                e++;
            return fail_at(lx, s, "invalid number '%.*s'", s, (int)(e - s));
        }
        while (is_digit(*e))
            e++;
        q = e;
    }
    if (is_name_char(*q) || *q == '.') {
        const char *e = q;
        while (is_name_char(*e) || *e == '.')
            e++;
        return fail_at(lx, s, "invalid number '%.*s'", s, (int)(e - s));
    }
    /* The shape is checked, so strtod reads exactly these characters. */
    if (push(lx, TOK_NUMBER, s, (size_t)(q - s)) != 0)
        return -1;
    lx->tokens[lx->ntokens - 1].number = strtod(s, NULL);
    lx->p = q;
    return 0;
}

/* Operators: the two-character ones first. */
static const struct { const char *text; expr_tok kind; } operators[] = {
    {"**", TOK_POW}, {"+=", TOK_PLUS_ASSIGN}, {"-=", TOK_MINUS_ASSIGN},
    {"*=", TOK_STAR_ASSIGN}, {"/=", TOK_SLASH_ASSIGN},
    {"+", TOK_PLUS}, {"-", TOK_MINUS}, {"*", TOK_STAR}, {"/", TOK_SLASH},
    {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {".", TOK_DOT}, {",", TOK_COMMA},
    {"=", TOK_ASSIGN}, {";", TOK_SEPARATOR},
};

static int lex_operator(lexer *lx)
{
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        size_t len = strlen(operators[i].text);
        if (strncmp(lx->p, operators[i].text, len) != 0)
            continue;
        if (operators[i].kind == TOK_LPAREN)
            lx->depth++;
        else if (operators[i].kind == TOK_RPAREN && lx->depth > 0)
            lx->depth--;
        if (push(lx, operators[i].kind, lx->p, len) != 0)
            return -1;
        lx->p += len;
        return 0;
    }
    const char *s = lx->p;
    int len = 1;
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f) { /* show control bytes, not raw */
        expr_fail(lx->err, MG_ESYNTAX, lx->line, column_of(lx, s),
                  "unexpected control character \\x%02x", c);
        return -1;
    }
    if ((unsigned char)*s >= 0x80) /* show a whole UTF-8 character */
        while (((unsigned char)s[len] & 0xC0) == 0x80 && len < 4)
            len++;
    return fail_at(lx, s, "unexpected character '%.*s'", s, len);
}

/* The newline at q has been passed: a new line starts after it. */
static void newline_at(lexer *lx, const char *q)
{
    lx->line++;
    lx->line_start = q + 1;
}

static void newline(lexer *lx)
{
    newline_at(lx, lx->p);
    lx->p++;
}

/* Pasted Python carries lines that compute nothing: `import ...`, `from ...
 * import ...` and `print(...)` statements. At the start of a statement they
 * are skipped; 1 when one was, 0 when the name is an ordinary one, -1 on an
 * unterminated print(. */
static int skip_python_only(lexer *lx, const char *name, size_t len)
{
    bool at_start = lx->ntokens == 0 || lx->tokens[lx->ntokens - 1].kind == TOK_SEPARATOR;
    if (!at_start || lx->depth != 0)
        return 0;
    if ((len == 6 && memcmp(name, "import", 6) == 0) || (len == 4 && memcmp(name, "from", 4) == 0)) {
        if (*lx->p != ' ' && *lx->p != '\t')
            return 0;
        while (*lx->p && *lx->p != '\n')
            lx->p++;
        return 1;
    }
    const char *q = lx->p;
    while (*q == ' ' || *q == '\t')
        q++;
    if (!(len == 5 && memcmp(name, "print", 5) == 0 && *q == '('))
        return 0;
    int depth = 0, line = lx->line;
    char quote = 0;
    const char *line_start = lx->line_start;
    for (; *q; q++) {
        if (*q == '\n')
            newline_at(lx, q);
        if (quote) {
            if (*q == '\\' && q[1])
                q++;
            else if (*q == quote)
                quote = 0;
        } else if (*q == '\'' || *q == '"') {
            quote = *q;
        } else if (*q == '(') {
            depth++;
        } else if (*q == ')' && --depth == 0) {
            lx->p = q + 1;
            return 1;
        }
    }
    lx->line = line; /* the error is where the print starts */
    lx->line_start = line_start;
    return fail_at(lx, name, "unterminated %.*s(...)", name, (int)len);
}

static int lex_one(lexer *lx)
{
    char c = *lx->p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        lx->p++;
    } else if (c == '#') {
        while (*lx->p && *lx->p != '\n')
            lx->p++;
    } else if (c == '\n') {
        if (lx->depth == 0 && push(lx, TOK_SEPARATOR, lx->p, 1) != 0)
            return -1;
        newline(lx);
    } else if (c == '\\' && (lx->p[1] == '\n' || (lx->p[1] == '\r' && lx->p[2] == '\n'))) {
        lx->p += lx->p[1] == '\r' ? 2 : 1;  /* Python's line continuation */
        newline(lx);
    } else if (is_digit(c) || (c == '.' && is_digit(lx->p[1]))) {
        return lex_number(lx);
    } else if (is_name_start(c)) {
        const char *s = lx->p;
        while (is_name_char(*lx->p))
            lx->p++;
        int skipped = skip_python_only(lx, s, (size_t)(lx->p - s));
        return skipped != 0 ? (skipped < 0 ? -1 : 0) : push(lx, TOK_NAME, s, (size_t)(lx->p - s));
    } else {
        return lex_operator(lx);
    }
    return 0;
}

int expr_lex(const char *source, expr_token **tokens, size_t *ntokens,
             mg_expr_error *err)
{
    lexer lx = {.p = source, .line_start = source, .line = 1, .err = err};
    expr_tok last = TOK_END;
    while (*lx.p && last == TOK_END)
        if (lex_one(&lx) != 0) {
            if (err->code != MG_ESYNTAX) {
                free(lx.tokens);
                return -1;
            }
            last = TOK_ERROR; /* the parser reports it if it gets this far */
        }
    if (push(&lx, last, lx.p, 0) != 0) {
        free(lx.tokens);
        return -1;
    }
    /* "expected ')'" at the end of input points just past the last token,
     * not at a line of trailing blanks the program does not show. */
    if (last == TOK_END && lx.ntokens > 1 && lx.tokens[lx.ntokens - 2].kind != TOK_SEPARATOR) {
        const expr_token *prev = &lx.tokens[lx.ntokens - 2];
        expr_token *end = &lx.tokens[lx.ntokens - 1];
        end->line = prev->line;
        end->column = prev->column + (int)prev->len;
    }
    *tokens = lx.tokens;
    *ntokens = lx.ntokens;
    return 0;
}
