/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/recording_heap.c — see recording_heap.h. Blocks come from the C
 * library with a 16-byte prefix holding the requested size, so that size
 * and usable size can be answered; aligned blocks are over-allocated and
 * their prefix sits right before the aligned address.
 */
#include "recording_heap.h"

#include <strata/heap.h>

#include <stdlib.h>
#include <string.h>

static recorded calls[RECORDED_MAX];
static unsigned call_count;
static unsigned failures_left;
static unsigned cached_calls;
static bool cached_serves;
static strata_heap *const fake_heap = (strata_heap *)(uintptr_t)0x5EA9000;

typedef struct prefix {
    void *base;  /* what the C library returned */
    size_t size; /* what was asked for */
} prefix;

void recording_reset(unsigned failures)
{
    memset(calls, 0, sizeof calls);
    call_count = 0;
    failures_left = failures;
    cached_calls = 0;
    cached_serves = false;
}

void recording_serve_cached(bool serve_small)
{
    cached_serves = serve_small;
}

unsigned recording_cached_count(void)
{
    return cached_calls;
}

unsigned recording_count(void)
{
    return call_count;
}

const recorded *recording_at(unsigned index)
{
    return index < call_count ? &calls[index] : NULL;
}

static recorded *record(recorded_call call, uint32_t flags, size_t size, size_t alignment, void *block)
{
    static recorded overflow;
    recorded *entry = call_count < RECORDED_MAX ? &calls[call_count++] : &overflow;
    *entry = (recorded){call, flags, size, alignment, block, NULL};
    return entry;
}

static bool fail_now(void)
{
    if (failures_left == 0)
        return false;
    failures_left--;
    return true;
}

static void *serve(size_t size, size_t alignment, uint32_t flags)
{
    if (alignment < 16)
        alignment = 16;
    if (size > ((size_t)1 << 40))
        return NULL;
    char *base = malloc(size + alignment + sizeof(prefix));
    if (base == NULL)
        return NULL;
    uintptr_t data = ((uintptr_t)base + sizeof(prefix) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    prefix *header = (prefix *)(data - sizeof(prefix));
    header->base = base;
    header->size = size;
    if (flags & STRATA_HEAP_ZERO_MEMORY)
        memset((void *)data, 0, size);
    return (void *)data;
}

static prefix *header_of(const void *block)
{
    return (prefix *)((uintptr_t)block - sizeof(prefix));
}

strata_heap *strata_heap_process(void)
{
    return fake_heap;
}

void *strata_heap_alloc(strata_heap *heap, uint32_t flags, size_t size)
{
    recorded *entry = record(CALL_ALLOC, flags, size, 0, NULL);
    if (heap != fake_heap || fail_now())
        return NULL;
    return entry->result = serve(size, 16, flags);
}

/* Kept apart from the other calls: a cache that declines is not a call the
 * crt's callers can see. When serving, it serves what the real heap's cache
 * could (up to STRATA_HEAP_CACHED_MAX bytes) and never fails. */
void *strata_heap_alloc_cached(strata_heap *heap, size_t size)
{
    cached_calls++;
    if (!cached_serves || heap != fake_heap || size > STRATA_HEAP_CACHED_MAX)
        return NULL;
    return serve(size, 16, 0);
}

void *strata_heap_alloc_aligned(strata_heap *heap, uint32_t flags, size_t size, size_t alignment)
{
    recorded *entry = record(CALL_ALLOC_ALIGNED, flags, size, alignment, NULL);
    if (heap != fake_heap || fail_now())
        return NULL;
    return entry->result = serve(size, alignment, flags);
}

void *strata_heap_realloc(strata_heap *heap, uint32_t flags, void *block, size_t size)
{
    recorded *entry = record(CALL_REALLOC, flags, size, 0, block);
    if (heap != fake_heap || fail_now())
        return NULL;
    prefix *old = header_of(block);
    if (flags & STRATA_HEAP_REALLOC_IN_PLACE_ONLY) {
        if (size > old->size)
            return NULL;
        old->size = size;
        return entry->result = block;
    }
    char *moved = serve(size, 16, 0);
    if (moved == NULL)
        return NULL;
    memcpy(moved, block, old->size < size ? old->size : size);
    if ((flags & STRATA_HEAP_ZERO_MEMORY) && size > old->size)
        memset(moved + old->size, 0, size - old->size);
    free(old->base);
    return entry->result = moved;
}

bool strata_heap_free(strata_heap *heap, uint32_t flags, void *block)
{
    record(CALL_FREE, flags, 0, 0, block);
    if (heap != fake_heap)
        return false;
    if (block != NULL)
        free(header_of(block)->base);
    return true;
}

size_t strata_heap_size(strata_heap *heap, uint32_t flags, const void *block)
{
    record(CALL_SIZE, flags, 0, 0, (void *)(uintptr_t)block);
    return heap == fake_heap ? header_of(block)->size : SIZE_MAX;
}

size_t strata_heap_usable_size(strata_heap *heap, const void *block)
{
    record(CALL_USABLE_SIZE, 0, 0, 0, (void *)(uintptr_t)block);
    return heap == fake_heap ? header_of(block)->size : 0;
}

strata_status strata_heap_get_stats(strata_heap *heap, strata_heap_stats *out)
{
    (void)heap;
    memset(out, 0, sizeof *out);
    return STRATA_OK;
}

size_t strata_heap_compact(strata_heap *heap, uint32_t flags)
{
    record(CALL_COMPACT, flags, 0, 0, heap);
    return 0;
}

size_t strata_heap_list(strata_heap **heaps, size_t capacity)
{
    if (capacity > 0 && heaps != NULL)
        heaps[0] = fake_heap;
    return 1;
}

/* What the crt's reports and options call; the recording heap has no
 * blocks to walk and makes no other heaps. */
strata_status strata_heap_walk(strata_heap *heap, strata_heap_entry *entry)
{
    (void)heap;
    (void)entry;
    return STRATA_E_NO_MORE_ITEMS;
}

bool strata_heap_lock(strata_heap *heap)
{
    return heap != NULL;
}

bool strata_heap_unlock(strata_heap *heap)
{
    return heap != NULL;
}

strata_status strata_heap_create(const strata_vmm *vmm, uint32_t flags, size_t initial_size, size_t maximum_size,
                                 strata_heap **out)
{
    (void)vmm;
    (void)flags;
    (void)initial_size;
    (void)maximum_size;
    (void)out;
    return STRATA_E_NO_MEMORY;
}

strata_status strata_heap_destroy(strata_heap *heap)
{
    (void)heap;
    return STRATA_E_INVALID_HANDLE;
}

void strata_heap_set_purge_delay(int32_t milliseconds)
{
    (void)milliseconds;
}

/* The background purge (crt/purge.c) over this stand-in: nothing to give back. */
int32_t strata_heap_purge_delay(void)
{
    return -1;
}

size_t strata_heap_purge_due(strata_heap *heap)
{
    (void)heap;
    return 0;
}

/* Guard mode is the real heap's: this stand-in has none. */
strata_status strata_heap_set_guard(strata_heap *heap, uint32_t one_in)
{
    (void)heap;
    (void)one_in;
    return STRATA_E_UNSUPPORTED;
}

/* The map (crt/map.c) over this stand-in: it has no VMM and keeps its blocks
 * in the C library's heap, so there are no regions, segments or pages to
 * report. */
strata_status strata_heap_snapshot(strata_heap *heap, strata_heap_record_fn callback, void *context)
{
    (void)context;
    return heap == NULL || callback == NULL ? STRATA_E_INVALID_PARAMETER : STRATA_OK;
}

strata_status strata_heap_snapshot_regions(strata_heap_record_fn callback, void *context)
{
    (void)context;
    return callback == NULL ? STRATA_E_INVALID_PARAMETER : STRATA_OK;
}

uint32_t strata_heap_flags(const strata_heap *heap)
{
    return heap == fake_heap ? STRATA_HEAP_GROWABLE : 0;
}
