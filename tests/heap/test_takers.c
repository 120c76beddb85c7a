/* SPDX-License-Identifier: MIT */
/*
 * tests/heap/test_takers.c — attacks on the taking of a live owner's unheld
 * pages (front.c: front_reclaim_part, front_reclaim, front_reclaim_queued):
 * owners that free their last live block of a page while other threads
 * compact, pass over idle owners or queue the 64th page on their remote
 * stack; owners whose blocks were all freed by others and who then wake;
 * threads exiting meanwhile; walk and validate meanwhile; a user holding
 * the heap lock while its own remote frees trigger the queued taking.
 *
 * Every block carries a serial number and a pattern, checked before it is
 * freed: a block handed out twice, or overlapping another, is found there.
 * ATTACK_SCALE (an integer, 1 by default) multiplies every loop, to
 * hunt for rare interleavings outside the test suite.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif
#include <strata/heap.h>
#include <strata/platform.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <pthread.h>
#include <signal.h>
#include <time.h>
#endif

#include "../support/check.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

/* Failures found on any thread end the process with a line saying what was
 * found (CMocka's own checks may only fail on the test's thread). */
#define die(...)                                  \
    do {                                          \
        fprintf(stderr, "attack: " __VA_ARGS__);  \
        fprintf(stderr, "\n");                    \
        fflush(stderr);                           \
        abort();                                  \
    } while (0)
#define must(condition)                                                          \
    do {                                                                         \
        if (!(condition))                                                        \
            die("%s:%d: %s is false", __FILE__, __LINE__, #condition);           \
    } while (0)

static unsigned scale(void)
{
    const char *text = getenv("ATTACK_SCALE");
    unsigned value = text != NULL ? (unsigned)strtoul(text, NULL, 10) : 1;
    return value == 0 ? 1 : value;
}

static unsigned scaled(unsigned normal, unsigned valgrind)
{
    return (RUNNING_ON_VALGRIND ? valgrind : normal) * scale();
}

static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* ---- Blocks with a serial and a pattern ------------------------------------ */
typedef struct mark {
    uint32_t size;
    uint32_t serial;
} mark;

static atomic_uint serials;

static unsigned char pattern_of(uint32_t serial)
{
    return (unsigned char)(0xA5 ^ serial ^ (serial >> 8));
}

typedef struct block {
    void *data;
    uint32_t size;
    uint32_t serial;
} block;

static block make(strata_heap *heap, size_t size)
{
    if (size < sizeof(mark))
        size = sizeof(mark);
    block b = {strata_heap_alloc(heap, 0, size), (uint32_t)size, atomic_fetch_add(&serials, 1) + 1};
    if (b.data == NULL)
        die("alloc of %lu bytes failed", (unsigned long)size);
    memset(b.data, pattern_of(b.serial), size);
    mark m = {b.size, b.serial};
    memcpy(b.data, &m, sizeof m);
    return b;
}

static void check(strata_heap *heap, block b)
{
    mark m;
    memcpy(&m, b.data, sizeof m);
    if (m.size != b.size || m.serial != b.serial)
        die("block %p (serial %u, %u bytes) holds serial %u, %u bytes: handed out twice or overlapped", b.data,
                 b.serial, b.size, m.serial, m.size);
    const unsigned char *bytes = b.data;
    unsigned char expected = pattern_of(b.serial);
    for (size_t i = sizeof m; i < b.size; i++)
        if (bytes[i] != expected)
            die("block %p (serial %u) byte %lu is %#x, expected %#x", b.data, b.serial, (unsigned long)i,
                     bytes[i], expected);
    if (strata_heap_size(heap, 0, b.data) != b.size)
        die("block %p: size %lu, expected %u", b.data, (unsigned long)strata_heap_size(heap, 0, b.data), b.size);
}

static void drop(strata_heap *heap, block b)
{
    check(heap, b);
    must(strata_heap_free(heap, 0, b.data));
}

/* A one-lock queue of blocks from one thread to another. */
#define QUEUE 4096
typedef struct queue {
    strata_lock lock;
    block items[QUEUE];
    unsigned count;
} queue;

static bool put(queue *q, block b)
{
    strata_lock_acquire(&q->lock);
    bool done = q->count < QUEUE;
    if (done)
        q->items[q->count++] = b;
    strata_lock_release(&q->lock);
    return done;
}

static bool get(queue *q, block *b)
{
    strata_lock_acquire(&q->lock);
    bool done = q->count > 0;
    if (done)
        *b = q->items[--q->count];
    strata_lock_release(&q->lock);
    return done;
}

/* Spun, not slept: natively the owner's free must follow the helper's at
 * once. Valgrind runs one thread at a time and may give a spinning thread
 * the processor again and again (a run hung so): there it yields. */
static void spin_for_the_helper(void)
{
    if (RUNNING_ON_VALGRIND)
        test_sleep_ms(0);
}

static void put_wait(queue *q, block b)
{
    while (!put(q, b))
        test_sleep_ms(0);
}

/* The heap holds nothing live: validate, and a walk finds no busy entry. */
static void expect_empty_and_valid(strata_heap *heap)
{
    must(strata_heap_validate(heap, 0, NULL));
    strata_heap_entry entry = {0};
    while (strata_heap_walk(heap, &entry) == STRATA_OK)
        if (entry.flags & STRATA_HEAP_ENTRY_BUSY)
            die("a busy entry at %p (%lu bytes) after every block was freed", entry.data,
                     (unsigned long)entry.size);
}

/* ---- Preemption at any instruction (POSIX) ----------------------------------- */
/* A thread that signals a victim now and then; the handler sleeps, as a
 * descheduled thread would, wherever the victim was. Widens windows of a
 * few instructions into ones a taker can run a compaction through. */
#if !defined(_WIN32)
typedef struct preemptor {
    pthread_t victim;
    atomic_int stop;
    unsigned period_us, pause_us;
} preemptor;

static void pause_handler(int signal_number)
{
    (void)signal_number;
    struct timespec pause = {0, 300000}; /* 300 us */
    nanosleep(&pause, NULL);
}

static void preemptor_run(void *argument)
{
    preemptor *p = argument;
    uint32_t random = 0x1234567u;
    while (!atomic_load(&p->stop)) {
        struct timespec wait = {0, (long)(1000u * (p->period_us / 2 + next_random(&random) % p->period_us))};
        nanosleep(&wait, NULL);
        pthread_kill(p->victim, SIGUSR1);
    }
}

static void install_pause_handler(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pause_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
}
#endif

/* ---- 1. An owner empties a page in a segment of its own while a taker compacts */
/* The owner's page P1 sits alone in the heap's second segment; the owner
 * frees P1's blocks (locally, or all but the last through another thread),
 * its last free leaving P1 without a live block, while a taker compacts in
 * a loop: a compaction that retires P1 also releases the segment, and the
 * owner must not read P1's descriptor after that (front_free_local's tail,
 * front_page_freed_slow). P0, the owner's current page of the class, stays
 * in the first segment so that P1 is not current when it empties. */
#define SEGMENT_BYTES ((size_t)4 << 20)
#define SEG_SIZE 16000 /* class of 16 KiB: 15 slots to a 256 KiB page */
enum {
    SEG_LOCAL,       /* the owner frees all of P1's blocks */
    SEG_OWNER_LAST,  /* the helper frees all but the last one to three, then the owner those */
    SEG_HELPER_LAST, /* the owner frees all but one, then the helper that one (the page's first remote free) */
};

typedef struct segment_race {
    strata_heap *heap;
    atomic_int phase;   /* 1: owner's P0 made; 2: first segment filled; 3: stop */
    atomic_int taking;  /* taker iterations */
    int mode;           /* who frees P1's blocks: SEG_LOCAL, SEG_OWNER_LAST, SEG_HELPER_LAST */
    queue to_helper;
    atomic_uint helper_pending;
    unsigned iterations;
    unsigned choreography_broken;
} segment_race;

static bool in_first_segment(const segment_race *race, const void *data)
{
    return (uintptr_t)data - (uintptr_t)race->heap < SEGMENT_BYTES;
}

static void segment_owner_run(void *argument)
{
    segment_race *race = argument;
    strata_heap *heap = race->heap;
    block probe = make(heap, SEG_SIZE);
    size_t stride = strata_heap_usable_size(heap, probe.data);
    drop(heap, probe);
    unsigned capacity = (unsigned)((((stride * 16) + 65535) & ~(size_t)65535) - 16) / (unsigned)stride;
    block a[64], b[64];
    must(capacity <= 64);
    for (unsigned i = 0; i < capacity; i++)
        a[i] = make(heap, SEG_SIZE); /* P0: full, current */
    atomic_store(&race->phase, 1);
    while (atomic_load(&race->phase) != 2)
        test_sleep_ms(0);
    uint32_t random = 0xC0FFEEu;
    for (unsigned it = 0; it < race->iterations; it++) {
        for (unsigned i = 0; i < capacity; i++)
            b[i] = make(heap, SEG_SIZE); /* P1, made now: the second segment */
        drop(heap, a[0]);
        drop(heap, a[1]); /* P0 back on the avail list */
        a[0] = make(heap, SEG_SIZE);
        a[1] = make(heap, SEG_SIZE); /* P0 current again, P1 on the full list */
        if (!in_first_segment(race, a[0].data) || in_first_segment(race, b[0].data))
            race->choreography_broken++;
        for (unsigned i = 0; i < capacity; i++) { /* shuffled */
            unsigned j = i + next_random(&random) % (capacity - i);
            block t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        if (race->mode == SEG_OWNER_LAST) {
            unsigned remote = capacity - 1 - next_random(&random) % 3;
            atomic_fetch_add(&race->helper_pending, remote);
            for (unsigned i = 0; i < remote; i++)
                put_wait(&race->to_helper, b[i]);
            while (atomic_load(&race->helper_pending) != 0)
                spin_for_the_helper(); /* the owner's free follows the helper's at once */
            for (unsigned i = remote; i < capacity; i++)
                drop(heap, b[i]); /* the last one leaves P1 without a live block */
        } else if (race->mode == SEG_HELPER_LAST) {
            for (unsigned i = 1; i < capacity; i++)
                drop(heap, b[i]);
            atomic_fetch_add(&race->helper_pending, 1);
            put_wait(&race->to_helper, b[0]); /* its free leaves P1 without a live block */
            while (atomic_load(&race->helper_pending) != 0)
                spin_for_the_helper(); /* the owner's free follows the helper's at once */
        } else {
            for (unsigned i = 0; i < capacity; i++)
                drop(heap, b[i]); /* the last one leaves P1 without a live block */
        }
    }
    for (unsigned i = 0; i < capacity; i++)
        drop(heap, a[i]);
    atomic_store(&race->phase, 3);
}

static void segment_helper_run(void *argument)
{
    segment_race *race = argument;
    block b;
    while (atomic_load(&race->phase) != 3) {
        if (get(&race->to_helper, &b)) {
            drop(race->heap, b);
            atomic_fetch_sub(&race->helper_pending, 1);
        } else {
            test_sleep_ms(0);
        }
    }
}

static void segment_taker_run(void *argument)
{
    segment_race *race = argument;
    while (atomic_load(&race->phase) != 3) {
        strata_heap_compact(race->heap, 0);
        atomic_fetch_add(&race->taking, 1);
    }
}

static void run_segment_race(int mode, bool preempt)
{
    /* A race of timing: Valgrind runs one thread at a time, and a taker
     * compacting in a loop there starves the owner for minutes. */
    if (RUNNING_ON_VALGRIND)
        skip();
    static segment_race race;
    memset(&race, 0, sizeof race);
    race.mode = mode;
    /* A preempted thread runs slowly; a helper's handoffs wait for it. */
    race.iterations = preempt ? scaled(150, 5) : mode != SEG_LOCAL ? scaled(300, 10) : scaled(1500, 20);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &race.heap), STRATA_OK);
    test_thread owner, taker, helper;
    assert_true(test_thread_start(&owner, segment_owner_run, &race));
    while (atomic_load(&race.phase) != 1)
        test_sleep_ms(0);
    /* Fill the first segment with back-end blocks, so that the owner's
     * next page starts the second. */
    static void *fill[200];
    unsigned filled = 0;
    for (;;) {
        void *data = strata_heap_alloc(race.heap, 0, 40000);
        assert_non_null(data);
        if (!in_first_segment(&race, data)) {
            assert_true(strata_heap_free(race.heap, 0, data));
            break;
        }
        assert_true(filled < 200);
        fill[filled++] = data;
    }
    assert_true(test_thread_start(&taker, segment_taker_run, &race));
    if (mode != SEG_LOCAL)
        assert_true(test_thread_start(&helper, segment_helper_run, &race));
#if !defined(_WIN32)
    static preemptor pre;
    test_thread pre_thread;
    if (preempt && !RUNNING_ON_VALGRIND) {
        install_pause_handler();
        memset(&pre, 0, sizeof pre);
        pre.victim = *(pthread_t *)(mode == SEG_HELPER_LAST ? helper.handle : owner.handle);
        pre.period_us = 1000; /* above the pause, so the victim still runs */
        assert_true(test_thread_start(&pre_thread, preemptor_run, &pre));
    }
#else
    (void)preempt;
#endif
    atomic_store(&race.phase, 2);
    test_thread_join(&owner);
#if !defined(_WIN32)
    if (preempt && !RUNNING_ON_VALGRIND) {
        atomic_store(&pre.stop, 1);
        test_thread_join(&pre_thread);
    }
#endif
    test_thread_join(&taker);
    if (mode != SEG_LOCAL)
        test_thread_join(&helper);
    /* Natively the attack must reach its shape most times, or it proves
     * nothing; under Valgrind, which runs one thread at a time, the shape
     * comes when it comes (a few iterations), and the checks of every
     * block and of the heap are what is left to fail. */
    if (!RUNNING_ON_VALGRIND && race.choreography_broken > race.iterations / 2)
        fail_msg("the owner's pages did not fall where the attack needs them (%u of %u)", race.choreography_broken,
                 race.iterations);
    for (unsigned i = 0; i < filled; i++)
        assert_true(strata_heap_free(race.heap, 0, fill[i]));
    strata_heap_compact(race.heap, 0);
    expect_empty_and_valid(race.heap);
    assert_status(strata_heap_destroy(race.heap), STRATA_OK);
}

static void test_an_owner_empties_its_page_while_a_taker_compacts_its_segment_away(void **state)
{
    (void)state;
    run_segment_race(SEG_LOCAL, false);
}

static void test_others_empty_a_page_but_one_block_the_owner_frees_while_a_taker_compacts(void **state)
{
    (void)state;
    run_segment_race(SEG_OWNER_LAST, false);
}

static void test_a_remote_free_empties_a_page_while_a_taker_compacts(void **state)
{
    (void)state;
    run_segment_race(SEG_HELPER_LAST, false);
}

/* The same, with the thread whose free empties the page preempted at
 * random instructions (POSIX). */
static void test_an_owner_preempted_anywhere_while_a_taker_compacts(void **state)
{
    (void)state;
    run_segment_race(SEG_LOCAL, true);
    run_segment_race(SEG_OWNER_LAST, true);
}

static void test_a_remote_freer_preempted_anywhere_while_a_taker_compacts(void **state)
{
    (void)state;
    run_segment_race(SEG_HELPER_LAST, true);
}

/* ---- 2. Many owners, freers and takers at once ------------------------------ */
/* Owners make bursts of blocks of random front-end sizes, keep a few, free
 * some themselves and post the rest to freers; now and then an owner sleeps
 * (idle, so the pass over idle owners takes its pages), or exits and a new
 * thread takes its place (its part goes back, is adopted). Takers compact,
 * run the pass over idle owners (purge delay 0) and walk and validate. */
#define CHURN_OWNERS 4
#define CHURN_FREERS 2

typedef struct churn {
    strata_heap *heap;
    queue to_freer[CHURN_FREERS];
    atomic_int owners_left;
    atomic_int stop;
    bool walkers;
    unsigned rounds;
} churn;

typedef struct churn_owner {
    churn *work;
    unsigned index;
    unsigned generation;
} churn_owner;

static void churn_owner_run(void *argument)
{
    churn_owner *self = argument;
    churn *work = self->work;
    strata_heap *heap = work->heap;
    uint32_t random = 0x9E3779B9u * (self->index + 1) + 0x85EBCA6Bu * self->generation;
    enum { BATCH = 200, KEEP = 40 };
    block batch[BATCH], kept[KEEP];
    unsigned kept_count = 0;
    for (unsigned round = 0; round < work->rounds; round++) {
        /* A class or two per round, so that pages fill and go full. */
        size_t base = 16 + next_random(&random) % 2000;
        for (unsigned i = 0; i < BATCH; i++) {
            size_t size = (next_random(&random) % 4 == 0) ? 1 + next_random(&random) % 8000 : base;
            batch[i] = make(heap, size);
        }
        for (unsigned i = 0; i < BATCH; i++) {
            unsigned j = i + next_random(&random) % (BATCH - i);
            block t = batch[i];
            batch[i] = batch[j];
            batch[j] = t;
        }
        for (unsigned i = 0; i < BATCH; i++) {
            uint32_t pick = next_random(&random) % 16;
            if (pick == 0 && kept_count < KEEP)
                kept[kept_count++] = batch[i];
            else if (pick < 10)
                put_wait(&work->to_freer[next_random(&random) % CHURN_FREERS], batch[i]);
            else
                drop(heap, batch[i]);
        }
        /* The kept blocks are freed here, after others emptied their pages
         * around them: the last live block of a page, freed by its owner. */
        if (next_random(&random) % 3 == 0) {
            if (next_random(&random) % 2 == 0)
                test_sleep_ms(1 + next_random(&random) % 3);
            while (kept_count > 0)
                drop(heap, kept[--kept_count]);
        }
    }
    while (kept_count > 0)
        drop(heap, kept[--kept_count]);
}

typedef struct freer_arg {
    churn *work;
    unsigned index;
} freer_arg;

static void churn_freer_loop(void *argument)
{
    freer_arg *self = argument;
    churn *work = self->work;
    block b;
    for (;;) {
        bool done = atomic_load(&work->owners_left) == 0;
        bool any = false;
        while (get(&work->to_freer[self->index], &b)) {
            drop(work->heap, b);
            any = true;
        }
        if (done && !any)
            return;
    }
}

static void churn_taker_run(void *argument)
{
    churn *work = argument;
    for (unsigned n = 0; !atomic_load(&work->stop); n++) {
        switch (n % 4) {
        case 0:
            strata_heap_compact(work->heap, 0);
            break;
        case 1:
            if (work->walkers && !strata_heap_validate(work->heap, 0, NULL))
                die("validate reported damage while owners and takers ran");
            break;
        case 2:
            if (work->walkers) { /* under the heap lock, as the walk asks */
                must(strata_heap_lock(work->heap));
                strata_heap_entry entry = {0};
                unsigned entries = 0;
                while (strata_heap_walk(work->heap, &entry) == STRATA_OK && entries++ < 100000)
                    ;
                must(strata_heap_unlock(work->heap));
            }
            break;
        default:
            strata_heap_purge_due(work->heap);
            break;
        }
    }
}

static void run_churn(bool walkers, unsigned generations)
{
    int32_t delay = strata_heap_purge_delay();
    strata_heap_set_purge_delay(0);
    static churn work;
    memset(&work, 0, sizeof work);
    work.walkers = walkers;
    work.rounds = scaled(40, 2);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &work.heap), STRATA_OK);
    atomic_store(&work.owners_left, CHURN_OWNERS);
    test_thread owners[CHURN_OWNERS], freers[CHURN_FREERS], taker;
    churn_owner owner_args[CHURN_OWNERS];
    freer_arg freer_args[CHURN_FREERS];
    for (unsigned f = 0; f < CHURN_FREERS; f++) {
        freer_args[f] = (freer_arg){&work, f};
        assert_true(test_thread_start(&freers[f], churn_freer_loop, &freer_args[f]));
    }
    assert_true(test_thread_start(&taker, churn_taker_run, &work));
    for (unsigned g = 0; g < generations; g++) {
        for (unsigned t = 0; t < CHURN_OWNERS; t++) {
            owner_args[t] = (churn_owner){&work, t, g};
            assert_true(test_thread_start(&owners[t], churn_owner_run, &owner_args[t]));
        }
        for (unsigned t = 0; t < CHURN_OWNERS; t++)
            test_thread_join(&owners[t]); /* exits while the taker runs */
    }
    atomic_store(&work.owners_left, 0);
    for (unsigned f = 0; f < CHURN_FREERS; f++)
        test_thread_join(&freers[f]);
    atomic_store(&work.stop, 1);
    test_thread_join(&taker);
    strata_heap_compact(work.heap, 0);
    expect_empty_and_valid(work.heap);
    /* (Not checked: that the heap is back to one segment. Threads' parts are
     * never freed, and one made while the first segment was full holds
     * another.) */
    assert_status(strata_heap_destroy(work.heap), STRATA_OK);
    strata_heap_set_purge_delay(delay);
}

static void test_owners_freers_and_takers_churn(void **state)
{
    (void)state;
    run_churn(false, 2);
}

static void test_owners_freers_and_takers_churn_with_walks_and_validation(void **state)
{
    (void)state;
    run_churn(true, 2);
}

/* ---- 3. Remote frees queue page after page on an idle owner's stack ------------ */
/* The owner makes blocks on hundreds of 64 KiB pages and stops, keeping one
 * block on some pages; others free the rest, so every free that queues the
 * 64th page takes the stack's unheld pages (front_reclaim_queued) — one
 * freer while it holds the heap lock itself (strata_heap_lock), one while
 * the other holds it. Then the owner wakes, checks and frees what it kept,
 * and allocates again in the same class, while a taker compacts. */
#define QUEUED_BLOCKS 12000
#define QUEUED_SIZE 1000 /* 63 to a 64 KiB page: ~190 pages */

typedef struct queued_work {
    strata_heap *heap;
    block blocks[QUEUED_BLOCKS];
    atomic_uint made;   /* rounds whose blocks are made */
    atomic_uint freed;  /* freers' rounds done, both counted */
    atomic_int done;
    unsigned rounds;
} queued_work;

static void queued_owner_run(void *argument)
{
    queued_work *work = argument;
    for (unsigned round = 0; round < work->rounds; round++) {
        for (unsigned i = 0; i < QUEUED_BLOCKS; i++)
            work->blocks[i] = make(work->heap, QUEUED_SIZE);
        atomic_store(&work->made, round + 1);
        while (atomic_load(&work->freed) != 2 * (round + 1))
            test_sleep_ms(0);
        /* Kept: one block in every fifth page or so. */
        for (unsigned i = 0; i < QUEUED_BLOCKS; i += 300)
            drop(work->heap, work->blocks[i]);
        for (unsigned i = 0; i < 2000; i++)
            drop(work->heap, make(work->heap, QUEUED_SIZE));
    }
    atomic_store(&work->done, 1);
}

typedef struct queued_freer {
    queued_work *work;
    unsigned index;
} queued_freer;

static void queued_freer_run(void *argument)
{
    queued_freer *self = argument;
    queued_work *work = self->work;
    for (unsigned round = 0; round < work->rounds; round++) {
        while (atomic_load(&work->made) != round + 1)
            test_sleep_ms(0);
        bool locked = self->index == 0;
        if (locked)
            must(strata_heap_lock(work->heap));
        for (unsigned i = self->index; i < QUEUED_BLOCKS; i += 2)
            if (i % 300 != 0)
                drop(work->heap, work->blocks[i]);
        if (locked)
            must(strata_heap_unlock(work->heap));
        atomic_fetch_add(&work->freed, 1);
    }
}

static void queued_taker_run(void *argument)
{
    queued_work *work = argument;
    while (!atomic_load(&work->done)) {
        strata_heap_compact(work->heap, 0);
        strata_heap_purge_due(work->heap);
    }
}

static void test_remote_frees_queue_pages_while_the_heap_is_user_locked(void **state)
{
    (void)state;
    int32_t delay = strata_heap_purge_delay();
    strata_heap_set_purge_delay(0);
    static queued_work work;
    memset(&work, 0, sizeof work);
    work.rounds = scaled(6, 1);
    assert_status(strata_heap_create(NULL, 0, 0, 0, &work.heap), STRATA_OK);
    test_thread owner, freers[2], taker;
    queued_freer args[2] = {{&work, 0}, {&work, 1}};
    assert_true(test_thread_start(&owner, queued_owner_run, &work));
    for (unsigned f = 0; f < 2; f++)
        assert_true(test_thread_start(&freers[f], queued_freer_run, &args[f]));
    assert_true(test_thread_start(&taker, queued_taker_run, &work));
    test_thread_join(&owner);
    for (unsigned f = 0; f < 2; f++)
        test_thread_join(&freers[f]);
    test_thread_join(&taker);
    strata_heap_compact(work.heap, 0);
    expect_empty_and_valid(work.heap);
    assert_status(strata_heap_destroy(work.heap), STRATA_OK);
    strata_heap_set_purge_delay(delay);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_owner_empties_its_page_while_a_taker_compacts_its_segment_away),
        cmocka_unit_test(test_others_empty_a_page_but_one_block_the_owner_frees_while_a_taker_compacts),
        cmocka_unit_test(test_a_remote_free_empties_a_page_while_a_taker_compacts),
        cmocka_unit_test(test_an_owner_preempted_anywhere_while_a_taker_compacts),
        cmocka_unit_test(test_a_remote_freer_preempted_anywhere_while_a_taker_compacts),
        cmocka_unit_test(test_owners_freers_and_takers_churn),
        cmocka_unit_test(test_owners_freers_and_takers_churn_with_walks_and_validation),
        cmocka_unit_test(test_remote_frees_queue_pages_while_the_heap_is_user_locked),
    };
    const char *only = getenv("ATTACK_ONLY"); /* a test name pattern, '*' as wildcard */
    if (only != NULL)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
