/* SPDX-License-Identifier: MIT */
/*
 * tests/misuse/misuse.c — the misuse scenarios' common parts (misuse.h).
 */
/* mingw: C99 printf directives (%zu, %llu) rather than msvcrt's. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
#define __USE_MINGW_ANSI_STDIO 1
#endif
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "misuse.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strata/platform.h>

#include "../support/check.h"
#include "../support/child.h"

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif

/* ---- The two APIs ------------------------------------------------------------ */

static strata_heap *own_heap;

static strata_heap *heap_of_heap_api(void)
{
    if (own_heap == NULL && strata_heap_create(NULL, 0, 0, 0, &own_heap) != STRATA_OK)
        exit(90);
    return own_heap;
}
static void *heap_alloc(size_t size) { return strata_heap_alloc(heap_of_heap_api(), 0, size); }
static void heap_release(void *block) { strata_heap_free(heap_of_heap_api(), 0, block); }
static void *heap_resize(void *block, size_t size) { return strata_heap_realloc(heap_of_heap_api(), 0, block, size); }
static size_t heap_usable(const void *block) { return strata_heap_usable_size(heap_of_heap_api(), block); }

static const misuse_api heap_api = {"heap", heap_of_heap_api, heap_alloc, heap_release, heap_resize, heap_usable};
static const misuse_api crt_api = {"crt", strata_crt_heap, strata_malloc, strata_free, strata_realloc,
                                   strata_malloc_usable_size};

/* Not STRATA_: strata warns about STRATA_ variables it does not know. */
#define API_VARIABLE "TEST_STRATA_MISUSE_API"

static void set_environment(const char *name, const char *value)
{
#if defined(_WIN32)
    SetEnvironmentVariableA(name, value);
    _putenv_s(name, value);
#else
    setenv(name, value, 1);
#endif
}

bool select_api(const char *name)
{
    if (strcmp(name, "heap") != 0 && strcmp(name, "crt") != 0)
        return false;
    set_environment(API_VARIABLE, name);
    return true;
}

const misuse_api *api(void)
{
    const char *name = getenv(API_VARIABLE);
    return name != NULL && strcmp(name, "crt") == 0 ? &crt_api : &heap_api;
}

/* ---- Child side ---------------------------------------------------------------- */

void announce(const void *address, const char *check)
{
    fprintf(stderr, "expect: strata: heap 0x%llx: %s at 0x%llx\n", (unsigned long long)(uintptr_t)api()->heap(),
            check, (unsigned long long)(uintptr_t)address);
    fflush(stderr);
}

void announce_prefix(const char *check)
{
    fprintf(stderr, "expect: strata: heap 0x%llx: %s at 0x\n", (unsigned long long)(uintptr_t)api()->heap(), check);
    fflush(stderr);
}

void announce_guard(const char *kind, const void *address, const void *block, size_t size)
{
    fprintf(stderr, "expect: strata: heap 0x%llx: %s at 0x%llx (block 0x%llx, %zu bytes)\n",
            (unsigned long long)(uintptr_t)api()->heap(), kind, (unsigned long long)(uintptr_t)address,
            (unsigned long long)(uintptr_t)block, size);
    fflush(stderr);
}

void harmless(void)
{
    fprintf(stderr, "harmless\n");
    fflush(stderr);
}

void child_fail(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, format, arguments);
    fprintf(stderr, "\n");
    va_end(arguments);
    fflush(stderr);
    exit(1);
}

void xor_byte(void *address, uint8_t mask)
{
    VALGRIND_MAKE_MEM_DEFINED(address, 1);
    *(volatile uint8_t *)address ^= mask;
}

void xor_word(void *address, uint64_t mask)
{
    VALGRIND_MAKE_MEM_DEFINED(address, sizeof mask);
    volatile uint64_t *word = (volatile uint64_t *)address;
    *word ^= mask;
}

uint8_t pattern_at(unsigned seed, size_t offset)
{
    return (uint8_t)(seed * 0x9Du + offset * 7u + (offset >> 8) + 1u);
}

void fill(void *block, size_t size, unsigned seed)
{
    uint8_t *bytes = block;
    for (size_t i = 0; i < size; i++)
        bytes[i] = pattern_at(seed, i);
}

size_t first_damage(const void *block, size_t size, unsigned seed)
{
    const uint8_t *bytes = block;
    for (size_t i = 0; i < size; i++)
        if (bytes[i] != pattern_at(seed, i))
            return i;
    return SIZE_MAX;
}

bool overlaps(const void *a, size_t a_size, const void *b, size_t b_size)
{
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    if (a_size == 0)
        a_size = 1;
    if (b_size == 0)
        b_size = 1;
    return a0 < b0 + b_size && b0 < a0 + a_size;
}

void *unmapped_address(void)
{
    void *base = NULL;
    if (strata_platform_reserve(1u << 16, 0, NULL, &base) != STRATA_OK)
        exit(91);
    strata_platform_release(base, 1u << 16);
    return (char *)base + 0x100;
}

void *noaccess_address(void)
{
    void *base = NULL;
    if (strata_platform_reserve(1u << 16, 0, NULL, &base) != STRATA_OK) /* reserved: no access */
        exit(91);
    return (char *)base + 0x100;
}

void set_param(const char *name, unsigned long value)
{
    char text[32];
    snprintf(text, sizeof text, "%lu", value);
    set_environment(name, text);
}

unsigned long get_param(const char *name)
{
    const char *text = getenv(name);
    return text != NULL ? strtoul(text, NULL, 10) : 0;
}

/* ---- Parent side --------------------------------------------------------------- */

/* The line starting at `line`, without its end, into `out`. */
static const char *take_line(const char *line, char *out, size_t out_size)
{
    size_t length = strcspn(line, "\r\n");
    size_t keep = length < out_size - 1 ? length : out_size - 1;
    memcpy(out, line, keep);
    out[keep] = '\0';
    line += length;
    while (*line == '\r' || *line == '\n')
        line++;
    return line;
}

static bool line_matches(const char *printed, const char *expected)
{
    size_t length = strlen(expected);
    bool prefix = length >= 5 && strcmp(expected + length - 5, "at 0x") == 0;
    if (prefix)
        return strncmp(printed, expected, length) == 0 && printed[length] != '\0';
    return strcmp(printed, expected) == 0;
}

static bool died_as_fatal_does(const child_result *result)
{
#if defined(_WIN32)
    return result->exited && result->exit_code == 3;
#else
    return !result->exited && result->signal_number == SIGABRT;
#endif
}

static void describe_end(const child_result *result, char *out, size_t out_size)
{
    if (result->exited)
        snprintf(out, out_size, "exited with code %d", result->exit_code);
    else
        snprintf(out, out_size, "was killed by signal %d%s", result->signal_number,
                 result->signal_number == SIGSEGV ? " (SIGSEGV)"
                 : result->signal_number == SIGABRT ? " (SIGABRT)" : "");
}

bool judge_child(const char *name, outcome expected, char *why, size_t why_size)
{
    static child_result result; /* large: not on the stack */
    if (!child_run(name, &result)) {
        snprintf(why, why_size, "could not start the child");
        return false;
    }
    char expectations[8][512];
    int count = 0;
    char printed[512] = "";
    bool said_harmless = false;
    char failure[512] = "";
    for (const char *line = result.output; *line != '\0';) {
        char text[512];
        line = take_line(line, text, sizeof text);
        if (strncmp(text, "expect: ", 8) == 0) {
            if (count < 8)
                snprintf(expectations[count++], sizeof expectations[0], "%s", text + 8);
        } else if (strcmp(text, "harmless") == 0) {
            said_harmless = true;
        } else if (strncmp(text, "FAIL: ", 6) == 0) {
            snprintf(failure, sizeof failure, "%s", text + 6);
        } else if (printed[0] == '\0') {
            snprintf(printed, sizeof printed, "%s", text);
        }
    }
    char end[64];
    describe_end(&result, end, sizeof end);

    /* Children leave their blocks behind; under memcheck (--error-exitcode=99)
     * that alone makes the exit code 99, which counts as a clean end when
     * memcheck reported nothing but leaks. */
    bool only_leaks = child_under_valgrind() && result.exit_code == 99 && strstr(result.output, "Invalid ") == NULL &&
                      strstr(result.output, "uninitialised") == NULL && strstr(result.output, "Mismatched") == NULL &&
                      strstr(result.output, "overlap") == NULL;
    bool clean_exit = result.exited && (result.exit_code == 0 || only_leaks) && said_harmless;
    if (expected != DIES && clean_exit)
        return true;
    if (failure[0] != '\0') {
        snprintf(why, why_size, "%s", failure);
        return false;
    }
    if (expected == HARMLESS) {
        snprintf(why, why_size, "must be harmless but %s%s%s", end, printed[0] ? ", printing: " : "", printed);
        return false;
    }
    if (result.exited && said_harmless) {
        snprintf(why, why_size, "passed silently (expected: %s)", count > 0 ? expectations[0] : "?");
        return false;
    }
    if (!died_as_fatal_does(&result)) {
        snprintf(why, why_size, "%s instead of aborting%s%s", end, printed[0] ? ", printing: " : "", printed);
        return false;
    }
    for (int i = 0; i < count; i++)
        if (line_matches(printed, expectations[i]))
            return true;
    snprintf(why, why_size, "printed \"%s\", expected \"%s\"%s", printed, count > 0 ? expectations[0] : "?",
             count > 1 ? " (or another announced line)" : "");
    return false;
}
