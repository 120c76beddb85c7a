/* SPDX-License-Identifier: MIT */
/*
 * crt/malloc.c — the C allocation functions over the CRT heap (strata's
 * process heap): malloc, free, calloc, realloc, reallocarray and the aligned
 * family, with C's errno rules; the new mode and its handler; statistics.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* ---- The CRT heap ------------------------------------------------------------ */

strata_heap *_Atomic crt_heap_pointer;
strata_heap *_Atomic crt_fast_heap;
bool crt_counting;
bool crt_recording;
crt_bytes crt_live;
int crt_new_mode;
strata_crt_new_handler crt_new_handler;
crt_counters crt_count;

/* Installs `heap` as the CRT heap if there is none yet: turns counting on if
 * STRATA_STATS asks, then opens malloc's and free's fast path. Returns the
 * CRT heap: `heap`, or the one another call installed first. */
static strata_heap *crt_install_heap(strata_heap *heap)
{
    strata_heap *expected = NULL;
    if (!atomic_compare_exchange_strong(&crt_heap_pointer, &expected, heap))
        return expected;
    crt_startup();
    crt_map_setup();
    /* Guard mode (STRATA_GUARD) is the heap's: a fixed-size heap refuses it. */
    long guard = crt_option_int(CRT_OPTION_GUARD);
    if (guard > 0)
        strata_heap_set_guard(heap, (uint32_t)guard);
    if (!crt_counting && !crt_recording)
        atomic_store_explicit(&crt_fast_heap, heap, memory_order_release);
    return heap;
}

/* Reads the options and acts on them, once: from the first allocation or
 * the crt's start-up constructor, whichever comes first. Recording stacks
 * (STRATA_LEAKS=stack) starts only in the constructor: the first backtrace
 * loads the unwinder, which is not safe from inside the first malloc. */
void crt_startup(void)
{
    static atomic_flag done = ATOMIC_FLAG_INIT;
    crt_options_load();
    if (atomic_flag_test_and_set(&done))
        return;
    if (crt_option_int(CRT_OPTION_STATS) > 0)
        crt_counting = true;
    crt_report_at_exit();
}

/* The first call without a heap chosen (strata_crt_set_heap) makes the
 * process heap the CRT heap. */
strata_heap *crt_heap_slow(void)
{
    strata_heap *heap = strata_heap_process();
    if (heap == NULL)
        return NULL;
    return crt_install_heap(heap);
}

/* The same pointer malloc already reads: choosing the heap costs the fast
 * path nothing. */
STRATA_API strata_status strata_crt_set_heap(strata_heap *heap)
{
    if (heap == NULL)
        return STRATA_E_INVALID_PARAMETER;
    strata_heap *installed = crt_install_heap(heap);
    return installed == heap ? STRATA_OK : STRATA_E_GEN_FAILURE;
}

STRATA_API strata_heap *strata_crt_heap(void)
{
    return crt_heap();
}

/* ---- Failure: errno, and the new handler in new mode 1 ------------------------------- */

/* Whether a failed allocation of `size` bytes should be retried: only in new
 * mode 1, and only while the handler says so. Sets errno otherwise. */
bool crt_retry(size_t size)
{
    strata_crt_new_handler handler = __atomic_load_n(&crt_new_handler, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&crt_new_mode, __ATOMIC_RELAXED) == 1 && handler != NULL && size <= STRATA_CRT_MAX_REQUEST &&
        handler(size) != 0)
        return true;
    if (crt_counting)
        __atomic_fetch_add(&crt_count.failures, 1, __ATOMIC_RELAXED);
    errno = ENOMEM;
    return false;
}

STRATA_API int strata__set_new_mode(int mode)
{
    if (mode != 0 && mode != 1) {
        errno = EINVAL;
        return -1;
    }
    return __atomic_exchange_n(&crt_new_mode, mode, __ATOMIC_ACQ_REL);
}

STRATA_API strata_crt_new_handler strata_crt_set_new_handler(strata_crt_new_handler handler)
{
    return __atomic_exchange_n(&crt_new_handler, handler, __ATOMIC_ACQ_REL);
}

/* ---- malloc and free ---------------------------------------------------------------- */

/* malloc's fast path is the heap's lock-free path alone (crt_fast_heap is
 * NULL before the first call and while counting, which the heap answers
 * with NULL too); everything else goes the slow way. */
static NOINLINE void *malloc_slow_path(size_t size)
{
    if (UNLIKELY(crt_map_requested))
        crt_map_service();
    strata_heap *heap = crt_heap();
    void *block = heap != NULL ? strata_heap_alloc(heap, 0, size) : NULL;
    if (block == NULL)
        return crt_malloc_failed(size);
    crt_counted_allocation(block, size);
    return block;
}

/* The cache's larger sizes are tried here, to keep malloc's own path
 * short (inlined there, they cost every small malloc 3 instructions of
 * saved registers). */
static CRT_HOT NOINLINE void *malloc_slow(size_t size)
{
    if (size > STRATA_HEAP_CACHED_SMALL) {
        void *block = strata_heap_alloc_cached(atomic_load_explicit(&crt_fast_heap, memory_order_acquire), size);
        if (block != NULL)
            return block;
    }
    return malloc_slow_path(size);
}

CRT_HOT STRATA_API void *strata_malloc(size_t size)
{
    if (LIKELY(size <= STRATA_HEAP_CACHED_SMALL)) {
        void *block = strata_heap_alloc_cached(atomic_load_explicit(&crt_fast_heap, memory_order_acquire), size);
        if (LIKELY(block != NULL))
            return block;
    }
    return malloc_slow(size);
}

/* malloc after a failure: the new-mode retry loop. */
NOINLINE void *crt_malloc_failed(size_t size)
{
    while (crt_retry(size)) {
        strata_heap *heap = crt_heap();
        void *block = heap != NULL ? strata_heap_alloc(heap, 0, size) : NULL;
        if (block != NULL) {
            crt_counted_allocation(block, size);
            return block;
        }
    }
    return NULL;
}

/* Live bytes go up and down with the size asked for; the peak follows them.
 * Only slow paths come here, and only while counting. */
static void add_live(size_t bytes)
{
    size_t live = __atomic_add_fetch(&crt_live.live, bytes, __ATOMIC_RELAXED);
    size_t peak = __atomic_load_n(&crt_live.peak, __ATOMIC_RELAXED);
    while (live > peak &&
           !__atomic_compare_exchange_n(&crt_live.peak, &peak, live, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static void remove_live(size_t bytes)
{
    size_t live = __atomic_load_n(&crt_live.live, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&crt_live.live, &live, live > bytes ? live - bytes : 0, true,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

void crt_counted_allocation(void *block, size_t size)
{
    if (crt_counting) {
        __atomic_fetch_add(&crt_count.allocations, 1, __ATOMIC_RELAXED);
        add_live(size);
    }
    if (crt_recording)
        crt_record_block(block);
}

void crt_counted_resize(void *old_block, size_t old_size, void *block, size_t size)
{
    if (crt_counting) {
        if (size >= old_size)
            add_live(size - old_size);
        else
            remove_live(old_size - size);
    }
    if (crt_recording && block != old_block) {
        crt_forget_block(old_block);
        crt_record_block(block);
    }
}

static NOINLINE void free_slow(void *block)
{
    if (block == NULL)
        return;
    strata_heap *heap = crt_heap();
    if (crt_counting) {
        __atomic_fetch_add(&crt_count.frees, 1, __ATOMIC_RELAXED);
        size_t size = strata_heap_size(heap, 0, block);
        if (size != SIZE_MAX) /* a bad pointer: the heap's free below ends the process */
            remove_live(size);
    }
    if (crt_recording)
        crt_forget_block(block);
    strata_heap_free(heap, 0, block);
}

/* free(NULL) is the heap's to see: its fast path sends it to the slow one
 * without a test of its own. */
CRT_HOT STRATA_API void strata_free(void *block)
{
    strata_heap *heap = atomic_load_explicit(&crt_fast_heap, memory_order_acquire);
    if (UNLIKELY(heap == NULL)) {
        free_slow(block);
        return;
    }
    /* The heap never changes errno: a free keeps it, as C requires. */
    strata_heap_free(heap, 0, block);
}

STRATA_API void strata_free_sized(void *block, size_t size)
{
    (void)size;
    strata_free(block);
}

STRATA_API void strata_free_aligned_sized(void *block, size_t alignment, size_t size)
{
    (void)alignment;
    (void)size;
    strata_free(block);
}

/* ---- calloc, realloc, reallocarray --------------------------------------------------- */

STRATA_API void *strata_calloc(size_t count, size_t size)
{
    size_t total;
    if (crt_multiply(count, size, &total)) {
        errno = ENOMEM;
        if (crt_counting)
            __atomic_fetch_add(&crt_count.failures, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    do {
        strata_heap *heap = crt_heap();
        void *block = heap != NULL ? strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, total) : NULL;
        if (block != NULL) {
            crt_counted_allocation(block, total);
            return block;
        }
    } while (crt_retry(total));
    return NULL;
}

STRATA_API void *strata_realloc(void *block, size_t size)
{
    if (block == NULL)
        return strata_malloc(size);
    return crt_resize(block, size, 0);
}

/* A live block resized by the heap (flags: STRATA_HEAP_ZERO_MEMORY for
 * _recalloc), retried in new mode 1; size 0 frees it and gives NULL. */
void *crt_resize(void *block, size_t size, uint32_t flags)
{
    if (size == 0) {
        strata_free(block);
        return NULL;
    }
    bool tracking = crt_counting || crt_recording;
    size_t old_size = tracking ? strata_heap_size(crt_heap(), 0, block) : 0;
    do {
        void *moved = strata_heap_realloc(crt_heap(), flags, block, size);
        if (moved != NULL) {
            if (tracking)
                crt_counted_resize(block, old_size, moved, size);
            return moved;
        }
    } while (crt_retry(size));
    return NULL;
}

STRATA_API void *strata_reallocarray(void *block, size_t count, size_t size)
{
    size_t total;
    if (crt_multiply(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return strata_realloc(block, total);
}

/* ---- The aligned family ------------------------------------------------------------- */

/* An aligned block, with the new-mode loop; alignment already checked. */
void *crt_aligned(size_t alignment, size_t size, uint32_t flags)
{
    do {
        strata_heap *heap = crt_heap();
        void *block = heap != NULL ? strata_heap_alloc_aligned(heap, flags, size, alignment) : NULL;
        if (block != NULL) {
            crt_counted_allocation(block, size);
            return block;
        }
    } while (crt_retry(size));
    return NULL;
}

STRATA_API void *strata_aligned_alloc(size_t alignment, size_t size)
{
    if (!crt_is_power_of_two(alignment) || alignment > STRATA_CRT_MAX_ALIGNMENT) {
        errno = EINVAL;
        return NULL;
    }
    return crt_aligned(alignment, size, 0);
}

STRATA_API int strata_posix_memalign(void **out, size_t alignment, size_t size)
{
    if (out == NULL || !crt_is_power_of_two(alignment) || alignment % sizeof(void *) != 0 ||
        alignment > STRATA_CRT_MAX_ALIGNMENT)
        return EINVAL;
    int saved = errno;
    void *block = crt_aligned(alignment, size, 0);
    errno = saved; /* posix_memalign reports through its result only */
    if (block == NULL)
        return ENOMEM;
    *out = block;
    return 0;
}

STRATA_API void *strata_memalign(size_t alignment, size_t size)
{
    if (alignment > STRATA_CRT_MAX_ALIGNMENT) {
        errno = EINVAL;
        return NULL;
    }
    size_t rounded = 1;
    while (rounded < alignment)
        rounded <<= 1;
    return crt_aligned(rounded, size, 0);
}

STRATA_API void *strata_valloc(size_t size)
{
    return crt_aligned(crt_page_size(), size, 0);
}

STRATA_API void *strata_pvalloc(size_t size)
{
    size_t page = crt_page_size();
    if (size > STRATA_CRT_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return crt_aligned(page, rounded, 0);
}

STRATA_API int strata_malloc_trim(size_t pad)
{
    (void)pad;
    strata_heap *heap = crt_heap();
    strata_heap_stats before, after;
    if (heap == NULL || strata_heap_get_stats(heap, &before) != STRATA_OK)
        return 0;
    strata_heap_compact(heap, 0);
    if (strata_heap_get_stats(heap, &after) != STRATA_OK)
        return 0;
    return after.committed_bytes < before.committed_bytes;
}

STRATA_API size_t strata_malloc_usable_size(const void *block)
{
    if (block == NULL)
        return 0;
    return strata_heap_usable_size(crt_heap(), block);
}

/* ---- Statistics ------------------------------------------------------------------- */

STRATA_API void strata_crt_count(int on)
{
    strata_heap *heap = crt_heap(); /* so that STRATA_STATS is read first and cannot undo this */
    crt_counting = on != 0;
    /* While counting, malloc and free take their slow paths, which count. */
    atomic_store_explicit(&crt_fast_heap, crt_counting || crt_recording ? NULL : heap, memory_order_release);
}

STRATA_API void strata_crt_get_stats(strata_crt_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    out->allocations = __atomic_load_n(&crt_count.allocations, __ATOMIC_RELAXED);
    out->frees = __atomic_load_n(&crt_count.frees, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&crt_count.failures, __ATOMIC_RELAXED);
    strata_heap_stats heap;
    strata_heap *crt = crt_heap();
    if (crt != NULL && strata_heap_get_stats(crt, &heap) == STRATA_OK) {
        out->peak_committed = heap.peak_committed_bytes;
        out->committed = heap.committed_bytes;
        out->reserved = heap.reserved_bytes;
    }
    out->live_bytes = __atomic_load_n(&crt_live.live, __ATOMIC_RELAXED);
    out->peak_live_bytes = __atomic_load_n(&crt_live.peak, __ATOMIC_RELAXED);
}
