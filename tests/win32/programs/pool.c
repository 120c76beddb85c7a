/* SPDX-License-Identifier: MIT */
/*
 * (c) An object pool on a private heap, shared by four threads: each takes
 * objects from the pool (a free list under a critical section, refilled
 * with HeapAlloc), returns most of them, and keeps a few on purpose. At the
 * end HeapWalk lists the blocks still allocated: the leak report.
 */
#include <windows.h>
#include <malloc.h>
#include <psapi.h>
#include <stdio.h>
#include <stdint.h>

#define THREADS 4
#define ROUNDS 2000
#define KEPT_PER_THREAD 5

typedef struct object {
    struct object *next;
    DWORD owner;
    char payload[52];
} object;

static HANDLE heap;
static CRITICAL_SECTION pool_lock;
static object *free_list;
static volatile LONG created, taken, returned;

static object *take(void)
{
    EnterCriticalSection(&pool_lock);
    object *item = free_list;
    if (item != NULL) {
        free_list = item->next;
    }
    LeaveCriticalSection(&pool_lock);
    if (item == NULL) {
        item = (object *)HeapAlloc(heap, HEAP_ZERO_MEMORY, sizeof(object));
        if (item == NULL) {
            return NULL;
        }
        InterlockedIncrement(&created);
    }
    InterlockedIncrement(&taken);
    return item;
}

static void give_back(object *item)
{
    EnterCriticalSection(&pool_lock);
    item->next = free_list;
    free_list = item;
    LeaveCriticalSection(&pool_lock);
    InterlockedIncrement(&returned);
}

static DWORD WINAPI worker(LPVOID parameter)
{
    DWORD index = (DWORD)(UINT_PTR)parameter;
    object *held[8];
    int holding = 0;
    for (int round = 0; round < ROUNDS; round++) {
        object *item = take();
        if (item == NULL) {
            return 100 + index;
        }
        item->owner = GetCurrentThreadId();
        held[holding++] = item;
        if (holding == 8) {
            while (holding > 0) {
                give_back(held[--holding]);
            }
        }
    }
    while (holding > 0) {
        give_back(held[--holding]);
    }
    /* Taken and forgotten: the leak the report must show. */
    for (int i = 0; i < KEPT_PER_THREAD; i++) {
        object *item = take();
        if (item == NULL) {
            return 100 + index;
        }
        item->owner = GetCurrentThreadId();
    }
    return index;
}

int main(void)
{
    heap = HeapCreate(0, 0, 0);
    if (heap == NULL) {
        printf("HeapCreate failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    InitializeCriticalSection(&pool_lock);

    HANDLE threads[THREADS];
    for (DWORD i = 0; i < THREADS; i++) {
        threads[i] = CreateThread(NULL, 0, worker, (LPVOID)(UINT_PTR)i, 0, NULL);
        if (threads[i] == NULL) {
            printf("CreateThread failed: %lu\n", (unsigned long)GetLastError());
            return 1;
        }
    }
    if (WaitForMultipleObjects(THREADS, threads, TRUE, INFINITE) != WAIT_OBJECT_0) {
        printf("WaitForMultipleObjects failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    for (DWORD i = 0; i < THREADS; i++) {
        DWORD code = 0;
        GetExitCodeThread(threads[i], &code);
        printf("worker %lu exited with %lu\n", (unsigned long)i, (unsigned long)code);
        CloseHandle(threads[i]);
    }
    printf("taken %ld, returned %ld, kept %ld\n", (long)taken, (long)returned, (long)(taken - returned));

    /* The free list goes back to the heap; what is left is the leak. */
    LONG pooled = 0;
    while (free_list != NULL) {
        object *item = free_list;
        free_list = item->next;
        HeapFree(heap, 0, item);
        pooled++;
    }
    /* How many the pool made depends on how the threads interleaved; that
     * all of them are accounted for does not. */
    printf("pooled and kept objects account for all created: %s\n",
           pooled + (taken - returned) == created ? "yes" : "no");

    HeapLock(heap);
    PROCESS_HEAP_ENTRY entry;
    ZeroMemory(&entry, sizeof entry);
    LONG leaked = 0;
    SIZE_T leaked_bytes = 0;
    while (HeapWalk(heap, &entry)) {
        if ((entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) && entry.cbData == sizeof(object)) {
            leaked++;
            leaked_bytes += entry.cbData;
        }
    }
    DWORD walk_end = GetLastError();
    HeapUnlock(heap);
    printf("leak report: %ld objects, %lu bytes still allocated (walk ended with %lu)\n", (long)leaked,
           (unsigned long)leaked_bytes, (unsigned long)walk_end);

    /* The process's own figures, and an aligned scratch buffer from the CRT. */
    PROCESS_MEMORY_COUNTERS counters;
    MEMORYSTATUSEX status;
    status.dwLength = sizeof status;
    BOOL figures = GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters) &&
                   GlobalMemoryStatusEx(&status) && counters.WorkingSetSize > 0 &&
                   status.ullAvailPhys <= status.ullTotalPhys;
    printf("memory figures: %s\n", figures ? "plausible" : "implausible");
    void *scratch = _aligned_malloc(4096, 64);
    printf("aligned scratch: %s\n", scratch != NULL && ((uintptr_t)scratch & 63) == 0 ? "64-byte aligned" : "bad");
    _aligned_free(scratch);

    DeleteCriticalSection(&pool_lock);
    if (!HeapDestroy(heap)) {
        printf("HeapDestroy failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("pool heap destroyed\n");
    return 0;
}
