/* inspect_internal.h — shared by the inspect*.c files. */
#ifndef MG_INSPECT_INTERNAL_H
#define MG_INSPECT_INTERNAL_H

#include "mg_inspect.h"

/* Flags for ids 0..root->id: 1 where root depends on the node (the root
 * included). A malloc'd array to free(), or NULL when out of memory. */
unsigned char *inspect_reach(const mg_value *root);

/* The parents of v as an array of up to two; returns how many. */
int inspect_parents(const mg_value *v, const mg_value *out[2]);

/* Grows a path result by one path (len ids, copied from ids in reverse when
 * reversed is set); 0, or -1 when out of memory. */
int inspect_paths_add(mg_inspect_paths *p, const uint32_t *ids, size_t len, int reversed);

#endif
