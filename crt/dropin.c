/* SPDX-License-Identifier: MIT */
/*
 * crt/dropin.c — the standard names. Linked into libstrata.so and
 * libstrata.a only (not into the crt layer's own library, which keeps the
 * strata_ names), so that LD_PRELOAD=libstrata.so, or linking libstrata.a
 * into a program, puts every malloc of the program — the C library's own
 * included, on ELF systems — on strata.
 */
#include "internal.h"

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define DROPIN __attribute__((visibility("default"), used))
#else
#define DROPIN
#endif

/* malloc and free take strata_malloc's and strata_free's bodies (CRT_HOT),
 * not a jump to them. */
CRT_HOT DROPIN void *malloc(size_t size)
{
    return strata_malloc(size);
}

CRT_HOT DROPIN void free(void *block)
{
    strata_free(block);
}

DROPIN void *calloc(size_t count, size_t size)
{
    return strata_calloc(count, size);
}

DROPIN void *realloc(void *block, size_t size)
{
    return strata_realloc(block, size);
}

#if !defined(_WIN32)
/* The names glibc's manual asks a replacement malloc to provide. */
DROPIN void *reallocarray(void *block, size_t count, size_t size)
{
    return strata_reallocarray(block, count, size);
}

DROPIN void *aligned_alloc(size_t alignment, size_t size)
{
    return strata_aligned_alloc(alignment, size);
}

DROPIN int posix_memalign(void **out, size_t alignment, size_t size)
{
    return strata_posix_memalign(out, alignment, size);
}

DROPIN void *memalign(size_t alignment, size_t size)
{
    return strata_memalign(alignment, size);
}

DROPIN void *valloc(size_t size)
{
    return strata_valloc(size);
}

DROPIN void *pvalloc(size_t size)
{
    return strata_pvalloc(size);
}

DROPIN size_t malloc_usable_size(void *block)
{
    return strata_malloc_usable_size(block);
}

DROPIN int malloc_trim(size_t pad)
{
    return strata_malloc_trim(pad);
}

DROPIN void free_sized(void *block, size_t size)
{
    strata_free_sized(block, size);
}

DROPIN void free_aligned_sized(void *block, size_t alignment, size_t size)
{
    strata_free_aligned_sized(block, alignment, size);
}
#else
/* The Windows CRT's own names. */
DROPIN size_t _msize(void *block)
{
    return strata__msize(block);
}

DROPIN void *_expand(void *block, size_t size)
{
    return strata__expand(block, size);
}

DROPIN void *_recalloc(void *block, size_t count, size_t size)
{
    return strata__recalloc(block, count, size);
}

DROPIN void *_aligned_malloc(size_t size, size_t alignment)
{
    return strata__aligned_malloc(size, alignment);
}

DROPIN void *_aligned_realloc(void *block, size_t size, size_t alignment)
{
    return strata__aligned_realloc(block, size, alignment);
}

DROPIN void *_aligned_recalloc(void *block, size_t count, size_t size, size_t alignment)
{
    return strata__aligned_recalloc(block, count, size, alignment);
}

DROPIN void _aligned_free(void *block)
{
    strata__aligned_free(block);
}

DROPIN size_t _aligned_msize(void *block, size_t alignment, size_t offset)
{
    return strata__aligned_msize(block, alignment, offset);
}

DROPIN int _set_new_mode(int mode)
{
    return strata__set_new_mode(mode);
}

/* mingw-w64's headers declare these functions dllimport, so a program calls
 * them through an import pointer, __imp_<name>, which the import library
 * would fill with msvcrt.dll's (or, for _recalloc, lacks). Defining the
 * pointers here, beside the functions, makes the program's calls land on
 * strata's and keeps the import library's copies out of the link. */
#define IMPORT_POINTER(name) DROPIN __typeof__(&name) __imp_##name = &name;
IMPORT_POINTER(malloc)
IMPORT_POINTER(free)
IMPORT_POINTER(calloc)
IMPORT_POINTER(realloc)
IMPORT_POINTER(_msize)
IMPORT_POINTER(_expand)
IMPORT_POINTER(_recalloc)
IMPORT_POINTER(_aligned_malloc)
IMPORT_POINTER(_aligned_realloc)
IMPORT_POINTER(_aligned_recalloc)
IMPORT_POINTER(_aligned_free)
IMPORT_POINTER(_aligned_msize)
IMPORT_POINTER(_set_new_mode)
#endif
