/* SPDX-License-Identifier: MIT */
/*
 * tests/cxx/test_cxx_loop.c — the new-handler loop of operator new, driven
 * from C through strata/cxx.h over the failing crt (failing_crt.h): how
 * often the crt and the handler are called, when the loop stops, size 0,
 * alignments, and deletes.
 */
#include <strata/cxx.h>

#include <stdint.h>
#include <string.h>

#include "../support/cmocka_all.h"
#include "failing_crt.h"

static unsigned handler_calls;
static long live_blocks_at_start;

static void counting_handler(void)
{
    handler_calls++;
}

static void self_removing_handler(void)
{
    handler_calls++;
    strata_set_new_handler(NULL);
}

/* Hands over to counting_handler: the loop must look the handler up afresh. */
static void replacing_handler(void)
{
    handler_calls += 100;
    strata_set_new_handler(counting_handler);
}

static int start_clean(void **state)
{
    (void)state;
    strata_set_new_handler(NULL);
    failing_crt_reset();
    handler_calls = 0;
    live_blocks_at_start = failing_crt_live_blocks();
    return 0;
}

static int end_clean(void **state)
{
    (void)state;
    strata_set_new_handler(NULL);
    long leaked = failing_crt_live_blocks() - live_blocks_at_start;
    failing_crt_reset();
    if (leaked != 0) {
        print_error("%ld blocks from the crt were not freed\n", leaked);
        return -1;
    }
    return 0;
}

static void test_new_succeeds_after_exactly_one_handler_call_per_failure(void **state)
{
    (void)state;
    strata_set_new_handler(counting_handler);
    for (unsigned failures = 0; failures <= 5; failures++) {
        failing_crt_reset();
        handler_calls = 0;
        failing_crt_fail_next(failures);
        void *block = strata_new(40);
        assert_non_null(block);
        memset(block, 0xA5, 40);
        assert_int_equal(handler_calls, failures);
        assert_int_equal(failing_crt_get().mallocs, failures + 1);
        assert_int_equal(failing_crt_get().aligned_allocs, 0);
        assert_int_equal(failing_crt_get().last_size, 40);
        strata_delete(block);
        assert_int_equal(failing_crt_get().frees, 1);
        assert_ptr_equal(failing_crt_get().last_freed, block);
    }
}

static void test_new_without_handler_returns_null_after_one_crt_call(void **state)
{
    (void)state;
    failing_crt_fail_next(1);
    assert_null(strata_new(40));
    assert_int_equal(failing_crt_get().mallocs, 1);
    assert_int_equal(failing_crt_get().failures, 1);

    void *block = strata_new(40); /* the failure was used up */
    assert_non_null(block);
    strata_delete(block);
}

static void test_handler_that_removes_itself_ends_the_loop(void **state)
{
    (void)state;
    failing_crt_fail_next(FAILING_CRT_ALWAYS);
    strata_set_new_handler(self_removing_handler);
    assert_null(strata_new(40));
    assert_int_equal(handler_calls, 1);
    assert_int_equal(failing_crt_get().mallocs, 2);
    assert_null(strata_set_new_handler(NULL));
}

static void test_loop_calls_the_handler_installed_now(void **state)
{
    (void)state;
    failing_crt_fail_next(3);
    strata_set_new_handler(replacing_handler);
    void *block = strata_new(40);
    assert_non_null(block);
    assert_int_equal(handler_calls, 100 + 2);
    assert_int_equal(failing_crt_get().mallocs, 4);
    strata_delete(block);
}

static void test_nothrow_returns_null_without_handler(void **state)
{
    (void)state;
    failing_crt_fail_next(1);
    assert_null(strata_new_nothrow(24));
    assert_int_equal(failing_crt_get().mallocs, 1);
}

static void test_nothrow_runs_the_handler_loop(void **state)
{
    (void)state;
    failing_crt_fail_next(3);
    strata_set_new_handler(counting_handler);
    void *block = strata_new_nothrow(24);
    assert_non_null(block);
    assert_int_equal(handler_calls, 3);
    assert_int_equal(failing_crt_get().mallocs, 4);
    strata_delete(block);

    failing_crt_reset();
    failing_crt_fail_next(FAILING_CRT_ALWAYS);
    strata_set_new_handler(self_removing_handler);
    handler_calls = 0;
    assert_null(strata_new_nothrow(24));
    assert_int_equal(handler_calls, 1);
}

static void test_size_zero_gives_distinct_blocks_of_one_byte(void **state)
{
    (void)state;
    void *first = strata_new(0);
    void *second = strata_new(0);
    void *nothrow = strata_new_nothrow(0);
    assert_non_null(first);
    assert_non_null(second);
    assert_non_null(nothrow);
    assert_ptr_not_equal(first, second);
    assert_ptr_not_equal(first, nothrow);
    assert_ptr_not_equal(second, nothrow);
    assert_int_equal(failing_crt_get().last_size, 1);

    void *aligned = strata_new_aligned(0, 64);
    assert_non_null(aligned);
    assert_int_equal(failing_crt_get().last_size, 1);
    assert_int_equal((uintptr_t)aligned % 64, 0);

    strata_delete(first);
    strata_delete(second);
    strata_delete(nothrow);
    strata_delete_aligned(aligned, 64);
}

static void test_aligned_new_honours_large_alignments(void **state)
{
    (void)state;
    const size_t alignments[] = {32, 64, 4096, 65536, (size_t)1 << 20};
    for (size_t i = 0; i < sizeof alignments / sizeof alignments[0]; i++) {
        size_t alignment = alignments[i];
        failing_crt_reset();
        void *block = strata_new_aligned(100, alignment);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % alignment, 0);
        memset(block, 0x5A, 100);
        assert_int_equal(failing_crt_get().aligned_allocs, 1);
        assert_int_equal(failing_crt_get().mallocs, 0);
        assert_int_equal(failing_crt_get().last_alignment, alignment);
        assert_int_equal(failing_crt_get().last_size, 100);
        strata_delete_aligned(block, alignment);
        assert_int_equal(failing_crt_get().frees, 1);
        assert_ptr_equal(failing_crt_get().last_freed, block);
    }
}

static void test_aligned_new_up_to_the_default_alignment_uses_malloc(void **state)
{
    (void)state;
    const size_t alignments[] = {1, 2, 8, 16};
    for (size_t i = 0; i < sizeof alignments / sizeof alignments[0]; i++) {
        failing_crt_reset();
        void *block = strata_new_aligned(100, alignments[i]);
        assert_non_null(block);
        assert_int_equal(failing_crt_get().mallocs, 1);
        assert_int_equal(failing_crt_get().aligned_allocs, 0);
        strata_delete_aligned(block, alignments[i]);
    }
}

static void test_aligned_new_runs_the_handler_loop(void **state)
{
    (void)state;
    failing_crt_fail_next(2);
    strata_set_new_handler(counting_handler);
    void *block = strata_new_aligned(100, 4096);
    assert_non_null(block);
    assert_int_equal((uintptr_t)block % 4096, 0);
    assert_int_equal(handler_calls, 2);
    assert_int_equal(failing_crt_get().aligned_allocs, 3);
    strata_delete_aligned(block, 4096);

    failing_crt_reset();
    failing_crt_fail_next(1);
    strata_set_new_handler(NULL);
    assert_null(strata_new_aligned(100, 4096));
    assert_int_equal(failing_crt_get().aligned_allocs, 1);
}

static void test_bad_alignment_gives_null_without_calling_crt_or_handler(void **state)
{
    (void)state;
    strata_set_new_handler(counting_handler);
    const size_t alignments[] = {0, 3, 24, 48, 100, 4097, STRATA_CRT_MAX_ALIGNMENT * 2, SIZE_MAX};
    for (size_t i = 0; i < sizeof alignments / sizeof alignments[0]; i++) {
        assert_null(strata_new_aligned(100, alignments[i]));
    }
    assert_int_equal(handler_calls, 0);
    assert_int_equal(failing_crt_get().mallocs, 0);
    assert_int_equal(failing_crt_get().aligned_allocs, 0);
}

/* The largest alignment is passed on; the fake fails it rather than reserve 64 MiB. */
static void test_largest_alignment_reaches_the_crt(void **state)
{
    (void)state;
    failing_crt_fail_next(1);
    assert_null(strata_new_aligned(100, STRATA_CRT_MAX_ALIGNMENT));
    assert_int_equal(failing_crt_get().aligned_allocs, 1);
    assert_int_equal(failing_crt_get().last_alignment, STRATA_CRT_MAX_ALIGNMENT);
}

static void test_delete_of_null_calls_nothing(void **state)
{
    (void)state;
    strata_delete(NULL);
    strata_delete_aligned(NULL, 64);
    strata_delete_aligned(NULL, 3);
    assert_int_equal(failing_crt_get().frees, 0);
}

static void test_set_new_handler_returns_the_previous_one(void **state)
{
    (void)state;
    assert_null(strata_set_new_handler(counting_handler));
    assert_ptr_equal(strata_set_new_handler(self_removing_handler), counting_handler);
    assert_ptr_equal(strata_set_new_handler(NULL), self_removing_handler);
    assert_null(strata_set_new_handler(NULL));
}

#define LOOP_TEST(name) cmocka_unit_test_setup_teardown(name, start_clean, end_clean)

int main(void)
{
    const struct CMUnitTest tests[] = {
        LOOP_TEST(test_new_succeeds_after_exactly_one_handler_call_per_failure),
        LOOP_TEST(test_new_without_handler_returns_null_after_one_crt_call),
        LOOP_TEST(test_handler_that_removes_itself_ends_the_loop),
        LOOP_TEST(test_loop_calls_the_handler_installed_now),
        LOOP_TEST(test_nothrow_returns_null_without_handler),
        LOOP_TEST(test_nothrow_runs_the_handler_loop),
        LOOP_TEST(test_size_zero_gives_distinct_blocks_of_one_byte),
        LOOP_TEST(test_aligned_new_honours_large_alignments),
        LOOP_TEST(test_aligned_new_up_to_the_default_alignment_uses_malloc),
        LOOP_TEST(test_aligned_new_runs_the_handler_loop),
        LOOP_TEST(test_bad_alignment_gives_null_without_calling_crt_or_handler),
        LOOP_TEST(test_largest_alignment_reaches_the_crt),
        LOOP_TEST(test_delete_of_null_calls_nothing),
        LOOP_TEST(test_set_new_handler_returns_the_previous_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
