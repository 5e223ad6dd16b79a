/* export_common.c — what the JSON and text exports share: numbers, strings,
 * node kinds, the default variables, and writing to a stream, a buffer or a
 * file. */
#include "export_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_file.h"
#include "mg_tensor.h"

const char *mg_node_kind(const mg_value *v)
{
    if (!mg_is_leaf(v))
        return "op";
    if (v->flags & MG_FLAG_PARAM)
        return "param";
    if (v->flags & MG_FLAG_CONST)
        return "const";
    return "input";
}

void mg_json_write_number(FILE *out, double x)
{
    char buf[32];
    mg_format_json_number(x, MG_PRECISION_DOUBLE, buf, sizeof buf);
    fputs(buf, out);
}

void mg_json_write_member(FILE *out, const char *key, double x)
{
    mg_json_write_string(out, key);
    putc(':', out);
    mg_json_write_number(out, x);
    if (isfinite(x))
        return;
    char name[64], text[8];
    snprintf(name, sizeof name, "%s_str", key);
    mg_format_double(x, text, sizeof text);
    putc(',', out);
    mg_json_write_string(out, name);
    putc(':', out);
    mg_json_write_string(out, text);
}

void mg_json_write_string(FILE *out, const char *s)
{
    putc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            putc(c, out);
    }
    putc('"', out);
}

/* A labelled input or parameter whose name no earlier one took. */
static int is_new_name(const mg_value *v, const mg_export_var *vars, size_t n)
{
    const char *name = mg_value_label(v);
    if (!mg_is_leaf(v) || (v->flags & MG_FLAG_CONST) || !*name)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(vars[i].name, name) == 0)
            return 0;
    return 1;
}

mg_code mg_export_default_vars(const mg_value *root, mg_export_var **vars,
                               size_t *nvars, mg_error *err)
{
    *vars = NULL;
    *nvars = 0;
    if (!root)
        return mg_error_set(err, MG_EINVAL, "no root to export (NULL)");
    size_t n = 0, cap = 0, count = mg_graph_count(root->graph);
    mg_export_var *list = NULL;
    for (uint32_t id = 0; id < count; id++) {
        const mg_value *v = mg_graph_node(root->graph, id);
        if (!is_new_name(v, list, n))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            mg_export_var *grown = realloc(list, cap * sizeof *list);
            if (!grown) {
                free(list);
                return mg_error_set(err, MG_ENOMEM, "out of memory listing variables");
            }
            list = grown;
        }
        list[n++] = (mg_export_var){mg_value_label(v), v};
    }
    *vars = list;
    *nvars = n;
    return MG_OK;
}

static mg_code write_stream(export_writer writer, const export_job *job, FILE *out,
                            mg_error *err)
{
    if (writer(out, job) != 0)
        return mg_error_set(err, MG_ENOMEM, "out of memory writing the export");
    if (fflush(out) != 0 || ferror(out))
        return mg_error_set(err, MG_EIO, "cannot write the export: %s", strerror(errno));
    return MG_OK;
}

static mg_code write_memory(export_writer writer, const export_job *job, char **data,
                            size_t *len, mg_error *err)
{
    *data = NULL;
    *len = 0;
    mg_buf text = {0};
    FILE *mem = mg_buf_stream(&text);
    int failed = mem && writer(mem, job) != 0;
    if (!mg_buf_stream_close(mem, &text) || failed
        || (!text.p && (text.p = calloc(1, 1)) == NULL)) {
        mg_buf_free(&text);
        return mg_error_set(err, MG_ENOMEM, "out of memory for the export");
    }
    *data = text.p;
    *len = text.len;
    return MG_OK;
}

/* Streams straight into the file (complete or absent), so a big export
 * needs no copy of itself in memory. */
static mg_code write_file(export_writer writer, const export_job *job, const char *path,
                          mg_error *err)
{
    mg_file_out f;
    mg_code rc = mg_file_begin(&f, path, err);
    if (rc != MG_OK)
        return rc;
    FILE *out = mg_file_stream(&f);
    if (out) { /* a failed write fails f, which the commit reports */
        int failed = writer(out, job) != 0;
        fclose(out);
        if (failed) {
            mg_file_abort(&f);
            return mg_error_set(err, MG_ENOMEM, "out of memory writing %s", path);
        }
    }
    return mg_file_commit(&f, err);
}

mg_code export_run(export_writer writer, export_job job, FILE *out,
                   char **data, size_t *len, const char *path, mg_error *err)
{
    mg_error_clear(err);
    if (!job.root)
        return mg_error_set(err, MG_EINVAL, "no root to export (NULL)");
    mg_export_var *owned = NULL;
    if (!job.vars) {
        mg_code rc = mg_export_default_vars(job.root, &owned, &job.nvars, err);
        if (rc != MG_OK)
            return rc;
        job.vars = owned;
    }
    mg_code rc;
    if (out) {
        rc = write_stream(writer, &job, out, err);
    } else if (data) {
        rc = write_memory(writer, &job, data, len, err);
    } else {
        rc = write_file(writer, &job, path, err);
    }
    free(owned);
    return rc;
}

size_t export_largest_tensor(const mg_graph *g, size_t n)
{
    size_t big = 0;
    for (uint32_t id = 0; id < n; id++) {
        const mg_tensor *t = mg_tensor_of(mg_graph_node(g, id));
        size_t bytes = t ? (size_t)t->numel * mg_dtype_size(t->dtype) : 0;
        big = bytes > big ? bytes : big;
    }
    return big;
}
