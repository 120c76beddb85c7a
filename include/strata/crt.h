/* SPDX-License-Identifier: MIT */
/*
 * strata/crt.h — the C runtime's allocation functions over strata's heap
 * layer, with C's semantics and the Windows CRT's extensions.
 *
 * Every block lives on the CRT heap: strata's process heap
 * (strata_heap_process), as the UCRT's blocks live on GetProcessHeap(), or
 * a heap the program chose before its first allocation
 * (strata_crt_set_heap). The
 * functions here carry strata_ names; the drop-in (crt/dropin.c, in
 * libstrata.so and libstrata.a) gives them the standard names — malloc,
 * free, … — so that LD_PRELOAD or plain linking puts a program's every
 * allocation on strata.
 *
 * C semantics throughout: a failure returns NULL (or an error number where
 * the function returns one) and sets errno to ENOMEM, unless said otherwise;
 * a size above STRATA_CRT_MAX_REQUEST fails on every entry point; a block
 * that could not be resized is left as it was; every block is aligned to 16
 * bytes; freeing never changes errno. A pointer that is not a live block of
 * the CRT heap, passed to a function that frees or resizes, ends the process
 * with the heap's one-line message (heap.h, "termination on corruption").
 */
#ifndef STRATA_CRT_H
#define STRATA_CRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <strata/heap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Requests above this fail with ENOMEM: the heap's own limit. */
#define STRATA_CRT_MAX_REQUEST STRATA_HEAP_MAX_REQUEST

/* The largest alignment the aligned functions accept: the heap's (64 MiB). */
#define STRATA_CRT_MAX_ALIGNMENT STRATA_HEAP_MAX_ALIGNMENT

/* strata_crt_heap — the CRT heap: the one strata_crt_set_heap installed, or
 * else the process heap; NULL only if the process heap could not be made.
 * The first call fixes the CRT heap. */
STRATA_API strata_heap *strata_crt_heap(void);

/*
 * strata_crt_set_heap — put the crt (malloc, free, …, and C++ new and delete
 * above it) on `heap` instead of the process heap, without relinking: for
 * example a heap created over a vmm of the program's own
 * (strata_heap_create). Call it before anything uses the CRT heap: the first
 * malloc-family call, strata_crt_heap, strata_crt_count or
 * strata_crt_get_stats all fix the CRT heap for the life of the process.
 * With the drop-in (libstrata.so, libstrata.a) the C library itself may call
 * malloc before main, so this usually succeeds only with the crt layer's own
 * library (strata_ names) or from a constructor that runs before any
 * allocation.
 *   heap  a live heap that outlives every block the crt gives out; never
 *         destroyed while the process runs. A heap created with
 *         STRATA_HEAP_NO_SERIALIZE makes malloc unsafe to call from more
 *         than one thread.
 * Returns STRATA_OK (also when `heap` is already the CRT heap);
 * STRATA_E_INVALID_PARAMETER for NULL; STRATA_E_GEN_FAILURE when another
 * heap already is the CRT heap, which then stays. Thread-safe: of concurrent
 * calls, one heap wins.
 */
STRATA_API strata_status strata_crt_set_heap(strata_heap *heap);

/* ---- The C functions --------------------------------------------------- */

/* strata_malloc — `size` bytes, uninitialised; size 0 gives a unique block.
 * NULL + ENOMEM on failure. */
STRATA_API void *strata_malloc(size_t size);

/* strata_free — free a block of any function here (NULL is fine). errno is kept. */
STRATA_API void strata_free(void *block);

/* strata_calloc — count × size zeroed bytes. NULL + ENOMEM when the product
 * overflows or the allocation fails. */
STRATA_API void *strata_calloc(size_t count, size_t size);

/*
 * strata_realloc — resize `block` to `size` bytes, moving it if needed; the
 * first min(old, new) bytes are kept, grown bytes are uninitialised.
 *   block NULL: as strata_malloc(size).
 *   size 0 (block not NULL): frees the block and returns NULL (glibc's and
 *   MSVC's behaviour); errno is kept.
 *   failure: NULL + ENOMEM; the block is untouched and still owned by the caller.
 */
STRATA_API void *strata_realloc(void *block, size_t size);

/* strata_reallocarray — strata_realloc(block, count × size); NULL + ENOMEM
 * (block untouched) when the product overflows. */
STRATA_API void *strata_reallocarray(void *block, size_t count, size_t size);

/* strata_aligned_alloc — `size` bytes at a multiple of `alignment`, a power
 * of two (up to STRATA_CRT_MAX_ALIGNMENT); size need not be a multiple of it.
 * NULL + EINVAL for a bad alignment; NULL + ENOMEM on failure. Freed by strata_free. */
STRATA_API void *strata_aligned_alloc(size_t alignment, size_t size);

/* strata_posix_memalign — *out = `size` bytes aligned to `alignment`, a power
 * of two and a multiple of sizeof(void *). Returns 0, EINVAL (bad alignment)
 * or ENOMEM; on failure *out is not touched. errno is kept. Size 0 succeeds. */
STRATA_API int strata_posix_memalign(void **out, size_t alignment, size_t size);

/* strata_memalign — as strata_aligned_alloc, but an alignment that is not a
 * power of two is raised to the next one (glibc's behaviour); EINVAL only
 * when there is none. */
STRATA_API void *strata_memalign(size_t alignment, size_t size);

/* strata_valloc — strata_memalign(page size, size). */
STRATA_API void *strata_valloc(size_t size);

/* strata_pvalloc — strata_memalign(page size, size rounded up to whole pages; 0 gives one page). */
STRATA_API void *strata_pvalloc(size_t size);

/* strata_malloc_usable_size — bytes usable at `block` (≥ the size asked
 * for); 0 for NULL. A freed block or a pointer that is not a block of the
 * CRT heap ends the process with the heap's one-line message ("use after
 * free", "invalid pointer: not a block of this heap"). */
STRATA_API size_t strata_malloc_usable_size(const void *block);

/* strata_malloc_trim — give the CRT heap's free memory back to the OS now
 * (strata_heap_compact on it: cached large blocks, emptied pages of the
 * caller and of exited threads, free ranges, the free tops of segments),
 * as glibc's malloc_trim; `pad` is accepted and ignored. Returns 1 when
 * the heap's committed memory went down, else 0. Never fails. */
STRATA_API int strata_malloc_trim(size_t pad);

/* strata_free_sized — C23: free a block allocated with `size` bytes (the size is not checked). */
STRATA_API void strata_free_sized(void *block, size_t size);

/* strata_free_aligned_sized — C23: free a block from strata_aligned_alloc(alignment, size). */
STRATA_API void strata_free_aligned_sized(void *block, size_t alignment, size_t size);

/* ---- The Windows CRT's functions ------------------------------------------- */

/* strata__msize — the block's size as asked for (HeapSize of the CRT heap;
 * 1 for malloc(0), as the UCRT allocates one byte). NULL: EINVAL, (size_t)-1. */
STRATA_API size_t strata__msize(void *block);

/* strata__expand — resize in place only: `block` or NULL + ENOMEM (the block
 * keeps its size). NULL block: EINVAL, NULL. */
STRATA_API void *strata__expand(void *block, size_t size);

/* strata__recalloc — strata_realloc(block, count × size) with the bytes past
 * the old size zeroed. block NULL: as calloc. Total 0: frees, returns NULL.
 * Overflow or failure: NULL + ENOMEM, block untouched. */
STRATA_API void *strata__recalloc(void *block, size_t count, size_t size);

/* strata__aligned_malloc — `size` bytes aligned to `alignment` (a power of
 * two; smaller than sizeof(void *) is raised to it). EINVAL for a bad
 * alignment, ENOMEM on failure. Freed only by strata__aligned_free. */
STRATA_API void *strata__aligned_malloc(size_t size, size_t alignment);

/* strata__aligned_realloc — block NULL: as _aligned_malloc; size 0: frees,
 * returns NULL; failure: NULL + ENOMEM, block untouched; bad alignment:
 * NULL + EINVAL. The result keeps `alignment`. */
STRATA_API void *strata__aligned_realloc(void *block, size_t size, size_t alignment);

/* strata__aligned_recalloc — strata__aligned_realloc(count × size) with the
 * bytes past the old size zeroed; overflow: NULL + ENOMEM. */
STRATA_API void *strata__aligned_recalloc(void *block, size_t count, size_t size, size_t alignment);

/* strata__aligned_free — free a block of the _aligned_ functions (NULL is
 * fine). A block that did not come from them ends the process. */
STRATA_API void strata__aligned_free(void *block);

/* strata__aligned_msize — the size asked for at allocation. NULL block or a
 * bad alignment: EINVAL, (size_t)-1; `offset` must be 0 (the _aligned_offset_
 * functions are not provided): EINVAL otherwise. */
STRATA_API size_t strata__aligned_msize(void *block, size_t alignment, size_t offset);

/* strata__set_new_mode — 1: malloc, calloc, realloc, _recalloc and
 * _expand call the new handler when they fail and retry while it succeeds
 * (see strata_crt_set_new_handler); 0: they do not (the default). Returns the
 * previous mode; any other value: EINVAL, -1. */
STRATA_API int strata__set_new_mode(int mode);

/* The new handler new mode 1 calls (MSVC's _PNH): given the failed size,
 * returns nonzero to have the allocation retried, 0 to let it fail. The cxx
 * layer installs one that runs the C++ new handler. */
typedef int (*strata_crt_new_handler)(size_t size);

/* strata_crt_set_new_handler — install `handler` (NULL removes it); returns the previous one. */
STRATA_API strata_crt_new_handler strata_crt_set_new_handler(strata_crt_new_handler handler);

/* ---- Statistics -------------------------------------------------------- */

typedef struct strata_crt_stats {
    uint64_t allocations;       /* successful malloc-family calls that made a block */
    uint64_t frees;             /* blocks freed (NULL not counted) */
    uint64_t failures;          /* calls that failed with ENOMEM */
    size_t peak_committed;      /* the CRT heap's highest committed bytes */
    size_t committed;           /* the CRT heap's committed bytes now */
    size_t reserved;            /* the CRT heap's reserved bytes now */
    size_t live_bytes;          /* bytes asked for by the blocks live now (see below) */
    size_t peak_live_bytes;     /* the most live_bytes has been */
} strata_crt_stats;

/* strata_crt_get_stats — fills *out (nothing for NULL). Counts and live
 * bytes are kept only while counting is on (strata_crt_count, or
 * STRATA_STATS=1 or 2 in the environment at start-up); a block allocated
 * before counting started and freed after it makes live_bytes low (it
 * stops at 0). The heap figures are kept always. */
STRATA_API void strata_crt_get_stats(strata_crt_stats *out);

/* strata_crt_count — turn the allocation counters on or off. */
STRATA_API void strata_crt_count(int on);

/* What the CRT heap holds now, from a walk of it (strata_heap_walk). */
typedef struct strata_crt_usage {
    size_t busy_blocks;  /* live blocks, large ones included */
    size_t busy_bytes;   /* their sizes as asked for */
    size_t free_blocks;  /* free blocks in the heap's segments */
    size_t free_bytes;   /* their sizes */
    size_t large_blocks; /* live blocks with a reservation of their own */
    size_t large_bytes;  /* their sizes */
    size_t committed;    /* the CRT heap's committed bytes, large blocks included */
} strata_crt_usage;

/*
 * strata_crt_get_usage — walk the CRT heap, holding its lock (other threads'
 * malloc and free wait), and fill *out. Takes time in proportion to the
 * heap's blocks. STRATA_E_INVALID_PARAMETER for NULL; STRATA_E_NO_MEMORY
 * when there is no CRT heap (the process heap could not be made).
 */
STRATA_API strata_status strata_crt_get_usage(strata_crt_usage *out);

/* Receives report text: `length` bytes at `text`, not NUL-terminated. */
typedef void (*strata_write_fn)(void *context, const char *text, size_t length);

/*
 * strata_stats_print — write the statistics report that STRATA_STATS
 * prints at exit through write(context, text, length), one call per line:
 * the summary line (pid and program name, counts, live and peak bytes,
 * committed and reserved memory), then, when STRATA_STATS is 2, the CRT
 * heap's live blocks by size class and one line per heap. The heap is
 * walked first and `write` called after the lock is let go, so it may
 * allocate. Nothing happens for a NULL write.
 */
STRATA_API void strata_stats_print(strata_write_fn write, void *context);

/* strata_malloc_stats — glibc's malloc_stats: the statistics of
 * strata_stats_print, at level 2, on standard error. */
STRATA_API void strata_malloc_stats(void);

/*
 * strata_malloc_info — glibc's malloc_info: an XML description of the CRT
 * heap (its own elements, documented in docs/options.md) on `stream`.
 * options must be 0. Returns 0; -1 with errno EINVAL for other options or a
 * NULL stream.
 */
STRATA_API int strata_malloc_info(int options, FILE *stream);
/* ------------------------------------------------------------------------ */
/* The memory map (what strata-map draws)                                   */
/* ------------------------------------------------------------------------ */

/*
 * strata_map_write — write a snapshot of strata's memory to `path`: every
 * region of the default VMM (VirtualQuery's fields), and every heap with its
 * statistics, segments, front-end pages (size class, slots used, owning
 * thread), free back-end blocks and large blocks. A path ending in .html or
 * .htm gets the strata-map page with the snapshot inside, one file that
 * opens in a browser with nothing else; any other path gets the JSON alone
 * (its format: docs/strata-map.md). Allocates nothing from strata, so it
 * can be called anywhere malloc can, and the snapshot shows the heaps as
 * the program left them. The file is created or truncated.
 * Fails with STRATA_E_INVALID_PARAMETER for a NULL or empty path, as
 * strata_platform_file_open does when the file cannot be opened
 * (STRATA_E_NOT_FOUND for a missing folder, STRATA_E_ACCESS_DENIED), and
 * with STRATA_E_RESOURCE_EXHAUSTED when a write fails (a full disk).
 * The environment does the same without code: STRATA_MAP=FILE writes the
 * map when the process exits, and with STRATA_MAP_SIGNAL=SIGUSR2 (or USR1,
 * or a number) also at the first malloc that needs the heap's slow path
 * after that signal arrives, into FILE-1.html, FILE-2.html … (the numbers
 * before the extension), so that the exit map does not replace them.
 */
STRATA_API strata_status strata_map_write(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_CRT_H */
