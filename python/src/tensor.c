/* tensor.c — the tensor engine's nodes as Python Tensors: ops, backward,
 * and their data and grad as buffers NumPy reads without a copy.
 *
 * A Tensor's buffers belong to its node and never move (session.c), so a
 * NumPy view made from t.data or np.asarray(t) stays valid while it lives:
 * the view keeps the Tensor, the Tensor keeps its node. */
#include "mgpy.h"

#include <string.h>

#define SELF_V(self) (((mgpy_node *)(self))->v)
#define SELF_S(self) (((mgpy_node *)(self))->s)
#define SELF_T(self) (SELF_V(self)->tensor)

PyObject *mgpy_tensor_result(mgpy_session *s, mg_tensor *t)
{
    if (!t) {
        if (mgpy_check(s) == 0)
            PyErr_SetString(PyExc_RuntimeError, "mgviz: the engine made no tensor");
        return NULL;
    }
    return mgpy_wrap(s, t->node);
}

mg_tensor *mgpy_tensor_arg(PyObject *o, const char *what)
{
    if (MGPY_IS_TENSOR(o))
        return mgpy_v(o)->tensor;
    PyErr_Format(PyExc_TypeError, "%s must be a Tensor, not %.200s", what, Py_TYPE(o)->tp_name);
    return NULL;
}

int mgpy_parse_dtype(const char *name, mg_dtype *dt)
{
    if (!name || !strcmp(name, "float32") || !strcmp(name, "f32")) {
        *dt = MG_F32;
        return 0;
    }
    if (!strcmp(name, "float64") || !strcmp(name, "f64")) {
        *dt = MG_F64;
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "dtype must be 'float32' or 'float64', not '%s'", name);
    return -1;
}

/* ---- making tensors from Python data ---- */

/* Reads element i of a buffer of struct format fmt as a double; -1 if the
 * format is not a plain number. */
static int buffer_element(const char *fmt, const char *p, double *x)
{
    if (*fmt == '@' || *fmt == '=' || *fmt == '<')
        fmt++;
    if (fmt[0] && fmt[1])
        return -1;
#define AS(ch, type)                 \
    case ch: {                       \
        type v;                      \
        memcpy(&v, p, sizeof v);     \
        *x = (double)v;              \
        return 0;                    \
    }
    switch (*fmt) {
        AS('f', float)
        AS('d', double)
        AS('b', signed char)
        AS('B', unsigned char)
        AS('h', short)
        AS('H', unsigned short)
        AS('i', int)
        AS('I', unsigned int)
        AS('l', long)
        AS('L', unsigned long)
        AS('q', long long)
        AS('Q', unsigned long long)
        AS('?', _Bool)
    default: return -1;
    }
#undef AS
}

/* Shape of a buffer; 0 or -1 with an exception. */
static int buffer_shape(const Py_buffer *b, int *ndim, int *shape)
{
    if (b->ndim > MG_TENSOR_MAX_DIMS) {
        PyErr_Format(PyExc_ValueError, "tensor: %d dims (0 to %d allowed)", b->ndim,
                     MG_TENSOR_MAX_DIMS);
        return -1;
    }
    *ndim = b->ndim;
    for (int i = 0; i < b->ndim; i++) {
        if (b->shape[i] < 1 || b->shape[i] > INT32_MAX) {
            PyErr_Format(PyExc_ValueError, "tensor: dim %d is %zd (must be 1 to %d)", i,
                         b->shape[i], INT32_MAX);
            return -1;
        }
        shape[i] = (int)b->shape[i];
    }
    return 0;
}

/* Copies a buffer's elements (any strides) into t; 0 or -1. */
static int load_buffer(mg_tensor *t, const Py_buffer *b)
{
    Py_ssize_t index[MG_TENSOR_MAX_DIMS] = { 0 };
    const char *fmt = b->format ? b->format : "B";
    for (int i = 0; i < t->numel; i++) {
        const char *p = b->buf;
        for (int d = 0; d < b->ndim; d++)
            p += index[d] * (b->strides ? b->strides[d] : 0);
        double x;
        if (buffer_element(fmt, p, &x) < 0) {
            PyErr_Format(PyExc_TypeError, "tensor: buffer format '%s' is not a number type",
                         fmt);
            return -1;
        }
        mg_tensor_set(t, i, x);
        for (int d = b->ndim - 1; d >= 0 && ++index[d] == b->shape[d]; d--)
            index[d] = 0;
    }
    return 0;
}

/* The shape of nested sequences, from their first elements. */
static int nested_shape(PyObject *o, int *ndim, int *shape)
{
    *ndim = 0;
    Py_INCREF(o);
    while (PySequence_Check(o) && !PyUnicode_Check(o) && !PyBytes_Check(o)
           && !MGPY_IS_VALUE(o)) {
        Py_ssize_t n = PySequence_Size(o);
        if (n < 0 || *ndim == MG_TENSOR_MAX_DIMS || n < 1 || n > INT32_MAX) {
            Py_DECREF(o);
            if (n >= 0)
                PyErr_Format(PyExc_ValueError,
                             n < 1 ? "tensor: an empty sequence (every dim must be >= 1)"
                                   : "tensor: more than %d nested dims",
                             MG_TENSOR_MAX_DIMS);
            return -1;
        }
        shape[(*ndim)++] = (int)n;
        PyObject *first = PySequence_GetItem(o, 0);
        Py_DECREF(o);
        if (!first)
            return -1;
        o = first;
    }
    Py_DECREF(o);
    return 0;
}

/* Copies nested sequences of numbers into t from element *at; 0 or -1. */
static int load_nested(mg_tensor *t, PyObject *o, int depth, int *at)
{
    if (depth == t->ndim) {
        double x;
        int is_int, r = mgpy_number(o, &x, &is_int);
        if (r <= 0) {
            if (r == 0)
                PyErr_Format(PyExc_TypeError, "tensor: element %d is a %.200s, not a number",
                             *at, Py_TYPE(o)->tp_name);
            return -1;
        }
        mg_tensor_set(t, (*at)++, x);
        return 0;
    }
    PyObject *seq = PySequence_Fast(o, "tensor: nested sequences must be rectangular");
    if (!seq)
        return -1;
    int rc = 0;
    if (PySequence_Fast_GET_SIZE(seq) != t->shape[depth]) {
        PyErr_Format(PyExc_ValueError,
                     "tensor: nested sequences are not rectangular (dim %d: %zd, expected %d)",
                     depth, PySequence_Fast_GET_SIZE(seq), t->shape[depth]);
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++)
        rc = load_nested(t, PySequence_Fast_GET_ITEM(seq, i), depth + 1, at);
    Py_DECREF(seq);
    return rc;
}

/* A new leaf tensor holding data (a buffer, nested sequences or a number). */
static mg_tensor *tensor_from(mgpy_session *s, PyObject *data, mg_dtype dt, mg_tensor_kind kind)
{
    int ndim, shape[MG_TENSOR_MAX_DIMS];
    Py_buffer b = { 0 };
    int is_buffer = PyObject_CheckBuffer(data) && !MGPY_IS_TENSOR(data);
    if (is_buffer && PyObject_GetBuffer(data, &b, PyBUF_RECORDS_RO) < 0)
        return NULL;
    if (MGPY_IS_TENSOR(data)) {
        const mg_tensor *src = mgpy_v(data)->tensor;
        ndim = src->ndim;
        memcpy(shape, src->shape, sizeof shape);
    } else if (is_buffer ? buffer_shape(&b, &ndim, shape) : nested_shape(data, &ndim, shape)) {
        if (is_buffer)
            PyBuffer_Release(&b);
        return NULL;
    }
    mg_tensor *t = mg_tensor_new(s->g, dt, ndim, shape, kind);
    int at = 0, rc = -1;
    if (t && MGPY_IS_TENSOR(data)) {
        const mg_tensor *src = mgpy_v(data)->tensor;
        for (int i = 0; i < t->numel; i++)
            mg_tensor_set(t, i, mg_tensor_get(src, i));
        rc = 0;
    } else if (t) {
        rc = is_buffer ? load_buffer(t, &b) : load_nested(t, data, 0, &at);
    }
    if (is_buffer)
        PyBuffer_Release(&b);
    if (!t)
        mgpy_check(s);
    return rc == 0 ? t : NULL;
}

static PyObject *wrap_leaf(mgpy_session *s, mg_tensor *t, PyObject *label)
{
    PyObject *o = t ? mgpy_wrap(s, t->node) : NULL;
    if (o && label && mgpy_set_label(s, t->node, label) < 0)
        Py_CLEAR(o);
    return o;
}

/* tensor(data, dtype='float32', requires_grad=False, label='') */
static PyObject *fn_tensor(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *names[] = { "data", "dtype", "requires_grad", "label", NULL };
    PyObject *data, *label = NULL;
    const char *dtype = NULL;
    int requires_grad = 0;
    mg_dtype dt;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|z$pU:tensor", names, &data, &dtype,
                                     &requires_grad, &label)
        || mgpy_parse_dtype(dtype, &dt) < 0)
        return NULL;
    mgpy_session *s = mgpy_default();
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_tensor *t = tensor_from(s, data, dt, requires_grad ? MG_TENSOR_PARAM : MG_TENSOR_INPUT);
    return wrap_leaf(s, t, label);
}

static PyObject *tensor_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    return fn_tensor(NULL, args, kwds);
}

/* A shape from an int or a sequence of ints. */
static int parse_shape(PyObject *o, int *ndim, int *shape)
{
    PyObject *seq = PyLong_Check(o) ? PyTuple_Pack(1, o) : PySequence_Tuple(o);
    if (!seq)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    int rc = 0;
    if (n > MG_TENSOR_MAX_DIMS) {
        PyErr_Format(PyExc_ValueError, "shape: %zd dims (0 to %d allowed)", n,
                     MG_TENSOR_MAX_DIMS);
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        long d = PyLong_AsLong(PyTuple_GET_ITEM(seq, i));
        if (d == -1 && PyErr_Occurred())
            rc = -1;
        else if (d < -1 || d > INT32_MAX) {
            PyErr_Format(PyExc_ValueError, "shape: dim %zd is %ld", i, d);
            rc = -1;
        } else
            shape[i] = (int)d;
    }
    *ndim = (int)n;
    Py_DECREF(seq);
    return rc;
}

/* zeros(shape, dtype='float32', requires_grad=False, label='') */
static PyObject *fn_zeros(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *names[] = { "shape", "dtype", "requires_grad", "label", NULL };
    PyObject *shape_obj, *label = NULL;
    const char *dtype = NULL;
    int requires_grad = 0, ndim, shape[MG_TENSOR_MAX_DIMS];
    mg_dtype dt;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|z$pU:zeros", names, &shape_obj, &dtype,
                                     &requires_grad, &label)
        || mgpy_parse_dtype(dtype, &dt) < 0 || parse_shape(shape_obj, &ndim, shape) < 0)
        return NULL;
    mgpy_session *s = mgpy_default();
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_tensor *t = mg_tensor_new(s->g, dt, ndim, shape,
                                 requires_grad ? MG_TENSOR_PARAM : MG_TENSOR_INPUT);
    if (!t)
        return mgpy_check(s), NULL;
    return wrap_leaf(s, t, label);
}

/* ---- ops ---- */

/* A tensor operand: a Tensor, or a number made a 0-dim constant of dtype dt.
 * 1, 0 when o is neither (NotImplemented), -1 on error. */
static int operand(mgpy_session *s, PyObject *o, mg_dtype dt, mg_tensor **t)
{
    if (MGPY_IS_TENSOR(o)) {
        *t = mgpy_v(o)->tensor;
        return 1;
    }
    double x;
    int is_int, r = mgpy_number(o, &x, &is_int);
    if (r <= 0)
        return r;
    *t = mg_tensor_scalar(s->g, dt, x);
    return *t ? 1 : (mgpy_check(s), -1);
}

typedef mg_tensor *(*tensor_binary)(mg_tensor *, mg_tensor *);

static PyObject *binary(PyObject *a, PyObject *b, tensor_binary op)
{
    PyObject *t = MGPY_IS_TENSOR(a) ? a : b;
    mgpy_session *s = SELF_S(t);
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_dtype dt = SELF_T(t)->dtype;
    mg_tensor *x, *y;
    int r = operand(s, a, dt, &x);
    if (r > 0)
        r = operand(s, b, dt, &y);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    return mgpy_tensor_result(s, op(x, y));
}

static PyObject *nb_add(PyObject *a, PyObject *b) { return binary(a, b, mg_tensor_add); }
static PyObject *nb_sub(PyObject *a, PyObject *b) { return binary(a, b, mg_tensor_sub); }
static PyObject *nb_mul(PyObject *a, PyObject *b) { return binary(a, b, mg_tensor_mul); }
static PyObject *nb_div(PyObject *a, PyObject *b) { return binary(a, b, mg_tensor_div); }

static PyObject *nb_matmul(PyObject *a, PyObject *b)
{
    if (!MGPY_IS_TENSOR(a) || !MGPY_IS_TENSOR(b))
        Py_RETURN_NOTIMPLEMENTED;
    return binary(a, b, mg_tensor_matmul);
}

static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod)
{
    double k;
    int is_int;
    if (mod != Py_None || !MGPY_IS_TENSOR(a))
        Py_RETURN_NOTIMPLEMENTED;
    int r = mgpy_number(b, &k, &is_int);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    mgpy_session *s = SELF_S(a);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, mg_tensor_pow(SELF_T(a), k));
}

typedef mg_tensor *(*tensor_unary)(mg_tensor *);

static PyObject *unary(PyObject *self, tensor_unary op)
{
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, op(SELF_T(self)));
}

static PyObject *nb_neg(PyObject *self) { return unary(self, mg_tensor_neg); }

#define UNARY_METHOD(name)                                           \
    static PyObject *tensor_##name(PyObject *self, PyObject *unused) \
    {                                                                \
        (void)unused;                                                \
        return unary(self, mg_tensor_##name);                        \
    }
UNARY_METHOD(exp)
UNARY_METHOD(log)
UNARY_METHOD(sqrt)
UNARY_METHOD(tanh)
UNARY_METHOD(relu)
UNARY_METHOD(sigmoid)

static PyObject *tensor_matmul(PyObject *self, PyObject *other)
{
    if (!mgpy_tensor_arg(other, "matmul's operand"))
        return NULL;
    return binary(self, other, mg_tensor_matmul);
}

static PyObject *tensor_mse(PyObject *self, PyObject *other)
{
    if (!mgpy_tensor_arg(other, "mse's target"))
        return NULL;
    return binary(self, other, mg_tensor_mse);
}

static PyObject *tensor_bce(PyObject *self, PyObject *other)
{
    if (!mgpy_tensor_arg(other, "bce_logits's targets"))
        return NULL;
    return binary(self, other, mg_tensor_bce_logits);
}

/* An axis argument: None is every element. */
static int parse_axis(PyObject *o, int *axis)
{
    if (!o || o == Py_None) {
        *axis = MG_AXIS_ALL;
        return 0;
    }
    long a = PyLong_AsLong(o);
    if (a == -1 && PyErr_Occurred())
        return -1;
    if (a < -MG_TENSOR_MAX_DIMS || a >= MG_TENSOR_MAX_DIMS) {
        PyErr_Format(PyExc_ValueError, "axis %ld is out of range", a);
        return -1;
    }
    *axis = (int)a;
    return 0;
}

typedef mg_tensor *(*tensor_reduce)(mg_tensor *, int, int);

static PyObject *reduce(PyObject *self, PyObject *args, PyObject *kwds, tensor_reduce op)
{
    static char *names[] = { "axis", "keepdim", NULL };
    PyObject *axis_obj = NULL;
    int keepdim = 0, axis;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Op", names, &axis_obj, &keepdim)
        || parse_axis(axis_obj, &axis) < 0)
        return NULL;
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, op(SELF_T(self), axis, keepdim));
}

#define REDUCE_METHOD(name)                                                         \
    static PyObject *tensor_##name(PyObject *self, PyObject *args, PyObject *kwds) \
    {                                                                               \
        return reduce(self, args, kwds, mg_tensor_##name);                          \
    }
REDUCE_METHOD(sum)
REDUCE_METHOD(mean)
REDUCE_METHOD(max)

static PyObject *tensor_log_softmax(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *names[] = { "axis", NULL };
    int axis = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|i:log_softmax", names, &axis))
        return NULL;
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, mg_tensor_log_softmax(SELF_T(self), axis));
}

static PyObject *tensor_reshape(PyObject *self, PyObject *args)
{
    int ndim, shape[MG_TENSOR_MAX_DIMS];
    PyObject *spec = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
    if (parse_shape(spec, &ndim, shape) < 0)
        return NULL;
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, mg_tensor_reshape(SELF_T(self), ndim, shape));
}

static PyObject *tensor_transpose(PyObject *self, PyObject *args)
{
    int d0 = -2, d1 = -1;
    if (!PyArg_ParseTuple(args, "|ii:transpose", &d0, &d1))
        return NULL;
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, mg_tensor_transpose(SELF_T(self), d0, d1));
}

static PyObject *get_T(PyObject *self, void *c)
{
    (void)c;
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_tensor_result(s, mg_tensor_transpose(SELF_T(self), -2, -1));
}

/* cross_entropy(labels): mean over rows of -log_softmax(row)[label]. */
static PyObject *tensor_cross_entropy(PyObject *self, PyObject *labels)
{
    const mg_tensor *t = SELF_T(self);
    PyObject *seq = PySequence_Fast(labels, "cross_entropy: labels must be a sequence of ints");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int rows = t->ndim == 2 ? t->shape[0] : -1;
    if (rows >= 0 && n != rows) {
        Py_DECREF(seq);
        char s[64];
        mg_tensor_shape_str(t, s, sizeof s);
        return PyErr_Format(PyExc_ValueError, "cross_entropy: %zd labels for logits of shape %s",
                            n, s);
    }
    int32_t *lab = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *lab);
    for (Py_ssize_t i = 0; lab && i < n; i++) {
        long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (x == -1 && PyErr_Occurred()) {
            PyMem_Free(lab);
            Py_DECREF(seq);
            return NULL;
        }
        lab[i] = x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : (int32_t)x;
    }
    Py_DECREF(seq);
    if (!lab)
        return PyErr_NoMemory();
    mgpy_session *s = SELF_S(self);
    PyObject *out = mgpy_prepare(s) < 0
                        ? NULL
                        : mgpy_tensor_result(s, mg_tensor_cross_entropy(SELF_T(self), lab));
    PyMem_Free(lab);
    return out;
}

static PyObject *tensor_backward(PyObject *self, PyObject *unused)
{
    (void)unused;
    mgpy_session *s = SELF_S(self);
    if (mg_tensor_backward(SELF_T(self)) != MG_OK)
        return mgpy_check(s) < 0 ? NULL
                                 : (PyErr_SetString(PyExc_ValueError, "backward failed"), NULL);
    Py_RETURN_NONE;
}

static PyObject *tensor_zero_grad(PyObject *self, PyObject *unused)
{
    (void)unused;
    mg_tensor_zero_grad(SELF_T(self));
    Py_RETURN_NONE;
}

static PyObject *tensor_tolist_rec(const mg_tensor *t, int depth, int *at)
{
    if (depth == t->ndim)
        return PyFloat_FromDouble(mg_tensor_get(t, (*at)++));
    PyObject *list = PyList_New(t->shape[depth]);
    for (int i = 0; list && i < t->shape[depth]; i++) {
        PyObject *item = tensor_tolist_rec(t, depth + 1, at);
        if (!item)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject *tensor_tolist(PyObject *self, PyObject *unused)
{
    (void)unused;
    int at = 0;
    return tensor_tolist_rec(SELF_T(self), 0, &at);
}

static PyObject *tensor_item(PyObject *self, PyObject *unused)
{
    (void)unused;
    const mg_tensor *t = SELF_T(self);
    if (t->numel != 1) {
        char s[64];
        mg_tensor_shape_str(t, s, sizeof s);
        return PyErr_Format(PyExc_ValueError, "item: a tensor of shape %s has %d elements, not 1",
                            s, t->numel);
    }
    return PyFloat_FromDouble(mg_tensor_get(t, 0));
}

/* load(data): copies numbers of the same shape into this tensor's data. */
static PyObject *tensor_load(PyObject *self, PyObject *data)
{
    mgpy_session *s = SELF_S(self);
    mg_tensor *t = SELF_T(self);
    int ndim, shape[MG_TENSOR_MAX_DIMS], at = 0, rc;
    Py_buffer b = { 0 };
    if (PyObject_CheckBuffer(data)) {
        if (PyObject_GetBuffer(data, &b, PyBUF_RECORDS_RO) < 0)
            return NULL;
        rc = buffer_shape(&b, &ndim, shape);
    } else {
        rc = nested_shape(data, &ndim, shape);
    }
    if (rc == 0 && (ndim != t->ndim || memcmp(shape, t->shape, (size_t)ndim * sizeof *shape))) {
        mg_tensor src = { .ndim = ndim };
        memcpy(src.shape, shape, sizeof shape);
        char sa[64], sb[64];
        mg_tensor_shape_str(&src, sa, sizeof sa);
        mg_tensor_shape_str(t, sb, sizeof sb);
        PyErr_Format(PyExc_ValueError, "load: data of shape %s into a tensor of shape %s", sa,
                     sb);
        rc = -1;
    }
    if (rc == 0)
        rc = b.obj ? load_buffer(t, &b) : load_nested(t, data, 0, &at);
    if (b.obj)
        PyBuffer_Release(&b);
    (void)s;
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---- buffers ---- */

/* Exports t's data (which 0) or grad (which 1) into view. */
static int export(PyObject *owner, const mg_tensor *t, int which, Py_buffer *view, int flags)
{
    void *buf = which ? t->grad : t->data;
    if (!buf) {
        PyErr_SetString(PyExc_BufferError, "this tensor has no grad");
        view->obj = NULL;
        return -1;
    }
    Py_ssize_t *dims = PyMem_Malloc(2 * MG_TENSOR_MAX_DIMS * sizeof *dims);
    if (!dims) {
        PyErr_NoMemory();
        view->obj = NULL;
        return -1;
    }
    Py_ssize_t item = (Py_ssize_t)mg_dtype_size(t->dtype), stride = item;
    for (int i = t->ndim - 1; i >= 0; i--) {
        dims[i] = t->shape[i];
        dims[MG_TENSOR_MAX_DIMS + i] = stride;
        stride *= t->shape[i];
    }
    view->buf = buf;
    view->obj = Py_NewRef(owner);
    view->len = (Py_ssize_t)t->numel * item;
    view->readonly = 0;
    view->itemsize = item;
    view->format = (flags & PyBUF_FORMAT) ? (t->dtype == MG_F32 ? "f" : "d") : NULL;
    view->ndim = t->ndim;
    view->shape = (flags & PyBUF_ND) ? dims : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? dims + MG_TENSOR_MAX_DIMS : NULL;
    view->suboffsets = NULL;
    view->internal = dims;
    return 0;
}

static void release(PyObject *owner, Py_buffer *view)
{
    (void)owner;
    PyMem_Free(view->internal);
}

static int tensor_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    return export(self, SELF_T(self), 0, view, flags);
}

/* What t.data and t.grad hand out: an exporter of one buffer of a Tensor. */
typedef struct buffer_object {
    PyObject_HEAD
    PyObject *tensor;
    int which;
} buffer_object;

static int buffer_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    buffer_object *b = (buffer_object *)self;
    return export(self, mgpy_v(b->tensor)->tensor, b->which, view, flags);
}

static void buffer_dealloc(PyObject *self)
{
    Py_XDECREF(((buffer_object *)self)->tensor);
    Py_TYPE(self)->tp_free(self);
}

static PyBufferProcs buffer_procs = { buffer_getbuffer, release };

PyTypeObject mgpy_buffer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz._TensorBuffer",
    .tp_basicsize = sizeof(buffer_object),
    .tp_dealloc = buffer_dealloc,
    .tp_as_buffer = &buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

/* A memoryview of a tensor's data or grad (None when it has no grad). */
static PyObject *view_of(PyObject *self, int which)
{
    if (which && !SELF_T(self)->grad)
        Py_RETURN_NONE;
    buffer_object *b = PyObject_New(buffer_object, &mgpy_buffer_type);
    if (!b)
        return NULL;
    b->tensor = Py_NewRef(self);
    b->which = which;
    PyObject *view = PyMemoryView_FromObject((PyObject *)b);
    Py_DECREF(b);
    return view;
}

static PyObject *get_data(PyObject *self, void *c)
{
    (void)c;
    return view_of(self, 0);
}

static PyObject *get_grad(PyObject *self, void *c)
{
    (void)c;
    return view_of(self, 1);
}

/* ---- attributes ---- */

static PyObject *get_shape(PyObject *self, void *c)
{
    (void)c;
    const mg_tensor *t = SELF_T(self);
    PyObject *shape = PyTuple_New(t->ndim);
    for (int i = 0; shape && i < t->ndim; i++)
        PyTuple_SET_ITEM(shape, i, PyLong_FromLong(t->shape[i]));
    return shape;
}

static PyObject *get_ndim(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(SELF_T(self)->ndim);
}

static PyObject *get_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(SELF_T(self)->numel);
}

static PyObject *get_dtype(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(SELF_T(self)->dtype == MG_F32 ? "float32" : "float64");
}

static PyObject *get_requires_grad(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(SELF_T(self)->requires_grad);
}

static PyObject *get_op(PyObject *self, void *c)
{
    (void)c;
    char buf[64];
    mg_value_op_label(SELF_V(self), buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

static PyObject *get_label(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(mg_value_label(SELF_V(self)));
}

static int set_label(PyObject *self, PyObject *o, void *c)
{
    (void)c;
    return mgpy_set_label(SELF_S(self), SELF_V(self), o);
}

static PyObject *get_prev(PyObject *self, void *c)
{
    (void)c;
    return mgpy_operand_set(SELF_S(self), SELF_V(self));
}

static PyObject *tensor_repr(PyObject *self)
{
    const mg_tensor *t = SELF_T(self);
    char shape[64], op[64];
    mg_tensor_shape_str(t, shape, sizeof shape);
    mg_value_op_label(SELF_V(self), op, sizeof op);
    const char *label = mg_value_label(SELF_V(self));
    return PyUnicode_FromFormat("Tensor(shape=%s, dtype=%s%s%s%s%s%s%s%s)", shape,
                                t->dtype == MG_F32 ? "float32" : "float64",
                                t->requires_grad ? ", requires_grad=True" : "", *op ? ", op='" : "",
                                op, *op ? "'" : "", *label ? ", label='" : "", label,
                                *label ? "'" : "");
}

static PyGetSetDef tensor_getset[] = {
    { "shape", get_shape, NULL, "the shape, a tuple", NULL },
    { "ndim", get_ndim, NULL, "number of dims (0 to 4)", NULL },
    { "size", get_size, NULL, "number of elements", NULL },
    { "dtype", get_dtype, NULL, "'float32' or 'float64'", NULL },
    { "requires_grad", get_requires_grad, NULL, "whether backward fills a grad", NULL },
    { "data", get_data, NULL, "a writable memoryview of the data (np.asarray reads it in place)",
      NULL },
    { "grad", get_grad, NULL, "a writable memoryview of the grad, or None", NULL },
    { "label", get_label, set_label, "a name shown in pictures", NULL },
    { "op", get_op, NULL, "the op that made this tensor ('' for leaves)", NULL },
    { "_op", get_op, NULL, "the op that made this tensor ('' for leaves)", NULL },
    { "_prev", get_prev, NULL, "the tensors this one was computed from", NULL },
    { "T", get_T, NULL, "the transpose of the last two dims", NULL },
    { "id", mgpy_get_id, NULL, "the node's position in the graph", NULL },
    { "scope", mgpy_get_scope, NULL, "the scope path the node was made in", NULL },
    { "kind", mgpy_get_kind, NULL, "'input', 'param', 'const' or 'computed'", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

#define KW (METH_VARARGS | METH_KEYWORDS)
#define KWFN(f) (PyCFunction)(void (*)(void))(f)

static PyMethodDef tensor_methods[] = {
    { "exp", tensor_exp, METH_NOARGS, "e ** self, elementwise" },
    { "log", tensor_log, METH_NOARGS, "natural log, elementwise" },
    { "sqrt", tensor_sqrt, METH_NOARGS, "square root, elementwise" },
    { "tanh", tensor_tanh, METH_NOARGS, "tanh, elementwise" },
    { "relu", tensor_relu, METH_NOARGS, "max(0, x), elementwise" },
    { "sigmoid", tensor_sigmoid, METH_NOARGS, "1 / (1 + e ** -x), elementwise" },
    { "matmul", tensor_matmul, METH_O, "self @ other ([M,K]@[K,N], batched)" },
    { "sum", KWFN(tensor_sum), KW, "sum(axis=None, keepdim=False)" },
    { "mean", KWFN(tensor_mean), KW, "mean(axis=None, keepdim=False)" },
    { "max", KWFN(tensor_max), KW, "max(axis=None, keepdim=False)" },
    { "log_softmax", KWFN(tensor_log_softmax), KW, "log_softmax(axis=-1)" },
    { "reshape", tensor_reshape, METH_VARARGS, "reshape(*shape): one dim may be -1" },
    { "transpose", tensor_transpose, METH_VARARGS, "transpose(d0=-2, d1=-1)" },
    { "cross_entropy", tensor_cross_entropy, METH_O,
      "cross_entropy(labels): mean over rows of -log_softmax(row)[label]" },
    { "mse", tensor_mse, METH_O, "mse(target): mean of (self - target) ** 2" },
    { "bce_logits", tensor_bce, METH_O, "bce_logits(targets): mean binary cross-entropy" },
    { "backward", tensor_backward, METH_NOARGS,
      "backward(): fills the grads of what this one-element tensor depends on" },
    { "zero_grad", tensor_zero_grad, METH_NOARGS, "sets this tensor's grad to 0" },
    { "tolist", tensor_tolist, METH_NOARGS, "the data as nested lists" },
    { "item", tensor_item, METH_NOARGS, "the one number of a one-element tensor" },
    { "load", tensor_load, METH_O, "load(data): copies numbers of the same shape into data" },
    { NULL, NULL, 0, NULL },
};

static PyNumberMethods tensor_as_number = {
    .nb_add = nb_add,
    .nb_subtract = nb_sub,
    .nb_multiply = nb_mul,
    .nb_true_divide = nb_div,
    .nb_power = nb_pow,
    .nb_negative = nb_neg,
    .nb_matrix_multiply = nb_matmul,
};

static PyBufferProcs tensor_buffer_procs = { tensor_getbuffer, release };

PyTypeObject mgpy_tensor_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz.Tensor",
    .tp_basicsize = sizeof(mgpy_node),
    .tp_dealloc = mgpy_node_dealloc,
    .tp_repr = tensor_repr,
    .tp_as_number = &tensor_as_number,
    .tp_as_buffer = &tensor_buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Tensor(data, dtype='float32', requires_grad=False, label='')\n\n"
              "A tensor node of mgviz's C graph; its buffer is its data.",
    .tp_weaklistoffset = offsetof(mgpy_node, weakrefs),
    .tp_methods = tensor_methods,
    .tp_getset = tensor_getset,
    .tp_new = tensor_new,
};

PyMethodDef mgpy_tensor_functions[] = {
    { "tensor", KWFN(fn_tensor), KW,
      "tensor(data, dtype='float32', requires_grad=False, label='') -> Tensor\n"
      "data: nested sequences, a buffer (NumPy array) or a number" },
    { "zeros", KWFN(fn_zeros), KW,
      "zeros(shape, dtype='float32', requires_grad=False, label='') -> Tensor" },
    { NULL, NULL, 0, NULL },
};
