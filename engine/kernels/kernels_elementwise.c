/* kernels_elementwise.c — float and double instances of the elementwise kernels, compiled
 * once per instruction set (kernels_isa.h). */
#include <math.h>

#include "kernels_internal.h"
#include "kernels_isa.h"

#define REAL float
#define KFN(name) ISA_FN(s##name)
#include "kernels_elementwise_impl.h"
#undef REAL
#undef KFN

#define REAL double
#define KFN(name) ISA_FN(d##name)
#include "kernels_elementwise_impl.h"
#undef REAL
#undef KFN

void ISA_FN(su8_scale)(int n, float alpha, const uint8_t *restrict x, float *restrict y)
{
    for (int i = 0; i < n; i++)
        y[i] = alpha * (float)x[i];
}
