/* SPDX-License-Identifier: MIT */
/*
 * strata/cxx.h — C++ new and delete over strata's crt layer.
 *
 * The layer's main work has no header: cxx/strata_cxx.cpp replaces every
 * replaceable global operator new and delete, so linking it (libstrata.a,
 * libstrata.so, LD_PRELOAD) puts a program's new-expressions on strata. It
 * also installs, at static initialisation, the crt's new handler
 * (strata_crt_set_new_handler) that runs the C++ new handler, so that
 * malloc in new mode 1 (strata__set_new_mode) calls it too.
 *
 * The functions here are C-callable equivalents of the operators, so that
 * the new-handler loop can be used and tested from C:
 *   - an allocation asks the crt (strata_malloc, or strata_aligned_alloc
 *     above __STDCPP_DEFAULT_NEW_ALIGNMENT__); size 0 is asked as 1 byte,
 *     so every block is unique;
 *   - when the crt fails and a new handler is installed, the handler is
 *     called and the allocation retried, for as long as it fails and a
 *     handler is installed (a handler makes memory available, removes
 *     itself, throws std::bad_alloc, or ends the process);
 *   - where operator new would throw std::bad_alloc, these return NULL.
 * Every block is freed with strata_delete or strata_delete_aligned, which
 * free it with strata_free; a block may also be freed with C++'s delete.
 *
 * Thread safety: all functions may be called from any thread; the new
 * handler is the process's one C++ handler (std::set_new_handler).
 */
#ifndef STRATA_CXX_H
#define STRATA_CXX_H

#include <stddef.h>

#include <strata/crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * strata_new — `size` bytes through operator new(size_t): the crt is asked,
 * and the new handler run between failures, as described above.
 * Returns the block, aligned to 16 bytes as every crt block, or NULL when
 * the crt failed and no handler is installed, or a handler threw
 * std::bad_alloc.
 */
STRATA_API void *strata_new(size_t size);

/*
 * strata_new_nothrow — `size` bytes through operator new(size_t, const
 * std::nothrow_t &), which runs the same loop; NULL on the same failures.
 */
STRATA_API void *strata_new_nothrow(size_t size);

/*
 * strata_new_aligned — `size` bytes at a multiple of `alignment`, through
 * operator new(size_t, std::align_val_t), with the same loop.
 * `alignment` must be a power of two no greater than
 * STRATA_CRT_MAX_ALIGNMENT; otherwise NULL at once (neither the crt nor the
 * handler is called). NULL also on the failures of strata_new.
 */
STRATA_API void *strata_new_aligned(size_t size, size_t alignment);

/* strata_delete — free a block of strata_new or strata_new_nothrow
 * (operator delete(void *)). NULL does nothing. */
STRATA_API void strata_delete(void *block);

/* strata_delete_aligned — free a block of strata_new_aligned
 * (operator delete(void *, std::align_val_t)); `alignment` is the one it was
 * allocated with. NULL does nothing. */
STRATA_API void strata_delete_aligned(void *block, size_t alignment);

/* The C++ new handler's type (std::new_handler). */
typedef void (*strata_new_handler)(void);

/*
 * strata_set_new_handler — install `handler` as the C++ new handler
 * (std::set_new_handler); NULL removes it. Returns the previous handler
 * (NULL if there was none). Never fails.
 */
STRATA_API strata_new_handler strata_set_new_handler(strata_new_handler handler);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_CXX_H */
