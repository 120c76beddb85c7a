/* SPDX-License-Identifier: MIT */
/*
 * platform/internal.h — pieces shared by platform/common.c and the one OS
 * backend compiled beside it. Private to platform/.
 */
#ifndef STRATA_PLATFORM_INTERNAL_H
#define STRATA_PLATFORM_INTERNAL_H

#include <strata/platform.h>

/* Fills the capability record from the OS; called once by strata_platform_get_info. */
void strata__platform_query_info(strata_platform_info *info);

/* Ends the process abnormally without running exit handlers. */
STRATA_NORETURN void strata__platform_terminate(void);

/*
 * Checks the arguments every page-range call shares (see platform.h):
 * page-aligned non-NULL address, non-zero page-multiple size, no wrap.
 */
strata_status strata__platform_check_range(const void *address, size_t size);

/*
 * Checks strata_platform_reserve's arguments (see platform.h) and turns an
 * alignment of 0 into the allocation granularity.
 */
strata_status strata__platform_check_reserve(size_t size, size_t *alignment, const void *address,
                                             void **out_base);

/* Checks a strata_access value: known bits only, WRITE needs READ. */
strata_status strata__platform_check_access(strata_access access);

#endif /* STRATA_PLATFORM_INTERNAL_H */
