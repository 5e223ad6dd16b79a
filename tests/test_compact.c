/* test_compact.c — what long-lived graphs (the Python module) add to the
 * engine: compaction, an allocator that frees by owner, micrograd's
 * accumulating backward and one node's step of the chain rule. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "mg_tensor.h"
#include "mg_value.h"

START_TEST(test_compact_keeps_what_is_held_and_its_inputs)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_label(mg_input(g, 2.0), "x");
    mg_value *dead = mg_label(mg_mulc(x, 10.0), "dead"); /* nodes 1, 2 */
    mg_value *y = mg_label(mg_input(g, 3.0), "y");
    mg_value *z = mg_label(mg_add(mg_mul(x, y), x), "z");
    (void)dead;
    uint32_t n = (uint32_t)mg_graph_count(g), zid = z->id;
    uint8_t *live = calloc(n, 1);
    uint32_t *remap = malloc(n * sizeof *remap);
    live[zid] = 1;
    ck_assert_uint_eq(mg_graph_compact(g, live, remap), 4); /* x, y, x*y, z */
    ck_assert_uint_eq(mg_graph_count(g), 4);
    ck_assert_uint_eq(remap[1], UINT32_MAX);
    ck_assert_uint_eq(remap[2], UINT32_MAX);
    ck_assert_uint_eq(remap[0], 0);
    ck_assert_uint_eq(remap[3], 1);
    mg_value *z2 = mg_graph_node(g, remap[zid]);
    ck_assert_str_eq(mg_value_label(z2), "z");
    ck_assert_str_eq(mg_value_label(mg_graph_node(g, 1)), "y");
    ck_assert_ptr_eq(z2->b, mg_graph_node(g, 0)); /* z = (x*y) + x */
    ck_assert_int_eq(mg_backward(z2), MG_OK);
    ck_assert_double_eq(mg_graph_node(g, 0)->grad, 4.0);
    ck_assert_double_eq(mg_graph_node(g, 1)->grad, 2.0);
    /* the graph goes on growing after a compaction */
    mg_value *w = mg_mulc(z2, 2.0);
    ck_assert_uint_eq(w->id, 5);
    ck_assert_double_eq(w->data, 16.0);
    free(live);
    free(remap);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_compact_moves_the_keep_mark)
{
    mg_graph *g = mg_graph_new();
    mg_value *p = mg_param(g, 1.0);
    mg_input(g, 5.0); /* dropped, below the mark */
    mg_value *q = mg_param(g, 2.0);
    mg_graph_keep(g);
    mg_add(p, q);
    uint32_t n = (uint32_t)mg_graph_count(g);
    uint8_t *live = calloc(n, 1);
    live[p->id] = live[q->id] = 1;
    mg_graph_compact(g, live, NULL);
    ck_assert_uint_eq(mg_graph_kept(g), 2);
    mg_graph_reset(g);
    ck_assert_uint_eq(mg_graph_count(g), 2);
    free(live);
    mg_graph_free(g);
}
END_TEST

/* Blocks handed out by the test allocator, with their owners. */
typedef struct owned {
    void *p[64];
    uint32_t owner[64];
    int n;
} owned;

static void *owned_alloc(void *ctx, size_t size, uint32_t owner)
{
    owned *o = ctx;
    if (o->n == 64)
        return NULL;
    o->owner[o->n] = owner;
    return o->p[o->n++] = aligned_alloc(64, size);
}

START_TEST(test_allocator_tags_tensor_bytes_with_their_node)
{
    mg_graph *g = mg_graph_new();
    owned o = { .n = 0 };
    mg_graph_allocator a = { .alloc = owned_alloc, .ctx = &o };
    ck_assert_int_eq(mg_graph_set_allocator(g, &a), MG_OK);
    mg_input(g, 1.0);
    mg_tensor *t = mg_tensor_param(g, MG_F64, 1, (const int[]){ 3 });
    ck_assert_ptr_nonnull(t);
    ck_assert_int_ge(o.n, 2); /* payload, data and grad */
    for (int i = 0; i < o.n; i++)
        ck_assert_uint_eq(o.owner[i], t->node->id);
    mg_tensor *s = mg_tensor_sum(t, MG_AXIS_ALL, 0);
    ck_assert_uint_eq(o.owner[o.n - 1], s->node->id);
    /* compaction moves tensor headers; payloads stay and point back */
    uint32_t n = (uint32_t)mg_graph_count(g);
    uint8_t *live = calloc(n, 1);
    live[s->node->id] = 1;
    mg_graph_compact(g, live, NULL);
    ck_assert_uint_eq(t->node->id, 0);
    ck_assert_ptr_eq(mg_tensor_of(mg_graph_node(g, 0)), t);
    ck_assert_ptr_eq(s->node, mg_graph_node(g, 1));
    ck_assert_int_eq(mg_tensor_backward(s), MG_OK);
    ck_assert_double_eq(mg_tensor_grad_at(t, 2), 1.0);
    mg_graph_free(g);
    for (int i = 0; i < o.n; i++)
        free(o.p[i]);
    free(live);
}
END_TEST

/* A linear node's third operand (its bias, kept in the tensor payload) moves
 * with the others: after compaction it names the bias at its new slot, and
 * backward still reaches it. */
START_TEST(test_compact_moves_a_third_operand)
{
    mg_graph *g = mg_graph_new();
    owned o = { .n = 0 };
    mg_graph_allocator a = { .alloc = owned_alloc, .ctx = &o };
    ck_assert_int_eq(mg_graph_set_allocator(g, &a), MG_OK);
    mg_input(g, 1.0); /* dropped: every survivor moves down one slot */
    mg_tensor *x = mg_tensor_input(g, MG_F64, 2, (const int[]){ 2, 2 });
    mg_tensor *w = mg_tensor_param(g, MG_F64, 2, (const int[]){ 2, 3 });
    mg_tensor *b = mg_tensor_param(g, MG_F64, 1, (const int[]){ 3 });
    mg_tensor *y = mg_tensor_sum(mg_tensor_linear(x, w, b), MG_AXIS_ALL, 0);
    uint32_t n = (uint32_t)mg_graph_count(g);
    uint8_t *live = calloc(n, 1);
    live[y->node->id] = 1;
    ck_assert_uint_eq(mg_graph_compact(g, live, NULL), n - 1);
    mg_tensor *lin = mg_tensor_parent(y, 0);
    ck_assert_ptr_eq(mg_tensor_parent(lin, 2), b);
    ck_assert_uint_eq(b->node->id, 2);
    mg_value *ops[MG_MAX_OPERANDS];
    ck_assert_int_eq(mg_node_operands(lin->node, ops), 3);
    ck_assert_ptr_eq(ops[2], mg_graph_node(g, 2));
    ck_assert_int_eq(mg_tensor_backward(y), MG_OK);
    ck_assert_double_eq(mg_tensor_grad_at(b, 1), 2.0); /* two rows */
    mg_graph_free(g);
    for (int i = 0; i < o.n; i++)
        free(o.p[i]);
    free(live);
}
END_TEST

START_TEST(test_allocator_only_before_the_first_allocation)
{
    mg_graph *g = mg_graph_new();
    mg_tensor_input(g, MG_F32, 1, (const int[]){ 2 });
    owned o = { .n = 0 };
    mg_graph_allocator a = { .alloc = owned_alloc, .ctx = &o };
    ck_assert_int_eq(mg_graph_set_allocator(g, &a), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(mg_graph_error(g), "allocated already"));
    mg_graph_free(g);
}
END_TEST

/* micrograd's backward adds into interior nodes too, and each node passes on
 * its accumulated grad: y = (x*2)*3 twice gives x.grad 6 then 6 + 2*6 = 18. */
START_TEST(test_backward_accumulate_is_micrograds_rule)
{
    mg_graph *g = mg_graph_new();
    mg_value *x = mg_input(g, 5.0);
    mg_value *t = mg_mulc(x, 2.0);
    mg_value *y = mg_mulc(t, 3.0);
    ck_assert_int_eq(mg_backward_accumulate(y), MG_OK);
    ck_assert_double_eq(x->grad, 6.0);
    ck_assert_double_eq(t->grad, 3.0);
    ck_assert_int_eq(mg_backward_accumulate(y), MG_OK);
    ck_assert_double_eq(y->grad, 1.0);
    ck_assert_double_eq(t->grad, 6.0);
    ck_assert_double_eq(x->grad, 18.0);
    /* a leaf root is set to 1, as micrograd's self.grad = 1 */
    mg_backward_accumulate(x);
    ck_assert_double_eq(x->grad, 1.0);
    mg_graph_free(g);
}
END_TEST

START_TEST(test_backward_node_is_one_step)
{
    mg_graph *g = mg_graph_new();
    mg_value *a = mg_input(g, 2.0), *b = mg_input(g, -3.0);
    mg_value *c = mg_mul(a, b);
    c->grad = 2.0;
    mg_backward_node(c);
    ck_assert_double_eq(a->grad, -6.0);
    ck_assert_double_eq(b->grad, 4.0);
    mg_backward_node(c); /* micrograd's += */
    ck_assert_double_eq(a->grad, -12.0);
    mg_backward_node(a); /* a leaf: nothing */
    ck_assert_double_eq(a->grad, -12.0);
    /* the walk that follows is not confused by the step's marks */
    mg_graph_zero_grad(g);
    mg_backward(c);
    ck_assert_double_eq(a->grad, -3.0);
    mg_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compact");
    TCase *tc = tcase_create("compact");
    tcase_add_test(tc, test_compact_keeps_what_is_held_and_its_inputs);
    tcase_add_test(tc, test_compact_moves_the_keep_mark);
    tcase_add_test(tc, test_allocator_tags_tensor_bytes_with_their_node);
    tcase_add_test(tc, test_compact_moves_a_third_operand);
    tcase_add_test(tc, test_allocator_only_before_the_first_allocation);
    tcase_add_test(tc, test_backward_accumulate_is_micrograds_rule);
    tcase_add_test(tc, test_backward_node_is_one_step);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
