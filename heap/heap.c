/* SPDX-License-Identifier: MIT */
/*
 * heap/heap.c — heaps as objects: create and destroy, the process heap and
 * the list of heaps, threads' parts of a heap, the heap lock, heap
 * information, statistics, and the two ways a heap call ends badly
 * (corruption ends the process; exhaustion may raise an exception).
 */
#include "internal.h"

/* ---- Process-wide state ---------------------------------------------------- */
static strata_lock global_lock = STRATA_LOCK_INIT;  /* the list, slots, thread states */
static strata_heap *heap_list;                       /* the process heap first, then by creation */
static _Atomic(strata_heap *) process_heap;
static uint64_t next_generation = 1;
static struct {
    strata_heap *heap;
    uint64_t generation;
} slot_owners[TLS_SLOTS];
atomic_bool heap_tls_ready;      /* heap_exit_key exists */
strata_tls_key heap_exit_key;    /* each thread's state, for its exit callback */
static thread_state *free_states;
static char *state_chunk;
static size_t state_chunk_left;

thread_state heap_empty_state; /* every thread starts here: no slot matches */
#if !defined(STRATA_EMULATED_TLS)
_Thread_local thread_state *heap_tls_state HEAP_TLS_MODEL = &heap_empty_state;
_Thread_local char heap_thread_marker HEAP_TLS_MODEL;
#endif
uint8_t heap_small_class[SMALL_LOOKUP_MAX / 8 + 1];
uint8_t heap_class_lookup_first[CLASS_COUNT + 1];

static void classes_init(void)
{
    for (size_t i = SMALL_LOOKUP_MAX / 8 + 1; i-- > 0;) {
        heap_small_class[i] = (uint8_t)class_of(i * 8);
        heap_class_lookup_first[heap_small_class[i]] = (uint8_t)i;
    }
    /* The classes past the table start past its end. */
    for (unsigned c = heap_small_class[SMALL_LOOKUP_MAX / 8] + 1; c <= CLASS_COUNT; c++)
        heap_class_lookup_first[c] = SMALL_LOOKUP_MAX / 8 + 1;
}

/* splitmix64 over the clock, addresses (ASLR) and a counter: the secrets
 * only need to be unknown to a program that overwrites heap memory. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

#define FIXED_SIDE_MAX ((size_t)256 << 10)

static uint64_t new_secret(const void *salt)
{
    static _Atomic uint64_t counter;
    uint64_t x = strata_clock_monotonic_ns() ^ (uint64_t)(uintptr_t)salt ^
                 ((uint64_t)(uintptr_t)&counter << 17) ^
                 atomic_fetch_add_explicit(&counter, 0x632BE59BD9B4E019ull, memory_order_relaxed);
    return mix64(mix64(x) ^ (uint64_t)heap_thread_id());
}

/* ---- Ending badly ------------------------------------------------------------ */
_Atomic(uint8_t) heap_segment_map[SEGMAP_ENTRIES];
static bool map_id_taken[256]; /* under global_lock; 0 never */

void heap_segment_map_set(const void *segment_base, uint8_t id)
{
    uintptr_t granule = (uintptr_t)segment_base >> SEGMAP_SHIFT;
    if (granule < SEGMAP_ENTRIES) /* beyond the map: such a segment's blocks take the slow path */
        atomic_store_explicit(&heap_segment_map[granule], id, memory_order_release);
}

void heap_assert_failed(const char *condition, const char *file, int line)
{
    strata_fatal("strata: heap invariant broken: %s (%s:%d)", condition, file, line);
}

void heap_corruption(const strata_heap *heap, const void *address, const char *check)
{
    strata_fatal("strata: heap %p: %s at %p", (const void *)heap, check, address);
}

STRATA_API void strata_heap_raise(uint32_t code)
{
    strata_platform_raise_exception(code);
}

void *heap_fail(strata_heap *heap, uint32_t flags)
{
    if ((flags | heap->flags) & STRATA_HEAP_GENERATE_EXCEPTIONS)
        strata_heap_raise(STRATA_STATUS_NO_MEMORY);
    return NULL;
}

/* ---- The heap lock -------------------------------------------------------- */
/* Take the heap lock (recursively) if `wait` or if no other thread holds
 * it now; whether it is held. */
static bool heap_lock_take(strata_heap *heap, uint32_t flags, bool wait)
{
    if ((flags | heap->flags) & STRATA_HEAP_NO_SERIALIZE)
        return true;
    thread_state *me = (thread_state *)heap_thread_id();
    if (atomic_load_explicit(&heap->lock_owner, memory_order_relaxed) == me) {
        heap->lock_depth++;
        return true;
    }
    if (wait)
        strata_lock_acquire(&heap->lock);
    else if (!strata_lock_try_acquire(&heap->lock))
        return false;
    atomic_store_explicit(&heap->lock_owner, me, memory_order_relaxed);
    heap->lock_depth = 1;
    return true;
}

void heap_acquire(strata_heap *heap, uint32_t flags)
{
    heap_lock_take(heap, flags, true);
}

/* heap_acquire, unless another thread holds the lock now. */
bool heap_try_acquire(strata_heap *heap)
{
    return heap_lock_take(heap, 0, false);
}

void heap_release(strata_heap *heap, uint32_t flags)
{
    if ((flags | heap->flags) & STRATA_HEAP_NO_SERIALIZE)
        return;
    if (--heap->lock_depth == 0) {
        atomic_store_explicit(&heap->lock_owner, NULL, memory_order_relaxed);
        strata_lock_release(&heap->lock);
    }
}

/* Opens the alloc fast path to the heap's slot, unless a user holds the
 * heap lock or guard mode counts every allocation. Heap lock held. */
void heap_open_fast_path(strata_heap *heap)
{
    bool open = heap->user_lock_depth == 0 && heap->guard.every == 0;
    atomic_store_explicit(&heap->fast_slot_offset, slot_offset(open ? heap->slot : NO_SLOT), memory_order_release);
}

/* Another thread holds strata_heap_lock: wait for it (the holder passes). */
void heap_wait_user_lock(strata_heap *heap)
{
    heap_acquire(heap, 0);
    heap_release(heap, 0);
}

STRATA_API bool strata_heap_lock(strata_heap *heap)
{
    if (heap == NULL)
        return false;
    if (heap->flags & STRATA_HEAP_NO_SERIALIZE)
        return true;
    heap_acquire(heap, 0);
    if (heap->user_lock_depth++ == 0) {
        atomic_store_explicit(&heap->fast_slot_offset, slot_offset(NO_SLOT), memory_order_seq_cst);
        atomic_store_explicit(&heap->fast_blocked, 1, memory_order_seq_cst);
        atomic_store_explicit(&heap->fast_free_id, NO_FREE_ID, memory_order_seq_cst);
    }
    return true;
}

STRATA_API bool strata_heap_unlock(strata_heap *heap)
{
    if (heap == NULL)
        return false;
    if (heap->flags & STRATA_HEAP_NO_SERIALIZE)
        return true;
    thread_state *me = (thread_state *)heap_thread_id();
    if (atomic_load_explicit(&heap->lock_owner, memory_order_relaxed) != me || heap->user_lock_depth == 0)
        return false;
    if (--heap->user_lock_depth == 0) {
        heap_adopt_exited_parts(heap, false);
        atomic_store_explicit(&heap->fast_blocked, 0, memory_order_release);
        atomic_store_explicit(&heap->fast_free_id, heap->map_id != 0 ? heap->map_id : NO_FREE_ID,
                              memory_order_release);
        heap_open_fast_path(heap);
    }
    heap_release(heap, 0);
    return true;
}

/* ---- Threads' parts ---------------------------------------------------------- */
static void thread_exit(void *value);

/* A thread state from the pool (global lock held). Its memory comes from
 * strata's own VMM, whatever VMM the heaps use, and is never given back. */
static thread_state *thread_state_new(void)
{
    if (!atomic_load_explicit(&heap_tls_ready, memory_order_relaxed)) {
        if (strata_tls_create(thread_exit, &heap_exit_key) != STRATA_OK)
            return NULL;
        atomic_store_explicit(&heap_tls_ready, true, memory_order_release);
    }
    thread_state *state = free_states;
    if (state != NULL) {
        free_states = state->next_free;
    } else {
        size_t size = align_up(sizeof(thread_state), 64);
        if (state_chunk_left < size) {
            const strata_vmm *vmm = strata_vmm_default();
            size_t chunk = 64 * 1024;
            void *base = NULL;
            if (vmm->reserve(vmm->context, chunk, 0, &base) != STRATA_OK)
                return NULL;
            if (vmm->commit(vmm->context, base, chunk) != STRATA_OK) {
                vmm->release(vmm->context, base, chunk);
                return NULL;
            }
            state_chunk = base;
            state_chunk_left = chunk;
        }
        state = (thread_state *)(void *)state_chunk;
        state_chunk += size;
        state_chunk_left -= size;
    }
    memset(state, 0, sizeof *state);
    return state;
}

/* A thread state goes back to the pool only when no page still names it as
 * owner, or a new thread given it would take over a dead thread's pages. */
static void state_part_handed_back(thread_state *state, bool global_locked)
{
    if (atomic_fetch_sub_explicit(&state->parts_pending, 1, memory_order_acq_rel) != 1)
        return;
    if (!global_locked)
        strata_lock_acquire(&global_lock);
    state->next_free = free_states;
    free_states = state;
    if (!global_locked)
        strata_lock_release(&global_lock);
}

/* Hand back the parts of threads that exited while the heap was locked
 * (heap lock held, or the heap being destroyed). */
void heap_adopt_exited_parts(strata_heap *heap, bool destroying)
{
    thread_part *part = atomic_exchange_explicit(&heap->exited_parts, NULL, memory_order_acquire);
    while (part != NULL) {
        thread_part *next = part->next_exited;
        thread_state *state = part->exited_state;
        part->exited_state = NULL;
        if (!destroying) {
            front_part_release(heap, part);
            part->next_free = heap->free_parts;
            heap->free_parts = part;
        }
        state_part_handed_back(state, destroying);
        part = next;
    }
}

/* A thread exits: its parts go back to their heaps' pools. A heap another
 * thread holds (strata_heap_lock, perhaps while joining this very thread)
 * is never waited for; the part waits on the heap's exited list instead. */
static void thread_exit(void *value)
{
    thread_state *state = value;
    strata_lock_acquire(&global_lock);
    atomic_store_explicit(&state->parts_pending, 1, memory_order_relaxed);
    for (unsigned s = 0; s < TLS_SLOTS; s++) {
        tls_slot *slot = &state->slots[s];
        if (slot->generation != 0 && slot_owners[s].generation == slot->generation) {
            strata_heap *heap = slot_owners[s].heap;
            thread_part *part = slot->part;
            if (heap_try_acquire(heap)) {
                front_part_release(heap, part);
                part->next_free = heap->free_parts;
                heap->free_parts = part;
                heap_release(heap, 0);
            } else {
                atomic_fetch_add_explicit(&state->parts_pending, 1, memory_order_relaxed);
                part->exited_state = state;
                thread_part *head = atomic_load_explicit(&heap->exited_parts, memory_order_relaxed);
                do {
                    part->next_exited = head;
                } while (!atomic_compare_exchange_weak_explicit(&heap->exited_parts, &head, part,
                                                                memory_order_release, memory_order_relaxed));
            }
        }
        slot->generation = 0;
        slot->part = NULL;
    }
    state_part_handed_back(state, true);
    strata_lock_release(&global_lock);
    if (heap_state() == state)
        heap_set_state(&heap_empty_state);
}

/* The calling thread's part of `heap`, made or adopted on first use; NULL
 * when the heap has no slot or no room for one. A call made with
 * STRATA_HEAP_NO_SERIALIZE does this without the heap lock, as it does all
 * else: its caller answers for exclusive use. */
thread_part *heap_thread_part(strata_heap *heap, uint32_t flags)
{
    thread_state *state = heap_state();
    if (heap->slot == NO_SLOT)
        return NULL;
    if (state == &heap_empty_state) {
        strata_lock_acquire(&global_lock);
        state = thread_state_new();
        strata_lock_release(&global_lock);
        if (state == NULL)
            return NULL;
        if (strata_tls_set(heap_exit_key, state) != STRATA_OK) {
            strata_lock_acquire(&global_lock);
            state->next_free = free_states;
            free_states = state;
            strata_lock_release(&global_lock);
            return NULL;
        }
        heap_set_state(state);
    }
    tls_slot *slot = &state->slots[heap->slot];
    if (slot->generation == heap->generation)
        return slot->part;

    heap_acquire(heap, flags);
    if (atomic_load_explicit(&heap->exited_parts, memory_order_relaxed) != NULL)
        heap_adopt_exited_parts(heap, false);
    thread_part *part = heap->free_parts;
    if (part != NULL) {
        heap->free_parts = part->next_free;
    } else {
        part = back_alloc(heap, sizeof(thread_part), TAG_INTERNAL, 0, false);
        if (part != NULL) {
            memset(part, 0, sizeof *part);
            for (unsigned c = 0; c < CLASS_COUNT; c++)
                front_set_current(part, c, &heap_empty_page);
            part->heap = heap;
            part->next_all = heap->all_parts;
            heap->all_parts = part;
        }
    }
    if (part != NULL) {
        part->owner = state;
        part->next_free = NULL;
        for (unsigned c = 0; c < CLASS_COUNT; c++) {
            for (front_page *page = part->avail[c]; page; page = page->next)
                __atomic_store_n(&page->owner, state, __ATOMIC_RELAXED);
            for (front_page *page = part->full[c]; page; page = page->next)
                __atomic_store_n(&page->owner, state, __ATOMIC_RELAXED);
        }
    }
    heap_release(heap, flags);
    if (part == NULL)
        return NULL;
    slot->part = part;
    slot->generation = heap->generation;
    return part;
}

/* ---- Statistics ---------------------------------------------------------------- */
void heap_count_commit(strata_heap *heap, ptrdiff_t bytes)
{
    heap->committed_bytes += (size_t)bytes;
    if (heap->committed_bytes > heap->peak_committed_bytes)
        heap->peak_committed_bytes = heap->committed_bytes;
}

STRATA_API strata_status strata_heap_get_stats(strata_heap *heap, strata_heap_stats *out)
{
    if (heap == NULL || out == NULL)
        return STRATA_E_INVALID_PARAMETER;
    heap_acquire(heap, 0);
    out->reserved_bytes = heap->reserved_bytes;
    out->committed_bytes = heap->committed_bytes;
    out->peak_committed_bytes = heap->peak_committed_bytes;
    out->large_blocks = heap->large_count;
    out->segments = heap->segment_count;
    heap_release(heap, 0);
    return STRATA_OK;
}

/* ---- Create and destroy ---------------------------------------------------------- */
static size_t pow2_at_least(size_t value)
{
    size_t p = 1;
    while (p < value)
        p <<= 1;
    return p;
}

size_t back_segment_metadata(size_t units, unsigned pages, uint32_t side_slots, bool with_table);
size_t back_segment_commit(const strata_vmm *vmm, char *base, size_t units, unsigned pages, uint32_t side_slots,
                           bool growable, bool with_table, size_t commit);

static void watch_forks(void);

static strata_status heap_create(const strata_vmm *vmm, uint32_t flags, size_t initial_size, size_t maximum_size,
                                 strata_heap **out);

STRATA_API strata_status strata_heap_create(const strata_vmm *vmm, uint32_t flags, size_t initial_size,
                                            size_t maximum_size, strata_heap **out)
{
    strata_status status = heap_create(vmm, flags, initial_size, maximum_size, out);
    if (status == STRATA_OK && (flags & STRATA_HEAP_CREATE_GUARD)) {
        status = strata_heap_set_guard(*out, 1);
        if (status != STRATA_OK) {
            strata_heap_destroy(*out);
            *out = NULL;
        }
    }
    if (status == STRATA_OK)
        watch_forks();
    return status;
}

static strata_status heap_create(const strata_vmm *vmm, uint32_t flags, size_t initial_size, size_t maximum_size,
                                 strata_heap **out)
{
    if (out == NULL)
        return STRATA_E_INVALID_PARAMETER;
    *out = NULL;
    if (vmm == NULL)
        vmm = strata_vmm_default();
    bool guarded = (flags & STRATA_HEAP_CREATE_GUARD) != 0;
    if (guarded && maximum_size != 0)
        return STRATA_E_INVALID_PARAMETER;
    flags &= STRATA_HEAP_NO_SERIALIZE | STRATA_HEAP_GENERATE_EXCEPTIONS | STRATA_HEAP_CREATE_ENABLE_EXECUTE;
    /* An executable heap commits only through commit_executable: a copy of
     * the table with it as commit, kept in the heap (executable_vmm). */
    strata_vmm executable;
    if (flags & STRATA_HEAP_CREATE_ENABLE_EXECUTE) {
        if (vmm->commit_executable == NULL)
            return STRATA_E_UNSUPPORTED;
        executable = *vmm;
        executable.commit = vmm->commit_executable;
        vmm = &executable;
    }
    bool growable = maximum_size == 0;
    size_t page = vmm->page_size;
    size_t segment_size, alignment, page_unit, front_max;
    unsigned pages;
    if (growable) {
        flags |= STRATA_HEAP_GROWABLE;
        segment_size = GROWABLE_SEGMENT_SIZE;
        alignment = GROWABLE_SEGMENT_SIZE;
        page_unit = GROWABLE_PAGE_UNIT;
        front_max = MAX_FRONT_STRIDE;
        pages = (unsigned)(segment_size / page_unit);
    } else {
        if (maximum_size > SIZE_MAX / 4)
            return STRATA_E_NO_MEMORY;
        segment_size = align_up(maximum_size < 0x10000 ? 0x10000 : maximum_size, page);
        alignment = pow2_at_least(segment_size);
        if (alignment < vmm->granularity)
            alignment = vmm->granularity;
        page_unit = pow2_at_least(segment_size / 32 + 1) / 2;
        if (page_unit > GROWABLE_PAGE_UNIT)
            page_unit = GROWABLE_PAGE_UNIT;
        if (page_unit < page)
            page_unit = page;
        front_max = page_unit / 4;
        size_t by_unit = segment_size / page_unit;
        size_t by_budget = 4 + segment_size / (32 * 1024);
        pages = (unsigned)(by_unit < by_budget ? by_unit : by_budget);
    }
    /* Side tables: one entry per slot of the page with the most slots (a
     * page of the smallest class fills one unit; larger classes' pages hold
     * fewer than 16 slots more than a unit's worth of them). In a fixed heap they may take a 256th of it, and at
     * most FIXED_SIDE_MAX: its maximum stays nearly all usable. */
    uint32_t side_slots = (uint32_t)(page_unit / 16 > 16 ? page_unit / 16 : 16);
    if (!growable) {
        size_t side_budget = segment_size / 256 < FIXED_SIDE_MAX ? segment_size / 256 : FIXED_SIDE_MAX;
        size_t by_side = side_budget / ((size_t)side_slots * sizeof(uint32_t));
        if (pages > by_side)
            pages = (unsigned)by_side;
        if (pages == 0) /* too small for side tables: every block comes from the back end */
            front_max = 0;
        if (pages > 0xFFFE)
            pages = 0xFFFE;
    }
    size_t metadata =
        back_segment_metadata(align_up(segment_size, vmm->granularity) / page_unit, pages, side_slots, growable);
    size_t reservation = align_up(segment_size, vmm->granularity);
    size_t commit = align_up(initial_size > metadata ? initial_size : metadata + page, page);
    if (commit < align_up(metadata + MIN_BACK_BLOCK + 16, page))
        commit = align_up(metadata + MIN_BACK_BLOCK + 16, page);
    if (commit > segment_size)
        commit = segment_size;
    if (metadata + MIN_BACK_BLOCK > segment_size)
        return STRATA_E_NO_MEMORY;

    void *base = NULL;
    if (vmm->reserve(vmm->context, reservation, alignment, &base) != STRATA_OK)
        return STRATA_E_NO_MEMORY;
    if (((uintptr_t)base & (alignment - 1)) != 0) { /* blocks find their segment by alignment */
        vmm->release(vmm->context, base, reservation);
        return STRATA_E_INVALID_ADDRESS;
    }
    size_t counted = back_segment_commit(vmm, base, reservation / page_unit, pages, side_slots, growable, growable,
                                         commit);
    if (counted == 0) {
        vmm->release(vmm->context, base, reservation);
        return STRATA_E_NO_MEMORY;
    }
    strata_heap *heap = base;
    memset(heap, 0, sizeof *heap);
    heap->secret = new_secret(base);
    heap->size_secret = new_secret((char *)base + 1) | 1;
    heap->flags = flags;
    heap->executable_vmm = *vmm;
    heap->vmm = (flags & STRATA_HEAP_CREATE_ENABLE_EXECUTE) ? &heap->executable_vmm : vmm;
    heap->segment_mask = ~(uintptr_t)(alignment - 1);
    heap->segment_size = segment_size;
    heap->page_unit = page_unit;
    heap->unit_shift = (unsigned)__builtin_ctzll((unsigned long long)page_unit);
    heap->side_slots = side_slots;
    heap->front_max_stride = front_max;
    heap->maximum_size = growable ? 0 : maximum_size;
    heap->slot = NO_SLOT;
    if (growable) {
        strata_lock_acquire(&global_lock);
        for (unsigned id = 1; id < 256 && heap->map_id == 0; id++)
            if (!map_id_taken[id]) {
                map_id_taken[id] = true;
                heap->map_id = (uint8_t)id;
            }
        strata_lock_release(&global_lock);
    }
    atomic_store_explicit(&heap->fast_free_id, heap->map_id != 0 ? heap->map_id : NO_FREE_ID,
                          memory_order_relaxed);
    atomic_store_explicit(&heap->fast_slot_offset, slot_offset(NO_SLOT), memory_order_relaxed);
    heap->reserved_bytes = reservation;
    heap_count_commit(heap, (ptrdiff_t)counted);
    if (growable) {
        heap->segment_table = NULL; /* placed by back_segment_init */
        heap->segment_table_mask = SEGMENT_TABLE_SLOTS - 1;
    } else {
        heap->segment_table = heap->segment_table_inline;
        heap->segment_table_mask = 1;
    }
    back_segment_init(heap, &heap->first, reservation, metadata, commit, pages);

    strata_lock_acquire(&global_lock);
    if (heap_small_class[SMALL_LOOKUP_MAX / 8] == 0)
        classes_init();
    heap->generation = next_generation++;
    for (unsigned s = 0; s < TLS_SLOTS; s++) {
        if (slot_owners[s].heap == NULL) {
            slot_owners[s].heap = heap;
            slot_owners[s].generation = heap->generation;
            heap->slot = s;
            atomic_store_explicit(&heap->fast_slot_offset, slot_offset(s), memory_order_relaxed);
            break;
        }
    }
    strata_heap **link = &heap_list;
    while (*link != NULL)
        link = &(*link)->list_next;
    *link = heap;
    strata_lock_release(&global_lock);
    *out = heap;
    return STRATA_OK;
}

/* Whether `heap` is on the list of live heaps (global lock held). */
static bool heap_is_live(const strata_heap *heap)
{
    for (strata_heap *h = heap_list; h != NULL; h = h->list_next)
        if (h == heap)
            return true;
    return false;
}

STRATA_API strata_status strata_heap_destroy(strata_heap *heap)
{
    if (heap == NULL)
        return STRATA_E_INVALID_HANDLE;
    strata_lock_acquire(&global_lock);
    if (!heap_is_live(heap) || heap->is_process_heap) {
        strata_lock_release(&global_lock);
        return STRATA_E_INVALID_HANDLE;
    }
    strata_heap **link = &heap_list;
    while (*link != heap)
        link = &(*link)->list_next;
    *link = heap->list_next;
    if (heap->slot != NO_SLOT) {
        slot_owners[heap->slot].heap = NULL;
        slot_owners[heap->slot].generation = 0;
    }
    heap_adopt_exited_parts(heap, true);
    strata_lock_release(&global_lock);

    if (VG_ACTIVE()) { /* destroy frees every block: memcheck must not see them leak */
        strata_heap_entry entry = {0};
        while (strata_heap_walk(heap, &entry) == STRATA_OK)
            if (entry.flags & STRATA_HEAP_ENTRY_BUSY)
                VG_BLOCK_FREE(heap, entry.data);
    }
    large_release_all(heap);
    guard_release_all(heap);
    const strata_vmm *vmm = heap->vmm;
    segment *seg = heap->first.next;
    while (seg != NULL) {
        segment *next = seg->next;
        heap_segment_map_set(seg, 0);
        VG_OPEN(seg, seg->committed_end);
        vmm->release(vmm->context, seg, seg->size);
        seg = next;
    }
    size_t size = heap->first.size;
    if (heap->flags & STRATA_HEAP_GROWABLE)
        heap_segment_map_set(heap, 0);
    if (heap->map_id != 0) { /* only now: its segments' map bytes are cleared */
        strata_lock_acquire(&global_lock);
        map_id_taken[heap->map_id] = false;
        strata_lock_release(&global_lock);
    }
    VG_OPEN(heap, heap->first.committed_end);
    vmm->release(vmm->context, heap, size);
    return STRATA_OK;
}

/* ---- fork: every lock is held across it, so the child finds them free ---------- */
static strata_lock process_create_lock = STRATA_LOCK_INIT;

static void before_fork(void)
{
    strata_lock_acquire(&process_create_lock);
    global_memory_fork_lock();
    /* A thread may hold a heap's lock and want the global one (handing back
     * an exited thread's part): take the heaps' locks without waiting while
     * holding the global lock, and start over when one is busy. */
    for (;;) {
        strata_lock_acquire(&global_lock);
        strata_heap *busy = NULL;
        for (strata_heap *heap = heap_list; heap != NULL && busy == NULL; heap = heap->list_next)
            if (!heap_try_acquire(heap))
                busy = heap;
        if (busy == NULL)
            return;
        for (strata_heap *heap = heap_list; heap != busy; heap = heap->list_next)
            heap_release(heap, 0);
        strata_lock_release(&global_lock);
    }
}

static void after_fork(void)
{
    for (strata_heap *heap = heap_list; heap != NULL; heap = heap->list_next)
        heap_release(heap, 0);
    strata_lock_release(&global_lock);
    global_memory_fork_unlock();
    strata_lock_release(&process_create_lock);
}

/* Registers the fork hooks once, after the vmm's (so its lock is taken last).
 * Called holding no lock: registering may allocate, and under the crt's
 * drop-in that allocation comes back to a heap. */
static void watch_forks(void)
{
    static atomic_bool registered;
    if (atomic_load_explicit(&registered, memory_order_acquire) || atomic_exchange(&registered, true))
        return;
    strata_vmm_watch_forks();
    strata_platform_atfork(before_fork, after_fork, after_fork);
}

STRATA_API strata_heap *strata_heap_process(void)
{
    strata_heap *heap = atomic_load_explicit(&process_heap, memory_order_acquire);
    if (LIKELY(heap != NULL))
        return heap;
    strata_lock_acquire(&process_create_lock);
    heap = atomic_load_explicit(&process_heap, memory_order_relaxed);
    bool made = false;
    if (heap == NULL && heap_create(NULL, 0, 0, 0, &heap) == STRATA_OK) {
        strata_lock_acquire(&global_lock);
        heap->is_process_heap = true;
        /* The process heap leads the list. */
        strata_heap **link = &heap_list;
        while (*link != heap)
            link = &(*link)->list_next;
        *link = heap->list_next;
        heap->list_next = heap_list;
        heap_list = heap;
        strata_lock_release(&global_lock);
        atomic_store_explicit(&process_heap, heap, memory_order_release);
        made = true;
    }
    strata_lock_release(&process_create_lock);
    if (made)
        watch_forks();
    return heap;
}

STRATA_API size_t strata_heap_list(strata_heap **heaps, size_t capacity)
{
    strata_heap_process();
    strata_lock_acquire(&global_lock);
    size_t count = 0;
    for (strata_heap *h = heap_list; h != NULL; h = h->list_next) {
        if (count < capacity && heaps != NULL)
            heaps[count] = h;
        count++;
    }
    strata_lock_release(&global_lock);
    return count;
}

STRATA_API uint32_t strata_heap_flags(const strata_heap *heap)
{
    return heap == NULL ? 0 : heap->flags;
}

/* ---- Information ----------------------------------------------------------------- */
/* The front end counts as on (2) once asked for, or once a page of one class
 * holds 18 live blocks: as Windows switches its LFH on after 18 allocations
 * of one size; never on NO_SERIALIZE or fixed-size heaps. */
static uint32_t compat_value(strata_heap *heap)
{
    /* Windows gives unserialized and fixed-size heaps no front end. */
    if ((heap->flags & STRATA_HEAP_NO_SERIALIZE) || !(heap->flags & STRATA_HEAP_GROWABLE))
        return 0;
    if (heap->compat == 2)
        return 2;
    heap_acquire(heap, 0);
    for (segment *seg = &heap->first; seg != NULL && heap->compat != 2; seg = seg->next)
        for (uint32_t i = 0; i < seg->page_capacity; i++)
            if (seg->pages[i].in_use && seg->pages[i].used >= 18) {
                heap->compat = 2;
                break;
            }
    heap_release(heap, 0);
    return heap->compat;
}

STRATA_API strata_status strata_heap_query_information(strata_heap *heap, strata_heap_info_class info_class,
                                                       void *info, size_t length, size_t *return_length)
{
    if (heap == NULL)
        return STRATA_E_NOACCESS;
    if (info_class != STRATA_HEAP_INFO_COMPATIBILITY)
        return STRATA_E_INVALID_PARAMETER;
    if (return_length != NULL)
        *return_length = sizeof(uint32_t);
    if (info == NULL || length < sizeof(uint32_t))
        return STRATA_E_BUFFER_TOO_SMALL;
    uint32_t value = compat_value(heap);
    memcpy(info, &value, sizeof value);
    return STRATA_OK;
}

STRATA_API strata_status strata_heap_set_information(strata_heap *heap, strata_heap_info_class info_class,
                                                     const void *info, size_t length)
{
    switch (info_class) {
    case STRATA_HEAP_INFO_TERMINATE_ON_CORRUPTION:
        return STRATA_OK; /* always on */
    case STRATA_HEAP_INFO_OPTIMIZE_RESOURCES: {
        uint32_t version_flags[2];
        if (info == NULL || length != sizeof version_flags)
            return STRATA_E_INVALID_PARAMETER;
        memcpy(version_flags, info, sizeof version_flags);
        if (version_flags[0] != 1 || version_flags[1] != 0)
            return STRATA_E_INVALID_PARAMETER;
        if (heap != NULL) {
            strata_heap_compact(heap, 0);
        } else {
            strata_heap *heaps[64];
            size_t count = strata_heap_list(heaps, 64);
            for (size_t i = 0; i < count && i < 64; i++)
                strata_heap_compact(heaps[i], 0);
        }
        return STRATA_OK;
    }
    case STRATA_HEAP_INFO_COMPATIBILITY: {
        if (heap == NULL)
            return STRATA_E_INVALID_HANDLE;
        uint32_t value;
        if (info == NULL || length < sizeof value)
            return STRATA_E_BAD_LENGTH;
        memcpy(&value, info, sizeof value);
        if (value == 2) {
            if ((heap->flags & STRATA_HEAP_NO_SERIALIZE) || !(heap->flags & STRATA_HEAP_GROWABLE))
                return STRATA_E_INVALID_PARAMETER;
            heap->compat = 2;
            return STRATA_OK;
        }
        if (value <= 1)
            return compat_value(heap) == 2 ? STRATA_E_GEN_FAILURE : STRATA_OK;
        return STRATA_E_INVALID_PARAMETER;
    }
    default:
        return STRATA_E_INVALID_PARAMETER;
    }
}
