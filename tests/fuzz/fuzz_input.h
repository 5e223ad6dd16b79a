/* fuzz_input.h — what the libFuzzer harnesses share: an input as a C string,
 * or as a file the readers under test open by name. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* data as a NUL-terminated copy (the parsers take C strings); free() it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static char fuzz_scratch[64];

static void fuzz_scratch_remove(void)
{
    remove(fuzz_scratch);
}

/* Writes data to this process's scratch file (made once, removed at exit)
 * and returns its path: IDX and checkpoint readers read files. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch;
    if (!fuzz_scratch[0]) {
        snprintf(fuzz_scratch, sizeof fuzz_scratch, "/tmp/mgviz-fuzz-%ld", (long)getpid());
        atexit(fuzz_scratch_remove); /* libFuzzer leaves through exit() when its time is up */
    }
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return path;
}

#endif
