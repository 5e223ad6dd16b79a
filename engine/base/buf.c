/* buf.c — a growing text buffer and the encodings writers need:
 * JSON strings and numbers, HTML text, base64. */
#define _GNU_SOURCE /* fopencookie */
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_format.h"
#include "mg_size.h"

void mg_buf_free(mg_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Makes room for n more bytes plus a NUL; false (and failed set) if not. */
static bool buf_reserve(mg_buf *b, size_t n)
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

void mg_buf_put(mg_buf *b, const void *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void mg_buf_puts(mg_buf *b, const char *s)
{
    mg_buf_put(b, s, strlen(s));
}

void mg_buf_printf(mg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void mg_buf_json_string(mg_buf *b, const char *s)
{
    mg_buf_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"': mg_buf_puts(b, "\\\""); break;
        case '\\': mg_buf_puts(b, "\\\\"); break;
        case '\n': mg_buf_puts(b, "\\n"); break;
        case '\t': mg_buf_puts(b, "\\t"); break;
        case '<': case '>': case '&': mg_buf_printf(b, "\\u%04x", *c); break;
        default:
            if (*c < 0x20) {
                mg_buf_printf(b, "\\u%04x", *c);
            } else if (*c >= 0x80) {
                /* JSON is UTF-8 (RFC 8259): a byte that is not is written as
                 * U+FFFD, the character that stands for one lost */
                size_t k = mg_utf8_length((const char *)c, 4);
                if (k == 0)
                    mg_buf_puts(b, "\\ufffd");
                else
                    mg_buf_put(b, c, k), c += k - 1;
            } else {
                mg_buf_put(b, c, 1);
            }
        }
    }
    mg_buf_put(b, "\"", 1);
}

void mg_buf_json_embed(mg_buf *b, const char *json, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t run = i;
        while (run < n && json[run] != '<' && json[run] != '>' && json[run] != '&')
            run++;
        mg_buf_put(b, json + i, run - i);
        if (run < n)
            mg_buf_printf(b, "\\u%04x", (unsigned char)json[run]);
        i = run;
    }
}

void mg_buf_json_number(mg_buf *b, double x)
{
    char text[32];
    mg_format_json_number(x, MG_PRECISION_DOUBLE, text, sizeof text);
    mg_buf_puts(b, text);
}

void mg_buf_html_text(mg_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': mg_buf_puts(b, "&amp;"); break;
        case '<': mg_buf_puts(b, "&lt;"); break;
        case '>': mg_buf_puts(b, "&gt;"); break;
        case '"': mg_buf_puts(b, "&quot;"); break;
        default: mg_buf_put(b, s, 1);
        }
    }
}

void mg_buf_base64(mg_buf *b, const unsigned char *bytes, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (!buf_reserve(b, (n + 2) / 3 * 4))
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

void mg_buf_base64_numbers(mg_buf *b, const double *x, size_t n, bool as_float)
{
    size_t width = as_float ? 4 : 8;
    unsigned char *bytes = mg_alloc_array(n, width);
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
    mg_buf_base64(b, bytes, n * width);
    free(bytes);
}

/* The stream's write: everything or, out of memory, nothing and an error
 * (stdio then sets the stream's error flag, which open_memstream does not). */
static ssize_t stream_write(void *cookie, const char *data, size_t n)
{
    mg_buf *b = cookie;
    mg_buf_put(b, data, n);
    return b->failed ? -1 : (ssize_t)n;
}

FILE *mg_buf_stream(mg_buf *b)
{
    cookie_io_functions_t io = {.write = stream_write};
    FILE *f = fopencookie(b, "w", io);
    if (!f)
        b->failed = true;
    return f;
}

bool mg_buf_stream_close(FILE *f, mg_buf *b)
{
    bool ok = f && fflush(f) == 0 && !ferror(f);
    ok = f && fclose(f) == 0 && ok;
    return ok && !b->failed;
}
