/* inspect_internal.h — shared by the inspect*.c files. */
#ifndef MG_INSPECT_INTERNAL_H
#define MG_INSPECT_INTERNAL_H

#include "mg_inspect.h"

/* mg_reach() into a malloc'd array to free() (root->id + 1 flags), or NULL
 * when out of memory. */
unsigned char *inspect_reach(const mg_value *root);

/* Grows a path result by one path (len ids, copied from ids in reverse when
 * reversed is set); 0, or -1 when out of memory. */
int inspect_paths_add(mg_inspect_paths *p, const uint32_t *ids, size_t len, int reversed);

#endif
