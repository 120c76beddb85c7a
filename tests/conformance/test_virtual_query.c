/* SPDX-License-Identifier: MIT */
/*
 * VirtualQuery: every MEMORY_BASIC_INFORMATION field for reserved, committed
 * and free memory, the worked example, region boundaries, bad arguments.
 * docs/windows-behaviour.md §1.6; priority item 7.
 */
#include "conformance.h"

/* ---- the return value and the arguments (§1.6) ----------------------------- */

/* Success returns the number of bytes written: sizeof(MEMORY_BASIC_INFORMATION), no more (§1.6). */
static void test_returns_size_of_structure(void **state)
{
    MEMORY_BASIC_INFORMATION info[2];
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(info, 0x5a, sizeof(info));
    assert_int_equal(VirtualQuery(base, &info[0], sizeof(info[0])),
                     sizeof(MEMORY_BASIC_INFORMATION));
    /* A larger buffer still gets one structure; the bytes after it are untouched. */
    assert_int_equal(VirtualQuery(base, &info[0], sizeof(info)), sizeof(MEMORY_BASIC_INFORMATION));
    assert_true(all_bytes(&info[1], sizeof(info[1]), 0x5a));
    assert_int_equal(sizeof(MEMORY_BASIC_INFORMATION), sizeof(void *) == 8 ? 48 : 28);
    release(base);
}

/*
 * A buffer shorter than the structure: 0 and ERROR_BAD_LENGTH ([inferred] §1.6, checked on Wine).
 */
static void test_short_length_fails_with_bad_length(void **state)
{
    MEMORY_BASIC_INFORMATION info;
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(&info, 0x5a, sizeof(info));
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualQuery(base, &info, sizeof(info) - 1) == 0, ERROR_BAD_LENGTH);
    assert_true(all_bytes(&info, sizeof(info), 0x5a));
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualQuery(base, &info, 0) == 0, ERROR_BAD_LENGTH);
    release(base);
}

/* An address above the highest user address: 0 and ERROR_INVALID_PARAMETER (§1.6, item 7). */
static void test_address_above_maximum_fails_with_invalid_parameter(void **state)
{
    MEMORY_BASIC_INFORMATION info;
    SYSTEM_INFO system;
    char *above;
    (void)state;

    GetSystemInfo(&system);
    above = (char *)(((uintptr_t)system.lpMaximumApplicationAddress | (CONF_GRANULE - 1)) + 1);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualQuery(above, &info, sizeof(info)) == 0, ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualQuery((void *)(UINTPTR_MAX & ~(uintptr_t)0xfff), &info,
                                     sizeof(info)) == 0,
                        ERROR_INVALID_PARAMETER);

    /* The highest user page itself can be queried. */
    assert_int_equal(VirtualQuery(system.lpMaximumApplicationAddress, &info, sizeof(info)),
                     sizeof(info));
    assert_ptr_equal(info.BaseAddress,
                     (void *)((uintptr_t)system.lpMaximumApplicationAddress &
                              ~(uintptr_t)(CONF_PAGE - 1)));
}

/* ---- reserved and committed memory (§1.6) ---------------------------------- */

/* The worked example, reserved: {a, a, NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE} (§1.6). */
static void test_reserved_region_fields(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    expect_region(base, base, base, PAGE_NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/*
 * The worked example, first page committed: the committed page is its own
 * region; a query one page in sees the 0xF000 reserved rest (§1.6).
 */
static void test_committed_region_fields(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_NOACCESS), base);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_NOACCESS, 0xF000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/* AllocationProtect keeps the reservation's protection; Protect is the page's own (§1.6). */
static void test_allocation_protect_is_reservation_protection(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x3000, MEM_RESERVE, PAGE_EXECUTE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x1000, MEM_COMMIT, PAGE_READONLY),
                     base + 0x1000);
    expect_region(base, base, base, PAGE_EXECUTE_READWRITE, 0x1000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_EXECUTE_READWRITE, 0x1000,
                  MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE);
    expect_region(base + 0x2000, base + 0x2000, base, PAGE_EXECUTE_READWRITE, 0x1000,
                  MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* An unaligned address is rounded down; the region is measured from that page (§1.6). */
static void test_unaligned_address_is_rounded_down_to_page(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_region(base + 0x1234, base + 0x1000, base, PAGE_READWRITE, 0x3000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    expect_region(base + 0x3fff, base + 0x3000, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    release(base);
}

/*
 * A region is the run of pages with the same state, allocation, protection
 * and type: different protections, or committed next to reserved, end it (§1.6).
 */
static void test_region_ends_where_attributes_change(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x6000, MEM_COMMIT, PAGE_READWRITE), base);
    expect_success(VirtualProtect(base + 0x2000, 0x2000, PAGE_READONLY, &old));

    expect_region(base, base, base, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    expect_region(base + 0x2000, base + 0x2000, base, PAGE_READWRITE, 0x2000, MEM_COMMIT,
                  PAGE_READONLY, MEM_PRIVATE);
    expect_region(base + 0x4000, base + 0x4000, base, PAGE_READWRITE, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    expect_region(base + 0x6000, base + 0x6000, base, PAGE_READWRITE, 0xA000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/* Two adjacent reservations are separate regions even with equal attributes (§1.6 (b)). */
static void test_adjacent_allocations_are_separate_regions(void **state)
{
    char *address, *first, *second;
    (void)state;

    address = free_address(2 * CONF_GRANULE);
    first = VirtualAlloc(address, CONF_GRANULE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    second = VirtualAlloc(address + CONF_GRANULE, CONF_GRANULE, MEM_RESERVE | MEM_COMMIT,
                          PAGE_READWRITE);
    assert_ptr_equal(first, address);
    assert_ptr_equal(second, address + CONF_GRANULE);
    expect_region(first, first, first, PAGE_READWRITE, CONF_GRANULE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    expect_region(second, second, second, PAGE_READWRITE, CONF_GRANULE, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    release(second);
    release(first);
}

/* ---- free memory (§1.6, item 7) -------------------------------------------- */

/*
 * Free memory: AllocationBase NULL, AllocationProtect 0, State MEM_FREE,
 * Protect PAGE_NOACCESS, Type 0; the region reaches to the next allocation,
 * measured from the queried page (the "10 MB into a 40 MB gap" rule, §1.6).
 */
static void test_free_region_fields(void **state)
{
    MEMORY_BASIC_INFORMATION at_start, inside;
    char *address;
    (void)state;

    address = free_address(4 * CONF_GRANULE);
    expect_free(address);
    expect_free(address + 0x21234);

    at_start = query(address);
    inside = query(address + 0x21234);
    assert_ptr_equal(inside.BaseAddress, address + 0x21000);
    assert_true(at_start.RegionSize >= 4 * CONF_GRANULE);
    assert_int_equal(at_start.RegionSize - inside.RegionSize, 0x21000);
}

/* A released allocation reports free memory at every page (§1.6, §1.4). */
static void test_released_memory_reads_as_free(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    release(base);
    expect_free(base);
    expect_free(base + 0x1000);
    expect_free(base + 0x2fff);
}

/* The page at address 0 is free memory (below lpMinimumApplicationAddress, §0.2, §1.6). */
static void test_null_page_is_free(void **state)
{
    MEMORY_BASIC_INFORMATION info;
    (void)state;

    expect_free(NULL);
    info = query(NULL);
    assert_ptr_equal(info.BaseAddress, NULL);
    assert_true(info.RegionSize >= CONF_GRANULE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returns_size_of_structure),
        cmocka_unit_test(test_short_length_fails_with_bad_length),
        cmocka_unit_test(test_address_above_maximum_fails_with_invalid_parameter),
        cmocka_unit_test(test_reserved_region_fields),
        cmocka_unit_test(test_committed_region_fields),
        cmocka_unit_test(test_allocation_protect_is_reservation_protection),
        cmocka_unit_test(test_unaligned_address_is_rounded_down_to_page),
        cmocka_unit_test(test_region_ends_where_attributes_change),
        cmocka_unit_test(test_adjacent_allocations_are_separate_regions),
        cmocka_unit_test(test_free_region_fields),
        cmocka_unit_test(test_released_memory_reads_as_free),
        cmocka_unit_test(test_null_page_is_free),
    };
    return cmocka_run_group_tests_name("conformance_virtual_query", tests, NULL, NULL);
}
