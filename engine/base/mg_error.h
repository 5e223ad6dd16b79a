/* mg_error.h — errors travel as values with a message, never as abort().
 *
 * Calls that can fail return an mg_code (MG_OK is 0). Calls that do not own a
 * graph take an `mg_error *err` (may be NULL) and fill it with a message that
 * names the problem. Graph calls keep a sticky error on the graph instead:
 * see mg_graph_error() in mg_graph.h. */
#ifndef MG_ERROR_H
#define MG_ERROR_H

#include <stddef.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

typedef enum mg_code {
    MG_OK = 0,
    MG_EINVAL,  /* a bad argument: NULL node, mixed graphs, non-finite exponent */
    MG_ENOMEM,  /* out of memory */
    MG_ESYNTAX, /* a program or file that does not parse */
    MG_ESHAPE,  /* tensor shapes that do not fit */
    MG_EIO,     /* a file that cannot be read or written */
    MG_EFORMAT, /* a file that is truncated, corrupt or of the wrong kind */
    MG_ERENDER  /* Graphviz refused to lay out or render */
} mg_code;

enum { MG_ERROR_MESSAGE_SIZE = 512 };

typedef struct mg_error {
    mg_code code;                       /* MG_OK when nothing went wrong */
    char message[MG_ERROR_MESSAGE_SIZE]; /* names the problem; "" when MG_OK */
} mg_error;

/* Fills err (if not NULL) with code and a printf-style message; returns code. */
MG_API mg_code mg_error_set(mg_error *err, mg_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err (if not NULL) to MG_OK with an empty message. */
MG_API void mg_error_clear(mg_error *err);

/* A short constant name for a code ("invalid argument", "out of memory", ...). */
MG_API const char *mg_code_name(mg_code code);

MG_EXTERN_C_END

#endif
