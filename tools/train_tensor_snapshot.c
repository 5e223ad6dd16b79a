/* train_tensor_snapshot.c — a tensor training run recorded by mg_snapshot.
 * The snapshot opens at the first step because only then is the run's length
 * known (Fashion-MNIST's batches per epoch); the moons' decision boundary is
 * scored straight from the weights, without adding nodes to the graph that
 * training keeps warm. */
#include "train_tensor_snapshot.h"

#include <math.h>
#include <stdlib.h>

enum { MAX_WIDTH = 4096 }; /* widest layer the boundary scorer takes */

/* The model's score at (x, y): its forward pass on one point, in doubles. */
static double mlp_score(void *ctx, double x, double y)
{
    const mg_tmlp *m = ctx;
    double a[MAX_WIDTH] = {x, y}, b[MAX_WIDTH];
    for (int l = 0; l < m->nlayers; l++) {
        const mg_linear *lin = &m->layers[l];
        for (int j = 0; j < lin->nout; j++) {
            double sum = mg_tensor_get(lin->b, j);
            for (int i = 0; i < lin->nin; i++)
                sum += a[i] * mg_tensor_get(lin->W, i * lin->nout + j);
            b[j] = l + 1 < m->nlayers && sum < 0 ? 0 : sum; /* relu but on the logits */
        }
        for (int j = 0; j < lin->nout; j++)
            a[j] = b[j];
    }
    return a[0];
}

/* True when the boundary can be drawn: 2 inputs, 1 output, layers that fit. */
static bool scorable(const mg_tmlp *m)
{
    if (m->sizes[0] != 2 || m->sizes[m->nlayers] != 1)
        return false;
    for (int l = 0; l <= m->nlayers; l++)
        if (m->sizes[l] > MAX_WIDTH)
            return false;
    return true;
}

/* Copies the moons into doubles for the boundary's dots. */
static mg_code copy_points(tsnap *s, const train_step_info *st, mg_error *err)
{
    int n = st->y->numel;
    s->X = malloc(sizeof *s->X * 2 * (size_t)n);
    s->label = malloc(sizeof *s->label * (size_t)n);
    if (!s->X || !s->label)
        return mg_error_set(err, MG_ENOMEM, "out of memory for the snapshot's points");
    for (int i = 0; i < 2 * n; i++)
        s->X[i] = mg_tensor_get(st->x, i);
    for (int i = 0; i < n; i++)
        s->label[i] = mg_tensor_get(st->y, i);
    return MG_OK;
}

static mg_code open_run(tsnap *s, const train_step_info *st, mg_error *err)
{
    mg_snapshot_options o = {
        .every = s->every, .steps = st->steps, .title = s->title,
        .graph_format = s->format, .viz = &s->viz, .graph_json = s->graph_json,
    };
    s->mlp = st->mlp;
    if (st->x && st->y && scorable(st->mlp)) {
        mg_code rc = copy_points(s, st, err);
        if (rc != MG_OK)
            return rc;
        o.predict = mlp_score;
        o.predict_ctx = (void *)st->mlp;
        o.X = s->X;
        o.label = s->label;
        o.n = (size_t)st->y->numel;
    }
    s->run = mg_snapshot_open(s->dir, &o, err);
    return s->run ? MG_OK : (err ? err->code : MG_EIO);
}

mg_code tsnap_step(void *ctx, const train_step_info *st, mg_error *err)
{
    tsnap *s = ctx;
    if (!s->run) {
        mg_code rc = open_run(s, st, err);
        if (rc != MG_OK)
            return rc;
    }
    return mg_snapshot_step(s->run, st->step, st->loss->node, st->loss_value, st->accuracy, err);
}

mg_code tsnap_close(tsnap *s, mg_error *err)
{
    mg_code rc = mg_snapshot_close(s->run, err);
    s->run = NULL;
    free(s->X);
    free(s->label);
    s->X = s->label = NULL;
    return rc;
}
