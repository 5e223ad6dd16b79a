/* mg_eval.h — how well a model does: accuracy, per-sample losses (to find
 * the sample worth looking at), and a classifier evaluated on a test set.
 *
 *     mg_eval test;
 *     if (mg_evaluate_images(g, forward, model, &test_set, 1000, &test, &err) == MG_OK)
 *         printf("test accuracy %.2f%%\n", 100 * test.accuracy);
 */
#ifndef MG_EVAL_H
#define MG_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "mg_idx.h"
#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

/* Fraction of scores (any shape) whose sign matches their label's: label >
 * 0 one class, <= 0 the other, as in micrograd's moons. NaN when empty or
 * the shapes differ. */
MG_API double mg_accuracy_sign(const mg_tensor *scores, const mg_tensor *labels);
/* Fraction of the rows of logits [N,C] whose largest entry (as mg_argmax
 * picks it) is at labels[i]. NaN when logits is not 2-D. */
MG_API double mg_accuracy_argmax(const mg_tensor *logits, const int32_t *labels);
/* The cross-entropy of each row of logits [N,C] against labels[i], into
 * out[0..N-1], computed by the engine's log_softmax (a node added to the
 * logits' graph, dropped at the next reset). MG_OK or the graph's error. */
MG_API mg_code mg_cross_entropy_rows(mg_tensor *logits, const int32_t *labels, double *out);
/* The index of the largest of v[0..n-1] (the first of equals; a NaN counts
 * as largest, since it is the sample to look at); 0 when n is 0. */
MG_API size_t mg_argmax(const double *v, size_t n);

/* A model's forward pass: logits [N,C] for inputs x [N,D]. */
typedef mg_tensor *(*mg_forward_fn)(void *model, mg_tensor *x);

typedef struct mg_eval {
    double loss;        /* mean cross-entropy */
    double accuracy;    /* fraction classified right */
    int samples;
} mg_eval;

/* Runs forward over every image of set, chunk rows at a time (>= 1), in g,
 * resetting g before each chunk and after the last (so any step graph in g
 * is dropped; kept parameters stay). MG_OK or the graph's error. */
MG_API mg_code mg_evaluate_images(mg_graph *g, mg_forward_fn forward, void *model,
                                  const mg_image_set *set, int chunk, mg_eval *out,
                                  mg_error *err);

MG_EXTERN_C_END

#endif
