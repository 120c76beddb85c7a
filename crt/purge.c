/* SPDX-License-Identifier: MIT */
/*
 * crt/purge.c — the background purge (STRATA_PURGE_BACKGROUND=1): a thread
 * that, every half purge delay, has the CRT heap give back what it has held
 * freed for the delay. The heap purges from its own allocations and frees;
 * a program that stops allocating would keep what it freed last until it
 * started again. Off by default: no thread unless asked for.
 */
#include "internal.h"

#include "options.h"

#include <stdatomic.h>

static uint32_t purge_period_ms(void)
{
    int32_t delay = strata_heap_purge_delay();
    uint32_t period = delay > 0 ? (uint32_t)delay / 2 : 100;
    return period < 10 ? 10 : period;
}

static uint32_t purge_loop(void *argument)
{
    (void)argument;
    for (;;) {
        strata_platform_sleep(purge_period_ms());
        /* Only a heap the program already uses: this thread makes none. */
        strata_heap *heap = atomic_load_explicit(&crt_heap_pointer, memory_order_acquire);
        if (heap != NULL && strata_heap_purge_delay() >= 0)
            strata_heap_purge_due(heap);
    }
    return 0;
}

void crt_purge_background_start(void)
{
    static atomic_flag started = ATOMIC_FLAG_INIT;
    if (crt_option_int(CRT_OPTION_PURGE_BACKGROUND) == 0 || strata_heap_purge_delay() < 0 ||
        atomic_flag_test_and_set(&started))
        return;
    strata_waitable *thread = NULL; /* runs as long as the process: never joined */
    if (strata_platform_thread_create(purge_loop, NULL, (size_t)64 << 10, &thread, NULL) != STRATA_OK) {
        static const char message[] = "strata: warning: STRATA_PURGE_BACKGROUND: no thread could be started\n";
        strata_write_error(message, sizeof message - 1);
    }
}
