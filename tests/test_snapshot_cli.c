/* test_snapshot_cli.c — `mgviz train` run as a subprocess (MGVIZ names the
 * built executable): a short run's output and directory, the help text, and
 * exit code 2 with a message for every kind of bad argument. */
#include "check_main.h"
#include "mgviz_run.h"
#include "test_plot_util.h"

static char scratch[64];

typedef struct result {
    int status;
    char *out, *err;
} result;

/* Runs `mgviz train ARGS` (ARGS is shell text) with output captured. */
static result train(const char *args)
{
    int status = mgviz_train(scratch, args);
    return (result){ status, read_text(scratch, "stdout"), read_text(scratch, "stderr") };
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

static void setup(void)
{
    make_temp_dir(scratch, sizeof scratch, "test_snapshot_cli");
}

static void teardown(void)
{
    char path[128];
    const char *runs[] = { "run", "none", "file" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", scratch, runs[i]);
        remove_dir(path);
        unlink(path);
    }
    remove_dir(scratch);
}

START_TEST(short_run_prints_steps_and_writes_its_directory)
{
    char args[256], dir[128];
    snprintf(dir, sizeof dir, "%s/run", scratch);
    snprintf(args, sizeof args, "--steps 3 --samples 10 --hidden 4 --snapshot-every 2 --out '%s'",
             dir);
    result r = train(args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_uint_eq(occurrences(r.out, "  loss "), 3); /* a line per step */
    ck_assert_uint_eq(occurrences(r.out, "  saved\n"), 2); /* steps 0 and 2 */
    ck_assert_ptr_nonnull(strstr(r.out, dir));
    ck_assert(exists(dir, "step-000000-graph.svg") && exists(dir, "step-000000-sample.svg") &&
              exists(dir, "step-000002-boundary.png") && !exists(dir, "step-000001-graph.svg"));
    char *json = read_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"step\": [0, 1, 2]"));
    ck_assert_uint_eq(occurrences(json, "-boundary.png\""), 2);
    free(json);
    result_free(&r);
}
END_TEST

START_TEST(graph_none_and_every_zero_write_fewer_pictures)
{
    char args[256], dir[128];
    snprintf(dir, sizeof dir, "%s/none", scratch);
    snprintf(args, sizeof args, "--steps 2 --samples 6 --graph none --quiet --out '%s'", dir);
    result r = train(args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_uint_eq(occurrences(r.out, "  loss "), 0); /* the summary line only */
    ck_assert_uint_eq(occurrences(r.out, "steps in"), 1);
    ck_assert(exists(dir, "step-000000-boundary.png") && !exists(dir, "step-000000-graph.svg") &&
              !exists(dir, "step-000000-sample.svg"));
    result_free(&r);
    snprintf(args, sizeof args, "--steps 2 --samples 6 --snapshot-every 0 --quiet --out '%s'",
             dir);
    r = train(args);
    ck_assert_int_eq(r.status, 0);
    char *json = read_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"snapshots\": [\n  ]"));
    ck_assert(exists(dir, "loss.png"));
    free(json);
    result_free(&r);
}
END_TEST

START_TEST(help_names_every_option)
{
    result r = train("--help");
    ck_assert_int_eq(r.status, 0);
    const char *options[] = { "--samples", "--noise", "--hidden", "--steps", "--seed", "--lr",
                              "--alpha", "--snapshot-every", "--out", "--dataset", "--graph",
                              "--format", "--json", "--inspector", "--log-loss", "--quiet", "--tensor",
                              "--fold-budget" };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        ck_assert_msg(strstr(r.out, options[i]) != NULL, "help lacks %s", options[i]);
    result_free(&r);
}
END_TEST

START_TEST(bad_arguments_exit_2_naming_the_problem)
{
    struct { const char *args, *names; } cases[] = {
        { "--hidden 0", "--hidden" },        { "--hidden 16,x", "--hidden" },
        { "--hidden ''", "--hidden" },       { "--steps 0", "--steps" },
        { "--samples 1000000", "--samples" }, { "--noise -1", "--noise" },
        { "--samples 1", "--samples" },
        { "--lr nan", "--lr" },              { "--format gif", "--format" },
        { "--graph some", "--graph" },       { "--bogus", "--bogus" },
        { "--seed", "--seed" },              { "--dataset nonesuch", "nonesuch" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r = train(cases[i].args);
        ck_assert_msg(r.status == 2, "%s: exit %d", cases[i].args, r.status);
        ck_assert_msg(strstr(r.err, cases[i].names) != NULL, "%s: message '%s'", cases[i].args,
                      r.err);
        result_free(&r);
    }
}
END_TEST

START_TEST(unusable_directory_exits_2)
{
    char path[128], args[256];
    snprintf(path, sizeof path, "%s/file", scratch);
    write_file(path, "x");
    snprintf(args, sizeof args, "--steps 2 --out '%s/run'", path);
    result r = train(args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, path));
    ck_assert_uint_eq(occurrences(r.out, "  loss "), 0);
    result_free(&r);
}
END_TEST

static Suite *train_cli_suite(void)
{
    Suite *s = suite_create("train_cli");
    TCase *c = tcase_create("train");
    tcase_set_timeout(c, 120);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, short_run_prints_steps_and_writes_its_directory);
    tcase_add_test(c, graph_none_and_every_zero_write_fewer_pictures);
    tcase_add_test(c, help_names_every_option);
    tcase_add_test(c, bad_arguments_exit_2_naming_the_problem);
    tcase_add_test(c, unusable_directory_exits_2);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    return mg_check_run(train_cli_suite());
}
