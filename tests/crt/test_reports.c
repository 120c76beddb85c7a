/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_reports.c — what the crt reports, seen from outside: each
 * scenario is a fresh process started with STRATA_STATS, STRATA_LEAKS or
 * STRATA_OUTPUT in its environment, and its standard error is compared
 * with what the scenario did (its pid, name and block addresses it prints
 * first). Also strata_stats_print and strata_crt_get_usage in-process.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <strata/crt.h>
#include <strata/platform.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#define OUTPUT_FILE "test_reports_output.txt"

static void say(const char *format, const void *pointer)
{
    char line[128];
    size_t length = strata_format(line, sizeof line, format, pointer);
    strata_write_error(line, length);
}

/* "child pid N name X": what the report's first line names. */
static void say_who(void)
{
    char name[64], line[128];
    strata_platform_process_name(name, sizeof name);
    size_t length = strata_format(line, sizeof line, "child pid %u name %s\n", (unsigned)strata_platform_process_id(), name);
    strata_write_error(line, length);
}

/* ---- child scenarios --------------------------------------------------------------------- */

static void scenario_quiet(void)
{
    say_who(); /* and nothing allocated */
}

static void scenario_counts(void)
{
    say_who();
    char *a = strata_malloc(100), *b = strata_malloc(100), *c = strata_malloc(100);
    strata_free(a);
    char *d = strata_calloc(2, 50);
    b = strata_realloc(b, 300);
    void *failed = strata_malloc(SIZE_MAX);
    if (b == NULL || c == NULL || d == NULL || failed != NULL)
        exit(3);
}

static void *freed_at_exit[2];

static void free_at_exit(void)
{
    strata_free(freed_at_exit[0]);
    strata_free(freed_at_exit[1]);
}

static void *filled(size_t size, int fill)
{
    void *block = strata_malloc(size);
    if (block == NULL)
        exit(3);
    memset(block, fill, size);
    return block;
}

static void scenario_leaky(void)
{
    say_who();
    atexit(free_at_exit); /* registered after strata's report: runs before it */
    freed_at_exit[0] = filled(777, 'x');
    freed_at_exit[1] = filled(64, 'y');
    say("big %p\n", filled(5000, 'B'));
    for (int i = 0; i < 3; i++)
        say("hundred %p\n", filled(100, 'A' + i));
    for (int i = 0; i < 5; i++)
        say("small %p\n", filled(24, 'D'));
    char *digits = filled(10, 0);
    memcpy(digits, "0123456789", 10);
    say("ten %p\n", digits);
    strata_free(filled(200, 'z'));
    void *moved = filled(48, 'm');
    strata_free(strata_realloc(moved, 4000));
}

static NOINLINE void *from_first_site(void)
{
    return filled(32, 'f');
}

static NOINLINE void *from_second_site(void)
{
    return filled(32, 's');
}

static void scenario_leaky_stacks(void)
{
    /* volatile: one call site each, not one per unrolled iteration */
    for (volatile int i = 0; i < 2; i++) {
        from_first_site();
        from_second_site();
    }
}

static const child_scenario scenarios[] = {
    {"quiet", scenario_quiet},
    {"counts", scenario_counts},
    {"leaky", scenario_leaky},
    {"leaky_stacks", scenario_leaky_stacks},
    {NULL, NULL},
};

/* ---- the parent's side --------------------------------------------------------------------- */

static void run_fresh(const char *name, const char *stats, const char *leaks, const char *output,
                      child_result *result)
{
    child_set_env("STRATA_STATS", stats);
    child_set_env("STRATA_LEAKS", leaks);
    child_set_env("STRATA_OUTPUT", output);
    bool started = child_run_fresh(name, result);
    child_set_env("STRATA_STATS", NULL);
    child_set_env("STRATA_LEAKS", NULL);
    child_set_env("STRATA_OUTPUT", NULL);
    assert_true(started);
    assert_true(result->exited);
    assert_int_equal(result->exit_code, 0);
}

/* Reads "child pid N name X\n" from the start of `text` (name: 63 bytes at
 * most); returns what follows. */
static const char *read_who(const char *text, unsigned *pid, char *name, size_t capacity)
{
    assert_true(capacity >= 64);
    assert_int_equal(sscanf(text, "child pid %u name %63s", pid, name), 2);
    const char *end = strchr(text, '\n');
    assert_non_null(end);
    return end + 1;
}

/* A decimal number at *text, which moves past it (no scanf: mingw's C
 * library does not read %zu). */
static size_t number(const char **text)
{
    char *end;
    unsigned long long value = strtoull(*text, &end, 10);
    assert_true(end != *text);
    *text = end;
    return (size_t)value;
}

static void pass(const char **text, const char *expected)
{
    assert_memory_equal(*text, expected, strlen(expected));
    *text += strlen(expected);
}

/* Checks a summary line: its exact start, then the memory figures' shape. */
static const char *check_summary(const char *text, const char *expected_start)
{
    pass(&text, expected_start);
    pass(&text, "committed ");
    size_t committed = number(&text);
    pass(&text, " KiB (peak ");
    size_t peak = number(&text);
    pass(&text, " KiB) of ");
    size_t reserved = number(&text);
    pass(&text, " KiB reserved; heaps: 1\n");
    assert_true(committed > 0 && committed <= peak && peak <= reserved);
    return text;
}

static void test_stats_line_even_without_allocations(void **state)
{
    (void)state;
    child_result result;
    run_fresh("quiet", "1", NULL, NULL, &result);
    unsigned pid;
    char name[64];
    const char *rest = read_who(result.output, &pid, name, sizeof name);
    char start[256];
    snprintf(start, sizeof start, "strata: pid %u (%s): 0 allocations, 0 frees, 0 failed; live 0 bytes (peak 0); ",
             pid, name);
    assert_string_equal(check_summary(rest, start), "");
}

static void test_stats_counts_live_and_peak_bytes(void **state)
{
    (void)state;
    child_result result;
    run_fresh("counts", "true", NULL, NULL, &result);
    unsigned pid;
    char name[64];
    const char *rest = read_who(result.output, &pid, name, sizeof name);
    char start[256];
    snprintf(start, sizeof start,
             "strata: pid %u (%s): 4 allocations, 1 frees, 1 failed; live 500 bytes (peak 500); ", pid, name);
    assert_string_equal(check_summary(rest, start), "");
}

static void test_stats_level_2_adds_size_classes_and_heaps(void **state)
{
    (void)state;
    child_result result;
    run_fresh("counts", "2", NULL, NULL, &result);
    unsigned pid;
    char name[64];
    const char *rest = read_who(result.output, &pid, name, sizeof name);
    char start[256];
    snprintf(start, sizeof start,
             "strata: pid %u (%s): 4 allocations, 1 frees, 1 failed; live 500 bytes (peak 500); ", pid, name);
    rest = check_summary(rest, start);
    const char *heap_line = "strata:   crt heap: live blocks 3, bytes 500; free blocks ";
    assert_memory_equal(rest, heap_line, strlen(heap_line));
    rest = strchr(rest, '\n') + 1;
    const char *classes = "strata:   size up to 128: blocks 2, bytes 200\n"
                          "strata:   size up to 512: blocks 1, bytes 300\n"
                          "strata:   heap ";
    assert_memory_equal(rest, classes, strlen(classes));
    assert_non_null(strstr(rest, " (crt): committed "));
    assert_string_equal(strchr(strstr(rest, "large blocks "), '\n'), "\n");
}

static void test_stats_go_to_the_output_file(void **state)
{
    (void)state;
    remove(OUTPUT_FILE);
    child_result result;
    run_fresh("counts", "1", NULL, OUTPUT_FILE, &result);
    unsigned pid;
    char name[64];
    assert_string_equal(read_who(result.output, &pid, name, sizeof name), ""); /* nothing else on stderr */
    FILE *file = fopen(OUTPUT_FILE, "r");
    assert_non_null(file);
    char text[1024] = "";
    size_t length = fread(text, 1, sizeof text - 1, file);
    text[length] = '\0';
    fclose(file);
    remove(OUTPUT_FILE);
    char start[256];
    snprintf(start, sizeof start,
             "strata: pid %u (%s): 4 allocations, 1 frees, 1 failed; live 500 bytes (peak 500); ", pid, name);
    assert_string_equal(check_summary(text, start), "");
}

typedef struct leaked {
    uintptr_t at;
    int fill;
} leaked;

static int by_address(const void *a, const void *b)
{
    uintptr_t x = ((const leaked *)a)->at, y = ((const leaked *)b)->at;
    return x < y ? -1 : x > y;
}

static size_t append(char *text, size_t length, size_t capacity, const char *format, const void *pointer)
{
    return length + strata_format(text + length, capacity - length, format, pointer);
}

/* " 41 41 ...\n": the first `count` bytes as the report shows them. */
static size_t append_bytes(char *text, size_t length, size_t capacity, const char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        length += strata_format(text + length, capacity - length, " %x%x", (unsigned)((unsigned char)bytes[i] >> 4),
                                (unsigned)(bytes[i] & 15));
    return length + strata_format(text + length, capacity - length, "\n");
}

/* The child's "kind address" lines, in allocation order; returns what follows them. */
static const char *read_blocks(const char *text, const char *kind, leaked *out, size_t capacity, size_t *count)
{
    *count = 0;
    for (const char *line = text; *line != '\0' && strncmp(line, "strata:", 7) != 0;) {
        const char *space = strchr(line, ' ');
        if (space != NULL && (size_t)(space - line) == strlen(kind) && strncmp(line, kind, strlen(kind)) == 0 &&
            *count < capacity) {
            out[*count].at = (uintptr_t)strtoull(space + 1, NULL, 16); /* "0x…", as strata_format's %p */
            out[*count].fill = (int)*count;
            (*count)++;
        }
        line = strchr(line, '\n') + 1;
        text = line;
    }
    return text;
}

/* Exactly the blocks left live at exit, largest groups first; none of those
 * an atexit handler freed, nor the freed or reallocated ones. */
static void test_leak_report_lists_exactly_the_leaked_blocks(void **state)
{
    (void)state;
    child_result result;
    run_fresh("leaky", NULL, "1", NULL, &result);
    unsigned pid;
    char name[64];
    const char *blocks = read_who(result.output, &pid, name, sizeof name);
    leaked big[1], hundred[3], small[5], ten[1];
    size_t count;
    read_blocks(blocks, "big", big, 1, &count);
    assert_int_equal(count, 1);
    read_blocks(blocks, "hundred", hundred, 3, &count);
    assert_int_equal(count, 3);
    read_blocks(blocks, "small", small, 5, &count);
    assert_int_equal(count, 5);
    const char *rest = read_blocks(blocks, "ten", ten, 1, &count);
    assert_int_equal(count, 1);
    qsort(hundred, 3, sizeof hundred[0], by_address);
    qsort(small, 5, sizeof small[0], by_address);

    char expected[4096];
    const size_t cap = sizeof expected;
    size_t n = (size_t)snprintf(expected, cap, "strata: leak report for pid %u (%s)\n", pid, name);
    n = append(expected, n, cap, "strata:   1 block of 5000 bytes (5000 bytes)\nstrata:     %p:", (void *)big[0].at);
    n = append_bytes(expected, n, cap, "BBBBBBBBBBBBBBBB", 16);
    n = append(expected, n, cap, "%sstrata:   3 blocks of 100 bytes (300 bytes)\n", "");
    for (int i = 0; i < 3; i++) {
        char fill[16];
        memset(fill, 'A' + hundred[i].fill, sizeof fill);
        n = append(expected, n, cap, "strata:     %p:", (void *)hundred[i].at);
        n = append_bytes(expected, n, cap, fill, 16);
    }
    n = append(expected, n, cap, "%sstrata:   5 blocks of 24 bytes (120 bytes)\n", "");
    for (int i = 0; i < 3; i++) { /* at most three addresses a group */
        n = append(expected, n, cap, "strata:     %p:", (void *)small[i].at);
        n = append_bytes(expected, n, cap, "DDDDDDDDDDDDDDDD", 16);
    }
    n = append(expected, n, cap, "strata:   1 block of 10 bytes (10 bytes)\nstrata:     %p:", (void *)ten[0].at);
    n = append_bytes(expected, n, cap, "0123456789", 10);
    append(expected, n, cap, "%sstrata: 10 blocks leaked, 5430 bytes in all\n", "");
    assert_string_equal(rest, expected);
}

static bool starts(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Grouped by the call stack that allocated: two sites, two groups of two,
 * where grouping by size would make one group of four. */
static void test_leak_report_by_stack_separates_call_sites(void **state)
{
    (void)state;
    child_result result;
    run_fresh("leaky_stacks", NULL, "stack", NULL, &result);
    const char *text = result.output;
    assert_memory_equal(text, "strata: leak report for pid ", 28);
    size_t groups = 0, frames = 0;
    for (const char *line = strchr(text, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1) {
        if (starts(line, "strata:   2 blocks, 64 bytes, allocated at\n"))
            groups++;
        else if (starts(line, "strata:     #"))
            frames++;
        else if (!starts(line, "strata:     0x") && !starts(line, "strata: 4 blocks leaked, 128 bytes in all\n"))
            fail_msg("unexpected line: %.80s", line);
    }
    assert_int_equal(groups, 2);
    assert_true(frames >= 4); /* at least the allocating function and its caller, per group */
    assert_non_null(strstr(text, "strata: 4 blocks leaked, 128 bytes in all\n"));
}

/* The report's callback gets whole lines; the usage walk sees a block come and go. */
static void collect(void *context, const char *text, size_t length)
{
    char *buffer = context;
    size_t used = strlen(buffer);
    if (used + length < 2048) {
        memcpy(buffer + used, text, length);
        buffer[used + length] = '\0';
    }
}

static void test_stats_print_writes_the_summary_line(void **state)
{
    (void)state;
    static char text[2048];
    text[0] = '\0';
    strata_stats_print(collect, text);
    char start[128];
    char name[64];
    strata_platform_process_name(name, sizeof name);
    snprintf(start, sizeof start, "strata: pid %u (%s): ", (unsigned)strata_platform_process_id(), name);
    assert_memory_equal(text, start, strlen(start));
    assert_non_null(strstr(text, " KiB reserved; heaps: "));
    assert_int_equal(text[strlen(text) - 1], '\n');
    strata_stats_print(NULL, text); /* nothing to write to: nothing happens */
}

static void test_usage_counts_a_block(void **state)
{
    (void)state;
    strata_crt_usage before, during, after;
    assert_int_equal(strata_crt_get_usage(&before), STRATA_OK);
    void *block = strata_malloc(3000);
    assert_non_null(block);
    assert_int_equal(strata_crt_get_usage(&during), STRATA_OK);
    strata_free(block);
    assert_int_equal(strata_crt_get_usage(&after), STRATA_OK);
    assert_int_equal(during.busy_blocks, before.busy_blocks + 1);
    assert_int_equal(during.busy_bytes, before.busy_bytes + 3000);
    assert_int_equal(after.busy_bytes, before.busy_bytes);
    assert_true(during.committed >= during.busy_bytes);
    assert_int_equal(strata_crt_get_usage(NULL), STRATA_E_INVALID_PARAMETER);
}

int main(int argc, char **argv)
{
    int code = child_dispatch(argc, argv, scenarios);
    if (code >= 0)
        return code;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_line_even_without_allocations),
        cmocka_unit_test(test_stats_counts_live_and_peak_bytes),
        cmocka_unit_test(test_stats_level_2_adds_size_classes_and_heaps),
        cmocka_unit_test(test_stats_go_to_the_output_file),
        cmocka_unit_test(test_leak_report_lists_exactly_the_leaked_blocks),
        cmocka_unit_test(test_leak_report_by_stack_separates_call_sites),
        cmocka_unit_test(test_stats_print_writes_the_summary_line),
        cmocka_unit_test(test_usage_counts_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
