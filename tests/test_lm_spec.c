/* test_lm_spec.c — a language model's identity (mg_lm_spec.h): the line a
 * checkpoint carries written and read back for both models, refused when it
 * is not a language model's or lacks a size, and a model saved by
 * mg_train_save rebuilt from its file with the same weights; a file too
 * small for the weights its line declares is refused before anything is
 * built. The optimiser named in a checkpoint (mg_train_optim_named) too. */
#include <check.h>
#include <string.h>
#include <sys/stat.h>

#include "mg_lm_spec.h"
#include "test_util.h"

/* A spec over the bytes of "abc\n" plus END. */
static mg_lm_spec spec(bool gpt, const char *dataset)
{
    mg_lm_spec s = { .gpt = gpt, .context = 4, .embd = 8 };
    snprintf(s.dataset, sizeof s.dataset, "%s", dataset);
    if (gpt) {
        s.layers = 2;
        s.heads = 2;
    } else {
        s.nhidden = 2;
        s.hidden[0] = 12;
        s.hidden[1] = 6;
    }
    bool present[256] = { false };
    for (const char *c = "abc\n"; *c; c++)
        present[(unsigned char)*c] = true;
    mg_error err;
    ck_assert_int_eq(mg_vocab_make(&s.vocab, present, mg_lm_end_glyph(dataset), &err), MG_OK);
    return s;
}

static void assert_same_spec(const mg_lm_spec *a, const mg_lm_spec *b)
{
    ck_assert_str_eq(a->dataset, b->dataset);
    ck_assert_int_eq(a->gpt, b->gpt);
    ck_assert_int_eq(a->context, b->context);
    ck_assert_int_eq(a->embd, b->embd);
    ck_assert_int_eq(a->nhidden, b->nhidden);
    for (int i = 0; i < a->nhidden; i++)
        ck_assert_int_eq(a->hidden[i], b->hidden[i]);
    if (a->gpt) {
        ck_assert_int_eq(a->layers, b->layers);
        ck_assert_int_eq(a->heads, b->heads);
    }
    ck_assert_int_eq(a->vocab.size, b->vocab.size);
    ck_assert_mem_eq(a->vocab.byte, b->vocab.byte, (size_t)a->vocab.size);
}

START_TEST(identity_is_written_and_read_back)
{
    const mg_lm_spec specs[] = { spec(false, "words"), spec(true, "fortunes") };
    for (int k = 0; k < 2; k++) {
        char id[512], meta[640], optim[16];
        mg_lm_spec_identity(&specs[k], id, sizeof id);
        tu_assert_has(id, k ? "dataset=fortunes model=gpt engine=tensor context=4 layers=2 "
                              "heads=2 embd=8 vocab="
                            : "dataset=words model=mlp engine=tensor context=4 embd=8 "
                              "hidden=12,6 vocab=");
        snprintf(meta, sizeof meta, "mgviz-train %s optim=adamw epoch=2 steps=40", id);
        mg_lm_spec back;
        mg_error err;
        ck_assert_int_eq(mg_lm_spec_parse(meta, &back, optim, sizeof optim, &err), MG_OK);
        assert_same_spec(&specs[k], &back);
        ck_assert_str_eq(optim, "adamw");
        ck_assert_int_eq(back.vocab.byte[0], k ? '%' : '.');
    }
    char text[128];
    mg_lm_spec_describe(&specs[0], text, sizeof text);
    ck_assert_str_eq(text, "context 4, embedding 8, hidden 12,6");
    mg_lm_spec_describe(&specs[1], text, sizeof text);
    ck_assert_str_eq(text, "2 blocks of 8, 2 heads, context 4");
    mg_lm_spec none = specs[0];
    none.nhidden = 0;
    char id[512];
    mg_lm_spec_identity(&none, id, sizeof id);
    tu_assert_has(id, " hidden=none ");
}
END_TEST

START_TEST(other_metadata_is_refused_by_what_it_is)
{
    mg_lm_spec s;
    char optim[16];
    mg_error err;
    ck_assert_int_eq(mg_lm_spec_parse("arch=2,16,1", &s, optim, sizeof optim, &err), MG_EFORMAT);
    tu_assert_has(err.message, "not a checkpoint of mgviz train");
    ck_assert_int_eq(mg_lm_spec_parse("mgviz-train dataset=moons model=mlp engine=tensor "
                                      "arch=2,16,16,1 dtype=f32 optim=sgd epoch=1", &s, optim,
                                      sizeof optim, &err), MG_EFORMAT);
    tu_assert_has(err.message, "not a language model");
    ck_assert_int_eq(mg_lm_spec_parse("mgviz-train dataset=words model=gpt engine=tensor "
                                      "context=4 heads=2 embd=8 vocab=0 optim=sgd", &s, optim,
                                      sizeof optim, &err), MG_EFORMAT);
    tu_assert_has(err.message, "lacks a size");
    ck_assert_int_eq(mg_lm_spec_parse("mgviz-train dataset=words model=mlp engine=tensor "
                                      "context=4 embd=8 hidden=0 vocab=0 optim=sgd", &s, optim,
                                      sizeof optim, &err), MG_EFORMAT);
}
END_TEST

/* Saved as mgviz train saves it, rebuilt from the file alone. */
START_TEST(a_saved_model_is_rebuilt_with_its_weights)
{
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir, "lm_spec");
    const mg_lm_spec specs[] = { spec(false, "words"), spec(true, "fortunes") };
    const char *optims[] = { "momentum", "adam" };
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/m%d.ckpt", dir, k);
        mg_error err;
        mg_graph *g = mg_graph_new();
        mg_lm_model m;
        ck_assert_int_eq(mg_lm_model_build(g, &specs[k], 11, &m, &err), MG_OK);
        mg_optim_config oc;
        ck_assert(mg_train_optim_named(optims[k], &oc));
        mg_optim *opt = mg_optim_new((mg_tensor **)m.params, m.nparams, &oc, &err);
        ck_assert_ptr_nonnull(opt);
        char id[512];
        mg_lm_spec_identity(&specs[k], id, sizeof id);
        mg_train_model tm = { .identity = id, .params = m.params, .nparams = m.nparams,
                              .optim = opt };
        ck_assert_int_eq(mg_train_save(path, &tm, &(mg_train_progress){ 1, 5 }, &err), MG_OK);

        mg_lm_spec back;
        char optim[16];
        ck_assert_int_eq(mg_lm_spec_read(path, &back, optim, sizeof optim, &err), MG_OK);
        assert_same_spec(&specs[k], &back);
        ck_assert_str_eq(optim, optims[k]);
        mg_graph *g2 = mg_graph_new();
        mg_lm_model m2;
        ck_assert_int_eq(mg_lm_model_load(path, &back, optim, g2, &m2, &err), MG_OK);
        ck_assert_int_eq(m2.nparams, m.nparams);
        ck_assert((m2.gpt != NULL) == specs[k].gpt && (m2.mlp != NULL) == !specs[k].gpt);
        for (int i = 0; i < m.nparams; i++) {
            ck_assert_int_eq(m2.params[i]->numel, m.params[i]->numel);
            ck_assert_mem_eq(m2.params[i]->data, m.params[i]->data,
                             (size_t)m.params[i]->numel * sizeof(float));
        }
        ck_assert_ptr_nonnull(m2.lm.model);

        /* the same line on a file too small for its weights: refused before building */
        char cut[320];
        snprintf(cut, sizeof cut, "%s/cut%d.ckpt", dir, k);
        mg_optim_config sgd = mg_optim_defaults(MG_OPTIM_SGD);
        mg_optim *one = mg_optim_new((mg_tensor **)m.params, 1, &sgd, &err);
        mg_train_model few = { .identity = id, .params = m.params, .nparams = 1, .optim = one };
        ck_assert_int_eq(mg_train_save(cut, &few, &(mg_train_progress){ 0, 0 }, &err), MG_OK);
        mg_optim_free(one);
        ck_assert_int_eq(mg_lm_spec_read(cut, &back, optim, sizeof optim, &err), MG_EFORMAT);
        tu_assert_has(err.message, "bytes of weights");
        tu_assert_has(err.message, cut);
        mg_lm_model_free(&m2);
        mg_graph_free(g2);
        mg_optim_free(opt);
        mg_lm_model_free(&m);
        ck_assert_ptr_null(m.gpt);
        mg_graph_free(g);
    }
    tu_rmrf(dir);
}
END_TEST

START_TEST(optimisers_are_named_as_checkpoints_name_them)
{
    mg_optim_config c = { .lr = 123 };
    ck_assert(!mg_train_optim_named("rmsprop", &c));
    ck_assert(!mg_train_optim_named(NULL, &c));
    ck_assert_double_eq(c.lr, 123); /* untouched */
    ck_assert(mg_train_optim_named("momentum", &c));
    ck_assert_int_eq(c.kind, MG_OPTIM_SGD);
    ck_assert_double_eq(c.momentum, 0.9);
    ck_assert(mg_train_optim_named("sgd", &c));
    ck_assert_double_eq(c.momentum, 0);
    ck_assert(mg_train_optim_named("adamw", &c));
    ck_assert_int_eq(c.kind, MG_OPTIM_ADAMW);
    ck_assert(mg_train_optim_named("adam", &c));
    ck_assert_int_eq(c.kind, MG_OPTIM_ADAM);
    /* each name is what an optimiser so made calls itself */
    const char *names[] = { "sgd", "momentum", "adam", "adamw" };
    mg_graph *g = mg_graph_new();
    mg_tensor *p = mg_tensor_param(g, MG_F32, 1, (const int[]){ 3 });
    for (int i = 0; i < 4; i++) {
        ck_assert(mg_train_optim_named(names[i], &c));
        mg_optim *o = mg_optim_new(&p, 1, &c, NULL);
        ck_assert_str_eq(mg_optim_name(o), names[i]);
        mg_optim_free(o);
    }
    mg_graph_free(g);
}
END_TEST

static Suite *lm_spec_suite(void)
{
    Suite *s = suite_create("lm_spec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, identity_is_written_and_read_back);
    tcase_add_test(tc, other_metadata_is_refused_by_what_it_is);
    tcase_add_test(tc, a_saved_model_is_rebuilt_with_its_weights);
    tcase_add_test(tc, optimisers_are_named_as_checkpoints_name_them);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(lm_spec_suite()); }
