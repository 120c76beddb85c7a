/* SPDX-License-Identifier: MIT */
/*
 * tests/misuse/test_misuse.c — misuse of the heap, through its own API
 * (strata_heap_*) and through the crt (strata_malloc, ...): each scenario is
 * one ctest, "misuse_<api>_<scenario>", run as
 *     test_misuse <heap|crt> <scenario>
 *
 * A fatal misuse runs in a child that must end as strata_fatal ends a
 * process (SIGABRT; exit code 3 on Windows) right after printing exactly the
 * line it announced. Damage the heap is built to shrug off (bytes before a
 * small block are its neighbour's data; a freed small slot's bytes are not
 * trusted) runs in a child too, which must reach its end with every live
 * block intact and no two blocks overlapping.
 *
 * The table at the bottom lists every scenario; CMake reads it to register
 * the ctests, so a scenario is added in one place.
 */
/* mingw: C99 printf directives (%zu, %llu) rather than msvcrt's. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
#define __USE_MINGW_ANSI_STDIO 1
#endif
#include "misuse.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"

/* ============================================================================
 * Fatal misuse: children
 * ========================================================================== */

/* A block of `size` with live neighbours either side, so that freeing it
 * neither empties a page or segment nor merges with the top. */
static char *block_between_neighbours(size_t size)
{
    char *before = api()->alloc(size);
    char *block = api()->alloc(size);
    char *after = api()->alloc(size);
    if (before == NULL || block == NULL || after == NULL)
        child_fail("could not allocate three blocks of %zu bytes", size);
    fill(block, size, 5);
    return block;
}

static void double_free(size_t size)
{
    char *block = block_between_neighbours(size);
    api()->release(block);
    announce(block, "double free");
    api()->release(block);
    harmless();
}
static void child_double_free_front(void) { double_free(SMALL_SIZE); }
static void child_double_free_back(void) { double_free(BACK_SIZE); }
static void child_double_free_large(void) { double_free(LARGE_SIZE); }

/* free p, q, p: the second free of p comes after another free, so a check
 * that only looks at the last freed block misses it. */
static void double_free_delayed(size_t size)
{
    char *p = block_between_neighbours(size);
    char *q = block_between_neighbours(size);
    api()->release(p);
    api()->release(q);
    announce(p, "double free");
    api()->release(p);
    harmless();
}
static void child_double_free_delayed_front(void) { double_free_delayed(SMALL_SIZE); }
static void child_double_free_delayed_back(void) { double_free_delayed(BACK_SIZE); }
static void child_double_free_delayed_large(void) { double_free_delayed(LARGE_SIZE); }

static void realloc_of_freed(size_t size)
{
    char *block = block_between_neighbours(size);
    api()->release(block);
    announce(block, "double free");
    void *moved = api()->resize(block, size / 2 + 8);
    (void)moved;
    harmless();
}
static void child_realloc_of_freed_front(void) { realloc_of_freed(SMALL_SIZE); }
static void child_realloc_of_freed_back(void) { realloc_of_freed(BACK_SIZE); }
static void child_realloc_of_freed_large(void) { realloc_of_freed(LARGE_SIZE); }

/* ---- Pointers that are no block of this heap ------------------------------- */

static void invalid_free(void *pointer)
{
    announce(pointer, "invalid free: not a block of this heap");
    api()->release(pointer);
    harmless();
}

static void invalid_realloc(void *pointer)
{
    announce(pointer, "invalid free: not a block of this heap");
    void *moved = api()->resize(pointer, 100);
    (void)moved;
    harmless();
}

static _Alignas(16) char static_buffer[256];

static void child_invalid_free_static(void)
{
    block_between_neighbours(SMALL_SIZE); /* the heap is in use */
    invalid_free(static_buffer + 16);
}

static void child_invalid_free_stack(void)
{
    _Alignas(16) char local[256];
    memset(local, 0x5A, sizeof local);
    block_between_neighbours(SMALL_SIZE);
    invalid_free(local + 32);
}

static void child_invalid_free_other_heap(void)
{
    strata_heap *other = NULL;
    if (strata_heap_create(NULL, 0, 0, 0, &other) != STRATA_OK)
        child_fail("could not create a second heap");
    block_between_neighbours(SMALL_SIZE);
    invalid_free(strata_heap_alloc(other, 0, SMALL_SIZE));
}

static void child_invalid_free_interior_front(void) { invalid_free(block_between_neighbours(SMALL_SIZE) + 16); }
static void child_invalid_free_interior_back(void) { invalid_free(block_between_neighbours(BACK_SIZE) + 4096); }
static void child_invalid_free_interior_large(void) { invalid_free(block_between_neighbours(LARGE_SIZE) + 65536); }
static void child_invalid_free_one(void)
{
    block_between_neighbours(SMALL_SIZE);
    invalid_free((void *)(uintptr_t)1);
}
static void child_invalid_free_unmapped(void)
{
    block_between_neighbours(SMALL_SIZE);
    invalid_free(unmapped_address());
}
static void child_invalid_free_noaccess(void)
{
    block_between_neighbours(SMALL_SIZE);
    invalid_free(noaccess_address());
}
/* p|1 and p+8: misaligned pointers into live blocks. */
static void child_invalid_free_misaligned_front(void) { invalid_free(block_between_neighbours(SMALL_SIZE) + 1); }
static void child_invalid_free_misaligned8_front(void) { invalid_free(block_between_neighbours(SMALL_SIZE) + 8); }
static void child_invalid_free_misaligned_back(void) { invalid_free(block_between_neighbours(BACK_SIZE) + 1); }
static void child_invalid_free_misaligned_large(void) { invalid_free(block_between_neighbours(LARGE_SIZE) + 1); }
static void child_invalid_realloc_static(void)
{
    block_between_neighbours(SMALL_SIZE);
    invalid_realloc(static_buffer + 16);
}
static void child_invalid_realloc_interior(void) { invalid_realloc(block_between_neighbours(BACK_SIZE) + 64); }
static void child_invalid_realloc_misaligned(void) { invalid_realloc(block_between_neighbours(SMALL_SIZE) + 1); }
static void child_invalid_realloc_other_heap(void)
{
    strata_heap *other = NULL;
    if (strata_heap_create(NULL, 0, 0, 0, &other) != STRATA_OK)
        child_fail("could not create a second heap");
    block_between_neighbours(SMALL_SIZE);
    invalid_realloc(strata_heap_alloc(other, 0, BACK_SIZE));
}

/* ---- malloc_usable_size of what is no live block (crt) ------------------------ */

static void usable_size_of_freed(size_t size)
{
    char *block = block_between_neighbours(size);
    api()->release(block);
    announce(block, "use after free");
    size_t usable = strata_malloc_usable_size(block);
    (void)usable;
    harmless();
}
static void child_usable_size_of_freed_front(void) { usable_size_of_freed(SMALL_SIZE); }
static void child_usable_size_of_freed_back(void) { usable_size_of_freed(BACK_SIZE); }
static void child_usable_size_of_freed_large(void) { usable_size_of_freed(LARGE_SIZE); }
static void child_usable_size_of_foreign(void)
{
    block_between_neighbours(SMALL_SIZE);
    announce(static_buffer + 32, "invalid pointer: not a block of this heap");
    size_t usable = strata_malloc_usable_size(static_buffer + 32);
    (void)usable;
    harmless();
}
static void child_usable_size_of_interior(void)
{
    char *block = block_between_neighbours(BACK_SIZE);
    announce(block + 64, "invalid pointer: not a block of this heap");
    size_t usable = strata_malloc_usable_size(block + 64);
    (void)usable;
    harmless();
}

/* ---- Back-end and large headers ------------------------------------------------ */

/* A bit of the size word (the first of the two header words), then a realloc
 * that grows the block: the size must not be trusted. If realloc lets it
 * through, freeing the result must catch it. */
static void size_word_then_realloc(uint64_t mask)
{
    char *block = block_between_neighbours(BACK_SIZE);
    announce(block, "block header corrupted");
    xor_word(block - 16, mask);
    char *moved = api()->resize(block, 120000);
    if (moved != NULL && moved != block)
        announce(moved, "block header corrupted");
    api()->release(moved != NULL ? moved : block);
    harmless();
}
static void child_back_size_word_low_bit_realloc(void) { size_word_then_realloc(1); }
static void child_back_size_word_high_bit_realloc(void) { size_word_then_realloc((uint64_t)0x10000 << 32); }

/* b[-15] ^= 0x20: a bit of the second byte of the size word, with a and c
 * live around b. If the heap does not trust that byte, the space it hands
 * out next must still avoid a and c. */
static void child_back_byte_minus15(void)
{
    char *a = api()->alloc(BACK_SIZE);
    char *b = api()->alloc(BACK_SIZE);
    char *c = api()->alloc(BACK_SIZE);
    if (a == NULL || b == NULL || c == NULL)
        child_fail("could not allocate three back-end blocks");
    fill(a, BACK_SIZE, 1);
    fill(c, BACK_SIZE, 3);
    announce(b, "block header corrupted");
    xor_byte(b - 15, 0x20);
    api()->release(b);
    char *next = api()->alloc(48000);
    if (next == NULL)
        child_fail("malloc(48000) failed after the free");
    if (overlaps(next, 48000, a, BACK_SIZE) || overlaps(next, 48000, c, BACK_SIZE))
        child_fail("malloc(48000) returned %p, overlapping a live neighbour (a %p, c %p)", (void *)next, (void *)a,
                   (void *)c);
    fill(next, 48000, 7);
    if (first_damage(a, BACK_SIZE, 1) != SIZE_MAX || first_damage(c, BACK_SIZE, 3) != SIZE_MAX)
        child_fail("filling the new block changed a live neighbour");
    harmless();
}

/* The header word (the second one, just before the data), then free. */
static void child_back_header_word_free(void)
{
    char *block = block_between_neighbours(BACK_SIZE);
    announce(block, "block header corrupted");
    xor_word(block - 8, 1);
    api()->release(block);
    harmless();
}

/* A linear overflow out of one block into the next block's header. */
static void child_back_overflow_into_next_header(void)
{
    char *before = api()->alloc(BACK_SIZE);
    char *block = api()->alloc(BACK_SIZE);
    api()->alloc(BACK_SIZE);
    size_t usable = api()->usable(before);
    if ((uintptr_t)block < (uintptr_t)before || (uintptr_t)block - (uintptr_t)before > usable + 64)
        child_fail("the two blocks are not neighbours");
    for (char *at = before + usable; at < block; at++)
        xor_byte(at, 0x55);
    announce(block, "block header corrupted");
    api()->release(block);
    harmless();
}

/* The footer of a free block (the 16 bytes before the next block's header),
 * found when the next block is freed and merges backwards. */
static void child_back_free_footer(void)
{
    char *a = api()->alloc(BACK_SIZE);
    char *b = api()->alloc(BACK_SIZE);
    char *c = api()->alloc(BACK_SIZE);
    api()->alloc(BACK_SIZE);
    (void)a;
    api()->release(b);
    for (char *at = c - 32; at < c - 16; at++)
        xor_byte(at, 0x5A);
    announce_prefix("block header corrupted");
    api()->release(c);
    harmless();
}

/* A free block's size word, trusted when the block comes back from its bin
 * or when a neighbour merges with it. */
static void child_back_free_header_reused(void)
{
    char *a = api()->alloc(BACK_SIZE);
    char *b = api()->alloc(BACK_SIZE);
    char *c = api()->alloc(BACK_SIZE);
    api()->alloc(BACK_SIZE);
    api()->release(b);
    xor_word(b - 16, 0x100);
    announce_prefix("block header corrupted");
    api()->alloc(BACK_SIZE);
    api()->release(c);
    api()->release(a);
    harmless();
}

/* Both links of a free back-end block, a write after free. */
static void child_back_free_list_link(void)
{
    char *block = block_between_neighbours(BACK_SIZE);
    api()->release(block);
    xor_word(block, 0x4141414141414141ull);
    xor_word(block + 8, 0x4141414141414141ull);
    announce_prefix("free-list link corrupted");
    api()->alloc(BACK_SIZE);
    api()->alloc(BACK_SIZE);
    harmless();
}

static void child_large_header_word_free(void)
{
    char *block = block_between_neighbours(LARGE_SIZE);
    announce(block, "block header corrupted");
    xor_word(block - 8, 1);
    api()->release(block);
    harmless();
}

static void child_large_header_realloc(void)
{
    char *block = block_between_neighbours(LARGE_SIZE);
    announce(block, "block header corrupted");
    xor_word(block - 64, 1);
    char *moved = api()->resize(block, 2 * LARGE_SIZE);
    if (moved != NULL && moved != block)
        announce(moved, "block header corrupted");
    api()->release(moved != NULL ? moved : block);
    harmless();
}

/* ---- The flip sweeps' children (offset and mask come from the parent) ------ */

#define OFFSET_PARAM "TEST_STRATA_MISUSE_OFFSET" /* not STRATA_: see misuse.c */
#define MASK_PARAM "TEST_STRATA_MISUSE_MASK"

/* One flip `offset` bytes before a block of `size`, then free: detected. */
static void flip_then_free(size_t size)
{
    char *block = block_between_neighbours(size);
    unsigned long offset = get_param(OFFSET_PARAM);
    announce(block, "block header corrupted");
    announce(block, "invalid free: not a block of this heap");
    xor_byte(block - offset, (uint8_t)get_param(MASK_PARAM));
    api()->release(block);
    harmless();
}
static void child_flip_back(void) { flip_then_free(BACK_SIZE); }
static void child_flip_large(void) { flip_then_free(LARGE_SIZE); }

/* Every live block holds its pattern, except the byte at `flipped` (when
 * there is one), which holds its pattern XOR `mask`. */
static void check_live(char **blocks, const unsigned *seeds, int count, size_t size, const char *flipped,
                       uint8_t mask)
{
    for (int i = 0; i < count; i++) {
        if (blocks[i] == NULL)
            continue;
        for (size_t at = 0; at < size; at++) {
            uint8_t want = pattern_at(seeds[i], at);
            if (blocks[i] + at == flipped)
                want ^= mask;
            if ((uint8_t)blocks[i][at] != want)
                child_fail("live block %d (%p) changed at offset %zu", i, (void *)blocks[i], at);
        }
    }
}

static void check_no_overlap(char **blocks, int count, size_t size, const char *fresh, const char *what)
{
    for (int i = 0; i < count; i++)
        if (blocks[i] != NULL && overlaps(blocks[i], size, fresh, size))
            child_fail("%s %p overlaps live block %p", what, (const void *)fresh, (void *)blocks[i]);
}

#define FRONT_BLOCKS 32

/* The block of the 32 whose nearest lower neighbour is closest. */
static int block_after_nearest(char **blocks, int count)
{
    int best = -1;
    uintptr_t best_gap = UINTPTR_MAX;
    for (int i = 0; i < count; i++)
        for (int j = 0; j < count; j++)
            if (blocks[j] < blocks[i] && (uintptr_t)(blocks[i] - blocks[j]) < best_gap) {
                best_gap = (uintptr_t)(blocks[i] - blocks[j]);
                best = i;
            }
    return best;
}

/* One flip `offset` bytes before a small block, then free and reuse: the
 * bytes are the neighbour's data, so nothing may notice but the neighbour. */
static void flip_before_front(unsigned long offset, uint8_t mask)
{
    char *blocks[FRONT_BLOCKS];
    unsigned seeds[FRONT_BLOCKS];
    for (int i = 0; i < FRONT_BLOCKS; i++) {
        blocks[i] = api()->alloc(SMALL_SIZE);
        if (blocks[i] == NULL)
            child_fail("could not allocate");
        seeds[i] = (unsigned)i + 11;
        fill(blocks[i], SMALL_SIZE, seeds[i]);
    }
    int target = block_after_nearest(blocks, FRONT_BLOCKS);
    char *block = blocks[target];
    char *flipped = block - offset;
    xor_byte(flipped, mask);
    if (!strata_heap_validate(api()->heap(), 0, NULL))
        child_fail("validate reports damage after a flip of a neighbour's data");
    api()->release(block);
    blocks[target] = NULL;
    char *fresh = api()->alloc(SMALL_SIZE);
    if (fresh == NULL)
        child_fail("malloc after the free failed");
    check_no_overlap(blocks, FRONT_BLOCKS, SMALL_SIZE, fresh, "the next block");
    fill(fresh, SMALL_SIZE, 99);
    check_live(blocks, seeds, FRONT_BLOCKS, SMALL_SIZE, flipped, mask);
    if (strata_heap_size(api()->heap(), 0, fresh) != SMALL_SIZE)
        child_fail("HeapSize of the next block is %zu", strata_heap_size(api()->heap(), 0, fresh));
    for (int i = 0; i < FRONT_BLOCKS; i++)
        api()->release(blocks[i]);
    api()->release(fresh);
    if (!strata_heap_validate(api()->heap(), 0, NULL))
        child_fail("validate reports damage at the end");
    harmless();
}
static void child_flip_front(void)
{
    flip_before_front(get_param(OFFSET_PARAM), (uint8_t)get_param(MASK_PARAM));
}

/* p[-1] ^= 0x20 (one byte), and the 8 bytes before p: the neighbour's data. */
static void child_front_byte_before(void) { flip_before_front(1, 0x20); }
static void child_front_word_before(void)
{
    char *blocks[FRONT_BLOCKS];
    unsigned seeds[FRONT_BLOCKS];
    for (int i = 0; i < FRONT_BLOCKS; i++) {
        blocks[i] = api()->alloc(SMALL_SIZE);
        if (blocks[i] == NULL)
            child_fail("could not allocate");
        seeds[i] = (unsigned)i + 11;
        fill(blocks[i], SMALL_SIZE, seeds[i]);
    }
    int target = block_after_nearest(blocks, FRONT_BLOCKS);
    char *block = blocks[target];
    xor_word(block - 8, 0x2020202020202020ull);
    api()->release(block);
    blocks[target] = NULL;
    char *fresh = api()->alloc(SMALL_SIZE);
    if (fresh == NULL)
        child_fail("malloc after the free failed");
    check_no_overlap(blocks, FRONT_BLOCKS, SMALL_SIZE, fresh, "the next block");
    fill(fresh, SMALL_SIZE, 99);
    /* Undo the flips in whichever live block holds them, then all must be intact. */
    for (int i = 0; i < FRONT_BLOCKS; i++)
        if (blocks[i] != NULL && overlaps(blocks[i], SMALL_SIZE, block - 8, 8))
            for (char *at = block - 8; at < block; at++)
                if (at >= blocks[i] && at < blocks[i] + SMALL_SIZE)
                    *at ^= 0x20;
    check_live(blocks, seeds, FRONT_BLOCKS, SMALL_SIZE, NULL, 0);
    harmless();
}

/* A bit of a freed small slot's first 8 bytes (write after free),
 * then two allocations of the size. */
static void child_front_write_after_free(void)
{
    unsigned bit = (unsigned)get_param(OFFSET_PARAM);
    char *blocks[FRONT_BLOCKS];
    unsigned seeds[FRONT_BLOCKS];
    for (int i = 0; i < FRONT_BLOCKS; i++) {
        blocks[i] = api()->alloc(SMALL_SIZE);
        if (blocks[i] == NULL)
            child_fail("could not allocate");
        seeds[i] = (unsigned)i + 11;
        fill(blocks[i], SMALL_SIZE, seeds[i]);
    }
    char *freed = blocks[FRONT_BLOCKS / 2];
    api()->release(freed);
    blocks[FRONT_BLOCKS / 2] = NULL;
    xor_word(freed, (uint64_t)1 << bit);
    char *first = api()->alloc(SMALL_SIZE);
    char *second = api()->alloc(SMALL_SIZE);
    if (first == NULL || second == NULL)
        child_fail("an allocation after the write failed");
    if (overlaps(first, SMALL_SIZE, second, SMALL_SIZE))
        child_fail("the two new blocks overlap (%p, %p)", (void *)first, (void *)second);
    check_no_overlap(blocks, FRONT_BLOCKS, SMALL_SIZE, first, "the first new block");
    check_no_overlap(blocks, FRONT_BLOCKS, SMALL_SIZE, second, "the second new block");
    fill(first, SMALL_SIZE, 200);
    fill(second, SMALL_SIZE, 201);
    check_live(blocks, seeds, FRONT_BLOCKS, SMALL_SIZE, NULL, 0);
    if (first_damage(first, SMALL_SIZE, 200) != SIZE_MAX)
        child_fail("the first new block changed when the second was filled");
    harmless();
}

/* ============================================================================
 * Parents
 * ========================================================================== */

static void expect_child(const char *name, outcome expected)
{
    char why[768];
    if (!judge_child(name, expected, why, sizeof why))
        fail_msg("%s (%s): %s", name, api()->name, why);
}

/* Failures of a sweep, one example of each kind (kinds differ in what the
 * reason says before its first address). */
typedef struct sweep_report {
    int runs, failures, kinds;
    char kind[8][96];
    int count[8];
    char example[8][400];
} sweep_report;

static void note_failure(sweep_report *report, const char *where, const char *why)
{
    report->failures++;
    char kind[96];
    size_t length = strcspn(why, "0123456789");
    snprintf(kind, sizeof kind, "%.*s", (int)(length < sizeof kind - 1 ? length : sizeof kind - 1), why);
    for (int i = 0; i < report->kinds; i++)
        if (strcmp(report->kind[i], kind) == 0) {
            report->count[i]++;
            return;
        }
    if (report->kinds < 8) {
        int i = report->kinds++;
        snprintf(report->kind[i], sizeof report->kind[i], "%s", kind);
        report->count[i] = 1;
        snprintf(report->example[i], sizeof report->example[i], "%s: %s", where, why);
    }
}

static void fail_with_report(const char *child, const sweep_report *report)
{
    static char text[4096];
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < report->kinds && used < sizeof text - 1; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "\n  %d like %s", report->count[i],
                                 report->example[i]);
    fail_msg("%s (%s): %d of %d flips went wrong:%s", child, api()->name, report->failures, report->runs, text);
}

/* Runs `child` once per (offset, mask) and fails with every flip that did
 * not end as `expected`. Masks: each single bit, then the whole byte. */
static void sweep(const char *child, unsigned long first, unsigned long last, outcome expected)
{
    static sweep_report report;
    memset(&report, 0, sizeof report);
    /* Each child is a new process under Wine: there, the lowest and highest
     * bit and the whole byte only. Under memcheck, where a child takes a
     * second or two, the whole byte only, and past the first 16 bytes only
     * every fourth byte. */
    bool memcheck = child_under_valgrind();
    bool quick = memcheck;
#if defined(_WIN32)
    quick = true;
#endif
    for (unsigned long offset = first; offset <= last; offset++) {
        if (memcheck && offset > 16 && offset % 4 != 0)
            continue;
        for (int flip = 0; flip <= 8; flip++) {
            if (quick && flip != 0 && flip != 7 && flip != 8)
                continue;
            if (memcheck && flip != 8)
                continue;
            unsigned long mask = flip < 8 ? 1ul << flip : 0xFFul;
            set_param(OFFSET_PARAM, offset);
            set_param(MASK_PARAM, mask);
            char why[768], where[48];
            report.runs++;
            if (!judge_child(child, expected, why, sizeof why)) {
                snprintf(where, sizeof where, "byte -%lu ^ 0x%02lx", offset, mask);
                note_failure(&report, where, why);
            }
        }
    }
    if (report.failures > 0)
        fail_with_report(child, &report);
}

/* The back end's 16-byte header: every bit, and every whole byte, detected. */
static void unit_back_header_every_flip(void **state)
{
    (void)state;
    sweep("flip_back", 1, 16, DIES);
}

/* The large block's 64-byte header, the same. */
static void unit_large_header_every_flip(void **state)
{
    (void)state;
    sweep("flip_large", 1, 64, DIES);
}

/* The 16 bytes before a small block belong to its neighbour: harmless. */
static void unit_front_before_every_flip(void **state)
{
    (void)state;
    sweep("flip_front", 1, 16, HARMLESS);
}

/* Each of the 64 bits of a freed slot's first word. */
static void unit_front_write_after_free_every_bit(void **state)
{
    (void)state;
    static sweep_report report;
    memset(&report, 0, sizeof report);
    for (unsigned long bit = 0; bit < 64; bit++) {
        set_param(OFFSET_PARAM, bit);
        char why[768], where[16];
        report.runs++;
        if (!judge_child("front_write_after_free", HARMLESS, why, sizeof why)) {
            snprintf(where, sizeof where, "bit %lu", bit);
            note_failure(&report, where, why);
        }
    }
    if (report.failures > 0)
        fail_with_report("front_write_after_free", &report);
}

/* ---- In-process: what must fail cleanly, and what must keep its bytes ------- */

/* realloc keeps every byte up to the old usable size (or up to
 * the new size, when that is smaller). */
static void check_realloc_keeps(size_t size, size_t new_size)
{
    char *block = api()->alloc(size);
    assert_non_null(block);
    size_t usable = api()->usable(block);
    assert_true(usable >= size);
    fill(block, usable, (unsigned)size);
    char *moved = api()->resize(block, new_size);
    if (moved == NULL)
        fail_msg("realloc(%llu -> %llu) failed", (unsigned long long)size, (unsigned long long)new_size);
    size_t kept = usable < new_size ? usable : new_size;
    size_t damage = first_damage(moved, kept, (unsigned)size);
    if (damage != SIZE_MAX)
        fail_msg("realloc of a %llu-byte block (usable %llu) to %llu lost byte %llu of the %llu it must keep",
                 (unsigned long long)size, (unsigned long long)usable, (unsigned long long)new_size,
                 (unsigned long long)damage, (unsigned long long)kept);
    api()->release(moved);
}

static void unit_realloc_keeps_usable_bytes(void **state)
{
    (void)state;
    for (size_t size = 1; size <= 1024; size += 7) {
        char *probe = api()->alloc(size);
        size_t usable = api()->usable(probe);
        api()->release(probe);
        check_realloc_keeps(size, usable + 1);
        check_realloc_keeps(size, 2 * usable + 100);
        check_realloc_keeps(size, BACK_SIZE);
        if (size > 1)
            check_realloc_keeps(size, size - 1);
    }
    const size_t bigger[] = {BACK_SIZE, 300000, LARGE_SIZE - 16, LARGE_SIZE + 5000};
    for (size_t i = 0; i < sizeof bigger / sizeof bigger[0]; i++) {
        check_realloc_keeps(bigger[i], bigger[i] + 1);
        check_realloc_keeps(bigger[i], 2 * bigger[i]);
        check_realloc_keeps(bigger[i], bigger[i] / 3);
    }
}

/* realloc(p, SIZE_MAX) and sizes near it: NULL, and p keeps size and bytes. */
static void unit_realloc_huge_keeps_block(void **state)
{
    (void)state;
    const size_t sizes[] = {SMALL_SIZE, BACK_SIZE, LARGE_SIZE};
    const size_t huge[] = {SIZE_MAX, SIZE_MAX - 15, (size_t)PTRDIFF_MAX + 1, STRATA_HEAP_MAX_REQUEST + 1};
    for (size_t i = 0; i < 3; i++) {
        char *block = api()->alloc(sizes[i]);
        assert_non_null(block);
        size_t usable = api()->usable(block);
        fill(block, usable, 77);
        for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++) {
            errno = 0;
            assert_null(api()->resize(block, huge[h]));
            if (strcmp(api()->name, "crt") == 0)
                assert_int_equal(errno, ENOMEM);
            assert_int_equal(api()->usable(block), usable);
            assert_int_equal(strata_heap_size(api()->heap(), 0, block), sizes[i]);
            assert_true(first_damage(block, usable, 77) == SIZE_MAX);
        }
        api()->release(block);
    }
}

/* Every size in (SIZE_MAX - 2^14, SIZE_MAX] fails on every entry point,
 * after the heap is in use. */
static void unit_sizes_near_size_max_fail(void **state)
{
    (void)state;
    bool crt = strcmp(api()->name, "crt") == 0;
    api()->release(api()->alloc(100));
    char *block = api()->alloc(100);
    assert_non_null(block);
    for (size_t size = SIZE_MAX; size > SIZE_MAX - ((size_t)1 << 14); size--) {
        if (crt) {
            errno = 0;
            assert_null(strata_malloc(size));
            assert_int_equal(errno, ENOMEM);
            errno = 0;
            assert_null(strata_calloc(1, size));
            assert_int_equal(errno, ENOMEM);
            errno = 0;
            assert_null(strata_realloc(block, size));
            assert_int_equal(errno, ENOMEM);
            errno = 0;
            assert_null(strata_aligned_alloc(64, size));
            assert_int_equal(errno, ENOMEM);
            void *untouched = (void *)block;
            assert_int_equal(strata_posix_memalign(&untouched, 64, size), ENOMEM);
            assert_ptr_equal(untouched, block);
        } else {
            strata_heap *heap = api()->heap();
            assert_null(strata_heap_alloc(heap, 0, size));
            assert_null(strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, size));
            assert_null(strata_heap_realloc(heap, 0, block, size));
            assert_null(strata_heap_alloc_aligned(heap, 0, size, 64));
        }
    }
    assert_true(strata_heap_validate(api()->heap(), 0, block));
    api()->release(block);
}

/* calloc's product overflowing: NULL with ENOMEM, never a short block. */
static void unit_calloc_overflow_fails(void **state)
{
    (void)state;
    const size_t pairs[][2] = {
        {SIZE_MAX, 2}, {2, SIZE_MAX}, {SIZE_MAX, SIZE_MAX}, {(size_t)PTRDIFF_MAX + 1, 2}, {(size_t)1 << 33, (size_t)1 << 31},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        errno = 0;
        assert_null(strata_calloc(pairs[i][0], pairs[i][1]));
        assert_int_equal(errno, ENOMEM);
    }
    for (size_t n = 2; n <= 4096; n++) {
        errno = 0;
        assert_null(strata_calloc(n, SIZE_MAX / n + 1));
        assert_int_equal(errno, ENOMEM);
    }
}

/* posix_memalign with an alignment that is not a power of two times
 * sizeof(void *): EINVAL, and the output is left as it was. */
static void unit_posix_memalign_bad_alignment(void **state)
{
    (void)state;
    const size_t bad[] = {0, 1, 2, 3, sizeof(void *) / 2, 3 * sizeof(void *), 48, 100, SIZE_MAX};
    int sentinel;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *out = &sentinel;
        errno = 1234;
        assert_int_equal(strata_posix_memalign(&out, bad[i], 64), EINVAL);
        assert_ptr_equal(out, &sentinel);
        assert_int_equal(errno, 1234);
    }
    void *out = &sentinel;
    assert_int_equal(strata_posix_memalign(&out, 64, 0), 0); /* size 0 succeeds */
    assert_true(out != &sentinel && ((uintptr_t)out & 63) == 0);
    strata_free(out);
    out = &sentinel;
    assert_int_equal(strata_posix_memalign(&out, 64, SIZE_MAX), ENOMEM);
    assert_ptr_equal(out, &sentinel);
}

/* Three blocks of `size` side by side into `out`; the middle one is the test's. */
static char *three_blocks(size_t size, char **out)
{
    for (int i = 0; i < 3; i++) {
        out[i] = api()->alloc(size);
        assert_non_null(out[i]);
    }
    return out[1];
}

/* HeapSize of anything that is no live block: SIZE_MAX, nothing ends. */
static void unit_heap_size_of_invalid_pointers(void **state)
{
    (void)state;
    strata_heap *heap = api()->heap();
    strata_heap *other = NULL;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &other), STRATA_OK);
    _Alignas(16) char local[64];
    char *blocks[6][3]; /* all freed at the end: memcheck counts blocks the heap describes */
    char *small = three_blocks(SMALL_SIZE, blocks[0]);
    char *back = three_blocks(BACK_SIZE, blocks[1]);
    char *large = three_blocks(LARGE_SIZE, blocks[2]);
    char *freed[3] = {three_blocks(SMALL_SIZE, blocks[3]), three_blocks(BACK_SIZE, blocks[4]),
                      three_blocks(LARGE_SIZE, blocks[5])};
    for (int i = 0; i < 3; i++)
        api()->release(freed[i]);
    const void *invalid[] = {
        freed[0], freed[1], freed[2], static_buffer + 16, local + 16, strata_heap_alloc(other, 0, 32),
        small + 16, small + 1, back + 4096, back + 1, large + 65536, large + 1, (void *)(uintptr_t)1,
        unmapped_address(), noaccess_address(),
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        if (strata_heap_size(heap, 0, invalid[i]) != SIZE_MAX)
            fail_msg("HeapSize of invalid pointer #%d (%p) is %llu", (int)i, invalid[i],
                     (unsigned long long)strata_heap_size(heap, 0, invalid[i]));
        if (strata_heap_validate(heap, 0, invalid[i]))
            fail_msg("HeapValidate of invalid pointer #%d (%p) is true", (int)i, invalid[i]);
    }
    assert_int_equal(strata_heap_size(heap, 0, small), SMALL_SIZE);
    assert_int_equal(strata_heap_size(heap, 0, back), BACK_SIZE);
    assert_int_equal(strata_heap_size(heap, 0, large), LARGE_SIZE);
    assert_true(strata_heap_validate(heap, 0, NULL));
    for (int i = 0; i < 6; i++)
        for (int k = 0; k < 3; k++)
            if (i < 3 || k != 1)
                api()->release(blocks[i][k]);
    assert_status(strata_heap_destroy(other), STRATA_OK);
}

/* HeapValidate reports every kind of damage as false, ends nothing, and is
 * true again once the damage is undone. */
static void unit_validate_reports_damage(void **state)
{
    (void)state;
    strata_heap *heap = api()->heap();
    char *back = block_between_neighbours(BACK_SIZE);
    char *large = block_between_neighbours(LARGE_SIZE);
    char *a = api()->alloc(BACK_SIZE);
    char *b = api()->alloc(BACK_SIZE);
    char *c = api()->alloc(BACK_SIZE);
    api()->alloc(BACK_SIZE);
    (void)a;
    api()->release(b);
    struct {
        const char *what;
        char *at;          /* first byte flipped */
        size_t length;     /* bytes flipped */
        const char *block; /* block to validate alone, or NULL */
    } damage[] = {
        {"back-end size word", back - 16, 1, back},
        {"back-end size word, high half", back - 11, 1, back},
        {"back-end header word", back - 8, 1, back},
        {"large header, first byte", large - 64, 1, large},
        {"large header, last byte", large - 1, 1, large},
        {"free block's header", b - 16, 1, NULL},
        {"free block's footer", c - 32, 16, NULL},
        {"free block's links", b, 16, NULL},
    };
    assert_true(strata_heap_validate(heap, 0, NULL));
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        for (size_t k = 0; k < damage[i].length; k++)
            xor_byte(damage[i].at + k, 0x10);
        if (strata_heap_validate(heap, 0, NULL))
            fail_msg("HeapValidate(NULL) is true with a flipped %s", damage[i].what);
        if (damage[i].block != NULL && strata_heap_validate(heap, 0, damage[i].block))
            fail_msg("HeapValidate(block) is true with a flipped %s", damage[i].what);
        if (damage[i].block != NULL && strata_heap_size(heap, 0, damage[i].block) != SIZE_MAX)
            fail_msg("HeapSize is not SIZE_MAX with a flipped %s", damage[i].what);
        for (size_t k = 0; k < damage[i].length; k++)
            xor_byte(damage[i].at + k, 0x10);
        if (!strata_heap_validate(heap, 0, NULL))
            fail_msg("HeapValidate(NULL) stays false once the %s is restored", damage[i].what);
    }
}

/* ============================================================================
 * Guard mode: faults named by the fault listener, padding checked at free
 * ========================================================================== */

static char *guarded_block(size_t size)
{
    if (strata_heap_set_guard(api()->heap(), 1) != STRATA_OK)
        child_fail("could not turn guard mode on");
    char *block = api()->alloc(size);
    if (block == NULL)
        child_fail("could not allocate a guarded block of %zu bytes", size);
    return block;
}

/* Writes `count` bytes one at a time from the block's end on: the first
 * that is not padding must fault. */
static void write_past(size_t size, size_t count)
{
    char *block = guarded_block(size);
    char *page_end = block + ((size + 15) & ~(size_t)15);
    announce_guard("write overflow", page_end, block, size);
    for (size_t i = 0; i < count; i++)
        ((volatile char *)block)[size + i] = 'x';
    harmless();
}
static void child_guard_overflow_1_front(void) { write_past(SMALL_SIZE, 1); }
static void child_guard_overflow_8_front(void) { write_past(SMALL_SIZE - 4, 8); }
static void child_guard_overflow_1_large(void) { write_past(LARGE_SIZE, 1); }
static void child_guard_overflow_8_large(void) { write_past(LARGE_SIZE - 4, 8); }

static void child_guard_read_overflow_front(void)
{
    char *block = guarded_block(SMALL_SIZE);
    announce_guard("read overflow", block + SMALL_SIZE, block, SMALL_SIZE);
    char byte = ((volatile char *)block)[SMALL_SIZE];
    (void)byte;
    harmless();
}

static void use_after_free(size_t size, bool write)
{
    char *block = guarded_block(size);
    fill(block, size, 3);
    api()->release(block);
    char *at = block + size / 2;
    announce_guard(write ? "use after free write" : "use after free read", at, block, size);
    if (write) {
        *(volatile char *)at = 'x';
    } else {
        char byte = *(volatile char *)at;
        (void)byte;
    }
    harmless();
}
static void child_guard_use_after_free_read_front(void) { use_after_free(SMALL_SIZE, false); }
static void child_guard_use_after_free_write_front(void) { use_after_free(SMALL_SIZE, true); }
static void child_guard_use_after_free_read_large(void) { use_after_free(LARGE_SIZE, false); }
static void child_guard_use_after_free_write_large(void) { use_after_free(LARGE_SIZE, true); }

static void child_guard_zero_size_access(void)
{
    char *block = guarded_block(0);
    announce_guard("zero-size access", block, block, 0);
    char byte = *(volatile char *)block;
    (void)byte;
    harmless();
}

/* A write into the padding faults nowhere: free finds it. */
static void child_guard_padding_after(void)
{
    char *block = guarded_block(13);
    xor_byte(block + 14, 0xFF);
    announce_guard("guard padding overwritten", block + 14, block, 13);
    api()->release(block);
    harmless();
}

static void child_guard_padding_before(void)
{
    char *block = guarded_block(100);
    xor_byte(block - 1, 0xFF);
    announce_guard("guard padding overwritten", block - 1, block, 100);
    api()->release(block);
    harmless();
}

static void child_guard_padding_realloc(void)
{
    char *block = guarded_block(13);
    xor_byte(block + 15, 0xFF);
    announce_guard("guard padding overwritten", block + 15, block, 13);
    void *moved = api()->resize(block, 500);
    (void)moved;
    harmless();
}

/* While the block is quarantined, a second free is a double free. */
static void child_guard_double_free(void)
{
    char *block = guarded_block(SMALL_SIZE);
    api()->release(block);
    announce(block, "double free");
    api()->release(block);
    harmless();
}

/* The crt puts its heap in guard mode from STRATA_GUARD: a new process,
 * since this one's crt read its options long ago. */
static void child_guard_option(void)
{
    void *block = strata_malloc(8);
    fprintf(stderr, "guard %u\n", (unsigned)strata_heap_guard(strata_crt_heap()));
    strata_free(block);
}

static void unit_guard_option_reaches_crt_heap(void **state)
{
    (void)state;
    set_param("STRATA_GUARD", 1000);
    static child_result result;
    assert_true(child_run_fresh("guard_option", &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    const char *line = strstr(result.output, "guard 1000");
    assert_non_null(line);
    assert_true(line[10] == '\n' || line[10] == '\r'); /* Windows' stderr ends lines with \r\n */
}

/* ============================================================================
 * The table (CMake reads the DEATH/HARMLESS/EITHER/UNIT lines)
 * ========================================================================== */

enum { BOTH = 3, HEAP = 1, CRT = 2 };

typedef struct misuse_test {
    const char *name;
    child_scenario_fn child; /* a child scenario judged against `expected`, or NULL */
    outcome expected;
    CMUnitTestFunction unit; /* an in-process test, or NULL */
    int apis;
} misuse_test;

/* The last field (flags) is for CMake: FREED marks scenarios that write
 * into memory the heap has been given back, FAULT those judged by the
 * message of a fault (see CMakeLists.txt). */
#define DEATH(n, apis, flags) {#n, child_##n, DIES, NULL, apis}
#define HARMLESS(n, apis, flags) {#n, child_##n, HARMLESS, NULL, apis}
#define EITHER(n, apis, flags) {#n, child_##n, DIES_OR_HARMLESS, NULL, apis}
#define UNIT(n, apis, flags) {#n, NULL, DIES, unit_##n, apis}

static const misuse_test tests[] = {
    DEATH(double_free_front, BOTH, 0),
    DEATH(double_free_back, BOTH, 0),
    DEATH(double_free_large, BOTH, 0),
    DEATH(double_free_delayed_front, BOTH, 0),
    DEATH(double_free_delayed_back, BOTH, 0),
    DEATH(double_free_delayed_large, BOTH, 0),
    DEATH(realloc_of_freed_front, BOTH, 0),
    DEATH(realloc_of_freed_back, BOTH, 0),
    DEATH(realloc_of_freed_large, BOTH, 0),
    DEATH(invalid_free_static, BOTH, 0),
    DEATH(invalid_free_stack, BOTH, 0),
    DEATH(invalid_free_other_heap, BOTH, 0),
    DEATH(invalid_free_interior_front, BOTH, 0),
    DEATH(invalid_free_interior_back, BOTH, 0),
    DEATH(invalid_free_interior_large, BOTH, 0),
    DEATH(invalid_free_one, BOTH, 0),
    DEATH(invalid_free_unmapped, BOTH, 0),
    DEATH(invalid_free_noaccess, BOTH, 0),
    DEATH(invalid_free_misaligned_front, BOTH, 0),
    DEATH(invalid_free_misaligned8_front, BOTH, 0),
    DEATH(invalid_free_misaligned_back, BOTH, 0),
    DEATH(invalid_free_misaligned_large, BOTH, 0),
    DEATH(invalid_realloc_static, BOTH, 0),
    DEATH(invalid_realloc_interior, BOTH, 0),
    DEATH(invalid_realloc_misaligned, BOTH, 0),
    DEATH(invalid_realloc_other_heap, BOTH, 0),
    DEATH(usable_size_of_freed_front, CRT, 0),
    DEATH(usable_size_of_freed_back, CRT, 0),
    DEATH(usable_size_of_freed_large, CRT, 0),
    DEATH(usable_size_of_foreign, CRT, 0),
    DEATH(usable_size_of_interior, CRT, 0),
    DEATH(back_size_word_low_bit_realloc, BOTH, 0),
    DEATH(back_size_word_high_bit_realloc, BOTH, 0),
    EITHER(back_byte_minus15, BOTH, 0),
    DEATH(back_header_word_free, BOTH, 0),
    DEATH(back_overflow_into_next_header, BOTH, 0),
    DEATH(back_free_footer, BOTH, FREED),
    DEATH(back_free_header_reused, BOTH, FREED),
    DEATH(back_free_list_link, BOTH, FREED),
    DEATH(large_header_word_free, BOTH, 0),
    DEATH(large_header_realloc, BOTH, 0),
    HARMLESS(front_byte_before, BOTH, 0),
    HARMLESS(front_word_before, BOTH, 0),
    UNIT(front_before_every_flip, BOTH, 0),
    UNIT(back_header_every_flip, BOTH, 0),
    UNIT(large_header_every_flip, BOTH, 0),
    UNIT(front_write_after_free_every_bit, BOTH, FREED),
    UNIT(realloc_keeps_usable_bytes, BOTH, 0),
    UNIT(realloc_huge_keeps_block, BOTH, 0),
    UNIT(sizes_near_size_max_fail, BOTH, 0),
    UNIT(calloc_overflow_fails, CRT, 0),
    UNIT(posix_memalign_bad_alignment, CRT, 0),
    UNIT(heap_size_of_invalid_pointers, BOTH, 0),
    UNIT(validate_reports_damage, BOTH, FREED),
    DEATH(guard_overflow_1_front, BOTH, FAULT),
    DEATH(guard_overflow_8_front, BOTH, FAULT),
    DEATH(guard_overflow_1_large, BOTH, FAULT),
    DEATH(guard_overflow_8_large, BOTH, FAULT),
    DEATH(guard_read_overflow_front, BOTH, FAULT),
    DEATH(guard_use_after_free_read_front, BOTH, FAULT),
    DEATH(guard_use_after_free_write_front, BOTH, FAULT),
    DEATH(guard_use_after_free_read_large, BOTH, FAULT),
    DEATH(guard_use_after_free_write_large, BOTH, FAULT),
    DEATH(guard_zero_size_access, BOTH, FAULT),
    DEATH(guard_padding_after, BOTH, 0),
    DEATH(guard_padding_before, BOTH, 0),
    DEATH(guard_padding_realloc, BOTH, 0),
    DEATH(guard_double_free, BOTH, 0),
    UNIT(guard_option_reaches_crt_heap, CRT, 0),
};
#define TEST_COUNT (sizeof tests / sizeof tests[0])

/* Children the sweeps run, besides the table's own. */
static child_scenario scenarios[TEST_COUNT + 8] = {
    {"flip_back", child_flip_back},
    {"flip_large", child_flip_large},
    {"flip_front", child_flip_front},
    {"front_write_after_free", child_front_write_after_free},
    {"guard_option", child_guard_option},
};

static const misuse_test *current;

static void run_current(void **state)
{
    if (current->unit != NULL)
        current->unit(state);
    else
        expect_child(current->name, current->expected);
}

int main(int argc, char **argv)
{
    size_t count = 5;
    for (size_t i = 0; i < TEST_COUNT; i++)
        if (tests[i].child != NULL)
            scenarios[count++] = (child_scenario){tests[i].name, tests[i].child};
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    if (argc != 3 || !select_api(argv[1])) {
        fprintf(stderr, "usage: %s heap|crt <scenario>\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < TEST_COUNT; i++) {
        if (strcmp(tests[i].name, argv[2]) != 0)
            continue;
        if ((tests[i].apis & (strcmp(argv[1], "crt") == 0 ? CRT : HEAP)) == 0) {
            fprintf(stderr, "%s is not a scenario of the %s API\n", argv[2], argv[1]);
            return 2;
        }
        current = &tests[i];
        const struct CMUnitTest one[] = {{tests[i].name, run_current, NULL, NULL, NULL}};
        char group[160];
        snprintf(group, sizeof group, "misuse_%s", argv[1]);
        return cmocka_run_group_tests_name(group, one, NULL, NULL);
    }
    fprintf(stderr, "no scenario named %s\n", argv[2]);
    return 2;
}
