/* plot_boundary.c — a 2-D classifier's decision boundary: its score over the
 * plane as a two-colour field, the line where the score is 0, the data
 * points on top in their labels' colours, and a legend saying which is which.
 *
 * The score is sampled on the corners of a grid x grid lattice: each pixel
 * of the field interpolates bilinearly between its cell's corners, and the
 * zero line is traced through the cells by marching squares, so a few
 * thousand calls to predict give a smooth picture of any size. */
#include <math.h>
#include <stdlib.h>

#include "plot_internal.h"

enum { DEFAULT_GRID = 100, MAX_GRID = 2000 };

/* The lattice of scores over the region. */
typedef struct lattice {
    int g;           /* cells per side; g + 1 corners */
    double *s;       /* (g+1) x (g+1) scores, row 0 at the bottom */
} lattice;

static double at(const lattice *L, int i, int j)
{
    return L->s[(size_t)j * (size_t)(L->g + 1) + (size_t)i];
}

/* The region shown: opt's when given, else the data's plus a margin. */
static mg_code region(const double *X, size_t n, const mg_plot_options *opt,
                      plot_axis *x, plot_axis *y, mg_error *err)
{
    if (opt && opt->xmin != opt->xmax && opt->ymin != opt->ymax) {
        if (!(isfinite(opt->xmin) && isfinite(opt->xmax) && isfinite(opt->ymin) &&
              isfinite(opt->ymax) && opt->xmin < opt->xmax && opt->ymin < opt->ymax))
            return mg_error_set(err, MG_EINVAL, "decision boundary: bad region [%g, %g] x [%g, %g]",
                                opt->xmin, opt->xmax, opt->ymin, opt->ymax);
        *x = (plot_axis){ .lo = opt->xmin, .hi = opt->xmax };
        *y = (plot_axis){ .lo = opt->ymin, .hi = opt->ymax };
        return MG_OK;
    }
    if (n == 0)
        return mg_error_set(err, MG_EINVAL, "decision boundary: no points and no region");
    *x = axis_fit(X, n, 2, false, 0.1);
    *y = axis_fit(X + 1, n, 2, false, 0.1);
    return MG_OK;
}

/* predict on the (g+1) x (g+1) corners over the region. */
static mg_code sample_scores(lattice *L, const plot_frame *f, mg_plot_predict_fn predict,
                             void *ctx, mg_error *err)
{
    int g = L->g;
    L->s = malloc(sizeof *L->s * (size_t)(g + 1) * (size_t)(g + 1));
    if (!L->s)
        return mg_error_set(err, MG_ENOMEM, "out of memory drawing a decision boundary");
    for (int j = 0; j <= g; j++) {
        double y = f->y.lo + (f->y.hi - f->y.lo) * j / g;
        for (int i = 0; i <= g; i++)
            L->s[(size_t)j * (size_t)(g + 1) + (size_t)i] =
                predict(ctx, f->x.lo + (f->x.hi - f->x.lo) * i / g, y);
    }
    return MG_OK;
}

/* The score at fractional lattice coordinates (u, v), bilinearly. */
static double score_at(const lattice *L, double u, double v)
{
    int i = (int)fmax(0, fmin(floor(u), L->g - 1)), j = (int)fmax(0, fmin(floor(v), L->g - 1));
    double fu = u - i, fv = v - j;
    return (at(L, i, j) * (1 - fu) + at(L, i + 1, j) * fu) * (1 - fv) +
           (at(L, i, j + 1) * (1 - fu) + at(L, i + 1, j + 1) * fu) * fv;
}

/* A class tint, stronger where the classifier is surer: four steps of
 * |score| up to 1, so the field reads as confidence bands (and packs well). */
static uint32_t field_colour(double score)
{
    if (isnan(score))
        return PLOT_NAN;
    uint32_t base = score > 0 ? MG_PLOT_COLOR_POS : MG_PLOT_COLOR_NEG;
    return colour_mix(PLOT_WHITE, base, 0.15 + 0.35 * fmin(ceil(fabs(score) * 4) / 4, 1.0));
}

/* The field as an image the size of the plot area, one colour per pixel. */
static mg_code paint_field(plot_pic *p, const plot_frame *f, const lattice *L, mg_error *err)
{
    int w = (int)(f->x1 - f->x0), h = (int)(f->y1 - f->y0);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return mg_error_set(err, MG_ENOMEM, "out of memory drawing a decision boundary");
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        double v = (h - 0.5 - y) / h * L->g;
        for (int x = 0; x < w; x++)
            row[x] = field_colour(score_at(L, (x + 0.5) / w * L->g, v));
    }
    cairo_surface_mark_dirty(img);
    cairo_set_source_surface(p->cr, img, f->x0, f->y0);
    cairo_paint(p->cr);
    cairo_surface_destroy(img);
    return MG_OK;
}

/* Where the score crosses 0 on the edge from corner a to corner b. */
static double crossing(double a, double b)
{
    return a / (a - b);
}

static void segment(cairo_t *cr, const double *e, int from, int to)
{
    cairo_move_to(cr, e[2 * from], e[2 * from + 1]);
    cairo_line_to(cr, e[2 * to], e[2 * to + 1]);
}

/* One cell of marching squares: the zero line's pieces through cell (i, j).
 * Edges 0..3 are bottom, right, top, left; a saddle is split by the sign
 * of the cell's centre. */
static void trace_cell(cairo_t *cr, const plot_frame *f, const lattice *L, int i, int j)
{
    double c[4] = { at(L, i, j), at(L, i + 1, j), at(L, i + 1, j + 1), at(L, i, j + 1) };
    for (int k = 0; k < 4; k++)
        if (isnan(c[k]))
            return;
    double sx = (f->x1 - f->x0) / L->g, sy = (f->y1 - f->y0) / L->g;
    double x = f->x0 + i * sx, y = f->y1 - j * sy; /* bottom-left corner */
    bool pos[4] = { c[0] > 0, c[1] > 0, c[2] > 0, c[3] > 0 };
    double e[8];   /* crossing point of each edge */
    int cut[4], n = 0;
    for (int k = 0; k < 4; k++) {
        int a = k, b = (k + 1) % 4;
        if (pos[a] == pos[b])
            continue;
        double t = crossing(c[a], c[b]);
        static const double corner[4][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 } };
        double u = corner[a][0] + t * (corner[b][0] - corner[a][0]);
        double v = corner[a][1] + t * (corner[b][1] - corner[a][1]);
        e[2 * k] = x + u * sx;
        e[2 * k + 1] = y - v * sy;
        cut[n++] = k;
    }
    if (n == 2) {
        segment(cr, e, cut[0], cut[1]);
    } else if (n == 4) {
        bool centre = (c[0] + c[1] + c[2] + c[3]) / 4 > 0;
        if (centre == pos[0]) { /* corners 1 and 3 are cut off */
            segment(cr, e, 0, 1);
            segment(cr, e, 2, 3);
        } else {                /* corners 0 and 2 are */
            segment(cr, e, 3, 0);
            segment(cr, e, 1, 2);
        }
    }
}

static void trace_zero_line(plot_pic *p, const plot_frame *f, const lattice *L)
{
    cairo_t *cr = p->cr;
    for (int j = 0; j < L->g; j++)
        for (int i = 0; i < L->g; i++)
            trace_cell(cr, f, L, i, j);
    pic_colour(cr, PLOT_INK, 1);
    cairo_set_line_width(cr, fmax(1.5, p->w / 320.0));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
}

static double dot_radius(const plot_pic *p)
{
    return fmax(3.0, (p->w < p->h ? p->w : p->h) / 90.0);
}

static void dot(cairo_t *cr, double x, double y, double r, uint32_t colour)
{
    x = floor(x) + 0.5; /* on a pixel centre: every dot the same pixels, which PNG packs */
    y = floor(y) + 0.5;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, PLOT_TAU);
    pic_colour(cr, colour, 1);
    cairo_fill_preserve(cr);
    pic_colour(cr, PLOT_INK, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

static uint32_t label_colour(const double *label, size_t i)
{
    double l = label ? label[i] : NAN;
    return isnan(l) ? PLOT_NAN : l > 0 ? MG_PLOT_COLOR_POS : MG_PLOT_COLOR_NEG;
}

static bool inside(const plot_frame *f, double x, double y)
{
    return x >= f->x.lo && x <= f->x.hi && y >= f->y.lo && y <= f->y.hi; /* false for NaN */
}

static void draw_points(plot_pic *p, const plot_frame *f, const double *X, const double *label,
                        size_t n, const mg_plot_options *opt)
{
    double r = dot_radius(p);
    for (size_t i = 0; i < n; i++)
        if (inside(f, X[2 * i], X[2 * i + 1]))
            dot(p->cr, frame_px(f, X[2 * i]), frame_py(f, X[2 * i + 1]), r,
                label_colour(label, i));
    for (size_t k = 0; opt && opt->marked && k < opt->nmarked; k++) {
        size_t i = opt->marked[k];
        if (i >= n || !inside(f, X[2 * i], X[2 * i + 1]))
            continue;
        cairo_new_sub_path(p->cr);
        cairo_arc(p->cr, frame_px(f, X[2 * i]), frame_py(f, X[2 * i + 1]), r + 4, 0, PLOT_TAU);
        pic_colour(p->cr, 0x000000u, 1);
        cairo_set_line_width(p->cr, 2);
        cairo_stroke(p->cr);
    }
}

/* ---- legend: label colours and the zero line, in the emptiest corner ---- */

enum { LEGEND_ROWS = 3 };
static const char *const legend_text[LEGEND_ROWS] = { "label > 0", "label \xe2\x89\xa4 0",
                                                      "score = 0" };

typedef struct box {
    double x, y, w, h;
} box;

static size_t points_in(const plot_frame *f, const double *X, size_t n, box b)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double x = frame_px(f, X[2 * i]), y = frame_py(f, X[2 * i + 1]);
        k += x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
    }
    return k;
}

static box legend_box(plot_pic *p, const plot_frame *f, const double *X, size_t n, double px)
{
    double text = 0, pad = 0.5 * px;
    for (int k = 0; k < LEGEND_ROWS; k++)
        text = fmax(text, pic_text_width(p, px, false, legend_text[k]));
    box b = { .w = 2.2 * px + text + 2 * pad, .h = LEGEND_ROWS * 1.35 * px + 2 * pad };
    size_t best = SIZE_MAX;
    for (int corner = 0; corner < 4; corner++) {
        box c = b;
        c.x = corner % 2 ? f->x1 - 6 - b.w : f->x0 + 6;
        c.y = corner / 2 ? f->y1 - 6 - b.h : f->y0 + 6;
        size_t k = points_in(f, X, n, c);
        if (k < best) {
            best = k;
            b = c;
        }
    }
    return b;
}

static void draw_legend(plot_pic *p, const plot_frame *f, const double *X, size_t n)
{
    double px = pic_font_size(p, FONT_TICK), pad = 0.5 * px, line = 1.35 * px;
    if (f->x1 - f->x0 < 300 || f->y1 - f->y0 < 200)
        return; /* a thumbnail: the legend would hide the points */
    box b = legend_box(p, f, X, n, px);
    cairo_t *cr = p->cr;
    cairo_rectangle(cr, b.x + 0.5, b.y + 0.5, b.w, b.h);
    pic_colour(cr, PLOT_WHITE, 0.85);
    cairo_fill_preserve(cr);
    pic_colour(cr, 0xbbbbbbu, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    double sym = b.x + pad + 0.6 * px, r = fmin(dot_radius(p), 0.4 * px);
    for (int k = 0; k < LEGEND_ROWS; k++) {
        double mid = b.y + pad + (k + 0.5) * line;
        if (k < 2) {
            dot(cr, sym, mid, r, k == 0 ? MG_PLOT_COLOR_POS : MG_PLOT_COLOR_NEG);
        } else {
            cairo_move_to(cr, sym - 0.6 * px, mid);
            cairo_line_to(cr, sym + 0.6 * px, mid);
            pic_colour(cr, PLOT_INK, 1);
            cairo_set_line_width(cr, 1.5);
            cairo_stroke(cr);
        }
        pic_text(p, sym + 1.1 * px, mid + pic_text_ascent(px) / 2, 0, 0, px, false, PLOT_INK,
                 legend_text[k]);
    }
}

static mg_code draw_chart(plot_pic *p, plot_frame *f, const lattice *L, const double *X,
                          const double *label, size_t n, const mg_plot_options *opt,
                          mg_error *err)
{
    frame_draw(p, f);
    cairo_save(p->cr);
    frame_clip(p, f);
    mg_code rc = paint_field(p, f, L, err);
    if (rc == MG_OK) {
        trace_zero_line(p, f, L);
        draw_points(p, f, X, label, n, opt);
        draw_legend(p, f, X, n);
    }
    cairo_restore(p->cr);
    frame_border(p, f);
    return rc;
}

static mg_code boundary_picture(plot_format format, mg_plot_predict_fn predict, void *ctx,
                                const double *X, const double *label, size_t n,
                                const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    if (!predict || !out || (n > 0 && !X))
        return mg_error_set(err, MG_EINVAL, "decision boundary: no %s",
                            !predict ? "predict function" : !out ? "output" : "points");
    out->bytes = NULL;
    out->len = 0;
    lattice L = { .g = opt && opt->grid ? opt->grid : DEFAULT_GRID };
    if (L.g < 1 || L.g > MAX_GRID)
        return mg_error_set(err, MG_EINVAL, "decision boundary: grid %d outside 1..%d", L.g,
                            MAX_GRID);
    int w, h;
    plot_frame f = {
        .title = opt ? opt->title : NULL,
        .x_title = plot_axis_title(opt ? opt->x_title : NULL, "X[:,0]"),
        .y_title = plot_axis_title(opt ? opt->y_title : NULL, "X[:,1]"),
    };
    mg_code rc = plot_size(opt, 480, 400, &w, &h, err);
    if (rc != MG_OK || (rc = region(X, n, opt, &f.x, &f.y, err)) != MG_OK)
        return rc;
    plot_pic p;
    if ((rc = pic_open(&p, format, w, h, err)) != MG_OK)
        return rc;
    frame_layout(&p, &f, 0);
    rc = sample_scores(&L, &f, predict, ctx, err);
    if (rc == MG_OK)
        rc = draw_chart(&p, &f, &L, X, label, n, opt, err);
    if (rc == MG_OK)
        rc = pic_encode(&p, out, err);
    pic_free(&p);
    free(L.s);
    return rc;
}

mg_code mg_plot_boundary_png(mg_plot_predict_fn predict, void *ctx, const double *X,
                             const double *label, size_t n,
                             const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    return boundary_picture(PLOT_PNG, predict, ctx, X, label, n, opt, out, err);
}

mg_code mg_plot_boundary(const char *path, mg_plot_predict_fn predict, void *ctx,
                         const double *X, const double *label, size_t n,
                         const mg_plot_options *opt, mg_error *err)
{
    plot_format format;
    mg_code rc = pic_format_of(path, &format, err);
    if (rc != MG_OK)
        return rc;
    mg_png bytes = { 0 };
    return pic_write_and_free(
        path, boundary_picture(format, predict, ctx, X, label, n, opt, &bytes, err), &bytes,
        err);
}
