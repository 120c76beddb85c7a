/* SPDX-License-Identifier: MIT */
/*
 * heap/large.c — large blocks (NT's VirtualAllocdBlocks): each one a VMM
 * reservation of its own, a 64-byte header at its base and the data right
 * after it (so the data is 64- but not 128-aligned, as on Windows). They are
 * listed for walk, validate and destroy. List changes run under the heap
 * lock; the VMM calls run outside it.
 */
#include "internal.h"

/* A keyed hash of everything in the header the heap trusts: its address,
 * sizes and list links. Recomputed (large_seal) whenever one changes. */
static uint64_t large_check(const strata_heap *heap, const large_block *large)
{
    const uint64_t fields[] = {large->requested, large->reserved, large->committed, large->cached_since,
                               (uint64_t)(uintptr_t)large->next, (uint64_t)(uintptr_t)large->prev};
    uint64_t x = LARGE_MAGIC ^ heap->secret ^ (uint64_t)(uintptr_t)large;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        x = hdr_mix(x ^ fields[i]);
    return x;
}

static void large_seal(const strata_heap *heap, large_block *large)
{
    large->check = large_check(heap, large);
}

static bool large_intact(const strata_heap *heap, const large_block *large)
{
    const char *data = (const char *)large + LARGE_HEADER;
    return large->check == large_check(heap, large) && hdr_is(heap, data, hdr_read(heap, data), TAG_LARGE_BUSY, 0);
}

/* A busy block about to be trusted: its header must be intact. */
static large_block *large_checked(strata_heap *heap, char *data)
{
    large_block *large = (large_block *)(void *)(data - LARGE_HEADER);
    if (!large_intact(heap, large))
        heap_corruption(heap, data, "block header corrupted");
    return large;
}

/* Freed large blocks kept, committed, for the next large allocation: a
 * reservation, its commit and its first touches cost system calls and page
 * faults (about 2.4 µs each here), which a program that frees and allocates
 * large blocks in turn would pay every time. Bounded in count and bytes, and
 * in age: each large allocation or free gives back the blocks cached for
 * over a second (compact and destroy give back all). Measured on the benchmark's large-block churn:
 * 8 blocks / 32 MiB took 0.35 s, 32 / 128 MiB 0.08 s (mimalloc 0.12 s, with
 * twice the peak RSS). */
#define LARGE_CACHE_BLOCKS 32
#define LARGE_CACHE_BYTES ((size_t)128 << 20)
#define LARGE_CACHE_AGE_NS 1000000000ull  /* a block unused this long goes back to the VMM */

/* Give a cached block back to the VMM, already off the cache list. */
static void cache_release_one(strata_heap *heap, large_block *large)
{
    heap->reserved_bytes -= large->reserved;
    heap_count_commit(heap, -(ptrdiff_t)large->committed);
    VG_OPEN(large, large->committed);
    heap->vmm->release(heap->vmm->context, large, large->reserved);
}

/* Give the VMM back the cached blocks that waited longer than the age limit
 * (the newest are at the head). Heap lock held. Returns the bytes released. */
static size_t cache_expire(strata_heap *heap, uint64_t now)
{
    size_t released = 0;
    for (large_block **link = &heap->large_cache; *link != NULL;) {
        large_block *large = *link;
        if (now - large->cached_since < LARGE_CACHE_AGE_NS) {
            link = &large->next;
            continue;
        }
        *link = large->next;
        heap->large_cache_count--;
        heap->large_cache_bytes -= large->committed;
        released += large->committed;
        cache_release_one(heap, large);
    }
    return released;
}

size_t large_cache_expire_due(strata_heap *heap)
{
    return heap->large_cache != NULL ? cache_expire(heap, strata_clock_monotonic_ns()) : 0;
}

static void link_busy(strata_heap *heap, large_block *large)
{
    large->prev = NULL;
    large->next = heap->large;
    if (heap->large != NULL) {
        large_checked(heap, (char *)heap->large + LARGE_HEADER);
        heap->large->prev = large;
        large_seal(heap, heap->large);
    }
    heap->large = large;
    heap->large_count++;
    large_seal(heap, large);
}

/* A cached block that holds `committed` bytes, unlinked from the cache; NULL
 * if none fits. Its commit is kept, so it may be at most `commit_limit`
 * (memory), and its reservation at most about twice `reserve` (address
 * space). Among those, the smallest that also has the `reserve` a growing
 * block asks for, else the smallest. Heap lock held. */
static large_block *cache_take(strata_heap *heap, size_t committed, size_t reserve, size_t commit_limit)
{
    size_t slack = heap->vmm->granularity;
    large_block **best = NULL;
    bool best_roomy = false;
    for (large_block **link = &heap->large_cache; *link != NULL; link = &(*link)->next) {
        const large_block *large = *link;
        if (large->reserved < committed || large->committed > commit_limit + slack ||
            large->reserved > 2 * reserve + slack)
            continue;
        bool roomy = large->reserved >= reserve;
        if (best == NULL || (roomy && !best_roomy) || (roomy == best_roomy && large->reserved < (*best)->reserved)) {
            best = link;
            best_roomy = roomy;
        }
    }
    if (best == NULL)
        return NULL;
    large_block *large = *best;
    *best = large->next;
    heap->large_cache_count--;
    heap->large_cache_bytes -= large->committed;
    return large;
}

/* Bring a reused block's commit up to `needed` bytes. A larger commit is
 * kept (cache_take bounds it to about twice the need): its pages are
 * already faulted in, and a realloc that grows the block will want them.
 * Heap lock held. */
static bool fit_commit(strata_heap *heap, large_block *large, size_t needed)
{
    const strata_vmm *vmm = heap->vmm;
    if (large->committed < needed) {
        if (vmm->commit(vmm->context, (char *)large + large->committed, needed - large->committed) != STRATA_OK)
            return false;
        heap_count_commit(heap, (ptrdiff_t)(needed - large->committed));
        large->committed = needed;
    }
    return true;
}

/* `growing`: the block replaces one realloc outgrew, so it is reserved with
 * room to grow in place: address space is cheap, moving is not. Four times
 * the size: a block that keeps growing by half moves every fourth step or
 * so, not every other one. */
#define LARGE_GROWTH_RESERVE 4

void *large_alloc(strata_heap *heap, size_t size, bool zero, bool growing)
{
    const strata_vmm *vmm = heap->vmm;
    size_t committed = align_up(size + LARGE_HEADER, vmm->page_size);
    size_t reserve = growing ? align_up(LARGE_GROWTH_RESERVE * size + LARGE_HEADER, vmm->granularity)
                             : align_up(committed, vmm->granularity);
    heap_acquire(heap, 0);
    if (heap->large_cache != NULL)
        cache_expire(heap, strata_clock_monotonic_ns());
    /* A block realloc grows may keep a commit up to its reservation: it is
     * expected to grow into it. Any other keeps at most twice its need. */
    size_t commit_limit = growing ? reserve : 2 * committed;
    large_block *large = heap->large_cache != NULL ? cache_take(heap, committed, reserve, commit_limit) : NULL;
    if (large != NULL) {
        if (!fit_commit(heap, large, committed)) {
            large->next = heap->large_cache; /* keep it for another size */
            heap->large_cache = large;
            heap->large_cache_count++;
            heap->large_cache_bytes += large->committed;
            heap_release(heap, 0);
            return NULL;
        }
        large->requested = size;
        large->cached_since = 0;
        char *data = (char *)large + LARGE_HEADER;
        hdr_write(heap, data, TAG_LARGE_BUSY, 0, 0);
        link_busy(heap, large);
        heap_release(heap, 0);
        if (zero) { /* reused memory: not the fresh zero pages of a new commit */
            VG_OPEN(data, size);
            memset(data, 0, size);
        }
        return data;
    }
    heap_release(heap, 0);

    size_t reserved = reserve;
    void *base = NULL;
    if (vmm->reserve(vmm->context, reserved, 0, &base) != STRATA_OK)
        return NULL;
    if (vmm->commit(vmm->context, base, committed) != STRATA_OK) {
        vmm->release(vmm->context, base, reserved);
        return NULL;
    }
    large = base;
    large->requested = size;
    large->reserved = reserved;
    large->committed = committed;
    char *data = (char *)base + LARGE_HEADER;
    hdr_write(heap, data, TAG_LARGE_BUSY, 0, 0);

    heap_acquire(heap, 0);
    link_busy(heap, large);
    heap->reserved_bytes += reserved;
    heap_count_commit(heap, (ptrdiff_t)committed);
    heap_release(heap, 0);
    return data;
}

/* Give every cached block back to the VMM (compact, destroy). */
void large_cache_release(strata_heap *heap)
{
    heap_acquire(heap, 0);
    large_block *large = heap->large_cache;
    heap->large_cache = NULL;
    heap->large_cache_count = 0;
    heap->large_cache_bytes = 0;
    while (large != NULL) {
        large_block *next = large->next;
        cache_release_one(heap, large);
        large = next;
    }
    heap_release(heap, 0);
}

/* What `data` is among the large blocks: a live one (with its sizes), a
 * freed one still cached, or none. The lists are searched, and the header
 * checked, under the heap lock: a neighbour's link change rewrites this
 * header's links and seal, and a check between the two would fail. A
 * foreign pointer is never dereferenced. */
block_state large_classify(strata_heap *heap, const void *data, size_t *requested, size_t *usable)
{
    /* A reservation starts on the vmm's granularity (64 KiB for the real
     * one, 4 KiB for a fixed-buffer fake): the data sits LARGE_HEADER past. */
    if (((uintptr_t)data & (heap->vmm->granularity - 1)) != LARGE_HEADER)
        return BLOCK_FOREIGN;
    block_state state = BLOCK_FOREIGN;
    heap_acquire(heap, 0);
    for (large_block *large = heap->large; large != NULL; large = large->next)
        if ((char *)large + LARGE_HEADER == (const char *)data) {
            state = large_intact(heap, large) ? BLOCK_LIVE : BLOCK_CORRUPT;
            *requested = large->requested;
            *usable = large->committed - LARGE_HEADER;
            break;
        }
    for (large_block *large = heap->large_cache; large != NULL && state == BLOCK_FOREIGN; large = large->next)
        if ((char *)large + LARGE_HEADER == (const char *)data)
            state = BLOCK_FREED;
    heap_release(heap, 0);
    return state;
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
    if (large->prev != NULL) {
        large_checked(heap, (char *)large->prev + LARGE_HEADER);
        large->prev->next = large->next;
        large_seal(heap, large->prev);
    } else {
        heap->large = large->next;
    }
    if (large->next != NULL) {
        large_checked(heap, (char *)large->next + LARGE_HEADER);
        large->next->prev = large->prev;
        large_seal(heap, large->next);
    }
    heap->large_count--;
    heap->reserved_bytes -= large->reserved;
    heap_count_commit(heap, -(ptrdiff_t)large->committed);
}

void large_free(strata_heap *heap, char *data)
{
    heap_acquire(heap, 0);
    large_block *large = large_checked(heap, data);
    unlink_large(heap, large);
    large->check = 0;
    uint64_t now = strata_clock_monotonic_ns();
    cache_expire(heap, now);
    if (heap->large_cache_count < LARGE_CACHE_BLOCKS &&
        heap->large_cache_bytes + large->committed <= LARGE_CACHE_BYTES) {
        large->cached_since = now;
        /* Still reserved and committed: counted as the heap's until released. */
        heap->reserved_bytes += large->reserved;
        heap_count_commit(heap, (ptrdiff_t)large->committed);
        large->next = heap->large_cache;
        heap->large_cache = large;
        heap->large_cache_count++;
        heap->large_cache_bytes += large->committed;
        heap_release(heap, 0);
        return;
    }
    heap_release(heap, 0);
    VG_OPEN(large, large->committed);
    heap->vmm->release(heap->vmm->context, large, large->reserved);
}

/* Resize in place. Within the committed pages always; beyond them, up to the
 * reservation, only when `may_commit` (a realloc that could move instead;
 * HEAP_REALLOC_IN_PLACE_ONLY keeps Windows' rule: a shrunk block's
 * decommitted pages do not come back). Shrinking decommits the pages no
 * longer needed. */
bool large_resize_in_place(strata_heap *heap, char *data, size_t size, bool may_commit)
{
    heap_acquire(heap, 0); /* before the check: see large_classify */
    large_block *large = large_checked(heap, data);
    size_t page = heap->vmm->page_size;
    size_t needed = align_up(size + LARGE_HEADER, page);
    if (needed > large->committed && (!may_commit || needed > large->reserved)) {
        heap_release(heap, 0);
        return false;
    }
    if (needed > large->committed) {
        if (heap->vmm->commit(heap->vmm->context, (char *)large + large->committed, needed - large->committed) !=
            STRATA_OK) {
            heap_release(heap, 0);
            return false;
        }
        heap_count_commit(heap, (ptrdiff_t)(needed - large->committed));
        large->committed = needed;
    }
    /* Only a shrink gives pages back: a growing block may hold more than
     * it needs (a cached block's commit is kept), and decommitting that at
     * each step of its growth, to commit and fault it in again at the next,
     * cost the realloc workload half its time. */
    bool shrinking = needed < large->committed && size < large->requested;
    if (shrinking)
        VG_OPEN((char *)large + needed, large->committed - needed);
    if (shrinking &&
        heap->vmm->decommit(heap->vmm->context, (char *)large + needed, large->committed - needed) == STRATA_OK) {
        heap_count_commit(heap, -(ptrdiff_t)(large->committed - needed));
        large->committed = needed;
    }
    large->requested = size;
    large_seal(heap, large);
    heap_release(heap, 0);
    return true;
}

void large_set_requested(strata_heap *heap, char *data, size_t requested)
{
    heap_acquire(heap, 0);
    large_block *large = large_checked(heap, data);
    large->requested = requested;
    large_seal(heap, large);
    heap_release(heap, 0);
}

void large_release_all(strata_heap *heap)
{
    large_cache_release(heap);
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
        const char *data = (const char *)large + LARGE_HEADER;
        if (!large_intact(heap, large) || large->prev != prev ||
            !hdr_is(heap, data, hdr_read(heap, data), TAG_LARGE_BUSY, 0) ||
            large->requested + LARGE_HEADER > large->committed || large->committed > large->reserved)
            return false;
        prev = large;
        if (++count > heap->large_count)
            return false;
    }
    return count == heap->large_count;
}
