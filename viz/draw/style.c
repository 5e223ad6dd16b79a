/* style.c — how things look: graph defaults, and colours telling inputs,
 * parameters, constants, computed values and the root apart. */
#include <stdio.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_node_stats.h"
#include "viz_internal.h"

void viz_set(void *obj, Agsym_t *sym, const char *value)
{
    agxset(obj, sym, (char *)value); /* cgraph copies; its API is not const */
}

static void graph_attr(Agraph_t *g, const char *name, const char *value)
{
    agattr(g, AGRAPH, (char *)name, (char *)value);
}

static Agsym_t *node_attr(Agraph_t *g, const char *name, const char *value)
{
    return agattr(g, AGNODE, (char *)name, (char *)value);
}

static Agsym_t *edge_attr(Agraph_t *g, const char *name, const char *value)
{
    return agattr(g, AGEDGE, (char *)name, (char *)value);
}

void viz_tune_layout(Agraph_t *g)
{
    /* dot spends its time in the network simplex that places nodes within
     * ranks, and long edges (a loss summed over 100 folded samples) turn into
     * thousands of virtual nodes: uncapped, a 200-box picture took 18 s there.
     * nslimit caps the iterations at a factor of the node count; the factor
     * is chosen so the cap is VIZ_SIMPLEX_ITERATIONS whatever the size, which
     * small pictures never reach. newrank's ranking pass was also faster on
     * a one-sample MLP (0.46 s -> 0.15 s for the whole layout). */
    char factor[32];
    int n = agnnodes(g);
    snprintf(factor, sizeof factor, "%g",
             (double)VIZ_SIMPLEX_ITERATIONS / (double)(n > 0 ? n : 1));
    graph_attr(g, "nslimit", factor);
    graph_attr(g, "nslimit1", factor);
    graph_attr(g, "newrank", "true");
    /* Past a few thousand nodes, crossing minimisation and spline routing
     * dominate (a two-sample MLP: 15 s and 24 s); straight edges and fewer
     * mincross passes brought it to 10 s in all. */
    if (n >= VIZ_HUGE_PICTURE) {
        graph_attr(g, "mclimit", "0.1");
        graph_attr(g, "splines", "line");
    }
}

void viz_declare(Agraph_t *g, const mg_viz_options *o, const char *format,
                 viz_attrs *at)
{
    char buf[64];
    graph_attr(g, "rankdir", o->rankdir);
    graph_attr(g, "label", o->title ? o->title : "");
    graph_attr(g, "labelloc", "t");
    graph_attr(g, "fontname", "Helvetica");
    graph_attr(g, "bgcolor", "white");
    if (format && format[0] == 'p') { /* png: cap the bitmap, see mg_viz.h */
        snprintf(buf, sizeof buf, "%g,%g", o->max_inches, o->max_inches);
        graph_attr(g, "size", buf);
        snprintf(buf, sizeof buf, "%d", o->dpi);
        graph_attr(g, "dpi", buf);
    }
    at->heat = NULL; /* draw.c turns heatmaps on */
    at->shape = node_attr(g, "shape", "record");
    at->style = node_attr(g, "style", "filled");
    at->fillcolor = node_attr(g, "fillcolor", "white");
    at->color = node_attr(g, "color", "black");
    at->penwidth = node_attr(g, "penwidth", "1");
    at->fontsize = node_attr(g, "fontsize", "11");
    at->label = node_attr(g, "label", "");
    at->id = node_attr(g, "id", "");
    at->klass = node_attr(g, "class", "");
    node_attr(g, "fontname", "Helvetica");
    node_attr(g, "height", "0.3");
    at->elabel = edge_attr(g, "xlabel", "");
    at->etext = edge_attr(g, "label", "");
    at->eclass = edge_attr(g, "class", "");
    at->efont = edge_attr(g, "fontcolor", "black");
    at->eid = edge_attr(g, "id", "");
    edge_attr(g, "arrowsize", "0.6");
    edge_attr(g, "fontsize", "10");
    edge_attr(g, "fontname", "Helvetica");
}

/* How each kind of value looks; the SVG class carries the kind name. */
typedef struct value_look {
    const char *kind, *fill, *style;
} value_look;

static const value_look looks[] = {
    {"computed", "white", "filled"},
    {"input", "#cfe8ff", "filled"},
    {"param", "#ffe0a6", "filled"},
    {"const", "#eeeeee", "filled,dashed"},
};

static const value_look *look_of(const mg_value *v)
{
    if (!mg_is_leaf(v))
        return &looks[0];
    if (v->flags & MG_FLAG_PARAM)
        return &looks[2];
    if (v->flags & MG_FLAG_CONST)
        return &looks[3];
    return &looks[1];
}

void viz_mark_nonfinite(void *obj, const viz_attrs *at, int on)
{
    if (!on)
        return;
    viz_set(obj, at->color, VIZ_NONFINITE_COLOUR);
    viz_set(obj, at->penwidth, "3");
    const char *style = agxget(obj, at->style);
    char buf[64];
    if (!strstr(style, "dashed")) {
        snprintf(buf, sizeof buf, "%s%sdashed", style, *style ? "," : "");
        viz_set(obj, at->style, buf);
    }
}

void viz_style_value(Agnode_t *n, const viz_attrs *at, const mg_value *v,
                     int is_root)
{
    const value_look *look = look_of(v);
    int bad = !mg_node_finite(v);
    char klass[64];
    snprintf(klass, sizeof klass, "value %s%s%s%s", look->kind,
             v->flags & MG_FLAG_TENSOR ? " tensor" : "", is_root ? " root" : "",
             bad ? " nonfinite" : "");
    viz_set(n, at->klass, klass);
    /* set every look attribute, so restyling after backward starts afresh */
    viz_set(n, at->fillcolor, look->fill);
    viz_set(n, at->style, look->style);
    viz_set(n, at->color, "black");
    viz_set(n, at->penwidth, "1");
    if (is_root) {
        viz_set(n, at->color, "#c62828");
        viz_set(n, at->penwidth, "2.5");
        viz_set(n, at->fillcolor, "#ffd9d9");
    }
    viz_mark_nonfinite(n, at, bad);
}

/* True when some node of g (or its subgraphs) is marked non-finite. */
static int any_nonfinite(Agraph_t *g, const viz_attrs *at)
{
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        if (strstr(agxget(n, at->klass), "nonfinite"))
            return 1;
    return 0;
}

/* True when some edge of g carries a chain-rule label. */
static int any_grad_edge(Agraph_t *g, const viz_attrs *at)
{
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e))
            if (strcmp(agxget(e, at->eclass), "grad") == 0)
                return 1;
    return 0;
}

void viz_legend(Agraph_t *g, const mg_viz_options *o, const viz_attrs *at)
{
    int bad = any_nonfinite(g, at), grads = any_grad_edge(g, at);
    if (!bad && !grads)
        return;
    /* an HTML-like label, so each legend line takes the colour of its marks */
    mg_buf b = {0};
    if (o->title) {
        mg_buf_html_text(&b, o->title);
        mg_buf_puts(&b, "<BR/>");
    }
    if (grads)
        mg_buf_puts(&b, "<FONT POINT-SIZE=\"11\" COLOR=\"" VIZ_EDGE_GRAD_COLOUR "\">"
                        VIZ_EDGE_GRAD_LEGEND "</FONT>");
    if (grads && bad)
        mg_buf_puts(&b, "<BR/>");
    if (bad)
        mg_buf_puts(&b, "<FONT COLOR=\"" VIZ_NONFINITE_COLOUR "\">" VIZ_NONFINITE_LEGEND "</FONT>");
    if (!b.failed && b.p) {
        char *html = agstrdup_html(g, b.p);
        agattr(g, AGRAPH, "label", html);
        agstrfree(g, html);
    }
    mg_buf_free(&b);
}
