/* test_alloc_count.h — every malloc, calloc and realloc of the test
 * program counted in `allocations`, to show that a warm step allocates
 * nothing. Counted only without AddressSanitizer (which owns malloc
 * itself): COUNT_MALLOC is defined when the count is real. Include in one
 * file of a program only. */
#ifndef TEST_ALLOC_COUNT_H
#define TEST_ALLOC_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "mg_trainer.h"

#if defined(__SANITIZE_ADDRESS__)
#elif defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define COUNT_MALLOC 1
#endif
#else
#define COUNT_MALLOC 1
#endif

#ifdef COUNT_MALLOC
/* glibc's allocator under our own names, so calls can be counted. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
static long allocations;
void *malloc(size_t n) { allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { allocations++; return __libc_realloc(p, n); }

/* The count at the end of step `from` and of step `to`, taken by
 * tu_count_steps as mg_trainer's after_step hook (hook_ctx: this):
 * at_to - at_from is what steps from + 1 .. to allocated. */
typedef struct tu_step_count {
    int64_t from, to;
    long at_from, at_to;
} tu_step_count;

static void tu_count_steps(void *ctx, const mg_trainer_step *s)
{
    tu_step_count *c = ctx;
    if (s->step == c->from)
        c->at_from = allocations;
    if (s->step == c->to)
        c->at_to = allocations;
}
#endif

#endif
