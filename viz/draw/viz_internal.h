/* viz_internal.h — the pieces of the visualiser, shared by viz/draw and the layers above it.
 *
 * A drawing goes: resolve options -> select the nodes in the picture ->
 * plan the folding -> build a cgraph graph -> lay out and render with gvc ->
 * write the bytes atomically. Each step lives in its own file. */
#ifndef VIZ_INTERNAL_H
#define VIZ_INTERNAL_H

#include <stdint.h>

#include <graphviz/cgraph.h>

#include "mg_buf.h"
#include "mg_file.h"
#include "mg_viz.h"

/* Value boxes a reader takes in at a glance: a folded picture draws no more
 * of one scope's nodes one by one. */
#define VIZ_READABLE_BOXES 40

/* Default cap on a PNG's width and height, in inches (at 72 dpi: 2880 px). */
#define VIZ_MAX_INCHES 40.0
#define VIZ_DPI 72
/* Cap on dot's network-simplex iterations (see viz_tune_layout). */
#define VIZ_SIMPLEX_ITERATIONS 250
/* Pictures with this many Graphviz nodes get straight edges. */
#define VIZ_HUGE_PICTURE 2500

/* options.c: opt (may be NULL) with every zero field replaced by its default. */
mg_viz_options viz_resolve(const mg_viz_options *opt);
/* options.c: MG_OK if resolved options make sense, else MG_EINVAL naming
 * the bad one. */
mg_code viz_check_options(const mg_viz_options *o, mg_error *err);
/* options.c: MG_OK if format is one we render, else MG_EINVAL naming it. */
mg_code viz_check_format(const char *format, mg_error *err);

/* select.c: checks root; sets in[id] = 1 for every node of root's graph that
 * the picture holds (reachable from root, within focus); *count gets how many.
 * in has mg_graph_count(root->graph) entries. */
mg_code viz_select(mg_value *root, const mg_viz_options *o, uint8_t *in,
                   size_t *count, mg_error *err);

/* group.c: sibling scopes of one shape, each group's members contiguous in
 * natural order. */
#define VIZ_NO_GROUP UINT32_MAX
typedef struct viz_groups {
    uint32_t n;           /* groups */
    uint32_t *of;         /* per scope: its group, or VIZ_NO_GROUP */
    uint32_t *start;      /* per group: its first entry in members; start[n] = total */
    uint32_t *members;    /* member scope ids */
    uint32_t *depth;      /* per group: its members' depth */
} viz_groups;
/* Groups the scopes alike in name (but for a trailing number), parent and
 * signature: sig holds sigw counts per scope over its subtree, sig[s*sigw]
 * the node count (0: not a candidate); scopes with exclude[s] set join none.
 * Alike scopes with another sibling between them in the data flow of the
 * picture's nodes (in[id], living in home[id], nnodes of them) are split
 * into runs that have none between. */
mg_code viz_groups_find(const mg_graph *g, uint32_t nscopes, const size_t *sig, size_t sigw,
                        const uint8_t *exclude, const uint32_t *home, const uint8_t *in,
                        size_t nnodes, viz_groups *gr, mg_error *err);
void viz_groups_free(viz_groups *gr);

/* fold.c: fills plan for the selected nodes (in, count) of root's graph. */
mg_code viz_fold(mg_value *root, const mg_viz_options *o, const uint8_t *in,
                 size_t count, mg_viz_fold_plan *plan, mg_error *err);

/* plan.c: selection plus folding, the common first half of every drawing. */
mg_code viz_plan(mg_value *root, const mg_viz_options *o,
                 mg_viz_fold_plan *plan, mg_error *err);

/* edge_tally.c: counts edges between picture endpoints, in first-seen order,
 * keeping what the chain rule says along them. */
#define VIZ_EDGE_LINES 3 /* graph edges a label lists one per line (x*x: 2) */
typedef struct viz_edge {
    uint64_t from, to; /* endpoint keys, see key_of() in build.c */
    size_t count;      /* graph edges this picture edge stands for */
    mg_edge first[VIZ_EDGE_LINES]; /* the first graph edges' chain rule */
    double sum;        /* sum of the contributions of all of them */
} viz_edge;
typedef struct viz_tally {
    viz_edge *edges;
    size_t n, cap;
    uint32_t *slots;   /* open addressing: edge index + 1, 0 = empty */
    size_t nslots;
} viz_tally;
/* Adds graph edge e as one more edge from -> to; MG_ENOMEM when out of memory. */
mg_code viz_tally_add(viz_tally *t, uint64_t from, uint64_t to, const mg_edge *e);
void viz_tally_free(viz_tally *t);

/* heat.c: where one drawing's tensor heatmaps go. The directory is the
 * caller's (heatmap_dir) or a temporary one made at the first picture and
 * removed by viz_heat_close(); every picture's bytes are also kept so SVG
 * output can embed them. */
typedef struct viz_heat_file {
    char *path;
    unsigned char *bytes;
    size_t len;
} viz_heat_file;
typedef struct viz_heat {
    const char *dir;      /* heatmap_dir, or tmp once made */
    char tmp[64];         /* the temporary directory ("" until made) */
    viz_heat_file *files;
    size_t n, cap;
} viz_heat;
/* Starts h for a drawing in format with options o; returns NULL (no
 * heatmaps) when o says so or DOT has no heatmap_dir, else h. */
viz_heat *viz_heat_open(viz_heat *h, const mg_viz_options *o, const char *format);
/* Encodes t's data or grad as a heatmap file named name in h's directory;
 * *path receives its path (owned by h). */
mg_code viz_heat_add(viz_heat *h, const struct mg_tensor *t, int grad, const char *name,
                     const char **path, mg_error *err);
/* Replaces references to h's temporary files in SVG text *svg by data:
 * URIs (reallocating *svg). */
mg_code viz_heat_embed(const viz_heat *h, char **svg, size_t *len, mg_error *err);
/* Frees h's records; removes the temporary directory and its files. */
void viz_heat_close(viz_heat *h);

/* Non-finite values are marked as the inspector marks them: this border
 * colour, dashed and thick, the SVG class "nonfinite", and a legend line. */
#define VIZ_NONFINITE_COLOUR "#c00018"
#define VIZ_NONFINITE_LEGEND "red dashed border: NaN or Inf in data or grad"
/* The colour and legend line of chain-rule edge labels. */
#define VIZ_EDGE_GRAD_COLOUR "#1f4e8c"
#define VIZ_EDGE_GRAD_LEGEND \
    "on each edge: local derivative × upstream grad = contribution to the grad of the edge's source"

/* style.c: cgraph attribute symbols declared once per drawing. */
typedef struct viz_attrs {
    Agsym_t *shape, *label, *id, *klass, *style, *fillcolor, *color,
        *penwidth, *fontsize, *elabel, *eid, *etext, *eclass, *efont;
    viz_heat *heat;    /* tensor heatmaps, or NULL for none */
} viz_attrs;
/* Declares graph defaults (rankdir, fonts, size caps) and the symbols. */
void viz_declare(Agraph_t *g, const mg_viz_options *o, const char *format,
                 viz_attrs *at);
/* Chooses layout settings by picture size, once its nodes are in g. */
void viz_tune_layout(Agraph_t *g);
/* Sets a string attribute through its symbol (cgraph copies value). */
void viz_set(void *obj, Agsym_t *sym, const char *value);
/* Styles a value node by kind: class, fill colour, border. */
void viz_style_value(Agnode_t *n, const viz_attrs *at, const mg_value *v,
                     int is_root);

/* style.c: when on, marks a node (value or folded box) as holding a NaN or
 * Inf: red thick dashed border (its class is the caller's). */
void viz_mark_nonfinite(void *obj, const viz_attrs *at, int on);
/* style.c: adds the non-finite legend under the title when g marks a node. */
void viz_legend(Agraph_t *g, const mg_viz_options *o, const viz_attrs *at);

/* build.c: adds the picture of plan into g (a graph or a cluster); every
 * node and edge name and id starts with prefix ("" or "b"); edges carry the
 * chain rule when grads is set. */
mg_code viz_build(Agraph_t *g, const viz_attrs *at, mg_value *root,
                  const mg_viz_options *o, const mg_viz_fold_plan *plan,
                  const char *prefix, bool grads, mg_error *err);

/* build.c: labels the edges of plan's picture in g (named with prefix) with
 * the chain rule as it is now (after backward). */
mg_code viz_relabel_edges(Agraph_t *g, const viz_attrs *at, mg_value *root,
                          const mg_viz_options *o, const mg_viz_fold_plan *plan,
                          const char *prefix, mg_error *err);

/* edge_label.c: true when o asks for chain-rule labels on the picture of
 * plan (see mg_viz_edges). */
bool viz_edge_grads_wanted(const mg_viz_options *o, const mg_viz_fold_plan *plan,
                           const mg_value *root);
/* edge_label.c: appends picture edge e's chain-rule label to b, or nothing
 * when it has none (an edge leaving a folded box); from_value is set when
 * its tail is one drawn value. */
void viz_edge_grad_label(mg_buf *b, const viz_edge *e, bool from_value, int precision);

/* build.c: sets the labels of plan's value boxes in g (named with prefix)
 * from the values' current data and grad. */
mg_code viz_relabel(Agraph_t *g, const viz_attrs *at, mg_value *root,
                    const mg_viz_options *o, const mg_viz_fold_plan *plan,
                    const char *prefix, mg_error *err);

/* label.c: a number as pictures show it (mg_format_display: "nan", "inf",
 * never "-nan" or "-0"); use .s within the expression that made it. */
typedef struct viz_numtext {
    char s[32];
} viz_numtext;
viz_numtext viz_num(double x, int precision);

/* label.c: appends text as one record field's text: the record specials
 * { } | < > \\ escaped and line breaks flattened, so whatever the text, the
 * record keeps its structure. Every record label is built with it. */
void viz_record_text(mg_buf *b, const char *text);
/* label.c: appends the record label of a scalar value box to b (tensor
 * nodes are labelled by viz_tensor_label()); MG_ENOMEM if b failed. */
mg_code viz_value_label(const mg_value *v, const mg_viz_options *o, mg_buf *b,
                        mg_error *err);
/* tensor_label.c: sets tensor node v's HTML-like label on n (a table of
 * label, op, dtype and shape, data and grad summaries, and heatmaps written
 * through at->heat named "<name>-data.png", "<name>-grad.png"). */
mg_code viz_tensor_label(Agraph_t *g, Agnode_t *n, const viz_attrs *at, const mg_value *v,
                         const mg_viz_options *o, const char *name, mg_error *err);
/* label.c: up to three elements of t's data (grad 0) or grad, "[1, 2, 3, …]". */
void viz_tensor_elements(const struct mg_tensor *t, int grad, int precision, char *buf,
                         size_t n);
/* box_values.c: out[id] = 1 for every node in a box that a node outside the
 * box (or outside its member of a group) uses: the box's outputs. out has
 * plan->nnodes entries. */
mg_code viz_box_outputs(const mg_graph *g, const mg_viz_fold_plan *plan, uint8_t *out,
                        mg_error *err);
/* box_values.c: the numbers a folded box shows, from current data and grad. */
/* What one member of a group adds up to (finite elements' squares). */
typedef struct viz_member_values {
    double out_sq, out_grad_sq;      /* its outputs' data and grads */
    double param_sq, param_grad_sq;  /* its parameters' data and grads */
} viz_member_values;

typedef struct viz_box_values {
    size_t noutputs;
    double *data, *grad;  /* per output: its data and grad (mg_node_number()) */
    uint32_t *ids;        /* per output: its node id */
    double param_sq;      /* sum of squared parameter data (finite elements) */
    double param_grad_sq; /* ... of squared parameter grads */
    double grad_sq;       /* ... of squared grads of every node in the box */
    size_t nonfinite;     /* nodes with a NaN or Inf in data or grad */
    viz_member_values *member; /* a group's: per member, in members order */
    bool tensor_outputs;  /* some output is a tensor of several elements,
                             whose mean stands for little: norms say more */
} viz_box_values;
/* box_values.c: *out receives plan->nboxes values (free with
 * viz_box_values_free()). */
mg_code viz_box_values_make(const mg_value *root, const mg_viz_fold_plan *plan,
                            viz_box_values **out, mg_error *err);
void viz_box_values_free(viz_box_values *bv);
/* box_values.c: min, median and max of the non-NaN of n numbers (NaN when
 * there are none). */
typedef struct viz_spread {
    size_t count;
    double min, median, max;
} viz_spread;
viz_spread viz_spread_of(const double *x, size_t n);
/* One entry of a box's op mix: an op's name and how many nodes have it. */
typedef struct viz_op_entry {
    const char *name;
    size_t count;
} viz_op_entry;
enum { VIZ_MAX_OP_ENTRIES = MG_OP_COUNT + MG_T_COUNT };
/* box_label.c: the computed nodes of box by op, each tensor node by its
 * tensor op ("matmul", "layer_norm": "tensor" alone says nothing), ops of
 * one name merged, most frequent first (ties in table order), into out
 * (room for VIZ_MAX_OP_ENTRIES); returns how many. Leaves are not in it. */
size_t viz_box_ops(const mg_viz_box *box, viz_op_entry *out);
/* box_label.c: a folded box's HTML-like label: scope path or group members,
 * node count and op mix, outputs, parameter and grad norms, NaN/Inf count. */
void viz_box_html(mg_buf *b, const mg_graph *g, const mg_viz_box *box,
                  const viz_box_values *bv, const mg_viz_options *o);

/* render.c: lays out g (except for "dot") and renders it as format into a
 * malloc'd, NUL-terminated buffer. */
mg_code viz_render(Agraph_t *g, const char *format, char **out, size_t *len,
                   mg_error *err);

#endif
