/* SPDX-License-Identifier: MIT */
/*
 * strata/vmm.h — the virtual-memory manager: Windows' VirtualAlloc family
 * with its exact semantics on every OS, answered from strata's own tree of
 * region descriptors (NT's VAD tree), plus sections (CreateFileMapping /
 * MapViewOfFile), and the strata_vmm interface the heap layer is built over.
 *
 * Addresses and sizes follow Windows' rounding rules, stated per function.
 * Every function returns a strata_status and leaves memory and bookkeeping
 * unchanged on failure; strata_status_win32_error() gives the last-error code
 * Windows reports for the same case. All functions are thread-safe.
 */
#ifndef STRATA_VMM_H
#define STRATA_VMM_H

#include <strata/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Constants: the Windows values, so the Win32 view passes them through.    */
/* ------------------------------------------------------------------------ */

/* Page protections: exactly one base value, optionally with modifiers. */
#define STRATA_PAGE_NOACCESS 0x01u
#define STRATA_PAGE_READONLY 0x02u
#define STRATA_PAGE_READWRITE 0x04u
#define STRATA_PAGE_WRITECOPY 0x08u
#define STRATA_PAGE_EXECUTE 0x10u
#define STRATA_PAGE_EXECUTE_READ 0x20u
#define STRATA_PAGE_EXECUTE_READWRITE 0x40u
#define STRATA_PAGE_EXECUTE_WRITECOPY 0x80u
#define STRATA_PAGE_GUARD 0x100u        /* modifier: first touch faults once, then the guard is gone */
#define STRATA_PAGE_NOCACHE 0x200u      /* modifier: recorded and reported (sticky) */
#define STRATA_PAGE_WRITECOMBINE 0x400u /* modifier: recorded and reported */

/* Region states and types, as strata_vmm_region_info reports them. */
#define STRATA_MEM_COMMIT 0x1000u
#define STRATA_MEM_RESERVE 0x2000u
#define STRATA_MEM_FREE 0x10000u
#define STRATA_MEM_PRIVATE 0x20000u
#define STRATA_MEM_MAPPED 0x40000u

/* Options for strata_vmm_reserve / strata_vmm_commit. */
#define STRATA_VMM_TOP_DOWN 0x1u /* place the reservation as high as possible (MEM_TOP_DOWN) */

/*
 * strata_vmm_protection_is_valid — whether `protect` is a valid protection
 * for private memory: exactly one base PAGE_* value other than the WRITECOPY
 * forms, with at most one of GUARD, NOCACHE, WRITECOMBINE, and none of them
 * on NOACCESS. Never fails.
 */
STRATA_API bool strata_vmm_protection_is_valid(uint32_t protect);

/* ------------------------------------------------------------------------ */
/* System information                                                       */
/* ------------------------------------------------------------------------ */

typedef struct strata_vmm_system_info {
    size_t page_size;              /* 4096: unit of commit and protect */
    size_t allocation_granularity; /* 65536: alignment of every reservation, on every OS */
    uintptr_t lowest_address;      /* lowest address a reservation can have (0x10000) */
    uintptr_t highest_address;     /* highest address of user space (0x7FFFFFFEFFFF on 64-bit) */
    unsigned processor_count;
} strata_vmm_system_info;

/* strata_vmm_get_system_info — fills *out (GetSystemInfo). Never fails; NULL is ignored. */
STRATA_API void strata_vmm_get_system_info(strata_vmm_system_info *out);

/* ------------------------------------------------------------------------ */
/* Regions                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * strata_vmm_reserve — reserve address space (VirtualAlloc MEM_RESERVE).
 *   address  NULL: strata picks a 64 KiB-aligned base; otherwise rounded down
 *            to 64 KiB, and the range covers every page of [address, address+size).
 *   size     rounded up to whole pages; 0 is STRATA_E_INVALID_PARAMETER.
 *   protect  a valid protection for private memory (no WRITECOPY forms),
 *            recorded as the allocation protection; STRATA_E_INVALID_PARAMETER.
 *   options  0 or STRATA_VMM_TOP_DOWN.
 *   out_base receives the base.
 * STRATA_E_CONFLICTING_ADDRESS when any 64 KiB granule of the range is
 * already reserved (by strata or the OS); STRATA_E_INVALID_PARAMETER for an
 * address outside user space; STRATA_E_NO_MEMORY when there is no room.
 */
STRATA_API strata_status strata_vmm_reserve(void *address, size_t size, uint32_t protect,
                                            uint32_t options, void **out_base);

/*
 * strata_vmm_reserve_aligned — as strata_vmm_reserve with address NULL, but
 * the base is a multiple of `alignment` (a power of two ≥ 64 KiB), as
 * VirtualAlloc2's address requirements give. STRATA_E_INVALID_PARAMETER for
 * a bad alignment.
 */
STRATA_API strata_status strata_vmm_reserve_aligned(size_t size, size_t alignment, uint32_t protect,
                                                    void **out_base);

/*
 * strata_vmm_commit — commit pages (VirtualAlloc MEM_COMMIT).
 *   address  NULL: reserve and commit a new region (as MEM_RESERVE|MEM_COMMIT);
 *            otherwise rounded down to a page, and every page touching
 *            [address, address+size) must lie in one reservation
 *            (STRATA_E_INVALID_ADDRESS). Pages already committed keep their
 *            contents and take `protect`; new pages read as zero.
 *   protect  as for reserve, PAGE_GUARD and NOCACHE allowed (not with NOACCESS).
 *   out_base receives the page-rounded address (or the new region's base).
 * In a view of a section, commit works only for SEC_RESERVE sections
 * (STRATA_E_ACCESS_DENIED for file-backed ones) and commits the pages in the
 * section, for every view of it.
 */
STRATA_API strata_status strata_vmm_commit(void *address, size_t size, uint32_t protect,
                                           uint32_t options, void **out_base);

/*
 * strata_vmm_decommit — decommit pages (VirtualFree MEM_DECOMMIT): every
 * page touching [address, address+size); size 0 means the whole reservation,
 * and then address must lie in its first page (STRATA_E_INVALID_ADDRESS).
 * Uncommitted pages in the range are fine. Views cannot be decommitted
 * (STRATA_E_INVALID_PARAMETER); a range outside one reservation is
 * STRATA_E_INVALID_ADDRESS.
 */
STRATA_API strata_status strata_vmm_decommit(void *address, size_t size);

/*
 * strata_vmm_release — release a whole reservation (VirtualFree MEM_RELEASE);
 * `address` must lie in its first page (STRATA_E_INVALID_ADDRESS otherwise,
 * and for memory strata did not reserve). Views are released with
 * strata_section_unmap (STRATA_E_INVALID_ADDRESS here).
 */
STRATA_API strata_status strata_vmm_release(void *address);

/*
 * strata_vmm_reset — MEM_RESET: the contents of the pages touching
 * [address, address+size) are no longer needed; they stay committed with
 * their protection and read as before or as zero. The range may include
 * reserved pages but must lie in one reservation (STRATA_E_INVALID_ADDRESS).
 * out_base receives the page-rounded address.
 */
STRATA_API strata_status strata_vmm_reset(void *address, size_t size, void **out_base);

/*
 * strata_vmm_reset_undo — MEM_RESET_UNDO: asks for the contents reset
 * earlier back. strata cannot know whether the OS already dropped them, so
 * it restores the pages' use and reports STRATA_E_UNSUPPORTED ("some data may
 * be zero"), which Windows also allows; the range rules are reset's.
 */
STRATA_API strata_status strata_vmm_reset_undo(void *address, size_t size, void **out_base);

/*
 * strata_vmm_protect — set the protection of every page touching
 * [address, address+size) (VirtualProtect). All pages must be committed and
 * in one reservation (STRATA_E_INVALID_ADDRESS, nothing changed);
 * `out_old` (required: STRATA_E_NOACCESS) receives the first page's previous
 * protection. NOCACHE and WRITECOMBINE given at allocation stay; they cannot
 * be added later. In views the new access must be within the view's.
 */
STRATA_API strata_status strata_vmm_protect(void *address, size_t size, uint32_t protect,
                                            uint32_t *out_old);

typedef struct strata_vmm_region_info {
    void *base;                  /* the page holding the queried address */
    void *allocation_base;       /* the reservation's or view's base; NULL when free */
    uint32_t allocation_protect; /* protection given at reservation; 0 when free */
    size_t region_size;          /* bytes from base with identical attributes */
    uint32_t state;              /* STRATA_MEM_COMMIT, _RESERVE or _FREE */
    uint32_t protect;            /* current protection; 0 when reserved, NOACCESS when free */
    uint32_t type;               /* STRATA_MEM_PRIVATE or _MAPPED; 0 when free */
} strata_vmm_region_info;

/*
 * strata_vmm_watch_faults — route the process's access faults through the
 * vmm from now on (it does so by itself from the first guard page or
 * copy-on-write view): guard pages fire once, and a fault in memory the
 * vmm manages that no handler takes is named on stderr before the process
 * ends (STRATA_FAULT_DENIED). Idempotent. Fails as
 * strata_platform_set_fault_handler does (STRATA_E_RESOURCE_EXHAUSTED when
 * the OS refuses, STRATA_E_INVALID_PARAMETER when another handler holds
 * the platform's one place).
 */
STRATA_API strata_status strata_vmm_watch_faults(void);

/*
 * strata_vmm_query — describe the region holding `address` (VirtualQuery):
 * the longest run of pages from it with the same state, protection, type and
 * allocation. Memory strata did not reserve is reported free, up to the next
 * strata reservation. STRATA_E_INVALID_PARAMETER above highest_address or for
 * a NULL out.
 */
STRATA_API strata_status strata_vmm_query(const void *address, strata_vmm_region_info *out);

/*
 * strata_vmm_lock — keep committed pages resident (VirtualLock). Every page
 * touching the range must be committed and accessible
 * (STRATA_E_INVALID_ADDRESS / STRATA_E_NOACCESS). A guard page makes the
 * call fail once with STRATA_E_GUARD_PAGE and loses its guard. Locks do not
 * count: one unlock undoes any number of locks. STRATA_E_WORKING_SET_QUOTA
 * when the OS limit on locked memory is reached.
 */
STRATA_API strata_status strata_vmm_lock(void *address, size_t size);

/*
 * strata_vmm_unlock — undo strata_vmm_lock (VirtualUnlock). Every page in
 * the range must be locked, else STRATA_E_NOT_LOCKED (and, as on Windows,
 * the locked ones among them are unlocked anyway).
 */
STRATA_API strata_status strata_vmm_unlock(void *address, size_t size);

/*
 * strata_vmm_is_readable / strata_vmm_is_writable — whether every byte of
 * [address, address+size) may be read / written now (IsBadReadPtr and
 * IsBadWritePtr, inverted): true for size 0, false for NULL with size > 0,
 * for reserved, free, NOACCESS and guard pages. Memory strata did not
 * reserve is checked with the OS where it can tell.
 */
STRATA_API bool strata_vmm_is_readable(const void *address, size_t size);
STRATA_API bool strata_vmm_is_writable(void *address, size_t size);

/* ------------------------------------------------------------------------ */
/* Sections: shared memory and file views                                   */
/* ------------------------------------------------------------------------ */

typedef struct strata_section strata_section; /* a handle; one per create/open */

/* Section attributes (SEC_*), for strata_section_create. */
#define STRATA_SEC_COMMIT 0x8000000u  /* every page committed when the section is made (default) */
#define STRATA_SEC_RESERVE 0x4000000u /* pages committed later with strata_vmm_commit in a view */
#define STRATA_SEC_NOCACHE 0x10000000u      /* with COMMIT or RESERVE: views' pages carry PAGE_NOCACHE */
#define STRATA_SEC_WRITECOMBINE 0x40000000u /* with COMMIT or RESERVE: views' pages carry PAGE_WRITECOMBINE */

/* View access rights (FILE_MAP_*), for strata_section_map and _open. */
#define STRATA_FILE_MAP_COPY 0x1u
#define STRATA_FILE_MAP_WRITE 0x2u
#define STRATA_FILE_MAP_READ 0x4u
#define STRATA_FILE_MAP_EXECUTE 0x20u
#define STRATA_FILE_MAP_ALL_ACCESS 0xF001Fu

/*
 * strata_section_create — make a section (CreateFileMapping).
 *   file        STRATA_NO_FILE for memory backed by the paging file, else an
 *               open file; size 0 then means the file's size (an empty file
 *               is STRATA_E_FILE_INVALID) and a larger size grows the file
 *               when `protect` can write (READWRITE, EXECUTE_READWRITE;
 *               otherwise STRATA_E_NO_MEMORY, NT's STATUS_SECTION_TOO_BIG).
 *               A file not open for what `protect` needs is
 *               STRATA_E_ACCESS_DENIED, one that is not open
 *               STRATA_E_INVALID_HANDLE. The caller may close it afterwards.
 *   size        bytes; 0 with STRATA_NO_FILE is STRATA_E_INVALID_PARAMETER.
 *   protect     READONLY, READWRITE, WRITECOPY, EXECUTE_READ,
 *               EXECUTE_READWRITE or EXECUTE_WRITECOPY; anything else is
 *               STRATA_E_INVALID_PARAMETER.
 *   attributes  0, STRATA_SEC_COMMIT or STRATA_SEC_RESERVE (not both);
 *               file-backed sections ignore them (their pages are the file's).
 *   name        NULL (or "") for an anonymous section; otherwise a
 *               case-sensitive name, at most 200 bytes, that other processes
 *               can open while a handle to it is open in any process.
 *   out_section receives the handle (required: STRATA_E_INVALID_PARAMETER).
 *   out_existed (may be NULL) set to true when a section with that name
 *               already existed, in this process or another: the handle is
 *               then to it and size and protect are ignored.
 * STRATA_E_NO_MEMORY when the OS cannot provide it.
 */
STRATA_API strata_status strata_section_create(strata_native_file file, uint64_t size,
                                               uint32_t protect, uint32_t attributes,
                                               const char *name, strata_section **out_section,
                                               bool *out_existed);

/*
 * strata_section_open — a new handle to a named section (OpenFileMapping).
 * STRATA_E_NOT_FOUND when no section has that name; STRATA_E_INVALID_PARAMETER
 * for a NULL or empty name or a NULL out_section. `access` is FILE_MAP_*
 * and bounds what views of this handle may ask for: FILE_MAP_READ for
 * read-only, copy-on-write and no-access views, FILE_MAP_WRITE for
 * read-write ones (it does not imply READ), FILE_MAP_EXECUTE for executable
 * ones; FILE_MAP_COPY alone counts as FILE_MAP_READ. A named file-backed
 * section made by another process is reopened by its file's path
 * (STRATA_E_FILE_INVALID when that file is gone or changed).
 */
STRATA_API strata_status strata_section_open(const char *name, uint32_t access,
                                             strata_section **out_section);

/*
 * strata_section_close — close a handle (CloseHandle). The section lives on
 * while views of it are mapped; its name goes with its last handle in any
 * process, or when the processes holding one have ended. A forked child
 * holds the names its parent held (it has the handles) until it closes
 * them or ends, including any program it goes on to exec.
 * STRATA_E_INVALID_HANDLE for NULL or a closed handle.
 */
STRATA_API strata_status strata_section_close(strata_section *section);

/*
 * strata_section_map — map a view (MapViewOfFileEx).
 *   access   FILE_MAP_* (COPY alone gives WRITECOPY pages, READ|COPY
 *            READONLY, WRITE READWRITE, READ READONLY, 0 NOACCESS, and with
 *            EXECUTE the EXECUTE_* forms); more than the section's
 *            protection or the handle's access allows is
 *            STRATA_E_ACCESS_DENIED. Only COPY views (WRITECOPY pages) are
 *            private copies: their writes never reach the section.
 *   offset   a multiple of 64 KiB (STRATA_E_MAPPED_ALIGNMENT).
 *   size     0 maps to the end of the section; past its end is
 *            STRATA_E_ACCESS_DENIED.
 *   address  NULL for any 64 KiB-aligned base, else the base wanted
 *            (STRATA_E_MAPPED_ALIGNMENT when not 64 KiB aligned,
 *            STRATA_E_CONFLICTING_ADDRESS when in use,
 *            STRATA_E_INVALID_PARAMETER outside user space).
 *   out_base receives the base (required: STRATA_E_INVALID_PARAMETER).
 * STRATA_E_INVALID_HANDLE for NULL or a closed handle. The view shows in
 * strata_vmm_query as MEM_MAPPED, its allocation protection the one access
 * gives; pages of SEC_RESERVE sections show reserved until committed in
 * any view of this process (commits are tracked per process: a view in
 * another process shows them reserved until that process commits them,
 * though the data is shared). A copy-on-write page stays WRITECOPY in
 * queries after it is written (Windows shows READWRITE): strata cannot
 * see the write.
 */
STRATA_API strata_status strata_section_map(strata_section *section, uint32_t access,
                                            uint64_t offset, size_t size, void *address,
                                            void **out_base);

/*
 * strata_section_unmap — unmap the view holding `address`, which may be
 * anywhere inside it (UnmapViewOfFile). STRATA_E_INVALID_ADDRESS when it is
 * not in a view.
 */
STRATA_API strata_status strata_section_unmap(const void *address);

/* What strata_vmm_query_view tells of a view. */
typedef struct strata_vmm_view_info {
    void *base;                /* the view's base */
    size_t size;               /* the view's size, whole pages */
    uintptr_t section;         /* the section shown: the same nonzero number for every view of
                                  one section in this process, another for another section */
    uint64_t offset;           /* where in the section the view starts */
    bool copy_on_write;        /* a FILE_MAP_COPY view: writes stay in this view */
} strata_vmm_view_info;

/*
 * strata_vmm_query_view — the view holding `address`, anywhere inside it:
 * which section it shows and from where (what VirtualQuery does not say).
 * Not a Windows call. STRATA_E_INVALID_ADDRESS when no view holds the
 * address; STRATA_E_INVALID_PARAMETER for a NULL out.
 */
STRATA_API strata_status strata_vmm_query_view(const void *address, strata_vmm_view_info *out);

/*
 * strata_section_flush — start writing the dirty pages of
 * [address, address+size) of a file-backed view to the file
 * (FlushViewOfFile); size 0 flushes to the end of the view. Views of
 * memory sections and copy-on-write views have nothing to write and
 * succeed. STRATA_E_INVALID_ADDRESS when the range is not inside one view.
 */
STRATA_API strata_status strata_section_flush(const void *address, size_t size);

/* ------------------------------------------------------------------------ */
/* Placeholders                                                             */
/* ------------------------------------------------------------------------ */

/*
 * A placeholder is reserved address space that holds a place for later
 * allocations and views: it can be split into smaller placeholders and each
 * replaced by a private allocation or a view of a section, which lets one
 * section be mapped twice back to back (a ring buffer). It shows in
 * strata_vmm_query as a reservation: MEM_RESERVE, MEM_PRIVATE, allocation
 * protection PAGE_NOACCESS. Nothing can be committed in it until it is
 * replaced; strata_vmm_release frees it.
 *
 * strata splits placeholders at 64 KiB boundaries only (Windows at pages).
 * Where the platform cannot release part of a reservation
 * (strata_platform_info.can_release_partially false: Windows), every
 * function below fails with STRATA_E_UNSUPPORTED.
 */

/*
 * strata_vmm_reserve_placeholder — reserve a placeholder of `size` bytes
 * (a non-zero multiple of 64 KiB), at `address` (64 KiB aligned) or
 * anywhere when NULL. STRATA_E_INVALID_PARAMETER for a bad size, a
 * misaligned address or a NULL out_base; STRATA_E_INVALID_ADDRESS when
 * the range is in use; STRATA_E_NO_MEMORY when there is no room.
 */
STRATA_API strata_status strata_vmm_reserve_placeholder(void *address, size_t size, void **out_base);

/*
 * strata_vmm_split_placeholder — make [address, address+size) a placeholder
 * of its own, cutting the placeholder that holds it into two or three
 * (VirtualFree with MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER).
 * STRATA_E_INVALID_PARAMETER when address or size is not a multiple of 64
 * KiB, size is 0, or the range is the whole placeholder (nothing to split);
 * STRATA_E_INVALID_ADDRESS when the range is not inside one placeholder.
 */
STRATA_API strata_status strata_vmm_split_placeholder(void *address, size_t size);

/*
 * strata_vmm_replace_placeholder — turn the placeholder at `address`, of
 * exactly `size` bytes, into a private reservation with allocation
 * protection `protect` (VirtualAlloc2 with MEM_RESERVE |
 * MEM_REPLACE_PLACEHOLDER), and commit it all when `commit`.
 * STRATA_E_INVALID_ADDRESS when no placeholder starts at `address` or its
 * size differs; STRATA_E_INVALID_PARAMETER for a bad protection or NULL
 * out_base; commit failures as strata_vmm_commit (the placeholder then
 * stays).
 */
STRATA_API strata_status strata_vmm_replace_placeholder(void *address, size_t size, uint32_t protect,
                                                        bool commit, void **out_base);

/*
 * strata_vmm_restore_placeholder — give a private reservation made by
 * strata_vmm_replace_placeholder back as a placeholder, its pages
 * decommitted (VirtualFree with MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER on
 * such a reservation). `address` is its base. STRATA_E_INVALID_ADDRESS
 * when it is not the base of one.
 */
STRATA_API strata_status strata_vmm_restore_placeholder(void *address);

/*
 * strata_section_map_placeholder — map a view of `section` in place of the
 * placeholder at `address`, of exactly `size` bytes (MapViewOfFile3 with
 * MEM_REPLACE_PLACEHOLDER). `access`, `offset` as strata_section_map.
 * STRATA_E_INVALID_ADDRESS when no placeholder of that size starts there;
 * else the failures of strata_section_map, and the placeholder stays.
 * While the placeholder is swapped for the view, another thread mapping
 * memory outside strata could take the range: the call then fails with
 * STRATA_E_NO_MEMORY and the placeholder is lost.
 */
STRATA_API strata_status strata_section_map_placeholder(strata_section *section, uint32_t access,
                                                        uint64_t offset, size_t size, void *address,
                                                        void **out_base);

/* ------------------------------------------------------------------------ */
/* The strata_vmm interface: what a heap needs, swappable per heap         */
/* ------------------------------------------------------------------------ */

/*
 * What a heap needs from virtual memory, as a small table of functions and
 * a context, passed in when the heap is created: the real VMM by default,
 * or a test's fake (failing, counting, fixed-buffer).
 * Contracts, for every implementation:
 *   reserve   size a multiple of granularity, alignment 0 or a power of two
 *             ≥ granularity; *out_base receives an inaccessible range.
 *   release   a whole range returned by reserve (base and its size).
 *   commit    page-aligned range inside a reservation → read-write, zero-
 *             filled where not committed before.
 *   decommit  page-aligned range inside a reservation → inaccessible, its
 *             contents gone.
 *   reset     page-aligned committed range whose contents may be dropped.
 *   commit_executable
 *             as commit, but the pages may also be executed (read-write-
 *             execute, PAGE_EXECUTE_READWRITE): for heaps created with
 *             STRATA_HEAP_CREATE_ENABLE_EXECUTE, which commit only through
 *             it. NULL in an implementation that cannot give executable
 *             memory; such heaps cannot be created over it.
 * On failure each returns a status and changes nothing.
 */
typedef struct strata_vmm {
    void *context;
    size_t page_size;
    size_t granularity;
    strata_status (*reserve)(void *context, size_t size, size_t alignment, void **out_base);
    strata_status (*release)(void *context, void *base, size_t size);
    strata_status (*commit)(void *context, void *address, size_t size);
    strata_status (*decommit)(void *context, void *address, size_t size);
    strata_status (*reset)(void *context, void *address, size_t size);
    strata_status (*commit_executable)(void *context, void *address, size_t size);
} strata_vmm;

/*
 * strata_vmm_default — the interface over strata's own VMM (these functions,
 * with read-write protection; commit_executable with
 * STRATA_PAGE_EXECUTE_READWRITE). Static: never NULL, never freed.
 */
STRATA_API const strata_vmm *strata_vmm_default(void);

/*
 * strata_vmm_watch_forks — make the VMM safe across fork (POSIX): the vmm
 * lock is taken before fork and released after it in both processes, and
 * the child keeps every section name. Idempotent; it never fails (where
 * registering is refused or there is no fork, nothing is watched). A layer
 * above calls it before registering its own hooks, so that the vmm lock is
 * taken last and released first — the order the layers take their locks in.
 * Registering may allocate: call it holding no strata lock.
 */
STRATA_API void strata_vmm_watch_forks(void);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_VMM_H */
