/* SPDX-License-Identifier: MIT */
/*
 * win32/global.c — the Win32 view of Global* and Local* memory: each
 * function calls strata_global_* (heap layer) with its family and turns the
 * reported status, if any, into the thread's last error (docs/windows-behaviour.md §3).
 */
#include "internal.h"

#include <strata/heap.h>

/* "Nothing reported": Windows leaves the last error as it was. */
#define NOTHING STRATA_STATUS_COUNT

static void report(strata_status error)
{
    if (error != NOTHING)
        strata_set_last_error(strata_status_win32_error(error));
}

#define GLOBAL STRATA_MEMORY_GLOBAL
#define LOCAL STRATA_MEMORY_LOCAL

/* One Win32 function over one native one, with its family. */
#define VIEW(result_type, name, native, parameters, arguments)  \
    result_type strata_win32_##name parameters                          \
    {                                                                   \
        strata_status error = NOTHING;                                  \
        result_type result = (result_type)native arguments;             \
        report(error);                                                  \
        return result;                                                  \
    }

VIEW(HGLOBAL, GlobalAlloc, strata_global_alloc, (UINT flags, SIZE_T bytes), (GLOBAL, flags, bytes, &error))
VIEW(HGLOBAL, GlobalReAlloc, strata_global_realloc, (HGLOBAL memory, SIZE_T bytes, UINT flags),
     (GLOBAL, memory, bytes, flags, &error))
VIEW(HGLOBAL, GlobalFree, strata_global_free, (HGLOBAL memory), (GLOBAL, memory, &error))
VIEW(LPVOID, GlobalLock, strata_global_lock, (HGLOBAL memory), (GLOBAL, memory, &error))
VIEW(BOOL, GlobalUnlock, strata_global_unlock, (HGLOBAL memory), (GLOBAL, memory, &error))
VIEW(SIZE_T, GlobalSize, strata_global_size, (HGLOBAL memory), (GLOBAL, memory, &error))
VIEW(UINT, GlobalFlags, strata_global_flags, (HGLOBAL memory), (GLOBAL, memory, &error))
VIEW(HGLOBAL, GlobalHandle, strata_global_handle, (LPCVOID pointer), (GLOBAL, pointer, &error))

VIEW(HLOCAL, LocalAlloc, strata_global_alloc, (UINT flags, SIZE_T bytes), (LOCAL, flags, bytes, &error))
VIEW(HLOCAL, LocalReAlloc, strata_global_realloc, (HLOCAL memory, SIZE_T bytes, UINT flags),
     (LOCAL, memory, bytes, flags, &error))
VIEW(HLOCAL, LocalFree, strata_global_free, (HLOCAL memory), (LOCAL, memory, &error))
VIEW(LPVOID, LocalLock, strata_global_lock, (HLOCAL memory), (LOCAL, memory, &error))
VIEW(BOOL, LocalUnlock, strata_global_unlock, (HLOCAL memory), (LOCAL, memory, &error))
VIEW(SIZE_T, LocalSize, strata_global_size, (HLOCAL memory), (LOCAL, memory, &error))
VIEW(UINT, LocalFlags, strata_global_flags, (HLOCAL memory), (LOCAL, memory, &error))
VIEW(HLOCAL, LocalHandle, strata_global_handle, (LPCVOID pointer), (LOCAL, pointer, &error))
