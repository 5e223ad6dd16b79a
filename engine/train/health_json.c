/* health_json.c — mg_health_json(): the layers of a step record.
 *
 *   "mlp/layer1": { "act": "relu",
 *     "activation": { "count", "nonfinite", "min", "max", "mean", "std",
 *                     "bins": [MG_HEALTH_BINS counts over min..max] },
 *     "units": 16, "dead": 0.0625, "zero": 0.31,      (relu layers)
 *     "saturated": 0.02,                               (tanh, sigmoid layers)
 *     "grad": { the same histogram fields }, "grad_norm", "data_norm",
 *     "update_ratio" }
 * Fields that do not apply are left out. */
#include "mg_health.h"
#include "train_json.h"

static const char *const act_names[] = { "linear", "relu", "tanh", "sigmoid" };

static void histogram(tj *o, const char *key, const mg_histogram *h)
{
    tj_key(o, key);
    tj x = tj_begin(o->b, '{');
    tj_int(&x, "count", h->count);
    tj_int(&x, "nonfinite", h->nonfinite);
    tj_number_if(&x, "min", h->min);
    tj_number_if(&x, "max", h->max);
    tj_number_if(&x, "mean", h->mean);
    tj_number_if(&x, "std", h->std);
    tj_key(&x, "bins");
    tj bins = tj_begin(o->b, '[');
    for (int i = 0; i < MG_HEALTH_BINS; i++) {
        tj_key(&bins, NULL);
        mg_buf_printf(o->b, "%lld", h->bins[i]);
    }
    tj_end(&bins, ']');
    tj_end(&x, '}');
}

static void layer_json(tj *o, const mg_layer_health *l)
{
    tj_key(o, l->scope);
    tj x = tj_begin(o->b, '{');
    tj_string(&x, "act", act_names[l->act]);
    histogram(&x, "activation", &l->activation);
    tj_int(&x, "units", l->units);
    tj_number_if(&x, "dead", l->dead);
    tj_number_if(&x, "zero", l->zero);
    tj_number_if(&x, "saturated", l->saturated);
    histogram(&x, "grad", &l->grad);
    tj_number(&x, "grad_norm", l->grad_norm);
    tj_number(&x, "data_norm", l->data_norm);
    tj_number_if(&x, "update_ratio", l->update_ratio);
    tj_end(&x, '}');
}

void mg_health_json(const mg_health *h, mg_buf *b)
{
    tj o = tj_begin(b, '{');
    for (int i = 0; i < mg_health_count(h); i++)
        layer_json(&o, mg_health_get(h, i));
    tj_end(&o, '}');
}
