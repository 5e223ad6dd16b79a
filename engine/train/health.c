/* health.c — mg_health.h: per-layer statistics of a training step, measured
 * by walking the step's nodes once to find each layer's outputs, then two
 * passes over their numbers (range, then bins and spread). */
#include "mg_health.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_size.h"

enum { MAX_PARTS = 16, WARNING_SIZE = 192, SATURATION_PERMILLE = 970 };

/* A running summary of numbers on their way into a histogram. */
typedef struct accum {
    double min, max, sum, sq; /* sq: sum of squares about the mean (2nd pass) */
    long long count, nonfinite;
} accum;

typedef struct layer {
    char *scope;
    char *parts[MAX_PARTS];     /* the scope's names, pointing into scope */
    int nparts;
    mg_tensor **params;
    int nparams;
    mg_value **values;
    size_t nvalues;
    char **unit_names;          /* scalar units: the child scopes seen */
    int nunit_names;
    unsigned char *alive;       /* per unit: an output other than 0 this step */
    int cap_alive;
    size_t before_at;           /* where its parameters' data is kept */
    double zero_count, saturated_count;
    accum act, grad;
    mg_layer_health out;
    bool warned[5];             /* warned of a zone: dead, saturated, grads, big, tiny */
} layer;

struct mg_health {
    mg_graph *g;
    layer *layers;
    int n;
    int *scope_layer, *scope_unit; /* per scope id: layer (-1 none), unit (-1 the layer) */
    uint32_t nscopes, cap_scopes;
    mg_value **acts;            /* this step's layer outputs */
    size_t nacts, cap_acts;
    double *before;             /* the parameters' data at the measurement */
    size_t nbefore;
    mg_health_limits limits;
    char warnings[MG_HEALTH_MAX_LAYERS * 5][WARNING_SIZE];
    int nwarnings;
};

/* ---- setup ---- */

static char *copy_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

static void *copy_array(const void *p, size_t n, size_t size)
{
    void *q = malloc(n ? n * size : 1);
    if (q && n)
        memcpy(q, p, n * size);
    return q;
}

/* Splits l->scope at '/' into l->parts; false when empty or too deep. */
static bool split_scope(layer *l)
{
    l->nparts = 0;
    for (char *p = strtok(l->scope, "/"); p; p = strtok(NULL, "/")) {
        if (l->nparts == MAX_PARTS)
            return false;
        l->parts[l->nparts++] = p;
    }
    return l->nparts > 0;
}

static size_t param_elements(const layer *l)
{
    size_t n = l->nvalues;
    for (int i = 0; i < l->nparams; i++)
        n += (size_t)l->params[i]->numel;
    return n;
}

static mg_code add_layer(mg_health *h, const mg_health_layer *in, mg_error *err)
{
    layer *l = &h->layers[h->n];
    if (!in->scope || (in->nparams > 0 && !in->params) || in->nparams < 0 ||
        (in->nvalues > 0 && !in->values))
        return mg_error_set(err, MG_EINVAL, "health: layer %d is incomplete", h->n + 1);
    l->scope = copy_text(in->scope);
    l->out.scope = copy_text(in->scope);
    l->params = copy_array(in->params, (size_t)in->nparams, sizeof *l->params);
    l->values = copy_array(in->values, in->nvalues, sizeof *l->values);
    h->n++;
    if (!l->scope || !l->out.scope || !l->params || !l->values)
        return mg_error_set(err, MG_ENOMEM, "health: out of memory");
    if (!split_scope(l))
        return mg_error_set(err, MG_EINVAL, "health: scope '%s' is empty or deeper than %d",
                            in->scope, MAX_PARTS);
    l->nparams = in->nparams;
    l->nvalues = in->nvalues;
    for (int i = 0; i < l->nparams; i++)
        if (!l->params[i])
            return mg_error_set(err, MG_EINVAL, "health: layer '%s' has a NULL parameter",
                                in->scope);
    l->before_at = h->nbefore;
    h->nbefore += param_elements(l);
    return MG_OK;
}

mg_health *mg_health_new(mg_graph *g, const mg_health_layer *layers, int n, mg_error *err)
{
    if (!g || !layers || n < 1 || n > MG_HEALTH_MAX_LAYERS) {
        mg_error_set(err, MG_EINVAL, "health: needs a graph and 1..%d layers",
                     MG_HEALTH_MAX_LAYERS);
        return NULL;
    }
    mg_health *h = calloc(1, sizeof *h);
    if (!h || !(h->layers = calloc((size_t)n, sizeof *h->layers))) {
        free(h);
        mg_error_set(err, MG_ENOMEM, "health: out of memory");
        return NULL;
    }
    h->g = g;
    h->limits = mg_health_default_limits();
    mg_code rc = MG_OK;
    for (int i = 0; i < n && rc == MG_OK; i++)
        rc = add_layer(h, &layers[i], err);
    if (rc == MG_OK && !(h->before = malloc(sizeof *h->before * (h->nbefore ? h->nbefore : 1))))
        rc = mg_error_set(err, MG_ENOMEM, "health: out of memory");
    if (rc != MG_OK) {
        mg_health_free(h);
        return NULL;
    }
    return h;
}

void mg_health_free(mg_health *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->n; i++) {
        layer *l = &h->layers[i];
        free(l->scope);
        free((char *)l->out.scope);
        free(l->params);
        free(l->values);
        for (int u = 0; u < l->nunit_names; u++)
            free(l->unit_names[u]);
        free(l->unit_names);
        free(l->alive);
    }
    free(h->layers);
    free(h->scope_layer);
    free(h->scope_unit);
    free(h->acts);
    free(h->before);
    free(h);
}

mg_health_limits mg_health_default_limits(void)
{
    return (mg_health_limits){ .dead = 0.5, .saturated = 0.5, .ratio_low = -5, .ratio_high = -1 };
}

void mg_health_set_limits(mg_health *h, const mg_health_limits *limits)
{
    if (h && limits)
        h->limits = *limits;
}

int mg_health_count(const mg_health *h) { return h ? h->n : 0; }

const mg_layer_health *mg_health_get(const mg_health *h, int i)
{
    return h && i >= 0 && i < h->n ? &h->layers[i].out : NULL;
}

int mg_health_warning_count(const mg_health *h) { return h ? h->nwarnings : 0; }

const char *mg_health_warning(const mg_health *h, int i)
{
    return h && i >= 0 && i < h->nwarnings ? h->warnings[i] : NULL;
}

/* ---- which layer a scope belongs to (computed once per scope) ---- */

/* The unit slot of child scope name under l, added when new; -1 when out of memory. */
static int unit_slot(layer *l, const char *name)
{
    for (int u = 0; u < l->nunit_names; u++)
        if (strcmp(l->unit_names[u], name) == 0)
            return u;
    char **names = realloc(l->unit_names, sizeof *names * (size_t)(l->nunit_names + 1));
    if (!names)
        return -1;
    l->unit_names = names;
    if (!(names[l->nunit_names] = copy_text(name)))
        return -1;
    return l->nunit_names++;
}

/* Finds the layer whose names occur in scope s's path as consecutive names. */
static mg_code classify_scope(mg_health *h, uint32_t s)
{
    const char *names[64];
    uint32_t depth = mg_scope_depth(h->g, s);
    int n = depth < 64 ? (int)depth : 64;
    for (uint32_t id = s, k = depth; k > 0; k--, id = mg_scope_parent(h->g, id))
        if (k <= 64)
            names[k - 1] = mg_scope_name(h->g, id);
    h->scope_layer[s] = h->scope_unit[s] = -1;
    for (int li = 0; li < h->n; li++) {
        layer *l = &h->layers[li];
        for (int at = 0; at + l->nparts <= n; at++) {
            int k = 0;
            while (k < l->nparts && strcmp(names[at + k], l->parts[k]) == 0)
                k++;
            if (k < l->nparts)
                continue;
            h->scope_layer[s] = li;
            if (at + k < n && (h->scope_unit[s] = unit_slot(l, names[at + k])) < 0)
                return MG_ENOMEM;
            return MG_OK;
        }
    }
    return MG_OK;
}

/* Brings the scope table up to the graph's scopes: new scopes appear only
 * while the first steps build their nodes. */
static mg_code learn_scopes(mg_health *h)
{
    uint32_t count = mg_scope_count(h->g);
    if (count <= h->nscopes)
        return MG_OK;
    if (count > h->cap_scopes) {
        void *arrays[] = { &h->scope_layer, &h->scope_unit };
        const size_t sizes[] = { sizeof *h->scope_layer, sizeof *h->scope_unit };
        if (!mg_realloc_arrays(count, 2, arrays, sizes))
            return MG_ENOMEM;
        h->cap_scopes = count;
    }
    for (; h->nscopes < count; h->nscopes++)
        if (classify_scope(h, h->nscopes) != MG_OK)
            return MG_ENOMEM;
    return MG_OK;
}

/* ---- numbers ---- */

static void accum_reset(accum *a) { *a = (accum){ .min = INFINITY, .max = -INFINITY }; }

static void accum_add(accum *a, double x)
{
    if (!isfinite(x)) {
        a->nonfinite++;
        return;
    }
    a->count++;
    a->sum += x;
    a->min = x < a->min ? x : a->min;
    a->max = x > a->max ? x : a->max;
}

/* The second pass: x into its bin and the spread. */
static void bin_add(accum *a, mg_histogram *hist, double x)
{
    if (!isfinite(x))
        return;
    double mean = a->sum / (double)a->count, span = a->max - a->min;
    int k = span > 0 ? (int)((x - a->min) / span * MG_HEALTH_BINS) : 0;
    hist->bins[k < 0 ? 0 : k >= MG_HEALTH_BINS ? MG_HEALTH_BINS - 1 : k]++;
    a->sq += (x - mean) * (x - mean);
}

static void hist_start(const accum *a, mg_histogram *hist)
{
    memset(hist, 0, sizeof *hist);
    hist->count = a->count;
    hist->nonfinite = a->nonfinite;
    hist->min = a->count ? a->min : NAN;
    hist->max = a->count ? a->max : NAN;
    hist->mean = a->count ? a->sum / (double)a->count : NAN;
}

static void hist_finish(const accum *a, mg_histogram *hist)
{
    hist->std = a->count ? sqrt(a->sq / (double)a->count) : NAN;
}

static double element(const mg_tensor *t, const void *buf, int i)
{
    return t->dtype == MG_F32 ? (double)((const float *)buf)[i] : ((const double *)buf)[i];
}

/* ---- activations ---- */

static mg_act_kind act_of(const mg_value *v)
{
    switch (v->op) {
    case MG_OP_RELU: return MG_ACT_RELU;
    case MG_OP_TANH: return MG_ACT_TANH;
    case MG_OP_SIGMOID: return MG_ACT_SIGMOID;
    default: return MG_ACT_LINEAR;
    }
}

static bool saturated(mg_act_kind k, double x)
{
    double t = k == MG_ACT_SIGMOID ? 2 * x - 1 : x;
    return fabs(t) > SATURATION_PERMILLE / 1000.0;
}

/* Makes room for units alive flags; false when out of memory. */
static bool ensure_units(layer *l, int units)
{
    if (units <= l->cap_alive)
        return true;
    unsigned char *a = realloc(l->alive, (size_t)units);
    if (!a)
        return false;
    memset(a + l->cap_alive, 0, (size_t)(units - l->cap_alive));
    l->alive = a;
    l->cap_alive = units;
    return true;
}

/* The first pass over one output node: range, zeros, saturation, units. */
static bool act_first(mg_health *h, layer *l, const mg_value *v)
{
    mg_act_kind k = act_of(v);
    if (l->act.count + l->act.nonfinite == 0)
        l->out.act = k;
    if (!(v->flags & MG_FLAG_TENSOR)) {
        int unit = h->scope_unit[v->scope] < 0 ? 0 : h->scope_unit[v->scope];
        if (!ensure_units(l, unit + 1))
            return false;
        l->out.units = unit + 1 > l->out.units ? unit + 1 : l->out.units;
        accum_add(&l->act, v->data);
        l->zero_count += v->data == 0;
        l->saturated_count += saturated(k, v->data);
        l->alive[unit] |= v->data != 0;
        return true;
    }
    const mg_tensor *t = v->tensor;
    int cols = t->ndim ? t->shape[t->ndim - 1] : 1;
    if (!ensure_units(l, cols))
        return false;
    l->out.units = cols > l->out.units ? cols : l->out.units;
    for (int i = 0; i < t->numel; i++) {
        double x = element(t, t->data, i);
        accum_add(&l->act, x);
        l->zero_count += x == 0;
        l->saturated_count += saturated(k, x);
        l->alive[i % cols] |= x != 0;
    }
    return true;
}

static void act_second(layer *l, const mg_value *v)
{
    if (!(v->flags & MG_FLAG_TENSOR)) {
        bin_add(&l->act, &l->out.activation, v->data);
        return;
    }
    const mg_tensor *t = v->tensor;
    for (int i = 0; i < t->numel; i++)
        bin_add(&l->act, &l->out.activation, element(t, t->data, i));
}

/* Lists this step's layer outputs: non-leaf nodes in a layer's scope that
 * end a run of nodes of that scope. */
static mg_code find_outputs(mg_health *h)
{
    size_t count = mg_graph_count(h->g);
    h->nacts = 0;
    mg_value *next = NULL;
    for (size_t id = count; id-- > mg_graph_kept(h->g);) {
        mg_value *v = mg_graph_node(h->g, (uint32_t)id);
        bool ends_run = !next || next->scope != v->scope;
        next = v;
        if (!ends_run || v->op == MG_OP_LEAF || v->scope >= h->nscopes ||
            h->scope_layer[v->scope] < 0)
            continue;
        if (h->nacts == h->cap_acts) {
            size_t cap = h->cap_acts ? 2 * h->cap_acts : 256;
            mg_value **a = realloc(h->acts, sizeof *a * cap);
            if (!a)
                return MG_ENOMEM;
            h->acts = a;
            h->cap_acts = cap;
        }
        h->acts[h->nacts++] = v;
    }
    return MG_OK;
}

/* A layer whose outputs include a nonlinearity's describes those only: a
 * sum that happens to end a run in its scope is not an activation. */
static void drop_linear_outputs(mg_health *h)
{
    bool nonlinear[MG_HEALTH_MAX_LAYERS] = { false };
    for (size_t i = 0; i < h->nacts; i++)
        nonlinear[h->scope_layer[h->acts[i]->scope]] |= act_of(h->acts[i]) != MG_ACT_LINEAR;
    size_t kept = 0;
    for (size_t i = 0; i < h->nacts; i++)
        if (!nonlinear[h->scope_layer[h->acts[i]->scope]] || act_of(h->acts[i]) != MG_ACT_LINEAR)
            h->acts[kept++] = h->acts[i];
    h->nacts = kept;
}

static mg_code measure_activations(mg_health *h)
{
    mg_code rc = find_outputs(h);
    if (rc != MG_OK)
        return rc;
    drop_linear_outputs(h);
    for (size_t i = 0; i < h->nacts; i++)
        if (!act_first(h, &h->layers[h->scope_layer[h->acts[i]->scope]], h->acts[i]))
            return MG_ENOMEM;
    for (int li = 0; li < h->n; li++)
        hist_start(&h->layers[li].act, &h->layers[li].out.activation);
    for (size_t i = 0; i < h->nacts; i++)
        act_second(&h->layers[h->scope_layer[h->acts[i]->scope]], h->acts[i]);
    for (int li = 0; li < h->n; li++) {
        layer *l = &h->layers[li];
        mg_layer_health *o = &l->out;
        hist_finish(&l->act, &o->activation);
        double outputs = (double)(l->act.count + l->act.nonfinite);
        int dead = 0;
        for (int u = 0; u < o->units; u++)
            dead += !l->alive[u];
        bool relu = o->act == MG_ACT_RELU && outputs > 0;
        bool squash = (o->act == MG_ACT_TANH || o->act == MG_ACT_SIGMOID) && outputs > 0;
        o->dead = relu && o->units ? (double)dead / o->units : NAN;
        o->zero = relu ? l->zero_count / outputs : NAN;
        o->saturated = squash ? l->saturated_count / outputs : NAN;
    }
    return MG_OK;
}

/* ---- parameters ---- */

/* Walks every parameter number of a layer: tensors' elements, then the
 * scalar values. */
typedef struct param_iter {
    const layer *l;
    int p, i;
    size_t v;
} param_iter;

/* The next number's data and grad (0 when it has no grad); false at the end. */
static bool next_param(param_iter *it, double *data, double *grad)
{
    const layer *l = it->l;
    while (it->p < l->nparams) {
        const mg_tensor *t = l->params[it->p];
        if (it->i < t->numel) {
            *data = element(t, t->data, it->i);
            *grad = t->grad ? element(t, t->grad, it->i) : 0.0;
            it->i++;
            return true;
        }
        it->p++;
        it->i = 0;
    }
    if (it->v >= l->nvalues)
        return false;
    *data = l->values[it->v]->data;
    *grad = l->values[it->v]->grad;
    it->v++;
    return true;
}

static void measure_params(mg_health *h, layer *l)
{
    double *before = h->before + l->before_at, gsq = 0, dsq = 0, d, g;
    accum_reset(&l->grad);
    param_iter it = { .l = l };
    for (size_t k = 0; next_param(&it, &d, &g); k++) {
        accum_add(&l->grad, g);
        gsq += g * g;
        dsq += d * d;
        before[k] = d;
    }
    hist_start(&l->grad, &l->out.grad);
    it = (param_iter){ .l = l };
    while (next_param(&it, &d, &g))
        bin_add(&l->grad, &l->out.grad, g);
    hist_finish(&l->grad, &l->out.grad);
    l->out.grad_norm = sqrt(gsq);
    l->out.data_norm = sqrt(dsq);
}

/* ---- warnings ---- */

/* Records a warning the first time layer l enters bad zone `which`: once
 * is news, a layer wavering at the edge of a zone is not. */
static void zone(mg_health *h, layer *l, int which, bool bad, const char *fmt, double x)
{
    if (bad && !l->warned[which] && h->nwarnings < (int)(sizeof h->warnings / WARNING_SIZE)) {
        l->warned[which] = true;
        char text[WARNING_SIZE - 64];
        snprintf(text, sizeof text, fmt, x);
        snprintf(h->warnings[h->nwarnings++], WARNING_SIZE, "%s: %s", l->out.scope, text);
    }
}

static void check_measured(mg_health *h, layer *l)
{
    const mg_layer_health *o = &l->out;
    const char *act = o->act == MG_ACT_TANH ? "tanh" : "sigmoid";
    zone(h, l, 0, o->dead > h->limits.dead,
         "%.0f%% of the relu units are dead (0 for every sample of the step)", 100 * o->dead);
    char sat[128];
    snprintf(sat, sizeof sat, "%%.0f%%%% of the %s outputs are saturated (|%s| > 0.97)", act,
             o->act == MG_ACT_TANH ? "t" : "2s-1");
    zone(h, l, 1, o->saturated > h->limits.saturated, sat, 100 * o->saturated);
    zone(h, l, 2, o->grad.nonfinite > 0, "%.0f parameter grads are not finite",
         (double)o->grad.nonfinite);
}

mg_code mg_health_measure(mg_health *h)
{
    if (!h)
        return MG_EINVAL;
    h->nwarnings = 0;
    mg_code rc = learn_scopes(h);
    for (int li = 0; li < h->n; li++) {
        layer *l = &h->layers[li];
        accum_reset(&l->act);
        l->zero_count = l->saturated_count = 0;
        l->out.units = 0;
        l->out.act = MG_ACT_LINEAR;
        l->out.update_ratio = NAN;
        if (l->cap_alive)
            memset(l->alive, 0, (size_t)l->cap_alive);
    }
    if (rc == MG_OK)
        rc = measure_activations(h);
    if (rc != MG_OK)
        return rc;
    for (int li = 0; li < h->n; li++) {
        measure_params(h, &h->layers[li]);
        check_measured(h, &h->layers[li]);
    }
    return MG_OK;
}

void mg_health_after_update(mg_health *h)
{
    if (!h)
        return;
    for (int li = 0; li < h->n; li++) {
        layer *l = &h->layers[li];
        const double *before = h->before + l->before_at;
        double dsq = 0, d, g;
        param_iter it = { .l = l };
        for (size_t k = 0; next_param(&it, &d, &g); k++)
            dsq += (d - before[k]) * (d - before[k]);
        double r = log10(sqrt(dsq) / l->out.data_norm);
        l->out.update_ratio = r;
        zone(h, l, 3, r > h->limits.ratio_high,
             "updates are large: log10(update/data) = %.1f (about -3 is typical; lower the "
             "learning rate if the loss jumps about)", r);
        zone(h, l, 4, r < h->limits.ratio_low,
             "updates are tiny: log10(update/data) = %.1f (about -3 is typical; the layer "
             "hardly learns)", r);
    }
}
