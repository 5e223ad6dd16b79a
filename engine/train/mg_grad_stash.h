/* mg_grad_stash.h — a batch's grads put aside and back. A trainer that
 * draws one sample's graph (with its own backward) between a batch's
 * backward and the optimiser's update keeps the batch's grads here:
 *
 *     mg_grad_stash s;
 *     if (mg_grad_stash_init(&s, &model, &err) != MG_OK) ...  // once: allocates
 *     mg_grad_stash_save(&s);      // after the batch's backward
 *     ... reset the graph, zero the grads, backward the sample, draw it ...
 *     mg_grad_stash_restore(&s);   // the batch's grads back for the update
 *     mg_grad_stash_free(&s);
 *
 * The model's tensor parameters and scalar parameters (mg_train_model) are
 * both kept. Saving and restoring allocate nothing. */
#ifndef MG_GRAD_STASH_H
#define MG_GRAD_STASH_H

#include <stdbool.h>

#include "mg_train.h"

MG_EXTERN_C_BEGIN

typedef struct mg_grad_stash {
    mg_train_model model;     /* the arrays are borrowed; the parameters' dtypes and
                                 shapes stay fixed while s is used */
    unsigned char *bytes;     /* every tensor's grad, then every value's, in order */
} mg_grad_stash;

/* Sizes s for m's parameters. MG_OK, or MG_EINVAL (NULL s or m, a NULL
 * array with a count, a negative count) or MG_ENOMEM, with a message. */
MG_API mg_code mg_grad_stash_init(mg_grad_stash *s, const mg_train_model *m, mg_error *err);
/* Copies every parameter's grad into s (zeros for a tensor without one). */
MG_API void mg_grad_stash_save(mg_grad_stash *s);
/* Copies the saved grads back into the parameters. */
MG_API void mg_grad_stash_restore(const mg_grad_stash *s);
/* Frees what init allocated; s may be NULL, zeroed or freed already. */
MG_API void mg_grad_stash_free(mg_grad_stash *s);

/* Whether every grad of m's parameters is zero (or absent): the backward
 * just run reached none of them (a sample past the margin, dead units). */
MG_API bool mg_grads_all_zero(const mg_train_model *m);

MG_EXTERN_C_END

#endif
