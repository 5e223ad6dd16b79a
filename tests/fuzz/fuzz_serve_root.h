/* fuzz_serve_root.h — a root directory of runs for the server's harnesses,
 * holding what an attacker would plant beside real runs:
 *     ROOT/run-a/run.json, steps.jsonl (ended), snapshots/step-1.svg,
 *                out -> OUTSIDE/secret, self -> run.json, fifo (a FIFO),
 *                .hidden
 *     ROOT/run-b -> OUTSIDE (a run that is a link to a directory outside)
 *     ROOT/.tmp-run
 *     OUTSIDE/secret, OUTSIDE/run.json
 * Made in a fresh directory under /tmp, removed at exit. */
#ifndef FUZZ_SERVE_ROOT_H
#define FUZZ_SERVE_ROOT_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fuzz_root {
    char top[64], root[96], outside[96];
} fuzz_root;

static fuzz_root *fuzz_root_made;

static void fuzz_put(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

static void fuzz_root_remove(void)
{
    char cmd[128];
    if (fuzz_root_made && fuzz_root_made->top[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_root_made->top);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", fuzz_root_made->top);
    }
}

static void fuzz_root_make(fuzz_root *f)
{
    snprintf(f->top, sizeof f->top, "/tmp/mgviz-fuzz-serve-XXXXXX");
    if (!mkdtemp(f->top))
        abort();
    /* the canonical path: the harness compares opened files' paths with it */
    char real[4096];
    if (!realpath(f->top, real) || snprintf(f->top, sizeof f->top, "%s", real) >= (int)sizeof f->top)
        abort();
    fuzz_root_made = f;
    atexit(fuzz_root_remove);
    snprintf(f->root, sizeof f->root, "%s/root", f->top);
    snprintf(f->outside, sizeof f->outside, "%s/outside", f->top);
    char a[160], b[160], snaps[192], p[256];
    snprintf(a, sizeof a, "%s/run-a", f->root);
    snprintf(b, sizeof b, "%s/run-b", f->root);
    snprintf(snaps, sizeof snaps, "%s/snapshots", a);
    if (mkdir(f->root, 0700) || mkdir(f->outside, 0700) || mkdir(a, 0700) || mkdir(snaps, 0700))
        abort();
    fuzz_put(f->outside, "secret", "secret\n");
    fuzz_put(f->outside, "run.json", "{\"format\":\"mgviz-run\",\"version\":1}\n");
    fuzz_put(a, "run.json", "{\"format\":\"mgviz-run\",\"version\":1,\"name\":\"run-a\"}\n");
    fuzz_put(a, "steps.jsonl", "{\"step\":0,\"loss\":1.5}\n{\"step\":1,\"loss\":0.5}\n"
                               "{\"event\":\"end\",\"time\":1,\"status\":\"ok\"}\n");
    fuzz_put(snaps, "step-1.svg", "<svg/>\n");
    fuzz_put(a, ".hidden", "hidden\n");
    fuzz_put(f->root, ".tmp-run", "temporary\n");
    snprintf(p, sizeof p, "%s/secret", f->outside);
    char out[192], self[192], fifo[192];
    snprintf(out, sizeof out, "%s/out", a);
    snprintf(self, sizeof self, "%s/self", a);
    snprintf(fifo, sizeof fifo, "%s/fifo", a);
    if (symlink(p, out) || symlink("run.json", self) || mkfifo(fifo, 0600) ||
        symlink(f->outside, b))
        abort();
}

#endif
