/* SPDX-License-Identifier: MIT */
/*
 * crt/map.c — the memory map: a snapshot of the VMM's regions and of every
 * heap, written as JSON, or as the strata-map page with the JSON inside.
 * Taken by strata_map_write, at exit (STRATA_MAP=FILE) or at the first
 * allocator slow path after a signal (STRATA_MAP_SIGNAL).
 *
 * Nothing here allocates: text goes through one static buffer to the
 * platform's file write, so a snapshot is taken from inside malloc and sees
 * the heaps as they are, not as the snapshot itself made them.
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The strata-map page around the JSON, generated from tools/strata-map.html. */
extern const unsigned char crt_map_page_head[];
extern const size_t crt_map_page_head_length;
extern const unsigned char crt_map_page_tail[];
extern const size_t crt_map_page_tail_length;

#define MAP_PATH_MAX 4096
#define MAP_HEAPS_MAX 256

typedef struct map_writer {
    strata_native_file file;
    strata_status status;
    size_t length;
    bool first_record; /* no comma before the next record of the list */
    char buffer[32768];
} map_writer;

static strata_lock map_lock = STRATA_LOCK_INIT;
static map_writer map_out; /* under map_lock */

static void out_flush(map_writer *out)
{
    if (out->length > 0 && out->status == STRATA_OK)
        out->status = strata_platform_file_write(out->file, out->buffer, out->length);
    out->length = 0;
}

static void out_bytes(map_writer *out, const char *text, size_t length)
{
    while (length > 0) {
        if (out->length == sizeof out->buffer)
            out_flush(out);
        size_t room = sizeof out->buffer - out->length;
        size_t chunk = length < room ? length : room;
        memcpy(out->buffer + out->length, text, chunk);
        out->length += chunk;
        text += chunk;
        length -= chunk;
    }
}

/* Each formatted piece is short: a field or two. */
#define OUT(out, ...)                                                      \
    do {                                                                   \
        char piece_[256];                                                  \
        size_t length_ = strata_format(piece_, sizeof piece_, __VA_ARGS__); \
        out_bytes((out), piece_, length_);                                 \
    } while (0)

static const char *protect_name(uint32_t protect)
{
    switch (protect & 0xFFu) {
    case 0: return "";
    case STRATA_PAGE_NOACCESS: return "NOACCESS";
    case STRATA_PAGE_READONLY: return "READONLY";
    case STRATA_PAGE_READWRITE: return "READWRITE";
    case STRATA_PAGE_WRITECOPY: return "WRITECOPY";
    case STRATA_PAGE_EXECUTE: return "EXECUTE";
    case STRATA_PAGE_EXECUTE_READ: return "EXECUTE_READ";
    case STRATA_PAGE_EXECUTE_READWRITE: return "EXECUTE_READWRITE";
    case STRATA_PAGE_EXECUTE_WRITECOPY: return "EXECUTE_WRITECOPY";
    default: return "?";
    }
}

static const char *modifier_name(uint32_t protect)
{
    if (protect & STRATA_PAGE_GUARD)
        return "+GUARD";
    if (protect & STRATA_PAGE_NOCACHE)
        return "+NOCACHE";
    if (protect & STRATA_PAGE_WRITECOMBINE)
        return "+WRITECOMBINE";
    return "";
}

static void out_separator(map_writer *out)
{
    if (!out->first_record)
        out_bytes(out, ",\n", 2);
    out->first_record = false;
}

static void write_region(void *context, const strata_heap_record *record)
{
    map_writer *out = context;
    const strata_vmm_region_info *r = &record->region;
    out_separator(out);
    OUT(out, "{\"base\":\"%p\",\"size\":%zu,\"state\":\"%s\",\"protect\":\"%s%s\",\"protect_value\":%u,",
        r->base, r->region_size, r->state == STRATA_MEM_COMMIT ? "commit" : "reserve", protect_name(r->protect),
        modifier_name(r->protect), (unsigned)r->protect);
    OUT(out, "\"type\":\"%s\",\"allocation_base\":\"%p\",\"allocation_protect\":\"%s%s\"",
        r->type == STRATA_MEM_MAPPED ? "mapped" : "private", r->allocation_base, protect_name(r->allocation_protect),
        modifier_name(r->allocation_protect));
    if (record->section != 0)
        OUT(out, ",\"section\":\"%p\",\"section_offset\":%zu", (void *)record->section,
            (size_t)record->section_offset);
    out_bytes(out, "}", 1);
}

static void write_heap_record(void *context, const strata_heap_record *record)
{
    map_writer *out = context;
    out_separator(out);
    switch (record->kind) {
    case STRATA_HEAP_RECORD_SEGMENT:
        OUT(out, "{\"kind\":\"segment\",\"address\":\"%p\",\"size\":%zu,\"committed\":%zu,\"index\":%u,",
            record->address, record->size, record->committed, (unsigned)record->index);
        OUT(out, "\"busy_blocks\":%zu,\"busy_bytes\":%zu,\"metadata\":%zu}", record->busy_blocks, record->busy_bytes,
            record->metadata);
        break;
    case STRATA_HEAP_RECORD_PAGE:
        OUT(out, "{\"kind\":\"page\",\"address\":\"%p\",\"size\":%zu,\"class\":%u,\"stride\":%u,", record->address,
            record->size, (unsigned)record->size_class, (unsigned)record->stride);
        OUT(out, "\"capacity\":%u,\"used\":%u,\"pending\":%u,\"owner\":\"%p\"}", (unsigned)record->capacity,
            (unsigned)record->used, (unsigned)record->pending, (void *)record->owner);
        break;
    case STRATA_HEAP_RECORD_FREE:
        OUT(out, "{\"kind\":\"free\",\"address\":\"%p\",\"size\":%zu}", record->address, record->size);
        break;
    case STRATA_HEAP_RECORD_LARGE:
    case STRATA_HEAP_RECORD_LARGE_CACHED:
        OUT(out, "{\"kind\":\"%s\",\"address\":\"%p\",\"size\":%zu,\"committed\":%zu,\"reserved\":%zu}",
            record->kind == STRATA_HEAP_RECORD_LARGE ? "large" : "large_cached", record->address, record->size,
            record->committed, record->reserved);
        break;
    default:
        OUT(out, "{\"kind\":\"unknown\"}");
        break;
    }
}

/* Totals over the regions, in a first pass so they lead the file. */
typedef struct region_totals {
    size_t regions, reserved, committed, mapped, private_committed;
} region_totals;

static void count_region(void *context, const strata_heap_record *record)
{
    region_totals *totals = context;
    totals->regions++;
    totals->reserved += record->size;
    if (record->region.state == STRATA_MEM_COMMIT) {
        totals->committed += record->size;
        if (record->region.type == STRATA_MEM_PRIVATE)
            totals->private_committed += record->size;
    }
    if (record->region.type == STRATA_MEM_MAPPED)
        totals->mapped += record->size;
}

static void write_json(map_writer *out)
{
    region_totals totals = {0};
    strata_heap_snapshot_regions(count_region, &totals);
    strata_heap *heaps[MAP_HEAPS_MAX];
    size_t heap_count = strata_heap_list(heaps, MAP_HEAPS_MAX);
    size_t listed = heap_count < MAP_HEAPS_MAX ? heap_count : MAP_HEAPS_MAX;
    strata_heap *crt = atomic_load_explicit(&crt_heap_pointer, memory_order_acquire);

    OUT(out, "{\"format\":\"strata-map\",\"version\":1,\"process_id\":%u,\n",
        (unsigned)strata_platform_process_id());
    OUT(out, "\"totals\":{\"regions\":%zu,\"reserved\":%zu,\"committed\":%zu,\"mapped\":%zu,", totals.regions,
        totals.reserved, totals.committed, totals.mapped);
    OUT(out, "\"private_committed\":%zu,\"heaps\":%zu,\"heaps_omitted\":%zu},\n\"regions\":[\n",
        totals.private_committed, heap_count, heap_count - listed);
    out->first_record = true;
    strata_heap_snapshot_regions(write_region, out);
    out_bytes(out, "],\n\"heaps\":[\n", 13);
    for (size_t i = 0; i < listed; i++) {
        strata_heap_stats stats = {0};
        strata_heap_get_stats(heaps[i], &stats);
        OUT(out, "%s{\"base\":\"%p\",\"flags\":%u,\"process\":%s,\"crt\":%s,", i > 0 ? ",\n" : "", (void *)heaps[i],
            (unsigned)strata_heap_flags(heaps[i]), i == 0 ? "true" : "false", heaps[i] == crt ? "true" : "false");
        OUT(out, "\"reserved\":%zu,\"committed\":%zu,\"peak_committed\":%zu,\"segments\":%zu,\"large_blocks\":%zu,",
            stats.reserved_bytes, stats.committed_bytes, stats.peak_committed_bytes, stats.segments,
            stats.large_blocks);
        out_bytes(out, "\"records\":[\n", 12);
        out->first_record = true;
        strata_heap_snapshot(heaps[i], write_heap_record, out);
        out_bytes(out, "]}", 2);
    }
    out_bytes(out, "]}\n", 3);
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

STRATA_API strata_status strata_map_write(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return STRATA_E_INVALID_PARAMETER;
    strata_lock_acquire(&map_lock);
    map_writer *out = &map_out;
    strata_status status = strata_platform_file_open(path, true, STRATA_FILE_CREATE_ALWAYS, &out->file);
    if (status == STRATA_OK) {
        out->status = STRATA_OK;
        out->length = 0;
        bool page = ends_with(path, ".html") || ends_with(path, ".htm");
        if (page)
            out_bytes(out, (const char *)crt_map_page_head, crt_map_page_head_length);
        write_json(out);
        if (page)
            out_bytes(out, (const char *)crt_map_page_tail, crt_map_page_tail_length);
        out_flush(out);
        status = out->status;
        strata_status closed = strata_platform_file_close(out->file);
        if (status == STRATA_OK)
            status = closed;
    }
    strata_lock_release(&map_lock);
    return status;
}

/* ---- When: at exit, and after a signal ------------------------------------------- */

static char map_path[MAP_PATH_MAX]; /* STRATA_MAP, read once when the crt heap is chosen */
volatile sig_atomic_t crt_map_requested;

/* The settings, straight from the environment for now: STRATA_MAP=FILE and
 * STRATA_MAP_SIGNAL=NAME. Returns the signal number, 0 for none. */
static int map_settings(char *path, size_t capacity)
{
    size_t length = 0;
    if (strata_env_get("STRATA_MAP", path, capacity, &length) != STRATA_OK)
        path[0] = '\0';
    char name[32];
    if (strata_env_get("STRATA_MAP_SIGNAL", name, sizeof name, &length) != STRATA_OK || length == 0)
        return 0;
    const char *bare = strncmp(name, "SIG", 3) == 0 ? name + 3 : name;
#if defined(SIGUSR1) && defined(SIGUSR2)
    if (strcmp(bare, "USR1") == 0)
        return SIGUSR1;
    if (strcmp(bare, "USR2") == 0)
        return SIGUSR2;
#endif
    int number = 0;
    for (const char *c = bare; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || number > 1000)
            return -1;
        number = number * 10 + (*c - '0');
    }
    return number > 0 ? number : -1;
}

static void map_at_exit(void)
{
    if (strata_map_write(map_path) != STRATA_OK) {
        static const char message[] = "strata: STRATA_MAP: the map could not be written\n";
        strata_write_error(message, sizeof message - 1);
    }
}

/* The handler only raises the flag: nothing else is safe in a handler. */
static void map_on_signal(int signal_number)
{
    (void)signal_number;
    crt_map_requested = 1;
}

/* The n-th map asked for by signal goes beside the exit one: FILE-n.html
 * for FILE.html, so the exit map does not replace it. */
static void numbered_path(char *out, size_t capacity, unsigned n)
{
    const char *dot = strrchr(map_path, '.');
    const char *slash = strrchr(map_path, '/');
    const char *backslash = strrchr(map_path, '\\');
    if (backslash != NULL && (slash == NULL || backslash > slash))
        slash = backslash;
    if (dot == NULL || (slash != NULL && dot < slash))
        dot = map_path + strlen(map_path);
    size_t stem = (size_t)(dot - map_path);
    if (stem >= capacity)
        stem = capacity - 1;
    memcpy(out, map_path, stem);
    strata_format(out + stem, capacity - stem, "-%u%s", n, dot);
}

/* Threads that see the flag together take one map: the first clears the
 * flag under the lock, the others find it cleared. */
void crt_map_service(void)
{
    static strata_lock service_lock = STRATA_LOCK_INIT;
    static unsigned taken;
    static char path[MAP_PATH_MAX + 16];
    strata_lock_acquire(&service_lock);
    if (crt_map_requested && map_path[0] != '\0') {
        crt_map_requested = 0;
        numbered_path(path, sizeof path, ++taken);
        if (strata_map_write(path) != STRATA_OK) {
            static const char message[] = "strata: STRATA_MAP_SIGNAL: the map could not be written\n";
            strata_write_error(message, sizeof message - 1);
        }
    }
    crt_map_requested = 0;
    strata_lock_release(&service_lock);
}

void crt_map_setup(void)
{
    int signal_number = map_settings(map_path, sizeof map_path);
    if (map_path[0] == '\0')
        return;
    strata_keep_error_stream();
    atexit(map_at_exit);
    if (signal_number < 0 || (signal_number > 0 && signal(signal_number, map_on_signal) == SIG_ERR)) {
        static const char message[] = "strata: STRATA_MAP_SIGNAL: not a signal strata can use (try SIGUSR2)\n";
        strata_write_error(message, sizeof message - 1);
    }
}
