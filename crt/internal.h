/* SPDX-License-Identifier: MIT */
/*
 * crt/internal.h — what the crt layer's files share: the CRT heap pointer,
 * the new mode and handler, the counters, and small arithmetic helpers.
 */
#ifndef STRATA_CRT_INTERNAL_H
#define STRATA_CRT_INTERNAL_H

#include <strata/crt.h>

#include "options.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
/* malloc and free: the heap's fast paths are inlined into them when the
 * build can see across files (STRATA_LTO), saving the call between layers. */
#define CRT_HOT __attribute__((flatten))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define NOINLINE
#define CRT_HOT
#endif

typedef struct crt_counters {
    uint64_t allocations, frees, failures;
} crt_counters;

/* Bytes asked for by live blocks, and the most there were: kept while
 * counting, by the slow paths only. A block allocated before counting
 * started and freed after it makes the figure low; it stops at 0. */
typedef struct crt_bytes {
    size_t live, peak;
} crt_bytes;

/* STRATA_LEAKS's choices, in the table's order. */
enum { CRT_LEAKS_OFF = 0, CRT_LEAKS_BLOCKS = 1, CRT_LEAKS_STACK = 2 };

extern strata_heap *_Atomic crt_heap_pointer; /* the CRT heap, once made */
extern strata_heap *_Atomic crt_fast_heap;    /* the same, or NULL while counting: malloc and free's one test */
extern bool crt_counting;             /* STRATA_STATS=1 or strata_crt_count(1) */
extern bool crt_recording;            /* STRATA_LEAKS=stack: where each block was allocated */
extern crt_bytes crt_live;
extern int crt_new_mode;              /* _set_new_mode */
extern strata_crt_new_handler crt_new_handler;
extern crt_counters crt_count;

strata_heap *crt_heap_slow(void);

/* The CRT heap: one relaxed load once it exists. */
static inline strata_heap *crt_heap(void)
{
    strata_heap *heap = atomic_load_explicit(&crt_heap_pointer, memory_order_acquire);
    return LIKELY(heap != NULL) ? heap : crt_heap_slow();
}

bool crt_retry(size_t size);
void *crt_malloc_failed(size_t size);
void *crt_resize(void *block, size_t size, uint32_t flags);
void crt_counted_allocation(void *block, size_t size);
void crt_counted_resize(void *old_block, size_t old_size, void *block, size_t size);
void *crt_aligned(size_t alignment, size_t size, uint32_t flags);
void crt_report_at_exit(void);
void crt_startup(void);
void crt_purge_background_start(void);

/* Writes reports: to standard error, or to the STRATA_OUTPUT file. */
typedef struct crt_writer {
    strata_write_fn write;
    void *context;
} crt_writer;
void crt_print(const crt_writer *writer, const char *format, ...) STRATA_PRINTF(2, 3);
size_t crt_describe_process(char *buffer, size_t capacity); /* "pid N (name)" */

/* crt/leaks.c: the leak report, and STRATA_LEAKS=stack's record of where
 * each live block was allocated (a side table off the CRT heap). */
bool crt_record_start(void);
void crt_record_block(void *block);
void crt_forget_block(void *block);
void crt_leak_report(const crt_writer *writer);
/* map.c: STRATA_MAP and STRATA_MAP_SIGNAL; the flag the signal raises, served
 * on malloc's slow path only. */
void crt_map_setup(void);
void crt_map_service(void);
extern volatile sig_atomic_t crt_map_requested;

static inline bool crt_is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

/* count × size; true when it overflows or exceeds the largest request. */
static inline bool crt_multiply(size_t count, size_t size, size_t *total)
{
#if defined(__GNUC__) || defined(__clang__)
    if (__builtin_mul_overflow(count, size, total))
        return true;
#else
    if (size != 0 && count > SIZE_MAX / size)
        return true;
    *total = count * size;
#endif
    return *total > STRATA_CRT_MAX_REQUEST;
}

static inline size_t crt_page_size(void)
{
    return strata_platform_get_info()->page_size;
}

#endif /* STRATA_CRT_INTERNAL_H */
