/* SPDX-License-Identifier: MIT */
/*
 * tests/support/thread.h — the smallest portable thread wrapper the tests
 * need (pthreads on POSIX, CreateThread on Windows).
 */
#ifndef STRATA_TEST_THREAD_H
#define STRATA_TEST_THREAD_H

#include <stdbool.h>

typedef void (*test_thread_fn)(void *argument);

typedef struct test_thread {
    void *handle;
    test_thread_fn run;
    void *argument;
} test_thread;

/* Starts `run(argument)` on a new thread; false if the OS refused. */
bool test_thread_start(test_thread *thread, test_thread_fn run, void *argument);

/* Waits for the thread to end, including its thread-exit callbacks. */
void test_thread_join(test_thread *thread);

/* Gives up the processor for about `milliseconds`. */
void test_sleep_ms(unsigned milliseconds);

#endif /* STRATA_TEST_THREAD_H */
