/* SPDX-License-Identifier: MIT */
/*
 * Threads, events and waits of the platform layer: exit codes, manual and
 * auto reset, wait-any and wait-all, timeouts, bad arguments, and a named
 * event shared with a fresh child process.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include "../support/cmocka_all.h"
#include "../support/child.h"

#include <strata/platform.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t return_argument(void *argument)
{
    return (uint32_t)(uintptr_t)argument;
}

static uint32_t set_event_after_a_while(void *argument)
{
    strata_platform_sleep(20);
    return strata_platform_event_set(argument) == STRATA_OK ? 0u : 1u;
}

static uint32_t report_number(void *argument)
{
    *(uint32_t *)argument = strata_platform_thread_number();
    return 0;
}

static void test_thread_exit_code_and_wait(void **state)
{
    (void)state;
    strata_waitable *thread;
    uint32_t id = 0, code = 0;
    bool finished = true;
    assert_int_equal(strata_platform_thread_create(return_argument, (void *)(uintptr_t)42, 0, &thread, &id), STRATA_OK);
    assert_int_not_equal(id, 0);
    assert_int_equal(strata_platform_wait(&thread, 1, false, STRATA_WAIT_FOREVER, NULL), STRATA_OK);
    assert_int_equal(strata_platform_thread_exit_code(thread, &code, &finished), STRATA_OK);
    assert_true(finished);
    assert_int_equal(code, 42);
    /* A finished thread stays signalled. */
    assert_int_equal(strata_platform_wait(&thread, 1, false, 0, NULL), STRATA_OK);
    assert_int_equal(strata_platform_waitable_close(thread), STRATA_OK);

    uint32_t seen = 0;
    assert_int_equal(strata_platform_thread_create(report_number, &seen, 256 * 1024, &thread, &id), STRATA_OK);
    assert_int_equal(strata_platform_wait(&thread, 1, false, STRATA_WAIT_FOREVER, NULL), STRATA_OK);
    assert_int_equal(seen, id);
    assert_int_not_equal(seen, strata_platform_thread_number());
    assert_int_equal(strata_platform_waitable_close(thread), STRATA_OK);
}

static void test_auto_and_manual_reset(void **state)
{
    (void)state;
    strata_waitable *automatic, *manual;
    assert_int_equal(strata_platform_event_create(NULL, false, true, &automatic, NULL), STRATA_OK);
    assert_int_equal(strata_platform_event_create(NULL, true, false, &manual, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&automatic, 1, false, 0, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&automatic, 1, false, 0, NULL), STRATA_E_TIMEOUT);
    assert_int_equal(strata_platform_wait(&manual, 1, false, 10, NULL), STRATA_E_TIMEOUT);
    assert_int_equal(strata_platform_event_set(manual), STRATA_OK);
    assert_int_equal(strata_platform_wait(&manual, 1, false, 0, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&manual, 1, false, 0, NULL), STRATA_OK);
    assert_int_equal(strata_platform_event_reset(manual), STRATA_OK);
    assert_int_equal(strata_platform_wait(&manual, 1, false, 0, NULL), STRATA_E_TIMEOUT);

    /* A set from another thread ends a wait that has started. */
    strata_waitable *thread;
    assert_int_equal(strata_platform_thread_create(set_event_after_a_while, automatic, 0, &thread, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&automatic, 1, false, 10000, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&thread, 1, false, STRATA_WAIT_FOREVER, NULL), STRATA_OK);
    assert_int_equal(strata_platform_waitable_close(thread), STRATA_OK);
    assert_int_equal(strata_platform_waitable_close(automatic), STRATA_OK);
    assert_int_equal(strata_platform_waitable_close(manual), STRATA_OK);
}

static void test_wait_any_and_all(void **state)
{
    (void)state;
    strata_waitable *events[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(strata_platform_event_create(NULL, false, false, &events[i], NULL), STRATA_OK);
    }
    size_t index = 99;
    assert_int_equal(strata_platform_event_set(events[2]), STRATA_OK);
    assert_int_equal(strata_platform_event_set(events[1]), STRATA_OK);
    assert_int_equal(strata_platform_wait(events, 3, false, 0, &index), STRATA_OK);
    assert_int_equal(index, 1); /* the lowest signalled */
    /* Wait-all takes nothing until every object is signalled. */
    assert_int_equal(strata_platform_wait(events, 3, true, 0, &index), STRATA_E_TIMEOUT);
    assert_int_equal(strata_platform_event_set(events[0]), STRATA_OK);
    assert_int_equal(strata_platform_event_set(events[1]), STRATA_OK);
    assert_int_equal(strata_platform_wait(events, 3, true, 0, &index), STRATA_OK);
    assert_int_equal(strata_platform_wait(events, 3, false, 0, &index), STRATA_E_TIMEOUT);

    strata_waitable *twice[2] = {events[0], events[0]};
    assert_int_equal(strata_platform_wait(twice, 2, true, 0, NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_wait(events, 0, false, 0, NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_wait(events, 65, false, 0, NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_wait(NULL, 1, false, 0, NULL), STRATA_E_INVALID_PARAMETER);
    uint32_t code;
    bool finished;
    assert_int_equal(strata_platform_thread_exit_code(events[0], &code, &finished), STRATA_E_INVALID_HANDLE);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(strata_platform_waitable_close(events[i]), STRATA_OK);
    }
    assert_int_equal(strata_platform_waitable_close(NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_thread_create(NULL, NULL, 0, &events[0], NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_event_create(NULL, false, false, NULL, NULL), STRATA_E_INVALID_PARAMETER);
}

/* ---- a named event and a fresh process ---------------------------------- */

static void event_name(char *out, size_t capacity)
{
    const char *from_parent = getenv("STRATA_TEST_EVENT");
    if (from_parent != NULL) {
        snprintf(out, capacity, "%s", from_parent);
    } else {
        snprintf(out, capacity, "test-sync-%u", (unsigned)strata_platform_process_id());
    }
}

static void child_takes_and_sets(void)
{
    char name[64];
    event_name(name, sizeof name);
    char reply[80];
    snprintf(reply, sizeof reply, "%s.reply", name);
    strata_waitable *request, *answer, *again;
    bool existed = false;
    if (strata_platform_event_open(name, &request) != STRATA_OK ||
        strata_platform_event_create(reply, true, false, &answer, &existed) != STRATA_OK || !existed ||
        strata_platform_event_create(name, true, true, &again, &existed) != STRATA_OK || !existed) {
        exit(2);
    }
    /* The parent's auto-reset event was set once: one wait takes it. */
    if (strata_platform_wait(&request, 1, false, 0, NULL) != STRATA_OK ||
        strata_platform_wait(&again, 1, false, 0, NULL) != STRATA_E_TIMEOUT) {
        exit(3);
    }
    strata_platform_event_set(answer);
    strata_platform_waitable_close(request);
    strata_platform_waitable_close(again);
    strata_platform_waitable_close(answer);
    exit(0);
}

static const child_scenario scenarios[] = {
    {"takes_and_sets", child_takes_and_sets},
    {NULL, NULL},
};

static void test_named_event_is_shared_with_another_process(void **state)
{
    (void)state;
    char name[64], reply[80];
    event_name(name, sizeof name);
    snprintf(reply, sizeof reply, "%s.reply", name);
#if defined(_WIN32)
    char variable[96];
    snprintf(variable, sizeof variable, "STRATA_TEST_EVENT=%s", name);
    _putenv(variable);
#else
    setenv("STRATA_TEST_EVENT", name, 1);
#endif
    strata_waitable *request, *answer;
    bool existed = true;
    assert_int_equal(strata_platform_event_open(name, &request), STRATA_E_NOT_FOUND);
    assert_int_equal(strata_platform_event_create(name, false, true, &request, &existed), STRATA_OK);
    assert_false(existed);
    assert_int_equal(strata_platform_event_create(reply, true, false, &answer, &existed), STRATA_OK);

    child_result result;
    assert_true(child_run_fresh("takes_and_sets", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    assert_int_equal(strata_platform_wait(&answer, 1, false, 0, NULL), STRATA_OK);
    assert_int_equal(strata_platform_wait(&request, 1, false, 0, NULL), STRATA_E_TIMEOUT);
    assert_int_equal(strata_platform_waitable_close(request), STRATA_OK);
    assert_int_equal(strata_platform_waitable_close(answer), STRATA_OK);
    /* The last holder gone, so is the name. */
    assert_int_equal(strata_platform_event_open(name, &request), STRATA_E_NOT_FOUND);
    assert_int_equal(strata_platform_event_open("", &request), STRATA_E_INVALID_PARAMETER);
}

static void test_process_numbers_and_sleep(void **state)
{
    (void)state;
    assert_int_not_equal(strata_platform_process_id(), 0);
    assert_int_not_equal(strata_platform_thread_number(), 0);
    uint64_t start = strata_clock_monotonic_ns();
    strata_platform_sleep(15);
    assert_true(strata_clock_monotonic_ns() - start >= 14000000u);
    strata_platform_sleep(0);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_exit_code_and_wait),
        cmocka_unit_test(test_auto_and_manual_reset),
        cmocka_unit_test(test_wait_any_and_all),
        cmocka_unit_test(test_named_event_is_shared_with_another_process),
        cmocka_unit_test(test_process_numbers_and_sleep),
    };
    return cmocka_run_group_tests_name("platform_sync", tests, NULL, NULL);
}
