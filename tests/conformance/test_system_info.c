/* SPDX-License-Identifier: MIT */
/*
 * GetSystemInfo: the platform constants and their agreement with what the
 * virtual-memory functions do. docs/windows-behaviour.md §0.2, §1.9; priority item 9.
 */
#include "conformance.h"

static SYSTEM_INFO system_info(void)
{
    SYSTEM_INFO info;
    memset(&info, 0x5a, sizeof(info));
    GetSystemInfo(&info);
    return info;
}

/* Page size 4096 and allocation granularity 65536 (§0.2, item 9). */
static void test_page_size_and_granularity(void **state)
{
    SYSTEM_INFO info = system_info();
    (void)state;
    assert_int_equal(info.dwPageSize, 4096);
    assert_int_equal(info.dwAllocationGranularity, 65536);
}

/*
 * The user address range: 0x10000 up to 0x7FFFFFFEFFFF (64-bit) / 0x7FFEFFFF (32-bit) (§0.2, item
 * 9).
 */
static void test_application_address_range(void **state)
{
    SYSTEM_INFO info = system_info();
    (void)state;
    assert_ptr_equal(info.lpMinimumApplicationAddress, (void *)(uintptr_t)0x10000);
#if UINTPTR_MAX > 0xFFFFFFFFu
    assert_ptr_equal(info.lpMaximumApplicationAddress, (void *)(uintptr_t)0x7FFFFFFEFFFFull);
#else
    assert_ptr_equal(info.lpMaximumApplicationAddress, (void *)(uintptr_t)0x7FFEFFFFu);
#endif
}

/* The processor architecture and type of this build's target (§1.9). */
static void test_processor_architecture_matches_build(void **state)
{
    SYSTEM_INFO info = system_info();
    (void)state;
#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
    assert_int_equal(info.wProcessorArchitecture, 9); /* PROCESSOR_ARCHITECTURE_AMD64 */
    assert_int_equal(info.dwProcessorType, 8664);     /* PROCESSOR_AMD_X8664 */
#elif defined(__i386__) || defined(_M_IX86)
    assert_int_equal(info.wProcessorArchitecture, 0); /* PROCESSOR_ARCHITECTURE_INTEL */
#elif defined(__aarch64__) || defined(_M_ARM64)
    assert_int_equal(info.wProcessorArchitecture, 12); /* PROCESSOR_ARCHITECTURE_ARM64 */
#elif defined(__arm__) || defined(_M_ARM)
    assert_int_equal(info.wProcessorArchitecture, 5); /* PROCESSOR_ARCHITECTURE_ARM */
#else
    skip();
#endif
}

/* At least one processor, and one mask bit per processor (§1.9). */
static void test_processor_count_matches_active_mask(void **state)
{
    SYSTEM_INFO info = system_info();
    unsigned bits = 0;
    (void)state;

    assert_true(info.dwNumberOfProcessors >= 1);
    assert_true(info.dwActiveProcessorMask != 0);
    for (DWORD_PTR mask = info.dwActiveProcessorMask; mask != 0; mask &= mask - 1)
        bits++;
    if (info.dwNumberOfProcessors < sizeof(DWORD_PTR) * 8)
        assert_int_equal(bits, info.dwNumberOfProcessors);
}

/* GetSystemInfo cannot fail: it leaves the last error alone, and says the same each time (§1.9). */
static void test_cannot_fail_and_is_stable(void **state)
{
    SYSTEM_INFO first, second;
    (void)state;

    SetLastError(CONF_POISON);
    first = system_info();
    expect_last_error(CONF_POISON);
    second = system_info();
    assert_int_equal(first.dwPageSize, second.dwPageSize);
    assert_int_equal(first.dwAllocationGranularity, second.dwAllocationGranularity);
    assert_ptr_equal(first.lpMinimumApplicationAddress, second.lpMinimumApplicationAddress);
    assert_ptr_equal(first.lpMaximumApplicationAddress, second.lpMaximumApplicationAddress);
    assert_int_equal(first.dwNumberOfProcessors, second.dwNumberOfProcessors);
    assert_int_equal(first.dwActiveProcessorMask, second.dwActiveProcessorMask);
    assert_int_equal(first.wProcessorArchitecture, second.wProcessorArchitecture);
}

/*
 * The numbers are the ones the memory functions use: reservations start on a
 * dwAllocationGranularity boundary and are dwPageSize-rounded; the minimum
 * and maximum addresses can be queried, one granule above the maximum cannot
 * (§1.3.1, §1.6, §1.9).
 */
static void test_values_agree_with_virtual_memory_functions(void **state)
{
    SYSTEM_INFO info = system_info();
    MEMORY_BASIC_INFORMATION region;
    char *base, *above;
    (void)state;

    base = VirtualAlloc(NULL, info.dwPageSize + 1, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % info.dwAllocationGranularity, 0);
    expect_region(base, base, base, PAGE_READWRITE, 2 * (SIZE_T)info.dwPageSize, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);

    assert_int_equal(VirtualQuery(info.lpMinimumApplicationAddress, &region, sizeof(region)),
                     sizeof(region));
    assert_ptr_equal(region.BaseAddress, info.lpMinimumApplicationAddress);
    assert_int_equal(VirtualQuery(info.lpMaximumApplicationAddress, &region, sizeof(region)),
                     sizeof(region));
    above = (char *)(((uintptr_t)info.lpMaximumApplicationAddress |
                      (info.dwAllocationGranularity - 1)) + 1);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualQuery(above, &region, sizeof(region)) == 0,
                        ERROR_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_size_and_granularity),
        cmocka_unit_test(test_application_address_range),
        cmocka_unit_test(test_processor_architecture_matches_build),
        cmocka_unit_test(test_processor_count_matches_active_mask),
        cmocka_unit_test(test_cannot_fail_and_is_stable),
        cmocka_unit_test(test_values_agree_with_virtual_memory_functions),
    };
    return cmocka_run_group_tests_name("conformance_system_info", tests, NULL, NULL);
}
