/* train_state.c — mg_train.h: a model's parameters and optimiser state as
 * named checkpoint records, its identity line, save and resume. */
#include "mg_train.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_checkpoint.h"

enum { NAME_SIZE = 128, META_SIZE = 768 };

static const char MAGIC_WORD[] = "mgviz-train ";
static const char *const state_prefix[] = { "optim.m:", "optim.v:" };


size_t mg_train_identity(const mg_train_model *m, char *buf, size_t n)
{
    const char *id = m && m->identity ? m->identity : "";
    int len = m && m->optim ? snprintf(buf, n, "%s optim=%s", id, mg_optim_name(m->optim))
                            : snprintf(buf, n, "%s", id);
    return len < 0 ? 0 : (size_t)len;
}

/* The records of m: parameters, then each optimiser state buffer, then the
 * scalar values (whose data is gathered into a buffer of the caller's). */
typedef struct record_set {
    mg_ckpt_record *recs;
    char (*names)[NAME_SIZE];
    int n;
} record_set;

static void set_free(record_set *s)
{
    free(s->recs);
    free(s->names);
}

static mg_code check_model(const mg_train_model *m, mg_error *err)
{
    if (!m || !m->identity || (m->nparams > 0 && !m->params) || m->nparams < 0 ||
        (m->nvalues > 0 && !m->values))
        return mg_error_set(err, MG_EINVAL, "train: incomplete model description");
    if (strstr(m->identity, " epoch="))
        return mg_error_set(err, MG_EINVAL, "train: an identity may not hold \" epoch=\"");
    if (m->optim && m->optim->nparams != m->nparams)
        return mg_error_set(err, MG_EINVAL, "train: the optimiser holds %d parameters, the "
                            "model %d", m->optim->nparams, m->nparams);
    return MG_OK;
}

static mg_code make_records(const mg_train_model *m, double *values, record_set *s,
                            mg_error *err)
{
    const int per = m->optim ? mg_optim_state_count(m->optim) : 0;
    const int total = m->nparams * (1 + per) + (m->nvalues ? 1 : 0);
    s->n = 0;
    s->recs = calloc((size_t)total + 1, sizeof *s->recs);
    s->names = calloc((size_t)total + 1, sizeof *s->names);
    if (!s->recs || !s->names)
        return mg_error_set(err, MG_ENOMEM, "train: out of memory naming checkpoint records");
    for (int j = -1; j < per; j++)
        for (int i = 0; i < m->nparams; i++) {
            const mg_tensor *p = m->params[i];
            char path[96];
            mg_scope_path(p->node->graph, p->node->scope, path, sizeof path);
            /* the label names the layer too ("layer1.W"); the path already does */
            const char *label = mg_value_label(p->node), *dot = strrchr(label, '.');
            snprintf(s->names[s->n], NAME_SIZE, "%s%s/%s", j < 0 ? "" : state_prefix[j], path,
                     dot ? dot + 1 : label);
            s->recs[s->n] = mg_ckpt_tensor(s->names[s->n], p);
            if (j >= 0)
                s->recs[s->n].data = mg_optim_state(m->optim, i, j);
            s->n++;
        }
    if (m->nvalues) {
        if (m->nvalues > INT32_MAX)
            return mg_error_set(err, MG_EINVAL, "train: %zu scalar parameters is too many",
                                m->nvalues);
        s->recs[s->n++] = (mg_ckpt_record){ .name = "values", .dtype = MG_F64, .ndim = 1,
                                            .shape = { (int)m->nvalues }, .data = values };
    }
    return MG_OK;
}

mg_code mg_train_save(const char *path, const mg_train_model *m, const mg_train_progress *p,
                      mg_error *err)
{
    mg_code rc = check_model(m, err);
    if (rc != MG_OK)
        return rc;
    if (!p || p->epoch < 0 || p->step < 0 || p->step > MG_TRAIN_MAX_STEPS)
        return mg_error_set(err, MG_EINVAL, "train: bad progress to save");
    double *values = malloc(sizeof *values * (m->nvalues ? m->nvalues : 1));
    record_set s = { 0 };
    rc = values ? make_records(m, values, &s, err)
                : mg_error_set(err, MG_ENOMEM, "train: out of memory");
    if (rc == MG_OK) {
        for (size_t i = 0; i < m->nvalues; i++)
            values[i] = m->values[i]->data;
        char meta[META_SIZE];
        size_t len = (size_t)snprintf(meta, sizeof meta, "%s", MAGIC_WORD);
        len += mg_train_identity(m, meta + len, sizeof meta - len);
        if (len < sizeof meta)
            snprintf(meta + len, sizeof meta - len, " epoch=%d steps=%" PRId64, p->epoch,
                     p->step);
        rc = mg_checkpoint_save(path, meta, s.recs, s.n, err);
    }
    set_free(&s);
    free(values);
    return rc;
}

/* Checks that meta is a checkpoint of m and reads its progress. */
static mg_code check_meta(const char *path, const char *meta, const mg_train_model *m,
                          mg_train_progress *p, mg_error *err)
{
    char want[META_SIZE];
    mg_train_identity(m, want, sizeof want);
    const size_t magic = sizeof MAGIC_WORD - 1, id_len = strlen(want);
    if (strncmp(meta, MAGIC_WORD, magic) != 0)
        return mg_error_set(err, MG_EFORMAT, "%s: not a training checkpoint (metadata '%.100s')",
                            path, meta);
    const char *have = meta + magic, *end = strstr(have, " epoch=");
    int have_len = end ? (int)(end - have) : (int)strlen(have);
    if ((size_t)have_len != id_len || strncmp(have, want, id_len) != 0)
        return mg_error_set(err, MG_EFORMAT, "%s: checkpoint of '%.*s', this run is '%s'", path,
                            have_len, have, want);
    /* strtoll, not sscanf: a number past the type is an error, not UB, and
     * a count the optimiser cannot go on from is refused here */
    errno = 0;
    char *at, *stop;
    long long epoch = -1, steps = -1;
    if (end && strncmp(end, " epoch=", 7) == 0 && end[7] >= '0' && end[7] <= '9') {
        epoch = strtoll(end + 7, &at, 10);
        if (strncmp(at, " steps=", 7) == 0 && at[7] >= '0' && at[7] <= '9') {
            steps = strtoll(at + 7, &stop, 10);
            if (*stop)
                steps = -1;
        }
    }
    if (errno || epoch < 0 || epoch > INT_MAX || steps < 0 || steps > MG_TRAIN_MAX_STEPS)
        return mg_error_set(err, MG_EFORMAT,
                            "%s: checkpoint metadata '%.300s' is not understood (epoch and "
                            "steps must be counts, steps at most 2^53)", path, meta);
    p->epoch = (int)epoch;
    p->step = steps;
    return MG_OK;
}

mg_code mg_train_resume(const char *path, const mg_train_model *m, mg_train_progress *p,
                        mg_error *err)
{
    mg_code rc = check_model(m, err);
    if (rc != MG_OK)
        return rc;
    if (!p)
        return mg_error_set(err, MG_EINVAL, "train: nowhere to put the progress");
    char meta[META_SIZE];
    mg_train_progress got;
    rc = mg_checkpoint_meta(path, meta, sizeof meta, err);
    if (rc == MG_OK)
        rc = check_meta(path, meta, m, &got, err);
    if (rc != MG_OK)
        return rc;
    double *values = malloc(sizeof *values * (m->nvalues ? m->nvalues : 1));
    record_set s = { 0 };
    rc = values ? make_records(m, values, &s, err)
                : mg_error_set(err, MG_ENOMEM, "train: out of memory");
    if (rc == MG_OK)
        rc = mg_checkpoint_load(path, NULL, 0, s.recs, s.n, err);
    if (rc == MG_OK) {
        for (size_t i = 0; i < m->nvalues; i++)
            m->values[i]->data = values[i];
        if (m->optim)
            m->optim->steps = got.step;
        *p = got;
    }
    set_free(&s);
    free(values);
    return rc;
}

bool mg_train_optim_named(const char *name, mg_optim_config *cfg)
{
    static const struct { const char *name; mg_optim_kind kind; double momentum; } known[] = {
        { "sgd", MG_OPTIM_SGD, 0.0 }, { "momentum", MG_OPTIM_SGD, 0.9 },
        { "adam", MG_OPTIM_ADAM, 0.0 }, { "adamw", MG_OPTIM_ADAMW, 0.0 },
    };
    for (size_t i = 0; name && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0) {
            *cfg = mg_optim_defaults(known[i].kind);
            if (known[i].kind == MG_OPTIM_SGD)
                cfg->momentum = known[i].momentum;
            return true;
        }
    return false;
}
