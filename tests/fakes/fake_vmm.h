/* SPDX-License-Identifier: MIT */
/*
 * tests/fakes/fake_vmm.h — stand-ins for the strata_vmm interface, so that a
 * layer built over it (the heap) can be tested on virtual memory that fails
 * on cue, is counted, or lives in a fixed buffer.
 */
#ifndef STRATA_TEST_FAKE_VMM_H
#define STRATA_TEST_FAKE_VMM_H

#include <strata/vmm.h>

/* ---- counting: forwards to another strata_vmm and counts every call ------ */
typedef struct counting_vmm {
    strata_vmm vmm;            /* pass &counting.vmm to the code under test */
    const strata_vmm *inner;
    unsigned reserves, releases, commits, decommits, resets, failures;
    long live_reservations;    /* reserves that succeeded minus releases that did */
    size_t committed_bytes;    /* commits minus decommits, as asked (not deduplicated) */
} counting_vmm;

void counting_vmm_init(counting_vmm *counting, const strata_vmm *inner);

/* ---- failing: forwards, but the Nth matching call fails ------------------ */
enum { FAIL_RESERVE = 1, FAIL_COMMIT = 2 };

typedef struct failing_vmm {
    strata_vmm vmm;
    const strata_vmm *inner;
    unsigned which;       /* FAIL_RESERVE, FAIL_COMMIT or both */
    unsigned fail_at;     /* 1-based index among matching calls; 0 never fails */
    unsigned seen;        /* matching calls so far */
    bool failed;          /* whether the failure has been delivered */
} failing_vmm;

/* Fails the fail_at-th call of the kinds in `which` with STRATA_E_NO_MEMORY. */
void failing_vmm_init(failing_vmm *failing, const strata_vmm *inner, unsigned which, unsigned fail_at);

/* ---- fixed buffer: pages handed out from memory the caller owns ---------- */
#define FIXED_VMM_MAX_GRANULES 4096 /* 16 MiB of 4 KiB granules */

typedef struct fixed_vmm {
    strata_vmm vmm;
    unsigned char *buffer;    /* granularity-aligned start inside the caller's memory */
    size_t granules;          /* how many granules fit */
    unsigned char in_use[FIXED_VMM_MAX_GRANULES];  /* per granule: free, first of a reservation, or continuation */
    bool committed[FIXED_VMM_MAX_GRANULES];     /* per granule (= page): committed or not */
} fixed_vmm;

/*
 * Uses [memory, memory+size) — e.g. a static array — as the only "address
 * space" (at most FIXED_VMM_MAX_GRANULES pages of it): reserve finds free granules there
 * (first fit), commit zero-fills pages not committed before, decommit fills
 * pages with 0xDD so that stale reads show.
 * The granularity is 4096 so small buffers hold several reservations.
 */
void fixed_vmm_init(fixed_vmm *fixed, void *memory, size_t size);

/* Whether [address, address+size) lies inside the fixed buffer. */
bool fixed_vmm_owns(const fixed_vmm *fixed, const void *address, size_t size);

#endif /* STRATA_TEST_FAKE_VMM_H */
