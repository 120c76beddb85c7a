/* SPDX-License-Identifier: MIT */
/*
 * heap/block.c — the one classifier of pointers: what a pointer handed to
 * free, realloc, size or validate is — a live block of this heap, a freed
 * one, one whose header was damaged, or something else. It decides from
 * the pointer's address first (segments, page units, the large-block
 * list), so nothing is read at a wild pointer; callers decide whether to
 * end the process or to report.
 */
#include "internal.h"

static block_state classify_large(strata_heap *heap, const char *data, block_ref *ref)
{
    ref->kind = BLOCK_LARGE;
    return large_classify(heap, data, &ref->requested, &ref->usable);
}

static block_state classify_front(const front_page *page, const char *data, block_ref *ref)
{
    uint32_t slot = front_slot_at(page, data);
    if (!page->in_use || slot == UINT32_MAX || slot >= __atomic_load_n(&page->bump, __ATOMIC_ACQUIRE))
        return BLOCK_FOREIGN;
    uint32_t entry = __atomic_load_n(&page->slots[slot], __ATOMIC_RELAXED);
    ref->kind = BLOCK_FRONT;
    ref->page = (front_page *)(uintptr_t)page;
    ref->slot = slot;
    if (!slot_is_busy(entry))
        return BLOCK_FREED;
    ref->requested = slot_requested(entry);
    ref->usable = page->stride;
    return BLOCK_LIVE;
}

static block_state classify_back(strata_heap *heap, segment *seg, const char *data, block_ref *ref)
{
    ref->kind = BLOCK_BACK;
    heap_acquire(heap, 0); /* neighbours' frees rewrite this block's size word */
    bool is_free = false;
    block_state state;
    if (back_block_check(heap, seg, data, &is_free)) {
        uint32_t value = 0;
        unsigned tag = back_block_tag(heap, data, &value);
        state = is_free ? BLOCK_FREED : tag == TAG_BACK_BUSY ? BLOCK_LIVE : BLOCK_FOREIGN;
        ref->requested = value;
        ref->usable = back_usable(heap, data);
    } else {
        state = heap_is_block_start(heap, seg, data) ? BLOCK_CORRUPT : BLOCK_FOREIGN;
    }
    heap_release(heap, 0);
    return state;
}

/* A pointer at a block's start (aligned pointers aside). */
static block_state classify_start(strata_heap *heap, const char *data, block_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    ref->data = (char *)(uintptr_t)data;
    if (((uintptr_t)data & 15) != 0)
        return BLOCK_FOREIGN;
    segment *seg = back_segment_of(heap, data);
    if (seg == NULL)
        return classify_large(heap, data, ref);
    size_t offset = (size_t)(data - (const char *)seg);
    if (offset < seg->area_start + 16 || offset >= __atomic_load_n(&seg->committed_end, __ATOMIC_ACQUIRE))
        return BLOCK_FOREIGN;
    front_page *page = front_page_at(heap, seg, data);
    if (page != NULL)
        return classify_front(page, data, ref);
    return classify_back(heap, seg, data, ref);
}

block_state heap_block_classify(strata_heap *heap, const char *pointer, block_ref *ref)
{
    if (UNLIKELY(heap->guard.buckets != NULL)) {
        block_state guarded = guard_classify(heap, pointer, ref);
        if (guarded != BLOCK_FOREIGN)
            return guarded;
    }
    block_state state = classify_start(heap, pointer, ref);
    if (state != BLOCK_FOREIGN)
        return state;
    /* An aligned block's inner pointer: an authentic aligned header right
     * before it, naming a block that holds it. */
    size_t distance = 0;
    char *outer = aligned_outer(heap, pointer, &distance);
    if (outer == NULL)
        return BLOCK_FOREIGN;
    block_ref outer_ref;
    state = classify_start(heap, outer, &outer_ref);
    if (state == BLOCK_FREED)
        return BLOCK_FREED;
    if (state != BLOCK_LIVE || outer_ref.requested < distance)
        return BLOCK_FOREIGN;
    *ref = outer_ref;
    ref->offset = distance;
    return BLOCK_LIVE;
}

void heap_block_misuse(strata_heap *heap, const char *pointer, block_state state, const char *freed,
                       const char *foreign)
{
    heap_corruption(heap, pointer,
                    state == BLOCK_FREED ? freed : state == BLOCK_CORRUPT ? "block header corrupted" : foreign);
}

/* A live block's recorded size, its memory unchanged (an aligned block of
 * zero bytes keeps one byte of its outer block, so no neighbour starts at
 * its inner pointer, but reports 0). */
void heap_block_set_requested(strata_heap *heap, const block_ref *ref, size_t requested)
{
    switch (ref->kind) {
    case BLOCK_FRONT:
        ref->page->slots[ref->slot] = slot_busy_entry(requested);
        break;
    case BLOCK_BACK:
        heap_acquire(heap, 0);
        back_set_value(heap, ref->data, (uint32_t)requested);
        heap_release(heap, 0);
        break;
    default:
        large_set_requested(heap, ref->data, requested);
        break;
    }
}
