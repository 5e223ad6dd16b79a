/* schedule.c — the learning-rate schedules of mg_schedule.h. */
#include "mg_schedule.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[MG_LR_KIND_COUNT] = { "constant", "linear", "cosine" };

double mg_lr_at(const mg_lr_schedule *s, int64_t k)
{
    if (k < 0)
        k = 0;
    if (k >= s->steps)
        k = s->steps - 1;
    if (k < s->warmup)
        return s->lr * (double)(k + 1) / (double)s->warmup;
    /* written as micrograd's demo writes it: lr * (1 - 0.9 * k / steps) */
    const double done = (double)(k - s->warmup), span = (double)(s->steps - s->warmup);
    switch (s->kind) {
    case MG_LR_LINEAR:
        return s->lr * (1.0 - (1.0 - s->final) * done / span);
    case MG_LR_COSINE:
        return s->lr * (s->final + (1.0 - s->final) * 0.5 *
                                       (1.0 + cos(3.14159265358979323846 * done / span)));
    default:
        return s->lr;
    }
}

mg_code mg_lr_check(const mg_lr_schedule *s, mg_error *err)
{
    if (!s || (unsigned)s->kind >= MG_LR_KIND_COUNT)
        return mg_error_set(err, MG_EINVAL, "schedule: unknown kind (expected constant, linear "
                            "or cosine)");
    if (!(isfinite(s->lr) && s->lr > 0))
        return mg_error_set(err, MG_EINVAL, "learning rate %g: expected a finite number > 0",
                            s->lr);
    if (!(s->final >= 0 && s->final <= 1))
        return mg_error_set(err, MG_EINVAL, "schedule: final fraction %g: expected 0..1",
                            s->final);
    if (s->steps < 1)
        return mg_error_set(err, MG_EINVAL, "schedule: %lld steps: expected at least 1",
                            (long long)s->steps);
    if (s->warmup < 0 || s->warmup >= s->steps)
        return mg_error_set(err, MG_EINVAL, "warmup of %lld steps: expected 0..%lld (the run "
                            "has %lld)", (long long)s->warmup, (long long)s->steps - 1,
                            (long long)s->steps);
    return MG_OK;
}

const char *mg_lr_kind_name(mg_lr_kind kind)
{
    return (unsigned)kind < MG_LR_KIND_COUNT ? kind_names[kind] : "";
}

bool mg_lr_kind_parse(const char *name, mg_lr_kind *kind)
{
    for (int i = 0; name && i < MG_LR_KIND_COUNT; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return *kind = (mg_lr_kind)i, true;
    return false;
}
