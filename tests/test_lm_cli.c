/* test_lm_cli.c — the language models through the mgviz command (MGVIZ
 * names the built executable): `mgviz train --dataset words --model mlp`
 * and `--dataset fortunes --model gpt` on small word and fortune files
 * written here (val loss per period in the run, checkpoints, a resumed run
 * equal to an uninterrupted one), `mgviz sample` on their checkpoints
 * (seeded, temperature, top-k), options refused before any work with the
 * valid values named, and hostile checkpoints refused. */
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static char dir[64];

/* Words of a..z with some structure to learn (syllables), and fortunes. */
static void write_data(void)
{
    static const char *const syll[] = { "ka", "lo", "mi", "ne", "su", "ta", "ri", "po" };
    char path[512];
    snprintf(path, sizeof path, "%s/words.txt", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 600; i++) {
        int n = 1 + i % 3;
        for (int k = 0; k < n; k++)
            fputs(syll[(i * 7 + k * 3) % 8], f);
        fputs(i % 50 == 0 ? "'s\n" : "\n", f); /* not a..z: skipped */
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/fortunes", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/fortunes/sayings", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 120; i++)
        fprintf(f, "%s is as %s does.\n\t-- %s\n%%\n", syll[i % 8], syll[(i / 8) % 8],
                i % 2 ? "Anon" : "Proverb");
    fclose(f);
}

static void setup(void)
{
    tu_tmpdir(dir, sizeof dir, "test_lm_cli");
    write_data();
}

static void teardown(void) { tu_rmrf(dir); }

/* Runs `mgviz ARGS` in dir (shell text); the exit status. */
static int mgviz(const char *args) { return tu_mgviz_in(dir, "%s", args); }

/* Whether the file holds what. */
static bool says(const char *name, const char *what)
{
    char *t = tu_text(dir, name);
    const bool yes = strstr(t, what) != NULL;
    free(t);
    return yes;
}

/* The bigram baseline the command prints. */
static double bigram(const char *out)
{
    const char *p = strstr(out, "the bigram model's val loss is ");
    ck_assert_ptr_nonnull(p);
    return strtod(p + strlen("the bigram model's val loss is "), NULL);
}

#define WORDS "train --dataset words --model mlp --data-dir words.txt --no-progress "
#define GPT "train --dataset fortunes --model gpt --data-dir fortunes --context 16 --embd 16 " \
            "--layers 2 --heads 2 --batch 8 --schedule constant --lr 0.01 --no-progress "

START_TEST(words_mlp_learns_below_the_bigram_and_samples)
{
    int rc = mgviz(WORDS "--steps 600 --eval-every 200 --lr 0.01 --out r --save w.ckpt");
    char *out = tu_text(dir, "stdout"), *err = tu_text(dir, "stderr");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_uint_eq(tu_count(out, "val accuracy"), 3);
    char *steps = tu_text(dir, "r/steps.jsonl");
    ck_assert_uint_eq(tu_count(steps, "\"split\":\"val\""), 3);
    const double val = tu_last_event_number(steps, "eval", "loss"), base = bigram(out);
    ck_assert_msg(val < base - 0.1, "val loss %g, bigram %g", val, base);
    char *run = tu_text(dir, "r/run.json");
    ck_assert_ptr_nonnull(strstr(run, "\"context\":3"));
    free(out), free(err), free(steps), free(run);

    ck_assert_int_eq(mgviz("sample w.ckpt --count 8 --seed 5 > a.txt"), 0);
    ck_assert_int_eq(mgviz("sample w.ckpt --count 8 --seed 5 > b.txt"), 0);
    ck_assert_int_eq(mgviz("sample w.ckpt --count 8 --seed 6 --temperature 0.7 --top-k 5 "
                           "> c.txt"), 0);
    char *a = tu_text(dir, "a.txt"), *b = tu_text(dir, "b.txt"), *c = tu_text(dir, "c.txt");
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_uint_eq(tu_count(a, "\n"), 8);
    for (const char *p = a; *p; p++)
        ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '\n' || *p == '.', "byte %d", *p);
    /* a trained model draws the syllables it saw: most letters are in them */
    size_t known = tu_count(a, "ka") + tu_count(a, "lo") + tu_count(a, "mi") + tu_count(a, "ne") +
                   tu_count(a, "su") + tu_count(a, "ta") + tu_count(a, "ri") + tu_count(a, "po");
    const size_t letters = strlen(a) - 8;
    ck_assert_msg(2 * known >= letters / 2, "not like the words: %s", a);
    free(a), free(b), free(c);
}
END_TEST

START_TEST(gpt_on_fortunes_resumes_as_if_never_stopped)
{
    int rc = mgviz(GPT "--steps 40 --eval-every 20 --out whole");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, tu_text(dir, "stderr"));
    /* the same run, stopped after the first period and resumed */
    ck_assert_int_eq(mgviz(GPT "--steps 20 --eval-every 20 --out first --save h.ckpt"), 0);
    rc = mgviz(GPT "--steps 40 --eval-every 20 --out second --resume h.ckpt --save g.ckpt");
    char *out = tu_text(dir, "stdout");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, tu_text(dir, "stderr"));
    ck_assert_ptr_nonnull(strstr(out, "resumed"));
    char *whole = tu_text(dir, "whole/steps.jsonl"), *second = tu_text(dir, "second/steps.jsonl");
    ck_assert_double_eq(tu_last_event_number(whole, "eval", "loss"), tu_last_event_number(second, "eval", "loss"));
    /* it learns: the val loss ends below the first step's loss */
    const char *first = strstr(whole, "{\"step\":0,");
    ck_assert_ptr_nonnull(first);
    const double start = strtod(strstr(first, "\"loss\":") + 7, NULL);
    ck_assert_msg(tu_last_event_number(whole, "eval", "loss") < start - 0.5, "val loss %g, first loss %g",
                  tu_last_event_number(whole, "eval", "loss"), start);
    /* attention is named where the inspector looks for it */
    ck_assert(says("second/run.json", "gpt/block2"));
    free(out), free(whole), free(second);

    ck_assert_int_eq(mgviz("sample g.ckpt --count 3 --max-tokens 50 > s.txt"), 0);
    char *s = tu_text(dir, "s.txt");
    ck_assert_uint_eq(tu_count(s, "\n%\n"), 3);
    free(s);
}
END_TEST

/* The y of the SVG text element reading exactly text (the first one). */
static double text_y(const char *svg, const char *text)
{
    char want[128];
    snprintf(want, sizeof want, ">%s<", text);
    const char *at = strstr(svg, want), *y = NULL;
    ck_assert_msg(at != NULL, "no text %s", text);
    for (const char *p = svg; (p = strstr(p, " y=\"")) && p < at; p++)
        y = p;
    ck_assert_ptr_nonnull(y);
    return strtod(y + 4, NULL);
}

/* The SVG's width or height (attr) in points. */
static double svg_size(const char *svg, const char *attr)
{
    char want[32];
    snprintf(want, sizeof want, " %s=\"", attr);
    const char *p = strstr(strstr(svg, "<svg"), want);
    ck_assert_ptr_nonnull(p);
    return strtod(p + strlen(want), NULL);
}

/* A GPT run's snapshots: the sample's picture folds blocks 1..N-1 into one
 * group listing each block's norms, draws the last block's attention node by
 * node (its weights named by the sample's characters, blanks as visible
 * glyphs), its boxes name their tensor ops, top to bottom; the inspector
 * page carries the positions its token picker shows. */
START_TEST(gpt_snapshots_fold_blocks_and_pick_tokens)
{
    int rc = mgviz("train --dataset fortunes --model gpt --data-dir fortunes --context 16 "
                   "--embd 16 --layers 3 --heads 2 --batch 4 --steps 3 --snapshot-every 2 "
                   "--inspector --no-progress --out pics");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, tu_text(dir, "stderr"));
    char *svg = tu_text(dir, "pics/snapshots/step-000002-sample.svg");
    ck_assert_msg(strstr(svg, "class=\"node fold group\""), "no group box");
    ck_assert_ptr_nonnull(strstr(svg, ">block1, block2<"));
    ck_assert_ptr_nonnull(strstr(svg, "&#160;×2<"));
    ck_assert_ptr_nonnull(strstr(svg, ">L2 norm<"));
    ck_assert_ptr_nonnull(strstr(svg, " linear,")); /* the blocks' four x·W + b */
    /* the two + are the residual sums: each layer norm's beta is in its node */
    ck_assert_ptr_nonnull(strstr(svg, " 2 +, 2 layer_norm,"));
    ck_assert_msg(!strstr(svg, " tensor,") && !strstr(svg, " tensor<"), "a box says 'tensor'");
    ck_assert_ptr_nonnull(strstr(svg, ">block3.attn.weights<"));
    ck_assert_ptr_null(strstr(svg, ">block1.attn.weights<")); /* inside the group */
    /* drawn top to bottom, as transformers are: the open block's tables stack
     * down the page (in one line across they made it some 15,000 pt wide) */
    ck_assert_double_lt(text_y(svg, "block3.attn.weights"), text_y(svg, "block3.x_attn"));
    ck_assert_double_lt(text_y(svg, "block3.x_attn"), text_y(svg, "block3.x"));
    ck_assert_double_lt(svg_size(svg, "width"), svg_size(svg, "height"));
    free(svg);
    char *page = tu_text(dir, "pics/inspector.html");
    const char *pos = strstr(page, "\"positions\":{\"logits\":");
    ck_assert_msg(pos != NULL, "the page has no positions");
    const char *names = strstr(pos, "\"names\":[");
    ck_assert_ptr_nonnull(names);
    size_t n = 1;
    for (const char *c = names + 9; *c && *c != ']'; c++)
        n += *c == ',' && c[-1] == '"' && c[1] == '"';
    ck_assert_uint_eq(n, 16); /* one per position of the context */
    /* the sayings' blanks, shown as glyphs: "ka is as lo does.\n\t-- Anon" */
    ck_assert_ptr_nonnull(strstr(names, "\"\u2423\""));
    ck_assert_ptr_null(strstr(names, "\" \""));
    free(page);
}
END_TEST

/* An option that cannot work is refused by name, with what would, before
 * any data is read or a run directory made. */
static void refused(const char *args, const char *says)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "train %s --out never", args);
    ck_assert_int_eq(mgviz(cmd), 2);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, says) != NULL, "%s: '%s' not in: %s", args, says, err);
    ck_assert(!tu_exists(dir, "never"));
    free(err);
}

START_TEST(invalid_options_are_refused_before_work)
{
    refused("--dataset moons --model gpt", "--dataset words or fortunes, not moons");
    refused("--dataset words --model transformer", "expected mlp or gpt");
    refused("--dataset fortunes --model gpt --embd 30 --heads 4", "does not divide --embd 30");
    refused("--dataset words --model mlp --layers 2", "--layers applies to --model gpt");
    refused("--dataset words --model gpt --hidden 64", "--hidden applies to --model mlp");
    refused("--dataset words --model mlp --context 100", "from 1 to 64");
    refused("--dataset words --context 0", "from 1 to 4096");
    refused("--dataset moons --context 3", "language models: words, fortunes");
    refused("--dataset words --optimizer adamx", "sgd, momentum, adam or adamw");
    refused("--dataset words --data-dir nowhere.txt", "nowhere.txt");
    /* the checkpoint is written after the first --eval-every steps: its
     * place is tried before training */
    refused("--dataset words --steps 5 --eval-every 5 --save nowhere/w.ckpt",
            "cannot write nowhere/w.ckpt");
    /* and a run that ends before its first checkpoint would save nothing */
    refused("--dataset words --steps 5 --eval-every 10 --save w.ckpt",
            "--steps 5 ends before the first");
    ck_assert_int_eq(mgviz("sample --top-k 0 x.ckpt"), 2);
    ck_assert(says("stderr", "from 1 to"));
    ck_assert_int_eq(mgviz("sample --temperature -1 x.ckpt"), 2);
    ck_assert_int_eq(mgviz("sample --tempreature 1 x.ckpt"), 2);
    ck_assert(says("stderr", "--temperature"));
    ck_assert_int_eq(mgviz("sample"), 2);
}
END_TEST

START_TEST(sample_refuses_hostile_checkpoints)
{
    /* missing, not a checkpoint, cut short */
    ck_assert_int_eq(mgviz("sample missing.ckpt"), 2);
    ck_assert(says("stderr", "missing.ckpt"));
    ck_assert_int_eq(mgviz("sample words.txt"), 2);
    ck_assert_int_eq(mgviz(WORDS "--steps 3 --eval-every 3 --out r --save w.ckpt"), 0);
    ck_assert_int_eq(mgviz("sample w.ckpt --count 1"), 0);
    ck_assert_int_eq(tu_run(dir, "head -c 300 \"$D/w.ckpt\" > \"$D/cut.ckpt\""), 0);
    ck_assert_int_eq(mgviz("sample cut.ckpt"), 2);
    /* one flipped byte: the CRC */
    ck_assert_int_eq(tu_run(dir, "cp \"$D/w.ckpt\" \"$D/flip.ckpt\" && printf 'Z' | dd "
                                 "of=\"$D/flip.ckpt\" bs=1 seek=400 conv=notrunc 2>/dev/null"),
                     0);
    ck_assert_int_eq(mgviz("sample flip.ckpt"), 2);
    /* another kind of model: the moons */
    ck_assert_int_eq(mgviz("train --dataset moons --engine tensor --steps 2 --out m "
                           "--save m.ckpt --snapshot-every 0 --no-progress"), 0);
    ck_assert_int_eq(mgviz("sample m.ckpt"), 2);
    char *err = tu_text(dir, "stderr");
    ck_assert_msg(strstr(err, "not a language model") != NULL, "%s", err);
    free(err);
    /* a valid file of 200 bytes declaring a 32-block GPT 4096 wide (26 GB of
     * weights): refused from its size before anything is built, in 1 GB */
    ck_assert_int_eq(tu_run(dir, "/usr/bin/python3 -c \"import struct, sys, zlib; "
                                 "m = b'mgviz-train dataset=words model=gpt engine=tensor "
                                 "context=4096 layers=32 heads=64 embd=4096 vocab=00000000000000"
                                 "0000000000efffff70 dtype=f32 optim=adamw epoch=1 steps=2'; "
                                 "b = b'MGCKPT\\r\\n' + struct.pack('<II', 1, len(m)) + m + "
                                 "struct.pack('<I', 0); sys.stdout.buffer.write(b + "
                                 "struct.pack('<I', zlib.crc32(b)))\" > \"$D/huge.ckpt\""),
                     0);
    /* (AddressSanitizer's shadow memory needs more address space than that) */
    ck_assert_int_eq(tu_run(dir, "%s cd \"$D\" && '%s' sample huge.ckpt",
                            getenv("MG_SANITIZED") ? "" : "ulimit -v 1000000;", tu_mgviz()),
                     2);
    ck_assert(says("stderr", "bytes of weights, but the file holds"));
    /* --top-k beyond this model's vocabulary names it */
    ck_assert_int_eq(mgviz("sample w.ckpt --top-k 100"), 2);
    ck_assert(says("stderr", "the model's tokens"));
}
END_TEST

static Suite *lm_cli_suite(void)
{
    Suite *s = suite_create("lm_cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, words_mlp_learns_below_the_bigram_and_samples);
    tcase_add_test(tc, gpt_on_fortunes_resumes_as_if_never_stopped);
    tcase_add_test(tc, gpt_snapshots_fold_blocks_and_pick_tokens);
    tcase_add_test(tc, invalid_options_are_refused_before_work);
    tcase_add_test(tc, sample_refuses_hostile_checkpoints);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(lm_cli_suite()); }
