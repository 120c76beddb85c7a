/* SPDX-License-Identifier: MIT */
/*
 * crt/stats.c — what the crt reports: STRATA_STATS's statistics and
 * STRATA_LEAKS's leak report at exit (to standard error or STRATA_OUTPUT),
 * strata_stats_print, strata_crt_get_usage, and glibc's malloc_stats and
 * malloc_info over them. Nothing here allocates from the CRT heap while it
 * walks it.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------------------- */

void crt_print(const crt_writer *writer, const char *format, ...)
{
    char line[1024];
    va_list arguments;
    va_start(arguments, format);
    /* strata_format takes no va_list: format the pieces with it one by one. */
    size_t length = 0;
    for (const char *at = format; *at != '\0' && length + 1 < sizeof line;) {
        if (*at != '%') {
            line[length++] = *at++;
            continue;
        }
        const char *start = at++;
        if (*at == 'z')
            at++;
        char spec[4] = {0};
        memcpy(spec, start, (size_t)(at - start) + 1);
        size_t room = sizeof line - length;
        switch (*at) {
        case 's':
            length += strata_format(line + length, room, "%s", va_arg(arguments, const char *));
            break;
        case 'p':
            length += strata_format(line + length, room, "%p", va_arg(arguments, void *));
            break;
        case 'u':
            length += strata_format(line + length, room, "%zu", spec[1] == 'z' ? va_arg(arguments, size_t)
                                                                           : (size_t)va_arg(arguments, unsigned));
            break;
        case 'x':
            length += strata_format(line + length, room, "%zx", spec[1] == 'z' ? va_arg(arguments, size_t)
                                                                           : (size_t)va_arg(arguments, unsigned));
            break;
        case 'd':
            length += strata_format(line + length, room, "%d", va_arg(arguments, int));
            break;
        default:
            line[length++] = '%';
            at--;
            break;
        }
        at++;
    }
    va_end(arguments);
    writer->write(writer->context, line, length);
}

size_t crt_describe_process(char *buffer, size_t capacity)
{
    char name[64];
    strata_platform_process_name(name, sizeof name);
    return strata_format(buffer, capacity, "pid %u (%s)", (unsigned)strata_platform_process_id(),
                         name[0] != '\0' ? name : "?");
}

/* ---- the walk ------------------------------------------------------------------------- */

/* Size classes of the level-2 report: class c holds sizes up to 16 << c. */
#define SIZE_CLASSES 40

typedef struct walk_totals {
    strata_crt_usage usage;
    size_t class_blocks[SIZE_CLASSES];
    size_t class_bytes[SIZE_CLASSES];
} walk_totals;

static unsigned size_class(size_t size)
{
    unsigned c = 0;
    while (c + 1 < SIZE_CLASSES && size > ((size_t)16 << c))
        c++;
    return c;
}

static strata_status walk_crt_heap(walk_totals *totals)
{
    memset(totals, 0, sizeof *totals);
    strata_heap *heap = crt_heap();
    if (heap == NULL)
        return STRATA_E_NO_MEMORY;
    strata_heap_stats stats;
    if (strata_heap_get_stats(heap, &stats) == STRATA_OK)
        totals->usage.committed = stats.committed_bytes;
    strata_heap_entry entry;
    memset(&entry, 0, sizeof entry);
    strata_heap_lock(heap);
    while (strata_heap_walk(heap, &entry) == STRATA_OK) {
        if (entry.flags & (STRATA_HEAP_ENTRY_REGION | STRATA_HEAP_ENTRY_UNCOMMITTED))
            continue;
        if (!(entry.flags & STRATA_HEAP_ENTRY_BUSY)) {
            totals->usage.free_blocks++;
            totals->usage.free_bytes += entry.size;
            continue;
        }
        totals->usage.busy_blocks++;
        totals->usage.busy_bytes += entry.size;
        if (entry.region_index == STRATA_HEAP_LARGE_REGION_INDEX) {
            totals->usage.large_blocks++;
            totals->usage.large_bytes += entry.size;
        }
        unsigned c = size_class(entry.size);
        totals->class_blocks[c]++;
        totals->class_bytes[c] += entry.size;
    }
    strata_heap_unlock(heap);
    return STRATA_OK;
}

STRATA_API strata_status strata_crt_get_usage(strata_crt_usage *out)
{
    if (out == NULL)
        return STRATA_E_INVALID_PARAMETER;
    walk_totals totals;
    strata_status status = walk_crt_heap(&totals);
    *out = totals.usage;
    return status;
}

/* ---- the statistics report -------------------------------------------------------------- */

static void print_stats(const crt_writer *writer, long level)
{
    strata_crt_stats crt;
    strata_crt_get_stats(&crt);
    size_t heaps = strata_heap_list(NULL, 0);
    char process[96];
    crt_describe_process(process, sizeof process);
    walk_totals totals;
    bool walked = level >= 2 && walk_crt_heap(&totals) == STRATA_OK;
    if (crt_counting)
        crt_print(writer,
                  "strata: %s: %zu allocations, %zu frees, %zu failed; live %zu bytes (peak %zu); "
                  "committed %zu KiB (peak %zu KiB) of %zu KiB reserved; heaps: %zu\n",
                  process, (size_t)crt.allocations, (size_t)crt.frees, (size_t)crt.failures, crt.live_bytes,
                  crt.peak_live_bytes, crt.committed >> 10, crt.peak_committed >> 10, crt.reserved >> 10, heaps);
    else
        crt_print(writer,
                  "strata: %s: allocations not counted; committed %zu KiB (peak %zu KiB) of %zu KiB reserved; "
                  "heaps: %zu\n",
                  process, crt.committed >> 10, crt.peak_committed >> 10, crt.reserved >> 10, heaps);
    if (level < 2)
        return;
    if (walked) {
        crt_print(writer, "strata:   crt heap: live blocks %zu, bytes %zu; free blocks %zu, bytes %zu; large blocks %zu, bytes %zu\n",
                  totals.usage.busy_blocks, totals.usage.busy_bytes, totals.usage.free_blocks,
                  totals.usage.free_bytes, totals.usage.large_blocks, totals.usage.large_bytes);
        for (unsigned c = 0; c < SIZE_CLASSES; c++) {
            if (totals.class_blocks[c] != 0)
                crt_print(writer, "strata:   size up to %zu: blocks %zu, bytes %zu\n", (size_t)16 << c,
                          totals.class_blocks[c], totals.class_bytes[c]);
        }
    }
    strata_heap *list[16];
    size_t count = strata_heap_list(list, 16);
    for (size_t i = 0; i < count && i < 16; i++) {
        strata_heap_stats stats;
        if (strata_heap_get_stats(list[i], &stats) != STRATA_OK)
            continue;
        crt_print(writer,
                  "strata:   heap %p%s: committed %zu KiB (peak %zu KiB) of %zu KiB reserved; segments %zu, "
                  "large blocks %zu\n",
                  (void *)list[i], list[i] == crt_heap() ? " (crt)" : "", stats.committed_bytes >> 10,
                  stats.peak_committed_bytes >> 10, stats.reserved_bytes >> 10, stats.segments,
                  stats.large_blocks);
    }
    if (count > 16)
        crt_print(writer, "strata:   and %zu more heaps\n", count - 16);
}

STRATA_API void strata_stats_print(strata_write_fn write, void *context)
{
    if (write == NULL)
        return;
    crt_writer writer = {write, context};
    long level = crt_option_int(CRT_OPTION_STATS);
    print_stats(&writer, level < 1 ? 1 : level);
}

static void to_error_stream(void *context, const char *text, size_t length)
{
    (void)context;
    strata_write_error(text, length);
}

STRATA_API void strata_malloc_stats(void)
{
    crt_writer writer = {to_error_stream, NULL};
    print_stats(&writer, 2);
}

STRATA_API int strata_malloc_info(int options, FILE *stream)
{
    if (options != 0 || stream == NULL) {
        errno = EINVAL;
        return -1;
    }
    walk_totals totals;
    walk_crt_heap(&totals);
    strata_crt_stats crt;
    strata_crt_get_stats(&crt);
    /* Written after the walk: fprintf may allocate. */
    fprintf(stream, "<malloc version=\"strata-1\">\n");
    fprintf(stream, "<heap kind=\"crt\">\n");
    for (unsigned c = 0; c < SIZE_CLASSES; c++) {
        if (totals.class_blocks[c] != 0)
            fprintf(stream, "<class upto=\"%zu\" live=\"%zu\" bytes=\"%zu\"/>\n", (size_t)16 << c,
                    totals.class_blocks[c], totals.class_bytes[c]);
    }
    fprintf(stream, "<live blocks=\"%zu\" bytes=\"%zu\"/>\n", totals.usage.busy_blocks, totals.usage.busy_bytes);
    fprintf(stream, "<free blocks=\"%zu\" bytes=\"%zu\"/>\n", totals.usage.free_blocks, totals.usage.free_bytes);
    fprintf(stream, "<large blocks=\"%zu\" bytes=\"%zu\"/>\n", totals.usage.large_blocks, totals.usage.large_bytes);
    fprintf(stream, "<memory committed=\"%zu\" peak=\"%zu\" reserved=\"%zu\"/>\n", crt.committed,
            crt.peak_committed, crt.reserved);
    fprintf(stream, "</heap>\n</malloc>\n");
    return 0;
}

/* ---- at exit ----------------------------------------------------------------------------- */

static void to_file(void *context, const char *text, size_t length)
{
    (void)strata_platform_file_write(*(strata_native_file *)context, text, length); /* reports ignore errors */
}

static void report(void)
{
    long stats = crt_option_int(CRT_OPTION_STATS);
    long leaks = crt_option_int(CRT_OPTION_LEAKS);
    if (stats == 0 && leaks == CRT_LEAKS_OFF)
        return;
    crt_writer writer = {to_error_stream, NULL};
    strata_native_file file = STRATA_NO_FILE;
    const char *output = crt_option_string(CRT_OPTION_OUTPUT);
    if (output[0] != '\0') {
        if (strata_platform_file_append(output, &file) == STRATA_OK) {
            writer.write = to_file;
            writer.context = &file;
        } else {
            crt_print(&writer, "strata: warning: STRATA_OUTPUT=%s cannot be opened; writing to standard error\n",
                      output);
        }
    }
    if (stats > 0)
        print_stats(&writer, stats);
    if (leaks != CRT_LEAKS_OFF)
        crt_leak_report(&writer);
    if (writer.write == to_file)
        strata_platform_file_close(file);
}

/* Registered as early as the process allows — the first allocation or the
 * constructor below, whichever comes first — so that, atexit handlers
 * running in reverse order, the report comes after the program's own
 * handlers and leaves out what they free. */
void crt_report_at_exit(void)
{
    static atomic_flag registered = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&registered))
        return;
    if (crt_option_int(CRT_OPTION_STATS) == 0 && crt_option_int(CRT_OPTION_LEAKS) == CRT_LEAKS_OFF)
        return;
    strata_keep_error_stream(); /* programs may close stderr before atexit handlers run */
    atexit(report);
}

#if defined(__GNUC__) || defined(__clang__)
/* A program that never allocates still reads its options and reports; the
 * CRT heap is not fixed here, so strata_crt_set_heap still works after. */
__attribute__((constructor(101))) static void crt_start(void)
{
    crt_startup();
    crt_purge_background_start(); /* here, not from inside a first malloc: starting a thread allocates */
    if (crt_option_int(CRT_OPTION_LEAKS) == CRT_LEAKS_STACK && !crt_recording && crt_record_start()) {
        /* From here on malloc and free take their slow paths, which record. */
        crt_recording = true;
        atomic_store_explicit(&crt_fast_heap, NULL, memory_order_release);
    }
}
#endif
