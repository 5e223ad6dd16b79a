/* export_internal.h — shared by export_common.c, export_json.c, export_text.c
 * and export_backward.c. */
#ifndef MG_EXPORT_INTERNAL_H
#define MG_EXPORT_INTERNAL_H

#include "mg_export.h"

/* What to export: the root, its variables and flags. */
typedef struct export_job {
    const mg_value *root;
    const mg_export_var *vars;
    size_t nvars;
    unsigned flags;
} export_job;

/* Writes job to out; 0, or -1 when out of memory. */
typedef int (*export_writer)(FILE *out, const export_job *job);

/* Runs writer on job (filling in the default variables when job->vars is
 * NULL) into out, a malloc'd buffer (*data, *len) or a file (path): exactly
 * one of the three is given. */
mg_code export_run(export_writer writer, export_job job, FILE *out,
                   char **data, size_t *len, const char *path, mg_error *err);

/* Bytes of the largest tensor among nodes 0..n-1 of g (0 without tensors):
 * the scratch an edge's tensor contribution needs. */
size_t export_largest_tensor(const mg_graph *g, size_t n);

/* export_backward.c: backward as a worked example, one line per node root
 * depends on in reverse topological order (the text export's last part);
 * 0, or -1 when out of memory. */
int export_backward_text(FILE *out, const mg_value *root);

#endif
