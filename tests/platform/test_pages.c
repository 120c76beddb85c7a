/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_pages.c — the platform's page-range functions:
 * capabilities, reserve/commit/decommit/reset/protect/release round trips,
 * enforced protection (in child processes) and argument errors.
 */
#include <strata/platform.h>

#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

static size_t page_size(void)
{
    return strata_platform_get_info()->page_size;
}

static bool is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}


/* Reserves `pages` pages and commits the first `committed` of them read-write. */
static unsigned char *reserve_and_commit(size_t pages, size_t committed)
{
    void *base = NULL;
    assert_status(strata_platform_reserve(pages * page_size(), 0, NULL, &base), STRATA_OK);
    assert_non_null(base);
    if (committed > 0) {
        assert_status(strata_platform_commit(base, committed * page_size(),
                                             STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                      STRATA_OK);
    }
    return base;
}

/* ---- capabilities ---------------------------------------------------- */

static void test_info_is_sane_and_cached(void **state)
{
    (void)state;
    const strata_platform_info *info = strata_platform_get_info();
    assert_true(is_power_of_two(info->page_size));
    assert_true(info->page_size >= 4096);
    assert_true(is_power_of_two(info->allocation_granularity));
    assert_int_equal(info->allocation_granularity % info->page_size, 0);
    assert_true(info->processor_count >= 1);
    assert_ptr_equal(strata_platform_get_info(), info);
    /* Partial release and fork go together: POSIX has both, Windows neither. */
    assert_int_equal(info->can_release_partially, info->has_fork);
}

static void test_reserve_base_is_granularity_aligned(void **state)
{
    (void)state;
    size_t granularity = strata_platform_get_info()->allocation_granularity;
    for (int i = 0; i < 8; i++) {
        void *base = NULL;
        assert_status(strata_platform_reserve(page_size(), 0, NULL, &base), STRATA_OK);
        assert_int_equal((uintptr_t)base % granularity, 0);
        assert_status(strata_platform_release(base, page_size()), STRATA_OK);
    }
}

/* ---- round trips ------------------------------------------------------- */

static void test_commit_gives_zeroed_writable_pages(void **state)
{
    (void)state;
    size_t size = 4 * page_size();
    unsigned char *base = reserve_and_commit(16, 4);
    assert_true(all_bytes(base, size, 0));
    memset(base, 0xA5, size);
    assert_true(all_bytes(base, size, 0xA5));
    assert_status(strata_platform_release(base, 16 * page_size()), STRATA_OK);
}

static void test_recommit_keeps_contents(void **state)
{
    (void)state;
    unsigned char *base = reserve_and_commit(4, 2);
    memset(base, 0x3C, 2 * page_size());
    /* Commit a range that overlaps the committed pages and adds new ones. */
    assert_status(strata_platform_commit(base, 4 * page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_OK);
    assert_true(all_bytes(base, 2 * page_size(), 0x3C));
    assert_true(all_bytes(base + 2 * page_size(), 2 * page_size(), 0));
    assert_status(strata_platform_release(base, 4 * page_size()), STRATA_OK);
}

static void test_decommitted_pages_read_zero_after_recommit(void **state)
{
    (void)state;
    size_t size = 8 * page_size();
    unsigned char *base = reserve_and_commit(8, 8);
    memset(base, 0xEE, size);
    /* Decommit the middle four pages only. */
    unsigned char *middle = base + 2 * page_size();
    assert_status(strata_platform_decommit(middle, 4 * page_size()), STRATA_OK);
    assert_status(strata_platform_commit(middle, 4 * page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_OK);
    assert_true(all_bytes(middle, 4 * page_size(), 0));
    assert_true(all_bytes(base, 2 * page_size(), 0xEE));
    assert_true(all_bytes(base + 6 * page_size(), 2 * page_size(), 0xEE));
    assert_status(strata_platform_release(base, size), STRATA_OK);
}

static void test_decommit_of_uncommitted_pages_is_fine(void **state)
{
    (void)state;
    unsigned char *base = reserve_and_commit(4, 0);
    assert_status(strata_platform_decommit(base, 4 * page_size()), STRATA_OK);
    assert_status(strata_platform_release(base, 4 * page_size()), STRATA_OK);
}

static void test_reset_keeps_pages_usable(void **state)
{
    (void)state;
    size_t size = 4 * page_size();
    unsigned char *base = reserve_and_commit(4, 4);
    memset(base, 0x77, size);
    assert_status(strata_platform_reset(base, size), STRATA_OK);
    /* Each byte is now the old value or zero, and the pages stay writable. */
    for (size_t i = 0; i < size; i++) {
        assert_true(base[i] == 0x77 || base[i] == 0);
    }
    memset(base, 0x11, size);
    assert_true(all_bytes(base, size, 0x11));
    assert_status(strata_platform_release(base, size), STRATA_OK);
}

static void test_reserve_honours_large_alignment(void **state)
{
    (void)state;
    size_t granularity = strata_platform_get_info()->allocation_granularity;
    size_t alignments[] = {granularity * 4, (size_t)1 << 20, (size_t)4 << 20};
    for (size_t i = 0; i < sizeof alignments / sizeof alignments[0]; i++) {
        void *base = NULL;
        assert_status(strata_platform_reserve(3 * page_size(), alignments[i], NULL, &base), STRATA_OK);
        assert_int_equal((uintptr_t)base % alignments[i], 0);
        assert_status(strata_platform_release(base, 3 * page_size()), STRATA_OK);
    }
}

static void test_reserve_at_requested_address(void **state)
{
    (void)state;
    size_t size = 4 * page_size();
    void *first = NULL;
    assert_status(strata_platform_reserve(size, 0, NULL, &first), STRATA_OK);
    assert_status(strata_platform_release(first, size), STRATA_OK);

    /* The address just given back can be asked for by name. */
    void *again = NULL;
    assert_status(strata_platform_reserve(size, 0, first, &again), STRATA_OK);
    assert_ptr_equal(again, first);

    /* While it is held, asking for it again conflicts and changes nothing. */
    void *clash = (void *)0x1;
    assert_status(strata_platform_reserve(size, 0, first, &clash), STRATA_E_CONFLICTING_ADDRESS);
    assert_ptr_equal(clash, (void *)0x1);
    assert_status(strata_platform_commit(again, page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_OK);
    assert_status(strata_platform_release(again, size), STRATA_OK);
}

static void test_release_of_part_follows_capability(void **state)
{
    (void)state;
    size_t page = page_size();
    unsigned char *base = reserve_and_commit(8, 8);
    if (strata_platform_get_info()->can_release_partially) {
        assert_status(strata_platform_release(base + 2 * page, 2 * page), STRATA_OK);
        /* The hole is free again: it can be reserved at that exact address. */
        void *hole = NULL;
        assert_status(strata_platform_reserve(2 * page, page, base + 2 * page, &hole), STRATA_OK);
        assert_ptr_equal(hole, base + 2 * page);
        assert_status(strata_platform_release(base, 8 * page), STRATA_OK);
    } else {
        assert_status(strata_platform_release(base + 2 * page, 2 * page), STRATA_E_INVALID_ADDRESS);
        assert_status(strata_platform_release(base, 2 * page), STRATA_E_INVALID_PARAMETER);
        /* Still intact after the refusals. */
        base[0] = 1;
        base[8 * page - 1] = 2;
        assert_status(strata_platform_release(base, 8 * page), STRATA_OK);
    }
}

/* ---- errors ---------------------------------------------------------- */

static void test_reserve_rejects_bad_arguments(void **state)
{
    (void)state;
    size_t page = page_size();
    size_t granularity = strata_platform_get_info()->allocation_granularity;
    void *base = (void *)0x1;
    assert_status(strata_platform_reserve(0, 0, NULL, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_reserve(page + 1, 0, NULL, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_reserve(page, 0, NULL, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_reserve(page, 3 * granularity, NULL, &base), STRATA_E_INVALID_PARAMETER);
    if (granularity > page) {
        assert_status(strata_platform_reserve(page, page, NULL, &base), STRATA_E_INVALID_PARAMETER);
    }
    assert_status(strata_platform_reserve(page, granularity / 2, NULL, &base),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_reserve(page, 0, (void *)(uintptr_t)(granularity + page / 2), &base),
                  STRATA_E_INVALID_ADDRESS);
    /* A range that would run past the top of the address space. */
    assert_status(strata_platform_reserve(granularity, 0,
                                          (void *)(UINTPTR_MAX & ~(uintptr_t)(granularity - 1)), &base),
                  STRATA_E_INVALID_PARAMETER);
    /* More address space than any process has. */
    assert_status(strata_platform_reserve(SIZE_MAX & ~(page - 1), 0, NULL, &base), STRATA_E_NO_MEMORY);
    assert_ptr_equal(base, (void *)0x1);
}

typedef strata_status (*range_fn)(void *address, size_t size);

static strata_status commit_rw(void *address, size_t size)
{
    return strata_platform_commit(address, size, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE);
}

static strata_status protect_read(void *address, size_t size)
{
    return strata_platform_protect(address, size, STRATA_ACCESS_READ);
}

static void test_range_functions_reject_bad_ranges(void **state)
{
    (void)state;
    size_t page = page_size();
    range_fn functions[] = {strata_platform_release, commit_rw, strata_platform_decommit,
                            strata_platform_reset, protect_read};
    unsigned char *base = reserve_and_commit(4, 4);
    base[0] = 0x5A;
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        assert_status(functions[i](NULL, page), STRATA_E_INVALID_ADDRESS);
        assert_status(functions[i](base + 1, page), STRATA_E_INVALID_ADDRESS);
        assert_status(functions[i](base + page / 2, page), STRATA_E_INVALID_ADDRESS);
        assert_status(functions[i](base, 0), STRATA_E_INVALID_PARAMETER);
        assert_status(functions[i](base, page + 1), STRATA_E_INVALID_PARAMETER);
        assert_status(functions[i](base, SIZE_MAX & ~(page - 1)), STRATA_E_INVALID_PARAMETER);
    }
    /* None of the refusals touched the memory. */
    assert_int_equal(base[0], 0x5A);
    base[4 * page - 1] = 1;
    assert_status(strata_platform_release(base, 4 * page), STRATA_OK);
}

static void test_bad_access_values_are_refused(void **state)
{
    (void)state;
    size_t page = page_size();
    unsigned char *base = reserve_and_commit(1, 1);
    strata_access bad[] = {STRATA_ACCESS_WRITE, STRATA_ACCESS_WRITE | STRATA_ACCESS_EXECUTE,
                                (strata_access)8, (strata_access)0x100};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(strata_platform_commit(base, page, bad[i]), STRATA_E_INVALID_PARAMETER);
        assert_status(strata_platform_protect(base, page, bad[i]), STRATA_E_INVALID_PARAMETER);
    }
    base[0] = 9; /* still read-write */
    assert_status(strata_platform_protect(base, page, STRATA_ACCESS_READ | STRATA_ACCESS_EXECUTE), STRATA_OK);
    assert_int_equal(base[0], 9);
    assert_status(strata_platform_release(base, page), STRATA_OK);
}

static void test_commit_outside_any_reservation_fails(void **state)
{
    (void)state;
    size_t size = 2 * page_size();
    void *base = NULL;
    assert_status(strata_platform_reserve(size, 0, NULL, &base), STRATA_OK);
    assert_status(strata_platform_release(base, size), STRATA_OK);
    assert_status(strata_platform_commit(base, size, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_E_INVALID_ADDRESS);
    assert_status(strata_platform_protect(base, size, STRATA_ACCESS_READ), STRATA_E_INVALID_ADDRESS);
}

/* ---- protection is enforced (child processes) -------------------------- */

static void write_byte(unsigned char *address, unsigned char value)
{
    *(volatile unsigned char *)address = value;
}

static unsigned char read_byte(const unsigned char *address)
{
    return *(const volatile unsigned char *)address;
}

static void child_write_read_only_page(void)
{
    unsigned char *base = reserve_and_commit(2, 2);
    write_byte(base + page_size() + 10, 1);
    assert_status(strata_platform_protect(base + page_size(), page_size(), STRATA_ACCESS_READ), STRATA_OK);
    (void)read_byte(base + page_size() + 10);
    write_byte(base + 10, 2); /* the first page is still writable */
    child_expect_fault_at(base + page_size(), page_size());
    write_byte(base + page_size() + 10, 3);
    strata_write_error("no fault\n", 9);
    exit(CHILD_NO_FAULT);
}

static void child_read_no_access_page(void)
{
    unsigned char *base = reserve_and_commit(1, 1);
    assert_status(strata_platform_protect(base, page_size(), STRATA_ACCESS_NONE), STRATA_OK);
    child_expect_fault_at(base, page_size());
    (void)read_byte(base + 100);
    exit(CHILD_NO_FAULT);
}

static void child_touch_decommitted_page(void)
{
    unsigned char *base = reserve_and_commit(2, 2);
    assert_status(strata_platform_decommit(base + page_size(), page_size()), STRATA_OK);
    write_byte(base, 1);
    child_expect_fault_at(base + page_size(), page_size());
    write_byte(base + page_size(), 1);
    exit(CHILD_NO_FAULT);
}

static void child_touch_reserved_page(void)
{
    unsigned char *base = reserve_and_commit(2, 1);
    child_expect_fault_at(base + page_size(), page_size());
    (void)read_byte(base + page_size());
    exit(CHILD_NO_FAULT);
}

static void child_write_after_reprotect(void)
{
    unsigned char *base = reserve_and_commit(1, 1);
    assert_status(strata_platform_protect(base, page_size(), STRATA_ACCESS_READ), STRATA_OK);
    assert_status(strata_platform_protect(base, page_size(), STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                  STRATA_OK);
    child_expect_fault_at(base, page_size());
    write_byte(base, 42);
    exit(read_byte(base) == 42 ? CHILD_NO_FAULT : 1);
}

static const child_scenario scenarios[] = {
    {"write_read_only_page", child_write_read_only_page},
    {"read_no_access_page", child_read_no_access_page},
    {"touch_decommitted_page", child_touch_decommitted_page},
    {"touch_reserved_page", child_touch_reserved_page},
    {"write_after_reprotect", child_write_after_reprotect},
    {NULL, NULL},
};

static void expect_child_exit(const char *name, int code)
{
    child_result result;
    assert_true(child_run(name, &result));
    if (!result.exited || result.exit_code != code) {
        fail_msg("child %s: exited=%d code=%d signal=%d, wanted code %d; stderr:\n%s", name,
                 result.exited, result.exit_code, result.signal_number, code, result.output);
    }
}

static void test_write_to_read_only_page_faults(void **state)
{
    (void)state;
    expect_child_exit("write_read_only_page", CHILD_FAULT_AT_EXPECTED);
}

static void test_read_of_no_access_page_faults(void **state)
{
    (void)state;
    expect_child_exit("read_no_access_page", CHILD_FAULT_AT_EXPECTED);
}

static void test_decommitted_page_faults(void **state)
{
    (void)state;
    expect_child_exit("touch_decommitted_page", CHILD_FAULT_AT_EXPECTED);
}

static void test_reserved_page_faults(void **state)
{
    (void)state;
    expect_child_exit("touch_reserved_page", CHILD_FAULT_AT_EXPECTED);
}

static void test_reprotected_page_is_writable_again(void **state)
{
    (void)state;
    expect_child_exit("write_after_reprotect", CHILD_NO_FAULT);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_is_sane_and_cached),
        cmocka_unit_test(test_reserve_base_is_granularity_aligned),
        cmocka_unit_test(test_commit_gives_zeroed_writable_pages),
        cmocka_unit_test(test_recommit_keeps_contents),
        cmocka_unit_test(test_decommitted_pages_read_zero_after_recommit),
        cmocka_unit_test(test_decommit_of_uncommitted_pages_is_fine),
        cmocka_unit_test(test_reset_keeps_pages_usable),
        cmocka_unit_test(test_reserve_honours_large_alignment),
        cmocka_unit_test(test_reserve_at_requested_address),
        cmocka_unit_test(test_release_of_part_follows_capability),
        cmocka_unit_test(test_reserve_rejects_bad_arguments),
        cmocka_unit_test(test_range_functions_reject_bad_ranges),
        cmocka_unit_test(test_bad_access_values_are_refused),
        cmocka_unit_test(test_commit_outside_any_reservation_fails),
        cmocka_unit_test(test_write_to_read_only_page_faults),
        cmocka_unit_test(test_read_of_no_access_page_faults),
        cmocka_unit_test(test_decommitted_page_faults),
        cmocka_unit_test(test_reserved_page_faults),
        cmocka_unit_test(test_reprotected_page_is_writable_again),
    };
    return cmocka_run_group_tests_name("platform_pages", tests, NULL, NULL);
}
