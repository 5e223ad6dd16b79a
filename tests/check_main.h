/* check_main.h — the one main() every Check suite shares. */
#ifndef MG_CHECK_MAIN_H
#define MG_CHECK_MAIN_H

#include <check.h>

/* Runs the suite; the exit status is 0 only if every test passed. */
static inline int mg_check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
