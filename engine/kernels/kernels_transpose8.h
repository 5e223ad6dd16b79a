/* kernels_transpose8.h — 8 lanes × 8 steps transposed: lane l's steps at
 * x + l·lane (contiguous), step q's lanes to dst + q·width, through three rounds
 * of two-source shuffles (24 in all) instead of 64 scalar loads and stores.
 * The GEMM's packing and attention's small products both use it: define
 * TRANSPOSE8_NAME (the function's name) and TRANSPOSE8_REAL (float or double),
 * then include; both are undefined again. Needs <string.h>. */
static inline __attribute__((always_inline)) void
TRANSPOSE8_NAME(const TRANSPOSE8_REAL *x, long lane, TRANSPOSE8_REAL *dst, int width)
{
    typedef TRANSPOSE8_REAL vec8 __attribute__((vector_size(8 * sizeof(TRANSPOSE8_REAL))));
    vec8 r[8], t[8], u[8];
#pragma GCC unroll 8
    for (int l = 0; l < 8; l++)
        memcpy(&r[l], x + l * lane, sizeof r[l]);
#pragma GCC unroll 4
    for (int l = 0; l < 8; l += 2) {
        t[l] = __builtin_shufflevector(r[l], r[l + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[l + 1] = __builtin_shufflevector(r[l], r[l + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
#pragma GCC unroll 2
    for (int h = 0; h < 8; h += 4) {
        u[h] = __builtin_shufflevector(t[h], t[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[h + 1] = __builtin_shufflevector(t[h], t[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[h + 2] = __builtin_shufflevector(t[h + 1], t[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[h + 3] = __builtin_shufflevector(t[h + 1], t[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    /* u[q] holds steps q and q + 4 of lanes 0-3, u[q + 4] those of lanes 4-7 */
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
        vec8 lo = __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        vec8 hi = __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7, 12, 13, 14, 15);
        memcpy(dst + (long)q * width, &lo, sizeof lo);
        memcpy(dst + (long)(q + 4) * width, &hi, sizeof hi);
    }
}

#undef TRANSPOSE8_NAME
#undef TRANSPOSE8_REAL
