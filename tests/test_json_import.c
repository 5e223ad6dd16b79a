/* test_json_import.c — the graph JSON reader is strict RFC 8259 (numbers as
 * the grammar spells them, no repeated member names, well-formed UTF-8,
 * escapes that name a character) and validates what it builds from (op
 * names); lookups stay linear in the file (a 20,000-entry grads map). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_export.h"
#include "test_util.h"

/* A two-node document: x (leaf 0) and node 1 = OP over x, with extra text
 * spliced into node 1 and at the top level. */
static char *document(const char *op, const char *node_extra, const char *top_extra)
{
    mg_buf b = {0};
    mg_buf_printf(&b,
                  "{\"format\":\"mgviz-graph\",\"version\":2,\"root\":1%s,\"grads\":{\"x\":1},"
                  "\"nodes\":[{\"id\":0,\"op\":\"\",\"label\":\"x\",\"kind\":\"input\","
                  "\"data\":2,\"grad\":1,\"parents\":[],\"scope\":\"\"},"
                  "{\"id\":1,\"op\":\"%s\",\"label\":\"\",\"kind\":\"op\",\"data\":4,"
                  "\"grad\":1,\"parents\":[0],\"scope\":\"\"%s}],"
                  "\"edges\":[{\"from\":0,\"to\":1,\"operand\":0,\"local\":4,\"upstream\":1,"
                  "\"contribution\":4}]}",
                  top_extra, op, node_extra);
    ck_assert(!b.failed);
    return b.p;
}

/* Imports text; the code, with the message in err. */
static mg_code import(const char *text, mg_error *err, size_t *nvars)
{
    mg_graph *g = mg_graph_new();
    mg_value *root;
    mg_export_var *vars;
    size_t n = 0;
    mg_code rc = mg_import_json(text, g, &root, &vars, &n, err);
    if (rc != MG_OK)
        ck_assert_ptr_null(root);
    free(vars);
    mg_graph_free(g);
    if (nvars)
        *nvars = n;
    return rc;
}

static void refused(const char *text, const char *fragment)
{
    mg_error err;
    ck_assert_msg(import(text, &err, NULL) == MG_EFORMAT, "accepted: %s", text);
    ck_assert_msg(strstr(err.message, fragment) != NULL, "'%s' not in '%s' (for %s)", fragment,
                  err.message, text);
}

static void accepted(const char *text)
{
    mg_error err;
    ck_assert_msg(import(text, &err, NULL) == MG_OK, "%s: %s", text, err.message);
}

START_TEST(test_the_template_imports)
{
    char *text = document("**2", ",\"k\":2", "");
    size_t nvars;
    mg_error err;
    ck_assert_int_eq(import(text, &err, &nvars), MG_OK);
    ck_assert_uint_eq(nvars, 1);
    free(text);
}
END_TEST

START_TEST(test_numbers_follow_the_grammar)
{
    static const char *const bad[] = {"006", "6.", "+1", ".5", "1e", "1e+", "0x10", "-",
                                      "--1", "1.5.2", "01.5", "NaN", "Infinity", "1e999",
                                      "-1e400"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, ",\"weight\":%s", bad[i]);
        char *text = document("**2", extra, "");
        refused(text, strstr(bad[i], "e9") || strstr(bad[i], "e4") ? "out of range" : "bad JSON");
        free(text);
    }
    static const char *const good[] = {"0", "-0", "6", "-6.25", "1e5", "1E-5", "2.5e+3",
                                       "0.000001", "1e308"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, ",\"weight\":%s", good[i]);
        char *text = document("**2", extra, "");
        accepted(text);
        free(text);
    }
}
END_TEST

START_TEST(test_member_names_do_not_repeat)
{
    char *cases[] = {
        document("**2", ",\"data\":5", ""),             /* in a node */
        document("**2", "", ",\"root\":0"),              /* at the top */
        document("**2", "", ",\"nodes\":[]"),            /* the streamed array */
        document("**2", "", ",\"extra\":{\"a\":1,\"a\":2}"), /* in a skipped member */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        refused(cases[i], "duplicate member name");
        free(cases[i]);
    }
    /* a big object (hashed, not scanned) with one repeat at its end */
    mg_buf b = {0};
    mg_buf_puts(&b, ",\"extra\":{");
    for (int i = 0; i < 1000; i++)
        mg_buf_printf(&b, "\"k%d\":%d,", i, i);
    mg_buf_puts(&b, "\"k7\":0}");
    char *text = document("**2", "", b.p);
    refused(text, "duplicate member name \"k7\"");
    free(text);
    mg_buf_free(&b);
    b = (mg_buf){0};
    mg_buf_puts(&b, "{\"format\":\"mgviz-graph\",\"root\":0,\"grads\":{");
    for (int i = 0; i < 1000; i++)
        mg_buf_printf(&b, "\"g%d\":%d,", i, i);
    mg_buf_puts(&b, "\"g999\":1},\"nodes\":[{\"id\":0,\"op\":\"\",\"label\":\"g1\",\"kind\":"
                    "\"input\",\"data\":1,\"grad\":1,\"parents\":[]}]}");
    refused(b.p, "duplicate member name \"g999\"");
    mg_buf_free(&b);
}
END_TEST

START_TEST(test_strings_are_well_formed)
{
    static const struct { const char *label, *message; } cases[] = {
        {"\xff", "invalid UTF-8"},
        {"\xc0\xaf", "invalid UTF-8"},          /* overlong '/' */
        {"\xed\xa0\x80", "invalid UTF-8"},      /* a surrogate encoded */
        {"\xf4\x90\x80\x80", "invalid UTF-8"},  /* above U+10FFFF */
        {"\\ud800", "lone surrogate"},
        {"\\udc00x", "lone surrogate"},
        {"\\u0000", "U+0000"},
        {"\\u12", "\\u escape"},
        {"\\q", "bad escape"},
        {"\x01", "control character"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, ",\"note\":\"a%sb\"", cases[i].label);
        char *text = document("**2", extra, "");
        refused(text, cases[i].message);
        free(text);
    }
    char *text = document("**2", ",\"note\":\"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00\"", "");
    accepted(text);
    free(text);
}
END_TEST

START_TEST(test_op_names_are_validated)
{
    static const char *const bad[] = {"**0x10", "** 2", "**2junk", "**", "**inf", "**nan",
                                      "**+2", "**.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *text = document(bad[i], "", "");
        refused(text, "unknown op");
        free(text);
    }
    static const char *const good[] = {"**2", "**-0.5", "**1e+10", "**0", "neg", "tanh"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *text = document(good[i], "", "");
        accepted(text);
        free(text);
    }
}
END_TEST

/* Every grads entry finds its leaf through the label table. */
START_TEST(test_many_grads_entries)
{
    enum { N = 20000 };
    mg_graph *g = mg_graph_new();
    mg_value *sum = NULL;
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        mg_value *v = mg_label(mg_input(g, i), name);
        sum = sum ? mg_add(sum, v) : v;
    }
    ck_assert_int_eq(mg_backward(sum), MG_OK);
    char *text;
    size_t len;
    mg_error err;
    ck_assert_int_eq(mg_export_json_data(sum, NULL, 0, MG_EXPORT_COMPACT, &text, &len, &err),
                     MG_OK);
    mg_graph_free(g);
    size_t nvars;
    ck_assert_int_eq(import(text, &err, &nvars), MG_OK);
    ck_assert_uint_eq(nvars, N);
    free(text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("json_import");
    TCase *tc = tcase_create("strict");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_the_template_imports);
    tcase_add_test(tc, test_numbers_follow_the_grammar);
    tcase_add_test(tc, test_member_names_do_not_repeat);
    tcase_add_test(tc, test_strings_are_well_formed);
    tcase_add_test(tc, test_op_names_are_validated);
    tcase_add_test(tc, test_many_grads_entries);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
