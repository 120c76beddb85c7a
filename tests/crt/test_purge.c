/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/test_purge.c — memory a program freed goes back to the OS while
 * it stays idle, with STRATA_PURGE_BACKGROUND=1, and not without it (the
 * heap purges from its own allocations and frees). Each run is a fresh
 * process started with the options in its environment; it frees 24 MiB of
 * blocks it touched (less than the 32 MiB that are purged at once), then
 * sleeps, and reports its resident set before and after.
 */
#include <strata/crt.h>
#include <strata/platform.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"

enum { BLOCK_BYTES = 16 << 10, BLOCKS = (24 << 20) / BLOCK_BYTES };

static size_t resident_kib(void)
{
    strata_process_memory memory;
    if (strata_platform_process_memory(&memory) != STRATA_OK)
        exit(4);
    return (size_t)(memory.resident >> 10);
}

/* ---- the child ------------------------------------------------------------------------ */

static void scenario_free_then_idle(void)
{
    static void *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = strata_malloc(BLOCK_BYTES);
        if (blocks[i] == NULL)
            exit(3);
        memset(blocks[i], 0x5A, BLOCK_BYTES);
    }
    for (int i = 0; i < BLOCKS; i++)
        strata_free(blocks[i]);
    size_t freed = resident_kib();
    strata_platform_sleep(600); /* six purge delays of 100 ms, and nothing allocated */
    size_t idle = resident_kib();
    char line[96];
    size_t length = strata_format(line, sizeof line, "resident freed %zu idle %zu\n", freed, idle);
    strata_write_error(line, length);
}

static const child_scenario scenarios[] = {
    {"free_then_idle", scenario_free_then_idle},
    {NULL, NULL},
};

/* ---- the parent ----------------------------------------------------------------------- */

/* Runs the child with STRATA_PURGE_DELAY=100 and STRATA_PURGE_BACKGROUND
 * `background`; returns the KiB the idle second gave back. */
static long given_back_while_idle(const char *background)
{
    child_set_env("STRATA_PURGE_DELAY", "100");
    child_set_env("STRATA_PURGE_BACKGROUND", background);
    child_result result;
    bool started = child_run_fresh("free_then_idle", &result);
    child_set_env("STRATA_PURGE_DELAY", NULL);
    child_set_env("STRATA_PURGE_BACKGROUND", NULL);
    assert_true(started);
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    unsigned long freed = 0, idle = 0;
    const char *line = strstr(result.output, "resident freed ");
    assert_non_null(line);
    assert_int_equal(sscanf(line, "resident freed %lu idle %lu", &freed, &idle), 2);
    return (long)freed - (long)idle;
}

static void test_an_idle_program_gives_back_with_the_background_purge(void **state)
{
    (void)state;
#if defined(_WIN32)
    skip(); /* MEM_RESET leaves the pages in the working set until Windows trims it */
#endif
    long given = given_back_while_idle("1");
    if (given < 16 * 1024)
        fail_msg("with the background purge an idle second gave back %ld KiB of 24 MiB freed", given);
}

static void test_an_idle_program_keeps_its_memory_without_it(void **state)
{
    (void)state;
#if defined(_WIN32)
    skip();
#endif
    long given = given_back_while_idle("0");
    if (given > 8 * 1024)
        fail_msg("without the background purge an idle second gave back %ld KiB: nothing should run", given);
}

int main(int argc, char **argv)
{
    int code = child_dispatch(argc, argv, scenarios);
    if (code >= 0)
        return code;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_idle_program_gives_back_with_the_background_purge),
        cmocka_unit_test(test_an_idle_program_keeps_its_memory_without_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
