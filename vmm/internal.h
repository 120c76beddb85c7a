/* SPDX-License-Identifier: MIT */
/*
 * vmm/internal.h — what the files of the vmm layer share: region
 * descriptors (the VAD tree's nodes), the tree, the layer's lock and its
 * metadata allocator. Private to vmm/.
 *
 * Lock rule: every function here that reads or changes regions expects the
 * caller to hold the vmm lock (strata__vmm_lock), unless it says otherwise.
 */
#ifndef STRATA_VMM_INTERNAL_H
#define STRATA_VMM_INTERNAL_H

#include <strata/vmm.h>

/* Windows' numbers, the same on every OS. */
#define VMM_PAGE_SIZE ((size_t)4096)
#define VMM_GRANULARITY ((size_t)65536)
#define VMM_LOWEST_ADDRESS ((uintptr_t)0x10000)
#if UINTPTR_MAX > 0xFFFFFFFFu
#define VMM_HIGHEST_ADDRESS ((uintptr_t)0x7FFFFFFEFFFF)
#else
#define VMM_HIGHEST_ADDRESS ((uintptr_t)0x7FFEFFFF)
#endif

/* One 16-bit word per page: its protection (PAGE_* with modifiers) and flags. */
#define PAGE_PROTECT_MASK 0x07FFu
#define PAGE_COMMITTED 0x1000u
#define PAGE_LOCKED 0x2000u

#define PROTECT_MODIFIERS (STRATA_PAGE_GUARD | STRATA_PAGE_NOCACHE | STRATA_PAGE_WRITECOMBINE)

struct section_object;

/* A reservation or a view: one node of the region tree. */
typedef struct vmm_region {
    struct vmm_region *left, *right;
    int height;
    uintptr_t base;              /* 64 KiB aligned */
    size_t size;                 /* whole pages */
    uint32_t allocation_protect;
    uint32_t type;               /* STRATA_MEM_PRIVATE or STRATA_MEM_MAPPED */
    struct section_object *section; /* views only: the section shown */
    uint64_t section_offset;        /* views only: where in the section the view starts */
    bool copy_on_write;             /* views only: writes go to private copies (FILE_MAP_COPY) */
    bool placeholder;               /* a placeholder: reserved, to be split or replaced (vmm/placeholder.c) */
    bool from_placeholder;          /* private: made by replacing a placeholder, can become one again */
    uint16_t *pages;             /* size / page words */
} vmm_region;

static inline uintptr_t page_floor(uintptr_t address)
{
    return address & ~(uintptr_t)(VMM_PAGE_SIZE - 1);
}

static inline uintptr_t granule_floor(uintptr_t address)
{
    return address & ~(uintptr_t)(VMM_GRANULARITY - 1);
}

/* End of the granules a region occupies: nothing else may start before it. */
static inline uintptr_t region_granule_end(const vmm_region *region)
{
    return (region->base + region->size + VMM_GRANULARITY - 1) & ~(uintptr_t)(VMM_GRANULARITY - 1);
}

/* ---- lock ------------------------------------------------------------- */
void strata__vmm_lock(void);
void strata__vmm_unlock(void);
void strata__vmm_sections_after_fork_in_child(void);

/* ---- metadata: zeroed blocks from pages the vmm asks platform for -------- */
void *strata__vmm_meta_alloc(size_t size);
void strata__vmm_meta_free(void *block, size_t size);

/* ---- the region tree ---------------------------------------------------- */
void strata__vmm_tree_insert(vmm_region *region);
void strata__vmm_tree_remove(vmm_region *region);
/* The region whose [base, base+size) holds address, or NULL. */
vmm_region *strata__vmm_tree_find(uintptr_t address);
/* The region with the lowest base >= address, or NULL. */
vmm_region *strata__vmm_tree_first_at_or_after(uintptr_t address);
/* Whether [start, end) meets the granules of any region. */
bool strata__vmm_tree_overlaps(uintptr_t start, uintptr_t end);
/* Number of regions, for tests and stats. */
size_t strata__vmm_tree_count(void);

/* ---- regions -------------------------------------------------------------- */
/* A new descriptor with every page reserved (not committed), or NULL. */
vmm_region *strata__vmm_region_new(uintptr_t base, size_t size, uint32_t allocation_protect,
                                   uint32_t type);
void strata__vmm_region_delete(vmm_region *region);

/*
 * Checks a protection value. `for_view` admits the WRITECOPY forms;
 * `allow_modifiers` admits GUARD/NOCACHE/WRITECOMBINE (not with NOACCESS,
 * not two of them that exclude each other).
 */
bool strata__vmm_protect_is_valid(uint32_t protect, bool for_view, bool allow_modifiers);

/* The OS access for a protection: GUARD and NOACCESS give none. */
strata_access strata__vmm_access_of(uint32_t protect);

/* The OS access for a protection in this region: in views the WRITECOPY
 * forms cannot write at the OS until the first write, which the fault
 * handler turns into a private copy in the page's READWRITE form (where
 * the platform's faults carry addresses). */
strata_access strata__vmm_region_access(const vmm_region *region, uint32_t protect);

/* Whether pages of this region given `protect` must be made private copies
 * now (strata_platform_view_privatize) rather than at their first write:
 * WRITECOPY pages of shared views where faults cannot be resolved. */
bool strata__vmm_copy_at_once(const vmm_region *region, uint32_t protect);

/* Routes access faults through the vmm (guard pages, copy-on-write views);
 * idempotent. */
strata_status strata__vmm_watch_faults(void);

/* Whether a view's pages may take `protect`: its access set (NOACCESS none,
 * READONLY/WRITECOPY read, READWRITE read-write, EXECUTE forms add execute)
 * must be within that of the view's allocation protection. */
bool strata__vmm_view_allows(const vmm_region *region, uint32_t protect);

/* ---- views: implemented by vmm/section.c ----------------------------------- */

/*
 * Commits pages [first, first+count) of a view (VirtualAlloc MEM_COMMIT in
 * a view) with `protect`, which may be a WRITECOPY form: STRATA_E_ACCESS_DENIED
 * for views of files, STRATA_E_INVALID_PARAMETER when `protect` asks for
 * more than the view's access; pages of SEC_COMMIT sections are already
 * committed and only take the protection. The commit is section-wide:
 * every view of the section sees the pages committed.
 */
strata_status strata__vmm_view_commit(vmm_region *region, size_t first, size_t count,
                                      uint32_t protect);

/* Whether MEM_RESET is allowed in this view (pagefile-backed sections only). */
bool strata__vmm_view_can_reset(const vmm_region *region);

/*
 * Finds the region holding [address, address+size) rounded out to pages,
 * or NULL when the range is not inside one region. size 0 means one page.
 * *out_first and *out_count receive the page index and count.
 */
vmm_region *strata__vmm_range(const void *address, size_t size, size_t *out_first,
                              size_t *out_count);

#endif /* STRATA_VMM_INTERNAL_H */
