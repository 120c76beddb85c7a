/* SPDX-License-Identifier: MIT */
/*
 * tests/cxx/test_cxx_over_crt.c — the cxx layer over the real crt and heap:
 * new and delete reach the CRT heap, aligned new honours alignments up to
 * the crt's largest, the new-handler loop runs on real failures, and the
 * crt's new mode 1 runs the C++ new handler.
 */
#include <strata/crt.h>
#include <strata/cxx.h>

#include <stdint.h>
#include <string.h>

#include "../support/cmocka_all.h"

#define IMPOSSIBLE ((size_t)1 << 62) /* within the crt's limit, beyond any address space */

static void test_new_and_delete_use_the_crt_heap(void **state)
{
    (void)state;
    for (size_t size = 0; size < 300000; size = size * 5 + 3) {
        char *block = strata_new(size);
        assert_non_null(block);
        assert_true(strata_heap_validate(strata_crt_heap(), 0, block));
        memset(block, 0x3D, size);
        strata_delete(block);
        assert_false(strata_heap_validate(strata_crt_heap(), 0, block));
    }
    strata_delete(NULL);
}

static void test_aligned_new_honours_alignments_up_to_the_largest(void **state)
{
    (void)state;
    for (size_t alignment = 16; alignment <= STRATA_CRT_MAX_ALIGNMENT; alignment <<= 1) {
        char *block = strata_new_aligned(100, alignment);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % alignment, 0);
        assert_true(strata_heap_validate(strata_crt_heap(), 0, block));
        memset(block, 0x4E, 100);
        strata_delete_aligned(block, alignment);
    }
    assert_null(strata_new_aligned(100, STRATA_CRT_MAX_ALIGNMENT * 2));
    assert_null(strata_new_aligned(100, 48));
}

static int handler_calls;

static void give_up_after_three(void)
{
    if (++handler_calls == 3)
        strata_set_new_handler(NULL);
}

static void test_handler_runs_until_it_removes_itself(void **state)
{
    (void)state;
    handler_calls = 0;
    strata_set_new_handler(give_up_after_three);
    assert_null(strata_new(IMPOSSIBLE));
    assert_int_equal(handler_calls, 3);
    handler_calls = 0;
    strata_set_new_handler(give_up_after_three);
    assert_null(strata_new_nothrow(IMPOSSIBLE));
    assert_int_equal(handler_calls, 3);
    assert_null(strata_set_new_handler(NULL));
}

static void test_new_mode_one_runs_the_cxx_handler_from_malloc(void **state)
{
    (void)state;
    handler_calls = 0;
    strata_set_new_handler(give_up_after_three);
    assert_int_equal(strata__set_new_mode(1), 0);
    assert_null(strata_malloc(IMPOSSIBLE));
    assert_int_equal(handler_calls, 3);
    strata__set_new_mode(0);
    handler_calls = 0;
    strata_set_new_handler(give_up_after_three);
    assert_null(strata_malloc(IMPOSSIBLE)); /* mode 0: no handler */
    assert_int_equal(handler_calls, 0);
    strata_set_new_handler(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_delete_use_the_crt_heap),
        cmocka_unit_test(test_aligned_new_honours_alignments_up_to_the_largest),
        cmocka_unit_test(test_handler_runs_until_it_removes_itself),
        cmocka_unit_test(test_new_mode_one_runs_the_cxx_handler_from_malloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
