/*
 * heap/front.c — the front end (the LFH's role) and the public entry points
 * strata_heap_alloc / _free / _realloc.
 *
 * Same-thread fast path: class by table, pop from the page's local free
 * list, write the block header. No lock, no atomic read-modify-write. A free
 * from the page's owner pushes back onto that list; a free from any other
 * thread pushes with one CAS onto the page's thread_free list, which the
 * owner collects when its local list runs dry.
 */
#include "internal.h"

front_page heap_empty_page = {.free = SLOT_END}; /* a page with nothing free: parts start on it */

/* ---- Size classes -------------------------------------------------------- */
/* Strides 16..128 by 16, then four per power of two up to 32768. A slot is
 * all data: its state is in the page's side table. */
size_t class_stride(unsigned class_index)
{
    if (class_index < 8)
        return 16u * (class_index + 1);
    unsigned e = 7 + (class_index - 8) / 4;
    unsigned step = (class_index - 8) % 4 + 1;
    return ((size_t)1 << e) + step * ((size_t)1 << (e - 2));
}

unsigned class_of(size_t size)
{
    size_t needed = align_up(size == 0 ? 1 : size, 16);
    if (needed <= 128)
        return (unsigned)(needed / 16 - 1);
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)(needed - 1));
    size_t step = (size_t)1 << (e - 2);
    unsigned index = (unsigned)((needed - ((size_t)1 << e) + step - 1) / step) - 1;
    return 8 + (e - 7) * 4 + index;
}

/* ---- Lists of a part (owner only) ---------------------------------------- */
void front_set_current(thread_part *part, unsigned class_index, front_page *page)
{
    part->current[class_index] = page;
    for (unsigned i = heap_class_lookup_first[class_index]; i < heap_class_lookup_first[class_index + 1]; i++)
        part->direct[i] = page;
}

static void list_remove(front_page **head, front_page *page)
{
    if (page->prev)
        page->prev->next = page->next;
    else
        *head = page->next;
    if (page->next)
        page->next->prev = page->prev;
    page->next = page->prev = NULL;
}

static void list_push(front_page **head, front_page *page)
{
    page->prev = NULL;
    page->next = *head;
    if (*head)
        (*head)->prev = page;
    *head = page;
}

/* in_full is written by the owner and read by threads freeing into the
 * page (front_free_remote), hence the atomics. */
static void move_to_full(thread_part *part, front_page *page)
{
    list_remove(&part->avail[page->class_index], page);
    list_push(&part->full[page->class_index], page);
    __atomic_store_n(&page->in_full, 1, __ATOMIC_SEQ_CST);
}

static void front_unfull(front_page *page)
{
    thread_part *part = page->part;
    list_remove(&part->full[page->class_index], page);
    list_push(&part->avail[page->class_index], page);
    __atomic_store_n(&page->in_full, 0, __ATOMIC_RELAXED);
}

/* The owner freed into a full page. It goes back on the avail list once an
 * eighth of it is free: back at its first free, it would be picked, drained
 * of that one slot and found full again at every other allocation (a random
 * churn spent an eighth of its mallocs so). Until then the flag sends the
 * next refill through the full list before it makes a page. */
static NOINLINE void front_full_page_freed(front_page *page)
{
    if (page->capacity - page->used > page->capacity / 8)
        front_unfull(page);
    else
        atomic_store_explicit(&page->part->full_frees[page->class_index], 1, memory_order_relaxed);
}

/* A remote free can race with its page turning full and leave no flag
 * behind; the few pages that turned full last are looked at anyway before
 * a new page is made. */
#define FULL_PAGES_RECHECKED 8

/* ---- Pages --------------------------------------------------------------- */
/* A page's thread_free word: the first slot of the list other threads freed
 * into, plus one (0: empty), and the list's length above bit 32, so the
 * owner takes the list and its count with one exchange. The links are in
 * the side table, like the local list's. */
static inline void check_slot(const strata_heap *heap, const front_page *page, uint32_t slot)
{
    if (UNLIKELY(slot >= __atomic_load_n(&page->bump, __ATOMIC_RELAXED)))
        heap_corruption(heap, page->area + 16, "free-list link corrupted");
}

/* Take the frees other threads made into this page. Owner only. */
void front_collect(strata_heap *heap, front_page *page)
{
    /* A plain load first: the exchange is a locked instruction. */
    if (atomic_load_explicit(&page->thread_free, memory_order_relaxed) == 0)
        return;
    uint64_t word = atomic_exchange_explicit(&page->thread_free, 0, memory_order_acquire);
    uint32_t head = (uint32_t)word - 1;
    uint32_t count = (uint32_t)(word >> 32);
    check_slot(heap, page, head);
    if (page->free != SLOT_END) { /* the local list goes after the remote one */
        uint32_t tail = head;
        for (uint32_t n = 1; n < count; n++) {
            tail = slot_next(page->slots[tail]);
            check_slot(heap, page, tail);
        }
        page->slots[tail] = slot_free_entry(page->free);
    }
    page->free = head;
    page->used -= count;
}

/* Put a few never-used slots on the free list (about 4 KiB of them), so a
 * walk reports the rest of the page as one untouched block. */
static bool front_extend(front_page *page)
{
    if (page->bump >= page->capacity)
        return false;
    uint32_t count = (uint32_t)(4096 / page->stride);
    if (count == 0)
        count = 1;
    if (count > page->capacity - page->bump)
        count = page->capacity - page->bump;
    /* In address order, as the slots will be handed out. */
    uint32_t first = page->bump, last = first + count - 1;
    for (uint32_t slot = first; slot < last; slot++)
        page->slots[slot] = slot_free_entry(slot + 1);
    page->slots[last] = slot_free_entry(page->free);
    page->free = first;
    __atomic_store_n(&page->bump, page->bump + count, __ATOMIC_RELEASE); /* read by other threads' checks */
    return true;
}

size_t heap_page_bytes(const strata_heap *heap, size_t stride)
{
    size_t bytes = align_up(stride * 8, heap->page_unit);
    return bytes < heap->page_unit ? heap->page_unit : bytes;
}

/* Point the units a page covers at its descriptor (by offset from the
 * segment), or at nothing (0). */
static void map_units(strata_heap *heap, segment *seg, const char *data, size_t bytes, const front_page *page)
{
    uint16_t number = page != NULL ? (uint16_t)((const char *)page - (const char *)seg) : 0;
    size_t first = (size_t)(data - (char *)seg) >> heap->unit_shift;
    for (size_t unit = first; unit < first + (bytes >> heap->unit_shift); unit++)
        __atomic_store_n(&seg->unit_pages[unit], number, __ATOMIC_RELEASE);
}

static front_page *front_page_new(strata_heap *heap, thread_part *part, unsigned class_index, uint32_t flags)
{
    size_t stride = class_stride(class_index);
    size_t bytes = heap_page_bytes(heap, stride);
    heap_acquire(heap, flags);
    char *data = back_alloc_page(heap, bytes);
    front_page *page = NULL;
    if (data != NULL) {
        segment *seg = back_segment_of(heap, data);
        page = back_page_take(seg);
        if (page != NULL && !back_side_commit(heap, seg, page->index)) {
            page->in_use = false;
            page = NULL;
        }
        if (page == NULL) {
            back_free(heap, data);
        } else {
            back_set_value(heap, data, page->index + 1u);
            page->area = data - 16;
            page->first_offset = (uint32_t)(data - (char *)seg);
            page->capacity = (uint32_t)((bytes - 16) / stride);
            page->span = page->capacity * (uint32_t)stride;
            page->stride = (uint32_t)stride;
            page->reciprocal = (((uint64_t)1 << 40) + stride - 1) / stride;
            page->slots = seg->side + (size_t)page->index * heap->side_slots;
            page->class_index = (uint8_t)class_index;
            page->used = 0;
            __atomic_store_n(&page->bump, 0, __ATOMIC_RELAXED);
            page->free = SLOT_END;
            page->in_full = 0;
            atomic_store_explicit(&page->thread_free, 0, memory_order_relaxed);
            page->part = part;
            __atomic_store_n(&page->owner, part->owner, __ATOMIC_RELAXED);
            list_push(&part->avail[class_index], page);
            map_units(heap, seg, data, bytes, page);
        }
    }
    heap_release(heap, flags);
    return page;
}

/* Whether a page the refill looks at can serve. An empty page starts over
 * from its first slot: slots handed out in address order let the
 * prefetcher run ahead. Owner only; no live block means no remote free is
 * pending either (those count as used until collected). */
static bool front_usable(strata_heap *heap, front_page *page)
{
    front_collect(heap, page);
    if (page->used == 0 && page->bump != 0) {
        page->free = SLOT_END;
        __atomic_store_n(&page->bump, 0, __ATOMIC_RELEASE);
    }
    return page->free != SLOT_END || front_extend(page);
}

/* The current page of a class has nothing free: find or make one that has. */
static front_page *front_refill(strata_heap *heap, thread_part *part, unsigned class_index, uint32_t flags)
{
    front_page *page = part->current[class_index];
    if (page != &heap_empty_page) {
        if (front_usable(heap, page))
            return page;
        move_to_full(part, page);
    }
    while ((page = part->avail[class_index]) != NULL) {
        if (front_usable(heap, page))
            goto found;
        move_to_full(part, page);
    }
    bool flagged = atomic_exchange_explicit(&part->full_frees[class_index], 0, memory_order_acquire);
    unsigned budget = flagged ? UINT32_MAX : FULL_PAGES_RECHECKED;
    for (page = part->full[class_index]; page != NULL && budget-- > 0; page = page->next) {
        if (page->free != SLOT_END || atomic_load_explicit(&page->thread_free, memory_order_relaxed) != 0) {
            front_unfull(page);
            front_collect(heap, page);
            goto found;
        }
    }
    page = front_page_new(heap, part, class_index, flags);
    if (page == NULL) {
        front_set_current(part, class_index, &heap_empty_page);
        return NULL;
    }
    front_extend(page);
found:
    front_set_current(part, class_index, page);
    return page;
}

/* Hand out the first free slot of a page that has one. The slot must be
 * free in the side table: a busy one there means the list was damaged. */
static inline char *front_pop(strata_heap *heap, front_page *page, size_t size)
{
    uint32_t slot = page->free;
    uint32_t entry = page->slots[slot];
    if (UNLIKELY(slot_is_busy(entry)))
        heap_corruption(heap, front_slot_data(page, slot), "free-list link corrupted");
    page->free = slot_next(entry);
    page->slots[slot] = slot_busy_entry(size);
    page->used++;
    return front_slot_data(page, slot);
}

/* A free from a thread that does not own the page: one CAS. */
NOINLINE void front_free_remote(strata_heap *heap, front_page *page, uint32_t slot)
{
    (void)heap;
    /* Read what is needed before the push: afterwards the owner may retire the page. */
    bool in_full = __atomic_load_n(&page->in_full, __ATOMIC_SEQ_CST);
    thread_part *part = page->part;
    unsigned class_index = page->class_index;
    uint64_t word = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
    do {
        page->slots[slot] = slot_free_entry(word != 0 ? (uint32_t)word - 1 : SLOT_END);
    } while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &word, ((word >> 32) + 1) << 32 | (slot + 1),
                                                    memory_order_release, memory_order_relaxed));
    if (in_full && part != NULL)
        atomic_store_explicit(&part->full_frees[class_index], 1, memory_order_release);
}

static inline void front_free_local(front_page *page, uint32_t slot)
{
    page->slots[slot] = slot_free_entry(page->free);
    page->free = slot;
    page->used--;
    if (UNLIKELY(page->in_full))
        front_full_page_freed(page);
}

/* Hand a part back: its pages keep their live blocks and lose their owner;
 * empty ones return to the back end. Heap lock held. */
void front_part_release(strata_heap *heap, thread_part *part)
{
    front_part_trim(heap, part);
    for (unsigned c = 0; c < CLASS_COUNT; c++) {
        for (front_page *page = part->avail[c]; page; page = page->next)
            __atomic_store_n(&page->owner, NULL, __ATOMIC_RELAXED);
        for (front_page *page = part->full[c]; page; page = page->next)
            __atomic_store_n(&page->owner, NULL, __ATOMIC_RELAXED);
        front_set_current(part, c, &heap_empty_page);
    }
    part->owner = NULL;
}

static void front_page_retire(strata_heap *heap, thread_part *part, front_page *page)
{
    list_remove(page->in_full ? &part->full[page->class_index] : &part->avail[page->class_index], page);
    if (part->current[page->class_index] == page)
        front_set_current(part, page->class_index, &heap_empty_page);
    char *block = page->area + 16;
    map_units(heap, back_segment_of(heap, block), block, back_block_bytes(heap, block), NULL);
    page->in_use = false;
    __atomic_store_n(&page->owner, NULL, __ATOMIC_RELAXED);
    page->part = NULL;
    back_free(heap, block);
}

/* Return the part's empty pages to the back end. The caller owns the part
 * (its thread, or the heap lock for an unowned part) and holds the heap lock.
 * Returns the bytes given back. */
size_t front_part_trim(strata_heap *heap, thread_part *part)
{
    size_t bytes = 0;
    for (unsigned c = 0; c < CLASS_COUNT; c++) {
        front_page **lists[2] = {&part->avail[c], &part->full[c]};
        for (int l = 0; l < 2; l++) {
            front_page *page = *lists[l];
            while (page != NULL) {
                front_page *next = page->next;
                front_collect(heap, page);
                if (page->used == 0) {
                    bytes += back_usable(heap, page->area + 16);
                    front_page_retire(heap, part, page);
                }
                page = next;
            }
        }
    }
    return bytes;
}

/* ---- Public entry points --------------------------------------------------- */
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

/* A block of the back end, whatever its size: under the heap lock. */
static char *back_alloc_busy(strata_heap *heap, uint32_t flags, size_t size)
{
    heap_acquire(heap, flags);
    char *data = back_alloc(heap, size, TAG_BACK_BUSY, size);
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
    if (atomic_load_explicit(&heap->fast_blocked, memory_order_acquire) && !(flags & STRATA_HEAP_NO_SERIALIZE))
        heap_wait_user_lock(heap);

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
        data = back_alloc_busy(heap, flags, size);
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
 * which tells a double free from a foreign pointer. */
STRATA_API bool strata_heap_free(strata_heap *heap, uint32_t flags, void *block)
{
    char *data = block;
    if (UNLIKELY(data == NULL))
        return true; /* HeapFree(heap, 0, NULL) succeeds, whatever the heap */
    if (LIKELY(heap != NULL)) {
        front_page *page = front_page_fast(heap, data);
        if (LIKELY(page != NULL)) {
            uint32_t slot = front_slot_at(page, (uintptr_t)data & (GROWABLE_SEGMENT_SIZE - 1));
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
        return true;
    if (heap == NULL)
        return false;
    flags |= heap->flags;
    if (atomic_load_explicit(&heap->fast_blocked, memory_order_acquire) && !(flags & STRATA_HEAP_NO_SERIALIZE))
        heap_wait_user_lock(heap);
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
    char *moved = large ? large_alloc(heap, size, false, true) : back_alloc_busy(heap, flags, size);
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
    if (atomic_load_explicit(&heap->fast_blocked, memory_order_acquire) && !(flags & STRATA_HEAP_NO_SERIALIZE))
        heap_wait_user_lock(heap);
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
    char *moved = realloc_destination(heap, flags, size, size > ref.requested);
    if (moved == NULL)
        return heap_fail(heap, flags);
    return realloc_move(heap, flags, data, ref.requested, ref.usable, moved, size);
}
