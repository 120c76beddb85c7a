/* SPDX-License-Identifier: MIT */
/*
 * examples/heap_over_static_buffer.c — a heap whose memory is a static
 * array, through a strata_vmm written here: the heap never calls the OS.
 * The same shape fits memory handed over by firmware, a shared-memory
 * segment, or an arena of another allocator.
 *
 * The vmm keeps one byte per 64 KiB granule (free, first of a reservation,
 * rest of one) and one per 4 KiB page (committed or not).
 */
#include <strata/heap.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { PAGE = 4096, GRANULE = 65536, GRANULES = 256 }; /* 16 MiB */
enum { GRANULE_FREE, GRANULE_FIRST, GRANULE_REST };

typedef struct buffer_vmm {
    unsigned char *base; /* GRANULE-aligned */
    unsigned char granule_state[GRANULES];
    unsigned char page_committed[GRANULES * (GRANULE / PAGE)];
} buffer_vmm;

static unsigned char memory[(GRANULES + 1) * (size_t)GRANULE]; /* one spare granule for alignment */
static buffer_vmm arena;

static size_t granule_index(const buffer_vmm *vmm, const void *address)
{
    return (size_t)((const unsigned char *)address - vmm->base) / GRANULE;
}

static int inside(const buffer_vmm *vmm, const void *address, size_t size)
{
    const unsigned char *start = address;
    return start >= vmm->base && size <= (size_t)(vmm->base + (size_t)GRANULES * GRANULE - start);
}

/* First fit among free granules, at the alignment asked (0: the granularity). */
static strata_status buffer_reserve(void *context, size_t size, size_t alignment, void **out_base)
{
    buffer_vmm *vmm = context;
    size_t needed = size / GRANULE;
    size_t step = alignment > GRANULE ? alignment / GRANULE : 1;
    for (size_t first = 0; first + needed <= GRANULES; first++) {
        if (((uintptr_t)(vmm->base + first * GRANULE) / GRANULE) % step != 0)
            continue;
        size_t run = 0;
        while (run < needed && vmm->granule_state[first + run] == GRANULE_FREE)
            run++;
        if (run == needed) {
            vmm->granule_state[first] = GRANULE_FIRST;
            memset(vmm->granule_state + first + 1, GRANULE_REST, needed - 1);
            *out_base = vmm->base + first * GRANULE;
            return STRATA_OK;
        }
        first += run; /* the granule after the run is taken */
    }
    return STRATA_E_NO_MEMORY;
}

static strata_status buffer_release(void *context, void *base, size_t size)
{
    buffer_vmm *vmm = context;
    if (!inside(vmm, base, size) || vmm->granule_state[granule_index(vmm, base)] != GRANULE_FIRST)
        return STRATA_E_INVALID_ADDRESS;
    size_t first = granule_index(vmm, base);
    memset(vmm->granule_state + first, GRANULE_FREE, size / GRANULE);
    memset(vmm->page_committed + first * (GRANULE / PAGE), 0, size / PAGE);
    return STRATA_OK;
}

/* Pages committed for the first time read as zero, as the contract asks. */
static strata_status buffer_commit(void *context, void *address, size_t size)
{
    buffer_vmm *vmm = context;
    if (!inside(vmm, address, size))
        return STRATA_E_INVALID_ADDRESS;
    size_t first = (size_t)((unsigned char *)address - vmm->base) / PAGE;
    for (size_t page = first; page < first + size / PAGE; page++) {
        if (!vmm->page_committed[page]) {
            memset(vmm->base + page * PAGE, 0, PAGE);
            vmm->page_committed[page] = 1;
        }
    }
    return STRATA_OK;
}

static strata_status buffer_decommit(void *context, void *address, size_t size)
{
    buffer_vmm *vmm = context;
    if (!inside(vmm, address, size))
        return STRATA_E_INVALID_ADDRESS;
    size_t first = (size_t)((unsigned char *)address - vmm->base) / PAGE;
    memset(vmm->page_committed + first, 0, size / PAGE);
    return STRATA_OK;
}

/* The contents may be dropped; keeping them is allowed. */
static strata_status buffer_reset(void *context, void *address, size_t size)
{
    return inside(context, address, size) ? STRATA_OK : STRATA_E_INVALID_ADDRESS;
}

int main(void)
{
    arena.base = (unsigned char *)(((uintptr_t)memory + GRANULE - 1) & ~(uintptr_t)(GRANULE - 1));
    const strata_vmm vmm = {
        .context = &arena,
        .page_size = PAGE,
        .granularity = GRANULE,
        .reserve = buffer_reserve,
        .release = buffer_release,
        .commit = buffer_commit,
        .decommit = buffer_decommit,
        .reset = buffer_reset,
    };

    strata_heap *heap = NULL;
    strata_status status = strata_heap_create(&vmm, 0, 0, 0, &heap);
    if (status != STRATA_OK) {
        printf("strata_heap_create: %s\n", strata_status_name(status));
        return 1;
    }

    /* Small, medium and large blocks: every one must come from the array. */
    const size_t sizes[] = {24, 700, 40000, 3u << 20};
    void *blocks[sizeof sizes / sizeof sizes[0]];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        blocks[i] = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, sizes[i]);
        if (blocks[i] == NULL || !inside(&arena, blocks[i], sizes[i])) {
            printf("block of %zu bytes: %p is not in the static buffer\n", sizes[i], blocks[i]);
            return 1;
        }
        memset(blocks[i], 0x5A, sizes[i]);
    }
    if (!strata_heap_validate(heap, 0, NULL)) {
        printf("the heap does not validate\n");
        return 1;
    }

    size_t reserved_granules = 0;
    for (size_t i = 0; i < GRANULES; i++)
        reserved_granules += arena.granule_state[i] != GRANULE_FREE;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        strata_heap_free(heap, 0, blocks[i]);
    strata_heap_destroy(heap);

    size_t left = 0;
    for (size_t i = 0; i < GRANULES; i++)
        left += arena.granule_state[i] != GRANULE_FREE;
    printf("heap over a static buffer: %zu blocks, %zu KiB reserved in the buffer, %zu granules left after destroy\n",
           sizeof sizes / sizeof sizes[0], reserved_granules * (GRANULE / 1024), left);
    return left == 0 ? 0 : 1;
}
