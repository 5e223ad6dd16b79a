/* plot_pic.c — a picture drawn with cairo and encoded as PNG or SVG into
 * memory (so it can be embedded as well as written whole).
 *
 * Text: cairo's "toy" text API with fontconfig's sans-serif. Chart text is
 * short single lines of Latin letters and digits, which needs no shaping or
 * font fallback (what pango would add, with glib and harfbuzz); metrics are
 * unhinted so a layout measured here is the same at any size. In SVG the
 * text becomes <text> elements instead of cairo's glyph outlines, so a
 * chart's titles and numbers can be searched, selected and read back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-svg.h>

#include "mg_file.h"
#include "plot_internal.h"

enum { MIN_SIDE = 64, MAX_SIDE = 8192, MAX_TEXT = 256 };
static const double degree = 3.14159265358979323846 / 180.0;

static const char font_family[] = "sans-serif";

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int len)
{
    mg_buf *b = closure;
    mg_buf_put(b, data, len);
    return b->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static mg_code cairo_failure(cairo_status_t st, mg_error *err)
{
    if (st == CAIRO_STATUS_NO_MEMORY)
        return mg_error_set(err, MG_ENOMEM, "out of memory drawing a picture");
    return mg_error_set(err, MG_ERENDER, "cairo: %s", cairo_status_to_string(st));
}

mg_code pic_open(plot_pic *p, plot_format format, int w, int h, mg_error *err)
{
    memset(p, 0, sizeof *p);
    p->format = format;
    p->w = w;
    p->h = h;
    if (format == PLOT_SVG) {
        p->surface = cairo_svg_surface_create_for_stream(append, &p->bytes, w, h);
        cairo_svg_surface_set_document_unit(p->surface, CAIRO_SVG_UNIT_PX);
    } else {
        p->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    }
    p->cr = cairo_create(p->surface);
    cairo_status_t st = cairo_status(p->cr);
    if (st != CAIRO_STATUS_SUCCESS) {
        pic_free(p);
        return cairo_failure(st, err);
    }
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(p->cr, fo);
    cairo_font_options_destroy(fo);
    pic_colour(p->cr, PLOT_WHITE, 1);
    cairo_paint(p->cr);
    return MG_OK;
}

void pic_free(plot_pic *p)
{
    if (p->cr)
        cairo_destroy(p->cr);
    if (p->surface)
        cairo_surface_destroy(p->surface);
    mg_buf_free(&p->bytes);
    mg_buf_free(&p->text);
    p->cr = NULL;
    p->surface = NULL;
}

/* The SVG cairo wrote, with the text elements before its closing tag. */
static void svg_with_text(plot_pic *p, mg_buf *out)
{
    const char *end = NULL;
    for (const char *s = p->bytes.p; s && (s = strstr(s, "</svg>")); s++)
        end = s;
    size_t head = end ? (size_t)(end - p->bytes.p) : p->bytes.len;
    mg_buf_put(out, p->bytes.p, head);
    mg_buf_puts(out, "<g font-family=\"DejaVu Sans, sans-serif\" xml:space=\"preserve\">\n");
    if (p->text.p)
        mg_buf_put(out, p->text.p, p->text.len);
    mg_buf_puts(out, "</g>\n");
    mg_buf_put(out, p->bytes.p + head, p->bytes.len - head);
}

mg_code pic_encode(plot_pic *p, mg_png *out, mg_error *err)
{
    out->bytes = NULL;
    out->len = 0;
    cairo_status_t st = cairo_status(p->cr);
    cairo_destroy(p->cr);
    p->cr = NULL;
    if (st == CAIRO_STATUS_SUCCESS && p->format == PLOT_PNG)
        st = cairo_surface_write_to_png_stream(p->surface, append, &p->bytes);
    cairo_surface_finish(p->surface); /* SVG: writes the document */
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(p->surface);
    if (st == CAIRO_STATUS_SUCCESS && (p->bytes.failed || p->text.failed))
        st = CAIRO_STATUS_NO_MEMORY;
    mg_buf done = { 0 };
    if (st == CAIRO_STATUS_SUCCESS && p->format == PLOT_SVG) {
        svg_with_text(p, &done);
        if (done.failed)
            st = CAIRO_STATUS_NO_MEMORY;
    } else {
        done = p->bytes;
        p->bytes = (mg_buf){ 0 };
    }
    pic_free(p);
    if (st != CAIRO_STATUS_SUCCESS || !done.p) {
        mg_buf_free(&done);
        return cairo_failure(st == CAIRO_STATUS_SUCCESS ? CAIRO_STATUS_NO_MEMORY : st, err);
    }
    out->bytes = (unsigned char *)done.p;
    out->len = done.len;
    return MG_OK;
}

mg_code pic_format_of(const char *path, plot_format *format, mg_error *err)
{
    size_t n = path ? strlen(path) : 0;
    if (n > 4 && strcmp(path + n - 4, ".png") == 0)
        *format = PLOT_PNG;
    else if (n > 4 && strcmp(path + n - 4, ".svg") == 0)
        *format = PLOT_SVG;
    else
        return mg_error_set(err, MG_EINVAL, "plot: %s%s%s: the name must end in .png or .svg",
                            path ? "\"" : "", path ? path : "no file name", path ? "\"" : "");
    return MG_OK;
}

mg_code pic_write_and_free(const char *path, mg_code made, mg_png *bytes, mg_error *err)
{
    mg_code rc = made;
    if (rc == MG_OK)
        rc = mg_png_write(bytes, path, err);
    mg_png_free(bytes);
    return rc;
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

/* ---- text ---- */

/* Length of the valid UTF-8 character at s (1..4), or 0 when it is not one
 * (or is a control character, which XML cannot hold either). */
static size_t utf8_char(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 4 && s[0] == 0xf0 && s[1] < 0x90) ||
        (n == 4 && s[0] == 0xf4 && s[1] >= 0x90) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0))
        return 0; /* overlong, beyond U+10FFFF, or a surrogate */
    return n;
}

/* s as valid UTF-8 without control characters ('?' for each bad byte),
 * cut at a character boundary to fit out. cairo refuses invalid text. */
static void clean_text(const char *s, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0;
    while (*u) {
        size_t c = utf8_char(u);
        if (k + (c ? c : 1) >= n)
            break;
        if (c) {
            memcpy(out + k, u, c);
            k += c;
            u += c;
        } else {
            out[k++] = '?';
            u++;
        }
    }
    out[k] = '\0';
}

double pic_font_size(const plot_pic *p, plot_font f)
{
    double side = p->w < p->h ? p->w : p->h;
    double tick = fmax(9.0, fmin(15.0, side / 32.0));
    return f == FONT_TICK ? tick : f == FONT_AXIS ? tick * 1.1 : tick * 1.25;
}

static void set_font(cairo_t *cr, double px, bool bold)
{
    cairo_select_font_face(cr, font_family, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, px);
}

double pic_text_width(plot_pic *p, double px, bool bold, const char *s)
{
    char clean[MAX_TEXT];
    clean_text(s, clean, sizeof clean);
    cairo_text_extents_t e;
    set_font(p->cr, px, bold);
    cairo_text_extents(p->cr, clean, &e);
    return e.x_advance;
}

double pic_fit_size(plot_pic *p, double px, bool bold, const char *s, double room)
{
    double w = pic_text_width(p, px, bold, s);
    return w > room && w > 0 ? fmax(6.0, px * room / w) : px;
}

double pic_text_ascent(double px)
{
    return 0.73 * px;
}

static void svg_text(plot_pic *p, double x, double y, double anchor, double angle, double px,
                     bool bold, uint32_t colour, const char *s)
{
    mg_buf *b = &p->text;
    mg_buf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\" fill=\"#%06x\"", x, y, px,
                  colour & 0xffffffu);
    if (bold)
        mg_buf_puts(b, " font-weight=\"bold\"");
    if (anchor > 0.25)
        mg_buf_puts(b, anchor > 0.75 ? " text-anchor=\"end\"" : " text-anchor=\"middle\"");
    if (angle != 0)
        mg_buf_printf(b, " transform=\"rotate(%.2f %.2f %.2f)\"", -angle, x, y);
    mg_buf_puts(b, ">");
    mg_buf_html_text(b, s);
    mg_buf_puts(b, "</text>\n");
}

void pic_text(plot_pic *p, double x, double y, double anchor, double angle, double px,
              bool bold, uint32_t colour, const char *s)
{
    char clean[MAX_TEXT];
    clean_text(s, clean, sizeof clean);
    if (!*clean)
        return;
    if (p->format == PLOT_SVG) {
        svg_text(p, x, y, anchor, angle, px, bold, colour, clean);
        return;
    }
    cairo_t *cr = p->cr;
    cairo_save(cr);
    set_font(cr, px, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, clean, &e);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -angle * degree);
    cairo_move_to(cr, -anchor * e.x_advance, 0);
    pic_colour(cr, colour, 1);
    cairo_show_text(cr, clean);
    cairo_restore(cr);
}

/* ---- colours and numbers ---- */

void pic_colour(cairo_t *cr, uint32_t colour, double alpha)
{
    cairo_set_source_rgba(cr, ((colour >> 16) & 0xff) / 255.0, ((colour >> 8) & 0xff) / 255.0,
                          (colour & 0xff) / 255.0, alpha);
}

uint32_t colour_mix(uint32_t from, uint32_t to, double a)
{
    uint32_t out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
        double f = (from >> shift) & 0xff, t = (to >> shift) & 0xff;
        out |= (uint32_t)(f + (t - f) * a + 0.5) << shift;
    }
    return out;
}

void plot_number(double v, int digits, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "nan");
    else if (isinf(v))
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
    else
        snprintf(buf, n, "%.*g", digits, v == 0 ? 0.0 : v);
}
