/* label.c — the text inside value boxes (folded boxes: box_label.c). */
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
