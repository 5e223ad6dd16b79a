/* import_json.c — a graph JSON text back into an engine graph, node by node,
 * so that saved graphs can be inspected (and drawn) like live ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "mg_export.h"
#include "mg_names.h"
#include "mg_size.h"

/* "nan", "inf" or "-inf" as a double. */
static bool nonfinite_of(const json_value *v, double *out)
{
    if (!v || v->type != J_STRING)
        return false;
    if (strcmp(v->string, "nan") == 0)
        return *out = NAN, true;
    if (strcmp(v->string, "inf") == 0 || strcmp(v->string, "-inf") == 0)
        return *out = v->string[0] == '-' ? -INFINITY : INFINITY, true;
    return false;
}

/* Member key of obj as a number: a JSON number, or null with its companion
 * "<key>_str" spelling NaN or an infinity (mg_export.h). Version 1 files
 * wrote the string in place of the number: read too. */
static bool number_of(const json_value *obj, const char *key, double *out)
{
    const json_value *v = json_get(obj, key);
    if (v && v->type == J_NUMBER)
        return *out = v->number, true;
    if (v && v->type == J_NULL) {
        char name[64];
        snprintf(name, sizeof name, "%s_str", key);
        return nonfinite_of(json_get(obj, name), out);
    }
    return nonfinite_of(v, out);
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
    /* "**k": k a number as JSON writes one ("**0x10", "** 2" are not) */
    bool is_pow = np == 1 && strncmp(op, "**", 2) == 0 && json_number_length(op + 2) &&
                  op[2 + json_number_length(op + 2)] == '\0';
    double k = is_pow ? strtod(op + 2, NULL) : 0.0;
    if (is_pow && isfinite(k))
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
    if (n->type == J_OBJECT && json_get(n, "dtype"))
        return mg_error_set(err, MG_EFORMAT,
                            "node %u is a tensor node: reading tensor graphs back is not "
                            "supported (draw them with mg_draw_dot)", id);
    if (n->type != J_OBJECT || !op || !kind || !parents || parents->type != J_ARRAY ||
        parents->n > 2 || !number_of(n, "data", &data) || !number_of(n, "grad", &grad))
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
    double k;
    if (mg_value_constant(v, &k) && number_of(n, "k", &k))
        v->k = k; /* exact, where the op label ("**0.333333") rounds */
    v->data = data; /* the file's numbers, not recomputed ones */
    v->grad = grad;
    const char *label = string_of(json_get(n, "label"));
    if (label && *label)
        mg_label(v, label);
    return MG_OK;
}

/* The "grads" names that label a leaf, with that leaf (the first leaf of
 * each label), found through a table of the labels: linear in the file. */
static mg_code import_vars(mg_graph *g, const json_value *grads, mg_export_var **vars,
                           size_t *nvars, mg_error *err)
{
    *vars = calloc(grads && grads->n ? grads->n : 1, sizeof **vars);
    mg_names leaves = {0};
    mg_code rc = *vars ? MG_OK : MG_ENOMEM;
    size_t count = mg_graph_count(g);
    for (uint32_t id = 0; grads && rc == MG_OK && id < count; id++) {
        const mg_value *v = mg_graph_node(g, id);
        const char *label = mg_value_label(v);
        if (mg_is_leaf(v) && *label)
            rc = mg_names_add(&leaves, label, strlen(label), id, NULL);
    }
    for (size_t i = 0; grads && rc == MG_OK && i < grads->n; i++) {
        size_t id = mg_names_find(&leaves, grads->keys[i], strlen(grads->keys[i]));
        if (id != MG_NAMES_NONE) {
            mg_value *v = mg_graph_node(g, (uint32_t)id);
            (*vars)[(*nvars)++] = (mg_export_var){mg_value_label(v), v};
        }
    }
    mg_names_free(&leaves);
    if (rc != MG_OK) {
        free(*vars);
        *vars = NULL;
        *nvars = 0;
        return mg_error_set(err, MG_ENOMEM, "out of memory reading the graph");
    }
    return MG_OK;
}

/* The members of "nodes", imported one by one as they are read: a big file
 * is never held as JSON values all at once. */
static mg_code import_nodes(json_reader *r, mg_graph *g, uint32_t *count, mg_error *err)
{
    if (!json_next(r, '[', "\"nodes\" must be an array"))
        return MG_EFORMAT;
    if (json_at(r, ']'))
        return json_next(r, ']', ""), MG_OK;
    for (;;) {
        json_value *n = json_read_value(r);
        if (!n)
            return MG_EFORMAT;
        mg_code rc = import_node(g, n, *count, err);
        json_free(n);
        if (rc != MG_OK)
            return rc;
        ++*count;
        if (json_at(r, ']'))
            return json_next(r, ']', ""), MG_OK;
        if (!json_next(r, ',', "expected ',' or ']'"))
            return MG_EFORMAT;
    }
}

/* The members other than "nodes" that matter: kept as values. */
typedef struct header {
    json_value *format, *root, *grads;
    mg_names seen;     /* every member name so far: none may repeat */
    char **keys;       /* the names, owned (the table points into them) */
    size_t nkeys, cap;
} header;

/* Records the member name key (taking it); MG_EFORMAT when it repeats one,
 * MG_ENOMEM. */
static mg_code new_member(header *h, char *key, mg_error *err)
{
    size_t found = MG_NAMES_NONE;
    if (h->nkeys == h->cap) {
        char **grown = mg_realloc_array(h->keys, h->cap ? h->cap * 2 : 8, sizeof *grown);
        if (!grown) {
            free(key);
            return mg_error_set(err, MG_ENOMEM, "out of memory reading the graph");
        }
        h->keys = grown;
        h->cap = h->cap ? h->cap * 2 : 8;
    }
    h->keys[h->nkeys++] = key;
    if (mg_names_add(&h->seen, key, strlen(key), 0, &found) != MG_OK)
        return mg_error_set(err, MG_ENOMEM, "out of memory reading the graph");
    if (found != MG_NAMES_NONE)
        return mg_error_set(err, MG_EFORMAT, "duplicate member name \"%.80s\" in the graph",
                            key);
    return MG_OK;
}

static void header_free(header *h)
{
    json_free(h->format);
    json_free(h->root);
    json_free(h->grads);
    mg_names_free(&h->seen);
    for (size_t i = 0; i < h->nkeys; i++)
        free(h->keys[i]);
    free(h->keys);
}

static bool is_graph(const header *h)
{
    const char *format = string_of(h->format);
    return format && strcmp(format, "mgviz-graph") == 0;
}

/* One member of the top object. */
static mg_code import_member(json_reader *r, mg_graph *g, header *h, uint32_t *count,
                             bool *has_nodes, mg_error *err)
{
    char *key = json_read_key(r);
    if (!key)
        return MG_EFORMAT;
    mg_code rc = new_member(h, key, err);
    if (rc != MG_OK)
        return rc;
    if (strcmp(key, "nodes") == 0) {
        if (h->format && !is_graph(h))
            rc = mg_error_set(err, MG_EFORMAT, "not an mgviz-graph JSON document");
        else
            rc = import_nodes(r, g, count, err);
        *has_nodes = true;
    } else {
        json_value **slot = strcmp(key, "format") == 0 ? &h->format
                          : strcmp(key, "root") == 0 ? &h->root
                          : strcmp(key, "grads") == 0 ? &h->grads : NULL;
        if (!slot) /* edges, version...: checked, not kept */
            rc = json_skip_value(r) ? MG_OK : MG_EFORMAT;
        else if ((*slot = json_read_value(r)) == NULL)
            rc = MG_EFORMAT;
    }
    return rc;
}

mg_code mg_import_json(const char *text, mg_graph *g, mg_value **root,
                       mg_export_var **vars, size_t *nvars, mg_error *err)
{
    *root = NULL;
    *vars = NULL;
    *nvars = 0;
    if (!text || !g || mg_graph_count(g) != 0)
        return mg_error_set(err, MG_EINVAL, "importing a graph needs text and an empty graph");
    json_reader *r = json_reader_new(text, err);
    if (!r)
        return MG_ENOMEM;
    header h = {0};
    uint32_t count = 0;
    bool has_nodes = false;
    mg_code rc = json_next(r, '{', "expected a JSON object") ? MG_OK : MG_EFORMAT;
    if (rc == MG_OK && json_at(r, '}'))
        json_next(r, '}', "");
    else
        while (rc == MG_OK) {
            rc = import_member(r, g, &h, &count, &has_nodes, err);
            if (rc == MG_OK && json_at(r, '}')) {
                json_next(r, '}', "");
                break;
            }
            if (rc == MG_OK && !json_next(r, ',', "expected ',' or '}'"))
                rc = MG_EFORMAT;
        }
    if (rc == MG_OK && !json_read_end(r))
        rc = MG_EFORMAT;
    if (rc == MG_OK && (!is_graph(&h) || !has_nodes || !h.root || h.root->type != J_NUMBER))
        rc = mg_error_set(err, MG_EFORMAT, "not an mgviz-graph JSON document");
    if (rc == MG_OK && (h.root->number < 0 || h.root->number >= (double)count ||
                        h.root->number != floor(h.root->number)))
        rc = mg_error_set(err, MG_EFORMAT, "the root %g is not a node id", h.root->number);
    if (rc == MG_OK)
        rc = import_vars(g, h.grads && h.grads->type == J_OBJECT ? h.grads : NULL, vars,
                         nvars, err);
    if (rc == MG_OK)
        *root = mg_graph_node(g, (uint32_t)h.root->number);
    header_free(&h);
    json_reader_free(r);
    return rc;
}
