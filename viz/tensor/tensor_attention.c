/* tensor_attention.c — attention weights as a learner draws them: one
 * query × key grid per head, the tokens written along both sides, the
 * masked future greyed out, so "which character looks at which" reads off
 * the picture. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "heat_internal.h"

enum {
    LABEL_PX = 10,  /* label font size */
    TITLE_H = 13,   /* "head h" line */
    PAD = 6         /* between panels */
};

/* Pixels per cell: large enough for a character where T allows. */
static int cell_of(int t)
{
    int c = 240 / t;
    return c > 14 ? 14 : c < 2 ? 2 : c;
}

bool attention_plan(const mg_tensor *t, heat_plan *p)
{
    if (t->op != MG_T_CAUSAL_SOFTMAX || t->ndim < 2)
        return false;
    int nq = t->shape[t->ndim - 2], nk = t->shape[t->ndim - 1];
    if (nq > MG_HEATMAP_ATTENTION_MAX || nk > MG_HEATMAP_ATTENTION_MAX)
        return false;
    p->attention = true;
    p->nq = nq;
    p->nk = nk;
    p->offset = t->axis;
    p->heads = t->ndim >= 3 ? t->shape[t->ndim - 3] : 1;
    p->shown = p->heads < MG_HEATMAP_HEADS ? p->heads : MG_HEATMAP_HEADS;
    p->cell = cell_of(nq > nk ? nq : nk);
    p->every = (LABEL_PX - 1 + p->cell - 1) / p->cell;
    p->margin_l = 14;
    p->margin_t = TITLE_H + 12;
    p->panel_w = p->margin_l + nk * p->cell;
    p->panel_h = p->margin_t + nq * p->cell;
    int across = p->shown < MG_HEATMAP_HEADS_PER_ROW ? p->shown : MG_HEATMAP_HEADS_PER_ROW;
    int down = (p->shown + MG_HEATMAP_HEADS_PER_ROW - 1) / MG_HEATMAP_HEADS_PER_ROW;
    p->area_w = across * p->panel_w + (across - 1) * PAD;
    p->area_h = down * p->panel_h + (down - 1) * PAD;
    p->caption = true;
    return true;
}

static bool masked(const heat_plan *p, int i, int j)
{
    return j > i + p->offset;
}

void attention_values(const mg_tensor *t, bool grad, const heat_plan *p, double *v)
{
    for (int h = 0; h < p->shown; h++)
        for (int i = 0; i < p->nq; i++)
            for (int j = 0; j < p->nk; j++) {
                int k = (h * p->nq + i) * p->nk + j; /* batch row 0 comes first */
                v[k] = masked(p, i, j) ? NAN
                                       : grad ? mg_tensor_grad_at(t, k) : mg_tensor_get(t, k);
            }
}

/* name as printed: whitespace made visible, "" for none. */
static const char *visible(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, " ") == 0)
        return "\xe2\x90\xa3"; /* ␣ */
    if (strcmp(name, "\n") == 0)
        return "\xe2\x86\xb5"; /* ↵ */
    if (strcmp(name, "\t") == 0)
        return "\xe2\x87\xa5"; /* ⇥ */
    return name;
}

/* The label of position i along axis (-2 queries, -1 keys). */
static void label_of(const mg_tensor *t, int axis, int i, char *buf, size_t n)
{
    const char *name = visible(mg_tensor_name(t, axis, 0, i));
    if (name)
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "%d", i);
}

static void panel(plot_pic *pic, const mg_tensor *t, const heat_plan *p, const double *v,
                  const heat_map *m, int h, int x0, int y0)
{
    cairo_t *cr = pic->cr;
    char text[32];
    int gx = x0 + p->margin_l, gy = y0 + p->margin_t, c = p->cell;
    snprintf(text, sizeof text, "head %d", h);
    pic_text(pic, gx + p->nk * c / 2.0, y0 + 10, 0.5, 0, LABEL_PX, true, PLOT_INK, text);
    for (int i = 0; i < p->nq; i++)
        for (int j = 0; j < p->nk; j++) {
            cairo_rectangle(cr, gx + j * c, gy + i * c, c, c);
            pic_colour(cr, masked(p, i, j) ? MG_HEATMAP_COLOR_MASKED
                                           : heat_colour(m, v[(h * p->nq + i) * p->nk + j]),
                       1);
            cairo_fill(cr);
        }
    cairo_rectangle(cr, gx - 0.5, gy - 0.5, p->nk * c + 1, p->nq * c + 1);
    pic_colour(cr, 0x999999u, 1);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    double px = LABEL_PX < c + 2 ? LABEL_PX : c + 2 < 7 ? 7 : c + 2;
    for (int i = 0; i < p->nq; i += p->every) {
        label_of(t, -2, i, text, sizeof text);
        pic_text(pic, gx - 2, gy + i * c + c / 2.0 + px * 0.36, 1, 0, px, false, PLOT_INK, text);
    }
    for (int j = 0; j < p->nk; j += p->every) {
        label_of(t, -1, j, text, sizeof text);
        pic_text(pic, gx + j * c + c / 2.0, gy - 3, 0.5, 0, px, false, PLOT_INK, text);
    }
}

void attention_paint(plot_pic *pic, const mg_tensor *t, const heat_plan *p, const double *v,
                     const heat_map *m, int x)
{
    for (int h = 0; h < p->shown; h++)
        panel(pic, t, p, v, m, h, x + (h % MG_HEATMAP_HEADS_PER_ROW) * (p->panel_w + PAD),
              (h / MG_HEATMAP_HEADS_PER_ROW) * (p->panel_h + PAD));
}

void attention_caption(const mg_tensor *t, const heat_plan *p, char *buf, size_t n)
{
    int rows = t->numel / (p->heads * p->nq * p->nk);
    char heads[64] = "";
    if (p->shown < p->heads)
        snprintf(heads, sizeof heads, "first %d of %d heads, ", p->shown, p->heads);
    if (rows > 1)
        snprintf(buf, n, "%sbatch row 0 of %d; grey: masked", heads, rows);
    else
        snprintf(buf, n, "%squery \xe2\x86\x93 key \xe2\x86\x92; grey: masked", heads);
}
