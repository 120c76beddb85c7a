/* SPDX-License-Identifier: MIT */
/*
 * platform/windows.c — the platform layer on Windows: page ranges with
 * VirtualAlloc, VirtualFree and VirtualProtect; the lock on an SRWLOCK; TLS
 * and thread-exit callbacks on fiber-local storage; WriteFile for errors.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "internal.h"

void strata__platform_query_info(strata_platform_info *info)
{
    SYSTEM_INFO system;
    GetSystemInfo(&system);
    info->page_size = system.dwPageSize;
    info->allocation_granularity = system.dwAllocationGranularity;
    /* VirtualFree(MEM_RELEASE) frees only a whole reservation, from its base. */
    info->can_release_partially = false;
    info->has_fork = false;
    info->faults_have_addresses = true;
    info->processor_count = system.dwNumberOfProcessors > 0 ? system.dwNumberOfProcessors : 1;
}

/* ------------------------------------------------------------------------ */
/* Page ranges                                                              */
/* ------------------------------------------------------------------------ */

static DWORD page_protection(strata_access access)
{
    switch ((unsigned)access) {
    case STRATA_ACCESS_READ:
        return PAGE_READONLY;
    case STRATA_ACCESS_READ | STRATA_ACCESS_WRITE:
        return PAGE_READWRITE;
    case STRATA_ACCESS_EXECUTE:
        return PAGE_EXECUTE;
    case STRATA_ACCESS_READ | STRATA_ACCESS_EXECUTE:
        return PAGE_EXECUTE_READ;
    case STRATA_ACCESS_READ | STRATA_ACCESS_WRITE | STRATA_ACCESS_EXECUTE:
        return PAGE_EXECUTE_READWRITE;
    default:
        return PAGE_NOACCESS;
    }
}

static strata_status status_from_last_error(void)
{
    switch (GetLastError()) {
    case ERROR_INVALID_ADDRESS:
        return STRATA_E_INVALID_ADDRESS;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_OUTOFMEMORY:
        return STRATA_E_NO_MEMORY;
    case ERROR_ACCESS_DENIED:
        return STRATA_E_ACCESS_DENIED;
    case ERROR_INVALID_PARAMETER:
        return STRATA_E_INVALID_PARAMETER;
    default:
        return STRATA_E_NO_MEMORY;
    }
}

/* Reserves at a granularity-aligned base that is also `alignment`-aligned:
 * find a big enough hole, give it back, and claim the aligned part of it.
 * Another thread can take the hole in between, hence the retries. */
static void *reserve_aligned(size_t size, size_t alignment)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        size_t padded = size + alignment;
        if (padded < size) {
            return NULL;
        }
        void *hole = VirtualAlloc(NULL, padded, MEM_RESERVE, PAGE_NOACCESS);
        if (hole == NULL) {
            return NULL;
        }
        VirtualFree(hole, 0, MEM_RELEASE);
        void *aligned = (void *)(((uintptr_t)hole + alignment - 1) & ~(uintptr_t)(alignment - 1));
        void *base = VirtualAlloc(aligned, size, MEM_RESERVE, PAGE_NOACCESS);
        if (base != NULL) {
            return base;
        }
    }
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
}

strata_status strata_platform_reserve(size_t size, size_t alignment, void *address,
                                      void **out_base)
{
    strata_status checked = strata__platform_check_reserve(size, &alignment, address, out_base);
    if (checked != STRATA_OK) {
        return checked;
    }
    const strata_platform_info *info = strata_platform_get_info();
    void *base;
    if (address != NULL) {
        base = VirtualAlloc(address, size, MEM_RESERVE, PAGE_NOACCESS);
        if (base == NULL) {
            strata_status status = status_from_last_error();
            return status == STRATA_E_INVALID_ADDRESS ? STRATA_E_CONFLICTING_ADDRESS : status;
        }
    } else if (alignment == info->allocation_granularity) {
        base = VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_NOACCESS);
    } else {
        base = reserve_aligned(size, alignment);
    }
    if (base == NULL) {
        return STRATA_E_NO_MEMORY;
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
    /* Only whole reservations can go: check the base, then add up the
     * regions that belong to it and compare with the size given. */
    MEMORY_BASIC_INFORMATION region;
    if (VirtualQuery(address, &region, sizeof region) == 0 || region.State == MEM_FREE ||
        region.AllocationBase != address) {
        return STRATA_E_INVALID_ADDRESS;
    }
    size_t reserved = 0;
    char *cursor = address;
    while (VirtualQuery(cursor, &region, sizeof region) != 0 && region.AllocationBase == address &&
           region.State != MEM_FREE) {
        reserved += region.RegionSize;
        cursor += region.RegionSize;
    }
    if (reserved != size) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (!VirtualFree(address, 0, MEM_RELEASE)) {
        return status_from_last_error();
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
    if (VirtualAlloc(address, size, MEM_COMMIT, page_protection(access)) == NULL) {
        return status_from_last_error();
    }
    return STRATA_OK;
}

strata_status strata_platform_decommit(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    if (!VirtualFree(address, size, MEM_DECOMMIT)) {
        return status_from_last_error();
    }
    return STRATA_OK;
}

strata_status strata_platform_reset(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    /* MEM_RESET ignores the protection but still wants a valid one. */
    if (VirtualAlloc(address, size, MEM_RESET, PAGE_NOACCESS) == NULL) {
        return status_from_last_error();
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
    DWORD previous;
    DWORD protect = page_protection(access);
    if (!VirtualProtect(address, size, protect, &previous)) {
        /* In a copy-on-write view (FILE_MAP_COPY) writing means writing to
         * private copies, as in a MAP_PRIVATE mapping on POSIX; Windows
         * wants the WRITECOPY form for that and refuses the READWRITE one. */
        DWORD error = GetLastError();
        MEMORY_BASIC_INFORMATION region;
        if ((access & STRATA_ACCESS_WRITE) && VirtualQuery(address, &region, sizeof region) != 0 &&
            region.Type == MEM_MAPPED &&
            (region.AllocationProtect & (PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY)) != 0 &&
            VirtualProtect(address, size,
                           protect == PAGE_READWRITE ? PAGE_WRITECOPY : PAGE_EXECUTE_WRITECOPY,
                           &previous)) {
            return STRATA_OK;
        }
        /* Wine says ERROR_INVALID_PARAMETER for free memory; the contract
         * is an address error either way. */
        if (!strata_platform_is_mapped(address, size)) {
            return STRATA_E_INVALID_ADDRESS;
        }
        SetLastError(error);
        return status_from_last_error();
    }
    return STRATA_OK;
}

strata_status strata_platform_file_open(const char *path, bool writable,
                                       strata_file_disposition disposition,
                                       strata_native_file *out_file)
{
    if (path == NULL || path[0] == '\0' || out_file == NULL ||
        disposition < STRATA_FILE_CREATE_NEW || disposition > STRATA_FILE_TRUNCATE_EXISTING) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* The dispositions are CreateFile's own numbers. */
    DWORD access = GENERIC_READ | (writable ? GENERIC_WRITE : 0);
    HANDLE file = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              NULL, (DWORD)disposition, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        switch (GetLastError()) {
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
            return STRATA_E_NOT_FOUND;
        case ERROR_FILE_EXISTS:
        case ERROR_ALREADY_EXISTS:
            return STRATA_E_CONFLICTING_ADDRESS;
        case ERROR_ACCESS_DENIED:
        case ERROR_SHARING_VIOLATION:
            return STRATA_E_ACCESS_DENIED;
        default:
            return STRATA_E_RESOURCE_EXHAUSTED;
        }
    }
    *out_file = (strata_native_file)file;
    return STRATA_OK;
}

strata_status strata_platform_file_close(strata_native_file file)
{
    return CloseHandle((HANDLE)file) ? STRATA_OK : STRATA_E_INVALID_HANDLE;
}

strata_status strata_platform_file_write(strata_native_file file, const void *data, size_t size)
{
    if (data == NULL && size > 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    const char *next = data;
    while (size > 0) {
        DWORD chunk = size > 0x40000000u ? 0x40000000u : (DWORD)size;
        DWORD written = 0;
        if (!WriteFile((HANDLE)file, next, chunk, &written, NULL)) {
            return GetLastError() == ERROR_INVALID_HANDLE ? STRATA_E_INVALID_HANDLE : STRATA_E_RESOURCE_EXHAUSTED;
        }
        next += written;
        size -= written;
    }
    return STRATA_OK;
}

strata_status strata_platform_lock_pages(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    if (!VirtualLock(address, size)) {
        DWORD error = GetLastError();
        if (error == ERROR_WORKING_SET_QUOTA) {
            return STRATA_E_WORKING_SET_QUOTA;
        }
        return error == ERROR_NOACCESS ? STRATA_E_NOACCESS : STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_unlock_pages(void *address, size_t size)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status != STRATA_OK) {
        return status;
    }
    if (!VirtualUnlock(address, size)) {
        return GetLastError() == ERROR_NOT_LOCKED ? STRATA_E_NOT_LOCKED : STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

bool strata_platform_is_mapped(const void *address, size_t size)
{
    uintptr_t cursor = (uintptr_t)address;
    uintptr_t end = cursor + (size == 0 ? 1 : size);
    if (end < cursor) {
        return false;
    }
    while (cursor < end) {
        MEMORY_BASIC_INFORMATION region;
        if (VirtualQuery((void *)cursor, &region, sizeof region) == 0 || region.State == MEM_FREE) {
            return false;
        }
        cursor = (uintptr_t)region.BaseAddress + region.RegionSize;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Access faults                                                            */
/* ------------------------------------------------------------------------ */

static strata_fault_handler fault_handler;
static strata_lock install_lock = STRATA_LOCK_INIT;
static bool exception_handler_installed;

static LONG WINAPI on_exception(EXCEPTION_POINTERS *pointers)
{
    EXCEPTION_RECORD *record = pointers->ExceptionRecord;
    bool guard = record->ExceptionCode == (DWORD)0x80000001L; /* STATUS_GUARD_PAGE_VIOLATION */
    if ((record->ExceptionCode != EXCEPTION_ACCESS_VIOLATION && !guard) || record->NumberParameters < 2) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    strata_fault_action action = STRATA_FAULT_NOT_MINE;
    if (!guard && fault_handler != NULL) {
        action = fault_handler((void *)record->ExceptionInformation[1]);
    }
    if (action == STRATA_FAULT_RETRY) {
        return EXCEPTION_CONTINUE_EXECUTION;
    }
    if (action == STRATA_FAULT_GUARD) {
        /* What Windows itself raises for a guard page; handlers further on see that. */
        record->ExceptionCode = (DWORD)0x80000001L;
        guard = true;
    }
    strata_fault_event event;
    event.address = (void *)record->ExceptionInformation[1];
    event.instruction = record->ExceptionAddress;
    event.operation = (uint32_t)record->ExceptionInformation[0];
    event.guard_page = guard;
    event.strata_memory = action == STRATA_FAULT_GUARD || action == STRATA_FAULT_DENIED;
    event.os_context = pointers->ContextRecord;
    return strata__platform_dispatch_fault(&event) ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_CONTINUE_SEARCH;
}

/* The caller holds install_lock. */
static strata_status install_exception_handler(void)
{
    if (!exception_handler_installed) {
        if (AddVectoredExceptionHandler(1, on_exception) == NULL) {
            return STRATA_E_RESOURCE_EXHAUSTED;
        }
        exception_handler_installed = true;
    }
    return STRATA_OK;
}

strata_status strata__platform_watch_faults(void)
{
    strata_lock_acquire(&install_lock);
    strata_status status = install_exception_handler();
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
        fault_handler = handler;
        status = install_exception_handler();
    }
    strata_lock_release(&install_lock);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Lock                                                                     */
/* ------------------------------------------------------------------------ */

/* SRWLOCK_INIT is documented as all-zero, which makes STRATA_LOCK_INIT valid. */
_Static_assert(sizeof(SRWLOCK) == sizeof(void *), "an SRWLOCK fits a strata_lock");

static PSRWLOCK srw(strata_lock *lock)
{
    return (PSRWLOCK)(void *)&lock->pointer;
}

void strata_lock_acquire(strata_lock *lock)
{
    AcquireSRWLockExclusive(srw(lock));
}

bool strata_lock_try_acquire(strata_lock *lock)
{
    return TryAcquireSRWLockExclusive(srw(lock)) != 0;
}

void strata_lock_release(strata_lock *lock)
{
    ReleaseSRWLockExclusive(srw(lock));
}

/* ------------------------------------------------------------------------ */
/* Thread-local storage                                                     */
/* ------------------------------------------------------------------------ */

/* Fiber-local storage, because only FLS runs a callback when a thread exits. */
strata_status strata_tls_create(strata_thread_exit_fn on_thread_exit, strata_tls_key *out_key)
{
    if (out_key == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* On x64 the WINAPI calling convention is the C one, so the types agree. */
    DWORD index = FlsAlloc((PFLS_CALLBACK_FUNCTION)(void (*)(void))on_thread_exit);
    if (index == FLS_OUT_OF_INDEXES) {
        return STRATA_E_RESOURCE_EXHAUSTED;
    }
    out_key->handle = index;
    return STRATA_OK;
}

uintptr_t strata_thread_id(void)
{
    return (uintptr_t)GetCurrentThreadId();
}

void *strata_tls_get(strata_tls_key key)
{
    /* FlsGetValue sets the last error to 0 when it succeeds: keep the caller's. */
    DWORD last_error = GetLastError();
    void *value = FlsGetValue((DWORD)key.handle);
    SetLastError(last_error);
    return value;
}

strata_status strata_tls_set(strata_tls_key key, void *value)
{
    if (!FlsSetValue((DWORD)key.handle, value)) {
        return GetLastError() == ERROR_INVALID_PARAMETER ? STRATA_E_INVALID_PARAMETER
                                                         : STRATA_E_NO_MEMORY;
    }
    return STRATA_OK;
}

void strata_tls_destroy(strata_tls_key key)
{
    FlsSetValue((DWORD)key.handle, NULL);
    FlsFree((DWORD)key.handle);
}

/* The system's own slot, so strata's view and kernel32's GetLastError agree. */
uint32_t strata_last_error(void)
{
    return GetLastError();
}

void strata_set_last_error(uint32_t error)
{
    SetLastError(error);
}

/* ------------------------------------------------------------------------ */
/* fork, environment, clock, errors                                         */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_atfork(void (*prepare)(void), void (*in_parent)(void),
                                     void (*in_child)(void))
{
    /* Windows has no fork: the hooks can never be needed. */
    (void)prepare;
    (void)in_parent;
    (void)in_child;
    return STRATA_OK;
}

strata_status strata_env_get(const char *name, char *buffer, size_t capacity, size_t *out_length)
{
    if (name == NULL || name[0] == '\0' || out_length == NULL ||
        (buffer == NULL && capacity != 0)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    DWORD room = capacity > MAXDWORD ? MAXDWORD : (DWORD)capacity;
    SetLastError(ERROR_SUCCESS);
    DWORD result = GetEnvironmentVariableA(name, buffer, room);
    if (result == 0) {
        if (GetLastError() == ERROR_ENVVAR_NOT_FOUND) {
            return STRATA_E_NOT_FOUND;
        }
        /* Set but empty. */
        *out_length = 0;
        if (capacity == 0) {
            return STRATA_E_BUFFER_TOO_SMALL;
        }
        buffer[0] = '\0';
        return STRATA_OK;
    }
    if (result >= room) {
        /* Too small: the result counts the NUL. */
        *out_length = result - 1;
        return STRATA_E_BUFFER_TOO_SMALL;
    }
    *out_length = result;
    return STRATA_OK;
}

uint64_t strata_clock_monotonic_ns(void)
{
    LARGE_INTEGER frequency, counter;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&counter);
    uint64_t ticks = (uint64_t)counter.QuadPart;
    uint64_t per_second = (uint64_t)frequency.QuadPart;
    return ticks / per_second * 1000000000u + ticks % per_second * 1000000000u / per_second;
}

void strata_keep_error_stream(void)
{
    /* The standard error handle stays valid when the CRT closes its stderr stream. */
}

void strata_write_error(const char *text, size_t length)
{
    HANDLE stream = GetStdHandle(STD_ERROR_HANDLE);
    if (stream == NULL || stream == INVALID_HANDLE_VALUE) {
        return;
    }
    while (length > 0) {
        DWORD chunk = length > 0x10000 ? 0x10000 : (DWORD)length;
        DWORD written = 0;
        if (!WriteFile(stream, text, chunk, &written, NULL) || written == 0) {
            return;
        }
        text += written;
        length -= written;
    }
}

void strata__platform_terminate(void)
{
    /* TerminateProcess skips DLL detach and atexit handlers, as abort must;
     * ExitProcess only if that somehow returns. */
    TerminateProcess(GetCurrentProcess(), 3);
    ExitProcess(3);
}

void strata_platform_raise_exception(uint32_t code)
{
    RaiseException(code, 0, 0, NULL);
}
