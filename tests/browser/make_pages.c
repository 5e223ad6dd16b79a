/* make_pages.c — writes the inspector pages the browser test opens:
 *
 *   expr.html         z = x*y + x beside q = log(y - 4), a NaN
 *   reuse.html        b = a + a; c = b * b with a = 3: a reused node twice over
 *   tensor.html       a tensor MLP 4-8-3 on a batch of 5 with cross-entropy
 *   attention.html    a two-block character transformer on "the cat sat on the
 *                     mat" (tests/attention_graph.h) with its token positions
 *   mlp.html          one sample through an MLP 2-16-16-1 (about 1,000 values), unfolded
 *   mlp-folded.html   the same graph folded by scope (the default budget)
 *   moons.html        100 training steps of micrograd's moons demo: each step's
 *                     full-batch loss graph, the loss curve, a decision boundary
 *   moons-sample.html the same run, showing one sample's graph per step (the
 *                     sample the initial model gets most wrong)
 *
 * Usage: make_pages OUTDIR [STEPS]. Prints one line per page: name, bytes. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mg_data.h"
#include "mg_html.h"
#include "mg_loss.h"
#include "mg_plot.h"
#include "mg_tnn.h"
#include "../attention_graph.h"

enum { MOONS = 100 };

static int fail(const char *what, const mg_error *err)
{
    fprintf(stderr, "make_pages: %s: %s\n", what, err->message);
    return 1;
}

static void report(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) == 0)
        printf("%s %lld\n", name, (long long)st.st_size);
}

static int write_expr(const char *dir)
{
    char path[4096];
    mg_error err;
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_label(mg_add(mg_label(mg_mul(x, y), "a"), x), "z");
    mg_value *q = mg_label(mg_log(mg_subc(y, 4.0)), "q"); /* log(-1): NaN */
    mg_value *out = mg_label(mg_add(z, q), "out");
    snprintf(path, sizeof path, "%s/expr.html", dir);
    mg_html_options opt = { .title = "z = x*y + x, out = z + log(y - 4)" };
    int rc = mg_html_write(out, path, &opt, &err) == MG_OK ? 0 : fail(path, &err);
    mg_graph_free(g);
    return rc;
}

static int write_reuse(const char *dir)
{
    char path[4096];
    mg_error err;
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_label(mg_input(g, 3.0), "a");
    mg_value *b = mg_label(mg_add(a, a), "b");
    mg_value *c = mg_label(mg_mul(b, b), "c");
    snprintf(path, sizeof path, "%s/reuse.html", dir);
    mg_html_options opt = { .title = "b = a + a; c = b * b" };
    int rc = mg_html_write(c, path, &opt, &err) == MG_OK ? 0 : fail(path, &err);
    mg_graph_free(g);
    return rc;
}

static int write_tensor(const char *dir)
{
    char path[4096];
    mg_error err;
    mg_graph *g = mg_graph_new();
    int sizes[] = { 4, 8, 3 };
    mg_tmlp *m = mg_tmlp_new(g, MG_F32, sizes, 3, MG_INIT_KAIMING, 7, &err);
    if (!m)
        return fail("tensor model", &err);
    mg_tensor *x = mg_tensor_label(mg_tensor_input(g, MG_F32, 2, (const int[]){ 5, 4 }), "x");
    for (int i = 0; i < 20; i++)
        mg_tensor_set(x, i, sin(0.7 * i));
    static const int32_t labels[] = { 0, 1, 2, 1, 0 };
    mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(m, x), labels);
    snprintf(path, sizeof path, "%s/tensor.html", dir);
    mg_html_options opt = { .title = "A tensor MLP 4-8-3, a batch of 5, cross-entropy" };
    int rc = loss && mg_html_write(loss->node, path, &opt, &err) == MG_OK ? 0 : fail(path, &err);
    mg_tmlp_free(m);
    mg_graph_free(g);
    return rc;
}

static int write_attention(const char *dir)
{
    char path[4096];
    mg_error err = { 0 };
    mg_graph *g = mg_graph_new();
    attention_graph a;
    int rc = attention_graph_build(g, &a, "the cat sat on the mat", 2);
    if (rc) {
        fprintf(stderr, "make_pages: attention graph: %s\n", mg_graph_error(g));
        mg_graph_free(g);
        return 1;
    }
    snprintf(path, sizeof path, "%s/attention.html", dir);
    mg_html_options opt = { .title = "A two-block character transformer: which tokens feed each prediction",
                            .logits = a.logits };
    rc = mg_html_write(a.loss->node, path, &opt, &err) == MG_OK ? 0 : fail(path, &err);
    mg_graph_free(g);
    return rc;
}

static mg_mlp *moons_model(mg_graph *g, mg_error *err)
{
    int nouts[] = { 16, 16, 1 };
    return mg_mlp_new(g, 2, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1337, err);
}

/* One sample's max-margin loss: relu(1 - y * score). */
static mg_value *sample_loss(mg_mlp *m, double x0, double x1, double y)
{
    mg_value *in[2] = { mg_label(mg_input(m->graph, x0), "x0"),
                        mg_label(mg_input(m->graph, x1), "x1") };
    mg_value *score;
    if (mg_mlp_forward(m, in, &score) != MG_OK)
        return NULL;
    return mg_label(mg_relu(mg_rsubc(mg_mulc(score, y), 1.0)), "loss");
}

static int write_mlp(const char *dir, const char *name, size_t fold_budget)
{
    char path[4096];
    mg_error err;
    mg_graph *g = mg_graph_new();
    mg_mlp *m = moons_model(g, &err);
    if (!m)
        return fail("model", &err);
    mg_value *loss = sample_loss(m, 0.5, -0.25, 1.0);
    mg_viz_options viz = { .fold_budget = fold_budget };
    mg_html_options opt = { .title = "One sample through an MLP 2-16-16-1", .viz = &viz };
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = mg_html_write(loss, path, &opt, &err) == MG_OK ? 0 : fail(path, &err);
    mg_mlp_free(m);
    mg_graph_free(g);
    return rc;
}

/* The boundary picture's classifier: the model's score at (x, y), with the
 * nodes it makes dropped again. */
static double predict(void *ctx, double x, double y)
{
    mg_mlp *m = ctx;
    mg_mark mark = mg_graph_mark(m->graph);
    mg_value *in[2] = { mg_input(m->graph, x), mg_input(m->graph, y) };
    mg_value *score = NULL;
    double s = mg_mlp_forward(m, in, &score) == MG_OK ? score->data : NAN;
    mg_graph_rewind(m->graph, mark);
    return s;
}

/* What a saved step shows beside the graph: loss, accuracy, boundary. */
static int step_info(mg_mlp *m, const double *X, const double *y, int k,
                     mg_html_step *info, mg_png *png, mg_error *err)
{
    double acc = 0;
    mg_mark mark = mg_graph_mark(m->graph);
    mg_value *loss = mg_mlp_svm_loss(m, X, y, MOONS, 1e-4, &acc);
    double value = loss ? loss->data : NAN;
    mg_graph_rewind(m->graph, mark);
    mg_plot_options popt = { .width = 240, .height = 200, .grid = 30 };
    if (mg_plot_boundary_png(predict, m, X, y, MOONS, &popt, png, err) != MG_OK)
        return 1;
    *info = (mg_html_step){ .step = k, .loss = value, .accuracy = acc,
                            .boundary_png = png->bytes, .boundary_png_len = png->len };
    return 0;
}

/* Adds step k to page: the whole batch's loss graph, or (sample) one
 * sample's, with the parameters as they are before the step's update. */
static int snapshot(mg_html_steps *page, mg_mlp *m, const double *X, const double *y,
                    int k, bool sample, size_t sample_index, mg_error *err)
{
    mg_html_step info;
    mg_png png = {0};
    if (step_info(m, X, y, k, &info, &png, err))
        return 1;
    double acc;
    size_t i = sample_index;
    mg_value *root = sample ? sample_loss(m, X[2 * i], X[2 * i + 1], y[i])
                            : mg_mlp_svm_loss(m, X, y, MOONS, 1e-4, &acc);
    mg_mlp_zero_grad(m);
    mg_code rc = mg_html_steps_before(page, root, err);
    if (rc == MG_OK)
        mg_backward(root);
    if (rc == MG_OK)
        rc = mg_html_steps_add(page, root, &info, err);
    mg_png_free(&png);
    mg_graph_reset(m->graph);
    return rc != MG_OK;
}

/* One step of micrograd's demo: full batch, SVM loss + L2, decaying rate. */
static void train_step(mg_mlp *m, const double *X, const double *y, int k, int steps)
{
    size_t nparams;
    mg_value *const *params = mg_mlp_parameters(m, &nparams);
    double acc;
    mg_value *loss = mg_mlp_svm_loss(m, X, y, MOONS, 1e-4, &acc);
    mg_mlp_zero_grad(m);
    mg_backward(loss);
    mg_sgd_step(params, nparams, 1.0 - 0.9 * k / (double)steps);
    mg_graph_reset(m->graph);
}

/* The sample the initial model gets most wrong: its graph carries grads. */
static size_t worst_sample(mg_mlp *m, const double *X, const double *y)
{
    size_t worst = 0;
    double top = -1;
    for (size_t i = 0; i < MOONS; i++) {
        double margin = 1.0 - y[i] * predict(m, X[2 * i], X[2 * i + 1]);
        if (margin > top) {
            top = margin;
            worst = i;
        }
    }
    return worst;
}

static int write_moons(const char *dir, const char *name, int steps, bool sample)
{
    char path[4096];
    double X[2 * MOONS], y[MOONS];
    mg_error err;
    if (mg_make_moons(MOONS, 0.1, 1337, X, y, &err) != MG_OK)
        return fail("moons", &err);
    mg_graph *g = mg_graph_new();
    mg_mlp *m = moons_model(g, &err);
    if (!m)
        return fail("model", &err);
    mg_graph_keep(g);
    mg_html_options opt = { .title = sample
        ? "micrograd moons demo: MLP 2-16-16-1, its worst sample's graph at each step"
        : "micrograd moons demo: MLP 2-16-16-1, full batch" };
    mg_html_steps *page = mg_html_steps_new(&opt, &err);
    int rc = page ? 0 : 1;
    size_t worst = worst_sample(m, X, y);
    for (int k = 0; k < steps && rc == 0; k++) {
        rc = snapshot(page, m, X, y, k, sample, worst, &err);
        train_step(m, X, y, k, steps);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (rc == 0 && mg_html_steps_write(page, path, &err) != MG_OK)
        rc = 1;
    if (rc)
        fail(name, &err);
    mg_html_steps_free(page);
    mg_mlp_free(m);
    mg_graph_free(g);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: make_pages OUTDIR [STEPS]\n");
        return 2;
    }
    const char *dir = argv[1];
    int steps = argc > 2 ? atoi(argv[2]) : 100;
    steps = steps > 0 ? steps : 1;
    if (write_expr(dir) || write_reuse(dir) || write_tensor(dir) || write_attention(dir) || write_mlp(dir, "mlp.html", SIZE_MAX) ||
        write_mlp(dir, "mlp-folded.html", 0) || write_moons(dir, "moons.html", steps, false) ||
        write_moons(dir, "moons-sample.html", steps, true))
        return 1;
    const char *names[] = { "expr.html", "reuse.html", "tensor.html", "attention.html", "mlp.html", "mlp-folded.html", "moons.html",
                            "moons-sample.html" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        report(dir, names[i]);
    return 0;
}
