/* session.c — the graph behind every Python Value and Tensor, and how its
 * memory comes back.
 *
 * Memory model. One session graph holds every node. It is never rewound
 * (Python drops objects in any order: a training loop still holds step k's
 * loss while it builds step k+1), so nodes cannot be freed from the top. The
 * session compacts instead: when the graph reaches its node limit, or the
 * tensor bytes their byte limit, the nodes that some Python object stands for
 * and every node they depend on are kept, slid down in creation order
 * (mg_graph_compact), and the rest dropped; the objects are re-pointed at the
 * new slots. Tensor payloads never move (NumPy may hold views of them): they
 * come from this file's allocator, which tags each block with its node and
 * frees the blocks of dropped nodes. After a compaction the limits become
 * twice what survived (at least the minimums below), so the work is linear
 * in what is created and a loop that keeps a bounded amount alive runs in
 * bounded memory. Compaction runs only when an op is about to create nodes
 * (mgpy_prepare), never inside an engine call, so engine pointers held by C
 * code across one call stay valid. */
#include "mgpy.h"

#include <stdlib.h>
#include <string.h>

#include "mg_graph.h"

enum { MIN_NODE_LIMIT = 1u << 18 };
#define MIN_BYTE_LIMIT ((size_t)64 << 20)

static mgpy_session *session;

mgpy_session *mgpy_default(void) { return session; }

/* ---- tensor bytes ---- */

static void *session_alloc(void *ctx, size_t size, uint32_t owner)
{
    mgpy_session *s = ctx; /* tensors get grads only when made, so owner is theirs */
    if (s->nblocks == s->block_cap) {
        size_t cap = s->block_cap ? s->block_cap * 2 : 256;
        mgpy_block *b = realloc(s->blocks, cap * sizeof *b);
        if (!b)
            return NULL;
        s->blocks = b;
        s->block_cap = cap;
    }
    void *p = aligned_alloc(64, size); /* the engine rounds size to 64 */
    if (!p)
        return NULL;
    s->blocks[s->nblocks++] = (mgpy_block){ .p = p, .size = size, .owner = owner };
    s->bytes += size;
    return p;
}

/* Frees the blocks of dropped nodes and renumbers the rest. */
static void remap_blocks(mgpy_session *s, const uint32_t *remap, uint32_t n)
{
    size_t kept = 0;
    s->bytes = 0;
    for (size_t i = 0; i < s->nblocks; i++) {
        mgpy_block b = s->blocks[i];
        uint32_t to = b.owner < n ? remap[b.owner] : UINT32_MAX;
        if (to == UINT32_MAX) {
            free(b.p);
            continue;
        }
        b.owner = to;
        s->blocks[kept++] = b;
        s->bytes += b.size;
    }
    s->nblocks = kept;
}

/* ---- the per-node tables ---- */

int mgpy_sync(mgpy_session *s)
{
    uint32_t n = (uint32_t)mg_graph_count(s->g);
    if (n > s->cap) {
        uint32_t cap = s->cap ? s->cap : 4096;
        while (cap < n)
            cap = cap > UINT32_MAX / 2 ? n : cap * 2;
        PyObject **wrap = realloc(s->wrap, cap * sizeof *wrap);
        if (wrap)
            s->wrap = wrap;
        uint8_t *bits = realloc(s->bits, cap);
        if (bits)
            s->bits = bits;
        if (!wrap || !bits) {
            PyErr_NoMemory();
            return -1;
        }
        s->cap = cap;
    }
    if (n > s->len) {
        memset(s->wrap + s->len, 0, (n - s->len) * sizeof *s->wrap);
        memset(s->bits + s->len, 0, n - s->len);
    }
    s->len = n; /* below: an engine rewind dropped nodes no object stood for */
    return 0;
}

PyObject *mgpy_wrap(mgpy_session *s, mg_value *v)
{
    if (mgpy_sync(s) < 0)
        return NULL;
    PyObject *o = s->wrap[v->id];
    if (o) {
        Py_INCREF(o);
        return o;
    }
    PyTypeObject *type = (v->flags & MG_FLAG_TENSOR) ? &mgpy_tensor_type : &mgpy_value_type;
    mgpy_node *w = PyObject_New(mgpy_node, type);
    if (!w)
        return NULL;
    Py_INCREF(s);
    w->s = s;
    w->v = v;
    w->weakrefs = NULL;
    s->wrap[v->id] = (PyObject *)w;
    return (PyObject *)w;
}

void mgpy_node_dealloc(PyObject *self)
{
    mgpy_node *o = (mgpy_node *)self;
    if (o->weakrefs)
        PyObject_ClearWeakRefs(self);
    mgpy_session *s = o->s;
    if (s && o->v && o->v->id < s->len && s->wrap[o->v->id] == self)
        s->wrap[o->v->id] = NULL;
    Py_XDECREF(s);
    Py_TYPE(self)->tp_free(self);
}

/* ---- compaction ---- */

/* Moves the per-node tables and the user dict along remap; what the dropped
 * nodes held goes to `drop` (released by the caller once all is consistent,
 * since releasing can run Python code). */
static int remap_tables(mgpy_session *s, const uint32_t *remap, uint32_t n, PyObject *drop)
{
    for (uint32_t id = 0; id < n; id++) {
        uint32_t to = remap[id];
        if (to == UINT32_MAX)
            continue;
        s->wrap[to] = s->wrap[id];
        s->bits[to] = s->bits[id];
        if (s->wrap[to])
            ((mgpy_node *)s->wrap[to])->v = mg_graph_node(s->g, to);
    }
    if (PyDict_GET_SIZE(s->user) == 0)
        return 0;
    PyObject *moved = PyDict_New();
    if (!moved)
        return -1;
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(s->user, &pos, &key, &val)) {
        unsigned long id = PyLong_AsUnsignedLong(key);
        uint32_t to = id < n ? remap[id] : UINT32_MAX;
        PyObject *k = to == UINT32_MAX ? NULL : PyLong_FromUnsignedLong(to);
        int rc = k ? PyDict_SetItem(moved, k, val) : PyList_Append(drop, val);
        Py_XDECREF(k);
        if (rc < 0) {
            Py_DECREF(moved);
            return -1;
        }
    }
    PyList_Append(drop, s->user);
    Py_DECREF(s->user);
    s->user = moved;
    return 0;
}

int mgpy_collect(mgpy_session *s)
{
    if (mgpy_sync(s) < 0)
        return -1;
    uint32_t n = s->len;
    uint8_t *live = malloc(n ? n : 1);
    uint32_t *remap = malloc((size_t)(n ? n : 1) * sizeof *remap);
    PyObject *drop = PyList_New(0);
    if (!live || !remap || !drop) {
        free(live);
        free(remap);
        Py_XDECREF(drop);
        return PyErr_Occurred() ? -1 : (PyErr_NoMemory(), -1);
    }
    for (uint32_t id = 0; id < n; id++)
        live[id] = s->wrap[id] != NULL;
    size_t kept = mg_graph_compact(s->g, live, remap);
    int rc = 0;
    if (kept == n && mg_graph_status(s->g) != MG_OK) {
        rc = mgpy_check(s); /* out of memory: nothing moved */
    } else {
        rc = remap_tables(s, remap, n, drop);
        remap_blocks(s, remap, n);
        s->len = (uint32_t)kept;
        s->compactions++;
    }
    s->node_limit = kept * 2 > MIN_NODE_LIMIT ? kept * 2 : MIN_NODE_LIMIT;
    s->byte_limit = s->bytes * 2 > MIN_BYTE_LIMIT ? s->bytes * 2 : MIN_BYTE_LIMIT;
    free(live);
    free(remap);
    Py_DECREF(drop); /* may run Python code: the graph is consistent again */
    return rc;
}

int mgpy_prepare(mgpy_session *s)
{
    if (mg_graph_count(s->g) < s->node_limit && s->bytes < s->byte_limit)
        return 0;
    return mgpy_collect(s);
}

/* ---- errors ---- */

void mgpy_raise(mg_code code, const char *message)
{
    PyObject *type = PyExc_ValueError;
    switch (code) {
    case MG_ENOMEM: type = PyExc_MemoryError; break;
    case MG_EIO: type = PyExc_OSError; break;
    case MG_ERENDER: type = PyExc_RuntimeError; break;
    default: break;
    }
    PyErr_SetString(type, message && *message ? message : mg_code_name(code));
}

int mgpy_check(mgpy_session *s)
{
    mg_code code = mg_graph_status(s->g);
    if (code == MG_OK)
        return 0;
    mgpy_raise(code, mg_graph_error(s->g));
    mg_graph_clear_error(s->g);
    return -1;
}

/* ---- the backward sweep ---- */

void mgpy_mark_reached(mgpy_session *s, mg_value *root)
{
    s->bits[root->id] |= NODE_MARK;
    mg_reach_marked(s->g, root->id, s->bits, NODE_MARK);
    for (uint32_t id = 0; id <= root->id; id++)
        if (s->bits[id] & NODE_MARK)
            s->bits[id] = (uint8_t)((s->bits[id] & ~NODE_MARK) | NODE_GRAD_FLOAT);
}

/* ---- the session object ---- */

static void session_dealloc(PyObject *self)
{
    mgpy_session *s = (mgpy_session *)self;
    mg_graph_free(s->g);
    for (size_t i = 0; i < s->nblocks; i++)
        free(s->blocks[i].p);
    free(s->blocks);
    free(s->wrap);
    free(s->bits);
    Py_XDECREF(s->user);
    Py_TYPE(self)->tp_free(self);
}

PyTypeObject mgpy_session_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mgviz._Session",
    .tp_basicsize = sizeof(mgpy_session),
    .tp_dealloc = session_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The graph every Value and Tensor of this process lives in.",
};

int mgpy_session_init(void)
{
    mgpy_session *s = PyObject_New(mgpy_session, &mgpy_session_type);
    if (!s)
        return -1;
    memset((char *)s + sizeof(PyObject), 0, sizeof *s - sizeof(PyObject));
    s->node_limit = MIN_NODE_LIMIT;
    s->byte_limit = MIN_BYTE_LIMIT;
    s->user = PyDict_New();
    s->g = mg_graph_new();
    mg_graph_allocator alloc = { .alloc = session_alloc, .ctx = s };
    if (!s->user || !s->g || mg_graph_set_allocator(s->g, &alloc) != MG_OK) {
        Py_DECREF(s);
        PyErr_NoMemory();
        return -1;
    }
    session = s; /* the module's reference */
    return 0;
}

PyObject *mgpy_stats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    mgpy_session *s = session;
    mg_graph_stats st = mg_graph_get_stats(s->g);
    size_t objects = 0;
    for (uint32_t id = 0; id < s->len; id++)
        objects += s->wrap[id] != NULL;
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:n,s:K}", "nodes", (Py_ssize_t)st.nodes,
                         "node_capacity", (Py_ssize_t)st.node_capacity, "objects",
                         (Py_ssize_t)objects, "tensor_bytes", (Py_ssize_t)s->bytes,
                         "node_limit", (Py_ssize_t)s->node_limit, "compactions",
                         s->compactions);
}
