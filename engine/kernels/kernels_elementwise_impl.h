/* kernels_elementwise_impl.h — the float and double elementwise kernels, written once.
 * Included by kernels_elementwise.c with REAL (the element type) and KFN(name) (this
 * build's name of the kernel with its s/d prefix) defined. Loops are plain and
 * restrict-qualified so the compiler vectorises them for each build's instruction set. */

void KFN(axpy)(int n, REAL alpha, const REAL *restrict x, REAL *restrict y)
{
    for (int i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

void KFN(scal)(int n, REAL alpha, REAL *x)
{
    for (int i = 0; i < n; i++)
        x[i] *= alpha;
}

/* In double lanes (MG_LANE_SUM): clipping's norm over a GPT's 0.8 M gradients
 * as one running sum was 1.6% of a training step. */
double KFN(dot)(int n, const REAL *x, const REAL *y)
{
    double sum;
    MG_LANE_SUM(sum, n, i, (double)x[i] * (double)y[i]);
    return sum;
}
