/* test_tensor_names.c — position names on a tensor axis (what pictures
 * print along it) and backward seeded with a chosen gradient (the paths
 * that feed one position's logits): the public API, its errors, the JSON,
 * and a seeded pass against the plain backward it generalises. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_graph.h"
#include "test_util.h"
#include "mg_tensor.h"

static const char *const abc[] = { "a", "b", "c" };

START_TEST(test_names_once_and_per_row)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_input(g, MG_F32, 3, (const int[]){ 2, 3, 4 });
    ck_assert_ptr_null(mg_tensor_name(t, 1, 0, 0)); /* none yet */
    ck_assert_int_eq(mg_tensor_set_names(t, -2, abc, 3), MG_OK);
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 3; i++)
            ck_assert_str_eq(mg_tensor_name(t, 1, b, i), abc[i]);
    ck_assert_ptr_null(mg_tensor_name(t, 1, 0, 3)); /* out of range */
    ck_assert_ptr_null(mg_tensor_name(t, 2, 0, 0)); /* another axis */
    /* one list per batch row: row b's names at b*n */
    const char *rows[] = { "w", "x", "y", "z", "u", "v", "s", "t" };
    ck_assert_int_eq(mg_tensor_set_names(t, 2, rows, 8), MG_OK);
    ck_assert_str_eq(mg_tensor_name(t, -1, 0, 3), "z");
    ck_assert_str_eq(mg_tensor_name(t, -1, 1, 0), "u");
    ck_assert_ptr_null(mg_tensor_name(t, -1, 2, 0)); /* no row 2 */
    /* copied: the caller's strings may go */
    char mutable[2][2] = { "p", "q" };
    const char *m[] = { mutable[0], mutable[1] };
    ck_assert_int_eq(mg_tensor_set_names(t, 0, m, 2), MG_OK);
    mutable[0][0] = '!';
    ck_assert_str_eq(mg_tensor_name(t, 0, 0, 0), "p");
    ck_assert(mg_graph_error(g) == NULL);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_names_errors_leave_tensor_unchanged)
{
    const struct { int axis, count; const char *needle; } bad[] = {
        { 3, 3, "out of range" },   /* no axis 3 */
        { -4, 3, "out of range" },
        { 1, 2, "3 positions" },    /* neither 3 nor 2*3 */
        { 1, 7, "3 positions" },
        { 0, 4, "2 positions" },    /* axis 0 has no per-row form */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        mg_graph *g = mg_graph_new();
        mg_tensor *t = mg_tensor_input(g, MG_F64, 3, (const int[]){ 2, 3, 4 });
        const char *names[8] = { "a", "b", "c", "d", "e", "f", "g", "h" };
        ck_assert_int_ne(mg_tensor_set_names(t, bad[k].axis, names, bad[k].count), MG_OK);
        ck_assert_ptr_nonnull(mg_graph_error(g));
        ck_assert_msg(strstr(mg_graph_error(g), bad[k].needle), "%s", mg_graph_error(g));
        ck_assert_ptr_null(t->names);
        mg_graph_free(g);
    }
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_input(g, MG_F64, 1, (const int[]){ 2 });
    const char *holes[] = { "a", NULL };
    ck_assert_int_eq(mg_tensor_set_names(t, 0, holes, 2), MG_EINVAL);
    ck_assert_int_eq(mg_tensor_set_names(t, 0, NULL, 2), MG_ESHAPE);
    ck_assert_int_eq(mg_tensor_set_names(NULL, 0, abc, 3), MG_EINVAL);
    ck_assert_ptr_null(mg_tensor_name(NULL, 0, 0, 0));
    mg_graph_free(g);
}
END_TEST

/* The graph JSON carries the names, escaped, null for axes without. */
START_TEST(test_names_in_json)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *t = mg_tensor_input(g, MG_F64, 2, (const int[]){ 3, 2 });
    const char *names[] = { " ", "\n", "\"" };
    ck_assert_int_eq(mg_tensor_set_names(t, 0, names, 3), MG_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    mg_tensor_json_fields(f, t);
    fclose(f);
    ck_assert_msg(strstr(text, "\"names\": [[\" \",\"\\u000a\",\"\\\"\"], null]"), "%s", text);
    free(text);
    /* without names, no member */
    mg_tensor *u = mg_tensor_input(g, MG_F64, 1, (const int[]){ 2 });
    f = open_memstream(&text, &len);
    mg_tensor_json_fields(f, u);
    fclose(f);
    ck_assert_ptr_null(strstr(text, "names"));
    free(text);
    mg_graph_free(g);
}
END_TEST

/* Seeding every element of a [2,3] result with s gives the grads of
 * sum(s * y): the same as a plain backward through that sum. */
START_TEST(test_seeded_backward_matches_weighted_sum)
{
    const double s[] = { 0.5, -1, 2, 0, 3, -0.25 };
    double want[6], got[6];
    for (int pass = 0; pass < 2; pass++) {
        mg_graph *g = mg_graph_new();
        mg_tensor *x = mg_tensor_param(g, MG_F64, 2, (const int[]){ 2, 3 });
        for (int i = 0; i < 6; i++)
            mg_tensor_set(x, i, 0.3 * i - 0.7);
        mg_tensor *y = mg_tensor_tanh(mg_tensor_mul(x, x));
        if (pass == 0) {
            mg_tensor *w = mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 3 });
            mg_tensor_load(w, s);
            ck_assert_int_eq(mg_tensor_backward(mg_tensor_sum(mg_tensor_mul(y, w), MG_AXIS_ALL, 0)),
                             MG_OK);
        } else {
            ck_assert_int_eq(mg_tensor_backward_seeded(y, s), MG_OK);
        }
        for (int i = 0; i < 6; i++)
            (pass ? got : want)[i] = mg_tensor_grad_at(x, i);
        mg_graph_free(g);
    }
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq_tol(got[i], want[i], 1e-15);
    ck_assert_double_eq(got[3], 0.0); /* x[3]'s seed is 0 */
    /* errors: NULL, and a tensor no parameter reaches */
    mg_graph *g = mg_graph_new();
    mg_tensor *in = mg_tensor_input(g, MG_F64, 1, (const int[]){ 2 });
    ck_assert_int_eq(mg_tensor_backward_seeded(NULL, s), MG_EINVAL);
    ck_assert_int_eq(mg_tensor_backward_seeded(in, NULL), MG_EINVAL);
    ck_assert_int_eq(mg_tensor_backward_seeded(in, s), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "does not require grad"));
    mg_graph_free(g);
}
END_TEST

/* Causality through a two-block transformer: the logits at position p
 * depend on the embeddings of positions 0..p only. Seeding p's logits, the
 * token-embedding rows of later tokens get no gradient, and every block's
 * attention weights get gradient only in query rows 0..p (the last block:
 * row p alone). */
START_TEST(test_seeded_backward_is_causal)
{
    mg_graph *g = mg_graph_new();
    attention_graph a;
    ck_assert_int_eq(attention_graph_build(g, &a, "abcdefg", 2), 0);
    int T = a.T, V = a.V;
    ck_assert_int_eq(T, 6);
    ck_assert_ptr_nonnull(a.att[0]);
    ck_assert_str_eq(mg_tensor_name(a.att[1], -1, 0, 2), "c");
    ck_assert_str_eq(mg_value_label(a.att[1]->node), "block2.attn.weights");
    double *seed = calloc((size_t)T * V, sizeof *seed);
    for (int p = 0; p < T; p++) {
        for (int i = 0; i < T * V; i++)
            seed[i] = i / V == p ? 1.0 : 0.0;
        mg_graph_zero_grad(g);
        for (uint32_t id = 0; id < mg_graph_count(g); id++)
            mg_tensor_zero_grad(mg_tensor_of(mg_graph_node(g, id)));
        ck_assert_int_eq(mg_tensor_backward_seeded(a.logits, seed), MG_OK);
        for (int k = 0; k < 2; k++) {
            const mg_tensor *att = a.att[k];
            for (int h = 0; h < AG_HEADS; h++)
                for (int i = 0; i < T; i++) {
                    double row = 0;
                    for (int j = 0; j < T; j++)
                        row += fabs(mg_tensor_grad_at(att, (h * T + i) * T + j));
                    bool feeds = k == 1 ? i == p : i <= p;
                    ck_assert_msg((row != 0) == feeds, "p %d block %d head %d row %d: %g",
                                  p, k + 1, h, i, row);
                }
        }
    }
    free(seed);
    mg_graph_free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tensor_names");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_names_once_and_per_row);
    tcase_add_test(tc, test_names_errors_leave_tensor_unchanged);
    tcase_add_test(tc, test_names_in_json);
    tcase_add_test(tc, test_seeded_backward_matches_weighted_sum);
    tcase_add_test(tc, test_seeded_backward_is_causal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
