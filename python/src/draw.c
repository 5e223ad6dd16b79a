/* draw.c — pictures and inspector pages of a Value's or Tensor's graph,
 * through the in-process renderer (mg_viz.h) and mg_html.h. The Drawing and
 * Inspector objects Jupyter shows are Python (mgviz/draw.py) over these. */
#include "mgpy.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_html.h"
#include "mg_viz.h"

/* Drawing options, keyword for keyword the fields of mg_viz_options. */
typedef struct draw_args {
    PyObject *root;
    const char *format;
    int before_after;
    mg_viz_options opt;
    PyObject *fold_budget, *focus;
    const char *path, *page_title;
} draw_args;

static int parse_focus(PyObject *focus, mg_viz_options *opt)
{
    if (focus == Py_None)
        return 0;
    opt->focus = true;
    if (MGPY_IS_VALUE(focus) || MGPY_IS_TENSOR(focus)) {
        opt->focus_id = mgpy_v(focus)->id;
        return 0;
    }
    unsigned long id = PyLong_Check(focus) ? PyLong_AsUnsignedLong(focus) : (unsigned long)-1;
    if (id > UINT32_MAX) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "focus must be a Value, a Tensor or a node id");
        return -1;
    }
    opt->focus_id = (uint32_t)id;
    return 0;
}

static int parse_budget(PyObject *budget, mg_viz_options *opt)
{
    if (budget == Py_None)
        return 0;
    if (PyFloat_Check(budget) && isinf(PyFloat_AS_DOUBLE(budget))
        && PyFloat_AS_DOUBLE(budget) > 0) {
        opt->fold_budget = SIZE_MAX; /* never fold */
        return 0;
    }
    Py_ssize_t n = PyLong_Check(budget) ? PyLong_AsSsize_t(budget) : -1;
    if (n < 1) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError,
                        "fold_budget must be None, a positive int or float('inf') (never fold)");
        return -1;
    }
    opt->fold_budget = (size_t)n;
    return 0;
}

/* Parses root and the options; 0 or -1 with an exception. */
static int parse(PyObject *args, PyObject *kwds, draw_args *d, int page)
{
    static char *draw_names[] = { "root", "format", "rankdir", "before_after", "show_ids",
                                  "hide_op_nodes", "precision", "title", "fold_budget",
                                  "unfold_scope", "focus", "focus_radius", "max_inches", "dpi",
                                  "no_heatmaps", "heatmap_dir", NULL };
    static char *page_names[] = { "root", "path", "page_title", "rankdir", "show_ids",
                                  "hide_op_nodes", "precision", "title", "fold_budget",
                                  "unfold_scope", "focus", "focus_radius", "max_inches", "dpi",
                                  "no_heatmaps", "heatmap_dir", NULL };
    memset(d, 0, sizeof *d);
    d->format = "svg";
    d->fold_budget = d->focus = Py_None;
    int show_ids = 0, hide_ops = 0, no_heatmaps = 0;
    unsigned int radius = 0;
    int ok = page ? PyArg_ParseTupleAndKeywords(
                        args, kwds, "Os|z$zppizOzOIdipz:inspect", page_names, &d->root, &d->path,
                        &d->page_title, &d->opt.rankdir, &show_ids, &hide_ops, &d->opt.precision,
                        &d->opt.title, &d->fold_budget, &d->opt.unfold_scope, &d->focus, &radius,
                        &d->opt.max_inches, &d->opt.dpi, &no_heatmaps, &d->opt.heatmap_dir)
                  : PyArg_ParseTupleAndKeywords(
                        args, kwds, "O|sz$pppizOzOIdipz:draw_dot", draw_names, &d->root,
                        &d->format, &d->opt.rankdir, &d->before_after, &show_ids, &hide_ops,
                        &d->opt.precision, &d->opt.title, &d->fold_budget, &d->opt.unfold_scope,
                        &d->focus, &radius, &d->opt.max_inches, &d->opt.dpi, &no_heatmaps,
                        &d->opt.heatmap_dir);
    if (!ok)
        return -1;
    if (!MGPY_IS_VALUE(d->root) && !MGPY_IS_TENSOR(d->root)) {
        PyErr_Format(PyExc_TypeError, "root must be a Value or a Tensor, not %.200s",
                     Py_TYPE(d->root)->tp_name);
        return -1;
    }
    if (d->opt.precision < 0 || d->opt.precision > 17 || d->opt.dpi < 0
        || d->opt.max_inches < 0 || !isfinite(d->opt.max_inches)) {
        PyErr_SetString(PyExc_ValueError,
                        "precision must be 0..17 (0 = default), dpi and max_inches >= 0");
        return -1;
    }
    d->opt.show_ids = show_ids;
    d->opt.hide_op_nodes = hide_ops;
    d->opt.no_heatmaps = no_heatmaps;
    d->opt.focus_radius = radius;
    return parse_budget(d->fold_budget, &d->opt) < 0 || parse_focus(d->focus, &d->opt) < 0 ? -1
                                                                                          : 0;
}

/* A backward pass ran inside the library: grads are floats now, the root's 1. */
static void after_backward(mgpy_session *s, mg_value *root)
{
    if (mgpy_sync(s) == 0 && !(root->flags & MG_FLAG_TENSOR)) {
        mgpy_mark_reached(s, root);
        *mgpy_bits(s, root) &= (uint8_t)~NODE_GRAD_FLOAT;
    }
}

/* A fresh empty directory for files the library writes (mg_draw_backward,
 * mg_html_write write to paths); "" when none could be made. */
static void temp_dir(char *buf, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, n, "%s/mgviz-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        buf[0] = '\0';
}

/* Reads a whole file into a new bytes object. */
static PyObject *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    PyObject *out = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            out = PyBytes_FromStringAndSize(NULL, n);
            if (out && fread(PyBytes_AS_STRING(out), 1, (size_t)n, f) != (size_t)n) {
                Py_CLEAR(out);
                PyErr_SetString(PyExc_OSError, "short read of a drawing");
            }
        }
    }
    fclose(f);
    if (!out && !PyErr_Occurred())
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    return out;
}

/* Runs mg_draw_backward into a temporary file and returns its bytes. */
static PyObject *draw_backward(draw_args *d, mgpy_session *s)
{
    char dir[4096], path[4200];
    temp_dir(dir, sizeof dir);
    if (!dir[0])
        return PyErr_SetFromErrno(PyExc_OSError);
    snprintf(path, sizeof path, "%s/graph.%s", dir, d->format);
    mg_error err = { 0 };
    mg_value *root = mgpy_v(d->root);
    mg_code rc = mg_draw_backward(root, path, &d->opt, &err);
    after_backward(s, root);
    PyObject *out = rc == MG_OK ? slurp(path) : (mgpy_raise(rc, err.message), NULL);
    unlink(path);
    rmdir(dir);
    return out;
}

/* _draw(root, format='svg', rankdir=None, *, before_after=False, ...) -> bytes */
static PyObject *fn_draw(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    draw_args d;
    if (parse(args, kwds, &d, 0) < 0)
        return NULL;
    mgpy_session *s = mgpy_default();
    if (strcmp(d.format, "svg") && strcmp(d.format, "png") && strcmp(d.format, "dot")) {
        PyErr_Format(PyExc_ValueError, "format must be 'svg', 'png' or 'dot', not '%s'",
                     d.format);
        return NULL;
    }
    if (d.before_after)
        return draw_backward(&d, s);
    char *out = NULL;
    size_t len = 0;
    mg_error err = { 0 };
    mg_code rc = mg_draw_dot_data(mgpy_v(d.root), d.format, &d.opt, &out, &len, &err);
    if (rc != MG_OK) {
        free(out);
        mgpy_raise(rc, err.message);
        return NULL;
    }
    PyObject *bytes = PyBytes_FromStringAndSize(out, (Py_ssize_t)len);
    free(out);
    return bytes;
}

/* _inspect(root, path, page_title=None, *, ...viz options) -> None */
static PyObject *fn_inspect(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    draw_args d;
    if (parse(args, kwds, &d, 1) < 0)
        return NULL;
    mg_html_options hopt = { .title = d.page_title, .viz = &d.opt };
    mg_error err = { 0 };
    mg_value *root = mgpy_v(d.root);
    mg_code rc = mg_html_write(root, d.path, &hopt, &err);
    after_backward(mgpy_default(), root);
    if (rc != MG_OK) {
        mgpy_raise(rc, err.message);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyMethodDef mgpy_draw_functions[] = {
    { "_draw", (PyCFunction)(void (*)(void))fn_draw, METH_VARARGS | METH_KEYWORDS,
      "_draw(root, format='svg', rankdir=None, *, before_after=False, ...) -> bytes" },
    { "_inspect", (PyCFunction)(void (*)(void))fn_inspect, METH_VARARGS | METH_KEYWORDS,
      "_inspect(root, path, page_title=None, *, ...) writes the HTML inspector" },
    { NULL, NULL, 0, NULL },
};
