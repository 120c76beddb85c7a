/* SPDX-License-Identifier: MIT */
/*
 * strata/win32/malloc.h — the C library's <malloc.h>, plus on POSIX the
 * Microsoft CRT names memory code uses: _aligned_malloc, _aligned_realloc,
 * _aligned_recalloc, _aligned_free, _aligned_msize, _msize, _expand and
 * _recalloc, as strata's crt layer implements them (include/strata/crt.h:
 * strata__aligned_malloc …, with the CRT's contracts: errno EINVAL/ENOMEM,
 * _aligned_* blocks freed only by _aligned_free).
 *
 * _msize, _expand and _recalloc take blocks of strata's malloc: link the
 * whole stack (libstrata.a or libstrata.so), whose malloc is strata's (not
 * under a sanitizer or Valgrind, which put their own malloc in its place).
 * On Windows, the system's <malloc.h> is used as it is.
 */
#ifndef STRATA_WIN32_MALLOC_H
#define STRATA_WIN32_MALLOC_H

#if defined(__GNUC__) || defined(__clang__)
#include_next <malloc.h>
#else
#include <malloc.h>
#endif

#if !defined(_WIN32)
#include <strata/crt.h>

#define _aligned_malloc strata__aligned_malloc
#define _aligned_realloc strata__aligned_realloc
#define _aligned_recalloc strata__aligned_recalloc
#define _aligned_free strata__aligned_free
#define _aligned_msize strata__aligned_msize
#define _msize strata__msize
#define _expand strata__expand
#define _recalloc strata__recalloc
#endif

#endif /* STRATA_WIN32_MALLOC_H */
