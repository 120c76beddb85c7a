/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/windows_dropin.c — on Windows, a program linked with
 * libstrata.a gets strata's malloc and free, _msize and the _aligned_
 * functions: the blocks it allocates show up in a walk of the CRT heap
 * with their exact sizes. A plain program, not CMocka, so that nothing in
 * it allocates with the system CRT's malloc and frees with strata's.
 */
#include <strata/crt.h>

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not declared by mingw-w64's headers for msvcrt.dll, but part of the CRT's
 * interface and provided by strata's drop-in. */
size_t _aligned_msize(void *block, size_t alignment, size_t offset);
int _set_new_mode(int mode);

static int failures;

static void check(int ok, const char *what)
{
    printf("%-60s %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

/* Whether a walk of the CRT heap lists `block` as busy with `size` bytes. */
static int walk_lists(const void *block, size_t size)
{
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    while (strata_heap_walk(strata_crt_heap(), &entry) == STRATA_OK)
        if ((entry.flags & STRATA_HEAP_ENTRY_BUSY) && entry.data == block)
            return entry.size == size;
    return 0;
}

int main(void)
{
    check(strata_crt_heap() == strata_heap_process(), "the CRT heap is the process heap");
    char *block = malloc(12345);
    check(block != NULL && walk_lists(block, 12345), "malloc(12345) is a block of the CRT heap");
    check(_msize(block) == 12345, "_msize gives the size asked for");
    block = realloc(block, 54321);
    check(block != NULL && walk_lists(block, 54321), "realloc'd block is the CRT heap's");
    uintptr_t freed = (uintptr_t)block;
    free(block);
    check(!strata_heap_validate(strata_crt_heap(), 0, (void *)freed), "free gave it back to the CRT heap");

    int *zeroed = calloc(100, sizeof(int));
    int all_zero = zeroed != NULL;
    for (int i = 0; all_zero && i < 100; i++)
        all_zero = zeroed[i] == 0;
    check(all_zero && walk_lists(zeroed, 100 * sizeof(int)), "calloc: zeroed, from the CRT heap");
    free(zeroed);

    void *aligned = _aligned_malloc(100, 256);
    check(aligned != NULL && (size_t)aligned % 256 == 0, "_aligned_malloc(100, 256) is aligned");
    check(_aligned_msize(aligned, 256, 0) == 100, "_aligned_msize gives the size asked for");
    check(strata_heap_validate(strata_crt_heap(), 0, aligned), "the aligned block is the CRT heap's");
    aligned = _aligned_realloc(aligned, 70000, 256);
    check(aligned != NULL && (size_t)aligned % 256 == 0, "_aligned_realloc keeps the alignment");
    _aligned_free(aligned);

    char *grown = _recalloc(NULL, 10, 10);
    check(grown != NULL && _msize(grown) == 100, "_recalloc of NULL allocates");
    check(_expand(grown, 50) == grown && _msize(grown) == 50, "_expand shrinks in place");
    free(grown);
    check(_set_new_mode(1) == 0 && _set_new_mode(0) == 1, "_set_new_mode reports the previous mode");

    printf("%s\n", failures == 0 ? "strata served this program's CRT allocations" : "FAILED");
    return failures == 0 ? 0 : 1;
}
