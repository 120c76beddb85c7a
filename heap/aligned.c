/* SPDX-License-Identifier: MIT */
/*
 * heap/aligned.c — blocks aligned beyond 16 bytes (the crt's aligned_alloc,
 * posix_memalign, _aligned_malloc, aligned operator new). Windows heaps have
 * no such call; strata's does, so that an aligned block is freed, sized and
 * validated like any other.
 *
 * An aligned block is an ordinary "outer" block with room for the alignment;
 * the pointer handed out is the first aligned address in it. When that is
 * not the outer block itself, an inner header right before it (tag
 * TAG_ALIGNED, authenticated like every header) records the distance back, and the
 * outer block is shrunk in place to distance + size, so that its requested
 * size is exactly what the inner block needs.
 */
#include "internal.h"

static bool is_power_of_two(size_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

STRATA_API void *strata_heap_alloc_aligned(strata_heap *heap, uint32_t flags, size_t size, size_t alignment)
{
    if (heap == NULL)
        return NULL;
    if (alignment <= 16)
        return strata_heap_alloc(heap, flags, size);
    if (!is_power_of_two(alignment) || alignment > STRATA_HEAP_MAX_ALIGNMENT || size > STRATA_HEAP_MAX_REQUEST - alignment - 16)
        return heap_fail(heap, flags | heap->flags);
    /* The inner pointer always lies past the outer block's start, so that
     * an aligned block is always known as one; room for at least 16 bytes
     * after it keeps a zero-size block's inner pointer inside its outer one. */
    if (guard_wanted(heap, flags))
        return guard_alloc(heap, flags | heap->flags, size, alignment);
    size_t tail = size > 16 ? size : 16;
    char *outer = strata_heap_alloc(heap, (flags & ~(uint32_t)STRATA_HEAP_ZERO_MEMORY) | HEAP_ALLOC_UNGUARDED,
                                    tail + alignment);
    if (outer == NULL)
        return NULL; /* the failure is reported (or raised) already */
    size_t offset = alignment - ((uintptr_t)outer & (alignment - 1));
    char *inner = outer + offset;
    /* Never fails: shrinking in place always succeeds. A zero-byte block
     * keeps one byte, so that no neighbour's header lands at its pointer. */
    strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY | (flags & STRATA_HEAP_NO_SERIALIZE), outer,
                        offset + (size != 0 ? size : 1));
    if (size == 0) {
        block_ref ref;
        heap_block_classify(heap, outer, &ref);
        heap_block_set_requested(heap, &ref, offset);
    }
    VG_OPEN(inner - 8, 8);
    hdr_write(heap, inner, TAG_ALIGNED, (uint32_t)(offset >> 4), 0);
    if (flags & STRATA_HEAP_ZERO_MEMORY)
        memset(inner, 0, size);
    return inner;
}

/* If `data` is an aligned block's inner pointer, the outer block's data and
 * the distance to it; NULL otherwise. Only memory of this heap is read. */
char *aligned_outer(strata_heap *heap, const char *data, size_t *offset)
{
    if (((uintptr_t)data & 15) != 0)
        return NULL;
    segment *seg = back_segment_of(heap, data);
    const char *lowest;
    if (seg != NULL) {
        size_t at = (size_t)(data - (const char *)seg);
        if (at < seg->area_start + BLOCK_HEADER + 16 || at > __atomic_load_n(&seg->committed_end, __ATOMIC_ACQUIRE))
            return NULL;
        lowest = (const char *)seg + seg->area_start + BLOCK_HEADER;
    } else {
        large_block *large = large_containing(heap, data);
        if (large == NULL)
            return NULL;
        lowest = (const char *)large + LARGE_HEADER;
    }
    uint64_t raw = hdr_peek(heap, data);
    if (!hdr_is(heap, data, raw, TAG_ALIGNED, 0))
        return NULL;
    size_t distance = (size_t)hdr_value(raw) << 4;
    if (distance == 0 || distance > (size_t)(data - lowest))
        return NULL;
    *offset = distance;
    return (char *)(uintptr_t)(data - distance);
}
