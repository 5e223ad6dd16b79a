/* mg_export.h — a graph as data: the shared graph JSON and a text table.
 *
 *     mg_export_var vars[] = {{"x", x}, {"y", y}};
 *     mg_backward(z);
 *     mg_export_json(stdout, z, vars, 2, 0, &err);
 *
 * The JSON is the team's "mgviz-graph" version 2: the root's value and id,
 * the grad of each named variable ("grads"), every node of the root's graph
 * in id order (id, op, label, kind, data, grad, parents, scope; "k" the
 * exact constant of ** k and bce's target; tensor nodes add dtype, shape,
 * attrs and data/grad arrays), and "edges": one object per
 * operand edge of every node the root depends on, in node order, saying what
 * backward sent along it (mg_node_edges, mg_value.h):
 *     {"from": 0, "to": 2, "operand": 0, "local": 3, "upstream": 1, "contribution": 3}
 * from is the operand's id, to the node using it, operand 0 or 1 (x*x has
 * two edges from x). A tensor edge has no "local"; its "upstream" (to's
 * grad) and "contribution" are summaries {"count", "nonfinite", "min",
 * "max", "mean", "l2"} (over the finite elements), contribution null when
 * backward sends that operand nothing. The contributions into a node add up
 * to its grad.
 * Numbers read back as exactly the same double (the shortest decimal that
 * does), zero is always 0 (never -0). JSON has no NaN or infinity: such a
 * number is written as null, and its member gets a companion "<name>_str"
 * holding "nan", "inf" or "-inf" ("data": null, "data_str": "nan"); for an
 * array the companion is an array of the same length with the string where
 * the number is null and null elsewhere; "grads_str" holds the non-finite
 * scalar grads by name.
 * Calls return an mg_code and fill err (may be NULL); files are written to a
 * temporary name in the same directory and renamed, so they are complete or
 * absent. */
#ifndef MG_EXPORT_H
#define MG_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "mg_error.h"
#include "mg_format.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

/* A named variable: an entry of "grads". */
typedef struct mg_export_var {
    const char *name;
    const mg_value *node;
} mg_export_var;

/* Flags. */
enum {
    MG_EXPORT_COMPACT = 1u << 0,  /* JSON on one line, for one object per line */
    MG_EXPORT_NO_EDGES = 1u << 1, /* no "edges" (the inspector page keeps them
                                     per step, as numbers) */
    MG_EXPORT_NO_ARRAYS = 1u << 2 /* tensor nodes without their data and grad
                                     arrays, "grads" without tensors (the
                                     inspector page keeps a number per node
                                     and step; a GPT's arrays are megabytes) */
};

/* Writes root's graph as graph JSON to out. vars (nvars of them) are the
 * "grads" entries; vars NULL means every labelled input and parameter, the
 * first of each name, in id order. */
MG_API mg_code mg_export_json(FILE *out, const mg_value *root, const mg_export_var *vars,
                       size_t nvars, unsigned flags, mg_error *err);
/* As mg_export_json(), into a file through a temporary name and rename(). */
MG_API mg_code mg_export_json_file(const char *path, const mg_value *root,
                            const mg_export_var *vars, size_t nvars,
                            unsigned flags, mg_error *err);
/* As mg_export_json(), into a malloc'd NUL-terminated buffer of *len bytes
 * that the caller free()s. */
MG_API mg_code mg_export_json_data(const mg_value *root, const mg_export_var *vars,
                            size_t nvars, unsigned flags, char **out,
                            size_t *len, mg_error *err);

/* Writes one node as the graph JSON's node object (no newline). */
MG_API void mg_export_node_json(FILE *out, const mg_value *v);

/* Writes root's graph as text for people: value, grads, one row per node
 * (id, op, kind, label, data, grad, parents, scope), then backward as a
 * worked example, one line per node root depends on in reverse topological
 * order, its grad as the sum of what its edges carried:
 *     x.grad = 1 × 1 [via +#3] + 1 × y(3) [via *#2] = 4
 * (upstream × local derivative [via the node that used it]; names are
 * labels, else op#id; tensor terms are summaries of the contribution). */
MG_API mg_code mg_export_text(FILE *out, const mg_value *root, const mg_export_var *vars,
                       size_t nvars, mg_error *err);
/* As mg_export_text(), into a file through a temporary name and rename(). */
MG_API mg_code mg_export_text_file(const char *path, const mg_value *root,
                            const mg_export_var *vars, size_t nvars, mg_error *err);

/* Rebuilds a graph JSON text (as mg_export_json() writes it) into g, which
 * must be empty so node ids stay the file's. Each node gets its op, label,
 * scope, data and grad from the file (data is the file's, not recomputed; a
 * "bce" node without "k" has target 0). *root is the
 * root; *vars (malloc'd, to free()) holds the "grads" names that label a
 * leaf, with that leaf. MG_EFORMAT names what is wrong with a bad file. */
MG_API mg_code mg_import_json(const char *text, mg_graph *g, mg_value **root,
                       mg_export_var **vars, size_t *nvars, mg_error *err);

/* The default variables of root's graph (labelled inputs and parameters,
 * first of each name, in id order): *vars receives a malloc'd array the
 * caller free()s (names point into the graph). */
MG_API mg_code mg_export_default_vars(const mg_value *root, mg_export_var **vars,
                               size_t *nvars, mg_error *err);

/* "input", "param", "const" or "op". */
MG_API const char *mg_node_kind(const mg_value *v);

/* Writes s to out as a JSON string literal, quotes included. */
MG_API void mg_json_write_string(FILE *out, const char *s);
/* Writes x to out as a JSON number (zero as 0), or null when x is NaN or
 * infinite. */
MG_API void mg_json_write_number(FILE *out, double x);
/* Writes the member "key":x, and for a NaN or infinite x "key":null followed
 * by "key_str":"nan" (or "inf", "-inf"); no separators around it. */
MG_API void mg_json_write_member(FILE *out, const char *key, double x);

MG_EXTERN_C_END

#endif
