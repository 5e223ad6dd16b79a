/* box_label.c — what a folded box says: which scope(s), how many nodes of
 * which ops, and the values a learner looks for (box_values.c), as an
 * HTML-like table:
 *
 *     neuron1 … neuron16 ×16             (group; a plain box: its path)
 *     each 8 nodes: 2 +, 2 *, 1 relu, 3 param
 *     outputs (one each)  min  median  max
 *       data              0    0.21    1.4
 *       grad              -0.3 0       0.12
 *     48 params           norm 4.1   grad norm 0.52
 *     all grads           norm 0.9
 *     2 nodes NaN/Inf                    (only when some are) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz_internal.h"

#define GREY "#555555"

/* "first … last ×N" of a group's members, or a plain box's path. */
static void title_rows(mg_buf *b, const mg_graph *g, const mg_viz_box *box)
{
    size_t n = mg_scope_path(g, box->scope, NULL, 0) + 1;
    char *path = malloc(n);
    if (!path) {
        b->failed = true;
        return;
    }
    mg_scope_path(g, box->scope, path, n);
    if (box->nmembers <= 1) {
        mg_buf_puts(b, "<TR><TD COLSPAN=\"4\"><B>");
        mg_buf_html_text(b, *path ? path : "(top level)");
        mg_buf_printf(b, "%s</B></TD></TR>", box->leaves ? " (leaves)" : "");
        free(path);
        return;
    }
    char *slash = strrchr(path, '/');
    if (slash) { /* the parent on its own line, so the group's name stands out */
        *slash = '\0';
        mg_buf_printf(b, "<TR><TD COLSPAN=\"4\"><FONT COLOR=\"" GREY "\" POINT-SIZE=\"9\">");
        mg_buf_html_text(b, path);
        mg_buf_puts(b, "/</FONT></TD></TR>");
    }
    mg_buf_puts(b, "<TR><TD COLSPAN=\"4\"><B>");
    mg_buf_html_text(b, mg_scope_name(g, box->members[0]));
    mg_buf_puts(b, box->nmembers == 2 ? ", " : " … ");
    mg_buf_html_text(b, mg_scope_name(g, box->members[box->nmembers - 1]));
    mg_buf_printf(b, "</B>  ×%u</TD></TR>", box->nmembers);
    free(path);
}

/* Appends "N name" to the op mix, a line break every four entries. */
static void mix_entry(mg_buf *b, int *shown, size_t count, const char *name)
{
    if (count == 0)
        return;
    mg_buf_puts(b, *shown == 0 ? " " : *shown % 4 ? ", " : ",<BR/>");
    mg_buf_printf(b, "%zu ", count);
    mg_buf_html_text(b, name);
    ++*shown;
}

/* "8 nodes: 2 +, 2 *, 1 relu, 3 param" (per member for a group), ops most
 * frequent first, then leaves by kind. */
static void count_row(mg_buf *b, const mg_viz_box *box)
{
    size_t k = box->nmembers > 1 ? box->nmembers : 1, nodes = box->nodes / k;
    mg_buf_printf(b, "<TR><TD COLSPAN=\"4\">%s%zu node%s:", k > 1 ? "each " : "", nodes,
                  nodes == 1 ? "" : "s");
    int done[MG_OP_COUNT] = {0}, shown = 0;
    for (;;) {
        int best = -1;
        for (int op = 1; op < MG_OP_COUNT; op++)
            if (!done[op] && box->op_count[op] &&
                (best < 0 || box->op_count[op] > box->op_count[best]))
                best = op;
        if (best < 0)
            break;
        done[best] = 1;
        mix_entry(b, &shown, box->op_count[best] / k, mg_op_name((mg_op)best));
    }
    size_t leaves = box->op_count[MG_OP_LEAF];
    mix_entry(b, &shown, box->params / k, "param");
    mix_entry(b, &shown, (leaves - box->params - box->consts) / k, "input");
    mix_entry(b, &shown, box->consts / k, "const");
    mg_buf_puts(b, "</TD></TR>");
}

static void cell(mg_buf *b, const char *text)
{
    mg_buf_puts(b, "<TD ALIGN=\"LEFT\">");
    mg_buf_html_text(b, text);
    mg_buf_puts(b, "</TD>");
}

/* One output: "output  data X  grad Y"; several: min / median / max rows. */
static void output_rows(mg_buf *b, const mg_viz_box *box, const viz_box_values *bv, int p)
{
    const char *what = box->leaves || box->op_count[MG_OP_LEAF] == box->nodes ? "value"
                                                                             : "output";
    if (bv->noutputs == 0)
        return;
    if (bv->noutputs == 1) {
        mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\">%s</TD><TD ALIGN=\"LEFT\" COLSPAN=\"3\">"
                         "data %s   grad %s</TD></TR>",
                      what, viz_num(bv->data[0], p).s, viz_num(bv->grad[0], p).s);
        return;
    }
    char head[64];
    if (box->nmembers > 1 && bv->noutputs == box->nmembers)
        snprintf(head, sizeof head, "%ss (one each)", what);
    else
        snprintf(head, sizeof head, "%zu %ss", bv->noutputs, what);
    mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\"><I>%s</I></TD><TD ALIGN=\"LEFT\"><I>min</I></TD>"
                     "<TD ALIGN=\"LEFT\"><I>median</I></TD><TD ALIGN=\"LEFT\"><I>max</I></TD></TR>",
                  head);
    for (int grad = 0; grad < 2; grad++) {
        viz_spread s = viz_spread_of(grad ? bv->grad : bv->data, bv->noutputs);
        mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\">  %s</TD>", grad ? "grad" : "data");
        cell(b, viz_num(s.min, p).s);
        cell(b, viz_num(s.median, p).s);
        cell(b, viz_num(s.max, p).s);
        mg_buf_puts(b, "</TR>");
    }
}

static void norm_rows(mg_buf *b, const mg_viz_box *box, const viz_box_values *bv, int p)
{
    if (box->params > 0)
        mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\">%zu param%s</TD><TD ALIGN=\"LEFT\" "
                         "COLSPAN=\"3\">norm %s   grad norm %s</TD></TR>",
                      box->params, box->params == 1 ? "" : "s",
                      viz_num(sqrt(bv->param_sq), p).s, viz_num(sqrt(bv->param_grad_sq), p).s);
    mg_buf_printf(b, "<TR><TD ALIGN=\"LEFT\">all grads</TD><TD ALIGN=\"LEFT\" COLSPAN=\"3\">"
                     "norm %s</TD></TR>",
                  viz_num(sqrt(bv->grad_sq), p).s);
    if (bv->nonfinite)
        mg_buf_printf(b, "<TR><TD COLSPAN=\"4\"><FONT COLOR=\"" VIZ_NONFINITE_COLOUR "\">"
                         "%zu node%s NaN/Inf</FONT></TD></TR>",
                      bv->nonfinite, bv->nonfinite == 1 ? "" : "s");
}

void viz_box_html(mg_buf *b, const mg_graph *g, const mg_viz_box *box,
                  const viz_box_values *bv, const mg_viz_options *o)
{
    mg_buf_puts(b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">");
    title_rows(b, g, box);
    count_row(b, box);
    if (!o->no_box_values) {
        output_rows(b, box, bv, o->precision);
        norm_rows(b, box, bv, o->precision);
    }
    mg_buf_puts(b, "</TABLE>");
}
