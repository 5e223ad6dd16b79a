/* expr_error.c — shows a program error with its line and a caret under it. */
#include "expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    append(buf, n, &len, "line %d, column %d: %s\n  %.*s\n  ", err->line, err->column,
           err->message, (int)width, text);
    /* Under the column: keep tabs so the caret lines up, one space per character. */
    int col = 1;
    for (const char *q = text; q < text + width && col < err->column; q++) {
        if (((unsigned char)*q & 0xC0) == 0x80)
            continue;
        append(buf, n, &len, "%c", *q == '\t' ? '\t' : ' ');
        col++;
    }
    append(buf, n, &len, "^");
    return len;
}
