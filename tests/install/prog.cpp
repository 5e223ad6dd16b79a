// An outside C++ program: built against an installed mgviz with pkg-config only.
// Draws z = x*y + x and prints the grads; exit 0 only if they are right.
#include <mgviz/mgviz.h>
#include <cstdio>

int main(int argc, char **argv)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_add(mg_mul(x, y), x);
    mg_backward(z);
    mg_error err;
    int ok = x->grad == 4.0 && y->grad == 2.0;
    if (argc > 1 && mg_draw_dot(z, argv[1], NULL, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.message);
        ok = 0;
    }
    printf("mgviz %s (headers %s): x.grad=%g y.grad=%g\n", mg_version(), MG_VERSION_STRING,
           x->grad, y->grad);
    mg_graph_free(g);
    return ok ? 0 : 1;
}
