/* SPDX-License-Identifier: MIT */
/*
 * tests/misuse/misuse.h — what every misuse scenario needs: the API under
 * test (the heap's own functions or the crt's, chosen per ctest), the
 * expectation lines a child announces, tampering helpers, and the parent's
 * judgement of how a child ended.
 *
 * A child announces each line the heap may print as "expect: <line>" (one
 * or more alternatives; a line ending in "at 0x" is a prefix, for addresses
 * that are the heap's to choose). A scenario that must be harmless ends by
 * printing "harmless" and returning; one that finds damage prints
 * "FAIL: <why>" and exits with 1.
 */
#ifndef STRATA_TEST_MISUSE_H
#define STRATA_TEST_MISUSE_H

#include <strata/crt.h>
#include <strata/heap.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sizes of the three tiers' blocks the scenarios use. */
#define SMALL_SIZE 64u
#define BACK_SIZE 40000u
#define LARGE_SIZE STRATA_HEAP_LARGE_THRESHOLD

typedef struct misuse_api {
    const char *name;                  /* "heap" or "crt" */
    strata_heap *(*heap)(void);        /* the heap named in fatal messages */
    void *(*alloc)(size_t size);
    void (*release)(void *block);
    void *(*resize)(void *block, size_t size);
    size_t (*usable)(const void *block);
} misuse_api;

/* The API of this run (set from the command line, passed to children
 * through the environment so that Windows' re-executed children see it). */
const misuse_api *api(void);
bool select_api(const char *name);

/* Child side. */
void announce(const void *address, const char *check);   /* exact line at `address` */
void announce_prefix(const char *check);                 /* "... <check> at 0x" */
void harmless(void);                                     /* the scenario ran to its end */
/* Guard mode's line: "<kind> at <address> (block <block>, <size> bytes)". */
void announce_guard(const char *kind, const void *address, const void *block, size_t size);
#if defined(__MINGW32__)
__attribute__((format(gnu_printf, 1, 2), noreturn))
#elif defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
void child_fail(const char *format, ...);

/* Tampering, told to memcheck first so that only the heap's reaction is tested. */
void xor_byte(void *address, uint8_t mask);
void xor_word(void *address, uint64_t mask);

/* Content: a pattern of `seed` at every offset, and where it differs. */
void fill(void *block, size_t size, unsigned seed);
uint8_t pattern_at(unsigned seed, size_t offset);
/* Index of the first byte that differs from the pattern, or SIZE_MAX. */
size_t first_damage(const void *block, size_t size, unsigned seed);
bool overlaps(const void *a, size_t a_size, const void *b, size_t b_size);

/* Addresses that are no block: unmapped, and mapped without access. */
void *unmapped_address(void);
void *noaccess_address(void);

/* Parameters from parent to child (environment: Windows children are new processes). */
void set_param(const char *name, unsigned long value);
unsigned long get_param(const char *name);

/* Parent side. */
typedef enum outcome { DIES, HARMLESS, DIES_OR_HARMLESS } outcome;

/* Runs child scenario `name` and judges its end against `expected`; on a
 * mismatch writes the reason (one line) to `why` and returns false. */
bool judge_child(const char *name, outcome expected, char *why, size_t why_size);

#endif
