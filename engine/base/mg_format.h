/* mg_format.h — numbers as text, and input text made safe to show. */
#ifndef MG_FORMAT_H
#define MG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

/* Writes x as the shortest decimal that reads back as exactly x, or "nan",
 * "inf", "-inf"; returns the length as snprintf does (25 bytes always fit). */
MG_API size_t mg_format_double(double x, char *buf, size_t n);

/* The precision a number is written for: what it must read back as. */
typedef enum mg_precision {
    MG_PRECISION_DOUBLE, /* the same double (at most 17 significant digits) */
    MG_PRECISION_FLOAT   /* the same float, e.g. f32 tensor data (at most 9) */
} mg_precision;

/* Writes x as a JSON number, the one rule every JSON writer follows: the
 * shortest decimal that reads back as x in precision p (as
 * mg_format_double() for doubles), zero of either sign as "0" (never "-0"),
 * and "null" for NaN and infinities, which JSON lacks (writers then spell
 * them in a KEY_str member with mg_format_double()). Returns the length as
 * snprintf does (25 bytes always fit). */
MG_API size_t mg_format_json_number(double x, mg_precision p, char *buf, size_t n);

/* Writes x for people to read, with at most `digits` significant digits
 * (1..17, as %.*g): "nan" (never "-nan"), "inf", "-inf", and zero of either
 * sign as "0" (never "-0"). Pictures and printed summaries use it; returns the
 * length as snprintf does (32 bytes always fit). */
MG_API size_t mg_format_display(double x, int digits, char *buf, size_t n);

/* The length of the well-formed UTF-8 character at s (at most n bytes, read
 * in order up to the first that does not belong: a NUL-terminated s may
 * pass n = 4): 1 for ASCII, 2..4, or 0 when s does not start one (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF). */
MG_API size_t mg_utf8_length(const char *s, size_t n);

/* Input echoed to a terminal (a label, a program line, a file name) must not
 * be able to drive it: an ESC or CSI byte would start an escape sequence. */

/* The length of the character at s (at most n bytes, n >= 1) when a terminal
 * may be shown it as it is: printable ASCII, a tab, or well-formed UTF-8 that
 * is not a C1 control (U+0080..U+009F). 0 when it must be escaped: other
 * control bytes (newline too), DEL, and bytes that are not UTF-8. */
MG_API size_t mg_format_visible_char(const char *s, size_t n);

/* Copies s[0..len) into buf (cut to n bytes, NUL-terminated when n > 0) with
 * every byte mg_format_visible_char refuses written as \xNN; newlines stay
 * when keep_newlines. Returns the length of the whole result, as snprintf. */
MG_API size_t mg_format_visible(const char *s, size_t len, bool keep_newlines, char *buf,
                                size_t n);

MG_EXTERN_C_END

#endif
