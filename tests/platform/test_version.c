/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_version.c — the version the library reports, the
 * header's macros and the build's project version agree.
 */
#include <strata/version.h>

#include <stdio.h>
#include <string.h>

#include "../support/cmocka_all.h"

static void test_library_reports_the_header_version(void **state)
{
    (void)state;
    assert_string_equal(strata_version(), STRATA_VERSION_STRING);
}

static void test_string_and_number_follow_the_parts(void **state)
{
    (void)state;
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", STRATA_VERSION_MAJOR, STRATA_VERSION_MINOR,
             STRATA_VERSION_PATCH);
    assert_string_equal(STRATA_VERSION_STRING, expected);
    assert_int_equal(STRATA_VERSION_NUMBER,
                     STRATA_VERSION_MAJOR * 10000 + STRATA_VERSION_MINOR * 100 + STRATA_VERSION_PATCH);
}

/* The build system reads the header; what it read is passed in here. */
static void test_build_read_the_same_version(void **state)
{
    (void)state;
    assert_string_equal(strata_version(), STRATA_PROJECT_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_reports_the_header_version),
        cmocka_unit_test(test_string_and_number_follow_the_parts),
        cmocka_unit_test(test_build_read_the_same_version),
    };
    return cmocka_run_group_tests_name("platform_version", tests, NULL, NULL);
}
