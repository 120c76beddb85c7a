/* SPDX-License-Identifier: MIT */
/*
 * tests/cxx/failing_crt.c — the crt functions cxx/strata_cxx.cpp calls, over
 * the system allocator, failing on cue and counted (see failing_crt.h).
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#endif

#include "failing_crt.h"

#include <errno.h>
#include <stdlib.h>

#if defined(_WIN32)
#include <malloc.h>
#endif

static failing_crt_counts counts;
static unsigned failures_pending;
static long live_blocks;
static strata_crt_new_handler recorded_new_handler;

void failing_crt_reset(void)
{
    failing_crt_counts zero = {0};
    counts = zero;
    failures_pending = 0;
}

void failing_crt_fail_next(unsigned count)
{
    failures_pending = count;
}

failing_crt_counts failing_crt_get(void)
{
    return counts;
}

long failing_crt_live_blocks(void)
{
    return live_blocks;
}

strata_crt_new_handler failing_crt_new_handler(void)
{
    return recorded_new_handler;
}

/* Consumes one pending failure, if any. */
static int should_fail(void)
{
    if (failures_pending == 0)
        return 0;
    if (failures_pending != FAILING_CRT_ALWAYS)
        failures_pending--;
    counts.failures++;
    errno = ENOMEM;
    return 1;
}

/* One system allocation that strata_free can release whatever its
 * alignment: msvcrt's _aligned_malloc blocks need _aligned_free, so on
 * Windows every block is one. */
static void *system_alloc(size_t alignment, size_t size)
{
#if defined(_WIN32)
    return _aligned_malloc(size, alignment);
#else
    if (alignment <= 16)
        return malloc(size);
    void *block = NULL;
    int error = posix_memalign(&block, alignment, size);
    if (error != 0) {
        errno = error;
        return NULL;
    }
    return block;
#endif
}

static void *allocate(size_t alignment, size_t size)
{
    counts.last_size = size;
    if (should_fail())
        return NULL;
    void *block = system_alloc(alignment, size);
    if (block != NULL)
        live_blocks++;
    return block;
}

void *strata_malloc(size_t size)
{
    counts.mallocs++;
    return allocate(16, size);
}

void *strata_aligned_alloc(size_t alignment, size_t size)
{
    counts.aligned_allocs++;
    counts.last_alignment = alignment;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > STRATA_CRT_MAX_ALIGNMENT) {
        errno = EINVAL;
        return NULL;
    }
    return allocate(alignment < sizeof(void *) ? sizeof(void *) : alignment, size);
}

void strata_free(void *block)
{
    counts.frees++;
    counts.last_freed = block;
    if (block == NULL)
        return;
    live_blocks--;
#if defined(_WIN32)
    _aligned_free(block);
#else
    free(block);
#endif
}

strata_crt_new_handler strata_crt_set_new_handler(strata_crt_new_handler handler)
{
    strata_crt_new_handler previous = recorded_new_handler;
    recorded_new_handler = handler;
    return previous;
}
