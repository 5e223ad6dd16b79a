/* json_read.c — a recursive-descent JSON reader with a depth limit. */
#include "json_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 200 };

struct json_reader {
    const char *start, *p;
    int depth;
    mg_error *err;
    bool failed;
};
typedef json_reader reader;

static void fail(reader *r, const char *what)
{
    if (r->failed)
        return;
    r->failed = true;
    int line = 1, col = 1;
    for (const char *q = r->start; q < r->p; q++, col++)
        if (*q == '\n')
            line++, col = 0;
    mg_error_set(r->err, MG_EFORMAT, "bad JSON at line %d, column %d: %s", line, col, what);
}

static void skip_space(reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static bool literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xC0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* \uXXXX (and a following low surrogate); returns the code point or -1. */
static long unicode_escape(reader *r)
{
    long c = hex4(r->p);
    if (c < 0)
        return -1;
    r->p += 4;
    if (c >= 0xD800 && c < 0xDC00 && r->p[0] == '\\' && r->p[1] == 'u') {
        long lo = hex4(r->p + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
            r->p += 6;
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        }
    }
    return c;
}

/* A string at r->p (its opening quote); a malloc'd copy, or NULL. */
static char *read_string(reader *r)
{
    r->p++;
    size_t cap = strcspn(r->p, "\"") + 8, n = 0;
    char *s = malloc(cap);
    while (s && *r->p != '"') {
        if (n + 4 >= cap) {
            char *grown = realloc(s, cap *= 2);
            if (!grown)
                break;
            s = grown;
        }
        unsigned char c = (unsigned char)*r->p;
        if (c == '\0' || c < 0x20) {
            fail(r, c ? "control character in a string" : "unterminated string");
            free(s);
            return NULL;
        }
        if (c != '\\') {
            s[n++] = (char)c;
            r->p++;
            continue;
        }
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *e = r->p[1] ? strchr(from, r->p[1]) : NULL;
        r->p += 2;
        if (e) {
            s[n++] = to[e - from];
        } else if (r->p[-1] == 'u') {
            long cp = unicode_escape(r);
            if (cp < 0) {
                fail(r, "bad \\u escape");
                free(s);
                return NULL;
            }
            n += put_utf8(s + n, (uint32_t)cp);
        } else {
            fail(r, "bad escape in a string");
            free(s);
            return NULL;
        }
    }
    if (!s) {
        fail(r, "out of memory");
        return NULL;
    }
    s[n] = '\0';
    r->p++;
    return s;
}

static bool parse_value(reader *r, json_value *v);

/* Frees what v owns (not v itself); depth is bounded by MAX_DEPTH. */
static void json_free_members(json_value *v)
{
    free(v->string);
    for (size_t i = 0; i < v->n; i++) {
        json_free_members(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

void json_free(json_value *v)
{
    if (v) {
        json_free_members(v);
        free(v);
    }
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (!obj || obj->type != J_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

static bool grow_items(reader *r, json_value *v, size_t *cap, bool with_keys)
{
    if (v->n < *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 4;
    json_value *items = realloc(v->items, n * sizeof *items);
    if (items)
        v->items = items;
    char **keys = with_keys ? realloc(v->keys, n * sizeof *keys) : NULL;
    if (keys)
        v->keys = keys;
    if (!items || (with_keys && !keys)) {
        fail(r, "out of memory");
        return false;
    }
    *cap = n;
    return true;
}

/* Array or object: the opening bracket is at r->p. */
static bool parse_container(reader *r, json_value *v, bool object)
{
    v->type = object ? J_OBJECT : J_ARRAY;
    char close = object ? '}' : ']';
    size_t cap = 0;
    r->p++;
    skip_space(r);
    if (*r->p == close)
        return r->p++, true;
    for (;;) {
        skip_space(r);
        if (!grow_items(r, v, &cap, object))
            return false;
        if (object) {
            if (*r->p != '"')
                return fail(r, "expected a member name"), false;
            v->keys[v->n] = read_string(r);
            if (!v->keys[v->n])
                return false;
            skip_space(r);
            if (*r->p++ != ':') {
                free(v->keys[v->n]);
                return fail(r, "expected ':'"), false;
            }
        }
        if (!parse_value(r, &v->items[v->n])) {
            json_free_members(&v->items[v->n]);
            if (object)
                free(v->keys[v->n]);
            return false;
        }
        v->n++;
        skip_space(r);
        if (*r->p == close)
            return r->p++, true;
        if (*r->p != ',')
            return fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'"), false;
        r->p++;
    }
}

static bool parse_number(reader *r, json_value *v)
{
    const char *s = r->p;
    size_t n = strspn(s, "+-0123456789.eE");
    if (n == 0 || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
        return fail(r, "expected a value"), false;
    char *end;
    v->type = J_NUMBER;
    v->number = strtod(s, &end);
    if (end != s + n)
        return fail(r, "bad number"), false;
    r->p = end;
    return true;
}

static bool parse_value(reader *r, json_value *v)
{
    memset(v, 0, sizeof *v);
    skip_space(r);
    if (++r->depth > MAX_DEPTH)
        return fail(r, "nested too deeply"), false;
    bool ok;
    switch (*r->p) {
    case '{': ok = parse_container(r, v, true); break;
    case '[': ok = parse_container(r, v, false); break;
    case '"':
        v->type = J_STRING;
        ok = (v->string = read_string(r)) != NULL;
        break;
    default:
        ok = true;
        if (literal(r, "true"))
            v->type = J_BOOL, v->boolean = true;
        else if (literal(r, "false"))
            v->type = J_BOOL;
        else if (!literal(r, "null"))
            ok = parse_number(r, v);
    }
    r->depth--;
    return ok;
}

/* A value parsed into a fresh json_value, or NULL (err filled). */
static json_value *parse_new(reader *r)
{
    json_value *v = calloc(1, sizeof *v);
    if (!v) {
        fail(r, "out of memory");
        return NULL;
    }
    if (!parse_value(r, v)) {
        json_free(v);
        return NULL;
    }
    return v;
}

/* ---- reading a document piece by piece ---- */

json_reader *json_reader_new(const char *text, mg_error *err)
{
    json_reader *r = calloc(1, sizeof *r);
    if (!r)
        mg_error_set(err, MG_ENOMEM, "out of memory reading JSON");
    else
        *r = (json_reader){.start = text, .p = text, .err = err};
    return r;
}

void json_reader_free(json_reader *r) { free(r); }

bool json_next(json_reader *r, char c, const char *what)
{
    skip_space(r);
    if (*r->p != c) {
        fail(r, what);
        return false;
    }
    r->p++;
    return true;
}

bool json_at(json_reader *r, char c)
{
    skip_space(r);
    return *r->p == c;
}

char *json_read_key(json_reader *r)
{
    skip_space(r);
    if (*r->p != '"') {
        fail(r, "expected a member name");
        return NULL;
    }
    char *key = read_string(r);
    if (key && !json_next(r, ':', "expected ':'")) {
        free(key);
        key = NULL;
    }
    return key;
}

json_value *json_read_value(json_reader *r) { return parse_new(r); }

bool json_read_end(json_reader *r)
{
    skip_space(r);
    if (*r->p) {
        fail(r, "text after the JSON value");
        return false;
    }
    return true;
}
