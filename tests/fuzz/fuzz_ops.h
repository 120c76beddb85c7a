/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_ops.h — an interpreter of allocation call sequences, run
 * against a model of what must be live. Each operation is drawn from a
 * source: a seeded PRNG (the ctest driver) or the bytes of a fuzzer input
 * (the libFuzzer entry point). Every block holds a pattern derived from its
 * id, checked whenever the interpreter touches the block and before it
 * frees it; HeapSize must be exact, HeapWalk must list exactly the live
 * blocks of a heap, HeapValidate must hold. Any difference prints what was
 * wrong (with the seed) and aborts.
 */
#ifndef STRATA_TEST_FUZZ_OPS_H
#define STRATA_TEST_FUZZ_OPS_H

#include <strata/crt.h>
#include <strata/heap.h>
#include <strata/platform.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_THREADS 4
#define FUZZ_SLOTS 48          /* blocks a thread holds at once */
#define FUZZ_EXCHANGE 32       /* blocks in flight between threads */
#define FUZZ_MODEL_CAPACITY (FUZZ_MAX_THREADS * FUZZ_SLOTS + FUZZ_EXCHANGE + 8)

typedef enum fuzz_api { FUZZ_ON_HEAP, FUZZ_ON_CRT } fuzz_api;

/* One live block and how it was made. */
typedef struct fuzz_block {
    char *data;
    size_t size;       /* requested */
    uint64_t id;       /* seeds the pattern */
    size_t alignment;  /* 0: ordinary */
    fuzz_api api;
    int heap_index;    /* for FUZZ_ON_HEAP: the world's heap it is on */
} fuzz_block;

/* What one private heap holds, as the model sees it. */
typedef struct fuzz_heap {
    strata_heap *heap;
    strata_lock lock; /* held around every call on the heap and every change of `live` */
    fuzz_block live[FUZZ_MODEL_CAPACITY];
    int live_count;
} fuzz_heap;

typedef struct fuzz_world {
    int thread_count;
    uint64_t seed;         /* for the failure message */
    uint64_t iterations;   /* per thread */
    fuzz_heap heaps[FUZZ_MAX_THREADS];
    _Atomic(fuzz_block *) exchange[FUZZ_EXCHANGE];
    size_t byte_budget;    /* live bytes a thread may hold */
} fuzz_world;

/* Where a thread's choices come from. */
typedef struct fuzz_source {
    uint64_t state;          /* PRNG state, when bytes is NULL */
    const uint8_t *bytes;    /* fuzzer input, or NULL */
    size_t length, position;
    bool exhausted;
} fuzz_source;

typedef struct fuzz_thread {
    fuzz_world *world;
    int index;
    fuzz_source source;
    fuzz_block slots[FUZZ_SLOTS];
    bool used[FUZZ_SLOTS];
    uint64_t next_id;
    uint64_t op;
    size_t live_bytes;
} fuzz_thread;

/* Creates the heaps of `world` (thread_count of them); false on failure. */
bool fuzz_world_open(fuzz_world *world);
/* Frees what is left in the exchange, requires every heap to walk empty and
 * validate, and destroys the heaps. */
void fuzz_world_close(fuzz_world *world);

void fuzz_thread_init(fuzz_thread *thread, fuzz_world *world, int index, uint64_t seed);
void fuzz_thread_init_bytes(fuzz_thread *thread, fuzz_world *world, int index, const uint8_t *data,
                            size_t length);
/* Runs `count` operations (fewer when a byte source runs out). */
void fuzz_thread_run(fuzz_thread *thread, uint64_t count);
/* Frees every block the thread holds, checking each. */
void fuzz_thread_finish(fuzz_thread *thread);

#endif
