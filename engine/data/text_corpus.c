/* text_corpus.c — documents as the readers clean them, then shuffled by the
 * seed, split into train and val, and encoded as token streams. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mg_file.h"
#include "mg_limits.h"
#include "mg_rng.h"
#include "text_internal.h"

void docs_init(text_docs *d, const mg_text_options *o)
{
    *d = (text_docs){ .max_docs = o ? o->max_docs : 0, .budget = mg_limits_get().input_bytes };
}

void docs_free(text_docs *d)
{
    free(d->bytes);
    *d = (text_docs){ 0 };
}

bool docs_put(text_docs *d, char c)
{
    if (d->len + 1 >= d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 1 << 16;
        char *p = realloc(d->bytes, cap);
        if (!p)
            return false;
        d->bytes = p;
        d->cap = cap;
    }
    d->bytes[d->len++] = c;
    return true;
}

bool docs_unput(text_docs *d)
{
    if (d->len == d->open)
        return false;
    d->len--;
    return true;
}

bool docs_end(text_docs *d)
{
    if (d->len == d->open)
        return true; /* nothing in it: dropped */
    if (!docs_put(d, '\0'))
        return false;
    d->open = d->len;
    d->n++;
    return true;
}

bool docs_full(const text_docs *d) { return d->max_docs && d->n >= d->max_docs; }

mg_code docs_read_file(text_docs *d, const char *path, char **data, size_t *len, mg_error *err)
{
    char cap[32];
    mg_limits_bytes(mg_limits_get().input_bytes, cap, sizeof cap);
    mg_code rc = d->budget ? mg_file_read(path, d->budget, data, len, err) : MG_EFORMAT;
    if (rc == MG_EFORMAT && d->files > 0) /* the cap counts every file read */
        return mg_error_set(err, MG_EFORMAT, "%s: with the %zu files read before it, the text "
                            "passes the input cap of %s (MGVIZ_MAX_INPUT_BYTES raises it)", path,
                            d->files, cap);
    if (rc == MG_OK) {
        d->budget -= *len;
        d->files++;
    }
    return rc;
}

/* Where each document starts in d->bytes. */
static size_t *doc_starts(const text_docs *d)
{
    size_t *at = malloc(sizeof *at * d->n);
    if (!at)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < d->len && k < d->n; i += strlen(d->bytes + i) + 1)
        at[k++] = i;
    return at;
}

/* END, then each document of order[first..last) and an END after it. */
static size_t encode(const text_docs *d, const size_t *at, const size_t *order, size_t first,
                     size_t last, const mg_vocab *v, int32_t *out)
{
    size_t n = 0;
    if (out)
        out[n] = MG_TOKEN_END;
    n++;
    for (size_t k = first; k < last; k++) {
        for (const unsigned char *p = (const unsigned char *)d->bytes + at[order[k]]; *p; p++) {
            if (out)
                out[n] = v->id[*p];
            n++;
        }
        if (out)
            out[n] = MG_TOKEN_END;
        n++;
    }
    return n;
}

static mg_code split(text_docs *d, const mg_text_options *o, mg_text *out, mg_error *err)
{
    const double frac = o && o->val_fraction > 0 ? o->val_fraction : 0.1;
    if (!(frac <= 0.5))
        return mg_error_set(err, MG_EINVAL, "text: val fraction %g must be in (0, 0.5]", frac);
    size_t *at = doc_starts(d), *order = malloc(sizeof *order * d->n);
    mg_code rc = MG_OK;
    if (!at || !order) {
        rc = mg_error_set(err, MG_ENOMEM, "text: out of memory for %zu documents", d->n);
        goto done;
    }
    for (size_t i = 0; i < d->n; i++)
        order[i] = i;
    mg_rng rng;
    mg_rng_seed(&rng, o ? o->seed : 0);
    for (size_t i = d->n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)mg_rng_below(&rng, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    size_t nval = (size_t)llround(frac * (double)d->n);
    if (nval < 1)
        nval = 1;
    out->docs_val = nval;
    out->docs_train = d->n - nval;
    out->ntrain = encode(d, at, order, 0, out->docs_train, &out->vocab, NULL);
    out->nval = encode(d, at, order, out->docs_train, d->n, &out->vocab, NULL);
    out->train = malloc(sizeof *out->train * out->ntrain);
    out->val = malloc(sizeof *out->val * out->nval);
    if (!out->train || !out->val) {
        rc = mg_error_set(err, MG_ENOMEM, "text: out of memory for %zu tokens",
                          out->ntrain + out->nval);
        goto done;
    }
    encode(d, at, order, 0, out->docs_train, &out->vocab, out->train);
    encode(d, at, order, out->docs_train, d->n, &out->vocab, out->val);
done:
    free(at);
    free(order);
    return rc;
}

mg_code text_finish(text_docs *d, const mg_text_options *o, char end_glyph, const char *path,
                    const char *unit, mg_text *out, mg_error *err)
{
    memset(out, 0, sizeof *out);
    if (d->n < 2) {
        size_t n = d->n;
        docs_free(d);
        return mg_error_set(err, MG_EFORMAT, "%s: %zu %s (a train and a val split need 2 or "
                            "more)", path, n, unit);
    }
    bool present[256] = { false };
    for (size_t i = 0; i < d->len; i++)
        present[(unsigned char)d->bytes[i]] = true;
    present[0] = false; /* the documents' ends */
    mg_code rc = mg_vocab_make(&out->vocab, present, end_glyph, err);
    if (rc == MG_OK)
        rc = split(d, o, out, err);
    out->skipped = d->skipped;
    out->files = d->files;
    docs_free(d);
    if (rc != MG_OK)
        mg_text_free(out);
    return rc;
}

void mg_text_free(mg_text *t)
{
    if (!t)
        return;
    free(t->train);
    free(t->val);
    memset(t, 0, sizeof *t);
}

mg_code text_path(const char *path, const char *name, char *buf, size_t n, bool *is_dir,
                  mg_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return mg_error_set(err, MG_EIO, "%s: cannot be read (%s)", path, strerror(errno));
    *is_dir = S_ISDIR(st.st_mode);
    if (!*is_dir && !S_ISREG(st.st_mode))
        return mg_error_set(err, MG_EIO, "%s: neither a file nor a directory", path);
    int k = *is_dir && name ? snprintf(buf, n, "%s/%s", path, name) : snprintf(buf, n, "%s", path);
    if (k < 0 || (size_t)k >= n)
        return mg_error_set(err, MG_EINVAL, "%s: path too long", path);
    return MG_OK;
}
