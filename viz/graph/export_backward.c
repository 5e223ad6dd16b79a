/* export_backward.c — backward as a worked example, for the text export:
 * one line per node the root depends on, in the order backward visits them
 * (reverse topological), each grad written as the sum of what its edges
 * carried (mg_node_edges), in the order backward added them:
 *
 *     x.grad = 1 × 1 [via +#3] + 1 × y(3) [via *#2] = 4
 *
 * A term is upstream × local derivative [via the node that used it]; a
 * product's local derivative is the other operand, shown by name(value).
 * Where PyTorch's rule sends something else (** 0 or relu at 0 under an
 * infinite upstream, division's rounding), the term says what it sent. */
#include "export_internal.h"

#include <stdlib.h>
#include <string.h>

#include "mg_node_stats.h"
#include "mg_tensor.h"

typedef struct walk {
    const mg_graph *g;
    const unsigned char *reached;
    const unsigned char *shared;  /* labels another reached node also has */
    mg_edge *edges;               /* incoming edges, grouped by operand id */
    uint32_t *first;              /* edges of node id: first[id] .. first[id + 1] */
    void *scratch;                /* a tensor contribution */
} walk;

static void put_number(FILE *out, double x)
{
    char text[32];
    mg_format_display(x, 6, text, sizeof text);
    fputs(text, out);
}

/* A readable name: the label (with #id when another node shares it), the
 * value of an unlabelled constant, else op#id ("*#2", "input#0"). */
static void put_name(FILE *out, const walk *w, const mg_value *v)
{
    const char *label = mg_value_label(v);
    if (*label) {
        fputs(label, out);
        if (w->shared[v->id])
            fprintf(out, "#%u", v->id);
        return;
    }
    if (mg_is_leaf(v) && (v->flags & MG_FLAG_CONST) && !mg_tensor_of(v)) {
        put_number(out, v->data);
        return;
    }
    char op[64];
    if (mg_is_leaf(v))
        snprintf(op, sizeof op, "%s", mg_node_kind(v));
    else
        mg_value_op_label(v, op, sizeof op);
    fprintf(out, "%s#%u", op, v->id);
}

static void put_stats(FILE *out, mg_tensor_stats s)
{
    fputs("[l2 ", out);
    put_number(out, s.l2);
    fputs(", mean ", out);
    put_number(out, s.mean);
    if (s.nonfinite)
        fprintf(out, ", %d non-finite", s.nonfinite);
    putc(']', out);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* One term of a scalar grad: upstream × local [via user]. */
static void put_scalar_term(FILE *out, const walk *w, const mg_edge *e)
{
    put_number(out, e->upstream);
    fputs(" × ", out);
    mg_value *ops[MG_MAX_OPERANDS];
    if (e->to->op == MG_OP_MUL && mg_node_operands(e->to, ops) == 2) {
        const mg_value *other = ops[1 - e->operand]; /* d(a·b)/da = b */
        put_name(out, w, other);
        putc('(', out);
        put_number(out, other->data);
        putc(')', out);
    } else {
        put_number(out, e->local);
    }
    fputs(" [via ", out);
    put_name(out, w, e->to);
    if (!same_bits(e->local * e->upstream, e->contribution)) {
        fputs(", sends ", out);
        put_number(out, e->contribution);
    }
    putc(']', out);
}

/* One term of a tensor grad: the contribution tensor's summary [via user]. */
static void put_tensor_term(FILE *out, const walk *w, const mg_edge *e)
{
    const mg_tensor *p = mg_tensor_of(e->from);
    if (mg_tensor_edge_contribution(mg_tensor_of(e->to), e->operand, w->scratch) == MG_OK)
        put_stats(out, mg_buffer_stats(w->scratch, p->dtype, p->numel));
    else
        fputs("nothing", out);
    fputs(" [via ", out);
    put_name(out, w, e->to);
    putc(']', out);
}

static void put_line(FILE *out, const walk *w, const mg_value *v, const mg_value *root)
{
    const mg_tensor *t = mg_tensor_of(v);
    fputs("  ", out);
    put_name(out, w, v);
    fputs(".grad = ", out);
    if (v == root) {
        fputs("1 (the root)\n", out);
        return;
    }
    if (t && !t->grad) {
        fputs("none (it requires no gradient)\n", out);
        return;
    }
    for (uint32_t i = w->first[v->id]; i < w->first[v->id + 1]; i++) {
        if (i > w->first[v->id])
            fputs(" + ", out);
        if (t)
            put_tensor_term(out, w, &w->edges[i]);
        else
            put_scalar_term(out, w, &w->edges[i]);
    }
    fputs(" = ", out);
    if (t)
        put_stats(out, mg_tensor_stats_of(t, true));
    else
        put_number(out, v->grad);
    putc('\n', out);
}

static int by_label(const void *x, const void *y)
{
    const mg_value *a = *(const mg_value *const *)x, *b = *(const mg_value *const *)y;
    return strcmp(mg_value_label(a), mg_value_label(b));
}

/* Marks the reached nodes whose label another reached node also has. */
static int mark_shared_labels(walk *w, unsigned char *shared, size_t n)
{
    const mg_value **named = malloc((n ? n : 1) * sizeof *named);
    if (!named)
        return -1;
    size_t k = 0;
    for (uint32_t id = 0; id < n; id++) {
        const mg_value *v = mg_graph_node(w->g, id);
        if (w->reached[id] && *mg_value_label(v))
            named[k++] = v;
    }
    qsort(named, k, sizeof *named, by_label);
    for (size_t i = 1; i < k; i++)
        if (by_label(&named[i - 1], &named[i]) == 0)
            shared[named[i - 1]->id] = shared[named[i]->id] = 1;
    free(named);
    return 0;
}

/* Groups the reached nodes' edges by operand, each group in backward's
 * order (users by falling id, operand a before b before a tensor's third). */
static void group_edges(walk *w, const mg_value *root, uint32_t *count)
{
    const uint32_t n = root->id + 1;
    for (uint32_t pass = 0; pass < 2; pass++) {
        for (uint32_t id = n; id-- > 0;) {
            mg_edge e[MG_MAX_OPERANDS];
            int ne = w->reached[id] ? mg_node_edges(mg_graph_node(w->g, id), e) : 0;
            for (int i = 0; i < ne; i++) {
                uint32_t p = e[i].from->id;
                if (pass == 0)
                    count[p]++;
                else
                    w->edges[w->first[p] + count[p]++] = e[i];
            }
        }
        if (pass == 0) {
            w->first[0] = 0;
            for (uint32_t id = 0; id < n; id++) {
                w->first[id + 1] = w->first[id] + count[id];
                count[id] = 0;
            }
        }
    }
}

int export_backward_text(FILE *out, const mg_value *root)
{
    const size_t n = (size_t)root->id + 1, bytes = export_largest_tensor(root->graph, n);
    unsigned char *reached = malloc(n), *shared = calloc(n, 1);
    uint32_t *first = malloc((n + 1) * sizeof *first), *count = calloc(n, sizeof *count);
    mg_edge *edges = malloc(2 * n * sizeof *edges);
    void *scratch = bytes ? malloc(bytes) : NULL;
    int rc = -1;
    if (reached && shared && first && count && edges && (scratch || !bytes)) {
        mg_reach(root, reached);
        walk w = { root->graph, reached, shared, edges, first, scratch };
        rc = mark_shared_labels(&w, shared, n);
        if (rc == 0) {
            group_edges(&w, root, count);
            fputs("\nbackward, node by node (reverse topological order); each term is\n"
                  "upstream grad × local derivative [via the node that used it] (for a tensor,\n"
                  "a summary of the tensor it sent):\n", out);
            for (uint32_t id = (uint32_t)n; id-- > 0;)
                if (reached[id])
                    put_line(out, &w, mg_graph_node(root->graph, id), root);
        }
    }
    free(reached);
    free(shared);
    free(first);
    free(count);
    free(edges);
    free(scratch);
    return rc;
}
