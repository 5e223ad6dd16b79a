/* text_bigram.c — the baseline a language model must beat: the next token
 * predicted from the one before it alone, by counting. */
#include <math.h>
#include <stdlib.h>

#include "mg_text.h"

/* Mean -log P(s[i] | s[i-1]) over the pairs of a stream. */
static double stream_nll(const double *logp, int V, const int32_t *s, size_t n)
{
    double sum = 0;
    for (size_t i = 1; i < n; i++)
        sum -= logp[(size_t)s[i - 1] * (size_t)V + (size_t)s[i]];
    return n > 1 ? sum / (double)(n - 1) : NAN;
}

mg_code mg_text_bigram(const mg_text *t, double alpha, double *train_loss, double *val_loss,
                       mg_error *err)
{
    if (!t || !t->train || !(alpha > 0) || !isfinite(alpha))
        return mg_error_set(err, MG_EINVAL, "bigram: needs a corpus and alpha > 0");
    const int V = t->vocab.size;
    double *logp = calloc((size_t)V * (size_t)V, sizeof *logp);
    if (!logp)
        return mg_error_set(err, MG_ENOMEM, "bigram: out of memory");
    for (size_t i = 1; i < t->ntrain; i++)
        logp[(size_t)t->train[i - 1] * (size_t)V + (size_t)t->train[i]] += 1;
    for (int a = 0; a < V; a++) {
        double *row = logp + (size_t)a * (size_t)V, total = 0;
        for (int b = 0; b < V; b++)
            total += row[b] + alpha;
        for (int b = 0; b < V; b++)
            row[b] = log((row[b] + alpha) / total);
    }
    if (train_loss)
        *train_loss = stream_nll(logp, V, t->train, t->ntrain);
    if (val_loss)
        *val_loss = stream_nll(logp, V, t->val, t->nval);
    free(logp);
    return MG_OK;
}
