/* SPDX-License-Identifier: MIT */
/*
 * conformance.h — the one place the conformance tests get the Win32 API from,
 * and the small helpers they share.
 *
 * The tests are written against the Win32 API alone (docs/windows-behaviour.md is the
 * authority for every expected value). Three builds use the same sources:
 *   - native Windows (STRATA_CONFORMANCE_NATIVE): the system's kernel32; under
 *     Wine this shows the expected values are Windows's own (see
 *     WINE-DIFFERENCES.md for the few places where Wine itself differs);
 *   - Windows with strata (STRATA_CONFORMANCE_STRATA): the system's types and
 *     constants, strata's functions;
 *   - POSIX: strata's own <windows.h>.
 */
#ifndef STRATA_TESTS_CONFORMANCE_H
#define STRATA_TESTS_CONFORMANCE_H

#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* getpid */
#endif

#if defined(_WIN32)
#include <windows.h>
#if defined(STRATA_CONFORMANCE_STRATA)
#include <strata/win32/windows.h>
#endif
#else
#include <windows.h> /* strata's own, found through -I include/strata/win32 */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#if !defined(_WIN32)
#include <unistd.h>
#endif

/* ------------------------------------------------------------------------ */
/* Platform constants (§0.2)                                                 */
/* ------------------------------------------------------------------------ */

#define CONF_PAGE ((SIZE_T)0x1000)      /* SYSTEM_INFO.dwPageSize */
#define CONF_GRANULE ((SIZE_T)0x10000)  /* SYSTEM_INFO.dwAllocationGranularity */
#define CONF_POISON 0xdeadbeefu         /* last error planted before a call */

/* A char pointer offset, for address arithmetic on LPVOID. */
#define CONF_AT(pointer, offset) ((char *)(pointer) + (offset))

/* ------------------------------------------------------------------------ */
/* Wine                                                                      */
/* ------------------------------------------------------------------------ */

/* True when the process runs under Wine (only ever in a native Windows build). */
static inline bool running_on_wine(void)
{
#if defined(_WIN32)
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
#else
    return false;
#endif
}

/*
 * WINDOWS_OR_WINE(windows_value, wine_value): the value real Windows gives
 * (from the spec), except in a native build running under Wine, where Wine's
 * own value is accepted instead. Only for the rare rows where Wine differs from
 * Windows; every use cites its spec row and is listed in WINE-DIFFERENCES.md.
 * A strata build always requires the Windows value.
 */
#if defined(STRATA_CONFORMANCE_NATIVE)
#define WINDOWS_OR_WINE(windows_value, wine_value) \
    (running_on_wine() ? (wine_value) : (windows_value))
#else
#define WINDOWS_OR_WINE(windows_value, wine_value) (windows_value)
#endif

/*
 * WRITECOPY_TRACKED(windows_value, untracked_value): whether the first write
 * to a WRITECOPY page is seen (the page turns READWRITE in its own region).
 * Wine does not track it; strata does, from the write's access fault, except
 * under Valgrind, whose faults carry no usable address (strata then lets the
 * write through and the page keeps reporting WRITECOPY).
 */
#include "../support/check.h" /* RUNNING_ON_VALGRIND */
#if defined(STRATA_CONFORMANCE_NATIVE)
#define WRITECOPY_TRACKED(windows_value, untracked_value) WINDOWS_OR_WINE(windows_value, untracked_value)
#else
#define WRITECOPY_TRACKED(windows_value, untracked_value) \
    (RUNNING_ON_VALGRIND ? (untracked_value) : (windows_value))
#endif

/*
 * SYSTEM_FILE_RULE(windows_value, wine_value): for rows decided by a file
 * handle's access rights. On Windows, strata uses the system's own file
 * handles and leaves that check to the system, so under Wine a strata build
 * gets Wine's answer too; on POSIX strata makes the check and must give
 * Windows's.
 */
#if defined(_WIN32)
#define SYSTEM_FILE_RULE(windows_value, wine_value) \
    (running_on_wine() ? (wine_value) : (windows_value))
#else
#define SYSTEM_FILE_RULE(windows_value, wine_value) (windows_value)
#endif

/* ------------------------------------------------------------------------ */
/* Checks that say what went wrong (GetLastError() included)                 */
/* ------------------------------------------------------------------------ */

static inline void conf_check_failure(bool failed, const char *call, DWORD expected_error,
                                      const char *file, int line)
{
    DWORD actual = GetLastError(); /* first, before anything can change it */
    if (!failed) {
        print_error("%s: expected to fail with last error %lu (%#lx), but it succeeded "
                    "(GetLastError() is %lu)\n",
                    call, (unsigned long)expected_error, (unsigned long)expected_error,
                    (unsigned long)actual);
        _fail(file, line);
    }
    if (actual != expected_error) {
        print_error("%s: failed as expected, but GetLastError() is %lu (%#lx), expected %lu "
                    "(%#lx)\n",
                    call, (unsigned long)actual, (unsigned long)actual,
                    (unsigned long)expected_error, (unsigned long)expected_error);
        _fail(file, line);
    }
}

static inline void conf_check_success(bool succeeded, const char *call, const char *file,
                                      int line)
{
    DWORD actual = GetLastError();
    if (!succeeded) {
        print_error("%s: expected to succeed, but it failed with GetLastError() %lu (%#lx)\n",
                    call, (unsigned long)actual, (unsigned long)actual);
        _fail(file, line);
    }
}

static inline void conf_check_last_error(DWORD expected, const char *file, int line)
{
    DWORD actual = GetLastError();
    if (actual != expected) {
        print_error("GetLastError() is %lu (%#lx), expected %lu (%#lx)\n",
                    (unsigned long)actual, (unsigned long)actual, (unsigned long)expected,
                    (unsigned long)expected);
        _fail(file, line);
    }
}

/* `call_result_is_failure` is evaluated, then GetLastError() must equal the code. */
#define expect_failure_with(call_result_is_failure, expected_last_error)                    \
    conf_check_failure((call_result_is_failure) ? true : false, #call_result_is_failure,   \
                       (DWORD)(expected_last_error), __FILE__, __LINE__)

/* `call_result_is_success` must be true; on failure GetLastError() is printed. */
#define expect_success(call_result_is_success)                                              \
    conf_check_success((call_result_is_success) ? true : false, #call_result_is_success,   \
                       __FILE__, __LINE__)

/* The thread's last error must be exactly this. */
#define expect_last_error(expected_last_error) \
    conf_check_last_error((DWORD)(expected_last_error), __FILE__, __LINE__)

/* ------------------------------------------------------------------------ */
/* VirtualQuery                                                              */
/* ------------------------------------------------------------------------ */

/* VirtualQuery that must succeed (returns the structure). */
static inline MEMORY_BASIC_INFORMATION conf_query(const void *address, const char *file, int line)
{
    MEMORY_BASIC_INFORMATION info;
    SIZE_T written;
    memset(&info, 0x5a, sizeof(info));
    written = VirtualQuery(address, &info, sizeof(info));
    if (written != sizeof(info)) {
        DWORD error = GetLastError();
        print_error("VirtualQuery(%p) returned %lu, expected %lu (GetLastError() %lu)\n",
                    address, (unsigned long)written, (unsigned long)sizeof(info),
                    (unsigned long)error);
        _fail(file, line);
    }
    return info;
}
#define query(address) conf_query((const void *)(address), __FILE__, __LINE__)

static inline void conf_check_region(const void *address, const void *base,
                                     const void *allocation_base, DWORD allocation_protect,
                                     SIZE_T region_size, DWORD state, DWORD protect, DWORD type,
                                     const char *file, int line)
{
    MEMORY_BASIC_INFORMATION info = conf_query(address, file, line);
    bool ok = true;
    if (info.BaseAddress != base) {
        print_error("VirtualQuery(%p): BaseAddress %p, expected %p\n", address, info.BaseAddress,
                    base);
        ok = false;
    }
    if (info.AllocationBase != allocation_base) {
        print_error("VirtualQuery(%p): AllocationBase %p, expected %p\n", address,
                    info.AllocationBase, allocation_base);
        ok = false;
    }
    if (info.AllocationProtect != allocation_protect) {
        print_error("VirtualQuery(%p): AllocationProtect %#lx, expected %#lx\n", address,
                    (unsigned long)info.AllocationProtect, (unsigned long)allocation_protect);
        ok = false;
    }
    if (info.RegionSize != region_size) {
        print_error("VirtualQuery(%p): RegionSize %#lx, expected %#lx\n", address,
                    (unsigned long)info.RegionSize, (unsigned long)region_size);
        ok = false;
    }
    if (info.State != state) {
        print_error("VirtualQuery(%p): State %#lx, expected %#lx\n", address,
                    (unsigned long)info.State, (unsigned long)state);
        ok = false;
    }
    if (info.Protect != protect) {
        print_error("VirtualQuery(%p): Protect %#lx, expected %#lx\n", address,
                    (unsigned long)info.Protect, (unsigned long)protect);
        ok = false;
    }
    if (info.Type != type) {
        print_error("VirtualQuery(%p): Type %#lx, expected %#lx\n", address,
                    (unsigned long)info.Type, (unsigned long)type);
        ok = false;
    }
    if (!ok)
        _fail(file, line);
}

/*
 * expect_region(address, BaseAddress, AllocationBase, AllocationProtect,
 *               RegionSize, State, Protect, Type): VirtualQuery(address) must
 * succeed and report exactly these seven fields (§1.6).
 */
#define expect_region(address, base, allocation_base, allocation_protect, region_size, state,  \
                      protect, type)                                                           \
    conf_check_region((const void *)(address), (const void *)(base),                           \
                      (const void *)(allocation_base), (DWORD)(allocation_protect),            \
                      (SIZE_T)(region_size), (DWORD)(state), (DWORD)(protect), (DWORD)(type),  \
                      __FILE__, __LINE__)

/* The part of a free region's report that does not depend on its neighbours. */
static inline void conf_check_free(const void *address, const char *file, int line)
{
    MEMORY_BASIC_INFORMATION info = conf_query(address, file, line);
    const void *page = (const void *)((uintptr_t)address & ~(uintptr_t)(CONF_PAGE - 1));
    if (info.BaseAddress != page || info.AllocationBase != NULL || info.AllocationProtect != 0 ||
        info.State != MEM_FREE || info.Protect != PAGE_NOACCESS || info.Type != 0 ||
        info.RegionSize == 0 || info.RegionSize % CONF_PAGE != 0) {
        print_error("VirtualQuery(%p): {Base %p, AllocBase %p, AllocProtect %#lx, Size %#lx, "
                    "State %#lx, Protect %#lx, Type %#lx}, expected free memory {Base %p, "
                    "AllocBase NULL, AllocProtect 0, Size n pages, State MEM_FREE, Protect "
                    "PAGE_NOACCESS, Type 0}\n",
                    address, info.BaseAddress, info.AllocationBase,
                    (unsigned long)info.AllocationProtect, (unsigned long)info.RegionSize,
                    (unsigned long)info.State, (unsigned long)info.Protect,
                    (unsigned long)info.Type, page);
        _fail(file, line);
    }
}
/* VirtualQuery(address) must report free memory (§1.6, MEM_FREE column). */
#define expect_free(address) conf_check_free((const void *)(address), __FILE__, __LINE__)

/* ------------------------------------------------------------------------ */
/* Memory helpers                                                            */
/* ------------------------------------------------------------------------ */

/* all_bytes(address, size, value): tests/support/check.h */

/*
 * A 64K-aligned address whose `size` bytes were free a moment ago: reserved
 * and released again, so that a test can ask for that exact address. The
 * tests are single-threaded, so nothing else takes it in between.
 */
static inline char *conf_free_address(SIZE_T size, const char *file, int line)
{
    char *address = (char *)VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_NOACCESS);
    if (address == NULL || !VirtualFree(address, 0, MEM_RELEASE)) {
        print_error("could not find %#lx free bytes (GetLastError() %lu)\n",
                    (unsigned long)size, (unsigned long)GetLastError());
        _fail(file, line);
    }
    return address;
}
#define free_address(size) conf_free_address((SIZE_T)(size), __FILE__, __LINE__)

/* VirtualFree(MEM_RELEASE) that must succeed: test clean-up. */
#define release(address) expect_success(VirtualFree((address), 0, MEM_RELEASE))

/* ------------------------------------------------------------------------ */
/* Names and files unique to this process                                    */
/* ------------------------------------------------------------------------ */

static inline unsigned long conf_pid(void)
{
#if defined(_WIN32)
    return (unsigned long)GetCurrentProcessId();
#else
    return (unsigned long)getpid();
#endif
}

/* "strata_conf_<pid>_<tag>": a section name no parallel run shares. */
static inline void conf_name(char *buffer, size_t size, const char *tag)
{
    snprintf(buffer, size, "strata_conf_%lu_%s", conf_pid(), tag);
}

/* The same name as WCHARs (ASCII only), for the W functions. */
static inline void conf_wide_name(WCHAR *buffer, size_t count, const char *tag)
{
    char narrow[128];
    size_t i;
    conf_name(narrow, sizeof(narrow), tag);
    for (i = 0; i + 1 < count && narrow[i] != '\0'; i++)
        buffer[i] = (WCHAR)(unsigned char)narrow[i];
    buffer[i] = 0;
}

/* "strata_conf_<pid>_<tag>.bin" in the current directory. */
static inline void conf_file_path(char *buffer, size_t size, const char *tag)
{
    snprintf(buffer, size, "strata_conf_%lu_%s.bin", conf_pid(), tag);
}

/* Creates (or truncates) the file with these bytes; false on any error. */
static inline bool conf_write_file(const char *path, const void *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    bool ok;
    if (file == NULL)
        return false;
    ok = size == 0 || fwrite(data, 1, size, file) == size;
    if (fclose(file) != 0)
        ok = false;
    return ok;
}

/* Reads up to `size` bytes from the start of the file; returns how many were read. */
static inline size_t conf_read_file(const char *path, void *data, size_t size)
{
    FILE *file = fopen(path, "rb");
    size_t got;
    if (file == NULL)
        return 0;
    got = fread(data, 1, size, file);
    fclose(file);
    return got;
}

/* The file's length in bytes, or -1. */
static inline long conf_file_size(const char *path)
{
    FILE *file = fopen(path, "rb");
    long size = -1;
    if (file == NULL)
        return -1;
    if (fseek(file, 0, SEEK_END) == 0)
        size = ftell(file);
    fclose(file);
    return size;
}

#endif /* STRATA_TESTS_CONFORMANCE_H */
