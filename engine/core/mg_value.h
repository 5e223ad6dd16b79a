/* mg_value.h — scalar autograd: micrograd's Value, in C.
 *
 *     mg_graph *g = mg_graph_new();
 *     mg_value *x = mg_label(mg_input(g, 2.0), "x");
 *     mg_value *y = mg_label(mg_input(g, 3.0), "y");
 *     mg_value *z = mg_add(mg_mul(x, y), x);       // z = x*y + x
 *     mg_backward(z);                              // x->grad == 4, y->grad == 2
 *
 * Every value lives in the graph of its operands (see mg_graph.h for memory
 * and errors). An op given NULL returns NULL; an op given nodes of two graphs,
 * a dropped node or a non-finite exponent records an error and returns NULL.
 * Math that is undefined (log of a negative, 0 ** -1) is not an error: it gives
 * NaN or Inf in data and grad exactly as PyTorch does. */
#ifndef MG_VALUE_H
#define MG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "mg_graph.h"

MG_EXTERN_C_BEGIN

/* Scalar ops: MG_OP_LEAF, MG_OP_ADD, ..., one per row of mg_ops.def, which
 * also gives each op's name, arity and constant. */
typedef enum mg_op {
#define MG_SCALAR_OP(id, name, arity, constant) MG_OP_##id,
#include "mg_ops.def"
#undef MG_SCALAR_OP
    MG_OP_COUNT
} mg_op;

/* Leaf kinds and bookkeeping bits in mg_value.flags. */
enum {
    MG_FLAG_PARAM = 1u << 0,  /* a trainable parameter */
    MG_FLAG_CONST = 1u << 1,  /* a constant the program wrote (2.0 in x + 2.0) */
    MG_FLAG_TENSOR = 1u << 2, /* the header of a tensor node: see mg_tensor.h */
    MG_FLAG_SEEN = 1u << 7    /* internal to mg_backward() */
};

/* One scalar node. Read data and grad freely; set data on leaves freely. */
struct mg_value {
    union {
        double data;    /* the value computed in the forward pass */
        struct mg_tensor *tensor; /* MG_FLAG_TENSOR nodes: their payload instead */
    };
    double grad;        /* d(root)/d(this) after mg_backward(root) */
    mg_value *a;        /* first parent; NULL for leaves */
    union {
        mg_value *b;    /* second parent of binary ops; NULL otherwise */
        double k;       /* the constant of MG_OP_POW and MG_OP_BCE_LOGITS */
    };
    mg_graph *graph;    /* the graph that owns this node */
    uint32_t id;        /* position in the graph: creation order */
    uint32_t scope;     /* scope current at creation (mg_scope_path) */
    uint32_t label;     /* internal: offset of the user label, 0 for none */
    uint8_t op;         /* an mg_op */
    uint8_t flags;      /* MG_FLAG_* */
};

/* Leaves. */
/* A new input leaf holding x (micrograd's Value(x)). */
MG_API mg_value *mg_input(mg_graph *g, double x);
/* A new trainable parameter leaf holding x. */
MG_API mg_value *mg_param(mg_graph *g, double x);
/* A new constant leaf holding x. */
MG_API mg_value *mg_const(mg_graph *g, double x);

/* Sets v's user label (micrograd's label=); returns v, NULL if v is NULL. */
MG_API mg_value *mg_label(mg_value *v, const char *label);
/* v's user label, "" when it has none. */
MG_API const char *mg_value_label(const mg_value *v);

/* Binary ops. */
MG_API mg_value *mg_add(mg_value *a, mg_value *b);       /* a + b */
MG_API mg_value *mg_sub(mg_value *a, mg_value *b);       /* a - b */
MG_API mg_value *mg_mul(mg_value *a, mg_value *b);       /* a * b */
MG_API mg_value *mg_div(mg_value *a, mg_value *b);       /* a / b */
MG_API mg_value *mg_pow_value(mg_value *a, mg_value *b); /* a ** b, both differentiable */

/* Forms with a plain constant c (it becomes a constant leaf, as in micrograd). */
MG_API mg_value *mg_addc(mg_value *a, double c);  /* a + c */
MG_API mg_value *mg_subc(mg_value *a, double c);  /* a - c */
MG_API mg_value *mg_rsubc(mg_value *a, double c); /* c - a */
MG_API mg_value *mg_mulc(mg_value *a, double c);  /* a * c */
MG_API mg_value *mg_divc(mg_value *a, double c);  /* a / c */
MG_API mg_value *mg_rdivc(mg_value *a, double c); /* c / a */

/* Unary ops. */
MG_API mg_value *mg_neg(mg_value *a);            /* -a */
MG_API mg_value *mg_pow(mg_value *a, double k);  /* a ** k; k must be finite */
MG_API mg_value *mg_exp(mg_value *a);
MG_API mg_value *mg_log(mg_value *a);            /* natural log */
MG_API mg_value *mg_tanh(mg_value *a);
MG_API mg_value *mg_relu(mg_value *a);           /* max(0, a); grad 0 at a == 0 */
MG_API mg_value *mg_sigmoid(mg_value *a);
/* Numerically stable binary cross-entropy of logit z against target y in
 * [0,1], as PyTorch computes it: (1-y)·z + m + log(exp(-m) + exp(-z-m)) with
 * m = max(-z, 0); its grad is sigmoid(z) - y. */
MG_API mg_value *mg_bce_logits(mg_value *z, double y);

/* Backward pass: sets root->grad to 1 and applies the chain rule to every node
 * root depends on, in reverse creation order, without recursion. A node used
 * several times receives the sum of its contributions.
 * Calling it twice without mg_graph_zero_grad() accumulates into the leaves
 * (inputs, parameters), as PyTorch does; interior nodes hold the grads of the
 * latest pass. Returns MG_OK, or an error code (NULL root, sticky error). */
MG_API mg_code mg_backward(mg_value *root);

/* micrograd's backward (its engine.py, for the Python module): sets
 * root->grad to 1 and ADDS every contribution to every node's grad, interior
 * nodes included, each node passing on its accumulated grad, so a second call
 * without zeroing adds again everywhere. A tensor root is left to mg_backward. */
MG_API mg_code mg_backward_accumulate(mg_value *root);

/* One node's step of the chain rule, micrograd's v._backward(): adds
 * v->grad × d(v)/d(operand) to each operand's grad. No-op for leaves,
 * tensor nodes and dropped nodes. */
MG_API void mg_backward_node(mg_value *v);

/* The most operands a node has: scalar nodes 2, tensor nodes 3 (linear's
 * x, W and bias; layer norm's x, gamma and beta; the third is kept in the
 * tensor payload, so mg_value does not grow). Size operand and edge arrays
 * with it. */
#define MG_MAX_OPERANDS 3

/* ---- the chain rule as data ----
 *
 * What backward does along one edge, from the same code backward runs
 * (scalar_chain.h), so the two cannot disagree. For a scalar node `to` and
 * its operand `from`:
 *   upstream      to->grad, the gradient that reached `to`
 *   contribution  exactly what mg_backward() added to from->grad along this
 *                 edge (bit for bit), given that upstream
 *   local         the same rule at upstream 1: d to / d from
 * contribution == local × upstream in floating point except where backward
 * computes it another way, as PyTorch does:
 *   - a ** 0 (constant or value exponent) and relu at out <= 0 send 0 whatever
 *     the upstream, so an infinite or NaN upstream still sends 0 (local is 0);
 *   - a / b sends g / b to a, and log(a) sends g / a: local is 1 / b (1 / a),
 *     and (1 / b) × g may differ from g / b in the last bit;
 *   - sigmoid sends (g × (1 - out)) × out: local is (1 - out) × out, and the
 *     product may round differently.
 * relu passes a NaN input's upstream on (local 1). For `x * x` the node has
 * two edges from x, one per operand, and x->grad gets both.
 * A node the last backward did not reach (root does not depend on it) sent
 * nothing: its edges' contributions mean "what it would send with its grad".
 * Tensor nodes: from, to and operand are filled and the numbers are NaN;
 * mg_tensor_edge_contribution() (mg_tensor.h) gives the contribution tensor. */
typedef struct mg_edge {
    const mg_value *from; /* the operand */
    const mg_value *to;   /* the node computed from it */
    int operand;          /* 0: to's first operand (a), 1: its second (b), 2: a
                           * tensor node's third (linear's bias, layer norm's beta) */
    double local;         /* d to / d from at the forward values */
    double upstream;      /* to->grad */
    double contribution;  /* what backward added to from->grad along this edge */
} mg_edge;

/* Fills edges[0..n) with v's operand edges in operand order; returns n (0
 * for leaves and NULL, else 1 to MG_MAX_OPERANDS). */
MG_API int mg_node_edges(const mg_value *v, mg_edge edges[MG_MAX_OPERANDS]);

/* ---- walking a graph ----
 * Operands always have smaller ids than the nodes that use them (creation
 * order is topological), so walkers sweep ids instead of recursing. Read
 * operands through mg_node_operands(), never v->b directly (it shares
 * storage with k for some ops). */

/* Stores v's operands (value or tensor headers) in ops[0..n) in operand
 * order and returns n: 0 for leaves and NULL, else 1 to MG_MAX_OPERANDS (3
 * only for tensor nodes). The same node may appear twice (x * x). */
MG_API int mg_node_operands(const mg_value *v, mg_value *ops[MG_MAX_OPERANDS]);
/* Marks reached[id] = 1 for root and every node it depends on, 0 for the
 * other ids up to root's; reached holds at least root->id + 1 bytes (ids
 * above root cannot be reached). Returns how many nodes were reached (0 for
 * NULL). Allocates nothing. */
MG_API size_t mg_reach(const mg_value *root, unsigned char *reached);
/* mg_reach() from several roots, sharing a byte per node with other flags:
 * the caller sets `bit` in flags[id] for its roots (ids <= last); this sets
 * `bit` on everything they depend on, leaving other bits alone, and returns
 * how many of ids 0..last carry it. flags holds last + 1 bytes. */
MG_API size_t mg_reach_marked(const mg_graph *g, uint32_t last, unsigned char *flags,
                              unsigned char bit);

/* An op's name ("+", "**", "exp", "" for leaves; "?" out of range), as in
 * mg_ops.def. */
MG_API const char *mg_op_name(mg_op op);
/* An op's number of value operands (0 for leaves, 1, 2; -1 for MG_OP_TENSOR,
 * whose header has its tensor op's, up to MG_MAX_OPERANDS, and out of range). */
MG_API int mg_op_arity(mg_op op);
/* v's op label as micrograd draws it ("**2" for pow with k = 2); returns the
 * full length as snprintf does. */
MG_API size_t mg_value_op_label(const mg_value *v, char *buf, size_t n);
/* True for leaves (no parents). */
static inline int mg_is_leaf(const mg_value *v) { return v->op == MG_OP_LEAF; }
/* True when v keeps a constant of its op (the exponent of ** k, bce's
 * target): stores it in *k. False for other nodes and tensor headers. */
MG_API int mg_value_constant(const mg_value *v, double *k);
/* Number of operands of v (0 to MG_MAX_OPERANDS), as mg_node_operands() returns. */
MG_API int mg_value_parent_count(const mg_value *v);

MG_EXTERN_C_END

#endif
