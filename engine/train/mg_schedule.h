/* mg_schedule.h — learning-rate schedules: what the learning rate is at a
 * given step of a run of known length.
 *
 *     mg_lr_schedule s = { .kind = MG_LR_COSINE, .lr = 3e-4, .warmup = 100,
 *                          .steps = 5000 };
 *     for (int64_t k = 0; k < s.steps; k++) {
 *         opt->cfg.lr = mg_lr_at(&s, k);
 *         ...
 *     }
 *
 * Steps count from 0. During warmup (steps 0..warmup-1) the rate climbs
 * linearly, lr·(k+1)/warmup, so the first step already moves; after it, with
 * p = (k - warmup) / (steps - warmup) going from 0 towards 1:
 *     constant  lr
 *     linear    lr·(1 - (1 - final)·p)           micrograd's demo: final 0.1
 *     cosine    lr·(final + (1 - final)·(1 + cos πp)/2)   final 0: to zero
 * `final` is the fraction of lr the decay approaches at the end of the run. */
#ifndef MG_SCHEDULE_H
#define MG_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

typedef enum mg_lr_kind {
    MG_LR_CONSTANT = 0,
    MG_LR_LINEAR,
    MG_LR_COSINE,
    MG_LR_KIND_COUNT
} mg_lr_kind;

typedef struct mg_lr_schedule {
    mg_lr_kind kind;
    double lr;        /* the peak rate: finite and > 0 */
    double final;     /* linear, cosine: fraction of lr at the end, 0..1 */
    int64_t warmup;   /* steps of linear warmup, 0..steps-1 */
    int64_t steps;    /* the run's length in steps, >= 1 */
} mg_lr_schedule;

/* The learning rate at step k (steps past the end keep the last rate). */
MG_API double mg_lr_at(const mg_lr_schedule *s, int64_t k);
/* MG_OK, or MG_EINVAL with a message naming the bad field and its range. */
MG_API mg_code mg_lr_check(const mg_lr_schedule *s, mg_error *err);
/* "constant", "linear", "cosine"; "" for an unknown kind. */
MG_API const char *mg_lr_kind_name(mg_lr_kind kind);
/* The kind named name; false when there is none. */
MG_API bool mg_lr_kind_parse(const char *name, mg_lr_kind *kind);

MG_EXTERN_C_END

#endif
