/* SPDX-License-Identifier: MIT */
/*
 * GlobalAlloc … GlobalHandle and LocalAlloc … LocalHandle. docs/windows-behaviour.md §3;
 * priority items 18–21.
 */
#include "conformance.h"

#define P sizeof(void *)
#define SMALL 12          /* served by the process heap's front end */
#define BIG ((SIZE_T)0x20000) /* served by its back end, below the large-block threshold */

/* A pointer-like value that is no block, and a handle-like one that is no handle (§3.4). */
#define WILD_POINTER ((HGLOBAL)(UINT_PTR)0xdeadbee0u)
#define WILD_HANDLE ((HGLOBAL)((UINT_PTR)0xdeadbee0u + P))

static void *data_of(HGLOBAL handle)
{
    return *(void **)handle;
}

static void fill(void *data, int byte, SIZE_T size)
{
    memset(data, byte, size);
}

static void expect_bytes(const void *data, int byte, SIZE_T size)
{
    const unsigned char *bytes = data;
    for (SIZE_T i = 0; i < size; i++)
        if (bytes[i] != (unsigned char)byte) {
            print_error("byte %lu is %#x, expected %#x\n", (unsigned long)i, bytes[i], (unsigned)byte);
            fail();
        }
}

/* ---- Fixed and moveable memory (§3.2, §3.3; item 18) --------------------------------- */

static void test_fixed_memory_is_a_process_heap_pointer(void **state)
{
    (void)state;
    HGLOBAL global = GlobalAlloc(GMEM_FIXED, 10);
    HLOCAL local = LocalAlloc(LMEM_FIXED, 10);
    assert_non_null(global);
    assert_non_null(local);
    assert_int_equal((UINT_PTR)global % (2 * P), 0);
    assert_int_equal((UINT_PTR)local % (2 * P), 0);
    assert_true(HeapValidate(GetProcessHeap(), 0, global));
    assert_true(HeapValidate(GetProcessHeap(), 0, local));
    assert_ptr_equal(GlobalLock(global), global);
    assert_ptr_equal(LocalLock(local), local);
    assert_ptr_equal(GlobalHandle(global), global);
    assert_ptr_equal(LocalHandle(local), local);
    assert_true(GlobalSize(global) >= 10);
    assert_true(LocalSize(local) >= 10);
    assert_int_equal(GlobalFlags(global), 0);
    assert_int_equal(LocalFlags(local), 0);
    assert_null(GlobalFree(global));
    assert_null(LocalFree(local));
}

static void test_moveable_memory_is_a_handle_to_its_data_pointer(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, 10);
    assert_non_null(handle);
    assert_int_equal((UINT_PTR)handle % (2 * P), P);
    assert_int_equal(GlobalFlags(handle), 0);
    void *data = GlobalLock(handle);
    assert_non_null(data);
    assert_ptr_not_equal(data, handle);
    assert_ptr_equal(data, data_of(handle));
    assert_int_equal((UINT_PTR)data % (2 * P), 0);
    assert_true(HeapValidate(GetProcessHeap(), 0, data));
    assert_false(HeapValidate(GetProcessHeap(), 0, handle));
    assert_ptr_equal(GlobalHandle(data), handle);
    assert_true(GlobalSize(handle) >= 10);
    fill(data, 0x5c, 10);
    assert_int_equal(GlobalFlags(handle), 1);
    SetLastError(CONF_POISON);
    assert_false(GlobalUnlock(handle));
    expect_last_error(NO_ERROR);
    assert_null(GlobalFree(handle));

    HLOCAL local = LocalAlloc(LMEM_MOVEABLE, 10);
    assert_non_null(local);
    assert_int_equal((UINT_PTR)local % (2 * P), P);
    assert_ptr_equal(LocalLock(local), data_of(local));
    assert_ptr_equal(LocalHandle(data_of(local)), local);
    assert_false(LocalUnlock(local));
    assert_null(LocalFree(local));
}

static void test_zero_bytes_fixed_is_one_byte_global_and_zero_local(void **state)
{
    (void)state;
    HGLOBAL global = GlobalAlloc(GMEM_FIXED, 0);
    HLOCAL local = LocalAlloc(LMEM_FIXED, 0);
    assert_non_null(global);
    assert_non_null(local);
    assert_int_equal(GlobalSize(global), 1);
    assert_int_equal(LocalSize(local), 0);
    assert_null(GlobalFree(global));
    assert_null(LocalFree(local));
}

static void test_zero_bytes_moveable_is_discarded(void **state)
{
    (void)state;
    HGLOBAL plain = GlobalAlloc(GMEM_MOVEABLE, 0);
    HGLOBAL discardable = GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 0);
    HLOCAL local = LocalAlloc(LMEM_MOVEABLE, 0);
    assert_non_null(plain);
    assert_non_null(discardable);
    assert_non_null(local);
    assert_null(data_of(plain));
    assert_int_equal(GlobalSize(plain), 0);
    assert_int_equal(GlobalFlags(plain), GMEM_DISCARDED);
    assert_int_equal(GlobalFlags(discardable), GMEM_DISCARDED | GMEM_DISCARDABLE);
    assert_int_equal(LocalFlags(local), LMEM_DISCARDED);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalLock(plain) == NULL, ERROR_DISCARDED);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalLock(local) == NULL, ERROR_DISCARDED);
    assert_null(GlobalFree(plain));
    assert_null(GlobalFree(discardable));
    assert_null(LocalFree(local));
}

static void test_zeroinit_gives_zeroed_memory(void **state)
{
    (void)state;
    HGLOBAL fixed = GlobalAlloc(GPTR, 100000);
    HGLOBAL moveable = GlobalAlloc(GHND, 100000);
    HLOCAL local = LocalAlloc(LPTR, 300);
    assert_non_null(fixed);
    assert_non_null(moveable);
    assert_non_null(local);
    expect_bytes(fixed, 0, 100000);
    expect_bytes(data_of(moveable), 0, 100000);
    expect_bytes(local, 0, 300);
    assert_null(GlobalFree(fixed));
    assert_null(GlobalFree(moveable));
    assert_null(LocalFree(local));
}

static void test_discardable_without_moveable_is_fixed(void **state)
{
    (void)state;
    HGLOBAL memory = GlobalAlloc(GMEM_DISCARDABLE, 20);
    assert_non_null(memory);
    assert_int_equal((UINT_PTR)memory % (2 * P), 0);
    assert_true(HeapValidate(GetProcessHeap(), 0, memory));
    assert_int_equal(GlobalFlags(memory), 0);
    assert_null(GlobalFree(memory));
}

static void test_flags_report_only_lock_count_discard_and_ddeshare(void **state)
{
    (void)state;
    HGLOBAL shared = GlobalAlloc(GMEM_MOVEABLE | GMEM_DDESHARE, 16);
    HGLOBAL discardable = GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 16);
    HGLOBAL ignored = GlobalAlloc(GMEM_MOVEABLE | GMEM_NOTIFY | GMEM_NOT_BANKED | GMEM_NODISCARD |
                                      GMEM_NOCOMPACT, 16);
    HLOCAL local_shared = LocalAlloc(LMEM_MOVEABLE | GMEM_DDESHARE, 16);
    HLOCAL local_discardable = LocalAlloc(LMEM_MOVEABLE | LMEM_DISCARDABLE, 16);
    assert_non_null(shared);
    assert_non_null(discardable);
    assert_non_null(ignored);
    assert_non_null(local_shared);
    assert_non_null(local_discardable);
    assert_int_equal(GlobalFlags(shared), GMEM_DDESHARE);
    assert_int_equal(GlobalFlags(discardable), GMEM_DISCARDABLE);
    assert_int_equal(GlobalFlags(ignored), 0);
    assert_int_equal(LocalFlags(local_shared), 0);
    assert_int_equal(LocalFlags(local_discardable), LMEM_DISCARDABLE);
    GlobalLock(discardable);
    GlobalLock(discardable);
    assert_int_equal(GlobalFlags(discardable), GMEM_DISCARDABLE | 2);
    GlobalFree(shared);
    GlobalFree(discardable);
    GlobalFree(ignored);
    LocalFree(local_shared);
    LocalFree(local_discardable);
}

static void test_handle_of_any_process_heap_block_is_itself(void **state)
{
    (void)state;
    void *block = HeapAlloc(GetProcessHeap(), 0, 40);
    assert_non_null(block);
    assert_ptr_equal(GlobalHandle(block), block);
    assert_ptr_equal(LocalHandle(block), block);
    assert_true(HeapFree(GetProcessHeap(), 0, block));
}

/* ---- Lock counts (§3.4, §3.5; item 19) -------------------------------------------------- */

static void test_lock_count_is_the_flags_low_byte(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, 32);
    assert_non_null(handle);
    void *data = data_of(handle);
    for (unsigned i = 1; i <= 3; i++) {
        assert_ptr_equal(GlobalLock(handle), data);
        assert_int_equal(GlobalFlags(handle) & GMEM_LOCKCOUNT, i);
    }
    SetLastError(CONF_POISON);
    assert_true(GlobalUnlock(handle));
    assert_true(GlobalUnlock(handle));
    assert_int_equal(GlobalFlags(handle), 1);
    SetLastError(CONF_POISON);
    assert_false(GlobalUnlock(handle));
    expect_last_error(NO_ERROR);
    SetLastError(CONF_POISON);
    expect_failure_with(!GlobalUnlock(handle), ERROR_NOT_LOCKED);
    assert_int_equal(GlobalFlags(handle), 0);
    assert_null(GlobalFree(handle));
}

static void test_lock_count_saturates_at_255(void **state)
{
    (void)state;
    HLOCAL handle = LocalAlloc(LMEM_MOVEABLE, 32);
    assert_non_null(handle);
    for (unsigned i = 0; i < 300; i++)
        assert_ptr_equal(LocalLock(handle), data_of(handle));
    assert_int_equal(LocalFlags(handle), 0xFF);
    assert_int_equal(GlobalFlags(handle), 0xFF);
    assert_true(LocalUnlock(handle));
    assert_int_equal(LocalFlags(handle), 0xFE);
    assert_null(LocalFree(handle));
}

static void test_unlock_of_fixed_memory_is_true_global_false_local(void **state)
{
    (void)state;
    HGLOBAL global = GlobalAlloc(GMEM_FIXED, 8);
    HLOCAL local = LocalAlloc(LMEM_FIXED, 8);
    assert_non_null(global);
    assert_non_null(local);
    SetLastError(CONF_POISON);
    assert_true(GlobalUnlock(global));
    SetLastError(CONF_POISON);
    expect_failure_with(!LocalUnlock(local), ERROR_NOT_LOCKED);
    assert_int_equal(GlobalFlags(global), 0);
    GlobalFree(global);
    LocalFree(local);
}

static void test_null_is_nothing_to_lock(void **state)
{
    (void)state;
    assert_null(GlobalLock(NULL));
    assert_null(LocalLock(NULL));
    assert_null(GlobalReAlloc(NULL, 10, GMEM_MOVEABLE));
}

/* ---- Free and the handle table (§3.7, §3.8; item 20) ------------------------------------ */

static void test_free_returns_null_then_the_handle_for_a_dead_one(void **state)
{
    (void)state;
    SetLastError(CONF_POISON);
    assert_null(GlobalFree(NULL));
    expect_last_error(CONF_POISON);
    assert_null(LocalFree(NULL));

    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, 16);
    assert_non_null(handle);
    GlobalLock(handle);
    assert_null(GlobalFree(handle)); /* locked memory is freed all the same */
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalFree(handle) == handle, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalFree(handle) == handle, ERROR_INVALID_HANDLE);
}

static void test_dead_handle_is_refused_everywhere(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, 16);
    assert_non_null(handle);
    void *data = GlobalLock(handle);
    GlobalUnlock(handle);
    assert_null(GlobalFree(handle));

    SetLastError(CONF_POISON);
    expect_failure_with(GlobalSize(handle) == 0, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalFlags(handle) == GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalFlags(handle) == LMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalLock(handle) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalLock(handle) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalHandle(handle) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalReAlloc(handle, 32, GMEM_MOVEABLE) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(!LocalUnlock(handle), ERROR_INVALID_HANDLE);
    /* GlobalUnlock says TRUE, yet sets the error (§3.5). */
    SetLastError(CONF_POISON);
    assert_int_equal(GlobalUnlock(handle) ? 1 : 0, WINDOWS_OR_WINE(1, 0));
    expect_last_error(ERROR_INVALID_HANDLE);
    (void)data;
}

static void test_wild_handles_are_refused(void **state)
{
    (void)state;
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalLock(WILD_HANDLE) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalLock(WILD_HANDLE) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalSize(WILD_HANDLE) == 0, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalFlags(WILD_HANDLE) == GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalFlags(WILD_HANDLE) == LMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalReAlloc(WILD_HANDLE, 10, GMEM_MOVEABLE) == NULL, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(GlobalFree(WILD_HANDLE) == WILD_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(LocalFree(WILD_HANDLE) == WILD_HANDLE, ERROR_INVALID_HANDLE);
    SetLastError(CONF_POISON);
    expect_failure_with(!LocalUnlock(WILD_HANDLE), ERROR_INVALID_HANDLE);
    /* GlobalUnlock says TRUE, yet sets the error (§3.5). */
    SetLastError(CONF_POISON);
    assert_int_equal(GlobalUnlock(WILD_HANDLE) ? 1 : 0, WINDOWS_OR_WINE(1, 0));
    expect_last_error(ERROR_INVALID_HANDLE);
}

/* Wine refuses a wild pointer too, but mostly without Windows's error codes
 * (WINE-DIFFERENCES.md): there only the refusal itself is checked. */
#define expect_wild_pointer_refused(refused, windows_error)             \
    do {                                                                \
        SetLastError(CONF_POISON);                                      \
        if (WINDOWS_OR_WINE(true, false))                               \
            expect_failure_with(refused, windows_error);                \
        else                                                            \
            (void)(refused);                                            \
    } while (0)

static void test_wild_pointers_are_refused(void **state)
{
    (void)state;
    expect_wild_pointer_refused(GlobalLock(WILD_POINTER) == NULL, ERROR_INVALID_HANDLE);
    expect_wild_pointer_refused(LocalLock(WILD_POINTER) == NULL, CONF_POISON);
    expect_wild_pointer_refused(GlobalSize(WILD_POINTER) == 0, ERROR_INVALID_HANDLE);
    expect_wild_pointer_refused(GlobalFlags(WILD_POINTER) == GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE);
    expect_wild_pointer_refused(LocalFlags(WILD_POINTER) == LMEM_INVALID_HANDLE, ERROR_NOACCESS);
    expect_wild_pointer_refused(GlobalHandle(WILD_POINTER) == NULL, ERROR_INVALID_HANDLE);
    expect_wild_pointer_refused(LocalHandle(WILD_POINTER) == NULL, ERROR_NOACCESS);
    expect_wild_pointer_refused(GlobalReAlloc(WILD_POINTER, 10, GMEM_MOVEABLE) == NULL, ERROR_NOACCESS);
    expect_wild_pointer_refused(GlobalFree(WILD_POINTER) == WILD_POINTER, ERROR_NOACCESS);
    expect_wild_pointer_refused(!LocalUnlock(WILD_POINTER), ERROR_NOT_LOCKED);
    /* GlobalUnlock of a pointer it does not know: TRUE, last error untouched. */
    SetLastError(CONF_POISON);
    assert_true(GlobalUnlock(WILD_POINTER));
    expect_last_error(CONF_POISON);
}

static void test_handle_table_holds_0x10000_moveable_handles(void **state)
{
    (void)state;
    enum { TABLE = 0x10000 };
    static HGLOBAL handles[TABLE + 1];
    size_t count = 0;
    while (count <= TABLE) {
        SetLastError(CONF_POISON);
        handles[count] = GlobalAlloc(GMEM_MOVEABLE, 0);
        if (handles[count] == NULL)
            break;
        count++;
    }
    expect_last_error(ERROR_NOT_ENOUGH_MEMORY);
    assert_true(count <= TABLE);
    assert_true(count >= TABLE - 256); /* whatever else the process holds */
    SetLastError(CONF_POISON);
    expect_failure_with(LocalAlloc(LMEM_MOVEABLE, 8) == NULL, ERROR_NOT_ENOUGH_MEMORY);

    /* Fixed memory needs no entry. */
    HGLOBAL fixed = GlobalAlloc(GMEM_FIXED, 8);
    HGLOBAL discardable = GlobalAlloc(GMEM_DISCARDABLE, 8);
    assert_non_null(fixed);
    assert_non_null(discardable);
    GlobalFree(fixed);
    GlobalFree(discardable);

    for (size_t i = 0; i < count; i++)
        assert_null(GlobalFree(handles[i]));
    HGLOBAL again = GlobalAlloc(GMEM_MOVEABLE, 8);
    assert_non_null(again);
    GlobalFree(again);
}

/* ---- GlobalReAlloc (§3.6; item 21) ------------------------------------------------------ */

static void test_realloc_fixed_modify_changes_nothing(void **state)
{
    (void)state;
    HGLOBAL fixed = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(fixed);
    SIZE_T size = GlobalSize(fixed);
    assert_ptr_equal(GlobalReAlloc(fixed, 512, GMEM_MODIFY), fixed);
    assert_int_equal(GlobalSize(fixed), size);
    assert_int_equal(GlobalFlags(fixed), 0);
    GlobalFree(fixed);
}

static void test_realloc_fixed_modify_moveable_converts_global_only(void **state)
{
    (void)state;
    HGLOBAL fixed = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(fixed);
    fill(fixed, 0x33, SMALL);
    SIZE_T size = GlobalSize(fixed);
    HGLOBAL handle = GlobalReAlloc(fixed, 0, GMEM_MODIFY | GMEM_MOVEABLE);
    assert_non_null(handle);
    assert_ptr_not_equal(handle, fixed);
    assert_int_equal((UINT_PTR)handle % (2 * P), P);
    assert_int_equal(GlobalSize(handle), size);
    assert_int_equal(GlobalFlags(handle), 0);
    expect_bytes(data_of(handle), 0x33, SMALL);
    assert_null(GlobalFree(handle));

    HGLOBAL fixed2 = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(fixed2);
    HGLOBAL discardable = GlobalReAlloc(fixed2, 0, GMEM_MODIFY | GMEM_MOVEABLE | GMEM_DISCARDABLE);
    assert_non_null(discardable);
    assert_int_equal((UINT_PTR)discardable % (2 * P), P);
    assert_int_equal(GlobalFlags(discardable), GMEM_DISCARDABLE);
    assert_null(GlobalFree(discardable));

    HLOCAL local = LocalAlloc(LMEM_FIXED, SMALL);
    assert_non_null(local);
    assert_ptr_equal(LocalReAlloc(local, 0, LMEM_MODIFY | LMEM_MOVEABLE), local);
    assert_int_equal((UINT_PTR)local % (2 * P), 0);
    assert_int_equal(LocalFlags(local), 0);
    assert_null(LocalFree(local));
}

static void test_realloc_fixed_moveable_relocates_a_small_block(void **state)
{
    (void)state;
    HGLOBAL fixed = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(fixed);
    fill(fixed, 0x44, SMALL);
    HGLOBAL grown = GlobalReAlloc(fixed, 512, GMEM_MOVEABLE);
    assert_non_null(grown);
    if (WINDOWS_OR_WINE(true, false)) /* Wine grows it in place */
        assert_ptr_not_equal(grown, fixed);
    assert_int_equal((UINT_PTR)grown % (2 * P), 0);
    assert_true(HeapValidate(GetProcessHeap(), 0, grown));
    assert_true(GlobalSize(grown) >= 512);
    expect_bytes(grown, 0x44, SMALL);
    HGLOBAL shrunk = GlobalReAlloc(grown, 10, GMEM_MOVEABLE);
    assert_non_null(shrunk);
    assert_true(GlobalSize(shrunk) >= 10);
    expect_bytes(shrunk, 0x44, 10);
    assert_null(GlobalFree(shrunk));
}

static void test_realloc_fixed_without_moveable_stays_in_place(void **state)
{
    (void)state;
    HGLOBAL small = GlobalAlloc(GMEM_FIXED, SMALL);
    assert_non_null(small);
    fill(small, 0x55, SMALL);
    SIZE_T size = GlobalSize(small);
    SetLastError(CONF_POISON);
    if (WINDOWS_OR_WINE(true, false)) {
        expect_failure_with(GlobalReAlloc(small, 512, 0) == NULL, ERROR_NOT_ENOUGH_MEMORY);
        assert_int_equal(GlobalSize(small), size);
        expect_bytes(small, 0x55, SMALL);
        assert_null(GlobalFree(small));
    } else { /* Wine resizes a fixed block in place when it can */
        HGLOBAL resized = GlobalReAlloc(small, 512, 0);
        assert_true(resized == small || resized == NULL);
        assert_null(GlobalFree(small));
    }

    HGLOBAL big = GlobalAlloc(GMEM_FIXED, BIG);
    assert_non_null(big);
    fill(big, 0x66, BIG);
    assert_ptr_equal(GlobalReAlloc(big, BIG / 2, 0), big);
    assert_true(GlobalSize(big) >= BIG / 2 && GlobalSize(big) < BIG);
    expect_bytes(big, 0x66, BIG / 2);
    /* Growing works in place or not at all. */
    SetLastError(CONF_POISON);
    HGLOBAL grown = GlobalReAlloc(big, BIG, 0);
    if (grown == NULL) {
        expect_last_error(ERROR_NOT_ENOUGH_MEMORY);
        assert_true(GlobalSize(big) >= BIG / 2 && GlobalSize(big) < BIG);
    } else {
        assert_ptr_equal(grown, big);
        assert_true(GlobalSize(big) >= BIG);
    }
    expect_bytes(big, 0x66, BIG / 2);
    assert_null(GlobalFree(big));
}

static void test_realloc_with_discardable_but_not_modify_fails(void **state)
{
    (void)state;
    HGLOBAL fixed = GlobalAlloc(GMEM_FIXED, SMALL);
    HGLOBAL moveable = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(fixed);
    assert_non_null(moveable);
    void *data = data_of(moveable);
    assert_null(GlobalReAlloc(fixed, 64, GMEM_DISCARDABLE));
    assert_null(GlobalReAlloc(moveable, 64, GMEM_DISCARDABLE));
    assert_null(GlobalReAlloc(moveable, 64, GMEM_MOVEABLE | GMEM_DISCARDABLE));
    assert_true(HeapValidate(GetProcessHeap(), 0, fixed));
    assert_ptr_equal(data_of(moveable), data);
    assert_int_equal(GlobalFlags(moveable), 0);
    GlobalFree(fixed);
    GlobalFree(moveable);
}

static void test_realloc_moveable_modify_changes_only_attributes(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(handle);
    void *data = data_of(handle);
    SIZE_T size = GlobalSize(handle);
    assert_ptr_equal(GlobalReAlloc(handle, 4096, GMEM_MODIFY | GMEM_DISCARDABLE), handle);
    assert_ptr_equal(data_of(handle), data);
    assert_int_equal(GlobalSize(handle), size);
    assert_int_equal(GlobalFlags(handle), GMEM_DISCARDABLE);
    assert_null(GlobalFree(handle));
}

static void test_realloc_unlocked_moveable_keeps_its_handle(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(handle);
    fill(data_of(handle), 0x77, SMALL);
    assert_ptr_equal(GlobalReAlloc(handle, 512, GMEM_MOVEABLE), handle);
    assert_true(GlobalSize(handle) >= 512);
    expect_bytes(data_of(handle), 0x77, SMALL);
    assert_ptr_equal(GlobalReAlloc(handle, 4096, 0), handle);
    assert_true(GlobalSize(handle) >= 4096);
    expect_bytes(data_of(handle), 0x77, SMALL);
    assert_ptr_equal(GlobalReAlloc(handle, 10, 0), handle);
    assert_true(GlobalSize(handle) >= 10 && GlobalSize(handle) < 4096);
    expect_bytes(data_of(handle), 0x77, 10);
    assert_int_equal(GlobalFlags(handle), 0);
    assert_null(GlobalFree(handle));
}

static void test_realloc_moveable_to_zero_discards_unless_locked(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, SMALL);
    assert_non_null(handle);
    assert_null(GlobalReAlloc(handle, 0, 0)); /* fixed size 0: refused */
    assert_non_null(data_of(handle));

    GlobalLock(handle);
    assert_null(GlobalReAlloc(handle, 0, GMEM_MOVEABLE));
    assert_null(GlobalDiscard(handle));
    assert_non_null(data_of(handle));
    assert_int_equal(GlobalFlags(handle), 1);
    GlobalUnlock(handle);

    assert_ptr_equal(GlobalDiscard(handle), handle);
    assert_null(data_of(handle));
    assert_int_equal(GlobalSize(handle), 0);
    assert_int_equal(GlobalFlags(handle), GMEM_DISCARDED);

    /* A discarded handle gets data again. */
    assert_ptr_equal(GlobalReAlloc(handle, 64, GMEM_MOVEABLE), handle);
    assert_non_null(data_of(handle));
    assert_true(GlobalSize(handle) >= 64);
    assert_int_equal(GlobalFlags(handle), 0);
    assert_ptr_equal(GlobalLock(handle), data_of(handle));
    GlobalUnlock(handle);
    assert_null(GlobalFree(handle));
}

static void test_realloc_locked_moveable_may_move_only_with_moveable(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GMEM_MOVEABLE, BIG);
    assert_non_null(handle);
    void *data = GlobalLock(handle);
    fill(data, 0x11, BIG);

    /* Without GMEM_MOVEABLE a locked block must stay where it is. */
    assert_null(GlobalReAlloc(handle, 0x1000000, 0));
    assert_ptr_equal(data_of(handle), data);
    assert_true(GlobalSize(handle) >= BIG);
    assert_ptr_equal(GlobalReAlloc(handle, BIG / 2, 0), handle);
    assert_ptr_equal(data_of(handle), data);
    assert_true(GlobalSize(handle) >= BIG / 2 && GlobalSize(handle) < BIG);

    /* With it, the data may move although locked; the lock count stays. */
    assert_ptr_equal(GlobalReAlloc(handle, 0x1000000, GMEM_MOVEABLE), handle);
    assert_non_null(data_of(handle));
    assert_true(GlobalSize(handle) >= 0x1000000);
    expect_bytes(data_of(handle), 0x11, BIG / 2);
    assert_int_equal(GlobalFlags(handle), 1);
    GlobalUnlock(handle);
    assert_null(GlobalFree(handle));
}

static void test_realloc_zeroinit_zeroes_the_growth(void **state)
{
    (void)state;
    HGLOBAL handle = GlobalAlloc(GHND, 100000);
    assert_non_null(handle);
    assert_ptr_equal(GlobalReAlloc(handle, 200000, GMEM_MOVEABLE | GMEM_ZEROINIT), handle);
    assert_true(GlobalSize(handle) >= 200000);
    expect_bytes(data_of(handle), 0, 200000);

    HGLOBAL moveable = GlobalAlloc(GMEM_MOVEABLE, 100);
    assert_non_null(moveable);
    fill(data_of(moveable), 0x22, 100);
    assert_ptr_equal(GlobalReAlloc(moveable, 3000, GMEM_MOVEABLE | GMEM_ZEROINIT), moveable);
    expect_bytes(data_of(moveable), 0x22, 100);
    expect_bytes((char *)data_of(moveable) + 100, 0, 2900);
    assert_null(GlobalFree(handle));
    assert_null(GlobalFree(moveable));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_memory_is_a_process_heap_pointer),
        cmocka_unit_test(test_moveable_memory_is_a_handle_to_its_data_pointer),
        cmocka_unit_test(test_zero_bytes_fixed_is_one_byte_global_and_zero_local),
        cmocka_unit_test(test_zero_bytes_moveable_is_discarded),
        cmocka_unit_test(test_zeroinit_gives_zeroed_memory),
        cmocka_unit_test(test_discardable_without_moveable_is_fixed),
        cmocka_unit_test(test_flags_report_only_lock_count_discard_and_ddeshare),
        cmocka_unit_test(test_handle_of_any_process_heap_block_is_itself),
        cmocka_unit_test(test_lock_count_is_the_flags_low_byte),
        cmocka_unit_test(test_lock_count_saturates_at_255),
        cmocka_unit_test(test_unlock_of_fixed_memory_is_true_global_false_local),
        cmocka_unit_test(test_null_is_nothing_to_lock),
        cmocka_unit_test(test_free_returns_null_then_the_handle_for_a_dead_one),
        cmocka_unit_test(test_dead_handle_is_refused_everywhere),
        cmocka_unit_test(test_wild_handles_are_refused),
        cmocka_unit_test(test_wild_pointers_are_refused),
        cmocka_unit_test(test_handle_table_holds_0x10000_moveable_handles),
        cmocka_unit_test(test_realloc_fixed_modify_changes_nothing),
        cmocka_unit_test(test_realloc_fixed_modify_moveable_converts_global_only),
        cmocka_unit_test(test_realloc_fixed_moveable_relocates_a_small_block),
        cmocka_unit_test(test_realloc_fixed_without_moveable_stays_in_place),
        cmocka_unit_test(test_realloc_with_discardable_but_not_modify_fails),
        cmocka_unit_test(test_realloc_moveable_modify_changes_only_attributes),
        cmocka_unit_test(test_realloc_unlocked_moveable_keeps_its_handle),
        cmocka_unit_test(test_realloc_moveable_to_zero_discards_unless_locked),
        cmocka_unit_test(test_realloc_locked_moveable_may_move_only_with_moveable),
        cmocka_unit_test(test_realloc_zeroinit_zeroes_the_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
