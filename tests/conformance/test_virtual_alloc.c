/* SPDX-License-Identifier: MIT */
/*
 * VirtualAlloc: sizes and rounding, allocation types, protections, MEM_RESET,
 * committing inside a reservation, reserving inside a used granule.
 * docs/windows-behaviour.md §1.2, §1.3; priority items 1-4.
 */
#include "conformance.h"

/* Exactly one of the eight base protections, nothing else (§1.2). */
static bool is_single_base_protection(DWORD protect)
{
    return protect != 0 && protect <= 0xff && (protect & (protect - 1)) == 0;
}

/* Valid for private memory: a single base protection other than the two copy-on-write ones. */
static bool is_valid_private_protection(DWORD protect)
{
    return is_single_base_protection(protect) && protect != PAGE_WRITECOPY &&
           protect != PAGE_EXECUTE_WRITECOPY;
}

/* Accepted (non-NULL) exactly when valid; refused ones set ERROR_INVALID_PARAMETER. */
#define check_protection_outcome(protect, result, valid) \
    conf_check_protection_outcome((protect), (result) != NULL, (valid), __FILE__, __LINE__)
static void conf_check_protection_outcome(DWORD protect, bool accepted, bool valid,
                                          const char *file, int line)
{
    DWORD error = GetLastError();
    if (valid && !accepted) {
        print_error("protection %#lx refused (GetLastError() %lu), expected accepted\n",
                    (unsigned long)protect, (unsigned long)error);
        _fail(file, line);
    }
    if (!valid && accepted) {
        print_error("protection %#lx accepted, expected ERROR_INVALID_PARAMETER\n",
                    (unsigned long)protect);
        _fail(file, line);
    }
    if (!valid && error != ERROR_INVALID_PARAMETER) {
        print_error("protection %#lx refused with GetLastError() %lu, expected %lu\n",
                    (unsigned long)protect, (unsigned long)error,
                    (unsigned long)ERROR_INVALID_PARAMETER);
        _fail(file, line);
    }
}

/* ---- sizes (§1.3.1) ------------------------------------------------------ */

/* dwSize == 0 is refused whatever the type and address (§1.3.1, item 1). */
static void test_zero_size_fails_with_invalid_parameter(void **state)
{
    static const DWORD types[] = {MEM_RESERVE, MEM_COMMIT, MEM_RESERVE | MEM_COMMIT};
    char *reservation;
    (void)state;

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        SetLastError(CONF_POISON);
        expect_failure_with(VirtualAlloc(NULL, 0, types[i], PAGE_READWRITE) == NULL,
                            ERROR_INVALID_PARAMETER);
    }

    /* Also for a commit at an address inside a reservation; nothing gets committed. */
    reservation = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(reservation);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(reservation, 0, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_PARAMETER);
    expect_region(reservation, reservation, reservation, PAGE_NOACCESS, CONF_GRANULE, MEM_RESERVE,
                  0, MEM_PRIVATE);
    release(reservation);
}

/*
 * A reservation's base is 64K-aligned; its size is rounded up to a page, not to 64K (§1.3.1, item
 * 2).
 */
static void test_reserve_base_is_granule_aligned_and_size_page_rounded(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % CONF_GRANULE, 0);
    expect_region(base, base, base, PAGE_NOACCESS, 0x10000, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);

    base = VirtualAlloc(NULL, 0x2001, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % CONF_GRANULE, 0);
    expect_region(base, base, base, PAGE_READWRITE, 0x3000, MEM_RESERVE, 0, MEM_PRIVATE);
    expect_region(base + 0x2fff, base + 0x2000, base, PAGE_READWRITE, 0x1000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    /* The rest of the last granule stays free. */
    expect_free(base + 0x3000);
    expect_free(base + 0xffff);
    release(base);
}

/* Reserve and commit in one call: committed, zero-filled, writable (§1.3.2). */
static void test_reserve_and_commit_in_one_call(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x3000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % CONF_GRANULE, 0);
    expect_region(base, base, base, PAGE_READWRITE, 0x3000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, 0x3000, 0));
    memset(base, 0xa5, 0x3000);
    assert_true(all_bytes(base, 0x3000, 0xa5));
    release(base);
}

/* MEM_COMMIT with a NULL address behaves like MEM_RESERVE|MEM_COMMIT (§1.3.2). */
static void test_commit_with_null_address_reserves_and_commits(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1800, MEM_COMMIT, PAGE_READONLY);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % CONF_GRANULE, 0);
    expect_region(base, base, base, PAGE_READONLY, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, 0x2000, 0));
    release(base);
}

/* ---- protections (§1.2, §1.3.3) ------------------------------------------ */

/* flProtect 0 is refused, for a reservation as well as a commit (§1.2, item 1). */
static void test_zero_protection_fails_with_invalid_parameter(void **state)
{
    (void)state;
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(NULL, 0x1000, MEM_RESERVE, 0) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, 0) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, 0) == NULL,
                        ERROR_INVALID_PARAMETER);
}

/*
 * Every value of the low byte for a commit: exactly one base protection other
 * than WRITECOPY/EXECUTE_WRITECOPY is accepted and reported as given in both
 * AllocationProtect and Protect; everything else is ERROR_INVALID_PARAMETER
 * (§1.2, item 1).
 */
static void test_commit_protection_matrix(void **state)
{
    (void)state;
    for (DWORD protect = 0; protect <= 0xff; protect++) {
        char *base;
        SetLastError(CONF_POISON);
        base = VirtualAlloc(NULL, CONF_PAGE, MEM_COMMIT, protect);
        check_protection_outcome(protect, base, is_valid_private_protection(protect));
        if (base != NULL) {
            expect_region(base, base, base, protect, CONF_PAGE, MEM_COMMIT, protect, MEM_PRIVATE);
            /* Committing again with the same protection returns the same address. */
            assert_ptr_equal(VirtualAlloc(base, CONF_PAGE, MEM_COMMIT, protect), base);
            release(base);
        }
    }
}

/*
 * A pure reservation takes any single base protection (other than the
 * copy-on-write ones) as its AllocationProtect and shows Protect 0; two base
 * protections OR'ed are refused (§1.2, §1.3.3).
 */
static void test_reserve_protection_matrix(void **state)
{
    (void)state;
    for (DWORD protect = 1; protect <= 0xff; protect++) {
        char *base;
        if (protect == PAGE_WRITECOPY || protect == PAGE_EXECUTE_WRITECOPY)
            continue; /* the spec states these only for commits */
        SetLastError(CONF_POISON);
        base = VirtualAlloc(NULL, CONF_PAGE, MEM_RESERVE, protect);
        check_protection_outcome(protect, base, is_single_base_protection(protect));
        if (base != NULL) {
            expect_region(base, base, base, protect, CONF_PAGE, MEM_RESERVE, 0, MEM_PRIVATE);
            release(base);
        }
    }
}

/* Copy-on-write protections are refused for private memory (§1.2, item 1). */
static void test_writecopy_commit_fails_with_invalid_parameter(void **state)
{
    char *reservation;
    (void)state;

    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_WRITECOPY) ==
                            NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_EXECUTE_WRITECOPY) == NULL,
                        ERROR_INVALID_PARAMETER);

    /* Nor inside a reservation, where nothing gets committed. */
    reservation = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(reservation);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(reservation, 0x1000, MEM_COMMIT, PAGE_WRITECOPY) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(reservation, 0x1000, MEM_COMMIT,
                                     PAGE_READONLY | PAGE_EXECUTE) == NULL,
                        ERROR_INVALID_PARAMETER);
    expect_region(reservation, reservation, reservation, PAGE_READWRITE, CONF_GRANULE,
                  MEM_RESERVE, 0, MEM_PRIVATE);
    release(reservation);
}

/* PAGE_NOCACHE on private memory shows in both AllocationProtect and Protect (§1.3.3). */
static void test_nocache_is_reported_in_both_protections(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);
    assert_non_null(base);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_NOCACHE, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_NOCACHE, MEM_PRIVATE);
    assert_int_equal(PAGE_READWRITE | PAGE_NOCACHE, 0x204);
    release(base);
}

/* PAGE_GUARD shows in both AllocationProtect and Protect (§1.3.3). */
static void test_guard_is_reported_in_both_protections(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    assert_non_null(base);
    expect_region(base, base, base, PAGE_READWRITE | PAGE_GUARD, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_GUARD, MEM_PRIVATE);
    release(base);
}

/* ---- allocation types (§1.3.2) -------------------------------------------- */

/*
 * Types that are not allocation requests are refused: 0, MEM_FREE,
 * MEM_DECOMMIT, an unknown bit, AT_ROUND_TO_PAGE, MEM_WRITE_WATCH without
 * MEM_RESERVE (§1.3.2; the 0/MEM_FREE/MEM_DECOMMIT/unknown-bit codes are
 * [inferred] in the spec and were checked on Wine).
 */
static void test_invalid_allocation_types_fail_with_invalid_parameter(void **state)
{
    static const DWORD types[] = {
        0,
        MEM_FREE,
        MEM_DECOMMIT,
        MEM_RESERVE | 0x100u,                    /* no such MEM_ bit */
        MEM_RESERVE | MEM_COMMIT | 0x40000000u,  /* AT_ROUND_TO_PAGE */
        MEM_WRITE_WATCH,                         /* needs MEM_RESERVE */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        void *result;
        SetLastError(CONF_POISON);
        result = VirtualAlloc(NULL, 0x1000, types[i], PAGE_READWRITE);
        if (result != NULL)
            print_error("type %#lx accepted\n", (unsigned long)types[i]);
        expect_failure_with(result == NULL, ERROR_INVALID_PARAMETER);
    }
}

/* MEM_TOP_DOWN places the reservation above one made bottom-up (§1.3.2). */
static void test_top_down_allocates_above_bottom_up(void **state)
{
    char *low, *high;
    (void)state;

    low = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    high = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    assert_non_null(low);
    assert_non_null(high);
    assert_int_equal((uintptr_t)high % CONF_GRANULE, 0);
    assert_true((uintptr_t)high > (uintptr_t)low);
    expect_region(high, high, high, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(high);
    release(low);
}

/* An address above lpMaximumApplicationAddress is refused ([inferred] §1.3.1, checked on Wine). */
static void test_address_above_maximum_fails_with_invalid_parameter(void **state)
{
    SYSTEM_INFO info;
    char *above;
    (void)state;

    GetSystemInfo(&info);
    above = (char *)(((uintptr_t)info.lpMaximumApplicationAddress | (CONF_GRANULE - 1)) + 1);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(above, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(above, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) ==
                            NULL,
                        ERROR_INVALID_PARAMETER);
}

/* ---- commit inside a reservation (§1.3.1, §1.3.2, item 3) ------------------ */

/* The address is rounded down to its page; the result is that page (§1.3.1). */
static void test_commit_in_reservation_rounds_address_down_to_page(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1234, 0x10, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x1000);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_RESERVE, 0, MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    expect_region(base + 0x2000, base + 0x2000, base, PAGE_NOACCESS, 0xE000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    assert_true(all_bytes(base + 0x1000, 0x1000, 0));
    release(base);
}

/* Two bytes straddling a page boundary commit both pages (§1.3.1). */
static void test_commit_straddling_page_boundary_commits_both_pages(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1fff, 2, MEM_COMMIT, PAGE_READWRITE), base + 0x1000);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_NOACCESS, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    expect_region(base + 0x3000, base + 0x3000, base, PAGE_NOACCESS, 0xD000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/* The worked example: commit the first page of a 0xFFFC reservation (§1.6). */
static void test_commit_first_page_of_reservation(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_NOACCESS), base);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_NOACCESS, 0xF000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/*
 * Committing already-committed pages is not an error: their contents stay and
 * their protection becomes the new one; AllocationProtect does not change
 * (§1.3.2, item 3).
 */
static void test_recommit_keeps_contents_and_applies_new_protection(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    memset(base, 0x5c, 0x2000);
    assert_ptr_equal(VirtualAlloc(base, 0x2000, MEM_COMMIT, PAGE_READONLY), base);
    expect_region(base, base, base, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, 0x2000, 0x5c));

    /* Only the named page changes when a part is committed again. */
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x1000);
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_PRIVATE);
    assert_true(all_bytes(base, 0x2000, 0x5c));
    release(base);
}

/* A commit over a partly committed range keeps old pages' data and zero-fills new ones (§1.3.2). */
static void test_commit_over_partly_committed_range(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE),
                     base + 0x1000);
    memset(base + 0x1000, 0x77, 0x1000);

    assert_ptr_equal(VirtualAlloc(base, 0x4000, MEM_COMMIT, PAGE_READWRITE), base);
    expect_region(base, base, base, PAGE_READWRITE, 0x4000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    assert_true(all_bytes(base, 0x1000, 0));
    assert_true(all_bytes(base + 0x1000, 0x1000, 0x77));
    assert_true(all_bytes(base + 0x2000, 0x2000, 0));
    release(base);
}

/* MEM_COMMIT at a non-NULL address that is not reserved fails (§1.3.2, item 3). */
static void test_commit_in_free_memory_fails_with_invalid_address(void **state)
{
    char *address;
    (void)state;

    address = free_address(CONF_GRANULE);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(address, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_free(address);
}

/* A commit running past the end of its reservation fails and commits nothing (§1.3.2). */
static void test_commit_past_end_of_reservation_fails_with_invalid_address(void **state)
{
    char *address, *base;
    (void)state;

    address = free_address(2 * CONF_GRANULE); /* so the next granule is free */
    base = VirtualAlloc(address, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_ptr_equal(base, address);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(base + 0xF000, 0x2000, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_region(base, base, base, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    expect_free(base + CONF_GRANULE);
    release(base);
}

/* A commit spanning two adjacent reservations fails ([inferred] §1.3.2, checked on Wine). */
static void test_commit_spanning_two_reservations_fails_with_invalid_address(void **state)
{
    char *address, *first, *second;
    (void)state;

    address = free_address(2 * CONF_GRANULE);
    first = VirtualAlloc(address, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    second = VirtualAlloc(address + CONF_GRANULE, CONF_GRANULE, MEM_RESERVE, PAGE_READWRITE);
    assert_ptr_equal(first, address);
    assert_ptr_equal(second, address + CONF_GRANULE);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(first + 0xF000, 0x2000, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_region(first, first, first, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    expect_region(second, second, second, PAGE_READWRITE, CONF_GRANULE, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(second);
    release(first);
}

/* ---- reserving at an address (§1.3.1, item 3) ----------------------------- */

/*
 * MEM_RESERVE at an address rounds it down to 64K and covers every page
 * touching [address, address+size) from there (§1.3.1).
 */
static void test_reserve_at_address_rounds_down_to_granule(void **state)
{
    char *address;
    (void)state;

    address = free_address(CONF_GRANULE);
    assert_ptr_equal(VirtualAlloc(address + 0x1234, 0x100, MEM_RESERVE, PAGE_NOACCESS), address);
    expect_region(address, address, address, PAGE_NOACCESS, 0x2000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(address);
}

/* The exact base of a just-released region can be reserved again (§1.3.1). */
static void test_reserve_at_released_base_succeeds(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    assert_non_null(base);
    release(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE),
                     base);
    expect_region(base, base, base, PAGE_EXECUTE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_EXECUTE_READWRITE, MEM_PRIVATE);
    release(base);
}

/*
 * Reserving inside a 64K granule that already holds a reservation fails even
 * where the pages themselves are free (§1.3.1, item 3).
 */
static void test_reserve_inside_used_granule_fails_with_invalid_address(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(base);
    expect_free(base + 0x1000);

    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(base + 0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(base + 0x8000, 0x1000, MEM_RESERVE | MEM_COMMIT,
                                     PAGE_READWRITE) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_free(base + 0x1000);
    expect_region(base, base, base, PAGE_READWRITE, 0x1000, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/* Reserving over an existing reservation fails and leaves it as it was (§1.3.2). */
static void test_reserve_over_reservation_fails_with_invalid_address(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    base[0] = 0x11;
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(base, 0x4000, MEM_RESERVE, PAGE_READONLY) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_region(base, base, base, PAGE_READWRITE, 0x4000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    assert_int_equal(base[0], 0x11);
    release(base);
}

/* ---- MEM_RESET (§1.3.2, item 4) -------------------------------------------- */

/*
 * MEM_RESET ignores the protection argument and leaves state and protection as
 * they were; afterwards the data is either the old data or zero (§1.3.2).
 */
static void test_reset_keeps_state_and_protection(void **state)
{
    char *base;
    uint32_t word;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_READWRITE), base);
    memset(base, 0x55, 20);

    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_RESET, PAGE_NOACCESS), base);
    memcpy(&word, base, sizeof(word));
    assert_true(word == 0x55555555u || word == 0);
    expect_region(base, base, base, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    /* Still committed and writable. */
    base[0] = 1;
    assert_int_equal(base[0], 1);
    release(base);
}

/* MEM_RESET is allowed on reserved pages of the allocation and changes nothing (§1.3.2). */
static void test_reset_on_reserved_pages_returns_address(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_READWRITE), base);
    assert_ptr_equal(VirtualAlloc(base + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS),
                     base + 0x1000);
    expect_region(base + 0x1000, base + 0x1000, base, PAGE_NOACCESS, 0xF000, MEM_RESERVE, 0,
                  MEM_PRIVATE);
    release(base);
}

/* MEM_RESET returns the page-rounded address (§1.3.2). */
static void test_reset_rounds_address_down_to_page(void **state)
{
    char *base;
    (void)state;

    base = VirtualAlloc(NULL, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    assert_ptr_equal(VirtualAlloc(base + 0x1234, 0x10, MEM_RESET, PAGE_READWRITE),
                     base + 0x1000);
    expect_region(base, base, base, PAGE_READWRITE, 0x4000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(base);
}

/* A reset running past the end of the allocation fails (§1.3.2, item 4). */
static void test_reset_past_end_of_allocation_fails_with_invalid_address(void **state)
{
    char *address, *base;
    (void)state;

    address = free_address(2 * CONF_GRANULE);
    base = VirtualAlloc(address, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_ptr_equal(base, address);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(base + 0xF000, 0x2000, MEM_RESET, PAGE_NOACCESS) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_region(base, base, base, PAGE_NOACCESS, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(base);
}

/*
 * MEM_RESET combined with any other type is refused (§1.3.2, item 4).
 * WINE-DIFFERENCES.md: Wine accepts the combinations (it reserves / commits
 * and resets), so under Wine the calls are only checked to be harmless.
 */
static void test_reset_combined_with_other_types_fails_with_invalid_parameter(void **state)
{
    const bool refused = WINDOWS_OR_WINE(true, false); /* §1.3.2 MEM_RESET row */
    char *base, *result;
    (void)state;

    base = VirtualAlloc(NULL, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(base);
    base[0] = 0x42;

    SetLastError(CONF_POISON);
    result = VirtualAlloc(base, 0x1000, MEM_RESET | MEM_COMMIT, PAGE_READWRITE);
    if (refused)
        expect_failure_with(result == NULL, ERROR_INVALID_PARAMETER);
    else
        assert_ptr_equal(result, base);
    expect_region(base, base, base, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);

    SetLastError(CONF_POISON);
    result = VirtualAlloc(NULL, 0x1000, MEM_RESET | MEM_RESERVE, PAGE_READWRITE);
    if (refused) {
        expect_failure_with(result == NULL, ERROR_INVALID_PARAMETER);
    } else {
        assert_non_null(result);
        release(result);
    }

    SetLastError(CONF_POISON);
    result = VirtualAlloc(NULL, 0x1000, MEM_RESET | MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (refused) {
        expect_failure_with(result == NULL, ERROR_INVALID_PARAMETER);
    } else {
        assert_non_null(result);
        release(result);
    }

    release(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_size_fails_with_invalid_parameter),
        cmocka_unit_test(test_reserve_base_is_granule_aligned_and_size_page_rounded),
        cmocka_unit_test(test_reserve_and_commit_in_one_call),
        cmocka_unit_test(test_commit_with_null_address_reserves_and_commits),
        cmocka_unit_test(test_zero_protection_fails_with_invalid_parameter),
        cmocka_unit_test(test_commit_protection_matrix),
        cmocka_unit_test(test_reserve_protection_matrix),
        cmocka_unit_test(test_writecopy_commit_fails_with_invalid_parameter),
        cmocka_unit_test(test_nocache_is_reported_in_both_protections),
        cmocka_unit_test(test_guard_is_reported_in_both_protections),
        cmocka_unit_test(test_invalid_allocation_types_fail_with_invalid_parameter),
        cmocka_unit_test(test_top_down_allocates_above_bottom_up),
        cmocka_unit_test(test_address_above_maximum_fails_with_invalid_parameter),
        cmocka_unit_test(test_commit_in_reservation_rounds_address_down_to_page),
        cmocka_unit_test(test_commit_straddling_page_boundary_commits_both_pages),
        cmocka_unit_test(test_commit_first_page_of_reservation),
        cmocka_unit_test(test_recommit_keeps_contents_and_applies_new_protection),
        cmocka_unit_test(test_commit_over_partly_committed_range),
        cmocka_unit_test(test_commit_in_free_memory_fails_with_invalid_address),
        cmocka_unit_test(test_commit_past_end_of_reservation_fails_with_invalid_address),
        cmocka_unit_test(test_commit_spanning_two_reservations_fails_with_invalid_address),
        cmocka_unit_test(test_reserve_at_address_rounds_down_to_granule),
        cmocka_unit_test(test_reserve_at_released_base_succeeds),
        cmocka_unit_test(test_reserve_inside_used_granule_fails_with_invalid_address),
        cmocka_unit_test(test_reserve_over_reservation_fails_with_invalid_address),
        cmocka_unit_test(test_reset_keeps_state_and_protection),
        cmocka_unit_test(test_reset_on_reserved_pages_returns_address),
        cmocka_unit_test(test_reset_rounds_address_down_to_page),
        cmocka_unit_test(test_reset_past_end_of_allocation_fails_with_invalid_address),
        cmocka_unit_test(test_reset_combined_with_other_types_fails_with_invalid_parameter),
    };
    return cmocka_run_group_tests_name("conformance_virtual_alloc", tests, NULL, NULL);
}
