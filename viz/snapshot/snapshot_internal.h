/* snapshot_internal.h — the pieces of mg_snapshot.h, shared by
 * viz/snapshot*.c only.
 *
 * A run keeps every step's loss and accuracy and one entry per saved step
 * (snapshot.c); the pictures of a step are drawn by snapshot_draw.c; the
 * run's own files are rendered from those records by snapshot_manifest.c
 * (snapshots.json) and snapshot_index.c (index.html). */
#ifndef SNAPSHOT_INTERNAL_H
#define SNAPSHOT_INTERNAL_H

#include "html_internal.h"
#include "mg_html.h"
#include "mg_snapshot.h"

/* The files a saved step can have. */
typedef enum snap_file {
    SNAP_GRAPH,        /* the loss graph */
    SNAP_SAMPLE,       /* the one-sample graph */
    SNAP_BOUNDARY,     /* the decision boundary */
    SNAP_GRAPH_JSON,   /* the loss graph as graph JSON */
    SNAP_SAMPLE_JSON,  /* the one-sample graph as graph JSON */
    SNAP_NFILES
} snap_file;

typedef struct snap_entry {
    int step;
    double loss, accuracy;       /* NaN until mg_snapshot_step() gives them */
    bool has[SNAP_NFILES];       /* which files were written */
    size_t nodes[2];             /* nodes drawn in the loss / sample graph */
    bool marked;                 /* mark: the point ringed on the boundary */
    size_t mark;
    bool has_sample;             /* sample: what the one-sample graph shows */
    mg_snapshot_sample_info sample;
    char sample_label[48];       /* sample.label points here */
    struct mg_tensor *logits;    /* mg_snapshot_positions(), until the step's
                                    mg_snapshot_step() uses it */
} snap_entry;

/* Test-set results after an epoch (mg_snapshot_eval). */
typedef struct snap_eval {
    int epoch;
    long step;
    double loss, accuracy;
} snap_eval;

struct mg_snapshot {
    char *dir;
    /* options, with every string and array owned by the run */
    int every, steps_total;
    char *title, *graph_format;
    mg_viz_options viz[2];       /* [0] loss graphs, [1] sample graphs */
    char *viz_strings[2][2];     /* their rankdir and unfold_scope copies */
    bool graph_json, log_loss;
    double loss_smoothing;
    mg_snapshot_inspect inspect;
    mg_plot_predict_fn predict;
    void *predict_ctx;
    double *X, *label;
    size_t n;
    mg_plot_options boundary;
    /* the curve: every recorded step */
    long *step;
    double *loss, *accuracy;
    size_t nsteps, cap_steps;
    /* the saved steps, in order */
    snap_entry *saved;
    size_t nsaved, cap_saved;
    mg_png last_boundary;        /* the latest saved step's, for the inspector */
    mg_html_steps *page;         /* inspector.html being gathered, or NULL */
    bool page_written;           /* inspector.html is on disk */
    char step_file[64];          /* mg_snapshot_step_file()'s answer */
    snap_eval *evals;            /* test results per epoch, in order */
    size_t nevals, cap_evals;
};

/* snapshot_draw.c: the path of a saved step's file relative to the run's
 * directory, "snapshots/step-000010-graph.svg"; returns the length as
 * snprintf does. */
int snap_file_name(const mg_snapshot *s, int step, snap_file f, char *buf, size_t n);
/* snapshot_draw.c: dir/name into a malloc'd string, or NULL. */
char *snap_path(const mg_snapshot *s, const char *name);
/* snapshot_draw.c: draws root's graph as entry's file f (SNAP_GRAPH or
 * SNAP_SAMPLE), and its JSON when asked; records what was written. */
mg_code snap_draw_graph(mg_snapshot *s, snap_entry *e, snap_file f, mg_value *root,
                        mg_error *err);
/* snapshot_draw.c: draws entry's decision boundary (kept in last_boundary). */
mg_code snap_draw_boundary(mg_snapshot *s, snap_entry *e, mg_error *err);
/* snapshot_draw.c: adds root's graph as a step of the inspector page, with
 * a sequence model's logits in it (or NULL) for the token picker. */
mg_code snap_inspect(mg_snapshot *s, const snap_entry *e, mg_value *root,
                     struct mg_tensor *logits, mg_error *err);

/* snapshot_manifest.c: writes the step's manifest, snapshots/step-NNNNNN.json. */
mg_code snap_write_step(const mg_snapshot *s, const snap_entry *e, mg_error *err);
/* snapshot_manifest.c: writes snapshots.json. */
mg_code snap_write_manifest(const mg_snapshot *s, mg_error *err);
/* snapshot_index.c: writes index.html. */
mg_code snap_write_index(const mg_snapshot *s, mg_error *err);
/* snapshot_manifest.c: writes buf's text to dir/name (temporary + rename). */
mg_code snap_write_text(const mg_snapshot *s, const char *name, const mg_buf *buf,
                        mg_error *err);

/* File names of the run's own files. */
#define SNAP_MANIFEST "snapshots.json"
#define SNAP_INDEX "index.html"
#define SNAP_CURVE "loss.png"
#define SNAP_INSPECTOR "inspector.html"
#define SNAP_STEPS_DIR "snapshots"

#endif
