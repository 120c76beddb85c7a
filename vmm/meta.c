/* SPDX-License-Identifier: MIT */
/*
 * vmm/meta.c — memory for the vmm's own bookkeeping (region descriptors and
 * page-state arrays). The vmm sits below every heap, so it takes pages
 * straight from the platform: small blocks come from power-of-two classes
 * carved out of 64 KiB chunks, large ones are pages of their own.
 * Lock rule: callers hold the vmm lock.
 */
#include "internal.h"

#include <string.h>

#define META_MIN_SHIFT 5    /* 32 bytes */
#define META_MAX_SHIFT 15   /* 32 KiB: larger blocks get pages of their own */
#define META_CHUNK_SIZE ((size_t)64 * 1024)

typedef struct free_block {
    struct free_block *next;
} free_block;

static free_block *free_lists[META_MAX_SHIFT + 1];

static unsigned size_class(size_t size)
{
    unsigned shift = META_MIN_SHIFT;
    while (((size_t)1 << shift) < size) {
        shift++;
    }
    return shift;
}

static size_t round_to_pages(size_t size)
{
    size_t page = strata_platform_get_info()->page_size;
    return (size + page - 1) & ~(page - 1);
}

/* Pages straight from the platform, committed read-write. */
static void *take_pages(size_t size)
{
    void *base = NULL;
    if (strata_platform_reserve(size, 0, NULL, &base) != STRATA_OK) {
        return NULL;
    }
    if (strata_platform_commit(base, size, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE) != STRATA_OK) {
        strata_platform_release(base, size);
        return NULL;
    }
    return base;
}

/* Carves a fresh chunk into blocks of one class. */
static bool refill(unsigned shift)
{
    char *chunk = take_pages(META_CHUNK_SIZE);
    if (chunk == NULL) {
        return false;
    }
    size_t block = (size_t)1 << shift;
    for (size_t offset = META_CHUNK_SIZE; offset >= block; offset -= block) {
        free_block *fresh = (free_block *)(chunk + offset - block);
        fresh->next = free_lists[shift];
        free_lists[shift] = fresh;
    }
    return true;
}

void *strata__vmm_meta_alloc(size_t size)
{
    if (size > ((size_t)1 << META_MAX_SHIFT)) {
        if (size > SIZE_MAX / 2) {
            return NULL;
        }
        return take_pages(round_to_pages(size)); /* fresh pages are zero */
    }
    unsigned shift = size_class(size);
    if (free_lists[shift] == NULL && !refill(shift)) {
        return NULL;
    }
    free_block *block = free_lists[shift];
    free_lists[shift] = block->next;
    memset(block, 0, (size_t)1 << shift);
    return block;
}

void strata__vmm_meta_free(void *block, size_t size)
{
    if (block == NULL) {
        return;
    }
    if (size > ((size_t)1 << META_MAX_SHIFT)) {
        strata_platform_release(block, round_to_pages(size));
        return;
    }
    unsigned shift = size_class(size);
    free_block *freed = block;
    freed->next = free_lists[shift];
    free_lists[shift] = freed;
}
