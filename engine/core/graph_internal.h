/* graph_internal.h — the graph's layout, shared by the engine's own files only. */
#ifndef MG_GRAPH_INTERNAL_H
#define MG_GRAPH_INTERNAL_H

#include "mg_graph.h"
#include "mg_value.h"

enum { NODE_CHUNK_BITS = 12, NODE_CHUNK = 1u << NODE_CHUNK_BITS };

typedef struct scope_entry {
    uint32_t parent;
    uint32_t name;  /* offset into scope_text */
    uint32_t depth;
} scope_entry;

typedef struct byte_block {
    unsigned char *base;
    size_t start;   /* offset of base in the arena's running count */
    size_t size;
} byte_block;

struct mg_graph {
    /* node table: chunks of NODE_CHUNK nodes, ids are positions */
    mg_value **chunks;
    uint32_t nchunks, chunk_cap;
    uint32_t count;
    mg_mark kept;

    /* user labels, rewound with the nodes; offset 0 is "" */
    char *labels;
    uint32_t labels_len, labels_cap;

    /* byte arena for tensor payloads, rewound with the nodes */
    byte_block *blocks;
    uint32_t nblocks, block_cap, cur_block;
    size_t bytes; /* running offset handed out so far */

    /* interned scopes and the scope stack */
    scope_entry *scopes;
    uint32_t nscopes, scope_cap;
    char *scope_text;
    uint32_t scope_text_len, scope_text_cap;
    uint32_t *scope_index; /* open addressing: scope id + 1, 0 = empty */
    uint32_t scope_index_cap;
    uint32_t *stack;
    uint32_t stack_len, stack_cap;

    mg_error err;
    size_t allocations;
    mg_graph_allocator allocator; /* alloc NULL: the byte arena above */
};

/* Grows the node table by one chunk; 0 on success. */
int graph_grow_nodes(mg_graph *g);
/* Grows the label text to hold need bytes; -1 when it cannot (out of
 * memory, or past 4 GiB: offsets are uint32_t). */
int graph_grow_labels(mg_graph *g, size_t need);

/* A fresh node slot with the bookkeeping fields set; NULL when out of memory. */
static inline mg_value *graph_new_node(mg_graph *g, mg_op op, uint8_t flags)
{
    uint32_t id = g->count;
    if ((id >> NODE_CHUNK_BITS) >= g->nchunks && graph_grow_nodes(g) != 0)
        return NULL;
    mg_value *v = &g->chunks[id >> NODE_CHUNK_BITS][id & (NODE_CHUNK - 1)];
    g->count = id + 1;
    v->grad = 0.0;
    v->a = NULL;
    v->b = NULL;
    v->graph = g;
    v->id = id;
    v->scope = g->stack[g->stack_len - 1];
    v->label = 0;
    v->op = (uint8_t)op;
    v->flags = flags;
    return v;
}

/* Tensor nodes (tensor_backward.c): the chain rule for one tensor node, and
 * seeding the root's gradient with 1 (its grad buffer must hold one element). */
void tensor_propagate(mg_value *v);
/* A tensor node the walk passes without reaching: an op result that has never
 * had a gradient gets its buffer, as zeros (what micrograd's unreached nodes hold). */
void tensor_unreached(mg_value *v);
mg_code tensor_seed_root(mg_value *root);
/* backward.c: mg_backward's walk from root, whose grad the caller seeded
 * (mg_tensor_backward_seeded); MG_OK or the reason root cannot start one. */
mg_code backward_walk_seeded(mg_value *root);
/* A tensor header moved to v (mg_graph_compact): its payload points back. */
void tensor_header_moved(mg_value *v);
/* Where tensor header v keeps its third operand (linear's bias, layer norm's
 * beta; NULL when it has none): in the payload, so mg_value keeps two operand
 * pointers. */
mg_value **tensor_third_operand(const mg_value *v);
/* A tensor node's op label ("matmul", "sum[1]", "**2"), as mg_value_op_label(). */
size_t tensor_op_label(const mg_value *v, char *buf, size_t n);

/* The node with this id; id must be below g->count. */
static inline mg_value *graph_node_at(const mg_graph *g, uint32_t id)
{
    return &g->chunks[id >> NODE_CHUNK_BITS][id & (NODE_CHUNK - 1)];
}

#endif
