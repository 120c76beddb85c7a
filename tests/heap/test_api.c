/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_api.c — the heap layer's native API over the real VMM:
 * sizes, alignment, zeroing, the three tiers, realloc, fixed heaps, walk,
 * validate, compact, information, the list of heaps, exceptions.
 * (The Win32 names are checked against Windows in tests/conformance.)
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <strata/heap.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

#define P sizeof(void *)
#define LARGE STRATA_HEAP_LARGE_THRESHOLD

static strata_heap *new_heap(uint32_t flags, size_t initial, size_t maximum)
{
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(NULL, flags, initial, maximum, &heap), STRATA_OK);
    assert_non_null(heap);
    return heap;
}


/* ---- Create, destroy, list ---------------------------------------------- */
static void test_heap_base_is_64k_aligned_and_growable_without_maximum(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    assert_int_equal((uintptr_t)heap % 0x10000, 0);
    assert_int_equal(strata_heap_flags(heap), STRATA_HEAP_GROWABLE);
    strata_heap *fixed = new_heap(STRATA_HEAP_NO_SERIALIZE, 0, 0x40000);
    assert_int_equal(strata_heap_flags(fixed), STRATA_HEAP_NO_SERIALIZE);
    assert_status(strata_heap_destroy(fixed), STRATA_OK);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_destroy_refuses_null_dead_and_process_heaps(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
    assert_status(strata_heap_destroy(heap), STRATA_E_INVALID_HANDLE);
    assert_status(strata_heap_destroy(NULL), STRATA_E_INVALID_HANDLE);
    assert_status(strata_heap_destroy(strata_heap_process()), STRATA_E_INVALID_HANDLE);
    void *still = strata_heap_alloc(strata_heap_process(), 0, 10);
    assert_non_null(still);
    assert_true(strata_heap_free(strata_heap_process(), 0, still));
}

static void test_list_has_process_heap_first_then_creation_order(void **state)
{
    (void)state;
    size_t before = strata_heap_list(NULL, 0);
    assert_true(before >= 1);
    strata_heap *a = new_heap(0, 0, 0);
    strata_heap *b = new_heap(0, 0, 0x10000);
    strata_heap *heaps[64];
    size_t count = strata_heap_list(heaps, 64);
    assert_int_equal(count, before + 2);
    assert_ptr_equal(heaps[0], strata_heap_process());
    assert_ptr_equal(heaps[count - 2], a);
    assert_ptr_equal(heaps[count - 1], b);
    /* A short buffer gets what fits; the count is still the whole. */
    strata_heap *one[1] = {NULL};
    assert_int_equal(strata_heap_list(one, 1), count);
    assert_ptr_equal(one[0], strata_heap_process());
    assert_status(strata_heap_destroy(a), STRATA_OK);
    assert_int_equal(strata_heap_list(heaps, 64), before + 1);
    assert_ptr_equal(heaps[before], b);
    assert_status(strata_heap_destroy(b), STRATA_OK);
    assert_int_equal(strata_heap_list(NULL, 0), before);
}

static void test_create_needs_an_out_pointer(void **state)
{
    (void)state;
    assert_status(strata_heap_create(NULL, 0, 0, 0, NULL), STRATA_E_INVALID_PARAMETER);
}

/* ---- Alloc and size ----------------------------------------------------- */
static void test_every_size_is_exact_aligned_and_usable(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    static const size_t sizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 24, 100, 120, 121, 128, 129, 500, 1000,
                                   1024, 1025, 4000, 8184, 8185, 16376, 16377, 20000, 65536, 300000,
                                   LARGE - 1, LARGE, LARGE + 1, 3 << 20};
    void *blocks[sizeof sizes / sizeof sizes[0]];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        blocks[i] = strata_heap_alloc(heap, 0, sizes[i]);
        assert_non_null(blocks[i]);
        assert_int_equal((uintptr_t)blocks[i] % STRATA_HEAP_ALIGNMENT, 0);
        assert_int_equal(strata_heap_size(heap, 0, blocks[i]), sizes[i]);
        assert_true(strata_heap_usable_size(heap, blocks[i]) >= sizes[i]);
        memset(blocks[i], (int)i, sizes[i]);
        assert_true(strata_heap_validate(heap, 0, blocks[i]));
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_true(all_bytes(blocks[i], sizes[i], (unsigned char)i));
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_size_zero_blocks_are_unique(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    void *a = strata_heap_alloc(heap, 0, 0);
    void *b = strata_heap_alloc(heap, 0, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(strata_heap_size(heap, 0, a), 0);
    assert_true(strata_heap_free(heap, 0, a));
    assert_true(strata_heap_free(heap, 0, b));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_some_blocks_are_not_32_byte_aligned(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    bool odd = false;
    for (int i = 0; i < 64; i++)
        odd = odd || (uintptr_t)strata_heap_alloc(heap, 0, 24 + (size_t)i % 3 * 16) % (4 * P) == 2 * P;
    assert_true(odd);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_zero_memory_clears_reused_blocks_of_every_tier(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    static const size_t sizes[] = {1, 40, 3000, 100000, LARGE + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *dirty = strata_heap_alloc(heap, 0, sizes[i]);
        assert_non_null(dirty);
        memset(dirty, 0xA5, sizes[i]);
        assert_true(strata_heap_free(heap, 0, dirty));
        void *clean = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, sizes[i]);
        assert_non_null(clean);
        assert_true(all_bytes(clean, sizes[i], 0));
        assert_true(strata_heap_free(heap, 0, clean));
    }
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_large_blocks_are_64_but_not_128_aligned_and_counted(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    void *large = strata_heap_alloc(heap, 0, LARGE);
    assert_non_null(large);
    assert_int_equal((uintptr_t)large % (8 * P), 0);
    assert_int_not_equal((uintptr_t)large % (16 * P), 0);
    strata_heap_stats stats;
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_int_equal(stats.large_blocks, 1);
    assert_true(stats.committed_bytes >= LARGE);
    assert_true(strata_heap_free(heap, 0, large));
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_int_equal(stats.large_blocks, 0);
    /* Kept for the next large block, until compact gives it back. */
    assert_true(stats.committed_bytes >= LARGE);
    void *again = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, LARGE + 100);
    assert_ptr_equal(again, large);
    assert_true(all_bytes(again, LARGE + 100, 0));
    assert_true(strata_heap_free(heap, 0, again));
    strata_heap_compact(heap, 0);
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_true(stats.committed_bytes < LARGE);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_large_block_realloc_grows_in_place_when_it_can(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    char *block = strata_heap_alloc(heap, 0, LARGE);
    memset(block, 0x2B, LARGE);
    /* Outgrown once: moved into a reservation with room to grow. */
    char *moved = strata_heap_realloc(heap, 0, block, 2 * LARGE);
    assert_non_null(moved);
    assert_true(all_bytes(moved, LARGE, 0x2B));
    char *grown = strata_heap_realloc(heap, 0, moved, 3 * LARGE);
    assert_ptr_equal(grown, moved);
    assert_int_equal(strata_heap_size(heap, 0, grown), 3 * LARGE);
    assert_true(all_bytes(grown, LARGE, 0x2B));
    memset(grown, 0x2C, 3 * LARGE);
    /* HEAP_REALLOC_IN_PLACE_ONLY keeps Windows' rule: no new commit after a shrink. */
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, grown, 2 * LARGE), grown);
    assert_null(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, grown, 3 * LARGE));
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_true(strata_heap_free(heap, 0, grown));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* A block that keeps growing should rarely be copied. */
static void test_realloc_growth_moves_to_where_the_block_can_keep_growing(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    /* Past a few KiB, a front slot's block moves to the back end... */
    char *block = strata_heap_alloc(heap, 0, 3000);
    memset(block, 0x3C, 3000);
    char *moved = strata_heap_realloc(heap, 0, block, 6000);
    assert_non_null(moved);
    assert_true(all_bytes(moved, 3000, 0x3C));
    /* ...where it grows in place. */
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, moved, 60000), moved);
    /* Past the large threshold it gets four times its size to grow into. */
    char *large = strata_heap_realloc(heap, 0, moved, LARGE + 1000);
    assert_non_null(large);
    assert_true(all_bytes(large, 3000, 0x3C));
    assert_ptr_equal(strata_heap_realloc(heap, 0, large, 3 * LARGE), large);
    assert_int_equal(strata_heap_size(heap, 0, large), 3 * LARGE);
    /* Freed, it is cached, and the next block realloc grows past the
     * threshold takes it, commit and reservation included. */
    assert_true(strata_heap_free(heap, 0, large));
    char *next = strata_heap_alloc(heap, 0, 60000);
    memset(next, 0x3D, 60000);
    char *again = strata_heap_realloc(heap, 0, next, LARGE + 1000);
    assert_ptr_equal(again, large);
    assert_true(all_bytes(again, 60000, 0x3D));
    assert_ptr_equal(strata_heap_realloc(heap, 0, again, 3 * LARGE), again);
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* Memory freed in any order is handed out again in address order once its
 * page is empty, so a pass over new blocks walks memory forward. (The page
 * in use when the frees happen keeps their order: most pairs, not all.) */
static void test_emptied_pages_hand_out_blocks_in_address_order(void **state)
{
    (void)state;
    enum { COUNT = 6000 };
    static char *blocks[COUNT];
    strata_heap *heap = new_heap(0, 0, 0);
    for (unsigned i = 0; i < COUNT; i++)
        assert_non_null(blocks[i] = strata_heap_alloc(heap, 0, 48));
    uint64_t random = 0x9E3779B97F4A7C15ull;
    for (unsigned i = COUNT - 1; i > 0; i--) { /* free in a shuffled order */
        random ^= random << 13, random ^= random >> 7, random ^= random << 17;
        unsigned j = (unsigned)(random % (i + 1));
        char *swap = blocks[i];
        blocks[i] = blocks[j];
        blocks[j] = swap;
    }
    for (unsigned i = 0; i < COUNT; i++)
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    unsigned ascending = 0;
    for (unsigned i = 0; i < COUNT; i++) {
        assert_non_null(blocks[i] = strata_heap_alloc(heap, 0, 48));
        ascending += i > 0 && blocks[i] > blocks[i - 1];
    }
    assert_true(ascending > COUNT * 3 / 4);
    for (unsigned i = 0; i < COUNT; i++)
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_sizes_near_size_max_fail(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    void *keep = strata_heap_alloc(heap, 0, 100);
    for (size_t size = SIZE_MAX; size > SIZE_MAX - 0x4000; size -= 7)
        assert_null(strata_heap_alloc(heap, 0, size));
    assert_null(strata_heap_alloc(heap, 0, SIZE_MAX / 2 + 1));
    assert_true(strata_heap_validate(heap, 0, keep));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_segments_grow_beyond_the_first(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    enum { COUNT = 300 };
    void *blocks[COUNT];
    for (int i = 0; i < COUNT; i++) {
        blocks[i] = strata_heap_alloc(heap, 0, 40000 + (size_t)i);
        assert_non_null(blocks[i]);
        memset(blocks[i], i & 0xFF, 40000);
    }
    strata_heap_stats stats;
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_true(stats.segments >= 3);
    for (int i = 0; i < COUNT; i++) {
        assert_true(all_bytes(blocks[i], 40000, (unsigned char)(i & 0xFF)));
        assert_int_equal(strata_heap_size(heap, 0, blocks[i]), 40000 + (size_t)i);
    }
    for (int i = 0; i < COUNT; i += 2)
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    assert_true(strata_heap_validate(heap, 0, NULL));
    for (int i = 1; i < COUNT; i += 2)
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    assert_true(strata_heap_validate(heap, 0, NULL));
    strata_heap_compact(heap, 0);
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_int_equal(stats.segments, 1);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Fixed heaps ---------------------------------------------------------- */
static void test_fixed_heap_holds_almost_its_maximum_in_one_block(void **state)
{
    (void)state;
    const size_t A = 0x8000 * P;
    strata_heap *heap = new_heap(0, A, A);
    void *block = strata_heap_alloc(heap, 0, A - (0x400 + 0x100 * P));
    assert_non_null(block);
    assert_int_equal(strata_heap_size(heap, 0, block), A - (0x400 + 0x100 * P));
    assert_null(strata_heap_alloc(heap, 0, A));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_fixed_heap_refuses_large_blocks_and_stops_at_its_maximum(void **state)
{
    (void)state;
    const size_t A = 0x8000 * P;
    strata_heap *heap = new_heap(0, 8 * A, 8 * A);
    assert_null(strata_heap_alloc(heap, 0, 4 * A));
    void *a = strata_heap_alloc(heap, 0, A);
    assert_non_null(a);
    size_t total = A;
    void *last = NULL;
    for (;;) {
        void *block = strata_heap_alloc(heap, 0, 1000);
        if (block == NULL)
            break;
        last = block;
        total += 1000;
        assert_true(total <= 8 * A);
    }
    assert_non_null(last);
    assert_true(total > 6 * A);
    strata_heap_stats stats;
    assert_status(strata_heap_get_stats(heap, &stats), STRATA_OK);
    assert_true(stats.committed_bytes <= 8 * A);
    assert_true(stats.reserved_bytes <= 8 * A);
    assert_true(strata_heap_validate(heap, 0, NULL));
    /* Room comes back with the frees. */
    assert_true(strata_heap_free(heap, 0, a));
    assert_non_null(strata_heap_alloc(heap, 0, A / 2));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Realloc ----------------------------------------------------------------- */
static void test_realloc_keeps_contents_across_every_tier(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    static const size_t steps[] = {10, 100, 1000, 20000, 200000, LARGE + 100, 3 << 20, 300000, 5000, 50, 3};
    unsigned char *block = strata_heap_alloc(heap, 0, 1);
    block[0] = 0x11;
    size_t size = 1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        unsigned char *moved = strata_heap_realloc(heap, STRATA_HEAP_ZERO_MEMORY, block, steps[i]);
        assert_non_null(moved);
        assert_int_equal(strata_heap_size(heap, 0, moved), steps[i]);
        size_t kept = size < steps[i] ? size : steps[i];
        assert_int_equal(moved[0], 0x11);
        for (size_t k = 1; k < kept; k++)
            assert_int_equal(moved[k], (unsigned char)(k * 7));
        if (steps[i] > size)
            assert_true(all_bytes(moved + size, steps[i] - size, 0));
        for (size_t k = 1; k < steps[i]; k++)
            moved[k] = (unsigned char)(k * 7);
        block = moved;
        size = steps[i];
        assert_true(strata_heap_validate(heap, 0, NULL));
    }
    assert_true(strata_heap_free(heap, 0, block));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_realloc_failure_leaves_the_block_intact(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    char *block = strata_heap_alloc(heap, 0, 50);
    memcpy(block, "kept", 5);
    assert_null(strata_heap_realloc(heap, 0, block, SIZE_MAX));
    assert_null(strata_heap_realloc(heap, 0, block, SIZE_MAX - 7));
    assert_true(strata_heap_validate(heap, 0, block));
    assert_string_equal(block, "kept");
    assert_int_equal(strata_heap_size(heap, 0, block), 50);
    assert_null(strata_heap_realloc(heap, 0, NULL, 10));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_realloc_in_place_only_never_moves(void **state)
{
    (void)state;
    const size_t A = 0x8000 * P;
    strata_heap *heap = new_heap(0, 0, 0);
    /* A front-end block fits in its slot or fails. */
    char *small = strata_heap_alloc(heap, 0, 20);
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, small, 22), small);
    assert_null(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, small, 5000));
    assert_int_equal(strata_heap_size(heap, 0, small), 22);
    /* A back-end block shrinks and grows again in place (3A → 1.5A → 2A). */
    char *block = strata_heap_alloc(heap, 0, 3 * A);
    assert_non_null(block);
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, block, 3 * A / 2), block);
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, block, 2 * A), block);
    assert_int_equal(strata_heap_size(heap, 0, block), 2 * A);
    /* A large block shrunk in place cannot grow back in place. */
    char *large = strata_heap_alloc(heap, 0, 5 * A);
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, large, 4 * A), large);
    assert_null(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, large, 5 * A));
    assert_int_equal(strata_heap_size(heap, 0, large), 4 * A);
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Free, size and validate on what is not a live block ------------------------ */
static void test_free_of_null_succeeds_and_a_null_heap_fails(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    assert_true(strata_heap_free(heap, 0, NULL));
    assert_true(strata_heap_free(NULL, 0, NULL));
    void *block = strata_heap_alloc(heap, 0, 8);
    assert_false(strata_heap_free(NULL, 0, block));
    assert_true(strata_heap_validate(heap, 0, block));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_freed_and_foreign_pointers_are_not_blocks(void **state)
{
    (void)state;
    static _Alignas(16) char static_buffer[256];
    strata_heap *heap = new_heap(0, 0, 0);
    strata_heap *other = new_heap(0, 0, 0);
    void *sizes_live[3] = {strata_heap_alloc(heap, 0, 30), strata_heap_alloc(heap, 0, 30000),
                           strata_heap_alloc(heap, 0, LARGE)};
    void *freed[3] = {strata_heap_alloc(heap, 0, 30), strata_heap_alloc(heap, 0, 30000),
                      strata_heap_alloc(heap, 0, LARGE)};
    for (int i = 0; i < 3; i++)
        assert_true(strata_heap_free(heap, 0, freed[i]));
    void *theirs = strata_heap_alloc(other, 0, 30);
    const void *not_blocks[] = {freed[0], freed[1], static_buffer, static_buffer + 16, theirs,
                                (char *)sizes_live[0] + 16, (char *)sizes_live[1] + 32,
                                (char *)sizes_live[1] + 1, (char *)sizes_live[2] + 4096, heap};
    for (size_t i = 0; i < sizeof not_blocks / sizeof not_blocks[0]; i++) {
        assert_false(strata_heap_validate(heap, 0, not_blocks[i]));
        assert_int_equal(strata_heap_size(heap, 0, not_blocks[i]), SIZE_MAX);
        /* strata_heap_usable_size of these ends the process (test_heap_abort). */
    }
    assert_false(strata_heap_validate(NULL, 0, sizes_live[0]));
    for (int i = 0; i < 3; i++)
        assert_true(strata_heap_validate(heap, 0, sizes_live[i]));
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(other), STRATA_OK);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Walk ------------------------------------------------------------------------ */
static void test_walk_of_a_fresh_heap_is_region_free_block_uncommitted(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    assert_status(strata_heap_walk(heap, &entry), STRATA_OK);
    assert_int_equal(entry.flags, STRATA_HEAP_ENTRY_REGION);
    assert_ptr_equal(entry.data, heap);
    assert_int_equal(entry.region_index, 0);
    size_t committed = entry.committed_size;
    void *region_end = entry.last_block;
    assert_status(strata_heap_walk(heap, &entry), STRATA_OK);
    assert_int_equal(entry.flags, 0);
    assert_true(entry.size > 0);
    char *free_end = (char *)entry.data + entry.size;
    assert_status(strata_heap_walk(heap, &entry), STRATA_OK);
    assert_int_equal(entry.flags, STRATA_HEAP_ENTRY_UNCOMMITTED);
    assert_ptr_equal(entry.data, (char *)heap + committed);
    assert_ptr_equal(entry.data, free_end);
    assert_ptr_equal((char *)entry.data + entry.size, region_end);
    assert_status(strata_heap_walk(heap, &entry), STRATA_E_NO_MORE_ITEMS);
    assert_status(strata_heap_walk(heap, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_heap_walk(NULL, &entry), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_walk_lists_every_busy_block_with_its_exact_size(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    enum { COUNT = 200 };
    void *blocks[COUNT];
    size_t sizes[COUNT];
    bool seen[COUNT] = {false};
    for (int i = 0; i < COUNT; i++) {
        sizes[i] = (size_t)(i * 97) % 3000 + (i % 50 == 0 ? 70000 : 0) + (i == 7 ? LARGE : 0);
        blocks[i] = strata_heap_alloc(heap, 0, sizes[i]);
    }
    for (int i = 0; i < COUNT; i += 3) {
        assert_true(strata_heap_free(heap, 0, blocks[i]));
        blocks[i] = NULL;
    }
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    int busy = 0;
    char *last = NULL;
    bool large_seen = false;
    strata_status status;
    while ((status = strata_heap_walk(heap, &entry)) == STRATA_OK) {
        if (entry.flags & STRATA_HEAP_ENTRY_REGION) {
            last = NULL;
            continue;
        }
        if (entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX) {
            large_seen = true;
        } else {
            assert_false(large_seen); /* large blocks come after every region */
            assert_true((char *)entry.data > last); /* address order within a region */
            last = entry.data;
        }
        if (!(entry.flags & STRATA_HEAP_ENTRY_BUSY))
            continue;
        busy++;
        int found = -1;
        for (int i = 0; i < COUNT; i++)
            if (blocks[i] == entry.data)
                found = i;
        assert_true(found >= 0);
        assert_false(seen[found]);
        seen[found] = true;
        assert_int_equal(entry.size, sizes[found]);
    }
    assert_status(status, STRATA_E_NO_MORE_ITEMS);
    assert_true(large_seen);
    int live = 0;
    for (int i = 0; i < COUNT; i++)
        live += blocks[i] != NULL;
    assert_int_equal(busy, live);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Compact ------------------------------------------------------------------------ */
static void test_compact_returns_memory_and_the_largest_free_block(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    enum { COUNT = 60 };
    void *blocks[COUNT];
    for (int i = 0; i < COUNT; i++)
        blocks[i] = strata_heap_alloc(heap, 0, i % 2 ? 50000 : 64);
    strata_heap_stats before, after;
    assert_status(strata_heap_get_stats(heap, &before), STRATA_OK);
    for (int i = 0; i < COUNT; i++)
        strata_heap_free(heap, 0, blocks[i]);
    size_t largest = strata_heap_compact(heap, 0);
    assert_status(strata_heap_get_stats(heap, &after), STRATA_OK);
    assert_true(after.committed_bytes < before.committed_bytes / 4);
    assert_true(largest > 0);
    void *fits = strata_heap_alloc(heap, 0, largest);
    assert_non_null(fits);
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_int_equal(strata_heap_compact(NULL, 0), 0);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Information ---------------------------------------------------------------------- */
static void test_compatibility_turns_to_2_after_18_same_size_blocks(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    uint32_t value = 99;
    size_t length = 0;
    assert_status(strata_heap_query_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &value, 4, &length),
                  STRATA_OK);
    assert_int_equal(value, 0);
    assert_int_equal(length, 4);
    for (int i = 0; i < 17; i++)
        strata_heap_alloc(heap, 0, 24);
    assert_status(strata_heap_query_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &value, 4, NULL),
                  STRATA_OK);
    assert_int_equal(value, 0);
    strata_heap_alloc(heap, 0, 24);
    assert_status(strata_heap_query_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &value, 8, NULL),
                  STRATA_OK);
    assert_int_equal(value, 2);
    uint32_t zero = 0;
    assert_status(strata_heap_set_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &zero, 4),
                  STRATA_E_GEN_FAILURE);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_information_errors(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    strata_heap *unserialized = new_heap(STRATA_HEAP_NO_SERIALIZE, 0, 0);
    uint32_t two = 2, value = 0;
    size_t length = 0;
    assert_status(strata_heap_query_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, NULL, 0, &length),
                  STRATA_E_BUFFER_TOO_SMALL);
    assert_int_equal(length, 4);
    length = 77;
    assert_status(strata_heap_query_information(NULL, STRATA_HEAP_INFO_COMPATIBILITY, &value, 4, &length),
                  STRATA_E_NOACCESS);
    assert_int_equal(length, 77);
    assert_status(strata_heap_set_information(unserialized, STRATA_HEAP_INFO_COMPATIBILITY, &two, 4),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_heap_query_information(unserialized, STRATA_HEAP_INFO_COMPATIBILITY, &value, 4, NULL),
                  STRATA_OK);
    assert_int_equal(value, 0);
    assert_status(strata_heap_set_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &two, 4), STRATA_OK);
    assert_status(strata_heap_query_information(heap, STRATA_HEAP_INFO_COMPATIBILITY, &value, 4, NULL),
                  STRATA_OK);
    assert_int_equal(value, 2);
    assert_status(strata_heap_set_information(NULL, STRATA_HEAP_INFO_TERMINATE_ON_CORRUPTION, NULL, 0),
                  STRATA_OK);
    uint32_t optimize[2] = {1, 0}, wrong[2] = {2, 0};
    assert_status(strata_heap_set_information(heap, STRATA_HEAP_INFO_OPTIMIZE_RESOURCES, optimize, 8),
                  STRATA_OK);
    assert_status(strata_heap_set_information(heap, STRATA_HEAP_INFO_OPTIMIZE_RESOURCES, wrong, 8),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_heap_set_information(heap, STRATA_HEAP_INFO_OPTIMIZE_RESOURCES, optimize, 4),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_heap_destroy(unserialized), STRATA_OK);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Lock ------------------------------------------------------------------------------ */
static void test_lock_is_recursive_and_unlock_needs_the_holder(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    assert_false(strata_heap_unlock(heap));
    assert_true(strata_heap_lock(heap));
    assert_true(strata_heap_lock(heap));
    void *block = strata_heap_alloc(heap, 0, 10); /* the holder is not blocked */
    assert_non_null(block);
    assert_true(strata_heap_free(heap, 0, block));
    assert_true(strata_heap_unlock(heap));
    assert_true(strata_heap_unlock(heap));
    assert_false(strata_heap_unlock(heap));
    assert_false(strata_heap_lock(NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}


/* ---- Aligned blocks --------------------------------------------------------- */
static void test_aligned_blocks_of_every_tier_are_sized_validated_and_freed(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    static const size_t sizes[] = {0, 1, 100, 5000, 70000, LARGE + 1000};
    for (size_t alignment = 32; alignment <= ((size_t)1 << 20); alignment <<= 1) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t size = sizes[i];
            char *block = strata_heap_alloc_aligned(heap, STRATA_HEAP_ZERO_MEMORY, size, alignment);
            assert_non_null(block);
            assert_int_equal((uintptr_t)block % alignment, 0);
            assert_int_equal(strata_heap_size(heap, 0, block), size);
            assert_true(strata_heap_usable_size(heap, block) >= size);
            assert_true(strata_heap_validate(heap, 0, block));
            assert_true(all_bytes(block, size, 0));
            memset(block, 0x6A, size);
            assert_true(strata_heap_validate(heap, 0, NULL));
            assert_true(strata_heap_free(heap, 0, block));
            assert_false(strata_heap_validate(heap, 0, block));
        }
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_aligned_block_refuses_bad_alignments(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    assert_null(strata_heap_alloc_aligned(heap, 0, 10, 48));
    assert_null(strata_heap_alloc_aligned(heap, 0, 10, STRATA_HEAP_MAX_ALIGNMENT * 2));
    assert_null(strata_heap_alloc_aligned(heap, 0, SIZE_MAX - 100, 64));
    char *small = strata_heap_alloc_aligned(heap, 0, 10, 8); /* 16 or less: an ordinary block */
    assert_non_null(small);
    assert_int_equal((uintptr_t)small % 16, 0);
    assert_true(strata_heap_free(heap, 0, small));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_aligned_block_realloc_keeps_contents_and_alignment_in_place(void **state)
{
    (void)state;
    strata_heap *heap = new_heap(0, 0, 0);
    char *block = strata_heap_alloc_aligned(heap, 0, 1000, 256);
    assert_non_null(block);
    memset(block, 0x21, 1000);
    /* Shrinking stays in place, so the alignment stays. */
    assert_ptr_equal(strata_heap_realloc(heap, 0, block, 600), block);
    assert_int_equal(strata_heap_size(heap, 0, block), 600);
    assert_ptr_equal(strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY | STRATA_HEAP_ZERO_MEMORY, block, 900), block);
    assert_true(all_bytes(block, 600, 0x21));
    assert_true(all_bytes(block + 600, 300, 0));
    /* Growing far moves it to an ordinary block with the contents. */
    char *moved = strata_heap_realloc(heap, 0, block, 100000);
    assert_non_null(moved);
    assert_int_equal(strata_heap_size(heap, 0, moved), 100000);
    assert_true(all_bytes(moved, 600, 0x21));
    assert_false(strata_heap_validate(heap, 0, block));
    assert_true(strata_heap_free(heap, 0, moved));
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* ---- Exceptions ---------------------------------------------------------------------------- */
#if !defined(_WIN32)
static volatile sig_atomic_t raised_code_ok;

static void on_abort(int signal_number, siginfo_t *info, void *context)
{
    (void)signal_number;
    (void)context;
    raised_code_ok = info->si_code == SI_QUEUE && (uint32_t)info->si_value.sival_int == STRATA_STATUS_NO_MEMORY;
}

static void child_generate_exceptions(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_abort;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGABRT, &action, NULL);
    strata_heap *heap = NULL;
    if (strata_heap_create(NULL, STRATA_HEAP_GENERATE_EXCEPTIONS, 0, 0x10000, &heap) != STRATA_OK)
        exit(10);
    if (strata_heap_alloc(heap, 0, 0x20000) != NULL || !raised_code_ok)
        exit(11);
    raised_code_ok = 0;
    strata_heap *quiet = NULL;
    if (strata_heap_create(NULL, 0, 0, 0x10000, &quiet) != STRATA_OK)
        exit(12);
    if (strata_heap_alloc(quiet, 0, 0x20000) != NULL || raised_code_ok)
        exit(13);
    if (strata_heap_alloc(quiet, STRATA_HEAP_GENERATE_EXCEPTIONS, 0x20000) != NULL || !raised_code_ok)
        exit(14);
    exit(0);
}

static void child_unhandled_exception(void)
{
    strata_heap *heap = NULL;
    if (strata_heap_create(NULL, STRATA_HEAP_GENERATE_EXCEPTIONS, 0, 0x10000, &heap) != STRATA_OK)
        exit(10);
    strata_heap_alloc(heap, 0, 0x20000);
    exit(20); /* not reached: the exception ends the process */
}

static void test_generate_exceptions_raises_status_no_memory(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("generate_exceptions", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    assert_true(child_run("unhandled_exception", &result));
    assert_false(result.exited);
    assert_int_equal(result.signal_number, SIGABRT);
}
#endif

static const child_scenario scenarios[] = {
#if !defined(_WIN32)
    {"generate_exceptions", child_generate_exceptions},
    {"unhandled_exception", child_unhandled_exception},
#endif
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_base_is_64k_aligned_and_growable_without_maximum),
        cmocka_unit_test(test_destroy_refuses_null_dead_and_process_heaps),
        cmocka_unit_test(test_list_has_process_heap_first_then_creation_order),
        cmocka_unit_test(test_create_needs_an_out_pointer),
        cmocka_unit_test(test_every_size_is_exact_aligned_and_usable),
        cmocka_unit_test(test_aligned_blocks_of_every_tier_are_sized_validated_and_freed),
        cmocka_unit_test(test_aligned_block_refuses_bad_alignments),
        cmocka_unit_test(test_aligned_block_realloc_keeps_contents_and_alignment_in_place),
        cmocka_unit_test(test_size_zero_blocks_are_unique),
        cmocka_unit_test(test_some_blocks_are_not_32_byte_aligned),
        cmocka_unit_test(test_zero_memory_clears_reused_blocks_of_every_tier),
        cmocka_unit_test(test_large_blocks_are_64_but_not_128_aligned_and_counted),
        cmocka_unit_test(test_large_block_realloc_grows_in_place_when_it_can),
        cmocka_unit_test(test_realloc_growth_moves_to_where_the_block_can_keep_growing),
        cmocka_unit_test(test_emptied_pages_hand_out_blocks_in_address_order),
        cmocka_unit_test(test_sizes_near_size_max_fail),
        cmocka_unit_test(test_segments_grow_beyond_the_first),
        cmocka_unit_test(test_fixed_heap_holds_almost_its_maximum_in_one_block),
        cmocka_unit_test(test_fixed_heap_refuses_large_blocks_and_stops_at_its_maximum),
        cmocka_unit_test(test_realloc_keeps_contents_across_every_tier),
        cmocka_unit_test(test_realloc_failure_leaves_the_block_intact),
        cmocka_unit_test(test_realloc_in_place_only_never_moves),
        cmocka_unit_test(test_free_of_null_succeeds_and_a_null_heap_fails),
        cmocka_unit_test(test_freed_and_foreign_pointers_are_not_blocks),
        cmocka_unit_test(test_walk_of_a_fresh_heap_is_region_free_block_uncommitted),
        cmocka_unit_test(test_walk_lists_every_busy_block_with_its_exact_size),
        cmocka_unit_test(test_compact_returns_memory_and_the_largest_free_block),
        cmocka_unit_test(test_compatibility_turns_to_2_after_18_same_size_blocks),
        cmocka_unit_test(test_information_errors),
        cmocka_unit_test(test_lock_is_recursive_and_unlock_needs_the_holder),
#if !defined(_WIN32)
        cmocka_unit_test(test_generate_exceptions_raises_status_no_memory),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
