/* import_json.c — a graph JSON text back into an engine graph, node by node,
 * so that saved graphs can be inspected (and drawn) like live ones. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "mg_export.h"

/* A number field: a JSON number or "nan", "inf", "-inf". */
static bool number_of(const json_value *v, double *out)
{
    if (v && v->type == J_NUMBER)
        return *out = v->number, true;
    if (!v || v->type != J_STRING)
        return false;
    if (strcmp(v->string, "nan") == 0)
        return *out = NAN, true;
    if (strcmp(v->string, "inf") == 0 || strcmp(v->string, "-inf") == 0)
        return *out = v->string[0] == '-' ? -INFINITY : INFINITY, true;
    return false;
}

static const char *string_of(const json_value *v)
{
    return v && v->type == J_STRING ? v->string : NULL;
}

typedef mg_value *(*unary_fn)(mg_value *);
typedef mg_value *(*binary_fn)(mg_value *, mg_value *);

static mg_value *bce_against_zero(mg_value *z) { return mg_bce_logits(z, 0.0); }

static const struct { const char *name; unary_fn f; } unary_ops[] = {
    {"neg", mg_neg}, {"exp", mg_exp}, {"log", mg_log}, {"tanh", mg_tanh},
    {"relu", mg_relu}, {"sigmoid", mg_sigmoid}, {"bce", bce_against_zero},
};
static const struct { const char *name; binary_fn f; } binary_ops[] = {
    {"+", mg_add}, {"-", mg_sub}, {"*", mg_mul}, {"/", mg_div}, {"**", mg_pow_value},
};

/* The node for op over parents p (np of them); NULL with err filled. */
static mg_value *make_op(mg_graph *g, const char *op, const char *kind, mg_value **p,
                         size_t np, uint32_t id, mg_error *err)
{
    if (!*op) {
        if (np)
            return mg_error_set(err, MG_EFORMAT, "node %u: a leaf with parents", id), NULL;
        return strcmp(kind, "param") == 0 ? mg_param(g, 0.0)
             : strcmp(kind, "const") == 0 ? mg_const(g, 0.0) : mg_input(g, 0.0);
    }
    for (size_t i = 0; np == 2 && i < sizeof binary_ops / sizeof *binary_ops; i++)
        if (strcmp(op, binary_ops[i].name) == 0)
            return binary_ops[i].f(p[0], p[1]);
    for (size_t i = 0; np == 1 && i < sizeof unary_ops / sizeof *unary_ops; i++)
        if (strcmp(op, unary_ops[i].name) == 0)
            return unary_ops[i].f(p[0]);
    char *end;
    double k = strncmp(op, "**", 2) == 0 ? strtod(op + 2, &end) : 0.0;
    if (np == 1 && strncmp(op, "**", 2) == 0 && op[2] && !*end && isfinite(k))
        return mg_pow(p[0], k);
    return mg_error_set(err, MG_EFORMAT, "node %u: unknown op '%s' with %zu parents",
                        id, op, np), NULL;
}

/* Enters each name of scope path ("a/b/c"); returns how many were entered. */
static int enter_scope(mg_graph *g, const char *path)
{
    int depth = 0;
    char name[256];
    while (*path) {
        size_t n = strcspn(path, "/");
        snprintf(name, sizeof name, "%.*s", (int)n, path);
        if (n && mg_scope_push(g, name) == MG_OK)
            depth++;
        path += n + (path[n] == '/');
    }
    return depth;
}

static mg_code import_node(mg_graph *g, const json_value *n, uint32_t id, mg_error *err)
{
    const json_value *parents = json_get(n, "parents");
    const char *op = string_of(json_get(n, "op")), *kind = string_of(json_get(n, "kind"));
    double data, grad;
    if (n->type != J_OBJECT || !op || !kind || !parents || parents->type != J_ARRAY ||
        parents->n > 2 || !number_of(json_get(n, "data"), &data) ||
        !number_of(json_get(n, "grad"), &grad))
        return mg_error_set(err, MG_EFORMAT, "node %u lacks op, kind, data, grad or parents", id);
    const json_value *nid = json_get(n, "id");
    if (!nid || nid->type != J_NUMBER || nid->number != id)
        return mg_error_set(err, MG_EFORMAT, "node %u: ids must run 0, 1, 2... in order", id);
    mg_value *p[2];
    for (size_t i = 0; i < parents->n; i++) {
        const json_value *pi = &parents->items[i];
        if (pi->type != J_NUMBER || pi->number < 0 || pi->number >= id ||
            pi->number != floor(pi->number))
            return mg_error_set(err, MG_EFORMAT, "node %u: a parent must be an earlier id", id);
        p[i] = mg_graph_node(g, (uint32_t)pi->number);
    }
    const char *scope = string_of(json_get(n, "scope"));
    int depth = enter_scope(g, scope ? scope : "");
    mg_value *v = make_op(g, op, kind, p, parents->n, id, err);
    while (depth-- > 0)
        mg_scope_pop(g);
    if (!v)
        return err && err->code ? err->code : mg_error_set(err, MG_EFORMAT, "node %u: %s", id,
                                                           mg_graph_error(g) ? mg_graph_error(g) : "cannot build it");
    v->data = data; /* the file's numbers, not recomputed ones */
    v->grad = grad;
    const char *label = string_of(json_get(n, "label"));
    if (label && *label)
        mg_label(v, label);
    return MG_OK;
}

/* The "grads" names that label a leaf, with that leaf. */
static mg_code import_vars(mg_graph *g, const json_value *grads, mg_export_var **vars,
                           size_t *nvars, mg_error *err)
{
    *vars = calloc(grads && grads->n ? grads->n : 1, sizeof **vars);
    if (!*vars)
        return mg_error_set(err, MG_ENOMEM, "out of memory reading the graph");
    size_t count = mg_graph_count(g);
    for (size_t i = 0; grads && i < grads->n; i++)
        for (uint32_t id = 0; id < count; id++) {
            mg_value *v = mg_graph_node(g, id);
            if (mg_is_leaf(v) && strcmp(mg_value_label(v), grads->keys[i]) == 0) {
                (*vars)[(*nvars)++] = (mg_export_var){mg_value_label(v), v};
                break;
            }
        }
    return MG_OK;
}

mg_code mg_import_json(const char *text, mg_graph *g, mg_value **root,
                       mg_export_var **vars, size_t *nvars, mg_error *err)
{
    *root = NULL;
    *vars = NULL;
    *nvars = 0;
    if (!text || !g || mg_graph_count(g) != 0)
        return mg_error_set(err, MG_EINVAL, "importing a graph needs text and an empty graph");
    json_value *doc = json_parse(text, err);
    if (!doc)
        return err ? err->code : MG_EFORMAT;
    const char *format = string_of(json_get(doc, "format"));
    const json_value *nodes = json_get(doc, "nodes"), *r = json_get(doc, "root");
    mg_code rc = MG_OK;
    if (!format || strcmp(format, "mgviz-graph") != 0 || !nodes || nodes->type != J_ARRAY ||
        !r || r->type != J_NUMBER)
        rc = mg_error_set(err, MG_EFORMAT, "not an mgviz-graph JSON document");
    for (size_t i = 0; rc == MG_OK && i < nodes->n; i++)
        rc = import_node(g, &nodes->items[i], (uint32_t)i, err);
    if (rc == MG_OK && (r->number < 0 || r->number >= (double)nodes->n))
        rc = mg_error_set(err, MG_EFORMAT, "the root %g is not a node id", r->number);
    if (rc == MG_OK)
        rc = import_vars(g, json_get(doc, "grads"), vars, nvars, err);
    if (rc == MG_OK)
        *root = mg_graph_node(g, (uint32_t)r->number);
    json_free(doc);
    return rc;
}
