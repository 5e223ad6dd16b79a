/* test_cli_conventions.c — what every mgviz command shares: mgviz help CMD,
 * --version, "did you mean", -oFILE, ranges named in errors, the manual page
 * and bash completion. MGVIZ, MGVIZ_MAN and MGVIZ_COMPLETION name the built
 * command, the built page and the completion script (meson sets them). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_api.h"
#include "test_util.h"

static char dir[64];

static void setup(void) { tu_tmpdir(dir, sizeof dir, "mgviz-cliconv"); }
static void teardown(void) { tu_rmrf(dir); }

/* The commands `mgviz --help` lists, as one space-separated string. */
static void commands(char *buf, size_t n)
{
    ck_assert_int_eq(tu_run(dir, "'%s' --help | sed -n '/^Commands:/,/^$/s/^  \\([a-z]*\\) .*/\\1/p'"
                                 " | grep -v '^help$' | tr '\\n' ' '", tu_mgviz()), 0);
    char *text = tu_text(dir, "stdout");
    snprintf(buf, n, "%s", text);
    free(text);
    ck_assert_msg(strstr(buf, "expr ") && strstr(buf, "inspect "), "commands: '%s'", buf);
}

START_TEST(test_help_command_is_the_commands_help)
{
    char list[256];
    commands(list, sizeof list);
    for (char *name = strtok(list, " "); name; name = strtok(NULL, " ")) {
        ck_assert_int_eq(tu_run(dir, "'%s' help %s >\"$D/a\" && '%s' %s --help >\"$D/b\" &&"
                                     " cmp \"$D/a\" \"$D/b\" && grep -q '^Usage: mgviz %s' \"$D/a\"",
                                tu_mgviz(), name, tu_mgviz(), name, name), 0);
    }
    ck_assert_int_eq(tu_run(dir, "'%s' help", tu_mgviz()), 0);
    tu_file_has(dir, "stdout", "Commands:");
    ck_assert_int_eq(tu_run(dir, "'%s' help exrp", tu_mgviz()), 2);
    tu_file_has(dir, "stderr", "unknown command 'exrp' (did you mean expr?)");
}
END_TEST

START_TEST(test_version)
{
    char want[64];
    snprintf(want, sizeof want, "mgviz %s\n", mg_version());
    const char *flags[] = {"--version", "-V"};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(tu_run(dir, "'%s' %s", tu_mgviz(), flags[i]), 0);
        char *out = tu_text(dir, "stdout");
        ck_assert_str_eq(out, want);
        free(out);
    }
}
END_TEST

START_TEST(test_mistypes_get_suggestions)
{
    static const struct { const char *args, *hint; } cases[] = {
        {"exrp x", "unknown command 'exrp' (did you mean expr?)"},
        {"Inspect x", "(did you mean inspect?)"},
        {"--verison", "unknown option '--verison' (did you mean --version?)"},
        {"expr x --sedd 3", "unknown option '--sedd' (did you mean --seed?)"},
        {"expr x --precison 3", "(did you mean --precision?)"},
        {"expr x --no-opnodes", "(did you mean --no-op-nodes?)"},
        {"expr x --befor", "(did you mean --before-after?)"},
        {"inspect x --tpo 3", "unknown option '--tpo' (did you mean --top?)"},
        {"inspect x --nonfinit", "(did you mean --nonfinite?)"},
        {"expr x --rankdir lr", "expected LR, TB, RL or BT (did you mean LR?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_int_eq(tu_run(dir, "'%s' %s", tu_mgviz(), cases[i].args), 2);
        tu_file_has(dir, "stderr", cases[i].hint);
    }
    /* nothing close: no guess */
    ck_assert_int_eq(tu_run(dir, "'%s' expr x --zzzzzzzz", tu_mgviz()), 2);
    tu_file_has(dir, "stderr", "unknown option '--zzzzzzzz'");
    tu_file_lacks(dir, "stderr", "did you mean");
    ck_assert_int_eq(tu_run(dir, "'%s' qqqqqq", tu_mgviz()), 2);
    tu_file_lacks(dir, "stderr", "did you mean");
}
END_TEST

START_TEST(test_short_options_take_attached_values)
{
    ck_assert_int_eq(tu_run(dir, "cd \"$D\" && printf 'x*y' >prog.txt &&"
                                 " '%s' expr -fprog.txt x=2 y=3 -oout.json", tu_mgviz()), 0);
    tu_file_has(dir, "stdout", "wrote out.json");
    tu_file_has(dir, "out.json", "\"format\"");
    tu_file_has(dir, "out.json", "\"label\":\"y\"");
    ck_assert_int_eq(tu_mgviz_in(dir, "inspect -fprog.txt x=2 y=3 --top 1"), 0);
    tu_file_has(dir, "stdout", "x");
}
END_TEST

START_TEST(test_range_errors_name_the_range)
{
    static const struct { const char *args, *message; } cases[] = {
        {"expr x --dpi 0", "bad value '0' for --dpi: expected a whole number from 1 to 2400"},
        {"expr x --precision 18", "for --precision: expected a whole number from 1 to 17"},
        {"expr x --radius=0", "for --radius: expected a whole number from 1 to 1000000"},
        {"expr x --seed -1", "for --seed: expected a whole number, at least 0"},
        {"inspect x --top many", "bad value 'many' for --top: expected a whole number"},
        {"expr x --fold-budget 0", "for --fold-budget: expected a whole number, at least 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_int_eq(tu_run(dir, "'%s' %s", tu_mgviz(), cases[i].args), 2);
        tu_file_has(dir, "stderr", cases[i].message);
    }
}
END_TEST

/* Every option each command's help lists appears in the manual, which groff
 * formats without a warning. */
START_TEST(test_manual_page_covers_every_option)
{
    const char *man = getenv("MGVIZ_MAN");
    ck_assert_msg(man != NULL, "set MGVIZ_MAN to the built mgviz.1");
    ck_assert_int_eq(tu_run(dir, "groff -man -ww -z '%s'", man), 0);
    char *warnings = tu_text(dir, "stderr");
    ck_assert_msg(warnings[0] == '\0', "groff: %s", warnings);
    free(warnings);
    char list[256];
    commands(list, sizeof list);
    for (char *name = strtok(list, " "); name; name = strtok(NULL, " ")) {
        /* man -l renders the page as a reader sees it; each option of the
         * command's help must be in it */
        ck_assert_int_eq(tu_run(dir, "MANWIDTH=200 man -l '%s' 2>/dev/null | sed 's/\\x08.//g' >\"$D/page\";"
                                     " '%s' help %s | sed -n 's/^ \\{1,\\}\\(-[^ ,]*\\(, -[^ ,]*\\)*\\).*/\\1/p'"
                                     " | tr -s ', ' '\\n\\n' | grep '^-' | sort -u >\"$D/options\";"
                                     " test -s \"$D/options\" && while read -r o; do"
                                     " grep -q -e \" $o\" \"$D/page\" || echo \"missing $o\"; done <\"$D/options\"",
                                man, tu_mgviz(), name), 0);
        char *missing = tu_text(dir, "stdout");
        ck_assert_msg(missing[0] == '\0', "mgviz %s: %s", name, missing);
        free(missing);
    }
}
END_TEST

/* Completes the words (the last being completed) with the completion script;
 * the candidates go to dir/stdout, one a line. */
static void complete(const char *words)
{
    const char *script = getenv("MGVIZ_COMPLETION");
    ck_assert_msg(script != NULL, "set MGVIZ_COMPLETION to tools/mgviz.bash");
    ck_assert_int_eq(tu_run(dir, "bash -c 'source \"$0\"; COMP_WORDS=(\"$1\" %s);"
                                 " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _mgviz;"
                                 " printf \"%%s\\n\" \"${COMPREPLY[@]}\"' '%s' '%s'",
                            words, script, tu_mgviz()), 0);
}

START_TEST(test_bash_completion)
{
    complete("ex");
    tu_file_has(dir, "stdout", "expr\n");
    complete("help in");
    tu_file_has(dir, "stdout", "inspect\n");
    complete("--ver");
    tu_file_has(dir, "stdout", "--version\n");
    complete("expr x --rank");
    tu_file_has(dir, "stdout", "--rankdir\n");
    complete("expr x --rankdir \"\"");
    char *out = tu_text(dir, "stdout");
    ck_assert_str_eq(out, "LR\nTB\nRL\nBT\n");
    free(out);
    complete("inspect --gr");
    tu_file_has(dir, "stdout", "--graph\n");
    complete("inspect --n");
    tu_file_has(dir, "stdout", "--node\n");
    tu_file_has(dir, "stdout", "--nonfinite\n");
    tu_file_lacks(dir, "stdout", "--json");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cli_conventions");
    TCase *tc = tcase_create("conventions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_help_command_is_the_commands_help);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_mistypes_get_suggestions);
    tcase_add_test(tc, test_short_options_take_attached_values);
    tcase_add_test(tc, test_range_errors_name_the_range);
    tcase_add_test(tc, test_manual_page_covers_every_option);
    tcase_add_test(tc, test_bash_completion);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
