/* SPDX-License-Identifier: MIT */
/*
 * vmm/placeholder.c — placeholders: reservations that can be split and
 * replaced by private allocations or section views, so that one section
 * can be mapped twice back to back. A placeholder is an ordinary region of
 * the tree flagged `placeholder`; splitting cuts the descriptor (the OS
 * reservation stays as it is, which needs a platform that can release part
 * of a reservation), replacing by a view swaps the OS reservation for the
 * view's mapping at the same address.
 */
#include "internal.h"

static bool aligned(uintptr_t value)
{
    return value % VMM_GRANULARITY == 0;
}

static strata_status supported(void)
{
    return strata_platform_get_info()->can_release_partially ? STRATA_OK : STRATA_E_UNSUPPORTED;
}

strata_status strata_vmm_reserve_placeholder(void *address, size_t size, void **out_base)
{
    strata_status status = supported();
    if (status != STRATA_OK) {
        return status;
    }
    if (out_base == NULL || size == 0 || !aligned(size) || !aligned((uintptr_t)address)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    void *base;
    status = strata_vmm_reserve(address, size, STRATA_PAGE_NOACCESS, 0, &base);
    if (status == STRATA_E_CONFLICTING_ADDRESS) {
        status = STRATA_E_INVALID_ADDRESS;
    }
    if (status != STRATA_OK) {
        return status;
    }
    strata__vmm_lock();
    strata__vmm_tree_find((uintptr_t)base)->placeholder = true;
    strata__vmm_unlock();
    *out_base = base;
    return STRATA_OK;
}

/* The placeholder holding [start, end), or NULL. */
static vmm_region *placeholder_holding(uintptr_t start, uintptr_t end)
{
    vmm_region *region = strata__vmm_tree_find(start);
    if (region == NULL || !region->placeholder || end > region->base + region->size) {
        return NULL;
    }
    return region;
}

strata_status strata_vmm_split_placeholder(void *address, size_t size)
{
    strata_status status = supported();
    if (status != STRATA_OK) {
        return status;
    }
    uintptr_t start = (uintptr_t)address;
    if (size == 0 || !aligned(start) || !aligned(size) || start + size < start) {
        return STRATA_E_INVALID_PARAMETER;
    }
    uintptr_t end = start + size;
    strata__vmm_lock();
    vmm_region *region = placeholder_holding(start, end);
    if (region == NULL) {
        status = STRATA_E_INVALID_ADDRESS;
    } else if (start == region->base && end == region->base + region->size) {
        status = STRATA_E_INVALID_PARAMETER;
    } else {
        /* Up to three pieces: before, the range, after. */
        uintptr_t cuts[4] = {region->base, start, end, region->base + region->size};
        vmm_region *pieces[3] = {NULL, NULL, NULL};
        for (int i = 0; i < 3 && status == STRATA_OK; i++) {
            if (cuts[i + 1] > cuts[i]) {
                pieces[i] = strata__vmm_region_new(cuts[i], cuts[i + 1] - cuts[i], STRATA_PAGE_NOACCESS,
                                                   STRATA_MEM_PRIVATE);
                if (pieces[i] == NULL) {
                    status = STRATA_E_NO_MEMORY;
                } else {
                    pieces[i]->placeholder = true;
                }
            }
        }
        if (status == STRATA_OK) {
            strata__vmm_tree_remove(region);
            strata__vmm_region_delete(region);
        }
        for (int i = 0; i < 3; i++) {
            if (pieces[i] != NULL) {
                if (status == STRATA_OK) {
                    strata__vmm_tree_insert(pieces[i]);
                } else {
                    strata__vmm_region_delete(pieces[i]);
                }
            }
        }
    }
    strata__vmm_unlock();
    return status;
}

strata_status strata_vmm_replace_placeholder(void *address, size_t size, uint32_t protect, bool commit,
                                             void **out_base)
{
    strata_status status = supported();
    if (status != STRATA_OK) {
        return status;
    }
    if (out_base == NULL || !strata__vmm_protect_is_valid(protect, false, true)) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find((uintptr_t)address);
    if (region == NULL || !region->placeholder || region->base != (uintptr_t)address || region->size != size) {
        status = STRATA_E_INVALID_ADDRESS;
    } else {
        region->placeholder = false;
        region->from_placeholder = true;
        region->allocation_protect = protect;
    }
    strata__vmm_unlock();
    if (status == STRATA_OK && commit) {
        void *committed;
        status = strata_vmm_commit(address, size, protect, 0, &committed);
        if (status != STRATA_OK) {
            strata__vmm_lock();
            region->placeholder = true;
            region->from_placeholder = false;
            region->allocation_protect = STRATA_PAGE_NOACCESS;
            strata__vmm_unlock();
        }
    }
    if (status == STRATA_OK) {
        *out_base = address;
    }
    return status;
}

strata_status strata_vmm_restore_placeholder(void *address)
{
    strata_status status = supported();
    if (status != STRATA_OK) {
        return status;
    }
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find((uintptr_t)address);
    if (region == NULL || !region->from_placeholder || region->base != (uintptr_t)address) {
        status = STRATA_E_INVALID_ADDRESS;
    } else {
        size_t pages = region->size / VMM_PAGE_SIZE;
        for (size_t i = 0; i < pages; i++) {
            if (region->pages[i] & PAGE_LOCKED) {
                strata_platform_unlock_pages((char *)region->base + i * VMM_PAGE_SIZE, VMM_PAGE_SIZE);
            }
            region->pages[i] = 0;
        }
        status = strata_platform_decommit((void *)region->base, region->size);
        region->placeholder = true;
        region->from_placeholder = false;
        region->allocation_protect = STRATA_PAGE_NOACCESS;
    }
    strata__vmm_unlock();
    return status;
}

strata_status strata_section_map_placeholder(strata_section *section, uint32_t access, uint64_t offset,
                                             size_t size, void *address, void **out_base)
{
    strata_status status = supported();
    if (status != STRATA_OK) {
        return status;
    }
    if (out_base == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    /* Take the placeholder out of the tree and give its range back, so that
     * the view can be mapped there; put it back if the view fails. */
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find((uintptr_t)address);
    if (region == NULL || !region->placeholder || region->base != (uintptr_t)address || region->size != size) {
        strata__vmm_unlock();
        return STRATA_E_INVALID_ADDRESS;
    }
    status = strata_platform_release(address, size);
    if (status == STRATA_OK) {
        strata__vmm_tree_remove(region);
    }
    strata__vmm_unlock();
    if (status != STRATA_OK) {
        return status;
    }
    status = strata_section_map(section, access, offset, size, address, out_base);
    if (status == STRATA_OK) {
        strata__vmm_region_delete(region);
        return STRATA_OK;
    }
    strata__vmm_lock();
    void *again;
    if (strata_platform_reserve(size, 0, address, &again) == STRATA_OK) {
        strata__vmm_tree_insert(region);
    } else {
        strata__vmm_region_delete(region);
        status = STRATA_E_NO_MEMORY;
    }
    strata__vmm_unlock();
    return status;
}
