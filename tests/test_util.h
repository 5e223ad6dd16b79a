/* test_util.h — what every test suite shares: the Check main, temporary
 * directories, reading a whole file, and running a command (the built mgviz,
 * named by $MGVIZ) with its output captured. Header-only; failures fail the
 * current Check test with a message. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Runs the suite; the exit status is 0 only if every test passed. */
static inline int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* A fresh directory "/tmp/<tag>-XXXXXX" written into dir (>= 64 bytes). */
static inline void tu_tmpdir(char *dir, size_t n, const char *tag)
{
    snprintf(dir, n, "/tmp/%s-XXXXXX", tag);
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s failed", dir);
}

/* Removes dir and everything under it. */
static inline void tu_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The whole file as a malloc'd NUL-terminated string (len may be NULL), or
 * NULL when it cannot be read. */
static inline char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    for (size_t k; p && (k = fread(p + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (n + 1 == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q)
                free(p);
            p = q;
        }
    }
    fclose(f);
    if (p)
        p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

/* The built mgviz ($MGVIZ); fails the test when it is not set. */
static inline const char *tu_mgviz(void)
{
    const char *exe = getenv("MGVIZ");
    ck_assert_msg(exe != NULL, "set MGVIZ to the built mgviz");
    return exe;
}

/* Runs shell text (printf-formatted) with stdout and stderr going to
 * dir/stdout and dir/stderr; returns the exit status, failing the test if the
 * command did not exit normally (a crash). */
static inline int tu_run(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tu_run(const char *dir, const char *fmt, ...)
{
    char body[6000], cmd[8400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "D='%s'; ( %s ) >'%s/stdout' 2>'%s/stderr'", dir, body, dir, dir);
    int w = system(cmd);
    ck_assert_msg(w != -1 && WIFEXITED(w), "'%s' did not exit normally", body);
    return WEXITSTATUS(w);
}

#endif
