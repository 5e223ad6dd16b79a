/* cmd_train_tensor.c — the command line of `mgviz train` on tensors
 * (--dataset fashion-mnist, or --dataset moons --tensor); the loop itself is
 * train_tensor.c. cmd_train() hands its argv over for those datasets. */
#include "cmd_train_tensor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mg_idx.h"
#include "train_tensor.h"
#include "train_tensor_snapshot.h"

static const char CMD[] = "train";

static const char help[] =
    "Usage: mgviz train --dataset fashion-mnist [OPTIONS]\n"
    "       mgviz train --dataset moons --tensor [OPTIONS]\n"
    "\n"
    "Trains an MLP on tensors: relu hidden layers, logits out, cross-entropy\n"
    "(Fashion-MNIST) or micrograd's max-margin loss + L2 (moons, full batch).\n"
    "\n"
    "Options:\n"
    "  --hidden N[,N...]     hidden layer sizes (fashion: 128; moons: 16,16)\n"
    "  --epochs N            passes over the data (fashion: 10; moons: 100 steps)\n"
    "  --batch N             mini-batch size (64)\n"
    "  --optimizer NAME      sgd, momentum or adam (adam; moons: sgd)\n"
    "  --lr X                learning rate (sgd 0.1, momentum 0.05, adam 0.002; moons:\n"
    "                        sgd 1.0, adam 0.01)\n"
    "  --momentum X          SGD momentum (0.9 with --optimizer momentum)\n"
    "  --weight-decay X      L2 weight decay (0)\n"
    "  --schedule NAME       cosine (default) or constant learning rate\n"
    "  --seed N              seeds initialisation and shuffling (1)\n"
    "  --threads N           kernel threads for matrix products and updates (1)\n"
    "  --save FILE           write a checkpoint after every epoch (atomically)\n"
    "  --resume FILE         continue from a checkpoint of the same model\n"
    "  --data-dir DIR        Fashion-MNIST's IDX files (" MG_FASHION_MNIST_DIR ")\n"
    "  --limit N             train on the first N samples only\n"
    "  --test-limit N        test on the first N samples only\n"
    "  --progress, --no-progress   redraw a progress bar (default: when stdout is a terminal)\n"
    "\n"
    "Snapshots (on when --out or --snapshot-every is given):\n"
    "  --out DIR             the directory, created if needed (mgviz-train)\n"
    "  --snapshot-every K    draw the step's tensor graph every K steps and the\n"
    "                        last (moons: 10; fashion: 500): each tensor shows\n"
    "                        its shape, data/grad min, max, mean, L2 norm and\n"
    "                        heatmaps of data and grad; moons also the decision\n"
    "                        boundary. loss.png, snapshots.json and index.html\n"
    "                        list the steps (see mgviz train --help)\n"
    "  --format svg|png|dot  graph pictures (svg: heatmaps embedded as data: URIs;\n"
    "                        dot: summaries only)\n"
    "  --no-heatmaps         summaries only\n"
    "  --json                also write each step's graph as graph JSON\n"
    "\n"
    "Example:\n"
    "  mgviz train --dataset fashion-mnist --epochs 10 --save fmnist.ckpt\n"
    "  mgviz train --dataset moons --tensor --snapshot-every 50 --format png --out run\n";

/* "128,64" into sizes; false when it is not 1..TRAIN_MAX_HIDDEN positive numbers. */
static bool parse_sizes(const char *text, train_tensor_options *o)
{
    o->nhidden = 0;
    if (!*text) /* no hidden layer: a linear model */
        return true;
    const char *p = text;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 1 << 20 || o->nhidden == TRAIN_MAX_HIDDEN)
            return false;
        o->hidden[o->nhidden++] = (int)v;
        if (*end == ',' && end[1])
            end++;
        else if (*end)
            return false;
        p = end;
    }
    return true;
}

static bool parse_int(const char *text, int lo, int *out)
{
    uint64_t v;
    if (!cli_parse_u64(text, &v) || v < (uint64_t)lo || v > 1u << 30)
        return false;
    *out = (int)v;
    return true;
}

/* What the user set explicitly, applied after the optimiser's defaults. */
typedef struct explicit_values {
    const char *optimizer, *schedule, *hidden, *dataset;
    double lr, momentum, weight_decay;
    bool has_lr, has_momentum;
    bool snapshots;           /* --out or --snapshot-every given */
    tsnap snap;
} explicit_values;

/* Prints a usage error about an option's value; returns the exit code. */
static int bad_value(const char *name, const char *value)
{
    return cli_fail(CMD, CLI_USAGE, "%s: bad value '%s' (see mgviz train --help)", name, value);
}

/* The same, as parse_option()'s "error" result. */
static int bad_option(const char *name, const char *value)
{
    bad_value(name, value);
    return -1;
}

/* An integer option's value (>= lo): 1, or -1 with the error printed. */
static int int_option(const char *name, const char *v, int lo, int *out)
{
    return parse_int(v, lo, out) ? 1 : bad_option(name, v);
}

/* A number option's value; *set (may be NULL) records that it was given. */
static int double_option(const char *name, const char *v, double *out, bool *set)
{
    if (!cli_parse_double(v, out))
        return bad_option(name, v);
    if (set)
        *set = true;
    return 1;
}

/* One option at argv[*i]: 1 handled, 0 unknown, -1 error (printed). */
static int parse_option(int argc, char **argv, int *i, train_tensor_options *o,
                        explicit_values *e)
{
    const char *v;
    int r;
#define VALUE(name) ((r = cli_value(CMD, argc, argv, i, name, &v)) != 0)
    if (cli_flag(argv[*i], "--tensor"))
        return 1;
    if (cli_flag(argv[*i], "--progress") || cli_flag(argv[*i], "--no-progress")) {
        o->progress = cli_flag(argv[*i], "--progress");
        return 1;
    }
    if (cli_flag(argv[*i], "--no-heatmaps") || cli_flag(argv[*i], "--json")) {
        bool *flag = argv[*i][2] == 'n' ? &e->snap.viz.no_heatmaps : &e->snap.graph_json;
        *flag = true;
        return 1;
    }
    if (VALUE("--out"))
        return r < 0 ? -1 : (e->snap.dir = v, e->snapshots = true, 1);
    if (VALUE("--snapshot-every"))
        return r < 0 ? -1 : (e->snapshots = true, int_option("--snapshot-every", v, 1, &e->snap.every));
    if (VALUE("--format")) {
        if (r < 0)
            return -1;
        if (strcmp(v, "svg") && strcmp(v, "png") && strcmp(v, "dot"))
            return bad_option("--format", v);
        e->snap.format = v;
        return 1;
    }
    if (VALUE("--dataset"))
        return r < 0 ? -1 : (e->dataset = v, 1);
    if (VALUE("--hidden"))
        return r < 0 ? -1 : (e->hidden = v, 1);
    if (VALUE("--optimizer") || VALUE("--optim"))
        return r < 0 ? -1 : (e->optimizer = v, 1);
    if (VALUE("--schedule"))
        return r < 0 ? -1 : (e->schedule = v, 1);
    if (VALUE("--save") || VALUE("--checkpoint"))
        return r < 0 ? -1 : (o->save = v, 1);
    if (VALUE("--resume"))
        return r < 0 ? -1 : (o->resume = v, 1);
    if (VALUE("--data-dir"))
        return r < 0 ? -1 : (o->data_dir = v, 1);
    if (VALUE("--epochs"))
        return r < 0 ? -1 : int_option("--epochs", v, 1, &o->epochs);
    if (VALUE("--batch") || VALUE("--batch-size"))
        return r < 0 ? -1 : int_option("--batch", v, 1, &o->batch);
    if (VALUE("--threads"))
        return r < 0 ? -1 : int_option("--threads", v, 1, &o->threads);
    if (VALUE("--limit"))
        return r < 0 ? -1 : int_option("--limit", v, 1, &o->limit_train);
    if (VALUE("--test-limit"))
        return r < 0 ? -1 : int_option("--test-limit", v, 1, &o->limit_test);
    if (VALUE("--seed"))
        return r < 0 ? -1 : cli_parse_u64(v, &o->seed) ? 1 : bad_option("--seed", v);
    if (VALUE("--lr"))
        return r < 0 ? -1 : double_option("--lr", v, &e->lr, &e->has_lr);
    if (VALUE("--momentum"))
        return r < 0 ? -1 : double_option("--momentum", v, &e->momentum, &e->has_momentum);
    if (VALUE("--weight-decay"))
        return r < 0 ? -1 : double_option("--weight-decay", v, &e->weight_decay, NULL);
#undef VALUE
    return 0;
}

/* Applies the optimiser's defaults, then what the user gave. */
static int apply(train_tensor_options *o, const explicit_values *e)
{
    if (e->optimizer) {
        if (strcmp(e->optimizer, "adam") == 0) {
            o->optim = mg_optim_defaults(MG_OPTIM_ADAM);
            o->optim.lr = o->dataset == TRAIN_MOONS ? 0.01 : 0.002;
        } else if (strcmp(e->optimizer, "sgd") == 0) {
            o->optim = mg_optim_defaults(MG_OPTIM_SGD);
            o->optim.lr = o->dataset == TRAIN_MOONS ? 1.0 : 0.1;
        } else if (strcmp(e->optimizer, "momentum") == 0) {
            o->optim = mg_optim_defaults(MG_OPTIM_SGD);
            o->optim.lr = 0.05;
            o->optim.momentum = 0.9;
        } else {
            return bad_value("--optimizer", e->optimizer);
        }
    }
    if (e->schedule) {
        if (strcmp(e->schedule, "cosine") != 0 && strcmp(e->schedule, "constant") != 0)
            return bad_value("--schedule", e->schedule);
        o->cosine = strcmp(e->schedule, "cosine") == 0;
    }
    if (e->hidden && !parse_sizes(e->hidden, o))
        return bad_value("--hidden", e->hidden);
    if (e->has_lr)
        o->optim.lr = e->lr;
    if (e->has_momentum)
        o->optim.momentum = e->momentum;
    o->optim.weight_decay = e->weight_decay;
    return CLI_OK;
}

/* Fills in the snapshot defaults and hooks the snapshots into the run. */
static void start_snapshots(train_tensor_options *o, explicit_values *e)
{
    tsnap *s = &e->snap;
    if (!s->dir)
        s->dir = "mgviz-train";
    if (!s->every)
        s->every = o->dataset == TRAIN_MOONS ? 10 : 500;
    if (!s->format)
        s->format = "svg";
    s->title = o->dataset == TRAIN_MOONS ? "moons MLP on tensors" : "Fashion-MNIST MLP";
    s->viz.max_inches = 100; /* tensor tables are wide: keep their text legible */
    o->on_step = tsnap_step;
    o->step_ctx = s;
}

/* Closes the snapshots (even after a failed run) and says where they are;
 * the first failure wins. */
static mg_code finish_snapshots(tsnap *s, mg_code rc, mg_error *err)
{
    bool opened = s->run != NULL;
    mg_error close_err;
    mg_code crc = tsnap_close(s, &close_err);
    if (rc == MG_OK && crc != MG_OK) {
        *err = close_err;
        return crc;
    }
    if (rc == MG_OK && opened)
        printf("snapshots in %s/: index.html, snapshots.json, loss.png\n", s->dir);
    return rc;
}

int cmd_train_tensor(int argc, char **argv)
{
    explicit_values e = { 0 };
    /* the dataset picks the defaults, so find it first */
    for (int i = 1; i < argc; i++)
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(help, stdout);
            return CLI_OK;
        }
    train_dataset ds = TRAIN_FASHION_MNIST;
    for (int i = 1; i + 1 < argc; i++)
        if (cli_flag(argv[i], "--dataset") && strcmp(argv[i + 1], "moons") == 0)
            ds = TRAIN_MOONS;
    train_tensor_options o = train_tensor_defaults(ds);
    o.progress = isatty(STDOUT_FILENO);
    for (int i = 1; i < argc; i++) {
        int r = parse_option(argc, argv, &i, &o, &e);
        if (r < 0)
            return CLI_USAGE;
        if (r == 0)
            return cli_fail(CMD, CLI_USAGE, "unknown argument '%s' (see mgviz train --help)",
                            argv[i]);
    }
    if (e.dataset && strcmp(e.dataset, "fashion-mnist") != 0 && strcmp(e.dataset, "moons") != 0)
        return bad_value("--dataset", e.dataset);
    int rc = apply(&o, &e);
    if (rc != CLI_OK)
        return rc;
    if (e.snapshots)
        start_snapshots(&o, &e);
    mg_error err;
    mg_error_clear(&err);
    train_tensor_result res;
    mg_code trc = train_tensor_run(&o, stdout, &res, &err);
    if (e.snapshots)
        trc = finish_snapshots(&e.snap, trc, &err);
    if (trc != MG_OK)
        return cli_fail(CMD, err.code == MG_EIO ? CLI_USAGE : CLI_BAD, "%s", err.message);
    return CLI_OK;
}
