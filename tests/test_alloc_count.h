/* test_alloc_count.h — every malloc, calloc and realloc of the test
 * program counted in `allocations`, to show that a warm step allocates
 * nothing. Counted only without AddressSanitizer (which owns malloc
 * itself): COUNT_MALLOC is defined when the count is real. Include in one
 * file of a program only. */
#ifndef TEST_ALLOC_COUNT_H
#define TEST_ALLOC_COUNT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#elif defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define COUNT_MALLOC 1
#endif
#else
#define COUNT_MALLOC 1
#endif

#ifdef COUNT_MALLOC
/* glibc's allocator under our own names, so calls can be counted. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
static long allocations;
void *malloc(size_t n) { allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { allocations++; return __libc_realloc(p, n); }
#endif

#endif
