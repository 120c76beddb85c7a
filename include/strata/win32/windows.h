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
 * The functions behave as Windows does: same results, same GetLastError
 * codes. They are implemented in strata's win32/ folder over the native
 * strata_vmm_*, strata_section_*, strata_heap_*, strata_global_* and
 * strata_platform_* functions.
 *
 * On POSIX the header also gives the names Win32 memory code uses around
 * the memory API (generic TCHAR names, the memory macros, text
 * conversions, threads, events, critical sections, Interlocked, memory
 * status); on Windows those are the system's. Placeholders (VirtualAlloc2,
 * MapViewOfFile3) and vectored exception handlers are strata's on both.
 * What is deliberately left out is listed in win32/README.md.
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
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>
#endif

#include <strata/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
/* Placeholder flags, which older system headers lack. */
#ifndef MEM_REPLACE_PLACEHOLDER
#define MEM_REPLACE_PLACEHOLDER 0x00004000
#endif
#ifndef MEM_RESERVE_PLACEHOLDER
#define MEM_RESERVE_PLACEHOLDER 0x00040000
#endif
#ifndef MEM_COALESCE_PLACEHOLDERS
#define MEM_COALESCE_PLACEHOLDERS 0x00000001
#endif
#ifndef MEM_PRESERVE_PLACEHOLDER
#define MEM_PRESERVE_PLACEHOLDER 0x00000002
#endif
#endif

#if !defined(_WIN32)
/* ------------------------------------------------------------------------ */
/* Types (the Windows sizes: DWORD is 32 bits, pointers and SIZE_T native)  */
/* ------------------------------------------------------------------------ */
#define WINAPI
#define CALLBACK
#define APIENTRY
#define WINAPIV
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
typedef uint64_t ULONGLONG, DWORD64, DWORDLONG;
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

/* Heaps */
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

/* Global and local memory */
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

/* ------------------------------------------------------------------------ */
/* Basic names memory code uses alongside the memory API                    */
/* ------------------------------------------------------------------------ */
#define MAX_PATH 260
#define INFINITE 0xFFFFFFFFu
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define _countof(array) (sizeof(array) / sizeof((array)[0]))
typedef unsigned long long ULONG64;
typedef long long LONG64;
typedef LONG *PLONG, *LPLONG;
typedef void *HMODULE, *HINSTANCE;
typedef const void *PCVOID;

typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    };
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        DWORD LowPart;
        DWORD HighPart;
    };
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

/* The memory macros: the C library's functions under Windows' names. */
#define CopyMemory(destination, source, length) ((void)memcpy((destination), (source), (length)))
#define MoveMemory(destination, source, length) ((void)memmove((destination), (source), (length)))
#define FillMemory(destination, length, fill) ((void)memset((destination), (fill), (length)))
#define ZeroMemory(destination, length) ((void)memset((destination), 0, (length)))
#define RtlCopyMemory CopyMemory
#define RtlMoveMemory MoveMemory
#define RtlFillMemory FillMemory
#define RtlZeroMemory ZeroMemory

/* SecureZeroMemory: stores the compiler may not drop, even when the buffer
 * is never read again (a password about to be freed). */
static inline PVOID SecureZeroMemory(PVOID destination, SIZE_T length)
{
    volatile unsigned char *bytes = (volatile unsigned char *)destination;
    while (length-- > 0) {
        *bytes++ = 0;
    }
    return destination;
}

/* Code pages and flags of the text conversions */
#define CP_ACP 0u
#define CP_OEMCP 1u
#define CP_THREAD_ACP 3u
#define CP_UTF8 65001u
#define MB_PRECOMPOSED 0x00000001u
#define MB_ERR_INVALID_CHARS 0x00000008u
#define WC_NO_BEST_FIT_CHARS 0x00000400u
#define WC_ERR_INVALID_CHARS 0x00000080u
#define ERROR_INVALID_FLAGS 1004u
#define ERROR_NO_UNICODE_TRANSLATION 1113u
#define ERROR_MR_MID_NOT_FOUND 317u

/* FormatMessage */
#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100u
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200u
#define FORMAT_MESSAGE_FROM_STRING 0x00000400u
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800u
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000u
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000u
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FFu
#define LANG_NEUTRAL 0x00u
#define SUBLANG_DEFAULT 0x01u
#define MAKELANGID(primary, sub) ((WORD)((((WORD)(sub)) << 10) | (WORD)(primary)))

/* Generic text: TCHAR is CHAR, or WCHAR when UNICODE is defined (tchar.h's
 * _TCHAR follows _UNICODE instead; define both or neither, as on Windows). */
#if defined(UNICODE)
typedef WCHAR TCHAR;
#define __TEXT(quote) L##quote
#else
typedef CHAR TCHAR;
#define __TEXT(quote) quote
#endif
#define TEXT(quote) __TEXT(quote)
typedef TCHAR *LPTSTR, *PTSTR;
typedef const TCHAR *LPCTSTR, *PCTSTR;
typedef CHAR *PSTR;
typedef const CHAR *PCSTR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;

/* Extended parameters of VirtualAlloc2 / MapViewOfFile3 (none are covered). */
typedef struct MEM_EXTENDED_PARAMETER {
    struct {
        DWORD64 Type : 8;
        DWORD64 Reserved : 56;
    };
    union {
        DWORD64 ULong64;
        PVOID Pointer;
        SIZE_T Size;
        HANDLE Handle;
        DWORD ULong;
    };
} MEM_EXTENDED_PARAMETER, *PMEM_EXTENDED_PARAMETER;

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

#if !defined(_WIN32)
/* ------------------------------------------------------------------------ */
/* Text (win32/text.c). On Windows these are the system's own.              */
/* ------------------------------------------------------------------------ */

/*
 * lstrlenA/W — characters before the terminating NUL; 0 for NULL.
 * lstrcpyA/W — copy `source` with its NUL to `destination`; returns
 *   `destination`, or NULL when either pointer is NULL.
 * lstrcatA/W — append `source` to `destination`; returns `destination`, or
 *   NULL when either pointer is NULL.
 * lstrcmpA/W — <0, 0, >0 as `first` sorts before, equal to, after `second`
 *   (here: by code point; Windows compares by locale word sort, which
 *   differs only for punctuation and accented letters); NULL sorts first.
 * None set the last error.
 */
STRATA_API int strata_win32_lstrlenA(LPCSTR string);
STRATA_API int strata_win32_lstrlenW(LPCWSTR string);
STRATA_API LPSTR strata_win32_lstrcpyA(LPSTR destination, LPCSTR source);
STRATA_API LPWSTR strata_win32_lstrcpyW(LPWSTR destination, LPCWSTR source);
STRATA_API LPSTR strata_win32_lstrcatA(LPSTR destination, LPCSTR source);
STRATA_API LPWSTR strata_win32_lstrcatW(LPWSTR destination, LPCWSTR source);
STRATA_API int strata_win32_lstrcmpA(LPCSTR first, LPCSTR second);
STRATA_API int strata_win32_lstrcmpW(LPCWSTR first, LPCWSTR second);

/*
 * MultiByteToWideChar — convert `length` bytes of `text` (-1: up to and with
 * its NUL) from code page `code_page` to WCHARs. CP_UTF8 is UTF-8; CP_ACP,
 * CP_OEMCP and CP_THREAD_ACP are UTF-8 too, the code page of a UTF-8 Linux
 * locale. WCHAR is wchar_t, so one WCHAR per code point here (Windows uses
 * two for code points above U+FFFF).
 *   flags     0, MB_PRECOMPOSED or MB_ERR_INVALID_CHARS (for CP_UTF8 only 0
 *             or MB_ERR_INVALID_CHARS): else 0 with ERROR_INVALID_FLAGS.
 *   capacity  0 asks for the length needed, which is returned.
 * Returns WCHARs written (with the NUL when length is -1), or 0 with:
 * ERROR_INVALID_PARAMETER (unknown code page, NULL text, length 0 or below
 * -1, negative capacity, NULL buffer with a capacity, buffer == text),
 * ERROR_INSUFFICIENT_BUFFER (does not fit), ERROR_NO_UNICODE_TRANSLATION
 * (invalid UTF-8 with MB_ERR_INVALID_CHARS; without it each bad byte
 * becomes U+FFFD).
 */
STRATA_API int strata_win32_MultiByteToWideChar(UINT code_page, DWORD flags, LPCSTR text, int length,
                                                LPWSTR buffer, int capacity);

/*
 * WideCharToMultiByte — the reverse: WCHARs to UTF-8 bytes. For the UTF-8
 * code pages `default_char` and `used_default` must be NULL
 * (ERROR_INVALID_PARAMETER) and flags 0 or WC_ERR_INVALID_CHARS
 * (ERROR_INVALID_FLAGS). A lone surrogate or a value above U+10FFFF becomes
 * U+FFFD, or fails with ERROR_NO_UNICODE_TRANSLATION under
 * WC_ERR_INVALID_CHARS. Other errors as MultiByteToWideChar.
 */
STRATA_API int strata_win32_WideCharToMultiByte(UINT code_page, DWORD flags, LPCWSTR text, int length,
                                                LPSTR buffer, int capacity, LPCSTR default_char,
                                                LPBOOL used_default);

/*
 * FormatMessageA/W — the text of a system error code, as Windows words it
 * (English), ending in "\r\n". Only FORMAT_MESSAGE_FROM_SYSTEM is covered,
 * with FORMAT_MESSAGE_IGNORE_INSERTS, FORMAT_MESSAGE_ALLOCATE_BUFFER (then
 * `buffer` is really a pointer to a pointer that receives a LocalAlloc'd
 * string, freed with LocalFree; `size` is the least to allocate) and
 * FORMAT_MESSAGE_MAX_WIDTH_MASK (0xFF: line ends become spaces). `source`
 * and `arguments` are ignored; `language` must be 0 or LANG_NEUTRAL with
 * any sublanguage. Returns the characters written, without the NUL, or 0
 * with: ERROR_INVALID_PARAMETER (FROM_STRING, FROM_HMODULE or no
 * FROM_SYSTEM; NULL buffer), ERROR_MR_MID_NOT_FOUND (a code strata has no
 * text for: it has the codes strata itself reports, listed in win32/text.c),
 * ERROR_INSUFFICIENT_BUFFER (the text and its NUL need more than `size`
 * characters), ERROR_NOT_ENOUGH_MEMORY (the allocation failed).
 */
STRATA_API DWORD strata_win32_FormatMessageA(DWORD flags, LPCVOID source, DWORD message_id,
                                             DWORD language, LPSTR buffer, DWORD size,
                                             va_list *arguments);
STRATA_API DWORD strata_win32_FormatMessageW(DWORD flags, LPCVOID source, DWORD message_id,
                                             DWORD language, LPWSTR buffer, DWORD size,
                                             va_list *arguments);

/* ------------------------------------------------------------------------ */
/* Threads, events, waits, critical sections (win32/sync.c, over the        */
/* platform layer's strata_platform_thread_*, _event_*, _wait)              */
/* ------------------------------------------------------------------------ */
typedef DWORD (*LPTHREAD_START_ROUTINE)(LPVOID parameter);
typedef LPTHREAD_START_ROUTINE PTHREAD_START_ROUTINE;

#define WAIT_OBJECT_0 0x00000000u
#define WAIT_ABANDONED 0x00000080u
#define WAIT_TIMEOUT 0x00000102u
#define WAIT_FAILED 0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS 64
#define STILL_ACTIVE 259u
#define CREATE_SUSPENDED 0x00000004u
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000u
#define ERROR_TIMEOUT 1460u
#define ERROR_INVALID_NAME 123u
#define EVENT_MODIFY_STATE 0x0002u
#define SYNCHRONIZE 0x00100000u
#define EVENT_ALL_ACCESS 0x001F0003u
#define CREATE_EVENT_MANUAL_RESET 0x00000001u
#define CREATE_EVENT_INITIAL_SET 0x00000002u

/*
 * CRITICAL_SECTION — a recursive lock: the owning thread may enter again,
 * and must leave as often as it entered. Fields are strata's own, not
 * Windows' (code that reads OwningThread or LockCount is not covered).
 */
typedef struct _RTL_CRITICAL_SECTION {
    strata_lock Lock;
    volatile uintptr_t OwningThread; /* strata_thread_id() of the owner, 0 when free */
    LONG RecursionCount;
    ULONG_PTR SpinCount;
} CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;

/* GetCurrentProcess: the pseudo-handle meaning "this process", as on Windows. */
#define GetCurrentProcess() ((HANDLE)(LONG_PTR)-1)

/*
 * CreateThread — start `start(parameter)` on a new thread. Attributes are
 * ignored (no security or inheritance in strata); `stack_size` 0 is the
 * default. `flags` 0 or STACK_SIZE_PARAM_IS_A_RESERVATION; CREATE_SUSPENDED
 * (no ResumeThread in strata) and others: NULL with ERROR_INVALID_PARAMETER,
 * as is a NULL start. `thread_id` may be NULL. The thread's handle is
 * signalled when `start` returns; close it with CloseHandle (the thread
 * runs on). NULL with ERROR_NOT_ENOUGH_MEMORY / ERROR_NO_SYSTEM_RESOURCES
 * when the OS refuses.
 */
STRATA_API HANDLE strata_win32_CreateThread(LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size,
                                            LPTHREAD_START_ROUTINE start, LPVOID parameter, DWORD flags,
                                            LPDWORD thread_id);

/* GetExitCodeThread — STILL_ACTIVE while the thread runs, then what its start
 * routine returned. FALSE with ERROR_INVALID_HANDLE for a handle that is not
 * a thread's, ERROR_NOACCESS for a NULL exit_code. */
STRATA_API BOOL strata_win32_GetExitCodeThread(HANDLE thread, LPDWORD exit_code);

/*
 * CreateEventA/W — an event, manual-reset (one SetEvent releases every
 * waiter until ResetEvent) or auto-reset (releases one waiter, then resets),
 * first signalled or not. `name` NULL for an unnamed event; a named event
 * is shared by every process that creates or opens the name: when it
 * exists already, its handle is returned with GetLastError() ==
 * ERROR_ALREADY_EXISTS (the reset mode and state given are ignored), and
 * otherwise the last error is 0. NULL with ERROR_INVALID_PARAMETER for a
 * bad name (longer than 200 bytes in UTF-8), ERROR_NOT_ENOUGH_MEMORY when
 * there is no room. Attributes are ignored.
 */
STRATA_API HANDLE strata_win32_CreateEventA(LPSECURITY_ATTRIBUTES attributes, BOOL manual_reset,
                                            BOOL initial_state, LPCSTR name);
STRATA_API HANDLE strata_win32_CreateEventW(LPSECURITY_ATTRIBUTES attributes, BOOL manual_reset,
                                            BOOL initial_state, LPCWSTR name);

/*
 * OpenEventA/W — the existing event `name`. `access` must hold
 * EVENT_MODIFY_STATE or SYNCHRONIZE (or be EVENT_ALL_ACCESS; others:
 * ERROR_ACCESS_DENIED); `inherit` is ignored. NULL with
 * ERROR_FILE_NOT_FOUND when no such event exists, ERROR_INVALID_PARAMETER
 * for a NULL or bad name.
 */
STRATA_API HANDLE strata_win32_OpenEventA(DWORD access, BOOL inherit, LPCSTR name);
STRATA_API HANDLE strata_win32_OpenEventW(DWORD access, BOOL inherit, LPCWSTR name);

/* SetEvent / ResetEvent — signal the event, or make it unsignalled. FALSE
 * with ERROR_INVALID_HANDLE for a handle that is not an event's. */
STRATA_API BOOL strata_win32_SetEvent(HANDLE event);
STRATA_API BOOL strata_win32_ResetEvent(HANDLE event);

/*
 * WaitForSingleObject — wait until a thread or event handle is signalled or
 * `milliseconds` pass (INFINITE: never). WAIT_OBJECT_0 when signalled (an
 * auto-reset event is reset by it), WAIT_TIMEOUT, or WAIT_FAILED with
 * ERROR_INVALID_HANDLE for a handle that is neither.
 */
STRATA_API DWORD strata_win32_WaitForSingleObject(HANDLE handle, DWORD milliseconds);

/*
 * WaitForMultipleObjects — wait for one (`wait_all` FALSE: WAIT_OBJECT_0 +
 * the lowest index of those signalled) or all of `count` handles at once
 * (WAIT_OBJECT_0). WAIT_TIMEOUT when `milliseconds` pass; WAIT_FAILED with
 * ERROR_INVALID_PARAMETER for count 0 or above MAXIMUM_WAIT_OBJECTS, a NULL
 * array, or a handle twice with `wait_all`; ERROR_INVALID_HANDLE for a
 * handle that is not a thread's or an event's.
 */
STRATA_API DWORD strata_win32_WaitForMultipleObjects(DWORD count, const HANDLE *handles, BOOL wait_all,
                                                     DWORD milliseconds);

/* Sleep — at least `milliseconds`; 0 yields the processor. */
STRATA_API void strata_win32_Sleep(DWORD milliseconds);
/* GetCurrentProcessId / GetCurrentThreadId — the OS's numbers (getpid, gettid). */
STRATA_API DWORD strata_win32_GetCurrentProcessId(void);
STRATA_API DWORD strata_win32_GetCurrentThreadId(void);

/*
 * InitializeCriticalSection / InitializeCriticalSectionAndSpinCount (spin
 * count kept, always TRUE) / DeleteCriticalSection (the section must be
 * free) / EnterCriticalSection (waits; the owner may enter again) /
 * TryEnterCriticalSection (TRUE when entered, without waiting) /
 * LeaveCriticalSection (by the owner, once per enter). None fail or set the
 * last error; misuse (leaving a section not owned) is undefined, as on
 * Windows.
 */
STRATA_API void strata_win32_InitializeCriticalSection(LPCRITICAL_SECTION section);
STRATA_API BOOL strata_win32_InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION section,
                                                                   DWORD spin_count);
STRATA_API void strata_win32_DeleteCriticalSection(LPCRITICAL_SECTION section);
STRATA_API void strata_win32_EnterCriticalSection(LPCRITICAL_SECTION section);
STRATA_API BOOL strata_win32_TryEnterCriticalSection(LPCRITICAL_SECTION section);
STRATA_API void strata_win32_LeaveCriticalSection(LPCRITICAL_SECTION section);

/* ------------------------------------------------------------------------ */
/* Memory status (win32/status.c; GetProcessMemoryInfo is in <psapi.h>)      */
/* ------------------------------------------------------------------------ */
typedef struct _MEMORYSTATUSEX {
    DWORD dwLength;
    DWORD dwMemoryLoad;
    DWORDLONG ullTotalPhys;
    DWORDLONG ullAvailPhys;
    DWORDLONG ullTotalPageFile;
    DWORDLONG ullAvailPageFile;
    DWORDLONG ullTotalVirtual;
    DWORDLONG ullAvailVirtual;
    DWORDLONG ullAvailExtendedVirtual;
} MEMORYSTATUSEX, *LPMEMORYSTATUSEX;

/*
 * GlobalMemoryStatusEx — the machine's memory and this process's address
 * space. `status->dwLength` must be sizeof(MEMORYSTATUSEX) (else FALSE with
 * ERROR_INVALID_PARAMETER, as for NULL). Physical figures and the load (the
 * percentage of RAM in use) come from the OS; the "page file" ones are the
 * commit limit, RAM plus swap; the virtual ones are the user address range
 * Windows gives a 64-bit process (128 TiB less 128 KiB) and what of it this
 * process does not use. ullAvailExtendedVirtual is 0. FALSE with
 * ERROR_NOT_SUPPORTED where the OS does not tell.
 */
STRATA_API BOOL strata_win32_GlobalMemoryStatusEx(LPMEMORYSTATUSEX status);
#define GlobalMemoryStatusEx strata_win32_GlobalMemoryStatusEx

/* ------------------------------------------------------------------------ */
/* Vectored exception handlers for memory faults (win32/exception.c, over   */
/* the platform layer's fault listeners)                                    */
/* ------------------------------------------------------------------------ */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_ACCESS_VIOLATION STATUS_ACCESS_VIOLATION
#define EXCEPTION_GUARD_PAGE STATUS_GUARD_PAGE_VIOLATION
#define EXCEPTION_CONTINUE_EXECUTION (-1)
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_NONCONTINUABLE 0x1u

typedef struct _EXCEPTION_RECORD {
    DWORD ExceptionCode;
    DWORD ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    DWORD NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

/* The register context: on POSIX the signal's ucontext_t, kept opaque here
 * (code that edits registers to skip an instruction is not covered). */
typedef struct _CONTEXT CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

typedef LONG (*PVECTORED_EXCEPTION_HANDLER)(struct _EXCEPTION_POINTERS *exception_info);


#define CreateThread strata_win32_CreateThread
#define GetExitCodeThread strata_win32_GetExitCodeThread
#define CreateEventA strata_win32_CreateEventA
#define CreateEventW strata_win32_CreateEventW
#define OpenEventA strata_win32_OpenEventA
#define OpenEventW strata_win32_OpenEventW
#define CreateEvent STRATA_WIN32_GENERIC(CreateEvent)
#define OpenEvent STRATA_WIN32_GENERIC(OpenEvent)
#define SetEvent strata_win32_SetEvent
#define ResetEvent strata_win32_ResetEvent
#define WaitForSingleObject strata_win32_WaitForSingleObject
#define WaitForMultipleObjects strata_win32_WaitForMultipleObjects
#define Sleep strata_win32_Sleep
#define GetCurrentProcessId strata_win32_GetCurrentProcessId
#define GetCurrentThreadId strata_win32_GetCurrentThreadId
#define InitializeCriticalSection strata_win32_InitializeCriticalSection
#define InitializeCriticalSectionAndSpinCount strata_win32_InitializeCriticalSectionAndSpinCount
#define DeleteCriticalSection strata_win32_DeleteCriticalSection
#define EnterCriticalSection strata_win32_EnterCriticalSection
#define TryEnterCriticalSection strata_win32_TryEnterCriticalSection
#define LeaveCriticalSection strata_win32_LeaveCriticalSection

/*
 * The Interlocked family: atomic, full-barrier operations on aligned
 * LONG, LONG64 and pointer variables. Increment/Decrement/Add return the
 * new value; Exchange, ExchangeAdd, CompareExchange, And, Or and Xor the
 * old one.
 */
static inline LONG InterlockedIncrement(LONG volatile *target)
{
    return __atomic_add_fetch(target, 1, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedDecrement(LONG volatile *target)
{
    return __atomic_sub_fetch(target, 1, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedAdd(LONG volatile *target, LONG value)
{
    return __atomic_add_fetch(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedExchange(LONG volatile *target, LONG value)
{
    return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedExchangeAdd(LONG volatile *target, LONG value)
{
    return __atomic_fetch_add(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedCompareExchange(LONG volatile *target, LONG exchange, LONG comparand)
{
    __atomic_compare_exchange_n(target, &comparand, exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}
static inline LONG InterlockedAnd(LONG volatile *target, LONG value)
{
    return __atomic_fetch_and(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedOr(LONG volatile *target, LONG value)
{
    return __atomic_fetch_or(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG InterlockedXor(LONG volatile *target, LONG value)
{
    return __atomic_fetch_xor(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedIncrement64(LONG64 volatile *target)
{
    return __atomic_add_fetch(target, 1, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedDecrement64(LONG64 volatile *target)
{
    return __atomic_sub_fetch(target, 1, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedAdd64(LONG64 volatile *target, LONG64 value)
{
    return __atomic_add_fetch(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedExchange64(LONG64 volatile *target, LONG64 value)
{
    return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedExchangeAdd64(LONG64 volatile *target, LONG64 value)
{
    return __atomic_fetch_add(target, value, __ATOMIC_SEQ_CST);
}
static inline LONG64 InterlockedCompareExchange64(LONG64 volatile *target, LONG64 exchange, LONG64 comparand)
{
    __atomic_compare_exchange_n(target, &comparand, exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}
static inline PVOID InterlockedExchangePointer(PVOID volatile *target, PVOID value)
{
    return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}
static inline PVOID InterlockedCompareExchangePointer(PVOID volatile *target, PVOID exchange, PVOID comparand)
{
    __atomic_compare_exchange_n(target, &comparand, exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}

#define lstrlenA strata_win32_lstrlenA
#define lstrlenW strata_win32_lstrlenW
#define lstrcpyA strata_win32_lstrcpyA
#define lstrcpyW strata_win32_lstrcpyW
#define lstrcatA strata_win32_lstrcatA
#define lstrcatW strata_win32_lstrcatW
#define lstrcmpA strata_win32_lstrcmpA
#define lstrcmpW strata_win32_lstrcmpW
#define MultiByteToWideChar strata_win32_MultiByteToWideChar
#define WideCharToMultiByte strata_win32_WideCharToMultiByte
#define FormatMessageA strata_win32_FormatMessageA
#define FormatMessageW strata_win32_FormatMessageW

/* Generic names: the A function, or the W one when UNICODE is defined
 * (Windows' own headers do the same on Windows). */
#if defined(UNICODE)
#define STRATA_WIN32_GENERIC(name) name##W
#else
#define STRATA_WIN32_GENERIC(name) name##A
#endif
#define CreateFileMapping STRATA_WIN32_GENERIC(CreateFileMapping)
#define OpenFileMapping STRATA_WIN32_GENERIC(OpenFileMapping)
#define CreateFile STRATA_WIN32_GENERIC(CreateFile)
#define lstrlen STRATA_WIN32_GENERIC(lstrlen)
#define lstrcpy STRATA_WIN32_GENERIC(lstrcpy)
#define lstrcat STRATA_WIN32_GENERIC(lstrcat)
#define lstrcmp STRATA_WIN32_GENERIC(lstrcmp)
#define FormatMessage STRATA_WIN32_GENERIC(FormatMessage)
#endif /* !_WIN32 */

/*
 * VirtualAlloc2 — VirtualAlloc with placeholders. `process` must be NULL or
 * GetCurrentProcess() (else ERROR_INVALID_HANDLE); extended parameters are
 * not covered (a non-zero count: ERROR_INVALID_PARAMETER).
 *   MEM_RESERVE | MEM_RESERVE_PLACEHOLDER, PAGE_NOACCESS: a placeholder of
 *     `size` bytes (a multiple of 64 KiB) at `base` or anywhere; any other
 *     protection or type bit with it is ERROR_INVALID_PARAMETER.
 *   MEM_RESERVE | MEM_REPLACE_PLACEHOLDER (| MEM_COMMIT): the placeholder at
 *     `base`, exactly `size` bytes (else ERROR_INVALID_ADDRESS), becomes a
 *     private allocation with `protect`.
 *   anything else: as VirtualAlloc(base, size, type, protect).
 * Placeholders are split with VirtualFree(address, size, MEM_RELEASE |
 * MEM_PRESERVE_PLACEHOLDER), at 64 KiB boundaries only (Windows allows
 * pages; others fail with ERROR_INVALID_PARAMETER); the same call on the
 * base of an allocation that replaced a placeholder (size 0) makes it a
 * placeholder again. MEM_COALESCE_PLACEHOLDERS and UnmapViewOfFile2/Ex
 * with MEM_PRESERVE_PLACEHOLDER are not covered. Where strata's platform
 * cannot release part of a reservation (Windows itself), placeholder
 * requests fail with ERROR_NOT_SUPPORTED.
 */
STRATA_API PVOID strata_win32_VirtualAlloc2(HANDLE process, PVOID base, SIZE_T size, ULONG type, ULONG protect,
                                            MEM_EXTENDED_PARAMETER *parameters, ULONG parameter_count);

/*
 * MapViewOfFile3 — a view of `mapping` at `offset` (a multiple of 64 KiB),
 * `size` bytes (0: to the end of the section), with page protection
 * `protect` (PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY or their
 * EXECUTE forms, PAGE_NOACCESS). `type` 0 maps at `base` or anywhere, as
 * MapViewOfFileEx; MEM_REPLACE_PLACEHOLDER maps in place of the
 * placeholder at `base`, which must be exactly `size` bytes
 * (ERROR_INVALID_ADDRESS otherwise). `process` and extended parameters as
 * VirtualAlloc2. Other failures as MapViewOfFileEx: ERROR_INVALID_HANDLE,
 * ERROR_ACCESS_DENIED, ERROR_MAPPED_ALIGNMENT; ERROR_INVALID_PARAMETER for
 * another type or protection.
 */
STRATA_API PVOID strata_win32_MapViewOfFile3(HANDLE mapping, HANDLE process, PVOID base, ULONG64 offset,
                                             SIZE_T size, ULONG type, ULONG protect,
                                             MEM_EXTENDED_PARAMETER *parameters, ULONG parameter_count);

/* Vectored exception handlers for memory faults (win32/exception.c). */
/*
 * AddVectoredExceptionHandler — call `handler` for every memory fault of
 * the process: EXCEPTION_GUARD_PAGE (STATUS_GUARD_PAGE_VIOLATION) for the
 * first touch of a PAGE_GUARD page, whose guard is then gone, and
 * EXCEPTION_ACCESS_VIOLATION for any other access the protection forbids.
 * The record has NumberParameters 2, ExceptionInformation[0] the access
 * (0 read, 1 write, 8 execute; always 0 outside x86 Linux) and [1] the
 * address; ExceptionAddress is the faulting instruction (NULL where
 * unknown). Returning EXCEPTION_CONTINUE_EXECUTION retries the access (it
 * succeeds after a guard-page fault, or once the handler made the page
 * accessible); EXCEPTION_CONTINUE_SEARCH passes the fault to the next
 * handler, and after the last to the program's signal handlers, and then
 * to the OS: an unhandled fault in strata's memory is named on stderr
 * ("strata: unhandled access violation writing 0x… in memory strata
 * manages") before the process ends with SIGSEGV. `first` nonzero runs the
 * handler before those already added. Software exceptions (RaiseException,
 * C++ throw) and other hardware exceptions are not covered. On Windows
 * too these names are strata's, so that handlers see strata's guard pages
 * (which the vmm keeps itself) as the system's; other exceptions reach only
 * handlers added with the system's own function.
 * Returns the handle for RemoveVectoredExceptionHandler, or NULL for a
 * NULL handler or when 64 handlers are in place.
 */
STRATA_API PVOID strata_win32_AddVectoredExceptionHandler(ULONG first, PVECTORED_EXCEPTION_HANDLER handler);

/* RemoveVectoredExceptionHandler — nonzero when `handle` was a handler in
 * place, now removed; 0 otherwise. */
STRATA_API ULONG strata_win32_RemoveVectoredExceptionHandler(PVOID handle);

#define AddVectoredExceptionHandler strata_win32_AddVectoredExceptionHandler
#define RemoveVectoredExceptionHandler strata_win32_RemoveVectoredExceptionHandler

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
#define VirtualAlloc2 strata_win32_VirtualAlloc2
#define MapViewOfFile3 strata_win32_MapViewOfFile3
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
