/* plot_png.c — PNG encoding through libpng's simplified API (no setjmp),
 * into memory first so pictures can be embedded as well as written. */
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "plot_internal.h"
#include "mg_file.h"

enum { MIN_SIDE = 64, MAX_SIDE = 8192 };

mg_code plot_size(const mg_plot_options *opt, int default_w, int default_h, int *w,
                  int *h, mg_error *err)
{
    *w = opt && opt->width ? opt->width : default_w;
    *h = opt && opt->height ? opt->height : default_h;
    if (*w < MIN_SIDE || *w > MAX_SIDE || *h < MIN_SIDE || *h > MAX_SIDE)
        return mg_error_set(err, MG_EINVAL, "picture size %dx%d: each side must be %d..%d",
                            *w, *h, MIN_SIDE, MAX_SIDE);
    return MG_OK;
}

mg_code canvas_png(const plot_canvas *c, mg_png *out, mg_error *err)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)c->w;
    image.height = (png_uint_32)c->h;
    image.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    /* The first call measures, the second encodes into a buffer that size. */
    if (!png_image_write_to_memory(&image, NULL, &size, 0, c->px, 0, NULL))
        return mg_error_set(err, MG_ERENDER, "libpng: %s", image.message);
    unsigned char *bytes = malloc(size);
    if (!bytes)
        return mg_error_set(err, MG_ENOMEM, "out of memory encoding a PNG");
    if (!png_image_write_to_memory(&image, bytes, &size, 0, c->px, 0, NULL)) {
        free(bytes);
        return mg_error_set(err, MG_ERENDER, "libpng: %s", image.message);
    }
    out->bytes = bytes;
    out->len = size;
    return MG_OK;
}

void mg_png_free(mg_png *png)
{
    if (!png)
        return;
    free(png->bytes);
    png->bytes = NULL;
    png->len = 0;
}

mg_code mg_png_write(const mg_png *png, const char *path, mg_error *err)
{
    if (!png || !png->bytes || !path)
        return mg_error_set(err, MG_EINVAL, "mg_png_write: no picture or no path");
    return mg_file_write_atomic(path, (const char *)png->bytes, png->len, err);
}

mg_code png_write_and_free(const char *path, mg_code made, mg_png *png, mg_error *err)
{
    mg_code rc = made;
    if (rc == MG_OK)
        rc = mg_png_write(png, path, err);
    mg_png_free(png);
    return rc;
}
