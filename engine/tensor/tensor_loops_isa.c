/* tensor_loops_isa.c — the tensor loops of every kernel build, for loops_of(). */
#include "tensor_internal.h"

#define DECLARE(isa) extern const tensor_loops tensor_loops_f32_##isa, tensor_loops_f64_##isa;
#define ROW(isa) {&tensor_loops_f32_##isa, &tensor_loops_f64_##isa}

#if MG_KERNELS_MULTI_ISA
DECLARE(avx512)
DECLARE(avx2)
DECLARE(baseline)
const tensor_loops *const tensor_loops_by_isa[MG_ISA_COUNT][2] = {
    [MG_ISA_AVX512] = ROW(avx512),
    [MG_ISA_AVX2] = ROW(avx2),
    [MG_ISA_BASELINE] = ROW(baseline),
};
#else
DECLARE(build)
const tensor_loops *const tensor_loops_by_isa[MG_ISA_COUNT][2] = {[MG_ISA_BUILD] = ROW(build)};
#endif
