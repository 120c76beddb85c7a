/* SPDX-License-Identifier: MIT */
/*
 * win32/exception.c — vectored exception handlers for memory faults, over
 * the platform layer's fault listeners, on every OS: on Windows too, so
 * that handlers see the guard pages strata keeps as the system's.
 */
#include "internal.h"

#include <string.h>

/* One fault, as a Windows handler sees it. */
static bool call_handler(const strata_fault_event *event, void *context)
{
    PVECTORED_EXCEPTION_HANDLER handler = (PVECTORED_EXCEPTION_HANDLER)(uintptr_t)context;
    EXCEPTION_RECORD record;
    memset(&record, 0, sizeof record);
    record.ExceptionCode = event->guard_page ? (DWORD)EXCEPTION_GUARD_PAGE : (DWORD)EXCEPTION_ACCESS_VIOLATION;
    record.ExceptionAddress = event->instruction;
    record.NumberParameters = 2;
    record.ExceptionInformation[0] = event->operation;
    record.ExceptionInformation[1] = (ULONG_PTR)event->address;
    EXCEPTION_POINTERS pointers = {&record, (PCONTEXT)event->os_context};
    return handler(&pointers) == EXCEPTION_CONTINUE_EXECUTION;
}

PVOID strata_win32_AddVectoredExceptionHandler(ULONG first, PVECTORED_EXCEPTION_HANDLER handler)
{
    if (handler == NULL) {
        return NULL;
    }
    /* Faults in strata's memory are told from others only once the vmm
     * watches them. */
    strata_vmm_watch_faults();
    void *cookie;
    if (strata_platform_add_fault_listener(first != 0, call_handler, (void *)(uintptr_t)handler, &cookie) !=
        STRATA_OK) {
        return NULL;
    }
    return cookie;
}

ULONG strata_win32_RemoveVectoredExceptionHandler(PVOID handle)
{
    return strata_platform_remove_fault_listener(handle) == STRATA_OK ? 1u : 0u;
}

