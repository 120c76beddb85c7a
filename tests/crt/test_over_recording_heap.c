/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_over_recording_heap.c — the crt layer with the heap layer
 * swapped out at link time (recording_heap.c): each malloc-family call must
 * reach the heap as expected — which call, flags, size, alignment, block.
 */
#include <strata/crt.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../support/cmocka_all.h"
#include "recording_heap.h"

static const recorded *only_call(void)
{
    assert_int_equal(recording_count(), 1);
    return recording_at(0);
}

static void expect_call(const recorded *entry, recorded_call call, uint32_t flags, size_t size, size_t alignment)
{
    assert_non_null(entry);
    assert_int_equal(entry->call, call);
    assert_int_equal(entry->flags, flags);
    assert_int_equal(entry->size, size);
    assert_int_equal(entry->alignment, alignment);
}

static void test_malloc_asks_the_heap_for_the_size_with_no_flags(void **state)
{
    (void)state;
    recording_reset(0);
    void *block = strata_malloc(123);
    expect_call(only_call(), CALL_ALLOC, 0, 123, 0);
    assert_ptr_equal(recording_at(0)->result, block);
    recording_reset(0);
    strata_free(block);
    const recorded *freed = only_call();
    assert_int_equal(freed->call, CALL_FREE);
    assert_ptr_equal(freed->block, block);
}

static void test_malloc_takes_the_heaps_cache_first_and_the_full_call_when_it_declines(void **state)
{
    (void)state;
    recording_reset(0);
    recording_serve_cached(true);
    void *small = strata_malloc(200);
    assert_non_null(small);
    assert_int_equal(recording_cached_count(), 1);
    assert_int_equal(recording_count(), 0); /* served from the cache: no full call */
    void *large = strata_malloc(STRATA_HEAP_CACHED_MAX + 1); /* declined: the full call follows */
    assert_int_equal(recording_cached_count(), 2);
    expect_call(only_call(), CALL_ALLOC, 0, STRATA_HEAP_CACHED_MAX + 1, 0);
    assert_ptr_equal(recording_at(0)->result, large);
    recording_reset(0);
    strata_free(small);
    strata_free(large);
    assert_int_equal(recording_count(), 2);
    assert_ptr_equal(recording_at(0)->block, small);
    assert_ptr_equal(recording_at(1)->block, large);
}

/* free(NULL) is the heap's free's to ignore (HeapFree of NULL succeeds):
 * the crt passes it on untested, and asks nothing else. */
static void test_free_of_null_reaches_only_the_heaps_free(void **state)
{
    (void)state;
    recording_reset(0);
    strata_free(NULL);
    const recorded *freed = only_call();
    expect_call(freed, CALL_FREE, 0, 0, 0);
    assert_null(freed->block);
}

static void test_calloc_asks_for_zeroed_product(void **state)
{
    (void)state;
    recording_reset(0);
    void *block = strata_calloc(7, 9);
    expect_call(only_call(), CALL_ALLOC, STRATA_HEAP_ZERO_MEMORY, 63, 0);
    strata_free(block);
    recording_reset(0);
    assert_null(strata_calloc(SIZE_MAX / 2, 3)); /* overflow never reaches the heap */
    assert_int_equal(recording_count(), 0);
}

static void test_realloc_passes_the_block_and_size(void **state)
{
    (void)state;
    void *block = strata_malloc(10);
    recording_reset(0);
    void *moved = strata_realloc(block, 1000);
    expect_call(only_call(), CALL_REALLOC, 0, 1000, 0);
    assert_ptr_equal(recording_at(0)->block, block);
    recording_reset(0);
    assert_null(strata_realloc(moved, 0)); /* realloc to 0 is a free */
    assert_int_equal(only_call()->call, CALL_FREE);
    recording_reset(0);
    block = strata_realloc(NULL, 5); /* realloc of NULL is an allocation */
    expect_call(only_call(), CALL_ALLOC, 0, 5, 0);
    strata_free(block);
}

static void test_aligned_functions_pass_their_alignment(void **state)
{
    (void)state;
    recording_reset(0);
    void *a = strata_aligned_alloc(4096, 100);
    expect_call(only_call(), CALL_ALLOC_ALIGNED, 0, 100, 4096);
    assert_int_equal((uintptr_t)a % 4096, 0);
    recording_reset(0);
    void *m = strata_memalign(48, 10); /* raised to 64 */
    expect_call(only_call(), CALL_ALLOC_ALIGNED, 0, 10, 64);
    recording_reset(0);
    void *p = NULL;
    assert_int_equal(strata_posix_memalign(&p, 1 << 20, 3), 0);
    expect_call(only_call(), CALL_ALLOC_ALIGNED, 0, 3, 1 << 20);
    recording_reset(0);
    void *w = strata__aligned_malloc(8, 2); /* raised to sizeof(void *) */
    expect_call(only_call(), CALL_ALLOC_ALIGNED, 0, 8, sizeof(void *));
    size_t page = strata_platform_get_info()->page_size;
    recording_reset(0);
    void *v = strata_pvalloc(page + 1);
    expect_call(only_call(), CALL_ALLOC_ALIGNED, 0, 2 * page, page);
    recording_reset(0);
    assert_null(strata_aligned_alloc(24, 10)); /* refused before the heap */
    assert_int_equal(recording_count(), 0);
    strata_free(a);
    strata_free(m);
    strata_free(p);
    strata__aligned_free(w);
    strata_free(v);
}

static void test_windows_functions_use_the_heap_flags(void **state)
{
    (void)state;
    char *block = strata_malloc(50);
    recording_reset(0);
    assert_ptr_equal(strata__expand(block, 20), block);
    expect_call(only_call(), CALL_REALLOC, STRATA_HEAP_REALLOC_IN_PLACE_ONLY, 20, 0);
    recording_reset(0);
    block = strata__recalloc(block, 10, 10);
    expect_call(only_call(), CALL_REALLOC, STRATA_HEAP_ZERO_MEMORY, 100, 0);
    recording_reset(0);
    assert_int_equal(strata__msize(block), 100);
    assert_int_equal(only_call()->call, CALL_SIZE);
    strata_free(block);
}

static void test_failure_sets_enomem_and_retries_only_in_new_mode(void **state)
{
    (void)state;
    recording_reset(1);
    errno = 0;
    assert_null(strata_malloc(10));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(recording_count(), 1);
    recording_reset(1);
    void *block = strata_malloc(10); /* the one failure */
    assert_null(block);
    block = strata_malloc(10); /* then the heap serves again */
    assert_non_null(block);
    strata_free(block);
}

static int retries;
static int always_retry(size_t size)
{
    (void)size;
    return ++retries < 100;
}

static void test_new_mode_retries_as_long_as_the_handler_asks(void **state)
{
    (void)state;
    strata_crt_new_handler previous = strata_crt_set_new_handler(always_retry);
    strata__set_new_mode(1);
    retries = 0;
    recording_reset(3);
    void *block = strata_malloc(10);
    assert_non_null(block);
    assert_int_equal(retries, 3);
    assert_int_equal(recording_count(), 4);
    strata_free(block);
    retries = 0;
    recording_reset(2);
    block = strata_calloc(2, 2);
    assert_non_null(block);
    assert_int_equal(retries, 2);
    strata_free(block);
    strata__set_new_mode(0);
    strata_crt_set_new_handler(previous);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malloc_asks_the_heap_for_the_size_with_no_flags),
        cmocka_unit_test(test_malloc_takes_the_heaps_cache_first_and_the_full_call_when_it_declines),
        cmocka_unit_test(test_free_of_null_reaches_only_the_heaps_free),
        cmocka_unit_test(test_calloc_asks_for_zeroed_product),
        cmocka_unit_test(test_realloc_passes_the_block_and_size),
        cmocka_unit_test(test_aligned_functions_pass_their_alignment),
        cmocka_unit_test(test_windows_functions_use_the_heap_flags),
        cmocka_unit_test(test_failure_sets_enomem_and_retries_only_in_new_mode),
        cmocka_unit_test(test_new_mode_retries_as_long_as_the_handler_asks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
