/* cmd_train.c — `mgviz train`: micrograd's demo (an MLP learns two moons
 * with the SVM loss, full batch) on the scalar engine, recorded as a
 * directory of pictures by viz/snapshot/mg_snapshot.h. Other datasets train on
 * tensors: the command hands them to cmd_train_tensor() when it is linked in. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mg_data.h"
#include "mg_loss.h"
#include "mg_snapshot.h"

#define CMD "train"

enum { MAX_HIDDEN = 8, MAX_WIDTH = 1024, MAX_SAMPLES = 5000 };

/* Graphs drawn at saved steps. */
enum { GRAPH_BATCH = 1, GRAPH_SAMPLE = 2 };

/* The tensor trainer (tools/cmd_train_tensor.c), same argv as ours. Weak: a
 * build without it links, and the pointer is then NULL. */
int cmd_train_tensor(int argc, char **argv) __attribute__((weak));

static const char usage_text[] =
    "Usage: mgviz train [OPTIONS]\n"
    "\n"
    "Trains micrograd's demo on the scalar engine: an MLP 2-16-16-1 (relu) learns\n"
    "two moons with the SVM loss plus L2, full batch, plain SGD with learning\n"
    "rate LR*(1 - 0.9*k/STEPS) at step k. Prints loss and accuracy per step and\n"
    "records the run in a directory:\n"
    "  index.html               a plain page: loss curve and every saved step\n"
    "  snapshots.json           the manifest: loss and accuracy per step, files\n"
    "                           per saved step (format mgviz-snapshots, version 1)\n"
    "  loss.png                 the loss curve\n"
    "  step-NNNNNN-graph.svg    the full-batch loss graph (about 650 nodes per\n"
    "                           sample) with data and grads, folded by scope\n"
    "  step-NNNNNN-sample.svg   the loss graph of sample 0 alone, with its grads\n"
    "  step-NNNNNN-boundary.png the decision boundary with the data points\n"
    "  inspector.html           with --inspector: the HTML inspector, a step\n"
    "                           slider over the saved steps\n"
    "Steps 0, K, 2K, ... and the last step are saved.\n"
    "\n"
    "Model and data:\n"
    "  --dataset NAME         moons (default); any other (fashion-mnist) trains\n"
    "                         on tensors: see mgviz train --dataset fashion-mnist --help\n"
    "  --tensor               train on tensors, moons too (mgviz train --tensor --help)\n"
    "  --samples N            points in the dataset (default 100; 2 to 5000)\n"
    "  --noise X              Gaussian noise of the moons (default 0.1)\n"
    "  --hidden W,W,...       hidden layer widths (default 16,16; the output is 1)\n"
    "  --steps N              full-batch SGD steps (default 100)\n"
    "  --lr X                 initial learning rate (default 1.0)\n"
    "  --alpha X              L2 weight (default 1e-4)\n"
    "  --seed N               seed of the data and the weights (default 1337)\n"
    "\n"
    "Snapshots:\n"
    "  --out DIR              the directory, created if needed (default mgviz-train)\n"
    "  --snapshot-every K     save pictures every K steps (default 10; 0 = none:\n"
    "                         only index, manifest and loss curve)\n"
    "  --graph WHICH          graphs drawn at saved steps: both (default), batch,\n"
    "                         sample or none\n"
    "  --format svg|png|dot   format of the graph pictures (default svg)\n"
    "  --json                 also write each drawn graph as graph JSON\n"
    "  --inspector            also write inspector.html (of the sample graph, or\n"
    "                         of the batch graph with --graph batch)\n"
    "  --log-loss             loss curve on a log axis\n"
    "  --quiet                print only where the run was written\n"
    "  -h, --help             this help\n"
    "\n"
    "Graph drawing (both graphs; --title names the run):\n"
    "%s"
    "\n"
    "Exit codes: 0 done; 1 training failed (a NaN loss is not a failure);\n"
    "2 a usage or I/O error.\n"
    "\n"
    "Examples:\n"
    "  mgviz train                                  # writes mgviz-train/\n"
    "  mgviz train --steps 200 --snapshot-every 50 --hidden 8,8 --out run2\n"
    "  mgviz train --graph sample --inspector --log-loss\n";

typedef struct train_args {
    uint64_t samples, steps, seed, every;
    double noise, lr, alpha;
    int hidden[MAX_HIDDEN];
    int nhidden;
    const char *out, *format;
    unsigned graphs;
    bool json, inspector, log_loss, quiet;
    mg_viz_options viz;
} train_args;

/* "16,16" into widths; false when it is not 1..MAX_HIDDEN numbers in range. */
static bool parse_hidden(const char *text, train_args *a)
{
    a->nhidden = 0;
    for (const char *p = text;; p++) {
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w < 1 || w > MAX_WIDTH || a->nhidden == MAX_HIDDEN ||
            (*end != ',' && *end != '\0'))
            return false;
        a->hidden[a->nhidden++] = (int)w;
        if (*end == '\0')
            return true;
        p = end;
    }
}

static int parse_graphs(const char *v, train_args *a)
{
    static const char *const names[] = { "none", "batch", "sample", "both" };
    for (unsigned k = 0; k < 4; k++)
        if (strcmp(v, names[k]) == 0)
            return a->graphs = k, -1;
    return cli_fail(CMD, CLI_USAGE, "bad value '%s' for --graph: expected both, batch, "
                    "sample or none", v);
}

/* Numeric options: whole (whole != NULL, in lo..hi) or real (finite, and
 * >= 0 when nonnegative). */
typedef struct numeric_option {
    const char *name;
    uint64_t *whole, lo, hi;
    double *real;
    bool nonnegative;
} numeric_option;

static int bad_number(const numeric_option *o, const char *v)
{
    if (o->whole)
        return cli_fail(CMD, CLI_USAGE, "bad value '%s' for %s: expected a whole number "
                        "%llu..%llu", v, o->name, (unsigned long long)o->lo,
                        (unsigned long long)o->hi);
    return cli_fail(CMD, CLI_USAGE, "bad value '%s' for %s: expected a finite%s number", v,
                    o->name, o->nonnegative ? " non-negative" : "");
}

/* -1 to go on, 0 if arg is no numeric option, or an exit code. */
static int number_option(int argc, char **argv, int *i, train_args *a)
{
    const numeric_option opts[] = {
        { "--samples", &a->samples, 2, MAX_SAMPLES, NULL, false },
        { "--steps", &a->steps, 1, 10000000, NULL, false },
        { "--seed", &a->seed, 0, UINT64_MAX, NULL, false },
        { "--snapshot-every", &a->every, 0, 10000000, NULL, false },
        { "--noise", NULL, 0, 0, &a->noise, true },
        { "--lr", NULL, 0, 0, &a->lr, false },
        { "--alpha", NULL, 0, 0, &a->alpha, true },
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        const numeric_option *o = &opts[k];
        const char *v;
        int rc = cli_value(CMD, argc, argv, i, o->name, &v);
        if (rc == 0)
            continue;
        if (rc < 0)
            return CLI_USAGE;
        bool ok = o->whole ? cli_parse_u64(v, o->whole) && *o->whole >= o->lo && *o->whole <= o->hi
                           : cli_parse_double(v, o->real) && isfinite(*o->real) &&
                                 !(o->nonnegative && *o->real < 0);
        return ok ? -1 : bad_number(o, v);
    }
    return 0;
}

static int text_option(int argc, char **argv, int *i, train_args *a)
{
    const char *v;
    int rc;
    if ((rc = cli_value(CMD, argc, argv, i, "--out", &a->out)) != 0)
        return rc < 0 ? CLI_USAGE : -1;
    if ((rc = cli_value(CMD, argc, argv, i, "--format", &a->format)) != 0) {
        if (rc < 0)
            return CLI_USAGE;
        if (strcmp(a->format, "svg") && strcmp(a->format, "png") && strcmp(a->format, "dot"))
            return cli_fail(CMD, CLI_USAGE, "bad value '%s' for --format: expected svg, png "
                            "or dot", a->format);
        return -1;
    }
    if ((rc = cli_value(CMD, argc, argv, i, "--graph", &v)) != 0)
        return rc < 0 ? CLI_USAGE : parse_graphs(v, a);
    if ((rc = cli_value(CMD, argc, argv, i, "--hidden", &v)) != 0) {
        if (rc < 0)
            return CLI_USAGE;
        return parse_hidden(v, a) ? -1 : cli_fail(CMD, CLI_USAGE, "bad value '%s' for "
                               "--hidden: expected 1 to %d widths 1..%d, e.g. 16,16",
                               v, MAX_HIDDEN, MAX_WIDTH);
    }
    if ((rc = cli_value(CMD, argc, argv, i, "--dataset", &v)) != 0)
        return rc < 0 ? CLI_USAGE : -1; /* not moons was handed on before parsing */
    return 0;
}

static int parse_one(int argc, char **argv, int *i, train_args *a)
{
    const char *arg = argv[*i];
    if (cli_flag(arg, "-h") || cli_flag(arg, "--help"))
        return printf(usage_text, cli_viz_help), CLI_OK;
    bool *flags[] = { &a->json, &a->inspector, &a->log_loss, &a->quiet };
    const char *names[] = { "--json", "--inspector", "--log-loss", "--quiet" };
    for (size_t k = 0; k < 4; k++)
        if (cli_flag(arg, names[k]))
            return *flags[k] = true, -1;
    int rc;
    if ((rc = number_option(argc, argv, i, a)) != 0 || (rc = text_option(argc, argv, i, a)) != 0)
        return rc;
    if ((rc = cli_viz_option(CMD, argc, argv, i, &a->viz)) != 0)
        return rc < 0 ? CLI_USAGE : -1;
    return cli_fail(CMD, CLI_USAGE, "unknown argument '%s' (see mgviz train --help)", arg);
}

static int parse_args(int argc, char **argv, train_args *a)
{
    *a = (train_args){ .samples = 100, .steps = 100, .seed = 1337, .every = 10,
                       .noise = 0.1, .lr = 1.0, .alpha = 1e-4, .hidden = { 16, 16 },
                       .nhidden = 2, .out = "mgviz-train", .format = "svg",
                       .graphs = GRAPH_BATCH | GRAPH_SAMPLE };
    for (int i = 1; i < argc; i++) {
        int rc = parse_one(argc, argv, &i, a);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

/* The dataset named on the command line ("moons" when none), without parsing
 * the rest: other datasets have options of their own. */
static const char *dataset_of(int argc, char **argv, bool *tensor)
{
    const char *name = "moons";
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--tensor"))
            *tensor = true;
        else if (strncmp(argv[i], "--dataset=", 10) == 0)
            name = argv[i] + 10;
        else if (cli_flag(argv[i], "--dataset") && i + 1 < argc)
            name = argv[++i];
    }
    return name;
}

/* The model's score at (x, y), computed on plain doubles from the
 * parameters' data, so drawing a boundary adds no nodes to the graph. */
typedef struct scorer {
    const mg_mlp *m;
    double *in, *out; /* m->width numbers each */
} scorer;

static double activate(mg_nonlin f, double x)
{
    switch (f) {
    case MG_NONLIN_RELU: return x > 0 ? x : 0;
    case MG_NONLIN_TANH: return tanh(x);
    case MG_NONLIN_SIGMOID: return 1 / (1 + exp(-x));
    default: return x;
    }
}

static double mlp_score(void *ctx, double x, double y)
{
    scorer *s = ctx;
    double *in = s->in, *out = s->out;
    in[0] = x;
    in[1] = y;
    for (int l = 0; l < s->m->nlayers; l++) {
        const mg_layer *layer = &s->m->layers[l];
        for (int j = 0; j < layer->nout; j++) {
            const mg_neuron *n = &layer->neurons[j];
            double sum = n->b->data; /* bias first, then w_i x_i: micrograd's order */
            for (int i = 0; i < n->nin; i++)
                sum += n->w[i]->data * in[i];
            out[j] = activate(n->act, sum);
        }
        double *t = in;
        in = out;
        out = t;
    }
    return in[0];
}

/* One run's state. */
typedef struct trainer {
    const train_args *a;
    mg_graph *g;
    mg_mlp *model;
    double *X, *y;
    mg_value *const *params;
    size_t nparams;
    double *saved_grads; /* the batch grads, kept while a sample's graph is drawn */
    scorer score;
    mg_snapshot *snap;
} trainer;

static void trainer_free(trainer *t)
{
    mg_mlp_free(t->model);
    mg_graph_free(t->g);
    free(t->X);
    free(t->y);
    free(t->saved_grads);
    free(t->score.in);
    free(t->score.out);
}

static int setup(trainer *t, mg_error *err)
{
    const train_args *a = t->a;
    size_t n = a->samples;
    int nouts[MAX_HIDDEN + 1];
    memcpy(nouts, a->hidden, sizeof(int) * (size_t)a->nhidden);
    nouts[a->nhidden] = 1;
    t->X = malloc(sizeof(double) * 2 * n);
    t->y = malloc(sizeof(double) * n);
    t->g = mg_graph_new();
    if (!t->X || !t->y || !t->g)
        return mg_error_set(err, MG_ENOMEM, "out of memory"), CLI_USAGE;
    if (mg_make_moons(n, a->noise, a->seed, t->X, t->y, err) != MG_OK)
        return CLI_USAGE;
    t->model = mg_mlp_new(t->g, 2, nouts, a->nhidden + 1, MG_NONLIN_RELU, MG_NONLIN_LINEAR,
                          a->seed, err);
    if (!t->model)
        return CLI_USAGE;
    mg_graph_keep(t->g); /* parameters survive each step's mg_graph_reset() */
    t->params = mg_mlp_parameters(t->model, &t->nparams);
    t->saved_grads = malloc(sizeof(double) * t->nparams);
    t->score = (scorer){ .m = t->model, .in = malloc(sizeof(double) * (size_t)t->model->width),
                         .out = malloc(sizeof(double) * (size_t)t->model->width) };
    if (!t->saved_grads || !t->score.in || !t->score.out)
        return mg_error_set(err, MG_ENOMEM, "out of memory"), CLI_USAGE;
    return CLI_OK;
}

static mg_snapshot *open_snapshots(trainer *t, char *title, size_t n, mg_error *err)
{
    const train_args *a = t->a;
    int len = snprintf(title, n, "moons MLP 2");
    for (int i = 0; i < a->nhidden && len > 0 && (size_t)len < n; i++)
        len += snprintf(title + len, n - (size_t)len, "-%d", a->hidden[i]);
    if (len > 0 && (size_t)len < n)
        snprintf(title + len, n - (size_t)len, "-1, %llu samples",
                 (unsigned long long)a->samples);
    mg_snapshot_options o = {
        .every = a->every ? (int)a->every : -1, .steps = (int)a->steps,
        .title = a->viz.title ? a->viz.title : title, .graph_format = a->format,
        .viz = &a->viz, .sample_viz = &a->viz, .graph_json = a->json,
        .log_loss = a->log_loss, .predict = mlp_score, .predict_ctx = &t->score,
        .X = t->X, .label = t->y, .n = a->samples,
    };
    if (a->inspector)
        o.inspector = a->graphs & GRAPH_SAMPLE ? MG_SNAPSHOT_INSPECT_SAMPLE
                      : a->graphs & GRAPH_BATCH ? MG_SNAPSHOT_INSPECT_LOSS
                                                : MG_SNAPSHOT_INSPECT_NONE;
    return mg_snapshot_open(a->out, &o, err);
}

/* Draws sample 0's own loss graph with its grads, leaving the batch grads
 * that the update needs as they were. */
static mg_code snapshot_sample(trainer *t, int step, mg_error *err)
{
    for (size_t i = 0; i < t->nparams; i++)
        t->saved_grads[i] = t->params[i]->grad;
    mg_mlp_zero_grad(t->model);
    mg_value *in[2] = { mg_input(t->g, t->X[0]), mg_input(t->g, t->X[1]) }, *score = NULL;
    mg_scope_push(t->g, "sample0");
    mg_mlp_forward(t->model, in, &score);
    mg_value *loss = mg_loss_svm(&score, t->y, 1);
    mg_scope_pop(t->g);
    mg_code rc = mg_backward(loss);
    if (rc != MG_OK)
        mg_error_set(err, rc, "sample graph: %s", mg_graph_error(t->g));
    else
        rc = mg_snapshot_sample(t->snap, step, loss, err);
    for (size_t i = 0; i < t->nparams; i++)
        t->params[i]->grad = t->saved_grads[i];
    return rc;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One full-batch step: forward, backward, pictures when due, update. */
static int step(trainer *t, int k, double *picture_time, mg_error *err)
{
    const train_args *a = t->a;
    double accuracy = NAN;
    mg_value *loss = mg_mlp_svm_loss(t->model, t->X, t->y, a->samples, a->alpha, &accuracy);
    mg_mlp_zero_grad(t->model);
    if (!loss || mg_backward(loss) != MG_OK)
        return mg_error_set(err, MG_EINVAL, "step %d: %s", k, mg_graph_error(t->g)), CLI_BAD;
    double value = loss->data, t0 = seconds();
    bool due = mg_snapshot_due(t->snap, k);
    mg_code rc = mg_snapshot_step(t->snap, k, a->graphs & GRAPH_BATCH ? loss : NULL, value,
                                  accuracy, err);
    /* Drop the batch graph now (the parameters and their grads are kept) so
     * a sample graph's node ids follow the parameters': its inspector page
     * then holds a thousand nodes, not the batch's 65k as well. */
    mg_graph_reset(t->g);
    if (rc == MG_OK && due && (a->graphs & GRAPH_SAMPLE))
        rc = snapshot_sample(t, k, err);
    *picture_time += seconds() - t0;
    if (rc != MG_OK)
        return CLI_USAGE;
    if (!a->quiet)
        printf("step %4d  loss %.6f  accuracy %5.1f%%%s\n", k, value, accuracy * 100,
               due ? "  saved" : "");
    mg_sgd_step(t->params, t->nparams, a->lr * (1.0 - 0.9 * k / (double)a->steps));
    mg_graph_reset(t->g);
    return CLI_OK;
}

static int train(const train_args *a)
{
    trainer t = { .a = a };
    mg_error err = { 0 };
    char title[128];
    int rc = setup(&t, &err);
    if (rc == CLI_OK && !(t.snap = open_snapshots(&t, title, sizeof title, &err)))
        rc = CLI_USAGE;
    double start = seconds(), pictures = 0;
    for (int k = 0; rc == CLI_OK && k < (int)a->steps; k++)
        rc = step(&t, k, &pictures, &err);
    size_t saved = mg_snapshot_saved(t.snap);
    double t0 = seconds();
    mg_error close_err = { 0 };
    if (mg_snapshot_close(t.snap, &close_err) != MG_OK && rc == CLI_OK) {
        err = close_err;
        rc = CLI_USAGE;
    }
    pictures += seconds() - t0;
    if (rc == CLI_OK)
        printf("%llu steps in %.2f s (%.2f s of it drawing); wrote %s/index.html, "
               "snapshots.json, loss.png and %zu saved steps\n",
               (unsigned long long)a->steps, seconds() - start, pictures, a->out, saved);
    else
        cli_fail(CMD, rc, "%s", err.message);
    trainer_free(&t);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    bool tensor = false;
    const char *dataset = dataset_of(argc, argv, &tensor);
    if (tensor || strcmp(dataset, "moons") != 0) {
        if (cmd_train_tensor)
            return cmd_train_tensor(argc, argv);
        return cli_fail(CMD, CLI_USAGE, "dataset '%s'%s needs the tensor trainer, which this "
                        "build of mgviz does not include", dataset, tensor ? " with --tensor" : "");
    }
    train_args a;
    int rc = parse_args(argc, argv, &a);
    return rc >= 0 ? rc : train(&a);
}
