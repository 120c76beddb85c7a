/* SPDX-License-Identifier: MIT */
/*
 * tests/support/cmocka_all.h — CMocka with the headers it expects first.
 */
#ifndef STRATA_TEST_CMOCKA_ALL_H
#define STRATA_TEST_CMOCKA_ALL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Asserts a strata_status, printing both names when they differ. */
#define assert_status(actual, expected)                                                     \
    do {                                                                                    \
        strata_status actual_status_ = (actual);                                            \
        strata_status expected_status_ = (expected);                                        \
        if (actual_status_ != expected_status_) {                                           \
            fail_msg("%s returned %s, expected %s", #actual,                                \
                     strata_status_name(actual_status_), strata_status_name(expected_status_)); \
        }                                                                                   \
    } while (0)

#endif /* STRATA_TEST_CMOCKA_ALL_H */
