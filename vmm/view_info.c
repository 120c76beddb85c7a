/* SPDX-License-Identifier: MIT */
/*
 * vmm/view_info.c — which section a view shows, and where in it: what
 * VirtualQuery leaves out and a memory map needs to tell two views of one
 * section from views of two sections.
 */
#include "internal.h"

strata_status strata_vmm_query_view(const void *address, strata_vmm_view_info *out)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata__vmm_lock();
    vmm_region *region = strata__vmm_tree_find(page_floor((uintptr_t)address));
    strata_status status = STRATA_E_INVALID_ADDRESS;
    if (region != NULL && region->type == STRATA_MEM_MAPPED && region->section != NULL) {
        /* The descriptor's address names the section: it lives as long as a view does. */
        *out = (strata_vmm_view_info){(void *)region->base, region->size, (uintptr_t)region->section,
                                      region->section_offset, region->copy_on_write};
        status = STRATA_OK;
    }
    strata__vmm_unlock();
    return status;
}
