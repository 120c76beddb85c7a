/* SPDX-License-Identifier: MIT */
/*
 * demo/strata_demo.c — strata's main demo, layer by layer: what the platform
 * reports and a page round trip; then the vmm's Windows semantics — a
 * reservation, a partial commit, the region map VirtualQuery gives, a
 * protection change, and a section shared with a second process; then a
 * heap — blocks of the three tiers, what a walk shows, validate refusing a
 * freed pointer, compact.
 */
#include <strata.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(strata_status status, const char *step)
{
    printf("  %-34s %s\n", step, strata_status_name(status));
    return status == STRATA_OK ? 0 : 1;
}

static const char *state_name(uint32_t state)
{
    return state == STRATA_MEM_COMMIT ? "commit" : state == STRATA_MEM_RESERVE ? "reserve" : "free";
}

static const char *protect_name(uint32_t protect)
{
    switch (protect & 0xFF) {
    case STRATA_PAGE_NOACCESS: return "NOACCESS";
    case STRATA_PAGE_READONLY: return "READONLY";
    case STRATA_PAGE_READWRITE: return "READWRITE";
    case STRATA_PAGE_EXECUTE_READ: return "EXECUTE_READ";
    default: return protect == 0 ? "-" : "other";
    }
}

/* Prints the regions VirtualQuery reports from base to base + size. */
static void print_region_map(const unsigned char *base, size_t size)
{
    printf("  %-18s %-10s %-8s %-10s %s\n", "address", "size", "state", "protect", "type");
    for (const unsigned char *at = base; at < base + size;) {
        strata_vmm_region_info info;
        if (strata_vmm_query(at, &info) != STRATA_OK) {
            return;
        }
        size_t shown = info.region_size < (size_t)(base + size - at) ? info.region_size : (size_t)(base + size - at);
        printf("  %-18p 0x%-8zx %-8s %-10s %s\n", (void *)at, shown, state_name(info.state),
               protect_name(info.protect),
               info.type == STRATA_MEM_PRIVATE ? "private" : info.type == STRATA_MEM_MAPPED ? "mapped" : "-");
        at += info.region_size;
    }
}

static const char shared_message[] = "hello from the first process";

/* The second process of the demo: opens the named section and reads it. */
static int read_shared_section(const char *name)
{
    strata_section *section = NULL;
    void *view = NULL;
    if (strata_section_open(name, STRATA_FILE_MAP_READ, &section) != STRATA_OK ||
        strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, NULL, &view) != STRATA_OK) {
        return 1;
    }
    printf("  second process read: \"%s\"\n", (const char *)view);
    int same = strcmp(view, shared_message) == 0;
    strata_section_unmap(view);
    strata_section_close(section);
    return same ? 0 : 1;
}

static int demo_vmm(const char *self)
{
    int failures = 0;
    printf("\nvmm layer: VirtualAlloc semantics on this OS\n");
    void *reservation = NULL;
    failures += check(strata_vmm_reserve(NULL, 256 * 1024, STRATA_PAGE_READWRITE, 0, &reservation),
                      "reserve 256 KiB");
    if (failures) {
        return failures;
    }
    unsigned char *base = reservation;
    void *got;
    failures += check(strata_vmm_commit(base + 0x3000, 0x5000, STRATA_PAGE_READWRITE, 0, &got),
                      "commit 20 KiB at +0x3000");
    uint32_t old;
    failures += check(strata_vmm_protect(base + 0x5000, 0x1000, STRATA_PAGE_READONLY, &old),
                      "protect one page read-only");
    printf("  the region map (VirtualQuery, answered from strata's region tree):\n");
    print_region_map(base, 256 * 1024);
    failures += check(strata_vmm_release(base), "release");

    printf("\nvmm layer: a named section shared with a second process\n");
    char name[64];
    snprintf(name, sizeof name, "strata-demo-%llu", (unsigned long long)strata_clock_monotonic_ns());
    strata_section *section = NULL;
    bool existed = false;
    failures += check(strata_section_create(STRATA_NO_FILE, 4096, STRATA_PAGE_READWRITE, 0, name,
                                            &section, &existed), "create section");
    void *view = NULL;
    if (section != NULL &&
        check(strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &view), "map a view") == 0) {
        memcpy(view, shared_message, sizeof shared_message);
        char command[512];
        snprintf(command, sizeof command, "\"%s\" --read-shared %s", self, name);
        fflush(stdout);
        int status = system(command);
        printf("  %-34s %s\n", "second process saw the same bytes", status == 0 ? "ok" : "FAILED");
        failures += status != 0;
        strata_section_unmap(view);
    } else {
        failures++;
    }
    if (section != NULL) {
        strata_section_close(section);
    }
    return failures;
}

/* The heap layer: a private heap, blocks from each tier, its walk. */
static int demo_heap(void)
{
    printf("\nstrata heap layer: HeapCreate-style heap, blocks of 24 B to 2 MiB\n");
    strata_heap *heap = NULL;
    int failures = check(strata_heap_create(NULL, 0, 0, 0, &heap), "create a growable heap");
    if (failures) {
        return 1;
    }
    static const size_t sizes[] = {24, 24, 100, 600, 4000, 50000, 300000, (size_t)2 << 20};
    enum { COUNT = sizeof sizes / sizeof sizes[0] };
    void *blocks[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        blocks[i] = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, sizes[i]);
        failures += blocks[i] == NULL;
    }
    printf("  %-34s %s\n", "allocated 8 blocks", failures ? "FAILED" : "ok");
    if (failures) {
        strata_heap_destroy(heap);
        return failures;
    }
    strata_heap_free(heap, 0, blocks[1]);
    printf("  %-34s %s\n", "validate a freed pointer", strata_heap_validate(heap, 0, blocks[1]) ? "TRUE (wrong)" : "FALSE, as on Windows");
    failures += strata_heap_validate(heap, 0, blocks[1]);
    printf("  %-34s %zu (asked 300000)\n", "size of the 300000-byte block", strata_heap_size(heap, 0, blocks[6]));

    printf("  walk (busy blocks with their exact sizes; free space; uncommitted ranges):\n");
    strata_heap_entry entry = {0};
    size_t free_blocks = 0, free_bytes = 0;
    while (strata_heap_walk(heap, &entry) == STRATA_OK) {
        if (entry.flags & STRATA_HEAP_ENTRY_REGION) {
            printf("    region %u at %p: %zu KiB committed, %zu KiB reserved only\n", entry.region_index,
                   entry.data, entry.committed_size >> 10, entry.uncommitted_size >> 10);
        } else if (entry.flags & STRATA_HEAP_ENTRY_BUSY) {
            printf("    busy   %p %8zu bytes%s\n", entry.data, entry.size,
                   entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX ? "  (large block, own reservation)" : "");
        } else if (entry.flags & STRATA_HEAP_ENTRY_UNCOMMITTED) {
            printf("    uncommitted %zu KiB\n", entry.size >> 10);
        } else {
            free_blocks++;
            free_bytes += entry.size;
        }
    }
    printf("    free   %zu blocks, %zu bytes in all\n", free_blocks, free_bytes);
    for (size_t i = 0; i < COUNT; i++) {
        if (i != 1) {
            strata_heap_free(heap, 0, blocks[i]);
        }
    }
    printf("  %-34s %zu bytes\n", "compact: largest committed free", strata_heap_compact(heap, 0));
    failures += !strata_heap_validate(heap, 0, NULL);
    failures += check(strata_heap_destroy(heap), "destroy (every reservation)");
    return failures;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--read-shared") == 0) {
        return read_shared_section(argv[2]);
    }
    const strata_platform_info *info = strata_platform_get_info();
    printf("strata platform layer\n");
    printf("  page size                          %zu bytes\n", info->page_size);
    printf("  allocation granularity             %zu bytes\n", info->allocation_granularity);
    printf("  partial release                    %s\n", info->can_release_partially ? "yes" : "no");
    printf("  processors                         %u\n", info->processor_count);

    printf("\nround trip: reserve 1 MiB, commit 64 KiB of it\n");
    size_t reserved = (size_t)1 << 20, committed = (size_t)64 << 10;
    void *base = NULL;
    int failures = check(strata_platform_reserve(reserved, 0, NULL, &base), "reserve 1 MiB");
    if (failures) {
        return 1;
    }
    printf("  reserved at                        %p\n", base);
    failures += check(strata_platform_commit(base, committed, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                      "commit 64 KiB read-write");
    unsigned char *bytes = base;
    memset(bytes, 0xAB, committed);
    printf("  %-34s %s\n", "wrote 0xAB to every committed byte", bytes[committed - 1] == 0xAB ? "ok" : "FAILED");
    failures += check(strata_platform_decommit(base, committed), "decommit");
    failures += check(strata_platform_commit(base, committed, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE),
                      "commit again");
    size_t nonzero = 0;
    for (size_t i = 0; i < committed; i++) {
        nonzero += bytes[i] != 0;
    }
    printf("  %-34s %s\n", "recommitted pages read as zero", nonzero == 0 ? "ok" : "FAILED");
    failures += nonzero != 0;
    failures += check(strata_platform_release(base, reserved), "release");
    failures += demo_vmm(argv[0]);
    failures += demo_heap();
    printf("\n%s\n", failures == 0 ? "demo finished: every step succeeded" : "demo FAILED");
    return failures == 0 ? 0 : 1;
}
