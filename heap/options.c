/* SPDX-License-Identifier: MIT */
/*
 * heap/options.c — process-wide settings the layer above hands down at
 * start-up (the heap reads no environment itself): the purge delay.
 */
#include <strata/heap.h>

#include <stdatomic.h>

/* Read by purging without a lock: a relaxed atomic is enough for a setting. */
static _Atomic int32_t purge_delay_ms = 1000;

STRATA_API void strata_heap_set_purge_delay(int32_t milliseconds)
{
    atomic_store_explicit(&purge_delay_ms, milliseconds < -1 ? -1 : milliseconds, memory_order_relaxed);
}

STRATA_API int32_t strata_heap_purge_delay(void)
{
    return atomic_load_explicit(&purge_delay_ms, memory_order_relaxed);
}
