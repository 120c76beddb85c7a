/* SPDX-License-Identifier: MIT */
/*
 * heap/internal.h — the heap layer's private structures, shared by its
 * files: heap.c (heaps, threads' parts, lock, information), alloc.c (the
 * entry points), front.c (the size-class front end), block.c
 * (what a pointer is: live, freed, damaged or foreign), back.c (segments
 * and the coalescing back end), large.c (large blocks), aligned.c and
 * walk.c (walk, validate, size, compact). The structures are in layout.h,
 * the in-band words (headers, links) in header.h; both are included here.
 *
 * Memory layout
 *   segment   a VMM reservation aligned to its size (4 MiB for
 *             growable heaps; the whole reservation for a fixed heap), so
 *             `address & heap->segment_mask` finds the segment of a block.
 *             It begins with `segment`; the first segment of a heap begins
 *             with the `strata_heap` itself (whose first member is that
 *             segment). Then the metadata area: page descriptors, the unit
 *             map (per page unit: which page covers it), the segment table
 *             (first segment of a growable heap), the side tables (one
 *             32-bit entry per front-end slot); then the block area.
 *   page      a back-end block cut into equal slots of one size class, its
 *             data on a page-unit boundary and its end on one. Slots carry
 *             no header: their state and requested size are in the page's
 *             side table, out of reach of any overflow of user data.
 *   block     back-end blocks have a size word and a header word before
 *             their data (see back.c); the header's mac covers both.
 *   large     a reservation of its own: a 64-byte header, then the data.
 */
#ifndef STRATA_HEAP_INTERNAL_H
#define STRATA_HEAP_INTERNAL_H

#include <strata/heap.h>

#include <stdatomic.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define NOINLINE
#endif

/* ---- Invariants ----------------------------------------------------------- */
/* Checked in debug builds (the dev preset), where a broken one ends the
 * process naming it; compiled out with NDEBUG. */
#if defined(NDEBUG)
#define HEAP_ASSERT(condition) ((void)0)
#else
#define HEAP_ASSERT(condition) \
    ((void)(LIKELY(condition) || (heap_assert_failed(#condition, __FILE__, __LINE__), 0)))
#endif
STRATA_NORETURN void heap_assert_failed(const char *condition, const char *file, int line);

/* ---- Valgrind client requests (compiled out unless asked for) ---------- */
#if defined(STRATA_VALGRIND_REQUESTS) && STRATA_VALGRIND_REQUESTS
#include <valgrind/memcheck.h>
/* Blocks are described as malloc-like, not as mempool chunks: memcheck skips
 * its leak search when no malloc-like block is live, so a program whose
 * every block is strata's would never hear of a leak. */
#define VG_BLOCK_ALLOC(heap, p, n) VALGRIND_MALLOCLIKE_BLOCK((p), (n), 0, 0)
#define VG_BLOCK_FREE(heap, p) VALGRIND_FREELIKE_BLOCK((p), 0)
/* memcheck refuses an in-place resize to 0 bytes: free and remake instead. */
#define VG_BLOCK_RESIZE(heap, p, old_size, n)                   \
    do {                                                        \
        if ((n) == 0) {                                         \
            VALGRIND_FREELIKE_BLOCK((p), 0);                    \
            VALGRIND_MALLOCLIKE_BLOCK((p), 0, 0, 0);            \
        } else {                                                \
            VALGRIND_RESIZEINPLACE_BLOCK((p), (old_size), (n), 0); \
        }                                                       \
    } while (0)
#define VG_ACTIVE() RUNNING_ON_VALGRIND
#define VG_OPEN(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define VG_CLOSE(p, n) VALGRIND_MAKE_MEM_NOACCESS((p), (n))
/* A word that may be a client's (undefined, or in a freed block), read to be
 * checked: memcheck must not count the checking against the program. */
static inline uint64_t peek_word(const void *address)
{
    VALGRIND_DISABLE_ERROR_REPORTING;
    uint64_t value = *(const volatile uint64_t *)address;
    VALGRIND_ENABLE_ERROR_REPORTING;
    VALGRIND_MAKE_MEM_DEFINED(&value, sizeof value);
    return value;
}
#else
static inline uint64_t peek_word(const void *address)
{
    return *(const uint64_t *)address;
}
#define VG_BLOCK_ALLOC(heap, p, n) ((void)0)
#define VG_BLOCK_FREE(heap, p) ((void)0)
#define VG_BLOCK_RESIZE(heap, p, old_size, n) ((void)0)
#define VG_ACTIVE() 0
#define VG_OPEN(p, n) ((void)0)
#define VG_CLOSE(p, n) ((void)0)
#endif

#include "layout.h"
#include "header.h"

/* ---- The segment map ------------------------------------------------------- */
/* One byte per 4 MiB of the address space's low 47 bits (32 MiB, in
 * zero-initialised static storage: its pages cost nothing until written):
 * the id of the growable heap whose segment is there, 0 for none. Free
 * tells a wild pointer, or another heap's block, from its own before it
 * reads anything at the pointer's segment. Heaps beyond the 255 ids, and
 * addresses beyond the map, take the slow path. */
#define SEGMAP_SHIFT 22
#define SEGMAP_ENTRIES ((uintptr_t)1 << (47 - SEGMAP_SHIFT))
#define NO_FREE_ID 0x100u /* matches no map byte */
_Static_assert(GROWABLE_SEGMENT_SIZE == (size_t)1 << SEGMAP_SHIFT, "a map byte is one growable segment");
extern _Atomic(uint8_t) heap_segment_map[SEGMAP_ENTRIES];
void heap_segment_map_set(const void *segment_base, uint8_t id);

/* ---- Locating a front-end slot from its address --------------------------- */
#define GROWABLE_UNIT_SHIFT 16
#define GROWABLE_PAGES (GROWABLE_SEGMENT_SIZE / GROWABLE_PAGE_UNIT)
/* A growable segment's unit map follows its page descriptors (back.c). */
#define GROWABLE_UNIT_MAP_OFFSET (PAGES_OFFSET + GROWABLE_PAGES * sizeof(front_page))
_Static_assert(GROWABLE_PAGE_UNIT == (size_t)1 << GROWABLE_UNIT_SHIFT, "growable page units are 64 KiB");

/* The slot index of `address` in `page`, or UINT32_MAX when it is not a
 * slot's start there. One multiply tests divisibility and divides at once
 * (Hacker's Delight 10-16): with stride = odd << shift, the offset times
 * the odd part's inverse, rotated right by shift, is offset / stride when
 * the stride divides the offset, and above every slot index when it does
 * not, or when the offset is negative (an address before slot 0). */
static inline uint32_t front_slot_at(const front_page *page, const char *address)
{
    uint64_t offset = (uint64_t)((uintptr_t)address - (uintptr_t)page->area - 16);
    uint64_t scaled = offset * page->inverse;
    unsigned shift = page->stride_shift;
    uint64_t slot = scaled >> shift | scaled << (-shift & 63);
    return LIKELY(slot < page->capacity) ? (uint32_t)slot : UINT32_MAX;
}
/* Sets what front_slot_at divides by: strides are multiples of 16, so the
 * shift is never 0. */
static inline void front_page_set_divisor(front_page *page, size_t stride)
{
    unsigned shift = (unsigned)__builtin_ctzll(stride);
    uint64_t odd = stride >> shift, inverse = odd; /* right in 3 bits: odd * odd = 1 mod 8 */
    for (int step = 0; step < 5; step++)        /* each doubles the right bits: 6, 12, 24, 48, 96 */
        inverse *= 2 - odd * inverse;
    page->inverse = inverse;
    page->stride_shift = (uint8_t)shift;
}
static inline char *front_slot_data(const front_page *page, uint32_t slot)
{
    return page->area + 16 + (size_t)slot * page->stride;
}

/* The front page of `seg` whose units cover `address`, or NULL. */
static inline front_page *front_page_at(const strata_heap *heap, const segment *seg, const char *address)
{
    unsigned offset = seg->unit_pages[(size_t)(address - (const char *)seg) >> heap->unit_shift];
    return offset != 0 ? (front_page *)(void *)((char *)(uintptr_t)seg + offset) : NULL;
}

/* The free fast path's lookup, for growable heaps: the page of `data` from
 * its address alone (the segment map first, so nothing is read at a wild
 * pointer or in another heap), or NULL when the slow path must decide —
 * always while a user holds the heap lock (fast_free_id is NO_FREE_ID). */
static inline front_page *front_page_fast(const strata_heap *heap, const char *data)
{
    uintptr_t address = (uintptr_t)data;
    uintptr_t granule = address >> SEGMAP_SHIFT;
    if (UNLIKELY(granule >= SEGMAP_ENTRIES ||
                 atomic_load_explicit(&heap_segment_map[granule], memory_order_relaxed) !=
                     atomic_load_explicit(&heap->fast_free_id, memory_order_relaxed)))
        return NULL;
    char *seg = (char *)(address & ~(uintptr_t)(GROWABLE_SEGMENT_SIZE - 1));
    const uint16_t *unit_pages = (const uint16_t *)(const void *)(seg + GROWABLE_UNIT_MAP_OFFSET);
    unsigned offset = unit_pages[(address & (GROWABLE_SEGMENT_SIZE - 1)) >> GROWABLE_UNIT_SHIFT];
    return LIKELY(offset != 0) ? (front_page *)(void *)(seg + offset) : NULL;
}

static inline size_t align_up(size_t value, size_t alignment)
{
    return (value + alignment - 1) & ~(alignment - 1);
}

/* ---- Shared between files ----------------------------------------------- */
#if defined(__ELF__)
#define HEAP_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define HEAP_TLS_MODEL
#endif
extern thread_state heap_empty_state;   /* the state of a thread that has none yet */
#if defined(STRATA_EMULATED_TLS)
/* The compiler emulates thread-locals by allocating them with malloc (mingw's
 * emutls), which, under the crt's drop-in, is this heap: the thread state
 * lives in the platform's TLS slot instead, the one its exit callback uses. */
extern atomic_bool heap_tls_ready;
extern strata_tls_key heap_exit_key;
static inline thread_state *heap_state(void)
{
    thread_state *state =
        atomic_load_explicit(&heap_tls_ready, memory_order_acquire) ? strata_tls_get(heap_exit_key) : NULL;
    return state != NULL ? state : &heap_empty_state;
}
static inline void heap_set_state(thread_state *state)
{
    strata_tls_set(heap_exit_key, state == &heap_empty_state ? NULL : state);
}
static inline uintptr_t heap_thread_id(void)
{
    return strata_thread_id();
}
#else
extern _Thread_local thread_state *heap_tls_state HEAP_TLS_MODEL;
extern _Thread_local char heap_thread_marker HEAP_TLS_MODEL;
static inline thread_state *heap_state(void)
{
    return heap_tls_state;
}
static inline void heap_set_state(thread_state *state)
{
    heap_tls_state = state;
}
/* The address of a thread-local: unique among live threads, and one TLS-relative lea. */
static inline uintptr_t heap_thread_id(void)
{
    return (uintptr_t)&heap_thread_marker;
}
#endif
extern uint8_t heap_small_class[SMALL_LOOKUP_MAX / 8 + 1];
/* The first heap_small_class index of each class (its sizes are one run). */
extern uint8_t heap_class_lookup_first[CLASS_COUNT + 1];
extern front_page heap_empty_page;

size_t class_stride(unsigned class_index);
unsigned class_of(size_t size);

/* What a pointer handed to free, realloc, size or validate is (block.c). */
typedef enum block_state { BLOCK_LIVE, BLOCK_FREED, BLOCK_CORRUPT, BLOCK_FOREIGN } block_state;
enum { BLOCK_FRONT = 1, BLOCK_BACK, BLOCK_LARGE, BLOCK_GUARD };
typedef struct block_ref {
    unsigned kind;      /* BLOCK_FRONT, BLOCK_BACK, BLOCK_LARGE or BLOCK_GUARD */
    char *data;         /* the block's start: an aligned pointer's outer block */
    size_t offset;      /* an aligned pointer's distance from data; 0 otherwise */
    front_page *page;   /* front blocks: the page and the slot */
    uint32_t slot;
    size_t requested;   /* of the block at data */
    size_t usable;
} block_ref;
block_state heap_block_classify(strata_heap *heap, const char *pointer, block_ref *ref);
void heap_block_set_requested(strata_heap *heap, const block_ref *ref, size_t requested);
/* Ends the process with the message for a pointer that is not live: `freed`
 * for a freed block, `foreign` for anything else but a damaged header. */
STRATA_NORETURN void heap_block_misuse(strata_heap *heap, const char *pointer, block_state state, const char *freed,
                                       const char *foreign);

/* heap.c */
STRATA_NORETURN void heap_corruption(const strata_heap *heap, const void *address, const char *check);
void heap_acquire(strata_heap *heap, uint32_t flags);
void heap_release(strata_heap *heap, uint32_t flags);
void heap_wait_user_lock(strata_heap *heap);
thread_part *heap_thread_part(strata_heap *heap, uint32_t flags);
void heap_adopt_exited_parts(strata_heap *heap, bool destroying);
bool heap_try_acquire(strata_heap *heap);
void heap_count_commit(strata_heap *heap, ptrdiff_t bytes);
void *heap_fail(strata_heap *heap, uint32_t flags);

void heap_note_compat(strata_heap *heap, uint32_t used);
void heap_open_fast_path(strata_heap *heap);

/* front.c */
void front_free_remote(strata_heap *heap, front_page *page, uint32_t slot);
void front_collect(strata_heap *heap, front_page *page);
front_page *front_refill(strata_heap *heap, thread_part *part, unsigned class_index, uint32_t flags);
void front_page_freed_slow(front_page *page, uint32_t used);
void front_set_current(thread_part *part, unsigned class_index, front_page *page);
void front_part_release(strata_heap *heap, thread_part *part);
size_t front_part_trim(strata_heap *heap, thread_part *part);
size_t front_reclaim(strata_heap *heap, bool every_owner);
size_t front_reclaim_idle_when_due(strata_heap *heap);
size_t heap_page_bytes(const strata_heap *heap, size_t stride);

/* back.c */
strata_status back_segment_init(strata_heap *heap, segment *seg, size_t size, size_t metadata,
                                size_t initial_commit, unsigned pages);
segment *back_segment_of(const strata_heap *heap, const void *address);
void *back_alloc(strata_heap *heap, size_t size, unsigned tag, size_t requested, bool room_to_grow);
char *back_alloc_page(strata_heap *heap, size_t bytes);
bool back_side_commit(strata_heap *heap, segment *seg, unsigned index);
unsigned back_block_tag(const strata_heap *heap, const char *data, uint32_t *value);
void back_set_value(strata_heap *heap, char *data, uint32_t value);
void back_free(strata_heap *heap, char *data);
bool back_resize_in_place(strata_heap *heap, char *data, size_t size);
void back_open_next_header(strata_heap *heap, char *data);
size_t back_usable(const strata_heap *heap, const char *data);
size_t back_block_bytes(const strata_heap *heap, const char *data);
bool back_block_check(const strata_heap *heap, const segment *seg, const char *data, bool *is_free);
char *back_next_block(const strata_heap *heap, const segment *seg, const char *data);
size_t back_trim(strata_heap *heap, bool everything);
size_t back_purge_due(strata_heap *heap);
size_t back_largest_free(const strata_heap *heap);
bool back_validate(const strata_heap *heap);
front_page *back_page_take(segment *seg);
void back_release_segments(strata_heap *heap);

/* walk.c */
bool heap_is_block_start(strata_heap *heap, segment *seg, const char *data);

/* large.c */
void *large_alloc(strata_heap *heap, size_t size, bool zero, bool growing);
void large_free(strata_heap *heap, char *data);
block_state large_classify(strata_heap *heap, const void *data, size_t *requested, size_t *usable);
large_block *large_containing(const strata_heap *heap, const void *data);
void large_set_requested(strata_heap *heap, char *data, size_t requested);
char *aligned_outer(strata_heap *heap, const char *data, size_t *offset);
void global_memory_fork_lock(void);
void global_memory_fork_unlock(void);
bool large_resize_in_place(strata_heap *heap, char *data, size_t size, bool may_commit);
void large_cache_release(strata_heap *heap);
size_t large_cache_expire_due(strata_heap *heap);
void large_release_all(strata_heap *heap);
bool large_validate(const strata_heap *heap);

/* guard.c */
/* An allocation flag of the heap's own (bit 30: no Windows HEAP_* value and
 * no HeapAlloc tag uses it): this call is never guarded. */
#define HEAP_ALLOC_UNGUARDED 0x40000000u
bool guard_pick(strata_heap *heap, uint32_t flags);
void *guard_alloc(strata_heap *heap, uint32_t flags, size_t size, size_t alignment);
void guard_free(strata_heap *heap, uint32_t flags, char *data);
bool guard_resize_in_place(strata_heap *heap, uint32_t flags, char *data, size_t size);
block_state guard_classify(strata_heap *heap, const char *data, block_ref *ref);
strata_status guard_walk(strata_heap *heap, const char *after, strata_heap_entry *entry);
bool guard_validate(const strata_heap *heap);
bool guard_block_intact(const strata_heap *heap, const char *data, size_t requested);
void guard_release_all(strata_heap *heap);
/* Whether this allocation is to be guarded: one load when guard mode is off. */
static inline bool guard_wanted(strata_heap *heap, uint32_t flags)
{
    return UNLIKELY(heap->guard.every != 0) && !(flags & HEAP_ALLOC_UNGUARDED) && guard_pick(heap, flags);
}

/* ---- The front end's two fast operations (front.c, alloc.c) ---------------- */
/* Hand out the first free slot of a page that has one. The slot must be
 * free in the side table: a busy one there means the list was damaged. */
static inline char *front_pop(strata_heap *heap, front_page *page, size_t size)
{
    HEAP_ASSERT(__atomic_load_n(&page->owner, __ATOMIC_RELAXED) == heap_state()); /* owner only */
    HEAP_ASSERT(page->free < page->bump && page->used < page->capacity);
    uint32_t slot = page->free;
    uint32_t entry = page->slots[slot];
    if (UNLIKELY(slot_is_busy(entry)))
        heap_corruption(heap, front_slot_data(page, slot), "free-list link corrupted");
    page->free = slot_next(entry);
    page->slots[slot] = slot_busy_entry(size);
    page->used++;
    return front_slot_data(page, slot);
}

static inline void front_free_local(front_page *page, uint32_t slot)
{
    HEAP_ASSERT(__atomic_load_n(&page->owner, __ATOMIC_RELAXED) == heap_state()); /* owner only */
    HEAP_ASSERT(slot < page->bump && page->used > 0);
    page->slots[slot] = slot_free_entry(page->free);
    page->free = slot;
    uint32_t used = page->used - 1;
    if (UNLIKELY((used == 0 && !page->is_current) || page->in_full)) {
        /* Stores `used` itself, after reading what it needs: once stored,
         * another thread may retire the page and release its segment. */
        front_page_freed_slow(page, used);
        return;
    }
    /* Released after the stores above: a thread that reads `used` to learn
     * the page holds no live block (front_page_unheld) retires the page,
     * and neither store may land after that. Nothing of the page is read
     * after it. */
#if defined(__x86_64__) || defined(__i386__)
    atomic_signal_fence(memory_order_release);
    page->used = used;
#else
    __atomic_store_n(&page->used, used, __ATOMIC_RELEASE);
#endif
}

#endif /* STRATA_HEAP_INTERNAL_H */
