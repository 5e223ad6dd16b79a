/* task_lm.c — language models as a task: makemore's MLP or a GPT learning
 * the next character of words (wamerican) or fortunes.
 *
 * Batches are drawn at random positions of the train stream (nanoGPT's
 * get_batch): the MLP reads the `context` tokens before a position, the GPT
 * a window of `context` tokens and the ones after them as targets. A run is
 * counted in steps; every eval_every steps (the loop's "epoch", here called
 * "eval") the loss on a fixed part of the val stream is measured. The draws
 * of each such period come from (seed, period), so a resumed run draws what
 * the whole run would have. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_eval.h"
#include "mg_kernels.h"
#include "mg_lm_spec.h"
#include "task_internal.h"

enum { EVAL_TOKENS = 16384, EVAL_ROWS_MLP = 1024, EVAL_SEQS_GPT = 16 };
enum { MAX_CONTEXT = 4096, MAX_EVAL_EVERY = 100000000 };

typedef struct lm_impl {
    mg_text text;
    mg_lm_spec spec;
    mg_lm_model model;
    mg_optim *opt;
    mg_rng rng;                  /* the period's draws */
    int B, T;                    /* rows a step; tokens a row (1: MLP) */
    int width;                   /* ids a row: context (MLP) or T (GPT) */
    int64_t *starts;             /* the step's rows: positions (MLP) or window starts */
    int32_t *ids, *targets;      /* B × width, B × T */
    double *rows;                /* each prediction's loss */
    mg_tensor *logits;           /* the last step's (NULL: none alive) */
    double bigram_val;
    char token_text[MG_VOCAB_MAX][4];         /* each token as printed on an axis */
    const char *token_names[MG_VOCAB_MAX];
} lm_impl;

static lm_impl *impl(const mg_task *t) { return t->impl; }

/* ---- batches ---- */

/* Row r of the batch from position (MLP) or window start (GPT) p of stream. */
static void fill_row(lm_impl *m, const int32_t *stream, int64_t p, int r)
{
    if (m->spec.gpt) {
        memcpy(m->ids + (size_t)r * m->T, stream + p, sizeof *m->ids * (size_t)m->T);
        memcpy(m->targets + (size_t)r * m->T, stream + p + 1, sizeof *m->ids * (size_t)m->T);
    } else {
        mg_mlp_lm_context(stream, p, m->width, m->ids + (size_t)r * m->width);
        m->targets[r] = stream[p];
    }
    m->starts[r] = p;
}

/* Positions a row may start at: [1, n) for the MLP, [0, n - T) for the GPT. */
static int64_t first_pos(const lm_impl *m) { return m->spec.gpt ? 0 : 1; }
static int64_t end_pos(const lm_impl *m, size_t n)
{
    return m->spec.gpt ? (int64_t)n - m->T : (int64_t)n;
}

static mg_tensor *batch_loss(lm_impl *m, int rows)
{
    mg_tensor *loss = m->spec.gpt
                          ? mg_gpt_loss(m->model.gpt, rows, m->T, m->ids, m->targets)
                          : mg_mlp_lm_loss(m->model.mlp, rows, m->ids, m->targets);
    m->logits = m->spec.gpt ? m->model.gpt->logits : loss ? mg_tensor_parent(loss, 0) : NULL;
    return loss;
}

/* ---- opening ---- */

static mg_code load_text(mg_task *t, lm_impl *m, mg_error *err)
{
    const mg_task_config *c = &t->config;
    mg_text_options o = { .seed = c->seed, .max_docs = c->limit };
    mg_code rc = strcmp(c->dataset, "words") == 0
                     ? mg_text_load_words(c->data_dir, &o, &m->text, err)
                     : mg_text_load_fortunes(c->data_dir, &o, &m->text, err);
    if (rc != MG_OK)
        return rc;
    double train;
    return mg_text_bigram(&m->text, 1.0, &train, &m->bigram_val, err);
}

static void make_spec(const mg_task_config *c, lm_impl *m)
{
    mg_lm_spec *s = &m->spec;
    snprintf(s->dataset, sizeof s->dataset, "%s", c->dataset);
    s->gpt = strcmp(c->model, "gpt") == 0;
    s->context = c->context;
    s->embd = c->embd;
    s->layers = c->layers;
    s->heads = c->heads;
    s->nhidden = c->nhidden;
    memcpy(s->hidden, c->hidden, sizeof(int) * (size_t)c->nhidden);
    s->vocab = m->text.vocab;
}

/* Rows and windows fit the streams; the buffers a step and an evaluation use. */
static mg_code size_batches(mg_task *t, lm_impl *m, mg_error *err)
{
    const mg_task_config *c = &t->config;
    const char *pre = task_prefix(t);
    /* rows are drawn: no batch of "all" (0) */
    mg_code rc = task_check_range(c, "batch", c->batch, 1, TASK_MAX_BATCH, err);
    if (rc == MG_OK)
        rc = task_check_range(c, "eval-every", c->eval_every, 1, MAX_EVAL_EVERY, err);
    if (rc == MG_OK)
        rc = task_check_range(c, "context", c->context, 1, MAX_CONTEXT, err);
    if (rc != MG_OK)
        return rc;
    m->B = c->batch;
    m->T = m->spec.gpt ? m->spec.context : 1;
    m->width = m->spec.gpt ? m->T : m->spec.context;
    if (m->spec.gpt && m->text.ntrain < (size_t)m->T + 2)
        return mg_error_set(err, MG_EINVAL, "%scontext %d is longer than the %zu train tokens",
                            pre, m->T, m->text.ntrain);
    if (m->spec.gpt && m->text.nval < (size_t)m->T + 2)
        return mg_error_set(err, MG_EINVAL, "%scontext %d is longer than the %zu val tokens "
                            "(more text: a larger %slimit)", pre, m->T, m->text.nval, pre);
    const int most = m->B > EVAL_ROWS_MLP ? m->B : EVAL_ROWS_MLP;
    m->starts = malloc(sizeof *m->starts * (size_t)most);
    m->ids = malloc(sizeof *m->ids * (size_t)most * (size_t)m->width);
    m->targets = malloc(sizeof *m->targets * (size_t)most * (size_t)m->T);
    m->rows = malloc(sizeof *m->rows * (size_t)most * (size_t)m->T);
    if (!m->starts || !m->ids || !m->targets || !m->rows)
        return mg_error_set(err, MG_ENOMEM, "out of memory for batches of %d", m->B);
    return MG_OK;
}

static mg_code build(mg_task *t, lm_impl *m, mg_error *err)
{
    mg_code rc = mg_lm_model_build(t->g, &m->spec, t->config.seed, &m->model, err);
    if (rc != MG_OK)
        return rc;
    mg_optim_config o = task_optim_config(&t->config);
    if (!(m->opt = mg_optim_new((mg_tensor **)m->model.params, m->model.nparams, &o, err)))
        return err ? err->code : MG_EINVAL;
    mg_graph_keep(t->g);
    mg_lm_spec_identity(&m->spec, t->identity, sizeof t->identity);
    t->model = (mg_train_model){ .identity = t->identity, .params = m->model.params,
                                 .nparams = m->model.nparams, .optim = m->opt };
    return MG_OK;
}

/* Pictures print a GPT's tokens along the attention maps' axes: blanks as
 * visible glyphs (a space, a newline or a tab would print as nothing). */
static void name_tokens(lm_impl *m)
{
    const mg_vocab *v = &m->spec.vocab;
    for (int id = 0; id < v->size; id++) {
        unsigned char b = v->byte[id];
        const char *shown = b == ' '    ? "\u2423" /* ␣ */
                            : b == '\n' ? "\u23ce" /* ⏎ */
                            : b == '\t' ? "\u21e5" /* ⇥ */
                                        : NULL;
        if (shown)
            snprintf(m->token_text[id], sizeof m->token_text[id], "%s", shown);
        else
            snprintf(m->token_text[id], sizeof m->token_text[id], "%c", b);
        m->token_names[id] = m->token_text[id];
    }
    mg_gpt_set_tokens(m->model.gpt, m->token_names);
}

/* Unfolded, a GPT's graph is a line of a hundred tables too long to read:
 * its blocks are drawn as one "block1 … blockN ×N" group with per-block
 * norms, but the last, whose attention is drawn node by node (the weights
 * per head with the characters on the axes), its other parts as boxes.
 * Top to bottom, as transformers are drawn: the open block's tables, each
 * wider than tall, stack down the page beside the residual stream instead
 * of standing in one line some 15,000 pt long. */
enum { GPT_FOLD_BUDGET = 40 };

static void gpt_drawing(mg_task *t, const lm_impl *m)
{
    t->fold_budget = GPT_FOLD_BUDGET;
    snprintf(t->open_scope, sizeof t->open_scope, "gpt/block%d", m->spec.layers);
    snprintf(t->unfold_scope, sizeof t->unfold_scope, "gpt/block%d/attn", m->spec.layers);
    snprintf(t->rankdir, sizeof t->rankdir, "TB");
}

/* Health watches each part: the embedding, each layer or block, the last norm. */
static void name_parts(mg_task *t, lm_impl *m)
{
    mg_lm_part parts[MG_GPT_MAX_LAYERS + 2];
    int n = m->spec.gpt ? mg_gpt_parts(m->model.gpt, parts, MG_GPT_MAX_LAYERS + 2)
                        : mg_mlp_lm_parts(m->model.mlp, parts, MG_GPT_MAX_LAYERS + 2);
    t->nlayers = n < MG_TASK_MAX_LAYERS ? n : MG_TASK_MAX_LAYERS;
    for (int l = 0; l < t->nlayers; l++) {
        snprintf(t->layer_scope[l], sizeof t->layer_scope[l], "%.23s", parts[l].scope);
        t->layer_names[l] = t->layer_scope[l];
        t->layers[l] = (mg_health_layer){ .scope = t->layer_scope[l], .params = parts[l].params,
                                          .nparams = parts[l].nparams };
    }
}

static void describe(mg_task *t, const lm_impl *m)
{
    const mg_lm_spec *s = &m->spec;
    char sizes[96];
    mg_lm_spec_describe(s, sizes, sizeof sizes);
    int64_t n = s->gpt ? mg_gpt_param_count(m->model.gpt) : 0;
    for (int i = 0; !s->gpt && i < m->model.nparams; i++)
        n += m->model.params[i]->numel;
    snprintf(t->title, sizeof t->title, "%s: %s (%s; %lld parameters, %d tokens)", s->dataset,
             s->gpt ? "gpt" : "makemore mlp", sizes, (long long)n, s->vocab.size);
    const mg_text *x = &m->text;
    snprintf(t->note, sizeof t->note, "%s: %zu train and %zu val tokens (%zu and %zu %s); the "
             "bigram model's val loss is %.4f", s->dataset, x->ntrain, x->nval, x->docs_train,
             x->docs_val, strcmp(s->dataset, "words") == 0 ? "words" : "fortunes",
             m->bigram_val);
}

static mg_code lm_open(mg_task *t, mg_error *err)
{
    lm_impl *m = calloc(1, sizeof *m);
    if (!m)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    t->impl = m;
    t->period = "eval";
    t->eval_split = "val";
    mg_code rc = load_text(t, m, err);
    if (rc != MG_OK)
        return rc;
    make_spec(&t->config, m);
    if ((rc = size_batches(t, m, err)) != MG_OK || (rc = build(t, m, err)) != MG_OK)
        return rc;
    t->batches = t->config.eval_every;
    t->samples = (long)m->text.ntrain;
    name_parts(t, m);
    if (m->spec.gpt && t->config.name_tokens)
        name_tokens(m);
    if (m->spec.gpt)
        gpt_drawing(t, m);
    describe(t, m);
    return MG_OK;
}

static void lm_close(mg_task *t)
{
    lm_impl *m = impl(t);
    if (!m)
        return;
    mg_text_free(&m->text);
    mg_lm_model_free(&m->model);
    mg_optim_free(m->opt);
    free(m->starts);
    free(m->ids);
    free(m->targets);
    free(m->rows);
    free(m);
}

/* ---- training ---- */

static void lm_start_epoch(void *ctx, int epoch)
{
    const mg_task *t = ctx;
    mg_rng_seed(&impl(t)->rng, t->config.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(epoch + 1)));
}

static mg_code lm_step(void *ctx, mg_train_batch *out, mg_error *err)
{
    mg_task *t = ctx;
    lm_impl *m = impl(t);
    mg_graph_reset(t->g);
    const int64_t lo = first_pos(m), span = end_pos(m, m->text.ntrain) - lo;
    for (int r = 0; r < m->B; r++)
        fill_row(m, m->text.train, lo + (int64_t)mg_rng_below(&m->rng, (uint64_t)span), r);
    mg_tensor *loss = batch_loss(m, m->B);
    if (!loss)
        return task_graph_fail(t, "training step", err);
    out->root = loss->node;
    mg_optim_zero_grad(m->opt);
    if (mg_tensor_backward(loss) != MG_OK)
        return task_graph_fail(t, "backward", err);
    out->loss = mg_tensor_get(loss, 0);
    out->logits = m->spec.gpt ? m->logits : NULL;
    return MG_OK;
}

/* Clip and step in one call: the clip's factor applies as the step reads the
 * grads, which stay unscaled (nothing reads them after the update: health,
 * pictures and the inspector read them before; lm_step zeroes them). */
static void lm_update(void *ctx, double lr)
{
    const mg_task *t = ctx;
    lm_impl *m = impl(t);
    m->opt->cfg.lr = lr;
    mg_optim_update(m->opt, &(mg_update_opts){ .max_norm = t->config.grad_clip });
}

/* The loss and top-1 accuracy over the first EVAL_TOKENS predictions of the
 * val stream, in chunks whose nodes are dropped again. */
static mg_code lm_evaluate(void *ctx, mg_eval *out, mg_error *err)
{
    mg_task *t = ctx;
    lm_impl *m = impl(t);
    const int64_t lo = first_pos(m), hi = end_pos(m, m->text.nval);
    const int chunk = m->spec.gpt ? EVAL_SEQS_GPT : EVAL_ROWS_MLP;
    double loss = 0, right = 0;
    int64_t seen = 0;
    for (int64_t p = lo; p < hi && seen < EVAL_TOKENS;) {
        int rows = 0;
        for (; rows < chunk && p < hi && seen + (int64_t)(rows + 1) * m->T <= EVAL_TOKENS;
             rows++, p += m->T)
            fill_row(m, m->text.val, p, rows);
        if (rows == 0)
            break;
        mg_mark mark = mg_graph_mark(t->g);
        mg_tensor *l = batch_loss(m, rows);
        mg_tensor *flat = l ? mg_tensor_reshape(m->logits, 2, (const int[]){ -1,
                                                                           m->spec.vocab.size })
                            : NULL;
        const int n = rows * m->T;
        if (flat) {
            loss += mg_tensor_get(l, 0) * n;
            right += mg_accuracy_argmax(flat, m->targets) * n;
        }
        mg_graph_rewind(t->g, mark);
        m->logits = NULL;
        if (!flat)
            return task_graph_fail(t, "evaluating", err);
        seen += n;
    }
    *out = (mg_eval){ .loss = seen ? loss / (double)seen : NAN,
                      .accuracy = seen ? right / (double)seen : NAN, .samples = (int)seen };
    return MG_OK;
}

/* ---- the sample a picture draws: one row of the batch ---- */

static void row_text(const lm_impl *m, int r, char *buf, size_t n)
{
    const mg_vocab *v = &m->spec.vocab;
    size_t k = 0;
    for (int i = 0; i < m->width && k + 3 < n; i++) {
        unsigned char b = v->byte[m->ids[(size_t)r * m->width + i]];
        buf[k++] = b == '\n' ? '/' : (char)b;
    }
    if (!m->spec.gpt && k + 4 < n) {
        memcpy(buf + k, " -> ", 4);
        k += 4;
        unsigned char b = v->byte[m->targets[r]];
        buf[k++] = b == '\n' ? '/' : (char)b;
    }
    buf[k] = '\0';
}

static mg_code lm_worst(mg_task *t, mg_task_sample *s, mg_error *err)
{
    lm_impl *m = impl(t);
    if (!m->logits)
        return mg_error_set(err, MG_EINVAL, "no batch yet: the worst sample is a step's");
    const int V = m->spec.vocab.size;
    mg_tensor *flat = mg_tensor_reshape(m->logits, 2, (const int[]){ -1, V });
    if (!flat || mg_cross_entropy_rows(flat, m->targets, m->rows) != MG_OK)
        return task_graph_fail(t, "row losses", err);
    size_t i = mg_argmax(m->rows, (size_t)m->B * (size_t)m->T);
    s->index = (long)m->starts[i / (size_t)m->T];
    s->loss = m->rows[i];
    s->worst = true;
    return MG_OK;
}

static mg_code lm_sample(mg_task *t, mg_task_sample *s, mg_value **root, mg_error *err)
{
    lm_impl *m = impl(t);
    mg_optim_zero_grad(m->opt);
    int64_t p = s->index, last = end_pos(m, m->text.ntrain) - 1;
    p = p < first_pos(m) ? first_pos(m) : p > last ? last : p;
    fill_row(m, m->text.train, p, 0);
    mg_tensor *loss = batch_loss(m, 1);
    if (!loss || mg_tensor_backward(loss) != MG_OK)
        return task_graph_fail(t, "sample graph", err);
    *root = loss->node;
    s->index = (long)p;
    s->loss = mg_tensor_get(loss, 0);
    s->zero_grads = false;
    s->logits = m->spec.gpt ? m->logits : NULL;
    row_text(m, 0, s->label, sizeof s->label);
    m->logits = NULL; /* the batch's are gone: no worst() from a sample's */
    return MG_OK;
}

const mg_task_kind mg_task_text = {
    .open = lm_open,
    .close = lm_close,
    .start_epoch = lm_start_epoch,
    .step = lm_step,
    .update = lm_update,
    .evaluate = lm_evaluate,
    .worst = lm_worst,
    .sample = lm_sample,
};
