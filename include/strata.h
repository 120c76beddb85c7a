/* SPDX-License-Identifier: MIT */
/*
 * strata.h — every strata layer's public interface, bottom-up.
 * Each layer's header can also be included on its own.
 */
#ifndef STRATA_H
#define STRATA_H

#include <strata/version.h>
#include <strata/platform.h>
#include <strata/vmm.h>
#include <strata/heap.h>
#include <strata/crt.h>
#include <strata/cxx.h>

#endif /* STRATA_H */
