/* expr_error.c — shows a program error with its line and a caret under it. */
#include "expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mg_format.h"

/* snprintf that appends to buf[0..n) at *len and keeps counting past n. */
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(*len < n ? buf + *len : NULL, *len < n ? n - *len : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len += (size_t)w;
}

/* The start of 1-based line `line` in source, or NULL past the end. */
static const char *line_start(const char *source, int line)
{
    const char *p = source;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p;
}

size_t mg_expr_error_format(const char *source, const mg_expr_error *err,
                            char *buf, size_t n)
{
    size_t len = 0;
    if (buf && n)
        buf[0] = '\0';
    else
        n = 0;
    if (!err)
        return 0;
    const char *text = source && err->line > 0 ? line_start(source, err->line) : NULL;
    if (!text) {
        append(buf, n, &len, "%s", err->message);
        return len;
    }
    size_t width = strcspn(text, "\r\n");
    append(buf, n, &len, "line %d, column %d: %s\n  ", err->line, err->column, err->message);
    /* The line as a terminal may show it (an ESC in it would be obeyed):
     * control bytes and broken UTF-8 as \xNN; the caret counts them so. */
    for (size_t i = 0; i < width;) {
        size_t k = mg_format_visible_char(text + i, width - i);
        if (k)
            append(buf, n, &len, "%.*s", (int)k, text + i);
        else
            append(buf, n, &len, "\\x%02x", (unsigned char)text[i]);
        i += k ? k : 1;
    }
    append(buf, n, &len, "\n  ");
    /* Under the column: keep tabs so the caret lines up, one space per
     * character (columns count characters, not UTF-8 continuation bytes). */
    int col = 1;
    for (size_t i = 0; i < width && col < err->column;) {
        size_t k = mg_format_visible_char(text + i, width - i);
        append(buf, n, &len, "%s", !k ? "    " : text[i] == '\t' ? "\t" : " ");
        col += ((unsigned char)text[i] & 0xC0) != 0x80;
        i += k ? k : 1;
    }
    append(buf, n, &len, "^");
    return len;
}
