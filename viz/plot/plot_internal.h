/* plot_internal.h — the pieces of mg_plot.h, shared by viz/plot*.c only.
 *
 * A plot goes: resolve options -> paint an RGB canvas (plot_canvas.c) ->
 * frame it with axes, ticks and text (plot_axes.c, plot_font.c) -> draw the
 * data (plot_curve.c, plot_boundary.c) -> encode it as PNG (plot_png.c). */
#ifndef PLOT_INTERNAL_H
#define PLOT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mg_plot.h"

/* An RGB picture, 3 bytes per pixel, rows top to bottom. */
typedef struct plot_canvas {
    int w, h;
    uint8_t *px;
} plot_canvas;

/* plot_canvas.c: a w x h canvas filled with colour, or MG_ENOMEM. */
mg_code canvas_init(plot_canvas *c, int w, int h, uint32_t colour, mg_error *err);
void canvas_free(plot_canvas *c);
/* Sets one pixel; points outside the canvas are ignored. */
void canvas_set(plot_canvas *c, int x, int y, uint32_t colour);
/* Fills the rectangle [x0, x1] x [y0, y1] (inclusive, clipped). */
void canvas_fill(plot_canvas *c, int x0, int y0, int x1, int y1, uint32_t colour);
/* A line of the given width in pixels from (x0, y0) to (x1, y1). */
void canvas_line(plot_canvas *c, int x0, int y0, int x1, int y1, int width,
                 uint32_t colour);
/* A filled disc of radius r centred at (x, y). */
void canvas_disc(plot_canvas *c, int x, int y, int r, uint32_t colour);
/* The colour a of the way from `from` to `to` (a in [0, 1]). */
uint32_t colour_mix(uint32_t from, uint32_t to, double a);

/* plot_font.c: text in the built-in 5x7 font, each font pixel drawn as a
 * scale x scale square; lower-case letters are drawn as capitals and
 * characters the font lacks as blanks. (x, y) is the top-left corner. */
void font_text(plot_canvas *c, int x, int y, int scale, uint32_t colour, const char *s);
/* Width in pixels of s drawn at scale. */
int font_width(const char *s, int scale);
/* Height in pixels of a line drawn at scale. */
int font_height(int scale);

/* plot_axes.c: one axis, mapping data values to pixels. */
typedef struct plot_axis {
    double lo, hi;  /* range shown, in data units (log10 units when log) */
    bool log;       /* values are shown as log10(v) */
} plot_axis;

enum { PLOT_MAX_TICKS = 16 };

/* Where an axis gets tick marks: positions in axis units (log10 units on a
 * log axis) and the data values printed there. */
typedef struct plot_ticks {
    int n;
    double pos[PLOT_MAX_TICKS];
    double val[PLOT_MAX_TICKS];
    double step;    /* spacing of val on linear ticks, 0 for powers of ten */
} plot_ticks;

/* The plot area (pixels, inclusive), its two axes and their ticks. */
typedef struct plot_frame {
    int x0, y0, x1, y1;
    plot_axis x, y;
    plot_ticks xt, yt;
    int scale;      /* font scale of tick labels and title */
} plot_frame;

/* The range of v[0..n-1] (stride apart) over finite values (and, for a log
 * axis, positive ones), widened when empty or a single value, plus a margin
 * of `pad` times the range on each side. */
plot_axis axis_fit(const double *v, size_t n, size_t stride, bool log, double pad);
/* Lays out the plot area inside a w x h canvas, leaving room for the title
 * (NULL = none) and the tick labels of both axes. */
plot_frame frame_layout(int w, int h, plot_axis x, plot_axis y, const char *title);
/* Pixel column of data value v (v in data units even on a log axis);
 * values out of range land outside the area, NaN gives INT_MIN. */
int frame_px(const plot_frame *f, double v);
/* Pixel row of data value v, as frame_px(). */
int frame_py(const plot_frame *f, double v);
/* The data value at the centre of pixel column px / row py. */
double frame_x_at(const plot_frame *f, double px);
double frame_y_at(const plot_frame *f, double py);
/* Draws grid lines, the frame, tick marks, tick labels and the title. */
void frame_draw(plot_canvas *c, const plot_frame *f, const char *title);
/* Draws the frame's border again (after data painted over its edge). */
void frame_border(plot_canvas *c, const plot_frame *f);

/* plot_png.c: encodes the canvas as PNG into out. */
mg_code canvas_png(const plot_canvas *c, mg_png *out, mg_error *err);
/* Checks opt's size (or the defaults) and fills *w, *h. */
mg_code plot_size(const mg_plot_options *opt, int default_w, int default_h, int *w,
                  int *h, mg_error *err);
/* The file form of a plot: if made is MG_OK writes png to path; frees png
 * either way and returns the first failure. */
mg_code png_write_and_free(const char *path, mg_code made, mg_png *png, mg_error *err);

/* Plot colours beside the public ones in mg_plot.h. */
#define PLOT_WHITE 0xffffffu
#define PLOT_INK 0x333333u   /* frame, ticks, text */
#define PLOT_GRID 0xe8e8e8u  /* grid lines */
#define PLOT_NAN 0xbdbdbdu   /* a boundary cell whose score is NaN */

#endif
