/* kernels_threads.c — the thread count every kernel reads, and the pool that runs
 * their parallel parts.
 *
 * Why not OpenMP: an OpenMP region ends only when every team thread has arrived, so on
 * a machine shared with other work one descheduled thread stalls the whole call for a
 * scheduler time slice (milliseconds), and the pool hangs in a forked child. Here the
 * caller claims work items itself alongside the workers and waits only for items a
 * worker has actually started: a late worker finds nothing left, so a busy machine costs
 * the call its help, not a stall (a worker losing its core mid-item still delays it). */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "kernels_internal.h"
#include "mg_kernels.h"

/* Beyond this many threads the pool stops growing (a sane bound, not a tuning knob). */
#define MAX_THREADS 64
/* How long an idle worker polls for the next job before it sleeps: long enough to span
 * the elementwise work between two GEMMs of a training step (a sleeping worker wakes
 * too late to help with a 50 µs product), short enough not to burn a shared core. */
#define SPIN_SECONDS 300e-6
/* Polls between two looks at the clock. */
#define SPIN_POLLS 1024

/* One process-wide setting, like OpenBLAS's; 1 until the program asks for more. */
static atomic_int kernel_threads = 1;

void mg_set_threads(int n)
{
    atomic_store(&kernel_threads, n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n);
}

int mg_get_threads(void)
{
    return atomic_load(&kernel_threads);
}

int mg_kernel_team_size(double work, double min_work)
{
    return work < min_work ? 1 : mg_get_threads();
}

/* The pool. A job's items are cut into one block per team member, member 0 the caller
 * and member w worker w: each member claims its own block's items first, in order, then
 * those left in the others' blocks.
 * Member w thus does the same share of every loop over the same arrays (the upper half,
 * on two threads), so the data a loop writes is in the cache of the core that reads it
 * next (claimed first come, first served, half of every array crossed between the cores
 * at each loop: two threads were slower than one on a 100 µs elementwise loop).
 * A block's items are claimed lock-free from its ticket, which holds (generation << 32 |
 * next item): a claim succeeds only for the current generation and an item below the
 * block's end, so a worker that wakes late for a finished job takes nothing, and the
 * job's task and ctx are used only while the caller is still waiting for that item. */
typedef struct block_ticket {
    _Alignas(64) atomic_ullong next; /* a cache line each: members claim side by side */
} block_ticket;

/* A job is published by storing its generation into `published` after its tickets and
 * fields: a spinning worker sees it there and reads the fields without a lock. (When
 * the caller published under `lock`, a worker that saw the job often found the lock
 * still held and slept in the kernel on it, to be woken late.) Sleeping workers count
 * themselves in `sleepers` under `lock` before they look at `published` a last time,
 * and the caller, after publishing, looks at `sleepers`: one of the two sees the
 * other, so no wake-up is lost, and while no worker sleeps the caller makes no system
 * call. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int workers;                 /* started so far; changed only by the pool's owner */
    _Atomic(mg_kernel_task *) task;
    _Atomic(void *) ctx;
    atomic_int count, team;
    _Alignas(64) atomic_uint published; /* generation of the latest job */
    atomic_int sleepers;                /* workers waiting on `wake` */
    _Alignas(64) atomic_int done;
    block_ticket block[MAX_THREADS];
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* One caller at a time owns the pool; others run their items alone. */
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* Block b of a job's `count` items cut among `team` members: [lo, hi). */
static int block_start(int b, int count, int team)
{
    return (int)((long long)count * b / team);
}

/* The next item of block b of job `generation`, or -1 when it has none left. */
static int claim_in_block(unsigned generation, int b, int hi)
{
    unsigned long long t = atomic_load(&pool.block[b].next);
    for (;;) {
        if ((unsigned)(t >> 32) != generation || (int)(t & 0xffffffffu) >= hi)
            return -1;
        if (atomic_compare_exchange_weak(&pool.block[b].next, &t, t + 1))
            return (int)(t & 0xffffffffu);
    }
}

/* The next item of job `generation` for `member`: from its own block, else from the
 * next block that has one left; -1 when none are left (or the job is over). */
static int claim_item(unsigned generation, int member, int count, int team)
{
    for (int k = 0; k < team; k++) {
        const int b = (member + k) % team;
        const int i = claim_in_block(generation, b, block_start(b + 1, count, team));
        if (i >= 0)
            return i;
    }
    return -1;
}

/* Runs items of job `generation` until none are left. */
static void run_items(unsigned generation, int member, mg_kernel_task *task, void *ctx,
                      int count, int team)
{
    for (int i; (i = claim_item(generation, member, count, team)) >= 0;) {
        task(ctx, i);
        atomic_fetch_add(&pool.done, 1);
    }
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Polls *value for up to SPIN_SECONDS while it still equals `seen`. */
static void spin_while_unchanged(atomic_uint *value, unsigned seen)
{
    double deadline = seconds_now() + SPIN_SECONDS;
    while (atomic_load(value) == seen) {
        for (int poll = 0; poll < SPIN_POLLS && atomic_load(value) == seen; poll++)
            ;
        if (seconds_now() > deadline)
            return;
    }
}

/* Waits for a job newer than `seen`: polls for SPIN_SECONDS, then sleeps. */
static unsigned wait_for_job(unsigned seen)
{
    spin_while_unchanged(&pool.published, seen);
    if (atomic_load(&pool.published) != seen)
        return atomic_load(&pool.published);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.sleepers, 1);
    while (atomic_load(&pool.published) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.lock);
    return atomic_load(&pool.published);
}

/* Worker `member` (1, 2, ...) of the pool; it sits out jobs of a smaller team. */
static void *worker_main(void *arg)
{
    const int member = (int)(intptr_t)arg;
    unsigned seen = atomic_load(&pool.published);
    for (;;) {
        seen = wait_for_job(seen);
        mg_kernel_task *task = atomic_load_explicit(&pool.task, memory_order_acquire);
        void *ctx = atomic_load_explicit(&pool.ctx, memory_order_acquire);
        const int count = atomic_load_explicit(&pool.count, memory_order_acquire);
        const int team = atomic_load_explicit(&pool.team, memory_order_acquire);
        if (member < team)
            run_items(seen, member, task, ctx, count, team);
    }
    return NULL;
}

/* fork() copies only the calling thread: the child starts with no workers and a pool
 * lock that no thread of its own can be holding. */
static void fork_prepare(void)
{
    pthread_mutex_lock(&pool_owner);
    pthread_mutex_lock(&pool.lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool_owner);
}

static void fork_child(void)
{
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_mutex_init(&pool_owner, NULL);
    pool.workers = 0;
    atomic_store(&pool.sleepers, 0);
}

static void watch_fork(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* Starts workers until there are `wanted`, as far as the system allows. */
static void grow_pool(int wanted)
{
    while (pool.workers < wanted) {
        pthread_t t;
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) != 0)
            return;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&t, &attr, worker_main, (void *)(intptr_t)(pool.workers + 1));
        pthread_attr_destroy(&attr);
        if (failed)
            return; /* fewer workers: the caller does more items itself */
        pool.workers++;
    }
}

void mg_kernel_run(mg_kernel_task *task, void *ctx, int count, int threads)
{
    if (threads <= 1 || count <= 1 || pthread_mutex_trylock(&pool_owner) != 0) {
        for (int i = 0; i < count; i++)
            task(ctx, i);
        return;
    }
    pthread_once(&fork_once, watch_fork);
    grow_pool((threads < count ? threads : count) - 1);
    int team = pool.workers + 1 < threads ? pool.workers + 1 : threads;
    team = team < count ? team : count;
    const unsigned generation = atomic_load(&pool.published) + 1;
    /* Every ticket first, then the fields (release): a worker that reads any field of
     * this job (acquire) then finds all tickets renewed, so a worker still on an older
     * generation, holding a mix of two jobs' count and team, claims nothing. Blocks
     * past this team (a larger team's) get none left to claim. */
    atomic_store(&pool.done, 0);
    for (int b = 0; b <= pool.workers; b++)
        atomic_store(&pool.block[b].next,
                     (unsigned long long)generation << 32
                         | (unsigned)(b < team ? block_start(b, count, team) : INT_MAX));
    atomic_store_explicit(&pool.task, task, memory_order_release);
    atomic_store_explicit(&pool.ctx, ctx, memory_order_release);
    atomic_store_explicit(&pool.count, count, memory_order_release);
    atomic_store_explicit(&pool.team, team, memory_order_release);
    atomic_store(&pool.published, generation);
    if (atomic_load(&pool.sleepers) > 0) {
        /* Taking the lock waits for a worker counted in `sleepers` to be waiting on
         * `wake`; the broadcast comes after unlocking so that the woken worker does not
         * sleep again on the lock. */
        pthread_mutex_lock(&pool.lock);
        pthread_mutex_unlock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
    }

    run_items(generation, 0, task, ctx, count, team);
    /* Only items a worker has started remain; yield if that worker seems to have lost
     * its core, so that it can have ours. */
    double patience = seconds_now() + SPIN_SECONDS;
    for (int spin = 1; atomic_load(&pool.done) < count; spin++)
        if (spin % SPIN_POLLS == 0 && seconds_now() > patience)
            sched_yield();
    pthread_mutex_unlock(&pool_owner);
}

/* Ranges per thread: a worker that starts late leaves the caller only a few to do alone,
 * and a range is still long enough to amortise claiming it. */
#define RANGES_PER_THREAD 4

typedef struct for_job {
    mg_kernel_range *fn;
    void *ctx;
    int n, ranges;
} for_job;

static void for_task(void *ctx, int i)
{
    const for_job *j = ctx;
    j->fn(j->ctx, (int)((long long)j->n * i / j->ranges),
          (int)((long long)j->n * (i + 1) / j->ranges));
}

void mg_kernel_for(int n, double cost, mg_kernel_range *fn, void *ctx)
{
    if (n <= 0)
        return;
    double work = (double)n * cost;
    int threads = mg_kernel_team_size(work, MG_KERNEL_FOR_MIN_WORK);
    if (threads <= 1 || n == 1) {
        fn(ctx, 0, n);
        return;
    }
    /* every range worth at least a quarter of the threshold */
    double most = work / (MG_KERNEL_FOR_MIN_WORK / 4);
    int ranges = threads * RANGES_PER_THREAD;
    if (ranges > most)
        ranges = (int)most > threads ? (int)most : threads;
    if (ranges > n)
        ranges = n;
    for_job job = {fn, ctx, n, ranges};
    mg_kernel_run(for_task, &job, ranges, threads);
}
