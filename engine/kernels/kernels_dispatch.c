/* kernels_dispatch.c — picks the kernel build for this CPU at the first call and routes
 * every mg_<kernel>() through its table (see kernels_isa.h for why). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_isa.h"

#if MG_KERNELS_MULTI_ISA
extern const kernels_table kernels_table_avx512, kernels_table_avx2, kernels_table_baseline;

static const struct isa_build {
    const char *name;
    const kernels_table *table;
} builds[MG_ISA_COUNT] = {
    [MG_ISA_AVX512] = {"avx512", &kernels_table_avx512},
    [MG_ISA_AVX2] = {"avx2", &kernels_table_avx2},
    [MG_ISA_BASELINE] = {"baseline", &kernels_table_baseline},
};

/* Whether this CPU and OS run build `isa`: the x86-64 levels its flags were built for.
 * libgcc's check includes the OS's consent to save the wide registers (XGETBV). clang
 * (14) knows no level names, so there the levels' features that set them apart. */
#ifdef __clang__
#define CPU_V3 (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && \
                __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
#define CPU_V4 (CPU_V3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && \
                __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && \
                __builtin_cpu_supports("avx512cd"))
#else
#define CPU_V3 __builtin_cpu_supports("x86-64-v3")
#define CPU_V4 __builtin_cpu_supports("x86-64-v4")
#endif
static int cpu_runs(mg_isa isa)
{
    __builtin_cpu_init();
    switch (isa) {
    case MG_ISA_AVX512: return CPU_V4 != 0;
    case MG_ISA_AVX2: return CPU_V3 != 0;
    default: return 1;
    }
}
#else
extern const kernels_table kernels_table_build;

static const struct isa_build {
    const char *name;
    const kernels_table *table;
} builds[MG_ISA_COUNT] = {
    [MG_ISA_BUILD] = {MG_KERNELS_BUILD_NAME, &kernels_table_build},
};

static int cpu_runs(mg_isa isa)
{
    (void)isa;
    return 1;
}
#endif

/* -1 until the first call decides. */
static atomic_int chosen = -1;

/* The widest build the CPU runs, or the one MG_KERNELS_ISA names if the CPU runs it. */
static mg_isa choose(void)
{
    int best = 0;
    while (best + 1 < MG_ISA_COUNT && !cpu_runs((mg_isa)best))
        best++;
    const char *want = getenv("MG_KERNELS_ISA");
    for (int i = best; want && i < MG_ISA_COUNT; i++)
        if (strcmp(want, builds[i].name) == 0)
            return (mg_isa)i;
    return (mg_isa)best;
}

mg_isa mg_kernel_isa(void)
{
    int isa = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (isa < 0) {
        /* Racing first calls all compute the same answer. */
        isa = (int)choose();
        atomic_store(&chosen, isa);
    }
    return (mg_isa)isa;
}

mg_isa mg_kernel_isa_rechoose(void)
{
    mg_isa isa = choose();
    atomic_store(&chosen, (int)isa);
    return isa;
}

int mg_kernel_isa_force(mg_isa isa)
{
    if ((int)isa < 0 || isa >= MG_ISA_COUNT || !cpu_runs(isa))
        return 0;
    atomic_store(&chosen, (int)isa);
    return 1;
}

const char *mg_kernel_isa_name(mg_isa isa)
{
    return (int)isa >= 0 && isa < MG_ISA_COUNT ? builds[isa].name : "?";
}

const char *mg_kernels_isa(void)
{
    return mg_kernel_isa_name(mg_kernel_isa());
}

const kernels_table *mg_kernels(void)
{
    return builds[mg_kernel_isa()].table;
}

/* mg_<name>() for every kernel: the chosen build's entry. */
#define RETURN_void
#define RETURN_double return
#define KERNEL(ret, name, params, args)                                                     \
    ret mg_##name params { RETURN_##ret mg_kernels()->name args; }
#include "kernels_table.def"
#undef KERNEL
