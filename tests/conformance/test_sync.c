/* SPDX-License-Identifier: MIT */
/*
 * Threads, events, waits, critical sections and the Interlocked family, as
 * memory code uses them beside the memory API: exit codes, manual and auto
 * reset, wait-any/wait-all, timeouts, error codes, and a named event shared
 * with another process.
 */
#include "conformance.h"
#include "../support/child.h"

#include <stdlib.h>

static DWORD WINAPI wait_for_go(LPVOID parameter)
{
    return WaitForSingleObject((HANDLE)parameter, INFINITE) == WAIT_OBJECT_0 ? 7 : 8;
}

static DWORD WINAPI report_id(LPVOID parameter)
{
    *(DWORD *)parameter = GetCurrentThreadId();
    return 0;
}

static void test_thread_exit_code(void **state)
{
    (void)state;
    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    assert_non_null(go);
    DWORD id = 0, code = 0;
    HANDLE thread = CreateThread(NULL, 0, wait_for_go, go, 0, &id);
    assert_non_null(thread);
    assert_int_not_equal(id, 0);
    assert_int_not_equal(id, GetCurrentThreadId());
    expect_success(GetExitCodeThread(thread, &code));
    assert_int_equal(code, STILL_ACTIVE);
    assert_int_equal(WaitForSingleObject(thread, 10), WAIT_TIMEOUT);
    expect_success(SetEvent(go));
    assert_int_equal(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    expect_success(GetExitCodeThread(thread, &code));
    assert_int_equal(code, 7);
    expect_success(CloseHandle(thread));
    expect_success(CloseHandle(go));

    DWORD seen = 0;
    thread = CreateThread(NULL, 64 * 1024, report_id, &seen, STACK_SIZE_PARAM_IS_A_RESERVATION, &id);
    assert_non_null(thread);
    assert_int_equal(WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(seen, id);
    expect_success(CloseHandle(thread));
    assert_int_not_equal(GetCurrentProcessId(), 0);
}

static void test_events_auto_and_manual(void **state)
{
    (void)state;
    HANDLE automatic = CreateEventA(NULL, FALSE, TRUE, NULL);
    HANDLE manual = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_non_null(automatic);
    assert_non_null(manual);
    assert_int_equal(WaitForSingleObject(automatic, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(automatic, 0), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);
    expect_success(SetEvent(manual));
    assert_int_equal(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
    expect_success(ResetEvent(manual));
    assert_int_equal(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);

    HANDLE both[2] = {automatic, manual};
    expect_success(SetEvent(manual));
    assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0 + 1);
    assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_TIMEOUT);
    expect_success(SetEvent(automatic));
    assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0); /* lowest index */
    expect_success(SetEvent(automatic));
    assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(automatic, 0), WAIT_TIMEOUT); /* taken by wait-all */
    assert_int_equal(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);

    expect_success(CloseHandle(automatic));
    expect_success(CloseHandle(manual));
}

static void test_wait_and_event_errors(void **state)
{
    (void)state;
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE twice[2] = {event, event};
    DWORD code;
    SetLastError(CONF_POISON);
    expect_failure_with(WaitForMultipleObjects(0, twice, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, twice, FALSE, 0) == WAIT_FAILED,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(WaitForSingleObject(NULL, 0) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(!SetEvent(NULL), ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(!GetExitCodeThread(event, &code), ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(OpenEventA(EVENT_ALL_ACCESS, FALSE, "strata-conformance-no-such-event") == NULL,
                        ERROR_FILE_NOT_FOUND);
    expect_success(CloseHandle(event));
    SetLastError(CONF_POISON);
    expect_failure_with(!CloseHandle(event), ERROR_INVALID_HANDLE);
}

/* ---- critical sections and Interlocked, under four threads --------------- */

#define WORKERS 4
#define ROUNDS 20000

static CRITICAL_SECTION section;
static LONG plain_counter;
static volatile LONG atomic_counter;
static volatile LONG64 atomic_counter64;

static DWORD WINAPI count_up(LPVOID parameter)
{
    (void)parameter;
    for (int i = 0; i < ROUNDS; i++) {
        EnterCriticalSection(&section);
        EnterCriticalSection(&section); /* the owner may enter again */
        plain_counter++;
        LeaveCriticalSection(&section);
        LeaveCriticalSection(&section);
        InterlockedIncrement(&atomic_counter);
        InterlockedExchangeAdd64(&atomic_counter64, 2);
    }
    return 0;
}

static DWORD WINAPI try_enter(LPVOID parameter)
{
    (void)parameter;
    return TryEnterCriticalSection(&section) ? 1 : 0;
}

static void test_critical_section_and_interlocked(void **state)
{
    (void)state;
    InitializeCriticalSection(&section);
    HANDLE threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        threads[i] = CreateThread(NULL, 0, count_up, NULL, 0, NULL);
        assert_non_null(threads[i]);
    }
    assert_int_equal(WaitForMultipleObjects(WORKERS, threads, TRUE, INFINITE), WAIT_OBJECT_0);
    for (int i = 0; i < WORKERS; i++) {
        expect_success(CloseHandle(threads[i]));
    }
    assert_int_equal(plain_counter, WORKERS * ROUNDS);
    assert_int_equal(atomic_counter, WORKERS * ROUNDS);
    assert_true(atomic_counter64 == 2LL * WORKERS * ROUNDS);

    /* Held here: another thread cannot enter; free again: it can. */
    DWORD code = 9;
    assert_true(TryEnterCriticalSection(&section));
    HANDLE other = CreateThread(NULL, 0, try_enter, NULL, 0, NULL);
    assert_int_equal(WaitForSingleObject(other, INFINITE), WAIT_OBJECT_0);
    expect_success(GetExitCodeThread(other, &code));
    assert_int_equal(code, 0);
    CloseHandle(other);
    LeaveCriticalSection(&section);
    DeleteCriticalSection(&section);
    assert_true(InitializeCriticalSectionAndSpinCount(&section, 4000));
    DeleteCriticalSection(&section);

    volatile LONG value = 5;
    assert_int_equal(InterlockedCompareExchange(&value, 9, 4), 5);
    assert_int_equal(value, 5);
    assert_int_equal(InterlockedCompareExchange(&value, 9, 5), 5);
    assert_int_equal(value, 9);
    assert_int_equal(InterlockedExchange(&value, 1), 9);
    assert_int_equal(InterlockedDecrement(&value), 0);
    static int target;
    PVOID volatile pointer = NULL;
    assert_null(InterlockedCompareExchangePointer(&pointer, &target, NULL));
    assert_ptr_equal(pointer, (PVOID)&target);
    assert_ptr_equal(InterlockedExchangePointer(&pointer, NULL), (PVOID)&target);
}

/* ---- named events across processes ---------------------------------------- */

static void named_event(char *out, size_t capacity, const char *suffix)
{
    const char *from_parent = getenv("TEST_STRATA_CONFORMANCE_EVENT");
    if (from_parent != NULL) {
        snprintf(out, capacity, "%s%s", from_parent, suffix);
    } else {
        snprintf(out, capacity, "strata-conformance-%lu%s", (unsigned long)GetCurrentProcessId(), suffix);
    }
}

static void child_uses_parent_events(void)
{
    char request_name[96], reply_name[96];
    named_event(request_name, sizeof request_name, ".request");
    named_event(reply_name, sizeof reply_name, ".reply");
    HANDLE request = OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, request_name);
    HANDLE reply = CreateEventA(NULL, TRUE, FALSE, reply_name);
    DWORD error = GetLastError();
    if (request == NULL || reply == NULL || error != ERROR_ALREADY_EXISTS) {
        exit(2);
    }
    /* Set once by the parent, auto-reset: this wait takes it. */
    if (WaitForSingleObject(request, 0) != WAIT_OBJECT_0 || WaitForSingleObject(request, 0) != WAIT_TIMEOUT) {
        exit(3);
    }
    SetEvent(reply);
    CloseHandle(request);
    CloseHandle(reply);
    exit(0);
}

static const child_scenario scenarios[] = {
    {"uses_parent_events", child_uses_parent_events},
    {NULL, NULL},
};

static void test_named_event_across_processes(void **state)
{
    (void)state;
    char request_name[96], reply_name[96], variable[128];
    named_event(request_name, sizeof request_name, ".request");
    named_event(reply_name, sizeof reply_name, ".reply");
    snprintf(variable, sizeof variable, "strata-conformance-%lu", (unsigned long)GetCurrentProcessId());
#if defined(_WIN32)
    SetEnvironmentVariableA("TEST_STRATA_CONFORMANCE_EVENT", variable);
#else
    setenv("TEST_STRATA_CONFORMANCE_EVENT", variable, 1);
#endif
    SetLastError(CONF_POISON);
    HANDLE request = CreateEventA(NULL, FALSE, TRUE, request_name);
    assert_non_null(request);
    expect_last_error(ERROR_SUCCESS);
    HANDLE reply = CreateEventA(NULL, TRUE, FALSE, reply_name);
    assert_non_null(reply);

    child_result result;
    assert_true(child_run_fresh("uses_parent_events", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    assert_int_equal(WaitForSingleObject(reply, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(request, 0), WAIT_TIMEOUT);
    expect_success(CloseHandle(request));
    expect_success(CloseHandle(reply));
    SetLastError(CONF_POISON);
    expect_failure_with(OpenEventA(SYNCHRONIZE, FALSE, request_name) == NULL, ERROR_FILE_NOT_FOUND);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_exit_code),
        cmocka_unit_test(test_events_auto_and_manual),
        cmocka_unit_test(test_wait_and_event_errors),
        cmocka_unit_test(test_critical_section_and_interlocked),
        cmocka_unit_test(test_named_event_across_processes),
    };
    return cmocka_run_group_tests_name("conformance_sync", tests, NULL, NULL);
}
