/* SPDX-License-Identifier: MIT */
/*
 * GlobalMemoryStatusEx and GetProcessMemoryInfo: the figures are sane,
 * follow what the process commits and touches, and bad arguments fail
 * with Windows' error codes.
 */
#include "conformance.h"

#include <psapi.h>

static void test_global_memory_status(void **state)
{
    (void)state;
    MEMORYSTATUSEX status;
    memset(&status, 0, sizeof status);
    status.dwLength = sizeof status;
    expect_success(GlobalMemoryStatusEx(&status));
    assert_true(status.ullTotalPhys > 0);
    assert_true(status.ullAvailPhys <= status.ullTotalPhys);
    assert_true(status.dwMemoryLoad <= 100);
    assert_true(status.ullTotalPageFile >= status.ullAvailPageFile);
#if UINTPTR_MAX > 0xFFFFFFFFu
    assert_true(status.ullTotalVirtual == 0x7FFFFFFE0000ull);
#endif
    assert_true(status.ullAvailVirtual < status.ullTotalVirtual);
    assert_true(status.ullAvailExtendedVirtual == 0);

    /* Reserving address space shows in the available virtual figure. */
    const SIZE_T reserved = 256u << 20;
    void *region = VirtualAlloc(NULL, reserved, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(region);
    MEMORYSTATUSEX after;
    after.dwLength = sizeof after;
    expect_success(GlobalMemoryStatusEx(&after));
    /* Wine does not count reservations here (WINE-DIFFERENCES.md). */
    if (!running_on_wine()) {
        assert_true(after.ullAvailVirtual + reserved / 2 <= status.ullAvailVirtual);
    }
    expect_success(VirtualFree(region, 0, MEM_RELEASE));

    status.dwLength = sizeof status - 1;
    SetLastError(CONF_POISON);
    expect_failure_with(!GlobalMemoryStatusEx(&status), ERROR_INVALID_PARAMETER);
}

static void test_process_memory_info_follows_committed_memory(void **state)
{
    (void)state;
    PROCESS_MEMORY_COUNTERS before, after;
    expect_success(GetProcessMemoryInfo(GetCurrentProcess(), &before, sizeof before));
    assert_int_equal(before.cb, sizeof before);
    assert_true(before.WorkingSetSize > 0);
    assert_true(before.PeakWorkingSetSize >= before.WorkingSetSize);
    assert_true(before.PagefileUsage > 0);

    const SIZE_T size = 64u << 20;
    char *block = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(block);
    for (SIZE_T i = 0; i < size; i += CONF_PAGE) {
        block[i] = 1;
    }
    expect_success(GetProcessMemoryInfo(GetCurrentProcess(), &after, sizeof after));
    assert_true(after.WorkingSetSize >= before.WorkingSetSize + size / 4);
    assert_true(after.PagefileUsage >= before.PagefileUsage + size / 4);
    assert_true(after.PeakPagefileUsage >= after.PagefileUsage);
    /* Wine keeps no page-fault count (WINE-DIFFERENCES.md). */
    if (!running_on_wine()) {
        assert_true(after.PageFaultCount > before.PageFaultCount);
    }
    expect_success(VirtualFree(block, 0, MEM_RELEASE));

    PROCESS_MEMORY_COUNTERS_EX extended;
    expect_success(GetProcessMemoryInfo(GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&extended,
                                        sizeof extended));
    assert_true(extended.PrivateUsage > 0);
}

static void test_process_memory_info_errors(void **state)
{
    (void)state;
    PROCESS_MEMORY_COUNTERS counters;
    SetLastError(CONF_POISON);
    expect_failure_with(!GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters - 1),
                        ERROR_INSUFFICIENT_BUFFER);
    SetLastError(CONF_POISON);
    expect_failure_with(!GetProcessMemoryInfo(NULL, &counters, sizeof counters), ERROR_INVALID_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_memory_status),
        cmocka_unit_test(test_process_memory_info_follows_committed_memory),
        cmocka_unit_test(test_process_memory_info_errors),
    };
    return cmocka_run_group_tests_name("conformance_memory_status", tests, NULL, NULL);
}
