/* SPDX-License-Identifier: MIT */
/*
 * Vectored exception handlers for memory faults: the guard-page growth
 * pattern (a handler commits the next guard page and continues), access
 * violations with their read/write code and address, handler order and
 * removal. Each runs in a child process, so that a handler left in place
 * by a failing check cannot disturb the others.
 */
#include "conformance.h"
#include "../support/child.h"

#include <stdlib.h>

#define STACK_PAGES 16

/* Written by the handlers, inside the fault: volatile, so that the code
 * that faulted reads them afresh. */
static char *stack_base;
static volatile LONG guard_faults;
static volatile LONG access_faults;
static volatile ULONG_PTR last_operation;
static void *volatile last_address;

/* Grows a region upwards, a page at a time: the guard page that fired is
 * now plain read-write; the next page becomes the new guard page. */
static LONG WINAPI grow_on_guard_page(PEXCEPTION_POINTERS pointers)
{
    PEXCEPTION_RECORD record = pointers->ExceptionRecord;
    if (record->ExceptionCode != EXCEPTION_GUARD_PAGE || record->NumberParameters < 2) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    char *page = (char *)(record->ExceptionInformation[1] & ~(ULONG_PTR)(CONF_PAGE - 1));
    if (page < stack_base || page >= stack_base + STACK_PAGES * CONF_PAGE) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    InterlockedIncrement(&guard_faults);
    last_operation = record->ExceptionInformation[0];
    if (page + CONF_PAGE < stack_base + STACK_PAGES * CONF_PAGE &&
        VirtualAlloc(page + CONF_PAGE, CONF_PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) == NULL) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void child_guard_page_growth(void)
{
    stack_base = VirtualAlloc(NULL, STACK_PAGES * CONF_PAGE, MEM_RESERVE, PAGE_NOACCESS);
    if (stack_base == NULL || VirtualAlloc(stack_base, CONF_PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) == NULL) {
        exit(2);
    }
    PVOID handler = AddVectoredExceptionHandler(1, grow_on_guard_page);
    if (handler == NULL) {
        exit(3);
    }
    for (SIZE_T i = 0; i < STACK_PAGES * CONF_PAGE; i += 512) {
        ((volatile char *)stack_base)[i] = (char)(i / 512);
    }
    MEMORY_BASIC_INFORMATION info;
    VirtualQuery(stack_base, &info, sizeof info);
    /* Every page committed, every guard (the last page's too) gone. */
    bool grown = info.State == MEM_COMMIT && info.Protect == PAGE_READWRITE &&
                 info.RegionSize == STACK_PAGES * CONF_PAGE;
    if (!RemoveVectoredExceptionHandler(handler) || RemoveVectoredExceptionHandler(handler)) {
        exit(4);
    }
    exit(guard_faults == STACK_PAGES && last_operation == 1 && grown && stack_base[512 * 9] == 9 ? 0 : 5);
}

/* Makes the page writable and continues; records what the fault said. */
static LONG WINAPI open_the_page(PEXCEPTION_POINTERS pointers)
{
    PEXCEPTION_RECORD record = pointers->ExceptionRecord;
    if (record->ExceptionCode != EXCEPTION_ACCESS_VIOLATION || record->NumberParameters < 2) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    char *address = (char *)record->ExceptionInformation[1];
    if (address < stack_base || address >= stack_base + 2 * CONF_PAGE) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    InterlockedIncrement(&access_faults);
    last_operation = record->ExceptionInformation[0];
    last_address = address;
    DWORD old;
    if (!VirtualProtect(stack_base, 2 * CONF_PAGE, PAGE_READWRITE, &old)) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void child_access_violation_read_and_write(void)
{
    stack_base = VirtualAlloc(NULL, 2 * CONF_PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    if (stack_base == NULL || AddVectoredExceptionHandler(0, open_the_page) == NULL) {
        exit(2);
    }
    ((volatile char *)stack_base)[100] = 7; /* a write to a read-only page */
    if (access_faults != 1 || last_operation != 1 || last_address != stack_base + 100 || stack_base[100] != 7) {
        exit(3);
    }
    DWORD old;
    VirtualProtect(stack_base, 2 * CONF_PAGE, PAGE_NOACCESS, &old);
    char value = ((volatile char *)stack_base)[CONF_PAGE + 5]; /* a read of a no-access page */
    if (access_faults != 2 || last_operation != 0 || last_address != stack_base + CONF_PAGE + 5 || value != 0) {
        exit(4);
    }
    exit(0);
}

/* Order: handlers added with first=1 run before the others, newest first. */
static volatile char order[8];
static volatile int order_length;

static LONG WINAPI note_a(PEXCEPTION_POINTERS pointers)
{
    (void)pointers;
    order[order_length++] = 'a';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI note_b(PEXCEPTION_POINTERS pointers)
{
    (void)pointers;
    order[order_length++] = 'b';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI note_c_and_fix(PEXCEPTION_POINTERS pointers)
{
    order[order_length++] = 'c';
    return open_the_page(pointers);
}

static void child_handler_order(void)
{
    stack_base = VirtualAlloc(NULL, 2 * CONF_PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READONLY);
    PVOID c = AddVectoredExceptionHandler(0, note_c_and_fix);
    PVOID a = AddVectoredExceptionHandler(1, note_a);
    PVOID b = AddVectoredExceptionHandler(1, note_b);
    if (stack_base == NULL || a == NULL || b == NULL || c == NULL) {
        exit(2);
    }
    ((volatile char *)stack_base)[0] = 1;
    exit(order[0] == 'b' && order[1] == 'a' && order[2] == 'c' && order_length == 3 ? 0 : 3);
}

static const child_scenario scenarios[] = {
    {"guard_page_growth", child_guard_page_growth},
    {"access_violation", child_access_violation_read_and_write},
    {"handler_order", child_handler_order},
    {NULL, NULL},
};

static void run_scenario(const char *name)
{
    if (child_under_valgrind()) {
        skip(); /* Valgrind's faults carry no usable address */
    }
    child_result result;
    assert_true(child_run(name, &result));
    if (!result.exited || result.exit_code != 0) {
        print_error("%s: exited %d, code %d, signal %d: %s\n", name, result.exited, result.exit_code,
                    result.signal_number, result.output);
    }
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
}

static void test_guard_page_growth(void **state)
{
    (void)state;
    run_scenario("guard_page_growth");
}

static void test_access_violation_read_and_write(void **state)
{
    (void)state;
    run_scenario("access_violation");
}

static void test_handler_order(void **state)
{
    (void)state;
    run_scenario("handler_order");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    int not_a_handler;
    assert_int_equal(RemoveVectoredExceptionHandler(&not_a_handler), 0);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guard_page_growth),
        cmocka_unit_test(test_access_violation_read_and_write),
        cmocka_unit_test(test_handler_order),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("conformance_vectored", tests, NULL, NULL);
}
