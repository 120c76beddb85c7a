/* SPDX-License-Identifier: MIT */
/*
 * planted.c — one planted mistake per run, for memcheck to report:
 *   planted leak   a HeapAlloc-style block whose last pointer is dropped;
 *   planted uaf    a byte read from a block after it was freed.
 * The heap layer's client requests are what let memcheck see heap blocks at
 * all; check_report.cmake runs this under memcheck and reads the report.
 */
#include <strata/heap.h>

#include <stdio.h>
#include <string.h>

#define LEAKED_BYTES 4242
#define FREED_BYTES 96

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Keeps the compiler from proving the pointer dead or the read unused. */
static void *volatile sink;

static NOINLINE void plant_leak_in_heap(strata_heap *heap)
{
    char *block = strata_heap_alloc(heap, 0, LEAKED_BYTES);
    memset(block, 0x4C, LEAKED_BYTES);
    sink = block;
    sink = NULL; /* the only pointer to it is gone */
}

static NOINLINE int plant_read_after_free(strata_heap *heap)
{
    volatile char *block = strata_heap_alloc(heap, 0, FREED_BYTES);
    memset((char *)block, 0x55, FREED_BYTES);
    strata_heap_free(heap, 0, (void *)block);
    return block[10];
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    strata_heap *heap = NULL;
    if (strata_heap_create(NULL, 0, 0, 0, &heap) != STRATA_OK)
        return 3;
    if (strcmp(argv[1], "leak") == 0) {
        plant_leak_in_heap(heap);
        printf("planted a leak of %d bytes\n", LEAKED_BYTES);
        return 0; /* the heap stays: a leak is a block nobody points to */
    }
    if (strcmp(argv[1], "uaf") == 0) {
        int byte = plant_read_after_free(heap);
        printf("read %d after free\n", byte);
        strata_heap_destroy(heap);
        return 0;
    }
    return 2;
}
