/* SPDX-License-Identifier: MIT */
/*
 * examples/test_string_list.c — CMocka unit tests of a program's own code
 * (string_list.c) on heaps over strata::testing's stand-ins for virtual
 * memory:
 *   - the failing vmm, swept over every call the workload makes: whichever
 *     reserve or commit fails, every string added is kept intact, and once
 *     the heap is destroyed no reservation is left (a counting vmm beneath
 *     sees the real calls);
 *   - a small fixed buffer, so memory truly runs out: the list reports it
 *     and keeps what it had.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <strata/testing.h>

#include "string_list.h"

enum { WORKLOAD = 3000, ITEM_DIGITS = 400 };

/* About 410 bytes: enough items to fill segments without a huge item array. */
static void format_item(char *text, size_t size, size_t number)
{
    snprintf(text, size, "item %zu: %0*zu", number, ITEM_DIGITS, number);
}

/* Adds `count` items; returns how many were added. Every add that reports
 * failure must leave the list as it was. */
static size_t add_items(string_list *list, size_t count)
{
    size_t added = 0;
    for (size_t i = 0; i < count; i++) {
        char text[ITEM_DIGITS + 32];
        format_item(text, sizeof text, list->count);
        size_t before = list->count;
        if (string_list_add(list, text))
            added++;
        else
            assert_int_equal(list->count, before);
    }
    return added;
}

static void expect_items_intact(const string_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        char text[ITEM_DIGITS + 32];
        format_item(text, sizeof text, i);
        assert_string_equal(list->items[i], text);
    }
}

/* How many reserves and commits the workload asks for when nothing fails. */
static unsigned calls_of_a_clean_run(void)
{
    strata_testing_failing_vmm failing;
    strata_testing_failing_vmm_init(&failing, strata_vmm_default(),
                                    STRATA_TESTING_FAIL_RESERVE | STRATA_TESTING_FAIL_COMMIT, 0);
    strata_testing_counting_vmm counting;
    strata_testing_counting_vmm_init(&counting, &failing.vmm);
    strata_heap *heap = NULL;
    assert_int_equal(strata_heap_create(&counting.vmm, 0, 0, 0, &heap), STRATA_OK);
    string_list list;
    string_list_init(&list, heap);
    assert_int_equal(add_items(&list, WORKLOAD), WORKLOAD);
    string_list_clear(&list);
    assert_int_equal(strata_heap_destroy(heap), STRATA_OK);
    return counting.reserves + counting.commits;
}

static void test_any_failing_vmm_call_loses_nothing(void **state)
{
    (void)state;
    unsigned calls = calls_of_a_clean_run();
    assert_true(calls > 2);
    for (unsigned fail_at = 1; fail_at <= calls; fail_at++) {
        strata_testing_counting_vmm counting;
        strata_testing_counting_vmm_init(&counting, strata_vmm_default());
        strata_testing_failing_vmm failing;
        strata_testing_failing_vmm_init(&failing, &counting.vmm,
                                        STRATA_TESTING_FAIL_RESERVE | STRATA_TESTING_FAIL_COMMIT, fail_at);
        strata_heap *heap = NULL;
        strata_status status = strata_heap_create(&failing.vmm, 0, 0, 0, &heap);
        if (status != STRATA_OK) {
            assert_int_equal(status, STRATA_E_NO_MEMORY);
            assert_true(failing.failed);
            assert_int_equal(counting.live_reservations, 0); /* nothing left behind */
            continue;
        }
        string_list list;
        string_list_init(&list, heap);
        add_items(&list, WORKLOAD);
        expect_items_intact(&list);
        assert_true(failing.failed); /* the failure was delivered somewhere */
        assert_true(strata_heap_validate(heap, 0, NULL));
        string_list_clear(&list);
        assert_int_equal(strata_heap_destroy(heap), STRATA_OK);
        assert_int_equal(counting.live_reservations, 0);
    }
}

static void test_running_out_is_reported_and_nothing_is_lost(void **state)
{
    (void)state;
    static _Alignas(4096) unsigned char space[(size_t)12 << 20];
    static strata_testing_fixed_vmm fixed;
    strata_testing_fixed_vmm_init(&fixed, space, sizeof space);
    strata_heap *heap = NULL;
    assert_int_equal(strata_heap_create(&fixed.vmm, 0, 0, 0, &heap), STRATA_OK);
    string_list list;
    string_list_init(&list, heap);

    size_t added = add_items(&list, 40000); /* 40000 items of about 410 bytes do not fit in 12 MiB */
    assert_true(added > 0);
    assert_true(added < 40000);
    assert_int_equal(list.count, added);
    expect_items_intact(&list);
    assert_true(strata_heap_validate(heap, 0, NULL));

    /* Memory freed is memory to use again. */
    string_list_clear(&list);
    assert_int_equal(add_items(&list, 100), 100);
    string_list_clear(&list);
    assert_int_equal(strata_heap_destroy(heap), STRATA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_failing_vmm_call_loses_nothing),
        cmocka_unit_test(test_running_out_is_reported_and_nothing_is_lost),
    };
    return cmocka_run_group_tests_name("example_string_list", tests, NULL, NULL);
}
