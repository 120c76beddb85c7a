/* SPDX-License-Identifier: MIT */
/*
 * heap/walk.c — looking at a heap without changing its blocks: HeapWalk,
 * HeapValidate, HeapSize, usable size; and HeapCompact.
 *
 * A walk keeps no state of its own: the entry it returned last (its data
 * address and flags) says where it is.
 */
#include "internal.h"

bool back_prev_free_flag(const strata_heap *heap, const char *data);
long back_bins_validate(const strata_heap *heap);

/* The page whose slots (initialised or not) cover `address`; NULL if none. */
static front_page *page_covering(const strata_heap *heap, segment *seg, const char *address)
{
    front_page *page = front_page_at(heap, seg, address);
    return page != NULL && page->in_use && (size_t)(address - page->area - 16) < page->span ? page : NULL;
}

/* The page a back-end block of the heap's own holds, if it holds one. */
static front_page *page_of_block(const strata_heap *heap, segment *seg, const char *data)
{
    uint32_t index = 0;
    if (back_block_tag(heap, data, &index) != TAG_INTERNAL || index == 0 || index > seg->page_capacity)
        return NULL;
    front_page *page = &seg->pages[index - 1];
    return page->in_use ? page : NULL;
}

/* ---- Walk ---------------------------------------------------------------------- */
static void entry_clear(strata_heap_entry *entry)
{
    memset(entry, 0, sizeof *entry);
}

static void emit_region(const strata_heap *heap, segment *seg, strata_heap_entry *entry)
{
    (void)heap;
    entry_clear(entry);
    entry->data = seg;
    entry->size = seg->area_start;
    entry->region_index = (uint8_t)seg->index;
    entry->flags = STRATA_HEAP_ENTRY_REGION;
    entry->committed_size = seg->committed_end;
    entry->uncommitted_size = seg->size - seg->committed_end;
    entry->first_block = (char *)seg + seg->area_start + 16;
    entry->last_block = (char *)seg + seg->size;
}

static void emit_slot(const strata_heap *heap, segment *seg, front_page *page, uint32_t slot,
                      strata_heap_entry *entry)
{
    entry_clear(entry);
    (void)heap;
    entry->region_index = (uint8_t)seg->index;
    entry->overhead = 0; /* a slot's state is in the side table */
    entry->data = front_slot_data(page, slot);
    if (slot >= page->bump) { /* the never-used rest of the page, as one free block */
        entry->size = (size_t)(page->capacity - page->bump) * page->stride;
        return;
    }
    uint32_t state = page->slots[slot];
    if (slot_is_busy(state)) {
        entry->flags = STRATA_HEAP_ENTRY_BUSY;
        entry->size = slot_requested(state);
    } else {
        entry->size = page->stride;
    }
}

static strata_status emit_after_segment(strata_heap *heap, segment *seg, strata_heap_entry *entry);

/* Emit the first walk element at or after back-end block `data`. */
static strata_status emit_from_block(strata_heap *heap, segment *seg, char *data, strata_heap_entry *entry)
{
    while (data != NULL) {
        uint32_t value = 0;
        unsigned tag = back_block_tag(heap, data, &value);
        if (tag == TAG_INTERNAL) {
            front_page *page = page_of_block(heap, seg, data);
            if (page != NULL && page->capacity > 0) {
                emit_slot(heap, seg, page, 0, entry);
                return STRATA_OK;
            }
            data = back_next_block(heap, seg, data); /* the heap's own bookkeeping */
            continue;
        }
        entry_clear(entry);
        entry->data = data;
        entry->region_index = (uint8_t)seg->index;
        entry->overhead = 16;
        if (tag == TAG_BACK_BUSY) {
            entry->flags = STRATA_HEAP_ENTRY_BUSY;
            entry->size = value;
        } else {
            entry->size = back_usable(heap, data);
        }
        return STRATA_OK;
    }
    if (seg->committed_end < seg->size) {
        entry_clear(entry);
        entry->data = (char *)seg + seg->committed_end;
        entry->size = seg->size - seg->committed_end;
        entry->region_index = (uint8_t)seg->index;
        entry->flags = STRATA_HEAP_ENTRY_UNCOMMITTED;
        return STRATA_OK;
    }
    return emit_after_segment(heap, seg, entry);
}

/* Large blocks, then guarded blocks. */
static strata_status emit_large(strata_heap *heap, large_block *large, strata_heap_entry *entry)
{
    if (large == NULL)
        return guard_walk(heap, NULL, entry);
    entry_clear(entry);
    entry->data = (char *)large + LARGE_HEADER;
    entry->size = large->requested;
    entry->flags = STRATA_HEAP_ENTRY_BUSY;
    entry->region_index = STRATA_HEAP_LARGE_REGION_INDEX;
    return STRATA_OK;
}

static strata_status emit_after_segment(strata_heap *heap, segment *seg, strata_heap_entry *entry)
{
    if (seg->next != NULL) {
        emit_region(heap, seg->next, entry);
        return STRATA_OK;
    }
    return emit_large(heap, heap->large, entry);
}

static strata_status walk_next(strata_heap *heap, strata_heap_entry *entry)
{
    if (entry->data == NULL) {
        emit_region(heap, &heap->first, entry);
        return STRATA_OK;
    }
    char *data = entry->data;
    if (entry->region_index == STRATA_HEAP_LARGE_REGION_INDEX && (entry->flags & STRATA_HEAP_ENTRY_BUSY)) {
        for (large_block *large = heap->large; large != NULL; large = large->next)
            if ((char *)large + LARGE_HEADER == data)
                return emit_large(heap, large->next, entry);
        return guard_walk(heap, data, entry);
    }
    segment *seg = back_segment_of(heap, entry->flags & STRATA_HEAP_ENTRY_UNCOMMITTED ? data - 1 : data);
    if (seg == NULL)
        return STRATA_E_INVALID_PARAMETER;
    if (entry->flags & STRATA_HEAP_ENTRY_REGION)
        return emit_from_block(heap, seg, (char *)seg + seg->area_start + 16, entry);
    if (entry->flags & STRATA_HEAP_ENTRY_UNCOMMITTED)
        return emit_after_segment(heap, seg, entry);
    front_page *page = page_covering(heap, seg, data);
    if (page != NULL) {
        uint32_t slot = (uint32_t)((size_t)(data - page->area - 16) / page->stride);
        if (slot + 1 < page->bump || (slot + 1 == page->bump && page->bump < page->capacity)) {
            emit_slot(heap, seg, page, slot + 1, entry);
            return STRATA_OK;
        }
        return emit_from_block(heap, seg, back_next_block(heap, seg, page->area + 16), entry);
    }
    return emit_from_block(heap, seg, back_next_block(heap, seg, data), entry);
}

STRATA_API strata_status strata_heap_walk(strata_heap *heap, strata_heap_entry *entry)
{
    if (heap == NULL || entry == NULL)
        return STRATA_E_INVALID_PARAMETER;
    heap_acquire(heap, 0);
    strata_status status = walk_next(heap, entry);
    heap_release(heap, 0);
    return status;
}

/* ---- One block ------------------------------------------------------------------ */
STRATA_API size_t strata_heap_size(strata_heap *heap, uint32_t flags, const void *block)
{
    (void)flags;
    block_ref ref;
    if (heap == NULL || block == NULL || heap_block_classify(heap, block, &ref) != BLOCK_LIVE)
        return SIZE_MAX;
    return ref.requested - ref.offset;
}

STRATA_API size_t strata_heap_usable_size(strata_heap *heap, const void *block)
{
    if (heap == NULL || block == NULL)
        return 0;
    block_ref ref;
    block_state state = heap_block_classify(heap, block, &ref);
    if (state != BLOCK_LIVE)
        heap_block_misuse(heap, block, state, "use after free", "invalid pointer: not a block of this heap");
    /* Under memcheck only the requested bytes are the block's, as with
     * Valgrind's own malloc_usable_size. */
    return (VG_ACTIVE() ? ref.requested : ref.usable) - ref.offset;
}

/* ---- The whole heap ----------------------------------------------------------- */
static bool page_validate(strata_heap *heap, segment *seg, front_page *page, char *block)
{
    if (page->area + 16 != block || page->stride != class_stride(page->class_index) ||
        page->bump > page->capacity || page->span != (size_t)page->capacity * page->stride ||
        page->span > back_usable(heap, block) || page->capacity > heap->side_slots ||
        page->slots != seg->side + (size_t)page->index * heap->side_slots || front_page_at(heap, seg, block) != page)
        return false;
    uint32_t busy = 0;
    for (uint32_t slot = 0; slot < page->bump; slot++)
        busy += slot_is_busy(page->slots[slot]);
    thread_state *owner = __atomic_load_n(&page->owner, __ATOMIC_RELAXED);
    if (owner != NULL && owner != heap_state())
        return true; /* its local list belongs to a running thread */
    uint32_t listed = 0;
    for (uint32_t slot = page->free; slot != SLOT_END; slot = slot_next(page->slots[slot]))
        if (slot >= page->bump || slot_is_busy(page->slots[slot]) || ++listed > page->bump)
            return false;
    return busy + listed <= page->bump && page->used == page->bump - listed;
}

static bool validate_all(strata_heap *heap)
{
    if (!large_validate(heap) || !guard_validate(heap))
        return false;
    long free_blocks = 0;
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next) {
        if (seg->check != (SEGMENT_MAGIC ^ heap->secret ^ (uint64_t)(uintptr_t)seg) || seg->heap != heap)
            return false;
        char *data = (char *)seg + seg->area_start + 16;
        char *last = NULL;
        bool prev_free = false;
        while (data != NULL) {
            bool is_free = false;
            if (!back_block_check(heap, seg, data, &is_free) || back_prev_free_flag(heap, data) != prev_free ||
                (is_free && prev_free))
                return false;
            if (is_free) {
                free_blocks++;
            } else {
                uint32_t value = 0;
                if (back_block_tag(heap, data, &value) == TAG_INTERNAL && value != 0) {
                    front_page *page = page_of_block(heap, seg, data);
                    if (page == NULL || !page_validate(heap, seg, page, data))
                        return false;
                }
            }
            prev_free = is_free;
            last = data;
            data = back_next_block(heap, seg, data);
        }
        if (last == NULL || last - 16 + back_block_bytes(heap, last) != (char *)seg + seg->committed_end ||
            seg->tail != last)
            return false;
    }
    return back_bins_validate(heap) == free_blocks;
}

STRATA_API bool strata_heap_validate(strata_heap *heap, uint32_t flags, const void *block)
{
    (void)flags;
    if (heap == NULL)
        return false;
    if (block != NULL) {
        block_ref ref;
        if (heap_block_classify(heap, block, &ref) != BLOCK_LIVE)
            return false;
        return ref.kind != BLOCK_GUARD || guard_block_intact(heap, ref.data, ref.requested);
    }
    heap_acquire(heap, 0);
    bool ok = validate_all(heap);
    heap_release(heap, 0);
    return ok;
}

/* Whether `data` is where a block's data starts, header aside: tells a
 * trashed header from a pointer that never was a block. */
bool heap_is_block_start(strata_heap *heap, segment *seg, const char *data)
{
    heap_acquire(heap, 0);
    bool found = false;
    for (char *block = (char *)seg + seg->area_start + 16; block != NULL && block <= data;
         block = back_next_block(heap, seg, block)) {
        if (block == data) {
            found = true;
            break;
        }
        if (back_block_bytes(heap, block) < MIN_BACK_BLOCK)
            break;
    }
    heap_release(heap, 0);
    return found;
}

/* ---- Compact ---------------------------------------------------------------------- */
STRATA_API size_t strata_heap_purge_due(strata_heap *heap)
{
    if (heap == NULL)
        return 0;
    heap_acquire(heap, 0);
    front_reclaim_idle_when_due(heap);
    size_t given = back_purge_due(heap) + large_cache_expire_due(heap);
    heap_release(heap, 0);
    return given;
}

STRATA_API size_t strata_heap_compact(strata_heap *heap, uint32_t flags)
{
    if (heap == NULL)
        return 0;
    heap_acquire(heap, flags);
    heap_adopt_exited_parts(heap, false);
    large_cache_release(heap);
    front_reclaim(heap, true);
    back_trim(heap, true);
    size_t largest = back_largest_free(heap);
    heap_release(heap, flags);
    return largest;
}
