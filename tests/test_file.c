/* test_file.c — files are complete or absent (mg_file.h), whole-file reads
 * stop at a cap (mg_limits.h), sizes from input are checked (mg_size.h). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_buf.h"
#include "mg_file.h"
#include "mg_format.h"
#include "mg_limits.h"
#include "mg_size.h"
#include "test_util.h"

static char dir[64];
static char target[128];

static void setup(void)
{
    tu_tmpdir(dir, sizeof dir, "mgviz-file");
    snprintf(target, sizeof target, "%s/out.txt", dir);
}

static void teardown(void) { tu_rmrf(dir); }

/* How many entries dir holds besides . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_atomic_write_replaces_whole)
{
    write_text(target, "old contents");
    mg_error err;
    ck_assert_int_eq(mg_file_write_atomic(target, "new", 3, &err), MG_OK);
    char *text = tu_slurp(target, NULL);
    ck_assert_str_eq(text, "new");
    free(text);
    ck_assert_int_eq(entries(), 1); /* no temporary file left */
    /* a new file gets 0666 less the umask, like any other */
    mode_t mask = umask(022);
    ck_assert_int_eq(mg_file_write_atomic(target, "x", 1, &err), MG_OK);
    umask(mask);
    struct stat st;
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
}
END_TEST

/* A link planted where the file goes is replaced, never written through. */
START_TEST(test_planted_link_is_not_followed)
{
    char victim[128];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    write_text(victim, "precious");
    ck_assert_int_eq(symlink(victim, target), 0);
    ck_assert_int_eq(mg_file_write_atomic(target, "data", 4, NULL), MG_OK);
    char *text = tu_slurp(victim, NULL);
    ck_assert_str_eq(text, "precious");
    free(text);
    struct stat st;
    ck_assert_int_eq(lstat(target, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
}
END_TEST

/* A file written at the end of a long job is tried first: its directory
 * takes a new file (made and removed), and it is not a directory. */
START_TEST(test_writable_is_checked_before_writing)
{
    mg_error err;
    ck_assert_int_eq(mg_file_check_writable(target, &err), MG_OK);
    ck_assert_int_eq(access(target, F_OK), -1); /* nothing left behind */
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        entries += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 0);
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/x.ckpt", dir);
    ck_assert_int_eq(mg_file_check_writable(path, &err), MG_EIO);
    ck_assert(strstr(err.message, path) && strstr(err.message, "No such file"));
    ck_assert_int_eq(mg_file_check_writable(dir, &err), MG_EIO);
    ck_assert(strstr(err.message, "is a directory"));
}
END_TEST

/* A directory a program keeps its own files in is made, or found, as a
 * directory: a link there, even to a directory, is refused. */
START_TEST(test_own_dir_is_never_a_link)
{
    mg_error err;
    char sub[256], link[256];
    snprintf(sub, sizeof sub, "%s/snapshots", dir);
    snprintf(link, sizeof link, "%s/linked", dir);
    ck_assert_int_eq(mg_file_make_own_dir(sub, &err), MG_OK);
    ck_assert_int_eq(mg_file_make_own_dir(sub, &err), MG_OK); /* already there */
    ck_assert_int_eq(symlink(sub, link), 0);
    ck_assert_int_eq(mg_file_make_own_dir(link, &err), MG_EIO);
    ck_assert_msg(strstr(err.message, "is a link"), "%s", err.message);
    write_text(target, "x");
    ck_assert_int_eq(mg_file_make_own_dir(target, &err), MG_EIO);
    ck_assert_msg(strstr(err.message, "not a directory"), "%s", err.message);
    unlink(link);
    unlink(target);
    rmdir(sub);
}
END_TEST

/* Streaming: many small puts and one large one arrive in order. */
START_TEST(test_streamed_write)
{
    mg_file_out f;
    mg_error err;
    ck_assert_int_eq(mg_file_begin(&f, target, &err), MG_OK);
    size_t big = 300000;
    char *block = malloc(big);
    for (size_t i = 0; i < big; i++)
        block[i] = (char)('a' + i % 26);
    for (int i = 0; i < 1000; i++)
        mg_file_put(&f, "0123456789", 10);
    mg_file_put(&f, block, big);
    mg_file_put(&f, "end", 3);
    ck_assert_int_eq(entries(), 1); /* the temporary file, not yet the target */
    ck_assert_int_ne(access(target, F_OK), 0);
    ck_assert_int_eq(mg_file_commit(&f, &err), MG_OK);
    size_t len;
    char *text = tu_slurp(target, &len);
    ck_assert_uint_eq(len, 10000 + big + 3);
    ck_assert_int_eq(memcmp(text + 9990, "0123456789", 10), 0);
    ck_assert_int_eq(memcmp(text + 10000, block, big), 0);
    ck_assert_str_eq(text + 10000 + big, "end");
    free(text);
    free(block);
    ck_assert_int_eq(entries(), 1);
}
END_TEST

/* A write that fails half-way (the file size limit stands in for a full
 * disk) leaves the old file and no temporary one, and says why. */
START_TEST(test_failed_write_leaves_old_file)
{
    write_text(target, "old");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {4096, 4096};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    size_t n = 100000;
    char *data = calloc(n, 1);
    mg_error err;
    ck_assert_int_eq(mg_file_write_atomic(target, data, n, &err), MG_EIO);
    ck_assert_msg(strstr(err.message, target) && strstr(err.message, strerror(EFBIG)), "%s",
                  err.message);
    char *text = tu_slurp(target, NULL);
    ck_assert_str_eq(text, "old");
    free(text);
    free(data);
    ck_assert_int_eq(entries(), 1);
    mg_file_out f;
    ck_assert_int_eq(mg_file_begin(&f, target, &err), MG_OK);
    mg_file_put(&f, "partial", 7);
    mg_file_abort(&f);
    ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_unwritable_directory_is_an_error)
{
    mg_error err;
    ck_assert_int_eq(mg_file_write_atomic("/nonexistent-dir/x.txt", "a", 1, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/x.txt"));
    /* a name too long for a temporary file beside it still works */
    char longname[400];
    int k = snprintf(longname, sizeof longname, "%s/", dir);
    memset(longname + k, 'n', 250);
    strcpy(longname + k + 250, ".txt");
    ck_assert_int_eq(mg_file_write_atomic(longname, "long", 4, &err), MG_OK);
    ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_reads_stop_at_the_cap)
{
    write_text(target, "0123456789");
    char *data;
    size_t len;
    mg_error err;
    ck_assert_int_eq(mg_file_read(target, 10, &data, &len, &err), MG_OK);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(data, "0123456789");
    free(data);
    ck_assert_int_eq(mg_file_read(target, 9, &data, &len, &err), MG_EFORMAT);
    ck_assert_ptr_null(data);
    ck_assert_ptr_nonnull(strstr(err.message, "larger than 9 bytes"));
    /* an endless device is read only up to the cap, which the message names */
    mg_limits_set(&(mg_limits){.input_bytes = 1 << 20});
    ck_assert_int_eq(mg_file_read("/dev/zero", 0, &data, &len, &err), MG_EFORMAT);
    ck_assert_msg(strstr(err.message, "cap of 1 MiB") && strstr(err.message, "MGVIZ_MAX_INPUT_BYTES"),
                  "%s", err.message);
    mg_limits_set(NULL);
    ck_assert_uint_eq(mg_limits_get().input_bytes, (size_t)1 << 30);
    ck_assert_int_eq(mg_file_read("/nonexistent-file", 0, &data, &len, &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-file"));
}
END_TEST

/* The caps come from the environment, read at first use (each test runs in
 * its own process). */
START_TEST(test_caps_from_the_environment)
{
    setenv("MGVIZ_MAX_INPUT_BYTES", "3M", 1);
    setenv("MGVIZ_MAX_IMAGE_PIXELS", "not a number", 1);
    mg_limits l = mg_limits_get();
    ck_assert_uint_eq(l.input_bytes, (size_t)3 << 20);
    ck_assert_uint_eq(l.image_pixels, 65536);
    char text[32];
    ck_assert_str_eq(mg_limits_bytes((size_t)3 << 20, text, sizeof text), "3 MiB");
    ck_assert_str_eq(mg_limits_bytes(1000, text, sizeof text), "1000 bytes");
}
END_TEST

START_TEST(test_sizes_are_checked)
{
    size_t out;
    ck_assert(mg_size_mul(1u << 20, 1u << 20, &out));
    ck_assert_uint_eq(out, (size_t)1 << 40);
    ck_assert(!mg_size_mul(SIZE_MAX / 2 + 1, 2, &out));
    ck_assert_uint_eq(out, SIZE_MAX);
    ck_assert(!mg_size_add(SIZE_MAX, 1, &out));
    /* the product the --top overflow made: 2305843009213693953 * 8 wraps to 8 */
    ck_assert_ptr_null(mg_alloc_array(2305843009213693953ull, 8));
    void *p = mg_alloc_array(0, 8);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(mg_realloc_array(p, SIZE_MAX, 2));
    free(p);
    /* growth stops at the count's type: label storage's uint32_t capacity
     * doubled from 2 GiB wrapped to 0 and looped for ever */
    ck_assert(mg_size_grow(0, 5, 16, UINT32_MAX, &out));
    ck_assert_uint_eq(out, 16);
    ck_assert(mg_size_grow(16, 17, 16, UINT32_MAX, &out));
    ck_assert_uint_eq(out, 32);
    ck_assert(mg_size_grow(1u << 31, (1u << 31) + 1, 16, UINT32_MAX, &out));
    ck_assert_uint_eq(out, UINT32_MAX);
    ck_assert(!mg_size_grow(1u << 31, (size_t)UINT32_MAX + 1, 16, UINT32_MAX, &out));
    ck_assert(mg_size_grow(SIZE_MAX / 2 + 1, SIZE_MAX, 16, SIZE_MAX, &out));
    ck_assert_uint_eq(out, SIZE_MAX);
}
END_TEST

/* Input shown to a terminal: control bytes, DEL, C1 controls and broken
 * UTF-8 become \xNN; printable text, tabs and real UTF-8 stay. */
/* Parallel arrays grow together; when one cannot, every array still holds
 * its items at the old capacity, so the caller can go on or free them. */
START_TEST(test_parallel_arrays_grow_together)
{
    long *steps = NULL;
    double *loss = NULL;
    void *arrays[] = { &steps, &loss };
    const size_t sizes[] = { sizeof *steps, sizeof *loss };
    ck_assert(mg_realloc_arrays(4, 2, arrays, sizes));
    for (int i = 0; i < 4; i++) {
        steps[i] = i;
        loss[i] = 0.5 * i;
    }
    ck_assert(mg_realloc_arrays(1000, 2, arrays, sizes));
    steps[999] = 999;
    loss[999] = 1.0;
    const size_t huge[] = { sizeof *steps, SIZE_MAX / 8 };
    ck_assert(!mg_realloc_arrays(1000, 2, arrays, huge));
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(steps[i], i);
        ck_assert(loss[i] == 0.5 * i);
    }
    ck_assert_int_eq(steps[999], 999);
    free(steps);
    free(loss);
}
END_TEST

START_TEST(test_visible_text)
{
    char buf[128];
    const char in[] = "a\tb\x1b[31m\n\x7f\xc3\xa9\xc2\x9b\x9b\xe2\x82\xac\xed\xa0\x80\xff";
    ck_assert_uint_eq(mg_format_visible(in, sizeof in - 1, false, buf, sizeof buf), strlen(buf));
    ck_assert_str_eq(buf, "a\tb\\x1b[31m\\x0a\\x7f\xc3\xa9\\xc2\\x9b\\x9b\xe2\x82\xac"
                          "\\xed\\xa0\\x80\\xff");
    mg_format_visible("x\ny", 3, true, buf, sizeof buf);
    ck_assert_str_eq(buf, "x\ny");
    ck_assert_uint_eq(mg_format_visible("\x01\x02", 2, false, buf, 5), 8); /* cut, counted */
    ck_assert_str_eq(buf, "\\x01");
    ck_assert_uint_eq(mg_format_visible_char("\xe2\x82", 2), 0); /* cut short */
}
END_TEST

/* JSON is UTF-8: a string's bytes that are not (a run.json written by
 * another program, a label of Latin-1 bytes) are written as U+FFFD, real
 * UTF-8 as it is, so every JSON we write reads back strictly. */
START_TEST(test_json_strings_are_utf8)
{
    mg_buf b = { 0 };
    mg_buf_json_string(&b, "\xff a \xc3\xa9 \xed\xa0\x80 \xe2\x82\xac \xc0\xaf \xf0\x9f\x98\x80 \xe2\x82");
    mg_buf_put(&b, "", 1);
    ck_assert_str_eq(b.p, "\"\\ufffd a \xc3\xa9 \\ufffd\\ufffd\\ufffd \xe2\x82\xac \\ufffd\\ufffd "
                          "\xf0\x9f\x98\x80 \\ufffd\\ufffd\"");
    mg_buf_free(&b);
    ck_assert_uint_eq(mg_utf8_length("\xf0\x9f\x98\x80", 4), 4);
    ck_assert_uint_eq(mg_utf8_length("\xf0\x9f\x98\x80", 3), 0); /* cut short */
    ck_assert_uint_eq(mg_utf8_length("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    ck_assert_uint_eq(mg_utf8_length("A", 1), 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_atomic_write_replaces_whole);
    tcase_add_test(tc, test_planted_link_is_not_followed);
    tcase_add_test(tc, test_streamed_write);
    tcase_add_test(tc, test_own_dir_is_never_a_link);
    tcase_add_test(tc, test_writable_is_checked_before_writing);
    tcase_add_test(tc, test_failed_write_leaves_old_file);
    tcase_add_test(tc, test_unwritable_directory_is_an_error);
    tcase_add_test(tc, test_reads_stop_at_the_cap);
    tcase_add_test(tc, test_caps_from_the_environment);
    tcase_add_test(tc, test_sizes_are_checked);
    tcase_add_test(tc, test_parallel_arrays_grow_together);
    tcase_add_test(tc, test_visible_text);
    tcase_add_test(tc, test_json_strings_are_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
