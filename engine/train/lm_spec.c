/* lm_spec.c — mg_lm_spec.h: a language model's identity line, written and
 * read back, and the model rebuilt from it. */
#include "mg_lm_spec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mg_checkpoint.h"

char mg_lm_end_glyph(const char *dataset)
{
    return dataset && strcmp(dataset, "words") == 0 ? '.' : '%';
}

/* The hidden widths ("200,100", or "none") after the len bytes in buf. */
static void put_hidden(const mg_lm_spec *s, char *buf, size_t n, size_t len)
{
    for (int i = 0; i < s->nhidden && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, i ? ",%d" : "%d", s->hidden[i]);
    if (s->nhidden == 0 && len < n)
        snprintf(buf + len, n - len, "none");
}

void mg_lm_spec_identity(const mg_lm_spec *s, char *buf, size_t n)
{
    char key[MG_VOCAB_KEY_SIZE], sizes[128] = "";
    mg_vocab_key(&s->vocab, key, sizeof key);
    if (s->gpt)
        snprintf(sizes, sizeof sizes, "context=%d layers=%d heads=%d embd=%d", s->context,
                 s->layers, s->heads, s->embd);
    else
        put_hidden(s, sizes, sizeof sizes,
                   (size_t)snprintf(sizes, sizeof sizes, "context=%d embd=%d hidden=",
                                    s->context, s->embd));
    snprintf(buf, n, "dataset=%s model=%s engine=tensor %s vocab=%s dtype=f32", s->dataset,
             s->gpt ? "gpt" : "mlp", sizes, key);
}

void mg_lm_spec_describe(const mg_lm_spec *s, char *buf, size_t n)
{
    if (s->gpt)
        snprintf(buf, n, "%d blocks of %d, %d heads, context %d", s->layers, s->embd, s->heads,
                 s->context);
    else
        put_hidden(s, buf, n,
                   (size_t)snprintf(buf, n, "context %d, embedding %d, hidden ", s->context,
                                    s->embd));
}

/* The value of " key=" in meta (up to the next space) into buf; false
 * when meta has none or it does not fit. */
static bool value_of(const char *meta, const char *key, char *buf, size_t n)
{
    size_t klen = strlen(key);
    for (const char *p = meta; (p = strstr(p, key)) != NULL; p += klen) {
        if ((p != meta && p[-1] != ' ') || p[klen] != '=')
            continue;
        const char *v = p + klen + 1;
        size_t len = strcspn(v, " ");
        if (len == 0 || len >= n)
            return false;
        memcpy(buf, v, len);
        buf[len] = '\0';
        return true;
    }
    return false;
}

static bool int_of(const char *meta, const char *key, int *out)
{
    char buf[16], *end;
    if (!value_of(meta, key, buf, sizeof buf))
        return false;
    long v = strtol(buf, &end, 10);
    if (*end || v < 1 || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* "200,100" (or "none") into s's hidden widths. */
static bool hidden_of(const char *meta, mg_lm_spec *s)
{
    char buf[128];
    if (!value_of(meta, "hidden", buf, sizeof buf))
        return false;
    s->nhidden = 0;
    if (strcmp(buf, "none") == 0)
        return true;
    for (char *p = buf; *p;) {
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w < 1 || w > 65536 || s->nhidden == MG_MLP_LM_MAX_HIDDEN ||
            (*end && *end != ','))
            return false;
        s->hidden[s->nhidden++] = (int)w;
        p = *end ? end + 1 : end;
    }
    return true;
}

mg_code mg_lm_spec_parse(const char *meta, mg_lm_spec *s, char *optim, size_t n,
                         mg_error *err)
{
    static const char magic[] = "mgviz-train ";
    memset(s, 0, sizeof *s);
    char model[16], key[64];
    if (strncmp(meta, magic, sizeof magic - 1) != 0)
        return mg_error_set(err, MG_EFORMAT, "not a checkpoint of mgviz train (its "
                            "metadata is '%.60s')", meta);
    const char *what = meta + sizeof magic - 1;
    if (!value_of(what, "dataset", s->dataset, sizeof s->dataset) ||
        !value_of(what, "model", model, sizeof model) ||
        (strcmp(s->dataset, "words") != 0 && strcmp(s->dataset, "fortunes") != 0) ||
        (strcmp(model, "mlp") != 0 && strcmp(model, "gpt") != 0))
        return mg_error_set(err, MG_EFORMAT, "the checkpoint holds '%.120s', not a language "
                            "model: mgviz sample reads checkpoints of --dataset words or "
                            "fortunes (--model mlp or gpt)", what);
    s->gpt = strcmp(model, "gpt") == 0;
    bool ok = int_of(what, "context", &s->context) && int_of(what, "embd", &s->embd) &&
              value_of(what, "vocab", key, sizeof key) &&
              value_of(what, "optim", optim, n);
    ok = ok && (s->gpt ? int_of(what, "layers", &s->layers) && int_of(what, "heads", &s->heads)
                       : hidden_of(what, s));
    if (!ok)
        return mg_error_set(err, MG_EFORMAT, "the checkpoint's model '%.160s' lacks a size, "
                            "its vocabulary or its optimiser", what);
    return mg_vocab_from_key(&s->vocab, key, mg_lm_end_glyph(s->dataset), err);
}

mg_code mg_lm_model_build(mg_graph *g, const mg_lm_spec *s, uint64_t seed, mg_lm_model *out,
                          mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (s->gpt) {
        mg_gpt_config c = { .vocab = s->vocab.size, .context = s->context,
                            .layers = s->layers, .heads = s->heads, .embd = s->embd };
        if (!(out->gpt = mg_gpt_new(g, MG_F32, &c, seed, err)))
            return err->code;
        out->params = out->gpt->params;
        out->nparams = out->gpt->nparams;
        out->lm = mg_gpt_as_lm(out->gpt);
        return MG_OK;
    }
    mg_mlp_lm_config c = { .vocab = s->vocab.size, .context = s->context, .embd = s->embd,
                           .nhidden = s->nhidden };
    memcpy(c.hidden, s->hidden, sizeof c.hidden);
    if (!(out->mlp = mg_mlp_lm_new(g, MG_F32, &c, seed, err)))
        return err->code;
    out->params = out->mlp->params;
    out->nparams = out->mlp->nparams;
    out->lm = mg_mlp_lm_as_lm(out->mlp);
    return MG_OK;
}

void mg_lm_model_free(mg_lm_model *m)
{
    mg_gpt_free(m->gpt);
    mg_mlp_lm_free(m->mlp);
    memset(m, 0, sizeof *m);
}

/* The float32 weights' bytes the model s describes holds at least: its
 * matrices (a GPT block's are 12 C^2), in doubles so no size overflows. */
static double weight_bytes_floor(const mg_lm_spec *s)
{
    double V = s->vocab.size, C = s->embd, T = s->context, w;
    if (s->gpt) {
        w = (V + T) * C + s->layers * 12.0 * C * C;
    } else {
        double in = T * C;
        w = V * C;
        for (int i = 0; i < s->nhidden; i++)
            w += in * s->hidden[i], in = s->hidden[i];
        w += in * V;
    }
    return 4.0 * w;
}

/* err's message prefixed with the file's name. */
static mg_code named(mg_error *err, mg_code rc, const char *path)
{
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return mg_error_set(err, rc, "%s: %s", path, why);
}

mg_code mg_lm_spec_read(const char *path, mg_lm_spec *s, char *optim, size_t n,
                        mg_error *err)
{
    char meta[1024], identity[512];
    if (mg_checkpoint_meta(path, meta, sizeof meta, err) != MG_OK)
        return err->code; /* it names the file */
    if (mg_lm_spec_parse(meta, s, optim, n, err) != MG_OK)
        return named(err, err->code, path);
    struct stat st;
    if (stat(path, &st) == 0 && weight_bytes_floor(s) > (double)st.st_size) {
        mg_lm_spec_identity(s, identity, sizeof identity);
        return mg_error_set(err, MG_EFORMAT, "%s: its model (%.300s) has at least %.0f bytes "
                            "of weights, but the file holds %lld bytes", path, identity,
                            weight_bytes_floor(s), (long long)st.st_size);
    }
    return MG_OK;
}

mg_code mg_lm_model_load(const char *path, const mg_lm_spec *s, const char *optim, mg_graph *g,
                         mg_lm_model *m, mg_error *err)
{
    char identity[512];
    if (mg_lm_model_build(g, s, 0, m, err) != MG_OK)
        return named(err, err->code, path);
    /* the optimiser's state is in the file too: resume reads all of it */
    mg_optim_config oc = mg_optim_defaults(MG_OPTIM_SGD);
    mg_train_optim_named(optim, &oc);
    mg_optim *opt = mg_optim_new((mg_tensor **)m->params, m->nparams, &oc, err);
    mg_lm_spec_identity(s, identity, sizeof identity);
    mg_train_model tm = { .identity = identity, .params = m->params, .nparams = m->nparams,
                          .optim = opt };
    mg_train_progress p;
    mg_code rc = opt ? mg_train_resume(path, &tm, &p, err) : err->code;
    mg_optim_free(opt);
    if (rc != MG_OK)
        return named(err, rc, path);
    mg_graph_keep(g);
    return MG_OK;
}
