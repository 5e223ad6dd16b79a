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

/* Steps and clipping run as one pool job over every parameter, cut into chunks of
 * CHUNK elements (a parameter's last chunk shorter): one job per parameter cost a
 * dispatch and a wait for each of a GPT's 26 tensors, most of them small, and two
 * threads clipped slower than one. The chunks depend on the parameters' sizes alone,
 * so a sum over them, added in chunk order, does not depend on the thread count. */
#define CHUNK 16384

/* Chunk j: elements [lo, hi) of parameter `param`. */
typedef struct param_chunk {
    int param;
    size_t lo, hi;
} param_chunk;

static int chunk_count(const mg_optim *o)
{
    long count = 0;
    for (int i = 0; i < o->nparams; i++)
        count += (o->params[i]->numel + CHUNK - 1) / CHUNK;
    return (int)count;
}

static param_chunk chunk_at(const mg_optim *o, int j)
{
    int i = 0;
    for (int c; j >= (c = (int)((o->params[i]->numel + CHUNK - 1) / CHUNK)); i++)
        j -= c;
    size_t n = (size_t)o->params[i]->numel, lo = (size_t)j * CHUNK;
    return (param_chunk){ i, lo, lo + CHUNK < n ? lo + CHUNK : n };
}

/* Elements in all parameters: whether a second thread pays. */
static double total_numel(const mg_optim *o)
{
    double n = 0;
    for (int i = 0; i < o->nparams; i++)
        n += (double)o->params[i]->numel;
    return n;
}

/* Runs task over every chunk on the pool. */
static void run_chunks(const mg_optim *o, mg_kernel_task *task, void *ctx)
{
    const int count = chunk_count(o);
    mg_kernel_run(task, ctx, count, mg_kernel_team_size(total_numel(o), 1 << 15));
}

typedef struct optim_job {
    const mg_optim *o;
    double c1, c2;   /* Adam's bias corrections */
    optim_grads gr;  /* how the step reads the grads; clipping: the factor */
    double *partial; /* clipping: Σ g² per chunk */
} optim_job;

static void step_chunk(void *ctx, int j)
{
    const optim_job *s = ctx;
    const mg_optim *o = s->o;
    const mg_optim_config *c = &o->cfg;
    const param_chunk k = chunk_at(o, j);
    const mg_tensor *t = o->params[k.param];
    const tensor_loops *L = loops_of(t->dtype);
    const size_t es = mg_dtype_size(t->dtype);
    const double wd = o->decay[k.param] ? c->weight_decay : 0.0;
    char *p = (char *)t->data + k.lo * es;
    char *g = (char *)t->grad + k.lo * es;
    char *m = o->m[k.param] ? (char *)o->m[k.param] + k.lo * es : NULL;
    const int n = (int)(k.hi - k.lo);
    if (is_adam(c->kind))
        L->adam(n, c->lr, c->beta1, c->beta2, c->eps, wd, c->kind == MG_OPTIM_ADAMW, s->c1,
                s->c2, &s->gr, p, g, m, (char *)o->v[k.param] + k.lo * es);
    else
        L->sgd(n, c->lr, c->momentum, wd, &s->gr, p, g, c->momentum != 0.0 ? m : NULL);
}

/* One update, the grads read as gr says. */
static void step_with(mg_optim *o, const optim_grads *gr)
{
    const mg_optim_config *c = &o->cfg;
    o->steps++;
    optim_job s = { .o = o, .c1 = 1.0 - pow(c->beta1, (double)o->steps),
                    .c2 = 1.0 - pow(c->beta2, (double)o->steps), .gr = *gr };
    run_chunks(o, step_chunk, &s);
}

void mg_optim_step(mg_optim *o)
{
    if (o)
        step_with(o, &(optim_grads){ 0 });
}

/* Σ g² over chunk j's gradients. */
static double chunk_sum_squares(const mg_optim *o, int j)
{
    const param_chunk k = chunk_at(o, j);
    const mg_tensor *t = o->params[k.param];
    return loops_of(t->dtype)->sum_squares(
        (int)(k.hi - k.lo), (const char *)t->grad + k.lo * mg_dtype_size(t->dtype));
}

static void sum_squares_chunk(void *ctx, int j)
{
    const optim_job *s = ctx;
    s->partial[j] = chunk_sum_squares(s->o, j);
}

/* The L2 norm of every grad taken together: per-chunk sums in double, added in
 * chunk order (the same bits on any thread count). */
static double grad_norm(const mg_optim *o)
{
    const int count = chunk_count(o);
    /* the calling thread's scratch: grown once, so a warm step allocates nothing */
    optim_job s = { .o = o, .partial = mg_kernel_workspace((size_t)count * sizeof(double)) };
    double sum = 0.0;
    if (s.partial)
        run_chunks(o, sum_squares_chunk, &s);
    for (int j = 0; j < count; j++) /* (out of memory for the partials: one by one here) */
        sum += s.partial ? s.partial[j] : chunk_sum_squares(o, j);
    return sqrt(sum);
}

/* Clipping's factor for a norm: scaled when max_norm > 0 and the factor is not
 * >= 1 (so a NaN norm scales by NaN, as PyTorch). */
static optim_grads clip_factor(double norm, double max_norm)
{
    const double coef = max_norm / (norm + 1e-6);
    return (optim_grads){ .scaled = max_norm > 0.0 && !(coef >= 1.0), .scale = coef };
}

static void scale_chunk(void *ctx, int j)
{
    const optim_job *s = ctx;
    const param_chunk k = chunk_at(s->o, j);
    const mg_tensor *t = s->o->params[k.param];
    loops_of(t->dtype)->scale((int)(k.hi - k.lo), s->gr.scale,
                              (char *)t->grad + k.lo * mg_dtype_size(t->dtype));
}

double mg_optim_clip_grad_norm(mg_optim *o, double max_norm)
{
    if (!o)
        return 0.0;
    const double norm = grad_norm(o);
    optim_job s = { .o = o, .gr = clip_factor(norm, max_norm) };
    if (s.gr.scaled)
        run_chunks(o, scale_chunk, &s);
    return norm;
}

/* One pass for the norm (when clipping), one for the update that scales each
 * grad as it reads it and clears it after: the separate calls' numbers, with
 * the clip's scaling pass and zero_grad's pass (whose cold lines are each read
 * for ownership before the memset writes them) left out. */
double mg_optim_update(mg_optim *o, const mg_update_opts *u)
{
    if (!o)
        return 0.0;
    const double max_norm = u ? u->max_norm : 0.0;
    const double norm = max_norm > 0.0 ? grad_norm(o) : 0.0;
    optim_grads gr = max_norm > 0.0 ? clip_factor(norm, max_norm) : (optim_grads){ 0 };
    gr.zero = u && u->zero_grad;
    step_with(o, &gr);
    return norm;
}
