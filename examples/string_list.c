/* SPDX-License-Identifier: MIT */
/*
 * examples/string_list.c — see string_list.h.
 */
#include "string_list.h"

#include <string.h>

void string_list_init(string_list *list, strata_heap *heap)
{
    list->heap = heap;
    list->items = NULL;
    list->count = list->capacity = 0;
}

/* Room for one more item, growing the array by half; false if the heap refuses. */
static bool reserve_one(string_list *list)
{
    if (list->count < list->capacity)
        return true;
    size_t capacity = list->capacity < 8 ? 8 : list->capacity + list->capacity / 2;
    char **items = list->items == NULL
                       ? strata_heap_alloc(list->heap, 0, capacity * sizeof *items)
                       : strata_heap_realloc(list->heap, 0, list->items, capacity * sizeof *items);
    if (items == NULL)
        return false; /* a failed realloc leaves the old array in place */
    list->items = items;
    list->capacity = capacity;
    return true;
}

bool string_list_add(string_list *list, const char *text)
{
    if (!reserve_one(list))
        return false;
    size_t length = strlen(text) + 1;
    char *copy = strata_heap_alloc(list->heap, 0, length);
    if (copy == NULL)
        return false;
    memcpy(copy, text, length);
    list->items[list->count++] = copy;
    return true;
}

void string_list_clear(string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        strata_heap_free(list->heap, 0, list->items[i]);
    if (list->items != NULL)
        strata_heap_free(list->heap, 0, list->items);
    string_list_init(list, list->heap);
}
