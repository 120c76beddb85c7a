/* SPDX-License-Identifier: MIT */
/*
 * Placeholders (VirtualAlloc2, MapViewOfFile3, VirtualFree with
 * MEM_PRESERVE_PLACEHOLDER): the "one buffer mapped twice back to back"
 * ring buffer, splitting, replacing by private memory, and the errors.
 * Windows 10 1803 and later have them; Wine 8 (which reports Windows 7)
 * and strata on Windows do not, so there the tests are skipped
 * (WINE-DIFFERENCES.md).
 */
#include "conformance.h"

#if defined(STRATA_CONFORMANCE_NATIVE)
/* Windows' values, for system headers older than placeholders. */
#ifndef MEM_RESERVE_PLACEHOLDER
#define MEM_REPLACE_PLACEHOLDER 0x00004000
#define MEM_RESERVE_PLACEHOLDER 0x00040000
#define MEM_PRESERVE_PLACEHOLDER 0x00000002
#endif

/* Not in every import library: looked up at run time. */
typedef PVOID(WINAPI *virtual_alloc2_fn)(HANDLE, PVOID, SIZE_T, ULONG, ULONG, MEM_EXTENDED_PARAMETER *, ULONG);
typedef PVOID(WINAPI *map_view_of_file3_fn)(HANDLE, HANDLE, PVOID, ULONG64, SIZE_T, ULONG, ULONG,
                                            MEM_EXTENDED_PARAMETER *, ULONG);
static virtual_alloc2_fn virtual_alloc2;
static map_view_of_file3_fn map_view_of_file3;
#define VirtualAlloc2 virtual_alloc2
#define MapViewOfFile3 map_view_of_file3

static bool have_placeholders(void)
{
    if (running_on_wine()) {
        return false; /* Wine 8 exports VirtualAlloc2 but makes no placeholders */
    }
    HMODULE kernelbase = GetModuleHandleA("kernelbase.dll");
    if (kernelbase != NULL) {
        virtual_alloc2 = (virtual_alloc2_fn)(void (*)(void))GetProcAddress(kernelbase, "VirtualAlloc2");
        map_view_of_file3 = (map_view_of_file3_fn)(void (*)(void))GetProcAddress(kernelbase, "MapViewOfFile3");
    }
    return virtual_alloc2 != NULL && map_view_of_file3 != NULL;
}
#else
static bool have_placeholders(void)
{
    /* strata has them where its platform can cut reservations (not on Windows). */
    SetLastError(0);
    void *probe = VirtualAlloc2(NULL, NULL, CONF_GRANULE, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER, PAGE_NOACCESS,
                                NULL, 0);
    if (probe == NULL) {
        assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
        return false;
    }
    VirtualFree(probe, 0, MEM_RELEASE);
    return true;
}
#endif

static void expect_placeholder(const void *address, SIZE_T size)
{
    expect_region(address, address, address, PAGE_NOACCESS, size, MEM_RESERVE, 0, MEM_PRIVATE);
}

static void test_ring_buffer_mapped_twice_back_to_back(void **state)
{
    (void)state;
    if (!have_placeholders()) {
        skip();
    }
    const SIZE_T size = 2 * CONF_GRANULE;
    char *placeholder = VirtualAlloc2(NULL, NULL, 2 * size, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER, PAGE_NOACCESS,
                                      NULL, 0);
    assert_non_null(placeholder);
    expect_placeholder(placeholder, 2 * size);
    expect_success(VirtualFree(placeholder, size, MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER));
    expect_placeholder(placeholder, size);
    expect_placeholder(placeholder + size, size);

    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, (DWORD)size, NULL);
    assert_non_null(section);
    char *view1 = MapViewOfFile3(section, NULL, placeholder, 0, size, MEM_REPLACE_PLACEHOLDER, PAGE_READWRITE,
                                 NULL, 0);
    char *view2 = MapViewOfFile3(section, NULL, placeholder + size, 0, size, MEM_REPLACE_PLACEHOLDER,
                                 PAGE_READWRITE, NULL, 0);
    assert_ptr_equal(view1, placeholder);
    assert_ptr_equal(view2, placeholder + size);
    expect_region(view1, view1, view1, PAGE_READWRITE, size, MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED);
    expect_region(view2, view2, view2, PAGE_READWRITE, size, MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED);

    /* A write running off the end of the buffer continues at its start. */
    memcpy(view1 + size - 3, "wrapped", 7);
    assert_memory_equal(view1, "pped", 4);
    assert_memory_equal(view2 + size - 3, "wra", 3);

    expect_success(UnmapViewOfFile(view1));
    expect_success(UnmapViewOfFile(view2));
    expect_success(CloseHandle(section));
}

static void test_placeholder_replaced_by_private_memory(void **state)
{
    (void)state;
    if (!have_placeholders()) {
        skip();
    }
    char *placeholder = VirtualAlloc2(NULL, NULL, 3 * CONF_GRANULE, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER,
                                      PAGE_NOACCESS, NULL, 0);
    assert_non_null(placeholder);
    /* The middle granule on its own: three placeholders. */
    expect_success(VirtualFree(placeholder + CONF_GRANULE, CONF_GRANULE, MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER));
    expect_placeholder(placeholder, CONF_GRANULE);
    expect_placeholder(placeholder + CONF_GRANULE, CONF_GRANULE);
    expect_placeholder(placeholder + 2 * CONF_GRANULE, CONF_GRANULE);

    char *middle = VirtualAlloc2(NULL, placeholder + CONF_GRANULE, CONF_GRANULE,
                                 MEM_RESERVE | MEM_REPLACE_PLACEHOLDER | MEM_COMMIT, PAGE_READWRITE, NULL, 0);
    assert_ptr_equal(middle, placeholder + CONF_GRANULE);
    expect_region(middle, middle, middle, PAGE_READWRITE, CONF_GRANULE, MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE);
    middle[5] = 5;
    /* Given back as a placeholder, then freed like any reservation. */
    expect_success(VirtualFree(middle, 0, MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER));
    expect_placeholder(middle, CONF_GRANULE);
    for (int i = 0; i < 3; i++) {
        expect_success(VirtualFree(placeholder + i * CONF_GRANULE, 0, MEM_RELEASE));
    }
}

static void test_placeholder_errors(void **state)
{
    (void)state;
    if (!have_placeholders()) {
        skip();
    }
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc2(NULL, NULL, CONF_GRANULE, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER,
                                      PAGE_READWRITE, NULL, 0) == NULL,
                        ERROR_INVALID_PARAMETER);
    char *placeholder = VirtualAlloc2(NULL, NULL, 2 * CONF_GRANULE, MEM_RESERVE | MEM_RESERVE_PLACEHOLDER,
                                      PAGE_NOACCESS, NULL, 0);
    assert_non_null(placeholder);
    /* Committing in a placeholder, or replacing only part of it. */
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(placeholder, CONF_PAGE, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, (DWORD)CONF_GRANULE, NULL);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile3(section, NULL, placeholder, 0, CONF_GRANULE, MEM_REPLACE_PLACEHOLDER,
                                       PAGE_READWRITE, NULL, 0) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_placeholder(placeholder, 2 * CONF_GRANULE);
    CloseHandle(section);
    expect_success(VirtualFree(placeholder, 0, MEM_RELEASE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_buffer_mapped_twice_back_to_back),
        cmocka_unit_test(test_placeholder_replaced_by_private_memory),
        cmocka_unit_test(test_placeholder_errors),
    };
    return cmocka_run_group_tests_name("conformance_placeholder", tests, NULL, NULL);
}
