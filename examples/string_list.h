/* SPDX-License-Identifier: MIT */
/*
 * examples/string_list.h — a growable list of string copies kept on a heap
 * the caller passes in: the kind of code a program owns and wants to test
 * against memory running out (test_string_list.c does, with strata::testing).
 */
#ifndef EXAMPLE_STRING_LIST_H
#define EXAMPLE_STRING_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <strata/heap.h>

typedef struct string_list {
    strata_heap *heap;
    char **items;
    size_t count, capacity;
} string_list;

/* An empty list on `heap`. */
void string_list_init(string_list *list, strata_heap *heap);

/* Appends a copy of `text`. False when the heap cannot give the memory; the
 * list is then as it was. */
bool string_list_add(string_list *list, const char *text);

/* Frees every copy and the list's array. */
void string_list_clear(string_list *list);

#endif /* EXAMPLE_STRING_LIST_H */
