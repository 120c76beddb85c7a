/* SPDX-License-Identifier: MIT */
/*
 * Placeholders: reserve, split, replace by a private allocation or a view,
 * give back, release; one section mapped twice back to back; the errors of
 * each call. Where the platform cannot release part of a reservation
 * (Windows), every call reports STRATA_E_UNSUPPORTED.
 */
#include "../support/cmocka_all.h"

#include <strata/vmm.h>

#include <string.h>

#define GRANULE ((size_t)65536)

static bool supported(void)
{
    return strata_platform_get_info()->can_release_partially;
}

static strata_vmm_region_info query(const void *address)
{
    strata_vmm_region_info info;
    assert_int_equal(strata_vmm_query(address, &info), STRATA_OK);
    return info;
}

static void expect_placeholder(const void *address, size_t size)
{
    strata_vmm_region_info info = query(address);
    assert_ptr_equal(info.allocation_base, address);
    assert_int_equal(info.region_size, size);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.type, STRATA_MEM_PRIVATE);
    assert_int_equal(info.allocation_protect, STRATA_PAGE_NOACCESS);
}

static void test_unsupported_where_reservations_cannot_be_cut(void **state)
{
    (void)state;
    if (supported()) {
        skip();
    }
    void *base;
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, GRANULE, &base), STRATA_E_UNSUPPORTED);
}

static void test_split_replace_restore_release(void **state)
{
    (void)state;
    if (!supported()) {
        skip();
    }
    char *base;
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, 4 * GRANULE, (void **)&base), STRATA_OK);
    expect_placeholder(base, 4 * GRANULE);
    /* Nothing can be committed in a placeholder. */
    void *out;
    assert_int_equal(strata_vmm_commit(base, 4096, STRATA_PAGE_READWRITE, 0, &out), STRATA_E_INVALID_ADDRESS);

    /* The middle two granules become their own placeholder: three in all. */
    assert_int_equal(strata_vmm_split_placeholder(base + GRANULE, 2 * GRANULE), STRATA_OK);
    expect_placeholder(base, GRANULE);
    expect_placeholder(base + GRANULE, 2 * GRANULE);
    expect_placeholder(base + 3 * GRANULE, GRANULE);

    /* Replaced by a private allocation: committed, written, then given back. */
    assert_int_equal(strata_vmm_replace_placeholder(base + GRANULE, 2 * GRANULE, STRATA_PAGE_READWRITE, true, &out),
                     STRATA_OK);
    assert_ptr_equal(out, base + GRANULE);
    strata_vmm_region_info info = query(base + GRANULE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, STRATA_PAGE_READWRITE);
    assert_int_equal(info.allocation_protect, STRATA_PAGE_READWRITE);
    assert_int_equal(info.region_size, 2 * GRANULE);
    memset(base + GRANULE, 0x5A, 2 * GRANULE);
    assert_int_equal(strata_vmm_restore_placeholder(base + GRANULE), STRATA_OK);
    expect_placeholder(base + GRANULE, 2 * GRANULE);
    /* Replaced again, its pages are fresh. */
    assert_int_equal(strata_vmm_replace_placeholder(base + GRANULE, 2 * GRANULE, STRATA_PAGE_READWRITE, true, &out),
                     STRATA_OK);
    assert_int_equal(base[GRANULE + 100], 0);

    for (int i = 0; i < 4; i += i == 1 ? 2 : 1) {
        assert_int_equal(strata_vmm_release(base + (size_t)i * GRANULE), STRATA_OK);
    }
    assert_int_equal(query(base).state, STRATA_MEM_FREE);
    assert_true(query(base).region_size >= 4 * GRANULE);
}

static void test_errors(void **state)
{
    (void)state;
    if (!supported()) {
        skip();
    }
    char *base;
    void *out;
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, 4096, (void **)&base), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, GRANULE, NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, 2 * GRANULE, (void **)&base), STRATA_OK);
    assert_int_equal(strata_vmm_reserve_placeholder(base, GRANULE, &out), STRATA_E_INVALID_ADDRESS);
    /* Whole placeholder: nothing to split; misaligned; outside. */
    assert_int_equal(strata_vmm_split_placeholder(base, 2 * GRANULE), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_vmm_split_placeholder(base, 4096), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_vmm_split_placeholder(base + GRANULE, 2 * GRANULE), STRATA_E_INVALID_ADDRESS);
    /* Replacing needs the exact placeholder. */
    assert_int_equal(strata_vmm_replace_placeholder(base, GRANULE, STRATA_PAGE_READWRITE, false, &out),
                     STRATA_E_INVALID_ADDRESS);
    assert_int_equal(strata_vmm_replace_placeholder(base, 2 * GRANULE, 0x1234, false, &out),
                     STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_vmm_restore_placeholder(base), STRATA_E_INVALID_ADDRESS);
    /* An ordinary reservation is no placeholder. */
    void *plain;
    assert_int_equal(strata_vmm_reserve(NULL, GRANULE, STRATA_PAGE_NOACCESS, 0, &plain), STRATA_OK);
    assert_int_equal(strata_vmm_split_placeholder(plain, GRANULE), STRATA_E_INVALID_ADDRESS);
    assert_int_equal(strata_vmm_replace_placeholder(plain, GRANULE, STRATA_PAGE_READWRITE, false, &out),
                     STRATA_E_INVALID_ADDRESS);
    assert_int_equal(strata_vmm_release(plain), STRATA_OK);
    assert_int_equal(strata_vmm_release(base), STRATA_OK);
}

static void test_one_section_mapped_twice_back_to_back(void **state)
{
    (void)state;
    if (!supported()) {
        skip();
    }
    const size_t size = 2 * GRANULE;
    char *base;
    strata_section *section;
    void *view1, *view2, *out;
    assert_int_equal(strata_vmm_reserve_placeholder(NULL, 2 * size, (void **)&base), STRATA_OK);
    assert_int_equal(strata_vmm_split_placeholder(base, size), STRATA_OK);
    assert_int_equal(strata_section_create(STRATA_NO_FILE, size, STRATA_PAGE_READWRITE, 0, NULL, &section, NULL),
                     STRATA_OK);
    /* Not a placeholder of that size: refused, and the placeholder stays. */
    assert_int_equal(strata_section_map_placeholder(section, STRATA_FILE_MAP_WRITE, 0, GRANULE, base, &out),
                     STRATA_E_INVALID_ADDRESS);
    assert_int_equal(strata_section_map_placeholder(section, STRATA_FILE_MAP_WRITE, 0, size, base, &view1),
                     STRATA_OK);
    assert_int_equal(strata_section_map_placeholder(section, STRATA_FILE_MAP_WRITE, 0, size, base + size, &view2),
                     STRATA_OK);
    assert_ptr_equal(view1, base);
    assert_ptr_equal(view2, base + size);
    assert_int_equal(query(base).type, STRATA_MEM_MAPPED);
    assert_int_equal(query(base + size).type, STRATA_MEM_MAPPED);

    /* A write across the end of the first view lands at the start of both. */
    memcpy(base + size - 3, "ringbuf", 7);
    assert_memory_equal(base, "gbuf", 4);
    assert_memory_equal(base + size, "gbuf", 4);
    assert_memory_equal(base + 2 * size - 3, "rin", 3);

    assert_int_equal(strata_section_unmap(view1), STRATA_OK);
    assert_int_equal(strata_section_unmap(view2), STRATA_OK);
    assert_int_equal(strata_section_close(section), STRATA_OK);
    assert_int_equal(query(base).state, STRATA_MEM_FREE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unsupported_where_reservations_cannot_be_cut),
        cmocka_unit_test(test_split_replace_restore_release),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_one_section_mapped_twice_back_to_back),
    };
    return cmocka_run_group_tests_name("vmm_placeholders", tests, NULL, NULL);
}
