/* value.c — creating scalar nodes: leaves, labels and the forward pass of each op. */
#include "graph_internal.h"
#include "scalar_math.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reports a node that a reset or rewind dropped (its slot lies past the end). */
static __attribute__((noinline)) int report_dropped(const mg_value *v, const char *opname)
{
    mg_graph_fail(v->graph, MG_EINVAL,
                  "%s: node %u was dropped by a graph reset or rewind", opname, v->id);
    return 0;
}

/* A node is usable by an op if it still exists in its graph. A slot reused
 * after a reset cannot be told from its new occupant; only the end is checked. */
static inline int usable(const mg_value *v, const char *opname)
{
    return v->id < v->graph->count ? 1 : report_dropped(v, opname);
}

static mg_value *leaf(mg_graph *g, double x, uint8_t flags)
{
    if (!g)
        return NULL;
    mg_value *v = graph_new_node(g, MG_OP_LEAF, flags);
    if (v)
        v->data = x;
    return v;
}

mg_value *mg_input(mg_graph *g, double x) { return leaf(g, x, 0); }
mg_value *mg_param(mg_graph *g, double x) { return leaf(g, x, MG_FLAG_PARAM); }
mg_value *mg_const(mg_graph *g, double x) { return leaf(g, x, MG_FLAG_CONST); }

mg_value *mg_label(mg_value *v, const char *label)
{
    if (!v || !label)
        return v;
    mg_graph *g = v->graph;
    size_t len = strlen(label) + 1;
    if (len == 1) {
        v->label = 0;
        return v;
    }
    if (graph_grow_labels(g, (size_t)g->labels_len + len)) {
        mg_graph_fail(g, MG_ENOMEM, "cannot store a label of %zu bytes: out of memory, or "
                      "past the 4 GiB a graph's labels may take (%u bytes so far)", len - 1,
                      g->labels_len);
        return v;
    }
    memcpy(g->labels + g->labels_len, label, len);
    v->label = g->labels_len;
    g->labels_len += (uint32_t)len;
    return v;
}

const char *mg_value_label(const mg_value *v)
{
    if (!v || v->label >= v->graph->labels_len)
        return "";
    return v->graph->labels + v->label;
}

static mg_value *unary(mg_value *a, mg_op op, double out, const char *opname)
{
    if (!a || !usable(a, opname))
        return NULL;
    mg_value *v = graph_new_node(a->graph, op, 0);
    if (v) {
        v->data = out;
        v->a = a;
    }
    return v;
}

static mg_value *binary(mg_value *a, mg_value *b, mg_op op, const char *opname)
{
    if (!a || !b) {
        /* an earlier failure already recorded its error; a bare NULL is a new one */
        mg_value *ok = a ? a : b;
        if (ok && mg_graph_status(ok->graph) == MG_OK)
            mg_graph_fail(ok->graph, MG_EINVAL, "%s: operand %s is NULL", opname, a ? "b" : "a");
        return NULL;
    }
    if (a->graph != b->graph) {
        mg_graph_fail(a->graph, MG_EINVAL,
                      "%s: operands belong to two different graphs (nodes %u and %u)",
                      opname, a->id, b->id);
        mg_graph_fail(b->graph, MG_EINVAL,
                      "%s: operands belong to two different graphs (nodes %u and %u)",
                      opname, a->id, b->id);
        return NULL;
    }
    if (!usable(a, opname) || !usable(b, opname))
        return NULL;
    double x = a->data, y = b->data, out;
    switch (op) {
    case MG_OP_ADD: out = x + y; break;
    case MG_OP_SUB: out = x - y; break;
    case MG_OP_MUL: out = x * y; break;
    case MG_OP_DIV: out = x / y; break;
    default: out = pow(x, y); break;
    }
    mg_value *v = graph_new_node(a->graph, op, 0);
    if (v) {
        v->data = out;
        v->a = a;
        v->b = b;
    }
    return v;
}

mg_value *mg_add(mg_value *a, mg_value *b) { return binary(a, b, MG_OP_ADD, "add"); }
mg_value *mg_sub(mg_value *a, mg_value *b) { return binary(a, b, MG_OP_SUB, "sub"); }
mg_value *mg_mul(mg_value *a, mg_value *b) { return binary(a, b, MG_OP_MUL, "mul"); }
mg_value *mg_div(mg_value *a, mg_value *b) { return binary(a, b, MG_OP_DIV, "div"); }
mg_value *mg_pow_value(mg_value *a, mg_value *b) { return binary(a, b, MG_OP_POWV, "pow"); }

static mg_value *constant_like(mg_value *a, double c)
{
    return a ? mg_const(a->graph, c) : NULL;
}

mg_value *mg_addc(mg_value *a, double c) { return mg_add(a, constant_like(a, c)); }
mg_value *mg_subc(mg_value *a, double c) { return mg_sub(a, constant_like(a, c)); }
mg_value *mg_rsubc(mg_value *a, double c) { return mg_sub(constant_like(a, c), a); }
mg_value *mg_mulc(mg_value *a, double c) { return mg_mul(a, constant_like(a, c)); }
mg_value *mg_divc(mg_value *a, double c) { return mg_div(a, constant_like(a, c)); }
mg_value *mg_rdivc(mg_value *a, double c) { return mg_div(constant_like(a, c), a); }

mg_value *mg_neg(mg_value *a) { return a ? unary(a, MG_OP_NEG, -a->data, "neg") : NULL; }
mg_value *mg_exp(mg_value *a) { return a ? unary(a, MG_OP_EXP, exp(a->data), "exp") : NULL; }
mg_value *mg_log(mg_value *a) { return a ? unary(a, MG_OP_LOG, log(a->data), "log") : NULL; }
mg_value *mg_tanh(mg_value *a) { return a ? unary(a, MG_OP_TANH, tanh(a->data), "tanh") : NULL; }

mg_value *mg_relu(mg_value *a)
{
    return a ? unary(a, MG_OP_RELU, relu(a->data), "relu") : NULL;
}

mg_value *mg_sigmoid(mg_value *a)
{
    return a ? unary(a, MG_OP_SIGMOID, sigmoid(a->data), "sigmoid") : NULL;
}

/* A unary node that keeps the finite constant k in v->k (mg_ops.def's
 * EXPONENT or TARGET); what names k in the error ("exponent", "target"). */
static mg_value *unary_k(mg_value *a, mg_op op, double out, const char *opname, double k,
                         const char *what)
{
    if (!isfinite(k)) {
        mg_graph_fail(a->graph, MG_EINVAL, "%s: %s %g is not finite", opname, what, k);
        return NULL;
    }
    mg_value *v = unary(a, op, out, opname);
    if (v)
        v->k = k;
    return v;
}

mg_value *mg_pow(mg_value *a, double k)
{
    return a ? unary_k(a, MG_OP_POW, pow_const(a->data, k), "pow", k, "exponent") : NULL;
}

mg_value *mg_bce_logits(mg_value *z, double y)
{
    return z ? unary_k(z, MG_OP_BCE_LOGITS, bce_logits(z->data, y), "bce_logits", y, "target")
             : NULL;
}

/* ---- the op table ---- */

/* What a scalar op keeps in v->k (mg_ops.def). */
typedef enum { K_NONE, K_EXPONENT, K_TARGET } op_constant;

static const struct {
    const char *name;
    int arity;
    op_constant constant;
} ops[MG_OP_COUNT] = {
#define MG_SCALAR_OP(id, name_, arity_, constant_)                                    \
    [MG_OP_##id] = { .name = name_, .arity = arity_, .constant = K_##constant_ },
#include "mg_ops.def"
#undef MG_SCALAR_OP
};

/* The values are in callers' code and saved counts: new rows go at the end. */
_Static_assert(MG_OP_ADD == 1 && MG_OP_POW == 6 && MG_OP_POWV == 7 && MG_OP_SIGMOID == 12
                   && MG_OP_BCE_LOGITS == 13 && MG_OP_TENSOR == 14,
               "mg_ops.def: a row moved; add new ops at the end");
_Static_assert(sizeof ops / sizeof ops[0] == MG_OP_COUNT, "one row per op");

const char *mg_op_name(mg_op op)
{
    return (unsigned)op < MG_OP_COUNT ? ops[op].name : "?";
}

int mg_op_arity(mg_op op)
{
    return (unsigned)op < MG_OP_COUNT ? ops[op].arity : -1;
}

size_t mg_value_op_label(const mg_value *v, char *buf, size_t n)
{
    int len;
    if (v->flags & MG_FLAG_TENSOR)
        return tensor_op_label(v, buf, n);
    if (v->op < MG_OP_COUNT && ops[v->op].constant == K_EXPONENT)
        len = snprintf(buf, n, "%s%g", ops[v->op].name, v->k);
    else
        len = snprintf(buf, n, "%s", mg_op_name((mg_op)v->op));
    return len < 0 ? 0 : (size_t)len;
}

int mg_value_constant(const mg_value *v, double *k)
{
    if (!v || (v->flags & MG_FLAG_TENSOR) || v->op >= MG_OP_COUNT
        || ops[v->op].constant == K_NONE)
        return 0;
    *k = v->k;
    return 1;
}

int mg_value_parent_count(const mg_value *v)
{
    mg_value *operands[MG_MAX_OPERANDS];
    return mg_node_operands(v, operands);
}
