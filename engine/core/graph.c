/* graph.c — the node table, marks, the byte arena, sticky errors and scopes. */
#include "graph_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_size.h"

enum { BLOCK_MIN = 1u << 20, ALIGN = 64 };

/* Every allocation goes through here so stats can prove a warm loop makes none. */
static void *grow_array(mg_graph *g, void *p, size_t count, size_t elem)
{
    void *q = mg_realloc_array(p, count, elem);
    if (q)
        g->allocations++;
    return q;
}

/* Grows *p to hold need elements; -1 when it cannot (out of memory, or past
 * the uint32_t counts the graph keeps). */
static int ensure_cap(mg_graph *g, void **p, uint32_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n;
    if (!mg_size_grow(*cap, need, 16, UINT32_MAX, &n))
        return -1;
    void *q = grow_array(g, *p, n, elem);
    if (!q)
        return -1;
    *p = q;
    *cap = (uint32_t)n;
    return 0;
}

int graph_grow_labels(mg_graph *g, size_t need)
{
    return ensure_cap(g, (void **)&g->labels, &g->labels_cap, need, 1);
}

mg_graph *mg_graph_new(void)
{
    mg_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    /* offset 0 of both text buffers is the empty string */
    int bad = ensure_cap(g, (void **)&g->labels, &g->labels_cap, 1, 1)
           || ensure_cap(g, (void **)&g->scope_text, &g->scope_text_cap, 1, 1)
           || ensure_cap(g, (void **)&g->scopes, &g->scope_cap, 1, sizeof *g->scopes)
           || ensure_cap(g, (void **)&g->stack, &g->stack_cap, 1, sizeof *g->stack);
    if (bad) {
        mg_graph_free(g);
        return NULL;
    }
    g->labels[0] = '\0';
    g->labels_len = 1;
    g->scope_text[0] = '\0';
    g->scope_text_len = 1;
    g->scopes[0] = (scope_entry){ .parent = MG_SCOPE_ROOT, .name = 0, .depth = 0 };
    g->nscopes = 1;
    g->stack[0] = MG_SCOPE_ROOT;
    g->stack_len = 1;
    g->kept = mg_graph_mark(g);
    return g;
}

void mg_graph_free(mg_graph *g)
{
    if (!g)
        return;
    for (uint32_t i = 0; i < g->nchunks; i++)
        free(g->chunks[i]);
    for (uint32_t i = 0; i < g->nblocks; i++)
        free(g->blocks[i].base);
    free(g->chunks);
    free(g->blocks);
    free(g->labels);
    free(g->scopes);
    free(g->scope_text);
    free(g->scope_index);
    free(g->stack);
    free(g);
}

int graph_grow_nodes(mg_graph *g)
{
    if (g->nchunks >= (UINT32_MAX >> NODE_CHUNK_BITS)) {
        mg_graph_fail(g, MG_ENOMEM, "graph is full: %u nodes", g->count);
        return -1;
    }
    if (ensure_cap(g, (void **)&g->chunks, &g->chunk_cap, g->nchunks + 1, sizeof *g->chunks))
        goto oom;
    mg_value *chunk = aligned_alloc(ALIGN, NODE_CHUNK * sizeof(mg_value));
    if (!chunk)
        goto oom;
    g->allocations++;
    g->chunks[g->nchunks++] = chunk;
    return 0;
oom:
    mg_graph_fail(g, MG_ENOMEM, "out of memory growing the graph past %u nodes", g->count);
    return -1;
}

size_t mg_graph_count(const mg_graph *g) { return g ? g->count : 0; }

mg_value *mg_graph_node(const mg_graph *g, uint32_t id)
{
    return g && id < g->count ? graph_node_at(g, id) : NULL;
}

mg_mark mg_graph_mark(const mg_graph *g)
{
    return (mg_mark){ .nodes = g->count, .labels = g->labels_len, .bytes = g->bytes };
}

void mg_graph_rewind(mg_graph *g, mg_mark m)
{
    if (!g || m.nodes > g->count)
        return;
    g->count = m.nodes;
    if (m.labels <= g->labels_len && m.labels >= 1)
        g->labels_len = m.labels;
    if (m.bytes <= g->bytes) {
        g->bytes = m.bytes;
        g->cur_block = 0;
        while (g->cur_block + 1 < g->nblocks && g->blocks[g->cur_block + 1].start <= m.bytes)
            g->cur_block++;
    }
    if (g->kept.nodes > m.nodes)
        g->kept = m;
}

void mg_graph_keep(mg_graph *g)
{
    if (g)
        g->kept = mg_graph_mark(g);
}

void mg_graph_reset(mg_graph *g)
{
    if (g)
        mg_graph_rewind(g, g->kept);
}

uint32_t mg_graph_kept(const mg_graph *g) { return g ? g->kept.nodes : 0; }

void mg_graph_zero_grad(mg_graph *g)
{
    if (!g)
        return;
    for (uint32_t c = 0; c * NODE_CHUNK < g->count; c++) {
        uint32_t n = g->count - c * NODE_CHUNK;
        if (n > NODE_CHUNK)
            n = NODE_CHUNK;
        for (uint32_t i = 0; i < n; i++)
            g->chunks[c][i].grad = 0.0;
    }
}

/* Byte arena: blocks with fixed running start offsets, so a mark is one number.
 * A request that does not fit the next free block replaces it and the free
 * blocks after it, keeping the offsets consistent. */
static int arena_new_block(mg_graph *g, uint32_t at, size_t need)
{
    for (uint32_t i = at; i < g->nblocks; i++)
        free(g->blocks[i].base);
    g->nblocks = at;
    size_t size = BLOCK_MIN;
    if (at > 0 && g->blocks[at - 1].size * 2 > size)
        size = g->blocks[at - 1].size * 2;
    while (size < need)
        size *= 2;
    if (ensure_cap(g, (void **)&g->blocks, &g->block_cap, at + 1, sizeof *g->blocks))
        return -1;
    unsigned char *base = aligned_alloc(ALIGN, size);
    if (!base)
        return -1;
    g->allocations++;
    size_t start = at ? g->blocks[at - 1].start + g->blocks[at - 1].size : 0;
    g->blocks[at] = (byte_block){ .base = base, .start = start, .size = size };
    g->nblocks = at + 1;
    return 0;
}

mg_code mg_graph_set_allocator(mg_graph *g, const mg_graph_allocator *a)
{
    if (!g)
        return MG_EINVAL;
    if (g->bytes || g->nblocks)
        return mg_graph_fail(g, MG_EINVAL, "set_allocator: the graph has allocated already");
    g->allocator = a ? *a : (mg_graph_allocator){ 0 };
    return MG_OK;
}

static void *allocator_alloc(mg_graph *g, size_t size)
{
    uint32_t owner = g->count ? g->count - 1 : UINT32_MAX;
    void *p = g->allocator.alloc(g->allocator.ctx, size, owner);
    if (!p)
        mg_graph_fail(g, MG_ENOMEM, "out of memory allocating %zu bytes", size);
    return p;
}

void *mg_graph_alloc(mg_graph *g, size_t size)
{
    if (!g)
        return NULL;
    size = (size + ALIGN - 1) / ALIGN * ALIGN;
    if (size == 0)
        size = ALIGN;
    if (g->allocator.alloc)
        return allocator_alloc(g, size);
    for (;;) {
        if (g->cur_block < g->nblocks) {
            byte_block *b = &g->blocks[g->cur_block];
            size_t used = g->bytes > b->start ? g->bytes - b->start : 0;
            if (used + size <= b->size) {
                g->bytes = b->start + used + size;
                return b->base + used;
            }
            if (g->cur_block + 1 < g->nblocks && g->blocks[g->cur_block + 1].size >= size) {
                g->cur_block++;
                g->bytes = g->blocks[g->cur_block].start;
                continue;
            }
        }
        uint32_t at = g->nblocks == 0 ? 0 : g->cur_block + 1;
        if (arena_new_block(g, at, size)) {
            mg_graph_fail(g, MG_ENOMEM, "out of memory allocating %zu bytes", size);
            return NULL;
        }
        g->cur_block = at;
        g->bytes = g->blocks[at].start;
    }
}

const char *mg_graph_error(const mg_graph *g)
{
    if (!g)
        return "no graph (NULL)";
    return g->err.code == MG_OK ? NULL : g->err.message;
}

mg_code mg_graph_status(const mg_graph *g) { return g ? g->err.code : MG_EINVAL; }

mg_code mg_graph_fail(mg_graph *g, mg_code code, const char *fmt, ...)
{
    if (g && g->err.code == MG_OK) {
        g->err.code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->err.message, sizeof g->err.message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void mg_graph_clear_error(mg_graph *g)
{
    if (g)
        mg_error_clear(&g->err);
}

mg_graph_stats mg_graph_get_stats(const mg_graph *g)
{
    if (!g)
        return (mg_graph_stats){ 0 };
    return (mg_graph_stats){
        .nodes = g->count,
        .node_capacity = (size_t)g->nchunks * NODE_CHUNK,
        .allocations = g->allocations,
        .scopes = g->nscopes,
    };
}

/* ---- scopes ---- */

static uint32_t scope_hash(uint32_t parent, const char *name)
{
    uint32_t h = 2166136261u ^ parent;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static int scope_index_insert(mg_graph *g, uint32_t id)
{
    const scope_entry *s = &g->scopes[id];
    uint32_t mask = g->scope_index_cap - 1;
    uint32_t i = scope_hash(s->parent, g->scope_text + s->name) & mask;
    while (g->scope_index[i])
        i = (i + 1) & mask;
    g->scope_index[i] = id + 1;
    return 0;
}

static int scope_index_grow(mg_graph *g)
{
    uint32_t cap = g->scope_index_cap ? g->scope_index_cap * 2 : 64;
    uint32_t *idx = calloc(cap, sizeof *idx);
    if (!idx)
        return -1;
    g->allocations++;
    free(g->scope_index);
    g->scope_index = idx;
    g->scope_index_cap = cap;
    for (uint32_t id = 1; id < g->nscopes; id++)
        scope_index_insert(g, id);
    return 0;
}

static uint32_t scope_find(const mg_graph *g, uint32_t parent, const char *name)
{
    if (!g->scope_index_cap)
        return 0;
    uint32_t mask = g->scope_index_cap - 1;
    for (uint32_t i = scope_hash(parent, name) & mask; g->scope_index[i]; i = (i + 1) & mask) {
        uint32_t id = g->scope_index[i] - 1;
        const scope_entry *s = &g->scopes[id];
        if (s->parent == parent && strcmp(g->scope_text + s->name, name) == 0)
            return id;
    }
    return 0;
}

static uint32_t scope_intern(mg_graph *g, uint32_t parent, const char *name)
{
    uint32_t id = scope_find(g, parent, name);
    if (id)
        return id;
    size_t len = strlen(name) + 1;
    if (len > UINT32_MAX / 2 || g->nscopes == UINT32_MAX - 1)
        return 0;
    if ((g->nscopes + 1) * 2 > g->scope_index_cap && scope_index_grow(g))
        return 0;
    if (ensure_cap(g, (void **)&g->scopes, &g->scope_cap, g->nscopes + 1, sizeof *g->scopes)
        || ensure_cap(g, (void **)&g->scope_text, &g->scope_text_cap,
                      (size_t)g->scope_text_len + len, 1))
        return 0;
    id = g->nscopes++;
    g->scopes[id] = (scope_entry){ .parent = parent, .name = g->scope_text_len,
                                   .depth = g->scopes[parent].depth + 1 };
    memcpy(g->scope_text + g->scope_text_len, name, len);
    g->scope_text_len += (uint32_t)len;
    scope_index_insert(g, id);
    return id;
}

mg_code mg_scope_push(mg_graph *g, const char *name)
{
    if (!g)
        return MG_EINVAL;
    if (!name || !*name)
        return mg_graph_fail(g, MG_EINVAL, "mg_scope_push: empty scope name");
    if (ensure_cap(g, (void **)&g->stack, &g->stack_cap, g->stack_len + 1, sizeof *g->stack))
        return mg_graph_fail(g, MG_ENOMEM, "out of memory pushing scope '%s'", name);
    uint32_t id = scope_intern(g, mg_scope_current(g), name);
    if (!id)
        return mg_graph_fail(g, MG_ENOMEM, "out of memory interning scope '%s'", name);
    g->stack[g->stack_len++] = id;
    return MG_OK;
}

void mg_scope_pop(mg_graph *g)
{
    if (g && g->stack_len > 1)
        g->stack_len--;
}

uint32_t mg_scope_current(const mg_graph *g) { return g ? g->stack[g->stack_len - 1] : 0; }
uint32_t mg_scope_count(const mg_graph *g) { return g ? g->nscopes : 0; }

const char *mg_scope_name(const mg_graph *g, uint32_t scope)
{
    return g && scope < g->nscopes ? g->scope_text + g->scopes[scope].name : "";
}

uint32_t mg_scope_parent(const mg_graph *g, uint32_t scope)
{
    return g && scope < g->nscopes ? g->scopes[scope].parent : MG_SCOPE_ROOT;
}

uint32_t mg_scope_depth(const mg_graph *g, uint32_t scope)
{
    return g && scope < g->nscopes ? g->scopes[scope].depth : 0;
}

size_t mg_scope_path(const mg_graph *g, uint32_t scope, char *buf, size_t n)
{
    if (!g || scope >= g->nscopes)
        scope = MG_SCOPE_ROOT;
    /* collect the chain root-first without recursion */
    uint32_t depth = g ? g->scopes[scope].depth : 0;
    size_t total = 0;
    for (uint32_t s = scope; s != MG_SCOPE_ROOT; s = g->scopes[s].parent)
        total += strlen(g->scope_text + g->scopes[s].name) + 1;
    if (total)
        total--; /* no leading slash */
    if (n) {
        size_t end = total < n - 1 ? total : n - 1;
        buf[end] = '\0';
        size_t pos = total;
        for (uint32_t s = scope, d = depth; s != MG_SCOPE_ROOT; s = g->scopes[s].parent, d--) {
            const char *name = g->scope_text + g->scopes[s].name;
            size_t len = strlen(name);
            pos -= len;
            for (size_t i = 0; i < len; i++)
                if (pos + i < end)
                    buf[pos + i] = name[i];
            if (d > 1) {
                pos--;
                if (pos < end)
                    buf[pos] = '/';
            }
        }
    }
    return total;
}
