/* fuzz_idx.c — IDX files, plain or gzip (Fashion-MNIST's format): read as
 * a single file and as the images of an image set under the pixel cap. */
#include "fuzz_input.h"
#include "mg_idx.h"
#include "mg_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    mg_idx x;
    mg_error err;
    if (mg_idx_read(path, &x, &err) == MG_OK) {
        size_t sum = 0;
        for (size_t i = 0; i < x.count; i++) /* every byte it claims is there */
            sum += x.data[i];
        (void)sum;
        mg_idx_free(&x);
    } else if (!err.message[0]) {
        abort();
    }
    /* the same bytes as both images and labels: counts must agree, labels
     * must be classes, images below the (lowered) cap */
    mg_limits_set(&(mg_limits){ .input_bytes = 1 << 24, .image_pixels = 4096 });
    mg_image_set s;
    if (mg_image_set_load(path, path, 256, &s, &err) == MG_OK)
        mg_image_set_free(&s);
    mg_limits_set(NULL);
    return 0;
}
