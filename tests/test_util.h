/* test_util.h — what every test suite shares: the Check main, temporary
 * directories, reading and writing whole files, counting and finding text,
 * and running a command (the built mgviz, named by $MGVIZ) with its output
 * captured. Header-only; failures fail the current Check test with a
 * message. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* The file's text (malloc'd); the test fails when it cannot be read. */
static inline char *tu_read(const char *path)
{
    char *text = tu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return text;
}

/* dir/name's text (malloc'd); the test fails when it cannot be read. */
static inline char *tu_text(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_read(path);
}

/* Whether dir/name exists (a file or a directory). */
static inline bool tu_exists(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* Whether dir/name is a regular file that is not empty. */
static inline bool tu_has_file(const char *dir, const char *name)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* How many entries dir holds, "." and ".." aside; the test fails when it
 * cannot be read. */
static inline int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot read %s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* Creates (or replaces) the file path holding text. */
static inline void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_msg(fputs(text, f) >= 0, "cannot write %s", path);
    ck_assert_msg(fclose(f) == 0, "cannot write %s", path);
}

/* How many times what (not empty) occurs in text, the occurrences apart. */
static inline size_t tu_count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* The number member key of the last {"event":"EVENT",...} line of a run's
 * steps.jsonl; the test fails when there is none. */
static inline double tu_last_event_number(const char *jsonl, const char *event, const char *key)
{
    char head[128], member[128];
    snprintf(head, sizeof head, "{\"event\":\"%s\"", event);
    snprintf(member, sizeof member, "\"%s\":", key);
    const char *line = NULL;
    for (const char *p = jsonl; (p = strstr(p, head)); p++)
        line = p;
    ck_assert_msg(line != NULL, "no %s event", event);
    const char *end = strchr(line, '\n'), *at = strstr(line, member);
    ck_assert_msg(at != NULL && (!end || at < end), "no %s in the last %s event", key, event);
    return strtod(at + strlen(member), NULL);
}

/* Fails the test, showing text, when part is not in it. */
static inline void tu_assert_has(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' not in:\n%s", part, text);
}

/* Fails the test, showing text, when part is in it. */
static inline void tu_assert_lacks(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) == NULL, "'%s' in:\n%s", part, text);
}

/* Fails the test when dir/name is missing or part is (or is not: lacks) in it. */
static inline void tu_file_has(const char *dir, const char *name, const char *part)
{
    char *text = tu_text(dir, name);
    ck_assert_msg(strstr(text, part) != NULL, "'%s' not in %s:\n%s", part, name, text);
    free(text);
}

static inline void tu_file_lacks(const char *dir, const char *name, const char *part)
{
    char *text = tu_text(dir, name);
    ck_assert_msg(strstr(text, part) == NULL, "'%s' in %s:\n%s", part, name, text);
    free(text);
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

/* Runs `mgviz ARGS`, ARGS shell text (printf-formatted; $D is dir), with dir
 * as the working directory and output captured as tu_run does; returns the
 * exit status. */
static inline int tu_mgviz_in(const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int tu_mgviz_in(const char *dir, const char *fmt, ...)
{
    char args[6000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return tu_run(dir, "cd \"$D\" && '%s' %s", tu_mgviz(), args);
}

#endif
