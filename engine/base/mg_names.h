/* mg_names.h — a hash table from names to numbers, for every lookup by name
 * or id that input controls (a program's symbols, a graph file's grads, a
 * JSON object's keys), so that cost stays linear in the input.
 *
 * Keys are byte strings of any length, not copied: each must stay valid and
 * unchanged while it is in the table. The hash is SipHash-1-3 under a key
 * drawn at random once per process, so crafted names cannot all collide. */
#ifndef MG_NAMES_H
#define MG_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

typedef struct mg_names_slot {
    const char *key;  /* NULL: empty */
    size_t len;
    uint64_t hash;
    size_t value;
} mg_names_slot;

typedef struct mg_names {
    mg_names_slot *slots;
    size_t cap, count;  /* cap is 0 or a power of two */
} mg_names;

#define MG_NAMES_NONE SIZE_MAX /* "not there" */

/* The value stored under key (len bytes), or MG_NAMES_NONE. */
MG_API size_t mg_names_find(const mg_names *m, const char *key, size_t len);
/* Stores value under key unless key is there already; *found (may be NULL)
 * receives the value already stored, or MG_NAMES_NONE when this call
 * added it. MG_OK or MG_ENOMEM. */
MG_API mg_code mg_names_add(mg_names *m, const char *key, size_t len, size_t value,
                            size_t *found);
/* Frees the table (not the keys) and empties it. */
MG_API void mg_names_free(mg_names *m);
/* The 64-bit hash of key under the process's random key. */
MG_API uint64_t mg_names_hash(const void *key, size_t len);

MG_EXTERN_C_END

#endif
