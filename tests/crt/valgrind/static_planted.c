/* SPDX-License-Identifier: MIT */
/*
 * static_planted.c — a program with strata's malloc linked in statically
 * (libstrata.a's drop-in), run under memcheck by check_static.cmake:
 *   clean   a workload of the malloc family and the C library's own
 *           allocations (strdup, stdio): memcheck must report no error;
 *   leak    the same, plus one planted leak, which memcheck must report.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static void *volatile sink;

static int workload(void)
{
    char *text = strdup("strata under memcheck");
    char **table = calloc(64, sizeof *table);
    for (int i = 0; i < 64; i++) {
        table[i] = malloc((size_t)(i * 97 % 3000) + 1);
        memset(table[i], i, (size_t)(i * 97 % 3000) + 1);
    }
    for (int i = 0; i < 64; i += 2)
        table[i] = realloc(table[i], 5000);
    void *aligned = NULL;
    if (posix_memalign(&aligned, 4096, 100) != 0)
        return 1;
    memset(aligned, 1, 100);
    int sum = 0;
    for (int i = 0; i < 64; i++) {
        sum += table[i][0];
        free(table[i]);
    }
    free(table);
    free(aligned);
    printf("%s: %d\n", text, sum);
    free(text);
    return 0;
}

static NOINLINE void plant_leak_with_malloc(void)
{
    char *block = malloc(3333);
    memset(block, 7, 3333);
    sink = block;
    sink = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (workload() != 0)
        return 3;
    if (strcmp(argv[1], "leak") == 0)
        plant_leak_with_malloc();
    return 0;
}
