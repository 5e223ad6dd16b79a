/* test_text.c — the text readers on files the test writes: which words and
 * fortunes are kept, cleaning (CRLF, overstrike, UTF-8, control bytes),
 * hostile files (empty, binary, one huge line, past the input cap, a
 * directory of no fortune files), the seeded split, the vocabulary key and
 * the bigram baseline. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_limits.h"
#include "mg_text.h"
#include "test_util.h"

static char dir[64];

static void setup(void) { tu_tmpdir(dir, sizeof dir, "test_text"); }
static void teardown(void) { tu_rmrf(dir); }

/* Writes n bytes to dir/name; returns the path (static). */
static const char *put(const char *name, const char *bytes, size_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

static const char *put_text(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

/* The documents of both streams, each followed by '\n' in stream order
 * (train first), written as their bytes. */
static char *documents(const mg_text *t)
{
    size_t cap = t->ntrain + t->nval + 1, n = 0;
    char *s = malloc(cap);
    const int32_t *streams[] = { t->train, t->val };
    const size_t lens[] = { t->ntrain, t->nval };
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(streams[k][0], MG_TOKEN_END);
        ck_assert_int_eq(streams[k][lens[k] - 1], MG_TOKEN_END);
        for (size_t i = 1; i < lens[k]; i++) {
            int32_t id = streams[k][i];
            ck_assert(id >= 0 && id < t->vocab.size);
            s[n++] = id == MG_TOKEN_END ? '|' : (char)t->vocab.byte[id];
        }
    }
    s[n] = '\0';
    return s;
}

/* True when doc (between '|') is one of docs. */
static bool has_doc(const char *docs, const char *doc)
{
    char want[256];
    snprintf(want, sizeof want, "|%s|", doc);
    size_t n = strlen(docs);
    char *framed = malloc(n + 2);
    framed[0] = '|';
    memcpy(framed + 1, docs, n + 1);
    bool found = strstr(framed, want) != NULL;
    free(framed);
    return found;
}

static size_t count_docs(const mg_text *t) { return t->docs_train + t->docs_val; }

START_TEST(words_keeps_lowercase_words_only)
{
    char big[300];
    memset(big, 'a', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    char text[600];
    snprintf(text, sizeof text, "cat\nDog\naardvark's\ncaf\xc3\xa9\n\nzebra\r\nx\n%sox", big);
    const char *path = put_text("words", text);
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_words(path, &(mg_text_options){ .seed = 1 }, &t, &err), MG_OK);
    ck_assert_uint_eq(count_docs(&t), 4); /* cat zebra x ox */
    ck_assert_uint_eq(t.skipped, 4);      /* Dog, aardvark's, café, 298 a's */
    ck_assert_uint_eq(t.files, 1);
    char *docs = documents(&t);
    ck_assert(has_doc(docs, "cat") && has_doc(docs, "zebra") && has_doc(docs, "x") &&
              has_doc(docs, "ox"));
    /* END and the letters used: a b c e o r t x z */
    ck_assert_int_eq(t.vocab.size, 10);
    ck_assert_int_eq(t.vocab.byte[0], '.');
    ck_assert_int_eq(t.vocab.byte[1], 'a');
    ck_assert_int_eq(t.vocab.id['z'], 9);
    ck_assert_int_eq(t.vocab.id['d'], -1);
    free(docs);
    mg_text_free(&t);
}
END_TEST

START_TEST(words_reads_a_directory_holding_american_english)
{
    put_text("american-english", "one\ntwo\nthree\n");
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_words(dir, NULL, &t, &err), MG_OK);
    ck_assert_uint_eq(count_docs(&t), 3);
    mg_text_free(&t);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/nothing", dir);
    ck_assert_int_eq(mg_text_load_words(missing, NULL, &t, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "nothing"));
}
END_TEST

START_TEST(words_refuses_files_without_two_words)
{
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_words(put_text("empty", ""), NULL, &t, &err), MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "0 words of a..z only"));
    ck_assert_ptr_null(t.train);
    ck_assert_int_eq(mg_text_load_words(put_text("one", "solo\n"), NULL, &t, &err), MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "1 words"));
    /* binary: every byte value, NULs included, and no newline for 64 KiB */
    size_t n = 1 << 16;
    char *bin = malloc(n);
    for (size_t i = 0; i < n; i++)
        bin[i] = (char)(i * 2654435761u >> 13);
    for (size_t i = 0; i < n; i++)
        if (bin[i] == '\n')
            bin[i] = 0;
    ck_assert_int_eq(mg_text_load_words(put("binary", bin, n), NULL, &t, &err), MG_EFORMAT);
    ck_assert_uint_eq(t.ntrain, 0);
    free(bin);
}
END_TEST

START_TEST(words_survive_a_huge_line)
{
    size_t n = 3u << 20;
    char *text = malloc(n + 32);
    memset(text, 'q', n);
    strcpy(text + n, "\nhello\nworld\n");
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_words(put_text("huge", text), NULL, &t, &err), MG_OK);
    ck_assert_uint_eq(count_docs(&t), 2);
    ck_assert_uint_eq(t.skipped, 1);
    mg_text_free(&t);
    free(text);
}
END_TEST

START_TEST(readers_stop_at_the_input_cap)
{
    char text[4096];
    for (int i = 0; i < 400; i++)
        memcpy(text + 10 * i, "abcdefghi\n", 10);
    text[4000] = '\0';
    const char *path = put_text("many", text);
    mg_limits_set(&(mg_limits){ .input_bytes = 1000 });
    mg_text t;
    mg_error err;
    mg_code rc = mg_text_load_words(path, NULL, &t, &err);
    mg_limits_set(&(mg_limits){ 0 });
    ck_assert_int_eq(rc, MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "many"));
    /* fortunes across files: the cap counts every file read */
    char sub[128];
    snprintf(sub, sizeof sub, "%s/f", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    put_text("f/a", "first fortune\n%\nsecond\n");
    put_text("f/b", "third\n%\nfourth\n");
    mg_limits_set(&(mg_limits){ .input_bytes = 30 });
    rc = mg_text_load_fortunes(sub, NULL, &t, &err);
    mg_limits_set(&(mg_limits){ 0 });
    ck_assert_int_eq(rc, MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "input cap"));
}
END_TEST

START_TEST(split_is_seeded_and_complete)
{
    put_text("american-english", "aa\nbb\ncc\ndd\nee\nff\ngg\nhh\nii\njj\n");
    mg_text a, b, c;
    mg_error err;
    mg_text_options o = { .seed = 7, .val_fraction = 0.5 };
    ck_assert_int_eq(mg_text_load_words(dir, &o, &a, &err), MG_OK);
    ck_assert_int_eq(mg_text_load_words(dir, &o, &b, &err), MG_OK);
    o.seed = 8;
    ck_assert_int_eq(mg_text_load_words(dir, &o, &c, &err), MG_OK);
    ck_assert_uint_eq(a.docs_val, 5);
    ck_assert_uint_eq(a.docs_train, 5);
    char *da = documents(&a), *db = documents(&b), *dc = documents(&c);
    ck_assert_str_eq(da, db);
    ck_assert_str_ne(da, dc);
    const char *words[] = { "aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii", "jj" };
    for (int i = 0; i < 10; i++)
        ck_assert_msg(has_doc(da, words[i]), "%s missing from %s", words[i], da);
    /* the default fraction: a tenth, at least one */
    mg_text_free(&c);
    ck_assert_int_eq(mg_text_load_words(dir, NULL, &c, &err), MG_OK);
    ck_assert_uint_eq(c.docs_val, 1);
    /* the first max_docs documents, before the split */
    mg_text_free(&c);
    ck_assert_int_eq(mg_text_load_words(dir, &(mg_text_options){ .max_docs = 3 }, &c, &err),
                     MG_OK);
    ck_assert_uint_eq(count_docs(&c), 3);
    char *d3 = documents(&c);
    ck_assert(has_doc(d3, "aa") && has_doc(d3, "bb") && has_doc(d3, "cc"));
    free(d3);
    free(da);
    free(db);
    free(dc);
    mg_text_free(&a);
    mg_text_free(&b);
    mg_text_free(&c);
    ck_assert_int_eq(mg_text_load_words(dir, &(mg_text_options){ .val_fraction = 0.9 }, &a,
                                        &err), MG_EINVAL);
}
END_TEST

START_TEST(fortunes_are_cleaned)
{
    const char text[] = "one\n%\ntwo\r\nlines\n\n%\n%\n_\bI am\n\tx\xc3\xa9y\x01\n%\n\b\n";
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_fortunes(put("f", text, sizeof text - 1), NULL, &t, &err),
                     MG_OK);
    char *docs = documents(&t);
    ck_assert_uint_eq(count_docs(&t), 3);
    ck_assert_msg(has_doc(docs, "one"), "%s", docs);
    ck_assert_msg(has_doc(docs, "two\nlines"), "%s", docs);
    ck_assert_msg(has_doc(docs, "I am\n\txy"), "%s", docs);
    /* \r, _ and its backspace, the two bytes of é, \x01, the lone backspace */
    ck_assert_uint_eq(t.skipped, 7);
    ck_assert_int_eq(t.vocab.byte[0], '%');
    ck_assert_int_eq(t.vocab.id['\t'], 1);
    ck_assert_int_eq(t.vocab.id['\n'], 2);
    free(docs);
    mg_text_free(&t);
}
END_TEST

START_TEST(fortunes_read_a_directory_in_name_order)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s/d", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    put_text("d/zeta", "z one\n%\nz two\n");
    put_text("d/alpha", "a one\n%\na two\n");
    put_text("d/alpha.dat", "not text\n%\nindex\n");
    put_text("d/art", "  /\\_/\\\n%\n ( o.o )\n");
    char link[192], target[192];
    snprintf(link, sizeof link, "%s/alias", sub);
    snprintf(target, sizeof target, "%s/alpha", sub);
    ck_assert_int_eq(symlink(target, link), 0);
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_fortunes(sub, &(mg_text_options){ .max_docs = 3 }, &t, &err),
                     MG_OK);
    ck_assert_uint_eq(t.files, 2);
    char *docs = documents(&t);
    /* alpha's two, then zeta's first: name order, before the split */
    ck_assert(has_doc(docs, "a one") && has_doc(docs, "a two") && has_doc(docs, "z one"));
    ck_assert(!has_doc(docs, "z two") && !strstr(docs, "index") && !strstr(docs, "o.o"));
    free(docs);
    mg_text_free(&t);
    /* a directory of no fortune files */
    char empty[128];
    snprintf(empty, sizeof empty, "%s/e", dir);
    ck_assert_int_eq(mkdir(empty, 0700), 0);
    put_text("e/x.dat", "x\n");
    ck_assert_int_eq(mg_text_load_fortunes(empty, NULL, &t, &err), MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "no fortune files"));
}
END_TEST

START_TEST(fortunes_of_binary_bytes_do_not_crash)
{
    size_t n = 1 << 16;
    char *bin = malloc(n);
    for (size_t i = 0; i < n; i++)
        bin[i] = (char)(i * 2654435761u >> 11);
    mg_text t;
    mg_error err;
    mg_code rc = mg_text_load_fortunes(put("bin", bin, n), NULL, &t, &err);
    if (rc == MG_OK) {
        for (size_t i = 0; i < t.ntrain; i++)
            ck_assert(t.train[i] >= 0 && t.train[i] < t.vocab.size);
        for (int k = 1; k < t.vocab.size; k++)
            ck_assert(t.vocab.byte[k] == '\t' || t.vocab.byte[k] == '\n' ||
                      (t.vocab.byte[k] >= 0x20 && t.vocab.byte[k] < 0x7f));
        ck_assert_uint_gt(t.skipped, 0);
        mg_text_free(&t);
    } else {
        ck_assert_int_eq(rc, MG_EFORMAT);
    }
    ck_assert_int_eq(mg_text_load_fortunes(put_text("none", "%\n%\n\n%\n"), NULL, &t, &err),
                     MG_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "0 fortunes"));
    free(bin);
}
END_TEST

START_TEST(vocabulary_key_round_trips)
{
    bool present[256] = { false };
    present['\n'] = present['a'] = present['z'] = present['~'] = true;
    mg_vocab v, w;
    mg_error err;
    ck_assert_int_eq(mg_vocab_make(&v, present, '%', &err), MG_OK);
    ck_assert_int_eq(v.size, 5);
    char key[MG_VOCAB_KEY_SIZE];
    mg_vocab_key(&v, key, sizeof key);
    ck_assert_uint_eq(strlen(key), 32);
    ck_assert_str_eq(key, "00400000000000000000000020000044");
    ck_assert_int_eq(mg_vocab_from_key(&w, key, '%', &err), MG_OK);
    ck_assert_mem_eq(&v, &w, sizeof v);
    ck_assert_int_eq(mg_vocab_from_key(&w, "0040", '%', &err), MG_EFORMAT);
    ck_assert_int_eq(mg_vocab_from_key(&w, "00400000000000000000000020000004x", '%', &err),
                     MG_EFORMAT);
    ck_assert_int_eq(mg_vocab_from_key(&w, "00000000000000000000000000000000", '%', &err),
                     MG_EFORMAT);
    ck_assert_int_eq(mg_vocab_from_key(&w, "10000000000000000000000000000000", '%', &err),
                     MG_EFORMAT); /* byte 0 may not be a token */
    present[0x80] = true;
    ck_assert_int_eq(mg_vocab_make(&v, present, '%', &err), MG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "0x80"));
}
END_TEST

START_TEST(bigram_counts_with_add_alpha)
{
    /* train and val are each END a b END: every pair has count 1 of the
     * row's 1 + 3 alpha, so P = 2/4 with alpha 1 and the loss is log 2 */
    put_text("american-english", "ab\nab\n");
    mg_text t;
    mg_error err;
    ck_assert_int_eq(mg_text_load_words(dir, NULL, &t, &err), MG_OK);
    double train, val;
    ck_assert_int_eq(mg_text_bigram(&t, 1.0, &train, &val, &err), MG_OK);
    ck_assert_double_eq_tol(train, log(2.0), 1e-12);
    ck_assert_double_eq_tol(val, log(2.0), 1e-12);
    /* alpha 0.5: P = 1.5/2.5 */
    ck_assert_int_eq(mg_text_bigram(&t, 0.5, &train, &val, &err), MG_OK);
    ck_assert_double_eq_tol(train, -log(1.5 / 2.5), 1e-12);
    ck_assert_int_eq(mg_text_bigram(&t, 0, &train, &val, &err), MG_EINVAL);
    mg_text_free(&t);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("readers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, words_keeps_lowercase_words_only);
    tcase_add_test(tc, words_reads_a_directory_holding_american_english);
    tcase_add_test(tc, words_refuses_files_without_two_words);
    tcase_add_test(tc, words_survive_a_huge_line);
    tcase_add_test(tc, readers_stop_at_the_input_cap);
    tcase_add_test(tc, split_is_seeded_and_complete);
    tcase_add_test(tc, fortunes_are_cleaned);
    tcase_add_test(tc, fortunes_read_a_directory_in_name_order);
    tcase_add_test(tc, fortunes_of_binary_bytes_do_not_crash);
    tcase_add_test(tc, vocabulary_key_round_trips);
    tcase_add_test(tc, bigram_counts_with_add_alpha);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(text_suite()); }
