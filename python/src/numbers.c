/* numbers.c — Python numbers in and out, keeping micrograd's ints. */
#include "mgpy.h"

#include <math.h>

int mgpy_number(PyObject *o, double *x, int *is_int)
{
    if (PyFloat_Check(o)) {
        *x = PyFloat_AS_DOUBLE(o);
        *is_int = 0;
        return 1;
    }
    if (PyLong_Check(o) || (PyIndex_Check(o) && !PyFloat_Check(o))) {
        PyObject *i = PyNumber_Index(o);
        if (!i)
            goto not_a_number;
        *x = PyLong_AsDouble(i);
        Py_DECREF(i);
        *is_int = 1;
        return *x == -1.0 && PyErr_Occurred() ? -1 : 1;
    }
    if (Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->nb_float) {
        *x = PyFloat_AsDouble(o);
        *is_int = 0;
        if (*x == -1.0 && PyErr_Occurred())
            goto not_a_number;
        return 1;
    }
    return 0;
not_a_number:
    /* e.g. a NumPy array of several numbers: not a number, let it broadcast */
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return -1;
    PyErr_Clear();
    return 0;
}

PyObject *mgpy_number_object(double x, int is_int)
{
    if (is_int && isfinite(x) && x == floor(x))
        return PyLong_FromDouble(x);
    return PyFloat_FromDouble(x);
}
