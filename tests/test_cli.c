/* test_cli.c — the mgviz command run as a subprocess: exit codes, outputs,
 * messages, help texts. MGVIZ names the built executable (meson sets it). */
#include <check.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

extern char **environ;

typedef struct run_result {
    int status;  /* exit code; 128 + signal when killed */
    char *out;
    char *err;
} run_result;

static char scratch[64];

/* Runs mgviz with args (NULL-terminated), stdin from in (NULL = empty). */
static run_result run_in(const char *in, const char *const *args)
{
    const char *exe = tu_mgviz();
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)exe;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char inpath[96], outpath[96], errpath[96];
    snprintf(inpath, sizeof inpath, "%s/stdin", scratch);
    snprintf(outpath, sizeof outpath, "%s/stdout", scratch);
    snprintf(errpath, sizeof errpath, "%s/stderr", scratch);
    tu_write(inpath, in ? in : "");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, inpath, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    ck_assert_int_eq(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    run_result r = {WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws),
                    tu_text(scratch, "stdout"), tu_text(scratch, "stderr")};
    return r;
}

#define RUN(...) run_in(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define RUN_STDIN(in, ...) run_in(in, (const char *const[]){__VA_ARGS__, NULL})

static void done(run_result *r)
{
    free(r->out);
    free(r->err);
}

typedef enum { OUT, ERR } stream;

/* Fails the test unless r exited with status and its stdout or stderr holds
 * part; then frees r. */
static void expect(run_result r, int status, stream where, const char *part)
{
    ck_assert_msg(r.status == status, "exit %d, want %d: %s", r.status, status, r.err);
    tu_assert_has(where == ERR ? r.err : r.out, part);
    done(&r);
}

/* Fails the test unless r exited with status 0 and the file at path holds
 * part; then frees r. */
static void expect_file(run_result r, const char *path, const char *part)
{
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    char *text = tu_read(path);
    tu_assert_has(text, part);
    free(text);
    done(&r);
}

static void setup(void)
{
    tu_tmpdir(scratch, sizeof scratch, "mgviz_cli");
    ck_assert_int_eq(chdir(scratch), 0); /* default outputs land here */
}

static void teardown(void) { tu_rmrf(scratch); }

static char *in_scratch(const char *name)
{
    static char path[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", scratch, name);
    return path[k];
}

/* ---- help and usage ---- */

START_TEST(test_top_level_help)
{
    run_result r = RUN("--help");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "expr ");
    tu_assert_has(r.out, "inspect ");
    tu_assert_has(r.out, "Exit codes");
    done(&r);
    expect(RUN("frobnicate"), 2, ERR, "unknown command 'frobnicate'");
    const char *none[] = {NULL};
    r = run_in(NULL, none);
    ck_assert_int_eq(r.status, 2);
    tu_assert_has(r.err, "Usage");
    done(&r);
}
END_TEST

START_TEST(test_subcommand_help_is_complete)
{
    run_result r = RUN("expr", "--help");
    ck_assert_int_eq(r.status, 0);
    const char *expr_parts[] = {"-o FILE", "--format", "png", "svg", "dot", "json", "text",
                                "--rankdir", "--ids", "--precision", "--no-op-nodes",
                                "--fold-budget", "--before-after", "--batch", "--seed",
                                "-f FILE", "[-2, 2]", "Exit codes", "Examples", "---",
                                "mgviz-expr.png"};
    for (size_t i = 0; i < sizeof expr_parts / sizeof *expr_parts; i++)
        tu_assert_has(r.out, expr_parts[i]);
    done(&r);
    r = RUN("inspect", "-h");
    ck_assert_int_eq(r.status, 0);
    const char *inspect_parts[] = {"--json", "--counts", "--depth", "--path", "--limit",
                                   "--top", "--nonfinite", "--node", "-f FILE", "--seed", "--graph",
                                   "backward", "[-2, 2]", "Exit codes", "Examples"};
    for (size_t i = 0; i < sizeof inspect_parts / sizeof *inspect_parts; i++)
        tu_assert_has(r.out, inspect_parts[i]);
    done(&r);
}
END_TEST

START_TEST(test_usage_errors_exit_2)
{
    static const char *const cases[][8] = {
        {"expr", "x", "--bogus", NULL},
        {"expr", "x", "--format", "bmp", NULL},
        {"expr", "x", "-o", "picture.bmp", NULL},
        {"expr", NULL},
        {"expr", "x", "-o", NULL},
        {"expr", "x", "x=1", "extra", NULL},
        {"expr", "-f", "/nonexistent/prog.txt", NULL},
        {"expr", "x", "x=1", "-o", "/nonexistent/dir/out.json", NULL},
        {"expr", "x", "x=1", "--before-after", "-o", "g.json", NULL},
        {"expr", "x", "--seed", "minus", NULL},
        {"inspect", "x", "--top", "many", NULL},
        {"inspect", "--wat", NULL},
        {"inspect", "x", "x=1", "--node", "7", NULL},
        {"expr", "x", "x=1", "--focus", "99", "-o", "f.svg", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run_result r = run_in(NULL, cases[i]);
        ck_assert_msg(r.status == 2, "case %zu exited %d: %s", i, r.status, r.err);
        ck_assert_msg(strncmp(r.err, "mgviz ", 6) == 0, "case %zu: stderr '%s'", i, r.err);
        done(&r);
    }
    ck_assert_int_ne(access("/nonexistent/dir/out.json", F_OK), 0);
}
END_TEST

/* ---- mgviz expr ---- */

START_TEST(test_expr_json_to_stdout)
{
    run_result r = RUN("expr", "x*y + x", "x=2", "y=3", "--format", "json");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    ck_assert(strncmp(r.out, "{\"format\":\"mgviz-graph\",\"version\":2,\"value\":8,", 46) == 0);
    tu_assert_has(r.out, "\"grads\":{\"x\":4,\"y\":2}");
    tu_assert_has(r.out, "\"kind\":\"input\"");
    done(&r);
    /* A program may start with '-'. */
    r = RUN("expr", "-x**2", "x=3", "--format", "json");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "\"value\":-9,");
    tu_assert_has(r.out, "\"grads\":{\"x\":-6}");
    done(&r);
    /* NaN is a value, not an error. */
    expect(RUN("expr", "log(x)", "x=-1", "--format", "json"), 0, OUT,
           "\"value\":null,\"value_str\":\"nan\"");
}
END_TEST

START_TEST(test_expr_program_errors_exit_1)
{
    run_result r = RUN("expr", "a = (b +", "--format", "json");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    tu_assert_has(r.err, "line 1, column 9: expected expression");
    tu_assert_has(r.err, "\n  a = (b +\n          ^\n");
    done(&r);
    static const char *const cases[][2] = {
        {"foo(x)", "unknown function 'foo'"},
        {"y = z * 2\nz = 1\ny", "unknown variable 'z'"},
        {"x + )", "unexpected ')'"},
    };
    for (size_t i = 0; i < 3; i++)
        expect(RUN("expr", cases[i][0], "--format", "json"), 1, ERR, cases[i][1]);
    expect(RUN("expr", "x + 1", "x=abc"), 1, ERR, "not a number");
    expect(RUN("expr", "x + 1", "x=1", "q=2", "--format", "json"), 1, ERR, "no variable 'q'");
}
END_TEST

START_TEST(test_expr_default_png)
{
    run_result r = RUN("expr", "x * 2", "x=1");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "wrote mgviz-expr.png");
    tu_assert_has(r.out, "value = 2\n");
    tu_assert_has(r.out, "grad x = 2\n");
    char *png = tu_read(in_scratch("mgviz-expr.png"));
    ck_assert(memcmp(png, "\x89PNG", 4) == 0);
    free(png);
    done(&r);
}
END_TEST

START_TEST(test_expr_output_files)
{
    char *svg = in_scratch("g.svg"), *json = in_scratch("g.json"), *txt = in_scratch("g.txt");
    run_result r = RUN("expr", "a = Value(2.0); (a*a).relu()", "-o", svg, "--ids",
                       "--rankdir", "TB", "--precision", "6");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "wrote ");
    tu_assert_has(r.out, "grad a = 4\n");
    char *text = tu_read(svg);
    tu_assert_has(text, "<svg");
    tu_assert_has(text, "id=\"n0\"");
    free(text);
    done(&r);
    expect_file(RUN("expr", "x ** 3", "x=2", "-o", json), json, "\"grads\":{\"x\":12}");
    expect_file(RUN("expr", "x ** 3", "x=2", "-o", txt), txt, "value 8 (root #1)");
    expect(RUN("expr", "x ** 3", "x=2", "--format", "dot"), 0, OUT, "digraph");
    /* the after-backward copy */
    expect_file(RUN("expr", "x * x", "x=3", "--before-after", "-o", svg), svg, "id=\"bn0\"");
}
END_TEST

START_TEST(test_expr_program_from_file_and_stdin)
{
    char *prog = in_scratch("prog.py");
    tu_write(prog, "# micrograd's sanity check\nx = Value(-4.0)\nz = 2 * x + 2 + x\n"
               "q = z.relu() + z * x\nh = (z * z).relu()\ny = h + q + q * x\n");
    run_result r = RUN("expr", "-f", prog, "--format", "json");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "\"value\":-20,");
    tu_assert_has(r.out, "\"grads\":{\"x\":46}");
    done(&r);
    expect(RUN_STDIN("u = v * 3\nu * u", "expr", "-", "v=2", "--format", "json"), 0, OUT,
           "\"grads\":{\"v\":36}"); /* d(9v^2)/dv at 2 */
    expect(RUN_STDIN("u = v * 3\nu +", "expr", "-f", "-"), 1, ERR, "stdin: line 2, column 4");
}
END_TEST

START_TEST(test_expr_no_values_rule)
{
    run_result a = RUN("expr", "x * y", "--format", "json");
    ck_assert_int_eq(a.status, 0);
    double x, y;
    const char *px = strstr(a.err, "x = "), *py = strstr(a.err, "y = ");
    ck_assert_msg(px && py && sscanf(px, "x = %lf", &x) == 1 && sscanf(py, "y = %lf", &y) == 1,
                  "values not printed: %s", a.err);
    ck_assert(x >= -2 && x <= 2 && y >= -2 && y <= 2);
    ck_assert_double_eq_tol(x * 100, (double)(long)(x * 100 + (x < 0 ? -0.5 : 0.5)), 1e-9);
    tu_assert_has(a.err, "--seed 1");
    /* The same seed gives the same values; a value given is not drawn. */
    run_result b = RUN("expr", "x * y", "--format", "json", "--seed", "1");
    ck_assert_str_eq(a.out, b.out);
    run_result c = RUN("expr", "x * y", "--format", "json", "--seed", "2");
    ck_assert_str_ne(a.out, c.out);
    run_result d = RUN("expr", "x * y", "y=5", "--format", "json");
    ck_assert_ptr_null(strstr(d.err, "y = "));
    tu_assert_has(d.out, "\"grads\":{\"x\":5,");
    done(&a);
    done(&b);
    done(&c);
    done(&d);
}
END_TEST

START_TEST(test_expr_batch)
{
    char *batch = in_scratch("batch.txt");
    tu_write(batch, "x = 2\nx * x\n---\ny = (1 +\n---  \r\nx + z\n");
    run_result r = RUN("expr", "--batch", batch, "z=10");
    ck_assert_int_eq(r.status, 1); /* one program failed */
    char *line2 = strchr(r.out, '\n');      /* the end of line 1 */
    ck_assert_ptr_nonnull(line2);
    char *line3 = strchr(line2 + 1, '\n');  /* the end of line 2 */
    ck_assert_ptr_nonnull(line3);
    char *end = strchr(line3 + 1, '\n');
    ck_assert_msg(end && end[1] == '\0', "not three lines:\n%s", r.out);
    ck_assert(strncmp(r.out, "{\"format\":\"mgviz-graph\",\"version\":2,\"value\":4,", 45) == 0);
    ck_assert(strncmp(line2 + 1, "{\"format\":\"mgviz-error\",\"program\":1,", 36) == 0);
    char *place = strstr(line2, "\"line\":1,\"column\":9}");
    ck_assert(place && place < line3);
    tu_assert_has(line3, "\"grads\":{\"x\":");  /* x drawn by the rule, z from z=10 */
    tu_assert_has(line3, "\"z\":1}");
    done(&r);
    r = RUN_STDIN("1 + 1\n---\n2 * 3\n", "expr", "--batch", "-");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "\"value\":2,");
    tu_assert_has(r.out, "\"value\":6,");
    done(&r);
}
END_TEST

/* ---- mgviz inspect ---- */

START_TEST(test_inspect_json)
{
    run_result r = RUN("inspect", "y = x*x; y + y", "x=3", "--json", "--counts", "--depth",
                       "--path", "x", "--top", "1", "--nonfinite", "--node", "1");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "\"counts\":{\"nodes\":3,\"inputs\":1,\"params\":0,\"consts\":0,");
    tu_assert_has(r.out, "\"by_op\":{\"leaf\":1,\"+\":1,\"*\":1}");
    tu_assert_has(r.out, "\"depth\":{\"depth\":2,\"path\":[0,1,2]}");
    tu_assert_has(r.out, "\"paths\":{\"from\":0,\"to\":2,\"total\":1,\"paths\":[[0,1,2]]}");
    tu_assert_has(r.out, "\"top\":[{\"id\":0,");
    tu_assert_has(r.out, "\"grad\":12,");          /* backward ran first */
    tu_assert_has(r.out, "\"nonfinite\":null");
    tu_assert_has(r.out, "\"children\":[2]");
    done(&r);
}
END_TEST

START_TEST(test_inspect_text)
{
    run_result r = RUN("inspect", "a = log(x) * y; a + 1", "x=-1", "y=2", "--nonfinite");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "nonfinite: #1 (op log) data nan");
    tu_assert_has(r.out, "parent #0 x (input) data -1");
    done(&r);
    r = RUN("inspect", "y = x*x; y + y", "x=3");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "nodes: 3 (1 inputs, 0 params, 0 consts, 2 ops)");
    tu_assert_has(r.out, "depth: 2");
    tu_assert_has(r.out, "nonfinite: none");
    done(&r);
    /* A long path shows its ends in text. */
    char chain[512] = "y = x";
    for (int i = 0; i < 30; i++)
        strcat(chain, "\ny = y * 2");
    r = RUN("inspect", chain, "x=1", "--depth");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "depth: 30");  /* x, then a constant and a * per statement */
    tu_assert_has(r.out, "  #0 -> #2 -> #4 -> #6 -> #8 -> #10 -> #12 -> #14 -> ... 15 more ... -> #46 ->");
    done(&r);
    expect(RUN("inspect", "x * 2", "x=1", "--path", "nobody"), 2, ERR, "'nobody'");
    expect(RUN("inspect", "x * ", "x=1"), 1, ERR, "expected expression");
}
END_TEST

START_TEST(test_inspect_saved_graph)
{
    char *json = in_scratch("g.json");
    run_result r = RUN("expr", "y = x*x; log(y) + y", "x=3", "-o", json);
    ck_assert_int_eq(r.status, 0);
    done(&r);
    r = RUN("inspect", "--graph", json, "--json", "--counts", "--top", "1");
    ck_assert_int_eq(r.status, 0);
    tu_assert_has(r.out, "\"counts\":{\"nodes\":4,");
    tu_assert_has(r.out, "\"top\":[{\"id\":0,\"op\":\"\",\"label\":\"x\"");
    done(&r);
    tu_write(json, "{\"format\":\"mgviz-graph\"");
    expect(RUN("inspect", "--graph", json), 1, ERR, "bad JSON");
    r = RUN("inspect", "--graph", in_scratch("none.json"));
    ck_assert_int_eq(r.status, 2);
    done(&r);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("mgviz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_top_level_help);
    tcase_add_test(tc, test_subcommand_help_is_complete);
    tcase_add_test(tc, test_usage_errors_exit_2);
    tcase_add_test(tc, test_expr_json_to_stdout);
    tcase_add_test(tc, test_expr_program_errors_exit_1);
    tcase_add_test(tc, test_expr_default_png);
    tcase_add_test(tc, test_expr_output_files);
    tcase_add_test(tc, test_expr_program_from_file_and_stdin);
    tcase_add_test(tc, test_expr_no_values_rule);
    tcase_add_test(tc, test_expr_batch);
    tcase_add_test(tc, test_inspect_json);
    tcase_add_test(tc, test_inspect_text);
    tcase_add_test(tc, test_inspect_saved_graph);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* The tests chdir into scratch directories: make MGVIZ absolute first. */
    const char *exe = getenv("MGVIZ");
    char cwd[4096], full[8192];
    if (exe && exe[0] != '/' && getcwd(cwd, sizeof cwd)) {
        snprintf(full, sizeof full, "%s/%s", cwd, exe);
        setenv("MGVIZ", full, 1);
    }
    return tu_run_suite(cli_suite());
}
