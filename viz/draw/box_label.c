/* box_label.c — what a folded box says: which scope(s), how many nodes of
 * which ops, and the values a learner looks for (box_values.c), as an
 * HTML-like table:
 *
 *     neuron1 … neuron16 ×16             (group; a plain box: its path)
 *     each 8 nodes: 2 +, 2 *, 1 relu, 3 param
 *     outputs (one each)  min  median  max
 *       data              0    0.21    1.4
 *       grad              -0.3 0       0.12
 * (a group of tensor layers or blocks lists its members instead, with the
 * norms of each one's output, output grad, parameters and their grads:
 *     L2 norm   output  its grad  params  their grad
 *     block1    5.6     0.21      8.1     1.4          ...)
 *     48 params           norm 4.1   grad norm 0.52
 *     all grads           norm 0.9
 *     2 nodes NaN/Inf                    (only when some are) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_node_stats.h"
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

/* Adds count nodes of op name to the mix, merged with an entry of that name. */
static void add_op(viz_op_entry *out, size_t *n, const char *name, size_t count)
{
    if (count == 0)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(out[i].name, name) == 0) {
            out[i].count += count;
            return;
        }
    out[(*n)++] = (viz_op_entry){ name, count };
}

static int by_count(const void *pa, const void *pb)
{
    const viz_op_entry *a = pa, *b = pb;
    return (b->count > a->count) - (b->count < a->count);
}

size_t viz_box_ops(const mg_viz_box *box, viz_op_entry *out)
{
    size_t n = 0;
    for (int op = 1; op < MG_OP_COUNT; op++)
        if (op != MG_OP_TENSOR)
            add_op(out, &n, mg_op_name((mg_op)op), box->op_count[op]);
    size_t named = 0;
    for (int top = 1; top < MG_T_COUNT; top++) {
        add_op(out, &n, mg_top_name((mg_top)top), box->tensor_op_count[top]);
        named += box->tensor_op_count[top];
    }
    /* tensor nodes counted without their op (a plan made by hand) */
    add_op(out, &n, mg_op_name(MG_OP_TENSOR), box->op_count[MG_OP_TENSOR] - named);
    /* stable: entries are in table order, and qsort is not */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && by_count(&out[j - 1], &out[j]) > 0; j--) {
            viz_op_entry x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
    return n;
}

/* "8 nodes: 2 +, 2 *, 1 relu, 3 param" (per member for a group), ops most
 * frequent first, then leaves by kind. */
static void count_row(mg_buf *b, const mg_viz_box *box)
{
    size_t k = box->nmembers > 1 ? box->nmembers : 1, nodes = box->nodes / k;
    mg_buf_printf(b, "<TR><TD COLSPAN=\"4\">%s%zu node%s:", k > 1 ? "each " : "", nodes,
                  nodes == 1 ? "" : "s");
    viz_op_entry ops[VIZ_MAX_OP_ENTRIES];
    size_t nops = viz_box_ops(box, ops);
    int shown = 0;
    for (size_t i = 0; i < nops; i++)
        mix_entry(b, &shown, ops[i].count / k, ops[i].name);
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

/* Most members a group lists one by one (more get min / median / max). */
enum { MEMBER_ROWS_MAX = 16 };

static void number_cell(mg_buf *b, double x, int p)
{
    mg_buf_puts(b, "<TD ALIGN=\"RIGHT\">");
    mg_buf_html_text(b, viz_num(x, p).s);
    mg_buf_puts(b, "</TD>");
}

static void member_cell(mg_buf *b, double sq, int p)
{
    number_cell(b, sqrt(sq), p);
}

/* Most tensor outputs a plain box lists one by one. */
enum { TENSOR_ROWS_MAX = 6 };

/* A plain box's tensor outputs, one row each: name, shape and the L2 norms
 * of data and grad (the min / median / max of their means, across a weight
 * matrix and a bias, would say nothing). */
static void tensor_output_rows(mg_buf *b, const mg_graph *g, const viz_box_values *bv, int p)
{
    mg_buf_puts(b, "<TR><TD ALIGN=\"LEFT\"><I>L2 norm</I></TD><TD></TD>"
                   "<TD ALIGN=\"RIGHT\"><I>data</I></TD><TD ALIGN=\"RIGHT\"><I>grad</I></TD></TR>");
    for (size_t i = 0; i < bv->noutputs; i++) {
        const mg_value *v = mg_graph_node(g, bv->ids[i]);
        const mg_tensor *t = mg_tensor_of(v);
        const char *label = mg_value_label(v), *dot = strrchr(label, '.');
        char name[64], shape[64];
        if (*label)
            snprintf(name, sizeof name, "%s", dot ? dot + 1 : label);
        else
            snprintf(name, sizeof name, "#%u", v->id);
        shape[0] = '\0';
        if (t)
            mg_tensor_shape_str(t, shape, sizeof shape);
        mg_buf_puts(b, "<TR>");
        cell(b, name);
        cell(b, shape);
        number_cell(b, t ? mg_tensor_stats_of(t, false).l2 : fabs(v->data), p);
        number_cell(b, t ? mg_tensor_stats_of(t, true).l2 : fabs(v->grad), p);
        mg_buf_puts(b, "</TR>");
    }
}

/* A group of tensor layers or blocks, member by member: the L2 norms of
 * what each passes on (its output) and gets back (that output's grad), of
 * its parameters and their grads, so that growth or decay with depth shows
 * (a mean of a residual stream's elements would say about 0 for all). */
static void member_rows(mg_buf *b, const mg_graph *g, const mg_viz_box *box,
                        const viz_box_values *bv, int p)
{
    mg_buf_puts(b, "<TR><TD COLSPAN=\"4\"><TABLE BORDER=\"0\" CELLBORDER=\"0\" "
                   "CELLSPACING=\"0\" CELLPADDING=\"1\"><TR><TD ALIGN=\"LEFT\"><I>L2 norm</I></TD>"
                   "<TD ALIGN=\"RIGHT\"><I>output</I></TD><TD ALIGN=\"RIGHT\"><I>its grad</I></TD>");
    if (box->params)
        mg_buf_puts(b, "<TD ALIGN=\"RIGHT\"><I>params</I></TD>"
                       "<TD ALIGN=\"RIGHT\"><I>their grad</I></TD>");
    mg_buf_puts(b, "</TR>");
    for (uint32_t m = 0; m < box->nmembers; m++) {
        const viz_member_values *mv = &bv->member[m];
        mg_buf_puts(b, "<TR><TD ALIGN=\"LEFT\">");
        mg_buf_html_text(b, mg_scope_name(g, box->members[m]));
        mg_buf_puts(b, "</TD>");
        member_cell(b, mv->out_sq, p);
        member_cell(b, mv->out_grad_sq, p);
        if (box->params) {
            member_cell(b, mv->param_sq, p);
            member_cell(b, mv->param_grad_sq, p);
        }
        mg_buf_puts(b, "</TR>");
    }
    mg_buf_puts(b, "</TABLE></TD></TR>");
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
        if (box->nmembers > 1 && box->nmembers <= MEMBER_ROWS_MAX && bv->tensor_outputs)
            member_rows(b, g, box, bv, o->precision);
        else if (box->nmembers <= 1 && bv->noutputs <= TENSOR_ROWS_MAX && bv->tensor_outputs)
            tensor_output_rows(b, g, bv, o->precision);
        else
            output_rows(b, box, bv, o->precision);
        norm_rows(b, box, bv, o->precision);
    }
    mg_buf_puts(b, "</TABLE>");
}
