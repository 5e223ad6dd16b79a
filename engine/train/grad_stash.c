/* grad_stash.c — mg_grad_stash.h: a batch's grads put aside and back. */
#include "mg_grad_stash.h"

#include <stdlib.h>
#include <string.h>

static size_t grad_bytes(const mg_tensor *p) { return (size_t)p->numel * mg_dtype_size(p->dtype); }

mg_code mg_grad_stash_init(mg_grad_stash *s, const mg_train_model *m, mg_error *err)
{
    if (!s || !m || m->nparams < 0 || (m->nparams && !m->params) || (m->nvalues && !m->values))
        return mg_error_set(err, MG_EINVAL, "grad stash: a NULL argument or a negative count");
    size_t total = sizeof(double) * m->nvalues;
    for (int i = 0; i < m->nparams; i++)
        total += grad_bytes(m->params[i]);
    *s = (mg_grad_stash){ .model = *m, .bytes = malloc(total ? total : 1) };
    if (!s->bytes)
        return mg_error_set(err, MG_ENOMEM, "grad stash: out of memory for %zu bytes", total);
    return MG_OK;
}

void mg_grad_stash_save(mg_grad_stash *s)
{
    unsigned char *at = s->bytes;
    for (int i = 0; i < s->model.nparams; i++) {
        const mg_tensor *p = s->model.params[i];
        if (p->grad)
            memcpy(at, p->grad, grad_bytes(p));
        else
            memset(at, 0, grad_bytes(p));
        at += grad_bytes(p);
    }
    for (size_t i = 0; i < s->model.nvalues; i++, at += sizeof(double))
        memcpy(at, &s->model.values[i]->grad, sizeof(double));
}

void mg_grad_stash_restore(const mg_grad_stash *s)
{
    const unsigned char *at = s->bytes;
    for (int i = 0; i < s->model.nparams; i++) {
        mg_tensor *p = s->model.params[i];
        if (p->grad)
            memcpy(p->grad, at, grad_bytes(p));
        at += grad_bytes(p);
    }
    for (size_t i = 0; i < s->model.nvalues; i++, at += sizeof(double))
        memcpy(&s->model.values[i]->grad, at, sizeof(double));
}

void mg_grad_stash_free(mg_grad_stash *s)
{
    if (!s)
        return;
    free(s->bytes);
    s->bytes = NULL;
}

bool mg_grads_all_zero(const mg_train_model *m)
{
    for (int i = 0; i < m->nparams; i++)
        for (int k = 0; m->params[i]->grad && k < m->params[i]->numel; k++)
            if (mg_tensor_grad_at(m->params[i], k) != 0)
                return false;
    for (size_t i = 0; i < m->nvalues; i++)
        if (m->values[i]->grad != 0)
            return false;
    return true;
}
