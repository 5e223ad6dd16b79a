/* test_lm.c — the language models: makemore's MLP and a GPT. Shapes, scopes
 * and labels as mg_gpt.h / mg_mlp_lm.h promise; the first loss near
 * log(vocab); attention that is causal and sums to 1; gradients against
 * central differences; a warm step that allocates nothing; training that
 * lowers the loss; drawing that ends documents and leaves the graph as it
 * was. (The loss and every grad against PyTorch: tests/parity/test_gpt_parity.py.) */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "mg_gpt.h"
#include "mg_mlp_lm.h"

static const mg_gpt_config tiny = { .vocab = 7, .context = 5, .layers = 2, .heads = 2,
                                    .embd = 8 };

/* B sequences of T ids and their next tokens, from a fixed pattern. */
static void tokens(int B, int T, int V, int32_t *ids, int32_t *targets)
{
    for (int i = 0; i < B * T; i++) {
        ids[i] = (i * 3 + i / T) % V;
        targets[i] = (ids[i] + 1) % V;
    }
}

static void scope_of(const mg_tensor *t, char *buf, size_t n)
{
    mg_scope_path(t->node->graph, t->node->scope, buf, n);
}

/* A GPT of c (dtype dt, initialised from seed) in a graph of its own, which
 * *g receives; the test fails when it cannot be made. */
static mg_gpt *new_gpt(mg_graph **g, mg_dtype dt, const mg_gpt_config *c, uint64_t seed)
{
    mg_error err;
    *g = mg_graph_new();
    mg_gpt *m = mg_gpt_new(*g, dt, c, seed, &err);
    ck_assert_msg(m != NULL, "mg_gpt_new: %s", err.message);
    return m;
}

/* Frees a model new_gpt() made, and its graph. */
static void free_gpt(mg_gpt *m, mg_graph *g)
{
    mg_gpt_free(m);
    mg_graph_free(g);
}

START_TEST(gpt_config_is_checked)
{
    mg_error err;
    mg_gpt_config c = tiny;
    c.heads = 3; /* does not divide 8 */
    ck_assert_int_eq(mg_gpt_check(&c, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "heads"));
    c = tiny;
    c.layers = 0;
    ck_assert_int_eq(mg_gpt_check(&c, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "layers"));
    c = tiny;
    c.vocab = 1;
    mg_graph *g = mg_graph_new();
    ck_assert_ptr_null(mg_gpt_new(g, MG_F32, &c, 1, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "vocab"));
    mg_graph_free(g);
}
END_TEST

START_TEST(gpt_shapes_scopes_and_labels)
{
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F64, &tiny, 1);
    ck_assert_int_eq(m->nparams, 2 + 2 * MG_GPT_BLOCK_PARAMS + 2);
    /* wte 7x8, wpe 5x8; per block 2*8 + 8*24+24 + 8*8+8 + 2*8 + 8*32+32 + 32*8+8; 2*8 */
    ck_assert_int_eq(mg_gpt_param_count(m), 56 + 40 + 2 * (16 + 216 + 72 + 16 + 288 + 264) + 16);
    char path[64];
    scope_of(m->blocks[1].qkv.W, path, sizeof path);
    ck_assert_str_eq(path, "gpt/block2/attn/qkv");
    ck_assert_str_eq(mg_value_label(m->blocks[1].qkv.W->node), "block2.attn.qkv.W");
    ck_assert_str_eq(mg_value_label(m->wte->node), "embed.wte");
    mg_lm_part parts[8];
    ck_assert_int_eq(mg_gpt_parts(m, parts, 8), 4);
    ck_assert_str_eq(parts[1].scope, "gpt/block1");
    ck_assert_ptr_eq(parts[2].params[2], m->blocks[1].qkv.W);

    const int B = 3, T = 4;
    int32_t ids[12], targets[12];
    tokens(B, T, tiny.vocab, ids, targets);
    mg_tensor *logits = mg_gpt_forward(m, B, T, ids);
    ck_assert_ptr_nonnull(logits);
    ck_assert_int_eq(logits->ndim, 3);
    ck_assert_int_eq(logits->shape[0], B);
    ck_assert_int_eq(logits->shape[1], T);
    ck_assert_int_eq(logits->shape[2], tiny.vocab);
    for (int L = 0; L < 2; L++) {
        const mg_tensor *w = m->att[L];
        char want[32];
        snprintf(want, sizeof want, "block%d.attn.weights", L + 1);
        ck_assert_str_eq(mg_value_label(w->node), want);
        snprintf(want, sizeof want, "gpt/block%d/attn", L + 1);
        scope_of(w, path, sizeof path);
        ck_assert_str_eq(path, want);
        ck_assert_int_eq(w->ndim, 4);
        ck_assert_int_eq(w->shape[1], tiny.heads);
        ck_assert_int_eq(w->shape[2], T);
        ck_assert_int_eq(w->shape[3], T);
        for (int r = 0; r < B * tiny.heads * T; r++) {
            const int i = r % T;
            double sum = 0;
            for (int j = 0; j < T; j++) {
                double a = mg_tensor_get(w, r * T + j);
                if (j > i)
                    ck_assert_msg(a == 0, "query %d sees key %d", i, j);
                sum += a;
            }
            ck_assert_double_eq_tol(sum, 1.0, 1e-12);
        }
    }
    /* a bad token or too long a sequence is an error, not a crash */
    ids[5] = tiny.vocab;
    ck_assert_ptr_null(mg_gpt_forward(m, B, T, ids));
    ck_assert_ptr_nonnull(mg_graph_error(g));
    mg_graph_clear_error(g);
    ids[5] = 0;
    ck_assert_ptr_null(mg_gpt_forward(m, 1, tiny.context + 1, ids));
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "tokens"));
    free_gpt(m, g);
}
END_TEST

/* With token names, each forward names the attention weights' query and key
 * axes and the logits' position axis by every sequence's own tokens; without
 * them (the default) nothing is named. */
START_TEST(gpt_names_positions_by_their_tokens)
{
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F64, &tiny, 1);
    mg_graph_keep(g);
    const int B = 2, T = 4;
    int32_t ids[8], targets[8];
    tokens(B, T, tiny.vocab, ids, targets);
    ck_assert_ptr_nonnull(mg_gpt_forward(m, B, T, ids));
    ck_assert_ptr_null(mg_tensor_name(m->att[0], -1, 0, 0));
    ck_assert_ptr_null(mg_tensor_name(m->logits, -2, 0, 0));
    static const char *const names[] = { "%", "a", "b", "\u2423", "d", "e", "f" };
    ck_assert_int_eq((int)(sizeof names / sizeof *names), tiny.vocab);
    mg_gpt_set_tokens(m, names);
    mg_graph_reset(g);
    ck_assert_ptr_nonnull(mg_gpt_forward(m, B, T, ids));
    for (int b = 0; b < B; b++)
        for (int i = 0; i < T; i++) {
            const char *want = names[ids[b * T + i]];
            for (int L = 0; L < tiny.layers; L++) {
                ck_assert_str_eq(mg_tensor_name(m->att[L], -2, b, i), want);
                ck_assert_str_eq(mg_tensor_name(m->att[L], -1, b, i), want);
            }
            ck_assert_str_eq(mg_tensor_name(m->logits, -2, b, i), want);
        }
    ck_assert_ptr_null(mg_tensor_name(m->logits, -1, 0, 0)); /* the vocab axis: not positions */
    mg_gpt_set_tokens(m, NULL);
    mg_graph_reset(g);
    ck_assert_ptr_nonnull(mg_gpt_forward(m, B, T, ids));
    ck_assert_ptr_null(mg_tensor_name(m->att[1], -2, 1, 0));
    free_gpt(m, g);
}
END_TEST

START_TEST(gpt_first_loss_is_near_uniform)
{
    mg_gpt_config c = { .vocab = 50, .context = 16, .layers = 2, .heads = 4, .embd = 32 };
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F32, &c, 7);
    int32_t ids[64], targets[64];
    tokens(4, 16, c.vocab, ids, targets);
    mg_tensor *loss = mg_gpt_loss(m, 4, 16, ids, targets);
    ck_assert_ptr_nonnull(loss);
    ck_assert_double_eq_tol(mg_tensor_get(loss, 0), log(50.0), 0.05);
    free_gpt(m, g);
}
END_TEST

/* The GPT's loss as a function of its parameters, for the gradient check. */
typedef struct check_ctx {
    const mg_gpt_config *c;
    const int32_t *ids, *targets;
    int B, T;
} check_ctx;

static mg_tensor *gpt_fn(mg_graph *g, mg_tensor *const *x, int n, void *ctx)
{
    const check_ctx *k = ctx;
    mg_error err;
    mg_gpt *m = mg_gpt_new(g, MG_F64, k->c, 1, &err);
    if (!m || m->nparams != n)
        return NULL;
    /* the model reads the checker's leaves in place of its own */
    for (int i = 0; i < n; i++)
        m->params[i] = x[i];
    m->wte = x[0];
    m->wpe = x[1];
    for (int L = 0; L < k->c->layers; L++) {
        mg_gpt_block *b = &m->blocks[L];
        mg_tensor *const *p = x + 2 + L * MG_GPT_BLOCK_PARAMS;
        b->ln1_gamma = p[0], b->ln1_beta = p[1], b->qkv.W = p[2], b->qkv.b = p[3];
        b->proj.W = p[4], b->proj.b = p[5], b->ln2_gamma = p[6], b->ln2_beta = p[7];
        b->fc.W = p[8], b->fc.b = p[9], b->out.W = p[10], b->out.b = p[11];
    }
    m->lnf_gamma = x[n - 2];
    m->lnf_beta = x[n - 1];
    mg_tensor *loss = mg_gpt_loss(m, k->B, k->T, k->ids, k->targets);
    mg_gpt_free(m);
    return loss;
}

START_TEST(gpt_gradients_match_differences)
{
    const mg_gpt_config c = { .vocab = 5, .context = 4, .layers = 1, .heads = 2, .embd = 4 };
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F64, &c, 3);
    mg_error err;
    mg_tensor_spec spec[2 + MG_GPT_BLOCK_PARAMS + 2];
    double x[4096];
    int n = 0;
    mg_rng rng;
    mg_rng_seed(&rng, 11);
    for (int i = 0; i < m->nparams; i++) {
        const mg_tensor *p = m->params[i];
        spec[i].ndim = p->ndim;
        memcpy(spec[i].shape, p->shape, sizeof p->shape);
        for (int k = 0; k < p->numel; k++) /* larger than the init: a real test */
            x[n++] = mg_tensor_get(p, k) + 0.3 * mg_rng_normal(&rng);
    }
    ck_assert_int_lt(n, 4096);
    int32_t ids[8], targets[8];
    tokens(2, 4, c.vocab, ids, targets);
    check_ctx ctx = { &c, ids, targets, 2, 4 };
    mg_gradcheck_result r;
    ck_assert_int_eq(mg_tensor_gradcheck(gpt_fn, &ctx, spec, m->nparams, x, 1e-5, &r, &err),
                     MG_OK);
    /* absolute: the key bias's grad is 0 (a softmax ignores a shift of its
     * row), so its relative error compares two roundings of 0 */
    ck_assert_msg(r.max_abs_error < 1e-7, "max error %g (input %zu: %g against %g)",
                  r.max_abs_error, r.worst, r.analytic, r.numeric);
    free_gpt(m, g);
}
END_TEST

/* Steps of Adam on one batch: the loss falls; steps after the first
 * allocate nothing. */
START_TEST(gpt_warm_steps_allocate_nothing)
{
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F32, &tiny, 2);
    mg_error err;
    mg_optim_config oc = mg_optim_defaults(MG_OPTIM_ADAMW);
    oc.lr = 1e-2;
    mg_optim *opt = mg_optim_new(m->params, m->nparams, &oc, &err);
    ck_assert_ptr_nonnull(opt);
    mg_graph_keep(g);
    int32_t ids[20], targets[20];
    tokens(4, 5, tiny.vocab, ids, targets);
    double first = 0, last = 0;
    size_t warm = 0;
    for (int step = 0; step < 30; step++) {
        mg_graph_reset(g);
        mg_tensor *loss = mg_gpt_loss(m, 4, 5, ids, targets);
        ck_assert_ptr_nonnull(loss);
        mg_optim_zero_grad(opt);
        ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
        mg_optim_clip_grad_norm(opt, 1.0);
        mg_optim_step(opt);
        last = mg_tensor_get(loss, 0);
        if (step == 0)
            first = last;
        if (step == 1)
            warm = mg_graph_get_stats(g).allocations;
    }
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, warm);
    ck_assert_msg(last < 0.5 * first, "loss %g -> %g", first, last);
    mg_optim_free(opt);
    free_gpt(m, g);
}
END_TEST

START_TEST(gpt_generates_documents)
{
    mg_graph *g;
    mg_gpt *m = new_gpt(&g, MG_F32, &tiny, 2);
    mg_error err;
    mg_graph_keep(g);
    const size_t nodes = mg_graph_get_stats(g).nodes;
    mg_lm lm = mg_gpt_as_lm(m);
    int32_t out[12], again[12];
    int n, n2;
    bool ended, ended2;
    mg_rng rng;
    mg_rng_seed(&rng, 5);
    ck_assert_int_eq(mg_lm_generate(&lm, NULL, &rng, out, 12, &n, &ended, &err), MG_OK);
    ck_assert_uint_eq(mg_graph_get_stats(g).nodes, nodes);
    ck_assert(ended || n == 12); /* past the context: the last 5 tokens are read */
    for (int i = 0; i < n; i++)
        ck_assert(out[i] > 0 && out[i] < tiny.vocab);
    mg_rng_seed(&rng, 5);
    ck_assert_int_eq(mg_lm_generate(&lm, NULL, &rng, again, 12, &n2, &ended2, &err), MG_OK);
    ck_assert_int_eq(n, n2);
    ck_assert_int_eq(memcmp(out, again, sizeof *out * (size_t)n), 0);
    free_gpt(m, g);
}
END_TEST

START_TEST(sampling_follows_temperature_and_top_k)
{
    mg_graph *g = mg_graph_new();
    mg_tensor *logits = mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 4 });
    const double v[] = { 0, 1, 2, 3, 5, 5, NAN, 0 };
    mg_tensor_load(logits, v);
    mg_rng rng;
    mg_rng_seed(&rng, 1);
    int count[4] = { 0 };
    for (int i = 0; i < 4000; i++)
        count[mg_lm_sample_row(logits, 0, &(mg_lm_sampling){ .temperature = 1 }, &rng)]++;
    /* softmax(0,1,2,3) = .032 .087 .237 .644 */
    ck_assert_int_gt(count[3], 2400);
    ck_assert_int_lt(count[3], 2750);
    ck_assert_int_gt(count[0], 60);
    for (int i = 0; i < 200; i++) {
        ck_assert_int_eq(mg_lm_sample_row(logits, 0, &(mg_lm_sampling){ .top_k = 1 }, &rng), 3);
        int t = mg_lm_sample_row(logits, 0, &(mg_lm_sampling){ .top_k = 2 }, &rng);
        ck_assert(t == 2 || t == 3);
        t = mg_lm_sample_row(logits, 0, &(mg_lm_sampling){ .temperature = 1e-3 }, &rng);
        ck_assert_int_eq(t, 3);
        /* so small that a logit over it overflows: still the likeliest */
        t = mg_lm_sample_row(logits, 0, &(mg_lm_sampling){ .temperature = 1e-320 }, &rng);
        ck_assert_int_eq(t, 3);
    }
    ck_assert_int_eq(mg_lm_sample_row(logits, 1, NULL, &rng), -1); /* a NaN */
    ck_assert_int_eq(mg_lm_sample_row(logits, 2, NULL, &rng), -1); /* no such row */
    mg_graph_free(g);
}
END_TEST

START_TEST(mlp_shapes_contexts_and_training)
{
    mg_graph *g = mg_graph_new();
    mg_error err;
    mg_mlp_lm_config c = { .vocab = 6, .context = 3, .embd = 4, .hidden = { 16 },
                           .nhidden = 1 };
    mg_mlp_lm *m = mg_mlp_lm_new(g, MG_F32, &c, 1, &err);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->nparams, 1 + 4 + 2);
    ck_assert_str_eq(mg_value_label(m->table->node), "embed.C");
    ck_assert_str_eq(mg_value_label(m->gamma[0]->node), "layer1.gamma");
    char path[64];
    scope_of(m->layers[1].W, path, sizeof path);
    ck_assert_str_eq(path, "mlp/layer2");
    mg_lm_part parts[4];
    ck_assert_int_eq(mg_mlp_lm_parts(m, parts, 4), 3);
    ck_assert_str_eq(parts[2].scope, "mlp/layer2");
    ck_assert_int_eq(parts[2].nparams, 2);

    /* the context before a position stops at the document's start */
    const int32_t stream[] = { 0, 3, 4, 5, 0, 2, 1 };
    int32_t ctx[3];
    mg_mlp_lm_context(stream, 3, 3, ctx);
    ck_assert(ctx[0] == 0 && ctx[1] == 3 && ctx[2] == 4);
    mg_mlp_lm_context(stream, 6, 3, ctx); /* before "1": END 2 after "3 4 5 END" */
    ck_assert(ctx[0] == 0 && ctx[1] == 0 && ctx[2] == 2);

    int32_t ctxs[18], targets[6];
    for (int p = 1; p < 7; p++) {
        mg_mlp_lm_context(stream, p, 3, ctxs + 3 * (p - 1));
        targets[p - 1] = stream[p];
    }
    mg_optim_config oc = mg_optim_defaults(MG_OPTIM_ADAM);
    oc.lr = 1e-2;
    mg_optim *opt = mg_optim_new(m->params, m->nparams, &oc, &err);
    mg_graph_keep(g);
    double first = 0, last = 0;
    size_t warm = 0;
    for (int step = 0; step < 100; step++) {
        mg_graph_reset(g);
        mg_tensor *loss = mg_mlp_lm_loss(m, 6, ctxs, targets);
        ck_assert_ptr_nonnull(loss);
        mg_optim_zero_grad(opt);
        mg_tensor_backward(loss);
        mg_optim_step(opt);
        last = mg_tensor_get(loss, 0);
        first = step == 0 ? last : first;
        if (step == 0)
            ck_assert_double_eq_tol(last, log(6.0), 0.05);
        if (step == 1)
            warm = mg_graph_get_stats(g).allocations;
    }
    ck_assert_uint_eq(mg_graph_get_stats(g).allocations, warm);
    /* END END END is followed by 3 once and by 2 once: the best loss is
     * 2·ln 2 / 6 */
    ck_assert_msg(last < 2 * log(2.0) / 6 + 0.02, "loss %g -> %g", first, last);
    mg_optim_free(opt);
    mg_mlp_lm_free(m);
    mg_graph_free(g);
}
END_TEST

static Suite *lm_suite(void)
{
    Suite *s = suite_create("lm");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, gpt_config_is_checked);
    tcase_add_test(tc, gpt_shapes_scopes_and_labels);
    tcase_add_test(tc, gpt_names_positions_by_their_tokens);
    tcase_add_test(tc, gpt_first_loss_is_near_uniform);
    tcase_add_test(tc, gpt_gradients_match_differences);
    tcase_add_test(tc, gpt_warm_steps_allocate_nothing);
    tcase_add_test(tc, gpt_generates_documents);
    tcase_add_test(tc, sampling_follows_temperature_and_top_k);
    tcase_add_test(tc, mlp_shapes_contexts_and_training);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(lm_suite()); }
