/* tensor_loops.c — the tensor loops for float and double, from one template. */
#include <stddef.h>
#include <stdint.h>
#include <tgmath.h>

#include "mg_kernels.h"
#include "tensor_internal.h"

#define T float
#define SFX f32
#define GEMM mg_sgemm
#include "tensor_loops.h"
#undef T
#undef SFX
#undef GEMM

#define T double
#define SFX f64
#define GEMM mg_dgemm
#include "tensor_loops.h"
#undef T
#undef SFX
#undef GEMM
