/* gpt_torch_dump.c — what bench/gpt_vs_torch.py needs to train the same GPT
 * in PyTorch as `mgviz train --dataset fortunes --model gpt` trains: the
 * fortunes as that command reads them (same seed, same split), and the
 * model's initial weights (same seed). Writes into DIR:
 *     config.json   sizes, vocabulary size, token counts, parameter labels
 *                   and shapes in order
 *     train.i32     the train stream, int32 little-endian
 *     val.i32       the val stream
 *     init.f32      every parameter's initial values, in order, float32
 * Usage: gpt_torch_dump DIR [SEED LAYERS HEADS EMBD CONTEXT] (defaults:
 * mgviz train's). */
#include <stdio.h>
#include <stdlib.h>

#include "mg_gpt.h"
#include "mg_text.h"

static int write_all(const char *dir, const char *name, const void *p, size_t size, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, size, n, f) == n;
    if (f)
        ok = (fclose(f) == 0) && ok;
    if (!ok)
        fprintf(stderr, "gpt_torch_dump: cannot write %s\n", path);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gpt_torch_dump DIR [SEED LAYERS HEADS EMBD CONTEXT]\n");
        return 2;
    }
    const char *dir = argv[1];
    long a[5] = { 1337, 4, 4, 64, 64 };
    for (int i = 2; i < argc && i < 7; i++)
        a[i - 2] = atol(argv[i]);
    mg_error err;
    mg_text text;
    if (mg_text_load_fortunes(NULL, &(mg_text_options){ .seed = (uint64_t)a[0] }, &text,
                              &err) != MG_OK) {
        fprintf(stderr, "gpt_torch_dump: %s\n", err.message);
        return 1;
    }
    mg_gpt_config c = { .vocab = text.vocab.size, .layers = (int)a[1], .heads = (int)a[2],
                        .embd = (int)a[3], .context = (int)a[4] };
    mg_graph *g = mg_graph_new();
    mg_gpt *m = g ? mg_gpt_new(g, MG_F32, &c, (uint64_t)a[0], &err) : NULL;
    if (!m) {
        fprintf(stderr, "gpt_torch_dump: %s\n", g ? err.message : "out of memory");
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gpt_torch_dump: cannot write %s\n", path);
        return 1;
    }
    fprintf(f, "{\"seed\": %ld, \"layers\": %d, \"heads\": %d, \"embd\": %d, \"context\": %d, "
            "\"vocab\": %d, \"ntrain\": %zu, \"nval\": %zu, \"params\": [", a[0], c.layers,
            c.heads, c.embd, c.context, c.vocab, text.ntrain, text.nval);
    size_t total = 0;
    for (int i = 0; i < m->nparams; i++) {
        const mg_tensor *p = m->params[i];
        fprintf(f, "%s{\"label\": \"%s\", \"shape\": [", i ? ", " : "", mg_value_label(p->node));
        for (int d = 0; d < p->ndim; d++)
            fprintf(f, "%s%d", d ? ", " : "", p->shape[d]);
        fprintf(f, "]}");
        total += (size_t)p->numel;
    }
    fprintf(f, "]}\n");
    int ok = fclose(f) == 0;
    float *w = malloc(sizeof *w * total);
    size_t at = 0;
    for (int i = 0; w && i < m->nparams; i++)
        for (int k = 0; k < m->params[i]->numel; k++)
            w[at++] = (float)mg_tensor_get(m->params[i], k);
    ok = ok && w && write_all(dir, "init.f32", w, sizeof *w, total) &&
         write_all(dir, "train.i32", text.train, sizeof *text.train, text.ntrain) &&
         write_all(dir, "val.i32", text.val, sizeof *text.val, text.nval);
    free(w);
    mg_gpt_free(m);
    mg_graph_free(g);
    mg_text_free(&text);
    return ok ? 0 : 1;
}
