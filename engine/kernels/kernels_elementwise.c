/* kernels_elementwise.c — float and double instances of the elementwise kernels. */
#include <math.h>

#include "mg_kernels.h"

#define REAL float
#define KFN(name) mg_s##name
#include "kernels_elementwise_impl.h"
#undef REAL
#undef KFN

#define REAL double
#define KFN(name) mg_d##name
#include "kernels_elementwise_impl.h"
#undef REAL
#undef KFN
