/* cmd_sample.c — `mgviz sample CHECKPOINT`: text drawn from a language
 * model that `mgviz train --dataset words|fortunes` saved. The checkpoint's
 * identity line says which model and vocabulary it holds (mg_lm_spec.h); the
 * model is rebuilt from it and its weights loaded, then documents are drawn
 * a token at a time (mg_lm.h): words one per line, fortunes each followed
 * by a "%" line (the fortune file format). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mg_lm_spec.h"
#include "mg_checkpoint.h"
#include "mg_train.h"

#define CMD "sample"

static const char help[] =
    "Usage: mgviz sample [OPTIONS] CHECKPOINT\n"
    "\n"
    "Draws text from a language model saved by mgviz train --save (--dataset words\n"
    "or fortunes, --model mlp or gpt): each document starts after the end token\n"
    "and stops when the model draws it again. Words are printed one per line,\n"
    "fortunes each followed by a line holding only \"%\".\n"
    "\n"
    "Options:\n"
    "  --count N              documents to draw, 1..10000 (default 10)\n"
    "  --temperature X        divides the logits: below 1 surer, above 1 wilder,\n"
    "                         in (0, 100] (default 1)\n"
    "  --top-k K              draw from the K likeliest tokens only, 1..vocabulary\n"
    "                         size (default: all of them)\n"
    "  --seed N               seeds the draws (default 1337)\n"
    "  --max-tokens N         a document longer than this is cut (and ends with\n"
    "                         \"...\"), 1..100000 (default 100 for words, 2000 for\n"
    "                         fortunes)\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 done; 1 the model failed; 2 a usage error or an unreadable\n"
    "checkpoint.\n"
    "\n"
    "Examples:\n"
    "  mgviz train --dataset words --model mlp --save words.ckpt\n"
    "  mgviz sample words.ckpt --count 20\n"
    "  mgviz sample gpt.ckpt --temperature 0.8 --top-k 10 --seed 7\n";

typedef struct sample_args {
    const char *path;
    uint64_t count, seed, top_k, max_tokens;
    double temperature;
} sample_args;

static int parse(int argc, char **argv, sample_args *a)
{
    *a = (sample_args){ .count = 10, .seed = 1337, .temperature = 1.0 };
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (!options_done && cli_is_option(arg)) {
            if (cli_flag(arg, "--")) {
                options_done = true;
                continue;
            }
            if (cli_flag(arg, "-h") || cli_flag(arg, "--help"))
                return fputs(help, stdout), CLI_OK;
            int rc;
            if ((rc = cli_value(CMD, argc, argv, &i, "--count", &v)) != 0) {
                if (rc < 0 || !cli_whole_in(CMD, "--count", v, 1, 10000, &a->count))
                    return CLI_USAGE;
            } else if ((rc = cli_value(CMD, argc, argv, &i, "--seed", &v)) != 0) {
                if (rc < 0 || !cli_whole_in(CMD, "--seed", v, 0, UINT64_MAX, &a->seed))
                    return CLI_USAGE;
            } else if ((rc = cli_value(CMD, argc, argv, &i, "--top-k", &v)) != 0) {
                if (rc < 0 || !cli_whole_in(CMD, "--top-k", v, 1, MG_VOCAB_MAX, &a->top_k))
                    return CLI_USAGE;
            } else if ((rc = cli_value(CMD, argc, argv, &i, "--max-tokens", &v)) != 0) {
                if (rc < 0 || !cli_whole_in(CMD, "--max-tokens", v, 1, 100000, &a->max_tokens))
                    return CLI_USAGE;
            } else if ((rc = cli_value(CMD, argc, argv, &i, "--temperature", &v)) != 0) {
                if (rc < 0 || !cli_real_in(CMD, "--temperature", v, 0, true, 100,
                                           &a->temperature))
                    return CLI_USAGE;
            } else {
                return cli_unknown_option(CMD, arg, (const char *const[]){ help, NULL });
            }
            continue;
        }
        if (a->path)
            return cli_fail(CMD, CLI_USAGE, "one checkpoint only ('%s' and '%s')", a->path, arg);
        a->path = arg;
    }
    if (!a->path)
        return cli_fail(CMD, CLI_USAGE, "no checkpoint: give the file mgviz train --save "
                        "wrote (see mgviz sample --help)");
    return -1;
}

/* The model the checkpoint at path holds, its weights loaded, in g; the
 * options that depend on it checked before it is built. */
static int load(const sample_args *a, mg_graph *g, mg_lm_spec *s, mg_lm_model *m)
{
    mg_error err;
    char optim[16];
    if (mg_lm_spec_read(a->path, s, optim, sizeof optim, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    if (a->top_k > (uint64_t)s->vocab.size)
        return cli_fail(CMD, CLI_USAGE, "bad value '%llu' for --top-k: expected a whole number "
                        "from 1 to %d (the model's tokens)", (unsigned long long)a->top_k,
                        s->vocab.size);
    if (mg_lm_model_load(a->path, s, optim, g, m, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    return -1;
}

static void print_doc(const mg_lm_spec *s, const int32_t *doc, int n, bool ended)
{
    for (int i = 0; i < n; i++)
        putchar(s->vocab.byte[doc[i]]);
    if (!ended)
        fputs("...", stdout);
    fputs(strcmp(s->dataset, "words") == 0 ? "\n" : "\n%\n", stdout);
}

int cmd_sample(int argc, char **argv)
{
    sample_args a;
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    mg_graph *g = mg_graph_new();
    if (!g)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    mg_lm_spec s;
    mg_lm_model m = { 0 };
    rc = load(&a, g, &s, &m);
    const int max = a.max_tokens ? (int)a.max_tokens : strcmp(s.dataset, "words") == 0 ? 100
                                                                                        : 2000;
    int32_t *doc = rc < 0 ? malloc(sizeof *doc * (size_t)max) : NULL;
    if (rc < 0 && !doc)
        rc = cli_fail(CMD, CLI_USAGE, "out of memory");
    mg_rng rng;
    mg_rng_seed(&rng, a.seed);
    const mg_lm_sampling how = { .temperature = a.temperature, .top_k = (int)a.top_k };
    for (uint64_t k = 0; rc < 0 && k < a.count; k++) {
        int n;
        bool ended;
        mg_error err;
        if (mg_lm_generate(&m.lm, &how, &rng, doc, max, &n, &ended, &err) != MG_OK)
            rc = cli_fail(CMD, CLI_BAD, "%s", err.message);
        else
            print_doc(&s, doc, n, ended);
    }
    free(doc);
    mg_lm_model_free(&m);
    mg_graph_free(g);
    return rc < 0 ? CLI_OK : rc;
}
