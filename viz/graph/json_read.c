/* json_read.c — a recursive-descent JSON reader with a depth limit. */
#include "json_read.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_format.h"
#include "mg_names.h"
#include "mg_size.h"

enum { MAX_DEPTH = 200 };

struct json_reader {
    const char *start, *p;
    int depth;
    mg_error *err;
    bool failed;
    mg_buf scratch;   /* the string being decoded */
    mg_buf key_text;  /* the names of the objects being skipped, NUL-separated */
    size_t *key_at;   /* where each of those names starts in key_text */
    size_t nkeys, keys_cap;
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

/* \uXXXX, with the low surrogate a high one needs; the code point, or -1
 * for a bad escape, a lone surrogate or U+0000 (strings are C strings). */
static long unicode_escape(reader *r)
{
    long c = hex4(r->p);
    if (c <= 0 || (c >= 0xDC00 && c < 0xE000))
        return -1;
    r->p += 4;
    if (c >= 0xD800 && c < 0xDC00) {
        long lo = r->p[0] == '\\' && r->p[1] == 'u' ? hex4(r->p + 2) : -1;
        if (lo < 0xDC00 || lo >= 0xE000)
            return -1;
        r->p += 6;
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
    }
    return c;
}

/* Decodes the string at r->p (its opening quote), appending its text to
 * out; false (r failed) when it is malformed or memory runs out. */
static bool decode_string(reader *r, mg_buf *out)
{
    const char *bad = NULL;
    r->p++;
    while (!bad) {
        size_t run = 0; /* plain ASCII goes across in one piece */
        while ((unsigned char)r->p[run] >= 0x20 && (unsigned char)r->p[run] < 0x80 &&
               r->p[run] != '"' && r->p[run] != '\\')
            run++;
        mg_buf_put(out, r->p, run);
        r->p += run;
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') {
            r->p++;
            break;
        }
        if (c < 0x20) {
            bad = c ? "control character in a string" : "unterminated string";
        } else if (c >= 0x80) {
            size_t k = mg_utf8_length(r->p, 4);
            if (!k)
                bad = "invalid UTF-8 in a string";
            mg_buf_put(out, r->p, k);
            r->p += k;
        } else if (r->p[1] == '\0') {
            bad = "unterminated string";
        } else {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *e = strchr(from, r->p[1]);
            r->p += 2;
            long cp = e ? to[e - from] : r->p[-1] == 'u' ? unicode_escape(r) : -2;
            char bytes[4];
            if (cp == -2)
                bad = "bad escape in a string";
            else if (cp < 0)
                bad = "bad \\u escape (a lone surrogate, U+0000 or not 4 hex digits)";
            else
                mg_buf_put(out, bytes, put_utf8(bytes, (uint32_t)cp));
        }
    }
    if (out->failed)
        bad = "out of memory";
    if (bad)
        fail(r, bad);
    return !bad;
}

/* A string at r->p (its opening quote); a malloc'd copy, or NULL. */
static char *read_string(reader *r)
{
    r->scratch.len = 0;
    if (!decode_string(r, &r->scratch))
        return NULL;
    char *s = malloc(r->scratch.len + 1);
    if (!s) {
        fail(r, "out of memory");
        return NULL;
    }
    memcpy(s, r->scratch.p ? r->scratch.p : "", r->scratch.len);
    s[r->scratch.len] = '\0';
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
    size_t n;
    json_value *items = mg_size_grow(*cap, v->n + 1, 4, SIZE_MAX, &n)
                        ? mg_realloc_array(v->items, n, sizeof *items) : NULL;
    if (items)
        v->items = items;
    char **keys = with_keys && items ? mg_realloc_array(v->keys, n, sizeof *keys) : NULL;
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
/* Past this many members, an object's names are checked through a hash
 * table instead of one by one (RFC 8259 leaves duplicates undefined: they
 * are refused). */
enum { LINEAR_KEYS = 16 };

/* True when v's last key (index v->n) repeats an earlier one; index holds
 * the keys once the object has LINEAR_KEYS of them. */
static bool duplicate_key(reader *r, json_value *v, mg_names *index)
{
    const char *key = v->keys[v->n];
    size_t len = strlen(key), found = MG_NAMES_NONE;
    if (v->n < LINEAR_KEYS) {
        for (size_t i = 0; i < v->n && found == MG_NAMES_NONE; i++)
            if (strcmp(v->keys[i], key) == 0)
                found = i;
    } else {
        for (size_t i = index->count; i < v->n; i++) /* the first LINEAR_KEYS */
            if (mg_names_add(index, v->keys[i], strlen(v->keys[i]), i, NULL) != MG_OK)
                return fail(r, "out of memory"), true;
        if (mg_names_add(index, key, len, v->n, &found) != MG_OK)
            return fail(r, "out of memory"), true;
    }
    if (found == MG_NAMES_NONE)
        return false;
    char what[120];
    snprintf(what, sizeof what, "duplicate member name \"%.80s\"", key);
    fail(r, what);
    return true;
}

/* An object member's name and ':' into v->keys[v->n]. */
static bool read_member_name(reader *r, json_value *v, mg_names *index)
{
    if (*r->p != '"')
        return fail(r, "expected a member name"), false;
    v->keys[v->n] = read_string(r);
    if (!v->keys[v->n])
        return false;
    skip_space(r);
    if (*r->p != ':' || duplicate_key(r, v, index)) {
        fail(r, "expected ':'");
        free(v->keys[v->n]);
        return false;
    }
    r->p++;
    return true;
}

/* Array or object: the opening bracket is at r->p. */
static bool parse_container(reader *r, json_value *v, bool object)
{
    v->type = object ? J_OBJECT : J_ARRAY;
    char close = object ? '}' : ']';
    size_t cap = 0;
    mg_names index = {0};
    r->p++;
    skip_space(r);
    if (*r->p == close)
        return r->p++, true;
    for (;;) {
        skip_space(r);
        bool ok = grow_items(r, v, &cap, object) && (!object || read_member_name(r, v, &index));
        if (ok && !parse_value(r, &v->items[v->n])) {
            json_free_members(&v->items[v->n]);
            if (object)
                free(v->keys[v->n]);
            ok = false;
        }
        if (ok) {
            v->n++;
            skip_space(r);
        }
        if (ok && *r->p == close) {
            r->p++;
            break;
        }
        if (ok && *r->p != ',')
            fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'"), ok = false;
        if (!ok) {
            mg_names_free(&index);
            return false;
        }
        r->p++;
    }
    mg_names_free(&index);
    return true;
}

size_t json_number_length(const char *s)
{
    const char *p = s;
    p += *p == '-';
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        p += strspn(p, "0123456789");
    else
        return 0;
    if (*p == '.') {
        size_t digits = strspn(p + 1, "0123456789");
        if (!digits)
            return 0;
        p += 1 + digits;
    }
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        q += *q == '+' || *q == '-';
        size_t digits = strspn(q, "0123456789");
        if (!digits)
            return 0;
        p = q + digits;
    }
    return (size_t)(p - s);
}

/* A number exactly as RFC 8259 spells it: no leading zeros ("006"), no bare
 * point ("6."), no '+', hex, "inf" or "nan"; and one a double can hold. */
static bool parse_number(reader *r, json_value *v)
{
    const char *s = r->p;
    size_t n = json_number_length(s);
    bool more = n && (s[n] == '.' || s[n] == 'e' || s[n] == 'E' ||
                      (s[n] >= '0' && s[n] <= '9') || s[n] == 'x' || s[n] == 'X');
    if (n == 0 || more)
        return fail(r, strchr("+-.0123456789", s[0]) && s[0]
                           ? "bad number (JSON numbers have no leading zeros, bare points,"
                             " '+' or hex)"
                           : "expected a value"),
               false;
    v->type = J_NUMBER;
    v->number = strtod(s, NULL);
    if (!isfinite(v->number))
        return fail(r, "number out of range"), false;
    r->p = s + n;
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

/* ---- skipping a value: checked as strictly, nothing kept ---- */

static bool skip_value(reader *r);

/* The names of a skipped object, key_at[first..], must not repeat. */
static bool distinct_keys(reader *r, size_t first)
{
    size_t n = r->nkeys - first;
    const char *text = r->key_text.p;
    const size_t *at = r->key_at + first;
    size_t dup = MG_NAMES_NONE;
    mg_names index = {0};
    for (size_t j = 1; j < n && dup == MG_NAMES_NONE && n <= LINEAR_KEYS; j++)
        for (size_t i = 0; i < j; i++)
            if (strcmp(text + at[i], text + at[j]) == 0)
                dup = j;
    for (size_t j = 0; j < n && dup == MG_NAMES_NONE && n > LINEAR_KEYS; j++) {
        size_t found;
        if (mg_names_add(&index, text + at[j], strlen(text + at[j]), j, &found) != MG_OK) {
            mg_names_free(&index);
            return fail(r, "out of memory"), false;
        }
        if (found != MG_NAMES_NONE)
            dup = j;
    }
    mg_names_free(&index);
    if (dup == MG_NAMES_NONE)
        return true;
    char what[120];
    snprintf(what, sizeof what, "duplicate member name \"%.80s\"", text + at[dup]);
    fail(r, what);
    return false;
}

/* A skipped object's member name, decoded into key_text, and its ':'. */
static bool skip_member_name(reader *r)
{
    if (*r->p != '"')
        return fail(r, "expected a member name"), false;
    if (r->nkeys == r->keys_cap) {
        size_t cap = r->keys_cap ? r->keys_cap * 2 : 64;
        size_t *grown = mg_realloc_array(r->key_at, cap, sizeof *grown);
        if (!grown)
            return fail(r, "out of memory"), false;
        r->key_at = grown;
        r->keys_cap = cap;
    }
    r->key_at[r->nkeys++] = r->key_text.len;
    if (!decode_string(r, &r->key_text))
        return false;
    mg_buf_put(&r->key_text, "", 1); /* the name's NUL */
    skip_space(r);
    if (*r->p != ':' || r->key_text.failed)
        return fail(r, r->key_text.failed ? "out of memory" : "expected ':'"), false;
    r->p++;
    return true;
}

static bool skip_container(reader *r, bool object)
{
    char close = object ? '}' : ']';
    size_t first_key = r->nkeys, text_len = r->key_text.len;
    bool ok = true;
    r->p++;
    skip_space(r);
    if (*r->p == close)
        return r->p++, true;
    for (;;) {
        skip_space(r);
        if (!(ok = (!object || skip_member_name(r)) && skip_value(r)))
            break;
        skip_space(r);
        if (*r->p == close) {
            r->p++;
            break;
        }
        if (*r->p != ',') {
            fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
            ok = false;
            break;
        }
        r->p++;
    }
    if (ok && object)
        ok = distinct_keys(r, first_key);
    r->nkeys = first_key; /* this object's names are done with */
    r->key_text.len = text_len;
    return ok;
}

static bool skip_value(reader *r)
{
    skip_space(r);
    if (++r->depth > MAX_DEPTH)
        return fail(r, "nested too deeply"), false;
    json_value number;
    bool ok;
    switch (*r->p) {
    case '{': ok = skip_container(r, true); break;
    case '[': ok = skip_container(r, false); break;
    case '"':
        r->scratch.len = 0;
        ok = decode_string(r, &r->scratch);
        break;
    default:
        ok = literal(r, "true") || literal(r, "false") || literal(r, "null") ||
             parse_number(r, &number);
    }
    r->depth--;
    return ok;
}

bool json_skip_value(json_reader *r) { return skip_value(r); }

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

void json_reader_free(json_reader *r)
{
    if (r) {
        mg_buf_free(&r->scratch);
        mg_buf_free(&r->key_text);
        free(r->key_at);
        free(r);
    }
}

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
