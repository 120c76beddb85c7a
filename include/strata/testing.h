/* SPDX-License-Identifier: MIT */
/*
 * strata/testing.h — stand-ins for the strata_vmm interface (strata/vmm.h),
 * to test a heap, or code over a heap, on virtual memory that is counted,
 * fails on cue, or lives in a buffer the caller owns. Library
 * libstrata_testing.a (CMake strata::testing).
 *
 * Each stand-in is a struct whose first member `vmm` is the strata_vmm to
 * pass on (strata_heap_create(&fake.vmm, …)); its other members are the
 * test's to read. The struct must outlive every heap created over it. None
 * of them is thread-safe: a heap over one must be used by one thread at a
 * time, or created with STRATA_HEAP_NO_SERIALIZE and kept to one thread.
 */
#ifndef STRATA_TESTING_H
#define STRATA_TESTING_H

#include <stdbool.h>
#include <stddef.h>

#include <strata/vmm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Counting: forwards every call to another strata_vmm and counts it --- */

typedef struct strata_testing_counting_vmm {
    strata_vmm vmm;            /* pass &counting.vmm to the code under test */
    const strata_vmm *inner;   /* where the calls go */
    unsigned reserves, releases, commits, decommits, resets; /* calls, failed ones included */
    unsigned executable_commits; /* commit_executable calls (not counted in commits) */
    unsigned failures;         /* calls that returned a status other than STRATA_OK */
    long live_reservations;    /* reserves that succeeded minus releases that did */
    size_t committed_bytes;    /* bytes committed minus bytes decommitted, as asked (overlaps not merged) */
} strata_testing_counting_vmm;

/*
 * strata_testing_counting_vmm_init — set up `counting` over `inner` (for
 * example strata_vmm_default()) with every count at zero; it takes inner's
 * page size and granularity. Both pointers must be valid; never fails.
 */
STRATA_API void strata_testing_counting_vmm_init(strata_testing_counting_vmm *counting, const strata_vmm *inner);

/* ---- Failing: forwards, but the Nth matching call fails ------------------ */

/* Which calls count towards the failure; combine with |. */
enum {
    STRATA_TESTING_FAIL_RESERVE = 1,
    STRATA_TESTING_FAIL_COMMIT = 2
};

typedef struct strata_testing_failing_vmm {
    strata_vmm vmm;           /* pass &failing.vmm to the code under test */
    const strata_vmm *inner;  /* where the other calls go */
    unsigned which;           /* STRATA_TESTING_FAIL_RESERVE, _COMMIT (commit_executable counts as a commit) or both */
    unsigned fail_at;         /* 1-based index among matching calls; 0: never fail */
    unsigned seen;            /* matching calls so far */
    bool failed;              /* whether the failure has been delivered */
} strata_testing_failing_vmm;

/*
 * strata_testing_failing_vmm_init — set up `failing` over `inner`: the
 * fail_at-th call of the kinds in `which` returns STRATA_E_NO_MEMORY without
 * reaching `inner` (and sets `failed`); every other call is forwarded. One
 * failure only: later calls succeed again, so a test can check recovery.
 * Set `fail_at` (and reset `seen`) again to fail once more. Never fails.
 */
STRATA_API void strata_testing_failing_vmm_init(strata_testing_failing_vmm *failing, const strata_vmm *inner,
                                                unsigned which, unsigned fail_at);

/* ---- Fixed buffer: pages handed out from memory the caller owns ---------- */

/* The most granules (4 KiB each) one fixed vmm manages: 16 MiB. */
#define STRATA_TESTING_FIXED_VMM_MAX_GRANULES 4096

typedef struct strata_testing_fixed_vmm {
    strata_vmm vmm;           /* pass &fixed.vmm to the code under test */
    unsigned char *buffer;    /* the first 4 KiB-aligned byte inside the caller's memory */
    size_t granules;          /* how many 4 KiB granules the buffer holds */
    unsigned char in_use[STRATA_TESTING_FIXED_VMM_MAX_GRANULES];  /* per granule: free, first of a reservation, or more */
    bool committed[STRATA_TESTING_FIXED_VMM_MAX_GRANULES];        /* per granule (= page): committed or not */
} strata_testing_fixed_vmm;

/*
 * strata_testing_fixed_vmm_init — use [memory, memory+size), e.g. a static
 * array, as the only address space, never calling the OS. Page size and
 * granularity are both 4096, so that a small buffer holds several
 * reservations; the buffer is trimmed to whole 4 KiB granules, at most
 * STRATA_TESTING_FIXED_VMM_MAX_GRANULES of them; commit_executable is NULL
 * (the memory is not executable). reserve takes the first
 * run of free granules that fits and the alignment asked (STRATA_E_NO_MEMORY
 * when none does; STRATA_E_INVALID_PARAMETER for a size that is 0 or not a
 * multiple of 4096, or a bad alignment); commit zero-fills pages not
 * committed before; decommit and release fill pages with 0xDD so that stale
 * reads show; release accepts only a whole reservation, commit, decommit and
 * reset only whole pages of a reservation (STRATA_E_INVALID_ADDRESS
 * otherwise). The whole buffer is filled with 0xDD here. Never fails; a
 * buffer smaller than one granule gives a vmm whose every reserve fails.
 */
STRATA_API void strata_testing_fixed_vmm_init(strata_testing_fixed_vmm *fixed, void *memory, size_t size);

/* strata_testing_fixed_vmm_owns — whether [address, address+size) lies inside the fixed buffer. */
STRATA_API bool strata_testing_fixed_vmm_owns(const strata_testing_fixed_vmm *fixed, const void *address,
                                              size_t size);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_TESTING_H */
