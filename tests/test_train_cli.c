/* test_train_cli.c — `mgviz train` on the moons (scalar engine) run as a
 * subprocess (MGVIZ names the built executable): the run directory it
 * writes, that runs never overwrite each other, a used --out refused unless
 * --force, a bad learning rate refused and a diverging run stopped, a run
 * killed mid-step still readable, the sample worth seeing, and every kind of
 * bad argument exiting 2 with a message that names the valid values. */
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_run.h"
#include "test_util.h"

static char dir[64];

static void setup(void) { tu_tmpdir(dir, sizeof dir, "test_train_cli"); }
static void teardown(void) { tu_rmrf(dir); }

/* Runs `mgviz train ARGS` in dir (shell text; $D is dir); the exit status. */
static int train(const char *args) { return tu_mgviz_in(dir, "train %s", args); }

START_TEST(a_short_run_writes_its_directory)
{
    int rc = train("--steps 3 --samples 10 --hidden 4 --snapshot-every 2 --out run "
                   "--no-progress");
    char *out = tu_text(dir, "stdout"), *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_uint_eq(tu_count(out, "  loss "), 3); /* a line per logged step */
    ck_assert_uint_eq(tu_count(out, "  saved\n"), 2); /* steps 0 and 2, the last */
    ck_assert_ptr_nonnull(strstr(out, "step 0/3"));
    ck_assert_ptr_nonnull(strstr(out, "run/"));
    char *info = tu_text(dir, "run/run.json");
    ck_assert_ptr_nonnull(strstr(info, "{\"format\":\"mgviz-run\",\"version\":1,\"name\":\"run\""));
    ck_assert_ptr_nonnull(strstr(info, "\"command\":[\"mgviz\",\"train\",\"--steps\",\"3\","));
    ck_assert_ptr_nonnull(strstr(info, "\"dataset\":\"moons\",\"model\":\"mlp\""));
    ck_assert_ptr_nonnull(strstr(info, "\"steps\":3,"));
    ck_assert_ptr_nonnull(strstr(info, "\"planned_steps\":3,"));
    ck_assert_ptr_nonnull(strstr(info, "\"seed\":1337,"));
    ck_assert_ptr_nonnull(strstr(info, "\"layers\":[\"mlp/layer1\",\"mlp/layer2\"]"));
    char *steps = tu_text(dir, "run/steps.jsonl");
    ck_assert_uint_eq(tu_count(steps, "\n"), 4); /* three steps and the end */
    ck_assert_ptr_nonnull(strstr(steps, "{\"step\":0,\"epoch\":0,\"loss\":"));
    ck_assert_ptr_nonnull(strstr(steps, "\"snapshot\":\"snapshots/step-000000.json\""));
    ck_assert_ptr_nonnull(strstr(strstr(steps, "{\"step\":1,"), "\"snapshot\":null"));
    ck_assert_uint_eq(tu_count(steps, "\"layers\":{\"mlp/layer1\":{\"act\":\"relu\""), 3);
    ck_assert_ptr_nonnull(strstr(steps, "{\"event\":\"end\","));
    ck_assert_ptr_nonnull(strstr(steps, "\"status\":\"ok\",\"message\":null}\n"));
    ck_assert_ptr_null(strstr(steps, "nan"));
    ck_assert(tu_exists(dir, "run/snapshots/step-000000-graph.svg") &&
              tu_exists(dir, "run/snapshots/step-000000-sample.svg") &&
              tu_exists(dir, "run/snapshots/step-000002-boundary.png") &&
              tu_exists(dir, "run/snapshots/step-000002.json") &&
              !tu_exists(dir, "run/snapshots/step-000001-graph.svg"));
    ck_assert(tu_exists(dir, "run/index.html") && tu_exists(dir, "run/loss.png"));
    char *manifest = tu_text(dir, "run/snapshots.json");
    ck_assert_ptr_nonnull(strstr(manifest, "\"step\": [0,1,2]"));
    free(out);
    free(err);
    free(info);
    free(steps);
    free(manifest);
}
END_TEST

START_TEST(runs_get_fresh_directories_and_never_overwrite)
{
    const char *args = "--steps 2 --samples 8 --hidden 3 --snapshot-every 0 --runs runs --quiet";
    ck_assert_int_eq(train(args), 0);
    char *first = tu_text(dir, "stdout");
    ck_assert_int_eq(train(args), 0);
    char *second = tu_text(dir, "stdout");
    char a[256], b[256];
    ck_assert_int_eq(sscanf(strstr(first, "runs/"), "%255s", a), 1);
    ck_assert_int_eq(sscanf(strstr(second, "runs/"), "%255s", b), 1);
    ck_assert_str_ne(a, b);
    ck_assert_ptr_nonnull(strstr(a, "-moons-mlp-scalar"));
    char path[600];
    snprintf(path, sizeof path, "%srun.json", a);
    ck_assert(tu_exists(dir, path));
    snprintf(path, sizeof path, "%srun.json", b);
    ck_assert(tu_exists(dir, path));
    free(first);
    free(second);
}
END_TEST

START_TEST(a_used_directory_is_refused_unless_forced)
{
    ck_assert_int_eq(train("--steps 25 --samples 8 --hidden 3 --snapshot-every 10 --out r --quiet"),
                     0);
    ck_assert(tu_exists(dir, "r/snapshots/step-000020-graph.svg"));
    char notes[600];
    snprintf(notes, sizeof notes, "%s/r/notes.txt", dir);
    FILE *f = fopen(notes, "w");
    fputs("mine", f);
    fclose(f);
    /* a second run there is refused, and nothing is touched */
    ck_assert_int_eq(train("--steps 5 --samples 8 --hidden 3 --out r"), 2);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "r is not empty") && strstr(err, "--force"), "%s", err);
    free(err);
    tu_file_has(dir, "r/steps.jsonl", "{\"step\":24,");
    /* forced, it replaces the run's files, stale pictures too, and no others */
    ck_assert_int_eq(train("--steps 5 --samples 8 --hidden 3 --snapshot-every 10 --out r --force "
                           "--quiet"), 0);
    char *steps = tu_text(dir, "r/steps.jsonl");
    ck_assert_ptr_null(strstr(steps, "{\"step\":24,"));
    ck_assert_ptr_nonnull(strstr(steps, "{\"step\":4,"));
    ck_assert(!tu_exists(dir, "r/snapshots/step-000020-graph.svg"));
    ck_assert(tu_exists(dir, "r/snapshots/step-000004-graph.svg"));
    ck_assert(tu_exists(dir, "r/notes.txt"));
    free(steps);
    /* a link planted as r/snapshots, to another run's pictures: forced, the
     * link goes and what it points to stays, nothing is written through it */
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && mkdir other && touch other/step-000001-graph.svg "
                                 "&& rm -r r/snapshots && ln -s \"$D/other\" r/snapshots"), 0);
    ck_assert_int_eq(train("--steps 5 --samples 8 --hidden 3 --snapshot-every 10 --out r --force "
                           "--quiet"), 0);
    ck_assert(tu_exists(dir, "other/step-000001-graph.svg"));
    ck_assert(!tu_exists(dir, "other/step-000004-graph.svg"));
    ck_assert(tu_exists(dir, "r/snapshots/step-000004-graph.svg"));
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && mkdir t && ln -s \"$D/other\" t/snapshots && "
                                 "'%s' train --steps 5 --samples 8 --hidden 3 --out t --force --quiet "
                                 "&& test ! -L t/snapshots && test ! -e other/step-000004-graph.svg",
                            tu_mgviz()), 0);
}
END_TEST

START_TEST(a_bad_learning_rate_is_refused_before_anything)
{
    ck_assert_int_eq(train("--lr -1"), 2);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "bad value '-1' for --lr: expected a number greater than 0"),
                  "%s", err);
    free(err);
    ck_assert(!tu_exists(dir, "mgviz-runs"));
    ck_assert_int_eq(train("--lr 0"), 2);
    ck_assert_int_eq(train("--lr nan"), 2);
}
END_TEST

START_TEST(a_diverging_run_stops_with_a_message)
{
    ck_assert_int_eq(train("--lr 1e6 --samples 20 --out d --snapshot-every 0 --quiet"), 1);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "mgviz train: the loss is inf at step ") &&
                      strstr(err, ": stopping (a lower --lr may help; --keep-going goes on)"),
                  "%s", err);
    free(err);
    char *steps = tu_text(dir, "d/steps.jsonl");
    const char *last = strstr(steps, "\"loss\":null,\"loss_str\":\"inf\"");
    ck_assert_ptr_nonnull(last);
    ck_assert_ptr_nonnull(strstr(last, "\"warnings\":[\"the loss is inf at step"));
    ck_assert_ptr_nonnull(strstr(steps, "\"status\":\"error\",\"message\":\"the loss is inf"));
    ck_assert_uint_lt(tu_count(steps, "{\"step\":"), 100);
    free(steps);
    /* --keep-going goes on to the end */
    ck_assert_int_eq(train("--lr 1e6 --samples 20 --out k --snapshot-every 0 --quiet "
                           "--keep-going"), 0);
    steps = tu_text(dir, "k/steps.jsonl");
    ck_assert_uint_eq(tu_count(steps, "{\"step\":"), 100);
    ck_assert_ptr_nonnull(strstr(steps, "\"status\":\"ok\""));
    free(steps);
    err = tu_text(dir, "stderr");
    ck_assert_uint_eq(tu_count(err, "going on (--keep-going)"), 1);
    free(err);
}
END_TEST

/* ---- a run killed mid-step ---- */

typedef struct records {
    int n;
    long long next;   /* the step the next record must have */
    bool ordered;
} records;

static int check_record(void *ctx, const char *line, size_t len)
{
    records *r = ctx;
    long long step;
    if (sscanf(line, "{\"step\":%lld,", &step) == 1) {
        r->ordered &= step == r->next && line[len - 1] == '}';
        r->next++;
    }
    r->n++;
    return 0;
}

/* Starts `mgviz train ARGS...` with output discarded; its pid. */
static pid_t start(char *const *args)
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(tu_mgviz(), args);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    return pid;
}

/* Waits until path holds at least n lines (at most about 60 s). */
static void wait_lines(const char *path, int n)
{
    for (int tries = 0; tries < 6000; tries++) {
        char *t = tu_slurp(path, NULL);
        size_t lines = t ? tu_count(t, "\n") : 0;
        free(t);
        if (lines >= (size_t)n)
            return;
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    }
    ck_abort_msg("%s never reached %d lines", path, n);
}

static records read_records(const char *path)
{
    records r = { .ordered = true };
    size_t offset = 0;
    mg_error err;
    ck_assert_int_eq(mg_run_read_lines(path, &offset, check_record, &r, &err), MG_OK);
    return r;
}

START_TEST(a_killed_run_still_reads_with_every_complete_step)
{
    char out[128], steps[160];
    snprintf(out, sizeof out, "%s/killed", dir);
    snprintf(steps, sizeof steps, "%s/steps.jsonl", out);
    char *args[] = { (char *)tu_mgviz(), "train", "--steps", "1000000", "--samples", "30",
                     "--hidden", "8,8", "--snapshot-every", "0", "--out", out, "--quiet",
                     "--no-progress", NULL };
    pid_t pid = start(args);
    wait_lines(steps, 20);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    tu_file_has(dir, "killed/run.json", "\"format\":\"mgviz-run\"");
    records r = read_records(steps);
    ck_assert_int_ge(r.n, 20);
    ck_assert(r.ordered); /* steps 0, 1, 2... each a whole JSON object */
    ck_assert_int_eq(r.n, (int)r.next); /* no end event: it was killed */
    /* a torn record at the end is skipped, not an error */
    FILE *f = fopen(steps, "a");
    fputs("{\"step\":", f);
    fclose(f);
    records again = read_records(steps);
    ck_assert_int_eq(again.n, r.n);
}
END_TEST

START_TEST(ctrl_c_ends_the_run_cleanly)
{
    char out[128], steps[160];
    snprintf(out, sizeof out, "%s/stopped", dir);
    snprintf(steps, sizeof steps, "%s/steps.jsonl", out);
    char *args[] = { (char *)tu_mgviz(), "train", "--steps", "1000000", "--samples", "30",
                     "--hidden", "8", "--snapshot-every", "0", "--out", out, "--quiet", NULL };
    pid_t pid = start(args);
    wait_lines(steps, 5);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 128 + SIGINT);
    tu_file_has(dir, "stopped/steps.jsonl",
                "\"status\":\"stopped\",\"message\":\"interrupted (Ctrl-C)\"");
    ck_assert(tu_exists(dir, "stopped/index.html") && tu_exists(dir, "stopped/loss.png"));
}
END_TEST

/* ---- the sample worth seeing ---- */

START_TEST(snapshots_show_the_worst_sample_or_the_one_asked_for)
{
    ck_assert_int_eq(train("--steps 12 --snapshot-every 10 --out w --quiet"), 0);
    char *step = tu_text(dir, "w/snapshots/step-000010.json");
    ck_assert_ptr_nonnull(strstr(step, "\"worst\":true"));
    long index;
    double loss;
    const char *s = strstr(step, "\"sample\":{\"index\":");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sscanf(s, "\"sample\":{\"index\":%ld,\"loss\":%lf", &index, &loss), 2);
    ck_assert(loss > 0);
    char marked[64];
    snprintf(marked, sizeof marked, "\"marked\":%ld,", index);
    ck_assert_ptr_nonnull(strstr(step, marked)); /* ringed on the boundary */
    free(step);
    char *svg = tu_text(dir, "w/snapshots/step-000010-sample.svg");
    char title[96];
    snprintf(title, sizeof title, "step 10, sample %ld (label ", index);
    ck_assert_ptr_nonnull(strstr(svg, title));
    ck_assert_ptr_nonnull(strstr(svg, "the largest loss of the step"));
    free(svg);
    /* after training, sample 0 meets its margin: its graph has no grads and says so */
    ck_assert_int_eq(train("--snapshot-every 99 --sample 0 --graph sample --out z --quiet"), 0);
    step = tu_text(dir, "z/snapshots/step-000099.json");
    ck_assert_msg(strstr(step, "\"sample\":{\"index\":0,\"loss\":0,\"worst\":false,"
                               "\"zero_grads\":true") != NULL, "%s", step);
    free(step);
    svg = tu_text(dir, "z/snapshots/step-000099-sample.svg");
    ck_assert_ptr_nonnull(strstr(svg, "step 99, sample 0"));
    ck_assert_ptr_nonnull(strstr(svg, "every grad is 0"));
    free(svg);
    ck_assert(!tu_exists(dir, "z/snapshots/step-000099-graph.svg"));
}
END_TEST

START_TEST(inspector_writes_a_page_with_a_step_slider)
{
    ck_assert_int_eq(train("--steps 3 --samples 8 --hidden 3 --snapshot-every 1 --inspector "
                           "--out i --quiet"), 0);
    tu_file_has(dir, "i/inspector.html", "<html");
    tu_file_has(dir, "i/snapshots.json", "\"inspector\": \"inspector.html\"");
}
END_TEST

/* ---- the command line ---- */

START_TEST(help_names_every_option)
{
    ck_assert_int_eq(train("--help"), 0);
    char *out = tu_text(dir, "stdout");
    const char *options[] = {
        "--dataset moons|fashion-mnist", "--model mlp", "--engine scalar|tensor", "--tensor",
        "--hidden", "--samples", "--noise", "--data-dir", "--limit", "--test-limit", "--steps",
        "--epochs", "--batch", "--optimizer sgd|momentum|adam", "--lr", "--schedule",
        "--warmup", "--momentum", "--weight-decay", "--alpha", "--seed", "--threads", "--save",
        "--resume", "--out", "--runs", "--force", "--log-every", "--keep-going",
        "--snapshot-every", "--sample", "--graph", "--format", "--json", "--inspector",
        "--no-heatmaps", "--log-loss", "--smoothing", "--quiet", "--progress", "--no-progress",
        "--fold-budget", "(default 1337)",
    };
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        ck_assert_msg(strstr(out, options[i]) != NULL, "help lacks %s", options[i]);
    free(out);
}
END_TEST

START_TEST(bad_arguments_exit_2_naming_the_valid_values)
{
    struct { const char *args, *says; } cases[] = {
        { "--dataset nonesuch", "expected moons, fashion-mnist, words or fortunes" },
        { "--optimizer adm", "did you mean adam?" },
        { "--stesp 5", "unknown option '--stesp' (did you mean --steps?)" },
        { "--steps 0", "bad value '0' for --steps: expected a whole number from 1 to" },
        { "--hidden 16,x", "bad value '16,x' for --hidden" },
        { "--hidden 16,", "bad value '16,' for --hidden" },
        { "--samples 1", "bad value '1' for --samples: expected a whole number from 2" },
        { "--samples 6000", "the scalar engine takes at most 5000" },
        { "--noise -1", "--noise" },
        { "--format gif", "expected svg, png or dot" },
        { "--graph some", "expected both, batch, sample or none" },
        { "--seed", "option --seed needs a value" },
        { "--optimizer adam", "--optimizer adam needs --engine tensor" },
        { "--momentum 0.5", "--momentum needs --engine tensor" },
        { "--steps 5 --epochs 2", "give --steps or --epochs, not both" },
        { "--dataset fashion-mnist --noise 0.2", "--noise does not apply to fashion-mnist" },
        { "--dataset moons --limit 5", "--limit does not apply to moons" },
        { "--dataset fashion-mnist --engine scalar", "fashion-mnist trains on the tensor engine only" },
        { "--warmup 100", "expected fewer than the run's 100 steps" },
        { "--sample 100", "expected worst or a sample from 0 to 99" },
        { "--sample x", "bad value 'x' for --sample" },
        { "--smoothing 1", "bad value '1' for --smoothing: expected a number from 0 to 0.999" },
        { "--snapshot-every 0 --inspector", "--inspector needs saved steps" },
        { "--force", "--force needs --out DIR" },
        { "--engine scalar --tensor", "contradict" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = train(cases[i].args);
        char *err = tu_text(dir, "stderr");
        ck_assert_msg(rc == 2, "%s: exit %d (%s)", cases[i].args, rc, err);
        ck_assert_msg(strstr(err, cases[i].says) != NULL, "%s: message '%s'", cases[i].args, err);
        free(err);
    }
    ck_assert(!tu_exists(dir, "mgviz-runs")); /* refused before any run began */
}
END_TEST

START_TEST(an_unusable_directory_exits_2)
{
    char path[128];
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(train("--steps 2 --out file/run"), 2);
    char *err = tu_text(dir, "stderr"), *out = tu_text(dir, "stdout");
    ck_assert_msg(strstr(err, "file") != NULL, "%s", err);
    ck_assert_uint_eq(tu_count(out, "  loss "), 0);
    free(err);
    free(out);
}
END_TEST

static Suite *train_cli_suite(void)
{
    Suite *s = suite_create("train_cli");
    TCase *c = tcase_create("train");
    tcase_set_timeout(c, 240);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, a_short_run_writes_its_directory);
    tcase_add_test(c, runs_get_fresh_directories_and_never_overwrite);
    tcase_add_test(c, a_used_directory_is_refused_unless_forced);
    tcase_add_test(c, a_bad_learning_rate_is_refused_before_anything);
    tcase_add_test(c, a_diverging_run_stops_with_a_message);
    tcase_add_test(c, a_killed_run_still_reads_with_every_complete_step);
    tcase_add_test(c, ctrl_c_ends_the_run_cleanly);
    tcase_add_test(c, snapshots_show_the_worst_sample_or_the_one_asked_for);
    tcase_add_test(c, inspector_writes_a_page_with_a_step_slider);
    tcase_add_test(c, help_names_every_option);
    tcase_add_test(c, bad_arguments_exit_2_naming_the_valid_values);
    tcase_add_test(c, an_unusable_directory_exits_2);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(train_cli_suite()); }
