/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_guard.c — guard mode in-process: which allocations are
 * guarded (every one, one in N, none), the quarantine's bound, the pattern
 * around a block as validate sees it, realloc, aligned blocks, walk, the
 * creation flag, and destroy giving every reservation back. The faults and
 * fatal lines themselves are tests/misuse's (guard_* scenarios).
 */
#include <strata/heap.h>

#include <string.h>

#include "../fakes/fake_vmm.h"
#include "../support/check.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

#define LARGE STRATA_HEAP_LARGE_THRESHOLD

static strata_heap *guarded_heap(void)
{
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(NULL, STRATA_HEAP_CREATE_GUARD, 0, 0, &heap), STRATA_OK);
    return heap;
}

/* Guarded blocks are walked after the large ones, with their region index. */
static bool is_guarded(strata_heap *heap, const void *block)
{
    strata_heap_entry entry = {0};
    while (strata_heap_walk(heap, &entry) == STRATA_OK)
        if (entry.data == block)
            return entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX && entry.size < LARGE;
    return false;
}

static size_t guarded_count(strata_heap *heap)
{
    size_t count = 0;
    strata_heap_entry entry = {0};
    while (strata_heap_walk(heap, &entry) == STRATA_OK)
        count += entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX && (entry.flags & STRATA_HEAP_ENTRY_BUSY);
    return count;
}

static void test_flag_guards_every_block_and_needs_a_growable_heap(void **state)
{
    (void)state;
    strata_heap *heap = guarded_heap();
    assert_int_equal(strata_heap_guard(heap), 1);
    for (size_t size = 0; size < 300; size += 37) {
        char *block = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, size);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % 16, 0);
        assert_true(is_guarded(heap, block));
        assert_int_equal(strata_heap_size(heap, 0, block), size);
        assert_int_equal(strata_heap_usable_size(heap, block), size);
        for (size_t i = 0; i < size; i++)
            assert_int_equal(block[i], 0);
        memset(block, 0x5A, size);
        assert_true(strata_heap_validate(heap, 0, block));
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);

    strata_heap *fixed = NULL;
    assert_status(strata_heap_create(NULL, STRATA_HEAP_CREATE_GUARD, 0, 0x100000, &fixed),
                  STRATA_E_INVALID_PARAMETER);
    assert_null(fixed);
    assert_status(strata_heap_create(NULL, 0, 0, 0x100000, &fixed), STRATA_OK);
    assert_status(strata_heap_set_guard(fixed, 1), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_heap_guard(fixed), 0);
    assert_status(strata_heap_destroy(fixed), STRATA_OK);
    assert_status(strata_heap_set_guard(NULL, 1), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_heap_guard(NULL), 0);
}

/* The flag is strata's own bit: none of Windows' HeapCreate options. */
static void test_flag_is_no_windows_heap_option(void **state)
{
    (void)state;
    static const uint32_t windows_options[] = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200,
                                               0x10000, 0x20000, 0x40000, 0x3FFC0000};
    for (size_t i = 0; i < sizeof windows_options / sizeof windows_options[0]; i++)
        assert_int_equal(windows_options[i] & STRATA_HEAP_CREATE_GUARD, 0);
}

static void test_one_in_n_guards_about_one_block_in_n(void **state)
{
    (void)state;
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &heap), STRATA_OK);
    assert_status(strata_heap_set_guard(heap, 1000), STRATA_OK);
    assert_int_equal(strata_heap_guard(heap), 1000);
    enum { COUNT = 20000 };
    static void *blocks[COUNT];
    for (size_t i = 0; i < COUNT; i++)
        assert_non_null(blocks[i] = strata_heap_alloc(heap, 0, 16 + i % 200));
    size_t guarded = guarded_count(heap);
    assert_in_range(guarded, COUNT / 1000 / 2, COUNT / 1000 * 2);
    for (size_t i = 0; i < COUNT; i++)
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    assert_true(strata_heap_validate(heap, 0, NULL));

    /* Off again: nothing new is guarded. */
    assert_status(strata_heap_set_guard(heap, 0), STRATA_OK);
    for (size_t i = 0; i < 3000; i++)
        assert_non_null(blocks[i] = strata_heap_alloc(heap, 0, 64));
    assert_int_equal(guarded_count(heap), 0);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_one_in_one_guards_every_block(void **state)
{
    (void)state;
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &heap), STRATA_OK);
    void *before = strata_heap_alloc(heap, 0, 64);
    assert_status(strata_heap_set_guard(heap, 1), STRATA_OK);
    for (int i = 0; i < 100; i++)
        assert_non_null(strata_heap_alloc(heap, 0, 64));
    assert_int_equal(guarded_count(heap), 100);
    assert_false(is_guarded(heap, before)); /* earlier blocks keep what they are */
    assert_true(strata_heap_free(heap, 0, before));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* Freed blocks wait, inaccessible, in a bounded quarantine; destroy gives
 * back every reservation, live, quarantined and bookkeeping alike. */
static void test_quarantine_is_bounded_and_destroy_releases_everything(void **state)
{
    (void)state;
    counting_vmm counting;
    counting_vmm_init(&counting, strata_vmm_default());
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(&counting.vmm, STRATA_HEAP_CREATE_GUARD, 0, 0, &heap), STRATA_OK);
    long base = counting.live_reservations;
    for (int i = 0; i < 3000; i++) {
        void *block = strata_heap_alloc(heap, 0, 100);
        assert_non_null(block);
        assert_true(strata_heap_free(heap, 0, block));
    }
    long quarantined = counting.live_reservations - base;
    assert_in_range(quarantined, 1000, 1024);
    assert_true(counting.decommits >= 3000); /* every freed block's pages */
    assert_non_null(strata_heap_alloc(heap, 0, LARGE));
    assert_non_null(strata_heap_alloc(heap, 0, 10));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
    assert_int_equal(counting.live_reservations, 0);
}

/* The pattern before and after a block: validate finds a changed byte. */
static void test_validate_sees_the_padding(void **state)
{
    (void)state;
    strata_heap *heap = guarded_heap();
    char *block = strata_heap_alloc(heap, 0, 13);
    assert_non_null(block);
    char *spots[] = {block - 1, block + 13, block + 15};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        VALGRIND_MAKE_MEM_DEFINED(spots[i], 1); /* not the block's: memcheck must let the test change it */
        char kept = *spots[i];
        *spots[i] ^= 1;
        assert_false(strata_heap_validate(heap, 0, block));
        assert_false(strata_heap_validate(heap, 0, NULL));
        *spots[i] = kept;
        assert_true(strata_heap_validate(heap, 0, block));
        assert_true(strata_heap_validate(heap, 0, NULL));
    }
    assert_true(strata_heap_free(heap, 0, block));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_realloc_stays_in_place_within_16_bytes_and_moves_to_a_guarded_block(void **state)
{
    (void)state;
    strata_heap *heap = guarded_heap();
    char *block = strata_heap_alloc(heap, 0, 13);
    memcpy(block, "thirteen byte", 13);
    assert_ptr_equal(strata_heap_realloc(heap, 0, block, 16), block);
    assert_ptr_equal(strata_heap_realloc(heap, 0, block, 10), block);
    assert_int_equal(strata_heap_size(heap, 0, block), 10);
    assert_true(strata_heap_validate(heap, 0, block)); /* the freed tail holds the pattern again */
    assert_null(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, block, 100));
    assert_int_equal(strata_heap_size(heap, 0, block), 10);

    char *moved = strata_heap_realloc(heap, STRATA_HEAP_ZERO_MEMORY, block, 5000);
    assert_non_null(moved);
    assert_ptr_not_equal(moved, block);
    assert_true(is_guarded(heap, moved));
    assert_memory_equal(moved, "thirteen b", 10);
    for (size_t i = 10; i < 5000; i++)
        assert_int_equal(moved[i], 0);
    assert_int_equal(strata_heap_size(heap, 0, block), SIZE_MAX); /* quarantined */

    char *large = strata_heap_realloc(heap, 0, moved, LARGE + 100);
    assert_non_null(large);
    assert_memory_equal(large, "thirteen b", 10);
    assert_int_equal(strata_heap_size(heap, 0, large), LARGE + 100);
    char *empty = strata_heap_realloc(heap, 0, large, 0);
    assert_non_null(empty);
    assert_int_equal(strata_heap_size(heap, 0, empty), 0);
    assert_true(strata_heap_free(heap, 0, empty));
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_aligned_blocks_are_guarded_at_their_alignment(void **state)
{
    (void)state;
    strata_heap *heap = guarded_heap();
    static const size_t alignments[] = {32, 4096, 0x20000};
    for (size_t i = 0; i < sizeof alignments / sizeof alignments[0]; i++) {
        char *block = strata_heap_alloc_aligned(heap, STRATA_HEAP_ZERO_MEMORY, 100, alignments[i]);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % alignments[i], 0);
        assert_true(is_guarded(heap, block));
        assert_int_equal(strata_heap_size(heap, 0, block), 100);
        assert_true(strata_heap_validate(heap, 0, block));
        assert_true(strata_heap_free(heap, 0, block));
    }
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* Walk lists guarded blocks busy, with their requested size, after the others. */
static void test_walk_lists_live_guarded_blocks_once(void **state)
{
    (void)state;
    strata_heap *heap = guarded_heap();
    void *a = strata_heap_alloc(heap, 0, 1);
    void *b = strata_heap_alloc(heap, 0, 2);
    void *c = strata_heap_alloc(heap, 0, 3);
    assert_true(strata_heap_free(heap, 0, b));
    size_t seen = 0, sizes = 0;
    strata_heap_entry entry = {0};
    while (strata_heap_walk(heap, &entry) == STRATA_OK)
        if (entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX) {
            assert_true(entry.data == a || entry.data == c);
            assert_int_equal(entry.flags, STRATA_HEAP_ENTRY_BUSY);
            seen++;
            sizes += entry.size;
        }
    assert_int_equal(seen, 2);
    assert_int_equal(sizes, 4);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

int main(int argc, char **argv)
{
    static const child_scenario scenarios[] = {{NULL, NULL}};
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_guards_every_block_and_needs_a_growable_heap),
        cmocka_unit_test(test_flag_is_no_windows_heap_option),
        cmocka_unit_test(test_one_in_n_guards_about_one_block_in_n),
        cmocka_unit_test(test_one_in_one_guards_every_block),
        cmocka_unit_test(test_quarantine_is_bounded_and_destroy_releases_everything),
        cmocka_unit_test(test_validate_sees_the_padding),
        cmocka_unit_test(test_realloc_stays_in_place_within_16_bytes_and_moves_to_a_guarded_block),
        cmocka_unit_test(test_aligned_blocks_are_guarded_at_their_alignment),
        cmocka_unit_test(test_walk_lists_live_guarded_blocks_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
