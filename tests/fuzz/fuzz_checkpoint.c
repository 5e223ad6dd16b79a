/* fuzz_checkpoint.c — checkpoints (mgviz train --resume): the input is a
 * checkpoint's body, between the magic and the CRC-32, which the harness
 * adds (the CRC recomputed for every input, so mutations reach the metadata
 * and the records instead of stopping at the checksum). It is resumed into
 * a small tensor MLP with Adam and two scalar parameters.
 *
 * The seeds in corpus/checkpoint are such bodies, written by this harness:
 *   MGVIZ_FUZZ_WRITE_SEEDS=DIR fuzz_checkpoint -runs=0 */
#include "fuzz_checkpoint_file.h"
#include "mg_checkpoint.h"
#include "mg_train.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct model {
    mg_graph *g;
    mg_tmlp *mlp;
    mg_optim *opt;
    mg_value *values[2];
    mg_train_model m;
} model;

static model the_model;

static void model_init(model *s)
{
    mg_error err;
    s->g = mg_graph_new();
    s->mlp = mg_tmlp_new(s->g, MG_F32, (const int[]){ 4, 5, 3 }, 3, MG_INIT_KAIMING, 5, &err);
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    s->opt = s->mlp ? mg_optim_new(s->mlp->params, s->mlp->nparams, &cfg, &err) : NULL;
    if (!s->opt)
        abort();
    s->values[0] = mg_param(s->g, 0.5);
    s->values[1] = mg_param(s->g, -1.5);
    mg_graph_keep(s->g);
    s->m = (mg_train_model){ .identity = "dataset=fuzz arch=4,5,3", .params = s->mlp->params,
                             .nparams = s->mlp->nparams, .values = s->values, .nvalues = 2,
                             .optim = s->opt };
}

/* Writes the bodies of two real checkpoints of the model into dir. */
static void write_seeds(const char *dir)
{
    const mg_train_progress progress[] = { { 0, 0 }, { 3, 17 } };
    for (int i = 0; i < 2; i++) {
        char path[512], seed[512];
        snprintf(path, sizeof path, "%s/full-%d", dir, i);
        snprintf(seed, sizeof seed, "%s/seed-%d", dir, i);
        mg_error err;
        if (mg_train_save(path, &the_model.m, &progress[i], &err) != MG_OK)
            abort();
        fuzz_checkpoint_seed(path, seed);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    model_init(&the_model);
    const char *dir = getenv("MGVIZ_FUZZ_WRITE_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_checkpoint_file(data, size);
    mg_train_progress p;
    mg_error err;
    char meta[256];
    mg_checkpoint_meta(path, meta, sizeof meta, &err);
    if (mg_train_resume(path, &the_model.m, &p, &err) == MG_OK) {
        if (p.step < 0 || p.step > MG_TRAIN_MAX_STEPS || p.epoch < 0)
            abort(); /* resumed progress the optimiser cannot go on from */
    } else if (!err.message[0]) {
        abort();
    }
    return 0;
}
