/* render.c — laying out and rendering in-process through gvc. DOT is written
 * by cgraph itself, unlaid-out, as micrograd's draw_dot source would be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "viz_internal.h"

/* Graphviz reports problems through a global callback; the last messages are
 * kept here so errors can quote them (one drawing at a time per process). */
static char gv_messages[256];

static int capture_message(char *msg)
{
    size_t used = strlen(gv_messages);
    snprintf(gv_messages + used, sizeof gv_messages - used, "%s", msg);
    return 0;
}

/* Copies n bytes into a new NUL-terminated buffer in *out. */
static mg_code copy_out(const char *data, size_t n, char **out, size_t *len,
                        mg_error *err)
{
    char *buf = malloc(n + 1);
    if (!buf)
        return mg_error_set(err, MG_ENOMEM, "out of memory (%zu bytes of output)", n);
    memcpy(buf, data, n);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return MG_OK;
}

static mg_code write_dot(Agraph_t *g, char **out, size_t *len, mg_error *err)
{
    mg_buf text = {0};
    FILE *f = mg_buf_stream(&text);
    int bad = f && agwrite(g, f) != 0;
    bool complete = mg_buf_stream_close(f, &text);
    mg_code rc = bad ? mg_error_set(err, MG_ERENDER, "cgraph could not write DOT")
               : !complete ? mg_error_set(err, MG_ENOMEM, "out of memory writing DOT")
                           : copy_out(text.p ? text.p : "", text.len, out, len, err);
    mg_buf_free(&text);
    return rc;
}

static mg_code layout_and_render(GVC_t *gvc, Agraph_t *g, const char *format,
                                 char **out, size_t *len, mg_error *err)
{
    if (gvLayout(gvc, g, "dot") != 0)
        return mg_error_set(err, MG_ERENDER, "Graphviz layout failed: %s",
                            gv_messages);
    char *data = NULL;
    unsigned int n = 0;
    mg_code rc = MG_OK;
    if (gvRenderData(gvc, g, format, &data, &n) != 0 || !data)
        rc = mg_error_set(err, MG_ERENDER, "Graphviz could not render %s: %s",
                          format, gv_messages);
    else
        rc = copy_out(data, n, out, len, err);
    if (data)
        gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
    return rc;
}

/* One Graphviz context serves every drawing of the process. Graphviz 2.43's
 * pango text layout caches a pointer to the last font name, which a context
 * owns: after gvFreeContext() the next context's first label reads freed
 * memory. Keeping the context also saves reloading plugins per drawing. */
static GVC_t *shared_gvc;

mg_code viz_render(Agraph_t *g, const char *format, char **out, size_t *len,
                   mg_error *err)
{
    if (strcmp(format, "dot") == 0)
        return write_dot(g, out, len, err);
    gv_messages[0] = '\0';
    agusererrf previous = agseterrf(capture_message);
    if (!shared_gvc)
        shared_gvc = gvContext();
    mg_code rc = shared_gvc
                     ? layout_and_render(shared_gvc, g, format, out, len, err)
                     : mg_error_set(err, MG_ERENDER, "Graphviz did not start");
    agseterrf(previous);
    return rc;
}

void mg_viz_cleanup(void)
{
    if (shared_gvc)
        gvFreeContext(shared_gvc);
    shared_gvc = NULL;
}
