/* SPDX-License-Identifier: MIT */
/*
 * tests/cxx/failing_crt.h — a stand-in for the crt layer, linked in place of
 * strata::crt beside cxx/strata_cxx.cpp (new → malloc is
 * a hot boundary, swapped at link time). It defines strata_malloc,
 * strata_aligned_alloc, strata_free and strata_crt_set_new_handler over the
 * system allocator, fails allocations on cue and counts every call.
 * Single-threaded use only.
 */
#ifndef STRATA_TEST_FAILING_CRT_H
#define STRATA_TEST_FAILING_CRT_H

#include <limits.h>
#include <stddef.h>

#include <strata/crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the fake has seen since the last failing_crt_reset. */
typedef struct failing_crt_counts {
    unsigned mallocs;         /* strata_malloc calls, failed ones included */
    unsigned aligned_allocs;  /* strata_aligned_alloc calls, failed ones included */
    unsigned frees;           /* strata_free calls, NULL included */
    unsigned failures;        /* allocation calls the fake made fail */
    size_t last_size;         /* size of the last allocation call of either kind */
    size_t last_alignment;    /* alignment of the last strata_aligned_alloc call */
    void *last_freed;         /* argument of the last strata_free call */
} failing_crt_counts;

/* failing_crt_fail_next(FAILING_CRT_ALWAYS): every allocation fails until reset. */
#define FAILING_CRT_ALWAYS UINT_MAX

/* Zeroes the counts and cancels pending failures; the recorded new handler
 * is kept (cxx installs it once, at static initialisation). */
void failing_crt_reset(void);

/* The next `count` allocation calls (strata_malloc or strata_aligned_alloc)
 * return NULL with errno ENOMEM; the ones after succeed again. */
void failing_crt_fail_next(unsigned count);

/* The counts so far. */
failing_crt_counts failing_crt_get(void);

/* Blocks handed out and not yet freed, over the whole run (not reset). */
long failing_crt_live_blocks(void);

/* The handler last given to strata_crt_set_new_handler (NULL if none). */
strata_crt_new_handler failing_crt_new_handler(void);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_TEST_FAILING_CRT_H */
