/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_services.c — the platform's non-memory services:
 * status names, fork hooks, environment lookup, the monotonic clock, the
 * allocation-free formatter, raw error output and strata_fatal.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */
#endif

#include <strata/platform.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <signal.h>
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

static void set_env(const char *name, const char *value)
{
    assert_true(child_set_env(name, value));
}

/* ---- status names -------------------------------------------------------- */

static void test_every_status_has_its_own_name(void **state)
{
    (void)state;
    assert_string_equal(strata_status_name(STRATA_OK), "STRATA_OK");
    assert_string_equal(strata_status_name(STRATA_E_NO_MEMORY), "STRATA_E_NO_MEMORY");
    assert_string_equal(strata_status_name(STRATA_E_RESOURCE_EXHAUSTED), "STRATA_E_RESOURCE_EXHAUSTED");
    for (int i = 0; i < STRATA_STATUS_COUNT; i++) {
        const char *name = strata_status_name((strata_status)i);
        assert_non_null(name);
        assert_int_equal(strncmp(name, "STRATA_", 7), 0);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(name, strata_status_name((strata_status)j));
        }
    }
    assert_string_equal(strata_status_name(STRATA_STATUS_COUNT), "STRATA_STATUS_UNKNOWN");
    assert_string_equal(strata_status_name((strata_status)-1), "STRATA_STATUS_UNKNOWN");
}

static void test_statuses_map_to_win32_errors(void **state)
{
    (void)state;
    assert_int_equal(strata_status_win32_error(STRATA_OK), 0);
    assert_int_equal(strata_status_win32_error(STRATA_E_INVALID_PARAMETER), 87);
    assert_int_equal(strata_status_win32_error(STRATA_E_INVALID_ADDRESS), 487);
    assert_int_equal(strata_status_win32_error(STRATA_E_CONFLICTING_ADDRESS), 487);
    assert_int_equal(strata_status_win32_error(STRATA_E_NO_MEMORY), 8);
    assert_int_equal(strata_status_win32_error(STRATA_E_NOACCESS), 998);
    assert_int_equal(strata_status_win32_error(STRATA_E_GUARD_PAGE), 0x80000001u);
    assert_int_equal(strata_status_win32_error(STRATA_E_NO_MORE_ITEMS), 259);
    for (int i = 1; i < STRATA_STATUS_COUNT; i++) {
        assert_int_not_equal(strata_status_win32_error((strata_status)i), 0);
    }
    assert_int_equal(strata_status_win32_error(STRATA_STATUS_COUNT), 87);
}

/* ---- last error ------------------------------------------------------- */

static void read_fresh_last_error(void *argument)
{
    uint32_t *seen = argument;
    seen[0] = strata_last_error();
    strata_set_last_error(1234);
    seen[1] = strata_last_error();
}

static void test_last_error_is_per_thread(void **state)
{
    (void)state;
    strata_set_last_error(487);
    assert_int_equal(strata_last_error(), 487);
    uint32_t seen[2] = {99, 99};
    test_thread thread;
    assert_true(test_thread_start(&thread, read_fresh_last_error, seen));
    test_thread_join(&thread);
    assert_int_equal(seen[0], 0);
    assert_int_equal(seen[1], 1234);
    assert_int_equal(strata_last_error(), 487);
    strata_set_last_error(0);
    assert_int_equal(strata_last_error(), 0);
}

/* ---- fork hooks ---------------------------------------------------------- */

static int prepare_calls, parent_calls, child_calls;
static void on_prepare(void) { prepare_calls++; }
static void on_parent(void) { parent_calls++; }
static void on_child(void) { child_calls++; }

static void child_report_fork_hooks(void)
{
    /* In a forked child the child hook ran exactly once before this point. */
    exit(child_calls == 1 && parent_calls == 0 ? 0 : 10 + child_calls);
}

static void test_atfork_hooks_run_where_fork_exists(void **state)
{
    (void)state;
    assert_status(strata_platform_atfork(on_prepare, on_parent, on_child), STRATA_OK);
    assert_status(strata_platform_atfork(NULL, NULL, NULL), STRATA_OK);
    child_result result;
    assert_true(child_run("report_fork_hooks", &result));
    if (strata_platform_get_info()->has_fork) {
        assert_true(result.exited);
        assert_int_equal(result.exit_code, 0);
        assert_int_equal(prepare_calls, 1);
        assert_int_equal(parent_calls, 1);
        assert_int_equal(child_calls, 0);
    } else {
        /* A new process, not a fork: its hooks never ran, and neither did ours. */
        assert_true(result.exited);
        assert_int_equal(result.exit_code, 10);
        assert_int_equal(prepare_calls + parent_calls + child_calls, 0);
    }
}

/* ---- environment ------------------------------------------------------- */

static void test_env_get_copies_value_and_length(void **state)
{
    (void)state;
    set_env("STRATA_TEST_VALUE", "hello strata");
    char buffer[64];
    size_t length = 0;
    assert_status(strata_env_get("STRATA_TEST_VALUE", buffer, sizeof buffer, &length), STRATA_OK);
    assert_string_equal(buffer, "hello strata");
    assert_int_equal(length, 12);

    /* Exactly enough room for the NUL. */
    memset(buffer, 'x', sizeof buffer);
    assert_status(strata_env_get("STRATA_TEST_VALUE", buffer, 13, &length), STRATA_OK);
    assert_string_equal(buffer, "hello strata");
}

static void test_env_get_reports_short_buffer_with_needed_length(void **state)
{
    (void)state;
    set_env("STRATA_TEST_VALUE", "hello strata");
    char buffer[12];
    size_t length = 0;
    assert_status(strata_env_get("STRATA_TEST_VALUE", buffer, sizeof buffer, &length),
                  STRATA_E_BUFFER_TOO_SMALL);
    assert_int_equal(length, 12);
    length = 0;
    assert_status(strata_env_get("STRATA_TEST_VALUE", NULL, 0, &length), STRATA_E_BUFFER_TOO_SMALL);
    assert_int_equal(length, 12);
}

static void test_env_get_missing_and_empty(void **state)
{
    (void)state;
    set_env("STRATA_TEST_MISSING", NULL);
    char buffer[8] = "keep";
    size_t length = 99;
    assert_status(strata_env_get("STRATA_TEST_MISSING", buffer, sizeof buffer, &length),
                  STRATA_E_NOT_FOUND);
    assert_int_equal(length, 99);
    assert_string_equal(buffer, "keep");

    set_env("STRATA_TEST_EMPTY", "");
    assert_status(strata_env_get("STRATA_TEST_EMPTY", buffer, sizeof buffer, &length), STRATA_OK);
    assert_int_equal(length, 0);
    assert_string_equal(buffer, "");
}

static void test_env_get_rejects_bad_arguments(void **state)
{
    (void)state;
    char buffer[8];
    size_t length;
    assert_status(strata_env_get(NULL, buffer, sizeof buffer, &length), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_env_get("", buffer, sizeof buffer, &length), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_env_get("PATH", buffer, sizeof buffer, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_env_get("PATH", NULL, 8, &length), STRATA_E_INVALID_PARAMETER);
}

/* ---- clock ------------------------------------------------------------- */

static void test_clock_is_monotonic_and_advances(void **state)
{
    (void)state;
    uint64_t previous = strata_clock_monotonic_ns();
    for (int i = 0; i < 1000; i++) {
        uint64_t now = strata_clock_monotonic_ns();
        assert_true(now >= previous);
        previous = now;
    }
    uint64_t before = strata_clock_monotonic_ns();
    test_sleep_ms(30);
    uint64_t elapsed = strata_clock_monotonic_ns() - before;
    assert_true(elapsed >= 25u * 1000000u);
    assert_true(elapsed < 30u * 1000000000u);
}

/* ---- formatting -------------------------------------------------------- */

static void test_format_directives(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(strata_format(out, sizeof out, "%s|%c|%d|%d|%u", "ab", 'z', -42, INT_MIN, 4000000000u),
                     strlen("ab|z|-42|-2147483648|4000000000"));
    assert_string_equal(out, "ab|z|-42|-2147483648|4000000000");
    strata_format(out, sizeof out, "%x %zx %zu %zd", 0xbeefu, (size_t)0xabcdef, SIZE_MAX, (ptrdiff_t)-7);
    char expected[96];
    strata_format(expected, sizeof expected, "beef abcdef %s -7",
                  sizeof(size_t) == 8 ? "18446744073709551615" : "4294967295");
    assert_string_equal(out, expected);
    strata_format(out, sizeof out, "%p %p 100%%", (void *)0x1234, (void *)0);
    assert_string_equal(out, "0x1234 0x0 100%");
    const char *volatile nothing = NULL; /* hidden from the compiler's format check */
    strata_format(out, sizeof out, "[%s]", nothing);
    assert_string_equal(out, "[(null)]");
}

static void test_format_copies_unknown_directives(void **state)
{
    (void)state;
    char out[32];
    const char *unknown = "a%qb%";
    strata_format(out, sizeof out, unknown, 0);
    assert_string_equal(out, "a%qb%");
}

static void test_format_truncates_and_counts(void **state)
{
    (void)state;
    char out[8];
    memset(out, '#', sizeof out);
    assert_int_equal(strata_format(out, 5, "%s", "abcdefgh"), 4);
    assert_string_equal(out, "abcd");
    assert_int_equal(out[5], '#');
    memset(out, '#', sizeof out);
    assert_int_equal(strata_format(out, 0, "%s", "abc"), 0);
    assert_int_equal(out[0], '#');
    assert_int_equal(strata_format(out, 1, "abc"), 0);
    assert_string_equal(out, "");
}

/* ---- error output and fatal ------------------------------------------- */

static void child_write_error(void)
{
    strata_write_error("raw message\n", 12);
    exit(0);
}

static void child_fatal(void)
{
    strata_fatal("strata: heap %p: %s at %zx", (void *)0x10000, "bad header", (size_t)0x2a);
}

static void child_fatal_long(void)
{
    char long_text[3000];
    memset(long_text, 'y', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    strata_fatal("%s", long_text);
}

static void test_write_error_reaches_stderr(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("write_error", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    assert_non_null(strstr(result.output, "raw message\n"));
}

static void assert_aborted(const child_result *result)
{
#if defined(_WIN32)
    assert_true(result->exited);
    assert_int_equal(result->exit_code, 3);
#else
    assert_false(result->exited);
    assert_int_equal(result->signal_number, SIGABRT);
#endif
}

static void test_fatal_writes_one_line_and_aborts(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("fatal", &result));
    assert_aborted(&result);
    assert_non_null(strstr(result.output, "strata: heap 0x10000: bad header at 2a\n"));
}

static void test_fatal_cuts_long_messages(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("fatal_long", &result));
    assert_aborted(&result);
    const char *line = strchr(result.output, 'y');
    assert_non_null(line);
    size_t run = strspn(line, "y");
    assert_int_equal(run, 1023);
    assert_int_equal(line[run], '\n');
}

static const child_scenario scenarios[] = {
    {"report_fork_hooks", child_report_fork_hooks},
    {"write_error", child_write_error},
    {"fatal", child_fatal},
    {"fatal_long", child_fatal_long},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_its_own_name),
        cmocka_unit_test(test_statuses_map_to_win32_errors),
        cmocka_unit_test(test_last_error_is_per_thread),
        cmocka_unit_test(test_atfork_hooks_run_where_fork_exists),
        cmocka_unit_test(test_env_get_copies_value_and_length),
        cmocka_unit_test(test_env_get_reports_short_buffer_with_needed_length),
        cmocka_unit_test(test_env_get_missing_and_empty),
        cmocka_unit_test(test_env_get_rejects_bad_arguments),
        cmocka_unit_test(test_clock_is_monotonic_and_advances),
        cmocka_unit_test(test_format_directives),
        cmocka_unit_test(test_format_copies_unknown_directives),
        cmocka_unit_test(test_format_truncates_and_counts),
        cmocka_unit_test(test_write_error_reaches_stderr),
        cmocka_unit_test(test_fatal_writes_one_line_and_aborts),
        cmocka_unit_test(test_fatal_cuts_long_messages),
    };
    return cmocka_run_group_tests_name("platform_services", tests, NULL, NULL);
}
