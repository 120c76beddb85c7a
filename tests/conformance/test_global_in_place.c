/* SPDX-License-Identifier: MIT */
/*
 * GlobalReAlloc / LocalReAlloc where Windows keeps the memory where it is:
 * large fixed blocks (with or without GMEM_MOVEABLE, to any size, 0 and
 * LocalDiscard included), moveable data that shrinks (locked or not), and
 * where it refuses instead (locked data that cannot grow in place, locked
 * data to size 0); what a freed moveable handle's entry holds afterwards.
 */
#include "conformance.h"

#define P sizeof(void *)
#define SMALL 12              /* served by the process heap's front end */
#define BIG ((SIZE_T)0x20000) /* too big for the front end, below the large-block threshold */

static void *data_of(HGLOBAL handle)
{
    return *(void **)handle;
}

/* The flags word of the handle-table entry whose second word `handle` is. */
static UINT_PTR entry_flags_of(HGLOBAL handle)
{
    return ((UINT_PTR *)handle)[-1];
}

static void fill_pattern(void *data, SIZE_T size)
{
    unsigned char *bytes = data;
    for (SIZE_T i = 0; i < size; i++)
        bytes[i] = (unsigned char)(i * 13 + 1);
}

static void expect_pattern(const void *data, SIZE_T size)
{
    const unsigned char *bytes = data;
    for (SIZE_T i = 0; i < size; i++)
        if (bytes[i] != (unsigned char)(i * 13 + 1)) {
            print_error("byte %lu is %#x\n", (unsigned long)i, bytes[i]);
            fail();
        }
}

/* Windows switches its low-fragmentation front end on for a size after 18
 * blocks of it; the small-block rows are measured with it on. */
static int warm_up(void **state)
{
    HGLOBAL blocks[0x12];
    (void)state;
    for (int i = 0; i < 0x12; i++)
        blocks[i] = GlobalAlloc(GMEM_FIXED, SMALL);
    for (int i = 0; i < 0x12; i++)
        GlobalFree(blocks[i]);
    return 0;
}

/* ---- fixed blocks too big for the front end ----------------------------------------- */

/* 0 or GMEM_MOVEABLE (and the ignored extras): grown, shrunk or emptied, the
 * block stays where it is, with exactly the size asked for. */
static void test_big_fixed_block_is_resized_where_it_is(void **state)
{
    static const UINT flag_sets[] = {0, GMEM_MOVEABLE, GMEM_MOVEABLE | GMEM_NOCOMPACT | GMEM_NODISCARD};
    static const SIZE_T sizes[] = {BIG + 512, 10, 0};
    (void)state;
    for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            HGLOBAL block = GlobalAlloc(GMEM_FIXED, BIG);
            assert_non_null(block);
            fill_pattern(block, 10);
            HGLOBAL resized = GlobalReAlloc(block, sizes[s], flag_sets[f]);
            if (resized != block)
                print_error("flags %#x, size %#lx: %p, expected %p\n", flag_sets[f],
                            (unsigned long)sizes[s], resized, block);
            assert_ptr_equal(resized, block);
            assert_int_equal(GlobalSize(block), sizes[s]);
            expect_pattern(block, sizes[s] < 10 ? sizes[s] : 10);
            assert_true(HeapValidate(GetProcessHeap(), 0, block));
            assert_null(GlobalFree(block));
        }
    }
}

/* GMEM_DISCARDABLE without GMEM_MODIFY is refused, the block untouched. */
static void test_big_fixed_block_refuses_discardable(void **state)
{
    (void)state;
    HGLOBAL block = GlobalAlloc(GMEM_FIXED, BIG);
    assert_non_null(block);
    fill_pattern(block, 10);
    assert_null(GlobalReAlloc(block, 10, GMEM_MOVEABLE | GMEM_DISCARDABLE));
    assert_null(GlobalReAlloc(block, BIG + 512, GMEM_DISCARDABLE));
    assert_int_equal(GlobalSize(block), BIG);
    expect_pattern(block, 10);
    /* GMEM_MODIFY alone changes nothing, whatever the size. */
    assert_ptr_equal(GlobalReAlloc(block, 1, GMEM_MODIFY), block);
    assert_int_equal(GlobalSize(block), BIG);
    assert_null(GlobalFree(block));
}

/* LocalDiscard (LocalReAlloc(h, 0, LMEM_MOVEABLE)) of a big fixed block
 * empties it where it is; again on the emptied block, the same. */
static void test_local_discard_of_big_fixed_block_keeps_the_pointer(void **state)
{
    (void)state;
    HLOCAL block = LocalAlloc(LMEM_FIXED | LMEM_ZEROINIT, BIG);
    assert_non_null(block);
    assert_ptr_equal(LocalDiscard(block), block);
    assert_int_equal(LocalSize(block), 0);
    assert_ptr_equal(LocalDiscard(block), block);
    assert_int_equal(LocalSize(block), 0);
    assert_int_equal(LocalFlags(block), 0);
    assert_null(LocalFree(block));

    HGLOBAL global = GlobalAlloc(GMEM_FIXED, BIG);
    assert_non_null(global);
    assert_ptr_equal(GlobalDiscard(global), global);
    assert_int_equal(GlobalSize(global), 0);
    assert_null(GlobalFree(global));
}

/* A small fixed block, by contrast, cannot be resized in place at all
 * without GMEM_MOVEABLE, not even to its own size; GMEM_MODIFY still
 * returns it unchanged. */
static void test_small_fixed_block_refuses_any_resize_in_place(void **state)
{
    static const SIZE_T sizes[] = {SMALL, 10, 0, 512};
    (void)state;
    HGLOBAL block = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(block);
    fill_pattern(block, SMALL);
    /* Wine resizes a small block in place when there is room. */
    for (size_t s = 0; WINDOWS_OR_WINE(true, false) && s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        SetLastError(CONF_POISON);
        if (sizes[s] == 0) /* the refusal's code is not documented for size 0 */
            assert_null(GlobalReAlloc(block, sizes[s], 0));
        else
            expect_failure_with(GlobalReAlloc(block, sizes[s], 0) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    }
    assert_ptr_equal(GlobalReAlloc(block, SMALL - 1, GMEM_MODIFY), block);
    assert_int_equal(GlobalSize(block), SMALL);
    expect_pattern(block, SMALL);
    assert_null(GlobalFree(block));
}

/* ---- moveable data --------------------------------------------------------------------- */

/* Shrinking never moves the data, locked or not, small or big, with or without GMEM_MOVEABLE. */
static void test_moveable_data_shrinks_where_it_is(void **state)
{
    static const SIZE_T sizes[] = {SMALL, BIG};
    static const UINT flag_sets[] = {0, GMEM_MOVEABLE};
    (void)state;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
            for (int locked = 0; locked < 2; locked++) {
                HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, sizes[s]);
                assert_non_null(handle);
                void *data = data_of(handle);
                fill_pattern(data, 10);
                if (locked)
                    assert_ptr_equal(GlobalLock(handle), data);
                UINT_PTR entry = entry_flags_of(handle);
                HGLOBAL resized = GlobalReAlloc(handle, 10, flag_sets[f]);
                if (resized != handle)
                    print_error("size %#lx flags %#x locked %d: GetLastError() %lu\n",
                                (unsigned long)sizes[s], flag_sets[f], locked,
                                (unsigned long)GetLastError());
                assert_ptr_equal(resized, handle);
                assert_ptr_equal(data_of(handle), data);
                assert_int_equal(entry_flags_of(handle), entry); /* lock count kept */
                assert_int_equal(GlobalSize(handle), 10);
                expect_pattern(data, 10);
                assert_int_equal(GlobalFlags(handle), (UINT)locked);
                if (locked)
                    GlobalUnlock(handle);
                assert_null(GlobalFree(handle));
            }
        }
    }
}

/* Locked data that would have to move to grow, without GMEM_MOVEABLE: NULL
 * with ERROR_NOT_ENOUGH_MEMORY, nothing changed; to size 0: NULL. */
static void test_locked_moveable_refuses_to_grow_away_or_to_zero(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(handle);
    void *data = GlobalLock(handle);
    assert_non_null(data);
    fill_pattern(data, SMALL);
    UINT_PTR entry = entry_flags_of(handle);

    SetLastError(CONF_POISON);
    if (WINDOWS_OR_WINE(true, false)) /* Wine grows a small block in place when there is room */
        expect_failure_with(GlobalReAlloc(handle, 512, 0) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    assert_null(GlobalReAlloc(handle, 0, 0));
    assert_null(GlobalReAlloc(handle, 0, GMEM_MOVEABLE));
    assert_ptr_equal(data_of(handle), data);
    assert_int_equal(entry_flags_of(handle), entry);
    assert_int_equal(GlobalSize(handle), SMALL);
    expect_pattern(data, SMALL);

    /* GMEM_MOVEABLE lets it move, locked as it is. */
    assert_ptr_equal(GlobalReAlloc(handle, 512, GMEM_MOVEABLE), handle);
    assert_int_equal(GlobalSize(handle), 512);
    expect_pattern(data_of(handle), SMALL);
    assert_int_equal(GlobalFlags(handle), 1);
    GlobalUnlock(handle);
    assert_null(GlobalFree(handle));
}

/* Unlocked small data grows by moving, with flags 0 too; the handle stays. */
static void test_unlocked_moveable_grows_by_moving(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(handle);
    void *data = data_of(handle);
    fill_pattern(data, SMALL);
    assert_ptr_equal(GlobalReAlloc(handle, 512, 0), handle);
    if (WINDOWS_OR_WINE(true, false)) /* Wine grows a small block in place when there is room */
        assert_ptr_not_equal(data_of(handle), data);
    assert_int_equal(GlobalSize(handle), 512);
    expect_pattern(data_of(handle), SMALL);
    assert_null(GlobalFree(handle));
}

/* ---- freed handles ---------------------------------------------------------------- */

/*
 * A freed moveable handle's entry: its data word is NULL and its flags word
 * is not 0 but a 2P-aligned value (the entry is on the free list), so that
 * it no longer reads as a live entry; GlobalFlags / LocalFlags refuse it.
 */
static void test_freed_handle_entry_reads_as_windows_leaves_it(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        HGLOBAL first = GlobalAlloc(GMEM_MOVEABLE, 16);
        HLOCAL second = LocalAlloc(LMEM_MOVEABLE | LMEM_DISCARDABLE, 0);
        assert_non_null(first);
        assert_non_null(second);
        assert_null(GlobalFree(first));
        assert_null(LocalFree(second));
        HGLOBAL freed[2] = {first, second};
        for (int i = 0; i < 2; i++) {
            assert_null(data_of(freed[i]));
            assert_int_not_equal(entry_flags_of(freed[i]), 0);
            assert_int_equal(entry_flags_of(freed[i]) % (2 * P), 0);
        }
        SetLastError(CONF_POISON);
        assert_int_equal(GlobalFlags(first), GMEM_INVALID_HANDLE);
        expect_last_error(ERROR_INVALID_HANDLE);
        SetLastError(CONF_POISON);
        assert_int_equal(LocalFlags(second), LMEM_INVALID_HANDLE);
        expect_last_error(ERROR_INVALID_HANDLE);
        SetLastError(CONF_POISON);
        assert_int_equal(GlobalSize(second), 0);
        expect_last_error(ERROR_INVALID_HANDLE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_fixed_block_is_resized_where_it_is),
        cmocka_unit_test(test_big_fixed_block_refuses_discardable),
        cmocka_unit_test(test_local_discard_of_big_fixed_block_keeps_the_pointer),
        cmocka_unit_test(test_small_fixed_block_refuses_any_resize_in_place),
        cmocka_unit_test(test_moveable_data_shrinks_where_it_is),
        cmocka_unit_test(test_locked_moveable_refuses_to_grow_away_or_to_zero),
        cmocka_unit_test(test_unlocked_moveable_grows_by_moving),
        cmocka_unit_test(test_freed_handle_entry_reads_as_windows_leaves_it),
    };
    return cmocka_run_group_tests_name("conformance_global_in_place", tests, warm_up, NULL);
}
