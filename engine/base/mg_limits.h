/* mg_limits.h — caps on what an input file may make the program allocate.
 *
 * A reader checks what a file declares (a length, a count, an image size)
 * against these caps before it allocates for it, and refuses the file with a
 * message naming the cap and how to raise it. The caps and their defaults:
 *
 *   input_bytes   1 GiB   bytes read from one file: a program, a graph JSON,
 *                         a checkpoint, an IDX file once decompressed
 *                         (environment: MGVIZ_MAX_INPUT_BYTES)
 *   image_pixels  65536   pixels of one image of an IDX image set (256×256;
 *                         Fashion-MNIST's are 784): a model's input width
 *                         follows it, and so its memory
 *                         (environment: MGVIZ_MAX_IMAGE_PIXELS)
 *
 * The environment variables (a number with an optional K, M or G suffix, in
 * powers of 1024) are read once, at the first use; mg_limits_set() changes
 * the caps of the whole process afterwards. */
#ifndef MG_LIMITS_H
#define MG_LIMITS_H

#include <stddef.h>

#include "mg_api.h"

MG_EXTERN_C_BEGIN

typedef struct mg_limits {
    size_t input_bytes;
    size_t image_pixels;
} mg_limits;

/* The caps in force. */
MG_API mg_limits mg_limits_get(void);
/* Sets the caps; a zero field restores that cap's default. */
MG_API void mg_limits_set(const mg_limits *limits);
/* Formats a byte count for messages: "1 GiB", "300 MiB", "1234 bytes". */
MG_API const char *mg_limits_bytes(size_t n, char *buf, size_t cap);

MG_EXTERN_C_END

#endif
