/* draw_dot.c — micrograd's README neuron, drawn: n = x1*w1 + x2*w2 + b,
 * o = tanh(n). Writes neuron.svg and neuron.png (forward values, grads 0),
 * then neuron_backward.svg showing the graph before and after backward. */
#include <stdio.h>

#include "mg_viz.h"

int main(void)
{
    mg_graph *g = mg_graph_new();
    if (!g)
        return 1;
    mg_value *x1 = mg_label(mg_input(g, 2.0), "x1");
    mg_value *x2 = mg_label(mg_input(g, 0.0), "x2");
    mg_value *w1 = mg_label(mg_param(g, -3.0), "w1");
    mg_value *w2 = mg_label(mg_param(g, 1.0), "w2");
    mg_value *b = mg_label(mg_param(g, 6.8813735870195432), "b");
    mg_value *x1w1 = mg_label(mg_mul(x1, w1), "x1*w1");
    mg_value *x2w2 = mg_label(mg_mul(x2, w2), "x2*w2");
    mg_value *sum = mg_label(mg_add(x1w1, x2w2), "x1*w1 + x2*w2");
    mg_value *n = mg_label(mg_add(sum, b), "n");
    mg_value *o = mg_label(mg_tanh(n), "o");
    if (mg_graph_error(g)) {
        fprintf(stderr, "error: %s\n", mg_graph_error(g));
        return 1;
    }

    mg_error err;
    mg_viz_options opt = {0}; /* zero means the defaults: LR, op nodes, 4 digits */
    opt.title = "micrograd neuron: o = tanh(x1*w1 + x2*w2 + b)";
    const char *outputs[] = {"neuron.svg", "neuron.png"};
    for (int i = 0; i < 2; i++) {
        if (mg_draw_dot(o, outputs[i], &opt, &err) != MG_OK) {
            fprintf(stderr, "error: %s\n", err.message);
            return 1;
        }
        printf("wrote %s\n", outputs[i]);
    }
    /* One picture, two clusters: the values before and after mg_backward(o). */
    if (mg_draw_backward(o, "neuron_backward.svg", &opt, &err) != MG_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    printf("wrote neuron_backward.svg (x1.grad = %.4f, w1.grad = %.4f)\n",
           x1->grad, w1->grad);
    mg_graph_free(g);
    return 0;
}
