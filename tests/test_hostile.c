/* test_hostile.c — the mgviz command against hostile input, memory and
 * file systems (issue 14's reproducers and their kin): no crash, no exit 0
 * with a damaged or missing output, no file outside the target, a message
 * naming the problem. MGVIZ names the built command (meson sets it). */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static char dir[64];

static void setup(void) { tu_tmpdir(dir, sizeof dir, "mgviz-hostile"); }
static void teardown(void) { tu_rmrf(dir); }

/* The test runs under ASan, where address-space limits do not apply. */
static bool sanitized(void) { return getenv("MG_SANITIZED") != NULL; }

/* A name of about a thousand characters drawn in every picture format. */
START_TEST(test_long_name_in_pictures)
{
    static const char *const formats[] = {"svg", "png", "html", "dot"};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(tu_run(dir, "cd \"$D\" && printf '%%0999d' 0 | tr 0 v >F && printf '*x' >>F &&"
                                     " '%s' expr -f F x=1 -o l.%s", tu_mgviz(), formats[i]), 0);
        char name[16];
        snprintf(name, sizeof name, "l.%s", formats[i]);
        ck_assert(tu_exists(dir, name));
    }
    tu_file_has(dir, "l.svg", "vvvvvvvvvvvvvvvvvvvv");
}
END_TEST

/* --top far beyond any graph (its byte count used to wrap to 8). */
START_TEST(test_top_beyond_the_graph)
{
    ck_assert_int_eq(tu_run(dir, "'%s' inspect 'x*y+z' x=1 y=2 z=3 --top 2305843009213693953",
                            tu_mgviz()), 0);
    tu_file_has(dir, "stdout", "leaves with the largest |grad| (3)");
    ck_assert_int_eq(tu_run(dir, "'%s' inspect 'x*y+z' x=1 y=2 z=3 --top 18446744073709551615 --json",
                            tu_mgviz()), 0);
    tu_file_has(dir, "stdout", "\"top\":[");
}
END_TEST

/* Output that cannot be written is an error with a message, never exit 0. */
START_TEST(test_full_stdout_is_an_error)
{
    static const char *const commands[] = {
        "inspect 'x*y+z' x=1 y=2 z=3",
        "inspect 'x*y+z' x=1 y=2 z=3 --json",
        "expr 'x*y' x=1 y=2 --format json",
        "expr 'x*y' x=1 y=2 --format text",
        "expr 'x*y' x=1 y=2 --format dot",
        "expr 'x*y' x=1 y=2 -o \"$D/g.svg\"",
        "--help",
        "help expr",
        "--version",
        "expr \"$(seq -s + -f v%g 1 5000)\" --format json", /* more than a buffer */
        "train --steps 2 --out \"$D/run\" --force",
    };
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        int status = tu_run(dir, "'%s' %s >/dev/full", tu_mgviz(), commands[i]);
        ck_assert_msg(status == 2, "'%s' >/dev/full exited %d", commands[i], status);
        char *err = tu_text(dir, "stderr");
        /* the reason when the failing write is known, at least the stream */
        ck_assert_msg(strstr(err, "No space left on device") ||
                          strstr(err, "cannot write to standard output"),
                      "'%s': %s", commands[i], err);
        free(err);
    }
    /* a server whose address cannot be printed does not keep running */
    ck_assert_int_eq(tu_run(dir, "timeout 20 '%s' serve --port 0 \"$D\" >/dev/full", tu_mgviz()),
                     2);
    tu_file_has(dir, "stderr", "the server's address would be lost");
    /* a batch's lines likewise */
    ck_assert_int_eq(tu_run(dir, "printf 'x*2\\n---\\ny+1' | '%s' expr --batch - >/dev/full",
                            tu_mgviz()), 2);
    tu_file_has(dir, "stderr", "No space left on device");
}
END_TEST

/* Under an address-space limit a big export fails loudly or succeeds
 * whole: never "wrote" with part of the file. */
START_TEST(test_export_under_memory_pressure)
{
    if (sanitized())
        return; /* ASan reserves more address space than any limit allows */
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && { echo 'x = 1.5'; i=0; while [ $i -lt 2000 ]; do"
                                 " echo 'x = x*0.999 + 0.001'; i=$((i+1)); done; } >one &&"
                                 " for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25;"
                                 " do cat one; done >big.py"), 0);
    static const char *const limits[] = {"60000", "90000", "120000", "200000"};
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 2; j++) {
            const char *name = j ? "g.txt" : "g.json";
            int status = tu_run(dir, "cd \"$D\" && rm -f %s && (ulimit -v %s; exec '%s' expr -f big.py -o %s)",
                                name, limits[i], tu_mgviz(), name);
            if (status != 0) {
                ck_assert_msg(!tu_exists(dir, name), "exit %d left %s", status, name);
                continue;
            }
            tu_file_has(dir, "stdout", "wrote ");
            char *text = tu_text(dir, name);
            size_t len = strlen(text);
            ck_assert_msg(len > 1000000, "%s: %zu bytes", name, len);
            while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
                len--;
            if (j == 0) /* the whole document: it ends where the top object closes */
                ck_assert_msg(text[len - 1] == '}', "g.json ends '%s'", text + len - 10);
            free(text);
        }
    }
}
END_TEST

/* No byte of output may be ESC (0x1b), BEL or a C1 CSI (0xc2 0x9b / 0x9b). */
static void assert_no_escapes(const char *name)
{
    size_t len;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = tu_slurp(path, &len);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        ck_assert_msg(c != 0x1b && c != 0x07 && c != 0x9b, "%s: byte 0x%02x at %zu:\n%s", name,
                      c, i, text);
    }
    free(text);
}

/* Terminal escapes in a program, a label, a scope or an argument are shown
 * as \xNN, never sent to the terminal raw: error context lines (with the
 * caret still under the column), inspect's text answers, unknown names. */
START_TEST(test_terminal_escapes_are_not_echoed)
{
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && printf 'x = 1\\ny = x +* 2 \\033[31mRED\\n' >p1 &&"
                                 " '%s' expr -f p1 -o g.json", tu_mgviz()), 1);
    assert_no_escapes("stderr");
    tu_file_has(dir, "stderr", "y = x +* 2 \\x1b[31mRED\n         ^");
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && printf 'a\\033[2J\\302\\233 = 1\\n' >p2 &&"
                                 " '%s' expr -f p2 -o g.json", tu_mgviz()), 1);
    assert_no_escapes("stderr");
    tu_file_has(dir, "stderr", "a\\x1b[2J\\xc2\\x9b = 1\n   ^");
    /* a graph file's labels and scopes, in inspect's text answers */
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && printf '%%s' '{\"format\":\"mgviz-graph\",\"version\":2,"
                                 "\"root\":2,\"nodes\":[{\"id\":0,\"op\":\"\",\"label\":\"x\\u001b[31m\","
                                 "\"kind\":\"input\",\"data\":2,\"grad\":3,\"parents\":[],\"scope\":"
                                 "\"s\\u001b]0;title\\u0007\\u009b\"},{\"id\":1,\"op\":\"\",\"label\":\"y\","
                                 "\"kind\":\"input\",\"data\":3,\"grad\":2,\"parents\":[],\"scope\":\"\"},"
                                 "{\"id\":2,\"op\":\"*\",\"label\":\"\",\"kind\":\"op\",\"data\":6,"
                                 "\"grad\":1,\"parents\":[0,1],\"scope\":\"\"}]}' >g.json &&"
                                 " '%s' inspect --graph g.json --counts --top 2 --node 0", tu_mgviz()), 0);
    assert_no_escapes("stdout");
    tu_file_has(dir, "stdout", "#0 x\\x1b[31m (input)");
    tu_file_has(dir, "stdout", "s\\x1b]0;title\\x07\\xc2\\x9b 1");
    /* arguments echoed in messages */
    ck_assert_int_eq(tu_mgviz_in(dir, "inspect --graph g.json --node \"$(printf 'q\\033[2J')\""), 2);
    assert_no_escapes("stderr");
    tu_file_has(dir, "stderr", "'q\\x1b[2J'");
    /* paths given as arguments, echoed on stdout */
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && E=\"$(printf 'e\\033[31m')\" && '%s' expr 'x*2' x=1 "
                                 "-o \"$E.json\" && '%s' train --steps 2 --snapshot-every 0 --out "
                                 "\"$E\" --no-progress", tu_mgviz(), tu_mgviz()), 0);
    assert_no_escapes("stdout");
    tu_file_has(dir, "stdout", "wrote e\\x1b[31m.json");
    tu_file_has(dir, "stdout", "the run is in e\\x1b[31m/");
    tu_run(dir, "cd \"$D\" && timeout 3 '%s' serve --port 0 \"$(printf 'e\\033[31m')\"",
           tu_mgviz());
    assert_no_escapes("stdout");
    tu_file_has(dir, "stdout", "serving e\\x1b[31m at http://127.0.0.1:");
    ck_assert_int_eq(tu_run(dir, "'%s' \"$(printf '\\033]0;x\\007')\"", tu_mgviz()), 2);
    assert_no_escapes("stderr");
    tu_file_has(dir, "stderr", "unknown command '\\x1b]0;x\\x07'");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_long_name_in_pictures);
    tcase_add_test(tc, test_top_beyond_the_graph);
    tcase_add_test(tc, test_full_stdout_is_an_error);
    tcase_add_test(tc, test_export_under_memory_pressure);
    tcase_add_test(tc, test_terminal_escapes_are_not_echoed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
