/* SPDX-License-Identifier: MIT */
/*
 * VirtualLock / VirtualUnlock, and PAGE_GUARD as seen through VirtualLock.
 * docs/windows-behaviour.md §1.7, §1.8; priority item 8. Guard-page access faults need
 * SEH and are not tested here.
 */
#include "conformance.h"

/*
 * VirtualUnlock on a range with a page that is not locked: FALSE and
 * ERROR_NOT_LOCKED (§1.7 "VirtualUnlock where any page not locked").
 * WINE-DIFFERENCES.md: Wine keeps no lock state and returns TRUE.
 */
#define expect_unlock_refused(address, size) \
    conf_expect_unlock_refused((address), (size), __FILE__, __LINE__)
static void conf_expect_unlock_refused(void *address, SIZE_T size, const char *file, int line)
{
    const bool refused = WINDOWS_OR_WINE(true, false); /* §1.7 VirtualUnlock row */
    BOOL ok;
    SetLastError(CONF_POISON);
    ok = VirtualUnlock(address, size);
    if (refused)
        conf_check_failure(!ok, "VirtualUnlock", ERROR_NOT_LOCKED, file, line);
    else
        conf_check_success(ok != FALSE, "VirtualUnlock", file, line);
}

/* ---- VirtualLock / VirtualUnlock (§1.7) ------------------------------------- */

/* Committed read-write pages can be locked and unlocked; data and state stay (§1.7). */
static void test_lock_and_unlock_committed_pages(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(base, 0x3c, 0x3000);
    expect_success(VirtualLock(base, 0x2000));
    expect_region(base, base, base, PAGE_READWRITE, 0x3000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, 0x3000, 0x3c));
    expect_success(VirtualUnlock(base, 0x2000));
    assert_true(all_bytes(base, 0x3000, 0x3c));
    release(base);
}

/* Locking is not counted: one VirtualUnlock undoes two VirtualLocks (§1.7). */
static void test_lock_has_no_count(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualLock(base, 0x2000));
    expect_success(VirtualLock(base, 0x2000));
    expect_success(VirtualUnlock(base, 0x2000));
    expect_unlock_refused(base, 0x2000);
    release(base);
}

/* Unlocking pages that were never locked fails with ERROR_NOT_LOCKED (§1.7). */
static void test_unlock_of_unlocked_pages_fails_with_not_locked(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_unlock_refused(base, 0x1000);
    expect_region(base, base, base, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

/* The unlock range need not match the lock range, as long as every page is locked (§1.7). */
static void test_unlock_range_need_not_match_lock_range(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualLock(base, 0x4000));
    expect_success(VirtualUnlock(base + 0x1000, 0x2000));
    expect_success(VirtualUnlock(base + 0x3fff, 1));
    expect_success(VirtualUnlock(base, 0x1000));
    expect_unlock_refused(base + 0x1000, 0x1000);
    release(base);
}

/* A range with one unlocked page fails with ERROR_NOT_LOCKED (§1.7). */
static void test_unlock_of_partly_locked_range_fails_with_not_locked(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    expect_success(VirtualLock(base, 0x1000));
    expect_unlock_refused(base, 0x3000);
    release(base); /* releasing memory also unlocks it */
}

/*
 * Pages that are not committed cannot be locked (§1.7). The spec's error code
 * for this is [inferred] (ERROR_NOACCESS or ERROR_INVALID_ADDRESS; Wine says
 * ERROR_ACCESS_DENIED), so only the failure is checked.
 */
static void test_lock_of_reserved_pages_fails(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_false(VirtualLock(base, 0x1000));
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_READWRITE), base);
    assert_false(VirtualLock(base, 0x2000)); /* second page still reserved */
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0xF000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/* PAGE_NOACCESS pages cannot be locked (§1.7; error code [inferred], not checked). */
static void test_lock_of_noaccess_page_fails(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_NOACCESS);
    assert_non_null(base);
    assert_false(VirtualLock(base, 0x1000));
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_PRIVATE);
    release(base);
}

/* ---- PAGE_GUARD through VirtualLock (§1.7, §1.8, item 8) --------------------- */

/*
 * VirtualLock on a guard page fails once with GetLastError() ==
 * STATUS_GUARD_PAGE_VIOLATION (0x80000001, not mapped to a Win32 code) and
 * takes the guard bit away; the second call succeeds and the data is intact
 * (§1.7 PAGE_GUARD row, §0.4).
 * WINE-DIFFERENCES.md: Wine fails every time with ERROR_ACCESS_DENIED and
 * keeps the guard bit.
 */
static void test_lock_of_guard_page_fails_once_and_clears_guard(void **state)
{
    char *base;
    DWORD old;
    BOOL second;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    base[0] = 1;
    base[4] = 2;
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old));
    assert_int_equal(old, PAGE_READWRITE);

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualLock(base, 0x1000),
                        WINDOWS_OR_WINE(STATUS_GUARD_PAGE_VIOLATION,
                                        ERROR_ACCESS_DENIED)); /* §1.7 PAGE_GUARD row */
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  WINDOWS_OR_WINE(PAGE_READWRITE,
                                  PAGE_READWRITE | PAGE_GUARD), /* §1.7 PAGE_GUARD row */
                  MEM_PRIVATE);

    SetLastError(CONF_POISON);
    second = VirtualLock(base, 0x1000);
    if (WINDOWS_OR_WINE(true, false)) { /* §1.7 PAGE_GUARD row: 2nd call TRUE */
        expect_success(second);
        assert_int_equal(base[0], 1);
        assert_int_equal(base[4], 2);
        expect_success(VirtualUnlock(base, 0x1000));
    } else {
        expect_failure_with(!second, ERROR_ACCESS_DENIED);
    }

    /* With the guard gone (Windows) or cleared here (Wine), the page is plain RW. */
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, WINDOWS_OR_WINE(PAGE_READWRITE,
                                          PAGE_READWRITE | PAGE_GUARD)); /* §1.7 PAGE_GUARD row */
    assert_int_equal(base[0], 1);
    release(base);
}

/* Once the guard bit is cleared by VirtualProtect, the page locks normally (§1.5, §1.7). */
static void test_lock_after_guard_removed_succeeds(void **state)
{
    char *base;
    DWORD old;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    assert_non_null(base);
    expect_success(VirtualProtect(base, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_READWRITE | PAGE_GUARD);
    expect_success(VirtualLock(base, 0x1000));
    expect_success(VirtualUnlock(base, 0x1000));
    release(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_and_unlock_committed_pages),
        cmocka_unit_test(test_lock_has_no_count),
        cmocka_unit_test(test_unlock_of_unlocked_pages_fails_with_not_locked),
        cmocka_unit_test(test_unlock_range_need_not_match_lock_range),
        cmocka_unit_test(test_unlock_of_partly_locked_range_fails_with_not_locked),
        cmocka_unit_test(test_lock_of_reserved_pages_fails),
        cmocka_unit_test(test_lock_of_noaccess_page_fails),
        cmocka_unit_test(test_lock_of_guard_page_fails_once_and_clears_guard),
        cmocka_unit_test(test_lock_after_guard_removed_succeeds),
    };
    return cmocka_run_group_tests_name("conformance_guard_lock", tests, NULL, NULL);
}
