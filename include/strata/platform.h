/* SPDX-License-Identifier: MIT */
/*
 * strata/platform.h — the thin OS layer every other strata layer stands on.
 *
 * Page ranges (reserve, commit, decommit, reset, protect, release), the
 * platform's capabilities as data, a fast lock, thread-local storage with a
 * thread-exit callback, fork hooks, environment lookup, a monotonic clock and
 * a fatal-message routine. No policy lives here: the layers above decide
 * rounding, bookkeeping and what an error means to their callers.
 *
 * Backends: platform/posix.c (mmap, mprotect, madvise, pthreads) and
 * platform/windows.c (VirtualAlloc, VirtualFree, VirtualProtect, SRWLOCK, FLS).
 *
 * Conventions: fallible functions return a strata_status and pass results
 * through out-parameters; an out-parameter is written only on success.
 * Nothing in this layer allocates from a heap.
 */
#ifndef STRATA_PLATFORM_H
#define STRATA_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks strata's public functions; everything else in libstrata.so is hidden. */
#if defined(_WIN32)
#define STRATA_API
#else
#define STRATA_API __attribute__((visibility("default")))
#endif

#if defined(__cplusplus)
#define STRATA_NORETURN [[noreturn]]
#else
#define STRATA_NORETURN _Noreturn
#endif

/* Lets the compiler check strata_format-style format strings. */
#if defined(__MINGW32__)
/* strata_format's directives are the C99 ones, not msvcrt's. */
#define STRATA_PRINTF(fmt_index, args_index) \
    __attribute__((format(gnu_printf, fmt_index, args_index)))
#elif defined(__GNUC__) || defined(__clang__)
#define STRATA_PRINTF(fmt_index, args_index) \
    __attribute__((format(printf, fmt_index, args_index)))
#else
#define STRATA_PRINTF(fmt_index, args_index)
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/*
 * The result of every fallible strata call. The Win32 view (vmm and above)
 * maps each one to a last-error code; the mapping is noted beside each.
 */
typedef enum strata_status {
    STRATA_OK = 0,
    STRATA_E_INVALID_PARAMETER,  /* a size, flag, alignment or pointer argument is invalid (ERROR_INVALID_PARAMETER, 87) */
    STRATA_E_INVALID_ADDRESS,    /* address misaligned or not in a suitable mapped range (ERROR_INVALID_ADDRESS, 487) */
    STRATA_E_CONFLICTING_ADDRESS,/* the requested address range is already in use (ERROR_INVALID_ADDRESS, 487) */
    STRATA_E_NO_MEMORY,          /* the OS refused for lack of address space or memory (ERROR_NOT_ENOUGH_MEMORY, 8) */
    STRATA_E_ACCESS_DENIED,      /* the access requested is not allowed (ERROR_ACCESS_DENIED, 5) */
    STRATA_E_NOT_FOUND,          /* the named thing does not exist (ERROR_FILE_NOT_FOUND, 2) */
    STRATA_E_BUFFER_TOO_SMALL,   /* the caller's buffer cannot hold the result (ERROR_INSUFFICIENT_BUFFER, 122) */
    STRATA_E_UNSUPPORTED,        /* this platform lacks the capability (ERROR_NOT_SUPPORTED, 50) */
    STRATA_E_RESOURCE_EXHAUSTED, /* a fixed OS resource ran out, e.g. TLS keys (ERROR_NO_SYSTEM_RESOURCES, 1450) */
    STRATA_E_NOACCESS,           /* a pointer argument cannot be written or read (ERROR_NOACCESS, 998) */
    STRATA_E_INVALID_HANDLE,     /* a handle argument is not a live handle of the right kind (ERROR_INVALID_HANDLE, 6) */
    STRATA_E_NOT_LOCKED,         /* unlocking something that is not locked (ERROR_NOT_LOCKED, 158) */
    STRATA_E_COMMITMENT_LIMIT,   /* committing would pass the commit limit (ERROR_COMMITMENT_LIMIT, 1455) */
    STRATA_E_GUARD_PAGE,         /* a guard page was touched; its guard is now gone (STATUS_GUARD_PAGE_VIOLATION, 0x80000001) */
    STRATA_E_FILE_INVALID,       /* the file cannot be mapped, e.g. it is empty (ERROR_FILE_INVALID, 1006) */
    STRATA_E_MAPPED_ALIGNMENT,   /* a view offset or address is not aligned (ERROR_MAPPED_ALIGNMENT, 1132) */
    STRATA_E_PRIVILEGE_NOT_HELD, /* the call needs a privilege the process lacks (ERROR_PRIVILEGE_NOT_HELD, 1314) */
    STRATA_E_WORKING_SET_QUOTA,  /* too many pages locked (ERROR_WORKING_SET_QUOTA, 1453) */
    STRATA_E_NO_MORE_ITEMS,      /* an enumeration has ended (ERROR_NO_MORE_ITEMS, 259) */
    STRATA_E_DISCARDED,          /* the memory was discarded (ERROR_DISCARDED, 157) */
    STRATA_E_GEN_FAILURE,        /* the request cannot be done in this state (ERROR_GEN_FAILURE, 31) */
    STRATA_E_BAD_LENGTH,         /* a length argument is wrong for the information asked (ERROR_BAD_LENGTH, 24) */
    STRATA_E_TIMEOUT,            /* a wait ended before what it waited for happened (WAIT_TIMEOUT, 258) */
    STRATA_STATUS_COUNT
} strata_status;

/*
 * strata_status_name — the enumerator's name as a static string, e.g.
 * "STRATA_E_NO_MEMORY"; "STRATA_STATUS_UNKNOWN" for a value outside the enum.
 * Never fails, never allocates, thread-safe.
 */
STRATA_API const char *strata_status_name(strata_status status);

/*
 * strata_status_win32_error — the Win32 last-error code Windows reports for
 * the same failure (the number in brackets beside each status above);
 * ERROR_SUCCESS (0) for STRATA_OK, ERROR_INVALID_PARAMETER (87) for a value
 * outside the enum. Never fails, thread-safe.
 */
STRATA_API uint32_t strata_status_win32_error(strata_status status);

/*
 * strata_last_error / strata_set_last_error — the calling thread's Win32-style
 * last-error value, as GetLastError/SetLastError keep it: a thread-local slot
 * on POSIX, the system's own slot on Windows (so the two agree there).
 * A new thread starts with 0. Never fail.
 */
STRATA_API uint32_t strata_last_error(void);
STRATA_API void strata_set_last_error(uint32_t error);

/* ------------------------------------------------------------------------ */
/* Capabilities                                                             */
/* ------------------------------------------------------------------------ */

typedef struct strata_platform_info {
    size_t page_size;              /* unit of commit, decommit and protect */
    size_t allocation_granularity; /* alignment of every reservation the OS makes */
    bool can_release_partially;    /* release may free any page range of a reservation (POSIX), not only a whole one (Windows) */
    bool has_fork;                 /* fork exists, so strata_platform_atfork hooks can run */
    bool faults_have_addresses;    /* access faults report the faulting address (not under Valgrind,
                                      which reports a wrong one), so strata_platform_set_fault_handler
                                      can resolve them */
    unsigned processor_count;      /* online processors, at least 1 */
} strata_platform_info;

/*
 * strata_platform_get_info — the running platform's capabilities, read from
 * the OS once and cached. Never fails; the pointer stays valid for the life
 * of the process. Thread-safe.
 */
STRATA_API const strata_platform_info *strata_platform_get_info(void);

/* ------------------------------------------------------------------------ */
/* Page ranges                                                              */
/* ------------------------------------------------------------------------ */

/* Page access rights; combine with |. Write implies read on every OS. */
typedef enum strata_access {
    STRATA_ACCESS_NONE = 0,
    STRATA_ACCESS_READ = 1,
    STRATA_ACCESS_WRITE = 2,
    STRATA_ACCESS_EXECUTE = 4
} strata_access;

/*
 * Common rules for the page-range functions below:
 * - `address` must be page-aligned and non-NULL, else STRATA_E_INVALID_ADDRESS;
 * - `size` must be a non-zero multiple of the page size and address + size
 *   must not wrap, else STRATA_E_INVALID_PARAMETER;
 * - `access` must be a valid combination (WRITE needs READ), else
 *   STRATA_E_INVALID_PARAMETER;
 * - a range not inside a reservation made by strata_platform_reserve is
 *   STRATA_E_INVALID_ADDRESS where the OS can tell, undefined where it
 *   cannot (the vmm layer keeps the bookkeeping that always can).
 * On failure nothing has changed. All are thread-safe.
 */

/*
 * strata_platform_reserve — reserve `size` bytes of address space with no
 * access and no memory behind it.
 *   alignment  0 for the allocation granularity, else a power of two that is
 *              a multiple of it (STRATA_E_INVALID_PARAMETER otherwise).
 *   address    NULL to let the OS choose, else the exact base wanted; it must
 *              be aligned to `alignment` (STRATA_E_INVALID_ADDRESS) and free
 *              (STRATA_E_CONFLICTING_ADDRESS when any page is in use).
 *   out_base   receives the base (required: STRATA_E_INVALID_PARAMETER).
 * Fails with STRATA_E_NO_MEMORY when no such range is available.
 */
STRATA_API strata_status strata_platform_reserve(size_t size, size_t alignment, void *address,
                                                 void **out_base);

/*
 * strata_platform_release — give reserved address space back to the OS,
 * with whatever is committed in it. Where can_release_partially is false
 * the range must be a whole reservation, [base, base + reserved size);
 * anything else is STRATA_E_INVALID_ADDRESS (not the base) or
 * STRATA_E_INVALID_PARAMETER (not the whole size).
 */
STRATA_API strata_status strata_platform_release(void *address, size_t size);

/*
 * strata_platform_commit — back reserved pages with memory and give them
 * `access`. Pages never committed, or decommitted since, read as zero;
 * pages already committed keep their contents and take the new access.
 * STRATA_E_NO_MEMORY when the OS cannot supply the memory (commit limit).
 */
STRATA_API strata_status strata_platform_commit(void *address, size_t size,
                                                strata_access access);

/*
 * strata_platform_decommit — drop the memory behind committed pages and
 * make them inaccessible; they stay reserved. Committing them again gives
 * zero-filled pages. Decommitting uncommitted pages is not an error.
 */
STRATA_API strata_status strata_platform_decommit(void *address, size_t size);

/*
 * strata_platform_reset — tell the OS the contents of committed pages are no
 * longer needed. The pages stay committed and accessible; afterwards each
 * reads either as before or as zero, at the OS's choice.
 */
STRATA_API strata_status strata_platform_reset(void *address, size_t size);

/*
 * strata_platform_protect — set the access of committed pages. Touching a
 * page in a way its access forbids raises the OS's access fault (SIGSEGV or
 * SIGBUS on POSIX, EXCEPTION_ACCESS_VIOLATION on Windows). In a
 * copy-on-write view (strata_platform_shared_map) WRITE writes to private
 * copies of the pages.
 * On Windows every page must be committed (STRATA_E_INVALID_ADDRESS).
 */
STRATA_API strata_status strata_platform_protect(void *address, size_t size,
                                                 strata_access access);

/* ------------------------------------------------------------------------ */
/* Files (for file-backed sections)                                         */
/* ------------------------------------------------------------------------ */

/* A file: a descriptor on POSIX, a HANDLE on Windows; STRATA_NO_FILE when none. */
typedef intptr_t strata_native_file;
#define STRATA_NO_FILE ((strata_native_file)-1)

/* What strata_platform_file_open does when the file exists or not (CreateFile's dispositions). */
typedef enum strata_file_disposition {
    STRATA_FILE_CREATE_NEW = 1,       /* create; fail with STRATA_E_CONFLICTING_ADDRESS if it exists */
    STRATA_FILE_CREATE_ALWAYS = 2,    /* create, or truncate an existing file */
    STRATA_FILE_OPEN_EXISTING = 3,    /* open; STRATA_E_NOT_FOUND if missing */
    STRATA_FILE_OPEN_ALWAYS = 4,      /* open, or create if missing */
    STRATA_FILE_TRUNCATE_EXISTING = 5 /* open and truncate; STRATA_E_NOT_FOUND if missing */
} strata_file_disposition;

/*
 * strata_platform_file_open — open `path` for reading, and for writing when
 * `writable`. STRATA_E_INVALID_PARAMETER for a NULL or empty path or an
 * unknown disposition; STRATA_E_NOT_FOUND, STRATA_E_ACCESS_DENIED as the OS
 * says; STRATA_E_CONFLICTING_ADDRESS when CREATE_NEW meets an existing file.
 */
STRATA_API strata_status strata_platform_file_open(const char *path, bool writable,
                                                   strata_file_disposition disposition,
                                                   strata_native_file *out_file);

/* strata_platform_file_close — close a file from strata_platform_file_open. */
STRATA_API strata_status strata_platform_file_close(strata_native_file file);

/*
 * strata_platform_file_write — write all `size` bytes of `data` at the
 * file's current position, retrying short writes. Never allocates, so the
 * allocator can write reports through it. STRATA_E_INVALID_PARAMETER for
 * NULL data with a nonzero size; STRATA_E_INVALID_HANDLE for a bad file;
 * STRATA_E_RESOURCE_EXHAUSTED when the OS refuses (a full disk).
 */
STRATA_API strata_status strata_platform_file_write(strata_native_file file, const void *data, size_t size);

/*
 * strata_platform_lock_pages — keep committed pages resident (mlock,
 * VirtualLock). STRATA_E_WORKING_SET_QUOTA when the OS limit on locked
 * memory is reached.
 */
STRATA_API strata_status strata_platform_lock_pages(void *address, size_t size);

/* strata_platform_unlock_pages — let locked pages be paged out again. */
STRATA_API strata_status strata_platform_unlock_pages(void *address, size_t size);

/*
 * strata_platform_is_mapped — whether every page of [address, address+size)
 * is mapped in the process, whatever its access. `address` need not be
 * aligned; size 0 asks about the page holding address. Never faults.
 */
STRATA_API bool strata_platform_is_mapped(const void *address, size_t size);

/* ------------------------------------------------------------------------ */
/* Access faults                                                            */
/* ------------------------------------------------------------------------ */

/* What a fault handler decided about an access fault. */
typedef enum strata_fault_action {
    STRATA_FAULT_NOT_MINE, /* not strata's: the program's own handling applies, as if strata weren't there */
    STRATA_FAULT_RETRY,    /* resolved silently: the access is retried */
    STRATA_FAULT_GUARD,    /* a guard page, now unguarded: the program sees one guard-page fault
                              (STATUS_GUARD_PAGE_VIOLATION on Windows, the SIGSEGV it would get on
                              POSIX), and the access succeeds if it resumes */
    STRATA_FAULT_DENIED    /* memory strata manages, whose protection forbids the access: the
                              program's own handling applies; where there is none (POSIX), strata
                              names the address on stderr before the process ends */
} strata_fault_action;

/* Called on the faulting thread, inside the signal or exception context. */
typedef strata_fault_action (*strata_fault_handler)(void *address);

/*
 * strata_platform_set_fault_handler — route access faults (SIGSEGV/SIGBUS,
 * EXCEPTION_ACCESS_VIOLATION) through `handler` first. One handler per
 * process (another one is STRATA_E_INVALID_PARAMETER). Handlers the program
 * installed before the call keep receiving the faults strata does not claim;
 * on POSIX, calling again puts strata back in front of a signal handler the
 * program installed since.
 */
STRATA_API strata_status strata_platform_set_fault_handler(strata_fault_handler handler);

/* The kind of access that faulted: Windows' ExceptionInformation[0] codes. */
#define STRATA_FAULT_READ 0u
#define STRATA_FAULT_WRITE 1u
#define STRATA_FAULT_EXECUTE 8u

/* One access fault, as fault listeners see it. */
typedef struct strata_fault_event {
    void *address;      /* the address the access touched */
    void *instruction;  /* the faulting instruction, or NULL where the OS does not tell */
    uint32_t operation; /* STRATA_FAULT_READ, _WRITE or _EXECUTE (READ where the OS does
                           not tell: POSIX outside x86) */
    bool guard_page;    /* the one-shot fault of a guard page (STRATA_FAULT_GUARD) */
    bool strata_memory; /* in memory strata manages (STRATA_FAULT_GUARD or _DENIED) */
    void *os_context;   /* the OS's register context: ucontext_t * (POSIX), CONTEXT * (Windows) */
} strata_fault_event;

/* Returns true to resume the faulting thread (the access is tried again),
 * false to pass the fault on. Called in the fault context. */
typedef bool (*strata_fault_listener)(const strata_fault_event *event, void *context);

/*
 * strata_platform_add_fault_listener — call `listener(event, context)` for
 * every access fault of the process that strata's fault handler did not
 * resolve silently (Windows' vectored exception handlers): listeners added
 * with `first` run before the others, newest first; the rest run oldest
 * first. The first one to return true resumes the thread; when none does,
 * the fault goes on to the program's earlier handlers, and then to the OS
 * (see STRATA_FAULT_DENIED). Installs the fault signal handlers if need be.
 *   out_cookie  receives the value that removes the listener (required).
 * STRATA_E_INVALID_PARAMETER for a NULL listener or out_cookie;
 * STRATA_E_RESOURCE_EXHAUSTED when 64 listeners are in place.
 */
STRATA_API strata_status strata_platform_add_fault_listener(bool first, strata_fault_listener listener,
                                                            void *context, void **out_cookie);

/*
 * strata_platform_remove_fault_listener — stop calling a listener.
 * STRATA_E_INVALID_PARAMETER when `cookie` is not that of a listener in place.
 */
STRATA_API strata_status strata_platform_remove_fault_listener(void *cookie);

/*
 * strata_platform_raise_exception — raise a software exception with an
 * NTSTATUS-style code (what HEAP_GENERATE_EXCEPTIONS raises). Windows:
 * RaiseException(code, 0, 0, NULL). POSIX: SIGABRT queued to the calling
 * thread with si_code SI_QUEUE and si_value.sival_int = (int)code, so a
 * SA_SIGINFO handler can recognise it, and return (the call then goes on)
 * or siglongjmp away. Unhandled, the process ends. Returns when handled.
 */
STRATA_API void strata_platform_raise_exception(uint32_t code);

/* ------------------------------------------------------------------------ */
/* Shared memory and file mappings                                          */
/* ------------------------------------------------------------------------ */

/*
 * A memory object several views (and processes) can map: anonymous shared
 * memory, a named one other processes open by name, or a file. The caller
 * owns the record; the functions below fill and use it. Named objects keep
 * a small header, shared by every process, that records what openers need
 * (size, the creator's tag, maximum access) and, for files, where the file
 * is; on POSIX it also records which processes hold the name, so that the
 * name goes when the last one closes it or ends (Windows does that itself).
 *
 * Backends: platform/posix_shared.c (shm_open, memfd_create, mmap MAP_SHARED /
 * MAP_PRIVATE, msync) and platform/windows_shared.c (CreateFileMapping,
 * MapViewOfFileEx, FlushViewOfFile). All functions are thread-safe.
 */
typedef struct strata_shared {
    intptr_t data;          /* what views map: a descriptor (POSIX) or file-mapping HANDLE (Windows) */
    intptr_t name_object;   /* named objects: the header's descriptor or HANDLE; -1 otherwise */
    void *header;           /* named objects: the shared header, mapped; NULL otherwise */
    uint64_t data_offset;   /* where the data starts in `data` */
    uint64_t size;          /* bytes of data */
    uint32_t tag;           /* the creator's word, given back to every opener */
    strata_access access;   /* the most any view may have */
    bool reserve;           /* pages of views start inaccessible (SEC_RESERVE) */
    bool file_backed;       /* the data is a file's */
    char os_name[256];      /* POSIX: the shm name of a named object ("" otherwise) */
    uint32_t hold;          /* POSIX: this record's hold on the name, a slot in the header */
} strata_shared;

/*
 * Names: any non-empty string, case-sensitive, at most 200 bytes once the
 * backend has escaped the characters its namespace reserves ('/' on POSIX,
 * '\' on Windows, and '%' on both): STRATA_E_INVALID_PARAMETER otherwise.
 * POSIX objects live as "/strata.<name>"; Windows ones as "strata.h.<name>"
 * (header) and "strata.d.<name>" (data) in the session's namespace.
 */

/*
 * strata_platform_file_size — the current size in bytes of an open file.
 * STRATA_E_INVALID_HANDLE when `file` is not an open file;
 * STRATA_E_INVALID_PARAMETER for a NULL out_size.
 */
STRATA_API strata_status strata_platform_file_size(strata_native_file file, uint64_t *out_size);

/*
 * strata_platform_file_grow — extend a file opened for writing to `size`
 * bytes (a file already that long is left alone). The new bytes read as
 * zero. STRATA_E_INVALID_HANDLE for a bad file, STRATA_E_ACCESS_DENIED when
 * it is not writable, STRATA_E_NO_MEMORY when the disk is full.
 */
STRATA_API strata_status strata_platform_file_grow(strata_native_file file, uint64_t size);

/*
 * strata_platform_shared_create — make a shared-memory object of `size`
 * bytes (> 0), zero-filled, whose views may have at most `access` (READ
 * must be in it). `reserve` makes every page of every view start
 * inaccessible until strata_platform_view_commit. `name` NULL (or "") makes
 * an anonymous object; otherwise, when an object of that name already
 * exists in any process, *out describes it instead (its size, access,
 * reserve and tag, not the ones given) and *out_existed is true.
 *   out          receives the object (required).
 *   out_existed  may be NULL.
 * STRATA_E_INVALID_PARAMETER for a bad argument or name, STRATA_E_NO_MEMORY
 * when the OS has no room, STRATA_E_GEN_FAILURE when an existing object of
 * that name never finished being made (its maker died half-way),
 * STRATA_E_RESOURCE_EXHAUSTED when 1014 holds of one name are open at once
 * (POSIX).
 */
STRATA_API strata_status strata_platform_shared_create(const char *name, uint64_t size,
                                                       strata_access access, bool reserve,
                                                       uint32_t tag, strata_shared *out,
                                                       bool *out_existed);

/*
 * strata_platform_shared_from_file — an object whose data is the first
 * `size` bytes (> 0) of an open file; the caller may close `file` afterwards.
 * The file must be open for reading, and for writing when `access` has
 * WRITE (STRATA_E_ACCESS_DENIED); it must already be at least `size` bytes
 * long (STRATA_E_INVALID_PARAMETER; see strata_platform_file_grow). Names
 * work as for strata_platform_shared_create; another process opening the
 * name reopens the file by its path (STRATA_E_UNSUPPORTED for a named
 * object where the OS cannot tell a descriptor's path).
 * STRATA_E_INVALID_HANDLE when `file` is not an open file.
 */
STRATA_API strata_status strata_platform_shared_from_file(strata_native_file file, uint64_t size,
                                                          strata_access access, const char *name,
                                                          uint32_t tag, strata_shared *out,
                                                          bool *out_existed);

/*
 * strata_platform_shared_open — the object named `name`, made by this or
 * another process and not yet closed by all of them. STRATA_E_NOT_FOUND
 * when there is none; STRATA_E_INVALID_PARAMETER for a NULL out or a bad
 * name; STRATA_E_FILE_INVALID when the object's file is gone, replaced or
 * shorter than the object; STRATA_E_ACCESS_DENIED when it can no longer be
 * opened as the object needs; STRATA_E_GEN_FAILURE when its maker never
 * finished it. strata_platform_shared_create meets the same failures when
 * the name exists.
 */
STRATA_API strata_status strata_platform_shared_open(const char *name, strata_shared *out);

/*
 * strata_platform_shared_inherit — on POSIX after fork, in the child, for
 * each record it inherited: make the record the child's own hold on the
 * name, so that the name lasts until both processes have closed it or
 * ended. Windows has no fork: a no-op there.
 */
STRATA_API void strata_platform_shared_inherit(strata_shared *shared);

/*
 * strata_platform_shared_close — let go of the object. Mapped views stay
 * valid; a name goes when the last process holding it closes it. The record
 * must not be used again. STRATA_E_INVALID_PARAMETER for NULL.
 */
STRATA_API strata_status strata_platform_shared_close(strata_shared *shared);

/*
 * strata_platform_shared_map — map bytes [offset, offset+size) of the
 * object's data.
 *   offset         a multiple of the allocation granularity
 *                  (STRATA_E_INVALID_PARAMETER); offset + size within the
 *                  data, rounded up to a page (STRATA_E_INVALID_PARAMETER).
 *   size           non-zero multiple of the page size.
 *   access         the view's access, within the object's (STRATA_E_ACCESS_DENIED);
 *                  NONE maps an inaccessible view.
 *   copy_on_write  writes go to private copies, never to the object
 *                  (MAP_PRIVATE, FILE_MAP_COPY).
 *   alignment      0 for the allocation granularity, else a power of two
 *                  that is a multiple of it: the base's alignment when
 *                  `address` is NULL.
 *   address        NULL for any suitably aligned base, else the base wanted:
 *                  STRATA_E_CONFLICTING_ADDRESS when any page of the range
 *                  is in use.
 * Pages of a reserve object start inaccessible (see strata_platform_view_commit).
 * STRATA_E_NO_MEMORY when there is no room.
 */
STRATA_API strata_status strata_platform_shared_map(const strata_shared *shared, uint64_t offset,
                                                    size_t size, strata_access access,
                                                    bool copy_on_write, size_t alignment,
                                                    void *address, void **out_base);

/*
 * strata_platform_shared_unmap — unmap a whole view: `base` and `size` as
 * strata_platform_shared_map gave and took them. STRATA_E_INVALID_ADDRESS
 * when they are not a view's, where the OS can tell (Windows; POSIX munmap
 * accepts any range).
 */
STRATA_API strata_status strata_platform_shared_unmap(void *base, size_t size);

/*
 * strata_platform_shared_flush — start writing the modified pages of
 * [address, address+size) of a view back to its object (msync MS_ASYNC,
 * FlushViewOfFile); the range is rounded out to pages. Views of anonymous
 * memory and copy-on-write views have nothing to write and succeed.
 * STRATA_E_INVALID_ADDRESS when the range is not mapped.
 */
STRATA_API strata_status strata_platform_shared_flush(const void *address, size_t size);

/*
 * strata_platform_view_commit — give pages of a view `access` (within the
 * view's): commits them first when the object is a reserve object, so that
 * they are backed in the object for every view, and otherwise just sets
 * their access. `copy_on_write` must be what the view was mapped with.
 * Page-range rules as above; STRATA_E_NO_MEMORY when the OS cannot back them.
 */
STRATA_API strata_status strata_platform_view_commit(void *address, size_t size,
                                                     strata_access access, bool copy_on_write);

/*
 * strata_platform_view_privatize — make pages of a shared view (mapped
 * without copy_on_write) copy-on-write, as a WRITECOPY page of such a view
 * is on Windows: from then on writes to them go to private copies that no
 * other view and no file sees, and they have `access`, which must include
 * STRATA_ACCESS_WRITE (else STRATA_E_INVALID_PARAMETER). POSIX copies them at once (the copy replaces the
 * page in one step, so no thread sees it without its contents); Windows
 * copies each at its next write. Async-signal-safe: a fault handler may
 * call it. Page-range rules as above; STRATA_E_NO_MEMORY when the OS has
 * no memory for the copies.
 */
STRATA_API strata_status strata_platform_view_privatize(void *address, size_t size,
                                                        strata_access access);

/* ------------------------------------------------------------------------ */
/* Lock                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * A non-recursive mutual-exclusion lock, one pointer wide. All-zero is the
 * unlocked state, so STRATA_LOCK_INIT or static storage needs no call.
 * Opaque: touch it only through the functions below. Waiters sleep in the OS
 * (futex on Linux, SRWLOCK on Windows) rather than spin indefinitely.
 */
typedef union strata_lock {
    uint32_t word;
    void *pointer;
} strata_lock;

#define STRATA_LOCK_INIT { 0 }

/* strata_lock_acquire — wait until the lock is free, then hold it. Never fails. */
STRATA_API void strata_lock_acquire(strata_lock *lock);

/* strata_lock_try_acquire — hold the lock if it is free now; true if it was taken. */
STRATA_API bool strata_lock_try_acquire(strata_lock *lock);

/* strata_lock_release — let go of a lock the calling thread holds. */
STRATA_API void strata_lock_release(strata_lock *lock);

/* ------------------------------------------------------------------------ */
/* Thread-local storage and thread exit                                     */
/* ------------------------------------------------------------------------ */

/* Called on a thread that is exiting, with its non-NULL value for the key. */
typedef void (*strata_thread_exit_fn)(void *value);

typedef struct strata_tls_key {
    uintptr_t handle;
} strata_tls_key;

/*
 * strata_tls_create — make a thread-local slot whose value is NULL in every
 * thread. When a thread whose value is non-NULL exits, `on_thread_exit` (may
 * be NULL) runs on that thread with the value.
 * STRATA_E_INVALID_PARAMETER for a NULL out_key; STRATA_E_RESOURCE_EXHAUSTED
 * when the OS has no keys left.
 */
STRATA_API strata_status strata_tls_create(strata_thread_exit_fn on_thread_exit,
                                           strata_tls_key *out_key);

/* strata_thread_id — a nonzero number that no other live thread has. Never fails, never allocates. */
STRATA_API uintptr_t strata_thread_id(void);

/* strata_tls_get — the calling thread's value for `key` (NULL if never set).
 * Leaves the thread's last error (Windows: GetLastError) as it was. */
STRATA_API void *strata_tls_get(strata_tls_key key);

/*
 * strata_tls_set — set the calling thread's value for `key`.
 * STRATA_E_NO_MEMORY if the OS could not make room for it.
 */
STRATA_API strata_status strata_tls_set(strata_tls_key key, void *value);

/*
 * strata_tls_destroy — free the key. On POSIX no exit callback runs for the
 * values threads still hold; on Windows, where freeing a fiber-local slot runs
 * its callback for every thread still holding a value, those callbacks run
 * (except for the calling thread, whose value is cleared first). Destroy a
 * key only once no other thread uses it. Never fails.
 */
STRATA_API void strata_tls_destroy(strata_tls_key key);

/* ------------------------------------------------------------------------ */
/* Memory status                                                            */
/* ------------------------------------------------------------------------ */

typedef struct strata_memory_status {
    uint64_t total_physical;     /* bytes of RAM */
    uint64_t available_physical; /* RAM usable now without paging anything out */
    uint64_t total_commit;       /* the commit limit: RAM plus swap or page file */
    uint64_t available_commit;   /* what of it is free */
} strata_memory_status;

/*
 * strata_platform_memory_status — the machine's memory, as the OS reports it
 * (Linux: /proc/meminfo MemTotal, MemAvailable, and SwapTotal/SwapFree added
 * for the commit figures; Windows: GlobalMemoryStatusEx).
 * STRATA_E_INVALID_PARAMETER for NULL; STRATA_E_UNSUPPORTED where the OS
 * does not tell.
 */
STRATA_API strata_status strata_platform_memory_status(strata_memory_status *out);

typedef struct strata_process_memory {
    uint64_t page_faults;     /* minor and major, since the process started */
    uint64_t resident;        /* bytes in RAM now (the working set) */
    uint64_t peak_resident;   /* the most there has been */
    uint64_t private_bytes;   /* private memory committed (Linux: data and stack segments) */
    uint64_t peak_private;    /* the most there has been (Linux: the most any call has seen) */
    uint64_t virtual_size;    /* address space in use, reserved or committed */
} strata_process_memory;

/*
 * strata_platform_process_memory — the calling process's memory figures
 * (Linux: /proc/self/status and getrusage; Windows: GetProcessMemoryInfo
 * and VirtualQuery). STRATA_E_INVALID_PARAMETER for NULL;
 * STRATA_E_UNSUPPORTED where the OS does not tell.
 */
STRATA_API strata_status strata_platform_process_memory(strata_process_memory *out);

/* ------------------------------------------------------------------------ */
/* Threads, events and waits                                                */
/* ------------------------------------------------------------------------ */

/*
 * A waitable object: a thread (signalled once it has returned) or an event
 * (signalled by strata_platform_event_set). Opaque; each holder releases it
 * with strata_platform_waitable_close. Backends: platform/posix_sync.c
 * (pthreads, shared memory for named events), platform/windows_sync.c
 * (the system's threads and events). All functions are thread-safe.
 */
typedef struct strata_waitable strata_waitable;

/* What a new thread runs; its return value is the thread's exit code. */
typedef uint32_t (*strata_thread_start)(void *argument);

/*
 * strata_platform_thread_create — start a thread running start(argument).
 *   stack_size   0 for the OS default, else at least this many bytes.
 *   out_thread   receives the thread object (required); the thread runs on
 *                whether or not it is closed.
 *   out_id       may be NULL; receives the number strata_platform_thread_number
 *                gives on the new thread.
 * STRATA_E_INVALID_PARAMETER for a NULL start or out_thread;
 * STRATA_E_NO_MEMORY / STRATA_E_RESOURCE_EXHAUSTED when the OS refuses.
 */
STRATA_API strata_status strata_platform_thread_create(strata_thread_start start, void *argument,
                                                       size_t stack_size, strata_waitable **out_thread,
                                                       uint32_t *out_id);

/*
 * strata_platform_thread_exit_code — whether the thread has returned
 * (*out_finished) and, if so, its exit code (*out_code; untouched while it
 * runs). STRATA_E_INVALID_HANDLE when `thread` is not a thread;
 * STRATA_E_INVALID_PARAMETER for NULL out-parameters.
 */
STRATA_API strata_status strata_platform_thread_exit_code(strata_waitable *thread, uint32_t *out_code,
                                                          bool *out_finished);

/*
 * strata_platform_event_create — an event, signalled or not at first
 * (`initially_set`). A manual-reset event stays signalled until reset and
 * releases every waiter; an auto-reset one releases a single waiter and
 * resets itself. `name` NULL or "" makes an unnamed event; otherwise, when
 * an event of that name exists in any process, *out is that event (its
 * reset mode and state stand) and *out_existed is true. Names follow the
 * shared-memory rules below (at most 200 bytes, case-sensitive).
 *   out_existed may be NULL.
 * STRATA_E_INVALID_PARAMETER for a NULL out or a bad name;
 * STRATA_E_NO_MEMORY when the OS has no room; STRATA_E_GEN_FAILURE when
 * the named event's maker never finished making it.
 */
STRATA_API strata_status strata_platform_event_create(const char *name, bool manual_reset,
                                                      bool initially_set, strata_waitable **out,
                                                      bool *out_existed);

/*
 * strata_platform_event_open — the event named `name`, made by this or
 * another process and not yet closed by all of them. STRATA_E_NOT_FOUND
 * when there is none; STRATA_E_INVALID_PARAMETER for NULL arguments or a
 * bad name.
 */
STRATA_API strata_status strata_platform_event_open(const char *name, strata_waitable **out);

/*
 * strata_platform_event_set / strata_platform_event_reset — signal the
 * event, or make it unsignalled. STRATA_E_INVALID_HANDLE when the object
 * is not an event.
 */
STRATA_API strata_status strata_platform_event_set(strata_waitable *event);
STRATA_API strata_status strata_platform_event_reset(strata_waitable *event);

/* strata_platform_wait's timeout that never ends. */
#define STRATA_WAIT_FOREVER UINT32_MAX

/*
 * strata_platform_wait — wait until one of `objects` (wait_all false) or all
 * of them at once (wait_all true) are signalled, or `timeout_ms` passes
 * (STRATA_WAIT_FOREVER: never). Waiting ends an auto-reset event's signal:
 * with wait_all, those of all the objects together, only once every object
 * is signalled.
 *   count        1 to 64.
 *   out_index    receives the lowest index of a signalled object that ended
 *                the wait (0 with wait_all); may be NULL.
 * STRATA_E_TIMEOUT when the time passed first; STRATA_E_INVALID_PARAMETER
 * for count 0 or above 64, a NULL array or element, or the same object
 * twice with wait_all. A named event set by another process is noticed
 * within a few milliseconds on POSIX (at once within the process).
 */
STRATA_API strata_status strata_platform_wait(strata_waitable *const *objects, size_t count, bool wait_all,
                                              uint32_t timeout_ms, size_t *out_index);

/*
 * strata_platform_waitable_close — let go of a thread or event. A thread
 * runs on; a named event's name goes when the last process holding it
 * closes it (on POSIX, a process that dies holding it keeps the name until
 * the machine restarts or the name is made again and closed by all).
 * STRATA_E_INVALID_PARAMETER for NULL.
 */
STRATA_API strata_status strata_platform_waitable_close(strata_waitable *object);

/* strata_platform_process_id — the OS's number for this process. Never fails. */
STRATA_API uint32_t strata_platform_process_id(void);

/* strata_platform_thread_number — the OS's 32-bit number for the calling
 * thread (gettid, GetCurrentThreadId), unique among live threads. Never fails. */
STRATA_API uint32_t strata_platform_thread_number(void);

/* strata_platform_sleep — suspend the calling thread for at least
 * `milliseconds`; 0 gives up the rest of its time slice. */
STRATA_API void strata_platform_sleep(uint32_t milliseconds);

/* ------------------------------------------------------------------------ */
/* fork                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * strata_platform_atfork — run `prepare` in the parent before fork, then
 * `in_parent` in the parent and `in_child` in the child after it (any may be
 * NULL). Hooks registered later run their prepare first and their after-fork
 * hooks last, as pthread_atfork orders them. Where has_fork is false there
 * is no fork, so the hooks are accepted and never run (STRATA_OK).
 * STRATA_E_NO_MEMORY when the OS cannot record them.
 */
STRATA_API strata_status strata_platform_atfork(void (*prepare)(void), void (*in_parent)(void),
                                                void (*in_child)(void));

/* ------------------------------------------------------------------------ */
/* Environment, clock                                                       */
/* ------------------------------------------------------------------------ */

/*
 * strata_env_get — copy the value of environment variable `name` into
 * `buffer` (NUL-terminated) and its length, without the NUL, into
 * *out_length. Never allocates.
 *   STRATA_E_INVALID_PARAMETER  name NULL or empty, or buffer NULL with a
 *                               non-zero capacity, or out_length NULL;
 *   STRATA_E_NOT_FOUND          the variable is not set;
 *   STRATA_E_BUFFER_TOO_SMALL   the value needs more than `capacity` bytes
 *                               with its NUL; *out_length still receives the
 *                               value's length, so the caller can retry.
 */
STRATA_API strata_status strata_env_get(const char *name, char *buffer, size_t capacity,
                                        size_t *out_length);

/*
 * strata_env_each — call visit(context, entry, length) for every variable of
 * the environment whose name starts with `prefix` (case-sensitive; "" for
 * all), in the environment's order. `entry` is "NAME=value", `length` its
 * length; it is valid only during the call. POSIX: `environ`; Windows:
 * GetEnvironmentStringsA, freed before returning. Does not allocate on
 * POSIX. STRATA_E_INVALID_PARAMETER for a NULL prefix or visit;
 * STRATA_E_NO_MEMORY when Windows cannot copy its environment block.
 */
typedef void (*strata_env_visitor)(void *context, const char *entry, size_t length);
STRATA_API strata_status strata_env_each(const char *prefix, strata_env_visitor visit, void *context);

/*
 * strata_platform_process_name — the running program's short name into
 * `buffer`, NUL-terminated and cut to fit: Linux /proc/self/comm, other
 * POSIX getprogname(), Windows the executable's file name without its
 * folder or ".exe". Returns its length; 0 (an empty string) when the OS does not
 * tell or capacity is 0. Never allocates.
 */
STRATA_API size_t strata_platform_process_name(char *buffer, size_t capacity);

/*
 * strata_platform_backtrace — the return addresses of the calling thread's
 * stack, innermost first (this function's own frame left out), at most
 * `capacity` of them. Returns how many were stored: 0 where the OS has no
 * unwinder (POSIX C libraries without <execinfo.h>), and 0 when the calling
 * thread is already inside this function (a nested call from an allocator
 * that the unwinder itself called). glibc loads its unwinder on the first
 * call, which allocates: make that call before relying on it from inside
 * malloc. Windows: RtlCaptureStackBackTrace, which never allocates.
 */
STRATA_API size_t strata_platform_backtrace(void **frames, size_t capacity);

/*
 * strata_platform_file_append — open (creating it, mode 0644 on POSIX) the
 * file at `path` for appending, for reports written at exit; close it with
 * strata_platform_file_close. Writes from several processes go to the end
 * without overwriting each other. STRATA_E_INVALID_PARAMETER for NULL
 * arguments or an empty path; STRATA_E_NOT_FOUND when the path cannot be
 * opened (missing folder, no permission). Never allocates on POSIX.
 */
STRATA_API strata_status strata_platform_file_append(const char *path, strata_native_file *out_file);

/* Write to such a file with strata_platform_file_write. */

/*
 * strata_clock_monotonic_ns — nanoseconds from an arbitrary fixed point;
 * never goes backwards, unaffected by changes to the wall clock.
 */
STRATA_API uint64_t strata_clock_monotonic_ns(void);

/* ------------------------------------------------------------------------ */
/* Messages and fatal errors                                                */
/* ------------------------------------------------------------------------ */

/*
 * strata_format — a small snprintf that never allocates, for messages written
 * from inside the allocator. Supports %s %c %d %u %x %zd %zu %zx %p and %%;
 * anything else is copied as is. Writes at most `capacity` bytes including
 * the NUL (nothing when capacity is 0) and returns the length written,
 * without the NUL.
 */
STRATA_API size_t strata_format(char *buffer, size_t capacity, const char *format, ...)
    STRATA_PRINTF(3, 4);

/*
 * strata_write_error — write `length` bytes to the standard error stream
 * with the OS's raw write call (no stdio buffering, no allocation). Errors
 * are ignored: there is nowhere left to report them.
 */
STRATA_API void strata_write_error(const char *text, size_t length);

/*
 * strata_keep_error_stream — from now on strata_write_error writes to a
 * duplicate of the current standard error stream, so that a message written
 * at exit still gets out after the program closed its stderr (as GNU
 * programs do in an atexit handler). POSIX: a close-on-exec duplicate above
 * the low descriptors; Windows: nothing to do. Errors leave the stream as it was.
 */
STRATA_API void strata_keep_error_stream(void);

/*
 * strata_fatal — format a message as strata_format does, write it and a
 * newline to standard error in one write, and end the process abnormally:
 * abort() (SIGABRT) on POSIX, exit code 3 (the CRT's abort code) on Windows.
 * Never allocates; messages longer than 1023 bytes are cut.
 */
STRATA_NORETURN STRATA_API void strata_fatal(const char *format, ...) STRATA_PRINTF(1, 2);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_PLATFORM_H */
