/* SPDX-License-Identifier: MIT */
/*
 * crt/leaks.c — STRATA_LEAKS: at exit, the blocks still live on the CRT
 * heap (strata_heap_walk), grouped by size, or with STRATA_LEAKS=stack by
 * the call stack that allocated them, largest groups first.
 *
 * For stacks, each allocation on the slow path (the fast path is closed
 * while recording) stores its block's address and an index into a table of
 * distinct stacks. Both tables live in a heap of their own, never the CRT
 * heap, so recording neither recurses into malloc nor shows up as a leak.
 */
#include "internal.h"

#include <string.h>

#define STACK_DEPTH 8     /* return addresses kept per stack */
#define NO_STACK UINT32_MAX

typedef struct stack_record {
    uint32_t depth;
    void *frames[STACK_DEPTH];
} stack_record;

typedef struct block_slot {
    uintptr_t block; /* 0 empty, 1 a removed entry */
    uint32_t stack;
} block_slot;

static strata_heap *side_heap;   /* holds the tables below */
static strata_lock record_lock = STRATA_LOCK_INIT;
static block_slot *blocks;       /* open addressing on the block's address */
static size_t block_capacity, block_used; /* used counts removed entries too */
static stack_record *stacks;
static uint32_t *stack_index;    /* open addressing on a stack's hash: index + 1, 0 empty */
static size_t stack_capacity, stack_count;

#define REMOVED ((uintptr_t)1)

static size_t hash_pointer(uintptr_t value)
{
    value ^= value >> 33;
    value *= (uintptr_t)0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    return (size_t)value;
}

static size_t hash_stack(const stack_record *stack)
{
    size_t hash = stack->depth;
    for (uint32_t i = 0; i < stack->depth; i++)
        hash = hash * 31 + hash_pointer((uintptr_t)stack->frames[i]);
    return hash;
}

static void *side_alloc(size_t size)
{
    return strata_heap_alloc(side_heap, STRATA_HEAP_ZERO_MEMORY, size);
}

bool crt_record_start(void)
{
    if (strata_heap_create(NULL, 0, 0, 0, &side_heap) != STRATA_OK)
        return false;
    void *warm[2];
    strata_platform_backtrace(warm, 2); /* the unwinder loads now, not inside malloc */
    block_capacity = 1024;
    stack_capacity = 256;
    blocks = side_alloc(block_capacity * sizeof *blocks);
    stacks = side_alloc(stack_capacity * sizeof *stacks);
    stack_index = side_alloc(stack_capacity * 2 * sizeof *stack_index);
    return blocks != NULL && stacks != NULL && stack_index != NULL;
}

/* The index of `stack` in the table, added if new; NO_STACK when full. */
static uint32_t intern_stack(const stack_record *stack)
{
    size_t mask = stack_capacity * 2 - 1;
    size_t slot = hash_stack(stack) & mask;
    while (stack_index[slot] != 0) {
        const stack_record *known = &stacks[stack_index[slot] - 1];
        if (known->depth == stack->depth && memcmp(known->frames, stack->frames, stack->depth * sizeof(void *)) == 0)
            return stack_index[slot] - 1;
        slot = (slot + 1) & mask;
    }
    if (stack_count == stack_capacity) {
        size_t capacity = stack_capacity * 2;
        stack_record *grown = side_alloc(capacity * sizeof *grown);
        uint32_t *index = side_alloc(capacity * 2 * sizeof *index);
        if (grown == NULL || index == NULL || capacity >= NO_STACK) {
            strata_heap_free(side_heap, 0, grown);
            strata_heap_free(side_heap, 0, index);
            return NO_STACK;
        }
        memcpy(grown, stacks, stack_count * sizeof *grown);
        for (size_t i = 0; i < stack_count; i++) {
            size_t at = hash_stack(&grown[i]) & (capacity * 2 - 1);
            while (index[at] != 0)
                at = (at + 1) & (capacity * 2 - 1);
            index[at] = (uint32_t)i + 1;
        }
        strata_heap_free(side_heap, 0, stacks);
        strata_heap_free(side_heap, 0, stack_index);
        stacks = grown;
        stack_index = index;
        stack_capacity = capacity;
        return intern_stack(stack);
    }
    stacks[stack_count] = *stack;
    stack_index[slot] = (uint32_t)stack_count + 1;
    return (uint32_t)stack_count++;
}

static void insert_block(block_slot *table, size_t capacity, uintptr_t block, uint32_t stack)
{
    size_t slot = hash_pointer(block) & (capacity - 1);
    while (table[slot].block > REMOVED && table[slot].block != block)
        slot = (slot + 1) & (capacity - 1);
    table[slot].block = block;
    table[slot].stack = stack;
}

/* Makes room for one more block: a table twice as large when it is 3/4
 * full of live and removed entries. false when the side heap is full. */
static bool room_for_block(void)
{
    if ((block_used + 1) * 4 < block_capacity * 3)
        return true;
    size_t live = 0;
    for (size_t i = 0; i < block_capacity; i++)
        live += blocks[i].block > REMOVED;
    size_t capacity = live * 4 >= block_capacity ? block_capacity * 2 : block_capacity;
    block_slot *table = side_alloc(capacity * sizeof *table);
    if (table == NULL)
        return false;
    for (size_t i = 0; i < block_capacity; i++) {
        if (blocks[i].block > REMOVED)
            insert_block(table, capacity, blocks[i].block, blocks[i].stack);
    }
    strata_heap_free(side_heap, 0, blocks);
    blocks = table;
    block_capacity = capacity;
    block_used = live;
    return true;
}

NOINLINE void crt_record_block(void *block)
{
    stack_record stack;
    memset(&stack, 0, sizeof stack);
    stack.depth = (uint32_t)strata_platform_backtrace(stack.frames, STACK_DEPTH);
    strata_lock_acquire(&record_lock);
    if (room_for_block()) {
        size_t slot = hash_pointer((uintptr_t)block) & (block_capacity - 1);
        while (blocks[slot].block > REMOVED && blocks[slot].block != (uintptr_t)block)
            slot = (slot + 1) & (block_capacity - 1);
        if (blocks[slot].block == 0)
            block_used++;
        blocks[slot].block = (uintptr_t)block;
        blocks[slot].stack = intern_stack(&stack);
    }
    strata_lock_release(&record_lock);
}

void crt_forget_block(void *block)
{
    strata_lock_acquire(&record_lock);
    if (blocks != NULL) {
        size_t slot = hash_pointer((uintptr_t)block) & (block_capacity - 1);
        while (blocks[slot].block != 0) {
            if (blocks[slot].block == (uintptr_t)block) {
                blocks[slot].block = REMOVED;
                break;
            }
            slot = (slot + 1) & (block_capacity - 1);
        }
    }
    strata_lock_release(&record_lock);
}

/* ---- the report ---------------------------------------------------------------------- */

typedef struct leak {
    uintptr_t data;
    size_t size;
    uint32_t stack;
    unsigned char head[16];
} leak;

typedef struct leak_group {
    size_t first, count, bytes;
} leak_group;

/* Heapsort: no allocation, and the C library's qsort may call malloc. */
typedef bool (*before_fn)(const void *a, const void *b);

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

static void sift(unsigned char *base, size_t size, size_t root, size_t count, before_fn before)
{
    for (;;) {
        size_t child = root * 2 + 1;
        if (child >= count)
            return;
        if (child + 1 < count && before(base + child * size, base + (child + 1) * size))
            child++;
        if (!before(base + root * size, base + child * size))
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

static void sort(void *items, size_t count, size_t size, before_fn before)
{
    unsigned char *base = items;
    for (size_t i = count / 2; i-- > 0;)
        sift(base, size, i, count, before);
    for (size_t end = count; end-- > 1;) {
        swap_bytes(base, base + end * size, size);
        sift(base, size, 0, end, before);
    }
}

static bool by_size(const void *a, const void *b)
{
    const leak *x = a, *y = b;
    return x->size != y->size ? x->size < y->size : x->data < y->data;
}

static bool by_stack(const void *a, const void *b)
{
    const leak *x = a, *y = b;
    return x->stack != y->stack ? x->stack < y->stack : x->data < y->data;
}

static bool by_address(const void *a, const void *b)
{
    return ((const block_slot *)a)->block < ((const block_slot *)b)->block;
}

/* Largest groups first: a group with more bytes (then larger blocks)
 * counts as "before" another. */
static const leak *group_items;
static bool by_bytes(const void *a, const void *b)
{
    const leak_group *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes;
    return group_items[x->first].size > group_items[y->first].size;
}

/* The stack of the walked block at [data, data + size]: the recorded
 * address may be inside it (an aligned block's enclosing block). */
static uint32_t stack_of(const block_slot *sorted, size_t count, uintptr_t data, size_t size)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (sorted[middle].block < data)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < count && sorted[low].block <= data + size)
        return sorted[low].stack;
    return NO_STACK;
}

static void print_group(const crt_writer *writer, const leak *items, const leak_group *group, bool stacks_mode)
{
    const leak *first = &items[group->first];
    if (!stacks_mode) {
        crt_print(writer, "strata:   %zu %s of %zu bytes (%zu bytes)\n", group->count,
                  group->count == 1 ? "block" : "blocks", first->size, group->bytes);
    } else {
        crt_print(writer, "strata:   %zu %s, %zu bytes, allocated at\n", group->count,
                  group->count == 1 ? "block" : "blocks", group->bytes);
        if (first->stack == NO_STACK || stacks[first->stack].depth == 0) {
            crt_print(writer, "strata:     (no stack recorded)\n");
        } else {
            for (uint32_t i = 0; i < stacks[first->stack].depth; i++)
                crt_print(writer, "strata:     #%u %p\n", (unsigned)i, stacks[first->stack].frames[i]);
        }
    }
    for (size_t i = 0; i < group->count && i < 3; i++) {
        const leak *item = &items[group->first + i];
        char hex[16 * 3 + 1];
        size_t length = 0;
        size_t shown = item->size < 16 ? item->size : 16;
        for (size_t b = 0; b < shown; b++)
            length += strata_format(hex + length, sizeof hex - length, " %x%x", (unsigned)(item->head[b] >> 4),
                                    (unsigned)(item->head[b] & 15u));
        hex[length] = '\0';
        crt_print(writer, "strata:     %p:%s\n", (void *)item->data, hex);
    }
}

void crt_leak_report(const crt_writer *writer)
{
    char process[96];
    crt_describe_process(process, sizeof process);
    crt_print(writer, "strata: leak report for %s\n", process);
    strata_heap *heap = crt_heap();
    strata_heap *scratch = NULL;
    if (heap == NULL || strata_heap_create(NULL, STRATA_HEAP_NO_SERIALIZE, 0, 0, &scratch) != STRATA_OK) {
        crt_print(writer, "strata: no leak report: out of memory\n");
        return;
    }
    bool stacks_mode = crt_recording;
    size_t capacity = 256, count = 0, total = 0;
    leak *items = strata_heap_alloc(scratch, 0, capacity * sizeof *items);
    bool complete = items != NULL;
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    strata_heap_lock(heap);
    if (stacks_mode)
        strata_lock_acquire(&record_lock); /* blocks freed by other threads meanwhile stay in the table */
    while (complete && strata_heap_walk(heap, &entry) == STRATA_OK) {
        if ((entry.flags & STRATA_HEAP_ENTRY_BUSY) == 0 || (entry.flags & STRATA_HEAP_ENTRY_REGION) != 0)
            continue;
        if (count == capacity) {
            leak *grown = strata_heap_realloc(scratch, 0, items, capacity * 2 * sizeof *items);
            if (grown == NULL) {
                complete = false;
                break;
            }
            items = grown;
            capacity *= 2;
        }
        leak *item = &items[count++];
        item->data = (uintptr_t)entry.data;
        item->size = entry.size;
        item->stack = NO_STACK;
        memcpy(item->head, entry.data, entry.size < 16 ? entry.size : 16);
        total += entry.size;
    }
    strata_heap_unlock(heap);
    block_slot *sorted = NULL;
    size_t recorded = 0;
    if (stacks_mode && complete) {
        sorted = strata_heap_alloc(scratch, 0, (block_capacity + 1) * sizeof *sorted);
        for (size_t i = 0; sorted != NULL && i < block_capacity; i++) {
            if (blocks[i].block > REMOVED)
                sorted[recorded++] = blocks[i];
        }
        complete = sorted != NULL;
    }
    if (stacks_mode)
        strata_lock_release(&record_lock);
    if (!complete) {
        crt_print(writer, "strata: no leak report: out of memory\n");
        strata_heap_destroy(scratch);
        return;
    }
    if (stacks_mode) {
        sort(sorted, recorded, sizeof *sorted, by_address);
        for (size_t i = 0; i < count; i++)
            items[i].stack = stack_of(sorted, recorded, items[i].data, items[i].size);
    }
    sort(items, count, sizeof *items, stacks_mode ? by_stack : by_size);
    leak_group *groups = strata_heap_alloc(scratch, 0, (count + 1) * sizeof *groups);
    if (groups == NULL) {
        crt_print(writer, "strata: no leak report: out of memory\n");
        strata_heap_destroy(scratch);
        return;
    }
    size_t group_count = 0;
    for (size_t i = 0; i < count; i++) {
        bool same = group_count > 0 &&
                    (stacks_mode ? items[i].stack == items[i - 1].stack : items[i].size == items[i - 1].size);
        if (!same)
            groups[group_count++] = (leak_group){i, 0, 0};
        groups[group_count - 1].count++;
        groups[group_count - 1].bytes += items[i].size;
    }
    group_items = items;
    sort(groups, group_count, sizeof *groups, by_bytes);
    for (size_t g = 0; g < group_count; g++)
        print_group(writer, items, &groups[g], stacks_mode);
    crt_print(writer, "strata: %zu %s leaked, %zu bytes in all\n", count, count == 1 ? "block" : "blocks", total);
    strata_heap_destroy(scratch);
}
