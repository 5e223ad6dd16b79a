/* test_value.c — the scalar engine: ops, backward, accumulation, memory, scopes, errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "mg_gradcheck.h"
#include "mg_rng.h"
#include "mg_value.h"

START_TEST(test_seed_snippet)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_add(mg_mul(x, y), x);
    ck_assert_double_eq(z->data, 8.0);
    ck_assert_int_eq(mg_backward(z), MG_OK);
    ck_assert_double_eq(x->grad, 4.0);
    ck_assert_double_eq(y->grad, 2.0);
    ck_assert_str_eq(mg_value_label(x), "x");
    ck_assert_str_eq(mg_value_label(z), "");
    ck_assert_str_eq(mg_op_name((mg_op)z->op), "+");
    ck_assert_uint_eq(z->id, 3);
    ck_assert_ptr_eq(mg_graph_node(g, 3), z);
    mg_graph_free(g);
}
END_TEST

/* micrograd's old bug: a node used twice must receive both contributions. */
START_TEST(test_reuse_accumulates)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, -4.0);
    mg_value *b = mg_add(a, a);
    mg_value *c = mg_add(b, b);
    mg_backward(c);
    ck_assert_double_eq(a->grad, 4.0);
    ck_assert_double_eq(b->grad, 2.0);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_backward_twice_accumulates_into_leaves)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 3.0);
    mg_value *y = mg_mul(mg_mulc(x, 2.0), x); /* 2x^2: dy/dx = 4x = 12 */
    mg_backward(y);
    ck_assert_double_eq(x->grad, 12.0);
    mg_backward(y);
    ck_assert_double_eq(x->grad, 24.0); /* leaves accumulate, as in PyTorch */
    ck_assert_double_eq(y->a->grad, 3.0); /* interior nodes hold the latest pass */
    mg_graph_zero_grad(g);
    ck_assert_double_eq(x->grad, 0.0);
    mg_backward(y);
    ck_assert_double_eq(x->grad, 12.0);
    mg_graph_free(g);
}
END_TEST

/* micrograd's test_more_ops, with the numbers PyTorch gives. */
START_TEST(test_micrograd_more_ops)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, -4.0);
    mg_value *b = mg_input(g, 2.0);
    mg_value *c = mg_add(a, b);
    mg_value *d = mg_add(mg_mul(a, b), mg_pow(b, 3));
    c = mg_add(c, mg_addc(c, 1));
    c = mg_add(c, mg_add(mg_addc(c, 1), mg_neg(a)));
    d = mg_add(d, mg_add(mg_mulc(d, 2), mg_relu(mg_add(b, a))));
    d = mg_add(d, mg_add(mg_mulc(d, 3), mg_relu(mg_sub(b, a))));
    mg_value *e = mg_sub(c, d);
    mg_value *f = mg_pow(e, 2);
    mg_value *h = mg_divc(f, 2.0);
    h = mg_add(h, mg_rdivc(f, 10.0));
    ck_assert_ptr_null(mg_graph_error(g));
    ck_assert_double_eq_tol(h->data, 24.70408163265306, 1e-12);
    mg_backward(h);
    ck_assert_double_eq_tol(a->grad, 138.83381924198252, 1e-10);
    ck_assert_double_eq_tol(b->grad, 645.5772594752186, 1e-10);
    mg_graph_free(g);
}
END_TEST

/* 10 million nodes in a chain: the walk must not recurse. */
START_TEST(test_long_chain_no_recursion)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 0.5);
    mg_value *y = x;
    for (int i = 0; i < 10000000; i++)
        y = mg_mulc(y, 1.0);
    ck_assert_ptr_nonnull(y);
    ck_assert_int_eq(mg_backward(y), MG_OK);
    ck_assert_double_eq(x->grad, 1.0);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_edges)
{
    mg_graph *g = mg_graph_new();
    mg_value *z = mg_input(g, 0.0);
    mg_value *r = mg_relu(z);
    mg_backward(r);
    ck_assert_double_eq(z->grad, 0.0); /* relu at 0 has grad 0 */

    mg_value *n = mg_input(g, -2.0);
    mg_value *p = mg_pow(n, 3);
    mg_backward(p);
    ck_assert_double_eq(p->data, -8.0);
    ck_assert_double_eq(n->grad, 12.0); /* integer exponent on a negative base */

    mg_value *q = mg_input(g, -2.0);
    mg_value *s = mg_pow(q, 0.5);
    mg_backward(s);
    ck_assert(isnan(s->data) && isnan(q->grad));

    mg_value *t = mg_input(g, 30.0);
    mg_value *th = mg_tanh(t);
    mg_backward(th);
    ck_assert_double_eq(th->data, 1.0);
    ck_assert_double_eq(t->grad, 0.0); /* saturated */

    mg_value *u = mg_input(g, -800.0);
    mg_value *sg = mg_sigmoid(u);
    mg_backward(sg);
    ck_assert(sg->data >= 0.0 && sg->data < 1e-300 && isfinite(u->grad));

    mg_value *w = mg_input(g, 0.0);
    mg_value *lg = mg_log(w);
    mg_backward(lg);
    ck_assert(isinf(lg->data) && lg->data < 0 && isinf(w->grad));

    mg_value *zero = mg_input(g, 0.0);
    mg_value *p0 = mg_pow(zero, 0.0);
    mg_backward(p0);
    ck_assert_double_eq(p0->data, 1.0);
    ck_assert_double_eq(zero->grad, 0.0); /* PyTorch: exponent 0 gives grad 0 */
    ck_assert_ptr_null(mg_graph_error(g));
    mg_graph_free(g);
}
END_TEST

/* Signed zeros, NaN and Inf follow PyTorch's kernels, not libm's defaults. */
START_TEST(test_ieee_edges_match_pytorch)
{
    mg_graph *g = mg_graph_new();
    mg_value *nz = mg_input(g, -0.0);
    mg_value *r = mg_relu(nz);
    ck_assert(r->data == 0.0 && signbit(r->data)); /* clamp_min keeps -0.0 */
    mg_value *nan = mg_input(g, NAN);
    mg_value *rn = mg_relu(nan);
    mg_backward(rn);
    ck_assert(isnan(rn->data));
    ck_assert_double_eq(nan->grad, 1.0); /* NaN is not <= 0: the grad passes */

    mg_value *s = mg_pow(nz, 0.5); /* sqrt(-0.0) is -0.0, pow() would say +0.0 */
    mg_backward(s);
    ck_assert(s->data == 0.0 && signbit(s->data));
    ck_assert(isinf(nz->grad) && nz->grad < 0);
    ck_assert(isinf(mg_pow(nz, -0.5)->data) && mg_pow(nz, -0.5)->data < 0);

    /* 0 ** x has a zero exponent grad, but an infinite upstream grad still
     * makes it NaN, as PyTorch multiplies by the zero */
    mg_value *x = mg_input(g, 0.69);
    mg_value *q = mg_div(x, mg_pow_value(mg_const(g, 0.0), x));
    mg_backward(q);
    ck_assert(isinf(q->data) && isnan(x->grad));
    mg_graph_free(g);
}
END_TEST

/* ---- every op against finite differences at many random points ---- */

typedef struct op_case {
    const char *name;
    mg_op op; /* the op under test: the built graph must contain it */
    int arity;
    double lo, hi;
    mg_value *(*unary)(mg_value *);
    mg_value *(*binary)(mg_value *, mg_value *);
} op_case;

static mg_value *pow3(mg_value *a) { return mg_pow(a, 3); }
static mg_value *pow_frac(mg_value *a) { return mg_pow(a, 1.5); }
static mg_value *pow_neg(mg_value *a) { return mg_pow(a, -2); }
static mg_value *bce_third(mg_value *a) { return mg_bce_logits(a, 0.3); }
static mg_value *rsub7(mg_value *a) { return mg_rsubc(a, 7.0); }
static mg_value *rdiv3(mg_value *a) { return mg_rdivc(a, 3.0); }

static const op_case cases[] = {
    { "add", MG_OP_ADD, 2, -5, 5, NULL, mg_add },
    { "sub", MG_OP_SUB, 2, -5, 5, NULL, mg_sub },
    { "mul", MG_OP_MUL, 2, -5, 5, NULL, mg_mul },
    { "div", MG_OP_DIV, 2, 0.5, 5, NULL, mg_div },
    { "powv", MG_OP_POWV, 2, 0.5, 3, NULL, mg_pow_value },
    { "neg", MG_OP_NEG, 1, -5, 5, mg_neg, NULL },
    { "exp", MG_OP_EXP, 1, -5, 5, mg_exp, NULL },
    { "log", MG_OP_LOG, 1, 0.01, 5, mg_log, NULL },
    { "tanh", MG_OP_TANH, 1, -3, 3, mg_tanh, NULL },
    { "relu", MG_OP_RELU, 1, -5, 5, mg_relu, NULL },
    { "sigmoid", MG_OP_SIGMOID, 1, -8, 8, mg_sigmoid, NULL },
    { "pow3", MG_OP_POW, 1, -5, 5, pow3, NULL },
    { "pow1.5", MG_OP_POW, 1, 0.1, 5, pow_frac, NULL },
    { "pow-2", MG_OP_POW, 1, 0.5, 5, pow_neg, NULL },
    { "bce", MG_OP_BCE_LOGITS, 1, -6, 6, bce_third, NULL },
    { "rsub", MG_OP_SUB, 1, -5, 5, rsub7, NULL },
    { "rdiv", MG_OP_DIV, 1, 0.5, 5, rdiv3, NULL },
};

static mg_value *apply_case(mg_graph *g, mg_value *const *x, size_t n, void *ctx)
{
    (void)g;
    (void)n;
    const op_case *c = ctx;
    /* square the result so each op also sees a non-unit upstream gradient */
    mg_value *y = c->arity == 1 ? c->unary(x[0]) : c->binary(x[0], x[1]);
    return mg_pow(y, 2);
}

START_TEST(test_gradcheck_every_op)
{
    const op_case *c = &cases[_i];
    mg_rng rng;
    mg_rng_seed(&rng, 1234 + (uint64_t)_i);
    for (int trial = 0; trial < 200; trial++) {
        double x[2];
        for (int k = 0; k < c->arity; k++) {
            x[k] = mg_rng_range(&rng, c->lo, c->hi);
            if (!strcmp(c->name, "relu") && fabs(x[k]) < 1e-3)
                x[k] = 0.5; /* the kink itself is tested in test_edges */
        }
        mg_gradcheck_result r;
        mg_error err;
        ck_assert_int_eq(mg_gradcheck(apply_case, (void *)c, x, (size_t)c->arity, NULL, 0,
                                      &r, &err), MG_OK);
        ck_assert_msg(r.max_rel_error < 1e-5 || r.max_abs_error < 1e-6,
                      "%s at x=%g,%g: analytic %.17g numeric %.17g", c->name, x[0],
                      c->arity == 2 ? x[1] : 0.0, r.analytic, r.numeric);
    }
}
END_TEST

enum { NCASES = (int)(sizeof cases / sizeof cases[0]) };

/* Each case computes the op it claims to check. */
START_TEST(test_case_builds_its_op)
{
    const op_case *c = &cases[_i];
    mg_graph *g = mg_graph_new();
    mg_value *x[2] = { mg_input(g, 0.7), mg_input(g, 1.3) };
    mg_value *root = apply_case(g, x, (size_t)c->arity, (void *)c);
    ck_assert_ptr_nonnull(root);
    int found = 0;
    for (uint32_t id = 0; id < mg_graph_count(g); id++)
        found |= mg_graph_node(g, id)->op == c->op;
    ck_assert_msg(found, "case '%s' does not compute %s", c->name, mg_op_name(c->op));
    mg_graph_free(g);
}
END_TEST

/* Every op of mg_ops.def has a gradient check (tensor headers have theirs in
 * test_tensor_grad): a new row without a case fails here. */
START_TEST(test_every_op_has_a_case)
{
    for (int op = 1; op < MG_OP_COUNT; op++) {
        int found = op == MG_OP_TENSOR;
        for (int i = 0; i < NCASES; i++)
            found |= (int)cases[i].op == op;
        ck_assert_msg(found, "scalar op '%s' (%d) has no gradient-check case",
                      mg_op_name((mg_op)op), op);
    }
}
END_TEST

static mg_value *broken(mg_graph *g, mg_value *const *x, size_t n, void *ctx)
{
    (void)g; (void)n; (void)ctx;
    return mg_pow(x[0], INFINITY);
}

START_TEST(test_gradcheck_reports_failure)
{
    double x = 1.0;
    mg_gradcheck_result r;
    mg_error err;
    ck_assert_int_ne(mg_gradcheck(broken, NULL, &x, 1, NULL, 0, &r, &err), MG_OK);
    ck_assert_ptr_nonnull(strstr(err.message, "not finite"));
}
END_TEST

/* ---- errors never abort ---- */

START_TEST(test_errors_are_values)
{
    mg_graph *g = mg_graph_new(), *h = mg_graph_new();
    mg_value *x = mg_input(g, 1.0), *y = mg_input(h, 2.0);
    ck_assert_ptr_null(mg_add(x, y));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "two different graphs"));
    ck_assert_int_eq(mg_graph_status(h), MG_EINVAL);

    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_pow(x, NAN));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "not finite"));
    ck_assert_int_ne(mg_backward(x), MG_OK); /* sticky: backward refuses */

    mg_graph_clear_error(g);
    ck_assert_ptr_null(mg_mul(x, NULL));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "NULL"));
    ck_assert_ptr_null(mg_tanh(NULL));
    ck_assert_int_eq(mg_backward(NULL), MG_EINVAL);

    /* a node dropped by a reset is refused, not used */
    mg_graph_clear_error(g);
    mg_graph_keep(g);
    mg_value *t = mg_exp(x);
    mg_graph_reset(g);
    ck_assert_ptr_null(mg_exp(t));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "dropped"));
    mg_graph_free(g);
    mg_graph_free(h);
}
END_TEST

/* ---- memory: O(1) reset, nothing allocated once warm ---- */

START_TEST(test_reset_reuses_memory)
{
    mg_graph *g = mg_graph_new();
    mg_value *w = mg_param(g, 0.5);
    mg_graph_keep(g);
    size_t allocs = 0;
    for (int step = 0; step < 5; step++) {
        mg_value *y = w;
        for (int i = 0; i < 20000; i++)
            y = mg_tanh(mg_label(mg_mulc(y, 1.01), "t"));
        mg_backward(y);
        ck_assert_uint_eq(mg_graph_count(g), 1 + 3 * 20000);
        mg_graph_reset(g);
        ck_assert_uint_eq(mg_graph_count(g), 1);
        if (step == 1)
            allocs = mg_graph_get_stats(g).allocations;
        if (step > 1)
            ck_assert_uint_eq(mg_graph_get_stats(g).allocations, allocs);
    }
    ck_assert(w->grad != 0.0);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_scopes)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, 1.0);
    mg_scope_push(g, "mlp");
    mg_scope_push(g, "layer1");
    mg_value *b = mg_exp(a);
    uint32_t layer1 = mg_scope_current(g);
    mg_scope_pop(g);
    mg_scope_push(g, "layer1"); /* interned: same id again */
    ck_assert_uint_eq(mg_scope_current(g), layer1);
    mg_scope_pop(g);
    mg_scope_pop(g);
    mg_scope_pop(g); /* popping the root is harmless */
    char path[64];
    ck_assert_uint_eq(a->scope, MG_SCOPE_ROOT);
    ck_assert_uint_eq(mg_scope_path(g, b->scope, path, sizeof path), strlen("mlp/layer1"));
    ck_assert_str_eq(path, "mlp/layer1");
    ck_assert_uint_eq(mg_scope_path(g, b->scope, path, 5), strlen("mlp/layer1"));
    ck_assert_str_eq(path, "mlp/");
    ck_assert_str_eq(mg_scope_name(g, b->scope), "layer1");
    ck_assert_uint_eq(mg_scope_depth(g, b->scope), 2);
    ck_assert_int_ne(mg_scope_push(g, ""), MG_OK);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_op_labels)
{
    mg_graph *g = mg_graph_new();
    char buf[32];
    mg_value *x = mg_input(g, 2.0);
    mg_value_op_label(mg_pow(x, 2), buf, sizeof buf);
    ck_assert_str_eq(buf, "**2");
    mg_value_op_label(mg_pow(x, -0.5), buf, sizeof buf);
    ck_assert_str_eq(buf, "**-0.5");
    mg_value_op_label(x, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(mg_value_parent_count(mg_div(x, x)), 2);
    ck_assert_int_eq(mg_value_parent_count(mg_relu(x)), 1);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_byte_arena_rewinds)
{
    mg_graph *g = mg_graph_new();
    mg_mark m = mg_graph_mark(g);
    char *p = mg_graph_alloc(g, 100);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % 64, 0);
    char *big = mg_graph_alloc(g, 5u << 20);
    ck_assert_ptr_nonnull(big);
    memset(big, 1, 5u << 20);
    mg_graph_rewind(g, m);
    ck_assert_ptr_eq(mg_graph_alloc(g, 100), p);
    size_t allocs = mg_graph_get_stats(g).allocations;
    ck_assert_ptr_nonnull(mg_graph_alloc(g, 5u << 20));
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, allocs);
    mg_graph_free(g);
}
END_TEST

static Suite *value_suite(void)
{
    Suite *s = suite_create("value");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_seed_snippet);
    tcase_add_test(tc, test_reuse_accumulates);
    tcase_add_test(tc, test_backward_twice_accumulates_into_leaves);
    tcase_add_test(tc, test_micrograd_more_ops);
    tcase_add_test(tc, test_long_chain_no_recursion);
    tcase_add_test(tc, test_edges);
    tcase_add_test(tc, test_ieee_edges_match_pytorch);
    tcase_add_loop_test(tc, test_gradcheck_every_op, 0, NCASES);
    tcase_add_loop_test(tc, test_case_builds_its_op, 0, NCASES);
    tcase_add_test(tc, test_every_op_has_a_case);
    tcase_add_test(tc, test_gradcheck_reports_failure);
    tcase_add_test(tc, test_errors_are_values);
    tcase_add_test(tc, test_reset_reuses_memory);
    tcase_add_test(tc, test_scopes);
    tcase_add_test(tc, test_op_labels);
    tcase_add_test(tc, test_byte_arena_rewinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(value_suite()); }
