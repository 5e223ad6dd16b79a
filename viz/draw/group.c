/* group.c — sibling scopes of one shape, folded into one "×N" box.
 *
 * sample0..sample99 of a batch loss, neuron1..neuron16 of a layer, block0..
 * block11 of a transformer: a picture that draws them as N identical boxes
 * shows nothing the first one does not, and buries the one number that
 * differs between them (their values) in a column too long to read. Siblings
 * are alike when their names differ only in a trailing number and their
 * subtrees hold the same counts (nodes, each op, params, consts); alike
 * siblings form a group, members in natural order. */
#include <ctype.h>
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

mg_code viz_groups_find(const mg_graph *g, uint32_t nscopes, const size_t *sig, size_t sigw,
                        const uint8_t *exclude, viz_groups *gr, mg_error *err)
{
    memset(gr, 0, sizeof *gr);
    candidate *c = malloc((nscopes ? nscopes : 1) * sizeof *c);
    gr->of = malloc((nscopes ? nscopes : 1) * sizeof *gr->of);
    gr->members = malloc((nscopes ? nscopes : 1) * sizeof *gr->members);
    gr->start = malloc(((size_t)nscopes / 2 + 2) * sizeof *gr->start);
    gr->depth = malloc(((size_t)nscopes / 2 + 1) * sizeof *gr->depth);
    if (!c || !gr->of || !gr->members || !gr->start || !gr->depth) {
        free(c);
        viz_groups_free(gr);
        return mg_error_set(err, MG_ENOMEM, "out of memory grouping scopes");
    }
    for (uint32_t s = 0; s < nscopes; s++)
        gr->of[s] = VIZ_NO_GROUP;
    size_t n = list_candidates(g, nscopes, sig, sigw, exclude, c);
    qsort(c, n, sizeof *c, candidate_cmp);
    uint32_t used = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && alike_cmp(&c[i], &c[j]) == 0; j++)
            ;
        if (j - i < 2) /* a group of one is a plain box */
            continue;
        gr->start[gr->n] = used;
        gr->depth[gr->n] = mg_scope_depth(g, c[i].scope);
        for (size_t k = i; k < j; k++) {
            gr->of[c[k].scope] = gr->n;
            gr->members[used++] = c[k].scope;
        }
        gr->n++;
    }
    gr->start[gr->n] = used;
    free(c);
    return MG_OK;
}
