/* mg_export.h — a graph as data: the shared graph JSON and a text table.
 *
 *     mg_export_var vars[] = {{"x", x}, {"y", y}};
 *     mg_backward(z);
 *     mg_export_json(stdout, z, vars, 2, 0, &err);
 *
 * The JSON is the team's "mgviz-graph" version 1: the root's value and id,
 * the grad of each named variable, and every node of the root's graph in id
 * order (id, op, label, kind, data, grad, parents, scope). Numbers read back
 * as exactly the same double (the shortest decimal that does); NaN and
 * infinities, which JSON lacks, are the strings "nan", "inf" and "-inf".
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
    MG_EXPORT_COMPACT = 1u << 0 /* JSON on one line, for one object per line */
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

/* Writes root's graph as a text table for people: value, grads, then one row
 * per node (id, op, kind, label, data, grad, parents, scope). */
MG_API mg_code mg_export_text(FILE *out, const mg_value *root, const mg_export_var *vars,
                       size_t nvars, mg_error *err);
/* As mg_export_text(), into a file through a temporary name and rename(). */
MG_API mg_code mg_export_text_file(const char *path, const mg_value *root,
                            const mg_export_var *vars, size_t nvars, mg_error *err);

/* Rebuilds a graph JSON text (as mg_export_json() writes it) into g, which
 * must be empty so node ids stay the file's. Each node gets its op, label,
 * scope, data and grad from the file (data is the file's, not recomputed; a
 * "bce" node's target is not in the format and reads as 0). *root is the
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
/* Writes x to out as a JSON number, or "nan"/"inf"/"-inf" as strings. */
MG_API void mg_json_write_number(FILE *out, double x);

MG_EXTERN_C_END

#endif
