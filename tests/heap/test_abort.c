/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_abort.c — termination on corruption. Each misuse runs in a
 * child process of its own, which must end the way strata_fatal ends a
 * process (SIGABRT on POSIX, exit code 3 on Windows) with exactly one line
 * naming the heap, the check and the address. The child first writes the
 * line it expects, built from its own addresses by the test; the parent
 * requires the next line to be exactly that.
 *
 * The same damage, made in this process, is reported by strata_heap_validate
 * as false without ending anything.
 */
#include <strata/heap.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

#define LARGE STRATA_HEAP_LARGE_THRESHOLD

/* Misuse on purpose: memcheck would (rightly) report these writes into freed
 * blocks, so it is told first; the heap's own checks are what is tested. */
static void poke(void *address, uint64_t value)
{
    VALGRIND_MAKE_MEM_DEFINED(address, sizeof value);
    *(volatile uint64_t *)address = value;
}

static uint64_t peek(void *address)
{
    VALGRIND_MAKE_MEM_DEFINED(address, sizeof(uint64_t));
    return *(volatile uint64_t *)address;
}

static strata_heap *make_heap(void)
{
    strata_heap *heap = NULL;
    if (strata_heap_create(NULL, 0, 0, 0, &heap) != STRATA_OK)
        exit(90);
    return heap;
}

/* Announce the line the heap must print (a prefix when the address is the
 * heap's to choose). */
static void expect_line(const strata_heap *heap, const char *check, const void *address)
{
    if (address != NULL)
        fprintf(stderr, "expect: strata: heap 0x%llx: %s at 0x%llx\n", (unsigned long long)(uintptr_t)heap,
                check, (unsigned long long)(uintptr_t)address);
    else
        fprintf(stderr, "expect: strata: heap 0x%llx: %s at 0x\n", (unsigned long long)(uintptr_t)heap, check);
    fflush(stderr);
}

static void child_double_free_front(void)
{
    strata_heap *heap = make_heap();
    void *block = strata_heap_alloc(heap, 0, 24);
    strata_heap_free(heap, 0, block);
    expect_line(heap, "double free", block);
    strata_heap_free(heap, 0, block);
}

static void child_double_free_back(void)
{
    strata_heap *heap = make_heap();
    void *before = strata_heap_alloc(heap, 0, 50000);
    void *block = strata_heap_alloc(heap, 0, 50000);
    void *after = strata_heap_alloc(heap, 0, 50000);
    (void)before;
    (void)after;
    strata_heap_free(heap, 0, block);
    expect_line(heap, "double free", block);
    strata_heap_free(heap, 0, block);
}

static void child_invalid_free_static(void)
{
    static _Alignas(16) char buffer[64];
    strata_heap *heap = make_heap();
    strata_heap_alloc(heap, 0, 24);
    expect_line(heap, "invalid free: not a block of this heap", buffer + 16);
    strata_heap_free(heap, 0, buffer + 16);
}

static void child_invalid_free_other_heap(void)
{
    strata_heap *heap = make_heap();
    strata_heap *other = make_heap();
    void *theirs = strata_heap_alloc(other, 0, 24);
    expect_line(heap, "invalid free: not a block of this heap", theirs);
    strata_heap_free(heap, 0, theirs);
}

static void child_invalid_free_interior(void)
{
    strata_heap *heap = make_heap();
    char *block = strata_heap_alloc(heap, 0, 200);
    memset(block, 0x6B, 200);
    expect_line(heap, "invalid free: not a block of this heap", block + 32);
    strata_heap_free(heap, 0, block + 32);
}

static void child_usable_size_of_freed_block(void)
{
    strata_heap *heap = make_heap();
    char *block = strata_heap_alloc(heap, 0, 40);
    strata_heap_free(heap, 0, block);
    expect_line(heap, "use after free", block);
    strata_heap_usable_size(heap, block);
}

static void child_usable_size_of_foreign_pointer(void)
{
    static _Alignas(16) char buffer[64];
    strata_heap *heap = make_heap();
    expect_line(heap, "invalid pointer: not a block of this heap", buffer);
    strata_heap_usable_size(heap, buffer);
}

static void child_wild_pointer_free(void)
{
    strata_heap *heap = make_heap();
    expect_line(heap, "invalid free: not a block of this heap", (void *)(uintptr_t)1);
    strata_heap_free(heap, 0, (void *)(uintptr_t)1);
}

static void child_double_free_large(void)
{
    strata_heap *heap = make_heap();
    void *block = strata_heap_alloc(heap, 0, LARGE + 4096);
    strata_heap_free(heap, 0, block);
    expect_line(heap, "double free", block);
    strata_heap_free(heap, 0, block);
}

static void child_large_header_overwrite(void)
{
    strata_heap *heap = make_heap();
    char *block = strata_heap_alloc(heap, 0, LARGE + 4096);
    ((volatile uint64_t *)(void *)block)[-4] ^= 1; /* the requested size, in the 64-byte header */
    expect_line(heap, "block header corrupted", block);
    strata_heap_realloc(heap, 0, block, LARGE * 2);
}

static void child_header_overwrite_back(void)
{
    strata_heap *heap = make_heap();
    char *before = strata_heap_alloc(heap, 0, 50000);
    char *block = strata_heap_alloc(heap, 0, 50000);
    memset(before, 0x55, 50000 + 32); /* overflows into the next block's header */
    expect_line(heap, "block header corrupted", block);
    strata_heap_free(heap, 0, block);
}

static void child_size_word_flip_back(void)
{
    strata_heap *heap = make_heap();
    char *block = strata_heap_alloc(heap, 0, 40000);
    strata_heap_alloc(heap, 0, 40000);
    ((volatile uint64_t *)(void *)block)[-2] ^= 1u << 16; /* 64 KiB more, were it trusted */
    expect_line(heap, "block header corrupted", block);
    strata_heap_realloc(heap, 0, block, 120000);
}

static void child_link_overwrite_back(void)
{
    strata_heap *heap = make_heap();
    strata_heap_alloc(heap, 0, 50000);
    char *block = strata_heap_alloc(heap, 0, 50000);
    strata_heap_alloc(heap, 0, 50000);
    strata_heap_free(heap, 0, block);
    poke(block, 0x4141414141414141ull); /* both links of the free block */
    poke(block + 8, 0x4141414141414141ull);
    expect_line(heap, "free-list link corrupted", block);
    strata_heap_alloc(heap, 0, 50000);
}

static const child_scenario scenarios[] = {
    {"double_free_front", child_double_free_front},
    {"double_free_back", child_double_free_back},
    {"invalid_free_static", child_invalid_free_static},
    {"invalid_free_other_heap", child_invalid_free_other_heap},
    {"invalid_free_interior", child_invalid_free_interior},
    {"usable_size_freed", child_usable_size_of_freed_block},
    {"usable_size_foreign", child_usable_size_of_foreign_pointer},
    {"wild_pointer_free", child_wild_pointer_free},
    {"double_free_large", child_double_free_large},
    {"large_header_overwrite", child_large_header_overwrite},
    {"header_overwrite_back", child_header_overwrite_back},
    {"size_word_flip_back", child_size_word_flip_back},
    {"link_overwrite_back", child_link_overwrite_back},
    {NULL, NULL},
};

/* The child must end as strata_fatal ends a process, right after printing
 * exactly the line it announced. */
static void expect_termination(const char *scenario)
{
    child_result result;
    assert_true(child_run(scenario, &result));
#if defined(_WIN32)
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 3);
#else
    assert_false(result.exited);
    assert_int_equal(result.signal_number, SIGABRT);
#endif
    const char *announced = strstr(result.output, "expect: ");
    if (announced == NULL)
        fail_msg("%s: no expectation line in: %s", scenario, result.output);
    announced += strlen("expect: ");
    const char *end = strchr(announced, '\n');
    assert_non_null(end);
    const char *printed = end + 1;
    if (end > announced && end[-1] == '\r') /* text-mode stderr on Windows */
        end--;
    size_t length = (size_t)(end - announced);
    bool whole_line = announced[length - 1] != 'x'; /* a prefix ends in "at 0x" */
    if (strncmp(printed, announced, length) != 0 || (whole_line && printed[length] != '\n' && printed[length] != '\r'))
        fail_msg("%s: expected the line \"%.*s\", the child printed: %s", scenario, (int)length, announced, printed);
}

static void test_double_free_of_a_front_end_block_ends_the_process(void **state)
{
    (void)state;
    expect_termination("double_free_front");
}

static void test_double_free_of_a_back_end_block_ends_the_process(void **state)
{
    (void)state;
    expect_termination("double_free_back");
}

static void test_free_of_a_static_buffer_ends_the_process(void **state)
{
    (void)state;
    expect_termination("invalid_free_static");
}

static void test_free_of_another_heaps_block_ends_the_process(void **state)
{
    (void)state;
    expect_termination("invalid_free_other_heap");
}

static void test_free_of_an_interior_pointer_ends_the_process(void **state)
{
    (void)state;
    expect_termination("invalid_free_interior");
}

static void test_usable_size_of_a_freed_block_ends_the_process(void **state)
{
    (void)state;
    expect_termination("usable_size_freed");
}

static void test_usable_size_of_a_foreign_pointer_ends_the_process(void **state)
{
    (void)state;
    expect_termination("usable_size_foreign");
}

static void test_free_of_a_wild_pointer_ends_the_process_before_reading_it(void **state)
{
    (void)state;
    expect_termination("wild_pointer_free");
}

static void test_double_free_of_a_large_block_is_called_a_double_free(void **state)
{
    (void)state;
    expect_termination("double_free_large");
}

static void test_a_flipped_bit_in_a_large_header_ends_the_process(void **state)
{
    (void)state;
    expect_termination("large_header_overwrite");
}

/* Front-end slots have no header: the bytes before a block are the previous
 * slot's data, and damage there (an underflow, a write after free) cannot
 * reach the heap's bookkeeping. Every block stays distinct and intact. */
static void test_damage_before_and_inside_freed_small_slots_is_harmless(void **state)
{
    (void)state;
    strata_heap *heap = make_heap();
    char *blocks[8];
    for (int i = 0; i < 8; i++) {
        blocks[i] = strata_heap_alloc(heap, 0, 48);
        memset(blocks[i], 0x30 + i, 48);
    }
    ((volatile char *)blocks[3])[-1] ^= 0x20;                               /* a one-byte underflow */
    ((volatile uint64_t *)(void *)blocks[5])[-1] ^= 0x4142434445464748ull; /* an 8-byte one */
    assert_true(strata_heap_free(heap, 0, blocks[3]));
    assert_true(strata_heap_free(heap, 0, blocks[5]));
    poke(blocks[5], peek(blocks[5]) ^ 1); /* one bit written after free */
    char *again[2] = {strata_heap_alloc(heap, 0, 48), strata_heap_alloc(heap, 0, 48)};
    assert_true(again[0] != again[1]);
    for (int i = 0; i < 8; i++) {
        if (i == 3 || i == 5)
            continue;
        for (int j = 0; j < 2; j++)
            assert_true(again[j] + 48 <= blocks[i] || blocks[i] + 48 <= again[j]);
    }
    assert_true(strata_heap_validate(heap, 0, NULL));
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_overflow_into_a_back_end_header_ends_the_process(void **state)
{
    (void)state;
    expect_termination("header_overwrite_back");
}

static void test_a_flipped_bit_in_a_back_end_size_word_ends_the_process(void **state)
{
    (void)state;
    expect_termination("size_word_flip_back");
}

static void test_overwritten_back_end_free_list_links_end_the_process(void **state)
{
    (void)state;
    expect_termination("link_overwrite_back");
}

/* ---- validate sees the same damage and ends nothing ------------------------- */
static void test_validate_reports_a_trashed_header_without_ending(void **state)
{
    (void)state;
    strata_heap *heap = make_heap();
    char *back = strata_heap_alloc(heap, 0, 50000);
    char *other = strata_heap_alloc(heap, 0, 60000);
    char *blocks[2] = {back, other};
    for (int i = 0; i < 2; i++) {
        uint64_t *header = (uint64_t *)(void *)blocks[i] - 1;
        uint64_t saved = *header;
        *header ^= 0x0101010101010101ull;
        assert_false(strata_heap_validate(heap, 0, blocks[i]));
        assert_int_equal(strata_heap_size(heap, 0, blocks[i]), SIZE_MAX);
        assert_false(strata_heap_validate(heap, 0, NULL));
        *header = saved;
        assert_true(strata_heap_validate(heap, 0, blocks[i]));
        assert_true(strata_heap_validate(heap, 0, NULL));
    }
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

static void test_validate_reports_a_trashed_free_list_link_without_ending(void **state)
{
    (void)state;
    strata_heap *heap = make_heap();
    char *back = strata_heap_alloc(heap, 0, 50000);
    strata_heap_alloc(heap, 0, 50000);
    strata_heap_free(heap, 0, back);
    char *blocks[1] = {back};
    for (int i = 0; i < 1; i++) {
        uint64_t saved = peek(blocks[i]);
        poke(blocks[i], 0x4141414141414141ull);
        assert_false(strata_heap_validate(heap, 0, NULL));
        poke(blocks[i], saved);
        VALGRIND_MAKE_MEM_NOACCESS(blocks[i], sizeof saved);
        assert_true(strata_heap_validate(heap, 0, NULL));
    }
    assert_status(strata_heap_destroy(heap), STRATA_OK);
}

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0)
        return child;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_free_of_a_front_end_block_ends_the_process),
        cmocka_unit_test(test_double_free_of_a_back_end_block_ends_the_process),
        cmocka_unit_test(test_free_of_a_static_buffer_ends_the_process),
        cmocka_unit_test(test_free_of_another_heaps_block_ends_the_process),
        cmocka_unit_test(test_free_of_an_interior_pointer_ends_the_process),
        cmocka_unit_test(test_usable_size_of_a_freed_block_ends_the_process),
        cmocka_unit_test(test_usable_size_of_a_foreign_pointer_ends_the_process),
        cmocka_unit_test(test_free_of_a_wild_pointer_ends_the_process_before_reading_it),
        cmocka_unit_test(test_double_free_of_a_large_block_is_called_a_double_free),
        cmocka_unit_test(test_a_flipped_bit_in_a_large_header_ends_the_process),
        cmocka_unit_test(test_damage_before_and_inside_freed_small_slots_is_harmless),
        cmocka_unit_test(test_overflow_into_a_back_end_header_ends_the_process),
        cmocka_unit_test(test_a_flipped_bit_in_a_back_end_size_word_ends_the_process),
        cmocka_unit_test(test_overwritten_back_end_free_list_links_end_the_process),
        cmocka_unit_test(test_validate_reports_a_trashed_header_without_ending),
        cmocka_unit_test(test_validate_reports_a_trashed_free_list_link_without_ending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
