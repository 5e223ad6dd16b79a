/* kernels_isa.h — the instruction sets the kernels are built for, and how one build is
 * found at run time. Not installed.
 *
 * Why compile the kernel sources once per instruction set and call through a table,
 * rather than GCC's target_clones: the GEMM's shape depends on the vector width at
 * preprocessing time (the register tile is 8, 6 or 4 rows of two 64-, 32- or 16-byte
 * vectors, and AVX-512 edge tiles use masked stores), and target_clones re-generates a
 * function's code without re-running the preprocessor, so its AVX-512 clone would keep
 * the baseline's tiles. A whole translation unit compiled with -march=x86-64-v4 also
 * widens every inlined helper and auto-vectorised loop in it (the tensor loops), not
 * only the functions someone remembered to annotate. The cost is one indirect call per
 * kernel call, nothing next to the work; and no ifunc resolver, which runs before
 * relocation and trips static links and sanitizers.
 *
 * The builds (meson.build): on x86-64, unless -Dnative=true, three — avx512
 * (x86-64-v4: AVX-512 F/BW/DQ/VL/CD), avx2 (x86-64-v3: AVX2, FMA, BMI) and baseline
 * (x86-64: SSE2); elsewhere, or with -Dnative=true, one for the compiler's target. The
 * widest build the CPU (and OS) supports is used; the environment variable
 * MG_KERNELS_ISA=avx2|baseline|avx512 asks for a narrower one (never a wider one than
 * the CPU has), for tests and benchmarks. */
#ifndef MG_KERNELS_ISA_H
#define MG_KERNELS_ISA_H

#include <stdint.h>

#include "kernels_internal.h"
#include "mg_kernels.h"

#if MG_KERNELS_MULTI_ISA
typedef enum mg_isa { MG_ISA_AVX512, MG_ISA_AVX2, MG_ISA_BASELINE, MG_ISA_COUNT } mg_isa;
#else
typedef enum mg_isa { MG_ISA_BUILD, MG_ISA_COUNT } mg_isa;
#endif

/* The build in use: chosen at the first call (CPU features, then MG_KERNELS_ISA). */
mg_isa mg_kernel_isa(void);
/* Makes later calls use build `isa` if the CPU runs it; returns 0 if it cannot. For
 * tests that run every build on one machine; not while other threads call kernels. */
int mg_kernel_isa_force(mg_isa isa);
/* Chooses again as the first call does (CPU features, then MG_KERNELS_ISA); for tests. */
mg_isa mg_kernel_isa_rechoose(void);
/* "avx512", "avx2", "baseline" or "native"/"build" for one-build configurations. */
const char *mg_kernel_isa_name(mg_isa isa);

/* Inside a per-ISA source: name_<isa> (MG_ISA is set by meson.build for each build). */
#define ISA_CAT2(name, isa) name##_##isa
#define ISA_CAT(name, isa) ISA_CAT2(name, isa)
#define ISA_FN(name) ISA_CAT(name, MG_ISA)

/* The table of one build's kernels, one pointer per row of kernels_table.def. */
typedef struct kernels_table {
#define KERNEL(ret, name, params, args) ret (*name) params;
#include "kernels_table.def"
#undef KERNEL
} kernels_table;

/* The table of the build in use. */
const kernels_table *mg_kernels(void);

#ifdef MG_ISA
/* This build's kernels (defined in kernels_gemm.c and kernels_elementwise.c). */
#define KERNEL(ret, name, params, args) ret ISA_FN(name) params;
#include "kernels_table.def"
#undef KERNEL
extern const kernels_table ISA_FN(kernels_table);
#endif

#endif
