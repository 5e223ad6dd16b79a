/* gradcheck_internal.h — the one gradient-check driver that the scalar check
 * (mg_gradcheck) and the tensor check (mg_tensor_gradcheck) both run. A kind
 * of node says how to build the function at a point and how to read its root
 * and its leaves' grads; the driver builds once with backward, then rebuilds
 * at each step of mg_gradcheck_compare() above a graph mark. */
#ifndef MG_GRADCHECK_INTERNAL_H
#define MG_GRADCHECK_INTERNAL_H

#include "mg_gradcheck.h"

typedef struct gradcheck_kind {
    const char *who;     /* the messages' prefix: "gradcheck", "tensor gradcheck" */
    const char *no_root; /* why the function failed when build returned NULL quietly */
    size_t leaf_size;    /* one element of the leaves array (a node or tensor pointer) */
    /* Makes the leaves holding x in g (into leaves) and builds the function
     * on them; its root node, or NULL. */
    mg_value *(*build)(const void *check, mg_graph *g, void *leaves, const double *x);
    /* The root's number (a tensor root holds exactly one). */
    double (*value)(const mg_value *root);
    mg_code (*backward)(mg_value *root);
    /* After backward: the leaves' grads, in x's order, into analytic. */
    void (*grads)(const void *check, const void *leaves, double *analytic);
} gradcheck_kind;

/* Checks the gradient of the function check builds (with nleaves leaves
 * holding x[0..n)) on a graph of its own; h as in mg_gradcheck(). Fills out;
 * MG_OK, or an error in err (the function failed, out of memory). */
mg_code gradcheck_run(const gradcheck_kind *kind, const void *check, size_t nleaves,
                      const double *x, size_t n, double h, mg_gradcheck_result *out,
                      mg_error *err);

#endif
