/* group.c — sibling scopes of one shape, folded into one "×N" box.
 *
 * sample0..sample99 of a batch loss, neuron1..neuron16 of a layer, block0..
 * block11 of a transformer: a picture that draws them as N identical boxes
 * shows nothing the first one does not, and buries the one number that
 * differs between them (their values) in a column too long to read. Siblings
 * are alike when their names differ only in a trailing number and their
 * subtrees hold the same counts (nodes, each op, params, consts); alike
 * siblings form a group, members in natural order.
 *
 * But a group stands for one step repeated: blocks that feed each other in
 * turn, neurons side by side. Alike siblings with other siblings between them
 * in the data flow are not one step: a pre-norm transformer block's ln1 and
 * ln2 are the same layer norm, yet attention runs after one and before the
 * other; "ln1, ln2 ×2" would draw the two before attention and hide the
 * order of operations. So alike siblings are split into runs, in natural
 * order, that no other sibling's node sits between (reached from one member
 * and reaching another), and only runs of two or more form a group. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "viz_internal.h"

int mg_viz_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0' && isdigit((unsigned char)a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char)b[1]))
                b++;
            size_t na = 0, nb = 0;
            while (isdigit((unsigned char)a[na]))
                na++;
            while (isdigit((unsigned char)b[nb]))
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            int c = strncmp(a, b, na);
            if (c)
                return c;
            a += na, b += nb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++, b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* Length of name without its trailing digits; n = strlen(name) when it has none. */
static size_t stem_length(const char *name, size_t n)
{
    while (n > 0 && isdigit((unsigned char)name[n - 1]))
        n--;
    return n;
}

typedef struct candidate {
    uint32_t scope, parent;
    const char *name;
    size_t stem;
    const size_t *sig;
    size_t sigw;
} candidate;

/* Same parent, stem and shape: alike. */
static int alike_cmp(const candidate *x, const candidate *y)
{
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    if (x->stem != y->stem)
        return x->stem < y->stem ? -1 : 1;
    int c = strncmp(x->name, y->name, x->stem);
    if (c)
        return c;
    for (size_t k = 0; k < x->sigw; k++)
        if (x->sig[k] != y->sig[k])
            return x->sig[k] < y->sig[k] ? -1 : 1;
    return 0;
}

static int candidate_cmp(const void *pa, const void *pb)
{
    const candidate *x = pa, *y = pb;
    int c = alike_cmp(x, y);
    return c ? c : mg_viz_natural_cmp(x->name, y->name);
}

/* The picture's nodes, for telling whether a run of alike siblings has
 * another sibling between its members in the data flow. */
typedef struct flow {
    const mg_graph *g;
    const uint32_t *home; /* per node: the scope it lives in */
    const uint8_t *in;    /* per node: in the picture */
    uint32_t *lo, *hi;    /* per scope: lowest and highest id in its subtree (lo > hi: none) */
    uint8_t *member;      /* per scope: a member of the run being tried (scratch) */
    uint8_t *reach;       /* per node: FLOW_* bits (scratch, cleared after each try) */
} flow;

enum { FLOW_DOWN = 1, FLOW_UP = 2, FLOW_MEMBER = 4, FLOW_SIBLING = 8 };

/* FLOW_MEMBER when node id lives under a run member, FLOW_SIBLING when under
 * another child of parent (depth d), else 0 (parent's own nodes, elsewhere). */
static uint8_t role_of(const flow *f, uint32_t id, uint32_t parent, uint32_t d)
{
    uint32_t s = f->home[id];
    while (mg_scope_depth(f->g, s) > d)
        s = mg_scope_parent(f->g, s);
    if (mg_scope_depth(f->g, s) != d || d == 0 || mg_scope_parent(f->g, s) != parent)
        return 0;
    return f->member[s] ? FLOW_MEMBER : FLOW_SIBLING;
}

/* True when a node of another sibling lies on a path from one of the n
 * members (children of one parent) to another. Operands have smaller ids
 * than their users, so such paths stay within the members' id range: one
 * sweep up marks what the members reach, one sweep down what reaches them. */
static bool sibling_between(const flow *f, const candidate *m, size_t n)
{
    uint32_t lo = UINT32_MAX, hi = 0, d = mg_scope_depth(f->g, m[0].scope);
    for (size_t k = 0; k < n; k++) {
        f->member[m[k].scope] = 1;
        lo = f->lo[m[k].scope] < lo ? f->lo[m[k].scope] : lo;
        hi = f->hi[m[k].scope] > hi ? f->hi[m[k].scope] : hi;
    }
    mg_value *ops[MG_MAX_OPERANDS];
    for (uint32_t id = lo; id <= hi && lo <= hi; id++) {
        if (!f->in[id])
            continue;
        uint8_t r = role_of(f, id, m[0].parent, d);
        int np = mg_node_operands(mg_graph_node(f->g, id), ops);
        for (int k = 0; k < np; k++)
            if (ops[k]->id >= lo && (f->reach[ops[k]->id] & (FLOW_DOWN | FLOW_MEMBER)))
                r |= FLOW_DOWN;
        f->reach[id] = r;
    }
    bool between = false;
    for (uint32_t id = hi + 1; id-- > lo && lo <= hi;) {
        uint8_t r = f->reach[id];
        between |= (r & (FLOW_SIBLING | FLOW_DOWN | FLOW_UP)) == (FLOW_SIBLING | FLOW_DOWN | FLOW_UP);
        if (f->in[id] && (r & (FLOW_UP | FLOW_MEMBER))) {
            int np = mg_node_operands(mg_graph_node(f->g, id), ops);
            for (int k = 0; k < np; k++)
                if (ops[k]->id >= lo)
                    f->reach[ops[k]->id] |= FLOW_UP;
        }
        f->reach[id] = 0;
    }
    for (size_t k = 0; k < n; k++)
        f->member[m[k].scope] = 0;
    return between;
}

static void flow_free(flow *f)
{
    free(f->lo);
    free(f->hi);
    free(f->member);
    free(f->reach);
}

/* Each scope's lowest and highest node id over its subtree. */
static void id_ranges(flow *f, uint32_t nscopes, size_t nnodes)
{
    for (uint32_t s = 0; s < nscopes; s++)
        f->lo[s] = UINT32_MAX, f->hi[s] = 0;
    for (size_t id = 0; id < nnodes; id++) {
        uint32_t s = f->home[id];
        if (!f->in[id] || s >= nscopes)
            continue;
        f->lo[s] = f->lo[s] < id ? f->lo[s] : (uint32_t)id;
        f->hi[s] = f->hi[s] > id ? f->hi[s] : (uint32_t)id;
    }
    for (uint32_t s = nscopes; s-- > 1;) { /* children after parents: fold upwards */
        uint32_t p = mg_scope_parent(f->g, s);
        if (p < s && f->lo[s] < f->lo[p])
            f->lo[p] = f->lo[s];
        if (p < s && f->hi[s] > f->hi[p])
            f->hi[p] = f->hi[s];
    }
}

void viz_groups_free(viz_groups *gr)
{
    free(gr->of);
    free(gr->start);
    free(gr->members);
    free(gr->depth);
    memset(gr, 0, sizeof *gr);
}

/* Lists the scopes that may join a group: named with a trailing number,
 * holding nodes, not excluded. */
static size_t list_candidates(const mg_graph *g, uint32_t nscopes, const size_t *sig,
                              size_t sigw, const uint8_t *exclude, candidate *out)
{
    size_t n = 0;
    for (uint32_t s = 1; s < nscopes; s++) {
        const char *name = mg_scope_name(g, s);
        size_t len = strlen(name);
        size_t stem = stem_length(name, len);
        if (stem == len || sig[(size_t)s * sigw] == 0 || exclude[s])
            continue;
        out[n++] = (candidate){s, mg_scope_parent(g, s), name, stem, sig + (size_t)s * sigw,
                               sigw};
    }
    return n;
}

/* Adds members m[0..n) as group gr->n (n >= 2). */
static void add_group(viz_groups *gr, const mg_graph *g, const candidate *m, size_t n,
                      uint32_t *used)
{
    gr->start[gr->n] = *used;
    gr->depth[gr->n] = mg_scope_depth(g, m[0].scope);
    for (size_t k = 0; k < n; k++) {
        gr->of[m[k].scope] = gr->n;
        gr->members[(*used)++] = m[k].scope;
    }
    gr->n++;
}

/* Groups the alike siblings m[0..n), in natural order: all of them when no
 * other sibling sits between them, else runs grown one member at a time. */
static void add_runs(viz_groups *gr, const flow *f, const candidate *m, size_t n,
                     uint32_t *used)
{
    if (!sibling_between(f, m, n)) {
        add_group(gr, f->g, m, n, used);
        return;
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && !sibling_between(f, m + i, j - i + 1); j++)
            ;
        if (j - i >= 2)
            add_group(gr, f->g, m + i, j - i, used);
    }
}

mg_code viz_groups_find(const mg_graph *g, uint32_t nscopes, const size_t *sig, size_t sigw,
                        const uint8_t *exclude, const uint32_t *home, const uint8_t *in,
                        size_t nnodes, viz_groups *gr, mg_error *err)
{
    memset(gr, 0, sizeof *gr);
    flow f = {g, home, in, malloc((nscopes ? nscopes : 1) * sizeof *f.lo),
              malloc((nscopes ? nscopes : 1) * sizeof *f.hi), calloc(nscopes ? nscopes : 1, 1),
              calloc(nnodes ? nnodes : 1, 1)};
    candidate *c = malloc((nscopes ? nscopes : 1) * sizeof *c);
    gr->of = malloc((nscopes ? nscopes : 1) * sizeof *gr->of);
    gr->members = malloc((nscopes ? nscopes : 1) * sizeof *gr->members);
    gr->start = malloc(((size_t)nscopes / 2 + 2) * sizeof *gr->start);
    gr->depth = malloc(((size_t)nscopes / 2 + 1) * sizeof *gr->depth);
    if (!c || !gr->of || !gr->members || !gr->start || !gr->depth || !f.lo || !f.hi ||
        !f.member || !f.reach) {
        free(c);
        flow_free(&f);
        viz_groups_free(gr);
        return mg_error_set(err, MG_ENOMEM, "out of memory grouping scopes");
    }
    for (uint32_t s = 0; s < nscopes; s++)
        gr->of[s] = VIZ_NO_GROUP;
    id_ranges(&f, nscopes, nnodes);
    size_t n = list_candidates(g, nscopes, sig, sigw, exclude, c);
    qsort(c, n, sizeof *c, candidate_cmp);
    uint32_t used = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && alike_cmp(&c[i], &c[j]) == 0; j++)
            ;
        if (j - i >= 2) /* a group of one is a plain box */
            add_runs(gr, &f, c + i, j - i, &used);
    }
    gr->start[gr->n] = used;
    free(c);
    flow_free(&f);
    return MG_OK;
}
