/* value.c — micrograd's Value over an engine node.
 *
 * Each operator builds the nodes micrograd's engine.py builds, in the same
 * order and with the same arithmetic: a - b is a + (b * -1), a / b is
 * a * b**-1, a number operand becomes a constant leaf. So data and grads are
 * bit for bit micrograd's, and _prev and _op read as micrograd's do.
 * Beyond micrograd: ** with a Value on either side, log, sigmoid, and the
 * engine's id, scope and kind of each node. */
#include "mgpy.h"

#include <math.h>
#include <string.h>

#define SELF_V(self) (((mgpy_node *)(self))->v)
#define SELF_S(self) (((mgpy_node *)(self))->s)

static int data_int(mgpy_session *s, const mg_value *v)
{
    return (*mgpy_bits(s, v) & NODE_DATA_INT) != 0;
}

PyObject *mgpy_result(mgpy_session *s, mg_value *v, int is_int)
{
    if (!v) {
        if (mgpy_check(s) == 0)
            PyErr_SetString(PyExc_RuntimeError, "mgviz: the engine made no node");
        return NULL;
    }
    PyObject *o = mgpy_wrap(s, v);
    if (o && is_int)
        *mgpy_bits(s, v) |= NODE_DATA_INT;
    return o;
}

/* An operand as a node: a Value's own, or a new constant leaf for a number
 * (micrograd's Value(other)). 1, 0 when o is neither (NotImplemented), -1. */
static int operand(mgpy_session *s, PyObject *o, mg_value **v, int *is_int)
{
    if (MGPY_IS_VALUE(o)) {
        *v = mgpy_v(o);
        *is_int = data_int(s, *v);
        return 1;
    }
    double x;
    int r = mgpy_number(o, &x, is_int);
    if (r <= 0)
        return r;
    *v = mg_const(s->g, x);
    if (!*v)
        return mgpy_check(s) < 0 ? -1 : (PyErr_NoMemory(), -1);
    if (mgpy_sync(s) < 0)
        return -1;
    if (*is_int)
        *mgpy_bits(s, *v) |= NODE_DATA_INT;
    return 1;
}

/* A new constant leaf holding x. */
static mg_value *constant(mgpy_session *s, double x, int is_int)
{
    mg_value *c = mg_const(s->g, x);
    if (c && mgpy_sync(s) == 0 && is_int)
        *mgpy_bits(s, c) |= NODE_DATA_INT;
    return c;
}

/* ---- the ops, each as micrograd composes it ---- */

typedef enum { OP_ADD, OP_MUL } binop;

/* self OP other, other a Value or a number made a constant. */
static PyObject *binary(PyObject *self, PyObject *other, binop op)
{
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_value *b;
    int b_int, r = operand(s, other, &b, &b_int);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    mg_value *a = SELF_V(self);
    int is_int = data_int(s, a) && b_int;
    return mgpy_result(s, op == OP_ADD ? mg_add(a, b) : mg_mul(a, b), is_int);
}

/* v * -1: micrograd's negation. */
static mg_value *negate(mgpy_session *s, mg_value *v)
{
    return mg_mul(v, constant(s, -1.0, 1));
}

/* v ** k with k a number, recording whether k was an int for the op label. */
static PyObject *power(mgpy_session *s, mg_value *v, double k, int k_int)
{
    mg_value *p = mg_pow(v, k);
    PyObject *o = mgpy_result(s, p, data_int(s, v) && k_int && k >= 0);
    if (o && k_int)
        *mgpy_bits(s, p) |= NODE_K_INT;
    return o;
}

/* Which operand is the Value: micrograd's reflected methods swap them. */
static int split(PyObject *a, PyObject *b, PyObject **self, PyObject **other)
{
    *self = MGPY_IS_VALUE(a) ? a : b;
    *other = *self == a ? b : a;
    return *self == a;
}

static PyObject *nb_add(PyObject *a, PyObject *b)
{
    PyObject *self, *other;
    split(a, b, &self, &other);
    return binary(self, other, OP_ADD); /* radd is self + other too */
}

static PyObject *nb_mul(PyObject *a, PyObject *b)
{
    PyObject *self, *other;
    split(a, b, &self, &other);
    return binary(self, other, OP_MUL);
}

/* Sets v's DATA_INT bit when is_int; returns v. */
static mg_value *int_bit(mgpy_session *s, mg_value *v, int is_int)
{
    if (v && is_int && mgpy_sync(s) == 0)
        *mgpy_bits(s, v) |= NODE_DATA_INT;
    return v;
}

/* v ** -1 as micrograd's division makes it (op "**-1"). */
static mg_value *reciprocal(mgpy_session *s, mg_value *v)
{
    mg_value *p = mg_pow(v, -1.0);
    if (p && mgpy_sync(s) == 0)
        *mgpy_bits(s, p) |= NODE_K_INT;
    return p;
}

/* The operands of - and /, which micrograd composes from + and * and **. */
typedef struct mixed {
    PyObject *self, *other;
    mgpy_session *s;
    mg_value *v;  /* self's node, read after the session was prepared */
    int forward;  /* self is on the left */
    double x;     /* other when it is a number (else 0) */
    int x_int;
} mixed;

/* Sorts a and b into m (with the session ready for new nodes): 1 when
 * other is a number, 2 when it is a Value, 0 when neither, -1 on error. */
static int mixed_operands(PyObject *a, PyObject *b, mixed *m)
{
    m->forward = split(a, b, &m->self, &m->other);
    m->s = SELF_S(m->self);
    m->x = 0.0;
    m->x_int = 0;
    if (mgpy_prepare(m->s) < 0)
        return -1;
    m->v = SELF_V(m->self);
    return MGPY_IS_VALUE(m->other) ? 2 : mgpy_number(m->other, &m->x, &m->x_int);
}

static PyObject *nb_sub(PyObject *a, PyObject *b)
{
    mixed m;
    int r = mixed_operands(a, b, &m);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    int v_int = data_int(m.s, m.v);
    if (!m.forward) { /* other - self: other + (-self), the constant made last */
        mg_value *n = int_bit(m.s, negate(m.s, m.v), v_int);
        return mgpy_result(m.s, mg_add(n, constant(m.s, m.x, m.x_int)), v_int && m.x_int);
    }
    if (r == 1) /* self - number: Python negates the number */
        return mgpy_result(m.s, mg_add(m.v, constant(m.s, -m.x, m.x_int)), v_int && m.x_int);
    mg_value *o = mgpy_v(m.other);
    int o_int = data_int(m.s, o);
    mg_value *n = int_bit(m.s, negate(m.s, o), o_int);
    return mgpy_result(m.s, mg_add(m.v, n), v_int && o_int);
}

static PyObject *nb_truediv(PyObject *a, PyObject *b)
{
    mixed m;
    int r = mixed_operands(a, b, &m);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    if (!m.forward) { /* other / self: other * self**-1, the constant made last */
        mg_value *p = reciprocal(m.s, m.v);
        return mgpy_result(m.s, mg_mul(p, constant(m.s, m.x, m.x_int)), 0);
    }
    if (r == 1) { /* self / number: Python computes number ** -1 first */
        if (m.x == 0.0) {
            PyErr_SetString(PyExc_ZeroDivisionError,
                            "division by zero (micrograd divides as self * other**-1)");
            return NULL;
        }
        return mgpy_result(m.s, mg_mul(m.v, constant(m.s, pow(m.x, -1.0), 0)), 0);
    }
    mg_value *p = reciprocal(m.s, mgpy_v(m.other));
    return mgpy_result(m.s, mg_mul(m.v, p), 0);
}

static PyObject *nb_neg(PyObject *self)
{
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_value *v = SELF_V(self);
    return mgpy_result(s, negate(s, v), data_int(s, v));
}

static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod)
{
    if (mod != Py_None)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *self, *other;
    int forward = split(a, b, &self, &other);
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    if (forward && !MGPY_IS_VALUE(other)) {
        double k;
        int k_int, r = mgpy_number(other, &k, &k_int);
        if (r <= 0)
            return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
        return power(s, SELF_V(self), k, k_int);
    }
    /* a Value exponent (beyond micrograd, which asserts a number) */
    mg_value *base, *exp;
    int base_int, exp_int;
    int r = operand(s, forward ? self : other, &base, &base_int);
    if (r > 0)
        r = operand(s, forward ? other : self, &exp, &exp_int);
    if (r <= 0)
        return r == 0 ? Py_NewRef(Py_NotImplemented) : NULL;
    return mgpy_result(s, mg_pow_value(base, exp), 0);
}

/* ---- unary methods ---- */

static PyObject *unary(PyObject *self, mg_value *(*op)(mg_value *), int is_int)
{
    mgpy_session *s = SELF_S(self);
    if (mgpy_prepare(s) < 0)
        return NULL;
    return mgpy_result(s, op(SELF_V(self)), is_int);
}

static PyObject *value_relu(PyObject *self, PyObject *unused)
{
    (void)unused;
    const mg_value *v = SELF_V(self);
    /* micrograd writes the int 0 for a negative input */
    return unary(self, mg_relu, v->data < 0 || data_int(SELF_S(self), v));
}

#define UNARY_METHOD(name)                                          \
    static PyObject *value_##name(PyObject *self, PyObject *unused) \
    {                                                               \
        (void)unused;                                               \
        return unary(self, mg_##name, 0);                           \
    }
UNARY_METHOD(tanh)
UNARY_METHOD(exp)
UNARY_METHOD(log)
UNARY_METHOD(sigmoid)

/* ---- backward ---- */

static PyObject *value_backward(PyObject *self, PyObject *unused)
{
    (void)unused;
    mgpy_session *s = SELF_S(self);
    mg_value *root = SELF_V(self);
    if (mg_backward_accumulate(root) != MG_OK)
        return mgpy_check(s) < 0 ? NULL : (PyErr_SetString(PyExc_ValueError, "backward failed"), NULL);
    if (mgpy_sync(s) < 0)
        return NULL;
    mgpy_mark_reached(s, root);
    *mgpy_bits(s, root) &= (uint8_t)~NODE_GRAD_FLOAT; /* micrograd: self.grad = 1 */
    Py_RETURN_NONE;
}

static PyObject *value_backward_node(PyObject *self, PyObject *unused)
{
    (void)unused;
    mgpy_session *s = SELF_S(self);
    mg_value *v = SELF_V(self);
    mg_backward_node(v);
    if (mgpy_sync(s) < 0)
        return NULL;
    mg_value *ops[MG_MAX_OPERANDS];
    for (int i = 0, n = mg_node_operands(v, ops); i < n; i++)
        *mgpy_bits(s, ops[i]) |= NODE_GRAD_FLOAT;
    Py_RETURN_NONE;
}

/* ---- attributes ---- */

static PyObject *get_data(PyObject *self, void *c)
{
    (void)c;
    return mgpy_number_object(SELF_V(self)->data, data_int(SELF_S(self), SELF_V(self)));
}

static int set_number(PyObject *self, PyObject *o, double *field, uint8_t bit, int bit_when_int,
                      const char *what)
{
    double x;
    int is_int;
    if (!o) {
        PyErr_Format(PyExc_AttributeError, "cannot delete %s", what);
        return -1;
    }
    int r = mgpy_number(o, &x, &is_int);
    if (r <= 0) {
        if (r == 0)
            PyErr_Format(PyExc_TypeError, "Value.%s must be a number, not %.200s", what,
                         Py_TYPE(o)->tp_name);
        return -1;
    }
    *field = x;
    uint8_t *bits = mgpy_bits(SELF_S(self), SELF_V(self));
    if (is_int == bit_when_int)
        *bits |= bit;
    else
        *bits &= (uint8_t)~bit;
    return 0;
}

static int set_data(PyObject *self, PyObject *o, void *c)
{
    (void)c;
    return set_number(self, o, &SELF_V(self)->data, NODE_DATA_INT, 1, "data");
}

static PyObject *get_grad(PyObject *self, void *c)
{
    (void)c;
    const mg_value *v = SELF_V(self);
    return mgpy_number_object(v->grad, !(*mgpy_bits(SELF_S(self), v) & NODE_GRAD_FLOAT));
}

static int set_grad(PyObject *self, PyObject *o, void *c)
{
    (void)c;
    return set_number(self, o, &SELF_V(self)->grad, NODE_GRAD_FLOAT, 0, "grad");
}

static PyObject *get_label(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(mg_value_label(SELF_V(self)));
}

/* Labels text as the engine keeps it: no NUL inside. */
int mgpy_set_label(mgpy_session *s, mg_value *v, PyObject *o)
{
    if (!o || !PyUnicode_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "label must be a str");
        return -1;
    }
    Py_ssize_t n;
    const char *text = PyUnicode_AsUTF8AndSize(o, &n);
    if (!text)
        return -1;
    if ((size_t)n != strlen(text)) {
        PyErr_SetString(PyExc_ValueError, "label must not contain NUL characters");
        return -1;
    }
    mg_label(v, text);
    return mgpy_check(s);
}

static int set_label(PyObject *self, PyObject *o, void *c)
{
    (void)c;
    return mgpy_set_label(SELF_S(self), SELF_V(self), o);
}

/* The user's (children, op) of Value(data, _children, _op), or NULL. */
static PyObject *user_entry(PyObject *self, int index)
{
    mgpy_session *s = SELF_S(self);
    if (!(*mgpy_bits(s, SELF_V(self)) & NODE_USER))
        return NULL;
    PyObject *key = PyLong_FromUnsignedLong(SELF_V(self)->id);
    PyObject *entry = key ? PyDict_GetItemWithError(s->user, key) : NULL;
    Py_XDECREF(key);
    return entry ? PyTuple_GET_ITEM(entry, index) : NULL;
}

static PyObject *get_prev(PyObject *self, void *c)
{
    (void)c;
    PyObject *children = user_entry(self, 0);
    if (children || PyErr_Occurred())
        return children ? PySet_New(children) : NULL;
    mgpy_session *s = SELF_S(self);
    mg_value *v = SELF_V(self);
    return mgpy_operand_set(s, v);
}

PyObject *mgpy_operand_set(mgpy_session *s, const mg_value *v)
{
    PyObject *set = PySet_New(NULL);
    mg_value *ops[MG_MAX_OPERANDS];
    int n = mg_node_operands(v, ops);
    for (int i = 0; set && i < n; i++) {
        PyObject *p = mgpy_wrap(s, ops[i]);
        if (!p || PySet_Add(set, p) < 0)
            Py_CLEAR(set);
        Py_XDECREF(p);
    }
    return set;
}

/* micrograd's op strings: "+", "*", "**2", "ReLU"; the engine's otherwise. */
static PyObject *get_op(PyObject *self, void *c)
{
    (void)c;
    PyObject *op = user_entry(self, 1);
    if (op || PyErr_Occurred())
        return op ? Py_NewRef(op) : NULL;
    mgpy_session *s = SELF_S(self);
    const mg_value *v = SELF_V(self);
    switch ((mg_op)v->op) {
    case MG_OP_RELU:
        return PyUnicode_FromString("ReLU");
    case MG_OP_POW: {
        PyObject *k = mgpy_number_object(v->k, (*mgpy_bits(s, v) & NODE_K_INT) != 0);
        PyObject *text = k ? PyUnicode_FromFormat("**%S", k) : NULL;
        Py_XDECREF(k);
        return text;
    }
    default: {
        char buf[64];
        mg_value_op_label(v, buf, sizeof buf);
        return PyUnicode_FromString(buf);
    }
    }
}

PyObject *mgpy_get_id(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLong(SELF_V(self)->id);
}

PyObject *mgpy_get_scope(PyObject *self, void *c)
{
    (void)c;
    const mg_value *v = SELF_V(self);
    char buf[512];
    size_t n = mg_scope_path(v->graph, v->scope, buf, sizeof buf);
    if (n < sizeof buf)
        return PyUnicode_FromString(buf);
    char *big = PyMem_Malloc(n + 1);
    if (!big)
        return PyErr_NoMemory();
    mg_scope_path(v->graph, v->scope, big, n + 1);
    PyObject *o = PyUnicode_FromString(big);
    PyMem_Free(big);
    return o;
}

PyObject *mgpy_get_kind(PyObject *self, void *c)
{
    (void)c;
    const mg_value *v = SELF_V(self);
    const char *kind = v->op != MG_OP_LEAF          ? "computed"
                       : (v->flags & MG_FLAG_PARAM) ? "param"
                       : (v->flags & MG_FLAG_CONST) ? "const"
                                                    : "input";
    return PyUnicode_FromString(kind);
}

static PyObject *value_repr(PyObject *self)
{
    PyObject *data = get_data(self, NULL);
    PyObject *grad = data ? get_grad(self, NULL) : NULL;
    PyObject *text = grad ? PyUnicode_FromFormat("Value(data=%S, grad=%S)", data, grad) : NULL;
    Py_XDECREF(data);
    Py_XDECREF(grad);
    return text;
}

/* ---- construction ---- */

/* A new leaf of the given kind holding data, labelled. */
static PyObject *make_leaf(PyObject *data, PyObject *label, int param)
{
    mgpy_session *s = mgpy_default();
    double x;
    int is_int, r = mgpy_number(data, &x, &is_int);
    if (r <= 0) {
        if (r == 0)
            PyErr_Format(PyExc_TypeError, "Value: data must be a number, not %.200s",
                         Py_TYPE(data)->tp_name);
        return NULL;
    }
    if (mgpy_prepare(s) < 0)
        return NULL;
    mg_value *v = param ? mg_param(s->g, x) : mg_input(s->g, x);
    PyObject *o = mgpy_result(s, v, is_int);
    if (o && label && mgpy_set_label(s, v, label) < 0)
        Py_CLEAR(o);
    return o;
}

static PyObject *value_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type;
    static char *names[] = { "data", "_children", "_op", "label", NULL };
    PyObject *data, *children = NULL, *op = NULL, *label = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OUU:Value", names, &data, &children, &op,
                                     &label))
        return NULL;
    PyObject *o = make_leaf(data, label, 0);
    if (!o)
        return NULL;
    int has_children = children ? PyObject_IsTrue(children) : 0;
    if (has_children < 0 || (!has_children && (!op || PyUnicode_GET_LENGTH(op) == 0)))
        return has_children < 0 ? (Py_DECREF(o), NULL) : o;
    /* micrograd keeps what it is given; a leaf here, with no backward */
    mgpy_session *s = mgpy_default();
    PyObject *kids = has_children ? PySequence_Tuple(children) : PyTuple_New(0);
    PyObject *op_text = op ? Py_NewRef(op) : PyUnicode_FromString("");
    PyObject *entry = kids && op_text ? PyTuple_Pack(2, kids, op_text) : NULL;
    Py_XDECREF(op_text);
    PyObject *key = PyLong_FromUnsignedLong(mgpy_v(o)->id);
    int rc = entry && key ? PyDict_SetItem(s->user, key, entry) : -1;
    Py_XDECREF(kids);
    Py_XDECREF(entry);
    Py_XDECREF(key);
    if (rc < 0) {
        Py_DECREF(o);
        return NULL;
    }
    *mgpy_bits(s, mgpy_v(o)) |= NODE_USER;
    return o;
}

/* _param(data, label=''): a trainable leaf (micrograd's nn makes its weights). */
static PyObject *fn_param(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *names[] = { "data", "label", NULL };
    PyObject *data, *label = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|U:_param", names, &data, &label))
        return NULL;
    return make_leaf(data, label, 1);
}

/* ---- micrograd's Neuron, in one call ---- */

/* _neuron(w, b, x, nonlin, scope): act = b + w0*x0 + w1*x1 + ... summed left
 * to right as micrograd's sum(), then relu if nonlin; nodes made in `scope`.
 * NotImplemented when w or b hold anything but Values (nn.py then runs
 * micrograd's expression itself). */
static PyObject *fn_neuron(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *w, *b, *x, *scope;
    int nonlin;
    if (!PyArg_ParseTuple(args, "O!OOpU:_neuron", &PyList_Type, &w, &b, &x, &nonlin, &scope))
        return NULL;
    PyObject *xs = PySequence_Fast(x, "Neuron: inputs must be a sequence");
    if (!xs)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(w), nx = PySequence_Fast_GET_SIZE(xs);
    if (nx < n)
        n = nx;
    int values = MGPY_IS_VALUE(b);
    for (Py_ssize_t i = 0; values && i < n; i++)
        values = MGPY_IS_VALUE(PyList_GET_ITEM(w, i));
    mgpy_session *s = mgpy_default();
    if (!values || mgpy_prepare(s) < 0) {
        Py_DECREF(xs);
        return values ? NULL : Py_NewRef(Py_NotImplemented);
    }
    const char *name = PyUnicode_AsUTF8(scope);
    if (!name || mg_scope_push(s->g, name) != MG_OK) {
        Py_DECREF(xs);
        return name ? (mgpy_check(s), NULL) : NULL;
    }
    mg_value *act = mgpy_v(b);
    int act_int = data_int(s, act);
    PyObject *result = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        mg_value *wi = mgpy_v(PyList_GET_ITEM(w, i)), *xi;
        int xi_int, r = operand(s, PySequence_Fast_GET_ITEM(xs, i), &xi, &xi_int);
        if (r <= 0) {
            if (r == 0)
                PyErr_Format(PyExc_TypeError, "Neuron: input %zd is a %.200s, not a number", i,
                             Py_TYPE(PySequence_Fast_GET_ITEM(xs, i))->tp_name);
            goto out;
        }
        int prod_int = data_int(s, wi) && xi_int;
        mg_value *prod = mg_mul(wi, xi);
        act = mg_add(act, prod);
        act_int = act_int && prod_int;
        if (act_int && act && mgpy_sync(s) == 0) /* all ints: rare, as micrograd keeps them */
            s->bits[prod->id] |= NODE_DATA_INT, s->bits[act->id] |= NODE_DATA_INT;
    }
    if (nonlin) {
        int relu_int = act && (act->data < 0 || act_int);
        act = mg_relu(act);
        act_int = relu_int;
    }
    result = mgpy_result(s, act, act_int);
out:
    mg_scope_pop(s->g);
    Py_DECREF(xs);
    return result;
}

static PyObject *fn_scope_push(PyObject *self, PyObject *name)
{
    (void)self;
    mgpy_session *s = mgpy_default();
    const char *text = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (!text)
        return PyErr_Occurred() ? NULL
                                : (PyErr_SetString(PyExc_TypeError, "scope name must be a str"),
                                   NULL);
    if (mg_scope_push(s->g, text) != MG_OK)
        return mgpy_check(s), NULL;
    Py_RETURN_NONE;
}

static PyObject *fn_scope_pop(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    mg_scope_pop(mgpy_default()->g);
    Py_RETURN_NONE;
}

static PyObject *fn_collect(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    if (mgpy_collect(mgpy_default()) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyMethodDef mgpy_value_functions[] = {
    { "_param", (PyCFunction)(void (*)(void))fn_param, METH_VARARGS | METH_KEYWORDS,
      "_param(data, label='') -> a trainable Value (a parameter leaf)" },
    { "_neuron", fn_neuron, METH_VARARGS,
      "_neuron(w, b, x, nonlin, scope) -> micrograd's Neuron.__call__ in one call" },
    { "_scope_push", fn_scope_push, METH_O, "_scope_push(name): nodes made next live in name" },
    { "_scope_pop", fn_scope_pop, METH_NOARGS, "_scope_pop(): leaves the current scope" },
    { "collect", fn_collect, METH_NOARGS,
      "collect(): compacts the graph now (it happens by itself as the graph grows)" },
    { "stats", mgpy_stats, METH_NOARGS,
      "stats() -> dict: nodes, node_capacity, objects, tensor_bytes, node_limit, compactions" },
    { NULL, NULL, 0, NULL },
};

static PyMethodDef value_methods[] = {
    { "relu", value_relu, METH_NOARGS, "max(0, self) (micrograd's op 'ReLU')" },
    { "tanh", value_tanh, METH_NOARGS, "tanh(self)" },
    { "exp", value_exp, METH_NOARGS, "e ** self" },
    { "log", value_log, METH_NOARGS, "natural log of self (NaN below 0, as PyTorch)" },
    { "sigmoid", value_sigmoid, METH_NOARGS, "1 / (1 + e ** -self)" },
    { "backward", value_backward, METH_NOARGS,
      "backward(): sets self.grad = 1 and adds d(self)/d(node) into every node it depends on "
      "(micrograd's rule: grads accumulate until zeroed)" },
    { "_backward", value_backward_node, METH_NOARGS,
      "_backward(): this node's step of the chain rule, as micrograd's closure" },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef value_getset[] = {
    { "data", get_data, set_data, "the number this node holds", NULL },
    { "grad", get_grad, set_grad, "d(root)/d(self) after root.backward()", NULL },
    { "label", get_label, set_label, "a name shown in pictures", NULL },
    { "_prev", get_prev, NULL, "the set of Values this one was computed from", NULL },
    { "_op", get_op, NULL, "the op that made this Value ('' for leaves)", NULL },
    { "id", mgpy_get_id, NULL, "the node's position in the graph (compaction may lower it)",
      NULL },
    { "scope", mgpy_get_scope, NULL, "the scope path the node was made in ('mlp/layer1/neuron2')",
      NULL },
    { "kind", mgpy_get_kind, NULL, "'input', 'param', 'const' or 'computed'", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyNumberMethods value_as_number = {
    .nb_add = nb_add,
    .nb_subtract = nb_sub,
    .nb_multiply = nb_mul,
    .nb_true_divide = nb_truediv,
    .nb_power = nb_pow,
    .nb_negative = nb_neg,
};

PyTypeObject mgpy_value_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz.Value",
    .tp_basicsize = sizeof(mgpy_node),
    .tp_dealloc = mgpy_node_dealloc,
    .tp_repr = value_repr,
    .tp_as_number = &value_as_number,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Value(data, _children=(), _op='', label='')\n\n"
              "micrograd's scalar Value, as a node of mgviz's C graph.",
    .tp_weaklistoffset = offsetof(mgpy_node, weakrefs),
    .tp_methods = value_methods,
    .tp_getset = value_getset,
    .tp_new = value_new,
};
