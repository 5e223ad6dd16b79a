/* tnn_optim.c — SGD with momentum and weight decay, Adam and AdamW over
 * tensor parameters, with PyTorch's update rules, and clipping by global norm. */
#include "mg_tnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"
#include "tensor_internal.h"

mg_optim_config mg_optim_defaults(mg_optim_kind kind)
{
    if (kind == MG_OPTIM_ADAM || kind == MG_OPTIM_ADAMW)
        return (mg_optim_config){ .kind = kind, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                                  .eps = 1e-8, .weight_decay = kind == MG_OPTIM_ADAMW ? 0.01 : 0 };
    return (mg_optim_config){ .kind = MG_OPTIM_SGD, .lr = 0.01 };
}

static int is_adam(mg_optim_kind kind) { return kind == MG_OPTIM_ADAM || kind == MG_OPTIM_ADAMW; }

int mg_optim_state_count(const mg_optim *o)
{
    if (!o)
        return 0;
    return is_adam(o->cfg.kind) ? 2 : o->cfg.momentum != 0.0 ? 1 : 0;
}

const char *mg_optim_name(const mg_optim *o)
{
    if (!o)
        return "";
    if (is_adam(o->cfg.kind))
        return o->cfg.kind == MG_OPTIM_ADAMW ? "adamw" : "adam";
    return o->cfg.momentum != 0.0 ? "momentum" : "sgd";
}

mg_code mg_optim_set_decay(mg_optim *o, int i, int on)
{
    if (!o || i < 0 || i >= o->nparams)
        return MG_EINVAL;
    o->decay[i] = on != 0;
    return MG_OK;
}

void *mg_optim_state(const mg_optim *o, int i, int j)
{
    if (!o || i < 0 || i >= o->nparams || j < 0 || j >= mg_optim_state_count(o))
        return NULL;
    return j == 0 ? o->m[i] : o->v[i];
}

void mg_optim_free(mg_optim *o)
{
    if (!o)
        return;
    free(o->params);
    free(o->m);
    free(o->v);
    free(o->state);
    free(o->decay);
    free(o);
}

static mg_code check_config(const mg_optim_config *c, mg_error *err)
{
    if (!(c->lr > 0.0) || !isfinite(c->lr))
        return mg_error_set(err, MG_EINVAL, "optimizer: learning rate %g must be > 0", c->lr);
    if (!(c->momentum >= 0.0 && c->momentum < 1.0) || !(c->weight_decay >= 0.0))
        return mg_error_set(err, MG_EINVAL,
                            "optimizer: momentum %g must be in [0,1), weight decay %g >= 0",
                            c->momentum, c->weight_decay);
    if (is_adam(c->kind)
        && !(c->beta1 >= 0.0 && c->beta1 < 1.0 && c->beta2 >= 0.0 && c->beta2 < 1.0
             && c->eps > 0.0))
        return mg_error_set(err, MG_EINVAL, "adam: betas (%g, %g) must be in [0,1), eps %g > 0",
                            c->beta1, c->beta2, c->eps);
    if (c->kind != MG_OPTIM_SGD && !is_adam(c->kind))
        return mg_error_set(err, MG_EINVAL, "optimizer: unknown kind %d", (int)c->kind);
    return MG_OK;
}

mg_optim *mg_optim_new(mg_tensor *const *params, int n, const mg_optim_config *cfg,
                       mg_error *err)
{
    if (!params || n < 1 || !cfg) {
        mg_error_set(err, MG_EINVAL, "optimizer: no parameters");
        return NULL;
    }
    if (check_config(cfg, err) != MG_OK)
        return NULL;
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        if (!params[i] || !params[i]->requires_grad) {
            mg_error_set(err, MG_EINVAL, "optimizer: parameter %d does not require grad", i);
            return NULL;
        }
        /* each buffer rounded to 64 bytes keeps every one aligned for the vectoriser */
        bytes += ((size_t)params[i]->numel * mg_dtype_size(params[i]->dtype) + 63) / 64 * 64;
    }
    mg_optim *o = calloc(1, sizeof *o);
    if (!o) {
        mg_error_set(err, MG_ENOMEM, "optimizer: out of memory");
        return NULL;
    }
    o->cfg = *cfg;
    o->nparams = n;
    int per = mg_optim_state_count(o);
    o->params = malloc((size_t)n * sizeof *o->params);
    o->m = calloc((size_t)n, sizeof *o->m);
    o->v = calloc((size_t)n, sizeof *o->v);
    o->state = per ? aligned_alloc(64, bytes * (size_t)per) : NULL;
    o->decay = malloc((size_t)n);
    if (!o->params || !o->m || !o->v || (per && !o->state) || !o->decay) {
        mg_optim_free(o);
        mg_error_set(err, MG_ENOMEM, "optimizer: out of memory for %zu bytes of state", bytes);
        return NULL;
    }
    if (per)
        memset(o->state, 0, bytes * (size_t)per);
    char *p = o->state;
    for (int j = 0; j < per; j++)
        for (int i = 0; i < n; i++) {
            (j == 0 ? o->m : o->v)[i] = p;
            p += ((size_t)params[i]->numel * mg_dtype_size(params[i]->dtype) + 63) / 64 * 64;
        }
    memcpy(o->params, params, (size_t)n * sizeof *params);
    for (int i = 0; i < n; i++)
        o->decay[i] = cfg->kind != MG_OPTIM_ADAMW || params[i]->ndim >= 2;
    return o;
}

void mg_optim_zero_grad(mg_optim *o)
{
    for (int i = 0; o && i < o->nparams; i++)
        mg_tensor_zero_grad(o->params[i]);
}

/* One parameter's update, cut into slices the kernel pool runs in parallel:
 * the updates are elementwise, so the result does not depend on the cut. */
typedef struct optim_slices {
    const mg_optim_config *c;
    const tensor_loops *L;
    mg_tensor *p;
    void *m, *v;
    double c1, c2, wd;
    int count;
} optim_slices;

static void step_slice(void *ctx, int i)
{
    const optim_slices *s = ctx;
    const mg_optim_config *c = s->c;
    size_t es = mg_dtype_size(s->p->dtype), n = (size_t)s->p->numel;
    size_t lo = n * (size_t)i / (size_t)s->count, hi = n * (size_t)(i + 1) / (size_t)s->count;
    char *p = (char *)s->p->data + lo * es;
    const char *g = (const char *)s->p->grad + lo * es;
    char *m = s->m ? (char *)s->m + lo * es : NULL, *v = s->v ? (char *)s->v + lo * es : NULL;
    if (is_adam(c->kind))
        s->L->adam((int)(hi - lo), c->lr, c->beta1, c->beta2, c->eps, s->wd,
                   c->kind == MG_OPTIM_ADAMW, s->c1, s->c2, p, g, m, v);
    else
        s->L->sgd((int)(hi - lo), c->lr, c->momentum, s->wd, p, g,
                  c->momentum != 0.0 ? m : NULL);
}

void mg_optim_step(mg_optim *o)
{
    if (!o)
        return;
    const mg_optim_config *c = &o->cfg;
    o->steps++;
    optim_slices s = { .c = c, .c1 = 1.0 - pow(c->beta1, (double)o->steps),
                       .c2 = 1.0 - pow(c->beta2, (double)o->steps) };
    for (int i = 0; i < o->nparams; i++) {
        s.p = o->params[i];
        s.L = loops_of(s.p->dtype);
        s.m = o->m[i];
        s.v = is_adam(c->kind) ? o->v[i] : NULL;
        s.wd = o->decay[i] ? c->weight_decay : 0.0;
        s.count = mg_kernel_team_size((double)s.p->numel, 1 << 15);
        mg_kernel_run(step_slice, &s, s.count, s.count);
    }
}

double mg_optim_clip_grad_norm(mg_optim *o, double max_norm)
{
    if (!o)
        return 0.0;
    double sum = 0.0; /* parameter by parameter, each in fixed blocks */
    for (int i = 0; i < o->nparams; i++) {
        const mg_tensor *p = o->params[i];
        sum += loops_of(p->dtype)->sum_squares(p->numel, p->grad);
    }
    const double norm = sqrt(sum);
    const double coef = max_norm / (norm + 1e-6); /* NaN for a NaN norm, as PyTorch */
    if (max_norm > 0.0 && !(coef >= 1.0))
        for (int i = 0; i < o->nparams; i++) {
            mg_tensor *p = o->params[i];
            loops_of(p->dtype)->scale(p->numel, coef, p->grad);
        }
    return norm;
}
