/* SPDX-License-Identifier: MIT */
/*
 * platform/posix_shared.c — shared memory and file mappings on POSIX:
 * memfd_create or shm_open objects, named ones with a header that records
 * which processes hold the name, views with mmap, msync to flush.
 */
#define _GNU_SOURCE /* memfd_create, MAP_FIXED_NOREPLACE */

#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0
#endif

#define HOLDER_SLOTS 1014

/*
 * The start of a named object, the same in every process that maps it.
 * `magic` is stored last by the maker, with release order, so a reader that
 * sees it (acquire) sees the rest.
 *
 * Holds: `state` counts them, and becomes STATE_CLOSED, never to change
 * again, when the last one goes; whoever closes it unlinks the name. Each
 * hold also records its process in a slot of `holders`, so that the holds
 * of a process that ended without closing (a crash, a forked child that
 * exited) can be found (kill(pid, 0) says ESRCH) and dropped by the next
 * process that joins or lets go: the name then goes as on Windows, where
 * the OS closes a dead process's handles.
 */
typedef struct shared_header {
    uint32_t magic;
    uint32_t state;
    uint64_t size;
    uint32_t tag;
    uint32_t flags;
    uint64_t file_device;
    uint64_t file_inode;
    char path[4096];
    int32_t holders[HOLDER_SLOTS]; /* a hold's process; 0 for a free slot */
} shared_header;

_Static_assert(sizeof(shared_header) == 8192, "the header is two 4 KiB pages");

#define HEADER_MAGIC 0x48535453u /* "STSH" */
#define STATE_CLOSED 0x80000000u
#define NO_SLOT UINT32_MAX
#define FLAG_ACCESS_MASK 0x7u
#define FLAG_RESERVE 0x8u
#define FLAG_FILE 0x10u

/* How long to wait for another process to finish making or removing an object. */
#define WAIT_ROUNDS 5000 /* of 1 ms */

#define MAX_ESCAPED_NAME 200

static void pause_briefly(void)
{
    struct timespec delay = {0, 1000000};
    nanosleep(&delay, NULL);
}

static size_t page_size(void)
{
    return strata_platform_get_info()->page_size;
}

static uint64_t round_to_page(uint64_t size)
{
    uint64_t page = page_size();
    return (size + page - 1) & ~(page - 1);
}

/* The header's bytes in the object: whole pages, so the data can be mapped. */
static size_t header_bytes(void)
{
    return (size_t)round_to_page(sizeof(shared_header));
}

static strata_status status_from_errno(int error)
{
    switch (error) {
    case EACCES:
    case EPERM:
        return STRATA_E_ACCESS_DENIED;
    case EEXIST:
        return STRATA_E_CONFLICTING_ADDRESS;
    case EINVAL:
        return STRATA_E_INVALID_PARAMETER;
    case EBADF:
        return STRATA_E_INVALID_HANDLE;
    case EMFILE:
    case ENFILE:
        return STRATA_E_RESOURCE_EXHAUSTED;
    default:
        return STRATA_E_NO_MEMORY;
    }
}

/*
 * "/strata.<name>", with '/' (which shm names cannot hold past the first)
 * and '%' (so that escaping stays one-to-one) written as %2F and %25.
 */
static strata_status make_os_name(const char *name, char out[256])
{
    static const char prefix[] = "/strata.";
    if (name == NULL || name[0] == '\0') {
        return STRATA_E_INVALID_PARAMETER;
    }
    size_t used = sizeof prefix - 1;
    memcpy(out, prefix, used);
    for (const char *c = name; *c != '\0'; c++) {
        if (used + 3 > sizeof prefix - 1 + MAX_ESCAPED_NAME) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (*c == '/' || *c == '%') {
            out[used++] = '%';
            out[used++] = '2';
            out[used++] = *c == '/' ? 'F' : '5';
        } else {
            out[used++] = *c;
        }
    }
    out[used] = '\0';
    return STRATA_OK;
}

static bool file_is_open(strata_native_file file)
{
    return file >= 0 && file <= INT_MAX && fcntl((int)file, F_GETFL) != -1;
}

static void clear_record(strata_shared *out)
{
    memset(out, 0, sizeof *out);
    out->data = -1;
    out->name_object = -1;
    out->hold = NO_SLOT;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_file_size(strata_native_file file, uint64_t *out_size)
{
    if (out_size == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    struct stat info;
    if (file < 0 || file > INT_MAX || fstat((int)file, &info) != 0) {
        return STRATA_E_INVALID_HANDLE;
    }
    *out_size = (uint64_t)info.st_size;
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
    if ((fcntl((int)file, F_GETFL) & O_ACCMODE) == O_RDONLY) {
        return STRATA_E_ACCESS_DENIED;
    }
    if (size > (uint64_t)INT64_MAX) {
        return STRATA_E_NO_MEMORY;
    }
    /* ftruncate extends with a hole, which reads as zero. */
    if (ftruncate((int)file, (off_t)size) != 0) {
        return errno == EBADF || errno == EINVAL ? STRATA_E_ACCESS_DENIED : STRATA_E_NO_MEMORY;
    }
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Named objects                                                            */
/* ------------------------------------------------------------------------ */

/* Fills *out from a header whose magic has been seen. */
static void read_header(const shared_header *header, strata_shared *out)
{
    out->size = header->size;
    out->tag = header->tag;
    out->access = (strata_access)(header->flags & FLAG_ACCESS_MASK);
    out->reserve = (header->flags & FLAG_RESERVE) != 0;
    out->file_backed = (header->flags & FLAG_FILE) != 0;
}

/* Reopens the file a file-backed header names; it must be the very file. */
static strata_status reopen_file(const shared_header *header, int *out_fd)
{
    int mode = (header->flags & STRATA_ACCESS_WRITE) ? O_RDWR : O_RDONLY;
    int fd = open(header->path, mode | O_CLOEXEC);
    if (fd < 0) {
        return errno == EACCES || errno == EPERM ? STRATA_E_ACCESS_DENIED : STRATA_E_FILE_INVALID;
    }
    struct stat info;
    if (fstat(fd, &info) != 0 || (uint64_t)info.st_dev != header->file_device ||
        (uint64_t)info.st_ino != header->file_inode || (uint64_t)info.st_size < header->size) {
        close(fd);
        return STRATA_E_FILE_INVALID;
    }
    *out_fd = fd;
    return STRATA_OK;
}

/* Counts one more hold; false when the object is closed. */
static bool add_hold(shared_header *header)
{
    uint32_t state = __atomic_load_n(&header->state, __ATOMIC_ACQUIRE);
    do {
        if (state & STATE_CLOSED) {
            return false;
        }
    } while (!__atomic_compare_exchange_n(&header->state, &state, state + 1, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return true;
}

/* Counts one hold less; true when it was the last, which closes the object. */
static bool drop_hold(shared_header *header)
{
    uint32_t state = __atomic_load_n(&header->state, __ATOMIC_ACQUIRE);
    uint32_t next;
    do {
        next = state == 1 ? STATE_CLOSED : state - 1;
    } while (!__atomic_compare_exchange_n(&header->state, &state, next, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return next == STATE_CLOSED;
}

/* Records this process in a free slot: its index, or NO_SLOT when all are taken. */
static uint32_t take_slot(shared_header *header)
{
    int32_t self = (int32_t)getpid();
    for (uint32_t i = 0; i < HOLDER_SLOTS; i++) {
        int32_t expected = 0;
        if (__atomic_load_n(&header->holders[i], __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&header->holders[i], &expected, self, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            return i;
        }
    }
    return NO_SLOT;
}

/* Drops the holds of processes that ended without letting go; unlinks the
 * name when that closes the object. */
static void drop_dead_holders(shared_header *header, const char *os_name)
{
    for (uint32_t i = 0; i < HOLDER_SLOTS; i++) {
        int32_t pid = __atomic_load_n(&header->holders[i], __ATOMIC_ACQUIRE);
        if (pid == 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
            continue;
        }
        if (__atomic_compare_exchange_n(&header->holders[i], &pid, 0, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED) &&
            drop_hold(header)) {
            shm_unlink(os_name);
            return;
        }
    }
}

/* Takes a hold for this process into *out_slot. STRATA_E_NOT_FOUND when
 * the object is closed; STRATA_E_RESOURCE_EXHAUSTED when its slots are full. */
static strata_status take_hold(shared_header *header, const char *os_name, uint32_t *out_slot)
{
    drop_dead_holders(header, os_name);
    if (!add_hold(header)) {
        return STRATA_E_NOT_FOUND;
    }
    uint32_t slot = take_slot(header);
    if (slot == NO_SLOT) {
        if (drop_hold(header)) {
            shm_unlink(os_name);
        }
        return STRATA_E_RESOURCE_EXHAUSTED;
    }
    *out_slot = slot;
    return STRATA_OK;
}

/* Lets go of this process's hold in `slot`, and the name with the last hold. */
static void release_hold(shared_header *header, const char *os_name, uint32_t slot)
{
    int32_t self = (int32_t)getpid();
    if (slot < HOLDER_SLOTS &&
        __atomic_compare_exchange_n(&header->holders[slot], &self, 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED) &&
        drop_hold(header)) {
        shm_unlink(os_name);
        return;
    }
    drop_dead_holders(header, os_name);
}

/*
 * Opens the existing object `os_name` and takes a hold on it.
 * STRATA_E_NOT_FOUND when there is none or it is going away;
 * STRATA_E_GEN_FAILURE when its maker never finished it.
 */
static strata_status join_named(const char *os_name, strata_shared *out)
{
    int fd = shm_open(os_name, O_RDWR, 0);
    if (fd < 0) {
        return errno == ENOENT ? STRATA_E_NOT_FOUND : status_from_errno(errno);
    }
    /* Its maker sizes it, then fills the header, then publishes the magic. */
    shared_header *header = MAP_FAILED;
    for (int round = 0; round < WAIT_ROUNDS; round++) {
        struct stat info;
        if (header == MAP_FAILED && fstat(fd, &info) == 0 && (size_t)info.st_size >= header_bytes()) {
            header = mmap(NULL, sizeof *header, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (header == MAP_FAILED) {
                close(fd);
                return STRATA_E_NO_MEMORY;
            }
        }
        if (header != MAP_FAILED && __atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) == HEADER_MAGIC) {
            break;
        }
        /* A maker that died before publishing leaves its pid in slot 0: the
         * one joiner that closes the half-made object removes its name, and
         * the name is free again. */
        int32_t maker = header != MAP_FAILED ? __atomic_load_n(&header->holders[0], __ATOMIC_ACQUIRE) : 0;
        if (maker != 0) {
            uint32_t made = 1;
            bool closed = (__atomic_load_n(&header->state, __ATOMIC_ACQUIRE) & STATE_CLOSED) != 0;
            if (!closed && kill((pid_t)maker, 0) != 0 && errno == ESRCH &&
                __atomic_compare_exchange_n(&header->state, &made, STATE_CLOSED, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED)) {
                shm_unlink(os_name);
                closed = true;
            }
            if (closed) {
                munmap(header, sizeof *header);
                close(fd);
                return STRATA_E_NOT_FOUND;
            }
        }
        pause_briefly();
    }
    if (header == MAP_FAILED || __atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) != HEADER_MAGIC) {
        if (header != MAP_FAILED) {
            munmap(header, sizeof *header);
        }
        close(fd);
        return STRATA_E_GEN_FAILURE;
    }
    uint32_t slot;
    strata_status status = take_hold(header, os_name, &slot);
    int file_fd = -1;
    if (status == STRATA_OK && (header->flags & FLAG_FILE)) {
        status = reopen_file(header, &file_fd);
        if (status != STRATA_OK) {
            release_hold(header, os_name, slot);
        }
    }
    if (status != STRATA_OK) {
        munmap(header, sizeof *header);
        close(fd);
        return status;
    }
    read_header(header, out);
    out->header = header;
    out->name_object = fd;
    out->hold = slot;
    out->data = file_fd >= 0 ? file_fd : fd;
    out->data_offset = file_fd >= 0 ? 0 : header_bytes();
    return STRATA_OK;
}

/* What a new header says, besides its magic and holds. */
typedef struct header_fill {
    uint64_t size;
    uint32_t tag;
    uint32_t flags;
    uint64_t file_device;
    uint64_t file_inode;
    const char *path; /* NULL unless file-backed */
} header_fill;

/*
 * Makes the object `os_name` with `data_bytes` after its header page, or
 * joins the one that exists. On success *out names the header; the caller
 * sets its data when *out_existed is false.
 */
static strata_status claim_name(const char *os_name, uint64_t data_bytes, const header_fill *fill,
                                strata_shared *out, bool *out_existed)
{
    for (int round = 0; round < WAIT_ROUNDS; round++) {
        int fd = shm_open(os_name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            shared_header *header = MAP_FAILED;
            if (ftruncate(fd, (off_t)(header_bytes() + data_bytes)) == 0) {
                header = mmap(NULL, sizeof *header, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            }
            if (header == MAP_FAILED) {
                shm_unlink(os_name);
                close(fd);
                return STRATA_E_NO_MEMORY;
            }
            /* The count before the pid: a joiner that sees the pid sees the count. */
            __atomic_store_n(&header->state, 1u, __ATOMIC_RELAXED);
            __atomic_store_n(&header->holders[0], (int32_t)getpid(), __ATOMIC_RELEASE);
            header->size = fill->size;
            header->tag = fill->tag;
            header->flags = fill->flags;
            header->file_device = fill->file_device;
            header->file_inode = fill->file_inode;
            if (fill->path != NULL) {
                memcpy(header->path, fill->path, strlen(fill->path) + 1);
            }
            __atomic_store_n(&header->magic, HEADER_MAGIC, __ATOMIC_RELEASE);
            read_header(header, out);
            out->header = header;
            out->name_object = fd;
            out->hold = 0;
            *out_existed = false;
            return STRATA_OK;
        }
        if (errno != EEXIST) {
            return status_from_errno(errno);
        }
        strata_status status = join_named(os_name, out);
        if (status == STRATA_OK) {
            *out_existed = true;
            return STRATA_OK;
        }
        if (status != STRATA_E_NOT_FOUND) {
            return status;
        }
        /* It went away between the two calls, or is going: make it anew. */
        pause_briefly();
    }
    return STRATA_E_GEN_FAILURE;
}

static uint32_t header_flags(strata_access access, bool reserve, bool file_backed)
{
    return ((uint32_t)access & FLAG_ACCESS_MASK) | (reserve ? FLAG_RESERVE : 0u) |
           (file_backed ? FLAG_FILE : 0u);
}

static bool access_is_valid(strata_access access)
{
    return (access & STRATA_ACCESS_READ) && (access & ~(unsigned)FLAG_ACCESS_MASK) == 0;
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */
/* ------------------------------------------------------------------------ */

/* An anonymous memory object of `bytes`, as a descriptor. */
static strata_status make_anonymous(uint64_t bytes, int *out_fd)
{
#if defined(__linux__)
    int fd = memfd_create("strata", MFD_CLOEXEC);
#else
    /* A unique name, unlinked at once: only the descriptor keeps it. */
    static uint32_t counter;
    char os_name[64];
    strata_format(os_name, sizeof os_name, "/strata.anonymous.%d.%u", (int)getpid(),
                  __atomic_fetch_add(&counter, 1u, __ATOMIC_RELAXED));
    int fd = shm_open(os_name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        shm_unlink(os_name);
    }
#endif
    if (fd < 0) {
        return status_from_errno(errno);
    }
    if (ftruncate(fd, (off_t)bytes) != 0) {
        close(fd);
        return STRATA_E_NO_MEMORY;
    }
    *out_fd = fd;
    return STRATA_OK;
}

strata_status strata_platform_shared_create(const char *name, uint64_t size, strata_access access,
                                            bool reserve, uint32_t tag, strata_shared *out,
                                            bool *out_existed)
{
    if (out == NULL || size == 0 || !access_is_valid(access) || size > (uint64_t)INT64_MAX / 2) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_shared made;
    clear_record(&made);
    bool existed = false;
    uint64_t bytes = round_to_page(size);
    if (name == NULL || name[0] == '\0') {
        int fd = -1;
        strata_status status = make_anonymous(bytes, &fd);
        if (status != STRATA_OK) {
            return status;
        }
        made.data = fd;
        made.size = size;
        made.tag = tag;
        made.access = access;
        made.reserve = reserve;
    } else {
        strata_status status = make_os_name(name, made.os_name);
        if (status != STRATA_OK) {
            return status;
        }
        header_fill fill = {size, tag, header_flags(access, reserve, false), 0, 0, NULL};
        status = claim_name(made.os_name, bytes, &fill, &made, &existed);
        if (status != STRATA_OK) {
            return status;
        }
        if (!existed) {
            made.data = made.name_object;
            made.data_offset = header_bytes();
        }
    }
    *out = made;
    if (out_existed != NULL) {
        *out_existed = existed;
    }
    return STRATA_OK;
}

/* The path of an open descriptor, for other processes to reopen it by. */
static bool path_of(int fd, char *out, size_t capacity)
{
#if defined(__linux__)
    char link[64];
    strata_format(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, out, capacity - 1);
    if (length <= 0 || (size_t)length >= capacity - 1) {
        return false;
    }
    out[length] = '\0';
    return true;
#elif defined(F_GETPATH)
    char path[PATH_MAX];
    if (fcntl(fd, F_GETPATH, path) != 0 || strlen(path) >= capacity) {
        return false;
    }
    memcpy(out, path, strlen(path) + 1);
    return true;
#else
    (void)fd;
    (void)out;
    (void)capacity;
    return false;
#endif
}

strata_status strata_platform_shared_from_file(strata_native_file file, uint64_t size,
                                               strata_access access, const char *name,
                                               uint32_t tag, strata_shared *out, bool *out_existed)
{
    if (out == NULL || size == 0 || !access_is_valid(access)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (!file_is_open(file)) {
        return STRATA_E_INVALID_HANDLE;
    }
    int fd = (int)file;
    int mode = fcntl(fd, F_GETFL) & O_ACCMODE;
    if (mode == O_WRONLY || ((access & STRATA_ACCESS_WRITE) && mode != O_RDWR)) {
        return STRATA_E_ACCESS_DENIED;
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        return STRATA_E_INVALID_HANDLE;
    }
    if ((uint64_t)info.st_size < size) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_shared made;
    clear_record(&made);
    bool existed = false;
    if (name != NULL && name[0] != '\0') {
        strata_status status = make_os_name(name, made.os_name);
        if (status != STRATA_OK) {
            return status;
        }
        char path[sizeof ((shared_header *)NULL)->path];
        if (!path_of(fd, path, sizeof path)) {
            return STRATA_E_UNSUPPORTED;
        }
        header_fill fill = {size, tag, header_flags(access, false, true), (uint64_t)info.st_dev,
                            (uint64_t)info.st_ino, path};
        status = claim_name(made.os_name, 0, &fill, &made, &existed);
        if (status != STRATA_OK) {
            return status;
        }
    } else {
        made.size = size;
        made.tag = tag;
        made.access = access;
        made.file_backed = true;
    }
    if (!existed) {
        /* Our own descriptor, so that the caller may close theirs. */
        made.data = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (made.data < 0) {
            strata_status status = status_from_errno(errno);
            if (made.header != NULL) {
                release_hold(made.header, made.os_name, made.hold);
                munmap(made.header, sizeof(shared_header));
                close((int)made.name_object);
            }
            return status;
        }
    }
    *out = made;
    if (out_existed != NULL) {
        *out_existed = existed;
    }
    return STRATA_OK;
}

strata_status strata_platform_shared_open(const char *name, strata_shared *out)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_shared found;
    clear_record(&found);
    strata_status status = make_os_name(name, found.os_name);
    if (status == STRATA_OK) {
        status = join_named(found.os_name, &found);
    }
    if (status == STRATA_OK) {
        *out = found;
    }
    return status;
}

void strata_platform_shared_inherit(strata_shared *shared)
{
    if (shared == NULL || shared->header == NULL) {
        return;
    }
    /* The parent's hold stays the parent's; the child takes its own. When
     * it cannot, its copy lets go of nothing. */
    shared_header *header = shared->header;
    shared->hold = NO_SLOT;
    if (add_hold(header)) {
        shared->hold = take_slot(header);
        if (shared->hold == NO_SLOT && drop_hold(header)) {
            shm_unlink(shared->os_name);
        }
    }
}

strata_status strata_platform_shared_close(strata_shared *shared)
{
    if (shared == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (shared->header != NULL) {
        release_hold(shared->header, shared->os_name, shared->hold);
        munmap(shared->header, sizeof(shared_header));
    }
    if (shared->name_object >= 0 && shared->name_object != shared->data) {
        close((int)shared->name_object);
    }
    if (shared->data >= 0) {
        close((int)shared->data);
    }
    clear_record(shared);
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Views                                                                    */
/* ------------------------------------------------------------------------ */

strata_status strata_platform_shared_map(const strata_shared *shared, uint64_t offset, size_t size,
                                         strata_access access, bool copy_on_write, size_t alignment,
                                         void *address, void **out_base)
{
    const strata_platform_info *info = strata_platform_get_info();
    if (shared == NULL || out_base == NULL || shared->data < 0 || size == 0 ||
        (size & (info->page_size - 1)) != 0 || offset % info->allocation_granularity != 0 ||
        offset > round_to_page(shared->size) || size > round_to_page(shared->size) - offset) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (strata__platform_check_access(access) != STRATA_OK) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* A private copy may be written even where the object may not. */
    strata_access allowed = shared->access | (copy_on_write ? STRATA_ACCESS_WRITE : 0);
    if ((access & ~allowed) != 0) {
        return STRATA_E_ACCESS_DENIED;
    }
    int prot = shared->reserve ? PROT_NONE : strata__posix_protection_bits(access);
    int flags = copy_on_write ? MAP_PRIVATE : MAP_SHARED;
    off_t position = (off_t)(shared->data_offset + offset);

    if (address != NULL) {
        if (((uintptr_t)address & (info->page_size - 1)) != 0) {
            return STRATA_E_INVALID_ADDRESS;
        }
        void *got = mmap(address, size, prot, flags | MAP_FIXED_NOREPLACE, (int)shared->data, position);
        if (got == MAP_FAILED) {
            return status_from_errno(errno);
        }
        /* Without MAP_FIXED_NOREPLACE the kernel treats the address as a hint. */
        if (got != address) {
            munmap(got, size);
            return STRATA_E_CONFLICTING_ADDRESS;
        }
        *out_base = got;
        return STRATA_OK;
    }
    /* Reserve an aligned range, then map the object over it. */
    void *base = NULL;
    strata_status status = strata_platform_reserve(size, alignment, NULL, &base);
    if (status != STRATA_OK) {
        return status;
    }
    if (mmap(base, size, prot, flags | MAP_FIXED, (int)shared->data, position) == MAP_FAILED) {
        status = status_from_errno(errno);
        strata_platform_release(base, size);
        return status;
    }
    *out_base = base;
    return STRATA_OK;
}

strata_status strata_platform_shared_unmap(void *base, size_t size)
{
    /* A view is a mapping like any other on POSIX: munmap it. */
    return strata_platform_release(base, size);
}

strata_status strata_platform_shared_flush(const void *address, size_t size)
{
    uintptr_t page = page_size();
    uintptr_t start = (uintptr_t)address & ~(page - 1);
    uintptr_t end = (uintptr_t)address + (size == 0 ? 1 : size);
    if (address == NULL || end < start) {
        return STRATA_E_INVALID_ADDRESS;
    }
    end = (end + page - 1) & ~(page - 1);
    /* MS_ASYNC starts the write-back, as FlushViewOfFile does; on Linux the
     * mapped pages are the file's cache, so read() already sees them. */
    if (msync((void *)start, end - start, MS_ASYNC) != 0) {
        return errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
    }
    return STRATA_OK;
}

strata_status strata_platform_view_commit(void *address, size_t size, strata_access access,
                                          bool copy_on_write)
{
    /* Shared pages are backed in the object on first touch, and a private
     * mapping copies on write by itself: access is all there is to set. */
    (void)copy_on_write;
    strata_status status = strata__platform_check_range(address, size);
    if (status == STRATA_OK) {
        status = strata__platform_check_access(access);
    }
    if (status != STRATA_OK) {
        return status;
    }
    if (mprotect(address, size, strata__posix_protection_bits(access)) != 0) {
        return errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
    }
    return STRATA_OK;
}

strata_status strata_platform_view_privatize(void *address, size_t size, strata_access access)
{
    strata_status status = strata__platform_check_privatize(address, size, access);
    if (status != STRATA_OK) {
        return status;
    }
    /* The copy is made aside and then put in the view's place, so that the
     * pages never read as anything but their contents. */
    void *copy = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED) {
        return STRATA_E_NO_MEMORY;
    }
    /* The pages may be inaccessible until now (a NOACCESS page turned WRITECOPY). */
    if (mprotect(address, size, PROT_READ) != 0) {
        status = errno == ENOMEM ? STRATA_E_INVALID_ADDRESS : status_from_errno(errno);
        munmap(copy, size);
        return status;
    }
    memcpy(copy, address, size);
    int protection = strata__posix_protection_bits(access);
    if (mprotect(copy, size, protection) != 0) {
        status = status_from_errno(errno);
        munmap(copy, size);
        return status;
    }
#if defined(__linux__)
    if (mremap(copy, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, address) == MAP_FAILED) {
        status = status_from_errno(errno);
        munmap(copy, size);
        return status;
    }
#else
    /* No atomic move here: a private page first, filled from the copy. */
    if (mmap(address, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
        MAP_FAILED) {
        status = status_from_errno(errno);
        munmap(copy, size);
        return status;
    }
    memcpy(address, copy, size);
    munmap(copy, size);
    if (mprotect(address, size, protection) != 0) {
        return status_from_errno(errno);
    }
#endif
    return STRATA_OK;
}
