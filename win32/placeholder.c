/* SPDX-License-Identifier: MIT */
/*
 * win32/placeholder.c — VirtualAlloc2 and MapViewOfFile3, the Win32 calls
 * that reserve and replace placeholders, over strata_vmm_*_placeholder and
 * strata_section_map_placeholder.
 */
#include "internal.h"

/* Only the calling process, and no extended parameters. */
static bool check_common(HANDLE process, ULONG parameter_count)
{
    if (process != NULL && process != GetCurrentProcess()) {
        return succeeded(STRATA_E_INVALID_HANDLE);
    }
    if (parameter_count != 0) {
        return succeeded(STRATA_E_INVALID_PARAMETER);
    }
    return TRUE;
}

PVOID strata_win32_VirtualAlloc2(HANDLE process, PVOID base, SIZE_T size, ULONG type, ULONG protect,
                                 MEM_EXTENDED_PARAMETER *parameters, ULONG parameter_count)
{
    (void)parameters;
    if (!check_common(process, parameter_count)) {
        return NULL;
    }
    void *result = NULL;
    if (type & MEM_RESERVE_PLACEHOLDER) {
        if (type != (MEM_RESERVE | MEM_RESERVE_PLACEHOLDER) || protect != PAGE_NOACCESS) {
            succeeded(STRATA_E_INVALID_PARAMETER);
            return NULL;
        }
        return succeeded(strata_vmm_reserve_placeholder(base, size, &result)) ? result : NULL;
    }
    if (type & MEM_REPLACE_PLACEHOLDER) {
        /* MEM_REPLACE_PLACEHOLDER has MEM_DECOMMIT's value: only with MEM_RESERVE. */
        if ((type & ~(DWORD)(MEM_REPLACE_PLACEHOLDER | MEM_RESERVE | MEM_COMMIT)) != 0 || !(type & MEM_RESERVE)) {
            succeeded(STRATA_E_INVALID_PARAMETER);
            return NULL;
        }
        return succeeded(strata_vmm_replace_placeholder(base, size, protect, (type & MEM_COMMIT) != 0, &result))
                   ? result
                   : NULL;
    }
    return strata_win32_VirtualAlloc(base, size, type, protect);
}

/* The FILE_MAP_* access that gives a view pages of `protect`. */
static bool access_for(ULONG protect, DWORD *out)
{
    switch (protect) {
    case PAGE_NOACCESS: *out = 0; return true;
    case PAGE_READONLY: *out = FILE_MAP_READ; return true;
    case PAGE_READWRITE: *out = FILE_MAP_WRITE; return true;
    case PAGE_WRITECOPY: *out = FILE_MAP_COPY; return true;
    case PAGE_EXECUTE_READ: *out = FILE_MAP_READ | FILE_MAP_EXECUTE; return true;
    case PAGE_EXECUTE_READWRITE: *out = FILE_MAP_WRITE | FILE_MAP_EXECUTE; return true;
    case PAGE_EXECUTE_WRITECOPY: *out = FILE_MAP_COPY | FILE_MAP_EXECUTE; return true;
    default: return false;
    }
}

PVOID strata_win32_MapViewOfFile3(HANDLE mapping, HANDLE process, PVOID base, ULONG64 offset, SIZE_T size,
                                  ULONG type, ULONG protect, MEM_EXTENDED_PARAMETER *parameters,
                                  ULONG parameter_count)
{
    (void)parameters;
    if (!check_common(process, parameter_count)) {
        return NULL;
    }
    strata_section *section = strata__win32_handle_section(mapping);
    if (section == NULL) {
        succeeded(STRATA_E_INVALID_HANDLE);
        return NULL;
    }
    DWORD access;
    if ((type != 0 && type != MEM_REPLACE_PLACEHOLDER) || !access_for(protect, &access)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    void *view = NULL;
    strata_status status = type == MEM_REPLACE_PLACEHOLDER
                               ? strata_section_map_placeholder(section, access, offset, size, base, &view)
                               : strata_section_map(section, access, offset, size, base, &view);
    return succeeded(status) ? view : NULL;
}
