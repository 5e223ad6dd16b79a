/* node_stats.c — numbers standing for nodes: tensor summaries and the
 * per-node stand-ins that let scalar-minded code read tensor graphs. */
#include <math.h>

#include "mg_node_stats.h"

static double element(const mg_tensor *t, bool grad, int i)
{
    return grad ? mg_tensor_grad_at(t, i) : mg_tensor_get(t, i);
}

mg_tensor_stats mg_buffer_stats(const void *p, mg_dtype dt, int n)
{
    mg_tensor_stats s = {0, 0, NAN, NAN, NAN, NAN};
    if (!p || n <= 0)
        return s;
    double sum = 0.0, sq = 0.0;
    int finite = 0;
    s.count = n;
    for (int i = 0; i < n; i++) {
        double x = dt == MG_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
        if (!isfinite(x)) {
            s.nonfinite++;
            continue;
        }
        if (finite++ == 0 || x < s.min)
            s.min = x;
        if (finite == 1 || x > s.max)
            s.max = x;
        sum += x;
        sq += x * x;
    }
    if (finite > 0) {
        s.mean = sum / finite;
        s.l2 = sqrt(sq);
    }
    return s;
}

mg_tensor_stats mg_tensor_stats_of(const mg_tensor *t, bool grad)
{
    if (!t)
        return mg_buffer_stats(NULL, MG_F64, 0);
    return mg_buffer_stats(grad ? t->grad : t->data, t->dtype, t->numel);
}

double mg_node_number(const mg_value *v, bool grad)
{
    const mg_tensor *t = mg_tensor_of(v);
    if (!t)
        return grad ? v->grad : v->data;
    if (grad && !t->grad)
        return 0.0;
    if (t->numel == 1)
        return element(t, grad, 0);
    double sum = 0.0; /* NaN and Inf propagate, as in the data */
    for (int i = 0; i < t->numel; i++)
        sum += element(t, grad, i);
    return sum / t->numel;
}

static bool all_finite(const mg_tensor *t, bool grad)
{
    if (grad && !t->grad)
        return true;
    for (int i = 0; i < t->numel; i++)
        if (!isfinite(element(t, grad, i)))
            return false;
    return true;
}

bool mg_node_finite(const mg_value *v)
{
    const mg_tensor *t = mg_tensor_of(v);
    if (!t)
        return isfinite(v->data) && isfinite(v->grad);
    return all_finite(t, false) && all_finite(t, true);
}

double mg_node_grad_size(const mg_value *v)
{
    const mg_tensor *t = mg_tensor_of(v);
    if (!t)
        return fabs(v->grad);
    double big = 0.0;
    for (int i = 0; t->grad && i < t->numel; i++) {
        double g = fabs(mg_tensor_grad_at(t, i));
        if (isnan(g))
            return NAN;
        if (g > big)
            big = g;
    }
    return big;
}
