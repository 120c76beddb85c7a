/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_semantics.c — the C and Windows CRT allocation functions'
 * edge cases over the real stack (strata_ names, so no interposition is
 * involved): each case its own test.
 */
#include <strata/crt.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/cmocka_all.h"

#define TOO_BIG_SPAN ((size_t)1 << 14)

static void expect_enomem_null(void *result)
{
    assert_null(result);
    assert_int_equal(errno, ENOMEM);
}


/* ---- malloc, free --------------------------------------------------------------------- */

static void test_malloc_zero_gives_unique_pointers(void **state)
{
    (void)state;
    void *first = strata_malloc(0);
    void *second = strata_malloc(0);
    assert_non_null(first);
    assert_non_null(second);
    assert_ptr_not_equal(first, second);
    strata_free(first);
    strata_free(second);
}

static void test_blocks_are_16_aligned_and_usable(void **state)
{
    (void)state;
    for (size_t size = 1; size < 70000; size = size * 3 + 1) {
        unsigned char *block = strata_malloc(size);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % 16, 0);
        assert_true(strata_malloc_usable_size(block) >= size);
        memset(block, 0xA5, strata_malloc_usable_size(block));
        strata_free(block);
    }
    assert_int_equal(strata_malloc_usable_size(NULL), 0);
}

/* glibc tst-malloc-too-large: every size in (SIZE_MAX - 2^14, SIZE_MAX] fails
 * on every entry point, after earlier successes. */
static void test_sizes_near_size_max_fail_everywhere(void **state)
{
    (void)state;
    void *warm = strata_malloc(100);
    assert_non_null(warm);
    strata_free(warm);
    void *block = strata_malloc(64);
    assert_non_null(block);
    for (size_t size = SIZE_MAX; size > SIZE_MAX - TOO_BIG_SPAN; size -= 61) {
        errno = 0;
        expect_enomem_null(strata_malloc(size));
        errno = 0;
        expect_enomem_null(strata_calloc(1, size));
        errno = 0;
        expect_enomem_null(strata_calloc(size, 1));
        errno = 0;
        expect_enomem_null(strata_realloc(block, size));
        errno = 0;
        expect_enomem_null(strata_reallocarray(block, 1, size));
        errno = 0;
        expect_enomem_null(strata_aligned_alloc(64, size));
        errno = 0;
        expect_enomem_null(strata_memalign(64, size));
        errno = 0;
        expect_enomem_null(strata_valloc(size));
        errno = 0;
        expect_enomem_null(strata_pvalloc(size));
        void *out = &out;
        assert_int_equal(strata_posix_memalign(&out, 64, size), ENOMEM);
        assert_ptr_equal(out, &out);
        errno = 0;
        expect_enomem_null(strata__recalloc(block, 1, size));
        errno = 0;
        expect_enomem_null(strata__aligned_malloc(size, 64));
        errno = 0;
        expect_enomem_null(strata__expand(block, size));
    }
    assert_int_equal(strata__msize(block), 64);
    strata_free(block);
}

static void test_free_keeps_errno(void **state)
{
    (void)state;
    void *small = strata_malloc(10);
    void *medium = strata_malloc(30000);
    void *large = strata_malloc(3 << 20);
    errno = 1234;
    strata_free(small);
    assert_int_equal(errno, 1234);
    strata_free(medium);
    assert_int_equal(errno, 1234);
    strata_free(large);
    assert_int_equal(errno, 1234);
    strata_free(NULL);
    assert_int_equal(errno, 1234);
}

/* ---- calloc ---------------------------------------------------------------------------- */

static void test_calloc_overflow_fails_with_enomem(void **state)
{
    (void)state;
    errno = 0;
    expect_enomem_null(strata_calloc(SIZE_MAX, 2));
    errno = 0;
    expect_enomem_null(strata_calloc(SIZE_MAX, SIZE_MAX));
    errno = 0;
    expect_enomem_null(strata_calloc((size_t)PTRDIFF_MAX + 1, 2));
    for (size_t n = 2; n < 5000; n += 97) { /* n × (SIZE_MAX / n + 1) just wraps */
        errno = 0;
        expect_enomem_null(strata_calloc(n, SIZE_MAX / n + 1));
    }
}

static void test_calloc_zeroes_reused_memory(void **state)
{
    (void)state;
    for (size_t size = 8; size < 200000; size *= 3) {
        unsigned char *dirty = strata_malloc(size);
        memset(dirty, 0xEE, size);
        strata_free(dirty);
        unsigned char *clean = strata_calloc(size, 1);
        assert_non_null(clean);
        assert_true(all_bytes(clean, size, 0));
        strata_free(clean);
    }
    void *zero = strata_calloc(0, 16);
    assert_non_null(zero);
    strata_free(zero);
}

/* ---- realloc and reallocarray ------------------------------------------------------------ */

static void test_realloc_of_null_is_malloc(void **state)
{
    (void)state;
    void *block = strata_realloc(NULL, 40);
    assert_non_null(block);
    assert_int_equal(strata__msize(block), 40);
    strata_free(block);
}

static void test_realloc_to_zero_frees_and_returns_null(void **state)
{
    (void)state;
    void *block = strata_malloc(40);
    errno = 77;
    assert_null(strata_realloc(block, 0));
    assert_int_equal(errno, 77);
    assert_false(strata_heap_validate(strata_crt_heap(), 0, block));
}

static void test_realloc_keeps_contents_across_every_tier(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 24, 500, 16000, 40000, 900000, 2 << 20, 100, 3, 70000, 8};
    unsigned char *block = strata_malloc(sizes[0]);
    memset(block, 0x11, sizes[0]);
    size_t kept = sizes[0];
    for (size_t i = 1; i < sizeof sizes / sizeof sizes[0]; i++) {
        block = strata_realloc(block, sizes[i]);
        assert_non_null(block);
        size_t common = kept < sizes[i] ? kept : sizes[i];
        assert_true(all_bytes(block, common, 0x11));
        memset(block, 0x11, sizes[i]);
        kept = sizes[i];
    }
    strata_free(block);
}

static void test_failed_realloc_leaves_the_block_intact(void **state)
{
    (void)state;
    unsigned char *block = strata_malloc(300);
    memset(block, 0x42, 300);
    errno = 0;
    expect_enomem_null(strata_realloc(block, SIZE_MAX - 8));
    expect_enomem_null(strata_realloc(block, (size_t)PTRDIFF_MAX));
    assert_true(strata_heap_validate(strata_crt_heap(), 0, block));
    assert_true(all_bytes(block, 300, 0x42));
    assert_int_equal(strata__msize(block), 300);
    strata_free(block);
}

static void test_reallocarray_overflow_leaves_the_block_intact(void **state)
{
    (void)state;
    unsigned char *block = strata_reallocarray(NULL, 10, 10);
    assert_non_null(block);
    memset(block, 0x24, 100);
    errno = 0;
    expect_enomem_null(strata_reallocarray(block, SIZE_MAX / 2, 3));
    assert_true(all_bytes(block, 100, 0x24));
    block = strata_reallocarray(block, 20, 10);
    assert_non_null(block);
    assert_true(all_bytes(block, 100, 0x24));
    strata_free(block);
}

/* ---- The aligned family ------------------------------------------------------------------ */

static void test_posix_memalign_bad_alignment_leaves_out_untouched(void **state)
{
    (void)state;
    void *sentinel = &sentinel;
    void *out = sentinel;
    static const size_t bad[] = {0, 1, 2, 3, 4, 3 * sizeof(void *), 24, 100, 4097};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 55;
        assert_int_equal(strata_posix_memalign(&out, bad[i], 10), EINVAL);
        assert_ptr_equal(out, sentinel);
        assert_int_equal(errno, 55);
    }
    assert_int_equal(strata_posix_memalign(&out, sizeof(void *), 0), 0);
    assert_ptr_not_equal(out, sentinel);
    strata_free(out);
}

static void test_alignments_up_to_64_mib_for_every_aligned_function(void **state)
{
    (void)state;
    for (size_t alignment = 1; alignment <= STRATA_CRT_MAX_ALIGNMENT; alignment <<= 1) {
        size_t size = alignment > ((size_t)1 << 20) ? 100 : alignment + 3;
        void *a = strata_aligned_alloc(alignment, size);
        void *m = strata_memalign(alignment, size);
        void *w = strata__aligned_malloc(size, alignment);
        void *p = NULL;
        assert_int_equal(strata_posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, size), 0);
        void *blocks[] = {a, m, w, p};
        for (int i = 0; i < 4; i++) {
            assert_non_null(blocks[i]);
            assert_int_equal((uintptr_t)blocks[i] % alignment, 0);
            assert_true(strata_malloc_usable_size(blocks[i]) >= size);
            memset(blocks[i], 0x77, size);
        }
        assert_int_equal(strata__aligned_msize(w, alignment, 0), size);
        strata_free(a);
        strata_free(m);
        strata__aligned_free(w);
        strata_free(p);
    }
}

static void test_aligned_alloc_refuses_non_powers_of_two(void **state)
{
    (void)state;
    static const size_t bad[] = {0, 3, 24, 48, 1000, STRATA_CRT_MAX_ALIGNMENT * 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_null(strata_aligned_alloc(bad[i], 64));
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_null(strata__aligned_malloc(64, bad[i]));
        assert_int_equal(errno, EINVAL);
    }
}

static void test_memalign_raises_an_odd_alignment_to_a_power_of_two(void **state)
{
    (void)state;
    void *block = strata_memalign(48, 10);
    assert_non_null(block);
    assert_int_equal((uintptr_t)block % 64, 0);
    strata_free(block);
}

static void test_valloc_and_pvalloc_are_page_aligned_and_sized(void **state)
{
    (void)state;
    size_t page = strata_platform_get_info()->page_size;
    void *v = strata_valloc(10);
    void *p = strata_pvalloc(page + 1);
    void *zero = strata_pvalloc(0);
    assert_int_equal((uintptr_t)v % page, 0);
    assert_int_equal((uintptr_t)p % page, 0);
    assert_int_equal((uintptr_t)zero % page, 0);
    assert_true(strata_malloc_usable_size(p) >= 2 * page);
    assert_true(strata_malloc_usable_size(zero) >= page);
    strata_free(v);
    strata_free(p);
    strata_free(zero);
}

static void test_aligned_realloc_keeps_alignment_and_contents(void **state)
{
    (void)state;
    unsigned char *block = strata__aligned_malloc(100, 256);
    memset(block, 0x5A, 100);
    for (size_t size = 200; size < 3000000; size *= 4) {
        block = strata__aligned_realloc(block, size, 256);
        assert_non_null(block);
        assert_int_equal((uintptr_t)block % 256, 0);
        assert_true(all_bytes(block, 100, 0x5A));
        assert_int_equal(strata__aligned_msize(block, 256, 0), size);
    }
    errno = 0;
    assert_null(strata__aligned_realloc(block, SIZE_MAX - 4, 256));
    assert_int_equal(errno, ENOMEM);
    assert_true(all_bytes(block, 100, 0x5A));
    assert_null(strata__aligned_realloc(block, 0, 256)); /* frees */
    block = strata__aligned_recalloc(NULL, 10, 10, 64);
    assert_true(all_bytes(block, 100, 0));
    memset(block, 0x33, 100);
    block = strata__aligned_recalloc(block, 30, 10, 64);
    assert_int_equal((uintptr_t)block % 64, 0);
    assert_true(all_bytes(block, 100, 0x33));
    assert_true(all_bytes(block + 100, 200, 0));
    strata__aligned_free(block);
    strata__aligned_free(NULL);
    errno = 0;
    assert_int_equal(strata__aligned_msize(NULL, 64, 0), (size_t)-1);
    assert_int_equal(errno, EINVAL);
}

/* ---- _msize, _expand, _recalloc ------------------------------------------------------------ */

static void test_msize_is_the_asked_size_and_one_for_zero(void **state)
{
    (void)state;
    void *zero = strata_malloc(0);
    void *block = strata_malloc(1234);
    assert_int_equal(strata__msize(zero), 1);
    assert_int_equal(strata__msize(block), 1234);
    errno = 0;
    assert_int_equal(strata__msize(NULL), (size_t)-1);
    assert_int_equal(errno, EINVAL);
    strata_free(zero);
    strata_free(block);
}

static void test_expand_never_moves(void **state)
{
    (void)state;
    unsigned char *block = strata_malloc(40000);
    memset(block, 0x19, 40000);
    assert_ptr_equal(strata__expand(block, 20000), block);
    assert_int_equal(strata__msize(block), 20000);
    void *result = strata__expand(block, 5000000);
    if (result == NULL)
        assert_int_equal(errno, ENOMEM);
    else
        assert_ptr_equal(result, block);
    assert_true(all_bytes(block, 20000, 0x19));
    errno = 0;
    assert_null(strata__expand(NULL, 10));
    assert_int_equal(errno, EINVAL);
    strata_free(block);
}

static void test_recalloc_zeroes_past_the_old_size(void **state)
{
    (void)state;
    unsigned char *block = strata__recalloc(NULL, 4, 25);
    assert_true(all_bytes(block, 100, 0));
    memset(block, 0x61, 100);
    block = strata__recalloc(block, 100, 100);
    assert_non_null(block);
    assert_true(all_bytes(block, 100, 0x61));
    assert_true(all_bytes(block + 100, 9900, 0));
    errno = 0;
    assert_null(strata__recalloc(block, SIZE_MAX, 3));
    assert_int_equal(errno, ENOMEM);
    assert_true(all_bytes(block, 100, 0x61));
    assert_null(strata__recalloc(block, 0, 5)); /* frees */
}

/* ---- New mode --------------------------------------------------------------------------- */

static int handler_calls;
static void *reserve_block;

/* Frees a reserve on the first call, then refuses. */
static int release_reserve(size_t size)
{
    (void)size;
    handler_calls++;
    if (reserve_block == NULL)
        return 0;
    strata_free(reserve_block);
    reserve_block = NULL;
    return 1;
}

static void test_new_mode_values(void **state)
{
    (void)state;
    assert_int_equal(strata__set_new_mode(1), 0);
    assert_int_equal(strata__set_new_mode(0), 1);
    errno = 0;
    assert_int_equal(strata__set_new_mode(2), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(strata__set_new_mode(0), 0);
}

static void test_new_mode_one_calls_the_handler_on_failure(void **state)
{
    (void)state;
    strata_crt_new_handler previous = strata_crt_set_new_handler(release_reserve);
    handler_calls = 0;
    reserve_block = NULL;
    /* Mode 0: no handler call. */
    assert_null(strata_malloc((size_t)1 << 62));
    assert_int_equal(handler_calls, 0);
    /* Mode 1: the handler runs, and runs again while it says retry. */
    strata__set_new_mode(1);
    reserve_block = strata_malloc(10);
    errno = 0;
    assert_null(strata_malloc((size_t)1 << 62));
    assert_int_equal(handler_calls, 2);
    assert_int_equal(errno, ENOMEM);
    /* Above the largest request the handler is never called (§6.1). */
    handler_calls = 0;
    assert_null(strata_malloc(SIZE_MAX));
    assert_int_equal(handler_calls, 0);
    strata__set_new_mode(0);
    assert_ptr_equal(strata_crt_set_new_handler(previous), release_reserve);
}

/* ---- Statistics ------------------------------------------------------------------------- */

static void test_counters_count_allocations_frees_and_failures(void **state)
{
    (void)state;
    strata_crt_count(1);
    strata_crt_stats before, after;
    strata_crt_get_stats(&before);
    void *a = strata_malloc(10);
    void *b = strata_calloc(3, 3);
    void *c = strata_aligned_alloc(128, 10);
    assert_null(strata_malloc(SIZE_MAX));
    strata_free(a);
    strata_free(b);
    strata_free(c);
    strata_free(NULL);
    strata_crt_get_stats(&after);
    strata_crt_count(0);
    assert_int_equal(after.allocations - before.allocations, 3);
    assert_int_equal(after.frees - before.frees, 3);
    assert_int_equal(after.failures - before.failures, 1);
    assert_true(after.peak_committed >= after.committed);
    assert_true(after.reserved >= after.committed);
    assert_true(after.committed > 0);
}

/* Freed back-end blocks leave a free top of the CRT heap's segment, which
 * trim decommits; a second trim finds nothing more to give. */
static void test_malloc_trim_gives_freed_memory_back_once(void **state)
{
    (void)state;
    enum { COUNT = 200 };
    void *blocks[COUNT];
    for (int i = 0; i < COUNT; i++) {
        blocks[i] = strata_malloc(40000);
        assert_non_null(blocks[i]);
        memset(blocks[i], 0x5A, 40000);
    }
    for (int i = 0; i < COUNT; i++)
        strata_free(blocks[i]);
    assert_int_equal(strata_malloc_trim(0), 1);
    assert_int_equal(strata_malloc_trim(0), 0);
    void *again = strata_malloc(40000); /* the heap works on after a trim */
    assert_non_null(again);
    memset(again, 0x5B, 40000);
    strata_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malloc_zero_gives_unique_pointers),
        cmocka_unit_test(test_blocks_are_16_aligned_and_usable),
        cmocka_unit_test(test_sizes_near_size_max_fail_everywhere),
        cmocka_unit_test(test_free_keeps_errno),
        cmocka_unit_test(test_calloc_overflow_fails_with_enomem),
        cmocka_unit_test(test_calloc_zeroes_reused_memory),
        cmocka_unit_test(test_realloc_of_null_is_malloc),
        cmocka_unit_test(test_realloc_to_zero_frees_and_returns_null),
        cmocka_unit_test(test_realloc_keeps_contents_across_every_tier),
        cmocka_unit_test(test_failed_realloc_leaves_the_block_intact),
        cmocka_unit_test(test_reallocarray_overflow_leaves_the_block_intact),
        cmocka_unit_test(test_posix_memalign_bad_alignment_leaves_out_untouched),
        cmocka_unit_test(test_alignments_up_to_64_mib_for_every_aligned_function),
        cmocka_unit_test(test_aligned_alloc_refuses_non_powers_of_two),
        cmocka_unit_test(test_memalign_raises_an_odd_alignment_to_a_power_of_two),
        cmocka_unit_test(test_valloc_and_pvalloc_are_page_aligned_and_sized),
        cmocka_unit_test(test_aligned_realloc_keeps_alignment_and_contents),
        cmocka_unit_test(test_msize_is_the_asked_size_and_one_for_zero),
        cmocka_unit_test(test_expand_never_moves),
        cmocka_unit_test(test_recalloc_zeroes_past_the_old_size),
        cmocka_unit_test(test_new_mode_values),
        cmocka_unit_test(test_new_mode_one_calls_the_handler_on_failure),
        cmocka_unit_test(test_counters_count_allocations_frees_and_failures),
        cmocka_unit_test(test_malloc_trim_gives_freed_memory_back_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
