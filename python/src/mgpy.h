/* mgpy.h — what the files of the Python module share (internal).
 *
 * Every Python Value or Tensor stands for one node of the module's session
 * graph (session.c). An object holds a strong reference to the session, so
 * the graph outlives every object made from it; each node has at most one
 * Python object at a time (the session's wrap table), so `a in b._prev`
 * and sets of values behave as in micrograd. */
#ifndef MGPY_H
#define MGPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "mg_tensor.h"
#include "mg_value.h"

/* What the module keeps per node beside the engine's fields. */
enum {
    NODE_DATA_INT = 1u << 0,   /* data is a Python int, as micrograd keeps Value(0) */
    NODE_GRAD_FLOAT = 1u << 1, /* grad became a float (micrograd starts at the int 0) */
    NODE_K_INT = 1u << 2,      /* ** with an int exponent: op "**2", not "**2.0" */
    NODE_USER = 1u << 3,       /* Value(data, _children, _op): see mgpy_session.user */
    NODE_MARK = 1u << 7        /* scratch bit of one sweep */
};

/* A block of tensor bytes and the node it belongs to. */
typedef struct mgpy_block {
    void *p;
    size_t size;
    uint32_t owner;
} mgpy_block;

typedef struct mgpy_session {
    PyObject_HEAD
    mg_graph *g;
    PyObject **wrap;       /* per node id: its Python object (borrowed) or NULL */
    uint8_t *bits;         /* per node id: NODE_* */
    uint32_t len, cap;     /* entries set up (<= node count), entries allocated */
    PyObject *user;        /* dict: node id -> (children tuple, op str) */
    size_t node_limit;     /* compact when the graph holds this many nodes */
    mgpy_block *blocks;    /* tensor bytes in node order */
    size_t nblocks, block_cap;
    size_t bytes, byte_limit;
    unsigned long long compactions;
} mgpy_session;

/* Value and Tensor objects start alike, so the session can move them. */
typedef struct mgpy_node {
    PyObject_HEAD
    mgpy_session *s;   /* strong */
    mg_value *v;       /* updated when the graph is compacted */
    PyObject *weakrefs;
} mgpy_node;

extern PyTypeObject mgpy_value_type, mgpy_tensor_type, mgpy_session_type, mgpy_buffer_type;

/* ---- session.c ---- */
/* The module's session (a borrowed reference). */
mgpy_session *mgpy_default(void);
/* Sets the module's session at import time; 0 or -1 with an exception. */
int mgpy_session_init(void);
/* Call before an op creates nodes: compacts the graph when it has grown
 * past its limit. Operand pointers must be read from their objects after. */
int mgpy_prepare(mgpy_session *s);
/* Makes the per-node tables cover every node of the graph; -1 on no memory. */
int mgpy_sync(mgpy_session *s);
/* The Python object of v (new reference), made when it has none. */
PyObject *mgpy_wrap(mgpy_session *s, mg_value *v);
/* tp_dealloc of Value and Tensor: leaves the wrap table, drops the session. */
void mgpy_node_dealloc(PyObject *self);
/* Per-node bits (the tables must be synced). */
static inline uint8_t *mgpy_bits(mgpy_session *s, const mg_value *v) { return &s->bits[v->id]; }
/* The graph's sticky error as a Python exception: -1 if there was one (and
 * it is cleared so the session goes on), 0 if none. */
int mgpy_check(mgpy_session *s);
/* Raises the exception for an engine code with message. */
void mgpy_raise(mg_code code, const char *message);
/* Marks every node root reaches (root included) with NODE_MARK, then lets
 * visit clear or use it: the sweep behind backward's int/float bookkeeping. */
void mgpy_mark_reached(mgpy_session *s, mg_value *root);
/* Compacts now; what the tests and stats() use. */
int mgpy_collect(mgpy_session *s);
PyObject *mgpy_stats(PyObject *self, PyObject *unused);

/* ---- numbers.c ---- */
/* 1 with *x set (and *is_int) when o is a plain number, 0 when it is not one
 * (no exception), -1 with an exception (an int too large). */
int mgpy_number(PyObject *o, double *x, int *is_int);
/* A Python int when is_int and x is integral and finite, else a float. */
PyObject *mgpy_number_object(double x, int is_int);

/* ---- value.c ---- */
#define MGPY_IS_VALUE(o) PyObject_TypeCheck(o, &mgpy_value_type)
#define MGPY_IS_TENSOR(o) PyObject_TypeCheck(o, &mgpy_tensor_type)
static inline mg_value *mgpy_v(PyObject *o) { return ((mgpy_node *)o)->v; }
/* Wraps a node just made by an op, setting its DATA_INT bit; NULL (with the
 * graph's error raised) when v is NULL. */
PyObject *mgpy_result(mgpy_session *s, mg_value *v, int data_int);
extern PyMethodDef mgpy_value_functions[];
/* Sets v's label from a str (no NUL inside); 0 or -1 with an exception. */
int mgpy_set_label(mgpy_session *s, mg_value *v, PyObject *label);
/* The set of the Python objects of v's operands (micrograd's _prev). */
PyObject *mgpy_operand_set(mgpy_session *s, const mg_value *v);
/* Getters Value and Tensor share: id, scope path, kind. */
PyObject *mgpy_get_id(PyObject *self, void *closure);
PyObject *mgpy_get_scope(PyObject *self, void *closure);
PyObject *mgpy_get_kind(PyObject *self, void *closure);

/* ---- tensor.c ---- */
/* A tensor as its Python object (new reference), or NULL with the error raised. */
PyObject *mgpy_tensor_result(mgpy_session *s, mg_tensor *t);
/* The tensor of o, or NULL with a TypeError naming what. */
mg_tensor *mgpy_tensor_arg(PyObject *o, const char *what);
extern PyMethodDef mgpy_tensor_functions[];
/* A dtype name ("float32" or "f32", the default when NULL; "float64" or
 * "f64") as its mg_dtype; 0, or -1 with a ValueError. */
int mgpy_parse_dtype(const char *name, mg_dtype *dt);

/* ---- tnn.c ---- */
int mgpy_tnn_init(PyObject *module);

/* ---- draw.c ---- */
extern PyMethodDef mgpy_draw_functions[];

#endif
