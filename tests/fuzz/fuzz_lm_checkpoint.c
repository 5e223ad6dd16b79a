/* fuzz_lm_checkpoint.c — language-model checkpoints as `mgviz sample` reads
 * them (engine/train/lm_spec.c, mg_lm_spec.h): the identity line names the model (words or
 * fortunes, MLP or GPT, its sizes, its vocabulary), the model is rebuilt
 * from it, its weights and optimiser state loaded, and text drawn. The
 * input is a checkpoint's body; the harness adds the magic and the CRC-32
 * (recomputed for every input, as fuzz_checkpoint does). Nothing may crash
 * or allocate past libFuzzer's RSS limit (a few bytes declaring a huge
 * model are refused before it is built), and:
 *   - a vocabulary holds only what the text readers keep (tab, newline,
 *     printable ASCII): drawn text cannot drive a terminal;
 *   - drawn tokens are tokens of the vocabulary.
 *
 * The seeds in corpus/lm_checkpoint are bodies of small words-MLP and
 * fortunes-GPT checkpoints, written by this harness:
 *   MGVIZ_FUZZ_WRITE_SEEDS=DIR fuzz_lm_checkpoint -runs=0 */
#include "fuzz_checkpoint_file.h"
#include "mg_lm_spec.h"
#include "mg_train.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A checkpoint of the small model s into path. */
static void save(const mg_lm_spec *s, const char *path)
{
    mg_error err;
    mg_graph *g = mg_graph_new();
    mg_lm_model m;
    if (mg_lm_model_build(g, s, 7, &m, &err) != MG_OK)
        abort();
    mg_optim_config oc = mg_optim_defaults(MG_OPTIM_ADAMW);
    mg_optim *opt = mg_optim_new((mg_tensor **)m.params, m.nparams, &oc, &err);
    char identity[512];
    mg_lm_spec_identity(s, identity, sizeof identity);
    mg_train_model tm = { .identity = identity, .params = m.params, .nparams = m.nparams,
                          .optim = opt };
    if (!opt || mg_train_save(path, &tm, &(mg_train_progress){ 1, 5 }, &err) != MG_OK)
        abort();
    mg_optim_free(opt);
    mg_lm_model_free(&m);
    mg_graph_free(g);
}

static void write_seeds(const char *dir)
{
    bool present[256] = { false };
    for (const char *c = "abcdefghij \n"; *c; c++)
        present[(unsigned char)*c] = true;
    mg_lm_spec specs[2] = {
        { .dataset = "words", .context = 3, .embd = 4, .hidden = { 8 }, .nhidden = 1 },
        { .dataset = "fortunes", .gpt = true, .context = 8, .embd = 8, .layers = 1, .heads = 2 },
    };
    for (int i = 0; i < 2; i++) {
        mg_error err;
        if (mg_vocab_make(&specs[i].vocab, present, mg_lm_end_glyph(specs[i].dataset), &err) != MG_OK)
            abort();
        char path[512], seed[512];
        snprintf(path, sizeof path, "%s/full-%d", dir, i);
        snprintf(seed, sizeof seed, "%s/%s", dir, specs[i].gpt ? "fortunes-gpt" : "words-mlp");
        save(&specs[i], path);
        fuzz_checkpoint_seed(path, seed);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("MGVIZ_FUZZ_WRITE_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

static void draw(const mg_lm_spec *s, mg_lm_model *m, unsigned how)
{
    mg_rng rng;
    mg_rng_seed(&rng, how);
    const mg_lm_sampling sampling = { .temperature = how & 1 ? 0.5 : 1.0,
                                      .top_k = how & 2 ? 3 : 0 };
    int32_t doc[24];
    for (int k = 0; k < 2; k++) {
        int n;
        bool ended;
        mg_error err;
        if (mg_lm_generate(&m->lm, &sampling, &rng, doc, 24, &n, &ended, &err) != MG_OK) {
            if (!err.message[0])
                abort();
            return;
        }
        for (int i = 0; i < n; i++)
            if (doc[i] < 0 || doc[i] >= s->vocab.size)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_checkpoint_file(data, size);
    mg_lm_spec s;
    char optim[16];
    mg_error err;
    if (mg_lm_spec_read(path, &s, optim, sizeof optim, &err) != MG_OK) {
        if (!err.message[0])
            abort();
        return 0;
    }
    for (int i = 0; i < s.vocab.size; i++) {
        unsigned char c = s.vocab.byte[i];
        if (i > 0 && c != '\t' && c != '\n' && (c < 0x20 || c > 0x7e))
            abort(); /* a byte that could drive a terminal */
    }
    mg_graph *g = mg_graph_new();
    mg_lm_model m = { 0 };
    if (mg_lm_model_load(path, &s, optim, g, &m, &err) == MG_OK)
        draw(&s, &m, size ? data[0] : 0);
    else if (!err.message[0])
        abort();
    mg_lm_model_free(&m);
    mg_graph_free(g);
    return 0;
}
