/* plot_boundary.c — a 2-D classifier's decision boundary: its score over the
 * plane as a two-colour field, the line where the score changes sign, and
 * the data points on top in their labels' colours.
 *
 * The score is sampled on the corners of a grid x grid lattice and each
 * pixel interpolates bilinearly between its cell's corners: a few thousand
 * calls to predict give a smooth picture of any size. */
#include <math.h>
#include <stdlib.h>

#include "plot_internal.h"

enum { DEFAULT_GRID = 100, MAX_GRID = 2000 };

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

/* predict on the (g+1) x (g+1) lattice over the frame, row 0 at the bottom. */
static double *sample_scores(const plot_frame *f, int g, mg_plot_predict_fn predict,
                             void *ctx)
{
    double *s = malloc(sizeof *s * (size_t)(g + 1) * (size_t)(g + 1));
    if (!s)
        return NULL;
    for (int j = 0; j <= g; j++) {
        double y = f->y.lo + (f->y.hi - f->y.lo) * j / g;
        for (int i = 0; i <= g; i++)
            s[(size_t)j * (size_t)(g + 1) + (size_t)i] =
                predict(ctx, f->x.lo + (f->x.hi - f->x.lo) * i / g, y);
    }
    return s;
}

/* The score at fractional lattice coordinates (u, v), bilinearly. */
static double score_at(const double *s, int g, double u, double v)
{
    int i = (int)fmin(floor(u), g - 1), j = (int)fmin(floor(v), g - 1);
    double fu = u - i, fv = v - j;
    const double *r0 = s + (size_t)j * (size_t)(g + 1) + (size_t)i, *r1 = r0 + g + 1;
    return (r0[0] * (1 - fu) + r0[1] * fu) * (1 - fv) + (r1[0] * (1 - fu) + r1[1] * fu) * fv;
}

/* A class tint, stronger where the classifier is surer (|score| up to 1). */
static uint32_t field_colour(double score)
{
    if (isnan(score))
        return PLOT_NAN;
    uint32_t base = score > 0 ? MG_PLOT_COLOR_POS : MG_PLOT_COLOR_NEG;
    return colour_mix(PLOT_WHITE, base, 0.15 + 0.35 * fmin(fabs(score), 1.0));
}

static int sign_of(double score)
{
    return isnan(score) ? 2 : score > 0;
}

static void paint_field(plot_canvas *c, const plot_frame *f, const double *s, int g,
                        int8_t *above)
{
    double cols = f->x1 - f->x0, rows = f->y1 - f->y0;
    for (int py = f->y0; py <= f->y1; py++) {
        double v = (f->y1 - py) / rows * g;
        int left = -1;
        for (int px = f->x0; px <= f->x1; px++) {
            double score = score_at(s, g, (px - f->x0) / cols * g, v);
            int sg = sign_of(score), k = px - f->x0;
            bool edge = sg != 2 && ((left >= 0 && left != 2 && left != sg) ||
                                    (py > f->y0 && above[k] != 2 && above[k] != sg));
            canvas_set(c, px, py, edge ? PLOT_INK : field_colour(score));
            left = sg;
            above[k] = (int8_t)sg;
        }
    }
}

static bool is_marked(const mg_plot_options *opt, size_t i)
{
    for (size_t k = 0; opt && opt->marked && k < opt->nmarked; k++)
        if (opt->marked[k] == i)
            return true;
    return false;
}

static void draw_points(plot_canvas *c, const plot_frame *f, const double *X,
                        const double *label, size_t n, const mg_plot_options *opt)
{
    int r = (c->w < c->h ? c->w : c->h) / 100;
    r = r < 2 ? 2 : r;
    for (size_t i = 0; i < n; i++) {
        double x = X[2 * i], y = X[2 * i + 1];
        if (!(x >= f->x.lo && x <= f->x.hi && y >= f->y.lo && y <= f->y.hi))
            continue; /* outside the region, or NaN */
        double l = label ? label[i] : NAN;
        uint32_t colour = isnan(l) ? PLOT_NAN : l > 0 ? MG_PLOT_COLOR_POS : MG_PLOT_COLOR_NEG;
        int px = frame_px(f, x), py = frame_py(f, y);
        if (is_marked(opt, i)) { /* a ring around the point a picture is about */
            canvas_disc(c, px, py, r + 6, PLOT_INK);
            canvas_disc(c, px, py, r + 4, PLOT_WHITE);
        }
        canvas_disc(c, px, py, r + 1, PLOT_INK);
        canvas_disc(c, px, py, r, colour);
    }
}

mg_code mg_plot_boundary_png(mg_plot_predict_fn predict, void *ctx, const double *X,
                             const double *label, size_t n,
                             const mg_plot_options *opt, mg_png *out, mg_error *err)
{
    if (!predict || !out || (n > 0 && !X))
        return mg_error_set(err, MG_EINVAL, "decision boundary: no %s",
                            !predict ? "predict function" : !out ? "output" : "points");
    int g = opt && opt->grid ? opt->grid : DEFAULT_GRID, w, h;
    if (g < 1 || g > MAX_GRID)
        return mg_error_set(err, MG_EINVAL, "decision boundary: grid %d outside 1..%d", g,
                            MAX_GRID);
    plot_axis ax, ay;
    mg_code rc = plot_size(opt, 480, 400, &w, &h, err);
    if (rc != MG_OK || (rc = region(X, n, opt, &ax, &ay, err)) != MG_OK)
        return rc;
    const char *title = opt ? opt->title : NULL;
    plot_frame f = frame_layout(w, h, ax, ay, title);
    plot_canvas c = { 0 };
    double *scores = sample_scores(&f, g, predict, ctx);
    int8_t *row = malloc((size_t)(f.x1 - f.x0 + 1));
    if (!scores || !row)
        rc = mg_error_set(err, MG_ENOMEM, "out of memory drawing a decision boundary");
    if (rc == MG_OK && (rc = canvas_init(&c, w, h, PLOT_WHITE, err)) == MG_OK) {
        frame_draw(&c, &f, title);
        paint_field(&c, &f, scores, g, row);
        draw_points(&c, &f, X, label, n, opt);
        frame_border(&c, &f);
        rc = canvas_png(&c, out, err);
    }
    canvas_free(&c);
    free(scores);
    free(row);
    return rc;
}

mg_code mg_plot_boundary(const char *path, mg_plot_predict_fn predict, void *ctx,
                         const double *X, const double *label, size_t n,
                         const mg_plot_options *opt, mg_error *err)
{
    mg_png png = { 0 };
    return png_write_and_free(
        path, mg_plot_boundary_png(predict, ctx, X, label, n, opt, &png, err), &png, err);
}
