/* kernels_threads.c — the thread count every kernel reads. */
#include "mg_kernels.h"

/* One process-wide setting, like OpenBLAS's; 1 until the program asks for more. */
static int kernel_threads = 1;

void mg_set_threads(int n)
{
    kernel_threads = n < 1 ? 1 : n;
}

int mg_get_threads(void)
{
    return kernel_threads;
}
