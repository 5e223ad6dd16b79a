/* test_expr.c — the expression language: syntax errors with their places,
 * precedence, statements, sharing, variables, micrograd's own tests, and
 * gradients against graphs built by hand with the engine API. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_expr.h"
#include "test_util.h"

/* Builds src with bindings x=3, y=-2 (those the program uses); the root or NULL. */
static mg_value *eval_xy(mg_graph *g, const char *src, mg_expr_error *err)
{
    mg_expr *e = mg_expr_parse(src, err);
    if (!e)
        return NULL;
    mg_expr_binding all[] = {{"x", 3.0}, {"y", -2.0}}, use[2];
    size_t n = 0;
    for (size_t i = 0; i < 2; i++)
        if (mg_expr_var_find(e, all[i].name) >= 0)
            use[n++] = all[i];
    mg_value *root = NULL;
    mg_expr_build(e, g, use, n, &root, NULL, err);
    mg_expr_free(e);
    return root;
}

/* ---- syntax errors: each names the problem at the right place ---- */

static const struct {
    const char *src;
    int line, column;
    const char *message; /* a part of the message */
} syntax_errors[] = {
    {"a + )", 1, 5, "unexpected ')'"},
    {"(a + b", 1, 7, "expected ')' to close the '(' at line 1, column 1"},
    {"a +", 1, 4, "expected expression"},
    {"a = \nb", 1, 5, "expected expression"},
    {"x = 1\ny = foo(x)", 2, 5, "unknown function 'foo'"},
    {"x.bar()", 1, 3, "unknown method 'bar'"},
    {"x.relu", 1, 7, "expected '()' after method 'relu'"},
    {"x.relu(2)", 1, 8, "method 'relu' takes no arguments"},
    {"x.", 1, 3, "expected a method name"},
    {"relu()", 1, 6, "'relu' takes 1 argument, got none"},
    {"relu(x, y)", 1, 7, "'relu' takes 1 argument"},
    {"relu(x", 1, 7, "expected ')' after the argument of 'relu'"},
    {"Value(x)", 1, 1, "Value() takes a number"},
    {"2 = x", 1, 3, "cannot assign to an expression"},
    {"x.relu() += 1", 1, 10, "cannot assign to an expression"},
    {"a b", 1, 3, "unexpected name 'b'"},
    {"a 2", 1, 3, "unexpected number '2'"},
    {"a = 1;; * 2", 1, 9, "unexpected '*'"},
    {"2x", 1, 1, "invalid number '2x'"},
    {"1e+", 1, 1, "invalid number '1e+'"},
    {"1.2.3", 1, 1, "invalid number '1.2.3'"},
    {"x $ y", 1, 3, "unexpected character '$'"},
    {"x = 1\n  y = x @ 2", 2, 9, "unexpected character '@'"},
    {"# only a comment\n\n", 3, 1, "empty program"},
    {"", 1, 1, "empty program"},
    {"x ** * 2", 1, 6, "unexpected '*'"},
    {"x = 'a'", 1, 5, "unexpected character '''"},
    {"a = ) $", 1, 5, "unexpected ')'"},  /* the earlier error wins over the lexer's */
    {"\tx = (y +\n\n)", 3, 1, "unexpected ')'"},
    {"caf\xc3\xa9 = 1", 1, 4, "unexpected character '\xc3\xa9'"},
    {"x +\x01", 1, 4, "unexpected control character \\x01"},
    {"x.relu(", 1, 8, "expected ')' after 'relu('"},
    {"a = ; b", 1, 5, "expected expression before ';'"},
};

START_TEST(test_syntax_error)
{
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(syntax_errors[_i].src, &err);
    ck_assert_msg(e == NULL, "'%s' parsed", syntax_errors[_i].src);
    ck_assert_int_eq(err.code, MG_ESYNTAX);
    ck_assert_msg(strstr(err.message, syntax_errors[_i].message) != NULL,
                  "'%s': message '%s' lacks '%s'", syntax_errors[_i].src, err.message,
                  syntax_errors[_i].message);
    ck_assert_msg(err.line == syntax_errors[_i].line && err.column == syntax_errors[_i].column,
                  "'%s': at %d:%d, expected %d:%d", syntax_errors[_i].src, err.line,
                  err.column, syntax_errors[_i].line, syntax_errors[_i].column);
}
END_TEST

START_TEST(test_nesting_is_bounded)
{
    /* 100000 open parentheses, unary minuses or right-nested powers must be
     * refused with a message, not overflow the C stack. */
    const char *units[] = {"(", "-", "x**"};
    for (int u = 0; u < 3; u++) {
        size_t n = 100000, len = strlen(units[u]);
        char *src = malloc(n * len + 2);
        for (size_t i = 0; i < n; i++)
            memcpy(src + i * len, units[u], len);
        strcpy(src + n * len, "x");
        mg_expr_error err;
        mg_expr *e = mg_expr_parse(src, &err);
        ck_assert_ptr_null(e);
        ck_assert_ptr_nonnull(strstr(err.message, "nested too deeply"));
        free(src);
    }
}
END_TEST

START_TEST(test_long_flat_programs_work)
{
    /* x+x+...+x with 100000 terms is flat: no nesting limit applies. */
    size_t n = 100000;
    char *src = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(src + 2 * i, i ? "+x" : " x", 2);
    src[2 * n] = '\0';
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *root = eval_xy(g, src, &err);
    ck_assert_msg(root != NULL, "%s", err.message);
    ck_assert_double_eq(root->data, 3.0 * (double)n);
    ck_assert_int_eq(mg_backward(root), MG_OK);
    ck_assert_double_eq(mg_graph_node(g, 0)->grad, (double)n);
    mg_graph_free(g);
    free(src);
}
END_TEST

START_TEST(test_error_format_shows_caret)
{
    const char *src = "a = 1\n\tb = (a + ]\nc";
    mg_expr_error err;
    ck_assert_ptr_null(mg_expr_parse(src, &err));
    char buf[512];
    size_t len = mg_expr_error_format(src, &err, buf, sizeof buf);
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_str_eq(buf, "line 2, column 11: unexpected character ']'\n"
                          "  \tb = (a + ]\n"
                          "  \t         ^");
    /* Truncation reports the full length, as snprintf does. */
    char small[8];
    ck_assert_uint_eq(mg_expr_error_format(src, &err, small, sizeof small), len);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    /* An error with no place is just its message. */
    mg_expr_error plain = {.code = MG_EINVAL, .message = "no variable 'q' in the program"};
    mg_expr_error_format(src, &plain, buf, sizeof buf);
    ck_assert_str_eq(buf, "no variable 'q' in the program");
}
END_TEST

/* ---- precedence and the forms of expressions ---- */

static const struct {
    const char *src;
    double value; /* with x = 3, y = -2 */
} values[] = {
    {"-x**2", -9.0},
    {"(-x)**2", 9.0},
    {"2**-1", 0.5},
    {"2**3**2", 512.0},        /* right-associative */
    {"-2**2", -4.0},
    {"2*-x", -6.0},
    {"1 - 2 - 3", -4.0},       /* left-associative */
    {"8 / 4 / 2", 1.0},
    {"2 + 3 * 4", 14.0},
    {"(2 + 3) * 4", 20.0},
    {"x * y ** 2", 12.0},
    {"+x", 3.0},
    {"--x", 3.0},
    {"- - -x", -3.0},
    {"x - -y", 1.0},
    {"2.5 + .5 + 1e-3 + 2. + 1E2", 105.001},
    {"y.relu() + relu(x)", 3.0},
    {"(x + y).relu()", 1.0},
    {"(x * y).relu().exp()", 1.0},
    {"exp(0) + log(1)", 1.0},
    {"tanh(0) + sigmoid(0)", 0.5},
    {"Value(-4.0) * x", -12.0},
    {"x ** (1 + 1)", 9.0},
    {"x ** y", 1.0 / 9.0},
    {"4 ** 0.5", 2.0},
    {"x ** 2 ** -1", 1.7320508075688772},
    {"2 ** x", 8.0},
    {"x # a comment\n", 3.0},
    {"0.1000000000000000055511151231257827021181583404541015625 * 10", 1.0}, /* exact 0.1 */
    {"(x +\n y)", 1.0},       /* newlines inside parentheses join lines */
    {"x + \\\n y", 1.0},      /* and so does a backslash */
};

START_TEST(test_value_of)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *root = eval_xy(g, values[_i].src, &err);
    ck_assert_msg(root != NULL, "'%s': %s", values[_i].src, err.message);
    ck_assert_msg(fabs(root->data - values[_i].value) <= 1e-12 * fmax(1.0, fabs(values[_i].value)),
                  "'%s' = %.17g, expected %.17g", values[_i].src, root->data, values[_i].value);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_constant_exponents_fold)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *r = eval_xy(g, "x ** (3 - 1)", &err);
    ck_assert_int_eq(r->op, MG_OP_POW);
    ck_assert_double_eq(r->k, 2.0);
    ck_assert_uint_eq(mg_graph_count(g), 2); /* x and x**2: no constants left */
    r = eval_xy(g, "x ** exp(0)", &err);
    ck_assert_int_eq(r->op, MG_OP_POW);
    ck_assert_double_eq(r->k, 1.0);
    r = eval_xy(g, "x ** y", &err);
    ck_assert_int_eq(r->op, MG_OP_POWV);
    r = eval_xy(g, "x ** Value(2)", &err); /* Value() is an input: not constant */
    ck_assert_int_eq(r->op, MG_OP_POWV);
    /* A constant exponent that is not finite still computes, as math says. */
    r = eval_xy(g, "x ** (1/0)", &err);
    ck_assert_msg(r != NULL, "%s", err.message);
    ck_assert(isinf(r->data) && r->data > 0);
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

START_TEST(test_undefined_math_is_not_an_error)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *r = eval_xy(g, "log(y)", &err);
    ck_assert(r && isnan(r->data));
    r = eval_xy(g, "1 / (x - 3)", &err);
    ck_assert(r && isinf(r->data));
    r = eval_xy(g, "(x - 3) ** -1", &err);
    ck_assert(r && isinf(r->data));
    ck_assert_int_eq(mg_backward(r), MG_OK);
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

/* ---- statements, sharing, labels ---- */

START_TEST(test_statements)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *r = eval_xy(g, "c = x; c += 2; c *= 3; c -= 1; c /= 2", &err);
    ck_assert_msg(r != NULL, "%s", err.message);
    ck_assert_double_eq(r->data, 7.0); /* ((3+2)*3-1)/2 */
    r = eval_xy(g, "\n# comment\n  a = x   # trailing\n\n\nb = a * a ; a + b\n", &err);
    ck_assert_double_eq(r->data, 12.0);
    /* The last statement is the root even when it is an assignment. */
    r = eval_xy(g, "a = x * 2\nb = a + 1", &err);
    ck_assert_double_eq(r->data, 7.0);
    ck_assert_str_eq(mg_value_label(r), "b");
    mg_graph_free(g);
}
END_TEST

START_TEST(test_names_share_nodes)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_value *r = eval_xy(g, "y = x*x; y + y", &err);
    ck_assert_uint_eq(mg_graph_count(g), 3); /* x, x*x, y+y */
    ck_assert_ptr_eq(r->a, r->b);
    ck_assert_int_eq(mg_backward(r), MG_OK);
    ck_assert_double_eq(mg_graph_node(g, 0)->grad, 12.0); /* d(2x^2)/dx at 3 */
    mg_graph_free(g);

    g = mg_graph_new();
    r = eval_xy(g, "a = 2; b = a; a * b", &err);
    ck_assert_uint_eq(mg_graph_count(g), 2); /* one input a, a*a */
    ck_assert_ptr_eq(r->a, r->b);
    /* `b = a` keeps a's label; nodes a statement makes get its name. */
    ck_assert_str_eq(mg_value_label(r->a), "a");
    mg_graph_free(g);
}
END_TEST

/* ---- variables ---- */

START_TEST(test_variables)
{
    mg_expr_error err;
    mg_expr *e = mg_expr_parse("a = -4.0\nb = Value(2.0)\nc = (3)\nd = a * x + y\nd", &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(mg_expr_var_count(e), 5);
    const mg_expr_var *v = mg_expr_vars(e);
    const char *names[] = {"a", "b", "c", "x", "y"};
    const bool free_[] = {false, false, false, true, true};
    const double lits[] = {-4.0, 2.0, 3.0, 0.0, 0.0};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(v[i].name, names[i]);
        ck_assert_int_eq(v[i].free, free_[i]);
        if (!free_[i])
            ck_assert_double_eq(v[i].value, lits[i]);
        ck_assert_int_eq(v[i].assigned, !free_[i]);
    }
    ck_assert_int_eq(v[3].line, 4);
    ck_assert_int_eq(v[3].column, 9);
    ck_assert_int_eq(mg_expr_var_find(e, "y"), 4);
    ck_assert_int_eq(mg_expr_var_find(e, "d"), -1);

    mg_graph *g = mg_graph_new();
    mg_value *root, *nodes[5];
    /* Free variables need values; a binding also overrides a literal. */
    mg_expr_binding b[] = {{"x", 0.5}, {"y", 1.0}, {"a", 10.0}};
    ck_assert_int_eq(mg_expr_build(e, g, b, 3, &root, nodes, &err), MG_OK);
    ck_assert_double_eq(root->data, 6.0);
    ck_assert_str_eq(mg_value_label(nodes[3]), "x");
    ck_assert(mg_is_leaf(nodes[0]) && !(nodes[0]->flags & MG_FLAG_CONST));
    ck_assert_double_eq(nodes[0]->data, 10.0);

    /* A missing value names the variable at its first use. */
    ck_assert_int_eq(mg_expr_build(e, g, b, 1, &root, nodes, &err), MG_EINVAL);
    ck_assert_str_eq(err.message, "unknown variable 'y': it has no value");
    ck_assert_int_eq(err.line, 4);
    ck_assert_int_eq(err.column, 13);
    ck_assert_ptr_null(root);
    /* A binding that names no variable is an error too. */
    mg_expr_binding q[] = {{"x", 1}, {"y", 1}, {"q", 1}};
    ck_assert_int_eq(mg_expr_build(e, g, q, 3, &root, nodes, &err), MG_EINVAL);
    ck_assert_str_eq(err.message, "no variable 'q' in the program");
    ck_assert_int_eq(err.line, 0);
    mg_expr_free(e);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_failed_build_leaves_no_nodes)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    ck_assert_ptr_nonnull(eval_xy(g, "x + 1", &err));
    size_t before = mg_graph_count(g);
    ck_assert_ptr_null(eval_xy(g, "a = x * 2 + 7; a + z", &err));
    ck_assert_str_eq(err.message, "unknown variable 'z': it has no value");
    ck_assert_uint_eq(mg_graph_count(g), before);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_read_before_assignment)
{
    mg_expr_error err;
    mg_expr *e = mg_expr_parse("y = z * 2\nz = 3\ny + z", &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(mg_expr_var_count(e), 1);
    ck_assert(mg_expr_vars(e)[0].free && mg_expr_vars(e)[0].assigned);
    mg_graph *g = mg_graph_new();
    mg_value *root;
    ck_assert_int_eq(mg_expr_build(e, g, NULL, 0, &root, NULL, &err), MG_EINVAL);
    ck_assert_str_eq(err.message, "unknown variable 'z': it has no value");
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.column, 5);
    mg_expr_binding z = {"z", 1.0};
    ck_assert_int_eq(mg_expr_build(e, g, &z, 1, &root, NULL, &err), MG_OK);
    ck_assert_double_eq(root->data, 5.0); /* 1*2 + 3 */
    mg_expr_free(e);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_program_builds_many_times)
{
    mg_expr_error err;
    mg_expr *e = mg_expr_parse("x * x + 1", &err);
    mg_graph *g1 = mg_graph_new(), *g2 = mg_graph_new();
    mg_value *r1, *r2;
    mg_expr_binding b1 = {"x", 2.0}, b2 = {"x", -3.0};
    ck_assert_int_eq(mg_expr_build(e, g1, &b1, 1, &r1, NULL, &err), MG_OK);
    ck_assert_int_eq(mg_expr_build(e, g2, &b2, 1, &r2, NULL, &err), MG_OK);
    ck_assert_double_eq(r1->data, 5.0);
    ck_assert_double_eq(r2->data, 10.0);
    mg_expr_free(e);
    mg_graph_free(g1);
    mg_graph_free(g2);
}
END_TEST

/* ---- micrograd's test_engine.py, pasted ---- */

START_TEST(test_micrograd_sanity_check)
{
    const char *src =
        "x = Value(-4.0)\n"
        "z = 2 * x + 2 + x\n"
        "q = z.relu() + z * x\n"
        "h = (z * z).relu()\n"
        "y = h + q + q * x\n";
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(src, &err);
    ck_assert_msg(e != NULL, "%s", err.message);
    mg_value *y, *x;
    ck_assert_int_eq(mg_expr_build(e, g, NULL, 0, &y, &x, &err), MG_OK);
    ck_assert_int_eq(mg_backward(y), MG_OK);
    /* z = -10, q = 40, h = 100, y = 100 + 40 - 160 = -20; dy/dx = 46 */
    ck_assert_double_eq(y->data, -20.0);
    ck_assert_double_eq(x->grad, 46.0);
    mg_expr_free(e);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_micrograd_more_ops)
{
    const char *src =
        "a = Value(-4.0)\n"
        "b = Value(2.0)\n"
        "c = a + b\n"
        "d = a * b + b**3\n"
        "c += c + 1\n"
        "c += 1 + c + (-a)\n"
        "d += d * 2 + (b + a).relu()\n"
        "d += 3 * d + (b - a).relu()\n"
        "e = c - d\n"
        "f = e**2\n"
        "g = f / 2.0\n"
        "g += 10.0 / f\n";
    mg_graph *graph = mg_graph_new();
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(src, &err);
    ck_assert_msg(e != NULL, "%s", err.message);
    mg_value *g, *ab[2];
    ck_assert_int_eq(mg_expr_build(e, graph, NULL, 0, &g, ab, &err), MG_OK);
    ck_assert_int_eq(mg_backward(g), MG_OK);
    /* PyTorch's values, from micrograd's test (tolerance 1e-6 there). */
    ck_assert_double_eq_tol(g->data, 24.70408163265306, 1e-12);
    ck_assert_double_eq_tol(ab[0]->grad, 138.83381924198252, 1e-10);
    ck_assert_double_eq_tol(ab[1]->grad, 645.5772594752186, 1e-10);
    mg_expr_free(e);
    mg_graph_free(graph);
}
END_TEST

START_TEST(test_pasted_python)
{
    /* The project's README snippet as written, with the Python around it. */
    const char *src =
        "from micrograd.engine import Value\n"
        "import math\n"
        "\n"
        "x = Value(2.0)\n"
        "y = Value(3.0)\n"
        "z = x * y + x\n"
        "z.backward()\n"
        "print(f'{z.data:.4f} and a ) in a string', \"(\",\n"
        "      x.grad)\n"
        "w = z * 100   # after backward: not the root\n";
    mg_graph *g = mg_graph_new();
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(src, &err);
    ck_assert_msg(e != NULL, "line %d: %s", err.line, err.message);
    mg_value *root, *v[2];
    ck_assert_int_eq(mg_expr_build(e, g, NULL, 0, &root, v, &err), MG_OK);
    ck_assert_double_eq(root->data, 8.0);
    ck_assert_str_eq(mg_value_label(root), "z");
    ck_assert_int_eq(mg_backward(root), MG_OK);
    ck_assert_double_eq(v[0]->grad, 4.0);
    ck_assert_double_eq(v[1]->grad, 2.0);
    mg_expr_free(e);
    /* print and from stay ordinary names where they are not statements. */
    mg_value *r = eval_xy(g, "print = x * 2\nprint + 1", &err);
    ck_assert_msg(r != NULL, "%s", err.message);
    ck_assert_double_eq(r->data, 7.0);
    mg_graph_free(g);

    static const struct { const char *src; int line, column; const char *message; } bad[] = {
        {"y = 2\nprint(y,\n'x)\nz", 2, 1, "unterminated print(...)"},
        {"a = x.backward()", 1, 7, "backward() must be a statement of its own"},
        {"x.backward() + 1", 1, 3, "backward() must be a statement of its own"},
        {"-x.backward()", 1, 4, "backward() must be a statement of its own"},
        {"y + x.backward()", 1, 7, "backward() must be a statement of its own"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_ptr_null(mg_expr_parse(bad[i].src, &err));
        ck_assert_msg(strstr(err.message, bad[i].message) && err.line == bad[i].line &&
                      err.column == bad[i].column, "'%s': %d:%d %s", bad[i].src, err.line,
                      err.column, err.message);
    }
}
END_TEST

/* ---- parsed programs against the engine API by hand ---- */

/* Programs against their hand-built twins, with the engine API: the same ops
 * in the same order must give bit-identical values and grads. */
static mg_value *twin_mixed(mg_value **v)     /* every op, on w, x, b */
{
    mg_value *w = v[0], *x = v[1], *b = v[2];
    mg_value *u = mg_mul(mg_tanh(mg_add(mg_mul(w, x), b)), mg_sigmoid(x));
    u = mg_sub(u, mg_div(mg_log(mg_pow(w, 2.0)), mg_exp(b)));
    return mg_add(u, mg_pow_value(mg_relu(mg_sub(x, b)), w));
}
static mg_value *twin_softplus(mg_value **v)  /* log(1 + exp(x)) * y */
{
    return mg_mul(mg_log(mg_rsubc(mg_neg(mg_exp(v[0])), 1.0)), v[1]);
}
static mg_value *twin_shared(mg_value **v)    /* s = x*y; s*s - s/x */
{
    mg_value *s = mg_mul(v[0], v[1]);
    return mg_sub(mg_mul(s, s), mg_div(s, v[0]));
}
static mg_value *twin_powers(mg_value **v)    /* (x**y)**3 + 2**-x */
{
    mg_value *two = mg_const(v[0]->graph, 2.0);
    return mg_add(mg_pow(mg_pow_value(v[0], v[1]), 3.0), mg_pow_value(two, mg_neg(v[0])));
}
static mg_value *twin_augmented(mg_value **v) /* c = x; c *= y; c -= x; c.sigmoid() */
{
    return mg_sigmoid(mg_sub(mg_mul(v[0], v[1]), v[0]));
}

#define XY {{"x", 1.7}, {"y", -0.6}}

static const struct {
    const char *src;
    mg_value *(*twin)(mg_value **v); /* given the leaves of the bindings' variables */
    mg_expr_binding at[3];           /* the free variables in the program's order */
} twins[] = {
    {"u = tanh(w*x + b) * sigmoid(x)\n"
     "u -= log(w**2) / exp(b)\n"
     "u + (x - b).relu() ** w", twin_mixed, {{"w", 0.7}, {"x", -1.3}, {"b", 0.4}}},
    {"log(1 - -exp(x)) * y", twin_softplus, XY},
    {"s = x*y\ns*s - s/x", twin_shared, XY},
    {"(x**y)**3 + 2**-x", twin_powers, XY},
    {"c = x; c *= y; c -= x; c.sigmoid()", twin_augmented, XY},
};

START_TEST(test_twins)
{
    const mg_expr_binding *at = twins[_i].at;
    size_t n = at[2].name ? 3 : 2;
    mg_graph *g = mg_graph_new(), *h = mg_graph_new();
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(twins[_i].src, &err);
    ck_assert_msg(e != NULL, "%s", err.message);
    mg_value *root, *v[8], *w[3];
    ck_assert_uint_le(mg_expr_var_count(e), 8);
    ck_assert_int_eq(mg_expr_build(e, g, at, n, &root, v, &err), MG_OK);
    for (size_t i = 0; i < n; i++)
        w[i] = mg_input(h, at[i].value);
    mg_value *r = twins[_i].twin(w);
    ck_assert_int_eq(mg_backward(root), MG_OK);
    ck_assert_int_eq(mg_backward(r), MG_OK);
    ck_assert_double_eq(root->data, r->data);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq(v[mg_expr_var_find(e, at[i].name)]->grad, w[i]->grad);
    ck_assert_uint_eq(mg_graph_count(g), mg_graph_count(h));
    mg_expr_free(e);
    mg_graph_free(g);
    mg_graph_free(h);
}
END_TEST

START_TEST(test_eval_and_bad_arguments)
{
    mg_expr_error err;
    mg_graph *g = mg_graph_new();
    mg_expr_binding x = {"x", 4.0};
    mg_value *r = mg_expr_eval(g, "x ** 0.5", &x, 1, &err);
    ck_assert_double_eq(r->data, 2.0);
    ck_assert_ptr_null(mg_expr_eval(g, "x +", &x, 1, &err));
    ck_assert_int_eq(err.code, MG_ESYNTAX);
    ck_assert_ptr_null(mg_expr_parse(NULL, &err));
    ck_assert_int_eq(err.code, MG_EINVAL);
    ck_assert_ptr_null(mg_expr_parse("x +", NULL)); /* err may be NULL */
    ck_assert_int_eq(mg_expr_build(NULL, g, NULL, 0, &r, NULL, &err), MG_EINVAL);
    mg_expr_free(NULL);
    ck_assert_uint_eq(mg_expr_var_count(NULL), 0);
    mg_graph_free(g);
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("expr");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_syntax_error, 0,
                        (int)(sizeof syntax_errors / sizeof syntax_errors[0]));
    tcase_add_test(tc, test_nesting_is_bounded);
    tcase_add_test(tc, test_long_flat_programs_work);
    tcase_add_test(tc, test_error_format_shows_caret);
    tcase_add_loop_test(tc, test_value_of, 0, (int)(sizeof values / sizeof values[0]));
    tcase_add_test(tc, test_constant_exponents_fold);
    tcase_add_test(tc, test_undefined_math_is_not_an_error);
    tcase_add_test(tc, test_statements);
    tcase_add_test(tc, test_names_share_nodes);
    tcase_add_test(tc, test_variables);
    tcase_add_test(tc, test_failed_build_leaves_no_nodes);
    tcase_add_test(tc, test_read_before_assignment);
    tcase_add_test(tc, test_program_builds_many_times);
    tcase_add_test(tc, test_micrograd_sanity_check);
    tcase_add_test(tc, test_micrograd_more_ops);
    tcase_add_test(tc, test_pasted_python);
    tcase_add_loop_test(tc, test_twins, 0, (int)(sizeof twins / sizeof twins[0]));
    tcase_add_test(tc, test_eval_and_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(expr_suite());
}
