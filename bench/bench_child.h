/* bench_child.h — a measurement run in a child process, so each run's peak
 * RSS (from wait4) is its own and one run's heap cannot flatter the next.
 * Header-only: the benchmarks are single-file programs. */
#ifndef BENCH_CHILD_H
#define BENCH_CHILD_H

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mg_kernels.h"

/* Runs fn(ctx, out) in a child on `threads` kernel threads; its `size`
 * bytes of out come back through a pipe, its peak RSS in *rss_kb.
 * 0, or -1 when the child failed or said nothing. */
static inline int bench_in_child(int (*fn)(const void *ctx, void *out), const void *ctx,
                                 int threads, void *out, size_t size, long *rss_kb)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        mg_set_threads(threads);
        int rc = fn(ctx, out);
        ssize_t w = write(fd[1], out, size);
        _exit(w == (ssize_t)size && rc == 0 ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = pid > 0 ? read(fd[0], out, size) : -1;
    close(fd[0]);
    struct rusage ru;
    int status = 0;
    if (pid <= 0 || wait4(pid, &status, 0, &ru) < 0 || got != (ssize_t)size
        || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *rss_kb = ru.ru_maxrss;
    return 0;
}

/* Runs a peer's command and reads its "key value" lines into the n named
 * figures; 0 when it exited 0 and gave every one, else -1. */
static inline int bench_peer_figures(const char *cmd, const char *const *keys, double *values,
                                     int n)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char key[64];
    double v;
    int found = 0;
    while (fscanf(p, "%63s %lf", key, &v) == 2)
        for (int i = 0; i < n; i++)
            if (strcmp(key, keys[i]) == 0)
                values[i] = v, found |= 1 << i;
    return pclose(p) == 0 && found == (1 << n) - 1 ? 0 : -1;
}

#endif
