/* SPDX-License-Identifier: MIT */
/*
 * heap/guard.c — guard mode (NT's "full page heap"): a guarded block has
 * VMM pages of its own and ends where they end, before a page left
 * uncommitted, so the first byte past it faults; freed, its pages are
 * decommitted and wait in a quarantine before their address space is
 * released, so a late access faults too. strata's fault listener names the
 * block and the access in one line. The bytes between the block's end and
 * the page end, and before it in its first page, hold GUARD_FILL, checked
 * at free, realloc and validate.
 *
 * A guarded block's record (guard_block) is a heap block of its own, out of
 * reach of the program's writes, found by its reservation's base in a hash
 * table. Records, table and quarantine change under the heap lock.
 */
#include "internal.h"

#define GUARD_FILL 0xFD
#define GUARD_BUCKETS 4096u
#define GUARD_QUARANTINE_BLOCKS 1024u
#define GUARD_QUARANTINE_BYTES ((size_t)256 << 20) /* address space: quarantined pages are decommitted */
#define GUARD_HEAPS 64u

typedef struct guard_block {
    struct guard_block *hash_next;
    struct guard_block *next, *prev; /* live list; in quarantine, next is the younger block */
    char *base;                      /* the reservation */
    size_t reserved;
    size_t committed;                /* from base; the guard page follows */
    char *data;
    size_t requested;
    bool quarantined;
} guard_block;

/* ---- Finding a block by address --------------------------------------------- */

static size_t bucket_of(uintptr_t base)
{
    return (size_t)(hdr_mix(base) & (GUARD_BUCKETS - 1));
}

static guard_block *find_by_base(const strata_heap *heap, uintptr_t base)
{
    for (guard_block *block = heap->guard.buckets[bucket_of(base)]; block != NULL; block = block->hash_next)
        if ((uintptr_t)block->base == base)
            return block;
    return NULL;
}

/* The block whose reservation holds `address`, live or quarantined; NULL if
 * none. Reservations start on the granularity, so the candidates are the
 * granules at and below the address, as far back as the widest one made.
 * Heap lock held. */
static guard_block *find_covering(const strata_heap *heap, const void *address)
{
    if (heap->guard.buckets == NULL)
        return NULL;
    size_t granularity = heap->vmm->granularity;
    uintptr_t at = (uintptr_t)address;
    uintptr_t base = at & ~(uintptr_t)(granularity - 1);
    for (size_t back = 0; back < heap->guard.largest_reserve && back <= base; back += granularity) {
        guard_block *block = find_by_base(heap, base - back);
        if (block != NULL)
            return at < (uintptr_t)block->base + block->reserved ? block : NULL;
    }
    return NULL;
}

static void hash_insert(strata_heap *heap, guard_block *block)
{
    guard_block **bucket = &heap->guard.buckets[bucket_of((uintptr_t)block->base)];
    block->hash_next = *bucket;
    *bucket = block;
}

static void hash_remove(strata_heap *heap, guard_block *block)
{
    guard_block **link = &heap->guard.buckets[bucket_of((uintptr_t)block->base)];
    while (*link != block)
        link = &(*link)->hash_next;
    *link = block->hash_next;
}

/* ---- The pattern around a block ---------------------------------------------- */

/* The end of a block's pages: where its guard page starts. */
static char *pages_end(const strata_heap *heap, const char *data, size_t requested)
{
    return (char *)(uintptr_t)align_up((uintptr_t)data + requested, heap->vmm->page_size);
}

/* The bytes before the block in its first page. */
static char *first_page_start(const strata_heap *heap, const char *data)
{
    return (char *)((uintptr_t)data & ~(uintptr_t)(heap->vmm->page_size - 1));
}

/* The pattern's two ranges are not the block's: memcheck is told they may
 * be read and written whatever it thinks of the block's bytes. */
static void fill_around(const strata_heap *heap, char *data, size_t requested)
{
    char *start = first_page_start(heap, data);
    if (requested == 0 && start == data)
        return; /* a zero-size block on a page boundary has no pages */
    char *end = pages_end(heap, data, requested);
    VG_OPEN(start, (size_t)(data - start));
    VG_OPEN(data + requested, (size_t)(end - data - requested));
    memset(start, GUARD_FILL, (size_t)(data - start));
    memset(data + requested, GUARD_FILL, (size_t)(end - data - requested));
}

static const char *first_changed(const char *from, const char *to)
{
    for (const char *at = from; at < to; at++)
        if ((unsigned char)*at != GUARD_FILL)
            return at;
    return NULL;
}

/* The first byte of the pattern the program overwrote, or NULL. */
static const char *damage_around(const strata_heap *heap, const char *data, size_t requested)
{
    char *start = first_page_start(heap, data);
    if (requested == 0 && start == data)
        return NULL;
    char *end = pages_end(heap, data, requested);
    VG_OPEN(start, (size_t)(data - start));
    VG_OPEN(data + requested, (size_t)(end - data - requested));
    const char *damaged = first_changed(start, data);
    return damaged != NULL ? damaged : first_changed(data + requested, end);
}

static void check_around(const strata_heap *heap, const char *data, size_t requested)
{
    const char *damaged = damage_around(heap, data, requested);
    if (damaged != NULL)
        strata_fatal("strata: heap %p: guard padding overwritten at %p (block %p, %zu bytes)", (const void *)heap,
                     (const void *)damaged, (const void *)data, requested);
}

/* ---- Choosing blocks ---------------------------------------------------------- */

bool guard_pick(strata_heap *heap, uint32_t flags)
{
    uint32_t every = heap->guard.every;
    if (every <= 1)
        return every == 1;
    /* Each thread counts its own allocations in its part of the heap: no
     * shared counter, no atomics. */
    thread_part *part = heap_thread_part(heap, flags);
    uint32_t *countdown = part != NULL ? &part->guard_countdown : &heap->guard.shared_countdown;
    if (*countdown > 1) {
        --*countdown;
        return false;
    }
    *countdown = every;
    return true;
}

/* ---- Allocation and free ------------------------------------------------------ */

void *guard_alloc(strata_heap *heap, uint32_t flags, size_t size, size_t alignment)
{
    const strata_vmm *vmm = heap->vmm;
    if (alignment < STRATA_HEAP_ALIGNMENT)
        alignment = STRATA_HEAP_ALIGNMENT;
    size_t committed = align_up(size, vmm->page_size);
    size_t data_offset = (committed - size) & ~(alignment - 1);
    size_t reserved = align_up(committed + vmm->page_size, vmm->granularity);
    void *base = NULL;
    if (vmm->reserve(vmm->context, reserved, alignment > vmm->granularity ? alignment : 0, &base) != STRATA_OK)
        return heap_fail(heap, flags);
    if (committed != 0 && vmm->commit(vmm->context, base, committed) != STRATA_OK) {
        vmm->release(vmm->context, base, reserved);
        return heap_fail(heap, flags);
    }
    char *data = (char *)base + data_offset;
    fill_around(heap, data, size);

    heap_acquire(heap, flags);
    guard_block *block = back_alloc(heap, sizeof *block, TAG_INTERNAL, 0, false);
    if (block == NULL) {
        heap_release(heap, flags);
        vmm->release(vmm->context, base, reserved);
        return heap_fail(heap, flags);
    }
    *block = (guard_block){.base = base, .reserved = reserved, .committed = committed, .data = data,
                           .requested = size, .next = heap->guard.live};
    if (heap->guard.live != NULL)
        heap->guard.live->prev = block;
    heap->guard.live = block;
    hash_insert(heap, block);
    if (reserved > heap->guard.largest_reserve)
        heap->guard.largest_reserve = reserved;
    heap->reserved_bytes += reserved;
    heap_count_commit(heap, (ptrdiff_t)committed);
    heap_release(heap, flags);
    VG_BLOCK_ALLOC(heap, data, size);
    if (flags & STRATA_HEAP_ZERO_MEMORY)
        VG_OPEN(data, size); /* fresh pages: zero, and memcheck should know it */
    return data;
}

static void release_block(strata_heap *heap, guard_block *block)
{
    hash_remove(heap, block);
    heap->reserved_bytes -= block->reserved;
    heap->vmm->release(heap->vmm->context, block->base, block->reserved);
    back_free(heap, (char *)block);
}

/* The live block at `data` (heap_block_classify said so), its pattern
 * checked. Heap lock held. */
static guard_block *checked_block(strata_heap *heap, const char *data)
{
    guard_block *block = find_covering(heap, data);
    HEAP_ASSERT(block != NULL && block->data == data && !block->quarantined);
    check_around(heap, data, block->requested);
    return block;
}

void guard_free(strata_heap *heap, uint32_t flags, char *data)
{
    heap_acquire(heap, flags);
    guard_block *block = checked_block(heap, data);
    if (block->prev != NULL)
        block->prev->next = block->next;
    else
        heap->guard.live = block->next;
    if (block->next != NULL)
        block->next->prev = block->prev;
    if (block->committed != 0) {
        VG_OPEN(block->base, block->committed);
        if (heap->vmm->decommit(heap->vmm->context, block->base, block->committed) == STRATA_OK)
            heap_count_commit(heap, -(ptrdiff_t)block->committed);
        else
            block->committed = 0; /* still committed: counted until released (below) */
    }
    block->quarantined = true;
    block->next = NULL;
    if (heap->guard.newest != NULL)
        heap->guard.newest->next = block;
    else
        heap->guard.oldest = block;
    heap->guard.newest = block;
    heap->guard.quarantine_count++;
    heap->guard.quarantine_bytes += block->reserved;
    while (heap->guard.quarantine_count > GUARD_QUARANTINE_BLOCKS ||
           heap->guard.quarantine_bytes > GUARD_QUARANTINE_BYTES) {
        guard_block *oldest = heap->guard.oldest;
        heap->guard.oldest = oldest->next;
        if (heap->guard.oldest == NULL)
            heap->guard.newest = NULL;
        heap->guard.quarantine_count--;
        heap->guard.quarantine_bytes -= oldest->reserved;
        heap_count_commit(heap, -(ptrdiff_t)oldest->committed); /* nonzero only if its decommit failed */
        release_block(heap, oldest);
    }
    heap_release(heap, flags);
}

/* In place when the block keeps its place: the same end, under 16 bytes
 * of padding. The pattern is checked first and rewritten after. */
bool guard_resize_in_place(strata_heap *heap, uint32_t flags, char *data, size_t size)
{
    heap_acquire(heap, flags);
    guard_block *block = checked_block(heap, data);
    char *end = block->base + block->committed;
    bool fits = size <= (size_t)(end - data) && (size_t)(end - data) - size < STRATA_HEAP_ALIGNMENT &&
                (size != 0) == (block->requested != 0);
    if (fits) {
        block->requested = size;
        fill_around(heap, data, size);
    }
    heap_release(heap, flags);
    return fits;
}

block_state guard_classify(strata_heap *heap, const char *data, block_ref *ref)
{
    if (((uintptr_t)data & (STRATA_HEAP_ALIGNMENT - 1)) != 0)
        return BLOCK_FOREIGN;
    heap_acquire(heap, 0);
    guard_block *block = find_covering(heap, data);
    block_state state = block == NULL || block->data != data ? BLOCK_FOREIGN
                        : block->quarantined                 ? BLOCK_FREED
                                                             : BLOCK_LIVE;
    if (state != BLOCK_FOREIGN) {
        memset(ref, 0, sizeof *ref);
        ref->kind = BLOCK_GUARD;
        ref->data = block->data;
        ref->requested = ref->usable = block->requested;
    }
    heap_release(heap, 0);
    return state;
}

/* ---- Walk, validate, destroy ---------------------------------------------------- */

strata_status guard_walk(strata_heap *heap, const char *after, strata_heap_entry *entry)
{
    guard_block *block = heap->guard.live;
    if (after != NULL) {
        guard_block *current = find_covering(heap, after);
        if (current == NULL || current->data != after || current->quarantined)
            return STRATA_E_INVALID_PARAMETER;
        block = current->next;
    }
    if (block == NULL)
        return STRATA_E_NO_MORE_ITEMS;
    memset(entry, 0, sizeof *entry);
    entry->data = block->data;
    entry->size = block->requested;
    entry->flags = STRATA_HEAP_ENTRY_BUSY;
    entry->region_index = STRATA_HEAP_LARGE_REGION_INDEX;
    return STRATA_OK;
}

/* The pattern around a live block is as written. */
bool guard_block_intact(const strata_heap *heap, const char *data, size_t requested)
{
    return damage_around(heap, data, requested) == NULL;
}

/* Heap lock held. */
bool guard_validate(const strata_heap *heap)
{
    for (const guard_block *block = heap->guard.live; block != NULL; block = block->next)
        if (block->quarantined || find_covering(heap, block->data) != block ||
            damage_around(heap, block->data, block->requested) != NULL)
            return false;
    return true;
}

/* ---- The fault listener ---------------------------------------------------------- */

static strata_lock registry_lock = STRATA_LOCK_INIT;
static strata_heap *guarded_heaps[GUARD_HEAPS];
static void *listener_cookie;

/* What an access at `address` in `block`'s reservation was; NULL when the
 * access could not fault there (a live block's own pages). */
static const char *fault_kind(const guard_block *block, const char *address, bool write)
{
    if (block->quarantined)
        return write ? "use after free write" : "use after free read";
    if (block->requested == 0)
        return "zero-size access";
    if (address >= block->base + block->committed)
        return write ? "write overflow" : "read overflow";
    return NULL;
}

/* Runs in the fault context, on the faulting thread. Holding the heap
 * lock, the heap touches only committed pages of guarded blocks, which
 * cannot fault: taking the lock here never finds it half-changed by this
 * thread. */
static bool on_fault(const strata_fault_event *event, void *context)
{
    (void)context;
    strata_lock_acquire(&registry_lock);
    for (unsigned i = 0; i < GUARD_HEAPS; i++) {
        strata_heap *heap = guarded_heaps[i];
        if (heap == NULL)
            continue;
        heap_acquire(heap, 0);
        guard_block *block = find_covering(heap, event->address);
        const char *kind =
            block != NULL ? fault_kind(block, event->address, event->operation == STRATA_FAULT_WRITE) : NULL;
        if (kind != NULL)
            strata_fatal("strata: heap %p: %s at %p (block %p, %zu bytes)", (void *)heap, kind, event->address,
                         (void *)block->data, block->requested);
        heap_release(heap, 0);
    }
    strata_lock_release(&registry_lock);
    return false;
}

static strata_status register_heap(strata_heap *heap)
{
    strata_status status = STRATA_E_RESOURCE_EXHAUSTED;
    strata_lock_acquire(&registry_lock);
    for (unsigned i = 0; i < GUARD_HEAPS; i++)
        if (guarded_heaps[i] == heap)
            status = STRATA_OK;
    for (unsigned i = 0; i < GUARD_HEAPS && status != STRATA_OK; i++)
        if (guarded_heaps[i] == NULL) {
            guarded_heaps[i] = heap;
            status = STRATA_OK;
        }
    if (status == STRATA_OK && listener_cookie == NULL)
        status = strata_platform_add_fault_listener(true, on_fault, NULL, &listener_cookie);
    strata_lock_release(&registry_lock);
    return status;
}

void guard_release_all(strata_heap *heap)
{
    strata_lock_acquire(&registry_lock);
    for (unsigned i = 0; i < GUARD_HEAPS; i++)
        if (guarded_heaps[i] == heap)
            guarded_heaps[i] = NULL;
    strata_lock_release(&registry_lock);
    const strata_vmm *vmm = heap->vmm;
    for (guard_block *block = heap->guard.live; block != NULL; block = block->next) {
        VG_OPEN(block->base, block->committed);
        vmm->release(vmm->context, block->base, block->reserved);
    }
    for (guard_block *block = heap->guard.oldest; block != NULL; block = block->next)
        vmm->release(vmm->context, block->base, block->reserved);
    memset(&heap->guard, 0, sizeof heap->guard);
}

/* ---- Turning it on --------------------------------------------------------------- */

STRATA_API strata_status strata_heap_set_guard(strata_heap *heap, uint32_t one_in)
{
    if (heap == NULL || !(heap->flags & STRATA_HEAP_GROWABLE))
        return STRATA_E_INVALID_PARAMETER;
    if (one_in != 0) {
        heap_acquire(heap, 0);
        if (heap->guard.buckets == NULL) {
            heap->guard.buckets = back_alloc(heap, GUARD_BUCKETS * sizeof(guard_block *), TAG_INTERNAL, 0, false);
            if (heap->guard.buckets != NULL)
                memset(heap->guard.buckets, 0, GUARD_BUCKETS * sizeof(guard_block *));
        }
        heap_release(heap, 0);
        if (heap->guard.buckets == NULL)
            return STRATA_E_NO_MEMORY;
        strata_status status = register_heap(heap);
        if (status != STRATA_OK)
            return status;
    }
    heap_acquire(heap, 0);
    heap->guard.every = one_in;
    heap_open_fast_path(heap); /* closed while guarding: every allocation is counted */
    heap_release(heap, 0);
    return STRATA_OK;
}

STRATA_API uint32_t strata_heap_guard(const strata_heap *heap)
{
    return heap != NULL ? heap->guard.every : 0;
}
