/* mg_size.h — sizes computed from input, checked.
 *
 * Every count × size or sum that a file, an argument or a caller controls
 * goes through these, so an absurd count fails as "too large" instead of
 * wrapping into a small allocation that is then overrun. */
#ifndef MG_SIZE_H
#define MG_SIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

/* *out = a * b; false (and *out SIZE_MAX) when the product overflows. */
static inline bool mg_size_mul(size_t a, size_t b, size_t *out)
{
    if (__builtin_mul_overflow(a, b, out)) {
        *out = (size_t)-1;
        return false;
    }
    return true;
}

/* *out = a + b; false (and *out SIZE_MAX) when the sum overflows. */
static inline bool mg_size_add(size_t a, size_t b, size_t *out)
{
    if (__builtin_add_overflow(a, b, out)) {
        *out = (size_t)-1;
        return false;
    }
    return true;
}

/* The capacity a growing array moves to so that it holds need elements: cap
 * doubled (from first when cap is 0) until it does, never past max (a
 * uint32_t count's UINT32_MAX, say, where doubling would wrap to 0 and loop
 * for ever). false (and *out max) when need is more than max. */
static inline bool mg_size_grow(size_t cap, size_t need, size_t first, size_t max, size_t *out)
{
    if (need > max) {
        *out = max;
        return false;
    }
    size_t n = cap ? cap : first ? first : 1;
    while (n < need)
        n = n > max / 2 ? max : n * 2;
    *out = n;
    return true;
}

/* malloc(n * size) (at least one byte, so NULL always means failure); NULL
 * when the product overflows. */
MG_API void *mg_alloc_array(size_t n, size_t size);
/* realloc(p, n * size) likewise; p is untouched when it returns NULL. */
MG_API void *mg_realloc_array(void *p, size_t n, size_t size);
/* Moves count parallel arrays to hold n items each: arrays[i] is the address
 * of the i-th array's pointer (a double ** as void *), sizes[i] its item size.
 * false when any of them fails; those that moved are merely roomier, so the
 * caller keeps its old capacity and all its items. */
MG_API bool mg_realloc_arrays(size_t n, size_t count, void *const arrays[], const size_t sizes[]);

MG_EXTERN_C_END

#endif
