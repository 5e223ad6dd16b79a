/* test_edges.c — the chain rule as data (mg_node_edges,
 * mg_tensor_edge_contribution) and the walking helpers (mg_node_operands,
 * mg_reach, mg_reach_marked): edges report what backward did, bit for bit. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "mg_rng.h"
#include "mg_tensor.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The seed example: z = x*y + x at x=2, y=3. */
START_TEST(test_edges_of_the_seed_example)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 2.0), *y = mg_input(g, 3.0);
    mg_value *m = mg_mul(x, y), *z = mg_add(m, x);
    mg_backward(z);
    mg_edge e[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_edges(z, e), 2);
    ck_assert_ptr_eq(e[0].from, m);
    ck_assert_ptr_eq(e[1].from, x);
    ck_assert_ptr_eq(e[1].to, z);
    ck_assert_int_eq(e[1].operand, 1);
    ck_assert_double_eq(e[0].local, 1.0);
    ck_assert_double_eq(e[0].upstream, 1.0);
    ck_assert_double_eq(e[1].contribution, 1.0);
    ck_assert_int_eq(mg_node_edges(m, e), 2);
    ck_assert_double_eq(e[0].local, 3.0); /* d(x*y)/dx = y */
    ck_assert_double_eq(e[1].local, 2.0);
    ck_assert_double_eq(e[0].contribution, 3.0);
    /* x's grad is the sum of what its two edges carried */
    mg_edge ez[MG_MAX_OPERANDS];
    mg_node_edges(z, ez);
    ck_assert_double_eq(e[0].contribution + ez[1].contribution, x->grad);
    ck_assert_int_eq(mg_node_edges(x, e), 0);
    ck_assert_int_eq(mg_node_edges(NULL, e), 0);
    mg_graph_free(g);
}
END_TEST

/* PyTorch's edge rules: what backward sends is not always local × upstream. */
START_TEST(test_edge_rules)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 2.0);
    mg_value *p = mg_pow(x, 0.0);
    mg_backward(mg_mulc(p, INFINITY)); /* p's upstream is infinite */
    mg_edge e[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_edges(p, e), 1);
    ck_assert(isinf(e[0].upstream));
    ck_assert_double_eq(e[0].local, 0.0);
    ck_assert(same_bits(e[0].contribution, 0.0)); /* not 0 × inf = NaN */
    ck_assert(same_bits(x->grad, 0.0));
    ck_assert(isnan(e[0].local * e[0].upstream));

    /* relu at 0 sends 0 even for a NaN upstream; a NaN input passes g on */
    mg_value *z = mg_input(g, 0.0), *r = mg_relu(z);
    mg_backward(mg_mulc(r, NAN));
    mg_node_edges(r, e);
    ck_assert(same_bits(e[0].contribution, 0.0) && e[0].local == 0.0);
    mg_value *n = mg_input(g, NAN), *rn = mg_relu(n);
    mg_backward(mg_mulc(rn, 2.0));
    mg_node_edges(rn, e);
    ck_assert_double_eq(e[0].local, 1.0);
    ck_assert_double_eq(e[0].contribution, 2.0);

    /* 0 ** y: the exponent's edge is 0 × upstream, so NaN for an infinite one */
    mg_value *b = mg_input(g, 0.0), *k = mg_input(g, 0.5), *pv = mg_pow_value(b, k);
    mg_backward(mg_mulc(pv, INFINITY));
    mg_node_edges(pv, e);
    ck_assert_double_eq(e[1].local, 0.0);
    ck_assert(isnan(e[1].contribution));
    ck_assert(isnan(k->grad));
    mg_graph_free(g);
}
END_TEST

/* a / b sends g / b: "contribution" is that, not (1/b) × g, which rounds
 * differently for these numbers. */
START_TEST(test_div_contribution_is_what_backward_sent)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, 1.0), *b = mg_input(g, 7.0);
    mg_value *q = mg_div(a, b);
    mg_backward(mg_mulc(q, 0.1));
    mg_edge e[MG_MAX_OPERANDS];
    mg_node_edges(q, e);
    ck_assert(same_bits(e[0].contribution, 0.1 / 7.0));
    ck_assert(same_bits(e[0].contribution, a->grad));
    ck_assert(same_bits(e[0].local, 1.0 / 7.0));
    ck_assert(!same_bits(e[0].local * e[0].upstream, e[0].contribution));
    mg_graph_free(g);
}
END_TEST

/* A node used as both operands has two edges; its grad gets both. */
START_TEST(test_square_has_two_edges)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, -1.5), *s = mg_mul(x, x);
    mg_backward(s);
    mg_edge e[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_edges(s, e), 2);
    ck_assert_ptr_eq(e[0].from, x);
    ck_assert_ptr_eq(e[1].from, x);
    ck_assert_double_eq(e[0].contribution + e[1].contribution, x->grad);
    mg_value *ops[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_operands(s, ops), 2);
    ck_assert_ptr_eq(ops[0], ops[1]);
    mg_graph_free(g);
}
END_TEST

/* Over a random graph, every node's grad is its incoming contributions
 * summed in backward's order (users by falling id, operand a before b; a
 * leaf's sum starts from its grad of 0, an interior node's from its first
 * contribution): the edges tell backward's story exactly, not approximately. */
START_TEST(test_contributions_add_up_to_every_grad)
{
    enum { LEAVES = 16, OPS = 3000 };
    mg_graph *g = mg_graph_new();
    mg_rng rng;
    mg_rng_seed(&rng, 99);
    mg_value *v[LEAVES + OPS];
    for (int i = 0; i < LEAVES; i++)
        v[i] = mg_input(g, mg_rng_range(&rng, -2.0, 2.0));
    for (int i = LEAVES; i < LEAVES + OPS; i++) {
        mg_value *a = v[i - 1 - (int)mg_rng_below(&rng, 20 < i ? 20 : (uint32_t)i)];
        mg_value *b = v[i - 1 - (int)mg_rng_below(&rng, 20 < i ? 20 : (uint32_t)i)];
        switch (mg_rng_below(&rng, 8)) {
        case 0: v[i] = mg_add(a, b); break;
        case 1: v[i] = mg_mul(a, b); break;
        case 2: v[i] = mg_div(a, mg_addc(mg_pow(b, 2.0), 1.0)); break;
        case 3: v[i] = mg_tanh(a); break;
        case 4: v[i] = mg_relu(mg_sub(a, b)); break;
        case 5: v[i] = mg_sigmoid(a); break;
        case 6: v[i] = mg_mulc(mg_exp(mg_neg(mg_pow(a, 2.0))), 0.7); break;
        default: v[i] = mg_log(mg_addc(mg_pow(a, 2.0), 0.5)); break;
        }
    }
    mg_value *root = v[LEAVES + OPS - 1];
    ck_assert_int_eq(mg_backward(root), MG_OK);
    size_t n = mg_graph_count(g);
    unsigned char *reached = malloc(n);
    double *sum = calloc(n, sizeof *sum);
    unsigned char *any = calloc(n, 1);
    ck_assert_uint_eq(mg_reach(root, reached), mg_reach(root, reached));
    for (size_t id = root->id + 1; id-- > 0;) {
        if (!reached[id])
            continue;
        mg_edge e[MG_MAX_OPERANDS];
        int ne = mg_node_edges(mg_graph_node(g, id), e);
        for (int i = 0; i < ne; i++) {
            uint32_t p = e[i].from->id;
            const double start = mg_is_leaf(e[i].from) ? 0.0 : -0.0; /* x + -0.0 == x */
            sum[p] = (any[p] ? sum[p] : start) + e[i].contribution;
            any[p] = 1;
        }
    }
    size_t checked = 0;
    for (size_t id = 0; id < root->id; id++)
        if (reached[id]) {
            ck_assert_msg(any[id], "node %zu reached but given nothing", id);
            ck_assert_msg(same_bits(sum[id], mg_graph_node(g, id)->grad),
                          "node %zu: contributions %.17g, grad %.17g", id, sum[id],
                          mg_graph_node(g, id)->grad);
            checked++;
        }
    ck_assert_uint_gt(checked, 1000);
    free(reached);
    free(sum);
    free(any);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_operands_and_reach)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 2.0), *y = mg_input(g, 3.0);
    mg_value *p = mg_pow(x, 3.0); /* k shares storage with b: one operand */
    mg_value *bce = mg_bce_logits(y, 0.25);
    mg_value *dead = mg_exp(y);
    mg_value *root = mg_add(p, bce);
    mg_value *ops[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_operands(x, ops), 0);
    ck_assert_int_eq(mg_node_operands(NULL, ops), 0);
    ck_assert_int_eq(mg_node_operands(p, ops), 1);
    ck_assert_ptr_eq(ops[0], x);
    ck_assert_int_eq(mg_node_operands(bce, ops), 1);
    ck_assert_int_eq(mg_node_operands(root, ops), 2);
    ck_assert_ptr_eq(ops[1], bce);
    ck_assert_int_eq(mg_op_arity(MG_OP_POWV), 2);
    ck_assert_int_eq(mg_op_arity(MG_OP_LEAF), 0);
    ck_assert_int_eq(mg_op_arity(MG_OP_COUNT), -1);
    unsigned char reached[8];
    memset(reached, 7, sizeof reached);
    ck_assert_uint_eq(mg_reach(root, reached), 5);
    ck_assert_int_eq(reached[dead->id], 0);
    ck_assert_int_eq(reached[x->id] + reached[y->id] + reached[p->id] + reached[bce->id], 4);
    ck_assert_uint_eq(mg_reach(x, reached), 1);
    ck_assert_uint_eq(mg_reach(NULL, reached), 0);
    /* Several roots sharing a byte with other flags: only bit 4 moves. */
    unsigned char flags[8] = {0};
    flags[x->id] = 1;
    flags[p->id] = 4;
    flags[dead->id] = 4 | 2;
    ck_assert_uint_eq(mg_reach_marked(g, dead->id, flags, 4), 4); /* x, y, p, dead */
    ck_assert_int_eq(flags[x->id], 1 | 4);
    ck_assert_int_eq(flags[y->id], 4);
    ck_assert_int_eq(flags[dead->id], 4 | 2);
    ck_assert_int_eq(flags[bce->id], 0);
    ck_assert_int_eq(flags[root->id], 0);
    ck_assert_uint_eq(mg_reach_marked(g, root->id + 1, flags, 4), 0); /* past the graph */
    mg_graph_free(g);
}
END_TEST

/* Tensor edges: the contribution tensors, by the loops backward runs. */
START_TEST(test_tensor_edge_contributions)
{
    mg_graph *g = mg_graph_new();
    int s23[] = { 2, 3 }, s3[] = { 3 };
    mg_tensor *a = mg_tensor_param(g, MG_F64, 2, s23), *b = mg_tensor_param(g, MG_F64, 1, s3);
    mg_tensor *c = mg_tensor_input(g, MG_F64, 1, s3);
    for (int i = 0; i < 6; i++)
        mg_tensor_set(a, i, 0.5 * i - 1.0);
    for (int i = 0; i < 3; i++) {
        mg_tensor_set(b, i, 1.0 + i);
        mg_tensor_set(c, i, 2.0 - i);
    }
    mg_tensor *m = mg_tensor_mul(a, b);         /* b broadcast over rows */
    mg_tensor *sq = mg_tensor_mul(m, m);        /* one operand twice */
    mg_tensor *loss = mg_tensor_sum(mg_tensor_add(sq, mg_tensor_mul(a, c)), MG_AXIS_ALL, 0);
    ck_assert_int_eq(mg_tensor_backward(loss), MG_OK);
    double ca[6], cb[3], s0[6], s1[6];
    ck_assert_int_eq(mg_tensor_edge_contribution(m, 0, ca), MG_OK);
    ck_assert_int_eq(mg_tensor_edge_contribution(m, 1, cb), MG_OK);
    for (int j = 0; j < 3; j++) { /* b's contribution sums over the broadcast rows */
        double want = mg_tensor_grad_at(m, j) * mg_tensor_get(a, j)
                    + mg_tensor_grad_at(m, 3 + j) * mg_tensor_get(a, 3 + j);
        ck_assert_double_eq_tol(cb[j], want, 1e-12);
        ck_assert(same_bits(cb[j], mg_tensor_grad_at(b, j))); /* b has one user */
    }
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(ca[i], mg_tensor_grad_at(m, i) * mg_tensor_get(b, i % 3));
    /* the square's two edges add up to m's grad */
    ck_assert_int_eq(mg_tensor_edge_contribution(sq, 0, s0), MG_OK);
    ck_assert_int_eq(mg_tensor_edge_contribution(sq, 1, s1), MG_OK);
    for (int i = 0; i < 6; i++)
        ck_assert(same_bits(s0[i] + s1[i], mg_tensor_grad_at(m, i)));
    /* no edge 2; nothing is sent to an input that requires no grad */
    mg_tensor *ac = mg_tensor_parent(mg_tensor_parent(loss, 0), 1);
    ck_assert_int_eq(mg_tensor_edge_contribution(m, 2, ca), MG_EINVAL);
    ck_assert_int_eq(mg_tensor_edge_contribution(ac, 1, cb), MG_EINVAL);
    ck_assert_int_eq(mg_graph_status(g), MG_OK);
    /* mg_node_edges names tensor edges and leaves their numbers NaN */
    mg_edge e[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_edges(m->node, e), 2);
    ck_assert_ptr_eq(e[1].from, b->node);
    ck_assert(isnan(e[0].local) && isnan(e[0].contribution));
    mg_value *ops[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_operands(loss->node, ops), 1);
    mg_graph_free(g);
}
END_TEST

static Suite *edges_suite(void)
{
    Suite *s = suite_create("edges");
    TCase *tc = tcase_create("edges");
    tcase_add_test(tc, test_edges_of_the_seed_example);
    tcase_add_test(tc, test_edge_rules);
    tcase_add_test(tc, test_div_contribution_is_what_backward_sent);
    tcase_add_test(tc, test_square_has_two_edges);
    tcase_add_test(tc, test_contributions_add_up_to_every_grad);
    tcase_add_test(tc, test_operands_and_reach);
    tcase_add_test(tc, test_tensor_edge_contributions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(edges_suite()); }
