/* mlp.c — the seed's second snippet: MLP(3, [4, 4, 1]) forward and backward. */
#include <stdio.h>

#include "mg_nn.h"

int main(void)
{
    mg_graph *g = mg_graph_new();
    mg_error err;
    int nouts[] = { 4, 4, 1 };
    mg_mlp *mlp = mg_mlp_new(g, 3, nouts, 3, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 1337, &err);
    if (!mlp) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    mg_value *x[] = { mg_input(g, 2.0), mg_input(g, 3.0), mg_input(g, -1.0) };
    mg_value *y;
    mg_mlp_forward(mlp, x, &y);            /* forward pass */
    if (mg_backward(y) != MG_OK) {         /* backprop */
        fprintf(stderr, "error: %s\n", mg_graph_error(g));
        return 1;
    }
    size_t n;
    mg_value *const *params = mg_mlp_parameters(mlp, &n);
    printf("y = %g, %zu parameters, %zu nodes in the graph\n", y->data, n, mg_graph_count(g));
    printf("dy/dw of the first neuron: %g %g %g\n", params[0]->grad, params[1]->grad,
           params[2]->grad);
    printf("dy/dx: %g %g %g\n", x[0]->grad, x[1]->grad, x[2]->grad);
    mg_mlp_free(mlp);
    mg_graph_free(g);
    return 0;
}
