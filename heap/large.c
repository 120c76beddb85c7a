/*
 * heap/large.c — large blocks (NT's VirtualAllocdBlocks): each one a VMM
 * reservation of its own, a 64-byte header at its base and the data right
 * after it (so the data is 64- but not 128-aligned, as on Windows). They are
 * listed for walk, validate and destroy. List changes run under the heap
 * lock; the VMM calls run outside it.
 */
#include "internal.h"

static uint64_t large_check(const strata_heap *heap, const large_block *large)
{
    return LARGE_MAGIC ^ heap->secret ^ (uint64_t)(uintptr_t)large;
}

void *large_alloc(strata_heap *heap, size_t size, bool zero)
{
    (void)zero; /* fresh commits read as zero */
    const strata_vmm *vmm = heap->vmm;
    size_t reserved = align_up(size + LARGE_HEADER, vmm->granularity);
    size_t committed = align_up(size + LARGE_HEADER, vmm->page_size);
    void *base = NULL;
    if (vmm->reserve(vmm->context, reserved, 0, &base) != STRATA_OK)
        return NULL;
    if (vmm->commit(vmm->context, base, committed) != STRATA_OK) {
        vmm->release(vmm->context, base, reserved);
        return NULL;
    }
    large_block *large = base;
    large->check = large_check(heap, large);
    large->requested = size;
    large->reserved = reserved;
    large->committed = committed;
    char *data = (char *)base + LARGE_HEADER;
    hdr_write(heap, data, hdr_make(TAG_LARGE_BUSY, 0, 0));

    heap_acquire(heap, 0);
    large->prev = NULL;
    large->next = heap->large;
    if (heap->large != NULL)
        heap->large->prev = large;
    heap->large = large;
    heap->large_count++;
    heap->reserved_bytes += reserved;
    heap_count_commit(heap, (ptrdiff_t)committed);
    heap_release(heap, 0);
    return data;
}

/* The large block whose data is `data`, found on the list (so a foreign
 * pointer is never dereferenced); NULL if none. */
large_block *large_of(const strata_heap *heap, const void *data)
{
    if (((uintptr_t)data & 0xFFFF) != LARGE_HEADER)
        return NULL;
    strata_heap *locked = (strata_heap *)(uintptr_t)heap;
    heap_acquire(locked, 0);
    large_block *found = NULL;
    for (large_block *large = heap->large; large != NULL; large = large->next)
        if ((char *)large + LARGE_HEADER == (const char *)data) {
            found = large;
            break;
        }
    heap_release(locked, 0);
    return found;
}

/* The large block whose committed data holds `data`, an aligned block's
 * inner pointer (past the block's start); NULL if none. */
large_block *large_containing(const strata_heap *heap, const void *data)
{
    strata_heap *locked = (strata_heap *)(uintptr_t)heap;
    heap_acquire(locked, 0);
    large_block *found = NULL;
    for (large_block *large = heap->large; large != NULL; large = large->next) {
        const char *start = (const char *)large + LARGE_HEADER;
        /* <= the end: a zero-size block may sit right at it, its header inside */
        if ((const char *)data > start && (const char *)data <= (const char *)large + large->committed) {
            found = large;
            break;
        }
    }
    heap_release(locked, 0);
    return found;
}

static void unlink_large(strata_heap *heap, large_block *large)
{
    if (large->prev != NULL)
        large->prev->next = large->next;
    else
        heap->large = large->next;
    if (large->next != NULL)
        large->next->prev = large->prev;
    heap->large_count--;
    heap->reserved_bytes -= large->reserved;
    heap_count_commit(heap, -(ptrdiff_t)large->committed);
}

void large_free(strata_heap *heap, char *data)
{
    large_block *large = (large_block *)(void *)(data - LARGE_HEADER);
    if (large->check != large_check(heap, large))
        heap_corruption(heap, data, "large block header corrupted");
    heap_acquire(heap, 0);
    unlink_large(heap, large);
    heap_release(heap, 0);
    large->check = 0;
    VG_OPEN(large, large->committed);
    heap->vmm->release(heap->vmm->context, large, large->reserved);
}

/* Resize within the committed pages only. Shrinking decommits the pages no
 * longer needed, so a later grow in place fails, as on Windows. */
bool large_resize_in_place(strata_heap *heap, char *data, size_t size, bool zero)
{
    (void)zero;
    large_block *large = (large_block *)(void *)(data - LARGE_HEADER);
    if (large->check != large_check(heap, large))
        heap_corruption(heap, data, "large block header corrupted");
    size_t page = heap->vmm->page_size;
    size_t needed = align_up(size + LARGE_HEADER, page);
    if (needed > large->committed)
        return false;
    heap_acquire(heap, 0);
    if (needed < large->committed)
        VG_OPEN((char *)large + needed, large->committed - needed);
    if (needed < large->committed &&
        heap->vmm->decommit(heap->vmm->context, (char *)large + needed, large->committed - needed) == STRATA_OK) {
        heap_count_commit(heap, -(ptrdiff_t)(large->committed - needed));
        large->committed = needed;
    }
    large->requested = size;
    heap_release(heap, 0);
    return true;
}

void large_release_all(strata_heap *heap)
{
    large_block *large = heap->large;
    while (large != NULL) {
        large_block *next = large->next;
        VG_OPEN(large, large->committed);
        heap->vmm->release(heap->vmm->context, large, large->reserved);
        large = next;
    }
    heap->large = NULL;
    heap->large_count = 0;
}

bool large_validate(const strata_heap *heap)
{
    size_t count = 0;
    const large_block *prev = NULL;
    for (const large_block *large = heap->large; large != NULL; large = large->next) {
        if (large->check != large_check(heap, large) || large->prev != prev ||
            !hdr_is(hdr_read(heap, (const char *)large + LARGE_HEADER), TAG_LARGE_BUSY) ||
            large->requested + LARGE_HEADER > large->committed || large->committed > large->reserved)
            return false;
        prev = large;
        if (++count > heap->large_count)
            return false;
    }
    return count == heap->large_count;
}
