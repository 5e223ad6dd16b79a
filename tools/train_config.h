/* train_config.h — `mgviz train`: what it was asked to do, and the tables
 * that say what it can do.
 *
 * One command line serves every dataset, model and engine. Its options are
 * rows of one table (train_options.c) whose help, parsing, range errors and
 * run.json record come from the row; datasets, models and engines are rows
 * of three more tables below (train_tables.c). A new dataset or model is a
 * row with its defaults here and a task the library builds (mg_task.h). */
#ifndef MGVIZ_TRAIN_CONFIG_H
#define MGVIZ_TRAIN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_task.h"
#include "mg_viz.h"

enum { TRAIN_MAX_HIDDEN = MG_TASK_MAX_HIDDEN, TRAIN_MAX_OPTIONS = 64 };

/* What an option needs of the dataset or engine: an option is refused, by
 * name, with a dataset or engine that lacks it. */
enum {
    NEEDS_POINTS = 1u << 0,   /* generated 2-D points (--samples, --noise, --alpha) */
    NEEDS_FILES = 1u << 1,    /* data read from files (--data-dir, --limit) */
    NEEDS_TENSOR = 1u << 2,   /* the tensor engine (--optimizer momentum, --threads) */
    NEEDS_TEXT = 1u << 3,     /* text for a language model (--context, --eval-every) */
    NEEDS_GPT = 1u << 4,      /* --model gpt (--layers, --heads) */
};

/* A dataset and the defaults that suit it. */
typedef struct train_dataset {
    const char *name;
    const char *summary;
    unsigned provides;            /* NEEDS_POINTS or NEEDS_FILES */
    const char *engines;          /* engines that train on it, the default first:
                                     "scalar,tensor" */
    /* defaults */
    const char *hidden;
    uint64_t steps, epochs;       /* one of them: the run's length */
    uint64_t eval_every;          /* text: steps between val losses (the loop's epoch) */
    uint64_t batch;               /* 0: the whole dataset (full batch) */
    const char *optimizer, *schedule;
    double lr_sgd, lr_momentum, lr_adam;
    uint64_t log_every, snapshot_every;
} train_dataset;

/* A model family. */
typedef struct train_model {
    const char *name;
    const char *summary;
    const char *engines;          /* engines that build it */
    const char *datasets;         /* datasets it learns: "words,fortunes" (NULL: any) */
    unsigned provides;            /* NEEDS_GPT */
    /* defaults for language models */
    uint64_t context, embd, layers, heads;
} train_model;

/* What the command line asked for, defaults applied. */
typedef struct train_config {
    /* data and model */
    const char *dataset, *model, *engine;
    bool tensor;                  /* --tensor: --engine tensor */
    const train_dataset *data;
    const train_model *net;
    uint64_t samples;
    double noise;
    const char *data_dir;
    uint64_t limit, test_limit;
    const char *hidden_text;
    int hidden[TRAIN_MAX_HIDDEN];
    int nhidden;
    uint64_t context, embd, layers, heads;   /* language models */
    /* training */
    uint64_t steps, epochs, batch, warmup, seed, threads;
    const char *optimizer, *schedule;
    double lr, momentum, weight_decay, alpha, grad_clip;
    uint64_t eval_every;
    double smoothing;             /* of the loss curve; < 0 until defaulted */
    const char *save, *resume;
    /* the run directory */
    const char *out, *runs;
    bool force, keep_going;
    uint64_t log_every;
    /* pictures */
    uint64_t snapshot_every;
    const char *sample;           /* "worst" or a sample's index */
    const char *graph, *format;
    bool json, inspector, no_heatmaps, log_loss;
    mg_viz_options viz;
    /* the terminal */
    bool quiet, progress, no_progress;
    /* watching live (mgviz serve's page) */
    bool serve, port_given;
    const char *host;
    uint64_t port;
    /* bookkeeping */
    bool given[TRAIN_MAX_OPTIONS]; /* per option row: on the command line */
    int argc;
    char **argv;
} train_config;

/* The datasets and models, ending with a row whose name is NULL. */
extern const train_dataset train_datasets[];
extern const train_model train_models[];

/* Reads argv (argv[0] is "train") into c with every default applied and
 * every combination checked: -1 to go on, or an exit code (help printed:
 * CLI_OK; a message printed: CLI_USAGE). */
int train_parse(int argc, char **argv, train_config *c);

/* The options as run.json records them: name, kind and value of every
 * option row (the values in effect, given or default). Returns the count;
 * fields must hold TRAIN_MAX_OPTIONS. */
struct mg_run_field;
int train_option_fields(const train_config *c, struct mg_run_field *fields);

/* Runs the training c describes (train_loop.c); returns an exit code. */
int train_run(const train_config *c);

#endif
