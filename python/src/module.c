/* module.c — the extension module mgviz._mgviz: types and functions. */
#include "mgpy.h"

/* Adds each function of a table to the module. */
static int add_functions(PyObject *m, PyMethodDef *defs)
{
    return PyModule_AddFunctions(m, defs);
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mgviz._mgviz",
    .m_doc = "mgviz's C engine and visualiser (use the mgviz package).",
    .m_size = -1,
};

static int add_type(PyObject *m, PyTypeObject *type, const char *name)
{
    if (PyType_Ready(type) < 0)
        return -1;
    return name ? PyModule_AddObjectRef(m, name, (PyObject *)type) : 0;
}

PyMODINIT_FUNC PyInit__mgviz(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    if (add_type(m, &mgpy_session_type, NULL) < 0 || add_type(m, &mgpy_value_type, "Value") < 0
        || add_type(m, &mgpy_tensor_type, "Tensor") < 0
        || add_type(m, &mgpy_buffer_type, NULL) < 0
        || add_functions(m, mgpy_value_functions) < 0
        || add_functions(m, mgpy_tensor_functions) < 0
        || add_functions(m, mgpy_draw_functions) < 0 || mgpy_tnn_init(m) < 0
        || mgpy_session_init() < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddStringConstant(m, "version", mg_version());
    return m;
}
