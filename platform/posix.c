/* SPDX-License-Identifier: MIT */
/*
 * platform/posix.c — the platform layer on POSIX: page ranges with mmap,
 * mprotect and madvise; the lock on a futex (Linux) or sched_yield; TLS and
 * thread-exit callbacks on pthread keys; pthread_atfork; write(2) for errors.
 */
#define _GNU_SOURCE /* MAP_NORESERVE, MAP_FIXED_NOREPLACE, MADV_FREE, syscall() */

#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* Valgrind runs the program on a synthetic CPU whose access faults carry a
 * wrong address; strata asks whether it is there (a no-op elsewhere). */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

void strata__platform_query_info(strata_platform_info *info)
{
    long page = sysconf(_SC_PAGESIZE);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    info->page_size = page > 0 ? (size_t)page : 4096;
    /* mmap places mappings at any page boundary. */
    info->allocation_granularity = info->page_size;
    info->can_release_partially = true;
    info->has_fork = true;
    info->faults_have_addresses = RUNNING_ON_VALGRIND == 0;
    info->processor_count = cpus > 0 ? (unsigned)cpus : 1;
}

/* ------------------------------------------------------------------------ */
/* Page ranges                                                              */
/* ------------------------------------------------------------------------ */

int strata__posix_protection_bits(strata_access access)
{
    int prot = PROT_NONE;
    if (access & STRATA_ACCESS_READ) {
        prot |= PROT_READ;
    }
    if (access & STRATA_ACCESS_WRITE) {
        prot |= PROT_WRITE;
    }
    if (access & STRATA_ACCESS_EXECUTE) {
        prot |= PROT_EXEC;
    }
    return prot;
}

static strata_status status_from_errno(int error)
{
    switch (error) {
    case ENOMEM:
        /* mprotect/madvise/munmap say ENOMEM for ranges that are not mapped;
         * mmap says it for lack of space. Callers sort out which. */
        return STRATA_E_NO_MEMORY;
    case EACCES:
    case EPERM:
        return STRATA_E_ACCESS_DENIED;
    case EEXIST:
        return STRATA_E_CONFLICTING_ADDRESS;
    case EINVAL:
        return STRATA_E_INVALID_PARAMETER;
    default:
        return STRATA_E_NO_MEMORY;
    }
}

/* Maps `size` bytes of inaccessible, unbacked address space at `hint`. */
static void *map_reserved(void *hint, size_t size, int extra_flags)
{
    return mmap(hint, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | extra_flags,
                -1, 0);
}

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0
#endif

/* Reserves exactly [address, address + size) or reports why not. */
static strata_status reserve_at(void *address, size_t size)
{
    void *base = map_reserved(address, size, MAP_FIXED_NOREPLACE);
    if (base == MAP_FAILED) {
        return status_from_errno(errno);
    }
    /* Without MAP_FIXED_NOREPLACE (or before Linux 4.17) the address is a
     * hint the kernel may move away from an occupied range. */
    if (base != address) {
        munmap(base, size);
        return STRATA_E_CONFLICTING_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_reserve(size_t size, size_t alignment, void *address,
                                      void **out_base)
{
    strata_status checked = strata__platform_check_reserve(size, &alignment, address, out_base);
    if (checked != STRATA_OK) {
        return checked;
    }
    const strata_platform_info *info = strata_platform_get_info();
    if (address != NULL) {
        strata_status status = reserve_at(address, size);
        if (status == STRATA_OK) {
            *out_base = address;
        }
        return status;
    }

    /* Over-reserve by the alignment, then unmap the unaligned head and tail. */
    size_t padded = size + alignment - info->page_size;
    if (padded < size) {
        return STRATA_E_NO_MEMORY;
    }
    char *raw = map_reserved(NULL, padded, 0);
    if (raw == MAP_FAILED) {
        return STRATA_E_NO_MEMORY;
    }
    char *base = (char *)(((uintptr_t)raw + alignment - 1) & ~(uintptr_t)(alignment - 1));
    size_t head = (size_t)(base - raw);
    size_t tail = padded - head - size;
    if (head > 0) {
        munmap(raw, head);
    }
    if (tail > 0) {
        munmap(base + size, tail);
    }
    *out_base = base;
    return STRATA_OK;
}

strata_status strata_platform_release(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    /* munmap accepts unmapped ranges silently; there is nothing more to check. */
    if (munmap(address, size) != 0) {
        return STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_commit(void *address, size_t size, strata_access access)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status == STRATA_OK) {
        status = strata__platform_check_access(access);
    }
    if (status != STRATA_OK) {
        return status;
    }
    /* Reserved pages are private anonymous mappings: giving them access is
     * what backs them (on first touch, zero-filled). */
    if (mprotect(address, size, strata__posix_protection_bits(access)) != 0) {
        return errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
    }
    return STRATA_OK;
}

strata_status strata_platform_decommit(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    /* mprotect first: it fails on unmapped ranges, so a bad range is caught
     * before any page is discarded. Then MADV_DONTNEED drops the memory, so
     * the next commit sees zero pages. */
    if (mprotect(address, size, PROT_NONE) != 0) {
        return errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
    }
    if (madvise(address, size, MADV_DONTNEED) != 0) {
        return STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_reset(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    /* MADV_DONTNEED, not MADV_FREE: the memory leaves the process at once
     * (MADV_FREE pages stay counted until the system is short, so a heap's
     * purge would show nothing), and the contents read as zero afterwards,
     * which MEM_RESET allows. */
    if (madvise(address, size, MADV_DONTNEED) != 0) {
        return STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_protect(void *address, size_t size, strata_access access)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status == STRATA_OK) {
        status = strata__platform_check_access(access);
    }
    if (status != STRATA_OK) {
        return status;
    }
    if (mprotect(address, size, strata__posix_protection_bits(access)) != 0) {
        return errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
    }
    return STRATA_OK;
}

strata_status strata_platform_file_open(const char *path, bool writable,
                                       strata_file_disposition disposition,
                                       strata_native_file *out_file)
{
    static const int creation_flags[] = {
        [STRATA_FILE_CREATE_NEW] = O_CREAT | O_EXCL,
        [STRATA_FILE_CREATE_ALWAYS] = O_CREAT | O_TRUNC,
        [STRATA_FILE_OPEN_EXISTING] = 0,
        [STRATA_FILE_OPEN_ALWAYS] = O_CREAT,
        [STRATA_FILE_TRUNCATE_EXISTING] = O_TRUNC,
    };
    if (path == NULL || path[0] == '\0' || out_file == NULL ||
        disposition < STRATA_FILE_CREATE_NEW || disposition > STRATA_FILE_TRUNCATE_EXISTING) {
        return STRATA_E_INVALID_PARAMETER;
    }
    int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | creation_flags[disposition];
    int fd = open(path, flags, 0666);
    if (fd < 0) {
        switch (errno) {
        case ENOENT:
            return STRATA_E_NOT_FOUND;
        case EEXIST:
            return STRATA_E_CONFLICTING_ADDRESS;
        case EACCES:
        case EPERM:
        case EROFS:
        case EISDIR:
            return STRATA_E_ACCESS_DENIED;
        default:
            return STRATA_E_RESOURCE_EXHAUSTED;
        }
    }
    *out_file = fd;
    return STRATA_OK;
}

strata_status strata_platform_file_close(strata_native_file file)
{
    if (file < 0 || file > INT32_MAX) {
        return STRATA_E_INVALID_HANDLE;
    }
    return close((int)file) == 0 ? STRATA_OK : STRATA_E_INVALID_HANDLE;
}

strata_status strata_platform_file_write(strata_native_file file, const void *data, size_t size)
{
    if (data == NULL && size > 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (file < 0 || file > INT32_MAX) {
        return STRATA_E_INVALID_HANDLE;
    }
    const char *next = data;
    while (size > 0) {
        ssize_t written = write((int)file, next, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EBADF ? STRATA_E_INVALID_HANDLE : STRATA_E_RESOURCE_EXHAUSTED;
        }
        next += written;
        size -= (size_t)written;
    }
    return STRATA_OK;
}

strata_status strata_platform_lock_pages(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    if (mlock(address, size) != 0) {
        return errno == ENOMEM && !strata_platform_is_mapped(address, size)
                   ? STRATA_E_INVALID_ADDRESS
                   : STRATA_E_WORKING_SET_QUOTA;
    }
    return STRATA_OK;
}

strata_status strata_platform_unlock_pages(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    return munlock(address, size) == 0 ? STRATA_OK : STRATA_E_INVALID_ADDRESS;
}

bool strata_platform_is_mapped(const void *address, size_t size)
{
    size_t page = strata_platform_get_info()->page_size;
    uintptr_t start = (uintptr_t)address & ~(uintptr_t)(page - 1);
    uintptr_t end = (uintptr_t)address + (size == 0 ? 1 : size);
    if (end < start) {
        return false;
    }
    /* mincore fails with ENOMEM exactly when part of the range is unmapped. */
    unsigned char residency[64];
    for (uintptr_t cursor = start; cursor < end; cursor += 64 * page) {
        size_t span = end - cursor < 64 * page ? end - cursor : 64 * page;
        if (mincore((void *)cursor, span, residency) != 0) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Access faults                                                            */
/* ------------------------------------------------------------------------ */

static strata_fault_handler fault_handler;
static struct sigaction previous_segv, previous_bus;

/* Names the address of an unhandled fault in strata's memory; never allocates. */
static void report_unhandled(const strata_fault_event *event)
{
    static const char *const verbs[] = {"reading", "writing", "executing"};
    const char *verb = verbs[event->operation == STRATA_FAULT_WRITE ? 1 : event->operation == STRATA_FAULT_EXECUTE ? 2 : 0];
    char message[160];
    size_t length = strata_format(message, sizeof message, "strata: unhandled %s %s %p in memory strata manages\n",
                                  event->guard_page ? "guard-page violation" : "access violation", verb,
                                  event->address);
    strata_write_error(message, length);
}

/* Hands a fault on to whatever handled it before strata. */
static void chain_fault(int signal_number, siginfo_t *info, void *context, const strata_fault_event *event)
{
    const struct sigaction *previous = signal_number == SIGBUS ? &previous_bus : &previous_segv;
    if (previous->sa_flags & SA_SIGINFO) {
        previous->sa_sigaction(signal_number, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal_number);
    } else {
        /* The default action ends the process. For a foreign fault, returning
         * re-runs the access, which faults again into the default action; a
         * guard page no longer faults, so end it now, as Windows does. */
        signal(signal_number, SIG_DFL);
        if (event->strata_memory) {
            report_unhandled(event);
        }
        if (event->guard_page) {
            raise(signal_number);
        }
    }
}

/* What the faulting access was, from the CPU's page-fault error code. */
static uint32_t fault_operation(const void *context, void **out_instruction)
{
    *out_instruction = NULL;
#if defined(__linux__) && defined(__x86_64__)
    const ucontext_t *registers = context;
    unsigned long long error = (unsigned long long)registers->uc_mcontext.gregs[REG_ERR];
    *out_instruction = (void *)(uintptr_t)registers->uc_mcontext.gregs[REG_RIP];
    return (error & 0x10) ? STRATA_FAULT_EXECUTE : (error & 0x2) ? STRATA_FAULT_WRITE : STRATA_FAULT_READ;
#elif defined(__linux__) && defined(__i386__)
    const ucontext_t *registers = context;
    unsigned long error = (unsigned long)registers->uc_mcontext.gregs[REG_ERR];
    *out_instruction = (void *)(uintptr_t)registers->uc_mcontext.gregs[REG_EIP];
    return (error & 0x10) ? STRATA_FAULT_EXECUTE : (error & 0x2) ? STRATA_FAULT_WRITE : STRATA_FAULT_READ;
#else
    (void)context;
    return STRATA_FAULT_READ;
#endif
}

static void on_access_fault(int signal_number, siginfo_t *info, void *context)
{
    strata_fault_action action = fault_handler != NULL ? fault_handler(info->si_addr) : STRATA_FAULT_NOT_MINE;
    if (action == STRATA_FAULT_RETRY) {
        return;
    }
    strata_fault_event event;
    event.address = info->si_addr;
    event.operation = fault_operation(context, &event.instruction);
    event.guard_page = action == STRATA_FAULT_GUARD;
    event.strata_memory = action == STRATA_FAULT_GUARD || action == STRATA_FAULT_DENIED;
    event.os_context = context;
    if (strata__platform_dispatch_fault(&event)) {
        return;
    }
    chain_fault(signal_number, info, context, &event);
}

/* Puts on_access_fault in front of SIGSEGV and SIGBUS unless it already is,
 * keeping whatever was there as the handler to chain to. */
static strata_status install_fault_signal(int signal_number, struct sigaction *previous)
{
    struct sigaction current;
    if (sigaction(signal_number, NULL, &current) != 0) {
        return STRATA_E_RESOURCE_EXHAUSTED;
    }
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_access_fault) {
        return STRATA_OK;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_access_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    return sigaction(signal_number, &action, previous) == 0 ? STRATA_OK : STRATA_E_RESOURCE_EXHAUSTED;
}

static strata_lock install_lock = STRATA_LOCK_INIT;

/* Both signals; the caller holds install_lock. */
static strata_status install_fault_signals(void)
{
    strata_status status = install_fault_signal(SIGSEGV, &previous_segv);
    if (status == STRATA_OK) {
        status = install_fault_signal(SIGBUS, &previous_bus);
    }
    return status;
}

strata_status strata__platform_watch_faults(void)
{
    strata_lock_acquire(&install_lock);
    strata_status status = install_fault_signals();
    strata_lock_release(&install_lock);
    return status;
}

strata_status strata_platform_set_fault_handler(strata_fault_handler handler)
{
    strata_status status = STRATA_OK;
    strata_lock_acquire(&install_lock);
    if (handler == NULL || (fault_handler != NULL && fault_handler != handler)) {
        status = STRATA_E_INVALID_PARAMETER;
    } else {
        /* Again on every call: a handler the program installed since then
         * is put behind strata's rather than left to shadow it. */
        fault_handler = handler;
        status = install_fault_signals();
    }
    strata_lock_release(&install_lock);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Lock: word is 0 free, 1 held, 2 held with (possible) sleepers.           */
/* ------------------------------------------------------------------------ */

static void lock_wait(strata_lock *lock)
{
#if defined(__linux__)
    /* The futex says EAGAIN when the word changed first: not the caller's
     * errno to see (free must leave errno alone). */
    int saved = errno;
    syscall(SYS_futex, &lock->word, FUTEX_WAIT_PRIVATE, 2u, NULL, NULL, 0);
    errno = saved;
#else
    (void)lock;
    sched_yield();
#endif
}

static void lock_wake_one(strata_lock *lock)
{
#if defined(__linux__)
    syscall(SYS_futex, &lock->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
    (void)lock;
#endif
}

bool strata_lock_try_acquire(strata_lock *lock)
{
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(&lock->word, &expected, 1u, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

void strata_lock_acquire(strata_lock *lock)
{
    if (strata_lock_try_acquire(lock)) {
        return;
    }
    /* A short spin catches locks held for a few instructions without a syscall. */
    for (int spin = 0; spin < 100; spin++) {
        if (__atomic_load_n(&lock->word, __ATOMIC_RELAXED) == 0 && strata_lock_try_acquire(lock)) {
            return;
        }
    }
    /* Mark the lock contended; whoever held it will wake one sleeper. */
    while (__atomic_exchange_n(&lock->word, 2u, __ATOMIC_ACQUIRE) != 0) {
        lock_wait(lock);
    }
}

void strata_lock_release(strata_lock *lock)
{
    if (__atomic_exchange_n(&lock->word, 0u, __ATOMIC_RELEASE) == 2u) {
        lock_wake_one(lock);
    }
}

/* ------------------------------------------------------------------------ */
/* Thread-local storage                                                     */
/* ------------------------------------------------------------------------ */

_Static_assert(sizeof(pthread_key_t) <= sizeof(uintptr_t), "pthread_key_t fits a strata_tls_key");

strata_status strata_tls_create(strata_thread_exit_fn on_thread_exit, strata_tls_key *out_key)
{
    if (out_key == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    pthread_key_t key;
    int error = pthread_key_create(&key, on_thread_exit);
    if (error != 0) {
        return error == EAGAIN ? STRATA_E_RESOURCE_EXHAUSTED : STRATA_E_NO_MEMORY;
    }
    out_key->handle = (uintptr_t)key;
    return STRATA_OK;
}

uintptr_t strata_thread_id(void)
{
    return (uintptr_t)pthread_self();
}

void *strata_tls_get(strata_tls_key key)
{
    return pthread_getspecific((pthread_key_t)key.handle);
}

strata_status strata_tls_set(strata_tls_key key, void *value)
{
    int error = pthread_setspecific((pthread_key_t)key.handle, value);
    if (error != 0) {
        return error == EINVAL ? STRATA_E_INVALID_PARAMETER : STRATA_E_NO_MEMORY;
    }
    return STRATA_OK;
}

void strata_tls_destroy(strata_tls_key key)
{
    pthread_key_delete((pthread_key_t)key.handle);
}

/* The Win32-style last error: plain thread-local storage, as errno is. */
static _Thread_local uint32_t last_error;

uint32_t strata_last_error(void)
{
    return last_error;
}

void strata_set_last_error(uint32_t error)
{
    last_error = error;
}

/* ------------------------------------------------------------------------ */
/* fork, environment, clock, errors                                         */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_atfork(void (*prepare)(void), void (*in_parent)(void),
                                     void (*in_child)(void))
{
    return pthread_atfork(prepare, in_parent, in_child) == 0 ? STRATA_OK : STRATA_E_NO_MEMORY;
}

strata_status strata_env_get(const char *name, char *buffer, size_t capacity, size_t *out_length)
{
    if (name == NULL || name[0] == '\0' || out_length == NULL ||
        (buffer == NULL && capacity != 0)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    const char *value = getenv(name);
    if (value == NULL) {
        return STRATA_E_NOT_FOUND;
    }
    size_t length = strlen(value);
    *out_length = length;
    if (length + 1 > capacity) {
        return STRATA_E_BUFFER_TOO_SMALL;
    }
    memcpy(buffer, value, length + 1);
    return STRATA_OK;
}

uint64_t strata_clock_monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static int error_stream = STDERR_FILENO;

void strata_keep_error_stream(void)
{
    int duplicate = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
    if (duplicate >= 0)
        error_stream = duplicate;
}

void strata_write_error(const char *text, size_t length)
{
    while (length > 0) {
        ssize_t written = write(error_stream, text, length);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return;
        }
        text += written;
        length -= (size_t)written;
    }
}

void strata__platform_terminate(void)
{
    abort();
}

void strata_platform_raise_exception(uint32_t code)
{
    union sigval value;
    memset(&value, 0, sizeof value); /* the kernel copies the whole union */
    value.sival_int = (int)code;
    /* Queued to this thread, so the handler runs before the call returns. */
    if (pthread_sigqueue(pthread_self(), SIGABRT, value) != 0) {
        raise(SIGABRT);
        return;
    }
    /* The kernel delivers a signal sent to oneself before that syscall
     * returns; Valgrind only at the next syscall. Make one, so the handler
     * has run before the failing call returns, there too. */
    sigset_t current;
    sigprocmask(SIG_BLOCK, NULL, &current);
}
