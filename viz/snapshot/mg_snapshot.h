/* mg_snapshot.h — a training run recorded as a directory of pictures.
 *
 *     mg_snapshot_options o = { .every = 10, .steps = 100,
 *                               .predict = my_score, .predict_ctx = model,
 *                               .X = X, .label = y, .n = 100 };
 *     mg_snapshot *s = mg_snapshot_open("run/", &o, &err);
 *     for (int k = 0; k < 100; k++) {
 *         mg_value *loss = ...;                 // forward
 *         ... zero grads, mg_backward(loss) ...
 *         mg_snapshot_step(s, k, loss, loss->data, accuracy, &err);
 *         ... SGD update, mg_graph_reset() ...
 *     }
 *     mg_snapshot_close(s, &err);
 *
 * Every step adds a point to the loss curve. A *saved* step (mg_snapshot_due:
 * multiples of `every`, and the last step when the run's length is known)
 * also writes, named by the step, under DIR/snapshots/:
 *     step-NNNNNN-graph.svg     the loss graph with its data and grads, drawn
 *                               by mg_viz.h (folded by scope when large)
 *     step-NNNNNN-sample.svg    a one-sample graph, if mg_snapshot_sample()
 *                               was given one for that step; its title says
 *                               which sample, why, and when every grad is 0
 *     step-NNNNNN-boundary.png  the decision boundary, if predict is set,
 *                               with the sample of mg_snapshot_mark() ringed
 *     step-NNNNNN-*.json        the graphs as graph JSON, if graph_json
 *     step-NNNNNN.json          the step's manifest: { "step", "loss",
 *                               "accuracy", "files": { "graph", "sample",
 *                               "boundary", "graph_json", "sample_json":
 *                               path | null }, "graph_nodes", "sample_nodes",
 *                               "marked": the ringed point | null,
 *                               "sample": { "index", "loss", "worst",
 *                               "zero_grads", "label" } | null }, rewritten
 *                               (atomically) as the step's files appear
 * Paths in it are relative to DIR. The run's own files are rewritten at
 * every saved step, so the directory is readable mid-run:
 *     loss.png          the loss curve so far (mg_plot.h)
 *     snapshots.json    the manifest: every step's loss and accuracy, and
 *                       per saved step its files ("mgviz-snapshots" v2)
 *     index.html        a plain page listing the saved steps with pictures
 *     inspector.html    (at close, if inspector is set) the HTML inspector
 *                       with a step slider over the saved steps (mg_html.h)
 * JSON numbers are exact; a non-finite one is null ("loss": null, with
 * "loss_str": "nan" beside it where it is a member).
 *
 * Every call returns an mg_code and fills err (may be NULL) with a message;
 * nothing aborts. Each file is written to a temporary name and renamed, so it
 * is complete or absent. Files of an earlier run in the same directory are
 * left alone; the manifest and index name only this run's. */
#ifndef MG_SNAPSHOT_H
#define MG_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"
#include "mg_plot.h"
#include "mg_value.h"
#include "mg_viz.h"

MG_EXTERN_C_BEGIN

/* Which graph the inspector page (inspector.html) shows, if any. */
typedef enum mg_snapshot_inspect {
    MG_SNAPSHOT_INSPECT_NONE = 0,
    MG_SNAPSHOT_INSPECT_LOSS,   /* the graphs given to mg_snapshot_step() */
    MG_SNAPSHOT_INSPECT_SAMPLE  /* the graphs given to mg_snapshot_sample() */
} mg_snapshot_inspect;

/* Run options, copied at open (the arrays X and label too). A zero-initialised
 * struct (or NULL) means: save every 10 steps, SVG graphs, no boundary. */
typedef struct mg_snapshot_options {
    int every;                  /* save steps that are multiples of it; 0 = 10,
                                   negative = save none (curve only) */
    int steps;                  /* the run's length if known (steps 0..steps-1):
                                   its last step is saved too; 0 = unknown */
    const char *title;          /* of the index and the loss curve;
                                   NULL = "training run" */
    const char *graph_format;   /* "svg", "png" or "dot"; NULL = "svg" */
    const mg_viz_options *viz;  /* how loss graphs are drawn; NULL = defaults
                                   (folded by scope above the fold budget) */
    const mg_viz_options *sample_viz; /* how one-sample graphs are drawn */
    bool graph_json;            /* also write each graph as graph JSON */
    bool log_loss;              /* loss curve on a log10 axis */
    double loss_smoothing;      /* loss curve: weight of its moving average
                                   drawn over the faint raw curve, [0, 1)
                                   (mg_plot_options.smoothing); 0 = raw */
    mg_snapshot_inspect inspector; /* write inspector.html at close */
    /* Decision boundary, drawn at saved steps when predict is set. predict
     * is called during mg_snapshot_step() only, so it sees the model as it
     * is then (before the step's update when called after backward). */
    mg_plot_predict_fn predict;
    void *predict_ctx;
    const double *X;            /* n points, row-major n x 2, drawn as dots */
    const double *label;        /* their labels (> 0 one class, <= 0 other) */
    size_t n;
    const mg_plot_options *boundary; /* size, region, grid; NULL = defaults */
} mg_snapshot_options;

typedef struct mg_snapshot mg_snapshot;

/* Creates dir (and missing parents) if needed and starts a run there,
 * writing an empty manifest at once so an unusable directory fails here.
 * NULL with err filled on a bad directory, bad options or out of memory. */
MG_API mg_snapshot *mg_snapshot_open(const char *dir, const mg_snapshot_options *opt,
                              mg_error *err);

/* True when mg_snapshot_step() at this step will save pictures: a caller
 * builds extra graphs (mg_snapshot_sample) only then. */
MG_API bool mg_snapshot_due(const mg_snapshot *s, int step);

/* Records step (>= 0, greater than the last recorded) with its loss and
 * accuracy (NaN when unknown) on the curve. At a saved step also draws
 * loss_root's graph as it is now (may be NULL: no graph) and the decision
 * boundary, and rewrites loss.png, snapshots.json and index.html. The point
 * is on the curve even when a picture fails. */
MG_API mg_code mg_snapshot_step(mg_snapshot *s, int step, mg_value *loss_root, double loss,
                         double accuracy, mg_error *err);

/* Which sample a one-sample graph shows, and why. */
typedef struct mg_snapshot_sample_info {
    long index;                 /* the sample's index in the dataset */
    double loss;                /* its loss at this step; NaN when unknown */
    bool worst;                 /* chosen as the largest loss of the step */
    bool zero_grads;            /* every grad of its graph is 0 */
    const char *label;          /* its label as text ("+1", "Dress"), or NULL */
    struct mg_tensor *logits;   /* a sequence model's logits [..., T, V] in
                                   root's graph, after backward, or NULL: the
                                   inspector page then lets a learner pick a
                                   token position and see what its prediction
                                   depends on (mg_html.h, "Positions") */
} mg_snapshot_sample_info;

/* At a saved step, rings point index (a row of the options' X) on the
 * step's decision boundary: call before mg_snapshot_step() for the step.
 * Does nothing at other steps. */
MG_API mg_code mg_snapshot_mark(mg_snapshot *s, int step, size_t index, mg_error *err);

/* At a saved step, names a sequence model's logits [..., T, V] (after
 * backward) in the graph that mg_snapshot_step() is given for the same step:
 * the inspector page of loss graphs (MG_SNAPSHOT_INSPECT_LOSS) then lets a
 * learner pick a token position of batch row 0 and see what its prediction
 * depends on, as mg_snapshot_sample_info.logits does for sample graphs.
 * Call before mg_snapshot_step() for the step; the tensor is used there and
 * forgotten. Does nothing at other steps or without that page. */
MG_API mg_code mg_snapshot_positions(mg_snapshot *s, int step, struct mg_tensor *logits,
                                     mg_error *err);

/* At a saved step, draws root's graph (a one-sample graph, say) as the
 * step's "sample" picture, titled by info (may be NULL); at other steps does
 * nothing. May come before or after mg_snapshot_step() for the same step,
 * not after a later step's. */
MG_API mg_code mg_snapshot_sample(mg_snapshot *s, int step, mg_value *root,
                                  const mg_snapshot_sample_info *info, mg_error *err);

/* The manifest of a saved step, "snapshots/step-NNNNNN.json" (relative to
 * the directory; a buffer of s, valid until the next call), or NULL when
 * step was not saved. */
MG_API const char *mg_snapshot_step_file(mg_snapshot *s, int step);

/* Records the test loss and accuracy after epoch (1 = the first) at step:
 * index.html shows them as a table, snapshots.json as "evals". */
MG_API mg_code mg_snapshot_eval(mg_snapshot *s, int epoch, long step, double loss,
                                double accuracy, mg_error *err);

/* The run's directory as given to mg_snapshot_open(). */
MG_API const char *mg_snapshot_dir(const mg_snapshot *s);
/* Number of steps recorded / saved so far. */
MG_API size_t mg_snapshot_steps(const mg_snapshot *s);
MG_API size_t mg_snapshot_saved(const mg_snapshot *s);

/* Writes the final loss.png, snapshots.json, index.html (and inspector.html)
 * and frees s, even on failure; NULL is a no-op returning MG_OK. */
MG_API mg_code mg_snapshot_close(mg_snapshot *s, mg_error *err);

MG_EXTERN_C_END

#endif
