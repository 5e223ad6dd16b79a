/* train_json.h — writing JSON objects for the run files (mg_run.h) and
 * health records (mg_health.h), internal to engine/train.
 *
 * Numbers are the shortest text that reads back exactly; zero is 0, never
 * -0; a non-finite number is written as null with its text in a second
 * member, "loss": null, "loss_text": "nan", so every reader gets valid JSON
 * and a person still sees what happened. */
#ifndef TRAIN_JSON_H
#define TRAIN_JSON_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "mg_buf.h"
#include "mg_format.h"

/* An object (or array) being written: commas go between members. */
typedef struct tj {
    mg_buf *b;
    bool first;
} tj;

static inline tj tj_begin(mg_buf *b, char open)
{
    mg_buf_put(b, &open, 1);
    return (tj){ b, true };
}

static inline void tj_end(tj *o, char close) { mg_buf_put(o->b, &close, 1); }

/* Starts member key (objects) or the next element (key NULL, arrays). */
static inline void tj_key(tj *o, const char *key)
{
    if (!o->first)
        mg_buf_put(o->b, ",", 1);
    o->first = false;
    if (key) {
        mg_buf_json_string(o->b, key);
        mg_buf_put(o->b, ":", 1);
    }
}

static inline void tj_finite(mg_buf *b, double x)
{
    char text[32];
    mg_format_double(x == 0 ? 0.0 : x, text, sizeof text);
    mg_buf_puts(b, text);
}

static inline void tj_number(tj *o, const char *key, double x)
{
    tj_key(o, key);
    if (isfinite(x)) {
        tj_finite(o->b, x);
        return;
    }
    mg_buf_puts(o->b, "null");
    if (key) {
        char text_key[96], text[8];
        snprintf(text_key, sizeof text_key, "%s_text", key);
        mg_format_double(x, text, sizeof text);
        tj_key(o, text_key);
        mg_buf_json_string(o->b, text);
    }
}

/* A number that is absent when NaN means "does not apply". */
static inline void tj_number_if(tj *o, const char *key, double x)
{
    if (!isnan(x))
        tj_number(o, key, x);
}

static inline void tj_int(tj *o, const char *key, long long x)
{
    tj_key(o, key);
    mg_buf_printf(o->b, "%lld", x);
}

/* A string, or null when s is NULL. */
static inline void tj_string(tj *o, const char *key, const char *s)
{
    tj_key(o, key);
    if (s)
        mg_buf_json_string(o->b, s);
    else
        mg_buf_puts(o->b, "null");
}

static inline void tj_bool(tj *o, const char *key, bool v)
{
    tj_key(o, key);
    mg_buf_puts(o->b, v ? "true" : "false");
}

#endif
