/*
 * crt/stats.c — STRATA_STATS=1: one short summary on stderr when the
 * program exits (what strata-run shows).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

static void report(void)
{
    strata_crt_stats crt;
    strata_crt_get_stats(&crt);
    strata_heap_stats process;
    size_t segments = 0, large = 0;
    if (strata_heap_get_stats(crt_heap(), &process) == STRATA_OK) {
        segments = process.segments;
        large = process.large_blocks;
    }
    char text[512];
    int length = snprintf(text, sizeof text,
                          "strata: %llu allocations, %llu frees, %llu failed; "
                          "crt heap: peak %zu KiB committed, %zu KiB committed and %zu KiB reserved at exit, "
                          "%zu segments, %zu large blocks\n",
                          (unsigned long long)crt.allocations, (unsigned long long)crt.frees,
                          (unsigned long long)crt.failures, crt.peak_committed >> 10, crt.committed >> 10,
                          crt.reserved >> 10, segments, large);
    if (length > 0)
        strata_write_error(text, (size_t)length < sizeof text ? (size_t)length : sizeof text - 1);
}

void crt_report_at_exit(void)
{
    atexit(report);
}
