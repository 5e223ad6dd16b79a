/* mg_html.h — the inspector: one self-contained HTML page to explore a graph,
 * its backward pass and a training run in a browser.
 *
 *     mg_value *loss = ...;                   // forward pass done
 *     mg_error err;
 *     if (mg_html_write(loss, "loss.html", NULL, &err) != MG_OK)
 *         fprintf(stderr, "%s\n", err.message);
 *
 * The page holds the Graphviz SVG of the graph (drawn by mg_viz.h, folded by
 * scope when large), the graph JSON of the shared format, the data and grad
 * of every node at each captured state, and its own script and style. It
 * opens from disk (file://) and fetches nothing. In it: click or Tab/Enter to
 * a node to see its id, op, label, scope, data, grad, inputs (micrograd's
 * _prev) and users; replay forward or backward one node at a time; search;
 * paths to the root; before/after backward; colour by |grad| or data; open
 * folded boxes; jump to the first NaN/Inf; pan and zoom.
 *
 * A training run is a page of steps. The graph's shape is the same at every
 * step (parameters kept, the forward pass rebuilt), so the page holds one
 * layout and, per step, only numbers:
 *
 *     mg_html_steps *s = mg_html_steps_new(&opt, &err);
 *     for (each saved step) {
 *         ... forward, zero grads ...
 *         mg_html_steps_before(s, loss, &err);   // optional
 *         mg_backward(loss);
 *         mg_html_steps_add(s, loss, &(mg_html_step){.step = k, .loss = ...}, &err);
 *     }
 *     mg_html_steps_write(s, "run.html", &err);
 *     mg_html_steps_free(s);
 *
 * Positions. For a sequence model (a GPT), pass its logits [..., T, V]
 * (mg_html_options.logits, or mg_html_step.logits for the latest step that
 * has them) after backward: for each position p of batch row 0 the page runs
 * a backward seeded with the loss's gradient at p alone (the logits' grad
 * there; ones where it is 0) and keeps which nodes it reached (a nonzero
 * grad) and which cells of every attention-weight tensor (causal softmax
 * results, drawn per head with their tokens, mg_tensor_set_names) it left
 * a nonzero grad on, a bit per unmasked cell. In the
 * page, pick a token: the nodes its prediction depends on light up and the
 * attention maps mark the query rows and keys its gradient flowed through:
 * row p in the last block, rows up to p below it. The grads the caller's
 * backward left are put back afterwards. T backward passes per call: pass
 * logits at the steps worth it (a page keeps only the latest).
 *
 * Every call returns an mg_code and fills err (may be NULL) with a message;
 * nothing aborts. Pages are written to a temporary name in the same directory
 * and renamed, so they are complete or absent. */
#ifndef MG_HTML_H
#define MG_HTML_H

#include <stddef.h>

#include "mg_error.h"
#include "mg_value.h"
#include "mg_viz.h"

MG_EXTERN_C_BEGIN

/* Page options. A zero-initialised struct (or NULL) means the defaults. */
typedef struct mg_html_options {
    const char *title;           /* page title; NULL = "mgviz inspector" */
    const mg_viz_options *viz;   /* how the graph is drawn; NULL = defaults */
    const char *svg;             /* a layout drawn already (the SVG of
                                    mg_draw_dot_data() for the same graph);
                                    NULL = draw it */
    struct mg_tensor *logits;    /* mg_html_write(): a sequence model's
                                    logits (see "Positions" below); NULL =
                                    none */
} mg_html_options;

/* Writes the inspector page for root's graph to path: captures the graph as
 * it is now (the "before backward" state), runs mg_backward(root), captures
 * it again ("after backward"). As with mg_draw_backward(), leaves accumulate
 * grads if a backward pass ran before. */
MG_API mg_code mg_html_write(mg_value *root, const char *path,
                      const mg_html_options *opt, mg_error *err);

/* What a training step adds beside the graph's numbers. */
typedef struct mg_html_step {
    long step;                          /* step number shown on the slider */
    double loss;                        /* NAN when not known */
    double accuracy;                    /* in [0, 1]; NAN when not known */
    const unsigned char *boundary_png;  /* decision-boundary picture (PNG
                                           bytes, copied), or NULL */
    size_t boundary_png_len;
    struct mg_tensor *logits;           /* a sequence model's logits at this
                                           step (see "Positions"), or NULL */
} mg_html_step;

typedef struct mg_html_steps mg_html_steps;

/* A new, empty page of steps (options copied), or NULL with err filled. */
MG_API mg_html_steps *mg_html_steps_new(const mg_html_options *opt, mg_error *err);

/* Captures the grads of root's graph now as the "before backward" state of
 * the next step. Optional: a step without it, or whose grads were all zero,
 * shows grads as not computed ("—"). */
MG_API mg_code mg_html_steps_before(mg_html_steps *s, mg_value *root, mg_error *err);

/* Captures the data and grad of every node of root's graph now as the next
 * step ("after backward"); info may be NULL. The first step fixes the layout
 * (drawn then); a later graph of another shape (node count, ops, parents,
 * root) is an MG_EINVAL error and adds nothing. */
MG_API mg_code mg_html_steps_add(mg_html_steps *s, mg_value *root,
                          const mg_html_step *info, mg_error *err);

/* Sets the loss curve drawn beside the graph (e.g. every step, where only
 * some are saved); copied. Without it the saved steps' losses are drawn. */
MG_API mg_code mg_html_steps_set_curve(mg_html_steps *s, const long *step,
                                const double *loss, size_t n, mg_error *err);

/* Number of steps added so far. */
MG_API size_t mg_html_steps_count(const mg_html_steps *s);

/* Writes the page of every step added so far to path (at least one step). */
MG_API mg_code mg_html_steps_write(const mg_html_steps *s, const char *path,
                            mg_error *err);

/* Frees the page; NULL is a no-op. */
MG_API void mg_html_steps_free(mg_html_steps *s);

MG_EXTERN_C_END

#endif
