/* mg_json.h — writing JSON objects and arrays member by member, for the
 * files programs read live (a run's steps.jsonl, its snapshot manifests).
 *
 *     mg_buf b = { 0 };
 *     mg_json o = mg_json_begin(&b, '{');
 *     mg_json_int(&o, "step", 10);
 *     mg_json_number(&o, "loss", NAN);   // "loss":null,"loss_str":"nan"
 *     mg_json_end(&o, '}');
 *
 * Numbers are the shortest text that reads back exactly; zero is 0, never
 * -0; a non-finite number is null with its text in a second member named
 * KEY_str (graph JSON v2's rule), so every reader gets valid JSON and a person still sees what
 * happened. Strings are escaped as mg_buf_json_string() does. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stdbool.h>

#include "mg_buf.h"

MG_EXTERN_C_BEGIN

/* An object or array being written into b: commas go between members. */
typedef struct mg_json {
    mg_buf *b;
    bool first;
} mg_json;

/* Opens an object ('{') or array ('['). */
MG_API mg_json mg_json_begin(mg_buf *b, char open);
/* Closes it ('}' or ']'). */
MG_API void mg_json_end(mg_json *o, char close);
/* Starts member key of an object, or the next element of an array (key
 * NULL); the caller then appends the value, e.g. a nested object. */
MG_API void mg_json_key(mg_json *o, const char *key);
/* A number member (see the rule above; in an array a non-finite is null). */
MG_API void mg_json_number(mg_json *o, const char *key, double x);
/* A number member left out when x is NaN (NaN: "does not apply"). */
MG_API void mg_json_number_if(mg_json *o, const char *key, double x);
MG_API void mg_json_int(mg_json *o, const char *key, long long x);
/* A string member, null when s is NULL. */
MG_API void mg_json_string(mg_json *o, const char *key, const char *s);
MG_API void mg_json_bool(mg_json *o, const char *key, bool v);

MG_EXTERN_C_END

#endif
