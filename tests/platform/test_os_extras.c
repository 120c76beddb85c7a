/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_os_extras.c — the platform services the vmm stands on
 * beyond page ranges: locking pages, asking whether memory is mapped,
 * opening files, and routing access faults through a handler.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include <strata/platform.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#include <process.h>
#define current_pid() _getpid()
#else
#include <signal.h>
#include <unistd.h>
#define current_pid() getpid()
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"

static size_t page_size(void)
{
    return strata_platform_get_info()->page_size;
}

static unsigned char *committed_pages(size_t pages)
{
    void *base = NULL;
    assert_status(strata_platform_reserve(pages * page_size(), 0, NULL, &base), STRATA_OK);
    assert_status(strata_platform_commit(base, pages * page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_OK);
    return base;
}

/* ---- lock pages, is mapped ---------------------------------------------- */

static void test_lock_pages_round_trip_and_errors(void **state)
{
    (void)state;
    unsigned char *base = committed_pages(2);
    assert_status(strata_platform_lock_pages(base, 2 * page_size()), STRATA_OK);
    base[0] = 1;
    assert_status(strata_platform_unlock_pages(base, 2 * page_size()), STRATA_OK);
    assert_status(strata_platform_lock_pages(base + 1, page_size()), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_platform_lock_pages(base, 0), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_unlock_pages(NULL, page_size()), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_platform_release(base, 2 * page_size()), STRATA_OK);
}

static void test_is_mapped_tells_mapped_from_free(void **state)
{
    (void)state;
    void *reserved = NULL;
    assert_status(strata_platform_reserve(4 * page_size(), 0, NULL, &reserved), STRATA_OK);
    /* Reserved but inaccessible memory is still mapped. */
    assert_true(strata_platform_is_mapped(reserved, 4 * page_size()));
    assert_true(strata_platform_is_mapped((char *)reserved + 5, 0));
    int on_stack = 0;
    assert_true(strata_platform_is_mapped(&on_stack, sizeof on_stack));
    assert_status(strata_platform_release(reserved, 4 * page_size()), STRATA_OK);
    assert_false(strata_platform_is_mapped(reserved, page_size()));
    assert_false(strata_platform_is_mapped((void *)(uintptr_t)page_size(), 1));
    assert_false(strata_platform_is_mapped((void *)(UINTPTR_MAX - 10), 100));
}

/* ---- files ------------------------------------------------------------- */

static void test_file_open_follows_dispositions(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "strata_platform_file_%d.bin", (int)current_pid());
    remove(path);
    strata_native_file file = STRATA_NO_FILE;
    assert_status(strata_platform_file_open(path, true, STRATA_FILE_OPEN_EXISTING, &file), STRATA_E_NOT_FOUND);
    assert_status(strata_platform_file_open(path, true, STRATA_FILE_TRUNCATE_EXISTING, &file),
                  STRATA_E_NOT_FOUND);
    assert_status(strata_platform_file_open(path, true, STRATA_FILE_CREATE_NEW, &file), STRATA_OK);
    assert_status(strata_platform_file_close(file), STRATA_OK);

    FILE *stream = fopen(path, "wb");
    assert_non_null(stream);
    fputs("twelve bytes", stream);
    fclose(stream);

    strata_native_file again = STRATA_NO_FILE;
    assert_status(strata_platform_file_open(path, false, STRATA_FILE_CREATE_NEW, &again),
                  STRATA_E_CONFLICTING_ADDRESS);
    assert_status(strata_platform_file_open(path, false, STRATA_FILE_OPEN_EXISTING, &again), STRATA_OK);
    uint64_t size = 0;
    assert_status(strata_platform_file_size(again, &size), STRATA_OK);
    assert_int_equal(size, 12);
    assert_status(strata_platform_file_close(again), STRATA_OK);
    /* CREATE_ALWAYS truncates what is there. */
    assert_status(strata_platform_file_open(path, true, STRATA_FILE_CREATE_ALWAYS, &again), STRATA_OK);
    assert_status(strata_platform_file_size(again, &size), STRATA_OK);
    assert_int_equal(size, 0);
    assert_status(strata_platform_file_close(again), STRATA_OK);
    assert_int_equal(remove(path), 0);

    assert_status(strata_platform_file_open(NULL, false, STRATA_FILE_OPEN_EXISTING, &again),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_file_open("", false, STRATA_FILE_OPEN_EXISTING, &again),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_file_open(path, false, (strata_file_disposition)9, &again),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_file_open(path, false, STRATA_FILE_OPEN_ALWAYS, NULL),
                  STRATA_E_INVALID_PARAMETER);
    remove(path);
}

/* ---- access faults (child processes) ------------------------------------- */

static unsigned char *fault_page;
static int handler_calls;

/* Makes the faulting page writable and asks for the access to be retried. */
static strata_fault_action open_page_and_retry(void *address)
{
    handler_calls++;
    if ((unsigned char *)address < fault_page || (unsigned char *)address >= fault_page + page_size()) {
        return STRATA_FAULT_NOT_MINE;
    }
    strata_platform_protect(fault_page, page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE);
    return STRATA_FAULT_RETRY;
}

static strata_fault_action never_mine(void *address)
{
    (void)address;
    handler_calls++;
    return STRATA_FAULT_NOT_MINE;
}

static void child_fault_retried(void)
{
    child_allow_faults();
    fault_page = committed_pages(1);
    assert_status(strata_platform_protect(fault_page, page_size(), STRATA_ACCESS_NONE), STRATA_OK);
    assert_status(strata_platform_set_fault_handler(open_page_and_retry), STRATA_OK);
    assert_status(strata_platform_set_fault_handler(open_page_and_retry), STRATA_OK);
    assert_status(strata_platform_set_fault_handler(never_mine), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_set_fault_handler(NULL), STRATA_E_INVALID_PARAMETER);
    *(volatile unsigned char *)(fault_page + 3) = 42;
    exit(handler_calls == 1 && fault_page[3] == 42 ? 0 : 10 + handler_calls);
}

static void child_fault_not_mine_reaches_previous_handler(void)
{
    child_allow_faults();
    unsigned char *page = committed_pages(1);
    assert_status(strata_platform_protect(page, page_size(), STRATA_ACCESS_NONE), STRATA_OK);
    /* The program's own handler, installed first, gets what strata declines. */
    child_expect_fault_at(page, page_size());
    assert_status(strata_platform_set_fault_handler(never_mine), STRATA_OK);
    *(volatile unsigned char *)page = 1;
    exit(CHILD_NO_FAULT);
}

static const child_scenario scenarios[] = {
    {"fault_retried", child_fault_retried},
    {"fault_not_mine", child_fault_not_mine_reaches_previous_handler},
    {NULL, NULL},
};

static void test_fault_handler_can_resolve_and_retry(void **state)
{
    (void)state;
    if (!strata_platform_get_info()->faults_have_addresses || child_under_valgrind()) {
        skip(); /* the fault address is not known there */
    }
    child_result result;
    assert_true(child_run("fault_retried", &result));
    if (!result.exited || result.exit_code != 0) {
        fail_msg("exited=%d code=%d signal=%d: %s", result.exited, result.exit_code, result.signal_number,
                 result.output);
    }
}

static void test_fault_handler_passes_on_foreign_faults(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("fault_not_mine", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, CHILD_FAULT_AT_EXPECTED);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_pages_round_trip_and_errors),
        cmocka_unit_test(test_is_mapped_tells_mapped_from_free),
        cmocka_unit_test(test_file_open_follows_dispositions),
        cmocka_unit_test(test_fault_handler_can_resolve_and_retry),
        cmocka_unit_test(test_fault_handler_passes_on_foreign_faults),
    };
    return cmocka_run_group_tests_name("platform_os_extras", tests, NULL, NULL);
}
