/* mg_graph.h — the graph object: it owns every node of a computation.
 *
 * Memory model. A graph keeps its nodes in a node table of fixed-size chunks,
 * in creation order, so a node pointer stays valid while the node exists and a
 * node's id is its position in that table (stable, unique within the graph).
 * Creation order is a topological order: backward is a plain reverse walk.
 *
 * Nodes are never freed one by one. A mark remembers how far the table (and
 * the graph's label text and byte arena) reached; rewinding to a mark drops
 * every node created after it in O(1) and keeps the memory for reuse. The
 * usual training loop creates its parameters, calls mg_graph_keep(), and ends
 * every step with mg_graph_reset(): once the first step has grown the chunks,
 * later steps allocate nothing. Pointers to dropped nodes must not be used;
 * ops given one report an error rather than crash, as far as they can tell.
 *
 * Errors are sticky: the first failing call on a graph records a message,
 * returns NULL (or an mg_code), and later calls given NULL just pass NULL on.
 * Check mg_graph_error() once after building an expression. */
#ifndef MG_GRAPH_H
#define MG_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

typedef struct mg_graph mg_graph;
typedef struct mg_value mg_value;

/* How far a graph reached: what mg_graph_rewind() goes back to. */
typedef struct mg_mark {
    uint32_t nodes;   /* node count */
    uint32_t labels;  /* bytes of label text */
    size_t bytes;     /* bytes handed out by mg_graph_alloc() */
} mg_mark;

/* Counters for tests and benchmarks. */
typedef struct mg_graph_stats {
    size_t nodes;        /* nodes alive now */
    size_t node_capacity;/* nodes the chunks can hold without allocating */
    size_t allocations;  /* malloc/realloc calls made by this graph so far */
    size_t scopes;       /* scopes interned so far (they outlive resets) */
} mg_graph_stats;

/* Root scope id: nodes created outside any mg_scope_push() carry it. */
#define MG_SCOPE_ROOT 0u

/* A new empty graph, or NULL when out of memory. */
MG_API mg_graph *mg_graph_new(void);
/* Frees the graph and every node, label and byte it owns; NULL is a no-op. */
MG_API void mg_graph_free(mg_graph *g);

/* Number of nodes alive; ids run from 0 to count-1. */
MG_API size_t mg_graph_count(const mg_graph *g);
/* The node with this id, or NULL if there is none. */
MG_API mg_value *mg_graph_node(const mg_graph *g, uint32_t id);

/* The current extent of the graph. */
MG_API mg_mark mg_graph_mark(const mg_graph *g);
/* Drops everything created after m, in O(1); memory is kept for reuse. */
MG_API void mg_graph_rewind(mg_graph *g, mg_mark m);
/* Makes everything created so far survive mg_graph_reset() (e.g. parameters). */
MG_API void mg_graph_keep(mg_graph *g);
/* Drops every node created since the last mg_graph_keep(), in O(1). */
MG_API void mg_graph_reset(mg_graph *g);
/* The node count at the last mg_graph_keep(): ids below it are kept nodes. */
MG_API uint32_t mg_graph_kept(const mg_graph *g);

/* Sets grad to 0 on every node of the graph. */
MG_API void mg_graph_zero_grad(mg_graph *g);

/* Allocates size bytes (aligned to 64) that live until the graph is rewound
 * past this point; NULL (and a sticky error) when out of memory. */
MG_API void *mg_graph_alloc(mg_graph *g, size_t size);

/* Long-lived graphs (the Python module, where a program drops values in any
 * order and never calls reset) stay small by compaction instead of rewinds. */

/* Where mg_graph_alloc() gets its bytes instead of the graph's arena: alloc
 * returns size bytes aligned to 64 (NULL when out of memory) that belong to
 * node `owner` (the newest node when the call is made, UINT32_MAX when the
 * graph has none); they must stay valid while that node is kept. The
 * allocator frees them; rewinds and mg_graph_free() do not. */
typedef struct mg_graph_allocator {
    void *(*alloc)(void *ctx, size_t size, uint32_t owner);
    void *ctx;
} mg_graph_allocator;

/* Installs an allocator (NULL restores the arena) on a graph that has made no
 * mg_graph_alloc() yet; MG_EINVAL otherwise. */
MG_API mg_code mg_graph_set_allocator(mg_graph *g, const mg_graph_allocator *a);

/* Keeps the nodes with live[id] != 0 and every node they depend on, drops the
 * rest, and slides the survivors down in creation order (so ids stay dense
 * and topological); labels are compacted with them. remap (the graph's node
 * count long, may be NULL) receives each old id's new id, UINT32_MAX for
 * dropped nodes; live is overwritten with what was kept. Pointers to nodes
 * change: the caller re-reads them through remap. Tensor payloads do not
 * move (their headers are updated); arena bytes are not reclaimed, so graphs
 * holding tensors compact with an allocator that frees by owner. The kept
 * mark (mg_graph_keep) follows the survivors. Returns the new node count. */
MG_API size_t mg_graph_compact(mg_graph *g, uint8_t *live, uint32_t *remap);

/* The sticky error's message, or NULL when no call has failed. */
MG_API const char *mg_graph_error(const mg_graph *g);
/* The sticky error's code (MG_OK when none). */
MG_API mg_code mg_graph_status(const mg_graph *g);
/* Records an error on g unless one is already recorded; returns code. */
MG_API mg_code mg_graph_fail(mg_graph *g, mg_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Forgets the sticky error. */
MG_API void mg_graph_clear_error(mg_graph *g);

/* g's counters now (all zero for NULL). */
MG_API mg_graph_stats mg_graph_get_stats(const mg_graph *g);

/* Scopes: a stack of names ("mlp", "layer1", "neuron3", "sample17"). Every
 * node records the scope current when it was created. Scopes are interned
 * (the same name under the same parent is the same id) and outlive resets. */

/* Enters the child scope `name` of the current scope; MG_OK or an error code. */
MG_API mg_code mg_scope_push(mg_graph *g, const char *name);
/* Leaves the current scope; popping the root scope is a no-op. */
MG_API void mg_scope_pop(mg_graph *g);
/* The current scope id. */
MG_API uint32_t mg_scope_current(const mg_graph *g);
/* Number of scopes interned so far; ids run from 0 (the root) to count-1. */
MG_API uint32_t mg_scope_count(const mg_graph *g);
/* A scope's own name ("" for the root and for unknown ids). */
MG_API const char *mg_scope_name(const mg_graph *g, uint32_t scope);
/* A scope's parent id (the root is its own parent). */
MG_API uint32_t mg_scope_parent(const mg_graph *g, uint32_t scope);
/* How many names deep a scope is (the root is 0). */
MG_API uint32_t mg_scope_depth(const mg_graph *g, uint32_t scope);
/* Writes the path "mlp/layer1/neuron3" ("" for the root) into buf, truncated
 * to n-1 bytes; returns the full length as snprintf does. */
MG_API size_t mg_scope_path(const mg_graph *g, uint32_t scope, char *buf, size_t n);

MG_EXTERN_C_END

#endif
