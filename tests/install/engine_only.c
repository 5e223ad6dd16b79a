/* An outside program that needs only the engine: built with
 * pkg-config mgengine, it must link without Graphviz or libpng. */
#include <mgviz/mg_value.h>
#include <stdio.h>

int main(void)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, -4.0);
    mg_value *c = mg_tanh(mg_mul(a, a));
    mg_backward(c);
    printf("%.6f %.6f\n", c->data, a->grad);
    int ok = mg_graph_error(g) == NULL && a->grad != 0.0;
    mg_graph_free(g);
    return ok ? 0 : 1;
}
