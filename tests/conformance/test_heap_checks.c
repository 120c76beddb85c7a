/* SPDX-License-Identifier: MIT */
/*
 * HeapValidate of addresses that are no heap block (unreadable ones set
 * ERROR_NOACCESS, readable ones leave the last error alone) and
 * HeapQueryInformation(HeapCompatibilityInformation) by kind of heap: the
 * low-fragmentation front end (2) comes to ordinary heaps, never to
 * HEAP_NO_SERIALIZE or fixed-size ones (0).
 */
#include "conformance.h"

static HANDLE new_heap(DWORD options, SIZE_T initial, SIZE_T maximum)
{
    HANDLE heap = HeapCreate(options, initial, maximum);
    assert_non_null(heap);
    return heap;
}

static ULONG compatibility_of(HANDLE heap)
{
    ULONG value = 99;
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value, NULL));
    return value;
}

/* 0x12 blocks of one size, freed again: what switches Windows' LFH on for that size. */
static void allocate_the_pattern(HANDLE heap, SIZE_T size)
{
    void *blocks[0x12];
    for (int i = 0; i < 0x12; i++) {
        blocks[i] = HeapAlloc(heap, 0, size);
        assert_non_null(blocks[i]);
    }
    for (int i = 0; i < 0x12; i++)
        expect_success(HeapFree(heap, 0, blocks[i]));
}

/* ---- HeapValidate -------------------------------------------------------------- */

/* Addresses nothing can be read at: FALSE with ERROR_NOACCESS (free,
 * reserved, and committed PAGE_NOACCESS memory). */
static void test_validate_of_unreadable_address_sets_noaccess(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    char *reserved = VirtualAlloc(NULL, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(reserved);
    assert_non_null(VirtualAlloc(reserved + 0x10000, 0x1000, MEM_COMMIT, PAGE_NOACCESS));
    char *unmapped = free_address(0x10000);
    const void *addresses[] = {unmapped + 0x40, reserved + 0x40, reserved + 0x10040};
    /* Wine refuses these without setting a last error. */
    const DWORD expected = WINDOWS_OR_WINE(ERROR_NOACCESS, CONF_POISON);
    for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
        SetLastError(CONF_POISON);
        expect_failure_with(!HeapValidate(heap, 0, addresses[i]), expected);
        SetLastError(CONF_POISON);
        expect_failure_with(!HeapValidate(GetProcessHeap(), 0, addresses[i]), expected);
    }
    release(reserved);
    expect_success(HeapDestroy(heap));
}

/* Readable memory that is no live block: FALSE, the last error untouched;
 * a live block and the whole heap: TRUE, untouched too. */
static void test_validate_of_readable_non_block_leaves_last_error(void **state)
{
    static char buffer[256];
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    char *block = HeapAlloc(heap, 0, 64);
    char *freed = HeapAlloc(heap, 0, 64);
    assert_non_null(block);
    assert_non_null(freed);
    expect_success(HeapFree(heap, 0, freed));
    SetLastError(CONF_POISON);
    assert_false(HeapValidate(heap, 0, buffer + 64));
    assert_false(HeapValidate(heap, 0, freed));
    assert_true(HeapValidate(heap, 0, block));
    assert_true(HeapValidate(heap, 0, NULL));
    expect_last_error(CONF_POISON);
    expect_success(HeapDestroy(heap));
}

/* ---- HeapCompatibilityInformation ------------------------------------------------ */

/* An ordinary heap: 0 when new, 2 once one size has been allocated 0x12
 * times, and 2 for good after those blocks are freed. */
static void test_ordinary_heap_gets_the_front_end(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *blocks[0x12];
    assert_int_equal(compatibility_of(heap), 0);
    for (int i = 0; i < 0x12; i++) {
        blocks[i] = HeapAlloc(heap, 0, 0);
        assert_non_null(blocks[i]);
    }
    assert_int_equal(compatibility_of(heap), WINDOWS_OR_WINE(2, 0)); /* Wine 8 has no front end */
    for (int i = 0; i < 0x12; i++)
        expect_success(HeapFree(heap, 0, blocks[i]));
    assert_int_equal(compatibility_of(heap), WINDOWS_OR_WINE(2, 0));
    expect_success(HeapDestroy(heap));
}

/* HEAP_NO_SERIALIZE and fixed-size heaps have no front end: 0 whatever is
 * allocated; asking for it fails and changes nothing. */
static void test_unserialized_and_fixed_heaps_have_no_front_end(void **state)
{
    (void)state;
    HANDLE heaps[] = {new_heap(HEAP_NO_SERIALIZE, 0, 0), new_heap(0, 0x10000, 0x100000),
                      new_heap(HEAP_NO_SERIALIZE, 0x10000, 0x100000)};
    for (size_t i = 0; i < sizeof(heaps) / sizeof(heaps[0]); i++) {
        for (int round = 0; round < 4; round++)
            allocate_the_pattern(heaps[i], 0x10 + (SIZE_T)round * 0x10);
        void *kept[40];
        for (int k = 0; k < 40; k++) {
            kept[k] = HeapAlloc(heaps[i], 0, 24);
            assert_non_null(kept[k]);
        }
        assert_int_equal(compatibility_of(heaps[i]), 0);
        ULONG value = 2;
        if (WINDOWS_OR_WINE(true, false)) /* Wine accepts the request */
            assert_false(HeapSetInformation(heaps[i], HeapCompatibilityInformation, &value, sizeof value));
        assert_int_equal(compatibility_of(heaps[i]), 0);
        expect_success(HeapDestroy(heaps[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_of_unreadable_address_sets_noaccess),
        cmocka_unit_test(test_validate_of_readable_non_block_leaves_last_error),
        cmocka_unit_test(test_ordinary_heap_gets_the_front_end),
        cmocka_unit_test(test_unserialized_and_fixed_heaps_have_no_front_end),
    };
    return cmocka_run_group_tests_name("conformance_heap_checks", tests, NULL, NULL);
}
