/* fuzz_expr.c — the expression language (mgviz expr): parse; when that
 * works, build with every free variable bound, run backward and export the
 * graph as JSON and text; when it fails, format the error with its context
 * line. Any crash, sanitizer report or leak is a finding. */
#include "fuzz_input.h"
#include "mg_export.h"
#include "mg_expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build_and_export(const mg_expr *e)
{
    size_t n = mg_expr_var_count(e);
    const mg_expr_var *vars = mg_expr_vars(e);
    mg_expr_binding *b = calloc(n ? n : 1, sizeof *b);
    size_t nb = 0;
    for (size_t i = 0; i < n; i++)
        if (vars[i].free)
            b[nb++] = (mg_expr_binding){ vars[i].name, 0.5 + (double)i };
    mg_graph *g = mg_graph_new();
    mg_value *root = NULL;
    mg_expr_error err;
    if (g && mg_expr_build(e, g, b, nb, &root, NULL, &err) == MG_OK && mg_backward(root) == MG_OK) {
        FILE *sink = fopen("/dev/null", "w");
        mg_error xerr;
        mg_export_json(sink, root, NULL, 0, 0, &xerr);
        mg_export_text(sink, root, NULL, 0, &xerr);
        fclose(sink);
    }
    mg_graph_free(g);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    mg_expr_error err;
    mg_expr *e = mg_expr_parse(text, &err);
    if (e)
        build_and_export(e);
    else {
        char buf[512];
        mg_expr_error_format(text, &err, buf, sizeof buf);
    }
    mg_expr_free(e);
    free(text);
    return 0;
}
