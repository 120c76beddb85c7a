/* SPDX-License-Identifier: MIT */
/*
 * tests/fakes/fake_vmm.h — the tests' short names for the vmm stand-ins of
 * strata/testing.h (libstrata_testing.a), which programs outside strata use
 * under their strata_testing_ names.
 */
#ifndef STRATA_TEST_FAKE_VMM_H
#define STRATA_TEST_FAKE_VMM_H

#include <strata/testing.h>

typedef strata_testing_counting_vmm counting_vmm;
typedef strata_testing_failing_vmm failing_vmm;
typedef strata_testing_fixed_vmm fixed_vmm;

#define counting_vmm_init strata_testing_counting_vmm_init
#define failing_vmm_init strata_testing_failing_vmm_init
#define fixed_vmm_init strata_testing_fixed_vmm_init
#define fixed_vmm_owns strata_testing_fixed_vmm_owns
#define FAIL_RESERVE STRATA_TESTING_FAIL_RESERVE
#define FAIL_COMMIT STRATA_TESTING_FAIL_COMMIT
#define FIXED_VMM_MAX_GRANULES STRATA_TESTING_FIXED_VMM_MAX_GRANULES

#endif /* STRATA_TEST_FAKE_VMM_H */
