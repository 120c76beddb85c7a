/* SPDX-License-Identifier: MIT */
/*
 * crt/stats.c — STRATA_STATS=1: one short summary on stderr when the
 * program exits (what strata-run shows).
 */
#include "internal.h"

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
    size_t heaps = strata_heap_list(NULL, 0);
    char text[512];
    size_t length = strata_format(text, sizeof text,
                                  "strata: crt %zu allocations, %zu frees, %zu failed | "
                                  "crt heap peak %zu KiB committed, at exit %zu KiB committed of %zu KiB reserved "
                                  "in %zu segments and %zu large blocks | %zu heaps\n",
                                  (size_t)crt.allocations, (size_t)crt.frees, (size_t)crt.failures,
                                  crt.peak_committed >> 10, crt.committed >> 10, crt.reserved >> 10, segments, large,
                                  heaps);
    strata_write_error(text, length);
}

void crt_report_at_exit(void)
{
    strata_keep_error_stream(); /* programs may close stderr before atexit handlers run */
    atexit(report);
}
