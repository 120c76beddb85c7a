/* SPDX-License-Identifier: MIT */
/*
 * win32/mapping.c — the Win32 view of sections: CreateFileMapping,
 * OpenFileMapping, MapViewOfFile(Ex), UnmapViewOfFile, FlushViewOfFile,
 * CloseHandle, and on POSIX the CreateFile that file-backed mappings need.
 * Handles live in a small table, so that a value that is not one of
 * strata's is recognised without being dereferenced.
 */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* The handle table                                                         */
/* ------------------------------------------------------------------------ */

/* strata's handles are 4-aligned values in a band of their own, far from the
 * small numbers kernel handles use and from INVALID_HANDLE_VALUE. */
#define HANDLE_BASE ((uintptr_t)0x53740000)
#define HANDLE_SLOTS 4096

typedef struct handle_slot {
    handle_kind kind;
    strata_section *section;
    strata_native_file file;
    DWORD file_access; /* GENERIC_* rights of a file handle */
} handle_slot;

static handle_slot slots[HANDLE_SLOTS];
static strata_lock slots_lock = STRATA_LOCK_INIT;

HANDLE strata__win32_handle_new(handle_kind kind, void *section, strata_native_file file,
                                DWORD file_access)
{
    HANDLE handle = NULL;
    strata_lock_acquire(&slots_lock);
    for (size_t i = 0; i < HANDLE_SLOTS; i++) {
        if (slots[i].kind == HANDLE_FREE) {
            slots[i] = (handle_slot){kind, section, file, file_access};
            handle = (HANDLE)(HANDLE_BASE + 4 * i);
            break;
        }
    }
    strata_lock_release(&slots_lock);
    if (handle == NULL) {
        succeeded(STRATA_E_RESOURCE_EXHAUSTED);
    }
    return handle;
}

/* The slot index of a strata handle, or -1. */
static long slot_index(HANDLE handle)
{
    uintptr_t value = (uintptr_t)handle;
    if (value < HANDLE_BASE || value >= HANDLE_BASE + 4 * HANDLE_SLOTS || value % 4 != 0) {
        return -1;
    }
    return (long)((value - HANDLE_BASE) / 4);
}

/* A copy of the live slot behind a handle; kind HANDLE_FREE when none. */
static handle_slot read_slot(HANDLE handle)
{
    handle_slot copy = {HANDLE_FREE, NULL, STRATA_NO_FILE, 0};
    long index = slot_index(handle);
    if (index >= 0) {
        strata_lock_acquire(&slots_lock);
        copy = slots[index];
        strata_lock_release(&slots_lock);
    }
    return copy;
}

BOOL strata_win32_is_handle(HANDLE handle)
{
    return read_slot(handle).kind != HANDLE_FREE;
}

strata_section *strata__win32_handle_section(HANDLE handle)
{
    handle_slot slot = read_slot(handle);
    return slot.kind == HANDLE_SECTION ? slot.section : NULL;
}

strata_native_file strata__win32_handle_file(HANDLE handle)
{
    handle_slot slot = read_slot(handle);
    if (slot.kind == HANDLE_FILE) {
        return slot.file;
    }
#if defined(_WIN32)
    /* The system's own file handles are used as they are. */
    if (slot.kind == HANDLE_FREE && handle != NULL && handle != INVALID_HANDLE_VALUE) {
        return (strata_native_file)handle;
    }
#endif
    return STRATA_NO_FILE;
}

strata_waitable *strata__win32_handle_waitable(HANDLE handle, handle_kind kind)
{
    handle_slot slot = read_slot(handle);
    return slot.kind == kind ? (strata_waitable *)(void *)slot.section : NULL;
}

DWORD strata__win32_handle_file_access(HANDLE handle)
{
    handle_slot slot = read_slot(handle);
    if (slot.kind == HANDLE_FILE) {
        return (slot.file_access & GENERIC_ALL) ? GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE
                                                : slot.file_access;
    }
    return GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE;
}

/* Whether a file opened with `access` may back a section with `protect`:
 * writing sections need GENERIC_WRITE, executable ones GENERIC_EXECUTE. */
static bool file_allows(DWORD access, DWORD protect)
{
    bool writes = protect == PAGE_READWRITE || protect == PAGE_EXECUTE_READWRITE;
    bool executes = protect == PAGE_EXECUTE_READ || protect == PAGE_EXECUTE_READWRITE ||
                    protect == PAGE_EXECUTE_WRITECOPY;
    return (access & GENERIC_READ) && (!writes || (access & GENERIC_WRITE)) &&
           (!executes || (access & GENERIC_EXECUTE));
}

BOOL strata_win32_CloseHandle(HANDLE handle)
{
    long index = slot_index(handle);
    handle_slot slot = {HANDLE_FREE, NULL, STRATA_NO_FILE, 0};
    if (index >= 0) {
        strata_lock_acquire(&slots_lock);
        slot = slots[index];
        slots[index].kind = HANDLE_FREE;
        strata_lock_release(&slots_lock);
    }
    switch (slot.kind) {
    case HANDLE_SECTION:
        return succeeded(strata_section_close(slot.section));
    case HANDLE_FILE:
        return succeeded(strata_platform_file_close(slot.file));
    case HANDLE_THREAD:
    case HANDLE_EVENT:
        return succeeded(strata_platform_waitable_close((strata_waitable *)(void *)slot.section));
    default:
        return succeeded(STRATA_E_INVALID_HANDLE);
    }
}

bool strata__win32_narrow(const wchar_t *wide, char *out, size_t capacity)
{
    size_t used = 0;
    for (; *wide != 0; wide++) {
        uint32_t c = (uint32_t)*wide;
        /* UTF-16 surrogate pairs where wchar_t is 16 bits. */
        if (c >= 0xD800 && c < 0xDC00 && wide[1] >= 0xDC00 && wide[1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((uint32_t)wide[1] - 0xDC00);
            wide++;
        }
        unsigned char bytes[4];
        size_t n;
        if (c < 0x80) {
            bytes[0] = (unsigned char)c;
            n = 1;
        } else if (c < 0x800) {
            bytes[0] = (unsigned char)(0xC0 | (c >> 6));
            bytes[1] = (unsigned char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            bytes[0] = (unsigned char)(0xE0 | (c >> 12));
            bytes[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            bytes[0] = (unsigned char)(0xF0 | (c >> 18));
            bytes[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            bytes[3] = (unsigned char)(0x80 | (c & 0x3F));
            n = 4;
        }
        if (used + n + 1 > capacity) {
            return false;
        }
        memcpy(out + used, bytes, n);
        used += n;
    }
    out[used] = '\0';
    return true;
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                 */
/* ------------------------------------------------------------------------ */

#define NAME_CAPACITY 1024

HANDLE strata_win32_CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES attributes, DWORD protect,
                                       DWORD size_high, DWORD size_low, LPCSTR name)
{
    (void)attributes; /* no security descriptors or inheritance in strata */
    const DWORD sec_bits = SEC_FILE | SEC_IMAGE | SEC_RESERVE | SEC_COMMIT | SEC_NOCACHE |
                           SEC_WRITECOMBINE | SEC_LARGE_PAGES;
    DWORD sec = protect & sec_bits;
    DWORD page_protect = protect & ~sec_bits;
    DWORD reserve_or_commit = sec & (SEC_RESERVE | SEC_COMMIT);
    strata_status status = STRATA_OK;
    if ((sec & SEC_FILE) || reserve_or_commit == (SEC_RESERVE | SEC_COMMIT) ||
        ((sec & (SEC_NOCACHE | SEC_WRITECOMBINE | SEC_LARGE_PAGES)) && reserve_or_commit == 0) ||
        ((sec & SEC_IMAGE) && reserve_or_commit != 0) ||
        ((sec & SEC_LARGE_PAGES) && reserve_or_commit != SEC_COMMIT) ||
        ((sec & SEC_LARGE_PAGES) && file != INVALID_HANDLE_VALUE)) {
        /* Large pages back only pagefile sections; the arguments are
         * checked before the privilege. */
        status = STRATA_E_INVALID_PARAMETER;
    } else if (sec & SEC_IMAGE) {
        /* strata maps data, never executable images. */
        strata_set_last_error(ERROR_BAD_EXE_FORMAT);
        return NULL;
    } else if (sec & SEC_LARGE_PAGES) {
        status = STRATA_E_PRIVILEGE_NOT_HELD;
    }
    strata_native_file native = STRATA_NO_FILE;
    if (status == STRATA_OK && file != INVALID_HANDLE_VALUE) {
        native = strata__win32_handle_file(file);
        if (native == STRATA_NO_FILE) {
            status = STRATA_E_INVALID_HANDLE;
        } else if (strata_vmm_protection_is_valid(page_protect) ||
                   page_protect == PAGE_WRITECOPY || page_protect == PAGE_EXECUTE_WRITECOPY) {
            /* The protection itself is checked by the vmm; the file's rights here. */
            if (!file_allows(strata__win32_handle_file_access(file), page_protect)) {
                status = STRATA_E_ACCESS_DENIED;
            }
        }
    }
    strata_section *section = NULL;
    bool existed = false;
    if (status == STRATA_OK) {
        uint64_t size = (uint64_t)size_high << 32 | size_low;
        uint32_t attributes_in = reserve_or_commit == SEC_RESERVE ? STRATA_SEC_RESERVE : STRATA_SEC_COMMIT;
        attributes_in |= (sec & SEC_NOCACHE) ? STRATA_SEC_NOCACHE : 0;
        attributes_in |= (sec & SEC_WRITECOMBINE) ? STRATA_SEC_WRITECOMBINE : 0;
        status = strata_section_create(native, size, page_protect, attributes_in, name, &section, &existed);
    }
    if (!succeeded(status)) {
        return NULL;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_SECTION, section, STRATA_NO_FILE, 0);
    if (handle == NULL) {
        strata_section_close(section);
        return NULL;
    }
    /* Set either way: callers test it to learn whether the name was new. */
    strata_set_last_error(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

HANDLE strata_win32_CreateFileMappingW(HANDLE file, LPSECURITY_ATTRIBUTES attributes, DWORD protect,
                                       DWORD size_high, DWORD size_low, LPCWSTR name)
{
    char narrow[NAME_CAPACITY];
    if (name != NULL && !strata__win32_narrow(name, narrow, sizeof narrow)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    return strata_win32_CreateFileMappingA(file, attributes, protect, size_high, size_low,
                                           name != NULL ? narrow : NULL);
}

HANDLE strata_win32_OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR name)
{
    (void)inherit;
    if (name == NULL) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    strata_section *section = NULL;
    if (!succeeded(strata_section_open(name, access, &section))) {
        return NULL;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_SECTION, section, STRATA_NO_FILE, 0);
    if (handle == NULL) {
        strata_section_close(section);
    }
    return handle;
}

HANDLE strata_win32_OpenFileMappingW(DWORD access, BOOL inherit, LPCWSTR name)
{
    char narrow[NAME_CAPACITY];
    if (name == NULL || !strata__win32_narrow(name, narrow, sizeof narrow)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return NULL;
    }
    return strata_win32_OpenFileMappingA(access, inherit, narrow);
}

LPVOID strata_win32_MapViewOfFileEx(HANDLE mapping, DWORD access, DWORD offset_high, DWORD offset_low,
                                    SIZE_T size, LPVOID base)
{
    strata_section *section = strata__win32_handle_section(mapping);
    if (section == NULL) {
        succeeded(STRATA_E_INVALID_HANDLE);
        return NULL;
    }
    void *view = NULL;
    uint64_t offset = (uint64_t)offset_high << 32 | offset_low;
    if (!succeeded(strata_section_map(section, access, offset, size, base, &view))) {
        return NULL;
    }
    return view;
}

LPVOID strata_win32_MapViewOfFile(HANDLE mapping, DWORD access, DWORD offset_high, DWORD offset_low,
                                  SIZE_T size)
{
    return strata_win32_MapViewOfFileEx(mapping, access, offset_high, offset_low, size, NULL);
}

BOOL strata_win32_UnmapViewOfFile(LPCVOID address)
{
    return succeeded(strata_section_unmap(address));
}

BOOL strata_win32_FlushViewOfFile(LPCVOID address, SIZE_T size)
{
    strata_status status = strata_section_flush(address, size);
    if (status == STRATA_E_INVALID_ADDRESS) {
        /* Private memory has nothing to write back: Windows calls it success. */
        strata_vmm_region_info info;
        if (strata_vmm_query(address, &info) == STRATA_OK && info.state != STRATA_MEM_FREE) {
            return TRUE;
        }
    }
    return succeeded(status);
}

/* ------------------------------------------------------------------------ */
/* Files (POSIX: Windows keeps its own CreateFile)                          */
/* ------------------------------------------------------------------------ */

#if !defined(_WIN32)
HANDLE strata_win32_CreateFileA(LPCSTR path, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES attributes,
                                DWORD disposition, DWORD flags, HANDLE template_file)
{
    (void)share;
    (void)attributes;
    (void)flags;
    (void)template_file;
    strata_native_file file = STRATA_NO_FILE;
    bool writable = (access & (GENERIC_WRITE | GENERIC_ALL)) != 0;
    strata_status status = strata_platform_file_open(path, writable, (strata_file_disposition)disposition, &file);
    if (status == STRATA_E_CONFLICTING_ADDRESS) {
        strata_set_last_error(ERROR_FILE_EXISTS);
        return INVALID_HANDLE_VALUE;
    }
    if (!succeeded(status)) {
        return INVALID_HANDLE_VALUE;
    }
    HANDLE handle = strata__win32_handle_new(HANDLE_FILE, NULL, file, access);
    if (handle == NULL) {
        strata_platform_file_close(file);
        return INVALID_HANDLE_VALUE;
    }
    strata_set_last_error(ERROR_SUCCESS);
    return handle;
}

HANDLE strata_win32_CreateFileW(LPCWSTR path, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES attributes,
                                DWORD disposition, DWORD flags, HANDLE template_file)
{
    char narrow[NAME_CAPACITY * 4];
    if (path == NULL || !strata__win32_narrow(path, narrow, sizeof narrow)) {
        succeeded(STRATA_E_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    return strata_win32_CreateFileA(narrow, access, share, attributes, disposition, flags, template_file);
}
#endif
