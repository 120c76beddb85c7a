/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_fakes.c — heaps over the fake VMMs (docs/rules.md, rule 3):
 *   failing   the Nth reserve or commit fails, for every N until the
 *             scenario no longer meets a failure: each failure is a clean
 *             NULL (or a failed create), the heap stays valid, live blocks
 *             keep their contents, and nothing is left reserved;
 *   counting  destroy gives back every reservation, large blocks included;
 *   fixed     heaps living inside a static array.
 */
#include <strata/heap.h>

#include <string.h>

#include "../fakes/fake_vmm.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

#define LARGE STRATA_HEAP_LARGE_THRESHOLD

typedef struct live_block {
    unsigned char *data;
    size_t size;
    unsigned char fill;
} live_block;

static void check_live(strata_heap *heap, const live_block *blocks, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (blocks[i].data == NULL)
            continue;
        assert_int_equal(strata_heap_size(heap, 0, blocks[i].data), blocks[i].size);
        for (size_t k = 0; k < blocks[i].size; k += 97)
            assert_int_equal(blocks[i].data[k], blocks[i].fill);
    }
}

/*
 * Grows a heap through every path that asks the VMM for something: front
 * pages, back-end blocks past the first segment, large blocks, reallocs
 * that move between tiers, compaction and regrowth. Returns how many
 * allocations failed.
 */
static unsigned run_scenario(const strata_vmm *vmm, bool fixed)
{
    strata_heap *heap = NULL;
    strata_status status = strata_heap_create(vmm, 0, 0, fixed ? 0x80000 : 0, &heap);
    if (status != STRATA_OK) {
        assert_status(status, STRATA_E_NO_MEMORY);
        assert_null(heap);
        return 1;
    }
    enum { COUNT = 120 };
    live_block blocks[COUNT];
    memset(blocks, 0, sizeof blocks);
    unsigned failures = 0;
    for (size_t i = 0; i < COUNT; i++) {
        size_t size = i % 3 == 0 ? 8 + i * 13 : i % 3 == 1 ? 20000 + i * 700 : 300 + i;
        if (!fixed && i % 40 == 39)
            size = LARGE + i;
        blocks[i].data = strata_heap_alloc(heap, 0, size);
        if (blocks[i].data == NULL) {
            failures++;
            assert_true(strata_heap_validate(heap, 0, NULL));
            continue;
        }
        blocks[i].size = size;
        blocks[i].fill = (unsigned char)(i + 1);
        memset(blocks[i].data, blocks[i].fill, size);
    }
    check_live(heap, blocks, COUNT);
    for (size_t i = 0; i < COUNT; i += 4) {
        if (blocks[i].data == NULL)
            continue;
        size_t size = blocks[i].size * 3 + 5000;
        unsigned char *moved = strata_heap_realloc(heap, 0, blocks[i].data, size);
        if (moved == NULL) {
            failures++;
            assert_true(strata_heap_validate(heap, 0, blocks[i].data));
            continue;
        }
        memset(moved, blocks[i].fill, size);
        blocks[i].data = moved;
        blocks[i].size = size;
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    check_live(heap, blocks, COUNT);
    for (size_t i = 0; i < COUNT; i += 2) {
        assert_true(strata_heap_free(heap, 0, blocks[i].data));
        blocks[i].data = NULL;
    }
    strata_heap_compact(heap, 0);
    for (size_t i = 0; i < COUNT; i += 2) {
        blocks[i].data = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, 5000 + i * 100);
        if (blocks[i].data == NULL) {
            failures++;
            continue;
        }
        blocks[i].size = 5000 + i * 100;
        blocks[i].fill = 0;
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    check_live(heap, blocks, COUNT);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
    return failures;
}

static void fail_every_nth(unsigned which, bool fixed)
{
    unsigned delivered = 0;
    for (unsigned n = 1;; n++) {
        assert_true(n < 400); /* the scenario must outgrow its failures */
        counting_vmm counting;
        failing_vmm failing;
        counting_vmm_init(&counting, strata_vmm_default());
        failing_vmm_init(&failing, &counting.vmm, which, n);
        run_scenario(&failing.vmm, fixed);
        assert_int_equal(counting.live_reservations, 0);
        if (!failing.failed)
            break;
        delivered++;
    }
    assert_true(delivered >= 1);
}

static void test_failing_reserve_gives_clean_failures_and_leaks_nothing(void **state)
{
    (void)state;
    fail_every_nth(FAIL_RESERVE, false);
}

static void test_failing_commit_gives_clean_failures_and_leaks_nothing(void **state)
{
    (void)state;
    fail_every_nth(FAIL_COMMIT, false);
}

static void test_failing_vmm_under_a_fixed_heap(void **state)
{
    (void)state;
    fail_every_nth(FAIL_RESERVE | FAIL_COMMIT, true);
}

static void test_destroy_releases_every_reservation(void **state)
{
    (void)state;
    counting_vmm counting;
    counting_vmm_init(&counting, strata_vmm_default());
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(&counting.vmm, 0, 0, 0, &heap), STRATA_OK);
    for (int i = 0; i < 200; i++)
        assert_non_null(strata_heap_alloc(heap, 0, (size_t)(i % 7) * 9000 + 16));
    for (int i = 0; i < 3; i++)
        assert_non_null(strata_heap_alloc(heap, 0, LARGE + (size_t)i * 4096));
    assert_true(counting.live_reservations >= 4);
    assert_true(counting.commits >= 2);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
    assert_int_equal(counting.live_reservations, 0);
    /* Every reservation made went through the counted VMM. */
    assert_int_equal(counting.reserves, counting.releases);
}

/* An executable heap commits only through commit_executable, every tier
 * (first segment, later segments, large blocks); an ordinary one never. */
static void test_executable_heap_commits_only_executable_memory(void **state)
{
    (void)state;
    counting_vmm counting;
    counting_vmm_init(&counting, strata_vmm_default());
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(&counting.vmm, STRATA_HEAP_CREATE_ENABLE_EXECUTE, 0, 0, &heap), STRATA_OK);
    for (int i = 0; i < 200; i++)
        assert_non_null(strata_heap_alloc(heap, 0, (size_t)(i % 7) * 9000 + 16));
    assert_non_null(strata_heap_alloc(heap, 0, LARGE));
    assert_int_equal(counting.commits, 0);
    assert_true(counting.executable_commits >= 3);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
    assert_int_equal(counting.live_reservations, 0);

    unsigned executable = counting.executable_commits;
    assert_status(strata_heap_create(&counting.vmm, 0, 0, 0, &heap), STRATA_OK);
    assert_non_null(strata_heap_alloc(heap, 0, LARGE));
    assert_int_equal(counting.executable_commits, executable);
    assert_true(counting.commits >= 2);
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

/* A failed executable commit fails the allocation cleanly, like any commit. */
static void test_failing_executable_commit_is_a_clean_failure(void **state)
{
    (void)state;
    failing_vmm failing;
    failing_vmm_init(&failing, strata_vmm_default(), FAIL_COMMIT, 0);
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(&failing.vmm, STRATA_HEAP_CREATE_ENABLE_EXECUTE, 0, 0, &heap), STRATA_OK);
    /* Counting starts now: the large block's commit is the one that fails. */
    failing.seen = 0;
    failing.fail_at = 1;
    assert_null(strata_heap_alloc(heap, 0, LARGE));
    assert_true(failing.failed);
    assert_non_null(strata_heap_alloc(heap, 0, LARGE));
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static _Alignas(4096) unsigned char arena[12u << 20];
static fixed_vmm arena_vmm;

static void test_heaps_live_inside_a_static_array(void **state)
{
    (void)state;
    fixed_vmm_init(&arena_vmm, arena, sizeof arena);
    strata_heap *growable = NULL, *fixed = NULL;
    assert_status(strata_heap_create(&arena_vmm.vmm, 0, 0, 0, &growable), STRATA_OK);
    assert_status(strata_heap_create(&arena_vmm.vmm, 0, 0x10000, 0x40000, &fixed), STRATA_OK);
    assert_true(fixed_vmm_owns(&arena_vmm, growable, 0x10000));
    assert_true(fixed_vmm_owns(&arena_vmm, fixed, 0x10000));
    static const size_t sizes[] = {0, 24, 700, 9000, 70000, 300000, LARGE};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *block = strata_heap_alloc(growable, 0, sizes[i]);
        assert_non_null(block);
        assert_true(fixed_vmm_owns(&arena_vmm, block, sizes[i] ? sizes[i] : 1));
        memset(block, 0x3C, sizes[i]);
        if (sizes[i] < 0x8000) {
            unsigned char *small = strata_heap_alloc(fixed, 0, sizes[i]);
            assert_non_null(small);
            assert_true(fixed_vmm_owns(&arena_vmm, small, sizes[i] ? sizes[i] : 1));
        }
    }
    assert_null(strata_heap_alloc(fixed, 0, 0x40000));
    /* The array cannot hold code: no executable heap there, nothing reserved. */
    strata_heap *executable = (strata_heap *)&arena_vmm;
    assert_status(strata_heap_create(&arena_vmm.vmm, STRATA_HEAP_CREATE_ENABLE_EXECUTE, 0, 0, &executable),
                  STRATA_E_UNSUPPORTED);
    assert_null(executable);
    assert_true(strata_heap_validate(growable, 0, NULL));
    assert_true(strata_heap_validate(fixed, 0, NULL));
    assert_status(strata_heap_destroy(fixed), STRATA_OK);
    assert_status(strata_heap_destroy(growable), STRATA_OK);
    for (size_t i = 0; i < arena_vmm.granules; i++)
        assert_int_equal(arena_vmm.in_use[i], 0);
}

/* The fixed vmm's reservations start on 4 KiB, not 64 KiB: large blocks
 * there are found, freed, sized and reused like any other. */
static void test_large_blocks_over_a_4k_granularity_vmm(void **state)
{
    (void)state;
    fixed_vmm_init(&arena_vmm, arena, sizeof arena);
    strata_heap *heap = NULL;
    assert_status(strata_heap_create(&arena_vmm.vmm, 0, 0, 0, &heap), STRATA_OK);
    for (size_t i = 0; i < 4; i++) {
        size_t size = LARGE + 4096 * i;
        unsigned char *block = strata_heap_alloc(heap, 0, size);
        assert_non_null(block);
        assert_true(fixed_vmm_owns(&arena_vmm, block, size));
        assert_int_equal(strata_heap_size(heap, 0, block), size);
        assert_true(strata_heap_validate(heap, 0, block));
        memset(block, 0x4D, size);
        assert_true(strata_heap_free(heap, 0, block));
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static const child_scenario scenarios[] = {{NULL, NULL}};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_reserve_gives_clean_failures_and_leaks_nothing),
        cmocka_unit_test(test_failing_commit_gives_clean_failures_and_leaks_nothing),
        cmocka_unit_test(test_failing_vmm_under_a_fixed_heap),
        cmocka_unit_test(test_destroy_releases_every_reservation),
        cmocka_unit_test(test_executable_heap_commits_only_executable_memory),
        cmocka_unit_test(test_failing_executable_commit_is_a_clean_failure),
        cmocka_unit_test(test_heaps_live_inside_a_static_array),
        cmocka_unit_test(test_large_blocks_over_a_4k_granularity_vmm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
