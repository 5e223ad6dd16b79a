/* label.c — the text inside value boxes and folded boxes. */
#include <stdarg.h>
#include <stdio.h>
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

/* Appends text with the given specials backslash-escaped and newlines
 * flattened, so a user label cannot break a record's structure. Quotes are
 * left alone: cgraph quotes them itself when it writes DOT. */
static void append_escaped(char *buf, size_t n, size_t *pos, const char *text,
                           const char *specials)
{
    for (; *text && *pos + 2 < n; text++) {
        char ch = *text == '\n' || *text == '\r' ? ' ' : *text;
        if (strchr(specials, ch))
            buf[(*pos)++] = '\\';
        buf[(*pos)++] = ch;
    }
    buf[*pos] = '\0';
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

void viz_value_label(const mg_value *v, const mg_viz_options *o, char *buf,
                     size_t n)
{
    size_t pos = 0;
    buf[0] = '\0';
    append(buf, n, &pos, "{ ");
    if (o->show_ids)
        append(buf, n, &pos, "#%u | ", v->id);
    const char *label = mg_value_label(v);
    if (*label) {
        append_escaped(buf, n, &pos, label, "{}|<>\\");
        append(buf, n, &pos, " | ");
    }
    append(buf, n, &pos, "data %s | grad %s", viz_num(v->data, o->precision).s,
           viz_num(v->grad, o->precision).s);
    append(buf, n, &pos, " }");
}

/* Appends "N name" to the op mix, with a separator and a line break every
 * four entries. */
static void append_mix(char *buf, size_t n, size_t *pos, int *shown, size_t count,
                       const char *name)
{
    if (count == 0)
        return;
    append(buf, n, pos, "%s%zu %s", *shown == 0 ? " " : *shown % 4 ? ", " : ",\\n",
           count, name);
    ++*shown;
}

void viz_box_label(const mg_graph *g, const mg_viz_box *box, char *buf,
                   size_t n)
{
    char path[512];
    size_t pos = 0;
    buf[0] = '\0';
    mg_scope_path(g, box->scope, path, sizeof path);
    append_escaped(buf, n, &pos, *path ? path : "(top level)", "\\");
    append(buf, n, &pos, "%s\\n%zu node%s:", box->leaves ? " (leaves)" : "",
           box->nodes, box->nodes == 1 ? "" : "s");
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
        append_mix(buf, n, &pos, &shown, box->op_count[best], mg_op_name((mg_op)best));
    }
    size_t leaves = box->op_count[MG_OP_LEAF];
    append_mix(buf, n, &pos, &shown, box->params, "param");
    append_mix(buf, n, &pos, &shown, leaves - box->params - box->consts, "input");
    append_mix(buf, n, &pos, &shown, box->consts, "const");
}
