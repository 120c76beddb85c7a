/* SPDX-License-Identifier: MIT */
/*
 * vmm/section.c — sections (CreateFileMapping, MapViewOfFile): section
 * objects shared by handles and views, views as MEM_MAPPED regions of the
 * region tree, SEC_RESERVE commits seen through every view, and names found
 * in this process or, through the platform's named objects, in others.
 */
#include "internal.h"

#include <string.h>

/* A handle's state word: live, or closed (kept for reuse, never freed, so
 * that closing it again is seen rather than touching freed memory). */
#define HANDLE_LIVE 0x54434553u   /* "SECT" */
#define HANDLE_CLOSED 0x44534F4Cu /* "LOSD" */

/* FILE_MAP_* rights a handle may hold. SECTION_MAP_EXECUTE (0x8) is part of
 * FILE_MAP_ALL_ACCESS and grants execute as FILE_MAP_EXECUTE does. */
#define RIGHT_READ STRATA_FILE_MAP_READ
#define RIGHT_WRITE STRATA_FILE_MAP_WRITE
#define RIGHTS_EXECUTE (0x8u | STRATA_FILE_MAP_EXECUTE)
#define RIGHTS_ALL (STRATA_FILE_MAP_ALL_ACCESS | STRATA_FILE_MAP_EXECUTE)

/* One view of a section, in the section's list of views. */
typedef struct view_link {
    vmm_region *region;
    struct view_link *next;
} view_link;

/*
 * A section: alive while a handle or a view refers to it. The platform's
 * object (and with it the name) is let go with the last handle; views keep
 * their pages mapped without it.
 */
struct section_object {
    strata_shared shared;      /* valid while handles > 0 */
    uint64_t size;             /* bytes */
    uint32_t protect;          /* the section's PAGE_* protection */
    bool reserve;              /* SEC_RESERVE memory: pages committed through views */
    bool file_backed;
    uint32_t page_modifier;    /* PAGE_NOCACHE or PAGE_WRITECOMBINE from SEC_*, else 0 */
    size_t handles;
    size_t view_count;
    view_link *views;
    uint8_t *committed;        /* SEC_RESERVE: one bit per section page */
    char *name;                /* while named and a handle is open, else NULL */
    size_t name_bytes;
    struct section_object *next_named;
};

/* A handle (strata_section *): one per create or open. */
struct strata_section {
    uint32_t state;
    uint32_t rights;           /* FILE_MAP_* */
    struct section_object *object;
    struct strata_section *next_free;
};

/* Named sections with an open handle in this process; under the vmm lock. */
static struct section_object *named_sections;
/* Closed handles, for reuse. */
static struct strata_section *free_handles;

/* ------------------------------------------------------------------------ */
/* Protections and rights                                                   */
/* ------------------------------------------------------------------------ */

static uint32_t base_protect(uint32_t protect)
{
    return protect & 0xFFu;
}

static bool is_writecopy(uint32_t protect)
{
    uint32_t base = base_protect(protect);
    return base == STRATA_PAGE_WRITECOPY || base == STRATA_PAGE_EXECUTE_WRITECOPY;
}

static bool section_protect_is_valid(uint32_t protect)
{
    switch (protect) {
    case STRATA_PAGE_READONLY:
    case STRATA_PAGE_READWRITE:
    case STRATA_PAGE_WRITECOPY:
    case STRATA_PAGE_EXECUTE_READ:
    case STRATA_PAGE_EXECUTE_READWRITE:
    case STRATA_PAGE_EXECUTE_WRITECOPY:
        return true;
    default:
        return false;
    }
}

static bool protect_writes(uint32_t protect)
{
    return protect == STRATA_PAGE_READWRITE || protect == STRATA_PAGE_EXECUTE_READWRITE;
}

static bool protect_executes(uint32_t protect)
{
    uint32_t base = base_protect(protect);
    return base == STRATA_PAGE_EXECUTE_READ || base == STRATA_PAGE_EXECUTE_READWRITE ||
           base == STRATA_PAGE_EXECUTE_WRITECOPY || base == STRATA_PAGE_EXECUTE;
}

/* The most a view of a section with this protection may do, for the OS.
 * The WRITECOPY forms make the object itself read-only. */
static strata_access section_access(uint32_t protect)
{
    strata_access access = STRATA_ACCESS_READ;
    if (protect_writes(protect)) {
        access |= STRATA_ACCESS_WRITE;
    }
    if (protect_executes(protect)) {
        access |= STRATA_ACCESS_EXECUTE;
    }
    return access;
}

/* The view protection MapViewOfFile gives an access. */
static uint32_t view_protection(uint32_t access)
{
    bool execute = (access & STRATA_FILE_MAP_EXECUTE) != 0;
    uint32_t rest = access & ~STRATA_FILE_MAP_EXECUTE;
    if (rest == STRATA_FILE_MAP_COPY) {
        return execute ? STRATA_PAGE_EXECUTE_WRITECOPY : STRATA_PAGE_WRITECOPY;
    }
    if (rest & STRATA_FILE_MAP_WRITE) {
        return execute ? STRATA_PAGE_EXECUTE_READWRITE : STRATA_PAGE_READWRITE;
    }
    if (rest & STRATA_FILE_MAP_READ) {
        return execute ? STRATA_PAGE_EXECUTE_READ : STRATA_PAGE_READONLY;
    }
    return STRATA_PAGE_NOACCESS;
}

/*
 * Whether a handle with `rights` may map a view with protection `view` of a
 * section with protection `section`: writing views need the write right and
 * a writable section, executable ones the execute right and an EXECUTE_*
 * section, every other view the read right.
 */
static bool view_is_allowed(uint32_t rights, uint32_t section, uint32_t view)
{
    if (protect_writes(view)) {
        if (!(rights & RIGHT_WRITE) || !protect_writes(section)) {
            return false;
        }
    } else if (!(rights & RIGHT_READ)) {
        return false;
    }
    if (protect_executes(view) && (!(rights & RIGHTS_EXECUTE) || !protect_executes(section))) {
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Section objects and handles (vmm lock held)                              */
/* ------------------------------------------------------------------------ */

static size_t page_count(uint64_t bytes)
{
    return (size_t)((bytes + VMM_PAGE_SIZE - 1) / VMM_PAGE_SIZE);
}

static size_t bitmap_bytes(const struct section_object *object)
{
    return (page_count(object->size) + 7) / 8;
}

static bool section_page_committed(const struct section_object *object, size_t index)
{
    return (object->committed[index / 8] >> (index % 8)) & 1u;
}

static struct section_object *find_named(const char *name)
{
    for (struct section_object *object = named_sections; object != NULL; object = object->next_named) {
        if (strcmp(object->name, name) == 0) {
            return object;
        }
    }
    return NULL;
}

static void forget_name(struct section_object *object)
{
    for (struct section_object **link = &named_sections; *link != NULL; link = &(*link)->next_named) {
        if (*link == object) {
            *link = object->next_named;
            break;
        }
    }
    strata__vmm_meta_free(object->name, object->name_bytes);
    object->name = NULL;
}

/* Frees a section nothing refers to any more. */
static void free_if_unused(struct section_object *object)
{
    if (object->handles == 0 && object->view_count == 0) {
        if (object->committed != NULL) {
            strata__vmm_meta_free(object->committed, bitmap_bytes(object));
        }
        strata__vmm_meta_free(object, sizeof *object);
    }
}

/* A section object for a platform object just made or opened; NULL when out of memory. */
static struct section_object *new_object(const strata_shared *shared, const char *name)
{
    struct section_object *object = strata__vmm_meta_alloc(sizeof *object);
    if (object == NULL) {
        return NULL;
    }
    object->shared = *shared;
    object->size = shared->size;
    object->protect = shared->tag;
    object->reserve = shared->reserve;
    object->file_backed = shared->file_backed;
    if (object->reserve) {
        object->committed = strata__vmm_meta_alloc(bitmap_bytes(object));
        if (object->committed == NULL) {
            strata__vmm_meta_free(object, sizeof *object);
            return NULL;
        }
    }
    if (name != NULL) {
        object->name_bytes = strlen(name) + 1;
        object->name = strata__vmm_meta_alloc(object->name_bytes);
        if (object->name == NULL) {
            free_if_unused(object);
            return NULL;
        }
        memcpy(object->name, name, object->name_bytes);
        object->next_named = named_sections;
        named_sections = object;
    }
    return object;
}

static strata_section *new_handle(struct section_object *object, uint32_t rights)
{
    strata_section *handle = free_handles;
    if (handle != NULL) {
        free_handles = handle->next_free;
    } else {
        handle = strata__vmm_meta_alloc(sizeof *handle);
        if (handle == NULL) {
            return NULL;
        }
    }
    handle->state = HANDLE_LIVE;
    handle->rights = rights;
    handle->object = object;
    handle->next_free = NULL;
    object->handles++;
    return handle;
}

static bool handle_is_live(const strata_section *handle)
{
    return handle != NULL && handle->state == HANDLE_LIVE;
}

/* ------------------------------------------------------------------------ */
/* fork: a child holds every name its parent held                           */
/* ------------------------------------------------------------------------ */

/* In a forked child (vmm lock held, one thread): the child holds every name. */
void strata__vmm_sections_after_fork_in_child(void)
{
    for (struct section_object *object = named_sections; object != NULL; object = object->next_named) {
        strata_platform_shared_inherit(&object->shared);
    }
}

/* ------------------------------------------------------------------------ */
/* Create, open, close                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Gives out a handle to the section the platform just made or opened, or,
 * when another thread registered the same name meanwhile, to that one (and
 * lets the platform's object go). Takes the vmm lock.
 */
static strata_status adopt(strata_shared *shared, const char *name, bool existed, uint32_t rights,
                           strata_section **out_section, bool *out_existed)
{
    if (name != NULL) {
        strata_vmm_watch_forks(); /* before the lock: registering may allocate */
    }
    strata__vmm_lock();
    struct section_object *object = name != NULL ? find_named(name) : NULL;
    bool duplicate = object != NULL;
    strata_status status = STRATA_OK;
    if (duplicate) {
        existed = true;
    } else {
        object = new_object(shared, name);
        if (object == NULL) {
            status = STRATA_E_NO_MEMORY;
        }
    }
    strata_section *handle = NULL;
    if (object != NULL) {
        handle = new_handle(object, rights);
        if (handle == NULL) {
            status = STRATA_E_NO_MEMORY;
            if (!duplicate) {
                if (object->name != NULL) {
                    forget_name(object);
                }
                free_if_unused(object);
            }
        }
    }
    strata__vmm_unlock();
    if (duplicate || status != STRATA_OK) {
        strata_platform_shared_close(shared);
    }
    if (status == STRATA_OK) {
        *out_section = handle;
        if (out_existed != NULL) {
            *out_existed = existed;
        }
    }
    return status;
}

/* A new handle to the section this process already holds by `name`, if any. */
static strata_section *handle_to_named(const char *name, uint32_t rights, strata_status *status)
{
    strata__vmm_lock();
    struct section_object *object = find_named(name);
    strata_section *handle = NULL;
    if (object != NULL) {
        handle = new_handle(object, rights);
        *status = handle != NULL ? STRATA_OK : STRATA_E_NO_MEMORY;
    }
    strata__vmm_unlock();
    return object != NULL ? handle : NULL;
}

/* Settles a file-backed section's size: 0 takes the file's, more grows it. */
static strata_status settle_file_size(strata_native_file file, uint32_t protect, uint64_t *size)
{
    uint64_t file_size;
    strata_status status = strata_platform_file_size(file, &file_size);
    if (status != STRATA_OK) {
        return status;
    }
    if (*size == 0) {
        if (file_size == 0) {
            return STRATA_E_FILE_INVALID;
        }
        *size = file_size;
        return STRATA_OK;
    }
    if (*size <= file_size) {
        return STRATA_OK;
    }
    /* Only a section that may write can grow its file (NT says
     * STATUS_SECTION_TOO_BIG, ERROR_NOT_ENOUGH_MEMORY, otherwise). */
    if (!protect_writes(protect)) {
        return STRATA_E_NO_MEMORY;
    }
    return strata_platform_file_grow(file, *size);
}

strata_status strata_section_create(strata_native_file file, uint64_t size, uint32_t protect,
                                    uint32_t attributes, const char *name,
                                    strata_section **out_section, bool *out_existed)
{
    const uint32_t both = STRATA_SEC_COMMIT | STRATA_SEC_RESERVE;
    const uint32_t modifiers = STRATA_SEC_NOCACHE | STRATA_SEC_WRITECOMBINE;
    uint32_t modifier = attributes & modifiers;
    attributes &= ~modifiers;
    if (out_section == NULL || !section_protect_is_valid(protect) || (attributes & ~both) != 0 ||
        attributes == both || modifier == modifiers || (file == STRATA_NO_FILE && size == 0)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    uint32_t page_modifier = modifier == STRATA_SEC_NOCACHE        ? STRATA_PAGE_NOCACHE
                             : modifier == STRATA_SEC_WRITECOMBINE ? STRATA_PAGE_WRITECOMBINE
                                                                   : 0;
    if (name != NULL && name[0] == '\0') {
        name = NULL; /* an empty name makes an unnamed section, as on Windows */
    }
    if (name != NULL) {
        strata_status status = STRATA_OK;
        strata_section *handle = handle_to_named(name, RIGHTS_ALL, &status);
        if (handle != NULL || status != STRATA_OK) {
            if (status == STRATA_OK) {
                *out_section = handle;
                if (out_existed != NULL) {
                    *out_existed = true;
                }
            }
            return status;
        }
    }
    strata_shared shared;
    bool existed = false;
    strata_status status;
    if (file == STRATA_NO_FILE) {
        /* SEC_RESERVE means something only for memory: a file's pages are the file's. */
        bool reserve = attributes == STRATA_SEC_RESERVE;
        status = strata_platform_shared_create(name, size, section_access(protect), reserve, protect,
                                               &shared, &existed);
    } else {
        status = settle_file_size(file, protect, &size);
        if (status == STRATA_OK) {
            status = strata_platform_shared_from_file(file, size, section_access(protect), name,
                                                      protect, &shared, &existed);
        }
    }
    if (status != STRATA_OK) {
        return status;
    }
    status = adopt(&shared, name, existed, RIGHTS_ALL, out_section, out_existed);
    if (status == STRATA_OK && !existed) {
        strata__vmm_lock();
        (*out_section)->object->page_modifier = page_modifier;
        strata__vmm_unlock();
    }
    return status;
}

strata_status strata_section_open(const char *name, uint32_t access, strata_section **out_section)
{
    if (name == NULL || name[0] == '\0' || out_section == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* FILE_MAP_COPY alone asks for what copy-on-write views need: reading. */
    uint32_t rights = access == STRATA_FILE_MAP_COPY ? RIGHT_READ : access;
    strata_status status = STRATA_OK;
    strata_section *handle = handle_to_named(name, rights, &status);
    if (handle != NULL || status != STRATA_OK) {
        if (status == STRATA_OK) {
            *out_section = handle;
        }
        return status;
    }
    strata_shared shared;
    status = strata_platform_shared_open(name, &shared);
    if (status != STRATA_OK) {
        return status;
    }
    return adopt(&shared, name, true, rights, out_section, NULL);
}

strata_status strata_section_close(strata_section *section)
{
    strata__vmm_lock();
    if (!handle_is_live(section)) {
        strata__vmm_unlock();
        return STRATA_E_INVALID_HANDLE;
    }
    struct section_object *object = section->object;
    section->state = HANDLE_CLOSED;
    section->object = NULL;
    section->next_free = free_handles;
    free_handles = section;
    if (--object->handles == 0) {
        /* The name goes with the last handle, even while views remain. */
        if (object->name != NULL) {
            forget_name(object);
        }
        strata_platform_shared_close(&object->shared);
        free_if_unused(object);
    }
    strata__vmm_unlock();
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Views                                                                    */
/* ------------------------------------------------------------------------ */

static void *page_address(const vmm_region *region, size_t index)
{
    return (void *)(region->base + index * VMM_PAGE_SIZE);
}

static size_t first_section_page(const vmm_region *region)
{
    return (size_t)(region->section_offset / VMM_PAGE_SIZE);
}

/*
 * Commits, in one view, the view's pages [first, end) that are committed in
 * the section but not yet in the view, with the view's own protection.
 * Lock rule: vmm lock held.
 */
static strata_status show_section_commits(vmm_region *region, size_t first, size_t end)
{
    struct section_object *object = region->section;
    strata_access access = strata__vmm_region_access(region, region->allocation_protect);
    size_t offset = first_section_page(region);
    for (size_t i = first; i < end;) {
        if (!section_page_committed(object, offset + i) || (region->pages[i] & PAGE_COMMITTED)) {
            i++;
            continue;
        }
        size_t run = i;
        while (run < end && section_page_committed(object, offset + run) &&
               !(region->pages[run] & PAGE_COMMITTED)) {
            run++;
        }
        strata_status status = strata_platform_view_commit(page_address(region, i),
                                                           (run - i) * VMM_PAGE_SIZE, access,
                                                           region->copy_on_write);
        if (status != STRATA_OK) {
            return status;
        }
        for (size_t page = i; page < run; page++) {
            region->pages[page] = (uint16_t)(PAGE_COMMITTED | (region->pages[page] & PAGE_LOCKED) |
                                             region->allocation_protect);
        }
        i = run;
    }
    return STRATA_OK;
}

strata_status strata_section_map(strata_section *section, uint32_t access, uint64_t offset,
                                 size_t size, void *address, void **out_base)
{
    if (out_base == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    strata_status status = STRATA_OK;
    struct section_object *object = handle_is_live(section) ? section->object : NULL;
    uint32_t protect = view_protection(access);
    uint64_t length = size;
    /* SEC_NOCACHE / SEC_WRITECOMBINE show in the view's protection. */
    uint32_t modifier = object != NULL && protect != STRATA_PAGE_NOACCESS ? object->page_modifier : 0;
    if (object == NULL) {
        status = STRATA_E_INVALID_HANDLE;
    } else if (offset % VMM_GRANULARITY != 0 || (uintptr_t)address % VMM_GRANULARITY != 0) {
        status = STRATA_E_MAPPED_ALIGNMENT;
    } else if (!view_is_allowed(section->rights, object->protect, protect) || offset >= object->size ||
               length > object->size - offset) {
        status = STRATA_E_ACCESS_DENIED;
    } else if (length == 0) {
        length = object->size - offset;
    }
    size_t bytes = 0;
    if (status == STRATA_OK) {
        if (length > SIZE_MAX - VMM_PAGE_SIZE || length > VMM_HIGHEST_ADDRESS) {
            status = STRATA_E_NO_MEMORY;
        } else {
            bytes = ((size_t)length + VMM_PAGE_SIZE - 1) & ~(VMM_PAGE_SIZE - 1);
        }
    }
    if (status == STRATA_OK && address != NULL) {
        uintptr_t start = (uintptr_t)address;
        if (start < VMM_LOWEST_ADDRESS || start + bytes - 1 > VMM_HIGHEST_ADDRESS ||
            start + bytes - 1 < start) {
            status = STRATA_E_INVALID_PARAMETER;
        } else if (strata__vmm_tree_overlaps(start, start + bytes)) {
            status = STRATA_E_CONFLICTING_ADDRESS;
        }
    }
    /* The descriptor first, so that a failure after mapping has nothing left to undo. */
    vmm_region *region = NULL;
    view_link *link = NULL;
    if (status == STRATA_OK) {
        protect |= modifier;
        region = strata__vmm_region_new(0, bytes, protect, STRATA_MEM_MAPPED);
        link = strata__vmm_meta_alloc(sizeof *link);
        if (region == NULL || link == NULL) {
            status = STRATA_E_NO_MEMORY;
        }
    }
    void *base = NULL;
    if (status == STRATA_OK) {
        region->section = object;
        region->section_offset = offset;
        /* FILE_MAP_COPY views are private copies; READ|COPY ones are plain read-only views. */
        region->copy_on_write = is_writecopy(protect);
        if (region->copy_on_write) {
            /* Writes to WRITECOPY pages fault first, so that the page can
             * turn READWRITE as it does on Windows. */
            status = strata__vmm_watch_faults();
        }
    }
    if (status == STRATA_OK) {
        status = strata_platform_shared_map(&object->shared, offset, bytes,
                                            strata__vmm_region_access(region, protect),
                                            region->copy_on_write, VMM_GRANULARITY, address, &base);
    }
    if (status == STRATA_OK) {
        region->base = (uintptr_t)base;
        size_t pages = bytes / VMM_PAGE_SIZE;
        if (object->reserve) {
            status = show_section_commits(region, 0, pages);
            if (status != STRATA_OK) {
                strata_platform_shared_unmap(base, bytes);
            }
        } else {
            for (size_t i = 0; i < pages; i++) {
                region->pages[i] = (uint16_t)(PAGE_COMMITTED | protect);
            }
        }
    }
    if (status == STRATA_OK) {
        strata__vmm_tree_insert(region);
        link->region = region;
        link->next = object->views;
        object->views = link;
        object->view_count++;
        *out_base = base;
    } else {
        if (region != NULL) {
            strata__vmm_region_delete(region);
        }
        strata__vmm_meta_free(link, sizeof *link);
    }
    strata__vmm_unlock();
    return status;
}

/* The view holding `address`, or NULL. Lock rule: vmm lock held. */
static vmm_region *find_view(const void *address)
{
    vmm_region *region = strata__vmm_tree_find(page_floor((uintptr_t)address));
    return region != NULL && region->type == STRATA_MEM_MAPPED ? region : NULL;
}

strata_status strata_section_unmap(const void *address)
{
    strata__vmm_lock();
    vmm_region *region = find_view(address);
    strata_status status = STRATA_E_INVALID_ADDRESS;
    if (region != NULL) {
        status = strata_platform_shared_unmap((void *)region->base, region->size);
    }
    if (status == STRATA_OK) {
        struct section_object *object = region->section;
        for (view_link **link = &object->views; *link != NULL; link = &(*link)->next) {
            if ((*link)->region == region) {
                view_link *gone = *link;
                *link = gone->next;
                strata__vmm_meta_free(gone, sizeof *gone);
                break;
            }
        }
        strata__vmm_tree_remove(region);
        strata__vmm_region_delete(region);
        object->view_count--;
        free_if_unused(object);
    }
    strata__vmm_unlock();
    return status;
}

strata_status strata_section_flush(const void *address, size_t size)
{
    strata__vmm_lock();
    vmm_region *region = find_view(address);
    strata_status status = STRATA_E_INVALID_ADDRESS;
    if (region != NULL) {
        uintptr_t end = region->base + region->size;
        if (size == 0) {
            size = end - (uintptr_t)address;
        }
        if (size <= end - (uintptr_t)address) {
            status = strata_platform_shared_flush(address, size);
        }
    }
    strata__vmm_unlock();
    return status;
}

/* ------------------------------------------------------------------------ */
/* The region functions' view hooks (vmm lock held)                         */
/* ------------------------------------------------------------------------ */

strata_status strata__vmm_view_commit(vmm_region *region, size_t first, size_t count,
                                      uint32_t protect)
{
    struct section_object *object = region->section;
    if (object->file_backed) {
        return STRATA_E_ACCESS_DENIED;
    }
    if (!strata__vmm_view_allows(region, protect)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    void *start = page_address(region, first);
    strata_access access = strata__vmm_region_access(region, protect);
    strata_status status = strata_platform_view_commit(start, count * VMM_PAGE_SIZE, access,
                                                       region->copy_on_write);
    if (status == STRATA_OK && strata__vmm_copy_at_once(region, protect)) {
        status = strata_platform_view_privatize(start, count * VMM_PAGE_SIZE, access);
    }
    if (status != STRATA_OK) {
        return status;
    }
    for (size_t i = first; i < first + count; i++) {
        region->pages[i] = (uint16_t)(PAGE_COMMITTED | (region->pages[i] & PAGE_LOCKED) | protect);
    }
    if (!object->reserve) {
        /* A SEC_COMMIT view: every page was committed; this was a protection change. */
        return STRATA_OK;
    }
    /* The pages are now committed in the section: every other view of it
     * shows them committed, with its own protection. */
    size_t section_first = first_section_page(region) + first;
    for (size_t i = section_first; i < section_first + count; i++) {
        object->committed[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    for (view_link *link = object->views; link != NULL; link = link->next) {
        vmm_region *other = link->region;
        size_t other_first = first_section_page(other);
        size_t other_end = other_first + other->size / VMM_PAGE_SIZE;
        size_t start = section_first > other_first ? section_first : other_first;
        size_t end = section_first + count < other_end ? section_first + count : other_end;
        if (other == region || start >= end) {
            continue;
        }
        /* Should the OS refuse here, that view keeps the pages reserved in
         * its bookkeeping, which matches what it can reach; a later commit
         * through it tries again. The commit asked for has happened. */
        show_section_commits(other, start - other_first, end - other_first);
    }
    return STRATA_OK;
}

bool strata__vmm_view_can_reset(const vmm_region *region)
{
    /* Only memory sections: a file's pages are the file. A copy-on-write
     * view's dropped copies would read as the section, neither old nor zero. */
    return !region->section->file_backed && !region->copy_on_write;
}
