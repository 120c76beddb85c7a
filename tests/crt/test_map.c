/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_map.c — strata_map_write's snapshot against what the vmm
 * and the heap say themselves: every region as strata_vmm_query answers it,
 * every segment, busy block, free block and large block as strata_heap_walk
 * reports it; the .html form; errors; and STRATA_MAP_SIGNAL.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include <strata/crt.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/check.h"
#include "../support/cmocka_all.h"

#define MAX_LINES 20000
#define MAX_TEXT (8u << 20)

static char text[MAX_TEXT];
static char *lines[MAX_LINES];
static size_t line_count;

/* The snapshot has one record a line: read them all. */
static void load(const char *path)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    assert_true(length < sizeof text - 1);
    text[length] = '\0';
    line_count = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        assert_true(line_count < MAX_LINES);
        lines[line_count++] = line;
    }
}

/* A field of a record line: a number or a quoted hex address. */
static bool field(const char *line, const char *key, unsigned long long *value)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(line, pattern);
    if (at == NULL)
        return false;
    at += strlen(pattern);
    if (*at == '"')
        at++;
    *value = strtoull(at, NULL, 0);
    return true;
}

static bool field_text(const char *line, const char *key, const char *expected)
{
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\":\"%s\"", key, expected);
    return strstr(line, pattern) != NULL;
}

static unsigned long long get(const char *line, const char *key)
{
    unsigned long long value = 0;
    if (!field(line, key, &value))
        fail_msg("no %s in %s", key, line);
    return value;
}

/* The lines of one heap's records: from its header line to the next heap's. */
static size_t heap_lines(const strata_heap *heap, size_t *end)
{
    char base[64];
    snprintf(base, sizeof base, "{\"base\":\"0x%llx\",\"flags\"", (unsigned long long)(uintptr_t)heap);
    for (size_t i = 0; i < line_count; i++) {
        const char *at = strstr(lines[i], base);
        if (at != NULL) {
            size_t j = i + 1;
            while (j < line_count && strstr(lines[j], "\"flags\":") == NULL)
                j++;
            *end = j;
            return i;
        }
    }
    fail_msg("heap %p is not in the snapshot", (const void *)heap);
    return 0;
}

/* ---- The layout under test --------------------------------------------------------- */
typedef struct layout {
    void *reservation;
    strata_section *section, *other_section;
    void *view, *second_view, *other_view;
    strata_heap *heap;
    void *blocks[600];
    size_t block_count;
} layout;

static layout world;

static void make_layout(void)
{
    /* A reservation with committed read-write, committed read-only and reserved pages. */
    assert_int_equal(strata_vmm_reserve(NULL, 1 << 20, STRATA_PAGE_READWRITE, 0, &world.reservation), STRATA_OK);
    void *base = NULL;
    assert_int_equal(strata_vmm_commit(world.reservation, 5 * 4096, STRATA_PAGE_READWRITE, 0, &base), STRATA_OK);
    uint32_t old = 0;
    assert_int_equal(strata_vmm_protect((char *)world.reservation + 4096, 4096, STRATA_PAGE_READONLY, &old),
                     STRATA_OK);
    /* A view of an anonymous section. */
    assert_int_equal(strata_section_create(STRATA_NO_FILE, 3 * 65536, STRATA_PAGE_READWRITE, STRATA_SEC_COMMIT, NULL,
                                           &world.section, NULL),
                     STRATA_OK);
    assert_int_equal(strata_section_map(world.section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &world.view), STRATA_OK);
    /* A second view of it from 64 KiB on, and a view of another section. */
    assert_int_equal(strata_section_map(world.section, STRATA_FILE_MAP_READ, 65536, 65536, NULL, &world.second_view),
                     STRATA_OK);
    assert_int_equal(strata_section_create(STRATA_NO_FILE, 65536, STRATA_PAGE_READWRITE, STRATA_SEC_COMMIT, NULL,
                                           &world.other_section, NULL),
                     STRATA_OK);
    assert_int_equal(strata_section_map(world.other_section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &world.other_view),
                     STRATA_OK);
    /* A heap with blocks of every tier, some freed. */
    assert_int_equal(strata_heap_create(NULL, 0, 0, 0, &world.heap), STRATA_OK);
    static const size_t sizes[] = {8, 24, 100, 700, 3000, 20000, 70000};
    for (size_t i = 0; i < 560; i++)
        world.blocks[world.block_count++] = strata_heap_alloc(world.heap, 0, sizes[i % 7] + i % 5);
    for (size_t i = 0; i < world.block_count; i += 3) {
        strata_heap_free(world.heap, 0, world.blocks[i]);
        world.blocks[i] = NULL;
    }
    world.blocks[world.block_count++] = strata_heap_alloc(world.heap, 0, 3 << 20); /* large */
    world.blocks[world.block_count++] = strata_heap_alloc(world.heap, 0, 2 << 20); /* large */
    for (size_t i = 0; i < world.block_count; i++)
        if (i % 3 != 0)
            assert_non_null(world.blocks[i]);
}

/* ---- What the vmm says, gathered before the snapshot (no allocation between) ----- */
#define MAX_REGIONS 4096
static strata_vmm_region_info regions[MAX_REGIONS];
static size_t region_count;

static void query_all(void)
{
    strata_vmm_system_info system;
    strata_vmm_get_system_info(&system);
    region_count = 0;
    for (uintptr_t address = system.lowest_address; address < system.highest_address;) {
        strata_vmm_region_info info;
        assert_int_equal(strata_vmm_query((const void *)address, &info), STRATA_OK);
        if (info.state != STRATA_MEM_FREE) {
            assert_true(region_count < MAX_REGIONS);
            regions[region_count++] = info;
        }
        address = (uintptr_t)info.base + info.region_size;
    }
}

static void test_regions_match_query(void **state)
{
    (void)state;
    query_all();
    assert_int_equal(strata_map_write("test_map.json"), STRATA_OK);
    load("test_map.json");
    size_t seen = 0;
    bool saw_readonly = false, saw_mapped = false, saw_reserved = false;
    unsigned long long sections_of_first[2] = {0, 0}, section_of_other = 0;
    for (size_t i = 0; i < line_count; i++) {
        if (strstr(lines[i], "\"state\":") == NULL)
            continue;
        assert_true(seen < region_count);
        const strata_vmm_region_info *r = &regions[seen++];
        assert_int_equal(get(lines[i], "base"), (uintptr_t)r->base);
        assert_int_equal(get(lines[i], "size"), r->region_size);
        assert_int_equal(get(lines[i], "protect_value"), r->protect);
        assert_int_equal(get(lines[i], "allocation_base"), (uintptr_t)r->allocation_base);
        assert_true(field_text(lines[i], "state", r->state == STRATA_MEM_COMMIT ? "commit" : "reserve"));
        assert_true(field_text(lines[i], "type", r->type == STRATA_MEM_MAPPED ? "mapped" : "private"));
        if (r->allocation_base == world.reservation) {
            saw_readonly |= field_text(lines[i], "protect", "READONLY");
            saw_reserved |= r->state == STRATA_MEM_RESERVE;
        }
        saw_mapped |= r->allocation_base == world.view && field_text(lines[i], "type", "mapped");
        unsigned long long section = 0, offset = 0;
        bool has_section = field(lines[i], "section", &section) && field(lines[i], "section_offset", &offset);
        strata_vmm_view_info view;
        if (strata_vmm_query_view(r->base, &view) == STRATA_OK) {
            assert_true(has_section);
            assert_int_equal(section, view.section);
            assert_int_equal(offset, view.offset + (uintptr_t)((char *)r->base - (char *)view.base));
            if (r->allocation_base == world.view || r->allocation_base == world.second_view)
                sections_of_first[r->allocation_base == world.second_view] = section;
            if (r->allocation_base == world.other_view)
                section_of_other = section;
            if (r->allocation_base == world.second_view)
                assert_int_equal(offset, 65536);
        } else {
            assert_false(has_section);
        }
    }
    /* Two views of one section name it alike; a view of another section, not. */
    assert_true(sections_of_first[0] != 0 && sections_of_first[0] == sections_of_first[1]);
    assert_true(section_of_other != 0 && section_of_other != sections_of_first[0]);
    assert_int_equal(seen, region_count);
    assert_true(saw_readonly && saw_mapped && saw_reserved);
    /* The totals lead the file and add up the regions. */
    size_t reserved = 0, committed = 0;
    for (size_t i = 0; i < region_count; i++) {
        reserved += regions[i].region_size;
        committed += regions[i].state == STRATA_MEM_COMMIT ? regions[i].region_size : 0;
    }
    assert_int_equal(get(lines[1], "reserved"), reserved);
    assert_int_equal(get(lines[1], "committed"), committed);
    assert_int_equal(get(lines[1], "regions"), region_count);
}

static void test_heap_matches_walk(void **state)
{
    (void)state;
    assert_int_equal(strata_map_write("test_map_heap.json"), STRATA_OK);
    load("test_map_heap.json");
    size_t end = 0, start = heap_lines(world.heap, &end);
    strata_heap_stats stats;
    assert_int_equal(strata_heap_get_stats(world.heap, &stats), STRATA_OK);
    assert_int_equal(get(lines[start], "committed"), stats.committed_bytes);
    assert_int_equal(get(lines[start], "segments"), stats.segments);

    unsigned long long page_used = 0, back_busy = 0, large = 0, segments = 0;
    size_t free_records = 0, pages = 0;
    for (size_t i = start; i < end; i++) {
        const char *line = lines[i];
        if (strstr(line, "\"kind\":\"segment\"")) {
            segments++;
            back_busy += get(line, "busy_blocks");
            /* The walk's REGION entry for the segment agrees. */
            strata_heap_entry entry = {0};
            bool found = false;
            while (strata_heap_walk(world.heap, &entry) == STRATA_OK)
                if ((entry.flags & STRATA_HEAP_ENTRY_REGION) && (uintptr_t)entry.data == get(line, "address")) {
                    found = true;
                    assert_int_equal(entry.committed_size, get(line, "committed"));
                    assert_int_equal(entry.committed_size + entry.uncommitted_size, get(line, "size"));
                }
            assert_true(found);
        } else if (strstr(line, "\"kind\":\"page\"")) {
            pages++;
            unsigned long long address = get(line, "address"), size = get(line, "size");
            assert_int_equal(size, get(line, "capacity") * get(line, "stride"));
            /* The busy blocks the walk finds in the page are the page's used slots. */
            size_t busy = 0;
            strata_heap_entry entry = {0};
            while (strata_heap_walk(world.heap, &entry) == STRATA_OK)
                if ((entry.flags & STRATA_HEAP_ENTRY_BUSY) && (uintptr_t)entry.data >= address &&
                    (uintptr_t)entry.data < address + size)
                    busy++;
            assert_int_equal(busy, get(line, "used"));
            assert_true(get(line, "used") <= get(line, "capacity"));
            assert_int_equal(get(line, "owner") != 0, true); /* this thread allocated from it */
            page_used += get(line, "used");
        } else if (strstr(line, "\"kind\":\"free\"")) {
            free_records++;
            bool found = false;
            strata_heap_entry entry = {0};
            while (strata_heap_walk(world.heap, &entry) == STRATA_OK)
                if (entry.flags == 0 && (uintptr_t)entry.data == get(line, "address")) {
                    found = true;
                    assert_int_equal(entry.size, get(line, "size"));
                }
            assert_true(found);
        } else if (strstr(line, "\"kind\":\"large\"")) {
            large++;
            assert_true(get(line, "reserved") >= get(line, "committed"));
            assert_true(get(line, "committed") >= get(line, "size"));
        }
    }
    assert_int_equal(segments, stats.segments);
    assert_int_equal(large, stats.large_blocks);
    assert_int_equal(large, 2);
    assert_true(pages >= 4);
    assert_true(free_records >= 1);
    /* Every busy block of the walk is a page slot, a back-end block or a large block. */
    size_t walk_busy = 0, walk_large = 0;
    strata_heap_entry entry = {0};
    while (strata_heap_walk(world.heap, &entry) == STRATA_OK) {
        walk_busy += (entry.flags & STRATA_HEAP_ENTRY_BUSY) != 0;
        walk_large += (entry.flags & STRATA_HEAP_ENTRY_BUSY) && entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX;
    }
    assert_int_equal(walk_large, large);
    assert_int_equal(walk_busy, page_used + back_busy + large);
}

static void test_html_holds_the_snapshot(void **state)
{
    (void)state;
    assert_int_equal(strata_map_write("test_map.html"), STRATA_OK);
    load("test_map.html");
    assert_string_equal(lines[0], "<!DOCTYPE html>");
    bool data = false, end = false, format = false;
    for (size_t i = 0; i < line_count; i++) {
        data |= strstr(lines[i], "id=\"strata-map-data\"") != NULL;
        format |= strstr(lines[i], "{\"format\":\"strata-map\"") != NULL;
        end |= strcmp(lines[i], "</html>") == 0;
    }
    assert_true(data && format && end);
    /* Self-contained: nothing loaded from elsewhere. */
    assert_null(strstr(text, "<script src"));
    assert_null(strstr(text, "<link"));
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(strata_map_write(NULL), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_map_write(""), STRATA_E_INVALID_PARAMETER);
    assert_int_equal(strata_map_write("no-such-folder/map.json"), STRATA_E_NOT_FOUND);
}

#if defined(SIGUSR2)
/* STRATA_MAP_SIGNAL: the map appears at the first malloc slow path after the signal, not before. */
static void test_signal_writes_at_next_slow_malloc(void **state)
{
    (void)state;
    remove("test_map_signal-1.json");
    remove("test_map_signal.json"); /* an earlier run's exit map */
    raise(SIGUSR2);
    FILE *before = fopen("test_map_signal-1.json", "rb");
    assert_null(before); /* the handler itself writes nothing */
    void *block = strata_malloc(STRATA_HEAP_CACHED_MAX + 1); /* never served by the cache: the slow path */
    assert_non_null(block);
    load("test_map_signal-1.json"); /* numbered: the exit map keeps the plain name */
    assert_true(strstr(lines[0], "{\"format\":\"strata-map\"") == lines[0]);
    FILE *exit_map = fopen("test_map_signal.json", "rb");
    assert_null(exit_map); /* not yet: that one is written at exit */
    strata_free(block);
}
#endif

static void set_environment(const char *name, const char *value)
{
#if defined(_WIN32)
    assert_int_equal(_putenv_s(name, value), 0);
#else
    assert_int_equal(setenv(name, value, 1), 0);
#endif
}

int main(void)
{
    /* Read when the crt heap is chosen, at the first strata_malloc below. */
    set_environment("STRATA_MAP", "test_map_signal.json");
    set_environment("STRATA_MAP_SIGNAL", "SIGUSR2");
    strata_free(strata_malloc(16));
    make_layout();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions_match_query),
        cmocka_unit_test(test_heap_matches_walk),
        cmocka_unit_test(test_html_holds_the_snapshot),
        cmocka_unit_test(test_errors),
#if defined(SIGUSR2)
        cmocka_unit_test(test_signal_writes_at_next_slow_malloc),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
