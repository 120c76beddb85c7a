/* SPDX-License-Identifier: MIT */
/*
 * tests/vmm/test_regions.c — the vmm's native region API: reserve, commit,
 * decommit, release, reset, protect, query, lock, probing, and the region
 * tree under many reservations and many threads. (The Win32 view of the same
 * functions is checked against Windows itself in tests/conformance/.)
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* sigaction */
#endif

#include <strata/vmm.h>

#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <signal.h>
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

#define PAGE ((size_t)4096)
#define GRANULE ((size_t)65536)
#define RW STRATA_PAGE_READWRITE

static unsigned char *reserve(size_t size)
{
    void *base = NULL;
    assert_status(strata_vmm_reserve(NULL, size, RW, 0, &base), STRATA_OK);
    return base;
}

static void commit(void *address, size_t size, uint32_t protect)
{
    void *got = NULL;
    assert_status(strata_vmm_commit(address, size, protect, 0, &got), STRATA_OK);
    assert_ptr_equal(got, (void *)((uintptr_t)address & ~(uintptr_t)(PAGE - 1)));
}

static strata_vmm_region_info query(const void *address)
{
    strata_vmm_region_info info;
    memset(&info, 0xCC, sizeof info);
    assert_status(strata_vmm_query(address, &info), STRATA_OK);
    return info;
}

static void test_system_info_has_windows_numbers(void **state)
{
    (void)state;
    strata_vmm_system_info info;
    strata_vmm_get_system_info(&info);
    assert_int_equal(info.page_size, 4096);
    assert_int_equal(info.allocation_granularity, 65536);
    assert_int_equal(info.lowest_address, 0x10000);
    assert_true(info.highest_address == (uintptr_t)0x7FFFFFFEFFFF || info.highest_address == 0x7FFEFFFF);
    assert_true(info.processor_count >= 1);
    strata_vmm_get_system_info(NULL);
}

static void test_reserve_rounds_and_aligns(void **state)
{
    (void)state;
    unsigned char *base = reserve(0x2001);
    assert_int_equal((uintptr_t)base % GRANULE, 0);
    strata_vmm_region_info info = query(base + 5);
    assert_ptr_equal(info.base, base);
    assert_ptr_equal(info.allocation_base, base);
    assert_int_equal(info.allocation_protect, RW);
    assert_int_equal(info.region_size, 0x3000);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.protect, 0);
    assert_int_equal(info.type, STRATA_MEM_PRIVATE);
    /* The rest of the granule is free but belongs to nobody else. */
    info = query(base + 0x3000);
    assert_int_equal(info.state, STRATA_MEM_FREE);
    assert_null(info.allocation_base);
    assert_int_equal(info.protect, STRATA_PAGE_NOACCESS);
    assert_int_equal(info.type, 0);
    void *clash = NULL;
    assert_status(strata_vmm_reserve(base + 0x4000, PAGE, RW, 0, &clash), STRATA_E_CONFLICTING_ADDRESS);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_reserve_at_address_rounds_down_to_granule(void **state)
{
    (void)state;
    unsigned char *probe = reserve(4 * GRANULE);
    assert_status(strata_vmm_release(probe), STRATA_OK);
    /* Asking for base + 0x11000, 0x2000 bytes: the reservation starts at the
     * granule below and covers every page touched. */
    void *got = NULL;
    assert_status(strata_vmm_reserve(probe + GRANULE + 0x1800, 0x2000, STRATA_PAGE_READONLY, 0, &got),
                  STRATA_OK);
    assert_ptr_equal(got, probe + GRANULE);
    strata_vmm_region_info info = query(got);
    assert_int_equal(info.region_size, 0x4000);
    assert_int_equal(info.allocation_protect, STRATA_PAGE_READONLY);
    assert_status(strata_vmm_release(got), STRATA_OK);
}

static void test_reserve_rejects_bad_arguments(void **state)
{
    (void)state;
    void *base = (void *)0x1;
    assert_status(strata_vmm_reserve(NULL, 0, RW, 0, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, 0, 0, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, STRATA_PAGE_WRITECOPY, 0, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, STRATA_PAGE_READONLY | STRATA_PAGE_EXECUTE, 0, &base),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, STRATA_PAGE_NOACCESS | STRATA_PAGE_GUARD, 0, &base),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, RW | STRATA_PAGE_GUARD | STRATA_PAGE_NOCACHE, 0, &base),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, RW, 0x80, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, PAGE, RW, 0, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve((void *)0x1000, PAGE, RW, 0, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve((void *)(uintptr_t)0x7FFFFFFF0000, 2 * GRANULE, RW, 0, &base),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve(NULL, SIZE_MAX, RW, 0, &base), STRATA_E_NO_MEMORY);
    assert_status(strata_vmm_reserve_aligned(PAGE, 4096, RW, &base), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reserve_aligned(PAGE, 3 * GRANULE, RW, &base), STRATA_E_INVALID_PARAMETER);
    assert_ptr_equal(base, (void *)0x1);
}

static void test_reserve_aligned_honours_alignment(void **state)
{
    (void)state;
    size_t alignments[] = {GRANULE, 1u << 20, 4u << 20};
    for (size_t i = 0; i < 3; i++) {
        void *base = NULL;
        assert_status(strata_vmm_reserve_aligned(3 * PAGE, alignments[i], RW, &base), STRATA_OK);
        assert_int_equal((uintptr_t)base % alignments[i], 0);
        assert_int_equal(query(base).region_size, 3 * PAGE);
        assert_status(strata_vmm_release(base), STRATA_OK);
    }
}

static void test_commit_splits_regions_and_zero_fills(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base + PAGE + 10, 2, RW); /* one page */
    commit(base + 3 * PAGE - 1, 2, STRATA_PAGE_READONLY); /* straddles: pages 2 and 3 */
    strata_vmm_region_info info = query(base);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.region_size, PAGE);
    info = query(base + PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    assert_int_equal(info.region_size, PAGE);
    info = query(base + 2 * PAGE);
    assert_int_equal(info.protect, STRATA_PAGE_READONLY);
    assert_int_equal(info.region_size, 2 * PAGE);
    info = query(base + 4 * PAGE);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.region_size, GRANULE - 4 * PAGE);
    for (size_t i = 0; i < PAGE; i++) {
        assert_int_equal(base[PAGE + i], 0);
    }
    memset(base + PAGE, 0x42, PAGE);
    /* Re-commit keeps contents and applies the new protection. */
    commit(base + PAGE, PAGE, STRATA_PAGE_READONLY);
    assert_int_equal(base[PAGE + 100], 0x42);
    info = query(base + PAGE);
    assert_int_equal(info.protect, STRATA_PAGE_READONLY);
    assert_int_equal(info.region_size, 3 * PAGE); /* merged with pages 2-3 */
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_commit_with_null_address_reserves_too(void **state)
{
    (void)state;
    void *base = NULL;
    assert_status(strata_vmm_commit(NULL, 3 * PAGE, RW, 0, &base), STRATA_OK);
    assert_int_equal((uintptr_t)base % GRANULE, 0);
    strata_vmm_region_info info = query(base);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.region_size, 3 * PAGE);
    memset(base, 1, 3 * PAGE);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_commit_outside_reservations_fails(void **state)
{
    (void)state;
    unsigned char *base = reserve(2 * PAGE);
    void *got = (void *)0x1;
    /* Running past the reservation's end, into the free granule tail. */
    assert_status(strata_vmm_commit(base + PAGE, 2 * PAGE, RW, 0, &got), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_commit(base + 4 * PAGE, PAGE, RW, 0, &got), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_commit(base, PAGE, STRATA_PAGE_WRITECOPY, 0, &got), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_commit(base, 0, RW, 0, &got), STRATA_E_INVALID_PARAMETER);
    assert_ptr_equal(got, (void *)0x1);
    assert_int_equal(query(base).state, STRATA_MEM_RESERVE);
    assert_status(strata_vmm_release(base), STRATA_OK);
    assert_status(strata_vmm_commit(base, PAGE, RW, 0, &got), STRATA_E_INVALID_ADDRESS);
}

static void test_decommit_rules(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, GRANULE, RW);
    memset(base, 7, GRANULE);
    /* (base + 0x1fff, 2) touches pages 1 and 2. */
    assert_status(strata_vmm_decommit(base + 0x1fff, 2), STRATA_OK);
    assert_int_equal(query(base + PAGE).state, STRATA_MEM_RESERVE);
    assert_int_equal(query(base + PAGE).region_size, 2 * PAGE);
    assert_int_equal(query(base + 3 * PAGE).state, STRATA_MEM_COMMIT);
    assert_int_equal(base[0], 7);
    commit(base + PAGE, 2 * PAGE, RW);
    assert_int_equal(base[PAGE], 0);
    assert_int_equal(base[3 * PAGE - 1], 0);
    /* Size 0 needs the first page; then it takes the whole reservation. */
    assert_status(strata_vmm_decommit(base + PAGE, 0), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_decommit(base + 0xffe, 0), STRATA_OK);
    strata_vmm_region_info info = query(base);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.region_size, GRANULE);
    /* Decommitting reserved pages again is fine; outside is not. */
    assert_status(strata_vmm_decommit(base, PAGE), STRATA_OK);
    assert_status(strata_vmm_decommit(base + GRANULE, PAGE), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_release_rules(void **state)
{
    (void)state;
    unsigned char *base = reserve(2 * GRANULE);
    commit(base + GRANULE, PAGE, RW);
    assert_status(strata_vmm_release(base + PAGE + 1), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_release(base + GRANULE), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_release(base + 0xfff), STRATA_OK); /* inside the first page */
    strata_vmm_region_info info = query(base);
    assert_int_equal(info.state, STRATA_MEM_FREE);
    assert_status(strata_vmm_release(base), STRATA_E_INVALID_ADDRESS);
    /* The exact base can be reserved again at once. */
    void *again = NULL;
    assert_status(strata_vmm_reserve(base, PAGE, RW, 0, &again), STRATA_OK);
    assert_ptr_equal(again, base);
    assert_status(strata_vmm_release(again), STRATA_OK);
    int on_stack;
    assert_status(strata_vmm_release(&on_stack), STRATA_E_INVALID_ADDRESS);
}

static void test_protect_rules(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, 4 * PAGE, RW);
    uint32_t old = 0;
    assert_status(strata_vmm_protect(base + PAGE, PAGE, STRATA_PAGE_READONLY, NULL), STRATA_E_NOACCESS);
    assert_status(strata_vmm_protect(base + PAGE, 2 * PAGE, STRATA_PAGE_READONLY, &old), STRATA_OK);
    assert_int_equal(old, RW);
    assert_int_equal(query(base).region_size, PAGE);
    assert_int_equal(query(base + PAGE).protect, STRATA_PAGE_READONLY);
    assert_int_equal(query(base + PAGE).region_size, 2 * PAGE);
    /* Old value is the first page's, even when the rest differ. */
    assert_status(strata_vmm_protect(base, 4 * PAGE, STRATA_PAGE_EXECUTE_READWRITE, &old), STRATA_OK);
    assert_int_equal(old, RW);
    assert_int_equal(query(base).region_size, 4 * PAGE);
    /* An uncommitted page anywhere in the range: refused, nothing changed. */
    old = 0xdead;
    assert_status(strata_vmm_protect(base + 3 * PAGE, 2 * PAGE, RW, &old), STRATA_E_INVALID_ADDRESS);
    assert_int_equal(old, 0xdead);
    assert_int_equal(query(base + 3 * PAGE).protect, STRATA_PAGE_EXECUTE_READWRITE);
    assert_status(strata_vmm_protect(base, PAGE, STRATA_PAGE_WRITECOPY, &old), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_protect(base, PAGE, 0, &old), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_protect(base, PAGE, RW | STRATA_PAGE_GUARD, &old), STRATA_OK);
    assert_int_equal(query(base).protect, RW | STRATA_PAGE_GUARD);
    assert_status(strata_vmm_protect(base, PAGE, RW, &old), STRATA_OK);
    assert_int_equal(old, RW | STRATA_PAGE_GUARD);
    base[0] = 1;
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_nocache_is_sticky(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, 2 * PAGE, RW | STRATA_PAGE_NOCACHE);
    assert_int_equal(query(base).protect, RW | STRATA_PAGE_NOCACHE);
    uint32_t old = 0;
    assert_status(strata_vmm_protect(base, PAGE, STRATA_PAGE_READONLY, &old), STRATA_OK);
    assert_int_equal(old, RW | STRATA_PAGE_NOCACHE);
    assert_int_equal(query(base).protect, STRATA_PAGE_READONLY | STRATA_PAGE_NOCACHE);
    /* On normal pages NOCACHE cannot be added afterwards. */
    commit(base + 4 * PAGE, PAGE, RW);
    assert_status(strata_vmm_protect(base + 4 * PAGE, PAGE, STRATA_PAGE_READONLY | STRATA_PAGE_NOCACHE, &old),
                  STRATA_OK);
    assert_int_equal(query(base + 4 * PAGE).protect, STRATA_PAGE_READONLY);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_reset_keeps_state(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, 2 * PAGE, RW);
    memset(base, 0x55, 2 * PAGE);
    void *got = NULL;
    /* Committed and reserved pages together, inside one reservation. */
    assert_status(strata_vmm_reset(base + 10, 4 * PAGE, &got), STRATA_OK);
    assert_ptr_equal(got, base);
    assert_int_equal(query(base).state, STRATA_MEM_COMMIT);
    assert_int_equal(query(base).protect, RW);
    assert_true(base[0] == 0x55 || base[0] == 0);
    base[0] = 1;
    assert_status(strata_vmm_reset(base + GRANULE - PAGE, 2 * PAGE, &got), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_reset(base, 0, &got), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_reset_undo(base, PAGE, &got), STRATA_E_UNSUPPORTED);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_lock_unlock_and_guard(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, 4 * PAGE, RW);
    assert_status(strata_vmm_lock(base, 2 * PAGE), STRATA_OK);
    assert_status(strata_vmm_lock(base, 2 * PAGE), STRATA_OK); /* no count */
    assert_status(strata_vmm_unlock(base, PAGE), STRATA_OK);
    assert_status(strata_vmm_unlock(base, 2 * PAGE), STRATA_E_NOT_LOCKED);
    /* ...which still unlocked page 1: now nothing is locked. */
    assert_status(strata_vmm_unlock(base + PAGE, PAGE), STRATA_E_NOT_LOCKED);
    assert_status(strata_vmm_lock(base, 8 * PAGE), STRATA_E_INVALID_ADDRESS);
    uint32_t old;
    assert_status(strata_vmm_protect(base + 2 * PAGE, PAGE, STRATA_PAGE_NOACCESS, &old), STRATA_OK);
    assert_status(strata_vmm_lock(base + 2 * PAGE, PAGE), STRATA_E_NOACCESS);
    assert_status(strata_vmm_protect(base + 3 * PAGE, PAGE, RW | STRATA_PAGE_GUARD, &old), STRATA_OK);
    assert_status(strata_vmm_lock(base + 3 * PAGE, PAGE), STRATA_E_GUARD_PAGE);
    assert_int_equal(query(base + 3 * PAGE).protect, RW);
    assert_status(strata_vmm_lock(base + 3 * PAGE, PAGE), STRATA_OK);
    base[3 * PAGE] = 1; /* the guard is gone: writable */
    assert_status(strata_vmm_unlock(base + 3 * PAGE, PAGE), STRATA_OK);
    /* Decommit drops locks with the pages. */
    assert_status(strata_vmm_lock(base, PAGE), STRATA_OK);
    assert_status(strata_vmm_decommit(base, PAGE), STRATA_OK);
    commit(base, PAGE, RW);
    assert_status(strata_vmm_unlock(base, PAGE), STRATA_E_NOT_LOCKED);
    assert_status(strata_vmm_release(base), STRATA_OK);
}

static void test_probing(void **state)
{
    (void)state;
    unsigned char *base = reserve(GRANULE);
    commit(base, 2 * PAGE, RW);
    uint32_t old;
    assert_status(strata_vmm_protect(base + PAGE, PAGE, STRATA_PAGE_READONLY, &old), STRATA_OK);
    assert_true(strata_vmm_is_readable(base, 2 * PAGE));
    assert_true(strata_vmm_is_writable(base, PAGE));
    assert_false(strata_vmm_is_writable(base, PAGE + 1));
    assert_false(strata_vmm_is_readable(base, 2 * PAGE + 1)); /* reserved page */
    assert_true(strata_vmm_is_readable(NULL, 0));
    assert_false(strata_vmm_is_readable(NULL, 1));
    assert_true(strata_vmm_is_readable((void *)1, 0));
    int on_stack = 0;
    assert_true(strata_vmm_is_writable(&on_stack, sizeof on_stack));
    assert_status(strata_vmm_release(base), STRATA_OK);
    assert_false(strata_vmm_is_readable(base, 1));
}

static void test_query_free_space_and_errors(void **state)
{
    (void)state;
    unsigned char *first = reserve(GRANULE);
    assert_status(strata_vmm_release(first), STRATA_OK);
    /* Two reservations with a free granule between them. */
    void *a = NULL, *b = NULL;
    assert_status(strata_vmm_reserve(first, PAGE, RW, 0, &a), STRATA_OK);
    if (strata_vmm_reserve(first + 2 * GRANULE, PAGE, RW, 0, &b) == STRATA_OK) {
        strata_vmm_region_info info = query(first + GRANULE + 100);
        assert_int_equal(info.state, STRATA_MEM_FREE);
        assert_ptr_equal(info.base, first + GRANULE);
        assert_int_equal(info.region_size, GRANULE);
        info = query(first + PAGE);
        assert_int_equal(info.region_size, 2 * GRANULE - PAGE);
        assert_status(strata_vmm_release(b), STRATA_OK);
    }
    assert_status(strata_vmm_release(a), STRATA_OK);
    strata_vmm_region_info info;
    assert_status(strata_vmm_query((void *)(uintptr_t)0x7FFFFFFF0000, &info), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_query(first, NULL), STRATA_E_INVALID_PARAMETER);
}

/* ---- many regions, many threads ---------------------------------------- */

static void test_many_regions_stay_ordered(void **state)
{
    (void)state;
    enum { COUNT = 300 };
    static void *bases[COUNT];
    for (int i = 0; i < COUNT; i++) {
        assert_status(strata_vmm_reserve(NULL, (size_t)(i % 7 + 1) * PAGE, RW, 0, &bases[i]), STRATA_OK);
    }
    /* Release every third, then check every survivor is found whole. */
    for (int i = 0; i < COUNT; i += 3) {
        assert_status(strata_vmm_release(bases[i]), STRATA_OK);
    }
    for (int i = 0; i < COUNT; i++) {
        strata_vmm_region_info info = query((unsigned char *)bases[i] + PAGE - 1);
        if (i % 3 == 0) {
            assert_int_equal(info.state, STRATA_MEM_FREE);
        } else {
            assert_ptr_equal(info.allocation_base, bases[i]);
            assert_int_equal(info.region_size, (size_t)(i % 7 + 1) * PAGE);
        }
    }
    for (int i = 0; i < COUNT; i++) {
        if (i % 3 != 0) {
            assert_status(strata_vmm_release(bases[i]), STRATA_OK);
        }
    }
}

typedef struct churn_worker {
    unsigned seed;
    unsigned rounds;
    unsigned errors; /* checked by the main thread */
} churn_worker;

static void churn(void *argument)
{
    churn_worker *worker = argument;
    enum { SLOTS = 16 };
    void *held[SLOTS] = {0};
    unsigned random = worker->seed;
    for (unsigned round = 0; round < worker->rounds; round++) {
        random = random * 1103515245u + 12345u;
        unsigned slot = (random >> 16) % SLOTS;
        if (held[slot] == NULL) {
            size_t size = ((random >> 8) % 8 + 1) * PAGE;
            void *base = NULL;
            if (strata_vmm_commit(NULL, size, RW, 0, &base) != STRATA_OK) {
                worker->errors++;
                continue;
            }
            memset(base, (int)slot, size);
            held[slot] = base;
        } else {
            strata_vmm_region_info info;
            unsigned char *bytes = held[slot];
            if (strata_vmm_query(bytes, &info) != STRATA_OK || info.allocation_base != bytes ||
                info.state != STRATA_MEM_COMMIT || bytes[info.region_size - 1] != slot) {
                worker->errors++;
            }
            if (strata_vmm_release(bytes) != STRATA_OK) {
                worker->errors++;
            }
            held[slot] = NULL;
        }
    }
    for (unsigned slot = 0; slot < SLOTS; slot++) {
        if (held[slot] != NULL && strata_vmm_release(held[slot]) != STRATA_OK) {
            worker->errors++;
        }
    }
}

static void test_threads_reserving_and_releasing_at_once(void **state)
{
    (void)state;
    enum { THREADS = 4 };
    churn_worker workers[THREADS];
    test_thread threads[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (churn_worker){i * 7919u + 1, 2000, 0};
        assert_true(test_thread_start(&threads[i], churn, &workers[i]));
    }
    for (unsigned i = 0; i < THREADS; i++) {
        test_thread_join(&threads[i]);
        assert_int_equal(workers[i].errors, 0);
    }
}

/* ---- guard pages and protection, enforced ---------------------------------- */

static void child_write_to_readonly_commit(void)
{
    unsigned char *base = reserve(GRANULE);
    commit(base, PAGE, STRATA_PAGE_READONLY);
    child_expect_fault_at(base, PAGE);
    *(volatile unsigned char *)base = 1;
    exit(CHILD_NO_FAULT);
}

/* The program's own fault handler: counts guard-page faults and resumes. */
static volatile int guard_faults;

#if defined(_WIN32)
static LONG WINAPI count_guard_fault(EXCEPTION_POINTERS *pointers)
{
    if (pointers->ExceptionRecord->ExceptionCode == (DWORD)0x80000001L) {
        guard_faults++;
        return EXCEPTION_CONTINUE_EXECUTION;
    }
    return EXCEPTION_CONTINUE_SEARCH;
}

static void install_guard_counter(void)
{
    AddVectoredExceptionHandler(1, count_guard_fault);
}
#else
static void count_guard_fault(int signal_number)
{
    (void)signal_number;
    guard_faults++;
}

static void install_guard_counter(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = count_guard_fault;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
}
#endif

static void child_touch_guard_page_twice(void)
{
    child_allow_faults();
    install_guard_counter();
    unsigned char *base = reserve(GRANULE);
    commit(base, 2 * PAGE, RW | STRATA_PAGE_GUARD);
    base[PAGE + 5] = 0x5A; /* faults once: the guard goes, the write is retried */
    base[PAGE + 6] = 0x5B; /* no fault: that page is unguarded now */
    int faults_after_first_page = guard_faults;
    base[7] = 0x5C;        /* the other page keeps its own guard */
    strata_vmm_region_info info = query(base + PAGE);
    bool ok = faults_after_first_page == 1 && guard_faults == 2 && base[PAGE + 5] == 0x5A &&
              base[7] == 0x5C && info.protect == RW;
    exit(ok ? 0 : 10 + guard_faults);
}

static void child_touch_guard_page_unhandled(void)
{
#if !defined(_WIN32)
    signal(SIGSEGV, SIG_DFL); /* no handler of the program's (CMocka installs one) */
#endif
    child_allow_faults();
    unsigned char *base = reserve(GRANULE);
    commit(base, PAGE, RW | STRATA_PAGE_GUARD);
    *(volatile unsigned char *)base = 1;
    exit(CHILD_NO_FAULT);
}

static const child_scenario scenarios[] = {
    {"write_to_readonly_commit", child_write_to_readonly_commit},
    {"touch_guard_page_twice", child_touch_guard_page_twice},
    {"touch_guard_page_unhandled", child_touch_guard_page_unhandled},
    {NULL, NULL},
};

static void test_protection_is_enforced(void **state)
{
    (void)state;
    child_result result;
    assert_true(child_run("write_to_readonly_commit", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, CHILD_FAULT_AT_EXPECTED);
}

static void test_guard_page_faults_once_then_works(void **state)
{
    (void)state;
    if (child_under_valgrind()) {
        skip(); /* see child_under_valgrind: the fault address is lost there */
    }
    child_result result;
    assert_true(child_run("touch_guard_page_twice", &result));
    if (!result.exited || result.exit_code != 0) {
        fail_msg("exited=%d code=%d signal=%d output=%s", result.exited, result.exit_code,
                 result.signal_number, result.output);
    }
}

static void test_unhandled_guard_page_fault_ends_the_process(void **state)
{
    (void)state;
    if (child_under_valgrind()) {
        skip();
    }
    child_result result;
    assert_true(child_run("touch_guard_page_unhandled", &result));
#if defined(_WIN32)
    assert_true(result.exited);
    assert_int_not_equal(result.exit_code, CHILD_NO_FAULT);
    assert_int_not_equal(result.exit_code, 0);
#else
    assert_false(result.exited);
    assert_int_equal(result.signal_number, SIGSEGV);
#endif
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_info_has_windows_numbers),
        cmocka_unit_test(test_reserve_rounds_and_aligns),
        cmocka_unit_test(test_reserve_at_address_rounds_down_to_granule),
        cmocka_unit_test(test_reserve_rejects_bad_arguments),
        cmocka_unit_test(test_reserve_aligned_honours_alignment),
        cmocka_unit_test(test_commit_splits_regions_and_zero_fills),
        cmocka_unit_test(test_commit_with_null_address_reserves_too),
        cmocka_unit_test(test_commit_outside_reservations_fails),
        cmocka_unit_test(test_decommit_rules),
        cmocka_unit_test(test_release_rules),
        cmocka_unit_test(test_protect_rules),
        cmocka_unit_test(test_nocache_is_sticky),
        cmocka_unit_test(test_reset_keeps_state),
        cmocka_unit_test(test_lock_unlock_and_guard),
        cmocka_unit_test(test_probing),
        cmocka_unit_test(test_query_free_space_and_errors),
        cmocka_unit_test(test_many_regions_stay_ordered),
        cmocka_unit_test(test_threads_reserving_and_releasing_at_once),
        cmocka_unit_test(test_protection_is_enforced),
        cmocka_unit_test(test_guard_page_faults_once_then_works),
        cmocka_unit_test(test_unhandled_guard_page_fault_ends_the_process),
    };
    return cmocka_run_group_tests_name("vmm_regions", tests, NULL, NULL);
}
