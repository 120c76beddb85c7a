/* SPDX-License-Identifier: MIT */
/*
 * bench/workloads.c — the benchmark suite's allocation workloads, one per
 * name, each over plain malloc/free (the allocator is chosen by LD_PRELOAD)
 * and each checking its own result: every block carries a pattern that is
 * verified before it is freed, and the run ends with a checksum that must
 * match, so a broken allocator cannot post a good time.
 *
 *   workloads NAME [SCALE]      prints "NAME ok CHECKSUM" on success
 *
 * SCALE (default 1) multiplies the work; `pairs-immediate N` and
 * `pairs-batch N` take a count of pairs (for callgrind).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- Checked blocks -------------------------------------------------------------- */

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Writes a pattern derived from (block size, tag) at both ends of the block. */
static void *make(size_t size, uint32_t tag)
{
    unsigned char *block = malloc(size);
    if (block == NULL) {
        fprintf(stderr, "malloc(%zu) failed\n", size);
        exit(2);
    }
    unsigned char byte = (unsigned char)(tag * 31u + size);
    size_t ends = size < 16 ? size : 16;
    memset(block, byte, ends);
    memset(block + size - ends, byte, ends);
    return block;
}

/* Per thread, so that threads never race on it; threads add theirs to
 * thread_checksum when they end. */
static _Thread_local uint64_t checksum;
static _Atomic uint64_t thread_checksum;

static void check_and_free(void *pointer, size_t size, uint32_t tag)
{
    unsigned char *block = pointer;
    unsigned char byte = (unsigned char)(tag * 31u + size);
    if (size > 0 && (block[0] != byte || block[size - 1] != byte)) {
        fprintf(stderr, "block %p of %zu bytes was overwritten\n", pointer, size);
        exit(3);
    }
    checksum += size ^ tag;
    free(block);
}

/* ---- Size distributions -------------------------------------------------------------- */

static size_t size_small(uint64_t *r) { return 8 + next_random(r) % 249; }
static size_t size_medium(uint64_t *r) { return 1024 + next_random(r) % (31 * 1024); }
static size_t size_large(uint64_t *r) { return ((size_t)64 << 10) + next_random(r) % ((size_t)4 << 20); }

/* Mostly small, a tail of ever rarer larger sizes (1/size-like). */
static size_t size_power_law(uint64_t *r)
{
    unsigned bits = 3 + (unsigned)__builtin_ctzll(next_random(r) | (1ull << 17));
    return ((size_t)1 << bits) + next_random(r) % ((size_t)1 << bits);
}

/* ---- Single-thread workloads ------------------------------------------------------------ */

/* A live set of `slots` blocks, each step replacing a random one. */
static void churn(size_t (*size_of)(uint64_t *), unsigned slots, unsigned long steps, uint64_t seed)
{
    void **blocks = calloc(slots, sizeof *blocks);
    size_t *sizes = calloc(slots, sizeof *sizes);
    uint64_t r = seed;
    for (unsigned long step = 0; step < steps; step++) {
        unsigned slot = (unsigned)(next_random(&r) % slots);
        if (blocks[slot] != NULL)
            check_and_free(blocks[slot], sizes[slot], slot);
        sizes[slot] = size_of(&r);
        blocks[slot] = make(sizes[slot], slot);
    }
    for (unsigned slot = 0; slot < slots; slot++)
        if (blocks[slot] != NULL)
            check_and_free(blocks[slot], sizes[slot], slot);
    free(blocks);
    free(sizes);
}

/* Keeps the compiler from pairing a malloc with its free and removing both. */
static void *volatile escape;

static void pairs_immediate(unsigned long pairs)
{
    for (unsigned long i = 0; i < pairs; i++) {
        size_t size = 8 + (i * 37) % 505;
        unsigned char *block = malloc(size);
        escape = block;
        block[0] = (unsigned char)i;
        checksum += block[0];
        free(block);
    }
}

static void pairs_batch(unsigned long pairs)
{
    enum { BATCH = 1000 };
    static unsigned char *blocks[BATCH];
    for (unsigned long done = 0; done < pairs; done += BATCH) {
        unsigned long count = pairs - done < BATCH ? pairs - done : BATCH;
        for (unsigned long i = 0; i < count; i++) {
            blocks[i] = malloc(8 + ((done + i) * 37) % 505);
            blocks[i][0] = (unsigned char)i;
        }
        for (unsigned long i = 0; i < count; i++) {
            checksum += blocks[i][0];
            free(blocks[i]);
        }
    }
}

static void realloc_growth(unsigned rounds)
{
    uint64_t r = 7;
    for (unsigned round = 0; round < rounds; round++) {
        size_t size = 1;
        unsigned char *block = malloc(size);
        block[0] = 0xAB;
        size_t limit = (size_t)1 << (10 + next_random(&r) % 12);
        while (size < limit) {
            size = size + size / 2 + 1;
            block = realloc(block, size);
            if (block == NULL || block[0] != 0xAB)
                exit(3);
            block[size - 1] = 1;
        }
        checksum += size;
        free(block);
    }
}

/* Allocate many, free every other, then allocate larger ones: peak RSS shows
 * whether the holes are reused. */
static void fragmentation(unsigned scale)
{
    enum { COUNT = 200000 };
    void **blocks = calloc(COUNT, sizeof *blocks);
    for (unsigned repeat = 0; repeat < scale; repeat++) {
        for (unsigned i = 0; i < COUNT; i++)
            blocks[i] = make(64 + i % 64, i);
        for (unsigned i = 0; i < COUNT; i += 2)
            check_and_free(blocks[i], 64 + i % 64, i);
        for (unsigned i = 0; i < COUNT; i += 2)
            blocks[i] = make(128 + i % 64, i);
        for (unsigned i = 0; i < COUNT; i++)
            check_and_free(blocks[i], i % 2 ? 64 + i % 64 : 128 + i % 64, i);
    }
    free(blocks);
}

/* ---- Threads ---------------------------------------------------------------------------- */

#define THREADS 4

typedef struct channel {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    void **items;
    size_t *sizes;
    unsigned capacity, head, count;
    bool closed;
} channel;

static void channel_init(channel *c, unsigned capacity)
{
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    c->items = calloc(capacity, sizeof *c->items);
    c->sizes = calloc(capacity, sizeof *c->sizes);
    c->capacity = capacity;
}

static void channel_put(channel *c, void *item, size_t size)
{
    pthread_mutex_lock(&c->lock);
    while (c->count == c->capacity)
        pthread_cond_wait(&c->changed, &c->lock);
    unsigned at = (c->head + c->count++) % c->capacity;
    c->items[at] = item;
    c->sizes[at] = size;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static bool channel_take(channel *c, void **item, size_t *size)
{
    pthread_mutex_lock(&c->lock);
    while (c->count == 0 && !c->closed)
        pthread_cond_wait(&c->changed, &c->lock);
    bool got = c->count > 0;
    if (got) {
        *item = c->items[c->head];
        *size = c->sizes[c->head];
        c->head = (c->head + 1) % c->capacity;
        c->count--;
        pthread_cond_broadcast(&c->changed);
    }
    pthread_mutex_unlock(&c->lock);
    return got;
}

static channel pipe_channel;
static unsigned long producer_items;
static size_t producer_fixed_size; /* 0: the small mix */

static void *producer(void *argument)
{
    uint64_t r = (uintptr_t)argument;
    for (unsigned long i = 0; i < producer_items; i += 64) {
        /* Batches of 64 blocks, handed over one by one. */
        for (unsigned j = 0; j < 64; j++) {
            size_t size = producer_fixed_size != 0 ? producer_fixed_size : size_small(&r);
            channel_put(&pipe_channel, make(size, 9), size);
        }
    }
    return NULL;
}

static void *consumer(void *argument)
{
    (void)argument;
    void *item;
    size_t size;
    uint64_t local = 0;
    while (channel_take(&pipe_channel, &item, &size)) {
        unsigned char *block = item;
        if (block[0] != (unsigned char)(9 * 31u + size))
            exit(3);
        local += size;
        free(item);
    }
    atomic_fetch_add(&thread_checksum, local);
    return NULL;
}

/* Two threads that only allocate, two that only free. `depth` blocks may
 * wait in the channel: a deep channel leaves many of the producers' pages
 * full, to be refilled only by the consumers' frees (the shape of
 * xmalloc-test: 64-byte blocks). */
static void producer_consumer(unsigned scale, size_t depth, size_t fixed_size)
{
    channel_init(&pipe_channel, (unsigned)depth);
    producer_fixed_size = fixed_size;
    producer_items = 200000ul * scale;
    pthread_t producers[2], consumers[2];
    for (uintptr_t i = 0; i < 2; i++) {
        pthread_create(&producers[i], NULL, producer, (void *)(i + 11));
        pthread_create(&consumers[i], NULL, consumer, NULL);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(producers[i], NULL);
    pthread_mutex_lock(&pipe_channel.lock);
    pipe_channel.closed = true;
    pthread_cond_broadcast(&pipe_channel.changed);
    pthread_mutex_unlock(&pipe_channel.lock);
    for (int i = 0; i < 2; i++)
        pthread_join(consumers[i], NULL);
    checksum += atomic_load(&thread_checksum);
}

/* Threads that each replace random blocks of one shared array, freeing
 * what another thread most often allocated: larson-style server churn. */
enum { SHARED_SLOTS_MAX = 8192 };
static _Atomic(uintptr_t) shared_slots[SHARED_SLOTS_MAX];
static struct {
    unsigned slots;
    unsigned long steps;
    size_t (*size_of)(uint64_t *);
    bool sized; /* freed with the allocator's sized free, where it has one */
} shared_churn_setup;

/* The allocator's own sized free: each that has one names it its own way
 * (C23's free_sized, jemalloc's sdallocx, tcmalloc's tc_free_sized,
 * mimalloc's mi_free_size); weak, so that only the preloaded one's is
 * found. glibc 2.36 and rpmalloc have none: free. */
#if defined(__ELF__)
extern void free_sized(void *block, size_t size) __attribute__((weak));
extern void sdallocx(void *block, size_t size, int flags) __attribute__((weak));
extern void tc_free_sized(void *block, size_t size) __attribute__((weak));
extern void mi_free_size(void *block, size_t size) __attribute__((weak));
#endif

static void free_with_size(void *block, size_t size)
{
#if defined(__ELF__)
    if (free_sized != NULL)
        free_sized(block, size);
    else if (sdallocx != NULL)
        sdallocx(block, size, 0);
    else if (tc_free_sized != NULL)
        tc_free_sized(block, size);
    else if (mi_free_size != NULL)
        mi_free_size(block, size);
    else
#endif
        free(block);
    (void)size;
}

static void *shared_churn_thread(void *argument)
{
    uint64_t r = (uintptr_t)argument * 7919;
    uint64_t local = 0;
    for (unsigned long step = 0; step < shared_churn_setup.steps; step++) {
        size_t size = shared_churn_setup.size_of(&r);
        unsigned char *block = malloc(size);
        memcpy(block, &size, sizeof size); /* every size is at least 16 */
        block[size - 1] = (unsigned char)size;
        uintptr_t old = atomic_exchange(&shared_slots[next_random(&r) % shared_churn_setup.slots], (uintptr_t)block);
        if (old != 0) {
            unsigned char *previous = (unsigned char *)old;
            size_t previous_size;
            memcpy(&previous_size, previous, sizeof previous_size);
            local += previous_size + previous[previous_size - 1];
            if (shared_churn_setup.sized)
                free_with_size(previous, previous_size);
            else
                free(previous);
        }
    }
    atomic_fetch_add(&thread_checksum, local);
    return NULL;
}

static void shared_churn(unsigned slots, unsigned long steps, size_t (*size_of)(uint64_t *), bool sized)
{
    shared_churn_setup.slots = slots;
    shared_churn_setup.steps = steps;
    shared_churn_setup.size_of = size_of;
    shared_churn_setup.sized = sized;
    pthread_t threads[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, shared_churn_thread, (void *)(i + 1));
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (unsigned i = 0; i < slots; i++)
        free((void *)atomic_exchange(&shared_slots[i], 0));
    checksum += atomic_load(&thread_checksum) != 0;
}

static size_t size_larson(uint64_t *r) { return 16 + next_random(r) % 500; }

/* 16 B to 16 KiB, as many of each power of two: mostly small. */
static size_t size_cross(uint64_t *r)
{
    unsigned bits = 4 + (unsigned)(next_random(r) % 11);
    return ((size_t)1 << bits) + next_random(r) % ((size_t)1 << bits);
}

static void *short_life(void *argument)
{
    uint64_t r = (uintptr_t)argument;
    void *blocks[100];
    size_t sizes[100];
    for (int i = 0; i < 100; i++)
        blocks[i] = make(sizes[i] = size_small(&r), 5);
    for (int i = 0; i < 100; i++)
        check_and_free(blocks[i], sizes[i], 5);
    atomic_fetch_add(&thread_checksum, checksum);
    return NULL;
}

static void thread_churn(unsigned scale)
{
    for (unsigned wave = 0; wave < 300 * scale; wave++) {
        pthread_t threads[THREADS];
        for (uintptr_t i = 0; i < THREADS; i++)
            pthread_create(&threads[i], NULL, short_life, (void *)(wave * THREADS + i + 1));
        for (int i = 0; i < THREADS; i++)
            pthread_join(threads[i], NULL);
    }
    checksum += atomic_load(&thread_checksum);
}

/* Sizes in [2^low_bits, 2^high_bits), each power of two as likely as the next. */
static size_t size_log_uniform(uint64_t *r, unsigned low_bits, unsigned high_bits)
{
    unsigned bits = low_bits + (unsigned)(next_random(r) % (high_bits - low_bits));
    return ((size_t)1 << bits) + next_random(r) % ((size_t)1 << bits);
}

/* About 90% of blocks 8-127 bytes, 9% 128 B-4 KiB, 1% 4-64 KiB: the
 * small ones dominate the count, the rare large ones about half the bytes. */
static size_t size_skewed(uint64_t *r)
{
    uint64_t tier = next_random(r) % 1024;
    if (tier < 920)
        return size_log_uniform(r, 3, 7);
    if (tier < 1016)
        return size_log_uniform(r, 7, 12);
    return size_log_uniform(r, 12, 16);
}

/* Threads that each churn a live set of their own (no block crosses a
 * thread): the allocator's thread-local paths under a skewed size mix,
 * with two threads competing for the machine and the back end. */
enum { PRIVATE_CHURN_THREADS = 2 };
static struct {
    unsigned slots;
    unsigned long steps;
} private_churn_setup;

static void *private_churn_thread(void *argument)
{
    churn(size_skewed, private_churn_setup.slots, private_churn_setup.steps, (uintptr_t)argument);
    atomic_fetch_add(&thread_checksum, checksum);
    return NULL;
}

static void private_churn(unsigned slots, unsigned long steps)
{
    private_churn_setup.slots = slots;
    private_churn_setup.steps = steps;
    pthread_t threads[PRIVATE_CHURN_THREADS];
    for (uintptr_t i = 0; i < PRIVATE_CHURN_THREADS; i++)
        pthread_create(&threads[i], NULL, private_churn_thread, (void *)(i * 104729 + 17));
    for (int i = 0; i < PRIVATE_CHURN_THREADS; i++)
        pthread_join(threads[i], NULL);
    checksum += atomic_load(&thread_checksum);
}

/* ---- Memory that comes back ------------------------------------------------------------- */

/* The process's resident set now, in KiB (Linux), or 0. */
static unsigned long resident_kib(void)
{
    unsigned long pages_total = 0, pages_resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL)
        return 0;
    if (fscanf(statm, "%lu %lu", &pages_total, &pages_resident) != 2)
        pages_resident = 0;
    fclose(statm);
#if defined(_SC_PAGESIZE)
    return pages_resident * (unsigned long)(sysconf(_SC_PAGESIZE) / 1024);
#else
    return 0; /* no sysconf (mingw), nor /proc to read from */
#endif
}

/* A 400 MB burst of 16-2000-byte blocks, made by the thread that runs
 * burst_make. */
typedef struct burst_blocks {
    void **blocks;
    size_t *sizes;
    size_t made;
    atomic_int stage; /* handed off: 1 once made, 2 when the maker may end */
} burst_blocks;

static void pause_ms(long milliseconds)
{
    struct timespec pause = {0, milliseconds * 1000000};
    nanosleep(&pause, NULL);
}

static void burst_make(burst_blocks *burst)
{
    uint64_t r = 11;
    size_t total = (size_t)400 << 20;
    size_t count = total / 1008 + 1, bytes = 0;
    burst->blocks = calloc(count, sizeof *burst->blocks);
    burst->sizes = calloc(count, sizeof *burst->sizes);
    while (bytes < total && burst->made < count) {
        size_t size = 16 + next_random(&r) % 1985;
        burst->sizes[burst->made] = size;
        burst->blocks[burst->made] = make(size, (uint32_t)burst->made);
        bytes += burst->sizes[burst->made++];
    }
}

/* The maker of a handed-off burst: it stays alive, allocating nothing,
 * while another thread frees its blocks. */
static void *burst_maker_thread(void *argument)
{
    burst_blocks *burst = argument;
    burst_make(burst);
    atomic_store(&burst->stage, 1);
    while (atomic_load(&burst->stage) != 2)
        pause_ms(1);
    atomic_fetch_add(&thread_checksum, checksum);
    return NULL;
}

/* The burst, all freed, then two seconds of light use: how much of it the
 * allocator still holds at the end (stderr: "resident-after-kib=N", beside
 * the peak that time(1) reports). `handed_off`: a thread makes the burst
 * and stays, idle; this one frees it (memory freed into pages of an owner
 * that no longer allocates). */
static void burst(unsigned scale, bool handed_off)
{
    burst_blocks made = {0};
    pthread_t maker;
    if (handed_off) {
        pthread_create(&maker, NULL, burst_maker_thread, &made);
        while (atomic_load(&made.stage) != 1)
            pause_ms(1);
    } else {
        burst_make(&made);
    }
    for (size_t i = 0; i < made.made; i++)
        check_and_free(made.blocks[i], made.sizes[i], (uint32_t)i);
    uint64_t r = 13;
    enum { LIGHT = 64 };
    void *light[LIGHT] = {0};
    size_t light_sizes[LIGHT] = {0};
    for (unsigned tick = 0; tick < 2000 * scale; tick++) { /* about 1 ms each */
        for (unsigned i = 0; i < 16; i++) {
            unsigned slot = (unsigned)(next_random(&r) % LIGHT);
            if (light[slot] != NULL)
                check_and_free(light[slot], light_sizes[slot], slot);
            light_sizes[slot] = 16 + next_random(&r) % 1985;
            light[slot] = make(light_sizes[slot], slot);
        }
        pause_ms(1);
    }
    for (unsigned slot = 0; slot < LIGHT; slot++)
        if (light[slot] != NULL)
            check_and_free(light[slot], light_sizes[slot], slot);
    fprintf(stderr, "resident-after-kib=%lu\n", resident_kib());
    if (handed_off) {
        atomic_store(&made.stage, 2);
        pthread_join(maker, NULL);
        checksum += atomic_load(&thread_checksum);
    }
    free(made.blocks);
    free(made.sizes);
}

/* ---- Dispatch ----------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: workloads NAME [SCALE]\n");
        return 2;
    }
    const char *name = argv[1];
    unsigned long scale = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
    if (strcmp(name, "small") == 0)
        churn(size_small, 20000, 12000000ul * scale, 1);
    else if (strcmp(name, "medium") == 0)
        churn(size_medium, 2000, 1600000ul * scale, 2);
    else if (strcmp(name, "large") == 0)
        churn(size_large, 40, 60000ul * scale, 3);
    else if (strcmp(name, "power-law") == 0)
        churn(size_power_law, 10000, 8000000ul * scale, 4);
    else if (strcmp(name, "batch") == 0)
        pairs_batch(20000000ul * scale);
    else if (strcmp(name, "immediate") == 0)
        pairs_immediate(32000000ul * scale);
    else if (strcmp(name, "pairs-immediate") == 0)
        pairs_immediate(scale);
    else if (strcmp(name, "pairs-batch") == 0)
        pairs_batch(scale);
    else if (strcmp(name, "realloc") == 0)
        realloc_growth(40000 * (unsigned)scale);
    else if (strcmp(name, "fragmentation") == 0)
        fragmentation(8 * (unsigned)scale);
    else if (strcmp(name, "producer-consumer") == 0)
        producer_consumer(4 * (unsigned)scale, 4096, 0);
    else if (strcmp(name, "producer-consumer-deep") == 0)
        producer_consumer(8 * (unsigned)scale, 200000, 64);
    else if (strcmp(name, "larson") == 0)
        shared_churn(4096, 400000ul * 6 * scale, size_larson, false);
    else if (strcmp(name, "larson-sized") == 0)
        shared_churn(4096, 400000ul * 6 * scale, size_larson, true);
    else if (strcmp(name, "thread-churn") == 0)
        thread_churn(6 * (unsigned)scale);
    else if (strcmp(name, "cross-thread-random") == 0)
        shared_churn(SHARED_SLOTS_MAX, 300000ul * scale, size_cross, false); /* random sizes, freed by other threads */
    else if (strcmp(name, "alloc-test") == 0)
        private_churn(8192, 5000000ul * scale); /* per thread: slots, replacements */
    else if (strcmp(name, "burst") == 0)
        burst((unsigned)scale, false);
    else if (strcmp(name, "burst-handoff") == 0)
        burst((unsigned)scale, true);
    else {
        fprintf(stderr, "unknown workload %s\n", name);
        return 2;
    }
    printf("%s ok %llu\n", name, (unsigned long long)checksum);
    return 0;
}
