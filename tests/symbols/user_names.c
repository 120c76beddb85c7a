/* SPDX-License-Identifier: MIT */
/*
 * tests/symbols/user_names.c — a program that defines, as its own
 * functions, every name strata once exported by accident, and links strata
 * statically. It must link (no duplicate definitions), its functions must
 * be the ones called, and strata must work beside them. Built against
 * libstrata.a (STRATA_TEST_DROPIN: malloc is strata's) and against the crt
 * layer's own library.
 */
#include <strata.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal_names.h"

/* Each returns its own name, so a call that reached strata's would show. */
#define DEFINE_NAME(name) \
    const char *name(void); \
    const char *name(void) { return #name; }
STRATA_TEST_INTERNAL_NAMES(DEFINE_NAME)

static const struct user_function {
    const char *name;
    const char *(*call)(void);
} user_functions[] = {
#define LIST_NAME(name) {#name, name},
    STRATA_TEST_INTERNAL_NAMES(LIST_NAME)
};

static int failures;

static void expect(int condition, const char *what)
{
    if (!condition) {
        printf("FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    size_t count = sizeof user_functions / sizeof user_functions[0];
    for (size_t i = 0; i < count; i++) {
        if (strcmp(user_functions[i].call(), user_functions[i].name) != 0) {
            printf("FAILED: %s is not the program's own\n", user_functions[i].name);
            failures++;
        }
    }

    /* The heap and crt layers, whose internal names these were, at work. */
    strata_heap *heap = NULL;
    expect(strata_heap_create(NULL, 0, 0, 0, &heap) == STRATA_OK, "strata_heap_create");
    void *small = strata_heap_alloc(heap, 0, 24);
    void *large = strata_heap_alloc(heap, STRATA_HEAP_ZERO_MEMORY, 4u << 20);
    expect(small != NULL && large != NULL, "heap blocks");
    expect(large != NULL && ((unsigned char *)large)[12345] == 0, "zeroed large block");
    expect(strata_heap_free(heap, 0, small) && strata_heap_free(heap, 0, large), "heap frees");
    expect(strata_heap_destroy(heap) == STRATA_OK, "strata_heap_destroy");

    strata_crt_count(1);
    strata_crt_stats before, after;
    strata_crt_get_stats(&before);
#if defined(STRATA_TEST_DROPIN)
    /* Through the standard names: the drop-in must have taken malloc. */
    char *block = malloc(100);
    expect(block != NULL, "malloc");
    block = realloc(block, 5000);
    expect(block != NULL && strata_malloc_usable_size(block) >= 5000, "realloc on strata's heap");
    free(block);
#else
    char *block = strata_malloc(100);
    expect(block != NULL, "strata_malloc");
    strata_free(block);
#endif
    strata_crt_get_stats(&after);
    strata_crt_count(0);
    expect(after.allocations > before.allocations && after.frees > before.frees,
           "the crt counted the allocation");

    if (failures != 0)
        return 1;
    printf("user names ok: %zu names of the program's own beside strata\n", count);
    return 0;
}
