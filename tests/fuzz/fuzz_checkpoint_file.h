/* fuzz_checkpoint_file.h — a fuzz input made a checkpoint file: the input is
 * the body, and the magic and CRC-32 the checkpoint reader checks first are
 * added around it (the CRC recomputed for every input, so mutations reach
 * the metadata and the records instead of stopping at the checksum). */
#ifndef FUZZ_CHECKPOINT_FILE_H
#define FUZZ_CHECKPOINT_FILE_H

#include <zlib.h>

#include "fuzz_input.h"

/* Writes MAGIC + data + CRC-32 (little-endian) to the scratch file; its path. */
static inline const char *fuzz_checkpoint_file(const uint8_t *data, size_t size)
{
    static const char magic[8] = { 'M', 'G', 'C', 'K', 'P', 'T', '\r', '\n' };
    unsigned char *file = malloc(sizeof magic + size + 4);
    if (!file)
        abort();
    memcpy(file, magic, sizeof magic);
    if (size)
        memcpy(file + sizeof magic, data, size);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), file, (uInt)(sizeof magic + size));
    for (int i = 0; i < 4; i++)
        file[sizeof magic + size + (size_t)i] = (unsigned char)(crc >> (8 * i));
    const char *path = fuzz_file(file, sizeof magic + size + 4);
    free(file);
    return path;
}

/* Writes the body of the checkpoint at path (without magic and CRC) to seed
 * and removes path: how the harnesses turn checkpoints they save into seeds. */
static inline void fuzz_checkpoint_seed(const char *path, const char *seed)
{
    FILE *in = fopen(path, "rb"), *out = fopen(seed, "wb");
    static unsigned char buf[1 << 16];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (!out || n < 12 || n == sizeof buf || fwrite(buf + 8, 1, n - 12, out) != n - 12)
        abort();
    fclose(in);
    fclose(out);
    remove(path);
}

#endif
