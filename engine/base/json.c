/* json.c — mg_json.h: JSON written member by member, numbers by one rule. */
#include "mg_json.h"

#include <math.h>
#include <stdio.h>

#include "mg_format.h"

mg_json mg_json_begin(mg_buf *b, char open)
{
    mg_buf_put(b, &open, 1);
    return (mg_json){ b, true };
}

void mg_json_end(mg_json *o, char close) { mg_buf_put(o->b, &close, 1); }

void mg_json_key(mg_json *o, const char *key)
{
    if (!o->first)
        mg_buf_put(o->b, ",", 1);
    o->first = false;
    if (key) {
        mg_buf_json_string(o->b, key);
        mg_buf_put(o->b, ":", 1);
    }
}

void mg_json_number(mg_json *o, const char *key, double x)
{
    mg_json_key(o, key);
    mg_buf_json_number(o->b, x);
    if (key && !isfinite(x)) {
        char text[32], text_key[128];
        snprintf(text_key, sizeof text_key, "%s_str", key);
        mg_format_double(x, text, sizeof text);
        mg_json_key(o, text_key);
        mg_buf_json_string(o->b, text);
    }
}

void mg_json_number_if(mg_json *o, const char *key, double x)
{
    if (!isnan(x))
        mg_json_number(o, key, x);
}

void mg_json_int(mg_json *o, const char *key, long long x)
{
    mg_json_key(o, key);
    mg_buf_printf(o->b, "%lld", x);
}

void mg_json_string(mg_json *o, const char *key, const char *s)
{
    mg_json_key(o, key);
    if (s)
        mg_buf_json_string(o->b, s);
    else
        mg_buf_puts(o->b, "null");
}

void mg_json_bool(mg_json *o, const char *key, bool v)
{
    mg_json_key(o, key);
    mg_buf_puts(o->b, v ? "true" : "false");
}
