/* mgviz_run.h — running the built `mgviz train` (named by $MGVIZ) from a test. */
#ifndef TEST_MGVIZ_RUN_H
#define TEST_MGVIZ_RUN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Runs `mgviz train ARGS` (shell text, with $D set to dir), its stdout and
 * stderr going to dir/stdout and dir/stderr; returns the exit status and
 * fails the test if mgviz did not exit normally. */
static inline int mgviz_train(const char *dir, const char *args)
{
    const char *exe = getenv("MGVIZ");
    ck_assert_msg(exe != NULL, "set MGVIZ to the built mgviz");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "D='%s'; '%s' train %s >'%s/stdout' 2>'%s/stderr'", dir, exe, args,
             dir, dir);
    int w = system(cmd);
    ck_assert_msg(w != -1 && WIFEXITED(w), "mgviz train %s did not exit normally", args);
    return WEXITSTATUS(w);
}

#endif
