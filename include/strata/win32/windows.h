/* SPDX-License-Identifier: MIT */
/*
 * strata/win32/windows.h — the Win32 view of strata: Windows' names, types
 * and constants for the memory API, implemented by strata.
 *
 * On Linux and other POSIX systems, compile unchanged Win32 memory code with
 * `-I <strata>/include/strata/win32` so that `#include <windows.h>` finds
 * this file, and link with libstrata.
 *
 * On Windows, include it after the system's <windows.h>: the types and
 * constants are the system's, and the memory functions are pointed at strata
 * (VirtualAlloc becomes strata_win32_VirtualAlloc, …). CloseHandle and
 * CreateFileA/W stay the system's for everything that is not a strata
 * handle.
 *
 * The functions behave as SPEC-win32.md says Windows does: same results,
 * same GetLastError codes. They are implemented in strata's win32/ folder
 * over the native strata_vmm_*, strata_section_*, strata_heap_* and
 * strata_global_* functions.
 */
#ifndef STRATA_WIN32_WINDOWS_H
#define STRATA_WIN32_WINDOWS_H

#if defined(_WIN32)
/* The system's own header: its types and constants stand. When this file was
 * found as <windows.h> itself (through -I include/strata/win32), the next
 * one on the include path is the system's. */
#if defined(__GNUC__) || defined(__clang__)
#include_next <windows.h>
#else
#include <windows.h>
#endif
#else
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#endif

#include <strata/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_WIN32)
/* ------------------------------------------------------------------------ */
/* Types (the Windows sizes: DWORD is 32 bits, pointers and SIZE_T native)  */
/* ------------------------------------------------------------------------ */
#define WINAPI
#define CONST const
#define VOID void
typedef int BOOL;
typedef BOOL *PBOOL, *LPBOOL;
typedef unsigned char BYTE, UCHAR, BOOLEAN;
typedef BYTE *PBYTE, *LPBYTE;
typedef unsigned short WORD, USHORT;
typedef uint32_t DWORD, UINT, ULONG;
typedef int32_t LONG, INT;
typedef DWORD *PDWORD, *LPDWORD;
typedef ULONG *PULONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG, DWORD64;
typedef uintptr_t ULONG_PTR, DWORD_PTR, UINT_PTR;
typedef intptr_t LONG_PTR, INT_PTR;
typedef size_t SIZE_T;
typedef SIZE_T *PSIZE_T;
typedef void *PVOID, *LPVOID, *HANDLE;
typedef const void *LPCVOID;
typedef HANDLE *PHANDLE, *LPHANDLE;
typedef char CHAR;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;
typedef wchar_t WCHAR; /* L"..." literals: 32-bit on Linux, converted by the W functions */
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#define MAXDWORD 0xffffffffu

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    DWORD AllocationProtect;
#if UINTPTR_MAX > 0xFFFFFFFFu
    WORD PartitionId;
#endif
    SIZE_T RegionSize;
    DWORD State;
    DWORD Protect;
    DWORD Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

typedef struct _SYSTEM_INFO {
    union {
        DWORD dwOemId;
        struct {
            WORD wProcessorArchitecture;
            WORD wReserved;
        };
    };
    DWORD dwPageSize;
    LPVOID lpMinimumApplicationAddress;
    LPVOID lpMaximumApplicationAddress;
    DWORD_PTR dwActiveProcessorMask;
    DWORD dwNumberOfProcessors;
    DWORD dwProcessorType;
    DWORD dwAllocationGranularity;
    WORD wProcessorLevel;
    WORD wProcessorRevision;
} SYSTEM_INFO, *LPSYSTEM_INFO;

/* ------------------------------------------------------------------------ */
/* Constants                                                                */
/* ------------------------------------------------------------------------ */
#define MEM_COMMIT 0x00001000u
#define MEM_RESERVE 0x00002000u
#define MEM_REPLACE_PLACEHOLDER 0x00004000u
#define MEM_DECOMMIT 0x00004000u
#define MEM_RELEASE 0x00008000u
#define MEM_FREE 0x00010000u
#define MEM_PRIVATE 0x00020000u
#define MEM_MAPPED 0x00040000u
#define MEM_RESERVE_PLACEHOLDER 0x00040000u
#define MEM_RESET 0x00080000u
#define MEM_TOP_DOWN 0x00100000u
#define MEM_WRITE_WATCH 0x00200000u
#define MEM_PHYSICAL 0x00400000u
#define MEM_IMAGE 0x01000000u
#define MEM_RESET_UNDO 0x01000000u
#define MEM_LARGE_PAGES 0x20000000u
#define MEM_COALESCE_PLACEHOLDERS 0x00000001u
#define MEM_PRESERVE_PLACEHOLDER 0x00000002u

#define PAGE_NOACCESS 0x01u
#define PAGE_READONLY 0x02u
#define PAGE_READWRITE 0x04u
#define PAGE_WRITECOPY 0x08u
#define PAGE_EXECUTE 0x10u
#define PAGE_EXECUTE_READ 0x20u
#define PAGE_EXECUTE_READWRITE 0x40u
#define PAGE_EXECUTE_WRITECOPY 0x80u
#define PAGE_GUARD 0x100u
#define PAGE_NOCACHE 0x200u
#define PAGE_WRITECOMBINE 0x400u
#define PAGE_TARGETS_INVALID 0x40000000u
#define PAGE_TARGETS_NO_UPDATE 0x40000000u

#define SEC_FILE 0x00800000u
#define SEC_IMAGE 0x01000000u
#define SEC_RESERVE 0x04000000u
#define SEC_COMMIT 0x08000000u
#define SEC_NOCACHE 0x10000000u
#define SEC_WRITECOMBINE 0x40000000u
#define SEC_LARGE_PAGES 0x80000000u

#define FILE_MAP_COPY 0x0001u
#define FILE_MAP_WRITE 0x0002u
#define FILE_MAP_READ 0x0004u
#define SECTION_MAP_EXECUTE 0x0008u
#define FILE_MAP_EXECUTE 0x0020u
#define FILE_MAP_ALL_ACCESS 0x000F001Fu

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define FILE_SHARE_READ 0x1u
#define FILE_SHARE_WRITE 0x2u
#define FILE_SHARE_DELETE 0x4u
#define CREATE_NEW 1u
#define CREATE_ALWAYS 2u
#define OPEN_EXISTING 3u
#define OPEN_ALWAYS 4u
#define TRUNCATE_EXISTING 5u
#define FILE_ATTRIBUTE_NORMAL 0x80u

#define PROCESSOR_ARCHITECTURE_INTEL 0
#define PROCESSOR_ARCHITECTURE_ARM 5
#define PROCESSOR_ARCHITECTURE_AMD64 9
#define PROCESSOR_ARCHITECTURE_ARM64 12
#define PROCESSOR_INTEL_386 386
#define PROCESSOR_INTEL_486 486
#define PROCESSOR_INTEL_PENTIUM 586
#define PROCESSOR_AMD_X8664 8664

#define ERROR_SUCCESS 0u
#define NO_ERROR 0u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_OUTOFMEMORY 14u
#define ERROR_BAD_LENGTH 24u
#define ERROR_GEN_FAILURE 31u
#define ERROR_NOT_SUPPORTED 50u
#define ERROR_FILE_EXISTS 80u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_DISK_FULL 112u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_DISCARDED 157u
#define ERROR_NOT_LOCKED 158u
#define ERROR_ALREADY_EXISTS 183u
#define ERROR_BAD_EXE_FORMAT 193u
#define ERROR_NO_MORE_ITEMS 259u
#define ERROR_PARTIAL_COPY 299u
#define ERROR_INVALID_ADDRESS 487u
#define ERROR_NOACCESS 998u
#define ERROR_FILE_INVALID 1006u
#define ERROR_MAPPED_ALIGNMENT 1132u
#define ERROR_PRIVILEGE_NOT_HELD 1314u
#define ERROR_NO_SYSTEM_RESOURCES 1450u
#define ERROR_WORKING_SET_QUOTA 1453u
#define ERROR_COMMITMENT_LIMIT 1455u
#define STATUS_GUARD_PAGE_VIOLATION 0x80000001u

/* Heaps (SPEC-win32.md §2) */
#define HEAP_NO_SERIALIZE 0x00000001u
#define HEAP_GROWABLE 0x00000002u
#define HEAP_GENERATE_EXCEPTIONS 0x00000004u
#define HEAP_ZERO_MEMORY 0x00000008u
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010u
#define HEAP_TAIL_CHECKING_ENABLED 0x00000020u
#define HEAP_FREE_CHECKING_ENABLED 0x00000040u
#define HEAP_DISABLE_COALESCE_ON_FREE 0x00000080u
#define HEAP_CREATE_ENABLE_EXECUTE 0x00040000u
#define STATUS_NO_MEMORY 0xC0000017u
#define STATUS_ACCESS_VIOLATION 0xC0000005u

#define PROCESS_HEAP_REGION 0x0001u
#define PROCESS_HEAP_UNCOMMITTED_RANGE 0x0002u
#define PROCESS_HEAP_ENTRY_BUSY 0x0004u
#define PROCESS_HEAP_SEG_ALLOC 0x0008u
#define PROCESS_HEAP_ENTRY_MOVEABLE 0x0010u
#define PROCESS_HEAP_ENTRY_DDESHARE 0x0020u

typedef struct _PROCESS_HEAP_ENTRY {
    PVOID lpData;
    DWORD cbData;
    BYTE cbOverhead;
    BYTE iRegionIndex;
    WORD wFlags;
    union {
        struct {
            HANDLE hMem;
            DWORD dwReserved[3];
        } Block;
        struct {
            DWORD dwCommittedSize;
            DWORD dwUnCommittedSize;
            LPVOID lpFirstBlock;
            LPVOID lpLastBlock;
        } Region;
    };
} PROCESS_HEAP_ENTRY, *LPPROCESS_HEAP_ENTRY, *PPROCESS_HEAP_ENTRY;

typedef enum _HEAP_INFORMATION_CLASS {
    HeapCompatibilityInformation = 0,
    HeapEnableTerminationOnCorruption = 1,
    HeapOptimizeResources = 3
} HEAP_INFORMATION_CLASS;

#define HEAP_OPTIMIZE_RESOURCES_CURRENT_VERSION 1
typedef struct _HEAP_OPTIMIZE_RESOURCES_INFORMATION {
    DWORD Version;
    DWORD Flags;
} HEAP_OPTIMIZE_RESOURCES_INFORMATION, *PHEAP_OPTIMIZE_RESOURCES_INFORMATION;

/* Global and local memory (SPEC-win32.md §3) */
typedef HANDLE HGLOBAL, HLOCAL;
#define GMEM_FIXED 0x0000u
#define GMEM_MOVEABLE 0x0002u
#define GMEM_NOCOMPACT 0x0010u
#define GMEM_NODISCARD 0x0020u
#define GMEM_ZEROINIT 0x0040u
#define GMEM_MODIFY 0x0080u
#define GMEM_DISCARDABLE 0x0100u
#define GMEM_NOT_BANKED 0x1000u
#define GMEM_LOWER GMEM_NOT_BANKED
#define GMEM_SHARE 0x2000u
#define GMEM_DDESHARE 0x2000u
#define GMEM_NOTIFY 0x4000u
#define GMEM_VALID_FLAGS 0x7F72u
#define GMEM_INVALID_HANDLE 0x8000u
#define GHND (GMEM_MOVEABLE | GMEM_ZEROINIT)
#define GPTR (GMEM_FIXED | GMEM_ZEROINIT)
#define GMEM_DISCARDED 0x4000u
#define GMEM_LOCKCOUNT 0x00FFu
#define LMEM_FIXED 0x0000u
#define LMEM_MOVEABLE 0x0002u
#define LMEM_NOCOMPACT 0x0010u
#define LMEM_NODISCARD 0x0020u
#define LMEM_ZEROINIT 0x0040u
#define LMEM_MODIFY 0x0080u
#define LMEM_DISCARDABLE 0x0F00u
#define LMEM_VALID_FLAGS 0x0F72u
#define LMEM_INVALID_HANDLE 0x8000u
#define LHND (LMEM_MOVEABLE | LMEM_ZEROINIT)
#define LPTR (LMEM_FIXED | LMEM_ZEROINIT)
#define NONZEROLHND LMEM_MOVEABLE
#define NONZEROLPTR LMEM_FIXED
#define LMEM_DISCARDED 0x4000u
#define LMEM_LOCKCOUNT 0x00FFu
#define GlobalDiscard(h) GlobalReAlloc((h), 0, GMEM_MOVEABLE)
#define LocalDiscard(h) LocalReAlloc((h), 0, LMEM_MOVEABLE)

/* The thread's last error: strata's per-thread slot (the system's on Windows). */
static inline DWORD GetLastError(void)
{
    return strata_last_error();
}

static inline void SetLastError(DWORD error)
{
    strata_set_last_error(error);
}
#endif /* !_WIN32 */

/* ------------------------------------------------------------------------ */
/* Functions, implemented by strata (win32/)                                */
/* ------------------------------------------------------------------------ */

STRATA_API LPVOID strata_win32_VirtualAlloc(LPVOID address, SIZE_T size, DWORD allocation_type,
                                            DWORD protect);
STRATA_API BOOL strata_win32_VirtualFree(LPVOID address, SIZE_T size, DWORD free_type);
STRATA_API BOOL strata_win32_VirtualProtect(LPVOID address, SIZE_T size, DWORD new_protect,
                                            PDWORD old_protect);
STRATA_API SIZE_T strata_win32_VirtualQuery(LPCVOID address, PMEMORY_BASIC_INFORMATION buffer,
                                            SIZE_T length);
STRATA_API BOOL strata_win32_VirtualLock(LPVOID address, SIZE_T size);
STRATA_API BOOL strata_win32_VirtualUnlock(LPVOID address, SIZE_T size);
STRATA_API void strata_win32_GetSystemInfo(LPSYSTEM_INFO info);
STRATA_API BOOL strata_win32_IsBadReadPtr(const void *address, UINT_PTR size);
STRATA_API BOOL strata_win32_IsBadWritePtr(LPVOID address, UINT_PTR size);

STRATA_API HANDLE strata_win32_CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES attributes,
                                                  DWORD protect, DWORD size_high, DWORD size_low,
                                                  LPCSTR name);
STRATA_API HANDLE strata_win32_CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES attributes,
                                                  DWORD protect, DWORD size_high, DWORD size_low,
                                                  LPCWSTR name);
STRATA_API HANDLE strata_win32_OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR name);
STRATA_API HANDLE strata_win32_OpenFileMappingW(DWORD access, BOOL inherit, LPCWSTR name);
STRATA_API LPVOID strata_win32_MapViewOfFile(HANDLE mapping, DWORD access, DWORD offset_high,
                                             DWORD offset_low, SIZE_T size);
STRATA_API LPVOID strata_win32_MapViewOfFileEx(HANDLE mapping, DWORD access, DWORD offset_high,
                                               DWORD offset_low, SIZE_T size, LPVOID base);
STRATA_API BOOL strata_win32_UnmapViewOfFile(LPCVOID address);
STRATA_API BOOL strata_win32_FlushViewOfFile(LPCVOID address, SIZE_T size);

/* Heaps (win32/heap.c over strata_heap_*) */
STRATA_API HANDLE strata_win32_HeapCreate(DWORD options, SIZE_T initial_size, SIZE_T maximum_size);
STRATA_API BOOL strata_win32_HeapDestroy(HANDLE heap);
STRATA_API LPVOID strata_win32_HeapAlloc(HANDLE heap, DWORD flags, SIZE_T bytes);
STRATA_API LPVOID strata_win32_HeapReAlloc(HANDLE heap, DWORD flags, LPVOID block, SIZE_T bytes);
STRATA_API BOOL strata_win32_HeapFree(HANDLE heap, DWORD flags, LPVOID block);
STRATA_API SIZE_T strata_win32_HeapSize(HANDLE heap, DWORD flags, LPCVOID block);
STRATA_API BOOL strata_win32_HeapValidate(HANDLE heap, DWORD flags, LPCVOID block);
STRATA_API BOOL strata_win32_HeapWalk(HANDLE heap, LPPROCESS_HEAP_ENTRY entry);
STRATA_API SIZE_T strata_win32_HeapCompact(HANDLE heap, DWORD flags);
STRATA_API BOOL strata_win32_HeapLock(HANDLE heap);
STRATA_API BOOL strata_win32_HeapUnlock(HANDLE heap);
STRATA_API HANDLE strata_win32_GetProcessHeap(void);
STRATA_API DWORD strata_win32_GetProcessHeaps(DWORD count, PHANDLE heaps);
STRATA_API BOOL strata_win32_HeapQueryInformation(HANDLE heap, HEAP_INFORMATION_CLASS info_class,
                                                  PVOID info, SIZE_T length, PSIZE_T return_length);
STRATA_API BOOL strata_win32_HeapSetInformation(HANDLE heap, HEAP_INFORMATION_CLASS info_class,
                                                PVOID info, SIZE_T length);

/* Global and local memory (win32/global.c over strata's Global/Local in heap/) */
STRATA_API HGLOBAL strata_win32_GlobalAlloc(UINT flags, SIZE_T bytes);
STRATA_API HGLOBAL strata_win32_GlobalReAlloc(HGLOBAL memory, SIZE_T bytes, UINT flags);
STRATA_API HGLOBAL strata_win32_GlobalFree(HGLOBAL memory);
STRATA_API LPVOID strata_win32_GlobalLock(HGLOBAL memory);
STRATA_API BOOL strata_win32_GlobalUnlock(HGLOBAL memory);
STRATA_API SIZE_T strata_win32_GlobalSize(HGLOBAL memory);
STRATA_API UINT strata_win32_GlobalFlags(HGLOBAL memory);
STRATA_API HGLOBAL strata_win32_GlobalHandle(LPCVOID pointer);
STRATA_API HLOCAL strata_win32_LocalAlloc(UINT flags, SIZE_T bytes);
STRATA_API HLOCAL strata_win32_LocalReAlloc(HLOCAL memory, SIZE_T bytes, UINT flags);
STRATA_API HLOCAL strata_win32_LocalFree(HLOCAL memory);
STRATA_API LPVOID strata_win32_LocalLock(HLOCAL memory);
STRATA_API BOOL strata_win32_LocalUnlock(HLOCAL memory);
STRATA_API SIZE_T strata_win32_LocalSize(HLOCAL memory);
STRATA_API UINT strata_win32_LocalFlags(HLOCAL memory);
STRATA_API HLOCAL strata_win32_LocalHandle(LPCVOID pointer);

/* Handles: strata's sections, and (on POSIX) the files it opens for them. */
STRATA_API BOOL strata_win32_is_handle(HANDLE handle);
STRATA_API BOOL strata_win32_CloseHandle(HANDLE handle);

#if defined(_WIN32)
/* On Windows a file handle is the system's; only strata handles go to strata. */
static inline BOOL strata_win32_close_any_handle(HANDLE handle)
{
    return strata_win32_is_handle(handle) ? strata_win32_CloseHandle(handle) : CloseHandle(handle);
}
#else
STRATA_API HANDLE strata_win32_CreateFileA(LPCSTR path, DWORD access, DWORD share,
                                           LPSECURITY_ATTRIBUTES attributes, DWORD disposition,
                                           DWORD flags, HANDLE template_file);
STRATA_API HANDLE strata_win32_CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                                           LPSECURITY_ATTRIBUTES attributes, DWORD disposition,
                                           DWORD flags, HANDLE template_file);
#define CreateFileA strata_win32_CreateFileA
#define CreateFileW strata_win32_CreateFileW
#endif

/* Point the Win32 names at strata (after the system's declarations on Windows). */
#define VirtualAlloc strata_win32_VirtualAlloc
#define VirtualFree strata_win32_VirtualFree
#define VirtualProtect strata_win32_VirtualProtect
#define VirtualQuery strata_win32_VirtualQuery
#define VirtualLock strata_win32_VirtualLock
#define VirtualUnlock strata_win32_VirtualUnlock
#define GetSystemInfo strata_win32_GetSystemInfo
#define IsBadReadPtr strata_win32_IsBadReadPtr
#define IsBadWritePtr strata_win32_IsBadWritePtr
#define CreateFileMappingA strata_win32_CreateFileMappingA
#define CreateFileMappingW strata_win32_CreateFileMappingW
#define OpenFileMappingA strata_win32_OpenFileMappingA
#define OpenFileMappingW strata_win32_OpenFileMappingW
#define MapViewOfFile strata_win32_MapViewOfFile
#define MapViewOfFileEx strata_win32_MapViewOfFileEx
#define UnmapViewOfFile strata_win32_UnmapViewOfFile
#define FlushViewOfFile strata_win32_FlushViewOfFile
#define HeapCreate strata_win32_HeapCreate
#define HeapDestroy strata_win32_HeapDestroy
#define HeapAlloc strata_win32_HeapAlloc
#define HeapReAlloc strata_win32_HeapReAlloc
#define HeapFree strata_win32_HeapFree
#define HeapSize strata_win32_HeapSize
#define HeapValidate strata_win32_HeapValidate
#define HeapWalk strata_win32_HeapWalk
#define HeapCompact strata_win32_HeapCompact
#define HeapLock strata_win32_HeapLock
#define HeapUnlock strata_win32_HeapUnlock
#define GetProcessHeap strata_win32_GetProcessHeap
#define GetProcessHeaps strata_win32_GetProcessHeaps
#define HeapQueryInformation strata_win32_HeapQueryInformation
#define HeapSetInformation strata_win32_HeapSetInformation
#define GlobalAlloc strata_win32_GlobalAlloc
#define GlobalReAlloc strata_win32_GlobalReAlloc
#define GlobalFree strata_win32_GlobalFree
#define GlobalLock strata_win32_GlobalLock
#define GlobalUnlock strata_win32_GlobalUnlock
#define GlobalSize strata_win32_GlobalSize
#define GlobalFlags strata_win32_GlobalFlags
#define GlobalHandle strata_win32_GlobalHandle
#define LocalAlloc strata_win32_LocalAlloc
#define LocalReAlloc strata_win32_LocalReAlloc
#define LocalFree strata_win32_LocalFree
#define LocalLock strata_win32_LocalLock
#define LocalUnlock strata_win32_LocalUnlock
#define LocalSize strata_win32_LocalSize
#define LocalFlags strata_win32_LocalFlags
#define LocalHandle strata_win32_LocalHandle
#if defined(_WIN32)
#define CloseHandle strata_win32_close_any_handle
#else
#define CloseHandle strata_win32_CloseHandle
#endif

#ifdef __cplusplus
}
#endif

#endif /* STRATA_WIN32_WINDOWS_H */
