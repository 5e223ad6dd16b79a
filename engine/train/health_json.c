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
#include <math.h>

#include "mg_json.h"

static const char *const act_names[] = { "linear", "relu", "tanh", "sigmoid" };

static void histogram(mg_json *o, const char *key, const mg_histogram *h)
{
    mg_json_key(o, key);
    mg_json x = mg_json_begin(o->b, '{');
    mg_json_int(&x, "count", h->count);
    mg_json_int(&x, "nonfinite", h->nonfinite);
    mg_json_number_if(&x, "min", h->min);
    mg_json_number_if(&x, "max", h->max);
    mg_json_number_if(&x, "mean", h->mean);
    mg_json_number_if(&x, "std", h->std);
    mg_json_key(&x, "bins");
    mg_json bins = mg_json_begin(o->b, '[');
    for (int i = 0; i < MG_HEALTH_BINS; i++) {
        mg_json_key(&bins, NULL);
        mg_buf_printf(o->b, "%lld", h->bins[i]);
    }
    mg_json_end(&bins, ']');
    mg_json_end(&x, '}');
}

static void layer_json(mg_json *o, const mg_layer_health *l)
{
    mg_json_key(o, l->scope);
    mg_json x = mg_json_begin(o->b, '{');
    mg_json_string(&x, "act", act_names[l->act]);
    histogram(&x, "activation", &l->activation);
    mg_json_int(&x, "units", l->units);
    mg_json_number_if(&x, "dead", l->dead);
    mg_json_number_if(&x, "zero", l->zero);
    mg_json_number_if(&x, "saturated", l->saturated);
    histogram(&x, "grad", &l->grad);
    mg_json_number(&x, "grad_norm", l->grad_norm);
    mg_json_number(&x, "data_norm", l->data_norm);
    mg_json_number_if(&x, "update_ratio", l->update_ratio);
    mg_json_end(&x, '}');
}

void mg_health_json(const mg_health *h, mg_buf *b)
{
    mg_json o = mg_json_begin(b, '{');
    for (int i = 0; i < mg_health_count(h); i++)
        layer_json(&o, mg_health_get(h, i));
    mg_json_end(&o, '}');
}
