/* tensor_json.c — a tensor node's members of the graph JSON (mg_tensor.h). */
#include <math.h>
#include <stdio.h>

#include "mg_format.h"
#include "tensor_internal.h"

/* x as the one JSON number writer spells it in dt's precision (null when
 * NaN or infinite: put_companion spells those). */
static void put_number(FILE *out, double x, mg_dtype dt)
{
    char text[32];
    mg_format_json_number(x, dt == MG_F32 ? MG_PRECISION_FLOAT : MG_PRECISION_DOUBLE, text,
                          sizeof text);
    fputs(text, out);
}

static double element(const mg_tensor *t, int grad, int i)
{
    return grad ? mg_tensor_grad_at(t, i) : mg_tensor_get(t, i);
}

static void put_array(FILE *out, const mg_tensor *t, int grad)
{
    fputc('[', out);
    for (int i = 0; i < t->numel; i++) {
        if (i)
            fputc(',', out);
        put_number(out, element(t, grad, i), t->dtype);
    }
    fputc(']', out);
}

/* After an array holding a NaN or infinity, its companion "<key>_str": the
 * same length, "nan"/"inf"/"-inf" where the array has null, null elsewhere. */
static void put_companion(FILE *out, const mg_tensor *t, int grad, const char *key)
{
    int i = 0;
    while (i < t->numel && isfinite(element(t, grad, i)))
        i++;
    if (i == t->numel)
        return;
    fprintf(out, ", \"%s_str\": [", key);
    for (i = 0; i < t->numel; i++) {
        double x = element(t, grad, i);
        if (i)
            fputc(',', out);
        fputs(isnan(x) ? "\"nan\"" : !isinf(x) ? "null" : x > 0 ? "\"inf\"" : "\"-inf\"", out);
    }
    fputc(']', out);
}

static void put_attrs(FILE *out, const mg_tensor *t)
{
    fputs("{", out);
    switch (tensor_ops[t->op].attrs) {
    case TA_AXIS_KEEPDIM:
        if (t->axis == MG_AXIS_ALL)
            fputs("\"axis\": \"all\"", out);
        else
            fprintf(out, "\"axis\": %d", t->axis);
        fprintf(out, ", \"keepdim\": %s", t->keepdim ? "true" : "false");
        break;
    case TA_AXIS:
        fprintf(out, "\"axis\": %d", t->axis);
        break;
    case TA_AXES:
        fprintf(out, "\"axes\": [%d,%d]", t->axis, t->axis2);
        break;
    case TA_K:
        fputs("\"k\": ", out);
        put_number(out, t->k, MG_F64);
        break;
    case TA_LABELS: {
        const mg_tensor *logits = mg_tensor_parent(t, 0);
        const int32_t *labels = tensor_ce_labels(t, logits);
        fputs("\"labels\": [", out);
        for (int i = 0; i < logits->shape[0]; i++)
            fprintf(out, i ? ",%d" : "%d", (int)labels[i]);
        fputc(']', out);
        break;
    }
    case TA_CAUSAL:
        fputs("\"scale\": ", out);
        put_number(out, t->k, MG_F64);
        fprintf(out, ", \"offset\": %d", t->axis);
        break;
    case TA_EPS:
        fputs("\"eps\": ", out);
        put_number(out, t->k, MG_F64);
        break;
    case TA_IDS: {
        const int32_t *ids = tensor_embedding_ids(t);
        fputs("\"ids\": [", out);
        for (int i = 0; i < t->numel / t->shape[t->ndim - 1]; i++)
            fprintf(out, i ? ",%d" : "%d", (int)ids[i]);
        fputc(']', out);
        break;
    }
    case TA_DROPOUT:
        fputs("\"p\": ", out);
        put_number(out, t->k, MG_F64);
        fprintf(out, ", \"seed\": %llu", (unsigned long long)tensor_dropout_seed(t));
        break;
    case TA_SLICE:
        fprintf(out, "\"axis\": %d, \"start\": %d, \"end\": %d", t->axis, t->axis2,
                t->axis2 + t->shape[t->axis]);
        break;
    case TA_HEADS:
        fprintf(out, "\"heads\": %d", t->axis);
        break;
    case TA_NONE:
        break;
    }
    fputs("}", out);
}

/* s as a JSON string: quotes, backslashes and control characters escaped. */
static void put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* ", "names": [null, ["h","e"], ...]" when any axis has names. */
static void put_names(FILE *out, const mg_tensor *t)
{
    if (!t->names)
        return;
    fputs(", \"names\": [", out);
    for (int ax = 0; ax < t->ndim; ax++) {
        int n;
        const char *const *names = tensor_names_of(t, ax, &n);
        fputs(ax ? ", " : "", out);
        if (!names) {
            fputs("null", out);
            continue;
        }
        fputc('[', out);
        for (int i = 0; i < n; i++) {
            fputs(i ? "," : "", out);
            put_string(out, names[i]);
        }
        fputc(']', out);
    }
    fputc(']', out);
}

void mg_tensor_json_shape(FILE *out, const mg_tensor *t)
{
    if (!out || !t)
        return;
    fprintf(out, ", \"dtype\": \"%s\", \"shape\": [", t->dtype == MG_F32 ? "f32" : "f64");
    for (int i = 0; i < t->ndim; i++)
        fprintf(out, i ? ",%d" : "%d", t->shape[i]);
    fputs("], \"attrs\": ", out);
    put_attrs(out, t);
    put_names(out, t);
}

void mg_tensor_json_fields(FILE *out, const mg_tensor *t)
{
    if (!out || !t)
        return;
    mg_tensor_json_shape(out, t);
    fputs(", \"data\": ", out);
    put_array(out, t, 0);
    put_companion(out, t, 0, "data");
    fputs(", \"grad\": ", out);
    if (t->grad) {
        put_array(out, t, 1);
        put_companion(out, t, 1, "grad");
    } else {
        fputs("null", out);
    }
}
