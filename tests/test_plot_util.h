/* test_plot_util.h — what the plot and snapshot suites share: PNGs read
 * back with libpng and colour counts (scratch directories and files come
 * from test_util.h). */
#ifndef TEST_PLOT_UTIL_H
#define TEST_PLOT_UTIL_H

#include <check.h>
#include <dirent.h>
#include <png.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

/* A decoded picture: RGB, 3 bytes per pixel. */
typedef struct decoded {
    int w, h;
    unsigned char *px;
} decoded;

/* Finishes a read begun on img; fails the test if libpng cannot. */
static inline decoded finish_decode(png_image *img)
{
    img->format = PNG_FORMAT_RGB;
    decoded d = { (int)img->width, (int)img->height, malloc(PNG_IMAGE_SIZE(*img)) };
    ck_assert_ptr_nonnull(d.px);
    ck_assert_msg(png_image_finish_read(img, NULL, d.px, 0, NULL), "%s", img->message);
    return d;
}

static inline decoded decode_png(const unsigned char *bytes, size_t len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_memory(&img, bytes, len), "%s", img.message);
    return finish_decode(&img);
}

static inline decoded decode_png_file(const char *path)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert_msg(png_image_begin_read_from_file(&img, path), "%s: %s", path, img.message);
    return finish_decode(&img);
}

static inline uint32_t pixel_at(const decoded *d, int x, int y)
{
    const unsigned char *p = d->px + ((size_t)y * (size_t)d->w + (size_t)x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Pixels of exactly this colour (0xRRGGBB) in columns [x0, x1). */
static inline size_t count_colour_in(const decoded *d, uint32_t rgb, int x0, int x1)
{
    size_t n = 0;
    for (int y = 0; y < d->h; y++)
        for (int x = x0; x < x1; x++)
            n += pixel_at(d, x, y) == rgb;
    return n;
}

static inline size_t count_colour(const decoded *d, uint32_t rgb)
{
    return count_colour_in(d, rgb, 0, d->w);
}

/* True when colour c is within tol of target in every channel. */
static inline bool near_colour(uint32_t c, uint32_t target, int tol)
{
    for (int shift = 0; shift <= 16; shift += 8) {
        int a = (int)(c >> shift & 0xff), b = (int)(target >> shift & 0xff);
        if (a - b > tol || b - a > tol)
            return false;
    }
    return true;
}

/* Pixels within tol of rgb in the box [x0, x1) x [y0, y1). */
static inline size_t count_near_in(const decoded *d, uint32_t rgb, int tol, int x0, int y0,
                                   int x1, int y1)
{
    size_t n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += near_colour(pixel_at(d, x, y), rgb, tol);
    return n;
}

static inline size_t count_near(const decoded *d, uint32_t rgb, int tol)
{
    return count_near_in(d, rgb, tol, 0, 0, d->w, d->h);
}

/* A dark pixel: text, frame or line ink (every channel below 0x90). */
static inline bool is_dark(uint32_t c)
{
    return (c >> 16 & 0xff) < 0x90 && (c >> 8 & 0xff) < 0x90 && (c & 0xff) < 0x90;
}

static inline size_t count_dark_in(const decoded *d, int x0, int y0, int x1, int y1)
{
    size_t n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < d->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < d->w; x++)
            n += is_dark(pixel_at(d, x, y));
    return n;
}

/* A chart's plot frame: in each half of the picture, the outermost column
 * (row) holding nearly as many pixels of the frame's colour as the most
 * any column (row) there holds; lines inside the frame do not count. */
typedef struct frame_box {
    int left, right, top, bottom;
} frame_box;

static inline size_t ink_in_line(const decoded *d, uint32_t ink, bool rows, int i)
{
    return rows ? count_near_in(d, ink, 0, 0, i, d->w, i + 1)
                : count_near_in(d, ink, 0, i, 0, i + 1, d->h);
}

/* The outermost line of the near (far: the far) half of the columns (rows). */
static inline int outermost_line(const decoded *d, uint32_t ink, bool rows, bool far)
{
    int n = rows ? d->h : d->w, from = far ? n / 2 : 0, to = far ? n : n / 2;
    size_t most = 0;
    for (int i = from; i < to; i++) {
        size_t k = ink_in_line(d, ink, rows, i);
        most = k > most ? k : most;
    }
    for (int k = 0; k < to - from; k++) {
        int i = far ? to - 1 - k : from + k;
        if (ink_in_line(d, ink, rows, i) * 10 >= most * 9)
            return i;
    }
    return from;
}

static inline frame_box find_frame(const decoded *d, uint32_t ink)
{
    frame_box f = { outermost_line(d, ink, false, false), outermost_line(d, ink, false, true),
                    outermost_line(d, ink, true, false), outermost_line(d, ink, true, true) };
    return f;
}

/* One <text> element of an SVG: its position and its content (entities
 * left as written). */
typedef struct svg_text {
    double x, y;
    char s[128];
} svg_text;

/* The <text> elements of svg in order, at most max; returns how many. */
static inline int svg_texts(const char *svg, svg_text *out, int max)
{
    int n = 0;
    for (const char *p = svg; n < max && (p = strstr(p, "<text ")); p++) {
        const char *x = strstr(p, " x=\""), *y = strstr(p, " y=\""), *gt = strchr(p, '>');
        const char *end = gt ? strstr(gt, "</text>") : NULL;
        if (!x || !y || !gt || !end || x > gt || y > gt)
            continue;
        svg_text *t = &out[n++];
        t->x = strtod(x + 4, NULL);
        t->y = strtod(y + 4, NULL);
        size_t len = (size_t)(end - gt - 1);
        len = len < sizeof t->s - 1 ? len : sizeof t->s - 1;
        memcpy(t->s, gt + 1, len);
        t->s[len] = '\0';
    }
    return n;
}

#endif
