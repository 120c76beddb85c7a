/* SPDX-License-Identifier: MIT */
/*
 * IsBadReadPtr / IsBadWritePtr on committed, read-only, no-access, reserved,
 * free and NULL memory, with size 0 and ranges crossing into bad pages.
 * docs/windows-behaviour.md §5; priority item 25.
 */
#include "conformance.h"

/* ---- size 0 (§5) --------------------------------------------------------------- */

/* Size 0 is never bad, whatever the pointer (§5, item 25). */
static void test_size_zero_is_never_bad(void **state)
{
    char *reserved, *free_memory;
    (void)state;

    reserved = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(reserved);
    free_memory = free_address(CONF_GRANULE);

    assert_int_equal(IsBadReadPtr(NULL, 0), FALSE);
    assert_int_equal(IsBadWritePtr(NULL, 0), FALSE);
    assert_int_equal(IsBadReadPtr(reserved, 0), FALSE);
    assert_int_equal(IsBadWritePtr(reserved, 0), FALSE);
    assert_int_equal(IsBadReadPtr(free_memory, 0), FALSE);
    assert_int_equal(IsBadWritePtr(free_memory, 0), FALSE);
    release(reserved);
}

/* ---- NULL (§5) ------------------------------------------------------------------ */

/* NULL with a non-zero size is bad (§5, item 25). */
static void test_null_is_bad(void **state)
{
    (void)state;
    assert_int_equal(IsBadReadPtr(NULL, 1), TRUE);
    assert_int_equal(IsBadWritePtr(NULL, 1), TRUE);
}

/* ---- committed memory (§5) ----------------------------------------------------- */

/* Committed read-write memory is good for reading and writing, to its last byte (§5). */
static void test_committed_readwrite_memory_is_good(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(base, 0x4e, 0x2000);
    assert_int_equal(IsBadReadPtr(base, 1), FALSE);
    assert_int_equal(IsBadWritePtr(base, 1), FALSE);
    assert_int_equal(IsBadReadPtr(base, 0x2000), FALSE);
    assert_int_equal(IsBadWritePtr(base, 0x2000), FALSE);
    assert_int_equal(IsBadReadPtr(base + 0x1fff, 1), FALSE);
    assert_int_equal(IsBadWritePtr(base + 0x1fff, 1), FALSE);
    /* Probing does not change the data. */
    assert_true(all_bytes(base, 0x2000, 0x4e));
    release(base);
}

/* A local variable is good memory (§5). */
static void test_stack_variable_is_good(void **state)
{
    volatile char local = 7;
    (void)state;
    assert_int_equal(IsBadReadPtr((const void *)&local, sizeof(local)), FALSE);
    assert_int_equal(IsBadWritePtr((void *)&local, sizeof(local)), FALSE);
    assert_int_equal(local, 7);
}

/*
 * Read-only memory is good for reading and bad for writing (§5: IsBadWritePtr tests write access).
 */
static void test_readonly_memory_is_bad_only_for_writing(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    assert_non_null(base);
    assert_int_equal(IsBadReadPtr(base, 0x1000), FALSE);
    assert_int_equal(IsBadWritePtr(base, 1), TRUE);
    expect_region(base, base, base, PAGE_READONLY, 0x1000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    release(base);
}

/* PAGE_NOACCESS memory is bad for both (§5). */
static void test_noaccess_memory_is_bad(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    assert_non_null(base);
    assert_int_equal(IsBadReadPtr(base, 1), TRUE);
    assert_int_equal(IsBadWritePtr(base, 1), TRUE);
    release(base);
}

/* ---- reserved and free memory (§5) ---------------------------------------------- */

/* Reserved, uncommitted pages are bad (§5, item 25). */
static void test_reserved_memory_is_bad(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_int_equal(IsBadReadPtr(base, 1), TRUE);
    assert_int_equal(IsBadWritePtr(base, 1), TRUE);
    assert_int_equal(IsBadReadPtr(base + 0x4000, sizeof(DWORD)), TRUE);
    assert_int_equal(IsBadWritePtr(base + 0x4000, sizeof(DWORD)), TRUE);
    expect_region(base, base, base, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* Released (free) memory is bad (§5). */
static void test_released_memory_is_bad(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    release(base);
    assert_int_equal(IsBadReadPtr(base, 1), TRUE);
    assert_int_equal(IsBadWritePtr(base, 1), TRUE);
}

/* A range that is only partly accessible is bad (§5). */
static void test_partly_accessible_range_is_bad(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_READWRITE), base);
    assert_int_equal(IsBadReadPtr(base + 0xfff, 1), FALSE);
    assert_int_equal(IsBadReadPtr(base + 0xfff, 2), TRUE);
    assert_int_equal(IsBadWritePtr(base + 0xfff, 2), TRUE);
    assert_int_equal(IsBadReadPtr(base, 0x1001), TRUE);

    /* Committed, but the second page is not accessible. */
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x1000);
    expect_success(VirtualProtect(base + 0x1000, 0x1000, PAGE_NOACCESS, &old));
    assert_int_equal(IsBadReadPtr(base, 0x2000), TRUE);
    assert_int_equal(IsBadWritePtr(base, 0x2000), TRUE);
    assert_int_equal(IsBadReadPtr(base, 0x1000), FALSE);
    release(base);
}

/* ---- mapped views (§5, §4.4) ----------------------------------------------------- */

/* A mapped view is good; after UnmapViewOfFile it is bad (§5, §4.4). */
static void test_view_is_good_until_unmapped(void **state)
{
    HANDLE mapping;
    char *view;
    (void)state;

    mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x2000, NULL);
    assert_non_null(mapping);
    view = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    assert_non_null(view);
    assert_int_equal(IsBadReadPtr(view, 0x2000), FALSE);
    assert_int_equal(IsBadWritePtr(view, 0x2000), FALSE);
    expect_success(UnmapViewOfFile(view));
    assert_int_equal(IsBadReadPtr(view, 0x2000), TRUE);
    assert_int_equal(IsBadWritePtr(view, 1), TRUE);
    expect_success(CloseHandle(mapping));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_zero_is_never_bad),
        cmocka_unit_test(test_null_is_bad),
        cmocka_unit_test(test_committed_readwrite_memory_is_good),
        cmocka_unit_test(test_stack_variable_is_good),
        cmocka_unit_test(test_readonly_memory_is_bad_only_for_writing),
        cmocka_unit_test(test_noaccess_memory_is_bad),
        cmocka_unit_test(test_reserved_memory_is_bad),
        cmocka_unit_test(test_released_memory_is_bad),
        cmocka_unit_test(test_partly_accessible_range_is_bad),
        cmocka_unit_test(test_view_is_good_until_unmapped),
    };
    return cmocka_run_group_tests_name("conformance_bad_ptr", tests, NULL, NULL);
}
