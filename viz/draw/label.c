/* label.c — the text inside value boxes and folded boxes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_format.h"
#include "mg_tensor.h"
#include "viz_internal.h"

/* Appends printf output at *pos without overflowing buf[n]. */
static void append(char *buf, size_t n, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
    if (*pos >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (k > 0)
        *pos += (size_t)k < n - *pos ? (size_t)k : n - *pos - 1;
}

/* Appends text escaped for a record field: the record specials
 * backslash-escaped and line breaks flattened, so no label can change a
 * record's structure (an unbalanced record makes Graphviz crash). Quotes are
 * left alone: cgraph quotes them itself when it writes DOT. */
void viz_record_text(mg_buf *b, const char *text)
{
    for (; *text; text++) {
        char ch = *text == '\n' || *text == '\r' ? ' ' : *text;
        if (strchr("{}|<>\\", ch))
            mg_buf_put(b, "\\", 1);
        mg_buf_put(b, &ch, 1);
    }
}

viz_numtext viz_num(double x, int precision)
{
    viz_numtext t;
    mg_format_display(x, precision, t.s, sizeof t.s);
    return t;
}

void viz_tensor_elements(const mg_tensor *t, int grad, int precision, char *buf, size_t n)
{
    size_t pos = 0;
    buf[0] = '\0';
    append(buf, n, &pos, "[");
    for (int i = 0; i < t->numel && i < 3; i++)
        append(buf, n, &pos, "%s%s", i ? ", " : "",
               viz_num(grad ? mg_tensor_grad_at(t, i) : mg_tensor_get(t, i), precision).s);
    append(buf, n, &pos, "%s]", t->numel > 3 ? ", …" : "");
}

mg_code viz_value_label(const mg_value *v, const mg_viz_options *o, mg_buf *b,
                        mg_error *err)
{
    mg_buf_puts(b, "{ ");
    if (o->show_ids)
        mg_buf_printf(b, "#%u | ", v->id);
    const char *label = mg_value_label(v);
    if (*label) {
        viz_record_text(b, label);
        mg_buf_puts(b, " | ");
    }
    mg_buf_printf(b, "data %s | grad %s }", viz_num(v->data, o->precision).s,
                  viz_num(v->grad, o->precision).s);
    return b->failed ? mg_error_set(err, MG_ENOMEM, "out of memory labelling node %u", v->id)
                     : MG_OK;
}

/* Appends "N name" to the op mix, with a separator and a line break every
 * four entries. */
static void append_mix(mg_buf *b, int *shown, size_t count, const char *name)
{
    if (count == 0)
        return;
    mg_buf_printf(b, "%s%zu %s", *shown == 0 ? " " : *shown % 4 ? ", " : ",\\n", count, name);
    ++*shown;
}

/* Appends the scope path of box (backslashes escaped: a box's label is an
 * escString, not a record). */
static void append_scope_path(mg_buf *b, const mg_graph *g, uint32_t scope)
{
    size_t n = mg_scope_path(g, scope, NULL, 0) + 1;
    char *path = malloc(n);
    if (!path) {
        b->failed = true;
        return;
    }
    mg_scope_path(g, scope, path, n);
    for (const char *c = *path ? path : "(top level)"; *c; c++) {
        char ch = *c == '\n' || *c == '\r' ? ' ' : *c;
        if (ch == '\\')
            mg_buf_put(b, "\\", 1);
        mg_buf_put(b, &ch, 1);
    }
    free(path);
}

mg_code viz_box_label(const mg_graph *g, const mg_viz_box *box, mg_buf *b, mg_error *err)
{
    append_scope_path(b, g, box->scope);
    mg_buf_printf(b, "%s\\n%zu node%s:", box->leaves ? " (leaves)" : "", box->nodes,
                  box->nodes == 1 ? "" : "s");
    /* op mix, most frequent first, leaves by kind */
    size_t done[MG_OP_COUNT] = {0};
    int shown = 0;
    for (;;) {
        int best = -1;
        for (int op = 1; op < MG_OP_COUNT; op++)
            if (!done[op] && box->op_count[op] &&
                (best < 0 || box->op_count[op] > box->op_count[best]))
                best = op;
        if (best < 0)
            break;
        done[best] = 1;
        append_mix(b, &shown, box->op_count[best], mg_op_name((mg_op)best));
    }
    size_t leaves = box->op_count[MG_OP_LEAF];
    append_mix(b, &shown, box->params, "param");
    append_mix(b, &shown, leaves - box->params - box->consts, "input");
    append_mix(b, &shown, box->consts, "const");
    return b->failed ? mg_error_set(err, MG_ENOMEM, "out of memory labelling a folded box")
                     : MG_OK;
}
