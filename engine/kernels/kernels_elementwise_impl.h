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

double KFN(dot)(int n, const REAL *x, const REAL *y)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += (double)x[i] * (double)y[i];
    return sum;
}

void KFN(bias_act)(int M, int N, REAL *Y, int ldy, const REAL *bias, int relu)
{
    for (int i = 0; i < M; i++) {
        REAL *restrict row = Y + (long)i * ldy;
        if (bias)
            for (int j = 0; j < N; j++)
                row[j] += bias[j];
        if (relu)
            for (int j = 0; j < N; j++)
                row[j] = row[j] > 0 ? row[j] : 0;
    }
}

void KFN(relu_backward)(int n, const REAL *restrict Y, const REAL *restrict dY, REAL *restrict dX)
{
    for (int i = 0; i < n; i++)
        dX[i] += Y[i] > 0 ? dY[i] : 0;
}

void KFN(col_sum)(int M, int N, const REAL *X, int ldx, REAL *restrict out)
{
    for (int i = 0; i < M; i++) {
        const REAL *restrict row = X + (long)i * ldx;
        for (int j = 0; j < N; j++)
            out[j] += row[j];
    }
}

/* Row maximum, the shift that keeps exp() finite in every softmax below. */
static REAL KFN(row_max_)(int N, const REAL *x)
{
    REAL m = x[0];
    for (int j = 1; j < N; j++)
        m = x[j] > m ? x[j] : m;
    return m;
}

/* log Σ exp(x[j]) computed stably. */
static REAL KFN(row_logsumexp_)(int N, const REAL *x)
{
    REAL m = KFN(row_max_)(N, x);
    if (isinf(m))
        return m; /* all -inf gives -inf; any +inf gives +inf, as in PyTorch */
    double s = 0.0;
    for (int j = 0; j < N; j++)
        s += exp((double)(x[j] - m));
    return m + (REAL)log(s);
}

void KFN(log_softmax_rows)(int M, int N, const REAL *X, int ldx, REAL *Y, int ldy)
{
    if (N <= 0)
        return;
    for (int i = 0; i < M; i++) {
        const REAL *x = X + (long)i * ldx;
        REAL *y = Y + (long)i * ldy;
        REAL lse = KFN(row_logsumexp_)(N, x);
        for (int j = 0; j < N; j++)
            y[j] = x[j] - lse;
    }
}

void KFN(log_softmax_backward)(int M, int N, const REAL *Y, int ldy, const REAL *dY, int lddy,
                               REAL *dX, int lddx)
{
    for (int i = 0; i < M; i++) {
        const REAL *y = Y + (long)i * ldy, *dy = dY + (long)i * lddy;
        REAL *dx = dX + (long)i * lddx;
        double total = 0.0;
        for (int j = 0; j < N; j++)
            total += dy[j];
        for (int j = 0; j < N; j++)
            dx[j] += dy[j] - (REAL)(exp((double)y[j]) * total);
    }
}

double KFN(softmax_xent)(int M, int N, const REAL *X, int ldx, const int *labels, REAL *dX,
                         int lddx)
{
    if (M <= 0 || N <= 0)
        return 0.0;
    double loss = 0.0;
    for (int i = 0; i < M; i++) {
        const REAL *x = X + (long)i * ldx;
        int label = labels[i];
        if (label < 0 || label >= N)
            continue;
        REAL lse = KFN(row_logsumexp_)(N, x);
        loss -= (double)(x[label] - lse);
        if (!dX)
            continue;
        REAL *dx = dX + (long)i * lddx;
        for (int j = 0; j < N; j++)
            dx[j] += (REAL)((exp((double)(x[j] - lse)) - (j == label)) / M);
    }
    return loss / M;
}

void KFN(argmax_rows)(int M, int N, const REAL *X, int ldx, int *idx)
{
    for (int i = 0; i < M; i++) {
        const REAL *x = X + (long)i * ldx;
        int best = 0;
        for (int j = 1; j < N; j++)
            if (x[j] > x[best])
                best = j;
        idx[i] = best;
    }
}
