/* SPDX-License-Identifier: MIT */
/*
 * platform/windows_sync.c — threads, events and waits on Windows: the
 * system's own objects. A strata_waitable is a page holding the system
 * handle (the platform layer never uses a heap); named events are
 * "strata.event.<name>" in the session's namespace. Also the memory figures.
 */
#include "internal.h"

#include <string.h>
#include <windows.h>

#define PSAPI_VERSION 2 /* GetProcessMemoryInfo from kernel32 (K32GetProcessMemoryInfo) */
#include <psapi.h>

#define MAX_WAIT_OBJECTS 64
#define MAX_ESCAPED_NAME 200

typedef enum waitable_kind { KIND_THREAD = 0x54485244u, KIND_EVENT = 0x4556454Eu } waitable_kind;

struct strata_waitable {
    waitable_kind kind;
    HANDLE handle;
    volatile LONG references; /* threads: the caller's and the thread's until it has read start */
    strata_thread_start start;
    void *argument;
};

static strata_waitable *object_new(waitable_kind kind)
{
    strata_waitable *object = VirtualAlloc(NULL, sizeof(strata_waitable), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (object != NULL) {
        object->kind = kind;
        object->references = 1;
    }
    return object;
}

static void object_release(strata_waitable *object)
{
    if (InterlockedDecrement(&object->references) == 0) {
        VirtualFree(object, 0, MEM_RELEASE);
    }
}

uint32_t strata_platform_process_id(void)
{
    return (uint32_t)GetCurrentProcessId();
}

uint32_t strata_platform_thread_number(void)
{
    return (uint32_t)GetCurrentThreadId();
}

void strata_platform_sleep(uint32_t milliseconds)
{
    Sleep(milliseconds);
}

static DWORD WINAPI thread_main(LPVOID argument)
{
    strata_waitable *thread = argument;
    strata_thread_start start = thread->start;
    void *start_argument = thread->argument;
    object_release(thread);
    return (DWORD)start(start_argument);
}

strata_status strata_platform_thread_create(strata_thread_start start, void *argument, size_t stack_size,
                                            strata_waitable **out_thread, uint32_t *out_id)
{
    if (start == NULL || out_thread == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *thread = object_new(KIND_THREAD);
    if (thread == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    thread->start = start;
    thread->argument = argument;
    thread->references = 2;
    DWORD id = 0;
    thread->handle = CreateThread(NULL, stack_size, thread_main, thread, 0, &id);
    if (thread->handle == NULL) {
        VirtualFree(thread, 0, MEM_RELEASE);
        return STRATA_E_RESOURCE_EXHAUSTED;
    }
    if (out_id != NULL) {
        *out_id = (uint32_t)id;
    }
    *out_thread = thread;
    return STRATA_OK;
}

strata_status strata_platform_thread_exit_code(strata_waitable *thread, uint32_t *out_code, bool *out_finished)
{
    if (out_code == NULL || out_finished == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (thread == NULL || thread->kind != KIND_THREAD) {
        return STRATA_E_INVALID_HANDLE;
    }
    /* STILL_ACTIVE is also a possible exit code: ask the handle itself. */
    *out_finished = WaitForSingleObject(thread->handle, 0) == WAIT_OBJECT_0;
    DWORD code;
    if (*out_finished && GetExitCodeThread(thread->handle, &code)) {
        *out_code = (uint32_t)code;
    }
    return STRATA_OK;
}

/* "strata.event.<name>", '\' and '%' escaped as %5C and %25. */
static strata_status make_event_name(const char *name, char out[256])
{
    static const char prefix[] = "strata.event.";
    if (name == NULL || name[0] == '\0') {
        return STRATA_E_INVALID_PARAMETER;
    }
    size_t used = sizeof prefix - 1;
    memcpy(out, prefix, used);
    for (const char *c = name; *c != '\0'; c++) {
        if (used + 3 > sizeof prefix - 1 + MAX_ESCAPED_NAME) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (*c == '\\' || *c == '%') {
            out[used++] = '%';
            out[used++] = *c == '\\' ? '5' : '2';
            out[used++] = *c == '\\' ? 'C' : '5';
        } else {
            out[used++] = *c;
        }
    }
    out[used] = '\0';
    return STRATA_OK;
}

strata_status strata_platform_event_create(const char *name, bool manual_reset, bool initially_set,
                                           strata_waitable **out, bool *out_existed)
{
    char os_name[256];
    bool named = name != NULL && name[0] != '\0';
    if (out == NULL || (named && make_event_name(name, os_name) != STRATA_OK)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *event = object_new(KIND_EVENT);
    if (event == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    event->handle = CreateEventA(NULL, manual_reset, initially_set, named ? os_name : NULL);
    if (event->handle == NULL) {
        VirtualFree(event, 0, MEM_RELEASE);
        return STRATA_E_NO_MEMORY;
    }
    if (out_existed != NULL) {
        *out_existed = named && GetLastError() == ERROR_ALREADY_EXISTS;
    }
    *out = event;
    return STRATA_OK;
}

strata_status strata_platform_event_open(const char *name, strata_waitable **out)
{
    char os_name[256];
    if (out == NULL || make_event_name(name, os_name) != STRATA_OK) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *event = object_new(KIND_EVENT);
    if (event == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    event->handle = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, os_name);
    if (event->handle == NULL) {
        DWORD error = GetLastError();
        VirtualFree(event, 0, MEM_RELEASE);
        return error == ERROR_FILE_NOT_FOUND ? STRATA_E_NOT_FOUND
               : error == ERROR_ACCESS_DENIED ? STRATA_E_ACCESS_DENIED
                                              : STRATA_E_INVALID_PARAMETER;
    }
    *out = event;
    return STRATA_OK;
}

strata_status strata_platform_event_set(strata_waitable *event)
{
    if (event == NULL || event->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    return SetEvent(event->handle) ? STRATA_OK : STRATA_E_INVALID_HANDLE;
}

strata_status strata_platform_event_reset(strata_waitable *event)
{
    if (event == NULL || event->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    return ResetEvent(event->handle) ? STRATA_OK : STRATA_E_INVALID_HANDLE;
}

strata_status strata_platform_wait(strata_waitable *const *objects, size_t count, bool wait_all,
                                   uint32_t timeout_ms, size_t *out_index)
{
    HANDLE handles[MAX_WAIT_OBJECTS];
    if (objects == NULL || count == 0 || count > MAX_WAIT_OBJECTS) {
        return STRATA_E_INVALID_PARAMETER;
    }
    for (size_t i = 0; i < count; i++) {
        if (objects[i] == NULL) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (objects[i]->kind != KIND_THREAD && objects[i]->kind != KIND_EVENT) {
            return STRATA_E_INVALID_HANDLE;
        }
        for (size_t j = 0; wait_all && j < i; j++) {
            if (objects[j] == objects[i]) {
                return STRATA_E_INVALID_PARAMETER;
            }
        }
        handles[i] = objects[i]->handle;
    }
    DWORD result = WaitForMultipleObjects((DWORD)count, handles, wait_all,
                                          timeout_ms == STRATA_WAIT_FOREVER ? INFINITE : timeout_ms);
    if (result == WAIT_TIMEOUT) {
        return STRATA_E_TIMEOUT;
    }
    if (result >= WAIT_OBJECT_0 + count) {
        return GetLastError() == ERROR_INVALID_PARAMETER ? STRATA_E_INVALID_PARAMETER : STRATA_E_INVALID_HANDLE;
    }
    if (out_index != NULL) {
        *out_index = wait_all ? 0 : (size_t)(result - WAIT_OBJECT_0);
    }
    return STRATA_OK;
}

strata_status strata_platform_waitable_close(strata_waitable *object)
{
    if (object == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (object->kind != KIND_THREAD && object->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    CloseHandle(object->handle);
    object->kind = 0;
    object_release(object);
    return STRATA_OK;
}

/* ---- memory status ---------------------------------------------------------- */


strata_status strata_platform_memory_status(strata_memory_status *out)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    MEMORYSTATUSEX status;
    status.dwLength = sizeof status;
    if (!GlobalMemoryStatusEx(&status)) {
        return STRATA_E_UNSUPPORTED;
    }
    out->total_physical = status.ullTotalPhys;
    out->available_physical = status.ullAvailPhys;
    out->total_commit = status.ullTotalPageFile;
    out->available_commit = status.ullAvailPageFile;
    return STRATA_OK;
}

strata_status strata_platform_process_memory(strata_process_memory *out)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    PROCESS_MEMORY_COUNTERS_EX counters;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&counters, sizeof counters)) {
        return STRATA_E_UNSUPPORTED;
    }
    /* Address space in use: every region that is not free. */
    uint64_t in_use = 0;
    MEMORY_BASIC_INFORMATION region;
    for (const char *cursor = NULL; VirtualQuery(cursor, &region, sizeof region) == sizeof region;) {
        if (region.State != MEM_FREE) {
            in_use += region.RegionSize;
        }
        const char *next = (const char *)region.BaseAddress + region.RegionSize;
        if (next <= cursor) {
            break;
        }
        cursor = next;
    }
    out->page_faults = counters.PageFaultCount;
    out->resident = counters.WorkingSetSize;
    out->peak_resident = counters.PeakWorkingSetSize;
    out->private_bytes = counters.PrivateUsage;
    out->peak_private = counters.PeakPagefileUsage;
    out->virtual_size = in_use;
    return STRATA_OK;
}
