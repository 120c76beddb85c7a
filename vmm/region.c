/* SPDX-License-Identifier: MIT */
/*
 * vmm/region.c — the VirtualAlloc family over the region tree: reserve,
 * commit, decommit, release, reset, protect, query, lock and unlock with
 * Windows' rounding and error rules, whatever the OS underneath.
 */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>

static strata_lock vmm_lock = STRATA_LOCK_INIT;

void strata__vmm_lock(void)
{
    strata_lock_acquire(&vmm_lock);
}

void strata__vmm_unlock(void)
{
    strata_lock_release(&vmm_lock);
}

/* ---- fork: the vmm lock is held across it; the child keeps every name ---- */
static void before_fork(void)
{
    strata__vmm_lock();
}

static void after_fork_in_parent(void)
{
    strata__vmm_unlock();
}

static void after_fork_in_child(void)
{
    strata__vmm_sections_after_fork_in_child();
    strata__vmm_unlock();
}

void strata_vmm_watch_forks(void)
{
    static atomic_bool registered;
    if (!atomic_load_explicit(&registered, memory_order_acquire) && !atomic_exchange(&registered, true)) {
        strata_platform_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    }
}

void strata_vmm_get_system_info(strata_vmm_system_info *out)
{
    if (out == NULL) {
        return;
    }
    out->page_size = VMM_PAGE_SIZE;
    out->allocation_granularity = VMM_GRANULARITY;
    out->lowest_address = VMM_LOWEST_ADDRESS;
    out->highest_address = VMM_HIGHEST_ADDRESS;
    out->processor_count = strata_platform_get_info()->processor_count;
}

/* ------------------------------------------------------------------------ */
/* Protections                                                              */
/* ------------------------------------------------------------------------ */

static uint32_t base_protect(uint32_t protect)
{
    return protect & 0xFFu;
}

bool strata__vmm_protect_is_valid(uint32_t protect, bool for_view, bool allow_modifiers)
{
    uint32_t base = base_protect(protect);
    uint32_t modifiers = protect & ~0xFFu;
    if (base == 0 || (base & (base - 1)) != 0 || (modifiers & ~PROTECT_MODIFIERS) != 0) {
        return false;
    }
    if (!for_view && (base == STRATA_PAGE_WRITECOPY || base == STRATA_PAGE_EXECUTE_WRITECOPY)) {
        return false;
    }
    if (modifiers != 0) {
        /* At most one modifier, and none on NOACCESS pages. */
        if (!allow_modifiers || base == STRATA_PAGE_NOACCESS || (modifiers & (modifiers - 1)) != 0) {
            return false;
        }
    }
    return true;
}

bool strata_vmm_protection_is_valid(uint32_t protect)
{
    return strata__vmm_protect_is_valid(protect, false, true);
}

strata_access strata__vmm_access_of(uint32_t protect)
{
    if (protect & STRATA_PAGE_GUARD) {
        return STRATA_ACCESS_NONE;
    }
    switch (base_protect(protect)) {
    case STRATA_PAGE_READONLY:
        return STRATA_ACCESS_READ;
    case STRATA_PAGE_READWRITE:
    case STRATA_PAGE_WRITECOPY:
        return STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    case STRATA_PAGE_EXECUTE:
        return STRATA_ACCESS_EXECUTE;
    case STRATA_PAGE_EXECUTE_READ:
        return STRATA_ACCESS_READ | STRATA_ACCESS_EXECUTE;
    case STRATA_PAGE_EXECUTE_READWRITE:
    case STRATA_PAGE_EXECUTE_WRITECOPY:
        return STRATA_ACCESS_READ | STRATA_ACCESS_WRITE | STRATA_ACCESS_EXECUTE;
    default:
        return STRATA_ACCESS_NONE;
    }
}

static bool is_writecopy(uint32_t protect)
{
    uint32_t base = base_protect(protect);
    return base == STRATA_PAGE_WRITECOPY || base == STRATA_PAGE_EXECUTE_WRITECOPY;
}

strata_access strata__vmm_region_access(const vmm_region *region, uint32_t protect)
{
    strata_access access = strata__vmm_access_of(protect);
    if (is_writecopy(protect) && region->type == STRATA_MEM_MAPPED &&
        strata_platform_get_info()->faults_have_addresses) {
        /* Where faults cannot be resolved, WRITECOPY pages are private
         * copies at once (strata__vmm_copy_at_once), take writes and keep
         * reporting WRITECOPY. */
        access &= ~STRATA_ACCESS_WRITE;
    }
    return access;
}

bool strata__vmm_copy_at_once(const vmm_region *region, uint32_t protect)
{
    return is_writecopy(protect) && region->type == STRATA_MEM_MAPPED && !region->copy_on_write &&
           !strata_platform_get_info()->faults_have_addresses;
}

/* The access set Windows' view rules give each protection. */
static unsigned view_access_set(uint32_t protect)
{
    enum { R = 1, W = 2, X = 4 };
    switch (base_protect(protect)) {
    case STRATA_PAGE_READONLY:
    case STRATA_PAGE_WRITECOPY:
        return R;
    case STRATA_PAGE_READWRITE:
        return R | W;
    case STRATA_PAGE_EXECUTE:
    case STRATA_PAGE_EXECUTE_READ:
    case STRATA_PAGE_EXECUTE_WRITECOPY:
        return R | X;
    case STRATA_PAGE_EXECUTE_READWRITE:
        return R | W | X;
    default:
        return 0;
    }
}

bool strata__vmm_view_allows(const vmm_region *region, uint32_t protect)
{
    unsigned wanted = view_access_set(protect);
    return (wanted & ~view_access_set(region->allocation_protect)) == 0;
}

/* ------------------------------------------------------------------------ */
/* Descriptors                                                              */
/* ------------------------------------------------------------------------ */

vmm_region *strata__vmm_region_new(uintptr_t base, size_t size, uint32_t allocation_protect,
                                   uint32_t type)
{
    vmm_region *region = strata__vmm_meta_alloc(sizeof *region);
    if (region == NULL) {
        return NULL;
    }
    size_t page_words = size / VMM_PAGE_SIZE * sizeof(uint16_t);
    region->pages = strata__vmm_meta_alloc(page_words);
    if (region->pages == NULL) {
        strata__vmm_meta_free(region, sizeof *region);
        return NULL;
    }
    region->base = base;
    region->size = size;
    region->allocation_protect = allocation_protect;
    region->type = type;
    return region;
}

void strata__vmm_region_delete(vmm_region *region)
{
    strata__vmm_meta_free(region->pages, region->size / VMM_PAGE_SIZE * sizeof(uint16_t));
    strata__vmm_meta_free(region, sizeof *region);
}

vmm_region *strata__vmm_range(const void *address, size_t size, size_t *out_first, size_t *out_count)
{
    uintptr_t start = page_floor((uintptr_t)address);
    uintptr_t last = (uintptr_t)address + (size == 0 ? 0 : size - 1);
    if (last < (uintptr_t)address) {
        return NULL;
    }
    vmm_region *region = strata__vmm_tree_find(start);
    if (region == NULL || last - region->base >= region->size) {
        return NULL;
    }
    *out_first = (start - region->base) / VMM_PAGE_SIZE;
    *out_count = (page_floor(last) - start) / VMM_PAGE_SIZE + 1;
    return region;
}

static void *page_address(const vmm_region *region, size_t index)
{
    return (void *)(region->base + index * VMM_PAGE_SIZE);
}

/* Rounds size up to whole pages; false when that overflows. */
static bool round_to_pages(size_t size, size_t *out)
{
    if (size > SIZE_MAX - (VMM_PAGE_SIZE - 1)) {
        return false;
    }
    *out = (size + VMM_PAGE_SIZE - 1) & ~(VMM_PAGE_SIZE - 1);
    return true;
}

static bool page_committed(const vmm_region *region, size_t index)
{
    return (region->pages[index] & PAGE_COMMITTED) != 0;
}

/* ------------------------------------------------------------------------ */
/* Guard pages                                                              */
/* ------------------------------------------------------------------------ */

/* Drops the guard of one page: the OS gets the page's real access back. */
static void unguard_page(vmm_region *region, size_t index)
{
    uint32_t unguarded = (region->pages[index] & PAGE_PROTECT_MASK) & ~STRATA_PAGE_GUARD;
    strata_platform_protect(page_address(region, index), VMM_PAGE_SIZE,
                            strata__vmm_region_access(region, unguarded));
    region->pages[index] = (uint16_t)((region->pages[index] & ~PAGE_PROTECT_MASK) | unguarded);
}

/*
 * The first touch of a guard page faults (the OS sees no access); this turns
 * that fault into Windows' one-shot guard-page violation. Runs in the fault
 * context; the vmm never touches guard pages while holding its lock, so the
 * lock cannot be held by this thread here.
 */
/* The first write to a WRITECOPY page of a view, however the page got that
 * protection: the page becomes a private copy in its READWRITE form, as
 * Windows reports it afterwards. A copy-on-write view's mapping copies by
 * itself; a shared view's page is replaced by a copy. */
static bool take_private_copy(vmm_region *region, size_t index)
{
    uint32_t protect = region->pages[index] & PAGE_PROTECT_MASK;
    uint32_t base = protect & 0xFFu;
    if (region->type != STRATA_MEM_MAPPED || (protect & STRATA_PAGE_GUARD) || !is_writecopy(protect)) {
        return false;
    }
    uint32_t written = (protect & ~0xFFu) |
                       (base == STRATA_PAGE_WRITECOPY ? STRATA_PAGE_READWRITE : STRATA_PAGE_EXECUTE_READWRITE);
    void *page = page_address(region, index);
    strata_access access = strata__vmm_access_of(written);
    strata_status status = region->copy_on_write ? strata_platform_protect(page, VMM_PAGE_SIZE, access)
                                                 : strata_platform_view_privatize(page, VMM_PAGE_SIZE, access);
    if (status != STRATA_OK) {
        return false;
    }
    if (!region->copy_on_write && (region->pages[index] & PAGE_LOCKED)) {
        /* The copy is a new page: it keeps the old one's lock. */
        strata_platform_lock_pages(page, VMM_PAGE_SIZE);
    }
    region->pages[index] = (uint16_t)((region->pages[index] & ~PAGE_PROTECT_MASK) | written);
    return true;
}

/*
 * Faults the vmm resolves: the first touch of a guard page (the OS sees no
 * access), turned into Windows' one-shot guard-page violation; and the first
 * write to a copy-on-write page, retried once the page is private. Runs in
 * the fault context; the vmm never touches client pages while holding its
 * lock, so the lock cannot be held by this thread here.
 */
static strata_fault_action resolve_fault(void *address)
{
    uintptr_t page = page_floor((uintptr_t)address);
    strata_fault_action action = STRATA_FAULT_NOT_MINE;
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find(page);
    if (region != NULL) {
        size_t index = (page - region->base) / VMM_PAGE_SIZE;
        if (page_committed(region, index) && (region->pages[index] & STRATA_PAGE_GUARD)) {
            unguard_page(region, index);
            action = STRATA_FAULT_GUARD;
        } else if (page_committed(region, index) && take_private_copy(region, index)) {
            action = STRATA_FAULT_RETRY;
        } else {
            action = STRATA_FAULT_DENIED;
        }
    }
    strata__vmm_unlock();
    return action;
}

strata_status strata__vmm_watch_faults(void)
{
    return strata_platform_set_fault_handler(resolve_fault);
}

strata_status strata_vmm_watch_faults(void)
{
    return strata__vmm_watch_faults();
}

/* Guard pages and WRITECOPY pages (whose first write makes the copy) need
 * the fault handler; it is installed with the first one. */
static strata_status prepare_for(uint32_t protect)
{
    if ((protect & STRATA_PAGE_GUARD) || is_writecopy(protect)) {
        return strata__vmm_watch_faults();
    }
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Reserve and release                                                      */
/* ------------------------------------------------------------------------ */

/* Reserves [base, base+size) (base 0: anywhere, `alignment`-aligned) and
 * records it. Lock rule: takes the vmm lock. */
static strata_status reserve_region(uintptr_t base, size_t size, size_t alignment,
                                    uint32_t protect, void **out_base)
{
    strata__vmm_lock();
    if (base != 0 && strata__vmm_tree_overlaps(base, base + size)) {
        strata__vmm_unlock();
        return STRATA_E_CONFLICTING_ADDRESS;
    }
    void *got = NULL;
    strata_status status = strata_platform_reserve(size, alignment, (void *)base, &got);
    if (status == STRATA_OK) {
        vmm_region *region = strata__vmm_region_new((uintptr_t)got, size, protect, STRATA_MEM_PRIVATE);
        if (region == NULL) {
            strata_platform_release(got, size);
            status = STRATA_E_NO_MEMORY;
        } else {
            strata__vmm_tree_insert(region);
            *out_base = got;
        }
    } else if (status == STRATA_E_INVALID_ADDRESS || status == STRATA_E_INVALID_PARAMETER) {
        /* The OS refused the address itself (outside what it maps). */
        status = base != 0 ? STRATA_E_INVALID_PARAMETER : STRATA_E_NO_MEMORY;
    }
    strata__vmm_unlock();
    return status;
}

/*
 * MEM_TOP_DOWN: the highest free granule-aligned range. Neither mmap nor the
 * tree knows the whole address space, so try from the top of user space
 * down, stepping further each time something is in the way.
 */
static strata_status reserve_top_down(size_t size, uint32_t protect, void **out_base)
{
    uintptr_t top = VMM_HIGHEST_ADDRESS + 1;
    if (size > top - VMM_LOWEST_ADDRESS) {
        return STRATA_E_NO_MEMORY;
    }
    uintptr_t candidate = granule_floor(top - size);
    size_t step = VMM_GRANULARITY;
    for (int attempt = 0; attempt < 48 && candidate >= VMM_LOWEST_ADDRESS; attempt++) {
        strata_status status = reserve_region(candidate, size, VMM_GRANULARITY, protect, out_base);
        if (status != STRATA_E_CONFLICTING_ADDRESS && status != STRATA_E_INVALID_PARAMETER) {
            return status;
        }
        if (candidate - VMM_LOWEST_ADDRESS < step) {
            break;
        }
        candidate -= step;
        step *= 2;
    }
    /* Nothing free near the top: anywhere will do. */
    return reserve_region(0, size, VMM_GRANULARITY, protect, out_base);
}

strata_status strata_vmm_reserve(void *address, size_t size, uint32_t protect, uint32_t options,
                                 void **out_base)
{
    if (out_base == NULL || size == 0 || (options & ~STRATA_VMM_TOP_DOWN) != 0 ||
        !strata__vmm_protect_is_valid(protect, false, true)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (address == NULL) {
        size_t rounded;
        if (!round_to_pages(size, &rounded) || rounded > VMM_HIGHEST_ADDRESS) {
            return STRATA_E_NO_MEMORY;
        }
        if (options & STRATA_VMM_TOP_DOWN) {
            return reserve_top_down(rounded, protect, out_base);
        }
        return reserve_region(0, rounded, VMM_GRANULARITY, protect, out_base);
    }
    uintptr_t base = granule_floor((uintptr_t)address);
    uintptr_t last = (uintptr_t)address + size - 1;
    if (last < (uintptr_t)address || base < VMM_LOWEST_ADDRESS || last > VMM_HIGHEST_ADDRESS) {
        return STRATA_E_INVALID_PARAMETER;
    }
    size_t rounded = page_floor(last) + VMM_PAGE_SIZE - base;
    return reserve_region(base, rounded, VMM_GRANULARITY, protect, out_base);
}

strata_status strata_vmm_reserve_aligned(size_t size, size_t alignment, uint32_t protect,
                                         void **out_base)
{
    if (out_base == NULL || size == 0 || alignment < VMM_GRANULARITY ||
        (alignment & (alignment - 1)) != 0 || !strata__vmm_protect_is_valid(protect, false, true)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    size_t rounded;
    if (!round_to_pages(size, &rounded) || rounded > VMM_HIGHEST_ADDRESS) {
        return STRATA_E_NO_MEMORY;
    }
    return reserve_region(0, rounded, alignment, protect, out_base);
}

strata_status strata_vmm_release(void *address)
{
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find(page_floor((uintptr_t)address));
    strata_status status = STRATA_E_INVALID_ADDRESS;
    if (region != NULL && region->base == page_floor((uintptr_t)address) &&
        region->type == STRATA_MEM_PRIVATE) {
        status = strata_platform_release((void *)region->base, region->size);
        if (status == STRATA_OK) {
            strata__vmm_tree_remove(region);
            strata__vmm_region_delete(region);
        }
    }
    strata__vmm_unlock();
    return status;
}

/* ------------------------------------------------------------------------ */
/* Commit and decommit                                                      */
/* ------------------------------------------------------------------------ */

strata_status strata_vmm_commit(void *address, size_t size, uint32_t protect, uint32_t options,
                                void **out_base)
{
    if (out_base == NULL || size == 0 || (options & ~STRATA_VMM_TOP_DOWN) != 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (address == NULL) {
        void *base = NULL;
        strata_status status = strata_vmm_reserve(NULL, size, protect, options, &base);
        if (status != STRATA_OK) {
            return status;
        }
        status = strata_vmm_commit(base, size, protect, 0, out_base);
        if (status != STRATA_OK) {
            strata_vmm_release(base);
        }
        return status;
    }
    strata_status status = prepare_for(protect);
    if (status != STRATA_OK) {
        return status;
    }
    strata__vmm_lock();
    size_t first, count;
    vmm_region *region = strata__vmm_range(address, size, &first, &count);
    if (region == NULL || region->placeholder) {
        /* A placeholder takes no pages until it is replaced. */
        status = STRATA_E_INVALID_ADDRESS;
    } else if (!strata__vmm_protect_is_valid(protect, region->type == STRATA_MEM_MAPPED, true)) {
        status = STRATA_E_INVALID_PARAMETER;
    } else if (region->type == STRATA_MEM_MAPPED) {
        status = strata__vmm_view_commit(region, first, count, protect);
    } else {
        status = strata_platform_commit(page_address(region, first), count * VMM_PAGE_SIZE,
                                        strata__vmm_access_of(protect));
        if (status == STRATA_OK) {
            for (size_t i = first; i < first + count; i++) {
                region->pages[i] = (uint16_t)(PAGE_COMMITTED | (region->pages[i] & PAGE_LOCKED) | protect);
            }
        }
    }
    if (status == STRATA_OK) {
        *out_base = page_address(region, first);
    }
    strata__vmm_unlock();
    return status;
}

/* Unlocks, at the OS, the locked pages among [first, first+count). */
static void unlock_locked_pages(vmm_region *region, size_t first, size_t count)
{
    for (size_t i = first; i < first + count; i++) {
        if (region->pages[i] & PAGE_LOCKED) {
            strata_platform_unlock_pages(page_address(region, i), VMM_PAGE_SIZE);
            region->pages[i] &= (uint16_t)~PAGE_LOCKED;
        }
    }
}

strata_status strata_vmm_decommit(void *address, size_t size)
{
    strata__vmm_lock();
    size_t first = 0, count = 0;
    vmm_region *region;
    if (size == 0) {
        /* The whole reservation, named by an address in its first page. */
        region = strata__vmm_tree_find(page_floor((uintptr_t)address));
        if (region != NULL && region->base != page_floor((uintptr_t)address)) {
            region = NULL;
        }
        if (region != NULL) {
            count = region->size / VMM_PAGE_SIZE;
        }
    } else {
        region = strata__vmm_range(address, size, &first, &count);
    }
    strata_status status;
    if (region == NULL) {
        status = STRATA_E_INVALID_ADDRESS;
    } else if (region->type == STRATA_MEM_MAPPED) {
        status = STRATA_E_INVALID_PARAMETER;
    } else {
        unlock_locked_pages(region, first, count);
        status = strata_platform_decommit(page_address(region, first), count * VMM_PAGE_SIZE);
        if (status == STRATA_OK) {
            memset(region->pages + first, 0, count * sizeof region->pages[0]);
        }
    }
    strata__vmm_unlock();
    return status;
}

/* ------------------------------------------------------------------------ */
/* Reset                                                                    */
/* ------------------------------------------------------------------------ */

/* Shared checks of reset and reset-undo; the range's region or NULL. */
static vmm_region *reset_range(void *address, size_t size, size_t *first, size_t *count,
                               strata_status *status)
{
    if (size == 0) {
        *status = STRATA_E_INVALID_PARAMETER;
        return NULL;
    }
    vmm_region *region = strata__vmm_range(address, size, first, count);
    if (region == NULL) {
        *status = STRATA_E_INVALID_ADDRESS;
    } else if (region->type == STRATA_MEM_MAPPED && !strata__vmm_view_can_reset(region)) {
        *status = STRATA_E_INVALID_ADDRESS;
        region = NULL;
    } else {
        *status = STRATA_OK;
    }
    return region;
}

strata_status strata_vmm_reset(void *address, size_t size, void **out_base)
{
    if (out_base == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    size_t first, count;
    strata_status status;
    vmm_region *region = reset_range(address, size, &first, &count, &status);
    /* Only committed runs hold contents to drop; reserved pages have none. */
    for (size_t i = first; region != NULL && status == STRATA_OK && i < first + count;) {
        if (!page_committed(region, i)) {
            i++;
            continue;
        }
        size_t run = i;
        while (run < first + count && page_committed(region, run)) {
            run++;
        }
        status = strata_platform_reset(page_address(region, i), (run - i) * VMM_PAGE_SIZE);
        i = run;
    }
    if (status == STRATA_OK) {
        *out_base = page_address(region, first);
    }
    strata__vmm_unlock();
    return status;
}

strata_status strata_vmm_reset_undo(void *address, size_t size, void **out_base)
{
    if (out_base == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    size_t first, count;
    strata_status status;
    reset_range(address, size, &first, &count, &status);
    strata__vmm_unlock();
    /* The OS may already have dropped reset pages and gives no way to ask,
     * so strata reports the failure Windows uses for "some data is gone". */
    return status == STRATA_OK ? STRATA_E_UNSUPPORTED : status;
}

/* ------------------------------------------------------------------------ */
/* Protect                                                                  */
/* ------------------------------------------------------------------------ */

static bool all_committed(const vmm_region *region, size_t first, size_t count)
{
    for (size_t i = first; i < first + count; i++) {
        if (!page_committed(region, i)) {
            return false;
        }
    }
    return true;
}

strata_status strata_vmm_protect(void *address, size_t size, uint32_t protect, uint32_t *out_old)
{
    if (out_old == NULL) {
        return STRATA_E_NOACCESS;
    }
    strata_status status = prepare_for(protect);
    if (status != STRATA_OK) {
        return status;
    }
    strata__vmm_lock();
    size_t first, count;
    vmm_region *region = strata__vmm_range(address, size, &first, &count);
    bool is_view = region != NULL && region->type == STRATA_MEM_MAPPED;
    if (!strata__vmm_protect_is_valid(protect, is_view, true) ||
        (is_view && !strata__vmm_view_allows(region, protect))) {
        status = STRATA_E_INVALID_PARAMETER;
    } else if (region == NULL || !all_committed(region, first, count)) {
        status = STRATA_E_INVALID_ADDRESS;
    } else {
        /* NOCACHE and WRITECOMBINE belong to the pages from their commit on. */
        const uint32_t sticky = STRATA_PAGE_NOCACHE | STRATA_PAGE_WRITECOMBINE;
        uint32_t new_protect = (protect & ~sticky) | (region->pages[first] & sticky);
        strata_access access = strata__vmm_region_access(region, new_protect);
        status = strata__vmm_copy_at_once(region, new_protect)
                     ? strata_platform_view_privatize(page_address(region, first), count * VMM_PAGE_SIZE, access)
                     : strata_platform_protect(page_address(region, first), count * VMM_PAGE_SIZE, access);
        if (status == STRATA_OK) {
            *out_old = region->pages[first] & PAGE_PROTECT_MASK;
            for (size_t i = first; i < first + count; i++) {
                uint16_t flags = region->pages[i] & (PAGE_COMMITTED | PAGE_LOCKED);
                region->pages[i] = (uint16_t)(flags | (protect & ~sticky) | (region->pages[i] & sticky));
            }
        }
    }
    strata__vmm_unlock();
    return status;
}

/* ------------------------------------------------------------------------ */
/* Query                                                                    */
/* ------------------------------------------------------------------------ */

strata_status strata_vmm_query(const void *address, strata_vmm_region_info *out)
{
    uintptr_t page = page_floor((uintptr_t)address);
    if (out == NULL || (uintptr_t)address > VMM_HIGHEST_ADDRESS) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find(page);
    if (region == NULL) {
        /* Free: up to the next reservation, or the top of user space. */
        vmm_region *next = strata__vmm_tree_first_at_or_after(page);
        uintptr_t end = next != NULL ? next->base : VMM_HIGHEST_ADDRESS + 1;
        *out = (strata_vmm_region_info){(void *)page, NULL, 0, end - page, STRATA_MEM_FREE,
                                        STRATA_PAGE_NOACCESS, 0};
    } else {
        const uint16_t same = PAGE_COMMITTED | PAGE_PROTECT_MASK;
        size_t pages = region->size / VMM_PAGE_SIZE;
        size_t first = (page - region->base) / VMM_PAGE_SIZE;
        size_t end = first + 1;
        while (end < pages && (region->pages[end] & same) == (region->pages[first] & same)) {
            end++;
        }
        bool committed = page_committed(region, first);
        *out = (strata_vmm_region_info){
            (void *)page,
            (void *)region->base,
            region->allocation_protect,
            (end - first) * VMM_PAGE_SIZE,
            committed ? STRATA_MEM_COMMIT : STRATA_MEM_RESERVE,
            committed ? (uint32_t)(region->pages[first] & PAGE_PROTECT_MASK) : 0u,
            region->type,
        };
    }
    strata__vmm_unlock();
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Lock and unlock                                                          */
/* ------------------------------------------------------------------------ */

strata_status strata_vmm_lock(void *address, size_t size)
{
    strata__vmm_lock();
    size_t first, count;
    vmm_region *region = strata__vmm_range(address, size, &first, &count);
    strata_status status = STRATA_OK;
    if (region == NULL || !all_committed(region, first, count)) {
        status = STRATA_E_INVALID_ADDRESS;
    }
    for (size_t i = first; status == STRATA_OK && i < first + count; i++) {
        uint32_t protect = region->pages[i] & PAGE_PROTECT_MASK;
        if (protect & STRATA_PAGE_GUARD) {
            /* Locking touches the page: its guard fires once and is gone. */
            unguard_page(region, i);
            status = STRATA_E_GUARD_PAGE;
        } else if (base_protect(protect) == STRATA_PAGE_NOACCESS) {
            status = STRATA_E_NOACCESS;
        }
    }
    if (status == STRATA_OK) {
        status = strata_platform_lock_pages(page_address(region, first), count * VMM_PAGE_SIZE);
    }
    if (status == STRATA_OK) {
        for (size_t i = first; i < first + count; i++) {
            region->pages[i] |= PAGE_LOCKED;
        }
    }
    strata__vmm_unlock();
    return status;
}

strata_status strata_vmm_unlock(void *address, size_t size)
{
    strata__vmm_lock();
    size_t first, count;
    vmm_region *region = strata__vmm_range(address, size, &first, &count);
    strata_status status = STRATA_OK;
    if (region == NULL) {
        status = STRATA_E_INVALID_ADDRESS;
    } else {
        for (size_t i = first; i < first + count; i++) {
            if (!(region->pages[i] & PAGE_LOCKED)) {
                status = STRATA_E_NOT_LOCKED;
            }
        }
        unlock_locked_pages(region, first, count);
    }
    strata__vmm_unlock();
    return status;
}

/* ------------------------------------------------------------------------ */
/* Probing                                                                  */
/* ------------------------------------------------------------------------ */

static bool page_allows(const vmm_region *region, size_t index, bool write)
{
    uint32_t protect = region->pages[index] & PAGE_PROTECT_MASK;
    if (!page_committed(region, index) || (protect & STRATA_PAGE_GUARD)) {
        return false;
    }
    strata_access access = strata__vmm_region_access(region, protect);
    if (write) {
        /* A WRITECOPY page of a view takes a write: it gets a private copy. */
        bool copies = region->type == STRATA_MEM_MAPPED && is_writecopy(protect);
        return copies || (access & STRATA_ACCESS_WRITE) != 0;
    }
    /* Execute-only pages can be read on every processor strata runs on. */
    return access != STRATA_ACCESS_NONE;
}

static bool range_allows(const void *address, size_t size, bool write)
{
    if (size == 0) {
        return true;
    }
    uintptr_t start = (uintptr_t)address;
    uintptr_t last = start + size - 1;
    if (last < start || start < VMM_LOWEST_ADDRESS || last > VMM_HIGHEST_ADDRESS) {
        return false;
    }
    bool allowed = true;
    strata__vmm_lock();
    for (uintptr_t page = page_floor(start); allowed && page <= last; page += VMM_PAGE_SIZE) {
        vmm_region *region = strata__vmm_tree_find(page);
        if (region != NULL) {
            allowed = page_allows(region, (page - region->base) / VMM_PAGE_SIZE, write);
        } else {
            /* Not strata's: all the OS can say is whether it is mapped. */
            allowed = strata_platform_is_mapped((const void *)page, VMM_PAGE_SIZE);
        }
    }
    strata__vmm_unlock();
    return allowed;
}

bool strata_vmm_is_readable(const void *address, size_t size)
{
    return range_allows(address, size, false);
}

bool strata_vmm_is_writable(void *address, size_t size)
{
    return range_allows(address, size, true);
}

/* ------------------------------------------------------------------------ */
/* The default strata_vmm interface                                         */
/* ------------------------------------------------------------------------ */

static strata_status default_reserve(void *context, size_t size, size_t alignment, void **out_base)
{
    (void)context;
    if (alignment <= VMM_GRANULARITY) {
        return strata_vmm_reserve(NULL, size, STRATA_PAGE_READWRITE, 0, out_base);
    }
    return strata_vmm_reserve_aligned(size, alignment, STRATA_PAGE_READWRITE, out_base);
}

static strata_status default_release(void *context, void *base, size_t size)
{
    (void)context;
    (void)size;
    return strata_vmm_release(base);
}

static strata_status default_commit(void *context, void *address, size_t size)
{
    (void)context;
    void *ignored;
    return strata_vmm_commit(address, size, STRATA_PAGE_READWRITE, 0, &ignored);
}

static strata_status default_commit_executable(void *context, void *address, size_t size)
{
    (void)context;
    void *ignored;
    return strata_vmm_commit(address, size, STRATA_PAGE_EXECUTE_READWRITE, 0, &ignored);
}

static strata_status default_decommit(void *context, void *address, size_t size)
{
    (void)context;
    return size == 0 ? STRATA_E_INVALID_PARAMETER : strata_vmm_decommit(address, size);
}

static strata_status default_reset(void *context, void *address, size_t size)
{
    (void)context;
    void *ignored;
    return strata_vmm_reset(address, size, &ignored);
}

const strata_vmm *strata_vmm_default(void)
{
    static const strata_vmm real = {
        NULL, VMM_PAGE_SIZE, VMM_GRANULARITY, default_reserve, default_release,
        default_commit, default_decommit, default_reset, default_commit_executable,
    };
    return &real;
}
