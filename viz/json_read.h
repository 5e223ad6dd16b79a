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

/* Parses a whole JSON text; NULL with err filled (MG_EFORMAT naming the line
 * and column, or MG_ENOMEM) when it is not one. */
json_value *json_parse(const char *text, mg_error *err);
/* Frees what json_parse() returned; NULL is a no-op. */
void json_free(json_value *v);
/* The member called key of an object, or NULL. */
const json_value *json_get(const json_value *obj, const char *key);

#endif
