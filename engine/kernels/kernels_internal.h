/* kernels_internal.h — shared by the kernel sources, not installed. */
#ifndef MG_KERNELS_INTERNAL_H
#define MG_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Alignment of the scratch memory below: one cache line, one AVX-512 vector. */
#define MG_KERNEL_ALIGN 64

/* Returns at least `bytes` of MG_KERNEL_ALIGN-aligned scratch memory owned by the calling
 * thread, valid until its next call on this thread; NULL if it cannot be allocated. The
 * block only grows, so a warm caller allocates nothing; it is freed when the thread exits. */
void *mg_kernel_workspace(size_t bytes);

/* y[i] = alpha·x[i] for i < n: bytes (pixels) to floats. */
void mg_su8_scale(int n, float alpha, const uint8_t *x, float *y);

/* Threads a kernel should use for `work` units: 1 below `min_work` (waking a second
 * thread costs more than it saves), else mg_get_threads(). */
int mg_kernel_team_size(double work, double min_work);

/* One item of parallel work: task(ctx, i) for an item index i. */
typedef void mg_kernel_task(void *ctx, int i);

/* Runs task(ctx, i) for every i in [0, count) on up to `threads` threads, the caller
 * among them, and returns when all are done. Items must be independent. Never slower
 * than the caller alone: workers that are slow to start find the items already taken.
 * Concurrent callers, and callers in a forked child, are served too. */
void mg_kernel_run(mg_kernel_task *task, void *ctx, int count, int threads);

#endif
