/* test_alloc_fail.c — allocation failure, SQLite's way (issue 14.3): each
 * workload below (scalar, tensor, expression, export, checkpoint) runs once
 * to count its allocations, then once more for every n with the n-th
 * allocation failing. Each time the workload must report an error (or, when
 * the failure was absorbed, finish exactly as without it), leave no partial
 * or temporary file, and leak nothing: this suite runs under LSan too.
 *
 * The library's malloc, calloc, realloc, aligned_alloc and strdup are
 * routed here by the linker (-Wl,--wrap=..., tests/meson.build): the static
 * engine is linked into this program, so every call it makes is counted;
 * libc's and zlib's own allocations are not. */
#include <check.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_checkpoint.h"
#include "mg_export.h"
#include "mg_expr.h"
#include "mg_loss.h"
#include "mg_train.h"
#include "test_util.h"

/* ---- the failing allocator ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
char *__wrap_strdup(const char *s);

static atomic_bool armed;       /* counting (only around a workload) */
static atomic_long calls;       /* allocations counted since armed */
static long fail_at;            /* this one fails (0: none) */

static bool fails(void)
{
    if (!atomic_load(&armed))
        return false;
    long k = atomic_fetch_add(&calls, 1) + 1;
    return k == fail_at;
}

void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return fails() ? NULL : __real_aligned_alloc(align, n);
}
char *__wrap_strdup(const char *s) { return fails() ? NULL : __real_strdup(s); }

static void arm(long n)
{
    fail_at = n;
    atomic_store(&calls, 0);
    atomic_store(&armed, true);
}

static long disarm(void)
{
    atomic_store(&armed, false);
    return atomic_load(&calls);
}

/* ---- the workloads: each returns true when it reports success ---- */

static char dir[64];
static char target[128];

typedef struct outcome {
    bool ok;
    char message[600]; /* what it reported, when !ok */
    double value;      /* a number its success computed */
} outcome;

static void report(outcome *o, const char *message)
{
    o->ok = false;
    snprintf(o->message, sizeof o->message, "%s", message && *message ? message : "");
}

/* micrograd's first example, by hand: d = a*b + c, L = d*f, labels, tanh. */
static void scalar_workload(outcome *o)
{
    mg_graph *g = mg_graph_new();
    if (!g) {
        report(o, "out of memory for the graph");
        return;
    }
    mg_value *a = mg_label(mg_input(g, 2), "a"), *b = mg_label(mg_input(g, -3), "b");
    mg_value *c = mg_label(mg_input(g, 10), "c"), *f = mg_label(mg_input(g, -2), "f");
    mg_scope_push(g, "neuron");
    mg_value *L = mg_tanh(mg_mul(mg_add(mg_mul(a, b), c), f));
    mg_scope_pop(g);
    if (mg_backward(L) != MG_OK)
        report(o, mg_graph_error(g));
    else
        o->value = a->grad;
    mg_graph_free(g);
}

/* A tensor MLP 4-6-3 on a batch of 5: cross-entropy, backward, an Adam step. */
static void tensor_workload(outcome *o)
{
    mg_error err = { 0 };
    mg_graph *g = mg_graph_new();
    mg_tmlp *m = g ? mg_tmlp_new(g, MG_F32, (const int[]){ 4, 6, 3 }, 3, MG_INIT_KAIMING, 3, &err)
                   : NULL;
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    mg_optim *opt = m ? mg_optim_new(m->params, m->nparams, &cfg, &err) : NULL;
    if (!opt) {
        report(o, g ? err.message : "out of memory for the graph");
    } else {
        mg_graph_keep(g);
        mg_tensor *x = mg_tensor_input(g, MG_F32, 2, (const int[]){ 5, 4 });
        if (x)
            for (int i = 0; i < 20; i++)
                mg_tensor_set(x, i, 0.1 * i - 1);
        const int32_t labels[5] = { 0, 1, 2, 1, 0 };
        mg_tensor *loss = mg_tensor_cross_entropy(mg_tmlp_forward(m, x), labels);
        if (!loss || mg_tensor_backward(loss) != MG_OK) {
            report(o, mg_graph_error(g));
        } else {
            mg_optim_step(opt);
            o->value = mg_tensor_get(m->params[0], 1);
        }
    }
    mg_optim_free(opt);
    mg_tmlp_free(m);
    mg_graph_free(g);
}

static const char PROGRAM[] = "a = 2; b = -3\n"
                              "d = a*b + c\n"
                              "e = (d * x).tanh() + d.relu() ** 2 - (a / b).exp()\n"
                              "e += x.sigmoid()\n";

/* The expression language: parse, build with bindings, backward. */
static void expr_workload(outcome *o)
{
    mg_expr_error perr;
    mg_expr *e = mg_expr_parse(PROGRAM, &perr);
    if (!e) {
        report(o, perr.message);
        return;
    }
    mg_graph *g = mg_graph_new();
    const mg_expr_binding b[] = { { "c", 10 }, { "x", 0.5 } };
    mg_value *root = NULL;
    if (!g)
        report(o, "out of memory for the graph");
    else if (mg_expr_build(e, g, b, 2, &root, NULL, &perr) != MG_OK)
        report(o, perr.message);
    else if (mg_backward(root) != MG_OK)
        report(o, mg_graph_error(g));
    else
        o->value = root->data;
    mg_graph_free(g);
    mg_expr_free(e);
}

/* The graph of PROGRAM exported as JSON and as text into dir (atomically),
 * then the JSON imported back. Failures before the export count too. */
static void export_workload(outcome *o)
{
    mg_graph *g = mg_graph_new();
    mg_expr_error perr;
    const mg_expr_binding b[] = { { "c", 10 }, { "x", 0.5 } };
    mg_value *root = g ? mg_expr_eval(g, PROGRAM, b, 2, &perr) : NULL;
    mg_error err = { 0 };
    char text_path[160];
    snprintf(text_path, sizeof text_path, "%s.txt", target);
    if (!g)
        report(o, "out of memory for the graph");
    else if (!root)
        report(o, perr.message);
    else if (mg_backward(root) != MG_OK)
        report(o, mg_graph_error(g));
    else if (mg_export_json_file(target, root, NULL, 0, 0, &err) != MG_OK ||
             mg_export_text_file(text_path, root, NULL, 0, &err) != MG_OK)
        report(o, err.message);
    else {
        size_t len;
        char *json = tu_slurp(target, &len);
        mg_graph *back = mg_graph_new();
        mg_value *r2 = NULL;
        mg_export_var *vars = NULL;
        size_t nvars = 0;
        if (!json || !back)
            report(o, "out of memory reading back");
        else if (mg_import_json(json, back, &r2, &vars, &nvars, &err) != MG_OK)
            report(o, err.message);
        else
            o->value = r2->grad + (double)nvars + (double)len;
        free(vars);
        mg_graph_free(back);
        free(json);
    }
    mg_graph_free(g);
}

/* A checkpoint of a tensor MLP with Adam and a scalar value: save, resume. */
static void checkpoint_workload(outcome *o)
{
    mg_error err = { 0 };
    mg_graph *g = mg_graph_new();
    mg_tmlp *m = g ? mg_tmlp_new(g, MG_F32, (const int[]){ 3, 4, 2 }, 3, MG_INIT_KAIMING, 9, &err)
                   : NULL;
    mg_optim_config cfg = mg_optim_defaults(MG_OPTIM_ADAM);
    mg_optim *opt = m ? mg_optim_new(m->params, m->nparams, &cfg, &err) : NULL;
    mg_value *v = opt ? mg_param(g, 0.25) : NULL;
    if (!v) {
        report(o, g ? (err.message[0] ? err.message : mg_graph_error(g)) : "out of memory");
    } else {
        mg_graph_keep(g);
        mg_train_model model = { .identity = "dataset=alloc arch=3,4,2", .params = m->params,
                                 .nparams = m->nparams, .values = &v, .nvalues = 1,
                                 .optim = opt };
        mg_train_progress p = { 2, 7 }, got = { 0 };
        if (mg_train_save(target, &model, &p, &err) != MG_OK ||
            mg_train_resume(target, &model, &got, &err) != MG_OK)
            report(o, err.message);
        else
            o->value = (double)got.step + v->data;
    }
    mg_optim_free(opt);
    mg_tmlp_free(m);
    mg_graph_free(g);
}

typedef struct workload {
    const char *name;
    void (*run)(outcome *o);
    bool writes; /* leaves files at target (and target.txt) */
} workload;

static const workload workloads[] = {
    { "scalar", scalar_workload, false },
    { "tensor", tensor_workload, false },
    { "expression", expr_workload, false },
    { "export", export_workload, true },
    { "checkpoint", checkpoint_workload, true },
};

/* The files a clean run left, by name, with their bytes. */
typedef struct file_set {
    int n;
    char name[4][256];
    char *bytes[4];
    size_t len[4];
} file_set;

static void file_set_take(file_set *s)
{
    memset(s, 0, sizeof *s);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            ck_assert_int_lt(s->n, 4);
            char path[400];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            snprintf(s->name[s->n], sizeof s->name[0], "%s", e->d_name);
            s->bytes[s->n] = tu_slurp(path, &s->len[s->n]);
            ck_assert_ptr_nonnull(s->bytes[s->n]);
            s->n++;
        }
    closedir(d);
}

static void file_set_free(file_set *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->bytes[i]);
}

/* Every file in dir is one of clean's, whole. */
static void check_left_whole(const workload *w, long n, long total, const char *why,
                             const file_set *clean)
{
    file_set left;
    file_set_take(&left);
    for (int i = 0; i < left.n; i++) {
        int k = 0;
        while (k < clean->n && strcmp(clean->name[k], left.name[i]) != 0)
            k++;
        ck_assert_msg(k < clean->n, "%s, allocation %ld of %ld failed (%s): left %s", w->name,
                      n, total, why, left.name[i]);
        ck_assert_msg(left.len[i] == clean->len[k] &&
                          memcmp(left.bytes[i], clean->bytes[k], left.len[i]) == 0,
                      "%s, allocation %ld of %ld failed (%s): %s is not whole (%zu of %zu "
                      "bytes)", w->name, n, total, why, left.name[i], left.len[i], clean->len[k]);
    }
    file_set_free(&left);
}

static void empty_dir(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char path[400];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            ck_assert_int_eq(unlink(path), 0);
        }
    closedir(d);
}

START_TEST(test_every_allocation_may_fail)
{
    const workload *w = &workloads[_i];
    tu_tmpdir(dir, sizeof dir, "mgviz-alloc");
    snprintf(target, sizeof target, "%s/out", dir);
    outcome clean = { .ok = true };
    arm(0);
    w->run(&clean);
    long total = disarm();
    ck_assert_msg(clean.ok, "%s fails without any failure: %s", w->name, clean.message);
    ck_assert_msg(total > 3, "%s: only %ld allocations counted", w->name, total);
    file_set clean_files;
    file_set_take(&clean_files);
    ck_assert_int_eq(clean_files.n, w->writes ? (w->run == export_workload ? 2 : 1) : 0);
    long reported = 0;
    for (long n = 1; n <= total; n++) {
        empty_dir();
        outcome o = { .ok = true };
        arm(n);
        w->run(&o);
        disarm();
        if (o.ok) { /* absorbed: then exactly the clean result */
            ck_assert_msg(o.value == clean.value, "%s, allocation %ld of %ld failed: success "
                          "with %g instead of %g", w->name, n, total, o.value, clean.value);
            continue;
        }
        reported++;
        ck_assert_msg(o.message[0], "%s, allocation %ld of %ld failed: an error without a "
                      "message", w->name, n, total);
        /* complete or absent: what a failed run leaves is whole, byte for
         * byte what the clean run wrote (an export may fail after its first
         * file, a checkpoint after the save) and no temporary file is left */
        check_left_whole(w, n, total, o.message, &clean_files);
    }
    file_set_free(&clean_files);
    ck_assert_msg(reported > 0, "%s: no failure was ever reported", w->name);
    printf("%s: %ld allocations, each failed once: %ld reported, %ld absorbed\n", w->name, total,
           reported, total - reported);
    tu_rmrf(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("alloc_fail");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_every_allocation_may_fail, 0,
                        (int)(sizeof workloads / sizeof *workloads));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
