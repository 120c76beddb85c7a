/* SPDX-License-Identifier: MIT */
/*
 * win32/sync.c — the Win32 view of threads, events, waits and critical
 * sections over the platform layer (strata_platform_thread_*, _event_*,
 * _wait, strata_lock). POSIX only: on Windows they are the system's.
 */
#include "internal.h"

#if !defined(_WIN32)


#define NAME_CAPACITY 1024

/* strata_platform_thread_create's start routine has the same shape. */
_Static_assert(sizeof(DWORD) == sizeof(uint32_t), "DWORD is 32 bits");

HANDLE strata_win32_CreateThread(LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size,
                                 LPTHREAD_START_ROUTINE start, LPVOID parameter, DWORD flags, LPDWORD thread_id)
{
    (void)attributes;
    if (start == NULL || (flags & ~(DWORD)STACK_SIZE_PARAM_IS_A_RESERVATION) != 0) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    strata_waitable *thread;
    uint32_t id;
    if (!succeeded(strata_platform_thread_create((strata_thread_start)start, parameter, stack_size, &thread, &id))) {
        return NULL;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_THREAD, thread, STRATA_NO_FILE, 0);
    if (handle == NULL) {
        strata_platform_waitable_close(thread); /* it runs on, unwatched */
        return NULL;
    }
    if (thread_id != NULL) {
        *thread_id = id;
    }
    return handle;
}

BOOL strata_win32_GetExitCodeThread(HANDLE handle, LPDWORD exit_code)
{
    strata_waitable *thread = strata__win32_handle_waitable(handle, HANDLE_THREAD);
    if (thread == NULL) {
        return succeeded(STRATA_E_INVALID_HANDLE);
    }
    if (exit_code == NULL) {
        return succeeded(STRATA_E_NOACCESS);
    }
    uint32_t code = 0;
    bool finished = false;
    if (!succeeded(strata_platform_thread_exit_code(thread, &code, &finished))) {
        return FALSE;
    }
    *exit_code = finished ? code : STILL_ACTIVE;
    return TRUE;
}

static HANDLE create_event(BOOL manual_reset, BOOL initial_state, const char *name)
{
    strata_waitable *event;
    bool existed = false;
    if (!succeeded(strata_platform_event_create(name, manual_reset != FALSE, initial_state != FALSE, &event,
                                                &existed))) {
        return NULL;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_EVENT, event, STRATA_NO_FILE, 0);
    if (handle == NULL) {
        strata_platform_waitable_close(event);
        return NULL;
    }
    strata_set_last_error(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

HANDLE strata_win32_CreateEventA(LPSECURITY_ATTRIBUTES attributes, BOOL manual_reset, BOOL initial_state,
                                 LPCSTR name)
{
    (void)attributes;
    return create_event(manual_reset, initial_state, name);
}

HANDLE strata_win32_CreateEventW(LPSECURITY_ATTRIBUTES attributes, BOOL manual_reset, BOOL initial_state,
                                 LPCWSTR name)
{
    (void)attributes;
    char narrow[NAME_CAPACITY];
    if (name != NULL && !strata__win32_narrow(name, narrow, sizeof narrow)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    return create_event(manual_reset, initial_state, name != NULL ? narrow : NULL);
}

static HANDLE open_event(DWORD access, const char *name)
{
    if ((access & (EVENT_MODIFY_STATE | SYNCHRONIZE)) == 0 && access != EVENT_ALL_ACCESS) {
        succeeded(STRATA_E_ACCESS_DENIED);
        return NULL;
    }
    strata_waitable *event;
    if (!succeeded(strata_platform_event_open(name, &event))) {
        return NULL;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_EVENT, event, STRATA_NO_FILE, 0);
    if (handle == NULL) {
        strata_platform_waitable_close(event);
    }
    return handle;
}

HANDLE strata_win32_OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
    (void)inherit;
    return open_event(access, name);
}

HANDLE strata_win32_OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)inherit;
    char narrow[NAME_CAPACITY];
    if (name == NULL || !strata__win32_narrow(name, narrow, sizeof narrow)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    return open_event(access, narrow);
}

BOOL strata_win32_SetEvent(HANDLE handle)
{
    strata_waitable *event = strata__win32_handle_waitable(handle, HANDLE_EVENT);
    return succeeded(event == NULL ? STRATA_E_INVALID_HANDLE : strata_platform_event_set(event));
}

BOOL strata_win32_ResetEvent(HANDLE handle)
{
    strata_waitable *event = strata__win32_handle_waitable(handle, HANDLE_EVENT);
    return succeeded(event == NULL ? STRATA_E_INVALID_HANDLE : strata_platform_event_reset(event));
}

/* The platform object of a thread or event handle, or NULL. */
static strata_waitable *waitable_of(HANDLE handle)
{
    strata_waitable *object = strata__win32_handle_waitable(handle, HANDLE_THREAD);
    return object != NULL ? object : strata__win32_handle_waitable(handle, HANDLE_EVENT);
}

DWORD strata_win32_WaitForMultipleObjects(DWORD count, const HANDLE *handles, BOOL wait_all, DWORD milliseconds)
{
    strata_waitable *objects[MAXIMUM_WAIT_OBJECTS];
    if (handles == NULL || count == 0 || count > MAXIMUM_WAIT_OBJECTS) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    for (DWORD i = 0; i < count; i++) {
        objects[i] = waitable_of(handles[i]);
        if (objects[i] == NULL) {
            succeeded(STRATA_E_INVALID_HANDLE);
            return WAIT_FAILED;
        }
    }
    size_t index = 0;
    strata_status status = strata_platform_wait(objects, count, wait_all != FALSE,
                                                milliseconds == INFINITE ? STRATA_WAIT_FOREVER : milliseconds, &index);
    if (status == STRATA_E_TIMEOUT) {
        return WAIT_TIMEOUT;
    }
    if (!succeeded(status)) {
        return WAIT_FAILED;
    }
    return WAIT_OBJECT_0 + (DWORD)index;
}

DWORD strata_win32_WaitForSingleObject(HANDLE handle, DWORD milliseconds)
{
    return strata_win32_WaitForMultipleObjects(1, &handle, FALSE, milliseconds);
}

void strata_win32_Sleep(DWORD milliseconds)
{
    strata_platform_sleep(milliseconds == INFINITE ? STRATA_WAIT_FOREVER : milliseconds);
}

DWORD strata_win32_GetCurrentProcessId(void)
{
    return strata_platform_process_id();
}

DWORD strata_win32_GetCurrentThreadId(void)
{
    return strata_platform_thread_number();
}

/* ---- critical sections --------------------------------------------------- */

void strata_win32_InitializeCriticalSection(LPCRITICAL_SECTION section)
{
    section->Lock = (strata_lock)STRATA_LOCK_INIT;
    section->OwningThread = 0;
    section->RecursionCount = 0;
    section->SpinCount = 0;
}

BOOL strata_win32_InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION section, DWORD spin_count)
{
    strata_win32_InitializeCriticalSection(section);
    section->SpinCount = spin_count;
    return TRUE;
}

void strata_win32_DeleteCriticalSection(LPCRITICAL_SECTION section)
{
    section->OwningThread = 0;
    section->RecursionCount = 0;
}

/* Whether the calling thread owns the section: only the owner stores its own
 * id there, so a relaxed read cannot mistake another thread's for it. */
static bool owned_by_caller(LPCRITICAL_SECTION section)
{
    return __atomic_load_n(&section->OwningThread, __ATOMIC_RELAXED) == strata_thread_id();
}

static void take_ownership(LPCRITICAL_SECTION section)
{
    __atomic_store_n(&section->OwningThread, strata_thread_id(), __ATOMIC_RELAXED);
    section->RecursionCount = 1;
}

void strata_win32_EnterCriticalSection(LPCRITICAL_SECTION section)
{
    if (owned_by_caller(section)) {
        section->RecursionCount++;
        return;
    }
    strata_lock_acquire(&section->Lock);
    take_ownership(section);
}

BOOL strata_win32_TryEnterCriticalSection(LPCRITICAL_SECTION section)
{
    if (owned_by_caller(section)) {
        section->RecursionCount++;
        return TRUE;
    }
    if (!strata_lock_try_acquire(&section->Lock)) {
        return FALSE;
    }
    take_ownership(section);
    return TRUE;
}

void strata_win32_LeaveCriticalSection(LPCRITICAL_SECTION section)
{
    if (--section->RecursionCount == 0) {
        __atomic_store_n(&section->OwningThread, 0, __ATOMIC_RELAXED);
        strata_lock_release(&section->Lock);
    }
}

#endif /* !_WIN32 */
