/* tensor_loops.c — the tensor loops for float and double, from one template. */
#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <tgmath.h>

#include "mg_kernels.h"
#include "tensor_internal.h"

#define T float
#define T_MIN FLT_MIN
#define SFX f32
#define GEMM mg_sgemm
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef SFX
#undef GEMM

#define T double
#define T_MIN DBL_MIN
#define SFX f64
#define GEMM mg_dgemm
#include "tensor_loops.h"
#undef T
#undef T_MIN
#undef SFX
#undef GEMM
