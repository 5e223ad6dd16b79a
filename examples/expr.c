/* expr.c — the seed's first snippet: z = x*y + x, forward and backward. */
#include <stdio.h>

#include "mg_value.h"

int main(void)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_add(mg_mul(x, y), x); /* each op adds a node to g */

    if (mg_backward(z) != MG_OK) {         /* reverse topological order */
        fprintf(stderr, "error: %s\n", mg_graph_error(g));
        return 1;
    }
    printf("z = x*y + x = %g\n", z->data);
    printf("dz/dx = %g  (y + 1)\n", x->grad);
    printf("dz/dy = %g  (x)\n", y->grad);
    mg_graph_free(g);                      /* frees every node at once */
    return 0;
}
