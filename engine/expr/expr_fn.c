/* expr_fn.c — the functions a program may call: tanh relu sigmoid exp log. */
#include "expr_internal.h"
#include "scalar_math.h"

#include <math.h>
#include <string.h>

static const char *const fn_names[FN_COUNT] = {"exp", "log", "tanh", "relu", "sigmoid"};

expr_fn expr_fn_find(const char *name, size_t len)
{
    for (int f = 0; f < FN_COUNT; f++)
        if (strlen(fn_names[f]) == len && memcmp(fn_names[f], name, len) == 0)
            return (expr_fn)f;
    return FN_COUNT;
}

const char *expr_fn_name(expr_fn f) { return f < FN_COUNT ? fn_names[f] : "?"; }

mg_value *expr_fn_apply(expr_fn f, mg_value *a)
{
    switch (f) {
    case FN_EXP: return mg_exp(a);
    case FN_LOG: return mg_log(a);
    case FN_TANH: return mg_tanh(a);
    case FN_RELU: return mg_relu(a);
    default: return mg_sigmoid(a);
    }
}

/* The same functions on plain numbers, for exponents folded at parse time;
 * they follow the engine's forward pass. */
double expr_fn_number(expr_fn f, double x)
{
    switch (f) {
    case FN_EXP: return exp(x);
    case FN_LOG: return log(x);
    case FN_TANH: return tanh(x);
    case FN_RELU: return relu(x);
    default: return sigmoid(x);
    }
}
