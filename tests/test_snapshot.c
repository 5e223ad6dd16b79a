/* test_snapshot.c — a training run recorded by mg_snapshot.h: which files a
 * short run leaves, that the manifest lists the steps and files in order and
 * that they exist, that the pictures decode, and that bad directories, steps
 * and options are errors rather than crashes. */
#include <math.h>
#include <sys/stat.h>

#include "attention_graph.h"
#include "test_util.h"
#include "mg_data.h"
#include "mg_loss.h"
#include "mg_snapshot_task.h"
#include "test_plot_util.h"

enum { N = 8 };

/* A tiny moons model: 2-4-1 on N points. */
typedef struct model {
    mg_graph *g;
    mg_mlp *m;
    double X[2 * N], y[N];
} model;

static void model_init(model *t)
{
    mg_error err;
    ck_assert_int_eq(mg_make_moons(N, 0.1, 7, t->X, t->y, &err), MG_OK);
    t->g = mg_graph_new();
    int nouts[] = { 4, 1 };
    t->m = mg_mlp_new(t->g, 2, nouts, 2, MG_NONLIN_RELU, MG_NONLIN_LINEAR, 7, &err);
    ck_assert_ptr_nonnull(t->m);
    mg_graph_keep(t->g);
}

static void model_free(model *t)
{
    mg_mlp_free(t->m);
    mg_graph_free(t->g);
}

static double score(void *ctx, double x, double y)
{
    (void)ctx;
    return x - y;
}

/* Runs steps 0..steps-1 of full-batch SGD, recording each; at saved steps
 * also a one-sample graph. */
static void run(model *t, mg_snapshot *s, int steps)
{
    mg_error err;
    size_t np;
    mg_value *const *params = mg_mlp_parameters(t->m, &np);
    for (int k = 0; k < steps; k++) {
        double acc;
        mg_value *loss = mg_mlp_svm_loss(t->m, t->X, t->y, N, 1e-4, &acc);
        mg_mlp_zero_grad(t->m);
        ck_assert_int_eq(mg_backward(loss), MG_OK);
        ck_assert_msg(mg_snapshot_step(s, k, loss, loss->data, acc, &err) == MG_OK, "%s",
                      err.message);
        if (mg_snapshot_due(s, k)) {
            mg_value *in[2] = { mg_input(t->g, t->X[0]), mg_input(t->g, t->X[1]) }, *out;
            ck_assert_int_eq(mg_mlp_forward(t->m, in, &out), MG_OK);
            ck_assert_int_eq(mg_backward(out), MG_OK);
            ck_assert_msg(mg_snapshot_sample(s, k, out, NULL, &err) == MG_OK, "%s", err.message);
        }
        mg_sgd_step(params, np, 0.5);
        mg_graph_reset(t->g);
    }
}

static const int saved_steps[] = { 0, 2, 4, 5 }; /* every 2 of 6, and the last */

/* Records six steps of a fresh model, saving every 2, into a fresh
 * directory, with o's other options (the points filled in for predict). */
static void record_six(char *dir, size_t n, model *t, mg_snapshot_options o)
{
    tu_tmpdir(dir, n, "test_snapshot");
    model_init(t);
    o.every = 2;
    o.steps = 6;
    if (o.predict) {
        o.X = t->X;
        o.label = t->y;
        o.n = N;
    }
    mg_error err;
    mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.message);
    ck_assert_str_eq(mg_snapshot_dir(s), dir);
    run(t, s, 6);
    ck_assert_uint_eq(mg_snapshot_steps(s), 6);
    ck_assert_uint_eq(mg_snapshot_saved(s), 4);
    ck_assert_msg(mg_snapshot_close(s, &err) == MG_OK, "%s", err.message);
}

static void discard(char *dir, model *t)
{
    model_free(t);
    tu_rmrf(dir);
}

START_TEST(short_run_leaves_the_expected_files)
{
    char dir[64], name[64];
    model t;
    record_six(dir, sizeof dir, &t, (mg_snapshot_options){ .predict = score });
    for (int k = 0; k < 6; k++) {
        bool saved = k == 0 || k == 2 || k == 4 || k == 5;
        const char *kinds[] = { "graph.svg", "sample.svg", "boundary.png" };
        for (int j = 0; j < 3; j++) {
            snprintf(name, sizeof name, "snapshots/step-%06d-%s", k, kinds[j]);
            ck_assert_msg(tu_has_file(dir, name) == saved, "%s: %s", name,
                          saved ? "missing" : "written at a step not saved");
        }
    }
    ck_assert(tu_has_file(dir, "loss.png") && tu_has_file(dir, "index.html") &&
              tu_has_file(dir, "snapshots.json"));
    ck_assert_int_eq(tu_count_entries(dir), 4); /* the three and snapshots/ */
    char steps[128];
    snprintf(steps, sizeof steps, "%s/snapshots", dir);
    ck_assert_int_eq(tu_count_entries(steps), 4 * 4); /* three pictures and a manifest per step; no temporaries */
    discard(dir, &t);
}
END_TEST

START_TEST(manifest_lists_steps_and_files_in_order)
{
    char dir[64], want[128];
    model t;
    record_six(dir, sizeof dir, &t, (mg_snapshot_options){ .predict = score });
    char *json = tu_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"format\": \"mgviz-snapshots\""));
    ck_assert_ptr_nonnull(strstr(json, "\"step\": [0,1,2,3,4,5]"));
    /* one entry per saved step, in order, each naming its existing files */
    const char *p = strstr(json, "\"snapshots\"");
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < 4; i++) {
        snprintf(want, sizeof want, "{\"step\":%d,", saved_steps[i]);
        p = strstr(p, want);
        ck_assert_msg(p != NULL, "entry of step %d missing or out of order", saved_steps[i]);
        const char *kinds[] = { "graph.svg", "sample.svg", "boundary.png" };
        for (int j = 0; j < 3; j++) {
            snprintf(want, sizeof want, "snapshots/step-%06d-%s", saved_steps[i], kinds[j]);
            const char *at = strstr(p, want), *next = strstr(p + 1, "{\"step\"");
            ck_assert_msg(at && (!next || at < next), "%s not in its entry", want);
            ck_assert(tu_has_file(dir, want));
        }
    }
    ck_assert_uint_eq(tu_count(strstr(json, "\"snapshots\""), "{\"step\":"), 4);
    ck_assert_uint_eq(tu_count(json, "\"graph_json\":null"), 4);
    free(json);
    discard(dir, &t);
}
END_TEST

START_TEST(index_lists_saved_steps_with_pictures)
{
    char dir[64], want[128];
    model t;
    record_six(dir, sizeof dir, &t, (mg_snapshot_options){ .title = "tiny <run>", .predict = score });
    char *html = tu_text(dir, "index.html");
    ck_assert_ptr_nonnull(strstr(html, "<title>tiny &lt;run&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(html, "src=\"loss.png\""));
    ck_assert_ptr_null(strstr(html, "<script"));
    const char *p = html;
    for (size_t i = 0; i < 4; i++) {
        snprintf(want, sizeof want, "<tr id=\"step-%d\">", saved_steps[i]);
        ck_assert_msg((p = strstr(p, want)) != NULL, "row of step %d", saved_steps[i]);
        snprintf(want, sizeof want, "src=\"snapshots/step-%06d-boundary.png\"", saved_steps[i]);
        ck_assert_ptr_nonnull(strstr(p, want));
    }
    ck_assert_uint_eq(tu_count(html, "<tr id="), 4);
    free(html);
    discard(dir, &t);
}
END_TEST

START_TEST(pictures_decode_with_sane_sizes)
{
    char dir[64], path[256];
    model t;
    mg_plot_options b = { .width = 200, .height = 150, .grid = 20 };
    record_six(dir, sizeof dir, &t, (mg_snapshot_options){ .graph_format = "png",
                                                            .predict = score, .boundary = &b });
    snprintf(path, sizeof path, "%s/loss.png", dir);
    decoded d = decode_png_file(path);
    ck_assert_int_eq(d.w, 640);
    ck_assert_int_eq(d.h, 400);
    free(d.px);
    snprintf(path, sizeof path, "%s/snapshots/step-000004-boundary.png", dir);
    d = decode_png_file(path);
    ck_assert_int_eq(d.w, 200);
    ck_assert_int_eq(d.h, 150);
    ck_assert_uint_gt(count_colour(&d, MG_PLOT_COLOR_NEG) + count_colour(&d, MG_PLOT_COLOR_POS),
                      0);
    free(d.px);
    snprintf(path, sizeof path, "%s/snapshots/step-000004-graph.png", dir);
    d = decode_png_file(path);
    ck_assert(d.w > 50 && d.h > 50 && d.w <= 8192 && d.h <= 8192);
    free(d.px);
    discard(dir, &t);
}
END_TEST

START_TEST(bad_directories_are_errors)
{
    char dir[64], path[128];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    snprintf(path, sizeof path, "%s/file", dir);
    tu_write(path, "x");
    mg_error err;
    ck_assert_ptr_null(mg_snapshot_open(path, NULL, &err)); /* a file, not a directory */
    ck_assert_int_eq(err.code, MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "file"));
    snprintf(path, sizeof path, "%s/file/run", dir); /* under a file */
    ck_assert_ptr_null(mg_snapshot_open(path, NULL, &err));
    ck_assert_int_eq(err.code, MG_EIO);
    ck_assert_ptr_null(mg_snapshot_open("", NULL, &err));
    ck_assert_int_eq(err.code, MG_EINVAL);
    ck_assert_ptr_null(mg_snapshot_open(NULL, NULL, NULL));
    /* missing parents are created */
    snprintf(path, sizeof path, "%s/a/b/run/", dir);
    mg_snapshot *s = mg_snapshot_open(path, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.message);
    ck_assert_int_eq(mg_snapshot_close(s, &err), MG_OK);
    snprintf(path, sizeof path, "%s/a/b/run", dir);
    ck_assert(tu_has_file(path, "snapshots.json"));
    ck_assert(tu_has_file(path, "index.html"));
    ck_assert(!tu_has_file(path, "loss.png")); /* no steps: no curve */
    tu_rmrf(dir);
}
END_TEST

START_TEST(bad_steps_and_options_are_errors)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    mg_error err;
    mg_snapshot_options bad = { .graph_format = "gif" };
    ck_assert_ptr_null(mg_snapshot_open(dir, &bad, &err));
    ck_assert_int_eq(err.code, MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "gif"));
    bad = (mg_snapshot_options){ .steps = -1 };
    ck_assert_ptr_null(mg_snapshot_open(dir, &bad, &err));
    bad = (mg_snapshot_options){ .inspector = (mg_snapshot_inspect)7 };
    ck_assert_ptr_null(mg_snapshot_open(dir, &bad, &err));
    ck_assert_int_eq(err.code, MG_EINVAL);
    mg_snapshot_options curve_only = { .every = -1 };
    mg_snapshot *s = mg_snapshot_open(dir, &curve_only, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(mg_snapshot_step(s, 3, NULL, 1.0, 0.5, &err), MG_OK);
    ck_assert_int_eq(mg_snapshot_step(s, 3, NULL, 1.0, 0.5, &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "step 3"));
    ck_assert_int_eq(mg_snapshot_step(s, 1, NULL, 1.0, 0.5, &err), MG_EINVAL);
    ck_assert_int_eq(mg_snapshot_step(s, -2, NULL, 1.0, 0.5, &err), MG_EINVAL);
    ck_assert_int_eq(mg_snapshot_step(NULL, 4, NULL, 1.0, 0.5, &err), MG_EINVAL);
    ck_assert_int_eq(mg_snapshot_sample(s, 4, NULL, NULL, &err), MG_EINVAL);
    ck_assert_int_eq(mg_snapshot_step(s, 4, NULL, NAN, NAN, &err), MG_OK);
    ck_assert_int_eq(mg_snapshot_step(s, 5, NULL, INFINITY, 1.0, &err), MG_OK);
    ck_assert_uint_eq(mg_snapshot_steps(s), 3);
    ck_assert_uint_eq(mg_snapshot_saved(s), 0);
    ck_assert_int_eq(mg_snapshot_close(s, &err), MG_OK);
    ck_assert_int_eq(mg_snapshot_close(NULL, &err), MG_OK);
    char *json = tu_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"step\": [3,4,5]"));
    ck_assert_ptr_nonnull(strstr(json, "\"loss\": [1,null,null]"));
    ck_assert_ptr_null(strstr(json, "nan"));
    ck_assert_ptr_nonnull(strstr(json, "\"snapshots\": [\n  ]"));
    free(json);
    char path[128];
    snprintf(path, sizeof path, "%s/loss.png", dir);
    decoded d = decode_png_file(path); /* NaN and Inf losses still make a picture */
    free(d.px);
    tu_rmrf(dir);
}
END_TEST

START_TEST(due_steps_follow_every_and_the_last)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    mg_snapshot_options o = { .every = 3, .steps = 10 };
    mg_snapshot *s = mg_snapshot_open(dir, &o, NULL);
    for (int k = 0; k < 12; k++)
        ck_assert_int_eq(mg_snapshot_due(s, k), k % 3 == 0 || k == 9);
    ck_assert(!mg_snapshot_due(s, -3));
    ck_assert(!mg_snapshot_due(NULL, 0));
    mg_snapshot_close(s, NULL);
    o = (mg_snapshot_options){ 0 }; /* defaults: every 10, length unknown */
    s = mg_snapshot_open(dir, &o, NULL);
    ck_assert(mg_snapshot_due(s, 0) && mg_snapshot_due(s, 20) && !mg_snapshot_due(s, 19));
    mg_snapshot_close(s, NULL);
    tu_rmrf(dir);
}
END_TEST

/* A sample graph may come before its step; JSON and the inspector page are
 * written when asked; a sample at a step not saved writes nothing. */
START_TEST(sample_first_json_and_inspector)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    model t;
    model_init(&t);
    mg_error err;
    mg_snapshot_options o = { .every = 2, .graph_json = true,
                              .inspector = MG_SNAPSHOT_INSPECT_SAMPLE };
    mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.message);
    for (int k = 0; k < 3; k++) {
        mg_value *in[2] = { mg_input(t.g, t.X[0]), mg_input(t.g, t.X[1]) }, *out;
        ck_assert_int_eq(mg_mlp_forward(t.m, in, &out), MG_OK);
        ck_assert_int_eq(mg_backward(out), MG_OK);
        ck_assert_msg(mg_snapshot_sample(s, k, out, NULL, &err) == MG_OK, "%s", err.message);
        ck_assert_int_eq(mg_snapshot_step(s, k, NULL, 1.0 / (k + 1), 0.5, &err), MG_OK);
        mg_graph_reset(t.g);
    }
    ck_assert_int_eq(mg_snapshot_sample(s, 0, t.m->params[0], NULL, &err), MG_EINVAL);
    ck_assert_msg(mg_snapshot_close(s, &err) == MG_OK, "%s", err.message);
    ck_assert(tu_has_file(dir, "snapshots/step-000000-sample.json"));
    ck_assert(tu_has_file(dir, "snapshots/step-000002-sample.svg"));
    ck_assert(!tu_has_file(dir, "snapshots/step-000001-sample.svg"));
    ck_assert(!tu_has_file(dir, "snapshots/step-000000-graph.svg"));
    ck_assert(tu_has_file(dir, "inspector.html"));
    tu_file_has(dir, "snapshots/step-000000-sample.json", "mgviz-graph");
    char *json = tu_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"inspector\": \"inspector.html\""));
    ck_assert_ptr_nonnull(strstr(json, "\"sample_json\":\"snapshots/step-000002-sample.json\""));
    const char *at = strstr(json, "{\"step\":2,\"loss\":");
    ck_assert_ptr_nonnull(at);
    ck_assert(strtod(at + strlen("{\"step\":2,\"loss\":"), NULL) == 1.0 / 3); /* exact */
    free(json);
    discard(dir, &t);
}
END_TEST

/* The page in dir has the token picker's positions iff `present`: the logits
 * node of step 2, then `more` (e.g. the rows of a batch), and the characters
 * of that step's window, "bad ca", as its names. */
static void assert_page_positions(const char *dir, int present, uint32_t logits_id,
                                  const char *more)
{
    char *page = tu_text(dir, "inspector.html");
    if (present) {
        char want[96];
        snprintf(want, sizeof want, "\"positions\":{\"logits\":%u,\"step\":2,%s", logits_id, more);
        ck_assert_msg(strstr(page, want), "the page lacks %s", want);
        ck_assert_ptr_nonnull(strstr(page, "\"names\":[\"b\",\"a\",\"d\",\" \",\"c\",\"a\"]"));
    } else {
        ck_assert_ptr_null(strstr(page, "\"positions\":{"));
    }
    free(page);
}

/* A sequence model's sample graph with its logits: the inspector page gets
 * the token picker's positions (one per character, of the last saved step);
 * without logits it gets none. */
START_TEST(sequence_sample_gives_the_page_its_positions)
{
    for (int with = 0; with < 2; with++) {
        char dir[64];
        tu_tmpdir(dir, sizeof dir, "test_snapshot");
        mg_graph *g = mg_graph_new();
        mg_error err;
        mg_snapshot_options o = { .every = 2, .inspector = MG_SNAPSHOT_INSPECT_SAMPLE };
        mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
        ck_assert_msg(s != NULL, "%s", err.message);
        uint32_t logits_id = 0;
        for (int k = 0; k < 3; k++) {
            attention_graph a;
            ck_assert_int_eq(attention_graph_build(g, &a, k < 2 ? "a cab" : "bad cab", 2), 0);
            ck_assert_int_eq(mg_tensor_backward(a.loss), MG_OK);
            mg_snapshot_sample_info info = { .index = k, .loss = mg_tensor_get(a.loss, 0),
                                             .logits = with ? a.logits : NULL };
            ck_assert_msg(mg_snapshot_sample(s, k, a.loss->node, &info, &err) == MG_OK, "%s",
                          err.message);
            ck_assert_int_eq(mg_snapshot_step(s, k, NULL, info.loss, NAN, &err), MG_OK);
            logits_id = a.logits->node->id;
            mg_graph_reset(g);
        }
        ck_assert_msg(mg_snapshot_close(s, &err) == MG_OK, "%s", err.message);
        assert_page_positions(dir, with, logits_id, "");
        mg_graph_free(g);
        tu_rmrf(dir);
    }
}
END_TEST

/* A sequence model's loss graph (a batch) with its logits named by
 * mg_snapshot_positions(): the page of loss graphs gets the token picker
 * (batch row 0's positions, of the last saved step; logits named at a step
 * that is not saved are ignored); a page of sample graphs ignores them. */
START_TEST(sequence_batch_gives_the_page_its_positions)
{
    for (int loss_page = 0; loss_page < 2; loss_page++) {
        char dir[64];
        tu_tmpdir(dir, sizeof dir, "test_snapshot");
        mg_graph *g = mg_graph_new();
        mg_error err;
        mg_snapshot_options o = { .every = 2, .inspector = loss_page ? MG_SNAPSHOT_INSPECT_LOSS
                                                                     : MG_SNAPSHOT_INSPECT_SAMPLE };
        mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
        ck_assert_msg(s != NULL, "%s", err.message);
        uint32_t logits_id = 0;
        for (int k = 0; k < 4; k++) {
            attention_graph a;
            ck_assert_int_eq(attention_graph_build(g, &a, k < 2 ? "a cab" : "bad cab", 2), 0);
            ck_assert_int_eq(mg_tensor_backward(a.loss), MG_OK);
            ck_assert_int_eq(mg_snapshot_positions(s, k, a.logits, &err), MG_OK);
            if (!loss_page)
                ck_assert_int_eq(mg_snapshot_sample(s, k, a.loss->node, NULL, &err), MG_OK);
            ck_assert_msg(mg_snapshot_step(s, k, a.loss->node, mg_tensor_get(a.loss, 0), NAN, &err) ==
                              MG_OK, "%s", err.message);
            if (k == 2)
                logits_id = a.logits->node->id;
            mg_graph_reset(g);
        }
        ck_assert_int_eq(mg_snapshot_positions(NULL, 0, NULL, &err), MG_EINVAL);
        ck_assert_msg(mg_snapshot_close(s, &err) == MG_OK, "%s", err.message);
        assert_page_positions(dir, loss_page, logits_id, "\"rows\":1,");
        mg_graph_free(g);
        tu_rmrf(dir);
    }
}
END_TEST

/* The sample a step shows: ringed on the boundary, named in its graph's
 * title and in the step's manifest; a sample whose grads are all 0 says so. */
START_TEST(the_sample_shown_is_named_and_marked)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    model t;
    model_init(&t);
    mg_error err;
    mg_snapshot_options o = { .every = 2, .steps = 3, .predict = score, .X = t.X, .label = t.y,
                              .n = N };
    mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
    ck_assert_ptr_nonnull(s);
    for (int k = 0; k < 3; k++) {
        mg_value *in[2] = { mg_input(t.g, t.X[6]), mg_input(t.g, t.X[7]) }, *out;
        ck_assert_int_eq(mg_mlp_forward(t.m, in, &out), MG_OK);
        ck_assert_int_eq(mg_backward(out), MG_OK);
        ck_assert_int_eq(mg_snapshot_mark(s, k, 3, &err), MG_OK);
        ck_assert_int_eq(mg_snapshot_step(s, k, NULL, 0.25, 0.5, &err), MG_OK);
        mg_snapshot_sample_info info = { .index = 3, .loss = 0.5, .worst = k == 0,
                                         .zero_grads = k == 2, .label = "-1" };
        ck_assert_msg(mg_snapshot_sample(s, k, out, &info, &err) == MG_OK, "%s", err.message);
        mg_graph_reset(t.g);
    }
    ck_assert_int_eq(mg_snapshot_mark(s, 5, N, &err), MG_EINVAL); /* no such point */
    ck_assert_str_eq(mg_snapshot_step_file(s, 0), "snapshots/step-000000.json");
    ck_assert_ptr_null(mg_snapshot_step_file(s, 1));
    ck_assert_int_eq(mg_snapshot_eval(s, 1, 2, 0.3, 0.875, &err), MG_OK);
    ck_assert_int_eq(mg_snapshot_close(s, &err), MG_OK);
    char *step = tu_text(dir, "snapshots/step-000000.json");
    ck_assert_msg(strstr(step, "{\"step\":0,\"loss\":0.25,\"accuracy\":0.5,\"files\":{"
                               "\"graph\":null,\"sample\":\"snapshots/step-000000-sample.svg\","
                               "\"boundary\":\"snapshots/step-000000-boundary.png\",") != NULL,
                  "%s", step);
    ck_assert_ptr_nonnull(strstr(step, "\"marked\":3,\"sample\":{\"index\":3,\"loss\":0.5,"
                                       "\"worst\":true,\"zero_grads\":false,\"label\":\"-1\"}}\n"));
    free(step);
    char *svg = tu_text(dir, "snapshots/step-000000-sample.svg");
    ck_assert_msg(strstr(svg, "step 0, sample 3 (label &#45;1): the largest loss of the "
                              "step, 0.5") != NULL, "%.3000s", svg);
    free(svg);
    svg = tu_text(dir, "snapshots/step-000002-sample.svg");
    ck_assert_ptr_nonnull(strstr(svg, "step 2, sample 3 (label &#45;1): loss 0.5 &#45; every grad is 0"));
    free(svg);
    char *json = tu_text(dir, "snapshots.json");
    ck_assert_ptr_nonnull(strstr(json, "\"evals\": [{\"epoch\":1,\"step\":2,\"loss\":0.3,"
                                       "\"accuracy\":0.875}]"));
    free(json);
    char *html = tu_text(dir, "index.html");
    ck_assert_ptr_nonnull(strstr(html, "<h2>Test set</h2>"));
    ck_assert_ptr_nonnull(strstr(html, "87.5%"));
    ck_assert_ptr_nonnull(strstr(html, "sample 3 (largest loss)"));
    ck_assert_ptr_nonnull(strstr(html, "sample 3 (every grad 0)"));
    free(html);
    discard(dir, &t);
}
END_TEST

/* A library task's steps through mg_snapshot_task_step: the saved steps
 * draw the batch, ring the batch's worst sample and draw its own graph; the
 * others only add to the curve; a sample outside the task is refused. */
START_TEST(a_task_step_draws_its_worst_sample)
{
    char dir[64];
    tu_tmpdir(dir, sizeof dir, "test_snapshot");
    mg_error err = { 0 };
    mg_task_config c = { .dataset = "moons", .engine = "scalar", .samples = 40, .noise = 0.1,
                         .hidden = { 8 }, .nhidden = 1, .batch = 10, .seed = 3,
                         .optimizer = "sgd", .lr = 0.1 };
    mg_task *t = mg_task_open(&c, &err);
    ck_assert_msg(t != NULL, "%s", err.message);
    mg_snapshot_options o = { .every = 2, .steps = 3, .predict = t->predict, .predict_ctx = t,
                              .X = t->X, .label = t->labels, .n = t->npoints };
    mg_snapshot *s = mg_snapshot_open(dir, &o, &err);
    ck_assert_ptr_nonnull(s);
    mg_snapshot_task_options drawn = { .graphs = MG_SNAPSHOT_GRAPH_BATCH | MG_SNAPSHOT_GRAPH_SAMPLE,
                                       .sample = -1 };
    if (t->ops.start_epoch)
        t->ops.start_epoch(t, 0);
    for (int k = 0; k < 3; k++) {
        mg_train_batch b;
        ck_assert_int_eq(t->ops.step(t, &b, &err), MG_OK);
        ck_assert_msg(mg_snapshot_task_step(s, t, k, &b, &drawn, &err) == MG_OK, "%s",
                      err.message);
        t->ops.update(t, 0.1);
    }
    mg_train_batch b;
    ck_assert_int_eq(t->ops.step(t, &b, &err), MG_OK);
    drawn.sample = t->samples;
    ck_assert_int_eq(mg_snapshot_task_step(s, t, 2, &b, &drawn, &err), MG_EINVAL);
    tu_assert_has(err.message, "sample 40 is outside");
    ck_assert_int_eq(mg_snapshot_close(s, &err), MG_OK);
    char *step = tu_text(dir, "snapshots/step-000000.json");
    const char *marked = strstr(step, "\"marked\":");
    ck_assert_msg(marked != NULL, "%s", step);
    long ringed = -1, drawn_index = -2;
    ck_assert_int_eq(sscanf(marked, "\"marked\":%ld,\"sample\":{\"index\":%ld", &ringed,
                            &drawn_index), 2);
    ck_assert_int_eq(ringed, drawn_index);
    tu_assert_has(step, "\"worst\":true");
    tu_assert_has(step, "\"graph\":\"snapshots/step-000000-graph.svg\"");
    tu_assert_has(step, "\"sample\":\"snapshots/step-000000-sample.svg\"");
    free(step);
    ck_assert(!tu_exists(dir, "snapshots/step-000001.json"));
    ck_assert(tu_exists(dir, "snapshots/step-000002-sample.svg"));
    mg_task_free(t);
    tu_rmrf(dir);
}
END_TEST

START_TEST(index_leaves_out_what_a_run_has_not)
{
    char dir[64];
    model t;
    record_six(dir, sizeof dir, &t, (mg_snapshot_options){ 0 }); /* no boundary */
    char *html = tu_text(dir, "index.html");
    ck_assert_ptr_null(strstr(html, "decision boundary"));
    ck_assert_ptr_null(strstr(html, "Test set"));
    ck_assert_ptr_nonnull(strstr(html, "<th>accuracy</th>"));
    free(html);
    discard(dir, &t);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *c = tcase_create("run");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, short_run_leaves_the_expected_files);
    tcase_add_test(c, manifest_lists_steps_and_files_in_order);
    tcase_add_test(c, index_lists_saved_steps_with_pictures);
    tcase_add_test(c, pictures_decode_with_sane_sizes);
    tcase_add_test(c, sample_first_json_and_inspector);
    tcase_add_test(c, sequence_sample_gives_the_page_its_positions);
    tcase_add_test(c, sequence_batch_gives_the_page_its_positions);
    tcase_add_test(c, the_sample_shown_is_named_and_marked);
    tcase_add_test(c, index_leaves_out_what_a_run_has_not);
    tcase_add_test(c, a_task_step_draws_its_worst_sample);
    suite_add_tcase(s, c);
    TCase *e = tcase_create("errors");
    tcase_add_test(e, bad_directories_are_errors);
    tcase_add_test(e, bad_steps_and_options_are_errors);
    tcase_add_test(e, due_steps_follow_every_and_the_last);
    suite_add_tcase(s, e);
    return s;
}

int main(void)
{
    return tu_run_suite(snapshot_suite());
}
