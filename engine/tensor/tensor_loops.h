/* tensor_loops.h — the numeric loops of the tensor ops, written once for a
 * type T. tensor_loops.c includes this file twice (float and double) with T,
 * SFX and the kernels it calls (GEMM, GEMM_BIAS, GEMM_BATCH, GEMM_ZEROS, AXPY, SCAL, DOT) defined;
 * <tgmath.h> picks expf or exp to match T, and EXP_SMOOTH (EXP_NONPOS for x <= 87),
 * TANH, GELU and GELU_GRAD are e^x, tanh, GELU and its derivative without a libm
 * call per float (GELU's take their clamp of |x| from loop_args, gelu_max_abs:
 * tensor_loops.c says why). Sums kept in a local accumulator are doubles
 * (mg_kernels.h states the precision rule).
 * Backward loops add into their output (acc = 1) or, given a gradient no
 * contribution has reached yet in this pass, overwrite it (acc = 0): the first
 * contribution writes, so no buffer is cleared first to be added into.
 *
 * Threads: every loop runs on the kernel pool (mg_kernel_for) when it is big
 * enough. Each loop is a range function over items that own their outputs —
 * elements, rows, columns of a gradient, fixed blocks of a sum — and each
 * output is computed in the same order whatever the cut, so results do not
 * depend on the thread count. */

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SFX)

/* Optimiser state that only decays (momentum of a weight whose gradient is
 * always 0, like Fashion-MNIST's blank border pixels) sinks into subnormal
 * numbers, which cost ~100x per operation: flush them to 0. */
#define FLUSH(x) (fabs(x) < T_MIN ? (T)0 : (x))

/* A backward loop's stores, for i in [lo, hi): DST += VAL, or DST = VAL for a
 * first contribution. acc is tested once, outside the loop: inside it, GCC's
 * vectoriser did not unswitch it but kept both stores under masks, computing
 * VAL twice per element (GELU's backward took twice as long). */
#define PUT_EACH(i, lo, hi, DST, VAL)              \
    do {                                           \
        if (acc)                                   \
            for (int i = (lo); i < (hi); i++)      \
                (DST) += (VAL);                    \
        else                                       \
            for (int i = (lo); i < (hi); i++)      \
                (DST) = (VAL);                     \
    } while (0)

/* Visits the output elements of a broadcast inside a box of its 4 dims: io
 * (output), ia, ib (operands). The innermost dim gets a loop per stride
 * pattern (after tensor_broadcast() merged dims, a stride there is 1 or 0),
 * so the compiler sees unit strides. */
#define BCAST_INNER(SA, SB, BODY)                                                   \
    for (int i3 = l3; i3 < h3; i3++) {                                              \
        const size_t ia = ia0 + (size_t)i3 * (SA), ib = ib0 + (size_t)i3 * (SB);    \
        const size_t io = io0 + (size_t)i3;                                         \
        (void)ia;                                                                   \
        (void)ib;                                                                   \
        BODY;                                                                       \
    }
#define BCAST_BOX(bc, bx, BODY)                                                      \
    for (int i0 = (bx).lo[0]; i0 < (bx).hi[0]; i0++)                                \
        for (int i1 = (bx).lo[1]; i1 < (bx).hi[1]; i1++)                            \
            for (int i2 = (bx).lo[2]; i2 < (bx).hi[2]; i2++) {                      \
                const size_t ia0 = (size_t)i0 * (bc)->sa[0]                         \
                                 + (size_t)i1 * (bc)->sa[1] + (size_t)i2 * (bc)->sa[2]; \
                const size_t ib0 = (size_t)i0 * (bc)->sb[0]                         \
                                 + (size_t)i1 * (bc)->sb[1] + (size_t)i2 * (bc)->sb[2]; \
                const size_t io0 = (((size_t)i0 * (bc)->dims[1] + i1) * (bc)->dims[2] \
                                    + i2) * (bc)->dims[3];                          \
                const int l3 = (bx).lo[3], h3 = (bx).hi[3];                         \
                const int sa3 = (bc)->sa[3], sb3 = (bc)->sb[3];                     \
                if (sa3 == 1 && sb3 == 1) {                                         \
                    BCAST_INNER(1, 1, BODY)                                         \
                } else if (sa3 == 1 && sb3 == 0) {                                  \
                    BCAST_INNER(1, 0, BODY)                                         \
                } else if (sa3 == 0 && sb3 == 1) {                                  \
                    BCAST_INNER(0, 1, BODY)                                         \
                } else {                                                            \
                    BCAST_INNER(sa3, sb3, BODY)                                     \
                }                                                                   \
            }

/* The body over [lo, hi) of flat arrays when no broadcasting happens, else
 * over the box that the range [lo, hi) of dim x->dim cuts from the broadcast. */
#define ELEMENTS(x, lo, hi, BODY)                                   \
    do {                                                            \
        if ((x)->bc->same) {                                        \
            for (size_t io = (size_t)(lo); io < (size_t)(hi); io++) { \
                const size_t ia = io, ib = io;                      \
                (void)ia;                                           \
                (void)ib;                                           \
                BODY;                                               \
            }                                                       \
        } else {                                                    \
            const loop_box bx = box_of((x)->bc, (x)->dim, lo, hi);  \
            BCAST_BOX((x)->bc, bx, BODY)                            \
        }                                                           \
    } while (0)

/* ELEMENTS storing DST += VAL, or DST = VAL (PUT_EACH). */
#define PUT_ELEMENTS(x, lo, hi, DST, VAL)                  \
    do {                                                   \
        if (acc)                                           \
            ELEMENTS(x, lo, hi, (DST) += (VAL));           \
        else                                               \
            ELEMENTS(x, lo, hi, (DST) = (VAL));            \
    } while (0)

static void FN(binary_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a, *b = x->b;
    T *o = x->out;
    switch (x->op) {
    case MG_T_ADD: ELEMENTS(x, lo, hi, o[io] = a[ia] + b[ib]); break;
    case MG_T_SUB: ELEMENTS(x, lo, hi, o[io] = a[ia] - b[ib]); break;
    case MG_T_MUL: ELEMENTS(x, lo, hi, o[io] = a[ia] * b[ib]); break;
    default: ELEMENTS(x, lo, hi, o[io] = a[ia] / b[ib]); break;
    }
}

static void FN(binary_fwd)(const tensor_bcast *bc, mg_top op, const void *a, const void *b,
                           void *out)
{
    loop_args x = {.bc = bc, .op = op, .a = a, .b = b, .out = out, .dim = -1};
    run_broadcast(&x, op == MG_T_DIV ? 4.0 : 1.0, FN(binary_fwd_range));
}

/* Gradients of one operand, summed over the dims it was broadcast along
 * (stride 0 there, so every output element lands on its source element).
 * The cut runs along a dim the operand has, so ranges own their elements. */
static void FN(binary_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a, *b = x->b, *g = x->g;
    T *gp = x->out;
    const int acc = x->acc;
    if (x->which == 0) {
        switch (x->op) {
        case MG_T_ADD: case MG_T_SUB: PUT_ELEMENTS(x, lo, hi, gp[ia], g[io]); break;
        case MG_T_MUL: PUT_ELEMENTS(x, lo, hi, gp[ia], g[io] * b[ib]); break;
        default: PUT_ELEMENTS(x, lo, hi, gp[ia], g[io] / b[ib]); break;
        }
    } else {
        switch (x->op) {
        case MG_T_ADD: PUT_ELEMENTS(x, lo, hi, gp[ib], g[io]); break;
        case MG_T_SUB: PUT_ELEMENTS(x, lo, hi, gp[ib], -g[io]); break;
        case MG_T_MUL: PUT_ELEMENTS(x, lo, hi, gp[ib], g[io] * a[ia]); break;
        default: PUT_ELEMENTS(x, lo, hi, gp[ib], -(g[io] * a[ia] / (b[ib] * b[ib]))); break;
        }
    }
}

/* Blocks [lo, hi) of rows of a column sum (colsum_blocks): each block's rows
 * into its own partial row, the first row written, the others added in order. */
static void FN(colsum_blocks_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const int rows = x->bc->dims[2];
    for (int k = lo; k < hi; k++) {
        loop_args y = *x;
        const int r0 = k * x->block, r1 = r0 + x->block < rows ? r0 + x->block : rows;
        y.out = (T *)x->rows + (size_t)k * x->bc->dims[3];
        y.dim = 2;
        y.acc = 0;
        FN(binary_bwd_range)(&y, r0, r0 + 1);
        y.acc = 1;
        FN(binary_bwd_range)(&y, r0 + 1, r1);
    }
}

/* The column sum's blocks on the pool, then their partial rows added in block
 * order, in double, a tile of columns at a time. */
static void FN(colsum)(loop_args *x, double cost, int blocks)
{
    const int cols = x->bc->dims[3], acc = x->acc;
    mg_kernel_for(blocks, cost * x->block * cols, FN(colsum_blocks_range), x);
    const T *part = x->rows;
    T *gp = x->out;
    for (int c0 = 0; c0 < cols; c0 += 64) {
        const int n = cols - c0 < 64 ? cols - c0 : 64;
        double s[64] = {0};
        for (int k = 0; k < blocks; k++)
            for (int c = 0; c < n; c++)
                s[c] += part[(size_t)k * cols + c0 + c];
        PUT_EACH(c, 0, n, gp[c0 + c], (T)s[c]);
    }
}

/* acc = 0 only when the operand has the output's shape (a broadcast operand
 * sums many output elements into each of its own). */
static void FN(binary_bwd)(const tensor_bcast *bc, mg_top op, int which, const void *a,
                           const void *b, const void *g, void *gp, int acc)
{
    loop_args x = {.bc = bc, .op = op, .which = which, .a = a, .b = b, .g = g, .out = gp,
                   .dim = -1, .acc = acc};
    const double cost = op == MG_T_DIV ? 6.0 : 1.0;
    const int blocks = colsum_blocks(bc, which, &x.block);
    /* (out of memory for the partial rows: the sum by columns, other bits) */
    if (blocks && (x.rows = mg_kernel_workspace(sizeof(T) * blocks * bc->dims[3])))
        FN(colsum)(&x, cost, blocks);
    else
        run_broadcast(&x, cost, FN(binary_bwd_range));
}

/* Overflow-free logistic function, as PyTorch computes it. */
static inline T FN(sigmoid)(T x)
{
    if (x >= 0)
        return (T)1 / ((T)1 + exp(-x));
    T e = exp(x);
    return e / ((T)1 + e);
}

static void FN(unary_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a;
    T *o = x->out;
    const T tk = (T)x->k;
    switch (x->op) {
    case MG_T_NEG: for (int i = lo; i < hi; i++) o[i] = -a[i]; break;
    case MG_T_EXP: for (int i = lo; i < hi; i++) o[i] = exp(a[i]); break;
    case MG_T_LOG: for (int i = lo; i < hi; i++) o[i] = log(a[i]); break;
    case MG_T_POW:
        if (x->k == 2.0) /* the L2 penalty's square: no libm call */
            for (int i = lo; i < hi; i++) o[i] = a[i] * a[i];
        else
            for (int i = lo; i < hi; i++) o[i] = pow(a[i], tk);
        break;
    case MG_T_SQRT: for (int i = lo; i < hi; i++) o[i] = sqrt(a[i]); break;
    case MG_T_TANH: for (int i = lo; i < hi; i++) o[i] = TANH(a[i]); break;
    case MG_T_RELU: for (int i = lo; i < hi; i++) o[i] = a[i] > 0 ? a[i] : (T)0; break;
    case MG_T_SIGMOID: for (int i = lo; i < hi; i++) o[i] = FN(sigmoid)(a[i]); break;
    case MG_T_GELU: {
        const T m = (T)x->gelu_max_abs;
        for (int i = lo; i < hi; i++)
            o[i] = GELU(a[i], m);
        break;
    }
    default: for (int i = lo; i < hi; i++) o[i] = a[i]; break; /* copies */
    }
}

static void FN(unary_fwd)(mg_top op, int n, double k, const void *a, void *out)
{
    loop_args x = {.op = op, .k = k, .a = a, .out = out, .gelu_max_abs = GELU_MAX_ABS};
    mg_kernel_for(n, unary_cost(op, k), FN(unary_fwd_range), &x);
}

static void FN(unary_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a, *o = x->o, *g = x->g;
    T *ga = x->out;
    const T tk = (T)x->k;
    const int acc = x->acc;
    switch (x->op) {
    case MG_T_NEG: PUT_EACH(i, lo, hi, ga[i], -g[i]); break;
    case MG_T_EXP: PUT_EACH(i, lo, hi, ga[i], g[i] * o[i]); break;
    case MG_T_LOG: PUT_EACH(i, lo, hi, ga[i], g[i] / a[i]); break;
    case MG_T_POW:
        if (x->k == 2.0)
            PUT_EACH(i, lo, hi, ga[i], g[i] * (T)2 * a[i]);
        else if (x->k != 0.0)
            PUT_EACH(i, lo, hi, ga[i], g[i] * tk * pow(a[i], tk - (T)1));
        else if (!acc) /* d(a**0) = 0 */
            for (int i = lo; i < hi; i++) ga[i] = 0;
        break;
    case MG_T_SQRT: PUT_EACH(i, lo, hi, ga[i], g[i] / ((T)2 * o[i])); break;
    case MG_T_TANH: PUT_EACH(i, lo, hi, ga[i], g[i] * ((T)1 - o[i] * o[i])); break;
    case MG_T_RELU: PUT_EACH(i, lo, hi, ga[i], o[i] > 0 ? g[i] : (T)0); break;
    case MG_T_SIGMOID: PUT_EACH(i, lo, hi, ga[i], g[i] * ((T)1 - o[i]) * o[i]); break;
    case MG_T_GELU: {
        const T m = (T)x->gelu_max_abs;
        PUT_EACH(i, lo, hi, ga[i], g[i] * GELU_GRAD(a[i], m));
        break;
    }
    default: PUT_EACH(i, lo, hi, ga[i], g[i]); break; /* copies and views */
    }
}

static void FN(unary_bwd)(mg_top op, int n, double k, const void *a, const void *o,
                          const void *g, void *ga, int acc)
{
    loop_args x = {.op = op, .k = k, .a = a, .o = o, .g = g, .out = ga, .acc = acc,
                   .gelu_max_abs = GELU_MAX_ABS};
    mg_kernel_for(n, unary_cost(op, k), FN(unary_bwd_range), &x);
}

/* ---- reductions ---- */

/* Max of a strided row of n: the first maximum, or the first NaN. */
static inline T FN(row_max)(const T *row, int n, size_t stride, int *at)
{
    T best = row[0];
    *at = 0;
    for (int j = 1; j < n; j++) {
        T v = row[(size_t)j * stride];
        if (v > best || (v != v && best == best)) {
            best = v;
            *at = j;
        }
    }
    return best;
}

/* Outputs of a sum or mean a tile at a time: for outputs r0 .. r0+count, which
 * are neighbours along the inner dim (one p), reading the operand a row of
 * count elements at a time (a strided row per output touched a new cache line
 * per element: a column sum of [1024,512] took ~3 ms). Each output still adds
 * its elements in order j = 0, 1, ..., in double: the same bits as one at a time. */
#define REDUCE_TILE 64

static int FN(reduce_tile)(const loop_args *x, int r0, int hi)
{
    const tensor_axis ax = x->ax;
    const int p = r0 / ax.inner, q0 = r0 % ax.inner;
    int count = ax.inner - q0 < hi - r0 ? ax.inner - q0 : hi - r0;
    count = count < REDUCE_TILE ? count : REDUCE_TILE;
    double acc[REDUCE_TILE] = {0};
    const T *a = (const T *)x->a + (size_t)p * ax.n * ax.inner + q0;
    for (int j = 0; j < ax.n; j++)
        for (int c = 0; c < count; c++)
            acc[c] += a[(size_t)j * ax.inner + c];
    T *o = (T *)x->out + r0;
    for (int c = 0; c < count; c++)
        o[c] = (T)(x->op == MG_T_MEAN ? acc[c] / ax.n : acc[c]);
    return count;
}

/* Items are outputs (outer × inner), each reducing its own strided row. */
static void FN(reduce_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_axis ax = x->ax;
    const T *a = x->a;
    T *o = x->out;
    if (x->op != MG_T_MAX && ax.inner > 1) {
        for (int r = lo; r < hi;)
            r += FN(reduce_tile)(x, r, hi);
        return;
    }
    for (int r = lo; r < hi; r++) {
        const int p = r / ax.inner, q = r % ax.inner;
        const T *row = a + (size_t)p * ax.n * ax.inner + q;
        if (x->op == MG_T_MAX) {
            int at;
            o[r] = FN(row_max)(row, ax.n, (size_t)ax.inner, &at);
            if (x->argmax)
                x->argmax[r] = at;
        } else { /* a contiguous row (inner is 1 here), in double lanes */
            double s;
            MG_LANE_SUM(s, ax.n, j, row[j]);
            o[r] = (T)(x->op == MG_T_MEAN ? s / ax.n : s);
        }
    }
}

/* Block k of a reduction over everything: its sum, or its max and where. */
static void FN(reduce_all_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a;
    for (int k = lo; k < hi; k++) {
        const int from = k * x->block, to = from + x->block < x->n ? from + x->block : x->n;
        if (x->op == MG_T_MAX) {
            int at;
            x->partial[k] = FN(row_max)(a + from, to - from, 1, &at);
            continue;
        }
        double s;
        MG_LANE_SUM(s, to - from, i, a[from + i]);
        x->partial[k] = s;
    }
}

static void FN(reduce_fwd)(mg_top op, tensor_axis ax, const void *a, void *out, int32_t *argmax)
{
    loop_args x = {.op = op, .ax = ax, .a = a, .out = out, .argmax = argmax};
    const int outputs = ax.outer * ax.inner;
    if (outputs > 1 || ax.n <= SUM_BLOCK_MIN) {
        mg_kernel_for(outputs, (double)ax.n, FN(reduce_fwd_range), &x);
        return;
    }
    /* One output from many elements: fixed blocks (set by n alone) combined in order. */
    double partial[SUM_BLOCKS];
    const int blocks = sum_blocks(ax.n, &x.block);
    x.n = ax.n;
    x.partial = partial;
    mg_kernel_for(blocks, (double)x.block, FN(reduce_all_range), &x);
    double r = partial[0];
    for (int k = 1; k < blocks; k++) {
        if (op != MG_T_MAX)
            r += partial[k];
        else if (partial[k] > r || (partial[k] != partial[k] && r == r))
            r = partial[k];
    }
    *(T *)out = (T)(op == MG_T_MEAN ? r / ax.n : r);
}

/* A sum or mean along a strided axis, backward. Items are the operand's
 * rows (p, j) of `inner` elements, each adding the gradient of outputs
 * p·inner .. p·inner + inner - 1 to its own row: threads split the rows, so
 * each writes whole contiguous rows (split by outputs, each wrote a strided
 * slice of every row, and two threads were slower than one). */
static void FN(reduce_bwd_rows_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_axis ax = x->ax;
    const T div = x->op == MG_T_MEAN ? (T)ax.n : (T)1;
    for (int r = lo; r < hi; r++) {
        const T *d = (const T *)x->g + (size_t)(r / ax.n) * ax.inner;
        T *row = (T *)x->out + (size_t)r * ax.inner;
        for (int c = 0; c < ax.inner; c++)
            row[c] += d[c] / div;
    }
}

/* Items are outputs: each sends its gradient to its own row. Max without
 * argmax (over everything) shares the gradient between ties. */
static void FN(reduce_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_axis ax = x->ax;
    const T *a = x->a, *o = x->o, *g = x->g;
    T *ga = x->out;
    for (int r = lo; r < hi; r++) {
        const int p = r / ax.inner, q = r % ax.inner;
        const size_t base = (size_t)p * ax.n * ax.inner + q;
        T d = g[r];
        if (x->op == MG_T_MEAN)
            d /= (T)ax.n;
        if (x->op == MG_T_MAX && x->argmax) {
            ga[base + (size_t)x->argmax[r] * ax.inner] += d;
        } else if (x->op == MG_T_MAX) {
            int ties = 0;
            for (int j = 0; j < ax.n; j++)
                ties += a[base + (size_t)j * ax.inner] == o[r];
            for (int j = 0; j < ax.n; j++)
                if (a[base + (size_t)j * ax.inner] == o[r])
                    ga[base + (size_t)j * ax.inner] += d / (T)ties;
        } else {
            for (int j = 0; j < ax.n; j++)
                ga[base + (size_t)j * ax.inner] += d;
        }
    }
}

/* Sum or mean over everything: every element gets the same share. */
static void FN(spread_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    T *ga = x->out;
    const T d = (T)x->scale;
    for (int i = lo; i < hi; i++)
        ga[i] += d;
}

static void FN(reduce_bwd)(mg_top op, tensor_axis ax, const void *a, const void *o,
                           const int32_t *argmax, const void *g, void *ga)
{
    loop_args x = {.op = op, .ax = ax, .a = a, .o = o, .g = g, .out = ga,
                   .argmax = (int32_t *)argmax};
    const int outputs = ax.outer * ax.inner;
    if (outputs == 1 && op != MG_T_MAX) {
        T d = *(const T *)g;
        if (op == MG_T_MEAN)
            d /= (T)ax.n;
        x.scale = (double)d;
        mg_kernel_for(ax.n, 1.0, FN(spread_range), &x);
        return;
    }
    if (op != MG_T_MAX && ax.inner > 1)
        mg_kernel_for(ax.outer * ax.n, (double)ax.inner, FN(reduce_bwd_rows_range), &x);
    else
        mg_kernel_for(outputs, (double)ax.n, FN(reduce_bwd_range), &x);
}

/* ---- copies between layouts ---- */

/* Items are the first copied dim's indices (the copy's outermost dim of
 * size > 1): dst (strides ds) = or += src (strides ss) over dims. */
static void FN(copy_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const int *dims = x->dims, *ss = x->ss, *ds = x->ds;
    const T *src = x->a;
    T *dst = x->out;
    int lohi[MG_TENSOR_MAX_DIMS][2];
    for (int d = 0; d < MG_TENSOR_MAX_DIMS; d++) {
        lohi[d][0] = d == x->dim ? lo : 0;
        lohi[d][1] = d == x->dim ? hi : dims[d];
    }
    const int n3 = lohi[3][1] - lohi[3][0];
    for (int i0 = lohi[0][0]; i0 < lohi[0][1]; i0++)
        for (int i1 = lohi[1][0]; i1 < lohi[1][1]; i1++)
            for (int i2 = lohi[2][0]; i2 < lohi[2][1]; i2++) {
                size_t s = (size_t)i0 * ss[0] + (size_t)i1 * ss[1] + (size_t)i2 * ss[2]
                         + (size_t)lohi[3][0] * ss[3];
                size_t o = (size_t)i0 * ds[0] + (size_t)i1 * ds[1] + (size_t)i2 * ds[2]
                         + (size_t)lohi[3][0] * ds[3];
                const T *sp = src + s;
                T *op = dst + o;
                const int s3 = ss[3], d3 = ds[3];
                if (x->which && s3 == 1 && d3 == 1)
                    for (int i = 0; i < n3; i++) op[i] += sp[i];
                else if (x->which)
                    for (int i = 0; i < n3; i++) op[(size_t)i * d3] += sp[(size_t)i * s3];
                else if (s3 == 1 && d3 == 1)
                    for (int i = 0; i < n3; i++) op[i] = sp[i];
                else
                    for (int i = 0; i < n3; i++) op[(size_t)i * d3] = sp[(size_t)i * s3];
            }
}

static void FN(copy)(const int *dims, const int *ss, const int *ds, const void *src, void *dst,
                     int add)
{
    loop_args x = {.dims = dims, .ss = ss, .ds = ds, .a = src, .out = dst, .which = add};
    int total = 1;
    x.dim = MG_TENSOR_MAX_DIMS - 1;
    for (int d = MG_TENSOR_MAX_DIMS - 1; d >= 0; d--) {
        total *= dims[d];
        if (dims[d] > 1)
            x.dim = d;
    }
    if (total > 0)
        mg_kernel_for(dims[x.dim], (double)total / dims[x.dim], FN(copy_range), &x);
}

static void FN(gemm)(int ta, int tb, int M, int N, int K, const void *A, int lda, const void *B,
                     int ldb, double beta, void *C, int ldc)
{
    GEMM(ta, tb, M, N, K, (T)1, A, lda, B, ldb, (T)beta, C, ldc);
}

static void FN(gemm_bias)(int M, int N, int K, const void *A, const void *B, const void *bias,
                          void *C)
{
    GEMM_BIAS(M, N, K, A, K, B, N, bias, C, N);
}

static void FN(gemm_batch)(int ta, int tb, int M, int N, int K, const void *A, int lda,
                           long sa, const void *B, int ldb, long sb, double beta, void *C,
                           int ldc, long sc, int count)
{
    GEMM_BATCH(ta, tb, M, N, K, (T)1, A, lda, sa, B, ldb, sb, (T)beta, C, ldc, sc, count);
}

/* Whether the rows × cols matrix at p (rows ld apart) is 0 at every [x][y] with
 * y > x + d. Whole rows are read, the other entries masked out: whole vectors. */
static int FN(zero_above)(const T *p, int rows, int cols, int ld, int d)
{
    int nonzero = 0;
    for (int x = 0; x < rows && !nonzero; x++)
        for (int y = 0; y < cols; y++)
            nonzero |= (y > x + d) & (p[(long)x * ld + y] != 0);
    return !nonzero;
}

/* The last zero_above scan of a grid item and its answer: the scores' backward
 * scans one dS for dq and again for dk, the same test (upper part, offset 0). */
typedef struct FN(scan) {
    const T *p;
    int rows, cols, ld, d, zero;
} FN(scan);

static int FN(zero_above_once)(FN(scan) *last, const T *p, int rows, int cols, int ld, int d)
{
    if (last->p != p || last->rows != rows || last->cols != cols || last->ld != ld
        || last->d != d)
        *last = (FN(scan)){ p, rows, cols, ld, d, FN(zero_above)(p, rows, cols, ld, d) };
    return last->zero;
}

/* The zeros a product may skip in its A: the grid's, or for a_zeros_checked,
 * those only when A is found to hold them (op(A) zero above the diagonal
 * offset is A's upper part, and zero below it is Aᵀ's, so A's upper part too). */
static mg_gemm_zeros FN(grid_zeros)(const tensor_grid *gr, const T *a, FN(scan) *last)
{
    const mg_gemm_zeros z = gr->a_zeros, dense = { MG_GEMM_DENSE, 0 };
    if (!gr->a_zeros_checked || z.where == MG_GEMM_DENSE)
        return z;
    if (!gr->ta && z.where == MG_GEMM_ZERO_ABOVE)
        return FN(zero_above_once)(last, a, gr->M, gr->K, gr->lda, z.offset) ? z : dense;
    if (gr->ta && z.where == MG_GEMM_ZERO_BELOW)
        return FN(zero_above_once)(last, a, gr->K, gr->M, gr->lda, -z.offset) ? z : dense;
    return dense;
}

#include "tensor_grid_small.h"

/* Item i's matrix of one grid operand at base: item (i / inner, i % inner). */
static inline T *FN(grid_item)(const tensor_grid *gr, const void *base, long i, long outer_stride,
                               long inner_stride)
{
    return (T *)base + i / gr->inner * outer_stride + i % gr->inner * inner_stride;
}

/* Product i of the grid: the small path (tensor_grid_small.h), told item
 * `next`'s operands (-1: none, as the last of a range), or mg_sgemm. */
static void FN(grid_product)(const tensor_grid *gr, int small, long i, long next, FN(scan) *last)
{
    const T *a = FN(grid_item)(gr, gr->A, i, gr->a_outer, gr->a_inner);
    const T *b = FN(grid_item)(gr, gr->B, i, gr->b_outer, gr->b_inner);
    T *c = FN(grid_item)(gr, gr->C, i, gr->c_outer, gr->c_inner);
    const mg_gemm_zeros z = FN(grid_zeros)(gr, a, last);
    if (small)
        FN(grid_small_product)(gr, a, b, c, z,
                               next < 0 ? NULL : FN(grid_item)(gr, gr->A, next, gr->a_outer,
                                                               gr->a_inner),
                               next < 0 ? NULL : FN(grid_item)(gr, gr->B, next, gr->b_outer,
                                                               gr->b_inner));
    else
        GEMM_ZEROS(gr->ta, gr->tb, gr->M, gr->N, gr->K, (T)1, a, gr->lda, b, gr->ldb,
                   (T)gr->beta, c, gr->ldc, z.where, z.offset);
}

/* Items are (o, h), each running that product of every grid in turn, each
 * writing its own C: the products of one item share operands (dq = dS·k and
 * dk = dSᵀ·q both read dS), read once from memory and then from L1. Each
 * product asks for the next item's strided operands a few lines per tile
 * (grid_small_product); asking for them all at once, in a loop of their own
 * before Dec 3, made the products slower: it pushed the current item's out
 * of L1. */
static void FN(gemm_grid_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_grid *grids = x->grid;
    const int count = x->n;
    int small[2];
    for (int g = 0; g < count; g++)
        small[g] = FN(grid_small)(&grids[g]);
    FN(scan) last = { NULL, 0, 0, 0, 0, 0 };
    for (int i = lo; i < hi; i++)
        for (int g = 0; g < count; g++)
            FN(grid_product)(&grids[g], small[g], i, i + 1 < hi ? i + 1 : -1, &last);
}

/* count (1 or 2) grids of one outer × inner. */
static void FN(gemm_grids)(const tensor_grid *grids, int count)
{
    loop_args x = {.grid = grids, .n = count};
    double work = 0;
    for (int g = 0; g < count; g++)
        work += (double)grids[g].M * grids[g].N * grids[g].K / 4;
    mg_kernel_for(grids[0].outer * grids[0].inner, work, FN(gemm_grid_range), &x);
}

/* ---- softmax ---- */

/* Items are rows along the axis (outer × inner of them, row_base()). */

static inline T FN(causal_row_max)(const T *a, int live, T sc);

/* out = a − logsumexp(a), or exp of that (softmax), over each row. A contiguous
 * row's max by vectors (causal_row_max, same value), and log_softmax's sum of
 * exponentials as softmax's, vectorised (a libm exp per element made a GPT's
 * loss, [1024,96], cost ~0.5 ms a step). */
static void FN(softmax_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_axis ax = x->ax;
    const size_t st = (size_t)ax.inner;
    const T *a = x->a;
    T *o = x->out;
    for (int r = lo; r < hi; r++) {
        const size_t base = row_base(ax, r);
        T m = a[base];
        if (st == 1)
            m = FN(causal_row_max)(a + base, ax.n, (T)1);
        else
            for (int j = 1; j < ax.n; j++)
                m = a[base + j * st] > m ? a[base + j * st] : m;
        double s = 0.0;
        if (x->op == MG_T_SOFTMAX) {
            for (int j = 0; j < ax.n; j++)
                o[base + j * st] = EXP_SMOOTH(a[base + j * st] - m);
            MG_LANE_SUM(s, ax.n, j, o[base + j * st]);
            const T inv = (T)(1.0 / s);
            for (int j = 0; j < ax.n; j++)
                o[base + j * st] *= inv;
            continue;
        }
        MG_LANE_SUM(s, ax.n, j, EXP_SMOOTH(a[base + j * st] - m));
        const double lse = (double)m + log(s);
        if (st == 1) /* a contiguous row (a loss's logits): by vectors */
            for (int j = 0; j < ax.n; j++)
                o[base + j] = (T)(a[base + j] - lse);
        else
            for (int j = 0; j < ax.n; j++)
                o[base + j * st] = (T)(a[base + j * st] - lse);
    }
}

/* d/dx of log_softmax: g − softmax·Σg; of softmax: y·(g − Σ g·y). */
static void FN(softmax_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const tensor_axis ax = x->ax;
    const size_t st = (size_t)ax.inner;
    const T *o = x->o, *g = x->g;
    T *ga = x->out;
    const int acc = x->acc;
    for (int r = lo; r < hi; r++) {
        const size_t base = row_base(ax, r);
        double s = 0.0;
        if (x->op == MG_T_SOFTMAX) {
            MG_LANE_SUM(s, ax.n, j, g[base + j * st] * o[base + j * st]);
            const T ts = (T)s;
            PUT_EACH(j, 0, ax.n, ga[base + j * st], o[base + j * st] * (g[base + j * st] - ts));
            continue;
        }
        MG_LANE_SUM(s, ax.n, j, g[base + j * st]);
        const T ts = (T)s;
        PUT_EACH(j, 0, ax.n, ga[base + j * st], g[base + j * st] - EXP_SMOOTH(o[base + j * st]) * ts);
    }
}

static void FN(log_softmax_fwd)(tensor_axis ax, const void *a, void *out)
{
    loop_args x = {.op = MG_T_LOG_SOFTMAX, .ax = ax, .a = a, .out = out};
    mg_kernel_for(ax.outer * ax.inner, 24.0 * ax.n, FN(softmax_fwd_range), &x);
}

static void FN(log_softmax_bwd)(tensor_axis ax, const void *o, const void *g, void *ga, int acc)
{
    loop_args x = {.op = MG_T_LOG_SOFTMAX, .ax = ax, .o = o, .g = g, .out = ga, .acc = acc};
    mg_kernel_for(ax.outer * ax.inner, 24.0 * ax.n, FN(softmax_bwd_range), &x);
}

static void FN(softmax_fwd)(tensor_axis ax, const void *a, void *out)
{
    loop_args x = {.op = MG_T_SOFTMAX, .ax = ax, .a = a, .out = out};
    mg_kernel_for(ax.outer * ax.inner, 24.0 * ax.n, FN(softmax_fwd_range), &x);
}

static void FN(softmax_bwd)(tensor_axis ax, const void *o, const void *g, void *ga, int acc)
{
    loop_args x = {.op = MG_T_SOFTMAX, .ax = ax, .o = o, .g = g, .out = ga, .acc = acc};
    mg_kernel_for(ax.outer * ax.inner, 4.0 * ax.n, FN(softmax_bwd_range), &x);
}

/* Causal softmax: items are rows of cols, causal_count() of them taking part. */

/* A block of MG_LANES entries of T (one float AVX-512 vector, two double ones;
 * GCC vector extensions: two AVX2 registers, four SSE ones), its compare's mask,
 * and its halves and quarters. */
typedef T FN(block) __attribute__((vector_size(MG_LANES * sizeof(T))));
typedef __typeof__(_Generic((T)0, float: (int32_t)0, default: (int64_t)0)) FN(block_int);
typedef FN(block_int) FN(block_mask) __attribute__((vector_size(MG_LANES * sizeof(T))));
typedef T FN(half_block) __attribute__((vector_size(MG_LANES / 2 * sizeof(T))));
typedef FN(block_int) FN(half_mask) __attribute__((vector_size(MG_LANES / 2 * sizeof(T))));
typedef T FN(quarter_block) __attribute__((vector_size(MG_LANES / 4 * sizeof(T))));
typedef FN(block_int) FN(quarter_mask) __attribute__((vector_size(MG_LANES / 4 * sizeof(T))));
typedef double FN(f64x8) __attribute__((vector_size(64)));
_Static_assert(MG_LANES == 16, "the lane numbers below");

/* B > A ? B : A, lane by lane, for vectors A and B of type V with mask type M */
#define LANES_MAX(V, M, A, B) \
    ((V)((((M)(B)) & (M)((B) > (A))) | (((M)(A)) & ~(M)((B) > (A)))))

/* The largest of sc·a[j] for j < live (live >= 1), as `m = v > m ? v : m` from
 * m = sc·a[0] finds it: a NaN at a[0] is kept, any later one passed over. That
 * running max is a dependent scalar compare per entry (GCC vectorises no float
 * max reduction without -ffinite-math-only), the largest part of a GPT row's
 * forward. Here a vector of running maxima, each started at sc·a[0], takes
 * whole blocks, the last one ending at live and overlapping the one before (an
 * entry seen twice changes no max); then the lanes are merged, halves against
 * halves (16 -> 8 -> 4, then in turn: one chain of 15 scalar steps was a third
 * of a GPT row's time). The lanes are all NaN or none is, so the value is the
 * running max's whatever the order. */
static inline T FN(causal_row_max)(const T *a, int live, T sc)
{
    const T m0 = sc * a[0];
    if (live < MG_LANES) {
        T t = m0;
        for (int j = 1; j < live; j++)
            t = sc * a[j] > t ? sc * a[j] : t;
        return t;
    }
    FN(block) lane = (FN(block)){ 0 } + m0, v;
#define CAUSAL_MAX_BLOCK(p) \
    (memcpy(&v, (p), sizeof v), v *= sc, lane = LANES_MAX(FN(block), FN(block_mask), lane, v))
    int j0 = 0;
    for (; j0 + MG_LANES <= live; j0 += MG_LANES)
        CAUSAL_MAX_BLOCK(a + j0);
    if (j0 < live)
        CAUSAL_MAX_BLOCK(a + live - MG_LANES);
#undef CAUSAL_MAX_BLOCK
    const FN(half_block) h0 = __builtin_shufflevector(lane, lane, 0, 1, 2, 3, 4, 5, 6, 7);
    const FN(half_block) h1 = __builtin_shufflevector(lane, lane, 8, 9, 10, 11, 12, 13, 14, 15);
    const FN(half_block) h = LANES_MAX(FN(half_block), FN(half_mask), h0, h1);
    const FN(quarter_block) q0 = __builtin_shufflevector(h, h, 0, 1, 2, 3);
    const FN(quarter_block) q1 = __builtin_shufflevector(h, h, 4, 5, 6, 7);
    const FN(quarter_block) q = LANES_MAX(FN(quarter_block), FN(quarter_mask), q0, q1);
    T m = q[0];
    for (int l = 1; l < 4; l++)
        m = q[l] > m ? q[l] : m;
    return m;
}

/* The rest of a row goes by blocks: every block that holds live entries, those
 * past live masked (a NaN or an infinity there is selected away, never summed or
 * written), then whole zero blocks. The loops over live entries left scalar tails
 * (15 entries at worst, 32 live entries a row on average in a GPT) and a row cost
 * ~250 cycles. A block at the row's end is loaded and stored in part (cols not a
 * multiple of MG_LANES). The sums' lanes are MG_LANE_SUM's, added in its order, a
 * masked entry adding +0.0: the same values as the scalar loops, in float and
 * double. */

/* Macros, not functions, as a function's vector argument or result changes the
 * ABI in the builds without AVX-512 (GCC warns), and a vector whose address is
 * taken stays in memory. V = the N entries left in the row at P: all MG_LANES of
 * them, or the first N and zeros. */
#define BLOCK_LOAD(V, P, N)                                   \
    do {                                                      \
        if ((N) >= MG_LANES) {                                \
            memcpy(&(V), (P), sizeof(V));                     \
        } else {                                              \
            FN(block) part_ = { 0 };                          \
            memcpy(&part_, (P), (size_t)(N) * sizeof(T));     \
            (V) = part_;                                      \
        }                                                     \
    } while (0)
#define BLOCK_STORE(P, V, N)                                  \
    do {                                                      \
        const FN(block) whole_ = (V);                         \
        if ((N) >= MG_LANES)                                  \
            memcpy((P), &whole_, sizeof whole_);              \
        else                                                  \
            memcpy((P), &whole_, (size_t)(N) * sizeof(T));    \
    } while (0)
/* lane < N ? A : B, lane by lane */
#define BLOCK_KEEP(N) \
    ((FN(block_mask)){ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } < (FN(block_int))(N))
#define BLOCK_SELECT(N, A, B)                                   \
    ((FN(block))((((FN(block_mask))(A)) & BLOCK_KEEP(N))        \
                 | (((FN(block_mask))(B)) & ~BLOCK_KEEP(N))))
/* lanes L to L + 7 of V */
#define BLOCK_HALF(V, L)                                                                    \
    ((FN(half_block))__builtin_shufflevector((V), (V), (L), (L) + 1, (L) + 2, (L) + 3, (L) + 4, \
                                             (L) + 5, (L) + 6, (L) + 7))
/* LO, HI (lanes 0-7, 8-15 in double) += V */
#define BLOCK_ADD_LANES(LO, HI, V)                                           \
    do {                                                                     \
        const FN(block) add_ = (V);                                          \
        (LO) += WIDEN(BLOCK_HALF(add_, 0), FN(f64x8));                       \
        (HI) += WIDEN(BLOCK_HALF(add_, 8), FN(f64x8));                       \
    } while (0)

/* The sum of the lanes: in double, in MG_LANE_SUM's order (gradcheck's values
 * stay); in float, by halves (16 -> 8 -> 4 -> 2 -> 1) in registers, not 16
 * dependent adds. A float row's sum of exponentials in double is exact almost
 * always, so the order changes a result in its last bit at most, rarely. */
static inline double FN(lanes_total)(const FN(f64x8) *lo, const FN(f64x8) *hi)
{
    if (sizeof(T) == sizeof(double)) {
        double s = 0.0;
        for (int l = 0; l < 8; l++)
            s += (*lo)[l];
        for (int l = 0; l < 8; l++)
            s += (*hi)[l];
        return s;
    }
    typedef double f64x4 __attribute__((vector_size(32)));
    typedef double f64x2 __attribute__((vector_size(16)));
    const FN(f64x8) s8 = *lo + *hi;
    const f64x4 s4 = __builtin_shufflevector(s8, s8, 0, 1, 2, 3)
                     + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
    const f64x2 s2 = __builtin_shufflevector(s4, s4, 0, 1) + __builtin_shufflevector(s4, s4, 2, 3);
    return s2[0] + s2[1];
}

static inline void FN(causal_zero_blocks)(T *o, int j0, int cols)
{
    for (; j0 < cols; j0 += MG_LANES)
        BLOCK_STORE(o + j0, (FN(block)){ 0 }, cols - j0);
}

/* A row's exponentials e^(sc·a − m), 0 past live, into o's blocks up to live's;
 * returns their sum. */
static inline double FN(causal_exp_row)(const T *a, T *o, int live, int cols, T sc, T m)
{
    FN(f64x8) s_lo = { 0 }, s_hi = { 0 };
    FN(block) v;
    T e[MG_LANES]; /* a plain loop: EXP_NONPOS is scalar code */
#define CAUSAL_EXP_BLOCK(V)                       \
    do {                                          \
        memcpy(e, &(V), sizeof e);                \
        for (int l = 0; l < MG_LANES; l++)        \
            e[l] = EXP_NONPOS(sc * e[l] - m);     \
        memcpy(&(V), e, sizeof(V));               \
    } while (0)
    int j0 = 0;
    for (; j0 + MG_LANES <= live; j0 += MG_LANES) { /* whole blocks: no mask */
        memcpy(&v, a + j0, sizeof v);
        CAUSAL_EXP_BLOCK(v);
        memcpy(o + j0, &v, sizeof v);
        BLOCK_ADD_LANES(s_lo, s_hi, v);
    }
    if (j0 < live) {
        BLOCK_LOAD(v, a + j0, cols - j0);
        CAUSAL_EXP_BLOCK(v);
        v = BLOCK_SELECT(live - j0, v, (FN(block)){ 0 });
        BLOCK_STORE(o + j0, v, cols - j0);
        BLOCK_ADD_LANES(s_lo, s_hi, v);
    }
#undef CAUSAL_EXP_BLOCK
    return FN(lanes_total)(&s_lo, &s_hi);
}

/* Rows go in groups, each pass over the whole group before the next: a row's
 * passes are one chain of dependent steps (max, exponentials, their sum, a
 * division, the scaling), and rows taken one by one left the core waiting on it. */
#define CAUSAL_GROUP 16

static void FN(causal_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T sc = (T)x->scale;
    const int cols = x->cols;
    const FN(block) zero = { 0 };
    for (int r0 = lo; r0 < hi; r0 += CAUSAL_GROUP) {
        const int n = hi - r0 < CAUSAL_GROUP ? hi - r0 : CAUSAL_GROUP;
        int live[CAUSAL_GROUP];
        T m[CAUSAL_GROUP];
        double s[CAUSAL_GROUP];
        for (int k = 0; k < n; k++) {
            live[k] = causal_count(x, r0 + k);
            const T *a = (const T *)x->a + (size_t)(r0 + k) * cols;
            m[k] = live[k] > 0 ? FN(causal_row_max)(a, live[k], sc) : (T)0;
        }
        for (int k = 0; k < n; k++) {
            const size_t row = (size_t)(r0 + k) * cols;
            s[k] = FN(causal_exp_row)((const T *)x->a + row, (T *)x->out + row, live[k], cols, sc,
                                      m[k]);
        }
        for (int k = 0; k < n; k++) {
            T *o = (T *)x->out + (size_t)(r0 + k) * cols;
            const T inv = (T)(1.0 / s[k]);
            int j = 0;
            FN(block) v;
            for (; j + MG_LANES <= live[k]; j += MG_LANES) {
                memcpy(&v, o + j, sizeof v);
                v *= inv;
                memcpy(o + j, &v, sizeof v);
            }
            if (j < live[k]) { /* a NaN row's masked entries stay 0 */
                BLOCK_LOAD(v, o + j, cols - j);
                BLOCK_STORE(o + j, BLOCK_SELECT(live[k] - j, v * inv, zero), cols - j);
                j += MG_LANES;
            }
            FN(causal_zero_blocks)(o, j, cols);
        }
    }
}

/* Σ g·o over a row's live entries: whole blocks, then the last one masked */
static inline double FN(causal_dot_row)(const T *o, const T *g, int live, int cols)
{
    FN(f64x8) s_lo = { 0 }, s_hi = { 0 };
    FN(block) vo, vg;
#define CAUSAL_DOT_BLOCK()                                                           \
    do {                                                                             \
        if (sizeof(T) == sizeof(double)) { /* as MG_LANE_SUM's: a fused multiply-add */ \
            s_lo += WIDEN(BLOCK_HALF(vg, 0), FN(f64x8)) * WIDEN(BLOCK_HALF(vo, 0), FN(f64x8));   \
            s_hi += WIDEN(BLOCK_HALF(vg, 8), FN(f64x8)) * WIDEN(BLOCK_HALF(vo, 8), FN(f64x8));   \
        } else { /* the product rounded to float, as MG_LANE_SUM's */                \
            BLOCK_ADD_LANES(s_lo, s_hi, vg * vo);                                    \
        }                                                                            \
    } while (0)
    int j0 = 0;
    for (; j0 + MG_LANES <= live; j0 += MG_LANES) {
        memcpy(&vo, o + j0, sizeof vo);
        memcpy(&vg, g + j0, sizeof vg);
        CAUSAL_DOT_BLOCK();
    }
    if (j0 < live) {
        BLOCK_LOAD(vo, o + j0, cols - j0);
        BLOCK_LOAD(vg, g + j0, cols - j0);
        vg = BLOCK_SELECT(live - j0, vg, (FN(block)){ 0 }); /* o is 0 there, g may be NaN */
        CAUSAL_DOT_BLOCK();
    }
#undef CAUSAL_DOT_BLOCK
    return FN(lanes_total)(&s_lo, &s_hi);
}

/* A row's gradient: sc·o·(g − ts) on its live entries (into ga, or added to it),
 * whole blocks, then the last one masked; 0 past them when overwriting */
static inline void FN(causal_grad_row)(const T *o, const T *g, T *ga, int live, int cols,
                                       T sc, T ts, int acc)
{
    FN(block) vo, vg, v;
    /* N entries of the block at J take part; acc tested per block, not per lane
     * (PUT_EACH says why) */
#define CAUSAL_GRAD_BLOCK(J, N)                                                \
    do {                                                                       \
        if (acc) {                                                             \
            BLOCK_LOAD(v, ga + (J), cols - (J));                               \
            v = BLOCK_SELECT(N, v + sc * vo * (vg - ts), v);                   \
        } else {                                                               \
            v = BLOCK_SELECT(N, sc * vo * (vg - ts), (FN(block)){ 0 });        \
        }                                                                      \
        BLOCK_STORE(ga + (J), v, cols - (J));                                  \
    } while (0)
    int j = 0;
    for (; j + MG_LANES <= live; j += MG_LANES) {
        memcpy(&vo, o + j, sizeof vo);
        memcpy(&vg, g + j, sizeof vg);
        CAUSAL_GRAD_BLOCK(j, MG_LANES);
    }
    if (j < live) {
        BLOCK_LOAD(vo, o + j, cols - j);
        BLOCK_LOAD(vg, g + j, cols - j);
        CAUSAL_GRAD_BLOCK(j, live - j);
        j += MG_LANES;
    }
#undef CAUSAL_GRAD_BLOCK
    if (!acc)
        FN(causal_zero_blocks)(ga, j, cols); /* masked: no gradient */
}

static void FN(causal_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T sc = (T)x->scale;
    const int cols = x->cols;
    for (int r0 = lo; r0 < hi; r0 += CAUSAL_GROUP) {
        const int n = hi - r0 < CAUSAL_GROUP ? hi - r0 : CAUSAL_GROUP;
        int live[CAUSAL_GROUP];
        T ts[CAUSAL_GROUP];
        for (int k = 0; k < n; k++) {
            const size_t row = (size_t)(r0 + k) * cols;
            live[k] = causal_count(x, r0 + k);
            ts[k] = (T)FN(causal_dot_row)((const T *)x->o + row, (const T *)x->g + row, live[k],
                                          cols);
        }
        for (int k = 0; k < n; k++) {
            const size_t row = (size_t)(r0 + k) * cols;
            FN(causal_grad_row)((const T *)x->o + row, (const T *)x->g + row, (T *)x->out + row,
                                live[k], cols, sc, ts[k], x->acc);
        }
    }
}

static void FN(causal_softmax_fwd)(int rows, int cols, int tq, int offset, double scale,
                                   const void *a, void *out)
{
    loop_args x = {.cols = cols, .tq = tq, .offset = offset, .scale = scale, .a = a, .out = out};
    mg_kernel_for(rows, 24.0 * cols, FN(causal_fwd_range), &x);
}

static void FN(causal_softmax_bwd)(int rows, int cols, int tq, int offset, double scale,
                                   const void *o, const void *g, void *ga, int acc)
{
    loop_args x = {.cols = cols, .tq = tq, .offset = offset, .scale = scale, .o = o, .g = g,
                   .out = ga, .acc = acc};
    mg_kernel_for(rows, 4.0 * cols, FN(causal_bwd_range), &x);
}

/* ---- layer norm over rows of cols: y = (x − mean)·rstd·gamma + beta ---- */

/* Rows go in groups of LN_GROUP, the sums of the whole group first: a row's sums
 * are a chain of dependent steps (its sums, their merge, a division and a square
 * root) that rows taken one by one left the core waiting on (as a causal
 * softmax's rows). */
#define LN_GROUP 8

/* A row's mean and rstd = 1/sqrt(variance + eps) in one pass, the sums in
 * MG_LANE_SUM's lanes by blocks, merged as lanes_total merges them: Σx
 * (in float its merge by halves changes the mean in its last bit at most, rarely:
 * a float row's sum is exact in double almost always), and Σ(x − c)², c = x[0],
 * whence n·variance = Σ(x − c)² − (Σx − n·c)²/n. Shifted by a member of the row,
 * the cancellation costs at most a factor n (Samuelson: (x[0] − mean)² <= (n −
 * 1)·variance), ~1e-14 relative for a 128-wide row in double: rstd differs from
 * the two-pass formula's in the last bits of the double (the stats kept for the
 * backward), its float rounding almost never. A second pass over the squared
 * distances to the mean, after a merge, and MG_LANE_SUM's two chains of 15
 * dependent adds (with the scalar moves to feed them) took a GPT's layer norm
 * forward 1.5x as long. */
static inline void FN(layer_norm_stats)(const T *a, int cols, double eps, double *mean,
                                        double *rstd)
{
    typedef int64_t i64x8 __attribute__((vector_size(64)));
    FN(f64x8) s_lo = { 0 }, s_hi = { 0 }, q_lo = { 0 }, q_hi = { 0 };
    const double c = a[0];
    FN(block) v;
    for (int j = 0; j < cols; j += MG_LANES) {
        if (j + MG_LANES <= cols)
            memcpy(&v, a + j, sizeof v);
        else
            BLOCK_LOAD(v, a + j, cols - j);
        const FN(f64x8) w_lo = WIDEN(BLOCK_HALF(v, 0), FN(f64x8));
        const FN(f64x8) w_hi = WIDEN(BLOCK_HALF(v, 8), FN(f64x8));
        s_lo += w_lo;
        s_hi += w_hi;
        FN(f64x8) d_lo = w_lo - c, d_hi = w_hi - c;
        if (cols - j < MG_LANES) { /* lanes past the row add nothing */
            const i64x8 lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
            d_lo = (FN(f64x8))((i64x8)d_lo & (lane < cols - j));
            d_hi = (FN(f64x8))((i64x8)d_hi & (lane + 8 < cols - j));
        }
        q_lo += d_lo * d_lo;
        q_hi += d_hi * d_hi;
    }
    const double s = FN(lanes_total)(&s_lo, &s_hi), d = s - c * cols;
    const double q = FN(lanes_total)(&q_lo, &q_hi);
    double n_var = q - d * d / cols;
    *mean = s / cols;
    /* Where most of Σ(x − c)² is (Σx − n·c)²/n, the difference has lost its digits
     * (a row equal but for its last bits: with eps 0 it came out 0 or negative, and
     * rstd inf or NaN); then the second pass, over the distances to the mean. */
    if (!(n_var > 1e-6 * q)) {
        n_var = 0.0;
        for (int j = 0; j < cols; j++)
            n_var += ((double)a[j] - *mean) * ((double)a[j] - *mean);
    }
    *rstd = 1.0 / sqrt(n_var / cols + eps);
}

/* Row r's output from its stats */
static inline void FN(layer_norm_row)(const loop_args *x, int r)
{
    const T *gamma = x->w, *beta = x->b;
    const T *a = (const T *)x->a + (size_t)r * x->cols;
    T *o = (T *)x->out + (size_t)r * x->cols;
    const T tm = (T)x->stats[2 * r], tr = (T)x->stats[2 * r + 1];
#ifdef ROUNDED
    /* With both params, in one pass by blocks: the product rounded (ROUNDED) before
     * beta is added, the bits of the two loops below. A GPT's [1024, 128] norm took
     * 9-17% less time with its rows in cache (Zen4, 45.5 -> 40.3 us; the same from
     * memory), the second pass's loads and stores gone. */
    if (gamma && beta) {
        FN(block) va, vg, vb, v;
        for (int j = 0; j < x->cols; j += MG_LANES) {
            const int n = x->cols - j;
            BLOCK_LOAD(va, a + j, n);
            BLOCK_LOAD(vg, gamma + j, n);
            BLOCK_LOAD(vb, beta + j, n);
            v = (va - tm) * tr * vg;
            ROUNDED(v);
            BLOCK_STORE(o + j, v + vb, n);
        }
        return;
    }
#endif
    if (gamma)
        for (int j = 0; j < x->cols; j++)
            o[j] = (a[j] - tm) * tr * gamma[j];
    else
        for (int j = 0; j < x->cols; j++)
            o[j] = (a[j] - tm) * tr;
    /* beta added to the stored product, in a loop of its own (the row is in
     * L1): in the product's loop -ffp-contract=fast fuses the two into one
     * FMA, rounded once, which gives other bits than a + node after the norm */
    if (beta)
        for (int j = 0; j < x->cols; j++)
            o[j] += beta[j];
}

static void FN(layer_norm_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    for (int r0 = lo; r0 < hi; r0 += LN_GROUP) {
        const int r1 = r0 + LN_GROUP < hi ? r0 + LN_GROUP : hi;
        for (int r = r0; r < r1; r++)
            FN(layer_norm_stats)((const T *)x->a + (size_t)r * x->cols, x->cols, x->eps,
                                 &x->stats[2 * r], &x->stats[2 * r + 1]);
        for (int r = r0; r < r1; r++)
            FN(layer_norm_row)(x, r);
    }
}

static void FN(layer_norm_fwd)(int rows, int cols, double eps, const void *a, const void *gamma,
                               const void *beta, void *out, double *stats)
{
    loop_args x = {.cols = cols, .eps = eps, .a = a, .w = gamma, .b = beta, .out = out,
                   .stats = stats};
    mg_kernel_for(rows, 6.0 * cols, FN(layer_norm_fwd_range), &x);
}

/* dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = g·gamma. */

/* Row r's mean(dxhat) and mean(dxhat·xhat): MG_LANE_SUM's lanes by blocks,
 * merged as lanes_total merges them (their two chains of 15 dependent
 * adds, with the scalar moves to feed them, were a third of the backward) */
static inline void FN(layer_norm_dx_means)(const loop_args *x, int r, T *md, T *mdx)
{
    const int cols = x->cols;
    const T *gamma = x->w;
    const T *a = (const T *)x->a + (size_t)r * cols, *g = (const T *)x->g + (size_t)r * cols;
    const T mean = (T)x->stats[2 * r], rstd = (T)x->stats[2 * r + 1];
    FN(f64x8) d_lo = { 0 }, d_hi = { 0 }, e_lo = { 0 }, e_hi = { 0 };
    FN(block) va, vg, vw;
    for (int j = 0; j < cols; j += MG_LANES) {
        if (j + MG_LANES <= cols) {
            memcpy(&va, a + j, sizeof va);
            memcpy(&vg, g + j, sizeof vg);
            if (gamma)
                memcpy(&vw, gamma + j, sizeof vw);
        } else {
            BLOCK_LOAD(va, a + j, cols - j);
            BLOCK_LOAD(vg, g + j, cols - j);
            if (gamma)
                BLOCK_LOAD(vw, gamma + j, cols - j);
        }
        FN(block) vd = gamma ? vg * vw : vg, vdx = vd * (va - mean) * rstd;
        if (j + MG_LANES > cols) { /* lanes past the row add nothing */
            vd = BLOCK_SELECT(cols - j, vd, (FN(block)){ 0 });
            vdx = BLOCK_SELECT(cols - j, vdx, (FN(block)){ 0 });
        }
        BLOCK_ADD_LANES(d_lo, d_hi, vd);
        BLOCK_ADD_LANES(e_lo, e_hi, vdx);
    }
    *md = (T)(FN(lanes_total)(&d_lo, &d_hi) / cols);
    *mdx = (T)(FN(lanes_total)(&e_lo, &e_hi) / cols);
}

/* Row r's ga = base + dx: adding in place (base == ga), from a lent gradient, or
 * overwriting (base NULL) */
static inline void FN(layer_norm_dx_row)(const loop_args *x, int r, T md, T mdx)
{
    const T *gamma = x->w;
    const T *a = (const T *)x->a + (size_t)r * x->cols;
    const T *g = (const T *)x->g + (size_t)r * x->cols;
    T *ga = (T *)x->out + (size_t)r * x->cols;
    const T mean = (T)x->stats[2 * r], rstd = (T)x->stats[2 * r + 1];
    const T *base = x->o ? (const T *)x->o + (size_t)r * x->cols : NULL;
#define LN_DX(G) (rstd * ((G) - md - (a[j] - mean) * rstd * mdx))
    if (base == ga && gamma)
        for (int j = 0; j < x->cols; j++) ga[j] += LN_DX(g[j] * gamma[j]);
    else if (base == ga)
        for (int j = 0; j < x->cols; j++) ga[j] += LN_DX(g[j]);
    else if (base && gamma)
        for (int j = 0; j < x->cols; j++) ga[j] = base[j] + LN_DX(g[j] * gamma[j]);
    else if (base)
        for (int j = 0; j < x->cols; j++) ga[j] = base[j] + LN_DX(g[j]);
    else if (gamma)
        for (int j = 0; j < x->cols; j++) ga[j] = LN_DX(g[j] * gamma[j]);
    else
        for (int j = 0; j < x->cols; j++) ga[j] = LN_DX(g[j]);
#undef LN_DX
}

static void FN(layer_norm_bwd_x_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    for (int r0 = lo; r0 < hi; r0 += LN_GROUP) {
        const int r1 = r0 + LN_GROUP < hi ? r0 + LN_GROUP : hi;
        T md[LN_GROUP], mdx[LN_GROUP];
        for (int r = r0; r < r1; r++)
            FN(layer_norm_dx_means)(x, r, &md[r - r0], &mdx[r - r0]);
        for (int r = r0; r < r1; r++)
            FN(layer_norm_dx_row)(x, r, md[r - r0], mdx[r - r0]);
    }
}

static void FN(layer_norm_bwd_x)(int rows, int cols, const void *a, const void *gamma,
                                 const double *stats, const void *g, void *ga, const void *base)
{
    loop_args x = {.cols = cols, .a = a, .w = gamma, .g = g, .o = base, .out = ga,
                   .stats = (double *)stats};
    mg_kernel_for(rows, 8.0 * cols, FN(layer_norm_bwd_x_range), &x);
}

/* Row r's terms of columns [j0, j1) added into pg (dgamma's) and pb (dbeta's),
 * each indexed from j0 and skipped when NULL. */
static inline void FN(layer_norm_params_row)(const loop_args *x, int r, int j0, int j1,
                                             double *pg, T *pb)
{
    const T *a = (const T *)x->a + (size_t)r * x->cols;
    const T *g = (const T *)x->g + (size_t)r * x->cols;
    const double mean = x->stats[2 * r], rstd = x->stats[2 * r + 1];
    if (pg)
        for (int j = j0; j < j1; j++)
            pg[j - j0] += (double)g[j] * (((double)a[j] - mean) * rstd);
    if (pb)
        for (int j = j0; j < j1; j++)
            pb[j - j0] += g[j];
}

/* Blocks [lo, hi) of rows: block k's sums into partial rows k (dgamma's in
 * x->partial, dbeta's in x->rows), dbeta's from -0. */
static void FN(layer_norm_params_blocks_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    for (int k = lo; k < hi; k++) {
        double *pg = x->out ? x->partial + (size_t)k * x->cols : NULL;
        T *pb = x->out2 ? (T *)x->rows + (size_t)k * x->cols : NULL;
        for (int j = 0; pg && j < x->cols; j++)
            pg[j] = 0.0;
        for (int j = 0; pb && j < x->cols; j++)
            pb[j] = (T)-0.0;
        const int r1 = (k + 1) * x->block < x->n ? (k + 1) * x->block : x->n;
        for (int r = k * x->block; r < r1; r++)
            FN(layer_norm_params_row)(x, r, 0, x->cols, pg, pb);
    }
}

/* Columns [lo, hi), a tile at a time, every row in order. */
static void FN(layer_norm_params_cols_range)(void *ctx, int lo, int hi)
{
    enum { TILE = 256 };
    const loop_args *x = ctx;
    T *gg = x->out, *gb = x->out2;
    for (int c0 = lo; c0 < hi; c0 += TILE) {
        const int c1 = c0 + TILE < hi ? c0 + TILE : hi;
        double acc[TILE] = {0};
        T part[TILE];
        for (int j = c0; gb && j < c1; j++)
            part[j - c0] = x->acc ? gb[j] : (T)-0.0;
        for (int r = 0; r < x->n; r++)
            FN(layer_norm_params_row)(x, r, c0, c1, gg ? acc : NULL, gb ? part : NULL);
        for (int j = c0; gg && j < c1; j++)
            gg[j] += (T)acc[j - c0];
        for (int j = c0; gb && j < c1; j++)
            gb[j] = part[j - c0];
    }
}

/* Gamma's and beta's gradients in one pass over dy: dgamma[j] =
 * Σ_r g[r][j]·xhat[r][j] in double, added into dgamma; dbeta[j] = Σ_r g[r][j]
 * summed as binary_bwd sums a + node's broadcast bias, so a fused beta gets the
 * bits of + beta after the norm. Either output may be NULL; they are not one
 * buffer. From 128 rows on (colsum_split), by fixed blocks of rows on the pool,
 * each into partial rows of its own, then added in block order: dbeta's partial
 * in T, as colsum's, and the blocks' sums in double. Below that (or out of
 * memory for the partial rows: other bits) by columns, rows in order: dbeta in
 * T into itself (acc) or from -0, the sum's identity (overwriting).
 * Cut by columns, as dgamma was, two threads were slower than one: each of 8
 * ranges walked every row for 16 columns. */
static void FN(layer_norm_bwd_params)(int rows, int cols, const void *a, const double *stats,
                                      const void *g, void *ggamma, void *gbeta, int beta_acc)
{
    loop_args x = {.n = rows, .cols = cols, .a = a, .g = g, .out = ggamma, .out2 = gbeta,
                   .acc = beta_acc, .stats = (double *)stats};
    const double cost = ((ggamma ? 4.0 : 0.0) + (gbeta ? 1.0 : 0.0)) * cols;
    const int blocks = colsum_split(rows, cols, &x.block);
    char *ws = blocks ? mg_kernel_workspace((sizeof(double) + sizeof(T)) * blocks * cols) : NULL;
    if (!ws) {
        mg_kernel_for(cols, cost / cols * rows, FN(layer_norm_params_cols_range), &x);
        return;
    }
    x.partial = (double *)ws;
    x.rows = ws + sizeof(double) * blocks * cols;
    mg_kernel_for(blocks, cost * x.block, FN(layer_norm_params_blocks_range), &x);
    T *gg = ggamma, *gb = gbeta;
    const T *pb = x.rows;
    for (int c0 = 0; c0 < cols; c0 += 64) { /* the blocks in order, in double */
        const int n = cols - c0 < 64 ? cols - c0 : 64;
        double sg[64] = {0}, sb[64] = {0};
        for (int k = 0; k < blocks; k++) {
            const double *pgk = x.partial + (size_t)k * cols + c0;
            const T *pbk = pb + (size_t)k * cols + c0;
            for (int c = 0; gg && c < n; c++)
                sg[c] += pgk[c];
            for (int c = 0; gb && c < n; c++)
                sb[c] += pbk[c];
        }
        for (int c = 0; gg && c < n; c++)
            gg[c0 + c] += (T)sg[c];
        for (int c = 0; gb && c < n; c++)
            gb[c0 + c] = beta_acc ? gb[c0 + c] + (T)sb[c] : (T)sb[c];
    }
}

#undef BLOCK_LOAD
#undef BLOCK_STORE
#undef BLOCK_KEEP
#undef BLOCK_SELECT
#undef BLOCK_HALF
#undef BLOCK_ADD_LANES
#undef CAUSAL_GROUP
#undef LN_GROUP

/* ---- embedding: out row i = weight row ids[i] ---- */

static void FN(embedding_fwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *w = x->w;
    T *o = x->out;
    for (int i = lo; i < hi; i++)
        memcpy(o + (size_t)i * x->cols, w + (size_t)x->ids[i] * x->cols,
               sizeof(T) * (size_t)x->cols);
}

static void FN(embedding_fwd)(int count, int cols, const int32_t *ids, const void *w, void *out)
{
    loop_args x = {.cols = cols, .ids = ids, .w = w, .out = out};
    mg_kernel_for(count, (double)cols, FN(embedding_fwd_range), &x);
}

/* Items are weight rows: each range scans every id and adds the gradients of
 * its own rows, whole rows at a time, so ids that repeat add into their row in
 * id order, whatever the cut. (Cut into column bands, every thread walked every
 * gradient row a cache line at a time.) */
static void FN(embedding_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *g = x->g;
    T *gw = x->out;
    for (int i = 0; i < x->n; i++) {
        const int id = x->ids[i];
        if (id < lo || id >= hi)
            continue;
        const T *gi = g + (size_t)i * x->cols;
        T *wi = gw + (size_t)id * x->cols;
        for (int j = 0; j < x->cols; j++)
            wi[j] += gi[j];
    }
}

static void FN(embedding_bwd)(int count, int cols, const int32_t *ids, const void *g, void *gw)
{
    loop_args x = {.n = count, .cols = cols, .ids = ids, .g = g, .out = gw};
    int rows = 0; /* the weight rows the ids reach */
    for (int i = 0; i < count; i++)
        rows = ids[i] >= rows ? ids[i] + 1 : rows;
    mg_kernel_for(rows, (double)count * cols / (rows ? rows : 1), FN(embedding_bwd_range), &x);
}

/* ---- dropout: element i kept when its hash of (seed, i) clears p ---- */

static void FN(dropout_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a;
    T *o = x->out;
    const T sc = (T)x->scale;
    for (int i = lo; i < hi; i++) {
        const T kept = dropout_keeps(x->seed, x->k, i) ? sc * a[i] : (T)0;
        if (x->which) /* backward: add */
            o[i] += kept;
        else
            o[i] = kept;
    }
}

/* scale = 1/(1 − p); backward passes g through the same elements. */
static void FN(dropout)(int n, double p, uint64_t seed, int add, const void *a, void *out)
{
    loop_args x = {.k = p, .seed = seed, .which = add, .a = a, .out = out,
                   .scale = p < 1.0 ? 1.0 / (1.0 - p) : 0.0};
    mg_kernel_for(n, 8.0, FN(dropout_range), &x);
}

/* ---- losses ---- */

static double FN(nll_fwd)(int rows, int classes, const void *vlogp, const int32_t *labels)
{
    const T *logp = vlogp;
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        s -= logp[(size_t)i * classes + labels[i]];
    return s / rows;
}

static void FN(nll_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T sc = (T)x->scale;
    for (int i = lo; i < hi; i++) {
        const T *lp = (const T *)x->o + (size_t)i * x->cols;
        T *gi = (T *)x->out + (size_t)i * x->cols;
        const int acc = x->acc;
        PUT_EACH(j, 0, x->cols, gi[j], sc * EXP_SMOOTH(lp[j]));
        gi[x->ids[i]] -= sc;
    }
}

static void FN(nll_bwd)(int rows, int classes, const void *logp, const int32_t *labels,
                        double scale, void *ga, int acc)
{
    loop_args x = {.cols = classes, .o = logp, .ids = labels, .scale = scale, .out = ga,
                   .acc = acc};
    mg_kernel_for(rows, 20.0 * classes, FN(nll_bwd_range), &x);
}

/* Block k of a pair loss's sum. */
static void FN(pair_loss_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a, *b = x->b;
    for (int k = lo; k < hi; k++) {
        const int from = k * x->block, to = from + x->block < x->n ? from + x->block : x->n;
        double s = 0.0;
        if (x->op == MG_T_MSE) {
            for (int i = from; i < to; i++) {
                T d = a[i] - b[i];
                s += d * d;
            }
        } else {
            for (int i = from; i < to; i++)
                s += (a[i] > 0 ? a[i] : (T)0) - a[i] * b[i] + log1p(exp(-fabs(a[i])));
        }
        x->partial[k] = s;
    }
}

static double FN(pair_loss_fwd)(mg_top op, int n, const void *a, const void *b)
{
    double partial[SUM_BLOCKS];
    loop_args x = {.op = op, .n = n, .a = a, .b = b, .partial = partial};
    const int blocks = sum_blocks(n, &x.block);
    mg_kernel_for(blocks, (op == MG_T_MSE ? 2.0 : 40.0) * x.block, FN(pair_loss_range), &x);
    double s = 0.0;
    for (int k = 0; k < blocks; k++)
        s += partial[k];
    return s;
}

static void FN(pair_loss_bwd_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a, *b = x->b;
    T *gp = x->out;
    const T sc = (T)x->scale;
    if (x->op == MG_T_MSE) {
        const T s2 = x->which == 0 ? (T)2 * sc : (T)-2 * sc;
        for (int i = lo; i < hi; i++)
            gp[i] += s2 * (a[i] - b[i]);
    } else if (x->which == 0) {
        for (int i = lo; i < hi; i++)
            gp[i] += sc * (FN(sigmoid)(a[i]) - b[i]);
    } else {
        for (int i = lo; i < hi; i++)
            gp[i] -= sc * a[i];
    }
}

static void FN(pair_loss_bwd)(mg_top op, int which, int n, const void *a, const void *b,
                              double scale, void *gp)
{
    loop_args x = {.op = op, .which = which, .a = a, .b = b, .scale = scale, .out = gp};
    mg_kernel_for(n, op == MG_T_MSE ? 2.0 : 20.0, FN(pair_loss_bwd_range), &x);
}

/* ---- optimiser helpers ---- */

static void FN(add_scaled_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    AXPY(hi - lo, (T)x->scale, (const T *)x->a + lo, (T *)x->out + lo);
}

static void FN(add_scaled)(int n, double s, const void *src, void *dst)
{
    loop_args x = {.scale = s, .a = src, .out = dst};
    mg_kernel_for(n, 1.0, FN(add_scaled_range), &x);
}

static void FN(scale_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    SCAL(hi - lo, (T)x->scale, (T *)x->out + lo);
}

static void FN(scale)(int n, double s, void *x)
{
    loop_args args = {.scale = s, .out = x};
    mg_kernel_for(n, 1.0, FN(scale_range), &args);
}

/* Block k of Σ x², in 32 double lanes: with DOT's 16 (two AVX-512 chains of
 * dependent FMAs) clipping's norm over a GPT's 0.8 M grads took 58-61 us from L2,
 * with 32 37-40 us (64: 41-44). */
static void FN(sum_squares_range)(void *ctx, int lo, int hi)
{
    const loop_args *x = ctx;
    const T *a = x->a;
    for (int k = lo; k < hi; k++) {
        const int from = k * x->block, to = from + x->block < x->n ? from + x->block : x->n;
        MG_LANE_SUM_N(32, x->partial[k], to - from, i, (double)a[from + i] * a[from + i]);
    }
}

static double FN(sum_squares)(int n, const void *a)
{
    double partial[SUM_BLOCKS];
    loop_args x = {.n = n, .a = a, .partial = partial};
    const int blocks = sum_blocks(n, &x.block);
    mg_kernel_for(blocks, 2.0 * x.block, FN(sum_squares_range), &x);
    double s = 0.0;
    for (int k = 0; k < blocks; k++)
        s += partial[k];
    return s;
}

static void FN(sgd_loop)(int n, T tlr, T tm, T twd, T *restrict p, const T *restrict g,
                         T *restrict v)
{
    if (!v) {
        for (int i = 0; i < n; i++)
            p[i] -= tlr * (g[i] + twd * p[i]);
        return;
    }
    for (int i = 0; i < n; i++) {
        v[i] = FLUSH(tm * v[i] + (g[i] + twd * p[i]));
        p[i] -= tlr * v[i];
    }
}

/* Adam as PyTorch's: with L2 decay added to the gradient, or (decoupled,
 * AdamW) the weights shrunk by lr·wd before the step. With zero, each grad is
 * set to 0 once read: the same arithmetic, one more store. */
static void FN(adam_loop)(int n, T tb1, T tb2, T twd, T shrink, T step, T root_c2, T teps,
                          T *restrict p, T *restrict g, T *restrict m, T *restrict v, int zero)
{
#define ADAM_ELEMENT(i)                                                       \
    T d = g[i] + twd * p[i];                                                  \
    m[i] = FLUSH(tb1 * m[i] + ((T)1 - tb1) * d);                              \
    v[i] = FLUSH(tb2 * v[i] + ((T)1 - tb2) * d * d);                          \
    p[i] = p[i] * shrink - step * m[i] / (sqrt(v[i]) / root_c2 + teps)
    if (zero)
        for (int i = 0; i < n; i++) {
            ADAM_ELEMENT(i);
            g[i] = 0;
        }
    else
        for (int i = 0; i < n; i++) {
            ADAM_ELEMENT(i);
        }
#undef ADAM_ELEMENT
}

/* A block of clipped grads: g's elements times the clipping factor into
 * `scaled`, g cleared as it is read when gr->zero. A separate loop whose
 * products are stored: inside the step's loop, -ffp-contract=fast would fuse
 * g·scale into the step's adds, and the bits would differ from scale() then
 * the step. */
static T *FN(scale_grads)(const optim_grads *gr, int n, T *restrict g, T *restrict scaled)
{
    const T s = (T)gr->scale;
    if (gr->zero)
        for (int i = 0; i < n; i++) {
            scaled[i] = g[i] * s;
            g[i] = 0;
        }
    else
        for (int i = 0; i < n; i++)
            scaled[i] = g[i] * s;
    return scaled;
}

/* Clipped steps go in blocks of OPTIM_BLOCK elements, each block's scaled
 * grads in L1 scratch. */
#define OPTIM_BLOCKS(n, lo, k)                                                   \
    for (int lo = 0, k = (n) < OPTIM_BLOCK ? (n) : OPTIM_BLOCK; lo < (n);        \
         lo += k, k = (n) - lo < OPTIM_BLOCK ? (n) - lo : OPTIM_BLOCK)

static void FN(sgd)(int n, double lr, double momentum, double wd, const optim_grads *gr,
                    void *vp, void *vg, void *vv)
{
    T *p = vp, *g = vg, *v = vv;
    const T tlr = (T)lr, tm = (T)momentum, twd = (T)wd;
    if (!gr->scaled) {
        FN(sgd_loop)(n, tlr, tm, twd, p, g, v);
        if (gr->zero)
            memset(g, 0, (size_t)n * sizeof *g);
        return;
    }
    T scaled[OPTIM_BLOCK];
    OPTIM_BLOCKS(n, lo, k)
        FN(sgd_loop)(k, tlr, tm, twd, p + lo, FN(scale_grads)(gr, k, g + lo, scaled),
                     v ? v + lo : NULL);
}

static void FN(adam)(int n, double lr, double b1, double b2, double eps, double wd,
                     int decoupled, double c1, double c2, const optim_grads *gr, void *vp,
                     void *vg, void *vm, void *vv)
{
    T *p = vp, *g = vg, *m = vm, *v = vv;
    const T tb1 = (T)b1, tb2 = (T)b2, teps = (T)eps;
    const T twd = decoupled ? (T)0 : (T)wd, shrink = decoupled ? (T)(1.0 - lr * wd) : (T)1;
    const T step = (T)(lr / c1), root_c2 = (T)sqrt(c2);
    if (!gr->scaled) {
        FN(adam_loop)(n, tb1, tb2, twd, shrink, step, root_c2, teps, p, g, m, v, gr->zero);
        return;
    }
    T scaled[OPTIM_BLOCK];
    OPTIM_BLOCKS(n, lo, k)
        FN(adam_loop)(k, tb1, tb2, twd, shrink, step, root_c2, teps, p + lo,
                      FN(scale_grads)(gr, k, g + lo, scaled), m + lo, v + lo, 0);
}

#undef OPTIM_BLOCKS

const tensor_loops FN(tensor_loops) = {
    .binary_fwd = FN(binary_fwd),
    .binary_bwd = FN(binary_bwd),
    .unary_fwd = FN(unary_fwd),
    .unary_bwd = FN(unary_bwd),
    .reduce_fwd = FN(reduce_fwd),
    .reduce_bwd = FN(reduce_bwd),
    .copy = FN(copy),
    .gemm = FN(gemm),
    .gemm_bias = FN(gemm_bias),
    .gemm_batch = FN(gemm_batch),
    .gemm_grids = FN(gemm_grids),
    .log_softmax_fwd = FN(log_softmax_fwd),
    .log_softmax_bwd = FN(log_softmax_bwd),
    .softmax_fwd = FN(softmax_fwd),
    .softmax_bwd = FN(softmax_bwd),
    .causal_softmax_fwd = FN(causal_softmax_fwd),
    .causal_softmax_bwd = FN(causal_softmax_bwd),
    .layer_norm_fwd = FN(layer_norm_fwd),
    .layer_norm_bwd_x = FN(layer_norm_bwd_x),
    .layer_norm_bwd_params = FN(layer_norm_bwd_params),
    .embedding_fwd = FN(embedding_fwd),
    .embedding_bwd = FN(embedding_bwd),
    .dropout = FN(dropout),
    .nll_fwd = FN(nll_fwd),
    .nll_bwd = FN(nll_bwd),
    .pair_loss_fwd = FN(pair_loss_fwd),
    .pair_loss_bwd = FN(pair_loss_bwd),
    .add_scaled = FN(add_scaled),
    .scale = FN(scale),
    .sum_squares = FN(sum_squares),
    .sgd = FN(sgd),
    .adam = FN(adam),
};

#undef FLUSH
#undef PUT_EACH
#undef PUT_ELEMENTS
#undef FN
#undef CAT
#undef CAT2
#undef BCAST_BOX
#undef BCAST_INNER
#undef ELEMENTS
#undef REDUCE_TILE
