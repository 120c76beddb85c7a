/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/takers_crt.c — the taking of live owners' unheld pages through
 * the crt: threads malloc and free their own and each other's blocks
 * (strata_malloc, strata_free), some sleep with blocks held, some exit and
 * are replaced, while one thread runs strata_malloc_trim and
 * strata_heap_purge_due(strata_crt_heap()) in a loop (purge delay 0).
 * Every block carries a serial and a pattern, checked before its free.
 * ATTACK_SCALE multiplies the rounds.
 */
#include <strata/crt.h>
#include <strata/heap.h>
#include <strata/platform.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

#define die(...)                                 \
    do {                                         \
        fprintf(stderr, "attack: " __VA_ARGS__); \
        fprintf(stderr, "\n");                   \
        fflush(stderr);                          \
        abort();                                 \
    } while (0)

static unsigned scale(void)
{
    const char *text = getenv("ATTACK_SCALE");
    unsigned value = text != NULL ? (unsigned)strtoul(text, NULL, 10) : 1;
    return value == 0 ? 1 : value;
}

static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

typedef struct block {
    unsigned char *data;
    uint32_t size;
    uint32_t serial;
} block;

static atomic_uint serials;

static block make(size_t size)
{
    if (size < 8)
        size = 8;
    block b = {strata_malloc(size), (uint32_t)size, atomic_fetch_add(&serials, 1) + 1};
    if (b.data == NULL)
        die("malloc(%lu) failed", (unsigned long)size);
    memset(b.data, (unsigned char)(b.serial * 131u), size);
    memcpy(b.data, &b.serial, 4);
    memcpy(b.data + 4, &b.size, 4);
    return b;
}

static void drop(block b)
{
    uint32_t serial, size;
    memcpy(&serial, b.data, 4);
    memcpy(&size, b.data + 4, 4);
    if (serial != b.serial || size != b.size)
        die("block %p: serial %u size %u, expected %u %u (handed out twice or overlapped)", (void *)b.data, serial,
            size, b.serial, b.size);
    unsigned char expected = (unsigned char)(b.serial * 131u);
    for (size_t i = 8; i < b.size; i++)
        if (b.data[i] != expected)
            die("block %p (serial %u) byte %lu is %#x, expected %#x", (void *)b.data, b.serial, (unsigned long)i,
                b.data[i], expected);
    if (strata_malloc_usable_size(b.data) < b.size)
        die("block %p: usable size below %u", (void *)b.data, b.size);
    strata_free(b.data);
}

#define WORKERS 4
#define BOX 2048

typedef struct box {
    strata_lock lock;
    block items[BOX];
    unsigned count;
} box;

typedef struct crt_work {
    box boxes[WORKERS];
    atomic_int workers_left;
    atomic_int stop;
    unsigned rounds;
} crt_work;

typedef struct crt_worker {
    crt_work *work;
    unsigned index, generation;
} crt_worker;

static bool post(box *b, block item)
{
    strata_lock_acquire(&b->lock);
    bool done = b->count < BOX;
    if (done)
        b->items[b->count++] = item;
    strata_lock_release(&b->lock);
    return done;
}

static bool take(box *b, block *item)
{
    strata_lock_acquire(&b->lock);
    bool done = b->count > 0;
    if (done)
        *item = b->items[--b->count];
    strata_lock_release(&b->lock);
    return done;
}

static void worker_run(void *argument)
{
    crt_worker *self = argument;
    crt_work *work = self->work;
    uint32_t random = 0x2545F491u * (self->index + 1) + 0x9E3779B9u * (self->generation + 1);
    enum { BATCH = 300, KEEP = 30 };
    block batch[BATCH], kept[KEEP];
    unsigned kept_count = 0;
    for (unsigned round = 0; round < work->rounds; round++) {
        size_t base = 8 + next_random(&random) % 1500;
        for (unsigned i = 0; i < BATCH; i++)
            batch[i] = make(next_random(&random) % 5 == 0 ? 8 + next_random(&random) % 20000 : base);
        for (unsigned i = 0; i < BATCH; i++) {
            uint32_t pick = next_random(&random) % 16;
            if (pick == 0 && kept_count < KEEP)
                kept[kept_count++] = batch[i];
            else if (pick < 11 && post(&work->boxes[(self->index + 1 + pick) % WORKERS], batch[i]))
                continue;
            else
                drop(batch[i]);
        }
        block item;
        while (take(&work->boxes[self->index], &item))
            drop(item);
        if (next_random(&random) % 4 == 0) {
            if (next_random(&random) % 2 == 0)
                test_sleep_ms(1 + next_random(&random) % 2); /* idle, holding blocks */
            while (kept_count > 0)
                drop(kept[--kept_count]);
        }
    }
    while (kept_count > 0)
        drop(kept[--kept_count]);
}

static void trimmer_run(void *argument)
{
    crt_work *work = argument;
    for (unsigned n = 0; !atomic_load(&work->stop); n++) {
        if (n % 2 == 0)
            strata_malloc_trim(0);
        else
            strata_heap_purge_due(strata_crt_heap());
        if (n % 16 == 0 && !strata_heap_validate(strata_crt_heap(), 0, NULL))
            die("validate reported damage while workers and the trimmer ran");
    }
}

static void test_crt_threads_malloc_and_free_while_another_trims(void **state)
{
    (void)state;
    int32_t delay = strata_heap_purge_delay();
    strata_heap_set_purge_delay(0);
    static crt_work work;
    memset(&work, 0, sizeof work);
    work.rounds = (RUNNING_ON_VALGRIND ? 2 : 25) * scale();
    test_thread workers[WORKERS], trimmer;
    crt_worker args[WORKERS];
    void *warm = strata_malloc(1); /* the crt heap exists before the trimmer asks for it */
    strata_free(warm);
    assert_true(test_thread_start(&trimmer, trimmer_run, &work));
    for (unsigned generation = 0; generation < 3; generation++) {
        for (unsigned t = 0; t < WORKERS; t++) {
            args[t] = (crt_worker){&work, t, generation};
            assert_true(test_thread_start(&workers[t], worker_run, &args[t]));
        }
        for (unsigned t = 0; t < WORKERS; t++)
            test_thread_join(&workers[t]);
        block item;
        for (unsigned t = 0; t < WORKERS; t++)
            while (take(&work.boxes[t], &item))
                drop(item);
    }
    atomic_store(&work.stop, 1);
    test_thread_join(&trimmer);
    strata_malloc_trim(0);
    assert_true(strata_heap_validate(strata_crt_heap(), 0, NULL));
    strata_heap_set_purge_delay(delay);
}

int main(void)
{
    const char *only = getenv("ATTACK_ONLY");
    if (only != NULL)
        cmocka_set_test_filter(only);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crt_threads_malloc_and_free_while_another_trims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
