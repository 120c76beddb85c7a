/* SPDX-License-Identifier: MIT */
/*
 * heap/internal.h — the heap layer's private structures, shared by its
 * files: heap.c (heaps, threads' parts, lock, information), front.c (the
 * size-class front end and the public alloc/free entry points), block.c
 * (what a pointer is: live, freed, damaged or foreign), back.c (segments
 * and the coalescing back end), large.c (large blocks), aligned.c and
 * walk.c (walk, validate, size, compact).
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

/* ---- Geometry ------------------------------------------------------------ */
#define GROWABLE_SEGMENT_SIZE ((size_t)4 << 20)
#define GROWABLE_PAGE_UNIT ((size_t)64 << 10)
#define CLASS_COUNT 40                 /* strides 16 … 32768, see class_stride() */
#define SMALL_LOOKUP_MAX STRATA_HEAP_CACHED_MAX /* sizes served by the class table */
#define MAX_FRONT_STRIDE ((size_t)32768)           /* its sizes fit a paged header's 16 bits */
#define REALLOC_BACK_MIN 4096          /* a block realloc grows past this goes to the back end */
#define SEGMENT_TABLE_SLOTS 8192       /* growable heaps: segments ≤ half of it */
#define BIN_COUNT 72                   /* back-end free bins: 2 per power of two */
#define BLOCK_HEADER 16                /* back-end: size word + header word */
#define MIN_BACK_BLOCK 48              /* header, two links, footer */
#define LARGE_HEADER 64
#define TLS_SLOTS 32                   /* heaps with a fast per-thread path at once */
#define NO_SLOT TLS_SLOTS

/* ---- Block headers ------------------------------------------------------- */
/* Front-end slots have no header: their state lives in the page's side
 * table (front_page.slots). Every other block — back-end blocks, large
 * blocks, the heap's own blocks and an aligned block's inner pointer — has
 * an 8-byte header word right before its data:
 *   raw = tag (bits 0-7) | mac (8-31) | value (32-63)
 * stored as raw ^ heap->secret ^ data address. The mac is a keyed hash of
 * the tag, the value, the address and the block's other trusted word (a
 * back-end block's size word; 0 elsewhere), so flipping any bit of either
 * word is caught when the heap next trusts it. */
#define HDR_MAC_SHIFT 8
#define HDR_MAC_MASK 0xFFFFFFu
#define HDR_VALUE_SHIFT 32
enum {
    TAG_BACK_BUSY = 0xB2,
    TAG_BACK_FREE = 0xF2,
    TAG_LARGE_BUSY = 0xB3,
    TAG_INTERNAL = 0xB4, /* the heap's own blocks: pages (value: page index + 1), threads' parts */
    TAG_ALIGNED = 0xB5,  /* inside a block: an aligned pointer; value = offset / 16 */
};
#define HDR_VALUE_MAX 0xFFFFFFFFu

static inline unsigned hdr_tag(uint64_t raw) { return (unsigned)(raw & 0xFF); }
static inline uint32_t hdr_value(uint64_t raw) { return (uint32_t)(raw >> HDR_VALUE_SHIFT); }

/* A 64-bit mixer (two multiply-xorshift rounds): every input bit moves
 * about half of the output bits. */
static inline uint64_t hdr_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    return x ^ x >> 32;
}

/* ---- Front-end slots (side tables) ---------------------------------------- */
/* One 32-bit entry per slot, in the segment's metadata area:
 *   bits 0-15   requested size + 1 while busy; 0 while free
 *   bits 16-31  next free slot while free (SLOT_END: none) */
#define SLOT_END 0xFFFFu
#define SLOT_BUSY_MASK 0xFFFFu
#define SLOT_NEXT_SHIFT 16
static inline uint32_t slot_free_entry(uint32_t next) { return next << SLOT_NEXT_SHIFT; }
static inline uint32_t slot_busy_entry(size_t requested) { return (uint32_t)requested + 1; }
static inline bool slot_is_busy(uint32_t entry) { return (entry & SLOT_BUSY_MASK) != 0; }
static inline size_t slot_requested(uint32_t entry) { return (size_t)(entry & SLOT_BUSY_MASK) - 1; }
static inline uint32_t slot_next(uint32_t entry) { return entry >> SLOT_NEXT_SHIFT; }

/* ---- Structures ---------------------------------------------------------- */
struct thread_state;
struct thread_part;

/* A front-end page: the descriptor of a back-end block cut into slots. The
 * block's data starts on a page-unit boundary and spans whole units, so a
 * slot's page follows from its address alone (segment, then unit map). */
typedef struct front_page {
    /* First cache line: the owner's, written on every allocation and free. */
    _Alignas(128) uint32_t free;      /* local free list: first slot, SLOT_END if none (owner only) */
    uint32_t used;                    /* slots handed out and not freed into `free` */
    uint32_t *slots;                  /* side table: one entry per slot (slot_*), in the segment's metadata */
    /* No field holds a slot's data address: memcheck would take it for a
     * pointer to the block there and call the block reachable when leaked. */
    char *area;                       /* 16 bytes before slot 0 */
    uint64_t reciprocal;              /* ceil(2^40 / stride): slot = offset * reciprocal >> 40 */
    uint32_t span;                    /* capacity * stride: a slot's offset from slot 0 is below it */
    uint32_t capacity;
    uint32_t bump;                    /* slots below this were handed out at least once since the page (re)started */
    uint32_t stride;
    uint32_t first_offset;            /* slot 0's offset in its segment */
    uint16_t index;                   /* in the segment's page array */
    bool in_use;                      /* descriptor taken */
    bool is_current;                  /* its part's current page of its class (owner only) */
    /* Second cache line: what other threads read or write when they free into
     * the page, kept apart so their frees do not fight the owner's. */
    _Alignas(64) struct thread_state *owner; /* the thread allowed the local list; NULL none */
    _Atomic(uint64_t) thread_free;    /* frees from other threads: (first slot + 1) | count << 32 (front.c) */
    struct thread_part *part;
    struct front_page *next, *prev;   /* in the part's avail or full list of the class (owner) */
    struct front_page *next_remote;   /* in the part's remote_pages stack while remote_queued */
    uint8_t class_index;
    uint8_t in_full;                  /* on the part's full list */
    _Atomic(uint8_t) remote_queued;   /* on a part's remote_pages stack: set by the freeing thread, cleared by the owner */
} front_page;

typedef struct segment {
    uint64_t check;                   /* SEGMENT_MAGIC ^ secret ^ address */
    struct strata_heap *heap;
    struct segment *next;             /* the heap's segments, oldest first */
    size_t size;                      /* reserved bytes */
    size_t area_start;                /* offset of the first block */
    size_t committed_end;             /* offset: [0, committed_end) is committed */
    char *tail;                       /* header of the block that ends at committed_end; NULL if none */
    front_page *pages;
    uint16_t *unit_pages;             /* per page unit: offset from the segment of its page's descriptor, 0 if none */
    uint32_t *side;                   /* side tables: page i's at side + i * heap->side_slots */
    size_t side_bytes;                /* their reservation, whole pages */
    size_t side_committed;            /* bytes of it committed (all, but in growable heaps) */
    uint32_t page_capacity;
    uint32_t index;                   /* region index for walks */
    uint64_t tail_free_since;         /* monotonic ns when the top free block passed the purge mark */
} segment;

/* A thread's part of a heap: the pages it allocates from, per class. */
typedef struct thread_part {
    front_page *current[CLASS_COUNT]; /* allocation page, or the empty sentinel */
    /* current[] by (size + 7) / 8 for sizes up to SMALL_LOOKUP_MAX, so the
     * fast path finds its page with one load (set with front_set_current). */
    front_page *direct[SMALL_LOOKUP_MAX / 8 + 1];
    front_page *avail[CLASS_COUNT];   /* pages that may have free slots (current first) */
    front_page *full[CLASS_COUNT];    /* pages seen full */
    _Atomic(uint8_t) full_frees[CLASS_COUNT]; /* another thread freed into a full page */
    _Atomic(front_page *) remote_pages; /* pages other threads began to free into, to be collected (front.c) */
    struct strata_heap *heap;
    struct thread_state *owner;
    struct thread_part *next_free;    /* the heap's pool of unowned parts */
    struct thread_part *next_all;     /* every part of the heap */
    struct thread_part *next_exited;  /* the heap's list of parts whose thread exited */
    struct thread_state *exited_state;/* that thread's state, recycled once its parts are handed back */
} thread_part;

typedef struct tls_slot {
    uint64_t generation;              /* the heap generation this part belongs to */
    thread_part *part;
} tls_slot;

typedef struct thread_state {
    tls_slot slots[TLS_SLOTS + 1];    /* first: the last one never matches (heaps without a slot) */
    struct thread_state *next_free;
    _Atomic(uint32_t) parts_pending;  /* after exit: parts not yet handed back, plus one while exiting */
    bool registered;                  /* thread-exit callback armed */
} thread_state;

/* Where a slot sits in a thread_state, in bytes: the fast path adds it to
 * the state's address without scaling an index. */
_Static_assert(offsetof(thread_state, slots) == 0, "a thread's slots start its state");
static inline uint32_t slot_offset(uint32_t slot)
{
    return slot * (uint32_t)sizeof(tls_slot);
}


typedef struct large_block {
    uint64_t check;                   /* LARGE_MAGIC ^ secret ^ address */
    struct large_block *next, *prev;
    size_t requested;
    size_t reserved;
    size_t committed;                 /* bytes committed from the reservation's base */
    uint64_t cached_since;            /* monotonic ns when it went into the heap's large-block cache */
    uint64_t header;                  /* the common block header, right before the data */
} large_block;

struct strata_heap {
    segment first;                    /* the heap's address is its first segment's */
    uint64_t secret;                  /* keys block headers and free-list links */
    uint64_t size_secret;             /* keys back-end size words */
    uint64_t generation;              /* unique per heap, for threads' slots */
    uint32_t slot;                    /* index into thread_state.slots, NO_SLOT if none */
    _Atomic(uint32_t) fast_slot_offset; /* slot_offset() of the slot the alloc fast path uses; of NO_SLOT while user-locked */
    _Atomic(uint32_t) fast_blocked;   /* nonzero while a user holds the heap lock */
    _Atomic(uint16_t) fast_free_id;   /* map_id, or NO_FREE_ID (none, or user-locked) */
    uint8_t map_id;                   /* this heap's byte in the segment map; 0: none */
    uint32_t flags;                   /* creation flags | STRATA_HEAP_GROWABLE */
    uint32_t compat;                  /* HeapCompatibilityInformation: 0 or 2 */
    const strata_vmm *vmm;
    strata_vmm executable_vmm;        /* ENABLE_EXECUTE heaps: vmm's table, commit_executable as commit */
    uintptr_t segment_mask;
    size_t segment_size;              /* reservation size of later segments (growable) */
    size_t page_unit;
    unsigned unit_shift;              /* log2(page_unit) */
    uint32_t side_slots;              /* side-table entries per page descriptor */
    size_t front_max_stride;
    size_t maximum_size;              /* 0 for growable */
    uintptr_t *segment_table;         /* open addressing, bases of segments */
    uint32_t segment_table_mask;
    uint32_t segment_count;
    /* the heap lock: recursive, for HeapLock and the back end */
    strata_lock lock;
    _Atomic(struct thread_state *) lock_owner;
    uint32_t lock_depth;
    uint32_t user_lock_depth;
    /* back end */
    char *bins[BIN_COUNT];            /* free blocks' headers, links encoded */
    uint64_t bin_map[(BIN_COUNT + 63) / 64];
    segment *last_segment;
    /* large blocks */
    large_block *large;
    size_t large_count;
    large_block *large_cache;         /* freed large blocks kept for reuse (still reserved and committed) */
    size_t large_cache_count, large_cache_bytes;
    /* threads */
    thread_part *free_parts;
    thread_part *all_parts;
    _Atomic(thread_part *) exited_parts; /* left by exiting threads that found the heap locked */
    uint32_t pages_seen_busy;         /* highest slot use seen, for the compat value */
    /* statistics */
    size_t reserved_bytes, committed_bytes, peak_committed_bytes;
    uint64_t purge_since;             /* monotonic ns of the first free left unpurged; 0: none (back.c) */
    size_t purge_pending_bytes;       /* bytes of the frees since then (a block merged twice counts twice) */
    /* the list of heaps */
    struct strata_heap *list_next;
    bool is_process_heap;
    uintptr_t segment_table_inline[2];
};

/* Every segment keeps its page descriptors at this offset (after room for
 * the heap itself), so a block header's page index finds its descriptor
 * with a shift and an add. */
#define PAGES_OFFSET ((sizeof(struct strata_heap) + 127) & ~(size_t)127)
_Static_assert(sizeof(front_page) == 128, "front_page descriptors are 128 bytes");

static inline front_page *page_at(const void *seg, unsigned index)
{
    return (front_page *)(void *)((char *)(uintptr_t)seg + PAGES_OFFSET) + index;
}

#define SEGMENT_MAGIC 0x5345474D454E5431ull /* "SEGMENT1" */
#define LARGE_MAGIC 0x4C41524745424C4Bull   /* "LARGEBLK" */

/* ---- Encoding ------------------------------------------------------------ */
static inline uint64_t hdr_key(const strata_heap *heap, const void *data)
{
    return heap->secret ^ (uint64_t)(uintptr_t)data;
}
/* The mac of a header: keyed by both secrets and the address, over the tag,
 * the value and `extra` (the block's other trusted word). */
static inline uint32_t hdr_mac(const strata_heap *heap, const void *data, unsigned tag, uint32_t value,
                               uint64_t extra)
{
    uint64_t x = hdr_mix(extra ^ heap->size_secret) ^ hdr_key(heap, data) ^ ((uint64_t)value << 32 | tag);
    return (uint32_t)hdr_mix(x) & HDR_MAC_MASK;
}
static inline uint64_t hdr_make(const strata_heap *heap, const void *data, unsigned tag, uint32_t value,
                                uint64_t extra)
{
    return (uint64_t)value << HDR_VALUE_SHIFT | (uint64_t)hdr_mac(heap, data, tag, value, extra) << HDR_MAC_SHIFT |
           tag;
}
static inline uint64_t hdr_read(const strata_heap *heap, const void *data)
{
    return ((const uint64_t *)data)[-1] ^ hdr_key(heap, data);
}
/* hdr_read for a pointer not yet known to be a block (validate, size, the
 * checks before a fatal message). */
static inline uint64_t hdr_peek(const strata_heap *heap, const void *data)
{
    return peek_word((const uint64_t *)data - 1) ^ hdr_key(heap, data);
}
static inline void hdr_write(const strata_heap *heap, void *data, unsigned tag, uint32_t value, uint64_t extra)
{
    ((uint64_t *)data)[-1] = hdr_make(heap, data, tag, value, extra) ^ hdr_key(heap, data);
}
/* Whether `raw`, read at `data`, is an authentic header of `tag`. */
static inline bool hdr_is(const strata_heap *heap, const void *data, uint64_t raw, unsigned tag, uint64_t extra)
{
    return hdr_tag(raw) == tag && (uint32_t)(raw >> HDR_MAC_SHIFT & HDR_MAC_MASK) ==
                                      hdr_mac(heap, data, tag, hdr_value(raw), extra);
}

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

/* The slot index of the address at `segment_offset` in its segment, in
 * `page`, or UINT32_MAX when it is not a slot's start there. */
static inline uint32_t front_slot_at(const front_page *page, size_t segment_offset)
{
    size_t offset = segment_offset - page->first_offset;
    if (UNLIKELY(offset >= page->span))
        return UINT32_MAX;
    uint32_t slot = (uint32_t)(offset * page->reciprocal >> 40);
    return LIKELY((size_t)slot * page->stride == offset) ? slot : UINT32_MAX;
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

/* Free-list links sit in a free block's first word, encoded with the secret;
 * every link is range-checked before it is followed. */
static inline char *link_read(const strata_heap *heap, const char *data)
{
    VG_OPEN(data, 8);
    uint64_t value = *(const uint64_t *)data ^ heap->secret;
    VG_CLOSE(data, 8);
    return (char *)(uintptr_t)value;
}
static inline void link_write(const strata_heap *heap, char *data, const char *next)
{
    VG_OPEN(data, 8);
    *(uint64_t *)data = (uint64_t)(uintptr_t)next ^ heap->secret;
    VG_CLOSE(data, 8);
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
enum { BLOCK_FRONT = 1, BLOCK_BACK, BLOCK_LARGE };
typedef struct block_ref {
    unsigned kind;      /* BLOCK_FRONT, BLOCK_BACK or BLOCK_LARGE */
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
void heap_count_commit(strata_heap *heap, ptrdiff_t bytes);
void *heap_fail(strata_heap *heap, uint32_t flags);

void heap_note_compat(strata_heap *heap, uint32_t used);

/* front.c */
void front_free_remote(strata_heap *heap, front_page *page, uint32_t slot);
void front_collect(strata_heap *heap, front_page *page);
front_page *front_refill(strata_heap *heap, thread_part *part, unsigned class_index, uint32_t flags);
void front_page_freed_slow(front_page *page);
void front_set_current(thread_part *part, unsigned class_index, front_page *page);
void front_part_release(strata_heap *heap, thread_part *part);
size_t front_part_trim(strata_heap *heap, thread_part *part);
size_t heap_page_bytes(const strata_heap *heap, size_t stride);

/* back.c */
strata_status back_segment_init(strata_heap *heap, segment *seg, size_t size, size_t metadata,
                                size_t initial_commit, unsigned pages);
segment *back_segment_of(const strata_heap *heap, const void *address);
void *back_alloc(strata_heap *heap, size_t size, unsigned tag, size_t requested);
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
size_t back_largest_free(const strata_heap *heap);
bool back_validate(const strata_heap *heap);
front_page *back_page_take(segment *seg);
void back_release_segments(strata_heap *heap);
extern int64_t heap_purge_delay_ns;

/* walk.c */
bool heap_is_block_start(strata_heap *heap, segment *seg, const char *data);

/* large.c */
void *large_alloc(strata_heap *heap, size_t size, bool zero, bool growing);
void large_free(strata_heap *heap, char *data);
large_block *large_of(const strata_heap *heap, const void *data);
large_block *large_containing(const strata_heap *heap, const void *data);
bool large_cached(const strata_heap *heap, const void *data);
bool large_intact(const strata_heap *heap, const large_block *large);
void large_set_requested(strata_heap *heap, char *data, size_t requested);
char *aligned_outer(strata_heap *heap, const char *data, size_t *offset);
void global_memory_fork_lock(void);
void global_memory_fork_unlock(void);
bool large_resize_in_place(strata_heap *heap, char *data, size_t size, bool may_commit);
void large_cache_release(strata_heap *heap);
void large_release_all(strata_heap *heap);
bool large_validate(const strata_heap *heap);

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
    page->used--;
    if (UNLIKELY((page->used == 0 && !page->is_current) || page->in_full))
        front_page_freed_slow(page);
}

#endif /* STRATA_HEAP_INTERNAL_H */
