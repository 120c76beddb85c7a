/* SPDX-License-Identifier: MIT */
/*
 * testing/vmm_fakes.c — the strata_vmm stand-ins of strata/testing.h:
 * counting, failing on the Nth call, and a fixed buffer.
 */
#include <strata/testing.h>

#include <string.h>

/* ---- counting ------------------------------------------------------------ */

static strata_status counted(strata_testing_counting_vmm *c, strata_status status)
{
    if (status != STRATA_OK) {
        c->failures++;
    }
    return status;
}

static strata_status counting_reserve(void *context, size_t size, size_t alignment, void **out_base)
{
    strata_testing_counting_vmm *c = context;
    c->reserves++;
    strata_status status = c->inner->reserve(c->inner->context, size, alignment, out_base);
    if (status == STRATA_OK) {
        c->live_reservations++;
    }
    return counted(c, status);
}

static strata_status counting_release(void *context, void *base, size_t size)
{
    strata_testing_counting_vmm *c = context;
    c->releases++;
    strata_status status = c->inner->release(c->inner->context, base, size);
    if (status == STRATA_OK) {
        c->live_reservations--;
    }
    return counted(c, status);
}

static strata_status counting_commit(void *context, void *address, size_t size)
{
    strata_testing_counting_vmm *c = context;
    c->commits++;
    strata_status status = c->inner->commit(c->inner->context, address, size);
    if (status == STRATA_OK) {
        c->committed_bytes += size;
    }
    return counted(c, status);
}

static strata_status counting_commit_executable(void *context, void *address, size_t size)
{
    strata_testing_counting_vmm *c = context;
    c->executable_commits++;
    strata_status status = c->inner->commit_executable(c->inner->context, address, size);
    if (status == STRATA_OK) {
        c->committed_bytes += size;
    }
    return counted(c, status);
}

static strata_status counting_decommit(void *context, void *address, size_t size)
{
    strata_testing_counting_vmm *c = context;
    c->decommits++;
    strata_status status = c->inner->decommit(c->inner->context, address, size);
    if (status == STRATA_OK) {
        c->committed_bytes -= size < c->committed_bytes ? size : c->committed_bytes;
    }
    return counted(c, status);
}

static strata_status counting_reset(void *context, void *address, size_t size)
{
    strata_testing_counting_vmm *c = context;
    c->resets++;
    return counted(c, c->inner->reset(c->inner->context, address, size));
}

STRATA_API void strata_testing_counting_vmm_init(strata_testing_counting_vmm *counting, const strata_vmm *inner)
{
    memset(counting, 0, sizeof *counting);
    counting->inner = inner;
    counting->vmm = (strata_vmm){counting, inner->page_size, inner->granularity, counting_reserve,
                                 counting_release, counting_commit, counting_decommit, counting_reset,
                                 inner->commit_executable != NULL ? counting_commit_executable : NULL};
}

/* ---- failing ------------------------------------------------------------- */

static bool should_fail(strata_testing_failing_vmm *f, unsigned kind)
{
    if ((f->which & kind) == 0 || f->fail_at == 0) {
        return false;
    }
    f->seen++;
    if (f->seen == f->fail_at) {
        f->failed = true;
        return true;
    }
    return false;
}

static strata_status failing_reserve(void *context, size_t size, size_t alignment, void **out_base)
{
    strata_testing_failing_vmm *f = context;
    if (should_fail(f, STRATA_TESTING_FAIL_RESERVE)) {
        return STRATA_E_NO_MEMORY;
    }
    return f->inner->reserve(f->inner->context, size, alignment, out_base);
}

static strata_status failing_release(void *context, void *base, size_t size)
{
    strata_testing_failing_vmm *f = context;
    return f->inner->release(f->inner->context, base, size);
}

static strata_status failing_commit(void *context, void *address, size_t size)
{
    strata_testing_failing_vmm *f = context;
    if (should_fail(f, STRATA_TESTING_FAIL_COMMIT)) {
        return STRATA_E_NO_MEMORY;
    }
    return f->inner->commit(f->inner->context, address, size);
}

static strata_status failing_commit_executable(void *context, void *address, size_t size)
{
    strata_testing_failing_vmm *f = context;
    if (should_fail(f, STRATA_TESTING_FAIL_COMMIT)) {
        return STRATA_E_NO_MEMORY;
    }
    return f->inner->commit_executable(f->inner->context, address, size);
}

static strata_status failing_decommit(void *context, void *address, size_t size)
{
    strata_testing_failing_vmm *f = context;
    return f->inner->decommit(f->inner->context, address, size);
}

static strata_status failing_reset(void *context, void *address, size_t size)
{
    strata_testing_failing_vmm *f = context;
    return f->inner->reset(f->inner->context, address, size);
}

STRATA_API void strata_testing_failing_vmm_init(strata_testing_failing_vmm *failing, const strata_vmm *inner,
                                                unsigned which, unsigned fail_at)
{
    memset(failing, 0, sizeof *failing);
    failing->inner = inner;
    failing->which = which;
    failing->fail_at = fail_at;
    failing->vmm = (strata_vmm){failing, inner->page_size, inner->granularity, failing_reserve,
                                failing_release, failing_commit, failing_decommit, failing_reset,
                                inner->commit_executable != NULL ? failing_commit_executable : NULL};
}

/* ---- fixed buffer ------------------------------------------------------ */

#define FIXED_GRANULE ((size_t)4096)
enum { GRANULE_FREE = 0, GRANULE_FIRST = 1, GRANULE_MORE = 2 };

STRATA_API bool strata_testing_fixed_vmm_owns(const strata_testing_fixed_vmm *fixed, const void *address,
                                              size_t size)
{
    uintptr_t start = (uintptr_t)fixed->buffer;
    uintptr_t end = start + fixed->granules * FIXED_GRANULE;
    uintptr_t a = (uintptr_t)address;
    return a >= start && a <= end && size <= end - a;
}

static bool page_range_ok(const strata_testing_fixed_vmm *fixed, const void *address, size_t size)
{
    return size != 0 && (uintptr_t)address % FIXED_GRANULE == 0 && size % FIXED_GRANULE == 0 &&
           strata_testing_fixed_vmm_owns(fixed, address, size);
}

static strata_status fixed_reserve(void *context, size_t size, size_t alignment, void **out_base)
{
    strata_testing_fixed_vmm *fixed = context;
    if (size == 0 || size % FIXED_GRANULE != 0 || out_base == NULL ||
        (alignment != 0 && (alignment < FIXED_GRANULE || (alignment & (alignment - 1)) != 0))) {
        return STRATA_E_INVALID_PARAMETER;
    }
    size_t needed = size / FIXED_GRANULE;
    size_t step = alignment > FIXED_GRANULE ? alignment / FIXED_GRANULE : 1;
    for (size_t first = 0; first + needed <= fixed->granules; first++) {
        if (((uintptr_t)(fixed->buffer + first * FIXED_GRANULE) / FIXED_GRANULE) % step != 0) {
            continue;
        }
        size_t run = 0;
        while (run < needed && fixed->in_use[first + run] == GRANULE_FREE) {
            run++;
        }
        if (run == needed) {
            fixed->in_use[first] = GRANULE_FIRST;
            memset(fixed->in_use + first + 1, GRANULE_MORE, needed - 1);
            *out_base = fixed->buffer + first * FIXED_GRANULE;
            return STRATA_OK;
        }
    }
    return STRATA_E_NO_MEMORY;
}

static strata_status fixed_release(void *context, void *base, size_t size)
{
    strata_testing_fixed_vmm *fixed = context;
    if (!page_range_ok(fixed, base, size)) {
        return STRATA_E_INVALID_ADDRESS;
    }
    size_t first = (size_t)((unsigned char *)base - fixed->buffer) / FIXED_GRANULE;
    size_t count = size / FIXED_GRANULE;
    if (fixed->in_use[first] != GRANULE_FIRST) {
        return STRATA_E_INVALID_ADDRESS;
    }
    for (size_t i = 1; i < count; i++) {
        if (fixed->in_use[first + i] != GRANULE_MORE) {
            return STRATA_E_INVALID_PARAMETER;
        }
    }
    if (first + count < fixed->granules && fixed->in_use[first + count] == GRANULE_MORE) {
        return STRATA_E_INVALID_PARAMETER; /* not the whole reservation */
    }
    memset(fixed->in_use + first, GRANULE_FREE, count);
    memset(fixed->committed + first, 0, count);
    memset(base, 0xDD, size);
    return STRATA_OK;
}

static strata_status fixed_commit(void *context, void *address, size_t size)
{
    strata_testing_fixed_vmm *fixed = context;
    if (!page_range_ok(fixed, address, size)) {
        return STRATA_E_INVALID_ADDRESS;
    }
    size_t first = (size_t)((unsigned char *)address - fixed->buffer) / FIXED_GRANULE;
    for (size_t i = first; i < first + size / FIXED_GRANULE; i++) {
        if (fixed->in_use[i] == GRANULE_FREE) {
            return STRATA_E_INVALID_ADDRESS;
        }
    }
    for (size_t i = first; i < first + size / FIXED_GRANULE; i++) {
        if (!fixed->committed[i]) {
            memset(fixed->buffer + i * FIXED_GRANULE, 0, FIXED_GRANULE);
            fixed->committed[i] = true;
        }
    }
    return STRATA_OK;
}

static strata_status fixed_decommit(void *context, void *address, size_t size)
{
    strata_testing_fixed_vmm *fixed = context;
    if (!page_range_ok(fixed, address, size)) {
        return STRATA_E_INVALID_ADDRESS;
    }
    size_t first = (size_t)((unsigned char *)address - fixed->buffer) / FIXED_GRANULE;
    memset(fixed->committed + first, 0, size / FIXED_GRANULE);
    memset(address, 0xDD, size);
    return STRATA_OK;
}

static strata_status fixed_reset(void *context, void *address, size_t size)
{
    strata_testing_fixed_vmm *fixed = context;
    return page_range_ok(fixed, address, size) ? STRATA_OK : STRATA_E_INVALID_ADDRESS;
}

STRATA_API void strata_testing_fixed_vmm_init(strata_testing_fixed_vmm *fixed, void *memory, size_t size)
{
    memset(fixed, 0, sizeof *fixed);
    uintptr_t start = ((uintptr_t)memory + FIXED_GRANULE - 1) & ~(uintptr_t)(FIXED_GRANULE - 1);
    uintptr_t end = ((uintptr_t)memory + size) & ~(uintptr_t)(FIXED_GRANULE - 1);
    fixed->buffer = (unsigned char *)start;
    fixed->granules = end > start ? (end - start) / FIXED_GRANULE : 0;
    if (fixed->granules > sizeof fixed->in_use) {
        fixed->granules = sizeof fixed->in_use;
    }
    /* Everything starts decommitted. */
    memset(fixed->buffer, 0xDD, fixed->granules * FIXED_GRANULE);
    fixed->vmm = (strata_vmm){fixed, FIXED_GRANULE, FIXED_GRANULE, fixed_reserve, fixed_release,
                              fixed_commit, fixed_decommit, fixed_reset, NULL};
}
