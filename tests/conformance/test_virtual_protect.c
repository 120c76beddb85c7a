/* SPDX-License-Identifier: MIT */
/*
 * VirtualProtect: old protection, refusals that change nothing, region
 * splitting seen through VirtualQuery, PAGE_GUARD and the sticky PAGE_NOCACHE.
 * docs/windows-behaviour.md §1.2, §1.5; priority item 6.
 */
#include "conformance.h"

/* Exactly one of the eight base protections, nothing else (§1.2). */
static bool is_single_base_protection(DWORD protect)
{
    return protect != 0 && protect <= 0xff && (protect & (protect - 1)) == 0;
}

/* ---- arguments (§1.5, item 6) ---------------------------------------------- */

/* A NULL lpflOldProtect is refused with ERROR_NOACCESS, even for no change (§1.5). */
static void test_null_old_protect_fails_with_noaccess(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    assert_non_null(base);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(base, 0x1000, PAGE_READONLY, NULL), ERROR_NOACCESS);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_PRIVATE);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(base, 0x1000, PAGE_NOACCESS, NULL), ERROR_NOACCESS);
    release(base);
}

/* Each call reports the protection it replaced (§1.5). */
static void test_returns_previous_protection(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    assert_non_null(base);

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_NOACCESS, &old));
    assert_int_equal(old, PAGE_NOACCESS);
    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_NOACCESS);
    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_READONLY);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

/* With pages of different protections, lpflOldProtect is the first page's (§1.5). */
static void test_old_protection_is_that_of_first_page(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualProtect(base + 0x1000, 0x1000, PAGE_READONLY, &old));

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x2000, PAGE_EXECUTE_READ, &old));
    assert_int_equal(old, PAGE_READWRITE);

    expect_success(VirtualProtect(base, 0x1000, PAGE_NOACCESS, &old));
    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x2000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_NOACCESS);
    expect_region(base, base, base, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

/*
 * Every value of the low byte: a single base protection other than the
 * copy-on-write ones is set (and reported back by the next call); anything
 * else is ERROR_INVALID_PARAMETER and the page keeps its protection (§1.2, §1.5).
 */
static void test_protection_matrix(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    assert_non_null(base);
    for (DWORD protect = 0; protect <= 0xff; protect++) {
        const bool valid = is_single_base_protection(protect) && protect != PAGE_WRITECOPY &&
                           protect != PAGE_EXECUTE_WRITECOPY;
        DWORD old = CONF_POISON, error;
        BOOL ok;

        SetLastError(CONF_POISON);
        ok = VirtualProtect(base, 0x1000, protect, &old);
        error = GetLastError();
        if (valid != (ok != FALSE) || (!ok && error != ERROR_INVALID_PARAMETER)) {
            print_error("VirtualProtect(%#lx) returned %d with GetLastError() %lu; expected %s\n",
                        (unsigned long)protect, ok, (unsigned long)error,
                        valid ? "success" : "failure with ERROR_INVALID_PARAMETER");
            fail();
        }
        if (ok) {
            assert_int_equal(old, PAGE_NOACCESS);
            expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, protect,
                          MEM_PRIVATE);
        } else {
            expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                          MEM_PRIVATE);
        }
        old = CONF_POISON;
        expect_success(VirtualProtect(base, 0x1000, PAGE_NOACCESS, &old));
        assert_int_equal(old, ok ? protect : PAGE_NOACCESS);
    }
    release(base);
}

/* ---- uncommitted pages (§1.5, item 6) -------------------------------------- */

/* Reserved pages cannot be protected: ERROR_INVALID_ADDRESS (§1.5). */
static void test_reserved_pages_fail_with_invalid_address(void **state)
{
    char *base;
    DWORD old = CONF_POISON;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(base, 0xFFFC, PAGE_READONLY, &old),
                        ERROR_INVALID_ADDRESS);
    expect_region(base, base, base, PAGE_NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/*
 * A range with one uncommitted page fails as a whole: ERROR_INVALID_ADDRESS
 * and the committed pages keep their protection (§1.5, item 6).
 */
static void test_partly_committed_range_fails_and_changes_nothing(void **state)
{
    char *base;
    DWORD old = CONF_POISON;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x2000, MEM_COMMIT, PAGE_READWRITE), base);
    base[0] = 0x12;

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(base, 0xFFFC, PAGE_READONLY, &old),
                        ERROR_INVALID_ADDRESS);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(base + 0x1000, 0x2000, PAGE_READONLY, &old),
                        ERROR_INVALID_ADDRESS);
    expect_region(base, base, base, PAGE_NOACCESS, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    expect_region(base + 0x2000, base + 0x2000, base, PAGE_NOACCESS, 0xE000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    base[1] = 0x34; /* still writable */
    assert_int_equal(base[0], 0x12);
    release(base);
}

/* ---- ranges and regions (§1.5, §1.6, item 6) ------------------------------- */

/* Every page touching [address, address+size) changes; the region splits around it (§1.5). */
static void test_protecting_inner_page_splits_region(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualProtect(base + 0x1000, 0x1000, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_READWRITE);
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_READONLY, MEM_PRIVATE);
    expect_region(base + 0x2000, base + 0x2000, base, PAGE_READWRITE, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);

    /* Same attributes again: VirtualQuery sees one region once more. */
    expect_success(VirtualProtect(base + 0x1000, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_READONLY);
    expect_region(base, base, base, PAGE_READWRITE, 0x4000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

/* An unaligned two-byte range straddling a boundary changes both pages (§1.5). */
static void test_unaligned_range_covers_every_touched_page(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualProtect(base + 0x1fff, 2, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_READWRITE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0x2000, MEM_COMMIT,
                  PAGE_READONLY, MEM_PRIVATE);
    expect_region(base + 0x3000, base + 0x3000, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    release(base);
}

/* Changing protection keeps the data (§1.5). */
static void test_protection_change_keeps_contents(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(base, 0x6b, 0x2000);
    expect_success(VirtualProtect(base, 0x2000, PAGE_READONLY, &old));
    assert_true(all_bytes(base, 0x2000, 0x6b));
    expect_success(VirtualProtect(base, 0x2000, PAGE_NOACCESS, &old));
    expect_success(VirtualProtect(base, 0x2000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_NOACCESS);
    assert_true(all_bytes(base, 0x2000, 0x6b));
    release(base);
}

/* ---- modifiers (§1.5) ------------------------------------------------------- */

/* PAGE_GUARD can be set and cleared; the old value carries the guard bit (§1.5). */
static void test_guard_is_set_and_reported_in_old_protection(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    assert_non_null(base);

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_READWRITE | PAGE_GUARD);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_GUARD, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    base[0] = 1; /* plain read-write now */

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old));
    assert_int_equal(old, PAGE_READWRITE);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_GUARD, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_GUARD, MEM_PRIVATE);

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_READWRITE | PAGE_GUARD);
    assert_int_equal(base[0], 1);
    release(base);
}

/*
 * PAGE_NOCACHE given at allocation stays: protecting a page with plain
 * PAGE_READWRITE reports the old RW|NOCACHE, keeps NOCACHE and does not split
 * the region; PAGE_READONLY becomes READONLY|NOCACHE (§1.5).
 */
static void test_nocache_from_allocation_is_sticky(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);
    assert_non_null(base);

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_READWRITE | PAGE_NOCACHE);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_NOCACHE, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_NOCACHE, MEM_PRIVATE);

    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_READWRITE | PAGE_NOCACHE);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_NOCACHE, 0x1000, MEM_COMMIT,
                  PAGE_READONLY | PAGE_NOCACHE, MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE | PAGE_NOCACHE, 0x1000,
                  MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE, MEM_PRIVATE);
    release(base);
}

/* PAGE_NOCACHE cannot be added to memory allocated without it (§1.5). */
static void test_nocache_cannot_be_added_later(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    old = CONF_POISON;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READONLY | PAGE_NOCACHE, &old));
    assert_int_equal(old, PAGE_READWRITE);
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    release(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_old_protect_fails_with_noaccess),
        cmocka_unit_test(test_returns_previous_protection),
        cmocka_unit_test(test_old_protection_is_that_of_first_page),
        cmocka_unit_test(test_protection_matrix),
        cmocka_unit_test(test_reserved_pages_fail_with_invalid_address),
        cmocka_unit_test(test_partly_committed_range_fails_and_changes_nothing),
        cmocka_unit_test(test_protecting_inner_page_splits_region),
        cmocka_unit_test(test_unaligned_range_covers_every_touched_page),
        cmocka_unit_test(test_protection_change_keeps_contents),
        cmocka_unit_test(test_guard_is_set_and_reported_in_old_protection),
        cmocka_unit_test(test_nocache_from_allocation_is_sticky),
        cmocka_unit_test(test_nocache_cannot_be_added_later),
    };
    return cmocka_run_group_tests_name("conformance_virtual_protect", tests, NULL, NULL);
}
