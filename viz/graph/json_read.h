/* json_read.h — a small JSON reader (RFC 8259) for the graph JSON import.
 * Private to libmgviz. */
#ifndef MG_JSON_READ_H
#define MG_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"

typedef enum json_type { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } json_type;

typedef struct json_value {
    json_type type;
    bool boolean;
    double number;
    char *string;               /* J_STRING, NUL-terminated (may hold NULs escaped as \u0000: cut there) */
    size_t n;                   /* items of an array, members of an object */
    struct json_value *items;   /* array items, object member values */
    char **keys;                /* object member names */
} json_value;

/* The length of the JSON number (RFC 8259's grammar) at the start of s, or
 * 0 when s does not start with one. */
size_t json_number_length(const char *s);
/* Frees what json_parse() returned; NULL is a no-op. */
void json_free(json_value *v);
/* The member called key of an object, or NULL. */
const json_value *json_get(const json_value *obj, const char *key);

/* Documents are read piece by piece (an array of a million objects need not
 * be held as values all at once). Every call skips white space first; a
 * failed call fills the err given to json_reader_new() (MG_EFORMAT naming
 * the line and column) and returns false/NULL. */
typedef struct json_reader json_reader;
/* A reader at the start of text; NULL when out of memory. */
json_reader *json_reader_new(const char *text, mg_error *err);
void json_reader_free(json_reader *r);
/* Consumes the character c; what names it in the error when it is absent. */
bool json_next(json_reader *r, char c, const char *what);
/* True when the next character is c (nothing is consumed). */
bool json_at(json_reader *r, char c);
/* An object member's name and its ':'; a malloc'd string, or NULL. */
char *json_read_key(json_reader *r);
/* The next whole value, or NULL. */
json_value *json_read_value(json_reader *r);
/* Reads past the next value, checking it as strictly but keeping nothing;
 * false when it is malformed. */
bool json_skip_value(json_reader *r);
/* True when only white space is left. */
bool json_read_end(json_reader *r);

#endif
