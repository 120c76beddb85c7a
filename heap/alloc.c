/* SPDX-License-Identifier: MIT */
/*
 * heap/alloc.c — the heap's entry points: strata_heap_alloc, _alloc_cached,
 * _free and _realloc, and the choice of tier.
 *
 * The fast path, file by file: strata_heap_alloc (here) finds the calling
 * thread's part of the heap through one thread-local pointer and the heap's
 * slot in it (heap.c), the page of the size's class by table, and pops a
 * slot (front_pop, internal.h): the slot's side-table entry must say free,
 * and gets the requested size. strata_heap_free (here) finds the page from
 * the pointer's address alone (front_page_fast: segment map, unit map),
 * checks the pointer is a slot's start and the slot busy (front_slot_at),
 * and pushes it on the page's list (front_free_local) or, from another
 * thread, on the page's remote list with one CAS (front.c). Everything else
 * — sizes past the front end, a page that ran dry, a pointer the fast path
 * cannot vouch for — takes the slow paths below, which ask block.c what
 * the pointer is.
 */
#include "internal.h"

/* ---- Public entry points --------------------------------------------------- */
/* While a user holds the heap lock (strata_heap_lock), a serialized call
 * waits for it here; the holder's own calls pass (the lock is recursive). */
static inline void wait_if_user_locked(strata_heap *heap, uint32_t flags)
{
    if (atomic_load_explicit(&heap->fast_blocked, memory_order_acquire) && !(flags & STRATA_HEAP_NO_SERIALIZE))
        heap_wait_user_lock(heap);
}

static NOINLINE void *alloc_slow(strata_heap *heap, uint32_t flags, size_t size);

/* The current page of the size's class ran dry: another page of the
 * thread's part, or a new one (under the heap lock). Taken straight from
 * the fast path, which has proved the part is the thread's. */
static NOINLINE char *front_alloc_refill(strata_heap *heap, thread_part *part, size_t size)
{
    unsigned class_index = size <= SMALL_LOOKUP_MAX ? heap_small_class[(size + 7) >> 3] : class_of(size);
    if (class_stride(class_index) > heap->front_max_stride)
        return NULL;
    front_page *page = front_refill(heap, part, class_index, heap->flags);
    if (page == NULL)
        return NULL;
    char *data = front_pop(heap, page, size);
    VG_BLOCK_ALLOC(heap, data, size);
    return data;
}

/* The thread's cache: its current page for the size — `small` (up to
 * SMALL_LOOKUP_MAX, by table) or up to the largest front class — and with
 * `refill` another page when that one ran dry. NULL when the thread has no
 * part of this heap yet or a user holds the heap lock (fast_slot_offset
 * then names no slot), or no page can be had. (Without `refill`, a
 * caller's miss path is one tail call: strata_heap_alloc_cached inlined
 * into malloc.) Called with constant `refill` and `small`. */
static inline char *front_alloc_cached(strata_heap *heap, size_t size, bool refill, bool small)
{
    tls_slot *slot = (tls_slot *)(void *)((char *)heap_state() +
                                          atomic_load_explicit(&heap->fast_slot_offset, memory_order_relaxed));
    if (UNLIKELY(slot->generation != heap->generation))
        return NULL;
    front_page *page = small ? slot->part->direct[(size + 7) >> 3] : slot->part->current[class_of(size)];
    if (UNLIKELY(page->free == SLOT_END))
        return refill ? front_alloc_refill(heap, slot->part, size) : NULL;
    char *data = front_pop(heap, page, size);
    VG_BLOCK_ALLOC(heap, data, size);
    return data;
}

STRATA_API void *strata_heap_alloc_cached(strata_heap *heap, size_t size)
{
    if (LIKELY(heap != NULL && size <= SMALL_LOOKUP_MAX))
        return front_alloc_cached(heap, size, false, true);
    /* Larger front-end sizes by their class (a 1-32 KiB malloc went through
     * the crt's and the heap's slow entry points, 127 instructions). */
    if (heap != NULL && size <= MAX_FRONT_STRIDE)
        return front_alloc_cached(heap, size, false, false);
    return NULL;
}

STRATA_API void *strata_heap_alloc(strata_heap *heap, uint32_t flags, size_t size)
{
    if (LIKELY(heap != NULL)) {
        char *data = NULL;
        if (LIKELY(size <= SMALL_LOOKUP_MAX))
            data = front_alloc_cached(heap, size, true, true);
        else if (size <= MAX_FRONT_STRIDE)
            data = front_alloc_cached(heap, size, true, false);
        if (LIKELY(data != NULL)) {
            if (flags & STRATA_HEAP_ZERO_MEMORY)
                memset(data, 0, size);
            return data;
        }
    }
    return alloc_slow(heap, flags, size);
}

/* A block of the back end, whatever its size: under the heap lock. One
 * that realloc is growing gets the free space after it. */
static char *back_alloc_busy(strata_heap *heap, uint32_t flags, size_t size, bool room_to_grow)
{
    heap_acquire(heap, flags);
    char *data = back_alloc(heap, size, TAG_BACK_BUSY, size, room_to_grow);
    heap_release(heap, flags);
    return data;
}

static void *alloc_slow(strata_heap *heap, uint32_t flags, size_t size)
{
    if (heap == NULL)
        return NULL;
    flags |= heap->flags;
    if (size > STRATA_HEAP_MAX_REQUEST)
        return heap_fail(heap, flags);
    wait_if_user_locked(heap, flags);
    if (guard_wanted(heap, flags))
        return guard_alloc(heap, flags, size, STRATA_HEAP_ALIGNMENT);

    char *data = NULL;
    if (size >= STRATA_HEAP_LARGE_THRESHOLD) {
        if (!(heap->flags & STRATA_HEAP_GROWABLE))
            return heap_fail(heap, flags);
        data = large_alloc(heap, size, (flags & STRATA_HEAP_ZERO_MEMORY) != 0, false);
        if (data == NULL)
            return heap_fail(heap, flags);
        VG_BLOCK_ALLOC(heap, data, size);
        if (flags & STRATA_HEAP_ZERO_MEMORY)
            VG_OPEN(data, size); /* fresh pages: zero, and memcheck should know it */
        return data;
    }
    unsigned class_index = class_of(size);
    if (class_stride(class_index) <= heap->front_max_stride) {
        thread_part *part = heap_thread_part(heap, flags);
        if (part != NULL) {
            front_page *page = part->current[class_index];
            if (page->free == SLOT_END)
                page = front_refill(heap, part, class_index, flags);
            if (page != NULL)
                data = front_pop(heap, page, size);
        }
    }
    if (data == NULL) {
        data = back_alloc_busy(heap, flags, size, false);
        if (data == NULL)
            return heap_fail(heap, flags);
    }
    VG_BLOCK_ALLOC(heap, data, size);
    if (flags & STRATA_HEAP_ZERO_MEMORY)
        memset(data, 0, size);
    return data;
}

/* A front block's free, once the block is known live. */
static inline void front_free(strata_heap *heap, front_page *page, uint32_t slot)
{
    if (LIKELY(__atomic_load_n(&page->owner, __ATOMIC_RELAXED) == heap_state()))
        front_free_local(page, slot);
    else /* the side table proved the block; another thread's page takes it with one CAS */
        front_free_remote(heap, page, slot);
}

static NOINLINE bool free_slow(strata_heap *heap, uint32_t flags, char *data);

/* The fast path reads nothing next to the block: the segment map says the
 * address is in a segment of this heap (and that no user holds its lock),
 * the unit map which page, the page's stride that it is a slot's start, and
 * the side table that the slot is busy. Anything else takes the slow path,
 * which tells a double free from a foreign pointer. NULL is one of those:
 * no segment is at address 0, and a test of its own cost every free two
 * instructions. */
STRATA_API bool strata_heap_free(strata_heap *heap, uint32_t flags, void *block)
{
    char *data = block;
    if (LIKELY(heap != NULL)) {
        front_page *page = front_page_fast(heap, data);
        if (LIKELY(page != NULL)) {
            uint32_t slot = front_slot_at(page, data);
            if (LIKELY(slot != UINT32_MAX && slot_is_busy(page->slots[slot]))) {
                VG_BLOCK_FREE(heap, data);
                front_free(heap, page, slot);
                return true;
            }
        }
    }
    return free_slow(heap, flags, data);
}

static block_ref identify_or_die(strata_heap *heap, char *data)
{
    block_ref ref;
    block_state state = heap_block_classify(heap, data, &ref);
    if (state != BLOCK_LIVE)
        heap_block_misuse(heap, data, state, "double free", "invalid free: not a block of this heap");
    return ref;
}

static bool free_slow(strata_heap *heap, uint32_t flags, char *data)
{
    if (data == NULL)
        return true; /* HeapFree(heap, 0, NULL) succeeds, whatever the heap */
    if (heap == NULL)
        return false;
    flags |= heap->flags;
    wait_if_user_locked(heap, flags);
    block_ref ref = identify_or_die(heap, data);
    data = ref.data; /* an aligned pointer frees its outer block */
    VG_BLOCK_FREE(heap, data);
    switch (ref.kind) {
    case BLOCK_FRONT:
        front_free(heap, ref.page, ref.slot);
        break;
    case BLOCK_BACK:
        heap_acquire(heap, flags);
        back_free(heap, data);
        heap_release(heap, flags);
        break;
    case BLOCK_GUARD:
        guard_free(heap, flags, data);
        break;
    default:
        large_free(heap, data);
        break;
    }
    return true;
}

/* Where a realloc that moves a block puts it. A block that grows past a few
 * KiB goes to the back end, where its next growth can happen in place (a
 * front slot would be copied again at every size class); one that outgrows
 * the large threshold gets a reservation with room to grow. */
static char *realloc_destination(strata_heap *heap, uint32_t flags, size_t size, bool growing)
{
    bool large = size >= STRATA_HEAP_LARGE_THRESHOLD;
    if (!growing || size <= REALLOC_BACK_MIN || (large && !(heap->flags & STRATA_HEAP_GROWABLE)))
        return strata_heap_alloc(heap, flags & ~(STRATA_HEAP_ZERO_MEMORY | STRATA_HEAP_GENERATE_EXCEPTIONS), size);
    char *moved = large ? large_alloc(heap, size, false, true) : back_alloc_busy(heap, flags, size, true);
    if (moved != NULL)
        VG_BLOCK_ALLOC(heap, moved, size);
    return moved;
}

/* The end of a realloc that moves a block to `moved`, of `size`: the
 * contents up to the old usable size (a program may fill a block up to its
 * usable size), zeroes past the old requested size if asked, the old block
 * freed. Under memcheck only the requested bytes are the block's. */
static char *realloc_move(strata_heap *heap, uint32_t flags, char *data, size_t old_size, size_t old_usable,
                          char *moved, size_t size)
{
    size_t kept = VG_ACTIVE() ? old_size : old_usable;
    memcpy(moved, data, size < kept ? size : kept);
    if ((flags & STRATA_HEAP_ZERO_MEMORY) && size > old_size)
        memset(moved + old_size, 0, size - old_size);
    strata_heap_free(heap, flags, data);
    return moved;
}

/* Realloc of an aligned block: in place while the outer block has room
 * (the alignment is kept), else to a new ordinary block. */
static NOINLINE void *aligned_realloc(strata_heap *heap, uint32_t flags, char *data, const block_ref *ref, size_t size)
{
    size_t offset = ref->offset;
    size_t old_size = ref->requested - offset;
    if (size <= ref->usable - offset || (flags & STRATA_HEAP_REALLOC_IN_PLACE_ONLY)) {
        if (strata_heap_realloc(heap, flags | STRATA_HEAP_REALLOC_IN_PLACE_ONLY, ref->data, offset + size) == NULL)
            return NULL;
        return data;
    }
    char *moved = strata_heap_alloc(heap, flags & ~(uint32_t)STRATA_HEAP_ZERO_MEMORY, size);
    if (moved == NULL)
        return NULL;
    return realloc_move(heap, flags, data, old_size, ref->usable - offset, moved, size);
}

STRATA_API void *strata_heap_realloc(strata_heap *heap, uint32_t flags, void *block, size_t size)
{
    char *data = block;
    if (data == NULL || heap == NULL)
        return NULL;
    flags |= heap->flags;
    if (size > STRATA_HEAP_MAX_REQUEST)
        return heap_fail(heap, flags);
    wait_if_user_locked(heap, flags);
    block_ref ref = identify_or_die(heap, data);
    if (UNLIKELY(ref.offset != 0))
        return aligned_realloc(heap, flags, data, &ref, size);
    bool in_place_only = (flags & STRATA_HEAP_REALLOC_IN_PLACE_ONLY) != 0;
    bool done = false;
    switch (ref.kind) {
    case BLOCK_FRONT:
        /* Stay in the slot when the size fits and the slot is not far too big. */
        if (size <= ref.usable && (in_place_only || size > ref.page->stride / 2 || ref.page->stride <= 32)) {
            ref.page->slots[ref.slot] = slot_busy_entry(size);
            done = true;
        }
        break;
    case BLOCK_BACK:
        if (size < STRATA_HEAP_LARGE_THRESHOLD &&
            (size >= ref.requested / 2 || in_place_only || size > heap->front_max_stride)) {
            heap_acquire(heap, flags);
            done = back_resize_in_place(heap, data, size);
            if (done) {
                back_set_value(heap, data, (uint32_t)size);
                /* A shrink closes the old tail, where the split-off rest keeps its header. */
                VG_BLOCK_RESIZE(heap, data, ref.requested, size);
                if (VG_ACTIVE() && size < ref.requested)
                    back_open_next_header(heap, data);
            }
            heap_release(heap, flags);
        }
        break;
    case BLOCK_GUARD:
        done = guard_resize_in_place(heap, flags, data, size);
        break;
    default:
        if (size >= STRATA_HEAP_LARGE_THRESHOLD || in_place_only)
            done = large_resize_in_place(heap, data, size, !in_place_only);
        break;
    }
    if (done) {
        if (ref.kind != BLOCK_BACK)
            VG_BLOCK_RESIZE(heap, data, ref.requested, size);
        if ((flags & STRATA_HEAP_ZERO_MEMORY) && size > ref.requested)
            memset(data + ref.requested, 0, size - ref.requested);
        return data;
    }
    if (in_place_only)
        return heap_fail(heap, flags);
    /* A guarded block stays guarded. */
    char *moved = ref.kind == BLOCK_GUARD ? guard_alloc(heap, flags & ~(uint32_t)STRATA_HEAP_GENERATE_EXCEPTIONS, size,
                                                        STRATA_HEAP_ALIGNMENT)
                                          : realloc_destination(heap, flags, size, size > ref.requested);
    if (moved == NULL)
        return heap_fail(heap, flags);
    return realloc_move(heap, flags, data, ref.requested, ref.usable, moved, size);
}
