/* mg_viz.h — draw a computation graph, micrograd's draw_dot, in C.
 *
 *     mg_value *loss = ...;
 *     mg_error err;
 *     if (mg_draw_dot(loss, "loss.png", NULL, &err) != MG_OK)
 *         fprintf(stderr, "%s\n", err.message);
 *
 * The graph is walked from a root without recursion, built with Graphviz's
 * cgraph and laid out and rendered in-process by gvc (no `dot` subprocess).
 *
 * What a picture shows. Each value is a record box "label | data | grad"
 * (plus "#id" when asked). A tensor node is a table: its label, op, dtype and
 * shape; min, max, mean and L2 norm of its data and of its grad; and, for
 * tensors of more than one element, a heatmap of each (mg_tensor_viz.h:
 * leading dims flattened into rows, block-averaged to at most 64x64,
 * red positive, blue negative, white 0; attention weights, the result of
 * a causal softmax, as one query × key panel per head with the tokens on
 * both axes) unless no_heatmaps is set.
 * Each computed value has a small ellipse for its op ("+", "*", "**2",
 * "tanh") feeding it. Inputs, parameters, constants, computed values and the
 * root are told apart by fill colour and border. Parallel edges (x*x) are
 * drawn once with their count as label.
 *
 * Folding. Above a budget of value boxes (default MG_VIZ_FOLD_BUDGET) the
 * graph is drawn folded by scope (see mg_scope_push()): every node whose scope
 * lies at or below the chosen fold depth is drawn inside one box per scope.
 * A box shows values, not only counts: its scope path, node count and op
 * mix; its output value(s) (nodes used outside the box), data and grad, as
 * min / median / max when there are several; its parameters' count, norm and
 * grad norm; the norm of all its grads; and how many nodes hold a NaN or Inf.
 * Sibling scopes of one shape (same name but for a trailing number, same node
 * count and op mix: sample0..sample99, neuron1..neuron16, block0..block11)
 * fold into ONE group box "neuron1 … neuron16 ×16", whatever the depth,
 * showing the distribution across the members of their outputs' data and
 * grad; alike siblings with another sibling between them in the data flow
 * (a transformer block's ln1 -> attn -> ln2) are not one repeated step and
 * fold into runs without one between (ln1 and ln2 apart); open_member draws one member on its own (its inside folded like the
 * rest of the picture) beside the group of the others. Boxes and members
 * are in natural order (neuron2 before neuron10). An edge between boxes
 * stands for all the graph edges between them and is labelled with their
 * count. The depth is the deepest at which boxes plus the nodes drawn one by
 * one fit the budget; if none fits, shallower scopes are boxed too (the top
 * level becoming a box "(top level)"; such a shallow scope's leaves get a box
 * of their own, so that parameters and the loss that sums over them do not
 * share one). Nodes are counted where they live (mg_inspect_homes(): a leaf in
 * the innermost scope around all its uses, so an MLP's weights join their
 * neuron), the same rule as `mgviz inspect --counts` (in_scope) and the
 * inspector, which reads the plan itself (mg_viz_fold_plan_json()).
 * The root (and the focus node) are always drawn one by one. A graph with no
 * scopes at all is drawn unfolded under the default budget while it fits
 * MG_VIZ_MAX_LAYOUT_NODES (a single top-level box would show nothing). Nothing is
 * dropped: box counts plus individually drawn nodes add up to the nodes in
 * the picture; mg_viz_fold_plan_make() exposes the computation.
 *
 * Edges. With the chain rule on (mg_viz_edges), the edge from an operand to
 * the op that uses it reads "local × upstream = contribution" (mg_node_edges():
 * d out / d operand, out's grad, what backward added to the operand's grad),
 * so a node's grad is the sum of the contributions on its outgoing edges
 * (x in x*y + x: 3 × 1 = 3 and 1 × 1 = 1, grad 4); x*x shows one line per
 * operand. A tensor edge reads the norm of its contribution tensor. An edge
 * folding many graph edges from one drawn value reads "N uses, Σ = total",
 * the grad that value received through them; edges leaving a folded box
 * (contributions to many different values, whose sum means nothing) keep
 * their count. A legend line under the title says how to read them, and the
 * before/after picture labels only its "after" side.
 *
 * SVG ids (shared convention): value node <g id="n<ID>" class="node value
 * input|param|const|computed [tensor] [root]">, its op node <g id="op<ID>"
 * class="node op">, a folded scope <g id="fold<SCOPEID>" class="node fold">
 * (its leaves, when boxed apart: "fold<SCOPEID>_leaves", "node fold leaves"),
 * a group box <g id="group<FIRSTMEMBERID>" class="node fold group">. A value
 * or box holding a NaN or Inf adds the class "nonfinite".
 * Edges are <g id="e<FROM>_<TO>" class="edge"> (class "edge grad" when
 * labelled with the chain rule) where each end is a value id or
 * "fold<SCOPEID>" (the edge into an op node names the value it computes);
 * the edge from an op node to its value is "eop<ID>".
 *
 * Every call returns an mg_code and fills err (may be NULL) with a message;
 * nothing aborts. Files are written to a temporary name in the same directory
 * and renamed, so they are complete or absent. Graphviz keeps global state:
 * draw from one thread at a time. */
#ifndef MG_VIZ_H
#define MG_VIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_buf.h"
#include "mg_error.h"
#include "mg_graph.h"
#include "mg_tensor.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

/* Value boxes a picture may hold before it is folded by scope. */
#define MG_VIZ_FOLD_BUDGET 300
/* Significant digits of data and grad by default. */
#define MG_VIZ_PRECISION 4
/* Neighbourhood radius (edges away from focus_id) by default. */
#define MG_VIZ_FOCUS_RADIUS 2
/* Most Graphviz nodes (values, op ellipses, boxes) a PNG or SVG may hold:
 * dot's layout grows much faster than linearly (a two-sample MLP of 3,700
 * nodes takes 8 s of CPU), so larger pictures are refused with MG_EINVAL
 * asking to fold or focus. DOT output, which is not laid out, has no limit. */
#define MG_VIZ_MAX_LAYOUT_NODES 5000

/* What edge labels say (mg_viz_options.edges). */
typedef enum mg_viz_edges {
    MG_VIZ_EDGES_AUTO = 0, /* the chain rule when the picture is small enough
                              to read (at most MG_VIZ_EDGE_GRAD_BOXES value
                              and folded boxes) and backward has run (the
                              root's grad is not 0); else as PLAIN */
    MG_VIZ_EDGES_GRAD,     /* the chain rule on every edge */
    MG_VIZ_EDGES_PLAIN     /* only how many graph edges an edge stands for */
} mg_viz_edges;

/* Boxes up to which MG_VIZ_EDGES_AUTO labels edges with the chain rule. */
#define MG_VIZ_EDGE_GRAD_BOXES 40

/* Drawing options. A zero-initialised struct (or NULL) means the defaults. */
typedef struct mg_viz_options {
    bool hide_op_nodes;      /* draw no op ellipses: edges go value to value */
    bool show_ids;           /* add "#id" to each value box */
    int precision;           /* significant digits; 0 = MG_VIZ_PRECISION */
    const char *rankdir;     /* "LR", "TB", "RL", "BT"; NULL = "LR" */
    const char *title;       /* drawn above the graph; NULL = none */
    size_t fold_budget;      /* 0 = MG_VIZ_FOLD_BUDGET (but see unscoped
                                graphs above); SIZE_MAX = never fold */
    const char *unfold_scope;/* scope path ("sample3/mlp") whose nodes are
                                drawn individually; NULL = none */
    const char *open_member; /* scope path of a group member ("sample17",
                                "sample17/mlp/layer1/neuron3") drawn on its
                                own, its group showing the others; NULL = none */
    bool focus;              /* draw only the neighbourhood of focus_id */
    uint32_t focus_id;       /* node id at the centre of the neighbourhood */
    uint32_t focus_radius;   /* edges away from focus_id, either direction;
                                0 = MG_VIZ_FOCUS_RADIUS */
    double max_inches;       /* cap on picture width/height for PNG; 0 = 40 */
    int dpi;                 /* PNG resolution; 0 = 72 */
    bool no_heatmaps;        /* tensor nodes without heatmap pictures */
    mg_viz_edges edges;      /* edge labels; see "Edges" above */
    bool no_box_values;      /* folded boxes say only what they hold, no data
                                or grad (for a page that shows several
                                states of one layout: the numbers would go
                                stale) */
    const char *heatmap_dir; /* existing directory where tensor heatmaps are
                                written and kept (any format, DOT included);
                                NULL = PNG/SVG use a temporary directory that
                                is removed after rendering (SVG gets the
                                pictures embedded as data: URIs), DOT gets
                                no heatmaps */
} mg_viz_options;

/* Renders the graph behind root to path; the format comes from the extension
 * (".png", ".svg", ".dot"); any other extension is an MG_EINVAL error naming it. */
MG_API mg_code mg_draw_dot(mg_value *root, const char *path,
                    const mg_viz_options *opt, mg_error *err);

/* As mg_draw_dot() with an explicit format "png", "svg" or "dot" (any path). */
MG_API mg_code mg_draw_dot_format(mg_value *root, const char *path, const char *format,
                           const mg_viz_options *opt, mg_error *err);

/* Renders into memory: *out receives a malloc'd buffer of *len bytes (plus a
 * terminating NUL not counted in *len) that the caller free()s. */
MG_API mg_code mg_draw_dot_data(mg_value *root, const char *format,
                         const mg_viz_options *opt, char **out, size_t *len,
                         mg_error *err);

/* Draws root's graph as it is now, runs mg_backward(root), draws it again:
 * ONE file (format from path's extension) holding two clusters titled
 * "before backward" and "after backward" (with rankdir LR "before" stands
 * above "after", each reading left to right). The second cluster's ids
 * carry the prefix "b" ("bn<ID>", "bop<ID>", "bfold<ID>", "be<FROM>_<TO>").
 * Bad arguments are reported before backward runs; once it has run, a failure
 * to render or write leaves the grads updated and no file. */
MG_API mg_code mg_draw_backward(mg_value *root, const char *path,
                         const mg_viz_options *opt, mg_error *err);

/* The format name for a path's extension ("png", "svg", "dot"), or NULL. */
MG_API const char *mg_viz_format_of(const char *path);

/* Frees the Graphviz context the library keeps between drawings (at exit,
 * for leak checkers). Drawing again afterwards works, but Graphviz 2.43's
 * text layout then reads a freed font name once: call it only at the end. */
MG_API void mg_viz_cleanup(void);

/* Folding, exposed so callers and tests can see what a picture will hold. */

/* node_box values that are not box indices. */
#define MG_VIZ_NODE_DRAWN  UINT32_MAX       /* drawn as its own value box */
#define MG_VIZ_NODE_ABSENT (UINT32_MAX - 1) /* not in the picture: unreachable
                                               from root, or outside focus */

/* One folded box: the nodes in the picture living in `scope` or below it;
 * or, when `leaves` is set, the leaves living directly in `scope`, boxed apart
 * from its computed nodes (SVG id "fold<SCOPEID>_leaves", class "fold
 * leaves"), which coarse folding does so that the picture has no cycle; or,
 * when nmembers > 1, a group: the nodes living in any of nmembers sibling
 * scopes of one shape (each holding nodes / nmembers of them). */
typedef struct mg_viz_box {
    uint32_t scope;                 /* scope id (mg_scope_path() names it);
                                       a group's first member */
    bool leaves;                    /* the leaves-only part of scope's box */
    uint32_t nmembers;              /* 1, or the N of a "×N" group */
    const uint32_t *members;        /* nmembers scope ids in natural order
                                       (members[0] == scope; the plan owns them) */
    size_t nodes;                   /* graph nodes folded into this box */
    size_t op_count[MG_OP_COUNT];   /* of which with each op (leaves at 0) */
    size_t tensor_op_count[MG_T_COUNT]; /* of the op_count[MG_OP_TENSOR]
                                       nodes, how many with each tensor op
                                       (matmul, layer_norm, ...) */
    size_t params, consts;          /* of the leaves: parameters, constants
                                       (the rest are inputs) */
} mg_viz_box;

typedef struct mg_viz_fold_plan {
    size_t total;        /* graph nodes in the picture (reachable, in focus) */
    size_t drawn;        /* of which drawn as their own value boxes */
    size_t folded;       /* of which inside boxes: drawn + folded == total */
    uint32_t depth;      /* the fold depth chosen (when nboxes > 0) */
    size_t nboxes;
    mg_viz_box *boxes;   /* nboxes boxes, in natural order of scope path */
    size_t nnodes;       /* length of node_box and home: the graph's node count */
    uint32_t *node_box;  /* per node id: box index, MG_VIZ_NODE_DRAWN or
                            MG_VIZ_NODE_ABSENT */
    uint32_t *home;      /* per node id: the scope it lives in
                            (mg_inspect_homes()); a node in a group box
                            belongs to the member that is home's ancestor
                            at the members' depth (or home itself) */
    uint32_t *member_ids;/* storage behind the boxes' members */
} mg_viz_fold_plan;

/* Computes what mg_draw_dot(root, ..., opt) would fold into *plan (which the
 * caller releases with mg_viz_fold_plan_free()). */
MG_API mg_code mg_viz_fold_plan_make(mg_value *root, const mg_viz_options *opt,
                              mg_viz_fold_plan *plan, mg_error *err);
/* Releases a plan's arrays and zeroes it; NULL is a no-op. */
MG_API void mg_viz_fold_plan_free(mg_viz_fold_plan *plan);

/* The plan as JSON, appended to out (the inspector's "fold" member, so the
 * page counts exactly what the picture draws):
 *   {"boxes": [{"id": "fold12" | "fold12_leaves" | "group12",
 *               "scope": 12, "path": "sample0/mlp", "leaves": false,
 *               "members": [12, 40, ...],   scope ids, natural order
 *               "nodes": 8, "params": 3, "consts": 0,
 *               "by_op": {"leaf": 3, "+": 2, "matmul": 1, ...},
 *                                   each op by its name, a tensor op too
 *               "outputs": [ids]},  nodes used outside the box (or outside
 *                                   their member of a group): what its label
 *                                   shows the data and grad of
 *              ...],
 *    "node_box": [...],   per node id: box index, -1 drawn, -2 absent
 *    "home": [...]}       per node id: the scope it lives in
 * g is the plan's graph (for paths and op names). Out of memory leaves
 * out->failed set. */
MG_API void mg_viz_fold_plan_json(const mg_viz_fold_plan *plan, const mg_graph *g,
                                  mg_buf *out);

/* Natural order of two names or scope paths: digit runs compare as numbers,
 * so "neuron2" < "neuron10" and "sample9/x" < "sample10/x"; <0, 0 or >0. */
MG_API int mg_viz_natural_cmp(const char *a, const char *b);

MG_EXTERN_C_END

#endif
