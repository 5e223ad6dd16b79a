/* fuzz_graph_json.c — graph JSON import (mgviz inspect --graph): a file
 * that imports is then exported again and its nodes counted, as inspect
 * does; a file that does not must be refused with a message. */
#include "fuzz_input.h"
#include "mg_export.h"
#include "mg_inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    mg_graph *g = mg_graph_new();
    mg_value *root = NULL;
    mg_export_var *vars = NULL;
    size_t nvars = 0;
    mg_error err;
    if (mg_import_json(text, g, &root, &vars, &nvars, &err) == MG_OK) {
        FILE *sink = fopen("/dev/null", "w");
        mg_export_json(sink, root, vars, nvars, 0, &err);
        fclose(sink);
        mg_inspect_counts c;
        if (mg_inspect_count(root, &c, &err) == MG_OK)
            mg_inspect_counts_free(&c);
    } else if (!err.message[0]) {
        abort(); /* refused without saying why */
    }
    free(vars);
    mg_graph_free(g);
    free(text);
    return 0;
}
