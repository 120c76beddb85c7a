/* SPDX-License-Identifier: MIT */
/*
 * strata/heap.h — the heap manager: HeapCreate-style heaps over a strata_vmm,
 * and Global/Local memory over the process heap.
 *
 * A heap has three tiers, as NT's does (docs/heap.md):
 *   front end   small blocks from size-class pages owned by the calling
 *               thread (the LFH's role); no lock on the same-thread path;
 *   back end    other blocks below the large threshold, in segments reserved
 *               from the VMM and committed on demand, with coalescing;
 *   large       blocks of STRATA_HEAP_LARGE_THRESHOLD bytes or more, one VMM
 *               reservation each (growable heaps only).
 * A heap is shared between threads, as a Win32 heap is.
 *
 * Semantics follow docs/windows-behaviour.md §2 and §3: sizes, alignment, flags, the
 * exact requested size from strata_heap_size, walk order, lock behaviour.
 * Block headers and free-list links are encoded with a per-heap secret: a
 * double free, a pointer the heap never gave, a trashed header or a trashed
 * free-list link ends the process with one line on stderr naming the heap,
 * the address and the check ("termination on corruption"), while
 * strata_heap_validate reports the same damage as false and ends nothing.
 */
#ifndef STRATA_HEAP_H
#define STRATA_HEAP_H

#include <strata/vmm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Constants: the Windows values, so the Win32 view passes them through.    */
/* ------------------------------------------------------------------------ */

#define STRATA_HEAP_NO_SERIALIZE 0x00000001u          /* no internal lock: the caller serializes */
#define STRATA_HEAP_GROWABLE 0x00000002u              /* reported by strata; set when maximum_size is 0 */
#define STRATA_HEAP_GENERATE_EXCEPTIONS 0x00000004u   /* failures raise STRATA_STATUS_NO_MEMORY */
#define STRATA_HEAP_ZERO_MEMORY 0x00000008u           /* new bytes read as zero */
#define STRATA_HEAP_REALLOC_IN_PLACE_ONLY 0x00000010u /* realloc never moves the block */
#define STRATA_HEAP_CREATE_ENABLE_EXECUTE 0x00040000u /* blocks may be executed: committed read-write-execute */
/* strata's own, in a bit no Windows HEAP_* value uses (HeapCreate in the
 * Win32 view never passes it): every block of the heap is guarded, as
 * strata_heap_set_guard(heap, 1) does. */
#define STRATA_HEAP_CREATE_GUARD 0x80000000u

/* Blocks of this many bytes or more get a VMM reservation of their own
 * (0xFF000 on 64-bit, as Windows; half that on 32-bit). Fixed-size heaps
 * cannot hold blocks this large. */
#define STRATA_HEAP_LARGE_THRESHOLD ((size_t)0x20000 * sizeof(void *) - 0x1000)

/* The largest size any allocation can ask for (PTRDIFF_MAX less 16 MiB,
 * so that size arithmetic cannot wrap); larger requests fail. */
#define STRATA_HEAP_MAX_REQUEST ((size_t)PTRDIFF_MAX - ((size_t)1 << 24))

/* Every block is aligned to this (MEMORY_ALLOCATION_ALIGNMENT on 64-bit). */
#define STRATA_HEAP_ALIGNMENT 16u

/* Exception codes raised under STRATA_HEAP_GENERATE_EXCEPTIONS (NTSTATUS values). */
#define STRATA_STATUS_NO_MEMORY 0xC0000017u
#define STRATA_STATUS_ACCESS_VIOLATION 0xC0000005u

typedef struct strata_heap strata_heap;

/* ------------------------------------------------------------------------ */
/* Heaps                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * strata_heap_create — create a heap (HeapCreate).
 *   vmm           the virtual memory under the heap; NULL for strata's own
 *                 (strata_vmm_default()). It must outlive the heap.
 *   flags         STRATA_HEAP_NO_SERIALIZE, STRATA_HEAP_GENERATE_EXCEPTIONS,
 *                 STRATA_HEAP_CREATE_ENABLE_EXECUTE (every page of the heap
 *                 is committed through vmm->commit_executable, so blocks
 *                 hold code that runs; STRATA_E_UNSUPPORTED when the VMM
 *                 has none), STRATA_HEAP_CREATE_GUARD (every block guarded,
 *                 see strata_heap_set_guard; growable heaps only, else
 *                 STRATA_E_INVALID_PARAMETER); other bits are ignored, as
 *                 Windows ignores them.
 *   initial_size  bytes committed up front, rounded up to whole pages.
 *   maximum_size  0: growable, limited only by memory. Otherwise a fixed
 *                 heap: one reservation of maximum_size rounded up to whole
 *                 pages, never more; blocks and the heap's own bookkeeping
 *                 share it; blocks of STRATA_HEAP_LARGE_THRESHOLD bytes or
 *                 more always fail. initial_size is clipped to it.
 *   out           receives the heap. Its address is the heap's base: 64 KiB
 *                 aligned, the first byte of its first reservation.
 * Fails with STRATA_E_INVALID_PARAMETER for a NULL out, STRATA_E_NO_MEMORY
 * when the VMM refuses the reservation or the commit, STRATA_E_INVALID_ADDRESS
 * when the VMM returns a base not aligned as asked (a user-written VMM must
 * honour the alignment argument of reserve). Nothing is left behind.
 */
STRATA_API strata_status strata_heap_create(const strata_vmm *vmm, uint32_t flags, size_t initial_size,
                                            size_t maximum_size, strata_heap **out);

/*
 * strata_heap_destroy — release every reservation of the heap, its large
 * blocks included, whatever is still allocated (HeapDestroy). The heap
 * leaves the list of heaps. STRATA_E_INVALID_HANDLE for NULL, for a value
 * that is not a live heap, and for the process heap, which stays.
 */
STRATA_API strata_status strata_heap_destroy(strata_heap *heap);

/*
 * strata_heap_alloc — a block of at least `size` bytes, aligned to
 * STRATA_HEAP_ALIGNMENT (HeapAlloc). Size 0 gives a unique block of size 0.
 *   flags  STRATA_HEAP_ZERO_MEMORY: the block reads as zero.
 *          STRATA_HEAP_NO_SERIALIZE: this call does not take the heap lock.
 *          STRATA_HEAP_GENERATE_EXCEPTIONS: as at creation, for this call.
 * Returns NULL when memory is exhausted or the size cannot be held (a fixed
 * heap's limit, SIZE_MAX and sizes near it): the reason is always
 * STRATA_E_NO_MEMORY (ERROR_NOT_ENOUGH_MEMORY). Under GENERATE_EXCEPTIONS
 * the failure first raises STRATA_STATUS_NO_MEMORY (strata_heap_raise).
 * While another thread holds strata_heap_lock, the call waits (unless
 * NO_SERIALIZE is given here or at creation).
 */
STRATA_API void *strata_heap_alloc(strata_heap *heap, uint32_t flags, size_t size);

/* The largest size strata_heap_alloc_cached serves (the front end's
 * largest class, in growable heaps), and the largest it serves fastest (a
 * caller's test against it lets the compiler keep the larger sizes' code
 * off the small sizes' path). */
#define STRATA_HEAP_CACHED_MAX 32768
#define STRATA_HEAP_CACHED_SMALL 1024

/*
 * strata_heap_alloc_cached — strata_heap_alloc(heap, 0, size)'s lock-free
 * path alone, for callers that keep their own slow path (the crt's malloc):
 * a block of `size` bytes (0 to STRATA_HEAP_CACHED_MAX) from the calling
 * thread's cache of `heap`, like any block of the heap. Not a Windows call.
 * Returns NULL, setting no error code, whenever that cache cannot serve the
 * request at once: `heap` NULL, a larger size, no free slot cached for the
 * size, the thread's first call on this heap, a heap without per-thread
 * caches, or a heap locked with strata_heap_lock. NULL never means memory is
 * exhausted: call strata_heap_alloc then.
 */
STRATA_API void *strata_heap_alloc_cached(strata_heap *heap, size_t size);

/*
 * strata_heap_realloc — resize a block (HeapReAlloc), keeping its contents
 * up to the smaller of the two sizes.
 *   flags  STRATA_HEAP_ZERO_MEMORY: bytes past the old size read as zero.
 *          STRATA_HEAP_REALLOC_IN_PLACE_ONLY: never move; fail instead.
 *          NO_SERIALIZE and GENERATE_EXCEPTIONS as for strata_heap_alloc.
 * Returns the block (maybe moved) or NULL, with the old block untouched and
 * still valid: STRATA_E_NO_MEMORY when there is no room (or no room in
 * place). `block` NULL returns NULL with nothing to report (Windows sets
 * last error 0). A freed, foreign or damaged block ends the process, as
 * strata_heap_free does.
 */
STRATA_API void *strata_heap_realloc(strata_heap *heap, uint32_t flags, void *block, size_t size);

/* The largest alignment strata_heap_alloc_aligned accepts (64 MiB). */
#define STRATA_HEAP_MAX_ALIGNMENT ((size_t)1 << 26)

/*
 * strata_heap_alloc_aligned — as strata_heap_alloc, at a multiple of
 * `alignment`, a power of two up to STRATA_HEAP_MAX_ALIGNMENT (16 or less:
 * an ordinary block). Not a Windows call: it serves the crt's aligned
 * functions. The block is freed, sized, validated and reallocated like any
 * other (realloc keeps the alignment only when it resizes in place). A bad
 * alignment fails as an allocation failure does. The walk reports the
 * aligned block's enclosing block, which may start before it.
 */
STRATA_API void *strata_heap_alloc_aligned(strata_heap *heap, uint32_t flags, size_t size, size_t alignment);

/*
 * strata_heap_free — free a block (HeapFree). NULL is fine and returns
 * true. A double free, a pointer this heap never gave, or a block whose
 * header or free-list neighbours were overwritten ends the process with a
 * one-line message (see the top of this file). Returns false only when
 * `heap` is NULL and `block` is not.
 */
STRATA_API bool strata_heap_free(strata_heap *heap, uint32_t flags, void *block);

/*
 * strata_heap_size — the size requested for the block, exactly (HeapSize).
 * SIZE_MAX for NULL, a freed block, a damaged block or a pointer this heap
 * never gave; nothing ends and nothing is reported.
 */
STRATA_API size_t strata_heap_size(strata_heap *heap, uint32_t flags, const void *block);

/*
 * strata_heap_usable_size — how many bytes of the block may be used: at
 * least the requested size (malloc_usable_size). 0 where strata_heap_size
 * gives SIZE_MAX.
 */
STRATA_API size_t strata_heap_usable_size(strata_heap *heap, const void *block);

/*
 * strata_heap_validate — check the heap (HeapValidate).
 *   block NULL: every segment, block header, boundary tag, free list, page
 *   and large block of the heap; otherwise only that block, which must be a
 *   live block of this heap. Returns false for damage, a freed block, a
 *   pointer into other memory (another heap, a static buffer), and a NULL
 *   heap. Never ends the process, never reports a last error (HeapValidate
 *   sets ERROR_NOACCESS itself for a block address that cannot be read).
 */
STRATA_API bool strata_heap_validate(strata_heap *heap, uint32_t flags, const void *block);

/* ------------------------------------------------------------------------ */
/* Walking a heap (HeapWalk)                                                */
/* ------------------------------------------------------------------------ */

#define STRATA_HEAP_ENTRY_REGION 0x0001u      /* a segment: data is its base */
#define STRATA_HEAP_ENTRY_UNCOMMITTED 0x0002u /* an uncommitted range of a segment */
#define STRATA_HEAP_ENTRY_BUSY 0x0004u        /* an allocated block; 0 means a free block */
#define STRATA_HEAP_ENTRY_MOVEABLE 0x0010u    /* never set by strata (as modern Windows) */
#define STRATA_HEAP_ENTRY_DDESHARE 0x0020u    /* never set by strata (as modern Windows) */

/* The region index of large blocks, as Windows reports them. */
#define STRATA_HEAP_LARGE_REGION_INDEX 64u

typedef struct strata_heap_entry {
    void *data;             /* the block's data, region's base, or range's start; NULL to start */
    size_t size;            /* the block's requested size, region header, or range length */
    uint8_t overhead;       /* bytes of bookkeeping around the block */
    uint8_t region_index;   /* the segment's index; STRATA_HEAP_LARGE_REGION_INDEX for large blocks */
    uint16_t flags;         /* STRATA_HEAP_ENTRY_* */
    /* REGION entries only: */
    size_t committed_size;   /* committed bytes of the segment */
    size_t uncommitted_size; /* reserved, uncommitted bytes of the segment */
    void *first_block;       /* the first block's address */
    void *last_block;        /* the end of the segment's last block */
} strata_heap_entry;

/*
 * strata_heap_walk — the element after `entry` (HeapWalk). Set entry->data
 * to NULL to start, then pass the same entry back unchanged. Order: each
 * segment's REGION entry, its blocks (busy and free) in address order with
 * its uncommitted ranges where they fall, then every large block.
 * STRATA_E_NO_MORE_ITEMS at the end; STRATA_E_INVALID_PARAMETER for a NULL
 * heap or entry. Hold strata_heap_lock around a walk when other threads
 * use the heap.
 */
STRATA_API strata_status strata_heap_walk(strata_heap *heap, strata_heap_entry *entry);

/* ------------------------------------------------------------------------ */
/* Compacting, locking, the process heap, the list of heaps                 */
/* ------------------------------------------------------------------------ */

/*
 * strata_heap_compact — give back what can be given (HeapCompact): free
 * front-end pages return to the back end (those of other live threads too,
 * unless the thread is refilling at that moment, all but each class's
 * current page), free memory at the top of each
 * segment is decommitted, empty segments other than the first are
 * released. Returns the size of the largest free committed block after
 * that; 0 when there is none (not an error). 0 for a NULL heap.
 */
STRATA_API size_t strata_heap_compact(strata_heap *heap, uint32_t flags);

/*
 * strata_heap_lock / strata_heap_unlock — hold the heap's lock (HeapLock):
 * other threads' alloc, realloc and free on this heap wait until the
 * matching unlock. Recursive for the holding thread. On a NO_SERIALIZE
 * heap both succeed and block nothing. Return false only for a NULL heap
 * (lock) or when the calling thread does not hold the lock (unlock).
 * A call that races with strata_heap_lock may still finish after it.
 */
STRATA_API bool strata_heap_lock(strata_heap *heap);
STRATA_API bool strata_heap_unlock(strata_heap *heap);

/*
 * strata_heap_process — the process heap (GetProcessHeap): growable,
 * serialized, over the default VMM, created on first use and never
 * destroyed. NULL only if its first reservation failed.
 */
STRATA_API strata_heap *strata_heap_process(void);

/*
 * strata_heap_list — the live heaps (GetProcessHeaps): the process heap
 * first, then the others in creation order. Stores at most `capacity` of
 * them into `heaps` (which may be NULL when capacity is 0) and returns how
 * many there are, which may exceed capacity.
 */
STRATA_API size_t strata_heap_list(strata_heap **heaps, size_t capacity);

/*
 * strata_heap_flags — the heap's creation flags, with STRATA_HEAP_GROWABLE
 * when it has no maximum. 0 for NULL.
 */
STRATA_API uint32_t strata_heap_flags(const strata_heap *heap);

/* ------------------------------------------------------------------------ */
/* Heap information (HeapQueryInformation / HeapSetInformation)             */
/* ------------------------------------------------------------------------ */

typedef enum strata_heap_info_class {
    STRATA_HEAP_INFO_COMPATIBILITY = 0,          /* ULONG: 0 standard, 2 low-fragmentation front end */
    STRATA_HEAP_INFO_TERMINATE_ON_CORRUPTION = 1,/* set only; no data; process-wide */
    STRATA_HEAP_INFO_OPTIMIZE_RESOURCES = 3      /* set only; {ULONG Version = 1; ULONG Flags = 0} */
} strata_heap_info_class;

/*
 * strata_heap_query_information — COMPATIBILITY only: stores a 4-byte
 * value, 0 until the heap's front end is in use or was asked for, then 2
 * for good; always 0 for NO_SERIALIZE and fixed-size heaps, which have no
 * front end on Windows. *return_length (when not NULL) receives 4.
 * STRATA_E_NOACCESS for a NULL heap (nothing stored);
 * STRATA_E_BUFFER_TOO_SMALL when `length` < 4 or `info` is NULL;
 * STRATA_E_INVALID_PARAMETER for another class.
 */
STRATA_API strata_status strata_heap_query_information(strata_heap *heap, strata_heap_info_class info_class,
                                                       void *info, size_t length, size_t *return_length);

/*
 * strata_heap_set_information —
 *   COMPATIBILITY, 4-byte value: 2 asks for the front end (on a NO_SERIALIZE
 *   or fixed-size heap: STRATA_E_INVALID_PARAMETER); 0 or 1 once it is on:
 *   STRATA_E_GEN_FAILURE; other values STRATA_E_INVALID_PARAMETER.
 *   TERMINATE_ON_CORRUPTION: always on in strata; succeeds, heap may be NULL.
 *   OPTIMIZE_RESOURCES: compacts the heap (all heaps when NULL); a wrong
 *   length or version is STRATA_E_INVALID_PARAMETER.
 * STRATA_E_BAD_LENGTH when `length` is too small for the class;
 * STRATA_E_INVALID_HANDLE for a NULL heap where one is needed.
 */
STRATA_API strata_status strata_heap_set_information(strata_heap *heap, strata_heap_info_class info_class,
                                                     const void *info, size_t length);

/* ------------------------------------------------------------------------ */
/* Statistics and exceptions                                                */
/* ------------------------------------------------------------------------ */

typedef struct strata_heap_stats {
    size_t reserved_bytes;       /* address space held from the VMM, large blocks included */
    size_t committed_bytes;      /* of which committed */
    size_t peak_committed_bytes; /* highest committed_bytes seen */
    size_t large_blocks;         /* live large blocks */
    size_t segments;             /* live segments */
} strata_heap_stats;

/* strata_heap_get_stats — fills *out. STRATA_E_INVALID_PARAMETER for NULLs. */
STRATA_API strata_status strata_heap_get_stats(strata_heap *heap, strata_heap_stats *out);

/*
 * strata_heap_set_purge_delay — how long, in milliseconds, memory freed in
 * a heap may stay committed before the heap gives it back to the OS: 0 at
 * once, -1 never (values below -1 are taken as -1). Process-wide, for every
 * heap; the crt sets it at start-up from STRATA_PURGE_DELAY. Default 1000.
 * The back end gives free ranges of 64 KiB or more back (MEM_RESET) once
 * this long has passed since the first free that left one unpurged
 * (checked on its later allocations and frees), or at once when 32 MiB
 * are pending; a free segment top over 1 MiB is decommitted after it too.
 */
STRATA_API void strata_heap_set_purge_delay(int32_t milliseconds);

/* strata_heap_purge_delay — the delay strata_heap_set_purge_delay set (1000 until then). */
STRATA_API int32_t strata_heap_purge_delay(void);

/*
 * strata_heap_purge_due — give the OS back, now, what has waited the purge
 * delay in `heap`: free ranges, free segment tops and cached large blocks
 * that the heap's own later allocations and frees would have given back,
 * had there been any; nothing that waited less than the delay, and nothing
 * at all with a delay of -1. Also takes back, from threads that have not
 * refilled their pages for a purge delay (a second when it is -1), the
 * pages in which no block is live, for any thread to use (the back end
 * purges them in turn). For a thread that purges an idle program's heaps in
 * the background (the crt's STRATA_PURGE_BACKGROUND).
 * Takes the heap lock (a STRATA_HEAP_NO_SERIALIZE heap has none: its
 * caller serializes this call with the heap's others). Returns the bytes
 * given back (reset, decommitted or released); 0 for a NULL heap.
 */
STRATA_API size_t strata_heap_purge_due(strata_heap *heap);

/*
 * strata_heap_set_guard — guard mode (a "full page heap"): a guarded block
 * gets VMM pages of its own and ends where they end, right before an
 * inaccessible (uncommitted) page, its start 16-byte aligned; the bytes
 * between its end and that page, and before it in its first page, hold a
 * pattern. Freed, its pages are decommitted and kept in a quarantine (the
 * last 1024 blocks, 256 MiB of address space) before their address space is
 * released. A read or write past the block, into it after free, or of a
 * zero-size block faults, and strata's fault listener ends the process
 * with one line: "strata: heap H: <kind> at ADDRESS (block B, N bytes)",
 * kind being read overflow, write overflow, use after free read, use after
 * free write or zero-size access. A damaged pattern found by free, realloc
 * or validate of the block ends it with "guard padding overwritten" (free,
 * realloc) or makes validate false. A double free of a quarantined block is
 * "double free", as for any block.
 *   one_in  0: off; 1: every block from now on; N: one allocation in N,
 *           counted per thread (a sample, for long runs).
 * Blocks allocated before keep what they are. Each guarded block costs a
 * reservation (64 KiB of address space) and at least a page: with one_in 1,
 * the OS's limit on mappings (about 65530 on Linux, two per block) bounds
 * the live blocks. STRATA_E_INVALID_PARAMETER for a NULL or fixed-size heap;
 * STRATA_E_NO_MEMORY when the heap's table of guarded blocks cannot be made;
 * STRATA_E_RESOURCE_EXHAUSTED when 64 heaps are guarded already.
 */
STRATA_API strata_status strata_heap_set_guard(strata_heap *heap, uint32_t one_in);

/* strata_heap_guard — the heap's guard setting (0 off, 1 all, N one in N); 0 for NULL. */
STRATA_API uint32_t strata_heap_guard(const strata_heap *heap);

/*
 * strata_heap_raise — raise `code` the way HEAP_GENERATE_EXCEPTIONS does.
 * On Windows: RaiseException(code, 0, 0, NULL), catchable by SEH or a
 * vectored handler. On POSIX: the signal SIGABRT is queued to the calling
 * thread with si_code SI_QUEUE and si_value.sival_int = (int)code, so a
 * handler installed with SA_SIGINFO can tell it apart and may return (the
 * failing call then returns NULL) or siglongjmp out. Without a handler the
 * process ends, as an unhandled exception ends a Windows process.
 */
STRATA_API void strata_heap_raise(uint32_t code);

/* ------------------------------------------------------------------------ */
/* Snapshots: what strata-map draws                                         */
/* ------------------------------------------------------------------------ */

/* What a strata_heap_record describes. */
typedef enum strata_heap_record_kind {
    STRATA_HEAP_RECORD_REGION = 1,   /* a run of pages of the default VMM, as strata_vmm_query tells it */
    STRATA_HEAP_RECORD_SEGMENT = 2,  /* a segment of the heap, before the records of its contents */
    STRATA_HEAP_RECORD_PAGE = 3,     /* a front-end page: slots of one size class */
    STRATA_HEAP_RECORD_FREE = 4,     /* a free back-end block */
    STRATA_HEAP_RECORD_LARGE = 5,    /* a live large block */
    STRATA_HEAP_RECORD_LARGE_CACHED = 6 /* a freed large block kept reserved for reuse */
} strata_heap_record_kind;

typedef struct strata_heap_record {
    strata_heap_record_kind kind;
    void *address;    /* REGION: its base; SEGMENT: its base; PAGE: slot 0's data;
                         FREE: the block's data; LARGE(_CACHED): the reservation's base */
    size_t size;      /* REGION: bytes; SEGMENT: reserved bytes; PAGE: capacity * stride;
                         FREE: usable bytes; LARGE: requested bytes; LARGE_CACHED: 0 */
    size_t committed; /* SEGMENT, LARGE(_CACHED): committed bytes; others 0 */
    size_t reserved;  /* LARGE(_CACHED): reserved bytes; others 0 */
    /* SEGMENT only: its walk region index, and the back end's busy blocks in it
     * (the heap's own bookkeeping blocks and front-end pages not counted) */
    uint32_t index;
    size_t busy_blocks, busy_bytes;
    size_t metadata;  /* bytes before the first block: the segment's header, page
                         descriptors and side tables (partly uncommitted) */
    /* PAGE only */
    uint32_t size_class;     /* index of the size class, 0 for the smallest */
    uint32_t stride;         /* bytes per slot */
    uint32_t capacity;       /* slots */
    uint32_t used;           /* busy slots (as the walk reports them) */
    uint32_t pending;        /* slots freed by other threads, not yet taken back by the owner */
    uintptr_t owner;         /* the owning thread, as an opaque nonzero number; 0: none */
    /* REGION only */
    strata_vmm_region_info region;
    uintptr_t section;        /* in a view: the section shown (strata_vmm_query_view); 0 elsewhere */
    uint64_t section_offset;  /* in a view: where in the section this run of pages starts */
} strata_heap_record;

/* Receives each record; the record lives only for the call. It must not
 * call into the heap being described, nor allocate from it. */
typedef void (*strata_heap_record_fn)(void *context, const strata_heap_record *record);

/*
 * strata_heap_snapshot — describe `heap` record by record, holding its lock:
 * for each segment in order, a SEGMENT record, then its front-end PAGE
 * records and FREE records in address order; then every LARGE block and
 * every LARGE_CACHED block. Allocates nothing. Pages other threads are
 * allocating from at that moment are read without their owners' help, so
 * their `used` counts may be a few slots off. STRATA_E_INVALID_PARAMETER
 * for a NULL heap or callback.
 */
STRATA_API strata_status strata_heap_snapshot(strata_heap *heap, strata_heap_record_fn callback, void *context);

/*
 * strata_heap_snapshot_regions — one REGION record for every run of pages
 * strata_vmm_query reports for the default VMM from its lowest address up,
 * reservations and views only (free runs between them are skipped); in
 * views, with the section shown and the offset in it.
 * Allocates nothing; regions that change meanwhile may be seen half-changed.
 * STRATA_E_INVALID_PARAMETER for a NULL callback.
 */
STRATA_API strata_status strata_heap_snapshot_regions(strata_heap_record_fn callback, void *context);

/* ------------------------------------------------------------------------ */
/* Global and local memory (GlobalAlloc / LocalAlloc) over the process heap */
/* ------------------------------------------------------------------------ */
/*
 * Windows' legacy Global* and Local* functions, on the process heap, with
 * their documented and measured behaviour (docs/windows-behaviour.md §3). One
 * implementation serves both; `family` selects the few observable
 * differences (§3.10).
 *
 * Memory is either fixed (the value is a process-heap block) or moveable
 * (the value is a handle: the address of the data-pointer field of a
 * two-word entry {flags, data} in a table of 0x10000 entries, so a handle is
 * 8 modulo 16 and *(void **)handle is the data, NULL when discarded).
 *
 * Results are Windows'. Errors: each function takes `error`, and stores
 * into it only when Windows sets the thread's last error: the status whose
 * strata_status_win32_error is that code, STRATA_OK for NO_ERROR (0). It is
 * left as it was when Windows leaves the last error alone. `flags` are the
 * GMEM_* / LMEM_* values. All functions are thread-safe.
 */
typedef enum strata_memory_family {
    STRATA_MEMORY_GLOBAL, /* GlobalAlloc … GlobalHandle */
    STRATA_MEMORY_LOCAL   /* LocalAlloc … LocalHandle */
} strata_memory_family;

#define STRATA_GMEM_MOVEABLE 0x0002u
#define STRATA_GMEM_ZEROINIT 0x0040u
#define STRATA_GMEM_MODIFY 0x0080u
#define STRATA_GMEM_DISCARDABLE 0x0100u  /* Global */
#define STRATA_LMEM_DISCARDABLE 0x0F00u  /* Local */
#define STRATA_GMEM_DDESHARE 0x2000u
#define STRATA_GMEM_DISCARDED 0x4000u    /* reported by strata_global_flags */
#define STRATA_GMEM_INVALID_HANDLE 0x8000u
#define STRATA_GMEM_HANDLES 0x10000u     /* moveable handles there can be at once */

/*
 * strata_global_alloc — fixed memory (a block; GlobalAlloc(FIXED, 0) has
 * size 1, LocalAlloc's 0) or, with MOVEABLE, a handle (size 0: a discarded
 * handle, no data). ZEROINIT zeroes; DISCARDABLE and (Global) DDESHARE are
 * remembered for strata_global_flags. NULL with STRATA_E_NO_MEMORY when the
 * heap or the handle table is full.
 */
STRATA_API void *strata_global_alloc(strata_memory_family family, unsigned flags, size_t size,
                                     strata_status *error);

/*
 * strata_global_realloc — GlobalReAlloc's matrix (§3.6): MODIFY changes
 * attributes only (Global turns a fixed block into a moveable handle);
 * without MOVEABLE a fixed or locked block changes size only in place
 * (front-end blocks, like Windows' LFH blocks, never do); size 0 with
 * MOVEABLE discards an unlocked handle; DISCARDABLE without MODIFY fails.
 * Returns the (maybe new) handle or pointer; NULL on failure with the old
 * memory intact: STRATA_E_NO_MEMORY, STRATA_E_INVALID_PARAMETER,
 * STRATA_E_INVALID_HANDLE (freed or bad handle, or NULL), STRATA_E_NOACCESS
 * (a pointer that is not a block).
 */
STRATA_API void *strata_global_realloc(strata_memory_family family, void *memory, size_t size, unsigned flags,
                                       strata_status *error);

/*
 * strata_global_free — frees fixed memory or a handle (locked or not) and
 * returns NULL; NULL is fine. Returns `memory` itself on failure:
 * STRATA_E_INVALID_HANDLE for a freed or bad handle, STRATA_E_NOACCESS for
 * a pointer that is not a live block.
 */
STRATA_API void *strata_global_free(strata_memory_family family, void *memory, strata_status *error);

/*
 * strata_global_lock — the data of a handle, counting one more lock (up to
 * 255, where it stays); fixed memory is returned as it is. NULL for a
 * discarded handle (STRATA_E_DISCARDED), a freed or bad handle
 * (STRATA_E_INVALID_HANDLE), a pointer that is not a block (Global:
 * STRATA_E_INVALID_HANDLE; Local: nothing reported) and NULL.
 */
STRATA_API void *strata_global_lock(strata_memory_family family, void *memory, strata_status *error);

/*
 * strata_global_unlock — one lock fewer. true while locks remain; false
 * with STRATA_OK when the count reaches 0; false with STRATA_E_NOT_LOCKED
 * when it was 0. Fixed memory: Global true, Local false (NOT_LOCKED). A
 * freed or bad handle: Global true with STRATA_E_INVALID_HANDLE reported,
 * Local false with it. A pointer that is not a block: Global true, nothing
 * reported; Local false, STRATA_E_NOT_LOCKED.
 */
STRATA_API bool strata_global_unlock(strata_memory_family family, void *memory, strata_status *error);

/* strata_global_size — bytes of the data (0 when discarded); 0 with
 * STRATA_E_INVALID_HANDLE for anything that is not live memory. */
STRATA_API size_t strata_global_size(strata_memory_family family, void *memory, strata_status *error);

/*
 * strata_global_flags — the lock count in the low byte, with
 * STRATA_GMEM_DISCARDED, the DISCARDABLE value of the family, and (Global)
 * STRATA_GMEM_DDESHARE; 0 for fixed memory. STRATA_GMEM_INVALID_HANDLE for
 * what is not live memory, with STRATA_E_INVALID_HANDLE (Local, for a
 * pointer that is not a block: STRATA_E_NOACCESS).
 */
STRATA_API unsigned strata_global_flags(strata_memory_family family, void *memory, strata_status *error);

/*
 * strata_global_handle — the handle whose data `pointer` is; fixed memory
 * and any other process-heap block give themselves, a live handle gives
 * itself. NULL with STRATA_E_INVALID_HANDLE otherwise (Local, for a pointer
 * that is not a block: STRATA_E_NOACCESS).
 */
STRATA_API void *strata_global_handle(strata_memory_family family, const void *pointer, strata_status *error);


#ifdef __cplusplus
}
#endif

#endif /* STRATA_HEAP_H */
