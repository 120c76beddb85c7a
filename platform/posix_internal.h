/* SPDX-License-Identifier: MIT */
/*
 * platform/posix_internal.h — what the POSIX backend's files share.
 * Private to platform/.
 */
#ifndef STRATA_PLATFORM_POSIX_INTERNAL_H
#define STRATA_PLATFORM_POSIX_INTERNAL_H

#include "internal.h"

/* The mmap/mprotect PROT_* bits for a strata_access. */
int strata__posix_protection_bits(strata_access access);

#endif /* STRATA_PLATFORM_POSIX_INTERNAL_H */
