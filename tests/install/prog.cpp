// An outside C++ program: built against an installed mgviz with pkg-config
// only, from the headers one by one (<mgviz/mg_tensor.h>, <mgviz/mg_viz.h>).
// loss = sum(x @ w) for x [2,3], w [3,1]: w's grad is the column sums of x.
// Draws the graph when given a path; exit 0 only if the grads are right.
#include <mgviz/mg_tensor.h>
#include <mgviz/mg_viz.h>

#include <cstdio>
#include <memory>
#include <vector>

int main(int argc, char **argv)
{
    std::unique_ptr<mg_graph, void (*)(mg_graph *)> g(mg_graph_new(), mg_graph_free);
    const int xs[] = { 2, 3 }, ws[] = { 3, 1 };
    mg_tensor *x = mg_tensor_label(mg_tensor_input(g.get(), MG_F64, 2, xs), "x");
    mg_tensor *w = mg_tensor_label(mg_tensor_param(g.get(), MG_F64, 2, ws), "w");
    const std::vector<double> xv = { 1, 2, 3, 4, 5, 6 }, wv = { 0.5, -1, 2 };
    mg_tensor_load(x, xv.data());
    mg_tensor_load(w, wv.data());
    mg_tensor *loss = mg_tensor_sum(mg_tensor_matmul(x, w), MG_AXIS_ALL, 0);
    bool ok = loss && mg_tensor_backward(loss) == MG_OK;
    for (int j = 0; ok && j < 3; j++)
        ok = mg_tensor_grad_at(w, j) == xv[j] + xv[3 + j];
    mg_error err;
    if (ok && argc > 1 && mg_draw_dot(loss->node, argv[1], nullptr, &err) != MG_OK) {
        std::fprintf(stderr, "%s\n", err.message);
        ok = false;
    }
    std::printf("loss %g, w.grad %g %g %g\n", ok ? mg_tensor_get(loss, 0) : 0.0,
                mg_tensor_grad_at(w, 0), mg_tensor_grad_at(w, 1), mg_tensor_grad_at(w, 2));
    return ok ? 0 : 1;
}
