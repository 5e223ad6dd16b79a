/* kernels_isa_table.c — the table of one build's kernels (compiled once per build). */
#include "kernels_isa.h"

const kernels_table ISA_FN(kernels_table) = {
#define KERNEL(ret, name, params, args) .name = ISA_FN(name),
#include "kernels_table.def"
#undef KERNEL
};
