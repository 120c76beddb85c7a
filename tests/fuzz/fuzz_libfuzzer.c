/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_libfuzzer.c — the same interpreter under libFuzzer: the
 * input's bytes choose the operations (one thread, a fresh heap per input,
 * the crt's heap shared across inputs). A failure aborts, which libFuzzer
 * reports with the input that caused it.
 */
#include "fuzz_ops.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_world world;
    static fuzz_thread thread;
    world.thread_count = 1;
    world.iterations = 100000;
    world.byte_budget = (size_t)32 << 20;
    if (!fuzz_world_open(&world))
        abort();
    fuzz_thread_init_bytes(&thread, &world, 0, data, size);
    fuzz_thread_run(&thread, world.iterations);
    fuzz_thread_finish(&thread);
    fuzz_world_close(&world);
    return 0;
}
