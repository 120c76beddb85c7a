/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_set_heap.c — strata_crt_set_heap: the crt over a heap of
 * the program's choosing (here one over a fixed buffer, so every block's
 * address shows where it came from), refused once the CRT heap is fixed.
 * Linked with the crt layer's library only: the test's own mallocs are the
 * C library's, so the crt is untouched until a test calls it.
 */
#include <strata/crt.h>
#include <strata/testing.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"

#define BUFFER_SIZE ((size_t)16 << 20)

static _Alignas(4096) unsigned char address_space[BUFFER_SIZE];
static strata_testing_fixed_vmm fixed;
static strata_heap *chosen;

static void test_null_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    assert_status(strata_crt_set_heap(NULL), STRATA_E_INVALID_PARAMETER);
}

static void test_blocks_come_from_the_chosen_heap(void **state)
{
    (void)state;
    strata_testing_fixed_vmm_init(&fixed, address_space, sizeof address_space);
    assert_status(strata_heap_create(&fixed.vmm, 0, 0, 0, &chosen), STRATA_OK);
    assert_status(strata_crt_set_heap(chosen), STRATA_OK);
    assert_ptr_equal(strata_crt_heap(), chosen);
    assert_status(strata_crt_set_heap(chosen), STRATA_OK); /* the same heap again is no change */

    void *small = strata_malloc(40);
    void *zeroed = strata_calloc(100, 10);
    void *aligned = strata_aligned_alloc(4096, 300);
    void *big = strata_malloc(300000);
    void *moved = strata_realloc(strata_malloc(16), 20000);
    assert_true(strata_testing_fixed_vmm_owns(&fixed, small, 40));
    assert_true(strata_testing_fixed_vmm_owns(&fixed, zeroed, 1000));
    assert_true(strata_testing_fixed_vmm_owns(&fixed, aligned, 300));
    assert_true(strata_testing_fixed_vmm_owns(&fixed, big, 300000));
    assert_true(strata_testing_fixed_vmm_owns(&fixed, moved, 20000));
    assert_int_equal((uintptr_t)aligned % 4096, 0);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(((unsigned char *)zeroed)[i], 0);
    assert_int_equal(strata_heap_size(chosen, 0, small), 40);
    assert_true(strata_heap_validate(chosen, 0, NULL));

    strata_free(small);
    strata_free(zeroed);
    strata_free(aligned);
    strata_free(big);
    strata_free(moved);
    assert_true(strata_heap_validate(chosen, 0, NULL));
}

static void test_a_second_heap_is_refused_and_the_first_stays(void **state)
{
    (void)state;
    strata_heap *other = NULL;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &other), STRATA_OK);
    assert_status(strata_crt_set_heap(other), STRATA_E_GEN_FAILURE);
    assert_ptr_equal(strata_crt_heap(), chosen);
    void *block = strata_malloc(64);
    assert_true(strata_testing_fixed_vmm_owns(&fixed, block, 64));
    strata_free(block);
    assert_status(strata_heap_destroy(other), STRATA_OK);
}

/* In a fresh process: once malloc has run, the process heap is the CRT heap for good. */
static void too_late_after_first_allocation(void)
{
    void *block = strata_malloc(10);
    strata_heap *other = NULL;
    if (block == NULL || strata_heap_create(NULL, 0, 0, 0, &other) != STRATA_OK)
        _Exit(1);
    if (strata_crt_set_heap(other) != STRATA_E_GEN_FAILURE)
        _Exit(2);
    if (strata_crt_heap() != strata_heap_process())
        _Exit(3);
    strata_free(block);
    strata_heap_destroy(other);
    _Exit(0);
}

/* Reading the CRT heap fixes it too, as the header says. */
static void too_late_after_reading_the_heap(void)
{
    strata_heap *first = strata_crt_heap();
    strata_heap *other = NULL;
    if (first == NULL || strata_heap_create(NULL, 0, 0, 0, &other) != STRATA_OK)
        _Exit(1);
    _Exit(strata_crt_set_heap(other) == STRATA_E_GEN_FAILURE && strata_crt_heap() == first ? 0 : 2);
}

static const child_scenario scenarios[] = {
    {"too_late_after_first_allocation", too_late_after_first_allocation},
    {"too_late_after_reading_the_heap", too_late_after_reading_the_heap},
    {NULL, NULL},
};

static void expect_scenario_passes(const char *name)
{
    child_result result;
    assert_true(child_run_fresh(name, &result));
    if (!result.exited || result.exit_code != 0)
        fail_msg("%s: exited %d, code %d, signal %d: %s", name, result.exited, result.exit_code,
                 result.signal_number, result.output);
}

static void test_refused_after_the_first_allocation(void **state)
{
    (void)state;
    expect_scenario_passes("too_late_after_first_allocation");
}

static void test_refused_after_the_heap_was_read(void **state)
{
    (void)state;
    expect_scenario_passes("too_late_after_reading_the_heap");
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    /* In this order: the first two install the chosen heap, the third relies on it. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_is_refused_and_changes_nothing),
        cmocka_unit_test(test_blocks_come_from_the_chosen_heap),
        cmocka_unit_test(test_a_second_heap_is_refused_and_the_first_stays),
        cmocka_unit_test(test_refused_after_the_first_allocation),
        cmocka_unit_test(test_refused_after_the_heap_was_read),
    };
    return cmocka_run_group_tests_name("crt_set_heap", tests, NULL, NULL);
}
