/* SPDX-License-Identifier: MIT */
/*
 * HEAP_CREATE_ENABLE_EXECUTE: the heap's blocks are executable
 * (PAGE_EXECUTE_READWRITE), in every tier and in growable and fixed-size
 * heaps alike; blocks of heaps without it are not.
 */
#include "conformance.h"

static HANDLE new_heap(DWORD options, SIZE_T initial, SIZE_T maximum)
{
    HANDLE heap = HeapCreate(options, initial, maximum);
    assert_non_null(heap);
    return heap;
}

/* x86-64: mov eax, 42; ret */
static const unsigned char answer_code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};

typedef int (*answer_function)(void);

/* Puts the tiny function into the block and runs it, where the processor
 * is the one the bytes are for; checks the block's protection everywhere. */
static void check_block_runs(void *block, DWORD expected_protect)
{
    assert_non_null(block);
    MEMORY_BASIC_INFORMATION info = query(block);
    assert_int_equal(info.State, MEM_COMMIT);
    assert_int_equal(info.Protect, expected_protect);
    memcpy(block, answer_code, sizeof answer_code);
#if defined(__x86_64__) || defined(_M_X64)
    if (expected_protect == PAGE_EXECUTE_READWRITE) {
        answer_function answer;
#if defined(__GNUC__)
        __builtin___clear_cache((char *)block, (char *)block + sizeof answer_code);
#endif
        memcpy(&answer, &block, sizeof answer);
        assert_int_equal(answer(), 42);
    }
#endif
}

/* Blocks of every size class of an executable heap run code. */
static void test_executable_heap_blocks_run_code(void **state)
{
    static const SIZE_T sizes[] = {sizeof answer_code, 100, 0x3000, 0x10000, 0x100000};
    (void)state;
    HANDLE heap = new_heap(HEAP_CREATE_ENABLE_EXECUTE, 0, 0);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        void *block = HeapAlloc(heap, 0, sizes[i]);
        check_block_runs(block, PAGE_EXECUTE_READWRITE);
        expect_success(HeapFree(heap, 0, block));
    }
    expect_success(HeapDestroy(heap));
}

/* A fixed-size executable heap, and a block that grows by HeapReAlloc,
 * stay executable; so do blocks allocated after a compaction. */
static void test_fixed_and_regrown_executable_blocks_run_code(void **state)
{
    (void)state;
    HANDLE fixed = new_heap(HEAP_CREATE_ENABLE_EXECUTE, 0x10000, 0x100000);
    check_block_runs(HeapAlloc(fixed, 0, 64), PAGE_EXECUTE_READWRITE);
    expect_success(HeapDestroy(fixed));

    HANDLE heap = new_heap(HEAP_CREATE_ENABLE_EXECUTE | HEAP_NO_SERIALIZE, 0, 0);
    void *block = HeapAlloc(heap, 0, 32);
    assert_non_null(block);
    block = HeapReAlloc(heap, 0, block, 0x200000);
    check_block_runs(block, PAGE_EXECUTE_READWRITE);
    expect_success(HeapFree(heap, 0, block));
    HeapCompact(heap, 0);
    check_block_runs(HeapAlloc(heap, 0, 0x8000), PAGE_EXECUTE_READWRITE);
    expect_success(HeapDestroy(heap));
}

/* Without the flag, blocks are PAGE_READWRITE: not executable. */
static void test_ordinary_heap_blocks_are_not_executable(void **state)
{
    static const SIZE_T sizes[] = {16, 0x3000, 0x100000};
    (void)state;
    HANDLE heap = new_heap(0, 0, 0);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        check_block_runs(HeapAlloc(heap, 0, sizes[i]), PAGE_READWRITE);
    expect_success(HeapDestroy(heap));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_executable_heap_blocks_run_code),
        cmocka_unit_test(test_fixed_and_regrown_executable_blocks_run_code),
        cmocka_unit_test(test_ordinary_heap_blocks_are_not_executable),
    };
    return cmocka_run_group_tests_name("conformance_heap_execute", tests, NULL, NULL);
}
