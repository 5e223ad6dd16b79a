/* mg_inspect.h — questions about a computation graph, answered as data.
 *
 *     mg_backward(loss);
 *     const mg_value *bad = mg_inspect_first_nonfinite(loss);
 *     if (bad) printf("first NaN/Inf at #%u (%s)\n", bad->id, mg_op_name(bad->op));
 *
 * Every query looks at the nodes the root depends on (the root included) and
 * walks the node table by id, without recursion. Queries about grads mean the
 * grads as they are: run mg_backward(root) first. Calls that allocate return
 * an mg_code and fill err (may be NULL); results are released by the matching
 * _free() call. */
#ifndef MG_INSPECT_H
#define MG_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

/* How many nodes of each kind the root depends on. */
typedef struct mg_inspect_counts {
    size_t nodes;               /* nodes root depends on, root included */
    size_t by_op[MG_OP_COUNT];  /* per op; leaves are counted under MG_OP_LEAF */
    size_t inputs, params, consts; /* leaves by kind */
    size_t tensors;             /* of the nodes, tensor nodes (mg_tensor.h) */
    size_t depth;               /* edges on the longest path from a leaf to root */
    uint32_t nscopes;           /* entries of by_scope and in_scope: mg_scope_count() */
    size_t *by_scope;           /* per scope id: nodes living directly in it
                                   (mg_inspect_homes()) */
    size_t *in_scope;           /* per scope id: nodes living in it or below:
                                   what a folded box of the scope holds */
} mg_inspect_counts;

/* Where each node lives, the one rule behind counts by scope, folded
 * pictures and the inspector: its creation scope, except that a leaf lives in
 * the innermost scope enclosing all its uses when that lies within its
 * creation scope (an MLP's weights live in their neuron, a sample's inputs in
 * the sample). Uses are those by the nodes flagged in `in` (mg_graph_count()
 * flags), or when in is NULL by the nodes root depends on. home receives
 * mg_graph_count() scope ids (nodes outside count as created). */
MG_API mg_code mg_inspect_homes(const mg_value *root, const unsigned char *in, uint32_t *home,
                                mg_error *err);

/* Counts the nodes root depends on by op, leaf kind and scope, and the depth. */
MG_API mg_code mg_inspect_count(const mg_value *root, mg_inspect_counts *out, mg_error *err);
/* Releases counts->by_scope and in_scope and zeroes counts; NULL is a no-op. */
MG_API void mg_inspect_counts_free(mg_inspect_counts *counts);

/* Node id sequences: path i is ids[start[i]] .. ids[start[i+1]-1]. */
typedef struct mg_inspect_paths {
    uint64_t total;   /* distinct paths (as node sequences); saturates at UINT64_MAX */
    size_t npaths;    /* paths listed: at most the limit asked for */
    size_t *start;    /* npaths + 1 offsets into ids */
    uint32_t *ids;    /* each path from its first node to the root */
} mg_inspect_paths;

/* The paths from node `from` to root, each listed from `from` to the root, at
 * most limit of them (depth-first, first parents first); out->total counts
 * them all. No path (from does not feed root) is not an error: total is 0. */
MG_API mg_code mg_inspect_paths_find(const mg_value *root, const mg_value *from, size_t limit,
                              mg_inspect_paths *out, mg_error *err);
/* One longest path from a leaf to root (as a single-path result). */
MG_API mg_code mg_inspect_longest_path(const mg_value *root, mg_inspect_paths *out,
                                mg_error *err);
/* Releases a result's arrays and zeroes it; NULL is a no-op. */
MG_API void mg_inspect_paths_free(mg_inspect_paths *paths);

/* The leaves root depends on with the largest |grad|, largest first (NaN
 * grads first of all, ties by id; a tensor ranks by its largest |element|): up to n of them into out; *found gets how
 * many were written. */
MG_API mg_code mg_inspect_top_grads(const mg_value *root, size_t n, const mg_value **out,
                             size_t *found, mg_error *err);

/* The first node, in creation (topological) order, among those root depends
 * on whose data or grad (any element of a tensor's) is NaN or infinite; NULL when every value is finite. */
MG_API const mg_value *mg_inspect_first_nonfinite(const mg_value *root);

/* The nodes among those root depends on that have v as a parent, in id order:
 * *ids receives a malloc'd array of *n ids (NULL when none) to free(). */
MG_API mg_code mg_inspect_children(const mg_value *root, const mg_value *v, uint32_t **ids,
                            size_t *n, mg_error *err);

/* A node of root's graph named by `what`: "#12" or "12" is node id 12; any
 * other text is a label: the first leaf so labelled, else the first node.
 * NULL when nothing matches. */
MG_API const mg_value *mg_inspect_find(const mg_value *root, const char *what);

MG_EXTERN_C_END

#endif
