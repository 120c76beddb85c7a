/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_threads.c — a heap shared between threads: threads that
 * allocate, free their own blocks and each other's, and exit while blocks
 * they made are live; then the heap is walked and validated. Also the
 * corners of a thread's part: exit while another thread holds the heap
 * lock, exit after the heap was destroyed, waves of short-lived threads;
 * owners that stop allocating, whose emptied pages others take back.
 */
#include <strata/heap.h>
#include <strata/platform.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fakes/fake_vmm.h"
#include "../support/check.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"


#define THREADS 8
#define MAILBOX 256 /* blocks in flight from one thread to the next */
#define KEPT 24     /* blocks each thread leaves live when it exits */

/* Fewer rounds under Valgrind, which runs threads one at a time. */
static unsigned rounds(void)
{
    return RUNNING_ON_VALGRIND ? 4 : 60;
}

/* ---- Blocks that say who made them ----------------------------------------- */

/* xorshift: each thread its own sequence, no shared state. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Mostly front-end sizes, some back-end ones, a few large blocks when allowed. */
static size_t random_size(uint32_t *random, bool large_allowed)
{
    uint32_t pick = next_random(random) % 100;
    if (pick < 85)
        return next_random(random) % 1024;
    if (pick < 98 || !large_allowed)
        return 1024 + next_random(random) % 60000;
    return STRATA_HEAP_LARGE_THRESHOLD + next_random(random) % 200000;
}

/* A block's first bytes name its size and owner; the rest is a byte pattern. */
typedef struct block_mark {
    uint32_t size;
    uint32_t owner;
} block_mark;

static unsigned char pattern_byte(size_t size, unsigned owner)
{
    return (unsigned char)(0x5B ^ size ^ (owner * 37u));
}

static void *make_block(strata_heap *heap, size_t size, unsigned owner)
{
    void *block = strata_heap_alloc(heap, 0, size);
    assert_non_null(block);
    assert_int_equal((uintptr_t)block % 16, 0);
    memset(block, pattern_byte(size, owner), size);
    if (size >= sizeof(block_mark)) {
        block_mark mark = {(uint32_t)size, owner};
        memcpy(block, &mark, sizeof mark);
    }
    return block;
}

/* The block is whole: the size the heap reports, the mark, the pattern. */
static void check_block(strata_heap *heap, const void *block, size_t size, unsigned owner)
{
    assert_int_equal(strata_heap_size(heap, 0, block), size);
    const unsigned char *bytes = block;
    size_t start = 0;
    if (size >= sizeof(block_mark)) {
        block_mark mark;
        memcpy(&mark, block, sizeof mark);
        assert_int_equal(mark.size, size);
        assert_int_equal(mark.owner, owner);
        start = sizeof mark;
    }
    unsigned char expected = pattern_byte(size, owner);
    for (size_t i = start; i < size; i++)
        if (bytes[i] != expected)
            fail_msg("block %p byte %lu is %#x, expected %#x", block, (unsigned long)i, bytes[i], expected);
}

/* ---- The shared-heap workload --------------------------------------------------- */

typedef struct handoff {
    void *block;
    size_t size;
    unsigned owner;
} handoff;

typedef struct mailbox {
    strata_lock lock;
    handoff items[MAILBOX];
    unsigned count;
} mailbox;

typedef struct kept_block {
    void *block;
    size_t size;
    unsigned owner;
} kept_block;

typedef struct workload {
    strata_heap *heap;
    bool large_allowed;
    mailbox boxes[THREADS];
    kept_block kept[THREADS][KEPT];
    atomic_uint started;
} workload;

typedef struct worker {
    workload *work;
    unsigned index;
} worker;

static bool post(mailbox *box, handoff item)
{
    strata_lock_acquire(&box->lock);
    bool posted = box->count < MAILBOX;
    if (posted)
        box->items[box->count++] = item;
    strata_lock_release(&box->lock);
    return posted;
}

static bool take(mailbox *box, handoff *item)
{
    strata_lock_acquire(&box->lock);
    bool taken = box->count > 0;
    if (taken)
        *item = box->items[--box->count];
    strata_lock_release(&box->lock);
    return taken;
}

static void worker_run(void *argument)
{
    worker *self = argument;
    workload *work = self->work;
    strata_heap *heap = work->heap;
    uint32_t random = 0x9E3779B9u * (self->index + 1);
    mailbox *mine = &work->boxes[self->index];
    mailbox *next = &work->boxes[(self->index + 1) % THREADS];
    enum { BATCH = 64 };
    void *blocks[BATCH];
    size_t sizes[BATCH];

    atomic_fetch_add(&work->started, 1);
    while (atomic_load(&work->started) < THREADS)
        test_sleep_ms(0); /* start together, so that frees cross for real */

    for (unsigned round = 0; round < rounds(); round++) {
        for (unsigned i = 0; i < BATCH; i++) {
            sizes[i] = random_size(&random, work->large_allowed);
            blocks[i] = make_block(heap, sizes[i], self->index);
        }
        /* Half are freed here (in a shuffled order), half go to the next thread. */
        for (unsigned i = 0; i < BATCH; i++) {
            unsigned j = i + next_random(&random) % (BATCH - i);
            void *block = blocks[j];
            size_t size = sizes[j];
            blocks[j] = blocks[i];
            sizes[j] = sizes[i];
            check_block(heap, block, size, self->index);
            if ((i & 1) == 0 || !post(next, (handoff){block, size, self->index}))
                assert_true(strata_heap_free(heap, 0, block));
        }
        /* Blocks from the previous thread: check and free them. */
        handoff item;
        while (take(mine, &item)) {
            check_block(heap, item.block, item.size, item.owner);
            assert_true(strata_heap_free(heap, 0, item.block));
        }
    }
    /* Leave some live blocks behind, then exit. */
    for (unsigned k = 0; k < KEPT; k++) {
        size_t size = random_size(&random, work->large_allowed);
        work->kept[self->index][k] = (kept_block){make_block(heap, size, self->index), size, self->index};
    }
}

static void run_workload(workload *work)
{
    test_thread threads[THREADS];
    worker workers[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t] = (worker){work, t};
        assert_true(test_thread_start(&threads[t], worker_run, &workers[t]));
    }
    for (unsigned t = 0; t < THREADS; t++)
        test_thread_join(&threads[t]);
}

/* Frees what is left in the mailboxes (posted after their reader finished). */
static void drain_mailboxes(workload *work)
{
    for (unsigned t = 0; t < THREADS; t++) {
        handoff item;
        while (take(&work->boxes[t], &item)) {
            check_block(work->heap, item.block, item.size, item.owner);
            assert_true(strata_heap_free(work->heap, 0, item.block));
        }
    }
}

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const kept_block *)a)->block;
    uintptr_t y = (uintptr_t)((const kept_block *)b)->block;
    return x < y ? -1 : x > y;
}

/* The walk lists exactly the kept blocks as busy, each with its exact size. */
static void expect_walk_lists_exactly(strata_heap *heap, kept_block *kept, size_t count)
{
    qsort(kept, count, sizeof *kept, compare_pointers);
    strata_heap_entry entry = {0};
    size_t busy = 0;
    while (strata_heap_walk(heap, &entry) == STRATA_OK) {
        if (!(entry.flags & STRATA_HEAP_ENTRY_BUSY))
            continue;
        kept_block key = {entry.data, 0, 0};
        kept_block *found = bsearch(&key, kept, count, sizeof *kept, compare_pointers);
        if (found == NULL)
            fail_msg("the walk lists a busy block %p of %lu bytes that no thread kept", entry.data,
                     (unsigned long)entry.size);
        assert_int_equal(entry.size, found->size);
        busy++;
    }
    assert_int_equal(busy, count);
}

static void test_threads_free_their_own_and_each_others_blocks_then_exit(void **state)
{
    (void)state;
    static workload work;
    memset(&work, 0, sizeof work);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &work.heap), STRATA_OK);
    work.large_allowed = true;

    run_workload(&work);
    drain_mailboxes(&work);
    assert_true(strata_heap_validate(work.heap, 0, NULL));

    /* Every block the exited threads kept is intact, listed, and can be freed here. */
    kept_block all[THREADS * KEPT];
    size_t count = 0;
    for (unsigned t = 0; t < THREADS; t++)
        for (unsigned k = 0; k < KEPT; k++) {
            kept_block *kept = &work.kept[t][k];
            assert_true(strata_heap_validate(work.heap, 0, kept->block));
            check_block(work.heap, kept->block, kept->size, kept->owner);
            all[count++] = *kept;
        }
    expect_walk_lists_exactly(work.heap, all, count);
    for (size_t i = 0; i < count; i++)
        assert_true(strata_heap_free(work.heap, 0, all[i].block));
    assert_true(strata_heap_validate(work.heap, 0, NULL));
    expect_walk_lists_exactly(work.heap, all, 0);
    assert_status(strata_heap_destroy(work.heap), STRATA_OK);
}

static void test_destroy_after_threads_gives_back_every_reservation(void **state)
{
    (void)state;
    static workload work;
    memset(&work, 0, sizeof work);
    counting_vmm counting;
    counting_vmm_init(&counting, strata_vmm_default());
    /* Large blocks reserve outside the heap lock; the counting VMM is not
     * thread-safe, so this run keeps to the front and back ends. */
    assert_status(strata_heap_create(&counting.vmm, 0, 0, 0, &work.heap), STRATA_OK);
    run_workload(&work);
    assert_true(strata_heap_validate(work.heap, 0, NULL));
    assert_true(counting.live_reservations >= 1);
    assert_status(strata_heap_destroy(work.heap), STRATA_OK); /* kept and mailed blocks still live */
    assert_int_equal(counting.live_reservations, 0);
    assert_int_equal(counting.reserves, counting.releases);
}

/* ---- A thread's part at the edges -------------------------------------------------- */

typedef struct stepper {
    strata_heap *heap;
    void *block;
    atomic_int step;
} stepper;

static void wait_for_step(stepper *s, int step)
{
    while (atomic_load(&s->step) < step)
        test_sleep_ms(1);
}

/* Allocates (taking a part of the heap), says so, waits for leave to exit. */
static void allocate_then_wait(void *argument)
{
    stepper *s = argument;
    s->block = strata_heap_alloc(s->heap, 0, 100);
    memset(s->block, 0x3C, 100);
    atomic_store(&s->step, 1);
    wait_for_step(s, 2);
}

/* A new heap, and a thread that has taken a part of it and a block from it
 * and now waits for step 2. */
static void start_thread_holding_a_block(stepper *s, test_thread *thread)
{
    assert_status(strata_heap_create(NULL, 0, 0, 0, &s->heap), STRATA_OK);
    assert_true(test_thread_start(thread, allocate_then_wait, s));
    wait_for_step(s, 1);
}

static void test_thread_exits_while_another_holds_the_heap_lock(void **state)
{
    (void)state;
    stepper s = {0};
    test_thread thread;
    start_thread_holding_a_block(&s, &thread);

    /* The holder of the lock joins the thread: its exit must not wait for the lock. */
    assert_true(strata_heap_lock(s.heap));
    atomic_store(&s.step, 2);
    test_thread_join(&thread);
    assert_true(strata_heap_unlock(s.heap));

    assert_true(strata_heap_validate(s.heap, 0, NULL));
    assert_int_equal(strata_heap_size(s.heap, 0, s.block), 100);
    /* The exited thread's page serves this thread once its part is taken back. */
    void *mine = strata_heap_alloc(s.heap, 0, 100);
    assert_non_null(mine);
    assert_true(strata_heap_free(s.heap, 0, s.block));
    assert_true(strata_heap_free(s.heap, 0, mine));
    assert_true(strata_heap_validate(s.heap, 0, NULL));
    assert_status(strata_heap_destroy(s.heap), STRATA_OK);
}

static void test_thread_exits_after_its_heap_was_destroyed(void **state)
{
    (void)state;
    stepper s = {0};
    test_thread thread;
    start_thread_holding_a_block(&s, &thread);
    assert_status(strata_heap_destroy(s.heap), STRATA_OK);

    /* A new heap may take the destroyed one's slot; the exiting thread's
     * stale part must not be handed to it. */
    strata_heap *next = NULL;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &next), STRATA_OK);
    atomic_store(&s.step, 2);
    test_thread_join(&thread);
    void *block = strata_heap_alloc(next, 0, 100);
    assert_non_null(block);
    assert_true(strata_heap_validate(next, 0, NULL));
    assert_true(strata_heap_free(next, 0, block));
    assert_status(strata_heap_destroy(next), STRATA_OK);
}

typedef struct wave {
    strata_heap *heap;
    void *from_previous[THREADS]; /* each thread frees one block of the last wave */
    void *for_next[THREADS];
    unsigned index[THREADS];
} wave;

typedef struct wave_worker {
    wave *wave;
    unsigned index;
} wave_worker;

static void wave_run(void *argument)
{
    wave_worker *self = argument;
    strata_heap *heap = self->wave->heap;
    void *blocks[200];
    for (unsigned i = 0; i < 200; i++)
        blocks[i] = make_block(heap, 16 + i * 8, self->index);
    for (unsigned i = 0; i < 200; i++) {
        check_block(heap, blocks[i], 16 + i * 8, self->index);
        assert_true(strata_heap_free(heap, 0, blocks[i]));
    }
    if (self->wave->from_previous[self->index] != NULL)
        assert_true(strata_heap_free(heap, 0, self->wave->from_previous[self->index]));
    self->wave->for_next[self->index] = make_block(heap, 48, self->index);
}

/* What eight threads of a wave can have committed at once, with room for
 * fragmentation; a wave that leaked its threads' parts would pass it within
 * a few waves. */
#define WAVE_COMMIT_CAP ((size_t)THREADS * (2u << 20) + (4u << 20))

static void test_waves_of_short_lived_threads_reuse_what_the_last_wave_left(void **state)
{
    (void)state;
    static wave w;
    memset(&w, 0, sizeof w);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &w.heap), STRATA_OK);
    unsigned waves = RUNNING_ON_VALGRIND ? 5 : 40;
    for (unsigned n = 0; n < waves; n++) {
        test_thread threads[THREADS];
        wave_worker workers[THREADS];
        for (unsigned t = 0; t < THREADS; t++) {
            workers[t] = (wave_worker){&w, t};
            assert_true(test_thread_start(&threads[t], wave_run, &workers[t]));
        }
        for (unsigned t = 0; t < THREADS; t++)
            test_thread_join(&threads[t]);
        memcpy(w.from_previous, w.for_next, sizeof w.for_next);
        assert_true(strata_heap_validate(w.heap, 0, NULL));
        strata_heap_stats stats;
        assert_status(strata_heap_get_stats(w.heap, &stats), STRATA_OK);
        if (stats.peak_committed_bytes > WAVE_COMMIT_CAP)
            fail_msg("wave %u: %lu bytes committed at the peak, over %lu: exited threads' parts "
                     "and pages are not reused", n, (unsigned long)stats.peak_committed_bytes,
                     (unsigned long)WAVE_COMMIT_CAP);
    }
    for (unsigned t = 0; t < THREADS; t++)
        assert_true(strata_heap_free(w.heap, 0, w.from_previous[t]));
    strata_heap_entry entry = {0};
    while (strata_heap_walk(w.heap, &entry) == STRATA_OK)
        assert_false(entry.flags & STRATA_HEAP_ENTRY_BUSY);
    assert_status(strata_heap_destroy(w.heap), STRATA_OK);
}

/* ---- A large block asked about while its neighbours come and go ------------- */
/* Large blocks are listed, and each header's seal covers its list links, so
 * allocating or freeing a neighbour reseals a block another thread may be
 * sizing, validating or resizing at that moment. Those checks must not see
 * the links and the seal half-written: a false "block header corrupted"
 * ended fuzz runs that way. */
typedef struct large_churn {
    strata_heap *heap;
    atomic_bool stop;
} large_churn;

static void churn_large_neighbours(void *argument)
{
    large_churn *churn = argument;
    while (!atomic_load(&churn->stop)) {
        void *block = strata_heap_alloc(churn->heap, 0, STRATA_HEAP_LARGE_THRESHOLD);
        assert_non_null(block);
        assert_true(strata_heap_free(churn->heap, 0, block));
    }
}

static void test_a_large_block_is_sized_and_resized_while_its_neighbours_change(void **state)
{
    (void)state;
    static large_churn churn;
    assert_status(strata_heap_create(NULL, 0, 0, 0, &churn.heap), STRATA_OK);
    atomic_init(&churn.stop, false);
    size_t size = STRATA_HEAP_LARGE_THRESHOLD + 4096;
    char *mine = strata_heap_alloc(churn.heap, 0, size);
    assert_non_null(mine);
    /* An aligned block inside a large one: its inner pointer is classified
     * through the outer block's header too. */
    char *aligned = strata_heap_alloc_aligned(churn.heap, 0, STRATA_HEAP_LARGE_THRESHOLD, 4096);
    assert_non_null(aligned);
    /* More threads than this machine's cores, so that the checking thread
     * is also preempted in the middle of a check. */
    enum { CHURNERS = 3 };
    test_thread threads[CHURNERS];
    for (unsigned t = 0; t < CHURNERS; t++)
        assert_true(test_thread_start(&threads[t], churn_large_neighbours, &churn));
    /* The list's head is the one whose links each neighbour rewrites. */
    unsigned rounds_left = RUNNING_ON_VALGRIND ? 2000 : 300000;
    for (unsigned i = 0; i < rounds_left; i++) {
        assert_int_equal(strata_heap_size(churn.heap, 0, aligned), STRATA_HEAP_LARGE_THRESHOLD);
        if (i % 8 == 0) {
            assert_true(strata_heap_usable_size(churn.heap, aligned) >= STRATA_HEAP_LARGE_THRESHOLD);
            assert_true(strata_heap_validate(churn.heap, 0, aligned));
        }
        if (i % 64 == 0) {
            size_t now = size - (i / 64 & 1) * 4096; /* within the reservation: resized in place */
            assert_ptr_equal(strata_heap_realloc(churn.heap, 0, mine, now), mine);
            assert_int_equal(strata_heap_size(churn.heap, 0, mine), now);
        }
    }
    atomic_store(&churn.stop, true);
    for (unsigned t = 0; t < CHURNERS; t++)
        test_thread_join(&threads[t]);
    assert_true(strata_heap_free(churn.heap, 0, aligned));
    assert_true(strata_heap_free(churn.heap, 0, mine));
    assert_status(strata_heap_destroy(churn.heap), STRATA_OK);
}

/* ---- An owner that stops allocating ------------------------------------------ */
/* A thread makes blocks, hands them to another, and waits, alive. Once the
 * other frees them, the pages no block holds any more must go to whoever
 * needs pages: taken by the pass over idle owners (strata_heap_purge_due,
 * or a thread making a page) or by strata_heap_compact at once. The pages
 * still holding a block the owner kept stay its own, and it frees into
 * them when it wakes. */
#define IDLE_BLOCKS 3000
#define IDLE_SIZE 1000   /* 63 slots of 1024 bytes to a 64 KiB page: 48 pages */
#define IDLE_KEPT 100    /* the first blocks, on the first two pages, stay with the owner */
#define IDLE_OWNER 7

typedef struct idle_owner {
    strata_heap *heap;
    void *blocks[IDLE_BLOCKS];
    atomic_int stage; /* 1: blocks made; 2: wake up */
} idle_owner;

static void idle_owner_run(void *argument)
{
    idle_owner *idle = argument;
    for (unsigned i = 0; i < IDLE_BLOCKS; i++)
        idle->blocks[i] = make_block(idle->heap, IDLE_SIZE, IDLE_OWNER);
    atomic_store(&idle->stage, 1);
    while (atomic_load(&idle->stage) != 2)
        test_sleep_ms(1);
    for (unsigned i = 0; i < IDLE_KEPT; i++) {
        check_block(idle->heap, idle->blocks[i], IDLE_SIZE, IDLE_OWNER);
        assert_true(strata_heap_free(idle->heap, 0, idle->blocks[i]));
    }
    for (unsigned i = 0; i < 500; i++) {
        void *block = make_block(idle->heap, IDLE_SIZE, IDLE_OWNER + 1);
        check_block(idle->heap, block, IDLE_SIZE, IDLE_OWNER + 1);
        assert_true(strata_heap_free(idle->heap, 0, block));
    }
}

static void give_back_an_idle_owners_pages(bool by_compact)
{
    int32_t delay = strata_heap_purge_delay();
    strata_heap_set_purge_delay(20);
    static idle_owner idle;
    static void *mine[IDLE_BLOCKS];
    memset(&idle, 0, sizeof idle);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &idle.heap), STRATA_OK);
    test_thread owner;
    assert_true(test_thread_start(&owner, idle_owner_run, &idle));
    while (atomic_load(&idle.stage) != 1)
        test_sleep_ms(1);
    for (unsigned i = IDLE_KEPT; i < IDLE_BLOCKS; i++) {
        check_block(idle.heap, idle.blocks[i], IDLE_SIZE, IDLE_OWNER);
        assert_true(strata_heap_free(idle.heap, 0, idle.blocks[i]));
    }
    strata_heap_stats before, after;
    assert_status(strata_heap_get_stats(idle.heap, &before), STRATA_OK);
    if (by_compact) {
        strata_heap_compact(idle.heap, 0);
    } else {
        /* The first pass notes how often the owner refilled, the second,
         * a delay later, finds it has not since. */
        test_sleep_ms(30);
        strata_heap_purge_due(idle.heap);
        test_sleep_ms(30);
        strata_heap_purge_due(idle.heap);
    }
    for (unsigned i = 0; i < IDLE_BLOCKS; i++)
        mine[i] = make_block(idle.heap, IDLE_SIZE, IDLE_OWNER + 2);
    assert_status(strata_heap_get_stats(idle.heap, &after), STRATA_OK);
    size_t grown = after.peak_committed_bytes - before.peak_committed_bytes;
    if (grown > ((size_t)1 << 20))
        fail_msg("the heap's peak grew by %lu bytes for as many blocks as the idle owner's freed ones: its "
                 "emptied pages were not taken back", (unsigned long)grown);
    for (unsigned i = 0; i < IDLE_KEPT; i++)
        check_block(idle.heap, idle.blocks[i], IDLE_SIZE, IDLE_OWNER);
    for (unsigned i = 0; i < IDLE_BLOCKS; i++) {
        check_block(idle.heap, mine[i], IDLE_SIZE, IDLE_OWNER + 2);
        assert_true(strata_heap_free(idle.heap, 0, mine[i]));
    }
    atomic_store(&idle.stage, 2);
    test_thread_join(&owner);
    assert_true(strata_heap_validate(idle.heap, 0, NULL));
    strata_heap_entry entry = {0};
    while (strata_heap_walk(idle.heap, &entry) == STRATA_OK)
        assert_false(entry.flags & STRATA_HEAP_ENTRY_BUSY);
    assert_status(strata_heap_destroy(idle.heap), STRATA_OK);
    strata_heap_set_purge_delay(delay);
}

static void test_an_idle_owners_emptied_pages_are_taken_back_after_a_delay(void **state)
{
    (void)state;
    give_back_an_idle_owners_pages(false);
}

static void test_compact_takes_back_a_live_owners_emptied_pages_at_once(void **state)
{
    (void)state;
    give_back_an_idle_owners_pages(true);
}

/* Owners that allocate in bursts and pause, a thread that frees what they
 * hand over, and one that takes back their emptied pages all the while:
 * the taking must never meet an owner's refill, nor a page the owner is
 * freeing into or still allocating from. With a delay of 0 the pass over
 * idle owners runs every millisecond. */
#define PAUSING_OWNERS 3

typedef struct pausing_work {
    strata_heap *heap;
    mailbox boxes[PAUSING_OWNERS];
    atomic_int owners_left;
} pausing_work;

typedef struct pausing_owner {
    pausing_work *work;
    unsigned index;
} pausing_owner;

static void pausing_owner_run(void *argument)
{
    pausing_owner *self = argument;
    pausing_work *work = self->work;
    uint32_t random = 0x2545F491u * (self->index + 1);
    enum { BATCH = 96 };
    void *held[BATCH / 8];
    size_t held_sizes[BATCH / 8];
    unsigned held_count = 0;
    for (unsigned round = 0; round < rounds() * 4; round++) {
        for (unsigned i = 0; i < BATCH; i++) {
            size_t size = 1 + next_random(&random) % 3000;
            void *block = make_block(work->heap, size, self->index);
            if (i % 8 == 0 && held_count < BATCH / 8) {
                held[held_count] = block;
                held_sizes[held_count++] = size;
            } else {
                while (!post(&work->boxes[self->index], (handoff){block, size, self->index}))
                    test_sleep_ms(0);
            }
        }
        if (next_random(&random) % 4 == 0)
            test_sleep_ms(1 + next_random(&random) % 3); /* idle, with a few blocks held */
        while (held_count > 0) { /* freed here, on pages others emptied around them */
            held_count--;
            check_block(work->heap, held[held_count], held_sizes[held_count], self->index);
            assert_true(strata_heap_free(work->heap, 0, held[held_count]));
        }
    }
    atomic_fetch_sub(&work->owners_left, 1);
}

static void pausing_freer_run(void *argument)
{
    pausing_work *work = argument;
    for (;;) {
        bool done = atomic_load(&work->owners_left) == 0;
        bool any = false;
        handoff item;
        for (unsigned t = 0; t < PAUSING_OWNERS; t++)
            while (take(&work->boxes[t], &item)) {
                check_block(work->heap, item.block, item.size, item.owner);
                assert_true(strata_heap_free(work->heap, 0, item.block));
                any = true;
            }
        if (done && !any)
            return;
    }
}

static void pausing_taker_run(void *argument)
{
    pausing_work *work = argument;
    for (unsigned n = 0; atomic_load(&work->owners_left) > 0; n++) {
        if (n % 8 == 0)
            strata_heap_compact(work->heap, 0);
        else
            strata_heap_purge_due(work->heap);
        test_sleep_ms(0);
    }
}

static void test_owners_that_pause_while_others_take_back_their_pages(void **state)
{
    (void)state;
    int32_t delay = strata_heap_purge_delay();
    strata_heap_set_purge_delay(0);
    static pausing_work work;
    memset(&work, 0, sizeof work);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &work.heap), STRATA_OK);
    atomic_store(&work.owners_left, PAUSING_OWNERS);
    test_thread owners[PAUSING_OWNERS], freer, taker;
    pausing_owner workers[PAUSING_OWNERS];
    for (unsigned t = 0; t < PAUSING_OWNERS; t++) {
        workers[t] = (pausing_owner){&work, t};
        assert_true(test_thread_start(&owners[t], pausing_owner_run, &workers[t]));
    }
    assert_true(test_thread_start(&freer, pausing_freer_run, &work));
    assert_true(test_thread_start(&taker, pausing_taker_run, &work));
    for (unsigned t = 0; t < PAUSING_OWNERS; t++)
        test_thread_join(&owners[t]);
    test_thread_join(&freer);
    test_thread_join(&taker);
    assert_true(strata_heap_validate(work.heap, 0, NULL));
    strata_heap_entry entry = {0};
    while (strata_heap_walk(work.heap, &entry) == STRATA_OK)
        assert_false(entry.flags & STRATA_HEAP_ENTRY_BUSY);
    assert_status(strata_heap_destroy(work.heap), STRATA_OK);
    strata_heap_set_purge_delay(delay);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_free_their_own_and_each_others_blocks_then_exit),
        cmocka_unit_test(test_destroy_after_threads_gives_back_every_reservation),
        cmocka_unit_test(test_thread_exits_while_another_holds_the_heap_lock),
        cmocka_unit_test(test_thread_exits_after_its_heap_was_destroyed),
        cmocka_unit_test(test_waves_of_short_lived_threads_reuse_what_the_last_wave_left),
        cmocka_unit_test(test_a_large_block_is_sized_and_resized_while_its_neighbours_change),
        cmocka_unit_test(test_an_idle_owners_emptied_pages_are_taken_back_after_a_delay),
        cmocka_unit_test(test_compact_takes_back_a_live_owners_emptied_pages_at_once),
        cmocka_unit_test(test_owners_that_pause_while_others_take_back_their_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
