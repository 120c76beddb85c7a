/* SPDX-License-Identifier: MIT */
/*
 * tests/support/check.h — small checks every test suite uses: whether a
 * range of memory holds one byte value, and whether the test runs under
 * Valgrind (which runs threads one at a time and delivers faults with
 * addresses of its own, so some tests do less or expect differently).
 */
#ifndef STRATA_TEST_CHECK_H
#define STRATA_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
/* Tests that change memory memcheck calls inaccessible (a block's
 * neighbourhood, a freed block) tell it first; without Valgrind, nothing. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(address, size) ((void)(address), (void)(size))
#define VALGRIND_MAKE_MEM_NOACCESS(address, size) ((void)(address), (void)(size))
#endif

/* True when all `size` bytes at `address` equal `value`. */
static inline bool all_bytes(const void *address, size_t size, unsigned char value)
{
    const unsigned char *bytes = (const unsigned char *)address;
    for (size_t i = 0; i < size; i++)
        if (bytes[i] != value)
            return false;
    return true;
}

#endif
