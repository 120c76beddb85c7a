/* SPDX-License-Identifier: MIT */
/*
 * heap/front.c — the front end (the LFH's role): size classes, pages and
 * their side tables, threads' lists of pages, refills, remote frees.
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
    unsigned step_shift = e - 2; /* a quarter of the power of two: shifted, not divided (a division cost ~25 cycles) */
    unsigned index = (unsigned)((needed - ((size_t)1 << e) + ((size_t)1 << step_shift) - 1) >> step_shift) - 1;
    return 8 + (e - 7) * 4 + index;
}

/* ---- Lists of a part (owner only) ---------------------------------------- */
/* Their lock (thread_part.lists_held): the owner takes it with one
 * exchange and gives it back with a plain store; a thread taking an idle
 * owner's pages only tries it, so the owner is the only one that ever
 * waits, and never for long. (strata_lock's two locked instructions and
 * two calls cost a 1-32 KiB churn 2% of its instructions.) */
static inline bool part_lists_try(thread_part *part)
{
    return !atomic_exchange_explicit(&part->lists_held, 1, memory_order_acquire);
}

static NOINLINE void part_lists_wait(thread_part *part)
{
    for (unsigned spin = 0; !part_lists_try(part); spin++)
        if (spin >= 64)
            strata_platform_sleep(0);
}

static inline void part_lists_enter(thread_part *part)
{
    if (UNLIKELY(!part_lists_try(part)))
        part_lists_wait(part);
}

static inline void part_lists_leave(thread_part *part)
{
    atomic_store_explicit(&part->lists_held, 0, memory_order_release);
}

void front_set_current(thread_part *part, unsigned class_index, front_page *page)
{
    front_page *old = part->current[class_index];
    if (old != NULL && old != &heap_empty_page)
        old->is_current = false;
    if (page != &heap_empty_page)
        page->is_current = true;
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

/* in_full is the owner's alone: other threads' frees reach a full page
 * through the part's remote stack, not through this flag. */
static void move_to_full(thread_part *part, front_page *page)
{
    list_remove(&part->avail[page->class_index], page);
    list_push(&part->full[page->class_index], page);
    page->in_full = 1;
    page->unfull_below = page->capacity - page->capacity / 8;
}

static void front_unfull(front_page *page)
{
    thread_part *part = page->part;
    list_remove(&part->full[page->class_index], page);
    list_push(&part->avail[page->class_index], page);
    page->in_full = 0;
}

/* The owner freed an eighth of a full page, or emptied a page.
 * A full page goes back on the avail list once an eighth of it is free:
 * back at its first free, it would be picked, drained of that one slot and
 * found full again at every other allocation (a random churn spent an
 * eighth of its mallocs so). Until then each free raises the class's flag
 * (front_free_local), which sends the next refill through the full list
 * before it makes a page.
 * An emptied page that is not its class's current one goes back to the
 * back end (whose purge gives its memory back to the OS) once its class
 * has spare empty pages enough, so that a burst of blocks, once freed,
 * does not stay with the thread. */
static void front_page_retire(strata_heap *heap, thread_part *part, front_page *page);

/* A remote free is still queueing the page (front_free_remote): it holds it. */
static bool front_page_queuing(const front_page *page)
{
    return (atomic_load_explicit(&page->thread_free, memory_order_acquire) & REMOTE_QUEUING_MASK) != 0;
}

/* An emptied page is kept while its class has fewer spare empty pages than
 * this (counted among the first few of its lists), so that a class whose
 * blocks come and go does not make and retire a page at every turn. */
#define SPARE_EMPTY_PAGES 4
#define SPARE_SCAN 8

static unsigned front_spare_pages(const thread_part *part, const front_page *emptied)
{
    unsigned spare = 0, seen = 0;
    for (const front_page *page = part->avail[emptied->class_index]; page != NULL && seen < SPARE_SCAN;
         page = page->next, seen++)
        spare += page != emptied && page->used == 0;
    return spare;
}

/* The owner freed a block of its page, which leaves the page empty and not
 * current, or is in its full list: `used` is stored here, after everything
 * read from the descriptor. From that store on, a taker may retire the
 * page (front_reclaim_part) and release its segment; the descriptor is read
 * again only under the lists' lock, and only if no taker retired a page of
 * the part since (the part's `taken`), so the page is still ours and there. */
NOINLINE void front_page_freed_slow(front_page *page, uint32_t used)
{
    thread_part *part = page->part; /* the caller's: a block of it was live */
    unsigned class_index = page->class_index;
    bool full = page->in_full;
    uint32_t unfull_below = page->unfull_below;
    uint32_t taken = atomic_load_explicit(&part->taken, memory_order_relaxed);
    __atomic_store_n(&page->used, used, __ATOMIC_RELEASE);
    if (full && used >= unfull_below) {
        /* Most frees in a steady churn: the flag alone. */
        atomic_store_explicit(&part->full_frees[class_index], 1, memory_order_relaxed);
        return;
    }
    part_lists_enter(part);
    if (atomic_load_explicit(&part->taken, memory_order_relaxed) == taken) {
        HEAP_ASSERT(page->in_use && page->part == part);
        if (page->in_full && page->used < page->unfull_below)
            front_unfull(page);
        if (page->used == 0 && !page->is_current && !front_page_queuing(page) &&
            front_spare_pages(part, page) >= SPARE_EMPTY_PAGES) {
            strata_heap *heap = part->heap;
            heap_acquire(heap, 0);
            front_page_retire(heap, part, page);
            heap_release(heap, 0);
        }
    }
    part_lists_leave(part);
}

/* ---- Pages --------------------------------------------------------------- */
/* A page's thread_free word (REMOTE_HEAD, REMOTE_TAIL, REMOTE_COUNT in
 * layout.h): the owner takes the list, its end and its count with one
 * exchange, and joins it to its own list without walking links other
 * threads wrote (that walk missed the cache at every link: a tenth of
 * larson's time). The links are in the side table, like the local list's. */
static inline void check_slot(const strata_heap *heap, const front_page *page, uint32_t slot)
{
    if (UNLIKELY(slot >= __atomic_load_n(&page->bump, __ATOMIC_RELAXED)))
        heap_corruption(heap, page->area + 16, "free-list link corrupted");
}

/* Take the frees other threads made into this page. Owner only. */
void front_collect(strata_heap *heap, front_page *page)
{
    /* A plain load first: the exchange is a locked instruction. */
    uint64_t word = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
    if ((word & ~REMOTE_QUEUING_MASK) == 0)
        return;
    while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &word, word & REMOTE_QUEUING_MASK,
                                                  memory_order_acquire, memory_order_relaxed))
        ;
    uint32_t head = REMOTE_HEAD(word), tail = REMOTE_TAIL(word), count = REMOTE_COUNT(word);
    check_slot(heap, page, head);
    check_slot(heap, page, tail);
    if (UNLIKELY(count == 0 || count > page->used))
        heap_corruption(heap, page->area + 16, "free-list link corrupted");
    if (page->free != SLOT_END) /* the local list goes after the remote one */
        page->slots[tail] = slot_free_entry(page->free);
    page->free = head;
    page->used -= count;
}

/* Put a few never-used slots on the free list (about 4 KiB of them), so a
 * walk reports the rest of the page as one untouched block. */
static bool front_extend(front_page *page)
{
    HEAP_ASSERT(page->bump <= page->capacity && page->capacity <= SLOT_END);
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

/* At least sixteen slots, in whole units: with eight, a churn of 1-32 KiB
 * blocks ran its pages dry, and made new ones under the heap lock, twice
 * as often (medium: 0.15-0.20 s -> 0.12 s, and less memory, since a
 * class's few pages are fuller). */
size_t heap_page_bytes(const strata_heap *heap, size_t stride)
{
    size_t bytes = align_up(stride * 16, heap->page_unit);
    return bytes < heap->page_unit ? heap->page_unit : bytes;
}

/* Point the units a page covers at its descriptor (by offset from the
 * segment), or at nothing (0). */
static void map_units(strata_heap *heap, segment *seg, const char *data, size_t bytes, const front_page *page)
{
    HEAP_ASSERT(((uintptr_t)data & (heap->page_unit - 1)) == 0 && (bytes & (heap->page_unit - 1)) == 0);
    HEAP_ASSERT((size_t)(data - (char *)seg) + bytes <= seg->size);
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
    /* A thread making a page is the one that can use what idle owners hold. */
    if (!((flags | heap->flags) & STRATA_HEAP_NO_SERIALIZE))
        front_reclaim_idle_when_due(heap);
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
            page->capacity = (uint32_t)((bytes - 16) / stride);
            page->span = page->capacity * (uint32_t)stride;
            page->stride = (uint32_t)stride;
            front_page_set_divisor(page, stride);
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

/* Take the pages other threads began to free into (front_free_remote
 * queued each once, when its remote list went from empty to not): a full
 * one goes back on its class's avail list, and one that every block has
 * left goes back to the back end, so that memory freed by other threads is
 * reused whatever the owner's page lists look like. Owner only; the cost
 * is one load when nothing was queued. */
static void front_take_remote_pages(strata_heap *heap, thread_part *part, uint32_t flags)
{
    if (atomic_load_explicit(&part->remote_pages, memory_order_relaxed) == NULL)
        return;
    front_page *page = atomic_exchange_explicit(&part->remote_pages, NULL, memory_order_acquire);
    atomic_store_explicit(&part->remote_pages_queued, 0, memory_order_relaxed);
    while (page != NULL) {
        front_page *next = page->next_remote;
        atomic_store_explicit(&page->remote_queued, 0, memory_order_release);
        if (page->in_use && page->part == part) {
            front_collect(heap, page);
            /* Kept, as a spare, while its class has few: pages of the larger
             * classes hold a few slots each, and retiring every one other
             * threads emptied made the owner take the heap lock for a new
             * one soon after (a cross-thread churn of random sizes waited
             * on the lock 1,600 times). */
            if (page->used == 0 && part->current[page->class_index] != page && !front_page_queuing(page) &&
                front_spare_pages(part, page) >= SPARE_EMPTY_PAGES) {
                heap_acquire(heap, flags);
                front_page_retire(heap, part, page);
                heap_release(heap, flags);
            } else if (page->in_full && page->free != SLOT_END) {
                front_unfull(page);
            }
        }
        page = next;
    }
}

/* The current page of a class has nothing free, and the part's lists are
 * held: find or make a page that has. */
static front_page *front_refill_from_lists(strata_heap *heap, thread_part *part, unsigned class_index,
                                           uint32_t flags)
{
    front_page *page = part->current[class_index];
    if (page != &heap_empty_page)
        move_to_full(part, page);
    front_take_remote_pages(heap, part, flags);
    while ((page = part->avail[class_index]) != NULL) {
        if (front_usable(heap, page))
            goto found;
        move_to_full(part, page);
    }
    /* Full pages the owner freed into (the flag); those other threads freed
     * into came back through the remote stack above. */
    bool flagged = atomic_exchange_explicit(&part->full_frees[class_index], 0, memory_order_relaxed);
    for (page = flagged ? part->full[class_index] : NULL; page != NULL; page = page->next) {
        if (page->free != SLOT_END ||
            (atomic_load_explicit(&page->thread_free, memory_order_relaxed) & ~REMOTE_QUEUING_MASK) != 0) {
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

/* The current page of a class has nothing free: more of it, or another.
 * No other thread takes a current page, so extending it needs no lock;
 * the lists do. */
front_page *front_refill(strata_heap *heap, thread_part *part, unsigned class_index, uint32_t flags)
{
    front_page *page = part->current[class_index];
    if (page != &heap_empty_page && front_usable(heap, page))
        return page;
    part_lists_enter(part);
    atomic_store_explicit(&part->refills, atomic_load_explicit(&part->refills, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    page = front_refill_from_lists(heap, part, class_index, flags);
    part_lists_leave(part);
    return page;
}

static void front_reclaim_queued(strata_heap *heap, thread_part *part);

/* Pages queued on a part's remote stack, with no refill of its owner to
 * take them, after which the freeing thread takes the emptied ones back
 * itself (front_reclaim_queued): 64 pages of at least 64 KiB. */
#define RECLAIM_QUEUED_PAGES 64

/* A free from a thread that does not own the page: one CAS. */
NOINLINE void front_free_remote(strata_heap *heap, front_page *page, uint32_t slot)
{
    /* Read before the push: afterwards the owner may retire the page. */
    thread_part *part = page->part;
    uint64_t word = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
    uint64_t pushed;
    bool first;
    do {
        first = (word & ~REMOTE_QUEUING_MASK) == 0;
        page->slots[slot] = slot_free_entry(!first ? REMOTE_HEAD(word) : SLOT_END);
        uint32_t tail = !first ? REMOTE_TAIL(word) : slot; /* the first push is the end */
        pushed = remote_word(slot, tail, REMOTE_COUNT(word) + 1u) | (word & REMOTE_QUEUING_MASK) |
                 (first && part != NULL ? REMOTE_QUEUING_ONE : 0);
    } while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &word, pushed, memory_order_release,
                                                    memory_order_relaxed));
    if (!first || part == NULL)
        return; /* the page is not touched after the push */
    /* The first remote free since the owner last collected queues the page
     * for it (once: the flag stays until the owner takes it off). The
     * queuing count in the word holds the page meanwhile: no taker retires
     * it, whatever else was freed, until the count goes down, the last
     * touch of the page. */
    uint32_t queued = 0;
    if (!atomic_exchange_explicit(&page->remote_queued, 1, memory_order_acq_rel)) {
        front_page *head = atomic_load_explicit(&part->remote_pages, memory_order_relaxed);
        do {
            page->next_remote = head;
        } while (!atomic_compare_exchange_weak_explicit(&part->remote_pages, &head, page, memory_order_release,
                                                        memory_order_relaxed));
        queued = atomic_fetch_add_explicit(&part->remote_pages_queued, 1, memory_order_relaxed) + 1;
    }
    atomic_fetch_sub_explicit(&page->thread_free, REMOTE_QUEUING_ONE, memory_order_release);
    if (UNLIKELY(queued >= RECLAIM_QUEUED_PAGES))
        front_reclaim_queued(heap, part);
}

static size_t front_part_trim_keeping(strata_heap *heap, thread_part *part, bool keep_one);

/* Hand a part back: its pages keep their live blocks and lose their owner;
 * empty ones return to the back end, but for one of each class, which the
 * next thread given the part starts from (a thread that makes a hundred
 * blocks and exits made a page of each class under the heap lock, and
 * retired it, for every thread: 40% of a thread churn's instructions). The
 * pass over idle owners trims unowned parts whole. Heap lock held. */
void front_part_release(strata_heap *heap, thread_part *part)
{
    front_part_trim_keeping(heap, part, true);
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
    /* The block may end a few bytes past its last unit (back_alloc_page). */
    size_t bytes = back_block_bytes(heap, block) & ~(heap->page_unit - 1);
    map_units(heap, back_segment_of(heap, block), block, bytes, NULL);
    page->in_use = false;
    __atomic_store_n(&page->owner, NULL, __ATOMIC_RELAXED);
    back_free(heap, block); /* `part` stays: see front_free_local */
}

/* Return the part's empty pages to the back end, but for one of each class
 * with `keep_one`. The caller owns the part (its thread, or the heap lock
 * for an unowned part) and holds the heap lock. Returns the bytes given back. */
static size_t front_part_trim_keeping(strata_heap *heap, thread_part *part, bool keep_one)
{
    /* First the remote stack: no page retired below may stay on it (its
     * segment could then be released under it). */
    front_take_remote_pages(heap, part, 0);
    size_t bytes = 0;
    for (unsigned c = 0; c < CLASS_COUNT; c++) {
        bool kept = !keep_one;
        front_page **lists[2] = {&part->avail[c], &part->full[c]};
        for (int l = 0; l < 2; l++) {
            front_page *page = *lists[l];
            while (page != NULL) {
                front_page *next = page->next;
                front_collect(heap, page);
                if (page->used == 0 && !front_page_queuing(page)) {
                    if (!kept && !page->in_full) {
                        kept = true;
                    } else {
                        bytes += back_usable(heap, page->area + 16);
                        front_page_retire(heap, part, page);
                    }
                }
                page = next;
            }
        }
    }
    return bytes;
}

size_t front_part_trim(strata_heap *heap, thread_part *part)
{
    return front_part_trim_keeping(heap, part, false);
}


/* ---- Pages of owners that stopped allocating ------------------------------ */
/* A live owner's page that another thread may retire: no block in it is
 * live, so no free can come to it, and it is not its class's current page,
 * the one page the owner's fast path allocates from. The caller holds the
 * part's lists, so `used` can only fall (the owner freeing) and the remote
 * count only rise (other threads freeing): read in this order, equal
 * values mean no block was live when `used` was read. */
static bool front_page_unheld(const front_page *page)
{
    uint64_t word = atomic_load_explicit(&page->thread_free, memory_order_acquire);
    uint32_t used = __atomic_load_n(&page->used, __ATOMIC_ACQUIRE);
    return !page->is_current && (word & REMOTE_QUEUING_MASK) == 0 && used == REMOTE_COUNT(word);
}

static size_t front_retire_counted(strata_heap *heap, thread_part *part, front_page *page)
{
    size_t bytes = back_usable(heap, page->area + 16);
    front_page_retire(heap, part, page);
    atomic_fetch_add_explicit(&part->taken, 1, memory_order_relaxed); /* under the lists lock */
    return bytes;
}

/* Retire the pages of a live owner's part that no block holds. Heap lock
 * and the part's lists held. The remote stack is the owner's to take, and
 * so the caller's while it holds the lists: its pages still holding blocks
 * go back on it. A page off the stack is claimed through its queued flag
 * first, so that a thread whose free just emptied it does not queue it. */
static size_t front_reclaim_part(strata_heap *heap, thread_part *part, bool lists)
{
    size_t bytes = 0;
    front_page *kept = NULL, *kept_last = NULL;
    front_page *page = atomic_exchange_explicit(&part->remote_pages, NULL, memory_order_acquire);
    while (page != NULL) {
        front_page *next = page->next_remote;
        bool ours = page->in_use && page->part == part;
        if (ours && !front_page_unheld(page)) {
            page->next_remote = kept;
            kept = page;
            if (kept_last == NULL)
                kept_last = page;
        } else {
            atomic_store_explicit(&page->remote_queued, 0, memory_order_release);
            if (ours)
                bytes += front_retire_counted(heap, part, page);
        }
        page = next;
    }
    if (kept != NULL) {
        front_page *head = atomic_load_explicit(&part->remote_pages, memory_order_relaxed);
        do {
            kept_last->next_remote = head;
        } while (!atomic_compare_exchange_weak_explicit(&part->remote_pages, &head, kept, memory_order_release,
                                                        memory_order_relaxed));
    }
    for (unsigned c = 0; lists && c < CLASS_COUNT; c++) {
        front_page **lists[2] = {&part->avail[c], &part->full[c]};
        for (int l = 0; l < 2; l++) {
            page = *lists[l];
            while (page != NULL) {
                front_page *next = page->next;
                if (front_page_unheld(page) &&
                    !atomic_exchange_explicit(&page->remote_queued, 1, memory_order_acq_rel)) {
                    bytes += front_retire_counted(heap, part, page);
                    atomic_store_explicit(&page->remote_queued, 0, memory_order_release);
                }
                page = next;
            }
        }
    }
    return bytes;
}

/* Heap lock held. Give back the pages no block holds: all of an unowned
 * part's; of a part whose owner is another live thread, those
 * front_reclaim_part may take, if the owner is not in its refill now —
 * from every such part (`every_owner`), or from those whose owner did not
 * refill since the last pass (it stopped allocating). The caller's own
 * part is trimmed only with `every_owner`. Returns the bytes given back
 * to the back end. */
size_t front_reclaim(strata_heap *heap, bool every_owner)
{
    thread_state *self = heap_state();
    size_t bytes = 0;
    if (atomic_load_explicit(&heap->exited_parts, memory_order_relaxed) != NULL)
        heap_adopt_exited_parts(heap, false);
    for (thread_part *part = heap->all_parts; part != NULL; part = part->next_all) {
        if (part->owner == NULL || part->owner == self) {
            if (part->owner == NULL || every_owner)
                bytes += front_part_trim(heap, part);
            continue;
        }
        uint32_t refills = atomic_load_explicit(&part->refills, memory_order_relaxed);
        bool idle = refills == part->refills_seen;
        part->refills_seen = refills;
        if ((idle || every_owner) && part_lists_try(part)) {
            bytes += front_reclaim_part(heap, part, true);
            part_lists_leave(part);
        }
    }
    return bytes;
}

/* The pass over idle owners, driven by threads making pages and by
 * strata_heap_purge_due: at most once per purge delay (a millisecond at
 * least; a second when purging is off), so an owner is idle when it has
 * not refilled for about that long. Heap lock held. */
size_t front_reclaim_idle_when_due(strata_heap *heap)
{
    int32_t milliseconds = strata_heap_purge_delay();
    uint64_t interval = (uint64_t)(milliseconds < 0 ? 1000 : milliseconds < 1 ? 1 : milliseconds) * 1000000u;
    uint64_t now = strata_clock_monotonic_ns();
    if (now - heap->idle_pass_at < interval)
        return 0;
    heap->idle_pass_at = now;
    return front_reclaim(heap, false);
}

/* Other threads queued many pages on a part's remote stack and its owner
 * took none (it allocates from its current pages only, or not at all):
 * the thread that queued the last takes back those every block has left,
 * without waiting for a pass over idle owners, unless the heap or the
 * part's lists are busy at that moment (then a later free tries again).
 * A burst freed by others into an idle owner's pages so goes back to the
 * back end while it is freed. */
static NOINLINE void front_reclaim_queued(strata_heap *heap, thread_part *part)
{
    if ((heap->flags & STRATA_HEAP_NO_SERIALIZE) || !heap_try_acquire(heap))
        return;
    if (part->owner == NULL) {
        front_part_trim(heap, part);
    } else if (part->owner != heap_state() && part_lists_try(part)) {
        atomic_store_explicit(&part->remote_pages_queued, 0, memory_order_relaxed);
        front_reclaim_part(heap, part, false);
        part_lists_leave(part);
    }
    heap_release(heap, 0);
}
