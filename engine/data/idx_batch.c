/* idx_batch.c — shuffled, seeded mini-batches of sample indices. */
#include <stdlib.h>

#include "mg_idx.h"

mg_code mg_batcher_init(mg_batcher *b, int n, int batch, uint64_t seed, mg_error *err)
{
    if (!b || n < 1 || batch < 1)
        return mg_error_set(err, MG_EINVAL, "batches: %d samples in batches of %d", n, batch);
    b->order = malloc((size_t)n * sizeof *b->order);
    if (!b->order)
        return mg_error_set(err, MG_ENOMEM, "batches: out of memory for %d samples", n);
    b->n = n;
    b->batch = batch;
    for (int i = 0; i < n; i++)
        b->order[i] = i;
    b->seed = seed;
    b->pos = n; /* no epoch started */
    return MG_OK;
}

void mg_batcher_free(mg_batcher *b)
{
    if (b) {
        free(b->order);
        b->order = NULL;
    }
}

void mg_batcher_shuffle(mg_batcher *b, int epoch)
{
    mg_rng rng;
    mg_rng_seed(&rng, b->seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(epoch + 1)));
    for (int i = 0; i < b->n; i++) /* from the identity, so epochs do not depend on each other */
        b->order[i] = i;
    for (int i = b->n - 1; i > 0; i--) { /* Fisher-Yates */
        int j = (int)mg_rng_below(&rng, (uint64_t)i + 1);
        int t = b->order[i];
        b->order[i] = b->order[j];
        b->order[j] = t;
    }
    b->pos = 0;
}

int mg_batcher_next(mg_batcher *b, const int **idx)
{
    if (b->pos >= b->n)
        return 0;
    int count = b->n - b->pos < b->batch ? b->n - b->pos : b->batch;
    *idx = b->order + b->pos;
    b->pos += count;
    return count;
}

int mg_batcher_count(const mg_batcher *b) { return (b->n + b->batch - 1) / b->batch; }
