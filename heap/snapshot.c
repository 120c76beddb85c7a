/* SPDX-License-Identifier: MIT */
/*
 * heap/snapshot.c — a heap described record by record for strata-map:
 * segments, front-end pages, free back-end blocks, large blocks; and the
 * default VMM's regions. Nothing here allocates, so a snapshot can be taken
 * from inside malloc or at exit.
 */
#include "internal.h"

static void record_clear(strata_heap_record *record, strata_heap_record_kind kind)
{
    memset(record, 0, sizeof *record);
    record->kind = kind;
}

/* The page a back-end block of the heap's own holds, if it holds one (as
 * the walk decides it). */
static front_page *snapshot_page_of(const strata_heap *heap, segment *seg, const char *data)
{
    uint32_t index = 0;
    if (back_block_tag(heap, data, &index) != TAG_INTERNAL || index == 0 || index > seg->page_capacity)
        return NULL;
    front_page *page = &seg->pages[index - 1];
    return page->in_use && page->capacity > 0 ? page : NULL;
}

static void emit_page(const strata_heap *heap, front_page *page, strata_heap_record_fn callback, void *context)
{
    (void)heap;
    strata_heap_record record;
    record_clear(&record, STRATA_HEAP_RECORD_PAGE);
    record.address = front_slot_data(page, 0);
    record.size = (size_t)page->capacity * page->stride;
    record.size_class = page->class_index;
    record.stride = page->stride;
    record.capacity = page->capacity;
    /* The side table, not page->used: slots freed by other threads are free
     * there already, as the walk reports them. */
    uint32_t used = 0;
    for (uint32_t slot = 0; slot < page->bump && slot < page->capacity; slot++)
        used += slot_is_busy(page->slots[slot]);
    record.used = used;
    uint64_t pending = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
    record.pending = REMOTE_COUNT(pending);
    record.owner = (uintptr_t)__atomic_load_n(&page->owner, __ATOMIC_RELAXED);
    callback(context, &record);
}

static void emit_segment(const strata_heap *heap, segment *seg, strata_heap_record_fn callback, void *context)
{
    char *first = (char *)seg + seg->area_start + 16;
    strata_heap_record record;
    record_clear(&record, STRATA_HEAP_RECORD_SEGMENT);
    record.address = seg;
    record.size = seg->size;
    record.committed = seg->committed_end;
    record.index = seg->index;
    record.metadata = seg->area_start;
    /* Two passes over the blocks: the segment's totals come before its contents. */
    for (char *data = first; data != NULL; data = back_next_block(heap, seg, data)) {
        uint32_t value = 0;
        if (back_block_tag(heap, data, &value) == TAG_BACK_BUSY) {
            record.busy_blocks++;
            record.busy_bytes += value;
        }
    }
    callback(context, &record);
    for (char *data = first; data != NULL; data = back_next_block(heap, seg, data)) {
        unsigned tag = back_block_tag(heap, data, NULL);
        if (tag == TAG_INTERNAL) {
            front_page *page = snapshot_page_of(heap, seg, data);
            if (page != NULL)
                emit_page(heap, page, callback, context);
        } else if (tag == TAG_BACK_FREE) {
            strata_heap_record free_block;
            record_clear(&free_block, STRATA_HEAP_RECORD_FREE);
            free_block.address = data;
            free_block.size = back_usable(heap, data);
            callback(context, &free_block);
        }
    }
}

static void emit_large(const large_block *large, strata_heap_record_kind kind, strata_heap_record_fn callback,
                       void *context)
{
    strata_heap_record record;
    record_clear(&record, kind);
    record.address = (void *)(uintptr_t)large;
    record.size = kind == STRATA_HEAP_RECORD_LARGE ? large->requested : 0;
    record.committed = large->committed;
    record.reserved = large->reserved;
    callback(context, &record);
}

STRATA_API strata_status strata_heap_snapshot(strata_heap *heap, strata_heap_record_fn callback, void *context)
{
    if (heap == NULL || callback == NULL)
        return STRATA_E_INVALID_PARAMETER;
    heap_acquire(heap, 0);
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next)
        emit_segment(heap, seg, callback, context);
    for (const large_block *large = heap->large; large != NULL; large = large->next)
        emit_large(large, STRATA_HEAP_RECORD_LARGE, callback, context);
    for (const large_block *large = heap->large_cache; large != NULL; large = large->next)
        emit_large(large, STRATA_HEAP_RECORD_LARGE_CACHED, callback, context);
    heap_release(heap, 0);
    return STRATA_OK;
}

STRATA_API strata_status strata_heap_snapshot_regions(strata_heap_record_fn callback, void *context)
{
    if (callback == NULL)
        return STRATA_E_INVALID_PARAMETER;
    strata_vmm_system_info system;
    strata_vmm_get_system_info(&system);
    uintptr_t address = system.lowest_address;
    while (address < system.highest_address) {
        strata_heap_record record;
        record_clear(&record, STRATA_HEAP_RECORD_REGION);
        if (strata_vmm_query((const void *)address, &record.region) != STRATA_OK || record.region.region_size == 0)
            break;
        uintptr_t next = (uintptr_t)record.region.base + record.region.region_size;
        if (record.region.state != STRATA_MEM_FREE) {
            record.address = record.region.base;
            record.size = record.region.region_size;
            strata_vmm_view_info view;
            if (record.region.type == STRATA_MEM_MAPPED && strata_vmm_query_view(record.address, &view) == STRATA_OK) {
                record.section = view.section;
                record.section_offset = view.offset + (uint64_t)((char *)record.address - (char *)view.base);
            }
            callback(context, &record);
        }
        if (next <= address) /* a query that does not move on would loop for ever */
            break;
        address = next;
    }
    return STRATA_OK;
}
