/* error.c — filling mg_error values. */
#include "mg_error.h"

#include <stdarg.h>
#include <stdio.h>

mg_code mg_error_set(mg_error *err, mg_code code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void mg_error_clear(mg_error *err)
{
    if (err) {
        err->code = MG_OK;
        err->message[0] = '\0';
    }
}

const char *mg_code_name(mg_code code)
{
    switch (code) {
    case MG_OK: return "ok";
    case MG_EINVAL: return "invalid argument";
    case MG_ENOMEM: return "out of memory";
    case MG_ESYNTAX: return "syntax error";
    case MG_ESHAPE: return "shape mismatch";
    case MG_EIO: return "i/o error";
    case MG_EFORMAT: return "bad file format";
    case MG_ERENDER: return "render error";
    }
    return "unknown error";
}
