/* SPDX-License-Identifier: MIT */
/*
 * strata/win32/psapi.h — the process-status call memory code uses:
 * GetProcessMemoryInfo with PROCESS_MEMORY_COUNTERS(_EX), for the calling
 * process. On Windows, the system's <psapi.h> is used as it is.
 */
#ifndef STRATA_WIN32_PSAPI_H
#define STRATA_WIN32_PSAPI_H

#if defined(_WIN32)
#if defined(__GNUC__) || defined(__clang__)
#include_next <psapi.h>
#else
#include <psapi.h>
#endif
#else

#include "windows.h" /* strata's, beside this file */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _PROCESS_MEMORY_COUNTERS {
    DWORD cb;
    DWORD PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
} PROCESS_MEMORY_COUNTERS, *PPROCESS_MEMORY_COUNTERS;

typedef struct _PROCESS_MEMORY_COUNTERS_EX {
    DWORD cb;
    DWORD PageFaultCount;
    SIZE_T PeakWorkingSetSize;
    SIZE_T WorkingSetSize;
    SIZE_T QuotaPeakPagedPoolUsage;
    SIZE_T QuotaPagedPoolUsage;
    SIZE_T QuotaPeakNonPagedPoolUsage;
    SIZE_T QuotaNonPagedPoolUsage;
    SIZE_T PagefileUsage;
    SIZE_T PeakPagefileUsage;
    SIZE_T PrivateUsage;
} PROCESS_MEMORY_COUNTERS_EX, *PPROCESS_MEMORY_COUNTERS_EX;

/*
 * GetProcessMemoryInfo — the memory figures of `process`, which must be the
 * calling process: GetCurrentProcess() or a handle equal to it (others:
 * FALSE with ERROR_INVALID_HANDLE; strata has no OpenProcess). `size` is
 * the structure's size: at least sizeof(PROCESS_MEMORY_COUNTERS) (else
 * FALSE with ERROR_INSUFFICIENT_BUFFER), PrivateUsage filled too when it
 * holds a PROCESS_MEMORY_COUNTERS_EX. NULL counters: FALSE with
 * ERROR_NOACCESS. WorkingSetSize and its peak are the resident set (VmRSS,
 * VmHWM); PagefileUsage and PrivateUsage the private committed bytes (data
 * and stack segments), PeakPagefileUsage the most of those any call saw;
 * the pool quotas are 0. FALSE with ERROR_NOT_SUPPORTED where the OS does
 * not tell.
 */
STRATA_API BOOL strata_win32_GetProcessMemoryInfo(HANDLE process, PPROCESS_MEMORY_COUNTERS counters,
                                                  DWORD size);
#define GetProcessMemoryInfo strata_win32_GetProcessMemoryInfo

#ifdef __cplusplus
}
#endif

#endif /* !_WIN32 */
#endif /* STRATA_WIN32_PSAPI_H */
