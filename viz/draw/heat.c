/* heat.c — the heatmap files of one drawing: written where Graphviz can
 * read them while it renders, and (for SVG into a temporary directory)
 * embedded afterwards as data: URIs so the SVG stands alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_buf.h"
#include "mg_tensor_viz.h"
#include "viz_internal.h"

viz_heat *viz_heat_open(viz_heat *h, const mg_viz_options *o, const char *format)
{
    memset(h, 0, sizeof *h);
    if (o->no_heatmaps || (!o->heatmap_dir && strcmp(format, "dot") == 0))
        return NULL;
    h->dir = o->heatmap_dir;
    return h;
}

/* Makes the temporary directory on first use (under TMPDIR, else /tmp). */
static mg_code ensure_dir(viz_heat *h, mg_error *err)
{
    if (h->dir)
        return MG_OK;
    const char *base = getenv("TMPDIR");
    if (!base || !*base || strlen(base) > sizeof h->tmp - 24)
        base = "/tmp";
    snprintf(h->tmp, sizeof h->tmp, "%s/mgviz-heat-XXXXXX", base);
    if (!mkdtemp(h->tmp)) {
        int e = errno;
        h->tmp[0] = '\0';
        return mg_error_set(err, MG_EIO, "cannot make a directory for heatmaps in %s: %s",
                            base, strerror(e));
    }
    h->dir = h->tmp;
    return MG_OK;
}

static mg_code grow(viz_heat *h, mg_error *err)
{
    if (h->n < h->cap)
        return MG_OK;
    size_t cap = h->cap ? 2 * h->cap : 16;
    viz_heat_file *f = realloc(h->files, cap * sizeof *f);
    if (!f)
        return mg_error_set(err, MG_ENOMEM, "out of memory for heatmaps");
    h->files = f;
    h->cap = cap;
    return MG_OK;
}

static viz_heat_file *find(viz_heat *h, const char *path)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->files[i].path, path) == 0)
            return &h->files[i];
    return NULL;
}

mg_code viz_heat_add(viz_heat *h, const mg_tensor *t, int grad, const char *name,
                     const char **path, mg_error *err)
{
    mg_png png = {0};
    mg_code rc = ensure_dir(h, err);
    if (rc == MG_OK)
        rc = grow(h, err);
    if (rc == MG_OK)
        rc = mg_heatmap_png(t, grad != 0, &png, err);
    char *full = NULL;
    if (rc == MG_OK) {
        size_t n = strlen(h->dir) + strlen(name) + 2;
        full = malloc(n);
        if (!full)
            rc = mg_error_set(err, MG_ENOMEM, "out of memory for heatmaps");
        else
            snprintf(full, n, "%s/%s", h->dir, name);
    }
    if (rc == MG_OK)
        rc = mg_png_write(&png, full, err);
    if (rc != MG_OK) {
        free(full);
        mg_png_free(&png);
        return rc;
    }
    viz_heat_file *f = find(h, full);
    if (f) { /* redrawn (after backward): the newest picture counts */
        free(full);
        free(f->bytes);
        f->bytes = png.bytes;
        f->len = png.len;
    } else {
        f = &h->files[h->n++];
        *f = (viz_heat_file){full, png.bytes, png.len};
    }
    *path = f->path;
    return MG_OK;
}

/* The file h wrote whose path starts at s and ends at a quote, or NULL. */
static const viz_heat_file *file_at(const viz_heat *h, const char *s)
{
    for (size_t i = 0; i < h->n; i++) {
        size_t n = strlen(h->files[i].path);
        if (strncmp(s, h->files[i].path, n) == 0 && s[n] == '"')
            return &h->files[i];
    }
    return NULL;
}

mg_code viz_heat_embed(const viz_heat *h, char **svg, size_t *len, mg_error *err)
{
    if (!h->tmp[0] || h->n == 0)
        return MG_OK;
    static const char href[] = "xlink:href=\"";
    mg_buf b = {0};
    const char *s = *svg, *end = *svg + *len;
    for (const char *at; (at = strstr(s, href)) != NULL;) {
        at += sizeof href - 1;
        mg_buf_put(&b, s, (size_t)(at - s));
        s = at;
        const viz_heat_file *f = file_at(h, at);
        if (f) {
            mg_buf_puts(&b, "data:image/png;base64,");
            mg_buf_base64(&b, f->bytes, f->len);
            s = at + strlen(f->path);
        }
    }
    mg_buf_put(&b, s, (size_t)(end - s));
    if (b.failed || !b.p) {
        mg_buf_free(&b);
        return mg_error_set(err, MG_ENOMEM, "out of memory embedding heatmaps");
    }
    free(*svg);
    *svg = b.p;
    *len = b.len;
    return MG_OK;
}

void viz_heat_close(viz_heat *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->tmp[0])
            unlink(h->files[i].path);
        free(h->files[i].path);
        free(h->files[i].bytes);
    }
    free(h->files);
    if (h->tmp[0])
        rmdir(h->tmp);
    memset(h, 0, sizeof *h);
}
