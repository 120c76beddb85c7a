/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_main.c — the ctest driver of the operation interpreter:
 *     strata_fuzz [threads [iterations]]
 * Each thread runs `iterations` operations drawn from a PRNG seeded with
 * STRATA_FUZZ_SEED (a number, or "random" for one from the clock; default a
 * fixed seed, so that CI runs are reproducible) on its own heap and the
 * crt, giving blocks to the others through the exchange. STRATA_FUZZ_ITERATIONS
 * overrides the count. With one thread a run is fully reproducible from its
 * seed; with more, the interleaving is the OS's.
 */
/* mingw: C99 printf directives (%zu, %llu) rather than msvcrt's. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
#define __USE_MINGW_ANSI_STDIO 1
#endif
#include "fuzz_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/thread.h"

static fuzz_world world;
static fuzz_thread threads[FUZZ_MAX_THREADS];

static void run_thread(void *argument)
{
    fuzz_thread *thread = argument;
    fuzz_thread_run(thread, world.iterations);
    fuzz_thread_finish(thread);
}

static uint64_t seed_from_environment(void)
{
    const char *text = getenv("STRATA_FUZZ_SEED");
    if (text == NULL || *text == '\0')
        return 0x5EED0F5712A7Aull;
    if (strcmp(text, "random") == 0)
        return strata_clock_monotonic_ns() ^ ((uint64_t)(uintptr_t)&world << 20);
    return strtoull(text, NULL, 0);
}

int main(int argc, char **argv)
{
    world.thread_count = argc > 1 ? atoi(argv[1]) : 1;
    world.iterations = argc > 2 ? strtoull(argv[2], NULL, 0) : 20000;
    const char *iterations = getenv("STRATA_FUZZ_ITERATIONS");
    if (iterations != NULL && *iterations != '\0')
        world.iterations = strtoull(iterations, NULL, 0);
    if (world.thread_count < 1 || world.thread_count > FUZZ_MAX_THREADS) {
        fprintf(stderr, "usage: %s [threads (1-%d) [iterations]]\n", argv[0], FUZZ_MAX_THREADS);
        return 2;
    }
    world.seed = seed_from_environment();
    world.byte_budget = (size_t)48 << 20;
    printf("strata fuzz: seed %llu, %d thread(s) x %llu operations\n", (unsigned long long)world.seed,
           world.thread_count, (unsigned long long)world.iterations);
    fflush(stdout);
    if (!fuzz_world_open(&world)) {
        fprintf(stderr, "could not create the heaps\n");
        return 1;
    }
    test_thread handles[FUZZ_MAX_THREADS];
    for (int i = 0; i < world.thread_count; i++)
        fuzz_thread_init(&threads[i], &world, i, world.seed);
    if (world.thread_count == 1) {
        run_thread(&threads[0]);
    } else {
        for (int i = 0; i < world.thread_count; i++)
            if (!test_thread_start(&handles[i], run_thread, &threads[i])) {
                fprintf(stderr, "could not start thread %d\n", i);
                return 1;
            }
        for (int i = 0; i < world.thread_count; i++)
            test_thread_join(&handles[i]);
    }
    fuzz_world_close(&world);
    printf("strata fuzz: seed %llu: 1 passed, 0 failed\n", (unsigned long long)world.seed);
    return 0;
}
