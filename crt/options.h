/* SPDX-License-Identifier: MIT */
/*
 * crt/options.h — strata's run-time options: the one table (CRT_OPTIONS)
 * and its typed getters. Read once at start-up from STRATA_<NAME>
 * variables and STRATA_OPTIONS="name=value,..."; a STRATA_<NAME> variable
 * wins over the same name in STRATA_OPTIONS. docs/options.md shows this
 * table; tests/options checks that it matches.
 */
#ifndef STRATA_CRT_OPTIONS_H
#define STRATA_CRT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum crt_option_type { CRT_BOOL, CRT_INT, CRT_ENUM, CRT_STRING } crt_option_type;

/* X(ID, name, type, default, choices (enum: comma-separated), minimum, maximum (int), meaning).
 * The variable is STRATA_ and the name in capitals. An enum's value is the
 * index of its choice; enums whose first choices are 0 and 1 also take the
 * boolean words for them. */
#define CRT_OPTIONS(X)                                                                                               \
    X(STATS, "stats", CRT_ENUM, "0", "0,1,2", 0, 0,                                                                   \
      "statistics at exit: 1 one line per process, 2 also size classes and heaps")                                   \
    X(LEAKS, "leaks", CRT_ENUM, "0", "0,1,stack", 0, 0,                                                               \
      "leak report at exit: 1 live blocks grouped by size, stack grouped by allocating call stack")                  \
    X(OUTPUT, "output", CRT_STRING, "", NULL, 0, 0, "file the reports are appended to; empty: standard error")       \
    X(VERBOSE, "verbose", CRT_BOOL, "0", NULL, 0, 0, "print the options in force at start-up")                       \
    X(PURGE_DELAY, "purge_delay", CRT_INT, "1000", NULL, -1, 86400000,                                                \
      "milliseconds before freed memory goes back to the OS: 0 at once, -1 never")                                   \
    X(PURGE_BACKGROUND, "purge_background", CRT_BOOL, "0", NULL, 0, 0,                                                \
      "a thread gives freed memory back after the delay even while the program does not allocate")                  \
    X(MAP, "map", CRT_STRING, "", NULL, 0, 0, "file the memory map is written to; empty: none")                      \
    X(MAP_SIGNAL, "map_signal", CRT_STRING, "", NULL, 0, 0, "signal that writes the memory map (a name, e.g. USR2)") \
    X(GUARD, "guard", CRT_INT, "0", NULL, 0, 1000000000,                                                              \
      "guarded blocks (guard mode): 0 none, 1 every block, N one allocation in N")

typedef enum crt_option_id {
#define CRT_OPTION_ID(id, ...) CRT_OPTION_##id,
    CRT_OPTIONS(CRT_OPTION_ID)
#undef CRT_OPTION_ID
    CRT_OPTION_COUNT
} crt_option_id;

/* The longest string value kept (longer values are refused with a warning). */
#define CRT_OPTION_STRING_MAX 255

/* Where an option's value came from. */
typedef enum crt_option_source { CRT_FROM_DEFAULT, CRT_FROM_OPTIONS, CRT_FROM_VARIABLE } crt_option_source;

typedef struct crt_option_info {
    const char *name;     /* lower case, as in STRATA_OPTIONS */
    const char *variable; /* STRATA_ and the name in capitals */
    crt_option_type type;
    const char *default_value;
    const char *choices;  /* enum only */
    long minimum, maximum; /* int only */
    const char *meaning;
} crt_option_info;

extern const crt_option_info crt_option_table[CRT_OPTION_COUNT];

/* Reads the options if that has not happened yet (thread-safe; the first
 * call reads, warns and, with STRATA_VERBOSE, prints them). */
void crt_options_load(void);

/* Forgets the values and reads the environment again: for tests. */
void crt_options_reload(void);

/* bool: 0/1; int: the number; enum: the choice's index; string: 0. */
long crt_option_int(crt_option_id id);

/* string: the value ("" when unset); others: the value as text. */
const char *crt_option_string(crt_option_id id);

crt_option_source crt_option_source_of(crt_option_id id);

/* The option named `name` (case-insensitive), or CRT_OPTION_COUNT. */
crt_option_id crt_option_find(const char *name, size_t length);

#endif /* STRATA_CRT_OPTIONS_H */
