/* html_internal.h — the pieces of the inspector page, shared by viz/html/ only.
 *
 * A page goes: capture each step's numbers (html_steps.c), with what
 * backward sent along each edge (html_edges.c) -> write the page's
 * data JSON, with the graph JSON of mg_export.h inside, into a text buffer
 * (html_steps.c, mg_buf.h) -> fill the page template with style, SVG, data
 * and script (html_page.c) -> write the bytes atomically (mg_file.h). */
#ifndef HTML_INTERNAL_H
#define HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_buf.h"
#include "mg_html.h"

/* html_edges.c: the number of operand edges of the graph's first n nodes,
 * and each one's local derivative and contribution now, in node id order
 * then operand order (local and contrib hold that many numbers). */
size_t html_edge_count(const mg_graph *g, size_t n);
mg_code html_edges_take(const mg_graph *g, size_t n, double *local,
                        double *contrib, mg_error *err);

/* html_positions.c: the page's "positions" member for logits (a tensor
 * with a grad) at this step, into out (emptied first). */
struct mg_tensor;
mg_code html_positions_take(mg_buf *out, struct mg_tensor *logits, long step, mg_error *err);

/* html_page.c: fills the page template with title, SVG and data JSON and
 * writes it atomically to path. */
mg_code html_page_write(const char *path, const char *title, const char *svg,
                        const mg_buf *data, mg_error *err);

/* Embedded page sources (html_assets.c, generated from inspector/). */
extern const char mg_html_asset_page[];
extern const char mg_html_asset_css[];
extern const char mg_html_asset_js[];

#endif
