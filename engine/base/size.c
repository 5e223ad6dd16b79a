/* size.c — allocations whose size is a checked product (mg_size.h). */
#include "mg_size.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void *mg_alloc_array(size_t n, size_t size)
{
    size_t bytes;
    if (!mg_size_mul(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return malloc(bytes ? bytes : 1);
}

void *mg_realloc_array(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (!mg_size_mul(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes ? bytes : 1);
}

bool mg_realloc_arrays(size_t n, size_t count, void *const arrays[], const size_t sizes[])
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        void *p; /* copied, not cast: the pointer's own type is the caller's */
        memcpy(&p, arrays[i], sizeof p);
        void *q = mg_realloc_array(p, n, sizes[i]);
        if (q)
            memcpy(arrays[i], &q, sizeof q);
        ok = ok && q;
    }
    return ok;
}
