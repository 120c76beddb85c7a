/* SPDX-License-Identifier: MIT */
/*
 * bench/heap_pairs.c — HeapAlloc+HeapFree pairs of sizes 8-512, for
 * instruction counts under callgrind: strata's heap API against mimalloc's
 * (mi_heap_malloc / mi_free) in the same program.
 *
 *   heap_pairs <strata|mimalloc> <immediate|batch> <pairs>
 *
 * Run it with 0 pairs and with N pairs; the difference in instructions over
 * N is the cost of one pair, loop and size arithmetic included (as
 * docs/benchmark-history.md records the baseline). Each run checks its blocks
 * (a byte written and read back per block), so a broken allocator cannot
 * post a count.
 */
#include <strata/heap.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(STRATA_BENCH_MIMALLOC)
#include <mimalloc.h>
#endif

#define BATCH 1000

typedef struct allocator {
    void *(*alloc)(void *heap, size_t size);
    void (*release)(void *heap, void *block);
    void *heap;
} allocator;

static void *strata_alloc(void *heap, size_t size) { return strata_heap_alloc(heap, 0, size); }
static void strata_release(void *heap, void *block) { strata_heap_free(heap, 0, block); }
#if defined(STRATA_BENCH_MIMALLOC)
static void *mi_alloc(void *heap, size_t size) { return mi_heap_malloc(heap, size); }
static void mi_release(void *heap, void *block) { (void)heap; mi_free(block); }
#endif

static size_t size_at(size_t i) { return 8 + (i * 37) % 505; }

static void fail(const char *what)
{
    fprintf(stderr, "heap_pairs: %s\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        fail("usage: heap_pairs <strata|mimalloc> <immediate|batch> <pairs>");
    allocator a;
    if (strcmp(argv[1], "strata") == 0) {
        strata_heap *heap = NULL;
        if (strata_heap_create(NULL, 0, 0, 0, &heap) != STRATA_OK)
            fail("strata_heap_create failed");
        a = (allocator){strata_alloc, strata_release, heap};
#if defined(STRATA_BENCH_MIMALLOC)
    } else if (strcmp(argv[1], "mimalloc") == 0) {
        a = (allocator){mi_alloc, mi_release, mi_heap_new()};
#endif
    } else {
        fail("unknown allocator");
    }
    bool batch = strcmp(argv[2], "batch") == 0;
    size_t pairs = strtoul(argv[3], NULL, 10);
    static unsigned char *blocks[BATCH];
    unsigned long check = 0;
    /* Warm up both the same way, so that first-touch costs stay out. */
    for (size_t i = 0; i < BATCH; i++)
        blocks[i] = a.alloc(a.heap, size_at(i));
    for (size_t i = 0; i < BATCH; i++)
        a.release(a.heap, blocks[i]);
    if (!batch) {
        for (size_t i = 0; i < pairs; i++) {
            unsigned char *p = a.alloc(a.heap, size_at(i));
            if (p == NULL)
                fail("allocation failed");
            p[0] = (unsigned char)i;
            check += p[0];
            a.release(a.heap, p);
        }
    } else {
        for (size_t done = 0; done < pairs; done += BATCH) {
            size_t n = pairs - done < BATCH ? pairs - done : BATCH;
            for (size_t i = 0; i < n; i++) {
                blocks[i] = a.alloc(a.heap, size_at(done + i));
                if (blocks[i] == NULL)
                    fail("allocation failed");
                blocks[i][0] = (unsigned char)i;
            }
            for (size_t i = 0; i < n; i++) {
                check += blocks[i][0];
                a.release(a.heap, blocks[i]);
            }
        }
    }
    unsigned long expected = 0;
    for (size_t i = 0; i < pairs; i++)
        expected += (unsigned char)(batch ? (i % BATCH) : i);
    if (check != expected)
        fail("blocks did not keep their contents");
    printf("%s %s %zu pairs ok\n", argv[1], argv[2], pairs);
    return 0;
}
