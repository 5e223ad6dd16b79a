/* size.c — allocations whose size is a checked product (mg_size.h). */
#include "mg_size.h"

#include <errno.h>
#include <stdlib.h>

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
