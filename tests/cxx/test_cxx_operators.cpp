/* SPDX-License-Identifier: MIT */
/*
 * tests/cxx/test_cxx_operators.cpp — every replaceable operator new and
 * delete of cxx/strata_cxx.cpp over the failing crt (failing_crt.h): which
 * crt function each form reaches, with which size and alignment; bad_alloc
 * and nullptr on failure; handlers that throw; over-aligned arrays; and the
 * crt new handler installed at static initialisation.
 */
#include <strata/cxx.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <initializer_list>
#include <new>

// CMocka 1.1's header has no extern "C" of its own; the C headers it needs
// are included above, outside it.
extern "C" {
#include "../support/cmocka_all.h"
}
#include "failing_crt.h"

#if !defined(__cpp_sized_deallocation)
// clang before 19 declares the sized forms only under -fsized-deallocation;
// strata_cxx.cpp defines them all the same.
void operator delete(void *block, std::size_t size) noexcept;
void operator delete[](void *block, std::size_t size) noexcept;
void operator delete(void *block, std::size_t size, std::align_val_t alignment) noexcept;
void operator delete[](void *block, std::size_t size, std::align_val_t alignment) noexcept;
#endif

namespace {

// Storing a pointer here keeps the compiler from eliding a new-expression
// (which it may do, and assume the allocation succeeded).
void *volatile escaped;

void keep(void *block)
{
    escaped = block;
}

bool is_aligned(const void *block, std::size_t alignment)
{
    return reinterpret_cast<uintptr_t>(block) % alignment == 0;
}

unsigned handler_calls;
long live_blocks_at_start;

void counting_handler()
{
    handler_calls++;
}

struct handler_gave_up : std::bad_alloc {
};

void throwing_handler()
{
    handler_calls++;
    throw handler_gave_up();
}

struct widget {
    int id;
    double weight;
};

struct alignas(256) page_aligned {
    unsigned char bytes[256];
};

// Not trivially destructible, so new[] stores an element count before the elements.
struct alignas(256) page_aligned_with_destructor {
    unsigned char bytes[256];
    ~page_aligned_with_destructor() { keep(bytes); }
};

int start_clean(void **)
{
    std::set_new_handler(nullptr);
    failing_crt_reset();
    handler_calls = 0;
    live_blocks_at_start = failing_crt_live_blocks();
    return 0;
}

int end_clean(void **)
{
    std::set_new_handler(nullptr);
    long leaked = failing_crt_live_blocks() - live_blocks_at_start;
    failing_crt_reset();
    if (leaked != 0) {
        print_error("%ld blocks from the crt were not freed\n", leaked);
        return -1;
    }
    return 0;
}

// Asserts one call to strata_malloc(size) and none to strata_aligned_alloc, then resets.
void expect_malloc_of(std::size_t size)
{
    failing_crt_counts seen = failing_crt_get();
    assert_int_equal(seen.mallocs, 1);
    assert_int_equal(seen.aligned_allocs, 0);
    assert_int_equal(seen.last_size, size);
    failing_crt_reset();
}

// Asserts one call to strata_aligned_alloc(alignment, size) and none to strata_malloc, then resets.
void expect_aligned_alloc_of(std::size_t size, std::size_t alignment)
{
    failing_crt_counts seen = failing_crt_get();
    assert_int_equal(seen.aligned_allocs, 1);
    assert_int_equal(seen.mallocs, 0);
    assert_int_equal(seen.last_size, size);
    assert_int_equal(seen.last_alignment, alignment);
    failing_crt_reset();
}

// Asserts exactly one strata_free of the block at `address`, then resets. An
// address, not a pointer, since the block has been freed.
void expect_free_of(uintptr_t address)
{
    failing_crt_counts seen = failing_crt_get();
    assert_int_equal(seen.frees, 1);
    assert_int_equal(reinterpret_cast<uintptr_t>(seen.last_freed), address);
    failing_crt_reset();
}

uintptr_t address_of(const void *block)
{
    return reinterpret_cast<uintptr_t>(block);
}

void test_unaligned_new_forms_ask_strata_malloc_for_the_size(void **)
{
    void *plain = ::operator new(24);
    expect_malloc_of(24);
    void *array = ::operator new[](56);
    expect_malloc_of(56);
    void *nothrow = ::operator new(72, std::nothrow);
    expect_malloc_of(72);
    void *nothrow_array = ::operator new[](88, std::nothrow);
    expect_malloc_of(88);
    for (void *block : {plain, array, nothrow, nothrow_array}) {
        assert_non_null(block);
        assert_true(is_aligned(block, __STDCPP_DEFAULT_NEW_ALIGNMENT__));
    }
    ::operator delete(plain);
    ::operator delete[](array);
    ::operator delete(nothrow);
    ::operator delete[](nothrow_array);
}

void test_aligned_new_forms_ask_strata_aligned_alloc_for_the_alignment(void **)
{
    void *plain = ::operator new(24, std::align_val_t(64));
    expect_aligned_alloc_of(24, 64);
    void *array = ::operator new[](56, std::align_val_t(128));
    expect_aligned_alloc_of(56, 128);
    void *nothrow = ::operator new(72, std::align_val_t(256), std::nothrow);
    expect_aligned_alloc_of(72, 256);
    void *nothrow_array = ::operator new[](88, std::align_val_t(4096), std::nothrow);
    expect_aligned_alloc_of(88, 4096);
    assert_true(is_aligned(plain, 64));
    assert_true(is_aligned(array, 128));
    assert_true(is_aligned(nothrow, 256));
    assert_true(is_aligned(nothrow_array, 4096));
    ::operator delete(plain, std::align_val_t(64));
    ::operator delete[](array, std::align_val_t(128));
    ::operator delete(nothrow, std::align_val_t(256), std::nothrow);
    ::operator delete[](nothrow_array, std::align_val_t(4096), std::nothrow);
}

constexpr std::size_t block_size = 48;
constexpr std::size_t block_alignment = 512;

struct delete_form {
    const char *name;
    bool aligned;
    void (*release)(void *block);
};

const delete_form delete_forms[] = {
    {"delete(p)", false, [](void *p) { ::operator delete(p); }},
    {"delete[](p)", false, [](void *p) { ::operator delete[](p); }},
    {"delete(p, nothrow)", false, [](void *p) { ::operator delete(p, std::nothrow); }},
    {"delete[](p, nothrow)", false, [](void *p) { ::operator delete[](p, std::nothrow); }},
    {"delete(p, size)", false, [](void *p) { ::operator delete(p, block_size); }},
    {"delete[](p, size)", false, [](void *p) { ::operator delete[](p, block_size); }},
    {"delete(p, align)", true, [](void *p) { ::operator delete(p, std::align_val_t(block_alignment)); }},
    {"delete[](p, align)", true, [](void *p) { ::operator delete[](p, std::align_val_t(block_alignment)); }},
    {"delete(p, size, align)", true,
     [](void *p) { ::operator delete(p, block_size, std::align_val_t(block_alignment)); }},
    {"delete[](p, size, align)", true,
     [](void *p) { ::operator delete[](p, block_size, std::align_val_t(block_alignment)); }},
    {"delete(p, align, nothrow)", true,
     [](void *p) { ::operator delete(p, std::align_val_t(block_alignment), std::nothrow); }},
    {"delete[](p, align, nothrow)", true,
     [](void *p) { ::operator delete[](p, std::align_val_t(block_alignment), std::nothrow); }},
};

void test_every_delete_form_frees_with_strata_free(void **)
{
    for (const delete_form &form : delete_forms) {
        void *block = form.aligned ? ::operator new[](block_size, std::align_val_t(block_alignment))
                                   : ::operator new[](block_size);
        uintptr_t address = address_of(block);
        failing_crt_reset();
        form.release(block);
        failing_crt_counts seen = failing_crt_get();
        if (seen.frees != 1 || address_of(seen.last_freed) != address)
            fail_msg("%s: %u frees, last of %p, expected one of %p", form.name, seen.frees,
                     seen.last_freed, reinterpret_cast<void *>(address));
    }
}

void test_every_delete_form_of_nullptr_calls_nothing(void **)
{
    for (const delete_form &form : delete_forms) {
        form.release(nullptr);
        if (failing_crt_get().frees != 0)
            fail_msg("%s of nullptr called strata_free", form.name);
    }
}

void test_new_expressions_reach_the_crt(void **)
{
    widget *one = new widget{7, 1.5};
    keep(one);
    expect_malloc_of(sizeof(widget));
    uintptr_t address = address_of(one);
    delete one;
    expect_free_of(address);

    widget *several = new widget[3];
    keep(several);
    expect_malloc_of(3 * sizeof(widget));
    address = address_of(several);
    delete[] several;
    expect_free_of(address);

    page_aligned *page = new page_aligned;
    keep(page);
    expect_aligned_alloc_of(sizeof(page_aligned), alignof(page_aligned));
    assert_true(is_aligned(page, 256));
    address = address_of(page);
    delete page;
    expect_free_of(address);
}

void test_throwing_new_throws_bad_alloc_when_crt_fails_without_handler(void **)
{
    failing_crt_fail_next(1);
    bool thrown = false;
    try {
        keep(::operator new(32));
    } catch (const std::bad_alloc &) {
        thrown = true;
    }
    assert_true(thrown);
    assert_int_equal(failing_crt_get().mallocs, 1);

    failing_crt_fail_next(1);
    thrown = false;
    try {
        keep(new widget[4]);
    } catch (const std::bad_alloc &) {
        thrown = true;
    }
    assert_true(thrown);

    failing_crt_fail_next(1);
    thrown = false;
    try {
        keep(new page_aligned);
    } catch (const std::bad_alloc &) {
        thrown = true;
    }
    assert_true(thrown);
    assert_int_equal(failing_crt_get().aligned_allocs, 1);
}

void test_nothrow_new_returns_nullptr_when_crt_fails_without_handler(void **)
{
    failing_crt_fail_next(FAILING_CRT_ALWAYS);
    assert_null(::operator new(16, std::nothrow));
    assert_null(::operator new[](16, std::nothrow));
    assert_null(::operator new(16, std::align_val_t(64), std::nothrow));
    assert_null(::operator new[](16, std::align_val_t(64), std::nothrow));
    // Kept, so that the compiler cannot drop the new-expressions and assume success.
    widget *one = new (std::nothrow) widget;
    keep(one);
    assert_null(one);
    page_aligned *page = new (std::nothrow) page_aligned;
    keep(page);
    assert_null(page);
    assert_int_equal(failing_crt_get().mallocs, 3);
    assert_int_equal(failing_crt_get().aligned_allocs, 3);
}

void test_nothrow_new_runs_the_handler_loop(void **)
{
    failing_crt_fail_next(2);
    std::set_new_handler(counting_handler);
    widget *one = new (std::nothrow) widget;
    assert_non_null(one);
    keep(one);
    assert_int_equal(handler_calls, 2);
    assert_int_equal(failing_crt_get().mallocs, 3);
    delete one;
}

void test_bad_alloc_from_the_handler_leaves_new(void **)
{
    failing_crt_fail_next(FAILING_CRT_ALWAYS);
    std::set_new_handler(throwing_handler);
    bool thrown = false;
    try {
        keep(::operator new(8));
    } catch (const handler_gave_up &) {
        thrown = true;
    }
    assert_true(thrown);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(failing_crt_get().mallocs, 1);

    thrown = false;
    try {
        keep(::operator new(8, std::align_val_t(64)));
    } catch (const handler_gave_up &) {
        thrown = true;
    }
    assert_true(thrown);
    assert_int_equal(handler_calls, 2);

    // The nothrow forms turn it into nullptr.
    assert_null(::operator new(8, std::nothrow));
    assert_null(::operator new[](8, std::align_val_t(64), std::nothrow));
    assert_int_equal(handler_calls, 4);
}

void test_bad_alignment_throws_bad_alloc_without_calling_crt_or_handler(void **)
{
    std::set_new_handler(counting_handler);
    for (std::size_t alignment : {std::size_t{3}, std::size_t{48}, std::size_t{STRATA_CRT_MAX_ALIGNMENT * 2}}) {
        bool thrown = false;
        try {
            keep(::operator new(8, std::align_val_t(alignment)));
        } catch (const std::bad_alloc &) {
            thrown = true;
        }
        assert_true(thrown);
        assert_null(::operator new[](8, std::align_val_t(alignment), std::nothrow));
    }
    assert_int_equal(handler_calls, 0);
    assert_int_equal(failing_crt_get().aligned_allocs, 0);
    assert_int_equal(failing_crt_get().mallocs, 0);
}

void test_over_aligned_arrays_are_aligned(void **)
{
    page_aligned *pages = new page_aligned[5];
    keep(pages);
    assert_true(is_aligned(pages, 256));
    assert_int_equal(failing_crt_get().aligned_allocs, 1);
    assert_int_equal(failing_crt_get().last_alignment, 256);
    assert_true(failing_crt_get().last_size >= 5 * sizeof(page_aligned));
    std::memset(pages, 0x3C, 5 * sizeof(page_aligned));
    delete[] pages;
    assert_int_equal(failing_crt_get().frees, 1);

    failing_crt_reset();
    auto *counted = new page_aligned_with_destructor[3];
    keep(counted);
    assert_true(is_aligned(counted, 256));
    assert_true(is_aligned(&counted[2], 256));
    assert_int_equal(failing_crt_get().last_alignment, 256);
    delete[] counted;
    assert_int_equal(failing_crt_get().frees, 1);
}

void test_size_zero_new_gives_distinct_pointers(void **)
{
    void *first = ::operator new(0);
    void *second = ::operator new[](0);
    void *aligned = ::operator new(0, std::align_val_t(64));
    assert_non_null(first);
    assert_non_null(second);
    assert_non_null(aligned);
    assert_ptr_not_equal(first, second);
    assert_ptr_not_equal(first, aligned);
    assert_ptr_not_equal(second, aligned);
    ::operator delete(first);
    ::operator delete[](second);
    ::operator delete(aligned, std::align_val_t(64));
}

void test_crt_new_handler_runs_the_cxx_handler(void **)
{
    strata_crt_new_handler crt_handler = failing_crt_new_handler();
    assert_non_null(crt_handler); // installed before main

    assert_int_equal(crt_handler(100), 0);

    std::set_new_handler(counting_handler);
    assert_int_equal(crt_handler(100), 1);
    assert_int_equal(handler_calls, 1);

    std::set_new_handler(throwing_handler);
    assert_int_equal(crt_handler(100), 0);
    assert_int_equal(handler_calls, 2);
}

void test_c_and_cxx_share_the_new_handler(void **)
{
    strata_set_new_handler(counting_handler);
    assert_true(std::get_new_handler() == counting_handler);
    std::set_new_handler(throwing_handler);
    assert_true(strata_set_new_handler(nullptr) == throwing_handler);
}

} // namespace

#define OPERATOR_TEST(name) cmocka_unit_test_setup_teardown(name, start_clean, end_clean)

int main()
{
    const struct CMUnitTest tests[] = {
        OPERATOR_TEST(test_unaligned_new_forms_ask_strata_malloc_for_the_size),
        OPERATOR_TEST(test_aligned_new_forms_ask_strata_aligned_alloc_for_the_alignment),
        OPERATOR_TEST(test_every_delete_form_frees_with_strata_free),
        OPERATOR_TEST(test_every_delete_form_of_nullptr_calls_nothing),
        OPERATOR_TEST(test_new_expressions_reach_the_crt),
        OPERATOR_TEST(test_throwing_new_throws_bad_alloc_when_crt_fails_without_handler),
        OPERATOR_TEST(test_nothrow_new_returns_nullptr_when_crt_fails_without_handler),
        OPERATOR_TEST(test_nothrow_new_runs_the_handler_loop),
        OPERATOR_TEST(test_bad_alloc_from_the_handler_leaves_new),
        OPERATOR_TEST(test_bad_alignment_throws_bad_alloc_without_calling_crt_or_handler),
        OPERATOR_TEST(test_over_aligned_arrays_are_aligned),
        OPERATOR_TEST(test_size_zero_new_gives_distinct_pointers),
        OPERATOR_TEST(test_crt_new_handler_runs_the_cxx_handler),
        OPERATOR_TEST(test_c_and_cxx_share_the_new_handler),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
