/* tensor_label.c — a tensor node's picture: an HTML-like table (records
 * cannot hold images) with its name, shape, then a row for data and one for
 * grad, each a summary beside its heatmap (stacked, not side by side, so a
 * left-to-right chain of layers stays narrow). */
#include <stdio.h>

#include "mg_buf.h"
#include "mg_tensor_viz.h"
#include "viz_internal.h"

/* "[1, -1, 2, …]<BR/>min -1 max 2<BR/>mean 0.5 L2 3" (and the count of
 * NaN/Inf if any) of t's data or grad. */
static void summary(mg_buf *b, const mg_tensor *t, int grad, int p)
{
    char first[160];
    mg_tensor_stats s = mg_tensor_stats_of(t, grad);
    viz_tensor_elements(t, grad, p, first, sizeof first);
    mg_buf_puts(b, first);
    if (s.count == 1 && s.nonfinite == 0)
        return;
    mg_buf_printf(b, "<BR/>min %s max %s<BR/>mean %s L2 %s", viz_num(s.min, p).s,
                  viz_num(s.max, p).s, viz_num(s.mean, p).s, viz_num(s.l2, p).s);
    if (s.nonfinite)
        mg_buf_printf(b, "<BR/><FONT COLOR=\"#c62828\">%d NaN/Inf</FONT>", s.nonfinite);
}

/* The heatmap cell of t's data or grad, written through at->heat. */
static mg_code heatmap_cell(mg_buf *b, const viz_attrs *at, const mg_tensor *t, int grad,
                            const char *name, mg_error *err)
{
    char file[96];
    const char *path;
    snprintf(file, sizeof file, "%s-%s.png", name, grad ? "grad" : "data");
    mg_code rc = viz_heat_add(at->heat, t, grad, file, &path, err);
    if (rc != MG_OK)
        return rc;
    mg_buf_puts(b, "<TD><IMG SRC=\"");
    mg_buf_html_text(b, path);
    mg_buf_puts(b, "\"/></TD>");
    return MG_OK;
}

/* One row: "data ..." or "grad ..." with the summary, then its heatmap. */
static mg_code row(mg_buf *b, const viz_attrs *at, const mg_tensor *t, int grad,
                   const mg_viz_options *o, const char *name, mg_error *err)
{
    mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">%s ", grad ? "grad" : "data");
    if (grad && !t->grad) {
        mg_buf_puts(b, "none</TD><TD></TD></TR>");
        return MG_OK;
    }
    summary(b, t, grad, o->precision);
    mg_buf_puts(b, "</TD>");
    mg_code rc = at->heat && t->numel > 1 ? heatmap_cell(b, at, t, grad, name, err) : MG_OK;
    if (!at->heat || t->numel <= 1)
        mg_buf_puts(b, "<TD></TD>");
    mg_buf_puts(b, "</TR>");
    return rc;
}

/* The title row: "#id label  op  f32[4,8]". */
static void title_row(mg_buf *b, const mg_value *v, const mg_tensor *t,
                      const mg_viz_options *o)
{
    char op[64], shape[64];
    mg_value_op_label(v, op, sizeof op);
    mg_tensor_shape_str(t, shape, sizeof shape);
    mg_buf_puts(b, "<TR><TD COLSPAN=\"2\">");
    if (o->show_ids)
        mg_buf_printf(b, "#%u ", v->id);
    if (t->op == MG_T_LEAF && !(v->flags & (MG_FLAG_PARAM | MG_FLAG_CONST)))
        mg_buf_puts(b, "input "); /* data fed in, not learned */
    if (*mg_value_label(v)) {
        mg_buf_puts(b, "<B>");
        mg_buf_html_text(b, mg_value_label(v));
        mg_buf_puts(b, "</B> ");
    }
    if (*op) {
        mg_buf_html_text(b, op);
        mg_buf_puts(b, " ");
    }
    mg_buf_printf(b, "%s%s</TD></TR>", t->dtype == MG_F32 ? "f32" : "f64", shape);
}

static mg_code table(mg_buf *b, const viz_attrs *at, const mg_value *v,
                     const mg_viz_options *o, const char *name, mg_error *err)
{
    const mg_tensor *t = mg_tensor_of(v);
    mg_buf_puts(b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"1\">");
    title_row(b, v, t, o);
    mg_code rc = row(b, at, t, 0, o, name, err);
    if (rc == MG_OK)
        rc = row(b, at, t, 1, o, name, err);
    mg_buf_puts(b, "</TABLE>");
    return rc;
}

mg_code viz_tensor_label(Agraph_t *g, Agnode_t *n, const viz_attrs *at, const mg_value *v,
                         const mg_viz_options *o, const char *name, mg_error *err)
{
    mg_buf b = {0};
    mg_code rc = table(&b, at, v, o, name, err);
    if (rc == MG_OK && (b.failed || !b.p))
        rc = mg_error_set(err, MG_ENOMEM, "out of memory labelling tensor #%u", v->id);
    if (rc == MG_OK) {
        char *html = agstrdup_html(agroot(g), b.p);
        viz_set(n, at->label, html);
        agstrfree(agroot(g), html);
        viz_set(n, at->shape, "box");
    }
    mg_buf_free(&b);
    return rc;
}
