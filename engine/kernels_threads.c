/* kernels_threads.c — the thread count every kernel reads, and when to ignore it. */
#include <pthread.h>

#include "kernels_internal.h"
#include "mg_kernels.h"

/* One process-wide setting, like OpenBLAS's; 1 until the program asks for more. */
static int kernel_threads = 1;

/* Set in a child forked after kernels ran threaded: OpenMP's worker pool belongs to
 * the parent, and a threaded region in the child would wait for it forever. */
static volatile int pool_lost_in_fork;
static pthread_once_t fork_watch_once = PTHREAD_ONCE_INIT;

static void mark_pool_lost(void)
{
    pool_lost_in_fork = 1;
}

static void watch_fork(void)
{
    pthread_atfork(NULL, NULL, mark_pool_lost);
}

void mg_set_threads(int n)
{
    kernel_threads = n < 1 ? 1 : n;
}

int mg_get_threads(void)
{
    return kernel_threads;
}

int mg_kernel_team_size(double work, double min_work)
{
    if (kernel_threads == 1 || work < min_work)
        return 1;
    pthread_once(&fork_watch_once, watch_fork);
    return pool_lost_in_fork ? 1 : kernel_threads;
}
