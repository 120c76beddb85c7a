/* SPDX-License-Identifier: MIT */
/*
 * platform/windows_shared.c — shared memory and file mappings on Windows:
 * file-mapping objects (CreateFileMapping, OpenFileMapping), views with
 * MapViewOfFileEx, FlushViewOfFile; named objects carry a small header
 * mapping that tells openers what they open.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "internal.h"

#include <string.h>

/*
 * The header of a named object: a one-page mapping "strata.h.<name>" beside
 * the data "strata.d.<name>" (or, for a file, the file it names). Windows
 * removes both names when the last handle to them closes, so no count is
 * kept. `magic` is stored last, with release order.
 */
typedef struct shared_header {
    volatile LONG magic;
    uint32_t flags;
    uint64_t size;
    uint32_t tag;
    uint32_t volume_serial;
    uint32_t index_high;
    uint32_t index_low;
    char path[4096 - 32];
} shared_header;

_Static_assert(sizeof(shared_header) == 4096, "the header is one 4 KiB page");

#define HEADER_MAGIC 0x48535453 /* "STSH" */
#define HEADER_SIZE ((DWORD)4096)
#define FLAG_ACCESS_MASK 0x7u
#define FLAG_RESERVE 0x8u
#define FLAG_FILE 0x10u

/* How long to wait for another process to finish making an object. */
#define WAIT_ROUNDS 5000 /* of 1 ms */

#define MAX_ESCAPED_NAME 200

static size_t page_size(void)
{
    return strata_platform_get_info()->page_size;
}

static uint64_t round_to_page(uint64_t size)
{
    uint64_t page = page_size();
    return (size + page - 1) & ~(page - 1);
}

/* The protection a file-mapping object (and a view) gets for an access. */
static DWORD page_protection(strata_access access, bool copy_on_write)
{
    bool execute = (access & STRATA_ACCESS_EXECUTE) != 0;
    if (access & STRATA_ACCESS_WRITE) {
        if (copy_on_write) {
            return execute ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
        }
        return execute ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    }
    if (access & STRATA_ACCESS_READ) {
        return execute ? PAGE_EXECUTE_READ : PAGE_READONLY;
    }
    return execute ? PAGE_EXECUTE : PAGE_NOACCESS;
}

static strata_status status_from_error(DWORD error)
{
    switch (error) {
    case ERROR_ACCESS_DENIED:
        return STRATA_E_ACCESS_DENIED;
    case ERROR_INVALID_HANDLE:
        return STRATA_E_INVALID_HANDLE;
    case ERROR_INVALID_PARAMETER:
        return STRATA_E_INVALID_PARAMETER;
    case ERROR_INVALID_ADDRESS:
        return STRATA_E_CONFLICTING_ADDRESS;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return STRATA_E_NOT_FOUND;
    case ERROR_FILE_INVALID:
        return STRATA_E_FILE_INVALID;
    case ERROR_MAPPED_ALIGNMENT:
        return STRATA_E_MAPPED_ALIGNMENT;
    default:
        return STRATA_E_NO_MEMORY;
    }
}

/*
 * "strata.<kind>.<name>" in the session namespace, with '\' (which would
 * name another namespace) and '%' (so that escaping stays one-to-one)
 * written as %5C and %25.
 */
static strata_status make_os_name(const char *name, char kind, char out[256])
{
    if (name == NULL || name[0] == '\0') {
        return STRATA_E_INVALID_PARAMETER;
    }
    const char prefix[] = {'s', 't', 'r', 'a', 't', 'a', '.', kind, '.'};
    size_t used = sizeof prefix;
    memcpy(out, prefix, used);
    for (const char *c = name; *c != '\0'; c++) {
        if (used + 3 > sizeof prefix + MAX_ESCAPED_NAME) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (*c == '\\' || *c == '%') {
            out[used++] = '%';
            out[used++] = *c == '\\' ? '5' : '2';
            out[used++] = *c == '\\' ? 'C' : '5';
        } else {
            out[used++] = *c;
        }
    }
    out[used] = '\0';
    return STRATA_OK;
}

static void clear_record(strata_shared *out)
{
    memset(out, 0, sizeof *out);
    out->data = -1;
    out->name_object = -1;
}

static bool access_is_valid(strata_access access)
{
    return (access & STRATA_ACCESS_READ) && (access & ~(unsigned)FLAG_ACCESS_MASK) == 0;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_file_size(strata_native_file file, uint64_t *out_size)
{
    if (out_size == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    LARGE_INTEGER size;
    if (file == STRATA_NO_FILE || file == 0 || !GetFileSizeEx((HANDLE)file, &size)) {
        return STRATA_E_INVALID_HANDLE;
    }
    *out_size = (uint64_t)size.QuadPart;
    return STRATA_OK;
}

strata_status strata_platform_file_grow(strata_native_file file, uint64_t size)
{
    uint64_t current;
    strata_status status = strata_platform_file_size(file, &current);
    if (status != STRATA_OK) {
        return status;
    }
    if (size <= current) {
        return STRATA_OK;
    }
    if (size > (uint64_t)INT64_MAX) {
        return STRATA_E_NO_MEMORY;
    }
    /* Move to the new end, set it, and put the file pointer back. */
    HANDLE handle = (HANDLE)file;
    LARGE_INTEGER zero = {0}, position, end;
    end.QuadPart = (LONGLONG)size;
    if (!SetFilePointerEx(handle, zero, &position, FILE_CURRENT) ||
        !SetFilePointerEx(handle, end, NULL, FILE_BEGIN)) {
        return STRATA_E_INVALID_HANDLE;
    }
    BOOL grown = SetEndOfFile(handle);
    DWORD error = GetLastError();
    SetFilePointerEx(handle, position, NULL, FILE_BEGIN);
    if (!grown) {
        /* The handle was good a moment ago, so an invalid-handle error means
         * it lacks write access (Wine says so where Windows says denied). */
        return error == ERROR_ACCESS_DENIED || error == ERROR_INVALID_HANDLE ? STRATA_E_ACCESS_DENIED
                                                                              : STRATA_E_NO_MEMORY;
    }
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Named objects                                                            */
/* ------------------------------------------------------------------------ */

static void read_header(const shared_header *header, strata_shared *out)
{
    out->size = header->size;
    out->tag = header->tag;
    out->access = (strata_access)(header->flags & FLAG_ACCESS_MASK);
    out->reserve = (header->flags & FLAG_RESERVE) != 0;
    out->file_backed = (header->flags & FLAG_FILE) != 0;
}

/* The file-mapping object over an open file, sized `size` (0: the file's). */
static strata_status map_file(HANDLE file, uint64_t size, strata_access access, HANDLE *out)
{
    HANDLE mapping = CreateFileMappingA(file, NULL, page_protection(access, false),
                                        (DWORD)(size >> 32), (DWORD)size, NULL);
    if (mapping == NULL) {
        return status_from_error(GetLastError());
    }
    *out = mapping;
    return STRATA_OK;
}

/* Reopens the file a header names; it must be the very file. */
static strata_status reopen_file(const shared_header *header, HANDLE *out_mapping)
{
    strata_access access = (strata_access)(header->flags & FLAG_ACCESS_MASK);
    DWORD rights = GENERIC_READ | ((access & STRATA_ACCESS_WRITE) ? GENERIC_WRITE : 0);
    HANDLE file = CreateFileA(header->path, rights, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        return GetLastError() == ERROR_ACCESS_DENIED ? STRATA_E_ACCESS_DENIED : STRATA_E_FILE_INVALID;
    }
    BY_HANDLE_FILE_INFORMATION info;
    LARGE_INTEGER size;
    strata_status status = STRATA_E_FILE_INVALID;
    if (GetFileInformationByHandle(file, &info) && GetFileSizeEx(file, &size) &&
        info.dwVolumeSerialNumber == header->volume_serial && info.nFileIndexHigh == header->index_high &&
        info.nFileIndexLow == header->index_low && (uint64_t)size.QuadPart >= header->size) {
        status = map_file(file, header->size, access, out_mapping);
    }
    /* The mapping holds the file open by itself. */
    CloseHandle(file);
    return status;
}

/* Waits for a header's maker to publish it; false when it never does. */
static bool wait_for_header(shared_header *header)
{
    for (int round = 0; round < WAIT_ROUNDS; round++) {
        if (InterlockedCompareExchange(&header->magic, 0, 0) == HEADER_MAGIC) {
            return true;
        }
        Sleep(1);
    }
    return false;
}

/* Opens the data of a named object whose header is published. */
static strata_status open_data(const char *name, const shared_header *header, HANDLE *out)
{
    if (header->flags & FLAG_FILE) {
        return reopen_file(header, out);
    }
    char data_name[256];
    make_os_name(name, 'd', data_name);
    HANDLE data = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, data_name);
    if (data == NULL) {
        /* Its last holder closed it after we found the header. */
        return STRATA_E_NOT_FOUND;
    }
    *out = data;
    return STRATA_OK;
}

/* What a new header says, besides its magic. */
typedef struct header_fill {
    uint64_t size;
    uint32_t tag;
    uint32_t flags;
    BY_HANDLE_FILE_INFORMATION file_info;
    const char *path; /* NULL unless file-backed */
} header_fill;

/*
 * Makes a named object, or opens the existing one. `file` is NULL for
 * memory (then the data "strata.d.<name>" is made here, with
 * `object_protect`), else the file-mapping object of a file, used when the
 * name is new. On success *out is complete.
 */
static strata_status claim_name(const char *name, const header_fill *fill, DWORD object_protect,
                                HANDLE file_mapping, strata_shared *out, bool *out_existed)
{
    char header_name[256], data_name[256];
    strata_status status = make_os_name(name, 'h', header_name);
    if (status != STRATA_OK) {
        return status;
    }
    make_os_name(name, 'd', data_name);
    for (int round = 0; round < WAIT_ROUNDS; round++) {
        HANDLE header_object = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                                  HEADER_SIZE, header_name);
        if (header_object == NULL) {
            return status_from_error(GetLastError());
        }
        bool existed = GetLastError() == ERROR_ALREADY_EXISTS;
        shared_header *header = MapViewOfFile(header_object, FILE_MAP_WRITE, 0, 0, HEADER_SIZE);
        if (header == NULL) {
            CloseHandle(header_object);
            return STRATA_E_NO_MEMORY;
        }
        HANDLE data = NULL;
        if (!existed) {
            if (file_mapping != NULL) {
                data = file_mapping;
            } else {
                data = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, object_protect,
                                          (DWORD)(round_to_page(fill->size) >> 32),
                                          (DWORD)round_to_page(fill->size), data_name);
                if (data == NULL) {
                    status = status_from_error(GetLastError());
                    UnmapViewOfFile(header);
                    CloseHandle(header_object);
                    return status;
                }
                if (GetLastError() == ERROR_ALREADY_EXISTS) {
                    /* A data object outlived its header: its holders are
                     * closing it (data first, then header). Try again. */
                    CloseHandle(data);
                    UnmapViewOfFile(header);
                    CloseHandle(header_object);
                    Sleep(1);
                    continue;
                }
            }
            header->flags = fill->flags;
            header->size = fill->size;
            header->tag = fill->tag;
            header->volume_serial = fill->file_info.dwVolumeSerialNumber;
            header->index_high = fill->file_info.nFileIndexHigh;
            header->index_low = fill->file_info.nFileIndexLow;
            if (fill->path != NULL) {
                memcpy(header->path, fill->path, strlen(fill->path) + 1);
            }
            InterlockedExchange(&header->magic, HEADER_MAGIC);
            status = STRATA_OK;
        } else if (!wait_for_header(header)) {
            status = STRATA_E_GEN_FAILURE;
        } else {
            status = open_data(name, header, &data);
        }
        if (status == STRATA_OK) {
            read_header(header, out);
            out->data = (intptr_t)data;
            out->name_object = (intptr_t)header_object;
            out->header = header;
            out->data_offset = 0;
            *out_existed = existed;
            return STRATA_OK;
        }
        UnmapViewOfFile(header);
        CloseHandle(header_object);
        if (status != STRATA_E_NOT_FOUND) {
            return status;
        }
        Sleep(1);
    }
    return STRATA_E_GEN_FAILURE;
}

static uint32_t header_flags(strata_access access, bool reserve, bool file_backed)
{
    return ((uint32_t)access & FLAG_ACCESS_MASK) | (reserve ? FLAG_RESERVE : 0u) |
           (file_backed ? FLAG_FILE : 0u);
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_shared_create(const char *name, uint64_t size, strata_access access,
                                            bool reserve, uint32_t tag, strata_shared *out,
                                            bool *out_existed)
{
    if (out == NULL || size == 0 || !access_is_valid(access)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_shared made;
    clear_record(&made);
    bool existed = false;
    DWORD object_protect = page_protection(access, false) | (reserve ? SEC_RESERVE : SEC_COMMIT);
    if (name == NULL || name[0] == '\0') {
        uint64_t bytes = round_to_page(size);
        HANDLE data = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, object_protect, (DWORD)(bytes >> 32),
                                         (DWORD)bytes, NULL);
        if (data == NULL) {
            return status_from_error(GetLastError());
        }
        made.data = (intptr_t)data;
        made.size = size;
        made.tag = tag;
        made.access = access;
        made.reserve = reserve;
    } else {
        header_fill fill = {size, tag, header_flags(access, reserve, false), {0}, NULL};
        strata_status status = claim_name(name, &fill, object_protect, NULL, &made, &existed);
        if (status != STRATA_OK) {
            return status;
        }
    }
    *out = made;
    if (out_existed != NULL) {
        *out_existed = existed;
    }
    return STRATA_OK;
}

strata_status strata_platform_shared_from_file(strata_native_file file, uint64_t size,
                                               strata_access access, const char *name,
                                               uint32_t tag, strata_shared *out, bool *out_existed)
{
    if (out == NULL || size == 0 || !access_is_valid(access)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    uint64_t file_size;
    strata_status status = strata_platform_file_size(file, &file_size);
    if (status != STRATA_OK) {
        return status;
    }
    if (file_size < size) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* CreateFileMapping checks the handle's rights against the protection. */
    HANDLE mapping;
    status = map_file((HANDLE)file, size, access, &mapping);
    if (status != STRATA_OK) {
        return status;
    }
    strata_shared made;
    clear_record(&made);
    bool existed = false;
    if (name != NULL && name[0] != '\0') {
        char path[sizeof ((shared_header *)NULL)->path];
        header_fill fill = {size, tag, header_flags(access, false, true), {0}, path};
        DWORD length = GetFinalPathNameByHandleA((HANDLE)file, path, sizeof path, FILE_NAME_NORMALIZED);
        if (length == 0 || length >= sizeof path || !GetFileInformationByHandle((HANDLE)file, &fill.file_info)) {
            CloseHandle(mapping);
            return STRATA_E_UNSUPPORTED;
        }
        status = claim_name(name, &fill, 0, mapping, &made, &existed);
        if (status != STRATA_OK || existed) {
            CloseHandle(mapping);
        }
        if (status != STRATA_OK) {
            return status;
        }
    } else {
        made.data = (intptr_t)mapping;
        made.size = size;
        made.tag = tag;
        made.access = access;
        made.file_backed = true;
    }
    *out = made;
    if (out_existed != NULL) {
        *out_existed = existed;
    }
    return STRATA_OK;
}

strata_status strata_platform_shared_open(const char *name, strata_shared *out)
{
    char header_name[256];
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_status status = make_os_name(name, 'h', header_name);
    if (status != STRATA_OK) {
        return status;
    }
    HANDLE header_object = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, header_name);
    if (header_object == NULL) {
        return STRATA_E_NOT_FOUND;
    }
    shared_header *header = MapViewOfFile(header_object, FILE_MAP_WRITE, 0, 0, HEADER_SIZE);
    if (header == NULL) {
        CloseHandle(header_object);
        return STRATA_E_NO_MEMORY;
    }
    HANDLE data = NULL;
    status = wait_for_header(header) ? open_data(name, header, &data) : STRATA_E_NOT_FOUND;
    if (status != STRATA_OK) {
        UnmapViewOfFile(header);
        CloseHandle(header_object);
        return status;
    }
    strata_shared found;
    clear_record(&found);
    read_header(header, &found);
    found.data = (intptr_t)data;
    found.name_object = (intptr_t)header_object;
    found.header = header;
    *out = found;
    return STRATA_OK;
}

void strata_platform_shared_inherit(strata_shared *shared)
{
    /* Windows has no fork; handles are counted by the OS. */
    (void)shared;
}

strata_status strata_platform_shared_close(strata_shared *shared)
{
    if (shared == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* Data first, then the header: while a header exists its data does. */
    if (shared->data != -1) {
        CloseHandle((HANDLE)shared->data);
    }
    if (shared->header != NULL) {
        UnmapViewOfFile(shared->header);
    }
    if (shared->name_object != -1) {
        CloseHandle((HANDLE)shared->name_object);
    }
    clear_record(shared);
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Views                                                                    */
/* ------------------------------------------------------------------------ */

/* Maps at a base aligned to `alignment` (above the granularity): find a
 * hole big enough, give it back and map into its aligned part; another
 * thread can take the hole in between, hence the retries. */
static void *map_aligned(HANDLE data, DWORD desired, uint64_t offset, SIZE_T bytes, size_t size,
                         size_t alignment)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        size_t padded = size + alignment;
        if (padded < size) {
            return NULL;
        }
        void *hole = VirtualAlloc(NULL, padded, MEM_RESERVE, PAGE_NOACCESS);
        if (hole == NULL) {
            return NULL;
        }
        VirtualFree(hole, 0, MEM_RELEASE);
        void *aligned = (void *)(((uintptr_t)hole + alignment - 1) & ~(uintptr_t)(alignment - 1));
        void *view = MapViewOfFileEx(data, desired, (DWORD)(offset >> 32), (DWORD)offset, bytes, aligned);
        if (view != NULL) {
            return view;
        }
    }
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
}

strata_status strata_platform_shared_map(const strata_shared *shared, uint64_t offset, size_t size,
                                         strata_access access, bool copy_on_write, size_t alignment,
                                         void *address, void **out_base)
{
    const strata_platform_info *info = strata_platform_get_info();
    if (shared == NULL || out_base == NULL || shared->data == -1 || size == 0 ||
        (size & (info->page_size - 1)) != 0 || offset % info->allocation_granularity != 0 ||
        offset > round_to_page(shared->size) || size > round_to_page(shared->size) - offset) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (alignment == 0) {
        alignment = info->allocation_granularity;
    }
    if ((alignment & (alignment - 1)) != 0 || alignment % info->allocation_granularity != 0 ||
        strata__platform_check_access(access) != STRATA_OK) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_access allowed = shared->access | (copy_on_write ? STRATA_ACCESS_WRITE : 0);
    if ((access & ~allowed) != 0) {
        return STRATA_E_ACCESS_DENIED;
    }
    if (address != NULL && ((uintptr_t)address & (info->allocation_granularity - 1)) != 0) {
        return STRATA_E_INVALID_ADDRESS;
    }
    /* An inaccessible view is mapped readable, then narrowed below. */
    DWORD desired = copy_on_write ? FILE_MAP_COPY
                    : (access & STRATA_ACCESS_WRITE) ? FILE_MAP_WRITE
                                                     : FILE_MAP_READ;
    if (access & STRATA_ACCESS_EXECUTE) {
        desired |= FILE_MAP_EXECUTE;
    }
    /* A view may not reach past the object's last byte; Windows rounds the
     * view itself up to whole pages. */
    uint64_t available = shared->size - offset;
    SIZE_T bytes = (SIZE_T)(size < available ? size : available);
    void *view;
    if (address != NULL || alignment == info->allocation_granularity) {
        view = MapViewOfFileEx((HANDLE)shared->data, desired, (DWORD)(offset >> 32), (DWORD)offset,
                               bytes, address);
    } else {
        view = map_aligned((HANDLE)shared->data, desired, offset, bytes, size, alignment);
    }
    if (view == NULL) {
        DWORD error = GetLastError();
        if (address != NULL && (error == ERROR_INVALID_ADDRESS || error == ERROR_INVALID_PARAMETER)) {
            return STRATA_E_CONFLICTING_ADDRESS;
        }
        return status_from_error(error);
    }
    /* Views come mapped with the access of their FILE_MAP_* right; two need
     * less: inaccessible views, and copy-on-write views whose caller asked
     * for no write access (FILE_MAP_COPY pages take writes at once, and the
     * caller wants the first write to fault and to decide). */
    DWORD narrower = 0;
    if (access == STRATA_ACCESS_NONE) {
        narrower = PAGE_NOACCESS;
    } else if (copy_on_write && !(access & STRATA_ACCESS_WRITE)) {
        narrower = (access & STRATA_ACCESS_EXECUTE) ? PAGE_EXECUTE_READ : PAGE_READONLY;
    }
    DWORD previous;
    if (narrower != 0 && !shared->reserve && !VirtualProtect(view, size, narrower, &previous)) {
        strata_status status = status_from_error(GetLastError());
        UnmapViewOfFile(view);
        return status;
    }
    *out_base = view;
    return STRATA_OK;
}

strata_status strata_platform_shared_unmap(void *base, size_t size)
{
    strata_status status = strata__platform_check_range(base, size);
    if (status != STRATA_OK) {
        return status;
    }
    MEMORY_BASIC_INFORMATION region;
    if (VirtualQuery(base, &region, sizeof region) == 0 || region.Type != MEM_MAPPED ||
        region.AllocationBase != base || !UnmapViewOfFile(base)) {
        return STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_shared_flush(const void *address, size_t size)
{
    if (address == NULL) {
        return STRATA_E_INVALID_ADDRESS;
    }
    /* Size 0 would mean "to the end of the view" to Windows; here it means
     * the page holding the address, as for the other range calls. */
    if (!FlushViewOfFile(address, size == 0 ? 1 : size)) {
        return STRATA_E_INVALID_ADDRESS;
    }
    return STRATA_OK;
}

strata_status strata_platform_view_commit(void *address, size_t size, strata_access access,
                                          bool copy_on_write)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status == STRATA_OK) {
        status = strata__platform_check_access(access);
    }
    if (status != STRATA_OK) {
        return status;
    }
    DWORD protect = page_protection(access, copy_on_write);
    if (VirtualAlloc(address, size, MEM_COMMIT, protect) != NULL) {
        return STRATA_OK;
    }
    /* Views of committed objects refuse MEM_COMMIT on some systems: their
     * pages are committed already, so only the protection is left to set. */
    DWORD previous;
    if (!VirtualProtect(address, size, protect, &previous)) {
        return status_from_error(GetLastError());
    }
    return STRATA_OK;
}

strata_status strata_platform_view_privatize(void *address, size_t size, strata_access access)
{
    strata_status status = strata__platform_check_privatize(address, size, access);
    if (status != STRATA_OK) {
        return status;
    }
    /* Windows copies a WRITECOPY page itself, at its next write. */
    DWORD protect = (access & STRATA_ACCESS_EXECUTE) ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
    DWORD previous;
    if (!VirtualProtect(address, size, protect, &previous)) {
        return status_from_error(GetLastError());
    }
    return STRATA_OK;
}
