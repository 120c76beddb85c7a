/* SPDX-License-Identifier: MIT */
/*
 * crt/windows_crt.c — the Windows C runtime's own allocation functions
 * as MSVC's UCRT defines them: _msize, _expand, _recalloc and the _aligned_
 * family, over the same CRT heap. They are built everywhere, under strata__
 * names; the drop-in gives them their Windows names on Windows.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

STRATA_API size_t strata__msize(void *block)
{
    if (block == NULL) {
        errno = EINVAL;
        return (size_t)-1;
    }
    size_t size = strata_heap_size(crt_heap(), 0, block);
    /* The UCRT allocates one byte for malloc(0). */
    return size == 0 ? 1 : size;
}

STRATA_API void *strata__expand(void *block, size_t size)
{
    if (block == NULL) {
        errno = EINVAL;
        return NULL;
    }
    size_t old_size = crt_counting ? strata_heap_size(crt_heap(), 0, block) : 0;
    if (size > STRATA_CRT_MAX_REQUEST ||
        strata_heap_realloc(crt_heap(), STRATA_HEAP_REALLOC_IN_PLACE_ONLY, block, size) == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    crt_counted_resize(block, old_size, block, size);
    return block;
}

STRATA_API void *strata__recalloc(void *block, size_t count, size_t size)
{
    size_t total;
    if (crt_multiply(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (block == NULL)
        return strata_calloc(count, size);
    return crt_resize(block, total, STRATA_HEAP_ZERO_MEMORY); /* the heap zeroes past the old size */
}

/* ---- _aligned_ ---------------------------------------------------------------- */

/* The alignment _aligned_malloc uses for `alignment`; 0 if it is not valid. */
static size_t aligned_alignment(size_t alignment)
{
    if (!crt_is_power_of_two(alignment) || alignment > STRATA_CRT_MAX_ALIGNMENT)
        return 0;
    return alignment < sizeof(void *) ? sizeof(void *) : alignment;
}

STRATA_API void *strata__aligned_malloc(size_t size, size_t alignment)
{
    size_t used = aligned_alignment(alignment);
    if (used == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (size > STRATA_CRT_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    return crt_aligned(used, size, 0);
}

/* Realloc that keeps the alignment: in place if the heap can, else a new
 * aligned block with the contents (and, if asked, zeroed growth). */
static void *aligned_resize(void *block, size_t size, size_t alignment, bool zero)
{
    strata_heap *heap = crt_heap();
    size_t old_size = strata_heap_size(heap, 0, block);
    uint32_t zero_flag = zero ? STRATA_HEAP_ZERO_MEMORY : 0;
    if ((uintptr_t)block % alignment == 0 &&
        strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY | zero_flag, block, size) != NULL) {
        crt_counted_resize(block, old_size, block, size);
        return block;
    }
    void *moved = crt_aligned(alignment, size, 0);
    if (moved == NULL)
        return NULL;
    memcpy(moved, block, old_size < size ? old_size : size);
    if (zero && size > old_size)
        memset((char *)moved + old_size, 0, size - old_size);
    strata_free(block);
    return moved;
}

STRATA_API void *strata__aligned_realloc(void *block, size_t size, size_t alignment)
{
    size_t used = aligned_alignment(alignment);
    if (used == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (block == NULL)
        return strata__aligned_malloc(size, alignment);
    if (size == 0) {
        strata_free(block);
        return NULL;
    }
    if (size > STRATA_CRT_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    return aligned_resize(block, size, used, false);
}

STRATA_API void *strata__aligned_recalloc(void *block, size_t count, size_t size, size_t alignment)
{
    size_t total;
    size_t used = aligned_alignment(alignment);
    if (used == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (crt_multiply(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (block == NULL) {
        void *fresh = strata__aligned_malloc(total, alignment);
        if (fresh != NULL)
            memset(fresh, 0, total);
        return fresh;
    }
    if (total == 0) {
        strata_free(block);
        return NULL;
    }
    return aligned_resize(block, total, used, true);
}

STRATA_API void strata__aligned_free(void *block)
{
    strata_free(block);
}

STRATA_API size_t strata__aligned_msize(void *block, size_t alignment, size_t offset)
{
    if (block == NULL || aligned_alignment(alignment) == 0 || offset != 0) {
        errno = EINVAL;
        return (size_t)-1;
    }
    return strata_heap_size(crt_heap(), 0, block);
}
