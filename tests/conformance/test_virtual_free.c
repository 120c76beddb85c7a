/* SPDX-License-Identifier: MIT */
/*
 * VirtualFree: free types, MEM_RELEASE of whole allocations, MEM_DECOMMIT
 * rounding. docs/windows-behaviour.md §1.4; priority item 5.
 */
#include "conformance.h"

/* A 64K reservation, all committed read-write and filled with `fill`. */
static char *committed_granule(unsigned char fill)
{
    char *base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(base, fill, CONF_GRANULE);
    return base;
}

/* The granule is still fully committed, read-write, with its data. */
static void expect_committed_granule(char *base, unsigned char fill)
{
    expect_region(base, base, base, PAGE_READWRITE, CONF_GRANULE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, CONF_GRANULE, fill));
}

/* ---- invalid free types (§1.4, item 5) ------------------------------------- */

/* dwFreeType 0 is refused and nothing changes (§1.4). */
static void test_free_type_zero_fails_with_invalid_parameter(void **state)
{
    char *base = committed_granule(0x21);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, CONF_GRANULE, 0), ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, 0, 0), ERROR_INVALID_PARAMETER);
    expect_committed_granule(base, 0x21);
    release(base);
}

/* dwFreeType MEM_FREE is refused and nothing changes (§1.4). */
static void test_free_type_mem_free_fails_with_invalid_parameter(void **state)
{
    char *base = committed_granule(0x22);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, 0, MEM_FREE), ERROR_INVALID_PARAMETER);
    expect_committed_granule(base, 0x22);
    release(base);
}

/* MEM_RELEASE|MEM_DECOMMIT is refused ([inferred] code §1.4, checked on Wine). */
static void test_release_with_decommit_fails_with_invalid_parameter(void **state)
{
    char *base = committed_granule(0x23);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, 0, MEM_RELEASE | MEM_DECOMMIT),
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, 0x1000, MEM_RELEASE | MEM_DECOMMIT),
                        ERROR_INVALID_PARAMETER);
    expect_committed_granule(base, 0x23);
    release(base);
}

/* ---- MEM_RELEASE (§1.4, item 5) -------------------------------------------- */

/* MEM_RELEASE needs dwSize 0: any other size is refused before the address is looked at (§1.4). */
static void test_release_with_nonzero_size_fails_with_invalid_parameter(void **state)
{
    char *base = committed_granule(0x24);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, 1, MEM_RELEASE), ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base, CONF_GRANULE, MEM_RELEASE), ERROR_INVALID_PARAMETER);
    expect_committed_granule(base, 0x24);
    release(base);
}

/*
 * MEM_RELEASE at the base frees the whole original reservation, whatever the
 * mix of committed, decommitted and re-protected pages (§1.4).
 */
static void test_release_frees_whole_reservation_in_mixed_states(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x3000, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x1000);
    assert_true(VirtualProtect(base + 0x2000, 0x1000, PAGE_READONLY, &old));
    assert_ptr_equal(VirtualAlloc(base + 0x12000, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ),
                     base + 0x12000);

    expect_success(VirtualFree(base, 0, MEM_RELEASE));
    for (SIZE_T offset = 0; offset < 0x20000; offset += CONF_PAGE)
        expect_free(base + offset);
}

/* An address inside the first page is rounded down to the base: the release succeeds (§1.4). */
static void test_release_at_address_in_first_page_succeeds(void **state)
{
    char *base = committed_granule(0x25);
    (void)state;

    expect_success(VirtualFree(base + 0xfff, 0, MEM_RELEASE));
    expect_free(base);
    expect_free(base + 0xf000);
}

/* An address in a later page is not the base: ERROR_INVALID_ADDRESS, nothing freed (§1.4). */
static void test_release_at_address_in_later_page_fails_with_invalid_address(void **state)
{
    char *base = committed_granule(0x26);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base + 0x1001, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base + 0x1000, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS);
    expect_committed_granule(base, 0x26);
    release(base);
}

/* A released region reads as free memory and its base can be reserved again (§1.4, §1.3.1). */
static void test_released_region_is_free_and_reusable(void **state)
{
    char *base = committed_granule(0x27);
    (void)state;

    release(base);
    expect_free(base);
    assert_ptr_equal(VirtualAlloc(base, CONF_GRANULE, MEM_RESERVE, PAGE_READONLY), base);
    expect_region(base, base, base, PAGE_READONLY, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* ---- MEM_DECOMMIT (§1.4, item 5) ------------------------------------------- */

/* MEM_DECOMMIT takes every page holding a byte of [address, address+size) (§1.4). */
static void test_decommit_rounds_range_out_to_pages(void **state)
{
    char *base = committed_granule(0x31);
    (void)state;

    expect_success(VirtualFree(base + 0x1fff, 2, MEM_DECOMMIT));
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0x2000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    expect_region(base + 0x3000, base + 0x3000, base, PAGE_READWRITE, 0xD000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    /* The pages around keep their data. */
    assert_true(all_bytes(base, 0x1000, 0x31));
    assert_true(all_bytes(base + 0x3000, 0xD000, 0x31));
    release(base);
}

/* Size 0 with an address in the first page decommits the whole allocation (§1.4). */
static void test_decommit_size_zero_in_first_page_decommits_everything(void **state)
{
    char *base = committed_granule(0x32);
    (void)state;

    expect_success(VirtualFree(base + 0xffe, 0, MEM_DECOMMIT));
    expect_region(base, base, base, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* Size 0 with an address past the first page fails: not the base (§1.4). */
static void test_decommit_size_zero_past_first_page_fails_with_invalid_address(void **state)
{
    char *base = committed_granule(0x33);
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualFree(base + 0x1000, 0, MEM_DECOMMIT), ERROR_INVALID_ADDRESS);
    expect_committed_granule(base, 0x33);
    release(base);
}

/* Decommitting a range that is only partly committed is not an error (§1.4). */
static void test_decommit_partly_committed_range_succeeds(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_NOACCESS), base);
    expect_success(VirtualFree(base, 0x10000, MEM_DECOMMIT));
    expect_region(base, base, base, PAGE_NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE);

    /* Decommitting pages that are only reserved is not an error either. */
    expect_success(VirtualFree(base + 0x2000, 0x3000, MEM_DECOMMIT));
    expect_region(base, base, base, PAGE_NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* Decommitted pages come back zero-filled when committed again (§1.3, §1.4). */
static void test_decommitted_pages_are_zero_when_recommitted(void **state)
{
    char *base = committed_granule(0x34);
    (void)state;

    expect_success(VirtualFree(base + 0x4000, 0x2000, MEM_DECOMMIT));
    assert_ptr_equal(VirtualAlloc(base + 0x4000, 0x2000, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x4000);
    assert_true(all_bytes(base + 0x4000, 0x2000, 0));
    assert_true(all_bytes(base, 0x4000, 0x34));
    assert_true(all_bytes(base + 0x6000, 0xA000, 0x34));
    expect_region(base, base, base, PAGE_READWRITE, CONF_GRANULE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_type_zero_fails_with_invalid_parameter),
        cmocka_unit_test(test_free_type_mem_free_fails_with_invalid_parameter),
        cmocka_unit_test(test_release_with_decommit_fails_with_invalid_parameter),
        cmocka_unit_test(test_release_with_nonzero_size_fails_with_invalid_parameter),
        cmocka_unit_test(test_release_frees_whole_reservation_in_mixed_states),
        cmocka_unit_test(test_release_at_address_in_first_page_succeeds),
        cmocka_unit_test(test_release_at_address_in_later_page_fails_with_invalid_address),
        cmocka_unit_test(test_released_region_is_free_and_reusable),
        cmocka_unit_test(test_decommit_rounds_range_out_to_pages),
        cmocka_unit_test(test_decommit_size_zero_in_first_page_decommits_everything),
        cmocka_unit_test(test_decommit_size_zero_past_first_page_fails_with_invalid_address),
        cmocka_unit_test(test_decommit_partly_committed_range_succeeds),
        cmocka_unit_test(test_decommitted_pages_are_zero_when_recommitted),
    };
    return cmocka_run_group_tests_name("conformance_virtual_free", tests, NULL, NULL);
}
