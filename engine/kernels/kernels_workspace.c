/* kernels_workspace.c — per-thread scratch memory for GEMM packing: grown once, reused
 * by every later call, released by a thread-exit destructor so nothing leaks. */
#include <pthread.h>
#include <stdlib.h>

#include "kernels_internal.h"

typedef struct workspace {
    void *memory;
    size_t bytes;
} workspace;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;
static int workspace_key_ok;

static void workspace_free(void *p)
{
    workspace *ws = p;
    free(ws->memory);
    free(ws);
}

static void workspace_key_create(void)
{
    workspace_key_ok = pthread_key_create(&workspace_key, workspace_free) == 0;
}

/* The calling thread's record, created on first use; NULL when out of memory. */
static workspace *workspace_of_thread(void)
{
    pthread_once(&workspace_once, workspace_key_create);
    if (!workspace_key_ok)
        return NULL;
    workspace *ws = pthread_getspecific(workspace_key);
    if (ws)
        return ws;
    ws = calloc(1, sizeof *ws);
    if (ws && pthread_setspecific(workspace_key, ws) != 0) {
        free(ws);
        ws = NULL;
    }
    return ws;
}

void *mg_kernel_workspace(size_t bytes)
{
    workspace *ws = workspace_of_thread();
    if (!ws)
        return NULL;
    if (ws->bytes >= bytes)
        return ws->memory;
    /* Grow geometrically so a caller stepping through sizes reallocates rarely. */
    size_t want = ws->bytes * 2 > bytes ? ws->bytes * 2 : bytes;
    want = (want + MG_KERNEL_ALIGN - 1) / MG_KERNEL_ALIGN * MG_KERNEL_ALIGN;
    void *memory = aligned_alloc(MG_KERNEL_ALIGN, want);
    if (!memory)
        return NULL;
    free(ws->memory);
    ws->memory = memory;
    ws->bytes = want;
    return memory;
}
