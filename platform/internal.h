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
/* The arguments of strata_platform_view_privatize: a page range and an
 * access that allows writing (a private copy is for writing). */
strata_status strata__platform_check_privatize(const void *address, size_t size, strata_access access);

/* Offers a fault to the listeners (common.c), in order; true when one
 * resumes the thread. Safe in the fault context. */
bool strata__platform_dispatch_fault(const strata_fault_event *event);

/* Whether any listener is in place. */
bool strata__platform_has_fault_listeners(void);

/* The backend's part of strata_platform_add_fault_listener: makes sure
 * faults reach strata at all. */
strata_status strata__platform_watch_faults(void);

#endif /* STRATA_PLATFORM_INTERNAL_H */
