/* mg_format.h — numbers as text. */
#ifndef MG_FORMAT_H
#define MG_FORMAT_H

#include <stddef.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

/* Writes x as the shortest decimal that reads back as exactly x, or "nan",
 * "inf", "-inf"; returns the length as snprintf does (25 bytes always fit). */
MG_API size_t mg_format_double(double x, char *buf, size_t n);

/* Writes x for people to read, with at most `digits` significant digits
 * (1..17, as %.*g): "nan" (never "-nan"), "inf", "-inf", and zero of either
 * sign as "0" (never "-0"). Pictures and printed summaries use it; returns the
 * length as snprintf does (32 bytes always fit). */
MG_API size_t mg_format_display(double x, int digits, char *buf, size_t n);

MG_EXTERN_C_END

#endif
