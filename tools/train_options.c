/* train_options.c — the command line of `mgviz train` as one table: each
 * row is an option with its argument, kind, range, what it needs of the
 * dataset or engine, and its help line. Help, parsing, range errors and the
 * options run.json records are all read from the rows, so an option means
 * the same thing for every dataset and model. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mg_idx.h"
#include "mg_run.h"
#include "train_config.h"

#define CMD "train"

typedef enum opt_kind {
    OPT_FLAG,    /* bool */
    OPT_WHOLE,   /* uint64_t in [lo, hi] */
    OPT_REAL,    /* double in [rlo, rhi] ((rlo, rhi] when lo_open) */
    OPT_TEXT,    /* const char * */
    OPT_CHOICE,  /* const char *, one of choices */
} opt_kind;

/* A default that depends on the dataset: which field of its row. */
typedef enum per_dataset {
    BY_NONE = 0, BY_HIDDEN, BY_LENGTH, BY_BATCH, BY_OPTIMIZER, BY_LR, BY_SCHEDULE,
    BY_LOG_EVERY, BY_SNAPSHOT_EVERY, BY_ENGINE, BY_EVAL_EVERY
} per_dataset;

typedef struct option_row {
    const char *name, *arg;       /* "--steps", "N" (NULL: a flag) */
    opt_kind kind;
    size_t offset;                /* of the value in train_config */
    uint64_t lo, hi;
    double rlo, rhi;
    bool lo_open;
    const char *const *choices;   /* NULL-terminated; NULL: from a table */
    unsigned needs;               /* NEEDS_* */
    const char *dflt;             /* the default as help shows it */
    per_dataset by;               /* or a default per dataset */
    const char *section, *help;
} option_row;

static const char *const graphs[] = { "both", "batch", "sample", "none", NULL };
static const char *const formats[] = { "svg", "png", "dot", NULL };
static const char *const optimizers[] = { "sgd", "momentum", "adam", "adamw", NULL };
static const char *const schedules[] = { "constant", "linear", "cosine", NULL };
static const char *const engines[] = { "scalar", "tensor", NULL };

#define AT(field) offsetof(train_config, field)
#define DATA "Data and model"
#define TRAIN "Training"
#define RUN "The run directory"
#define PICS "Snapshots: pictures of saved steps"
#define TERM "The terminal"
#define LIVE "Watching it live"

static const option_row rows[] = {
    { "--dataset", NULL, OPT_CHOICE, AT(dataset), .dflt = "moons", .section = DATA,
      .help = "what to learn" },
    { "--model", NULL, OPT_CHOICE, AT(model), .dflt = "mlp", .section = DATA,
      .help = "what learns it" },
    { "--engine", NULL, OPT_CHOICE, AT(engine), .choices = engines, .by = BY_ENGINE,
      .section = DATA,
      .help = "scalar: one node per number, micrograd's Value; tensor: one node per "
              "array" },
    { "--tensor", NULL, OPT_FLAG, AT(tensor), .section = DATA, .help = "the same as --engine tensor" },
    { "--hidden", "W,W,...", OPT_TEXT, AT(hidden_text), .by = BY_HIDDEN, .section = DATA,
      .help = "hidden layer widths, 1 to 8 of 1..100000 (\"\": none, a linear model)" },
    { "--samples", "N", OPT_WHOLE, AT(samples), 2, 1000000, .needs = NEEDS_POINTS,
      .dflt = "100", .section = DATA,
      .help = "points generated (scalar engine: at most 5000)" },
    { "--noise", "X", OPT_REAL, AT(noise), .rlo = 0, .rhi = 10, .needs = NEEDS_POINTS,
      .dflt = "0.1", .section = DATA, .help = "Gaussian noise of the points" },
    { "--data-dir", "DIR", OPT_TEXT, AT(data_dir), .needs = NEEDS_FILES,
      .dflt = MG_FASHION_MNIST_DIR, .section = DATA,
      .help = "where the dataset's files are" },
    { "--limit", "N", OPT_WHOLE, AT(limit), 1, 1u << 30, .needs = NEEDS_FILES, .dflt = "all",
      .section = DATA, .help = "train on the first N training samples" },
    { "--test-limit", "N", OPT_WHOLE, AT(test_limit), 1, 1u << 30, .needs = NEEDS_FILES,
      .dflt = "all", .section = DATA, .help = "test on the first N test samples" },
    { "--context", "N", OPT_WHOLE, AT(context), 1, 4096, .needs = NEEDS_TEXT,
      .dflt = "mlp 3, gpt 64", .section = DATA,
      .help = "tokens a language model reads before the one it predicts (gpt: its block "
              "size; mlp: at most 64)" },
    { "--embd", "N", OPT_WHOLE, AT(embd), 1, 4096, .needs = NEEDS_TEXT,
      .dflt = "mlp 10, gpt 64", .section = DATA,
      .help = "width of a token's embedding (gpt: of the residual stream)" },
    { "--layers", "N", OPT_WHOLE, AT(layers), 1, 32, .needs = NEEDS_GPT, .dflt = "4",
      .section = DATA, .help = "transformer blocks of --model gpt" },
    { "--heads", "N", OPT_WHOLE, AT(heads), 1, 64, .needs = NEEDS_GPT, .dflt = "4",
      .section = DATA, .help = "attention heads per block, dividing --embd" },

    { "--steps", "N", OPT_WHOLE, AT(steps), 1, 100000000, .by = BY_LENGTH, .section = TRAIN,
      .help = "optimiser steps in all (or --epochs; not both)" },
    { "--epochs", "N", OPT_WHOLE, AT(epochs), 1, 100000, .by = BY_LENGTH, .section = TRAIN,
      .help = "passes over the training data" },
    { "--batch", "N", OPT_WHOLE, AT(batch), 1, 1u << 20, .by = BY_BATCH, .section = TRAIN,
      .help = "samples per step (full batch: all of them)" },
    { "--optimizer", NULL, OPT_CHOICE, AT(optimizer), .choices = optimizers,
      .by = BY_OPTIMIZER, .section = TRAIN,
      .help = "momentum, adam and adamw need --engine tensor" },
    { "--lr", "X", OPT_REAL, AT(lr), .rlo = 0, .lo_open = true, .rhi = 1e6, .by = BY_LR,
      .section = TRAIN, .help = "learning rate, > 0 (the peak of --schedule)" },
    { "--schedule", NULL, OPT_CHOICE, AT(schedule), .choices = schedules, .by = BY_SCHEDULE,
      .section = TRAIN,
      .help = "learning rate over the run: linear decays to 0.1 lr (micrograd's demo), "
              "cosine to 0" },
    { "--warmup", "N", OPT_WHOLE, AT(warmup), 0, 100000000, .dflt = "0", .section = TRAIN,
      .help = "steps of linear warmup before the schedule" },
    { "--momentum", "X", OPT_REAL, AT(momentum), .rlo = 0, .rhi = 0.9999,
      .needs = NEEDS_TENSOR, .dflt = "0.9 with momentum", .section = TRAIN,
      .help = "SGD momentum" },
    { "--weight-decay", "X", OPT_REAL, AT(weight_decay), .rlo = 0, .rhi = 10,
      .needs = NEEDS_TENSOR, .dflt = "0; 0.01 with adamw", .section = TRAIN,
      .help = "L2 weight decay in the optimiser (adamw: decoupled, on weights and tables, "
              "not on biases and norms)" },
    { "--grad-clip", "X", OPT_REAL, AT(grad_clip), .rlo = 0, .rhi = 1e6, .needs = NEEDS_TEXT,
      .dflt = "1", .section = TRAIN,
      .help = "scale the gradients down to this global norm when above it (0: never)" },
    { "--eval-every", "K", OPT_WHOLE, AT(eval_every), 1, 100000000, .needs = NEEDS_TEXT,
      .by = BY_EVAL_EVERY, .section = TRAIN,
      .help = "measure the val loss (and save --save) every K steps" },
    { "--alpha", "X", OPT_REAL, AT(alpha), .rlo = 0, .rhi = 10, .needs = NEEDS_POINTS,
      .dflt = "1e-4", .section = TRAIN, .help = "L2 term in the moons loss" },
    { "--seed", "N", OPT_WHOLE, AT(seed), 0, UINT64_MAX, .dflt = "1337", .section = TRAIN,
      .help = "seeds the data, weights and shuffling" },
    { "--threads", "N", OPT_WHOLE, AT(threads), 1, 256, .needs = NEEDS_TENSOR, .dflt = "1",
      .section = TRAIN, .help = "kernel threads for matrix products and updates" },
    { "--save", "FILE", OPT_TEXT, AT(save), .section = TRAIN,
      .help = "write a checkpoint after every epoch (atomically)" },
    { "--resume", "FILE", OPT_TEXT, AT(resume), .section = TRAIN,
      .help = "continue from a checkpoint of the same model" },

    { "--out", "DIR", OPT_TEXT, AT(out), .dflt = "a new dated directory under --runs",
      .section = RUN, .help = "the run's directory; refused when not empty" },
    { "--runs", "DIR", OPT_TEXT, AT(runs), .dflt = "mgviz-runs", .section = RUN,
      .help = "where new run directories are made" },
    { "--force", NULL, OPT_FLAG, AT(force), .section = RUN,
      .help = "replace the run in a non-empty --out (its run files only; other files "
              "stay)" },
    { "--log-every", "K", OPT_WHOLE, AT(log_every), 1, 100000000, .by = BY_LOG_EVERY,
      .section = RUN,
      .help = "record loss, accuracy and per-layer health every K steps (and the last)" },
    { "--keep-going", NULL, OPT_FLAG, AT(keep_going), .section = RUN,
      .help = "go on after a non-finite loss instead of stopping" },

    { "--snapshot-every", "K", OPT_WHOLE, AT(snapshot_every), 0, 100000000,
      .by = BY_SNAPSHOT_EVERY, .section = PICS,
      .help = "save pictures every K steps and at the last (0: none)" },
    { "--sample", "N|worst", OPT_TEXT, AT(sample), .dflt = "worst", .section = PICS,
      .help = "the sample whose own graph is drawn: the one with the largest loss at "
              "that step, or sample N of the dataset" },
    { "--graph", NULL, OPT_CHOICE, AT(graph), .choices = graphs, .dflt = "both",
      .section = PICS, .help = "graphs drawn at saved steps: the batch's, the sample's" },
    { "--format", NULL, OPT_CHOICE, AT(format), .choices = formats, .dflt = "svg",
      .section = PICS, .help = "format of the graph pictures" },
    { "--json", NULL, OPT_FLAG, AT(json), .section = PICS,
      .help = "also write each drawn graph as graph JSON" },
    { "--inspector", NULL, OPT_FLAG, AT(inspector), .section = PICS,
      .help = "also write inspector.html: the HTML inspector with a step slider (of the "
              "sample graph, or of the batch graph with --graph batch)" },
    { "--no-heatmaps", NULL, OPT_FLAG, AT(no_heatmaps), .section = PICS,
      .help = "tensors drawn with summaries only" },
    { "--log-loss", NULL, OPT_FLAG, AT(log_loss), .section = PICS,
      .help = "loss curve on a log axis" },
    { "--smoothing", "X", OPT_REAL, AT(smoothing), .rlo = 0, .rhi = 0.999,
      .dflt = "0.6 with mini-batches, 0 with the full batch", .section = PICS,
      .help = "loss curve: an exponential moving average of weight X drawn over the raw "
              "curve (TensorBoard's smoothing)" },

    { "--quiet", NULL, OPT_FLAG, AT(quiet), .section = TERM,
      .help = "print only warnings, errors and where the run is" },
    { "--progress", NULL, OPT_FLAG, AT(progress), .section = TERM,
      .help = "redraw one progress line (the default on a terminal)" },
    { "--no-progress", NULL, OPT_FLAG, AT(no_progress), .section = TERM,
      .help = "print a line per logged step instead" },

    { "--serve", NULL, OPT_FLAG, AT(serve), .section = LIVE,
      .help = "serve the run to a browser as it trains (mgviz serve's page:\n"
              "curves, layer health, pictures), print its address, and\n"
              "keep serving after the run until Ctrl-C" },
    { "--host", "ADDR", OPT_TEXT, AT(host), .dflt = "127.0.0.1", .section = LIVE,
      .help = "with --serve: the numeric address to listen on" },
    { "--port", "N", OPT_WHOLE, AT(port), 0, 65535, .dflt = "6180; 0: any free port",
      .section = LIVE, .help = "with --serve: the port" },
};
enum { NROWS = sizeof rows / sizeof rows[0] };
_Static_assert((int)NROWS <= (int)TRAIN_MAX_OPTIONS, "train_config.given holds a flag per row");

/* ---- the tables' names ---- */

/* Names of a table's rows (name at offset `at` of rows `size` bytes apart). */
static const char *const *names_of(const void *table, size_t size, const char **out, int cap)
{
    int n = 0;
    for (const char *row = table; n + 1 < cap && *(const char *const *)row; row += size)
        out[n++] = *(const char *const *)row;
    out[n] = NULL;
    return out;
}

static const char *const *choices_of(const option_row *r, const char **buf, int cap)
{
    if (r->choices)
        return r->choices;
    if (r->offset == AT(dataset))
        return names_of(train_datasets, sizeof *train_datasets, buf, cap);
    return names_of(train_models, sizeof *train_models, buf, cap);
}

/* "moons|fashion-mnist": a choice's argument as help shows it. */
static void choice_arg(const option_row *r, char *buf, size_t n)
{
    const char *names[16];
    const char *const *c = choices_of(r, names, 16);
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; c[k] && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", k ? "|" : "", c[k]);
}

/* ---- help ---- */

static const char intro[] =
    "Usage: mgviz train [OPTIONS]\n"
    "\n"
    "Trains a model and records the run, as data and as pictures. The default is\n"
    "micrograd's demo: an MLP 2-16-16-1 (relu) learns two moons with the SVM loss\n"
    "plus L2, full batch, on the scalar engine (one node per number); Fashion-MNIST\n"
    "trains on tensors, and so do the language models: makemore's MLP or a GPT\n"
    "learning words or fortunes a character at a time (then: mgviz sample). Every\n"
    "option means the same for every dataset and model.\n"
    "\n"
    "A run is a directory (a new dated one under mgviz-runs/ unless --out):\n"
    "  run.json              the run: command, dataset, model, options, layers\n"
    "  steps.jsonl           a line per logged step (loss, accuracy, learning\n"
    "                        rate, per-layer health, warnings) and events (test\n"
    "                        accuracy per epoch, the end); readable while written\n"
    "  index.html            the loss curve and every saved step's pictures\n"
    "  loss.png              the loss curve\n"
    "  snapshots.json        the saved steps and their files\n"
    "  snapshots/            per saved step: the batch's loss graph, the graph of\n"
    "                        the sample with the largest loss, the decision\n"
    "                        boundary (moons), and step-NNNNNN.json naming them\n"
    "Steps count from 0; files are named by the step. A non-finite loss stops the\n"
    "run (exit 1) unless --keep-going.\n";

static const char outro[] =
    "\n"
    "Exit codes: 0 done; 1 training failed (non-finite loss, bad data or\n"
    "checkpoint); 2 a usage or I/O error; 130 interrupted (Ctrl-C; the run\n"
    "directory is complete up to the last step).\n"
    "\n"
    "Examples:\n"
    "  mgviz train                                   # micrograd's demo\n"
    "  mgviz train --steps 200 --hidden 8,8 --out run2 --force\n"
    "  mgviz train --dataset moons --engine tensor --optimizer adam\n"
    "  mgviz train --dataset fashion-mnist --epochs 5 --save f.ckpt\n"
    "  mgviz train --dataset fashion-mnist --epochs 10 --resume f.ckpt\n"
    "  mgviz train --dataset words --model mlp --save words.ckpt\n"
    "  mgviz train --dataset fortunes --model gpt --save gpt.ckpt\n"
    "  mgviz sample gpt.ckpt --temperature 0.8\n";

/* The default of row r for dataset d, as text. */
static void dataset_default(const option_row *r, const train_dataset *d, char *buf, size_t n)
{
    switch (r->by) {
    case BY_HIDDEN: snprintf(buf, n, "%s", d->hidden); break;
    case BY_LENGTH:
        snprintf(buf, n, d->steps ? "%llu steps" : "%llu epochs",
                 (unsigned long long)(d->steps ? d->steps : d->epochs));
        break;
    case BY_BATCH:
        if (d->batch)
            snprintf(buf, n, "%llu", (unsigned long long)d->batch);
        else
            snprintf(buf, n, "full batch");
        break;
    case BY_OPTIMIZER: snprintf(buf, n, "%s", d->optimizer); break;
    case BY_LR:
        snprintf(buf, n, "sgd %g, momentum %g, adam(w) %g", d->lr_sgd, d->lr_momentum,
                 d->lr_adam);
        break;
    case BY_SCHEDULE: snprintf(buf, n, "%s", d->schedule); break;
    case BY_LOG_EVERY: snprintf(buf, n, "%llu", (unsigned long long)d->log_every); break;
    case BY_SNAPSHOT_EVERY:
        snprintf(buf, n, "%llu", (unsigned long long)d->snapshot_every);
        break;
    case BY_EVAL_EVERY: snprintf(buf, n, "%llu", (unsigned long long)d->eval_every); break;
    case BY_ENGINE: snprintf(buf, n, "%.*s", (int)strcspn(d->engines, ","), d->engines); break;
    default: buf[0] = '\0';
    }
}

enum { HELP_INDENT = 26, HELP_WIDTH = 80 };

/* Prints text's words from column col on (col characters are on the line),
 * wrapped at HELP_WIDTH with continuation lines indented to HELP_INDENT. */
static void wrap(const char *text, int col)
{
    bool first = true;
    for (const char *p = text; *p;) {
        p += strspn(p, " ");
        int len = (int)strcspn(p, " ");
        if (!len)
            break;
        if (!first && col + 1 + len > HELP_WIDTH) {
            printf("\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        printf("%.*s", len, p);
        col += len;
        p += len;
        first = false;
    }
}

/* One option's lines: "  --name ARG   help (default X)", wrapped, then
 * its defaults per dataset when they differ by dataset. */
static void print_row(const option_row *r)
{
    char term[160], arg[96], text[512];
    if (r->kind == OPT_CHOICE)
        choice_arg(r, arg, sizeof arg);
    snprintf(term, sizeof term, "%s%s%s", r->name, r->arg || r->kind == OPT_CHOICE ? " " : "",
             r->kind == OPT_CHOICE ? arg : r->arg ? r->arg : "");
    int col = printf("  %-22s  ", term);
    snprintf(text, sizeof text, "%s%s%s%s", r->help, r->dflt ? " (default " : "",
             r->dflt ? r->dflt : "", r->dflt ? ")" : "");
    wrap(text, col);
    if (r->by) {
        size_t len = (size_t)snprintf(text, sizeof text, "default:");
        for (const train_dataset *d = train_datasets; d->name && len < sizeof text; d++) {
            if (r->by == BY_EVAL_EVERY && !d->eval_every)
                continue; /* not a language model's */
            char value[96];
            dataset_default(r, d, value, sizeof value);
            len += (size_t)snprintf(text + len, sizeof text - len, " %s %s%s", d->name, value,
                                    d[1].name ? ";" : "");
        }
        printf("\n%*s", HELP_INDENT, "");
        wrap(text, HELP_INDENT);
    }
    putchar('\n');
}

static void print_help(void)
{
    fputs(intro, stdout);
    const char *section = NULL;
    for (int i = 0; i < NROWS; i++) {
        if (!section || strcmp(section, rows[i].section) != 0)
            printf("\n%s:\n", section = rows[i].section);
        print_row(&rows[i]);
    }
    printf("  -h, --help              this help\n\nDrawing the graphs:\n%s%s", cli_viz_help,
           outro);
}

/* ---- parsing one argument ---- */

static void *field(train_config *c, const option_row *r) { return (char *)c + r->offset; }

/* Stores text as row r's value: true, or false with the message printed. */
static bool store(train_config *c, const option_row *r, const char *text)
{
    const char *names[16];
    size_t k;
    switch (r->kind) {
    case OPT_WHOLE:
        return cli_whole_in(CMD, r->name, text, r->lo, r->hi, field(c, r));
    case OPT_REAL:
        return cli_real_in(CMD, r->name, text, r->rlo, r->lo_open, r->rhi, field(c, r));
    case OPT_CHOICE:
        if (!cli_choice(CMD, r->name, text, choices_of(r, names, 16), &k))
            return false;
        *(const char **)field(c, r) = choices_of(r, names, 16)[k];
        return true;
    default:
        *(const char **)field(c, r) = text;
        return true;
    }
}

/* argv[*i] as an option row: -1 to go on, 0 when it is none, or an exit code. */
static int parse_row(int argc, char **argv, int *i, train_config *c)
{
    for (int k = 0; k < NROWS; k++) {
        const option_row *r = &rows[k];
        if (r->kind == OPT_FLAG) {
            if (!cli_flag(argv[*i], r->name))
                continue;
            *(bool *)field(c, r) = true;
            c->given[k] = true;
            return -1;
        }
        const char *v;
        int rc = cli_value(CMD, argc, argv, i, r->name, &v);
        if (rc == 0)
            continue;
        if (rc < 0 || !store(c, r, v))
            return CLI_USAGE;
        c->given[k] = true;
        return -1;
    }
    return 0;
}

static int row_index(const char *name)
{
    for (int k = 0; k < NROWS; k++)
        if (strcmp(rows[k].name, name) == 0)
            return k;
    return -1;
}

static bool given(const train_config *c, const char *name) { return c->given[row_index(name)]; }

/* ---- checks and defaults ---- */

static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static int pick_tables(train_config *c)
{
    for (c->data = train_datasets; strcmp(c->data->name, c->dataset) != 0; c->data++)
        ;
    for (c->net = train_models; strcmp(c->net->name, c->model) != 0; c->net++)
        ;
    if (given(c, "--tensor")) {
        if (given(c, "--engine") && strcmp(c->engine, "tensor") != 0)
            return cli_fail(CMD, CLI_USAGE, "--tensor and --engine %s contradict each other",
                            c->engine);
        c->engine = "tensor";
    }
    if (!c->engine) {
        static char first[32];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(c->data->engines, ","),
                 c->data->engines);
        c->engine = first;
    }
    if (c->net->datasets && !listed(c->net->datasets, c->dataset)) {
        char valid[128] = "";
        size_t len = 0;
        for (const char *p = c->net->datasets; *p && len < sizeof valid; p += *p == ',') {
            int n = (int)strcspn(p, ",");
            len += (size_t)snprintf(valid + len, sizeof valid - len, "%s%.*s",
                                    len ? " or " : "", n, p);
            p += n;
        }
        return cli_fail(CMD, CLI_USAGE, "--model %s learns text: --dataset %s, not %s",
                        c->model, valid, c->dataset);
    }
    if (!listed(c->data->engines, c->engine))
        return cli_fail(CMD, CLI_USAGE, "--engine %s: %s trains on the %s engine only",
                        c->engine, c->dataset, c->data->engines);
    if (!listed(c->net->engines, c->engine))
        return cli_fail(CMD, CLI_USAGE, "--engine %s: the %s model is built by the %s engine "
                        "only", c->engine, c->model, c->net->engines);
    return -1;
}

/* Options the dataset or engine cannot use are refused by name. */
static int check_needs(const train_config *c)
{
    unsigned have = c->data->provides | c->net->provides |
                    (strcmp(c->engine, "tensor") == 0 ? NEEDS_TENSOR : 0);
    for (int k = 0; k < NROWS; k++) {
        unsigned missing = rows[k].needs & ~have;
        if (!c->given[k] || !missing)
            continue;
        if (missing & NEEDS_TENSOR)
            return cli_fail(CMD, CLI_USAGE, "%s needs --engine tensor (the scalar engine "
                            "trains with plain SGD)", rows[k].name);
        if (missing & NEEDS_GPT)
            return cli_fail(CMD, CLI_USAGE, "%s applies to --model gpt, not %s", rows[k].name,
                            c->model);
        return cli_fail(CMD, CLI_USAGE, "%s does not apply to %s (it is for %s)", rows[k].name,
                        c->dataset, missing & NEEDS_POINTS ? "generated points: moons"
                                    : missing & NEEDS_TEXT ? "language models: words, fortunes"
                                                           : "datasets read from files");
    }
    return -1;
}

/* "16,16" into c->hidden; "" is no hidden layer. */
static int parse_hidden(train_config *c)
{
    c->nhidden = 0;
    for (const char *p = c->hidden_text; *p;) {
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w < 1 || w > 100000 || c->nhidden == TRAIN_MAX_HIDDEN ||
            (*end != ',' && *end != '\0') || (*end == ',' && !end[1]))
            return cli_fail(CMD, CLI_USAGE, "bad value '%s' for --hidden: expected 1 to %d "
                            "widths from 1 to 100000, e.g. 16,16 (or \"\" for none)",
                            c->hidden_text, TRAIN_MAX_HIDDEN);
        c->hidden[c->nhidden++] = (int)w;
        p = *end ? end + 1 : end;
    }
    return -1;
}

/* A language model's sizes: the model row's defaults, checked together. */
static int lm_defaults(train_config *c)
{
    const train_model *m = c->net;
    if (!given(c, "--context"))
        c->context = m->context;
    if (!given(c, "--embd"))
        c->embd = m->embd;
    if (!given(c, "--layers"))
        c->layers = m->layers;
    if (!given(c, "--heads"))
        c->heads = m->heads;
    if (!(c->data->provides & NEEDS_TEXT))
        return -1;
    if (!(m->provides & NEEDS_GPT) && c->context > 64)
        return cli_fail(CMD, CLI_USAGE, "bad value '%llu' for --context: expected a whole "
                        "number from 1 to 64 for --model mlp", (unsigned long long)c->context);
    if ((m->provides & NEEDS_GPT) && c->embd % c->heads != 0)
        return cli_fail(CMD, CLI_USAGE, "--heads %llu does not divide --embd %llu",
                        (unsigned long long)c->heads, (unsigned long long)c->embd);
    return -1;
}

static int training_defaults(train_config *c)
{
    const train_dataset *d = c->data;
    if (given(c, "--steps") && given(c, "--epochs"))
        return cli_fail(CMD, CLI_USAGE, "give --steps or --epochs, not both");
    if (!given(c, "--steps") && !given(c, "--epochs")) {
        c->steps = d->steps;
        c->epochs = d->epochs;
    }
    if (!given(c, "--batch"))
        c->batch = d->batch;
    if (!given(c, "--optimizer"))
        c->optimizer = d->optimizer;
    bool scalar = strcmp(c->engine, "scalar") == 0;
    if (scalar && strcmp(c->optimizer, "sgd") != 0)
        return cli_fail(CMD, CLI_USAGE, "--optimizer %s needs --engine tensor (the scalar "
                        "engine trains with plain SGD)", c->optimizer);
    bool adam = strncmp(c->optimizer, "adam", 4) == 0; /* adam, adamw */
    if (adam && given(c, "--momentum"))
        return cli_fail(CMD, CLI_USAGE, "--momentum applies to --optimizer sgd or momentum");
    if (!given(c, "--lr"))
        c->lr = adam ? d->lr_adam : strcmp(c->optimizer, "momentum") == 0 ? d->lr_momentum
                                                                           : d->lr_sgd;
    if (!given(c, "--momentum"))
        c->momentum = strcmp(c->optimizer, "momentum") == 0 ? 0.9 : 0.0;
    if (!given(c, "--weight-decay"))
        c->weight_decay = strcmp(c->optimizer, "adamw") == 0 ? 0.01 : 0.0;
    if (!given(c, "--schedule"))
        c->schedule = d->schedule;
    if (!given(c, "--log-every"))
        c->log_every = d->log_every;
    if (!given(c, "--eval-every"))
        c->eval_every = d->eval_every;
    if (!given(c, "--snapshot-every"))
        c->snapshot_every = d->snapshot_every;
    if (!given(c, "--hidden"))
        c->hidden_text = d->hidden;
    if (!given(c, "--smoothing")) /* a full batch's loss is not noisy */
        c->smoothing = c->batch == 0 ? 0.0 : 0.6;
    if (c->net->provides & NEEDS_GPT) {
        if (given(c, "--hidden"))
            return cli_fail(CMD, CLI_USAGE, "--hidden applies to --model mlp (a GPT block's "
                            "MLP is 4 x --embd wide)");
        c->hidden_text = "";
    }
    return parse_hidden(c) >= 0 ? CLI_USAGE : lm_defaults(c);
}

static int check_combinations(train_config *c)
{
    bool scalar = strcmp(c->engine, "scalar") == 0;
    if (scalar && c->samples > 5000)
        return cli_fail(CMD, CLI_USAGE, "bad value '%llu' for --samples: the scalar engine "
                        "takes at most 5000 (one node per number; --engine tensor takes more)",
                        (unsigned long long)c->samples);
    if (c->steps && c->warmup >= c->steps)
        return cli_fail(CMD, CLI_USAGE, "bad value '%llu' for --warmup: expected fewer than "
                        "the run's %llu steps", (unsigned long long)c->warmup,
                        (unsigned long long)c->steps);
    if (strcmp(c->sample, "worst") != 0) {
        uint64_t n;
        if (!cli_parse_u64(c->sample, &n))
            return cli_fail(CMD, CLI_USAGE, "bad value '%s' for --sample: expected worst or "
                            "a sample's index", c->sample);
    }
    if (c->inspector && c->snapshot_every == 0)
        return cli_fail(CMD, CLI_USAGE, "--inspector needs saved steps (--snapshot-every K "
                        "with K > 0)");
    if (c->force && !c->out)
        return cli_fail(CMD, CLI_USAGE, "--force needs --out DIR (new runs get fresh "
                        "directories)");
    c->port_given = given(c, "--port");
    if (c->progress && c->no_progress)
        return cli_fail(CMD, CLI_USAGE, "--progress and --no-progress contradict each other");
    if (!c->serve && (c->host || given(c, "--port")))
        return cli_fail(CMD, CLI_USAGE, "%s needs --serve", c->host ? "--host" : "--port");
    return -1;
}

int train_parse(int argc, char **argv, train_config *c)
{
    *c = (train_config){ .dataset = "moons", .model = "mlp", .samples = 100, .noise = 0.1,
                         .alpha = 1e-4, .seed = 1337, .threads = 1, .runs = "mgviz-runs",
                         .grad_clip = 1.0,
                         .sample = "worst", .graph = "both", .format = "svg",
                         .argc = argc, .argv = argv };
    for (int i = 1; i < argc; i++)
        if (cli_flag(argv[i], "-h") || cli_flag(argv[i], "--help"))
            return print_help(), CLI_OK;
    for (int i = 1; i < argc; i++) {
        int rc = parse_row(argc, argv, &i, c);
        if (rc > 0)
            return rc;
        if (rc < 0)
            continue;
        if ((rc = cli_viz_option(CMD, argc, argv, &i, &c->viz)) != 0) {
            if (rc < 0)
                return CLI_USAGE;
            continue;
        }
        /* the help lists every option: it is where suggestions come from */
        static char help_rows[8192];
        size_t len = 0;
        for (int k = 0; k < NROWS && len < sizeof help_rows; k++)
            len += (size_t)snprintf(help_rows + len, sizeof help_rows - len, "  %s\n",
                                    rows[k].name);
        return cli_unknown_option(CMD, argv[i],
                                  (const char *const[]){ help_rows, cli_viz_help, NULL });
    }
    int rc;
    if ((rc = pick_tables(c)) >= 0 || (rc = check_needs(c)) >= 0 ||
        (rc = training_defaults(c)) >= 0 || (rc = check_combinations(c)) >= 0)
        return rc;
    return -1;
}

/* ---- run.json ---- */

int train_option_fields(const train_config *c, mg_run_field *f)
{
    int n = 0;
    for (int k = 0; k < NROWS; k++) {
        const option_row *r = &rows[k];
        if (r->offset == AT(tensor))
            continue; /* an alias of --engine tensor */
        const void *v = (const char *)c + r->offset;
        mg_run_field x = { .name = r->name + 2 };
        switch (r->kind) {
        case OPT_FLAG: x.kind = MG_RUN_BOOL, x.integer = *(const bool *)v; break;
        case OPT_WHOLE: x.kind = MG_RUN_INT, x.integer = (long long)*(const uint64_t *)v; break;
        case OPT_REAL: x.kind = MG_RUN_NUMBER, x.number = *(const double *)v; break;
        default: x.kind = MG_RUN_TEXT, x.text = *(const char *const *)v; break;
        }
        f[n++] = x;
    }
    return n;
}
