/* html_buf.c — a growing text buffer and the encodings the page needs:
 * JSON strings and numbers, HTML text, base64. */
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"
#include "mg_export.h"

void hb_free(html_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Makes room for n more bytes plus a NUL; false (and failed set) if not. */
static bool hb_reserve(html_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void hb_put(html_buf *b, const void *s, size_t n)
{
    if (!hb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void hb_puts(html_buf *b, const char *s)
{
    hb_put(b, s, strlen(s));
}

void hb_printf(html_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !hb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void hb_json_string(html_buf *b, const char *s)
{
    hb_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"': hb_puts(b, "\\\""); break;
        case '\\': hb_puts(b, "\\\\"); break;
        case '\n': hb_puts(b, "\\n"); break;
        case '\t': hb_puts(b, "\\t"); break;
        case '<': case '>': case '&': hb_printf(b, "\\u%04x", *c); break;
        default:
            if (*c < 0x20)
                hb_printf(b, "\\u%04x", *c);
            else
                hb_put(b, c, 1);
        }
    }
    hb_put(b, "\"", 1);
}

void hb_json_embed(html_buf *b, const char *json, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t run = i;
        while (run < n && json[run] != '<' && json[run] != '>' && json[run] != '&')
            run++;
        hb_put(b, json + i, run - i);
        if (run < n)
            hb_printf(b, "\\u%04x", (unsigned char)json[run]);
        i = run;
    }
}

void hb_json_number(html_buf *b, double x)
{
    char text[32];
    mg_format_double(x, text, sizeof text); /* "nan", "inf": quoted below */
    hb_printf(b, isfinite(x) ? "%s" : "\"%s\"", text);
}

void hb_html_text(html_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': hb_puts(b, "&amp;"); break;
        case '<': hb_puts(b, "&lt;"); break;
        case '>': hb_puts(b, "&gt;"); break;
        case '"': hb_puts(b, "&quot;"); break;
        default: hb_put(b, s, 1);
        }
    }
}

void hb_base64(html_buf *b, const unsigned char *bytes, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (!hb_reserve(b, (n + 2) / 3 * 4))
        return;
    char *out = b->p + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned long v = (unsigned long)bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
        *out++ = digits[v >> 18 & 63];
        *out++ = digits[v >> 12 & 63];
        *out++ = digits[v >> 6 & 63];
        *out++ = digits[v & 63];
    }
    if (i < n) {
        unsigned long v = (unsigned long)bytes[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)bytes[i + 1] << 8;
        *out++ = digits[v >> 18 & 63];
        *out++ = digits[v >> 12 & 63];
        *out++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    b->len = (size_t)(out - b->p);
    b->p[b->len] = '\0';
}

/* Little-endian bytes whatever the host's byte order: the page reads them
 * into typed arrays on little-endian browsers. */
static void put_le(unsigned char *out, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

void hb_base64_numbers(html_buf *b, const double *x, size_t n, bool as_float)
{
    size_t width = as_float ? 4 : 8;
    unsigned char *bytes = malloc(n ? n * width : 1);
    if (!bytes) {
        b->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (as_float) {
            float f = (float)x[i];
            uint32_t u;
            memcpy(&u, &f, sizeof u);
            put_le(bytes + i * 4, u, 4);
        } else {
            uint64_t u;
            memcpy(&u, &x[i], sizeof u);
            put_le(bytes + i * 8, u, 8);
        }
    }
    hb_base64(b, bytes, n * width);
    free(bytes);
}
