/* test_tensor_snapshot_cli.c — `mgviz train --dataset moons --tensor` with
 * snapshots, run as a subprocess (MGVIZ names the built executable): the
 * directory holds each saved step's tensor graph and boundary, the curve,
 * manifest and index, and nothing else (temporary heatmaps are gone). */
#include "check_main.h"
#include "mgviz_run.h"
#include "test_plot_util.h"

static char scratch[64], run[128];

/* Runs `mgviz train ARGS` with output discarded; returns the exit status. */
static int train(const char *args) { return mgviz_train(scratch, args); }

/* A 12-step tensor moons run saving every 5 steps in format fmt. */
static void short_run(const char *fmt, const char *extra)
{
    char args[512];
    snprintf(args, sizeof args,
             "--dataset moons --tensor --epochs 12 --hidden 8 --snapshot-every 5 "
             "--format %s %s --out '%s'", fmt, extra, run);
    int status = train(args);
    char *err = read_text(scratch, "stderr");
    ck_assert_msg(status == 0, "exit %d: %s", status, err);
    free(err);
}

static void setup(void)
{
    make_temp_dir(scratch, sizeof scratch, "test_tsnap_cli");
    snprintf(run, sizeof run, "%s/run", scratch);
}

static void teardown(void)
{
    remove_dir(run);
    remove_dir(scratch);
}

static const int saved[] = {0, 5, 10, 11}; /* multiples of 5, and the last step */

START_TEST(png_run_writes_graphs_boundaries_and_index)
{
    short_run("png", "");
    char name[64];
    for (size_t i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "step-%06d-graph.png", saved[i]);
        ck_assert_msg(exists(run, name), "%s missing", name);
        char path[256];
        snprintf(path, sizeof path, "%s/%s", run, name);
        decoded d = decode_png_file(path);
        ck_assert_int_gt(d.w, 500);
        free(d.px);
        snprintf(name, sizeof name, "step-%06d-boundary.png", saved[i]);
        ck_assert_msg(exists(run, name), "%s missing", name);
    }
    ck_assert(exists(run, "loss.png"));
    ck_assert(exists(run, "index.html"));
    /* 4 steps x 2 pictures + curve, manifest, index: no heatmap left over */
    ck_assert_int_eq(count_entries(run), 4 * 2 + 3);
    char *manifest = read_text(run, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(manifest, "step-000010-graph.png"));
    ck_assert_ptr_nonnull(strstr(manifest, "step-000011-boundary.png"));
    free(manifest);
}
END_TEST

START_TEST(svg_run_embeds_heatmaps)
{
    short_run("svg", "--json");
    char *svg = read_text(run, "step-000005-graph.svg");
    /* W1 [2,8], b1 [8], W2 [8,1]: parameters with data and grad pictures */
    ck_assert_uint_ge(occurrences(svg, "data:image/png;base64,"), 6);
    ck_assert_uint_eq(occurrences(svg, "class=\"node value param tensor\""), 4);
    ck_assert_ptr_nonnull(strstr(svg, "f32[2,8]"));
    ck_assert_ptr_nonnull(strstr(svg, "L2 "));
    free(svg);
    char *json = read_text(run, "step-000005-graph.json");
    ck_assert_ptr_nonnull(strstr(json, "\"shape\": [2,8]"));
    free(json);
}
END_TEST

START_TEST(no_heatmaps_and_dot)
{
    short_run("svg", "--no-heatmaps");
    char *svg = read_text(run, "step-000005-graph.svg");
    ck_assert_ptr_null(strstr(svg, "<image"));
    ck_assert_ptr_nonnull(strstr(svg, "f32[2,8]"));
    free(svg);
    remove_dir(run);
    short_run("dot", "");
    char *dot = read_text(run, "step-000005-graph.dot");
    ck_assert_ptr_null(strstr(dot, "IMG"));
    ck_assert_ptr_nonnull(strstr(dot, "f32[8,1]"));
    free(dot);
}
END_TEST

START_TEST(bad_format_is_a_usage_error)
{
    char args[256];
    snprintf(args, sizeof args, "--dataset moons --tensor --format gif --out '%s'", run);
    ck_assert_int_eq(train(args), 2);
    char *err = read_text(scratch, "stderr");
    ck_assert_ptr_nonnull(strstr(err, "--format"));
    free(err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tensor_snapshot_cli");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, png_run_writes_graphs_boundaries_and_index);
    tcase_add_test(tc, svg_run_embeds_heatmaps);
    tcase_add_test(tc, no_heatmaps_and_dot);
    tcase_add_test(tc, bad_format_is_a_usage_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return mg_check_run(suite());
}
