/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/recording_heap.h — a stand-in for the heap layer, linked in
 * place of strata::heap: it records each call the crt makes (which
 * function, flags, size, alignment, block) and serves it from the C
 * library, failing the next N allocations on request.
 */
#ifndef STRATA_TEST_RECORDING_HEAP_H
#define STRATA_TEST_RECORDING_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum recorded_call {
    CALL_NONE,
    CALL_ALLOC,
    CALL_ALLOC_ALIGNED,
    CALL_REALLOC,
    CALL_FREE,
    CALL_SIZE,
    CALL_USABLE_SIZE,
    CALL_COMPACT,
} recorded_call;

typedef struct recorded {
    recorded_call call;
    uint32_t flags;
    size_t size;
    size_t alignment;
    void *block;  /* the block passed in (free, realloc, size) */
    void *result; /* the block handed out */
} recorded;

#define RECORDED_MAX 64

/* Forget what was recorded; fail the next `failures` allocations or reallocations. */
void recording_reset(unsigned failures);
/* Let strata_heap_alloc_cached serve small sizes (after recording_reset it
 * declines every call, as a heap without per-thread caches does); how many
 * times it was asked since the reset. */
void recording_serve_cached(bool serve_small);
unsigned recording_cached_count(void);
/* How many calls were recorded, and each of them. */
unsigned recording_count(void);
const recorded *recording_at(unsigned index);

#endif
