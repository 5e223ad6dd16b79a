/* html_internal.h — the pieces of the inspector page, shared by viz/html*.c only.
 *
 * A page goes: capture each step's numbers (html_steps.c) -> write the page's
 * data JSON, with the graph JSON of mg_export.h inside, into a text buffer
 * (html_steps.c, html_buf.c) -> fill the page template with style, SVG, data
 * and script (html_page.c) -> write the bytes atomically (write.c). */
#ifndef HTML_INTERNAL_H
#define HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_html.h"

/* html_buf.c: a growing text buffer. Appends after an allocation failure do
 * nothing and leave failed set, so callers check once at the end. */
typedef struct html_buf {
    char *p;        /* NUL-terminated once anything was appended */
    size_t len, cap;
    bool failed;    /* an allocation failed */
} html_buf;

void hb_free(html_buf *b);
void hb_put(html_buf *b, const void *s, size_t n);
void hb_puts(html_buf *b, const char *s);
void hb_printf(html_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string: quoted, escaped; < > & as \u escapes so the text can sit
 * inside an HTML <script> element. */
void hb_json_string(html_buf *b, const char *s);
/* JSON text made by another writer, with < > & escaped as in
 * hb_json_string() (outside strings JSON has none of them). */
void hb_json_embed(html_buf *b, const char *json, size_t n);
/* A JSON number printed round-trip exact; NaN and Inf as "nan", "inf", "-inf". */
void hb_json_number(html_buf *b, double x);
/* Text escaped for HTML content and attribute values. */
void hb_html_text(html_buf *b, const char *s);
/* n bytes as base64 (RFC 4648, padded). */
void hb_base64(html_buf *b, const unsigned char *bytes, size_t n);
/* n doubles as base64 of their little-endian IEEE bytes, 8 (or 4 as floats
 * when as_float) per number: what the page's script reads into typed arrays. */
void hb_base64_numbers(html_buf *b, const double *x, size_t n, bool as_float);


/* html_page.c: fills the page template with title, SVG and data JSON and
 * writes it atomically to path. */
mg_code html_page_write(const char *path, const char *title, const char *svg,
                        const html_buf *data, mg_error *err);

/* Embedded page sources (html_assets.c, generated from inspector/). */
extern const char mg_html_asset_page[];
extern const char mg_html_asset_css[];
extern const char mg_html_asset_js[];

#endif
