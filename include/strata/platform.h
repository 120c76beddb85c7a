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
#if defined(__GNUC__) || defined(__clang__)
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
    STRATA_E_INVALID_PARAMETER,  /* a size, flag, alignment or pointer argument is invalid (ERROR_INVALID_PARAMETER) */
    STRATA_E_INVALID_ADDRESS,    /* address misaligned or not in a suitable mapped range (ERROR_INVALID_ADDRESS) */
    STRATA_E_CONFLICTING_ADDRESS,/* the requested address range is already in use (ERROR_INVALID_ADDRESS) */
    STRATA_E_NO_MEMORY,          /* the OS refused for lack of address space or memory (ERROR_NOT_ENOUGH_MEMORY) */
    STRATA_E_ACCESS_DENIED,      /* the OS refused the access requested (ERROR_ACCESS_DENIED) */
    STRATA_E_NOT_FOUND,          /* the named thing does not exist (ERROR_FILE_NOT_FOUND / ERROR_ENVVAR_NOT_FOUND) */
    STRATA_E_BUFFER_TOO_SMALL,   /* the caller's buffer cannot hold the result (ERROR_INSUFFICIENT_BUFFER) */
    STRATA_E_UNSUPPORTED,        /* this platform lacks the capability (ERROR_NOT_SUPPORTED) */
    STRATA_E_RESOURCE_EXHAUSTED, /* a fixed OS resource ran out, e.g. TLS keys (ERROR_NO_SYSTEM_RESOURCES) */
    STRATA_STATUS_COUNT
} strata_status;

/*
 * strata_status_name — the enumerator's name as a static string, e.g.
 * "STRATA_E_NO_MEMORY"; "STRATA_STATUS_UNKNOWN" for a value outside the enum.
 * Never fails, never allocates, thread-safe.
 */
STRATA_API const char *strata_status_name(strata_status status);

/* ------------------------------------------------------------------------ */
/* Capabilities                                                             */
/* ------------------------------------------------------------------------ */

typedef struct strata_platform_info {
    size_t page_size;              /* unit of commit, decommit and protect */
    size_t allocation_granularity; /* alignment of every reservation the OS makes */
    bool can_release_partially;    /* release may free any page range of a reservation (POSIX), not only a whole one (Windows) */
    bool has_fork;                 /* fork exists, so strata_platform_atfork hooks can run */
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
typedef enum strata_page_access {
    STRATA_PAGE_NONE = 0,
    STRATA_PAGE_READ = 1,
    STRATA_PAGE_WRITE = 2,
    STRATA_PAGE_EXECUTE = 4
} strata_page_access;

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
                                                strata_page_access access);

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
 * SIGBUS on POSIX, EXCEPTION_ACCESS_VIOLATION on Windows).
 * On Windows every page must be committed (STRATA_E_INVALID_ADDRESS).
 */
STRATA_API strata_status strata_platform_protect(void *address, size_t size,
                                                 strata_page_access access);

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

/* strata_tls_get — the calling thread's value for `key` (NULL if never set). */
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
 * strata_fatal — format a message as strata_format does, write it and a
 * newline to standard error in one write, and end the process abnormally:
 * abort() (SIGABRT) on POSIX, exit code 3 (the CRT's abort code) on Windows.
 * Never allocates; messages longer than 1023 bytes are cut.
 */
STRATA_API STRATA_NORETURN void strata_fatal(const char *format, ...) STRATA_PRINTF(1, 2);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_PLATFORM_H */
