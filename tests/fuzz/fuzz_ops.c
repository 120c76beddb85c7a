/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_ops.c — the operation interpreter and its model (fuzz_ops.h).
 */
/* mingw: C99 printf directives (%zu, %llu) rather than msvcrt's. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
#define __USE_MINGW_ANSI_STDIO 1
#endif
#include "fuzz_ops.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Failing ---------------------------------------------------------------- */

#if defined(__MINGW32__)
__attribute__((format(gnu_printf, 2, 3), noreturn))
#elif defined(__GNUC__)
__attribute__((format(printf, 2, 3), noreturn))
#endif
static void fuzz_fail(const fuzz_thread *thread, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "strata fuzz FAILED: ");
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    const fuzz_world *world = thread->world;
    if (thread->source.bytes != NULL)
        fprintf(stderr, "\n  at operation %llu of the input\n", (unsigned long long)thread->op);
    else
        fprintf(stderr,
                "\n  at operation %llu of thread %d\n  reproduce: STRATA_FUZZ_SEED=%llu STRATA_FUZZ_ITERATIONS=%llu "
                "strata_fuzz %d\n",
                (unsigned long long)thread->op, thread->index, (unsigned long long)world->seed,
                (unsigned long long)world->iterations, world->thread_count);
    fflush(stderr);
    abort();
}

/* ---- Choices ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A value below `bound` (bound >= 1). */
static uint64_t draw(fuzz_source *source, uint64_t bound)
{
    uint64_t value;
    if (source->bytes == NULL) {
        source->state += 0x9E3779B97F4A7C15ull;
        value = mix64(source->state);
    } else {
        value = 0;
        for (int i = 0; i < 4; i++) {
            if (source->position >= source->length) {
                source->exhausted = true;
                break;
            }
            value = value << 8 | source->bytes[source->position++];
        }
    }
    return bound <= 1 ? 0 : value % bound;
}

/* Sizes over the three tiers: mostly small (log-spread), some back end,
 * a few large. */
static size_t draw_size(fuzz_source *source)
{
    uint64_t tier = draw(source, 100);
    if (tier < 72) {
        unsigned bits = (unsigned)draw(source, 16); /* 1 .. 32 KiB, as many of each power of two */
        return (size_t)(1 + draw(source, (uint64_t)1 << bits));
    }
    if (tier < 96)
        return (size_t)(32768 + draw(source, STRATA_HEAP_LARGE_THRESHOLD - 32768));
    return (size_t)(STRATA_HEAP_LARGE_THRESHOLD + draw(source, 3u << 19));
}

static size_t draw_alignment(fuzz_source *source)
{
    unsigned shift = (unsigned)(5 + draw(source, draw(source, 8) == 0 ? 16 : 8)); /* 32 .. 1 MiB, mostly to 4 KiB */
    return (size_t)1 << shift;
}

/* ---- Patterns ------------------------------------------------------------------ */

static uint64_t pattern_word(uint64_t id, size_t word)
{
    return mix64(id * 0x100000001B3ull ^ (uint64_t)word);
}

static uint8_t pattern_byte(uint64_t id, size_t offset)
{
    return (uint8_t)(pattern_word(id, offset / 8) >> (8 * (offset % 8)));
}

static void fill_range(char *data, uint64_t id, size_t from, size_t to)
{
    size_t at = from;
    for (; at < to && at % 8 != 0; at++)
        data[at] = (char)pattern_byte(id, at);
    for (; at + 8 <= to; at += 8) {
        uint64_t word = pattern_word(id, at / 8);
        memcpy(data + at, &word, 8);
    }
    for (; at < to; at++)
        data[at] = (char)pattern_byte(id, at);
}

/* Offset of the first byte in [0, size) that is not the pattern, or SIZE_MAX. */
static size_t find_damage(const char *data, uint64_t id, size_t size)
{
    size_t at = 0;
    for (; at + 8 <= size; at += 8) {
        uint64_t word = pattern_word(id, at / 8), held;
        memcpy(&held, data + at, 8);
        if (held != word)
            break;
    }
    for (; at < size; at++)
        if ((uint8_t)data[at] != pattern_byte(id, at))
            return at;
    return SIZE_MAX;
}

static void check_block(const fuzz_thread *thread, const fuzz_block *block, const char *when)
{
    size_t damage = find_damage(block->data, block->id, block->size);
    if (damage != SIZE_MAX)
        fuzz_fail(thread, "%s: block %p (id %llu, %zu bytes, %s) changed at offset %zu", when, (void *)block->data,
                  (unsigned long long)block->id, block->size, block->api == FUZZ_ON_HEAP ? "heap" : "crt", damage);
}

/* ---- The model of each heap ---------------------------------------------------- */

static void model_add(fuzz_thread *thread, fuzz_heap *heap, const fuzz_block *block)
{
    if (heap->live_count >= FUZZ_MODEL_CAPACITY)
        fuzz_fail(thread, "model full");
    for (int i = 0; i < heap->live_count; i++)
        if (heap->live[i].data == block->data)
            fuzz_fail(thread, "the heap returned %p, which is live already (id %llu)", (void *)block->data,
                      (unsigned long long)heap->live[i].id);
    heap->live[heap->live_count++] = *block;
}

static void model_remove(fuzz_thread *thread, fuzz_heap *heap, const char *data)
{
    for (int i = 0; i < heap->live_count; i++)
        if (heap->live[i].data == data) {
            heap->live[i] = heap->live[--heap->live_count];
            return;
        }
    fuzz_fail(thread, "model: %p is not live", (const void *)data);
}

static bool overlap(const fuzz_block *a, const fuzz_block *b)
{
    uintptr_t a0 = (uintptr_t)a->data, b0 = (uintptr_t)b->data;
    size_t as = a->size ? a->size : 1, bs = b->size ? b->size : 1;
    return a0 < b0 + bs && b0 < a0 + as;
}

/* A new block must overlap no block this thread holds. */
static void check_fresh(fuzz_thread *thread, const fuzz_block *fresh, const char *when)
{
    for (int i = 0; i < FUZZ_SLOTS; i++)
        if (thread->used[i] && overlap(&thread->slots[i], fresh))
            fuzz_fail(thread, "%s: block %p (%zu bytes) overlaps live block %p (%zu bytes)", when, (void *)fresh->data,
                      fresh->size, (void *)thread->slots[i].data, thread->slots[i].size);
    if (fresh->alignment != 0 && ((uintptr_t)fresh->data & (fresh->alignment - 1)) != 0)
        fuzz_fail(thread, "%s: %s block %p of %zu bytes is not aligned to %zu", when,
                  fresh->api == FUZZ_ON_HEAP ? "heap" : "crt", (void *)fresh->data, fresh->size, fresh->alignment);
    if (((uintptr_t)fresh->data & (STRATA_HEAP_ALIGNMENT - 1)) != 0)
        fuzz_fail(thread, "%s: block %p is not aligned to 16", when, (void *)fresh->data);
}

/* HeapWalk lists every live block of the heap once, with its size, and no
 * other busy block. Called with the heap's lock held. */
static void check_walk(fuzz_thread *thread, fuzz_heap *heap)
{
    static _Thread_local bool matched[FUZZ_MODEL_CAPACITY];
    memset(matched, 0, sizeof matched);
    int busy = 0;
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    if (!strata_heap_lock(heap->heap))
        fuzz_fail(thread, "HeapLock failed");
    strata_status status;
    while ((status = strata_heap_walk(heap->heap, &entry)) == STRATA_OK) {
        if ((entry.flags & STRATA_HEAP_ENTRY_BUSY) == 0 ||
            (entry.flags & (STRATA_HEAP_ENTRY_REGION | STRATA_HEAP_ENTRY_UNCOMMITTED)) != 0)
            continue;
        busy++;
        int found = -1;
        for (int i = 0; i < heap->live_count && found < 0; i++) {
            const fuzz_block *block = &heap->live[i];
            if (block->data == entry.data)
                found = i;
            else if (block->alignment != 0 && (char *)entry.data < block->data &&
                     block->data + block->size <= (char *)entry.data + entry.size)
                found = i; /* an aligned block is walked as its enclosing block */
        }
        if (found < 0)
            fuzz_fail(thread, "HeapWalk lists a busy block %p of %zu bytes that is not live", entry.data, entry.size);
        if (matched[found])
            fuzz_fail(thread, "HeapWalk lists live block %p twice", (void *)heap->live[found].data);
        matched[found] = true;
        if (heap->live[found].data == entry.data && entry.size != heap->live[found].size)
            fuzz_fail(thread, "HeapWalk gives block %p %zu bytes, it has %zu", entry.data, entry.size,
                      heap->live[found].size);
    }
    strata_heap_unlock(heap->heap);
    if (status != STRATA_E_NO_MORE_ITEMS)
        fuzz_fail(thread, "HeapWalk ended with %s", strata_status_name(status));
    if (busy != heap->live_count) {
        for (int i = 0; i < heap->live_count; i++)
            if (!matched[i])
                fuzz_fail(thread, "HeapWalk does not list live block %p (%zu bytes)", (void *)heap->live[i].data,
                          heap->live[i].size);
    }
}

/* ---- Operations ------------------------------------------------------------- */

static int free_slot(fuzz_thread *thread)
{
    int start = (int)draw(&thread->source, FUZZ_SLOTS);
    for (int i = 0; i < FUZZ_SLOTS; i++)
        if (!thread->used[(start + i) % FUZZ_SLOTS])
            return (start + i) % FUZZ_SLOTS;
    return -1;
}

static int used_slot(fuzz_thread *thread)
{
    int start = (int)draw(&thread->source, FUZZ_SLOTS);
    for (int i = 0; i < FUZZ_SLOTS; i++)
        if (thread->used[(start + i) % FUZZ_SLOTS])
            return (start + i) % FUZZ_SLOTS;
    return -1;
}

static fuzz_heap *own_heap(fuzz_thread *thread)
{
    return &thread->world->heaps[thread->index];
}

/* Frees a block held by this thread or taken from the exchange, after
 * checking it. A heap block is freed under its heap's lock so that the
 * owner's walk never sees it half gone. */
static void release_block(fuzz_thread *thread, const fuzz_block *block)
{
    check_block(thread, block, "before free");
    if (block->api == FUZZ_ON_CRT) {
        int saved = errno = 12345;
        strata_free(block->data);
        if (errno != saved)
            fuzz_fail(thread, "free(%p) of a %zu-byte crt block changed errno to %d", (void *)block->data, block->size, errno);
        return;
    }
    fuzz_heap *heap = &thread->world->heaps[block->heap_index];
    strata_lock_acquire(&heap->lock);
    if (strata_heap_size(heap->heap, 0, block->data) != block->size)
        fuzz_fail(thread, "HeapSize of %p is %zu before free, not %zu", (void *)block->data,
                  strata_heap_size(heap->heap, 0, block->data), block->size);
    model_remove(thread, heap, block->data);
    if (!strata_heap_free(heap->heap, 0, block->data))
        fuzz_fail(thread, "HeapFree(%p) failed", (void *)block->data);
    strata_lock_release(&heap->lock);
}

static void op_allocate(fuzz_thread *thread)
{
    int slot = free_slot(thread);
    if (slot < 0)
        return;
    fuzz_source *source = &thread->source;
    fuzz_block block = {0};
    block.size = draw_size(source);
    block.id = ((uint64_t)thread->index << 56) | thread->next_id++;
    if (thread->live_bytes + block.size > thread->world->byte_budget)
        return;
    bool zeroed = false;
    uint64_t kind = draw(source, 8);
    if (kind < 4) { /* the heap API */
        block.api = FUZZ_ON_HEAP;
        block.heap_index = thread->index;
        fuzz_heap *heap = own_heap(thread);
        strata_lock_acquire(&heap->lock);
        if (kind == 3) {
            block.alignment = draw_alignment(source);
            block.data = strata_heap_alloc_aligned(heap->heap, 0, block.size, block.alignment);
        } else {
            zeroed = kind == 2;
            block.data = strata_heap_alloc(heap->heap, zeroed ? STRATA_HEAP_ZERO_MEMORY : 0, block.size);
        }
        if (block.data == NULL)
            fuzz_fail(thread, "HeapAlloc(%zu) failed", block.size);
        model_add(thread, heap, &block);
        strata_lock_release(&heap->lock);
    } else { /* the crt */
        block.api = FUZZ_ON_CRT;
        if (kind == 4) {
            block.data = strata_malloc(block.size);
        } else if (kind == 5) {
            size_t count = block.size % 7 == 0 ? 7 : 1;
            block.size -= block.size % count;
            block.data = strata_calloc(count, block.size / count);
            zeroed = true;
        } else if (kind == 6) {
            block.alignment = draw_alignment(source);
            block.data = strata_aligned_alloc(block.alignment, block.size);
        } else {
            block.alignment = draw_alignment(source);
            void *out = NULL;
            if (strata_posix_memalign(&out, block.alignment, block.size) != 0)
                out = NULL;
            block.data = out;
        }
        if (block.data == NULL)
            fuzz_fail(thread, "crt allocation of %zu bytes (kind %llu) failed", block.size,
                      (unsigned long long)kind);
        if (strata_malloc_usable_size(block.data) < block.size)
            fuzz_fail(thread, "malloc_usable_size(%p) < %zu", (void *)block.data, block.size);
    }
    if (zeroed)
        for (size_t i = 0; i < block.size; i++)
            if (block.data[i] != 0)
                fuzz_fail(thread, "zeroed block %p has byte %zu = 0x%02x", (void *)block.data, i,
                          (unsigned)(uint8_t)block.data[i]);
    check_fresh(thread, &block, "allocation");
    fill_range(block.data, block.id, 0, block.size);
    thread->slots[slot] = block;
    thread->used[slot] = true;
    thread->live_bytes += block.size;
}

static void op_free(fuzz_thread *thread)
{
    int slot = used_slot(thread);
    if (slot < 0)
        return;
    release_block(thread, &thread->slots[slot]);
    thread->used[slot] = false;
    thread->live_bytes -= thread->slots[slot].size;
}

static void op_realloc(fuzz_thread *thread)
{
    int slot = used_slot(thread);
    if (slot < 0)
        return;
    fuzz_block *block = &thread->slots[slot];
    size_t new_size = draw(&thread->source, 4) == 0 ? block->size + draw(&thread->source, 64)
                                                     : draw_size(&thread->source);
    if (new_size == 0)
        new_size = 1; /* realloc(p, 0) frees in the crt: not a resize */
    if (thread->live_bytes - block->size + new_size > thread->world->byte_budget)
        return;
    check_block(thread, block, "before realloc");
    fuzz_block moved = *block;
    moved.size = new_size;
    if (block->api == FUZZ_ON_CRT) {
        moved.data = strata_realloc(block->data, new_size);
        if (moved.data == NULL)
            fuzz_fail(thread, "realloc(%p, %zu) failed", (void *)block->data, new_size);
        if (strata_malloc_usable_size(moved.data) < new_size)
            fuzz_fail(thread, "malloc_usable_size after realloc < %zu", new_size);
        if (moved.data != block->data)
            moved.alignment = 0; /* a moved block keeps only the ordinary alignment */
    } else {
        fuzz_heap *heap = &thread->world->heaps[block->heap_index];
        strata_lock_acquire(&heap->lock);
        moved.data = strata_heap_realloc(heap->heap, 0, block->data, new_size);
        if (moved.data == NULL)
            fuzz_fail(thread, "HeapReAlloc(%p, %zu) failed", (void *)block->data, new_size);
        model_remove(thread, heap, block->data);
        if (moved.data != block->data)
            moved.alignment = 0; /* a moved block keeps only the ordinary alignment */
        model_add(thread, heap, &moved);
        strata_lock_release(&heap->lock);
    }
    size_t kept = block->size < new_size ? block->size : new_size;
    size_t damage = find_damage(moved.data, moved.id, kept);
    if (damage != SIZE_MAX)
        fuzz_fail(thread, "realloc of %p (%zu -> %zu bytes) lost byte %zu", (void *)block->data, block->size,
                  new_size, damage);
    thread->used[slot] = false;
    check_fresh(thread, &moved, "realloc");
    fill_range(moved.data, moved.id, kept, new_size);
    thread->live_bytes = thread->live_bytes - block->size + new_size;
    *block = moved;
    thread->used[slot] = true;
}

static void op_size(fuzz_thread *thread)
{
    int slot = used_slot(thread);
    if (slot < 0)
        return;
    const fuzz_block *block = &thread->slots[slot];
    check_block(thread, block, "on touch");
    if (block->api == FUZZ_ON_CRT) {
        if (strata_malloc_usable_size(block->data) < block->size)
            fuzz_fail(thread, "malloc_usable_size(%p) < %zu", (void *)block->data, block->size);
        return;
    }
    fuzz_heap *heap = &thread->world->heaps[block->heap_index];
    size_t size = strata_heap_size(heap->heap, 0, block->data);
    if (size != block->size)
        fuzz_fail(thread, "HeapSize(%p) is %zu, not %zu", (void *)block->data, size, block->size);
    if (strata_heap_usable_size(heap->heap, block->data) < block->size)
        fuzz_fail(thread, "usable size of %p < %zu", (void *)block->data, block->size);
}

static void op_walk(fuzz_thread *thread)
{
    fuzz_heap *heap = own_heap(thread);
    strata_lock_acquire(&heap->lock);
    check_walk(thread, heap);
    strata_lock_release(&heap->lock);
}

static void op_validate(fuzz_thread *thread)
{
    fuzz_heap *heap = own_heap(thread);
    strata_lock_acquire(&heap->lock);
    if (!strata_heap_validate(heap->heap, 0, NULL))
        fuzz_fail(thread, "HeapValidate(NULL) is false");
    if (heap->live_count > 0) {
        const fuzz_block *block = &heap->live[draw(&thread->source, (uint64_t)heap->live_count)];
        if (!strata_heap_validate(heap->heap, 0, block->data))
            fuzz_fail(thread, "HeapValidate(%p) is false", (void *)block->data);
    }
    strata_lock_release(&heap->lock);
}

/* Swaps one held block (or nothing) with an exchange cell; what comes back
 * was left by some thread and is freed here: a cross-thread free. */
static void op_exchange(fuzz_thread *thread)
{
    fuzz_world *world = thread->world;
    fuzz_block *given = NULL;
    int slot = used_slot(thread);
    if (slot >= 0 && draw(&thread->source, 2) == 0) {
        given = malloc(sizeof *given);
        if (given == NULL)
            fuzz_fail(thread, "out of memory for the exchange");
        *given = thread->slots[slot];
        check_block(thread, given, "before giving away");
        thread->used[slot] = false;
        thread->live_bytes -= given->size;
    }
    fuzz_block *taken = atomic_exchange(&world->exchange[draw(&thread->source, FUZZ_EXCHANGE)], given);
    if (taken != NULL) {
        release_block(thread, taken);
        free(taken);
    }
}

/* Gives back what another thread's heap, or the crt's, holds free: compact
 * takes the pages no block holds from every live owner, whatever it is
 * doing at the moment (heaps of threads still allocating included). */
static void op_give_back(fuzz_thread *thread)
{
    fuzz_world *world = thread->world;
    uint64_t pick = draw(&thread->source, (uint64_t)world->thread_count + 2);
    if (pick < (uint64_t)world->thread_count)
        strata_heap_compact(world->heaps[pick].heap, 0);
    else if (pick == (uint64_t)world->thread_count)
        strata_malloc_trim(0);
    else
        strata_heap_purge_due(strata_crt_heap());
}

void fuzz_thread_run(fuzz_thread *thread, uint64_t count)
{
    for (uint64_t i = 0; i < count && !thread->source.exhausted; i++, thread->op++) {
        uint64_t choice = draw(&thread->source, 100);
        if (choice < 34)
            op_allocate(thread);
        else if (choice < 50)
            op_realloc(thread);
        else if (choice < 78)
            op_free(thread);
        else if (choice < 86)
            op_size(thread);
        else if (choice < 89)
            op_walk(thread);
        else if (choice < 91)
            op_validate(thread);
        else if (choice < 92)
            op_give_back(thread);
        else if (thread->world->thread_count > 1)
            op_exchange(thread);
        else
            op_size(thread);
    }
}

void fuzz_thread_finish(fuzz_thread *thread)
{
    for (int i = 0; i < FUZZ_SLOTS; i++)
        if (thread->used[i]) {
            release_block(thread, &thread->slots[i]);
            thread->used[i] = false;
        }
    thread->live_bytes = 0;
}

static void thread_init(fuzz_thread *thread, fuzz_world *world, int index)
{
    memset(thread, 0, sizeof *thread);
    thread->world = world;
    thread->index = index;
    thread->next_id = 1;
}

void fuzz_thread_init(fuzz_thread *thread, fuzz_world *world, int index, uint64_t seed)
{
    thread_init(thread, world, index);
    thread->source.state = mix64(seed + 0x51ED270Bull * (uint64_t)(index + 1));
}

void fuzz_thread_init_bytes(fuzz_thread *thread, fuzz_world *world, int index, const uint8_t *data, size_t length)
{
    thread_init(thread, world, index);
    thread->source.bytes = data;
    thread->source.length = length;
}

bool fuzz_world_open(fuzz_world *world)
{
    for (int i = 0; i < FUZZ_EXCHANGE; i++)
        atomic_init(&world->exchange[i], NULL);
    for (int i = 0; i < world->thread_count; i++) {
        world->heaps[i].live_count = 0;
        world->heaps[i].lock = (strata_lock)STRATA_LOCK_INIT;
        if (strata_heap_create(NULL, 0, 0, 0, &world->heaps[i].heap) != STRATA_OK)
            return false;
    }
    return true;
}

void fuzz_world_close(fuzz_world *world)
{
    fuzz_thread closer;
    thread_init(&closer, world, 0);
    for (int i = 0; i < FUZZ_EXCHANGE; i++) {
        fuzz_block *taken = atomic_exchange(&world->exchange[i], NULL);
        if (taken != NULL) {
            release_block(&closer, taken);
            free(taken);
        }
    }
    for (int i = 0; i < world->thread_count; i++) {
        fuzz_heap *heap = &world->heaps[i];
        closer.index = i;
        if (heap->live_count != 0)
            fuzz_fail(&closer, "heap %d still has %d live blocks at the end", i, heap->live_count);
        check_walk(&closer, heap);
        if (!strata_heap_validate(heap->heap, 0, NULL))
            fuzz_fail(&closer, "HeapValidate(NULL) is false at the end");
        if (strata_heap_destroy(heap->heap) != STRATA_OK)
            fuzz_fail(&closer, "HeapDestroy failed");
        heap->heap = NULL;
    }
}
