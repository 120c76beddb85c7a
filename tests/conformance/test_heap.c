/* SPDX-License-Identifier: MIT */
/*
 * HeapCreate … HeapSetInformation. docs/windows-behaviour.md §2; priority items 10–17.
 * HEAP_GENERATE_EXCEPTIONS needs an exception handler and is tested in
 * tests/heap/test_api.c (POSIX) through strata's own API.
 */
#include "conformance.h"

#include "../support/thread.h"

#include <stdatomic.h>

#define P sizeof(void *)
#define A ((SIZE_T)0x8000 * P) /* the spec's "alloc_size" unit */

static HANDLE new_heap(DWORD options, SIZE_T initial, SIZE_T maximum)
{
    HANDLE heap = HeapCreate(options, initial, maximum);
    assert_non_null(heap);
    return heap;
}

/* ---- HeapCreate, GetProcessHeaps, HeapDestroy (§2.2, §2.12, §2.13; item 10) ---- */

static void test_heap_handle_is_64k_aligned(void **state)
{
    (void)state;
    HANDLE growable = new_heap(0, 0, 0);
    HANDLE fixed = new_heap(0, 0x10000, 0x100000);
    assert_int_equal((UINT_PTR)growable & 0xFFFF, 0);
    assert_int_equal((UINT_PTR)fixed & 0xFFFF, 0);
    expect_success(HeapDestroy(fixed));
    expect_success(HeapDestroy(growable));
}

static void test_new_heap_is_appended_to_the_process_heaps(void **state)
{
    HANDLE heaps[256];
    DWORD before, after, count;
    (void)state;
    before = GetProcessHeaps(0, NULL);
    assert_true(before >= 1);
    HANDLE heap = new_heap(0, 0, 0);
    after = GetProcessHeaps(256, heaps);
    assert_int_equal(after, before + 1);
    assert_ptr_equal(heaps[0], GetProcessHeap());
    bool found = false;
    for (DWORD i = 0; i < after; i++)
        found = found || heaps[i] == heap;
    assert_true(found);
    expect_success(HeapDestroy(heap));
    count = GetProcessHeaps(256, heaps);
    assert_int_equal(count, before);
    for (DWORD i = 0; i < count; i++)
        assert_ptr_not_equal(heaps[i], heap);
}

static void test_process_heap_cannot_be_destroyed(void **state)
{
    (void)state;
    assert_non_null(GetProcessHeap());
    SetLastError(CONF_POISON);
    assert_false(HeapDestroy(GetProcessHeap()));
    void *block = HeapAlloc(GetProcessHeap(), 0, 16);
    assert_non_null(block);
    expect_success(HeapFree(GetProcessHeap(), 0, block));
}

/* ---- HeapAlloc and HeapSize (§2.3, §2.4, §2.7; item 11) --------------------------- */

static void test_zero_byte_blocks_are_unique_with_size_zero(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *a = HeapAlloc(heap, 0, 0);
    void *b = HeapAlloc(heap, 0, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(HeapSize(heap, 0, a), 0);
    assert_true(HeapValidate(heap, 0, a));
    expect_success(HeapFree(heap, 0, a));
    expect_success(HeapFree(heap, 0, b));
    expect_success(HeapDestroy(heap));
}

static void test_heap_size_is_the_requested_size(void **state)
{
    static const SIZE_T sizes[] = {1, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 4095, 4097, 20000, 0x30000, 0x100000};
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *block = HeapAlloc(heap, 0, sizes[i]);
        assert_non_null(block);
        assert_int_equal(HeapSize(heap, 0, block), sizes[i]);
        expect_success(HeapFree(heap, 0, block));
    }
    expect_success(HeapDestroy(heap));
}

static void test_blocks_are_2p_aligned_but_not_all_4p_aligned(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    bool unaligned_to_4p = false;
    for (int i = 0; i < 100; i++) {
        void *block = HeapAlloc(heap, 0, (SIZE_T)(i % 13) * 8 + 1);
        assert_non_null(block);
        assert_int_equal((UINT_PTR)block % (2 * P), 0);
        unaligned_to_4p = unaligned_to_4p || (UINT_PTR)block % (4 * P) == 2 * P;
    }
    assert_true(unaligned_to_4p);
    expect_success(HeapDestroy(heap));
}

static void test_large_blocks_are_8p_but_not_16p_aligned(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    for (int i = 0; i < 3; i++) {
        void *block = HeapAlloc(heap, 0, 0x200000 + (SIZE_T)i * 0x1000);
        assert_non_null(block);
        assert_int_equal((UINT_PTR)block % (8 * P), 0);
        assert_int_not_equal((UINT_PTR)block % (16 * P), 0);
    }
    expect_success(HeapDestroy(heap));
}

static void test_zero_memory_zeroes_every_size(void **state)
{
    static const SIZE_T sizes[] = {1, A, 0x100000, 5 * A};
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *dirty = HeapAlloc(heap, 0, sizes[i]);
        assert_non_null(dirty);
        memset(dirty, 0xEE, sizes[i]);
        expect_success(HeapFree(heap, 0, dirty));
        unsigned char *block = HeapAlloc(heap, HEAP_ZERO_MEMORY, sizes[i]);
        assert_non_null(block);
        for (SIZE_T k = 0; k < sizes[i]; k++)
            if (block[k] != 0)
                fail_msg("byte %lu of a %lu-byte zeroed block is %#x", (unsigned long)k,
                         (unsigned long)sizes[i], block[k]);
        expect_success(HeapFree(heap, 0, block));
    }
    expect_success(HeapDestroy(heap));
}

static void test_absurd_sizes_fail_with_not_enough_memory(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(HeapAlloc(heap, 0, ~(SIZE_T)0) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    expect_success(HeapDestroy(heap));
}

/* ---- Fixed-size heaps (§2.2; item 12) ----------------------------------------------- */

static void test_fixed_heap_gives_nearly_all_of_its_maximum(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, A, A);
    void *block = HeapAlloc(heap, 0, A - (0x400 + 0x100 * P));
    assert_non_null(block);
    assert_int_equal(HeapSize(heap, 0, block), A - (0x400 + 0x100 * P));
    expect_success(HeapFree(heap, 0, block));
    SetLastError(CONF_POISON);
    expect_failure_with(HeapAlloc(heap, 0, A) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    expect_success(HeapDestroy(heap));
}

static void test_fixed_heap_refuses_large_blocks(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 8 * A, 8 * A);
    SetLastError(CONF_POISON);
    expect_failure_with(HeapAlloc(heap, 0, 4 * A) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    void *block = HeapAlloc(heap, 0, A);
    assert_non_null(block);
    expect_success(HeapFree(heap, 0, block));
    expect_success(HeapDestroy(heap));
}

static void test_fixed_heap_fills_up_and_fails_cleanly(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0x40000);
    SIZE_T total = 0;
    void *first = HeapAlloc(heap, 0, 1000);
    assert_non_null(first);
    for (;;) {
        SetLastError(CONF_POISON);
        void *block = HeapAlloc(heap, 0, 1000);
        if (block == NULL) {
            expect_last_error(ERROR_NOT_ENOUGH_MEMORY);
            break;
        }
        total += 1000;
        assert_true(total < 0x40000);
    }
    assert_true(HeapValidate(heap, 0, NULL));
    expect_success(HeapFree(heap, 0, first));
    assert_non_null(HeapAlloc(heap, 0, 1000));
    expect_success(HeapDestroy(heap));
}

/* ---- HeapReAlloc (§2.5; item 13) ------------------------------------------------------ */

static void test_realloc_zero_memory_zeroes_only_the_growth(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    unsigned char *block = HeapAlloc(heap, 0, 100);
    memset(block, 0x5A, 100);
    block = HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 5000);
    assert_non_null(block);
    for (int k = 0; k < 100; k++)
        assert_int_equal(block[k], 0x5A);
    for (int k = 100; k < 5000; k++)
        assert_int_equal(block[k], 0);
    assert_int_equal(HeapSize(heap, 0, block), 5000);
    expect_success(HeapDestroy(heap));
}

static void test_realloc_in_place_failure_keeps_the_block(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    char *small = HeapAlloc(heap, 0, 16);
    char *blocker = HeapAlloc(heap, 0, 16);
    assert_non_null(blocker);
    strcpy(small, "intact");
    SetLastError(CONF_POISON);
    expect_failure_with(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, small, 0x100000) == NULL,
                        ERROR_NOT_ENOUGH_MEMORY);
    assert_string_equal(small, "intact");
    assert_int_equal(HeapSize(heap, 0, small), 16);
    assert_true(HeapValidate(heap, 0, small));
    expect_success(HeapDestroy(heap));
}

static void test_realloc_of_null_fails_with_last_error_zero(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    SetLastError(CONF_POISON);
    assert_null(HeapReAlloc(heap, 0, NULL, 10));
    expect_last_error(WINDOWS_OR_WINE(NO_ERROR, CONF_POISON));
    expect_success(HeapDestroy(heap));
}

static void test_realloc_to_absurd_sizes_keeps_the_block(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    char *block = HeapAlloc(heap, 0, 32);
    strcpy(block, "still here");
    assert_null(HeapReAlloc(heap, 0, block, ~(SIZE_T)0));
    assert_null(HeapReAlloc(heap, 0, block, ~(SIZE_T)0 - 7));
    assert_true(HeapValidate(heap, 0, block));
    assert_string_equal(block, "still here");
    void *zero = HeapReAlloc(heap, 0, block, 0);
    assert_non_null(zero);
    assert_int_equal(HeapSize(heap, 0, zero), 0);
    expect_success(HeapDestroy(heap));
}

static void test_realloc_shrinks_and_regrows_in_place(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *block = HeapAlloc(heap, 0, 3 * A);
    assert_non_null(block);
    assert_ptr_equal(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 3 * A / 2), block);
    assert_ptr_equal(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 2 * A), block);
    assert_int_equal(HeapSize(heap, 0, block), 2 * A);
    expect_success(HeapDestroy(heap));
}

static void test_large_block_shrunk_in_place_cannot_regrow_in_place(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *block = HeapAlloc(heap, 0, 5 * A);
    assert_non_null(block);
    assert_ptr_equal(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 4 * A), block);
    if (WINDOWS_OR_WINE(false, true)) { /* Wine keeps the pages and regrows */
        assert_ptr_equal(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 5 * A), block);
        expect_success(HeapDestroy(heap));
        return;
    }
    SetLastError(CONF_POISON);
    expect_failure_with(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 5 * A) == NULL,
                        ERROR_NOT_ENOUGH_MEMORY);
    assert_int_equal(HeapSize(heap, 0, block), 4 * A);
    expect_success(HeapDestroy(heap));
}

/* ---- HeapFree, HeapValidate, HeapSize failures (§2.6–2.8; item 14) ---------------------- */

static void test_free_of_null_succeeds(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    expect_success(HeapFree(heap, 0, NULL));
    expect_success(HeapFree(GetProcessHeap(), 0, NULL));
    expect_success(HeapDestroy(heap));
}

static void test_validate_never_touches_the_last_error(void **state)
{
    static char static_buffer[64];
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *live = HeapAlloc(heap, 0, 40);
    void *freed = HeapAlloc(heap, 0, 40);
    expect_success(HeapFree(heap, 0, freed));
    SetLastError(CONF_POISON);
    assert_true(HeapValidate(heap, 0, NULL));
    assert_true(HeapValidate(heap, 0, live));
    assert_false(HeapValidate(heap, 0, freed));
    assert_false(HeapValidate(heap, 0, static_buffer));
    expect_last_error(CONF_POISON);
    expect_success(HeapDestroy(heap));
}

static void test_size_of_a_freed_block_is_minus_one(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *freed = HeapAlloc(heap, 0, 40);
    HeapAlloc(heap, 0, 40);
    expect_success(HeapFree(heap, 0, freed));
    SetLastError(CONF_POISON);
    assert_int_equal(HeapSize(heap, 0, freed), (SIZE_T)-1);
    expect_last_error(WINDOWS_OR_WINE(CONF_POISON, ERROR_INVALID_PARAMETER));
    expect_success(HeapDestroy(heap));
}

/* ---- HeapWalk (§2.9; item 15) ------------------------------------------------------------- */

static void test_walk_of_a_fresh_heap(void **state)
{
    PROCESS_HEAP_ENTRY entry;
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    memset(&entry, 0, sizeof entry);
    expect_success(HeapWalk(heap, &entry));
    assert_int_equal(entry.wFlags, PROCESS_HEAP_REGION);
    assert_ptr_equal(entry.lpData, heap);
    assert_int_equal(entry.iRegionIndex, 0);
    assert_int_equal(entry.cbOverhead, 0);
    DWORD committed = entry.Region.dwCommittedSize;
    expect_success(HeapWalk(heap, &entry));
    assert_int_equal(entry.wFlags, 0);
    assert_non_null(entry.lpData);
    assert_true(entry.cbData != 0);
    expect_success(HeapWalk(heap, &entry));
    assert_int_equal(entry.wFlags, PROCESS_HEAP_UNCOMMITTED_RANGE);
    assert_ptr_equal(entry.lpData, (char *)heap + committed);
    SetLastError(CONF_POISON);
    expect_failure_with(!HeapWalk(heap, &entry), ERROR_NO_MORE_ITEMS);
    expect_success(HeapDestroy(heap));
}

static void test_walk_reports_busy_blocks_with_their_sizes_and_large_blocks_last(void **state)
{
    PROCESS_HEAP_ENTRY entry;
    void *blocks[5];
    SIZE_T sizes[5] = {5, 100, 3000, 0x8000, 0x200000};
    bool seen[5] = {false};
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    for (int i = 0; i < 5; i++)
        blocks[i] = HeapAlloc(heap, 0, sizes[i]);
    memset(&entry, 0, sizeof entry);
    bool large_seen = false;
    char *previous = NULL;
    while (HeapWalk(heap, &entry)) {
        if (entry.wFlags & PROCESS_HEAP_REGION) {
            previous = NULL;
            continue;
        }
        if (entry.iRegionIndex == 64 && (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY)) {
            large_seen = true;
        } else {
            assert_false(large_seen);
            assert_true((char *)entry.lpData > previous);
            previous = entry.lpData;
        }
        for (int i = 0; i < 5; i++)
            if (entry.lpData == blocks[i] && (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY)) {
                assert_false(seen[i]);
                seen[i] = true;
                assert_int_equal(entry.cbData, sizes[i]);
                assert_int_equal(entry.iRegionIndex == 64, i == 4);
            }
    }
    expect_last_error(ERROR_NO_MORE_ITEMS);
    for (int i = 0; i < 5; i++)
        assert_true(seen[i]);
    assert_true(large_seen);
    expect_success(HeapDestroy(heap));
}

static void test_walk_without_an_entry_fails(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(!HeapWalk(heap, NULL), ERROR_INVALID_PARAMETER);
    expect_success(HeapDestroy(heap));
}

/* ---- HeapCompact (§2.10) -------------------------------------------------------------- */

static void test_compact_returns_a_free_block_size_that_can_be_allocated(void **state)
{
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    void *blocks[20];
    for (int i = 0; i < 20; i++)
        blocks[i] = HeapAlloc(heap, 0, 20000);
    for (int i = 0; i < 20; i++)
        HeapFree(heap, 0, blocks[i]);
    SIZE_T largest = HeapCompact(heap, 0);
    if (WINDOWS_OR_WINE(false, true)) { /* Wine's HeapCompact answers 0 */
        assert_int_equal(largest, 0);
        expect_success(HeapDestroy(heap));
        return;
    }
    assert_true(largest > 0);
    assert_non_null(HeapAlloc(heap, 0, largest));
    expect_success(HeapDestroy(heap));
}

/* ---- Heap{Query,Set}Information (§2.14; item 16) ---------------------------------------- */

static void test_compatibility_information(void **state)
{
    ULONG value = 99;
    SIZE_T length = 0;
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value, &length));
    assert_int_equal(value, 0);
    assert_int_equal(length, sizeof(ULONG));
    value = 2;
    expect_success(HeapSetInformation(heap, HeapCompatibilityInformation, &value, sizeof value));
    value = 99;
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value, NULL));
    if (WINDOWS_OR_WINE(false, true)) { /* Wine accepts the request and keeps answering 0 */
        assert_int_equal(value, 0);
        expect_success(HeapDestroy(heap));
        return;
    }
    assert_int_equal(value, 2);
    value = 0;
    SetLastError(CONF_POISON);
    expect_failure_with(!HeapSetInformation(heap, HeapCompatibilityInformation, &value, sizeof value),
                        ERROR_GEN_FAILURE);
    value = 99;
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value, NULL));
    assert_int_equal(value, 2);
    expect_success(HeapDestroy(heap));
}

static void test_information_query_errors(void **state)
{
    ULONG value = 0;
    SIZE_T length = 0;
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(!HeapQueryInformation(heap, HeapCompatibilityInformation, NULL, 0, &length),
                        ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(length, sizeof(ULONG));
    SetLastError(CONF_POISON);
    expect_failure_with(!HeapQueryInformation(heap, HeapCompatibilityInformation, NULL, 0, NULL),
                        ERROR_INSUFFICIENT_BUFFER);
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value + 4, NULL));
    length = 77;
    SetLastError(CONF_POISON);
    if (WINDOWS_OR_WINE(false, true)) { /* Wine answers for the process heap */
        assert_true(HeapQueryInformation(NULL, HeapCompatibilityInformation, &value, sizeof value, &length));
        expect_success(HeapDestroy(heap));
        return;
    }
    expect_failure_with(!HeapQueryInformation(NULL, HeapCompatibilityInformation, &value, sizeof value, &length),
                        ERROR_NOACCESS);
    assert_int_equal(length, 77);
    expect_success(HeapDestroy(heap));
}

static void test_front_end_cannot_be_asked_for_on_an_unserialized_heap(void **state)
{
    ULONG value = 2;
    (void)state;
    HANDLE heap = new_heap(HEAP_NO_SERIALIZE, 0, 0);
    SetLastError(CONF_POISON);
    if (WINDOWS_OR_WINE(false, true)) { /* Wine accepts the request */
        assert_true(HeapSetInformation(heap, HeapCompatibilityInformation, &value, sizeof value));
        expect_success(HeapDestroy(heap));
        return;
    }
    expect_failure_with(!HeapSetInformation(heap, HeapCompatibilityInformation, &value, sizeof value),
                        ERROR_INVALID_PARAMETER);
    value = 99;
    expect_success(HeapQueryInformation(heap, HeapCompatibilityInformation, &value, sizeof value, NULL));
    assert_int_equal(value, 0);
    expect_success(HeapDestroy(heap));
}

static void test_termination_on_corruption_can_be_enabled(void **state)
{
    (void)state;
    expect_success(HeapSetInformation(NULL, HeapEnableTerminationOnCorruption, NULL, 0));
}

/* ---- HeapLock (§2.11; item 17) -------------------------------------------------------- */

typedef struct lock_probe {
    HANDLE heap;
    DWORD flags;
    atomic_int done;
} lock_probe;

static void probe_alloc_and_free(void *argument)
{
    lock_probe *probe = argument;
    void *block = HeapAlloc(probe->heap, probe->flags, 24);
    HeapFree(probe->heap, probe->flags, block);
    atomic_store(&probe->done, 1);
}

/* Whether a thread's HeapAlloc+HeapFree finishes within about half a second. */
static bool finishes_while_locked(lock_probe *probe, test_thread *thread)
{
    atomic_store(&probe->done, 0);
    assert_true(test_thread_start(thread, probe_alloc_and_free, probe));
    for (int i = 0; i < 50 && !atomic_load(&probe->done); i++)
        test_sleep_ms(10);
    return atomic_load(&probe->done) != 0;
}

static void test_lock_blocks_other_threads_on_a_serialized_heap(void **state)
{
    lock_probe probe;
    test_thread thread;
    (void)state;
    probe.heap = new_heap(0, 0, 0);
    probe.flags = 0;
    expect_success(HeapLock(probe.heap));
    assert_false(finishes_while_locked(&probe, &thread));
    expect_success(HeapUnlock(probe.heap));
    test_thread_join(&thread);
    assert_true(atomic_load(&probe.done));
    expect_success(HeapDestroy(probe.heap));
}

static void test_lock_does_not_block_an_unserialized_call_or_heap(void **state)
{
    lock_probe probe;
    test_thread thread;
    (void)state;
    probe.heap = new_heap(0, 0, 0);
    probe.flags = HEAP_NO_SERIALIZE;
    expect_success(HeapLock(probe.heap));
    assert_true(finishes_while_locked(&probe, &thread));
    test_thread_join(&thread);
    expect_success(HeapUnlock(probe.heap));
    expect_success(HeapDestroy(probe.heap));

    probe.heap = new_heap(HEAP_NO_SERIALIZE, 0, 0);
    probe.flags = 0;
    expect_success(HeapLock(probe.heap));
    assert_true(finishes_while_locked(&probe, &thread));
    test_thread_join(&thread);
    expect_success(HeapUnlock(probe.heap));
    expect_success(HeapDestroy(probe.heap));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_handle_is_64k_aligned),
        cmocka_unit_test(test_new_heap_is_appended_to_the_process_heaps),
        cmocka_unit_test(test_process_heap_cannot_be_destroyed),
        cmocka_unit_test(test_zero_byte_blocks_are_unique_with_size_zero),
        cmocka_unit_test(test_heap_size_is_the_requested_size),
        cmocka_unit_test(test_blocks_are_2p_aligned_but_not_all_4p_aligned),
        cmocka_unit_test(test_large_blocks_are_8p_but_not_16p_aligned),
        cmocka_unit_test(test_zero_memory_zeroes_every_size),
        cmocka_unit_test(test_absurd_sizes_fail_with_not_enough_memory),
        cmocka_unit_test(test_fixed_heap_gives_nearly_all_of_its_maximum),
        cmocka_unit_test(test_fixed_heap_refuses_large_blocks),
        cmocka_unit_test(test_fixed_heap_fills_up_and_fails_cleanly),
        cmocka_unit_test(test_realloc_zero_memory_zeroes_only_the_growth),
        cmocka_unit_test(test_realloc_in_place_failure_keeps_the_block),
        cmocka_unit_test(test_realloc_of_null_fails_with_last_error_zero),
        cmocka_unit_test(test_realloc_to_absurd_sizes_keeps_the_block),
        cmocka_unit_test(test_realloc_shrinks_and_regrows_in_place),
        cmocka_unit_test(test_large_block_shrunk_in_place_cannot_regrow_in_place),
        cmocka_unit_test(test_free_of_null_succeeds),
        cmocka_unit_test(test_validate_never_touches_the_last_error),
        cmocka_unit_test(test_size_of_a_freed_block_is_minus_one),
        cmocka_unit_test(test_walk_of_a_fresh_heap),
        cmocka_unit_test(test_walk_reports_busy_blocks_with_their_sizes_and_large_blocks_last),
        cmocka_unit_test(test_walk_without_an_entry_fails),
        cmocka_unit_test(test_compact_returns_a_free_block_size_that_can_be_allocated),
        cmocka_unit_test(test_compatibility_information),
        cmocka_unit_test(test_information_query_errors),
        cmocka_unit_test(test_front_end_cannot_be_asked_for_on_an_unserialized_heap),
        cmocka_unit_test(test_termination_on_corruption_can_be_enabled),
        cmocka_unit_test(test_lock_blocks_other_threads_on_a_serialized_heap),
        cmocka_unit_test(test_lock_does_not_block_an_unserialized_call_or_heap),
    };
    return cmocka_run_group_tests_name("conformance_heap", tests, NULL, NULL);
}
