/* SPDX-License-Identifier: MIT */
/*
 * win32/virtual.c — the Win32 view of the vmm: VirtualAlloc, VirtualFree,
 * VirtualProtect, VirtualQuery, VirtualLock/Unlock, GetSystemInfo and
 * IsBad*Ptr, decoding Windows' flags into strata_vmm_* calls and statuses
 * into last-error codes.
 */
#include "internal.h"

#include <string.h>

static LPVOID fail_with(strata_status status)
{
    succeeded(status);
    return NULL;
}

/* Allocation-type bits VirtualAlloc knows; anything else is refused. */
#define KNOWN_ALLOCATION_TYPES                                                                     \
    (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO | MEM_TOP_DOWN | MEM_WRITE_WATCH |      \
     MEM_PHYSICAL | MEM_LARGE_PAGES)

/* Win32 programs get faults in their VirtualAlloc memory named when no
 * handler takes them, as the vmm does once it watches faults. */
static void watch_faults_once(void)
{
    static bool watching;
    if (!__atomic_load_n(&watching, __ATOMIC_ACQUIRE) && strata_vmm_watch_faults() == STRATA_OK) {
        __atomic_store_n(&watching, true, __ATOMIC_RELEASE);
    }
}

LPVOID strata_win32_VirtualAlloc(LPVOID address, SIZE_T size, DWORD type, DWORD protect)
{
    watch_faults_once();
    if (size == 0 || (type & ~(DWORD)KNOWN_ALLOCATION_TYPES) != 0) {
        return fail_with(STRATA_E_INVALID_PARAMETER);
    }
    void *result = NULL;
    strata_status status;
    if (type & (MEM_RESET | MEM_RESET_UNDO)) {
        /* Reset stands alone; its protection is ignored but must be valid. */
        if ((type != MEM_RESET && type != MEM_RESET_UNDO) || !strata_vmm_protection_is_valid(protect)) {
            return fail_with(STRATA_E_INVALID_PARAMETER);
        }
        status = type == MEM_RESET ? strata_vmm_reset(address, size, &result)
                                   : strata_vmm_reset_undo(address, size, &result);
        return status == STRATA_OK ? result : fail_with(status);
    }
    if ((type & (MEM_COMMIT | MEM_RESERVE)) == 0 ||
        ((type & MEM_WRITE_WATCH) && !(type & MEM_RESERVE)) ||
        ((type & MEM_PHYSICAL) && (type & ~(DWORD)MEM_TOP_DOWN) != (MEM_RESERVE | MEM_PHYSICAL)) ||
        ((type & MEM_LARGE_PAGES) && (type & (MEM_COMMIT | MEM_RESERVE)) != (MEM_COMMIT | MEM_RESERVE))) {
        return fail_with(STRATA_E_INVALID_PARAMETER);
    }
    if (type & MEM_LARGE_PAGES) {
        /* strata does not map large pages: the caller lacks what they need. */
        return fail_with(STRATA_E_PRIVILEGE_NOT_HELD);
    }
    if (type & (MEM_WRITE_WATCH | MEM_PHYSICAL)) {
        return fail_with(STRATA_E_UNSUPPORTED);
    }
    uint32_t options = (type & MEM_TOP_DOWN) ? STRATA_VMM_TOP_DOWN : 0;
    if ((type & MEM_RESERVE) == 0 || address == NULL) {
        /* MEM_COMMIT alone, or reserve+commit anywhere: commit does both for NULL. */
        status = (type & MEM_COMMIT) ? strata_vmm_commit(address, size, protect, options, &result)
                                     : strata_vmm_reserve(NULL, size, protect, options, &result);
        return status == STRATA_OK ? result : fail_with(status);
    }
    status = strata_vmm_reserve(address, size, protect, options, &result);
    if (status == STRATA_OK && (type & MEM_COMMIT)) {
        /* The whole new reservation, from its rounded-down base. */
        size_t span = (size_t)((uintptr_t)address + size - (uintptr_t)result);
        void *committed = NULL;
        status = strata_vmm_commit(result, span, protect, 0, &committed);
        if (status != STRATA_OK) {
            strata_vmm_release(result);
        }
    }
    return status == STRATA_OK ? result : fail_with(status);
}

BOOL strata_win32_VirtualFree(LPVOID address, SIZE_T size, DWORD free_type)
{
    if (free_type == MEM_RELEASE) {
        /* Checked before the address, as Windows does. */
        if (size != 0) {
            return succeeded(STRATA_E_INVALID_PARAMETER);
        }
        return succeeded(strata_vmm_release(address));
    }
    if (free_type == MEM_DECOMMIT) {
        return succeeded(strata_vmm_decommit(address, size));
    }
    if (free_type == (MEM_RELEASE | MEM_PRESERVE_PLACEHOLDER)) {
        /* Size 0 on an allocation that replaced a placeholder gives it back
         * as one; otherwise a range of a placeholder becomes its own. */
        if (size == 0) {
            return succeeded(strata_vmm_restore_placeholder(address));
        }
        return succeeded(strata_vmm_split_placeholder(address, size));
    }
    /* 0, MEM_FREE, RELEASE|DECOMMIT, placeholder flags, unknown bits. */
    return succeeded(STRATA_E_INVALID_PARAMETER);
}

BOOL strata_win32_VirtualProtect(LPVOID address, SIZE_T size, DWORD new_protect, PDWORD old_protect)
{
    if (old_protect == NULL) {
        return succeeded(STRATA_E_NOACCESS);
    }
    uint32_t old = 0;
    if (!succeeded(strata_vmm_protect(address, size, new_protect, &old))) {
        return FALSE;
    }
    *old_protect = old;
    return TRUE;
}

SIZE_T strata_win32_VirtualQuery(LPCVOID address, PMEMORY_BASIC_INFORMATION buffer, SIZE_T length)
{
    if (length < sizeof *buffer) {
        succeeded(STRATA_E_BAD_LENGTH);
        return 0;
    }
    if (buffer == NULL) {
        succeeded(STRATA_E_NOACCESS);
        return 0;
    }
    strata_vmm_region_info info;
    if (!succeeded(strata_vmm_query(address, &info))) {
        return 0;
    }
    memset(buffer, 0, sizeof *buffer);
    buffer->BaseAddress = info.base;
    buffer->AllocationBase = info.allocation_base;
    buffer->AllocationProtect = info.allocation_protect;
    buffer->RegionSize = info.region_size;
    buffer->State = info.state;
    buffer->Protect = info.protect;
    buffer->Type = info.type;
    return sizeof *buffer;
}

BOOL strata_win32_VirtualLock(LPVOID address, SIZE_T size)
{
    return succeeded(strata_vmm_lock(address, size));
}

BOOL strata_win32_VirtualUnlock(LPVOID address, SIZE_T size)
{
    return succeeded(strata_vmm_unlock(address, size));
}

void strata_win32_GetSystemInfo(LPSYSTEM_INFO info)
{
    if (info == NULL) {
        return;
    }
    strata_vmm_system_info system;
    strata_vmm_get_system_info(&system);
    memset(info, 0, sizeof *info);
#if defined(__x86_64__) || defined(_M_X64)
    info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64;
    info->dwProcessorType = PROCESSOR_AMD_X8664;
#elif defined(__aarch64__) || defined(_M_ARM64)
    info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64;
#elif defined(__i386__) || defined(_M_IX86)
    info->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_INTEL;
    info->dwProcessorType = PROCESSOR_INTEL_PENTIUM;
#endif
    info->dwPageSize = (DWORD)system.page_size;
    info->dwAllocationGranularity = (DWORD)system.allocation_granularity;
    info->lpMinimumApplicationAddress = (LPVOID)system.lowest_address;
    info->lpMaximumApplicationAddress = (LPVOID)system.highest_address;
    info->dwNumberOfProcessors = system.processor_count;
    unsigned bits = system.processor_count < 8 * sizeof(DWORD_PTR) ? system.processor_count
                                                                   : 8 * sizeof(DWORD_PTR);
    info->dwActiveProcessorMask = bits == 8 * sizeof(DWORD_PTR) ? ~(DWORD_PTR)0
                                                               : ((DWORD_PTR)1 << bits) - 1;
}

BOOL strata_win32_IsBadReadPtr(const void *address, UINT_PTR size)
{
    return !strata_vmm_is_readable(address, size);
}

BOOL strata_win32_IsBadWritePtr(LPVOID address, UINT_PTR size)
{
    return !strata_vmm_is_writable(address, size);
}
