/* SPDX-License-Identifier: MIT */
/*
 * win32/heap.c — the Win32 view of the heap layer: HeapCreate … HeapSetInformation
 * over strata_heap_*, with Windows' results and last-error codes
 * (docs/windows-behaviour.md §2). A heap HANDLE is the strata_heap itself, whose address
 * is its base, as on Windows.
 */
#include "internal.h"

#include <strata/heap.h>

#include <string.h>

static strata_heap *heap_of(HANDLE handle)
{
    return (strata_heap *)handle;
}

HANDLE strata_win32_HeapCreate(DWORD options, SIZE_T initial_size, SIZE_T maximum_size)
{
    strata_heap *heap = NULL;
    if (maximum_size != 0 && initial_size > maximum_size)
        initial_size = maximum_size;
    /* strata's own creation flag is not a HeapCreate option. */
    DWORD windows_options = options & ~(DWORD)STRATA_HEAP_CREATE_GUARD;
    if (!succeeded(strata_heap_create(NULL, windows_options, initial_size, maximum_size, &heap)))
        return NULL;
    return heap;
}

BOOL strata_win32_HeapDestroy(HANDLE heap)
{
    return succeeded(strata_heap_destroy(heap_of(heap)));
}

LPVOID strata_win32_HeapAlloc(HANDLE heap, DWORD flags, SIZE_T bytes)
{
    void *block = strata_heap_alloc(heap_of(heap), flags, bytes);
    if (block == NULL) /* measured on Windows, though the documentation says otherwise */
        strata_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
    return block;
}

LPVOID strata_win32_HeapReAlloc(HANDLE heap, DWORD flags, LPVOID block, SIZE_T bytes)
{
    if (block == NULL) {
        strata_set_last_error(NO_ERROR);
        return NULL;
    }
    void *moved = strata_heap_realloc(heap_of(heap), flags, block, bytes);
    if (moved == NULL)
        strata_set_last_error(heap == NULL ? ERROR_INVALID_HANDLE : ERROR_NOT_ENOUGH_MEMORY);
    return moved;
}

BOOL strata_win32_HeapFree(HANDLE heap, DWORD flags, LPVOID block)
{
    if (strata_heap_free(heap_of(heap), flags, block))
        return TRUE;
    strata_set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
}

SIZE_T strata_win32_HeapSize(HANDLE heap, DWORD flags, LPCVOID block)
{
    return (SIZE_T)strata_heap_size(heap_of(heap), flags, block); /* (SIZE_T)-1, last error untouched */
}

BOOL strata_win32_HeapValidate(HANDLE heap, DWORD flags, LPCVOID block)
{
    if (strata_heap_validate(heap_of(heap), flags, block))
        return TRUE;
    /* Windows reads the block's header and reports a pointer it cannot read
     * as ERROR_NOACCESS; any other refusal leaves the last error alone. */
    if (block != NULL && !strata_vmm_is_readable(block, 1))
        strata_set_last_error(ERROR_NOACCESS);
    return FALSE;
}

BOOL strata_win32_HeapWalk(HANDLE heap, LPPROCESS_HEAP_ENTRY entry)
{
    if (entry == NULL || heap == NULL) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    strata_heap_entry native;
    memset(&native, 0, sizeof native);
    native.data = entry->lpData;
    native.size = entry->cbData;
    native.region_index = entry->iRegionIndex;
    native.flags = entry->wFlags;
    if (!succeeded(strata_heap_walk(heap_of(heap), &native)))
        return FALSE;
    entry->lpData = native.data;
    entry->cbData = (DWORD)native.size;
    entry->cbOverhead = native.overhead;
    entry->iRegionIndex = native.region_index;
    entry->wFlags = native.flags;
    memset(&entry->Block, 0, sizeof entry->Block);
    if (native.flags & STRATA_HEAP_ENTRY_REGION) {
        entry->Region.dwCommittedSize = (DWORD)native.committed_size;
        entry->Region.dwUnCommittedSize = (DWORD)native.uncommitted_size;
        entry->Region.lpFirstBlock = native.first_block;
        entry->Region.lpLastBlock = native.last_block;
    }
    return TRUE;
}

SIZE_T strata_win32_HeapCompact(HANDLE heap, DWORD flags)
{
    if (heap == NULL) {
        strata_set_last_error(ERROR_INVALID_HANDLE);
        return 0;
    }
    size_t largest = strata_heap_compact(heap_of(heap), flags);
    if (largest == 0)
        strata_set_last_error(NO_ERROR); /* no free space is not a failure */
    return (SIZE_T)largest;
}

BOOL strata_win32_HeapLock(HANDLE heap)
{
    if (strata_heap_lock(heap_of(heap)))
        return TRUE;
    strata_set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
}

BOOL strata_win32_HeapUnlock(HANDLE heap)
{
    if (strata_heap_unlock(heap_of(heap)))
        return TRUE;
    strata_set_last_error(heap == NULL ? ERROR_INVALID_HANDLE : ERROR_NOT_LOCKED);
    return FALSE;
}

HANDLE strata_win32_GetProcessHeap(void)
{
    return strata_heap_process();
}

DWORD strata_win32_GetProcessHeaps(DWORD count, PHANDLE heaps)
{
    return (DWORD)strata_heap_list(heaps != NULL ? (strata_heap **)(void *)heaps : NULL,
                                   heaps != NULL ? count : 0);
}

BOOL strata_win32_HeapQueryInformation(HANDLE heap, HEAP_INFORMATION_CLASS info_class, PVOID info,
                                       SIZE_T length, PSIZE_T return_length)
{
    size_t written = 0;
    strata_status status = strata_heap_query_information(heap_of(heap), (strata_heap_info_class)info_class, info,
                                                         length, return_length != NULL ? &written : NULL);
    if (return_length != NULL && status != STRATA_E_NOACCESS)
        *return_length = (SIZE_T)written;
    return succeeded(status);
}

BOOL strata_win32_HeapSetInformation(HANDLE heap, HEAP_INFORMATION_CLASS info_class, PVOID info, SIZE_T length)
{
    return succeeded(strata_heap_set_information(heap_of(heap), (strata_heap_info_class)info_class, info, length));
}
