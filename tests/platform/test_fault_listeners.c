/* SPDX-License-Identifier: MIT */
/*
 * Fault listeners: called in order (first ones newest first, then the rest
 * oldest first) with the address and the kind of access; the first that
 * returns true resumes the thread; removed ones are not called. Faulting
 * cases run in child processes.
 */
#include "../support/cmocka_all.h"
#include "../support/child.h"

#include <strata/platform.h>

#include <stdlib.h>

static unsigned char *volatile page;
static volatile char calls[8];
static volatile int call_count;
static volatile uint32_t seen_operation;
static void *volatile seen_address;

static bool record_and_decline(const strata_fault_event *event, void *context)
{
    (void)event;
    calls[call_count++] = *(const char *)context;
    return false;
}

static bool record_and_open(const strata_fault_event *event, void *context)
{
    calls[call_count++] = *(const char *)context;
    seen_operation = event->operation;
    seen_address = event->address;
    size_t size = strata_platform_get_info()->page_size;
    return strata_platform_protect(page, size, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE) == STRATA_OK;
}

static void child_listeners_in_order(void)
{
    size_t size = strata_platform_get_info()->page_size;
    void *base;
    if (strata_platform_reserve(size, 0, NULL, &base) != STRATA_OK ||
        strata_platform_commit(base, size, STRATA_ACCESS_READ) != STRATA_OK) {
        exit(2);
    }
    page = base;
    static const char a = 'a', b = 'b', c = 'c', d = 'd';
    void *cookie_a, *cookie_b, *cookie_c, *cookie_d;
    if (strata_platform_add_fault_listener(false, record_and_open, (void *)&c, &cookie_c) != STRATA_OK ||
        strata_platform_add_fault_listener(true, record_and_decline, (void *)&a, &cookie_a) != STRATA_OK ||
        strata_platform_add_fault_listener(true, record_and_decline, (void *)&b, &cookie_b) != STRATA_OK ||
        strata_platform_add_fault_listener(true, record_and_decline, (void *)&d, &cookie_d) != STRATA_OK ||
        strata_platform_remove_fault_listener(cookie_d) != STRATA_OK ||
        strata_platform_remove_fault_listener(cookie_d) != STRATA_E_INVALID_PARAMETER) {
        exit(3);
    }
    page[7] = 5; /* a write to a read-only page */
    bool in_order = call_count == 3 && calls[0] == 'b' && calls[1] == 'a' && calls[2] == 'c';
#if defined(__x86_64__) || defined(_WIN32)
    bool described = seen_operation == STRATA_FAULT_WRITE && seen_address == page + 7;
#else
    bool described = seen_address == page + 7;
#endif
    exit(in_order && described && page[7] == 5 ? 0 : 4);
}

static const child_scenario scenarios[] = {
    {"listeners_in_order", child_listeners_in_order},
    {NULL, NULL},
};

static void test_listeners_run_in_order_and_resume(void **state)
{
    (void)state;
    if (child_under_valgrind()) {
        skip(); /* Valgrind's faults carry no usable address */
    }
    child_result result;
    assert_true(child_run("listeners_in_order", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    void *cookie;
    int not_a_cookie;
    assert_int_equal(strata_platform_add_fault_listener(true, NULL, NULL, &cookie), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_add_fault_listener(true, record_and_decline, NULL, NULL),
                     STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_remove_fault_listener(&not_a_cookie), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_platform_remove_fault_listener(NULL), STRATA_E_INVALID_PARAMETER);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listeners_run_in_order_and_resume),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("platform_fault_listeners", tests, NULL, NULL);
}
