/* html_page.c — the page itself: the template from inspector/page.html with
 * its {{NAME}} slots filled by the title, style, SVG, data and script. */
#include <string.h>

#include "html_internal.h"
#include "mg_file.h"

/* The SVG element alone: Graphviz's XML prolog, doctype and comments before
 * it are not valid inside an HTML body. */
static const char *svg_element(const char *svg)
{
    return svg ? strstr(svg, "<svg") : NULL;
}

/* Appends what the template slot `name` (n bytes) stands for. */
static void fill_slot(mg_buf *b, const char *name, size_t n, const char *title,
                      const char *svg, const mg_buf *data)
{
    if (n == 5 && memcmp(name, "TITLE", 5) == 0)
        mg_buf_html_text(b, title);
    else if (n == 3 && memcmp(name, "CSS", 3) == 0)
        mg_buf_puts(b, mg_html_asset_css);
    else if (n == 2 && memcmp(name, "JS", 2) == 0)
        mg_buf_puts(b, mg_html_asset_js);
    else if (n == 3 && memcmp(name, "SVG", 3) == 0)
        mg_buf_puts(b, svg);
    else if (n == 4 && memcmp(name, "DATA", 4) == 0)
        mg_buf_put(b, data->p, data->len);
}

static void fill_template(mg_buf *b, const char *title, const char *svg,
                          const mg_buf *data)
{
    const char *t = mg_html_asset_page;
    for (;;) {
        const char *open = strstr(t, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            mg_buf_puts(b, t);
            return;
        }
        mg_buf_put(b, t, (size_t)(open - t));
        fill_slot(b, open + 2, (size_t)(close - open - 2), title, svg, data);
        t = close + 2;
    }
}

mg_code html_page_write(const char *path, const char *title, const char *svg,
                        const mg_buf *data, mg_error *err)
{
    const char *element = svg_element(svg);
    if (!element)
        return mg_error_set(err, MG_EFORMAT,
                            "mgviz html: the graph layout is not SVG (no <svg> element)");
    mg_buf page = {0};
    fill_template(&page, title, element, data);
    mg_code rc = page.failed
        ? mg_error_set(err, MG_ENOMEM, "mgviz html: out of memory for the page")
        : mg_file_write_atomic(path, page.p, page.len, err);
    mg_buf_free(&page);
    return rc;
}
