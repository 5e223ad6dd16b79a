/* gpt_dump.c — one GPT training step in float64, printed as one
 * JSON object for test_gpt_parity.py to replay in PyTorch: the config, the
 * batch (ids, targets), every parameter (label, shape, values before the
 * step), the loss, every grad, the global grad norm, and the values after
 * clipping to norm 0.5 and one AdamW step. The weights are GPT-2's init
 * plus noise, so that every part of the model carries weight. Usage:
 * parity_gpt_dump [LAYERS HEADS EMBD VOCAB CONTEXT B T]. */
#include <stdio.h>
#include <stdlib.h>

#include "mg_gpt.h"

static void numbers(const char *key, const mg_tensor *t, int grad)
{
    printf(", \"%s\": [", key);
    for (int i = 0; i < t->numel; i++) {
        double x = grad ? mg_tensor_grad_at(t, i) : mg_tensor_get(t, i);
        printf("%s%.17g", i ? "," : "", x == 0 ? 0.0 : x);
    }
    printf("]");
}

static void ints(const char *key, const int32_t *v, int n)
{
    printf(", \"%s\": [", key);
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)v[i]);
    printf("]");
}

int main(int argc, char **argv)
{
    int a[7] = { 2, 2, 8, 11, 6, 3, 6 };
    for (int i = 1; i < argc && i <= 7; i++)
        a[i - 1] = atoi(argv[i]);
    const mg_gpt_config c = { .layers = a[0], .heads = a[1], .embd = a[2], .vocab = a[3],
                              .context = a[4] };
    const int B = a[5], T = a[6];
    mg_graph *g = mg_graph_new();
    mg_error err;
    mg_gpt *m = g ? mg_gpt_new(g, MG_F64, &c, 42, &err) : NULL;
    if (!m) {
        fprintf(stderr, "gpt: %s\n", g ? err.message : "out of memory");
        return 1;
    }
    mg_rng rng;
    mg_rng_seed(&rng, 7);
    for (int i = 0; i < m->nparams; i++)
        for (int k = 0; k < m->params[i]->numel; k++)
            mg_tensor_set(m->params[i], k,
                          mg_tensor_get(m->params[i], k) + 0.2 * mg_rng_normal(&rng));
    int32_t *ids = malloc(sizeof *ids * (size_t)(B * T)), *targets = malloc(sizeof *ids * (size_t)(B * T));
    for (int i = 0; ids && targets && i < B * T; i++) {
        ids[i] = (int32_t)mg_rng_below(&rng, (uint64_t)c.vocab);
        targets[i] = (int32_t)mg_rng_below(&rng, (uint64_t)c.vocab);
    }
    mg_optim_config oc = mg_optim_defaults(MG_OPTIM_ADAMW);
    oc.lr = 1e-2;
    oc.weight_decay = 0.1;
    mg_optim *opt = ids && targets ? mg_optim_new(m->params, m->nparams, &oc, &err) : NULL;
    mg_graph_keep(g);
    mg_tensor *loss = opt ? mg_gpt_loss(m, B, T, ids, targets) : NULL;
    if (!loss || mg_tensor_backward(loss) != MG_OK) {
        fprintf(stderr, "gpt step: %s\n", mg_graph_error(g) ? mg_graph_error(g) : err.message);
        return 1;
    }
    printf("{\"layers\": %d, \"heads\": %d, \"embd\": %d, \"vocab\": %d, \"context\": %d, "
           "\"B\": %d, \"T\": %d, \"lr\": %.17g, \"weight_decay\": %.17g, \"clip\": 0.5",
           c.layers, c.heads, c.embd, c.vocab, c.context, B, T, oc.lr, oc.weight_decay);
    ints("ids", ids, B * T);
    ints("targets", targets, B * T);
    printf(", \"loss\": %.17g, \"params\": [", mg_tensor_get(loss, 0));
    for (int i = 0; i < m->nparams; i++) {
        const mg_tensor *p = m->params[i];
        printf("%s{\"label\": \"%s\", \"shape\": [", i ? ", " : "", mg_value_label(p->node));
        for (int d = 0; d < p->ndim; d++)
            printf("%s%d", d ? "," : "", p->shape[d]);
        printf("]");
        numbers("data", p, 0);
        numbers("grad", p, 1);
        printf("}");
    }
    double norm = mg_optim_clip_grad_norm(opt, 0.5);
    mg_optim_step(opt);
    printf("], \"grad_norm\": %.17g, \"after\": [", norm);
    for (int i = 0; i < m->nparams; i++) {
        printf("%s{\"label\": \"%s\"", i ? ", " : "", mg_value_label(m->params[i]->node));
        numbers("data", m->params[i], 0);
        printf("}");
    }
    printf("]}\n");
    free(ids);
    free(targets);
    mg_optim_free(opt);
    mg_gpt_free(m);
    mg_graph_free(g);
    return 0;
}
