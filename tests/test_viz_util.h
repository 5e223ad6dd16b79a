/* test_viz_util.h — what the drawing suites share: a graph's picture as
 * text, its DOT checked for honest numbers and read back with cgraph, an
 * object's attribute, and a small scoped batch loss to fold. */
#ifndef TEST_VIZ_UTIL_H
#define TEST_VIZ_UTIL_H

#include <graphviz/cgraph.h>

#include "mg_loss.h"
#include "mg_nn.h"
#include "mg_viz.h"
#include "test_util.h"
#include "test_viz_text.h"

/* root drawn as format ("dot", "svg", "png"): malloc'd bytes, their length in
 * *len when len is not NULL; the test fails when drawing does. (Not inlined:
 * GCC 12 then mistakes pointers into the text for pointers to `out`.) */
__attribute__((unused, noinline))
static char *viz_render(mg_value *root, const char *format, const mg_viz_options *o, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    mg_error err;
    ck_assert_msg(mg_draw_dot_data(root, format, o, &out, &n, &err) == MG_OK, "%s", err.message);
    ck_assert_ptr_nonnull(out);
    if (len)
        *len = n;
    return out;
}

/* The DOT text of root's picture, its numbers honest, parsed back by cgraph. */
static inline Agraph_t *viz_dot(mg_value *root, const mg_viz_options *o)
{
    size_t len;
    char *text = viz_render(root, "dot", o, &len);
    ck_assert_uint_eq(strlen(text), len);
    viz_text_check(text, "DOT");
    Agraph_t *g = agmemread(text);
    free(text);
    ck_assert_ptr_nonnull(g);
    return g;
}

/* obj's attribute name, "" when it has none. */
static inline const char *viz_attr(void *obj, const char *name)
{
    const char *v = agget(obj, (char *)name);
    return v ? v : "";
}

/* A batch loss over n (<= 32) samples of an MLP 2-4-4-1: the scalar SVM loss
 * with L2, in scopes sampleI, data_loss and reg_loss. */
static inline mg_value *viz_batch_loss(mg_graph *g, mg_mlp **model, size_t n)
{
    mg_error err;
    int nouts[] = { 4, 4, 1 };
    *model = mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 5, &err);
    ck_assert_msg(*model != NULL, "%s", err.message);
    double X[64], y[32];
    ck_assert_uint_le(n, 32);
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = 0.1 * (double)i;
        X[2 * i + 1] = 1.0 - 0.05 * (double)i;
        y[i] = i % 2 ? 1.0 : -1.0;
    }
    mg_value *loss = mg_mlp_svm_loss(*model, X, y, n, 1e-4, NULL);
    ck_assert_ptr_nonnull(loss);
    return loss;
}

#endif
