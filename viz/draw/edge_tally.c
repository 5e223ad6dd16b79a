/* edge_tally.c — counting graph edges per picture edge (box to box, node to
 * box, ...), keeping first-seen order so output is deterministic. */
#include <stdlib.h>

#include "viz_internal.h"

static size_t slot_of(uint64_t from, uint64_t to, size_t nslots)
{
    uint64_t h = (from * 0x9E3779B97F4A7C15ull) ^ (to + 0x632BE59BD9B4E019ull);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (size_t)(h & (nslots - 1));
}

/* Doubles the slot table (kept at most half full) and re-inserts. */
static mg_code grow_slots(viz_tally *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return MG_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        size_t s = slot_of(t->edges[i].from, t->edges[i].to, n);
        while (slots[s])
            s = (s + 1) & (n - 1);
        slots[s] = (uint32_t)(i + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return MG_OK;
}

static mg_code grow_edges(viz_tally *t)
{
    size_t cap = t->cap ? t->cap * 2 : 32;
    viz_edge *e = realloc(t->edges, cap * sizeof *e);
    if (!e)
        return MG_ENOMEM;
    t->edges = e;
    t->cap = cap;
    return MG_OK;
}

/* Counts graph edge ge into picture edge pe. */
static void add_to(viz_edge *pe, const mg_edge *ge)
{
    if (pe->count < VIZ_EDGE_LINES)
        pe->first[pe->count] = *ge;
    pe->sum += ge->contribution;
    pe->count++;
}

mg_code viz_tally_add(viz_tally *t, uint64_t from, uint64_t to, const mg_edge *ge)
{
    if ((t->n + 1) * 2 > t->nslots && grow_slots(t) != MG_OK)
        return MG_ENOMEM;
    size_t s = slot_of(from, to, t->nslots);
    for (; t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
        viz_edge *e = &t->edges[t->slots[s] - 1];
        if (e->from == from && e->to == to) {
            add_to(e, ge);
            return MG_OK;
        }
    }
    if (t->n == t->cap && grow_edges(t) != MG_OK)
        return MG_ENOMEM;
    t->edges[t->n] = (viz_edge){.from = from, .to = to};
    add_to(&t->edges[t->n], ge);
    t->slots[s] = (uint32_t)++t->n;
    return MG_OK;
}

void viz_tally_free(viz_tally *t)
{
    free(t->edges);
    free(t->slots);
    *t = (viz_tally){0};
}
