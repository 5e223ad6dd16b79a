/* tnn.c — the tensor nn (mg_tnn.h) for Python: Linear, MLP and the SGD /
 * Adam optimisers. A model holds its parameter Tensors, so they (and the
 * engine structures that point at their payloads) live as long as it does. */
#include "mgpy.h"

#include <stdio.h>
#include <string.h>

#include "mg_rng.h"
#include "mg_tnn.h"

static int parse_init(const char *name, mg_init *init)
{
    if (!name || !strcmp(name, "kaiming")) {
        *init = MG_INIT_KAIMING;
        return 0;
    }
    if (!strcmp(name, "xavier")) {
        *init = MG_INIT_XAVIER;
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "init must be 'kaiming' or 'xavier', not '%s'", name);
    return -1;
}

/* A list of the Python objects of tensors. */
static PyObject *tensor_list(mgpy_session *s, mg_tensor *const *t, int n)
{
    PyObject *list = PyList_New(n);
    for (int i = 0; list && i < n; i++) {
        PyObject *o = mgpy_wrap(s, t[i]->node);
        if (!o)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i, o);
    }
    return list;
}

/* ---- what Linear and MLP share ---- */

/* Both layers start alike, so one parameters() and one call prologue serve them. */
typedef struct layer_object {
    PyObject_HEAD
    PyObject *params; /* the parameter Tensors, in the order the optimisers take them */
} layer_object;

static PyObject *layer_parameters(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PySequence_List(((layer_object *)self)->params);
}

static void layer_dealloc(PyObject *self)
{
    Py_XDECREF(((layer_object *)self)->params);
    Py_TYPE(self)->tp_free(self);
}

/* The one Tensor a layer named name is called on (borrowed), with the
 * session ready for the nodes the call makes: read its tensor after this,
 * as a compaction may move it. NULL with an exception. */
static PyObject *layer_input(PyObject *args, PyObject *kwds, const char *name)
{
    char fmt[32], what[48];
    snprintf(fmt, sizeof fmt, "O:%s", name);
    snprintf(what, sizeof what, "%s's input", name);
    PyObject *x;
    if (!PyArg_ParseTuple(args, fmt, &x) || !_PyArg_NoKeywords(name, kwds)
        || !mgpy_tensor_arg(x, what) || mgpy_prepare(mgpy_default()) < 0)
        return NULL;
    return x;
}

/* ---- Linear ---- */

typedef struct linear_object {
    PyObject_HEAD
    PyObject *params; /* [W, b] (layer_object's field) */
    mg_linear l;
} linear_object;

static PyObject *linear_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = { "nin", "nout", "dtype", "init", "seed", NULL };
    int nin, nout;
    const char *dtype = NULL, *init_name = NULL;
    unsigned long long seed = 0;
    mg_dtype dt;
    mg_init init;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii|$zzK:Linear", names, &nin, &nout, &dtype,
                                     &init_name, &seed)
        || mgpy_parse_dtype(dtype, &dt) < 0 || parse_init(init_name, &init) < 0)
        return NULL;
    mgpy_session *s = mgpy_default();
    if (mgpy_prepare(s) < 0)
        return NULL;
    linear_object *self = (linear_object *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    mg_rng rng;
    mg_rng_seed(&rng, seed);
    if (mg_linear_init(&self->l, s->g, dt, nin, nout, init, &rng) != MG_OK) {
        Py_DECREF(self);
        return mgpy_check(s), NULL;
    }
    mg_tensor *p[] = { self->l.W, self->l.b };
    self->params = tensor_list(s, p, 2);
    if (!self->params)
        Py_CLEAR(self);
    return (PyObject *)self;
}


static PyObject *linear_call(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *x = layer_input(args, kwds, "Linear");
    return x ? mgpy_tensor_result(mgpy_default(), mg_linear_forward(&((linear_object *)self)->l,
                                                                    mgpy_v(x)->tensor))
             : NULL;
}

static PyObject *linear_get(PyObject *self, void *which)
{
    return Py_NewRef(PyList_GET_ITEM(((linear_object *)self)->params, (Py_ssize_t)which));
}

static PyMethodDef linear_methods[] = {
    { "parameters", layer_parameters, METH_NOARGS, "[W, b]" },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef linear_getset[] = {
    { "W", linear_get, NULL, "weights [nin, nout]", (void *)0 },
    { "b", linear_get, NULL, "bias [nout]", (void *)1 },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject linear_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz.nn.Linear",
    .tp_basicsize = sizeof(linear_object),
    .tp_dealloc = layer_dealloc,
    .tp_call = linear_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Linear(nin, nout, *, dtype='float32', init='kaiming', seed=0)\n\n"
              "y = x @ W + b with W [nin, nout] and b [nout] (uniform init, bias 0).",
    .tp_methods = linear_methods,
    .tp_getset = linear_getset,
    .tp_new = linear_new,
};

/* ---- MLP ---- */

typedef struct mlp_object {
    PyObject_HEAD
    PyObject *params; /* [W1, b1, W2, b2, ...] (layer_object's field) */
    mg_tmlp *m;
} mlp_object;

static PyObject *mlp_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = { "sizes", "dtype", "init", "seed", NULL };
    PyObject *sizes_obj;
    const char *dtype = NULL, *init_name = NULL;
    unsigned long long seed = 0;
    mg_dtype dt;
    mg_init init;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$zzK:MLP", names, &sizes_obj, &dtype,
                                     &init_name, &seed)
        || mgpy_parse_dtype(dtype, &dt) < 0 || parse_init(init_name, &init) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(sizes_obj, "MLP: sizes must be a sequence of ints");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int *sizes = n >= 2 && n <= 64 ? PyMem_Malloc((size_t)n * sizeof *sizes) : NULL;
    for (Py_ssize_t i = 0; sizes && i < n; i++) {
        long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (x == -1 && PyErr_Occurred()) {
            Py_CLEAR(seq);
            break;
        }
        sizes[i] = x < 1 || x > INT32_MAX ? -1 : (int)x; /* the engine names bad sizes */
    }
    if (!seq || !sizes) {
        Py_XDECREF(seq);
        PyMem_Free(sizes);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "MLP: sizes must hold 2 to 64 ints (inputs, then "
                                              "each layer's width)");
        return NULL;
    }
    Py_DECREF(seq);
    mgpy_session *s = mgpy_default();
    mlp_object *self = mgpy_prepare(s) < 0 ? NULL : (mlp_object *)type->tp_alloc(type, 0);
    mg_error err = { 0 };
    if (self && !(self->m = mg_tmlp_new(s->g, dt, sizes, (int)n, init, seed, &err))) {
        mgpy_raise(err.code, err.message);
        mg_graph_clear_error(s->g);
        Py_CLEAR(self);
    }
    PyMem_Free(sizes);
    if (self && !(self->params = tensor_list(s, self->m->params, self->m->nparams)))
        Py_CLEAR(self);
    return (PyObject *)self;
}

static void mlp_dealloc(PyObject *self)
{
    mg_tmlp_free(((mlp_object *)self)->m);
    layer_dealloc(self);
}

static PyObject *mlp_call(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *x = layer_input(args, kwds, "MLP");
    return x ? mgpy_tensor_result(mgpy_default(),
                                  mg_tmlp_forward(((mlp_object *)self)->m, mgpy_v(x)->tensor))
             : NULL;
}

static PyObject *mlp_sizes(PyObject *self, void *c)
{
    (void)c;
    const mg_tmlp *m = ((mlp_object *)self)->m;
    PyObject *t = PyTuple_New(m->nlayers + 1);
    for (int i = 0; t && i <= m->nlayers; i++)
        PyTuple_SET_ITEM(t, i, PyLong_FromLong(m->sizes[i]));
    return t;
}

static PyMethodDef mlp_methods[] = {
    { "parameters", layer_parameters, METH_NOARGS, "[W1, b1, W2, b2, ...]" },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef mlp_getset[] = {
    { "sizes", mlp_sizes, NULL, "inputs, then each layer's width", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject mlp_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz.nn.MLP",
    .tp_basicsize = sizeof(mlp_object),
    .tp_dealloc = mlp_dealloc,
    .tp_call = mlp_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MLP(sizes, *, dtype='float32', init='kaiming', seed=0)\n\n"
              "Linear layers with relu between them (logits out), in scopes mlp/layerL.",
    .tp_methods = mlp_methods,
    .tp_getset = mlp_getset,
    .tp_new = mlp_new,
};

/* ---- optimisers ---- */

typedef struct optim_object {
    PyObject_HEAD
    mg_optim *o;
    PyObject *params; /* keeps the parameters (and their buffers) alive */
} optim_object;

/* _Optimizer(params, kind, lr, momentum, weight_decay, beta1, beta2, eps) */
static PyObject *optim_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = { "params", "kind", "lr", "momentum", "weight_decay", "beta1",
                             "beta2", "eps", NULL };
    PyObject *params;
    const char *kind;
    mg_optim_config cfg;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Osdddddd:_Optimizer", names, &params, &kind,
                                     &cfg.lr, &cfg.momentum, &cfg.weight_decay, &cfg.beta1,
                                     &cfg.beta2, &cfg.eps))
        return NULL;
    if (strcmp(kind, "sgd") && strcmp(kind, "adam"))
        return PyErr_Format(PyExc_ValueError, "optimizer kind must be 'sgd' or 'adam', not '%s'",
                            kind);
    cfg.kind = strcmp(kind, "sgd") ? MG_OPTIM_ADAM : MG_OPTIM_SGD;
    PyObject *list = PySequence_List(params);
    if (!list)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(list);
    mg_tensor **t = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *t);
    for (Py_ssize_t i = 0; t && i < n; i++)
        if (!(t[i] = mgpy_tensor_arg(PyList_GET_ITEM(list, i), "each parameter"))) {
            PyMem_Free(t);
            Py_DECREF(list);
            return NULL;
        }
    optim_object *self = t && n <= INT32_MAX ? (optim_object *)type->tp_alloc(type, 0) : NULL;
    mg_error err = { 0 };
    if (self && !(self->o = mg_optim_new(t, (int)n, &cfg, &err))) {
        mgpy_raise(err.code, err.message);
        Py_CLEAR(self);
    }
    PyMem_Free(t);
    if (self)
        self->params = list;
    else
        Py_DECREF(list);
    return PyErr_Occurred() ? NULL : (PyObject *)self;
}

static void optim_dealloc(PyObject *self)
{
    optim_object *o = (optim_object *)self;
    mg_optim_free(o->o);
    Py_XDECREF(o->params);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *optim_step(PyObject *self, PyObject *unused)
{
    (void)unused;
    mg_optim_step(((optim_object *)self)->o);
    Py_RETURN_NONE;
}

static PyObject *optim_zero_grad(PyObject *self, PyObject *unused)
{
    (void)unused;
    mg_optim_zero_grad(((optim_object *)self)->o);
    Py_RETURN_NONE;
}

static PyObject *optim_get_lr(PyObject *self, void *c)
{
    (void)c;
    return PyFloat_FromDouble(((optim_object *)self)->o->cfg.lr);
}

static int optim_set_lr(PyObject *self, PyObject *value, void *c)
{
    (void)c;
    double lr = value ? PyFloat_AsDouble(value) : -1.0;
    if (lr == -1.0 && PyErr_Occurred())
        return -1;
    if (!(lr >= 0.0)) {
        PyErr_SetString(PyExc_ValueError, "lr must be a number >= 0");
        return -1;
    }
    ((optim_object *)self)->o->cfg.lr = lr;
    return 0;
}

static PyMethodDef optim_methods[] = {
    { "step", optim_step, METH_NOARGS, "one update from the parameters' grads" },
    { "zero_grad", optim_zero_grad, METH_NOARGS, "sets every parameter's grad to 0" },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef optim_getset[] = {
    { "lr", optim_get_lr, optim_set_lr, "the learning rate (settable, for schedules)", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject optim_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz._Optimizer",
    .tp_basicsize = sizeof(optim_object),
    .tp_dealloc = optim_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The engine's optimiser state (use mgviz.optim.SGD or Adam).",
    .tp_methods = optim_methods,
    .tp_getset = optim_getset,
    .tp_new = optim_new,
};

int mgpy_tnn_init(PyObject *module)
{
    PyTypeObject *types[] = { &linear_type, &mlp_type, &optim_type };
    const char *names[] = { "Linear", "MLP", "_Optimizer" };
    for (int i = 0; i < 3; i++)
        if (PyType_Ready(types[i]) < 0
            || PyModule_AddObjectRef(module, names[i], (PyObject *)types[i]) < 0)
            return -1;
    return 0;
}
