/* SPDX-License-Identifier: MIT */
/*
 * An unhandled fault in memory strata manages is named in one line on
 * stderr before the process dies of it (POSIX; on Windows the system
 * reports its own exceptions). Each case runs in a child process.
 */
#include <windows.h>

#include "../support/cmocka_all.h"
#include "../support/child.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *page;

/* A plain program's signal dispositions: not the test framework's handlers,
 * which the child inherits. */
static void as_a_plain_program(void)
{
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
}

static void child_write_to_read_only(void)
{
    as_a_plain_program();
    page = VirtualAlloc(NULL, 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    fprintf(stderr, "%p\n", (void *)(page + 0x10));
    ((volatile char *)page)[0x10] = 1;
    exit(CHILD_NO_FAULT);
}

static void child_read_of_guard_page(void)
{
    as_a_plain_program();
    page = VirtualAlloc(NULL, 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    fprintf(stderr, "%p\n", (void *)(page + 8));
    (void)((volatile char *)page)[8];
    exit(CHILD_NO_FAULT);
}

static void child_write_to_reserved(void)
{
    as_a_plain_program();
    page = VirtualAlloc(NULL, 4096, MEM_RESERVE, PAGE_NOACCESS);
    fprintf(stderr, "%p\n", (void *)page);
    ((volatile char *)page)[0] = 1; /* reserved, never committed */
    exit(CHILD_NO_FAULT);
}

static const child_scenario scenarios[] = {
    {"write_to_read_only", child_write_to_read_only},
    {"read_of_guard_page", child_read_of_guard_page},
    {"reserved_page", child_write_to_reserved},
    {NULL, NULL},
};

/* The child prints the address first; then strata's line must follow, exactly. */
static void expect_death_with(const char *scenario, const char *what, const char *verb)
{
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan's own SIGSEGV handler comes before the default action */
#endif
    if (child_under_valgrind()) {
        skip(); /* Valgrind's faults carry no usable address */
    }
    child_result result;
    assert_true(child_run(scenario, &result));
    assert_false(result.exited);
    assert_int_equal(result.signal_number, SIGSEGV);
    char address[64];
    const char *newline = strchr(result.output, '\n');
    assert_non_null(newline);
    snprintf(address, sizeof address, "%.*s", (int)(newline - result.output), result.output);
    char expected[256];
    snprintf(expected, sizeof expected, "%s\nstrata: unhandled %s %s %s in memory strata manages\n", address,
             what, verb, address);
    assert_string_equal(result.output, expected);
}

static void test_write_to_read_only_page(void **state)
{
    (void)state;
    expect_death_with("write_to_read_only", "access violation", "writing");
}

static void test_read_of_guard_page(void **state)
{
    (void)state;
    expect_death_with("read_of_guard_page", "guard-page violation", "reading");
}

static void test_write_to_reserved_page(void **state)
{
    (void)state;
    expect_death_with("reserved_page", "access violation", "writing");
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_to_read_only_page),
        cmocka_unit_test(test_read_of_guard_page),
        cmocka_unit_test(test_write_to_reserved_page),
    };
    return cmocka_run_group_tests_name("win32_unhandled_fault", tests, NULL, NULL);
}
