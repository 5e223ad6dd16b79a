/* mg_node_stats.h — numbers that stand for a node, scalar or tensor:
 * summary statistics of a tensor's data or grad, and one number per node for
 * places that hold one (colours, searches, rankings).
 *
 *     mg_tensor_stats s = mg_tensor_stats_of(w, false);   // min max mean l2
 *
 * A tensor node's header (MG_FLAG_TENSOR) holds a pointer where a scalar
 * holds its data: code that shows or searches per-node numbers goes through
 * mg_node_number() / mg_node_finite() / mg_node_grad_size(), which read
 * scalars and tensors alike. */
#ifndef MG_NODE_STATS_H
#define MG_NODE_STATS_H

#include <stdbool.h>

#include "mg_tensor.h"

MG_EXTERN_C_BEGIN

/* Summary of a tensor's data or grad; min, max, mean and l2 (the Euclidean
 * norm) are over the finite elements (NaN when there are none). */
typedef struct mg_tensor_stats {
    int count;      /* elements summarised: numel, or 0 without a grad */
    int nonfinite;  /* of which NaN or infinite */
    double min, max, mean, l2;
} mg_tensor_stats;

/* Summary of t's data (grad false) or grad (grad true). */
MG_API mg_tensor_stats mg_tensor_stats_of(const mg_tensor *t, bool grad);
/* Summary of n elements of dtype dt at p (an edge's contribution tensor from
 * mg_tensor_edge_contribution, say); count 0 for NULL. */
MG_API mg_tensor_stats mg_buffer_stats(const void *p, mg_dtype dt, int n);

/* One number standing for a node: a scalar's data or grad; for a tensor
 * node its single element when it has one, else the mean of its elements
 * (0 for a tensor without a grad). */
MG_API double mg_node_number(const mg_value *v, bool grad);
/* True when every number of v (data and grad, every element) is finite. */
MG_API bool mg_node_finite(const mg_value *v);
/* |grad| of a scalar; for a tensor the largest |element| of its grad (NaN
 * when any is NaN, 0 without a grad). */
MG_API double mg_node_grad_size(const mg_value *v);

MG_EXTERN_C_END

#endif
