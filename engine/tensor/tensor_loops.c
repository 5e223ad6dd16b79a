/* tensor_loops.c — the tensor loops for float and double, from one template; compiled
 * once per kernel build (kernels_isa.h), each defining tensor_loops_f32_<isa> and
 * tensor_loops_f64_<isa>. */
#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <tgmath.h>

#include "mg_kernels.h"
#include "tensor_internal.h"

#define T float
#define T_MIN FLT_MIN
#define SFX ISA_CAT(f32, MG_ISA)
#define GEMM mg_sgemm
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef SFX
#undef GEMM

#define T double
#define T_MIN DBL_MIN
#define SFX ISA_CAT(f64, MG_ISA)
#define GEMM mg_dgemm
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef SFX
#undef GEMM
