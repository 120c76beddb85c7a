/* SPDX-License-Identifier: MIT */
/*
 * win32/status.c — GlobalMemoryStatusEx and GetProcessMemoryInfo over the
 * platform layer's memory figures. POSIX only: on Windows they are the
 * system's.
 */
#include "internal.h"

#if !defined(_WIN32)

#include <strata/win32/psapi.h>

/* The user address range of a 64-bit Windows process, 0x10000 to
 * 0x7FFFFFFEFFFF, as GetSystemInfo reports it. */
#define USER_SPACE ((uint64_t)0x7FFFFFFF0000 - 0x10000)

BOOL strata_win32_GlobalMemoryStatusEx(LPMEMORYSTATUSEX status)
{
    if (status == NULL || status->dwLength != sizeof(MEMORYSTATUSEX)) {
        return succeeded(STRATA_E_INVALID_PARAMETER);
    }
    strata_memory_status machine;
    strata_process_memory process;
    if (!succeeded(strata_platform_memory_status(&machine)) ||
        !succeeded(strata_platform_process_memory(&process))) {
        return FALSE;
    }
    uint64_t used = machine.total_physical - machine.available_physical;
    status->dwMemoryLoad = machine.total_physical == 0 ? 0 : (DWORD)(used * 100 / machine.total_physical);
    status->ullTotalPhys = machine.total_physical;
    status->ullAvailPhys = machine.available_physical;
    status->ullTotalPageFile = machine.total_commit;
    status->ullAvailPageFile = machine.available_commit;
    status->ullTotalVirtual = USER_SPACE;
    status->ullAvailVirtual = process.virtual_size < USER_SPACE ? USER_SPACE - process.virtual_size : 0;
    status->ullAvailExtendedVirtual = 0;
    return TRUE;
}

BOOL strata_win32_GetProcessMemoryInfo(HANDLE process, PPROCESS_MEMORY_COUNTERS counters, DWORD size)
{
    if (process != GetCurrentProcess()) {
        return succeeded(STRATA_E_INVALID_HANDLE);
    }
    if (size < sizeof(PROCESS_MEMORY_COUNTERS)) {
        return succeeded(STRATA_E_BUFFER_TOO_SMALL);
    }
    if (counters == NULL) {
        return succeeded(STRATA_E_NOACCESS);
    }
    strata_process_memory memory;
    if (!succeeded(strata_platform_process_memory(&memory))) {
        return FALSE;
    }
    memset(counters, 0, sizeof(PROCESS_MEMORY_COUNTERS));
    counters->cb = sizeof(PROCESS_MEMORY_COUNTERS);
    counters->PageFaultCount = (DWORD)memory.page_faults;
    counters->PeakWorkingSetSize = (SIZE_T)memory.peak_resident;
    counters->WorkingSetSize = (SIZE_T)memory.resident;
    counters->PagefileUsage = (SIZE_T)memory.private_bytes;
    counters->PeakPagefileUsage = (SIZE_T)memory.peak_private;
    if (size >= sizeof(PROCESS_MEMORY_COUNTERS_EX)) {
        PPROCESS_MEMORY_COUNTERS_EX extended = (PPROCESS_MEMORY_COUNTERS_EX)counters;
        extended->cb = sizeof(PROCESS_MEMORY_COUNTERS_EX);
        extended->PrivateUsage = (SIZE_T)memory.private_bytes;
    }
    return TRUE;
}

#endif /* !_WIN32 */
