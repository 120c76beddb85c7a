/* SPDX-License-Identifier: MIT */
/*
 * heap/layout.h — the heap's structures and where they sit in memory:
 * geometry, front-end pages and their side-table entries, segments,
 * threads' parts, large blocks and the heap itself, each field with the
 * thread or lock that owns it. Included by internal.h only.
 */
#ifndef STRATA_HEAP_LAYOUT_H
#define STRATA_HEAP_LAYOUT_H

/* ---- Geometry ------------------------------------------------------------ */
#define GROWABLE_SEGMENT_SIZE ((size_t)4 << 20)
#define GROWABLE_PAGE_UNIT ((size_t)64 << 10)
#define CLASS_COUNT 40                 /* strides 16 … 32768, see class_stride() */
#define SMALL_LOOKUP_MAX STRATA_HEAP_CACHED_SMALL /* sizes whose page the fast path finds by table (part->direct) */
#define MAX_FRONT_STRIDE ((size_t)STRATA_HEAP_CACHED_MAX) /* its sizes fit a side-table entry's 16 bits */
#define REALLOC_BACK_MIN 4096          /* a block realloc grows past this goes to the back end */
#define SEGMENT_TABLE_SLOTS 8192       /* growable heaps: segments ≤ half of it */
#define BIN_COUNT 72                   /* back-end free bins: 2 per power of two */
#define BLOCK_HEADER 16                /* back-end: size word + header word */
#define MIN_BACK_BLOCK 48              /* header, two links, footer */
#define LARGE_HEADER 64
#define TLS_SLOTS 32                   /* heaps with a fast per-thread path at once */
#define NO_SLOT TLS_SLOTS

/* ---- Front-end slots (side tables) ---------------------------------------- */
/* One 32-bit entry per slot, in the segment's metadata area:
 *   free   the next free slot (SLOT_END: none), the entry's bits 16-31 zero
 *   busy   SLOT_BUSY | the requested size (at most MAX_FRONT_STRIDE)
 * Each is its value with at most one add, and the free list's next slot is
 * the entry itself: the fast paths' whole cost of the encoding. */
#define SLOT_END 0xFFFFu
#define SLOT_BUSY 0x10000u
static inline uint32_t slot_free_entry(uint32_t next) { return next; }
static inline uint32_t slot_busy_entry(size_t requested) { return (uint32_t)requested + SLOT_BUSY; }
static inline bool slot_is_busy(uint32_t entry) { return entry >= SLOT_BUSY; }
static inline size_t slot_requested(uint32_t entry) { return (size_t)(entry - SLOT_BUSY); }
static inline uint32_t slot_next(uint32_t entry) { return entry & SLOT_END; }
_Static_assert(MAX_FRONT_STRIDE < SLOT_BUSY, "a busy entry's size is below its flag");

/* ---- Structures ---------------------------------------------------------- */
struct thread_state;
struct thread_part;

/* A front-end page: the descriptor of a back-end block cut into slots. The
 * block's data starts on a page-unit boundary and spans whole units, so a
 * slot's page follows from its address alone (segment, then unit map). */
/* A page's thread_free word, the list other threads freed into: its first
 * and last slot, each plus one, in bits 0-15 and 16-31 (0: empty), and its
 * length above bit 32. Slots are below SLOT_END, so slot + 1 fits 16 bits. */
#define REMOTE_HEAD(word) ((uint32_t)((word) & 0xFFFFu) - 1)
#define REMOTE_TAIL(word) ((uint32_t)(((word) >> 16) & 0xFFFFu) - 1)
#define REMOTE_COUNT(word) ((uint32_t)((word) >> 32) & 0xFFFFu)
/* Bits 48-63: remote frees still queueing the page (front_free_remote):
 * each holds the page, as a live block would, until its last touch. */
#define REMOTE_QUEUING_ONE ((uint64_t)1 << 48)
#define REMOTE_QUEUING_MASK ((uint64_t)0xFFFF << 48)
static inline uint64_t remote_word(uint32_t head, uint32_t tail, uint32_t count)
{
    return (uint64_t)count << 32 | (uint64_t)(tail + 1u) << 16 | (head + 1u);
}

typedef struct front_page {
    /* Three cache lines, by who writes them, so that one thread's writes do
     * not take a line from under another's reads (a free from another
     * thread read the descriptor's geometry from the line the owner wrote
     * at every allocation: a quarter of larson's time in free).
     * First: the owner's, written on every allocation and free. */
    _Alignas(64) uint32_t free;       /* local free list: first slot, SLOT_END if none (owner only) */
    uint32_t used;                    /* slots handed out and not freed into `free` */
    uint32_t bump;                    /* slots below this were handed out at least once since the page (re)started */
    bool is_current;                  /* its part's current page of its class (owner only) */
    uint8_t in_full;                  /* on the part's full list (owner only) */
    uint32_t unfull_below;            /* in_full: back to the avail list once `used` is below this */
    struct front_page *next, *prev;   /* in the part's avail or full list of the class (owner) */
    /* Second: read by every free, written when the page is made or changes hands. */
    _Alignas(64) uint32_t *slots;     /* side table: one entry per slot (slot_*), in the segment's metadata */
    /* No field holds a slot's data address: memcheck would take it for a
     * pointer to the block there and call the block reachable when leaked. */
    char *area;                       /* 16 bytes before slot 0 */
    uint64_t inverse;                 /* of stride's odd part, mod 2^64: see front_slot_at */
    uint32_t span;                    /* capacity * stride: a slot's offset from slot 0 is below it */
    uint32_t capacity;
    uint32_t stride;
    struct thread_state *owner;       /* the thread allowed the local list; NULL none */
    struct thread_part *part;         /* kept when the page retires: an owner's late read finds a live part */
    uint16_t index;                   /* in the segment's page array */
    uint8_t class_index;
    bool in_use;                      /* descriptor taken */
    bool side_dirty;                  /* its side table was written since last purged (heap lock; back.c) */
    uint8_t stride_shift;             /* stride's trailing zero bits: see front_slot_at */
    /* Third: written by other threads' frees. */
    _Alignas(64) _Atomic(uint64_t) thread_free; /* frees from other threads (remote_word, above; front.c) */
    struct front_page *next_remote;   /* in the part's remote_pages stack while remote_queued */
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
    _Atomic(uint8_t) full_frees[CLASS_COUNT]; /* the owner freed into a full page (front_page_freed_slow) */
    _Atomic(front_page *) remote_pages; /* pages other threads began to free into, to be collected (front.c) */
    _Atomic(uint32_t) remote_pages_queued; /* pushed on remote_pages since its owner last took it */
    /* The page lists' lock: held by the owner's slow paths (a refill past
     * the current page, a page emptied or unfilled) and by a thread taking
     * the empty pages of an owner that stopped allocating (front.c); never
     * by the fast paths, which touch only current pages' lists of slots. */
    _Atomic(uint8_t) lists_held;      /* that lock (front.c: part_lists_enter, _try, _leave) */
    _Atomic(uint32_t) refills;        /* the owner's refills past its current page: still while it is idle */
    _Atomic(uint32_t) taken;          /* pages other threads retired from this live part (lists lock; front.c) */
    uint32_t refills_seen;            /* heap lock: `refills` at the last pass over idle parts */
    struct strata_heap *heap;
    struct thread_state *owner;
    struct thread_part *next_free;    /* the heap's pool of unowned parts */
    struct thread_part *next_all;     /* every part of the heap */
    struct thread_part *next_exited;  /* the heap's list of parts whose thread exited */
    struct thread_state *exited_state;/* that thread's state, recycled once its parts are handed back */
    uint32_t guard_countdown;         /* allocations until this thread's next guarded one (guard.c) */
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

/* Guard mode (guard.c): blocks on pages of their own before an
 * inaccessible page. All fields under the heap lock but `every`. */
struct guard_block;
typedef struct heap_guard {
    uint32_t every;                   /* 0 off, 1 every block, N one allocation in N */
    uint32_t shared_countdown;        /* for heaps without per-thread parts (racy: a sample rate) */
    struct guard_block **buckets;     /* live and quarantined blocks by reservation base */
    struct guard_block *live;         /* live blocks, newest first (walk, destroy) */
    struct guard_block *oldest, *newest; /* the quarantine, first in first out */
    size_t quarantine_count, quarantine_bytes;
    size_t largest_reserve;           /* the widest reservation made: how far a fault looks back */
} heap_guard;

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
    size_t purge_pending_bytes;       /* bytes freed since then and not taken again (back.c) */
    uint64_t idle_pass_at;            /* monotonic ns of the last pass over idle owners' parts (front.c) */
    /* the list of heaps */
    struct strata_heap *list_next;
    bool is_process_heap;
    uintptr_t segment_table_inline[2];
    heap_guard guard;
};

/* Every segment keeps its page descriptors at this offset (after room for
 * the heap itself), so a block header's page index finds its descriptor
 * with a shift and an add. */
#define PAGES_OFFSET ((sizeof(struct strata_heap) + 127) & ~(size_t)127)
_Static_assert(sizeof(front_page) == 192, "front_page descriptors are three cache lines");

static inline front_page *page_at(const void *seg, unsigned index)
{
    return (front_page *)(void *)((char *)(uintptr_t)seg + PAGES_OFFSET) + index;
}

#define SEGMENT_MAGIC 0x5345474D454E5431ull /* "SEGMENT1" */
#define LARGE_MAGIC 0x4C41524745424C4Bull   /* "LARGEBLK" */

_Static_assert(sizeof(large_block) <= LARGE_HEADER, "a large block's header fits before its data");
_Static_assert(BLOCK_HEADER == 2 * sizeof(uint64_t), "a back-end block has a size word and a header word");
_Static_assert(MIN_BACK_BLOCK >= BLOCK_HEADER + 2 * sizeof(uint64_t) + sizeof(uint64_t),
               "a free back-end block holds its header, two links and a footer");
_Static_assert(PAGES_OFFSET + (GROWABLE_SEGMENT_SIZE / GROWABLE_PAGE_UNIT) * sizeof(front_page) < 0x10000,
               "a growable segment's unit map holds descriptor offsets in 16 bits");
_Static_assert(PAGES_OFFSET + 256 * sizeof(front_page) < 0x10000,
               "so does a fixed heap's, of at most 256 pages (FIXED_SIDE_MAX / 1 KiB side tables)");

#endif /* STRATA_HEAP_LAYOUT_H */
