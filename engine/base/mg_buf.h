/* mg_buf.h — a growing text buffer and the encodings writers need: JSON
 * strings and numbers, HTML text, base64.
 *
 * Appends after an allocation failure do nothing and leave `failed` set, so a
 * writer appends freely and checks once at the end. */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

typedef struct mg_buf {
    char *p;        /* NUL-terminated once anything was appended */
    size_t len, cap;
    bool failed;    /* an allocation failed */
} mg_buf;

/* Frees b's text and empties it. */
MG_API void mg_buf_free(mg_buf *b);
/* Appends n bytes of s. */
MG_API void mg_buf_put(mg_buf *b, const void *s, size_t n);
/* Appends the string s. */
MG_API void mg_buf_puts(mg_buf *b, const char *s);
/* Appends printf-formatted text. */
MG_API void mg_buf_printf(mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string: quoted, escaped; < > & as \u escapes so the text can sit
 * inside an HTML <script> element. */
MG_API void mg_buf_json_string(mg_buf *b, const char *s);
/* JSON text made by another writer, with < > & escaped as in
 * mg_buf_json_string() (outside strings JSON has none of them). */
MG_API void mg_buf_json_embed(mg_buf *b, const char *json, size_t n);
/* A JSON number as mg_format_json_number() writes it (null for NaN and
 * infinities: members spell them with mg_json_number(), mg_json.h). */
MG_API void mg_buf_json_number(mg_buf *b, double x);
/* Text escaped for HTML content and attribute values. */
MG_API void mg_buf_html_text(mg_buf *b, const char *s);
/* n bytes as base64 (RFC 4648, padded). */
MG_API void mg_buf_base64(mg_buf *b, const unsigned char *bytes, size_t n);
/* n doubles as base64 of their little-endian IEEE bytes, 8 (or 4 as floats
 * when as_float) per number: what the inspector's script reads into typed arrays. */
MG_API void mg_buf_base64_numbers(mg_buf *b, const double *x, size_t n, bool as_float);

/* A stdio stream that appends to b, for writers that print: unlike
 * open_memstream, running out of memory fails the stream (ferror) and sets
 * b->failed. NULL (and failed set) when it cannot be opened. */
MG_API FILE *mg_buf_stream(mg_buf *b);
/* Flushes and closes f; true only if every write reached b. */
MG_API bool mg_buf_stream_close(FILE *f, mg_buf *b);

MG_EXTERN_C_END

#endif
