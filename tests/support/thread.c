/* SPDX-License-Identifier: MIT */
/*
 * tests/support/thread.c — see thread.h.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "thread.h"

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

static DWORD WINAPI trampoline(void *argument)
{
    test_thread *thread = argument;
    thread->run(thread->argument);
    return 0;
}

bool test_thread_start(test_thread *thread, test_thread_fn run, void *argument)
{
    thread->run = run;
    thread->argument = argument;
    thread->handle = CreateThread(NULL, 0, trampoline, thread, 0, NULL);
    return thread->handle != NULL;
}

void test_thread_join(test_thread *thread)
{
    WaitForSingleObject(thread->handle, INFINITE);
    CloseHandle(thread->handle);
}

void test_sleep_ms(unsigned milliseconds)
{
    Sleep(milliseconds);
}

#else
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static void *trampoline(void *argument)
{
    test_thread *thread = argument;
    thread->run(thread->argument);
    return NULL;
}

bool test_thread_start(test_thread *thread, test_thread_fn run, void *argument)
{
    thread->run = run;
    thread->argument = argument;
    pthread_t *id = malloc(sizeof *id);
    if (id == NULL || pthread_create(id, NULL, trampoline, thread) != 0) {
        free(id);
        return false;
    }
    thread->handle = id;
    return true;
}

void test_thread_join(test_thread *thread)
{
    pthread_t *id = thread->handle;
    pthread_join(*id, NULL);
    free(id);
}

void test_sleep_ms(unsigned milliseconds)
{
    struct timespec pause = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0) {
    }
}
#endif
