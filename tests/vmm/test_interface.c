/* SPDX-License-Identifier: MIT */
/*
 * tests/vmm/test_interface.c — the strata_vmm interface: the real VMM behind
 * it, and the test fakes (counting, failing, fixed-buffer) that the heap's
 * tests stand on, driven through one small client written against the
 * interface alone.
 */
#include <strata/vmm.h>

#include <string.h>

#include "../fakes/fake_vmm.h"
#include "../support/child.h"
#include "../support/cmocka_all.h"

/*
 * A client of the interface, shaped like a heap growing a segment: reserve
 * four granules aligned to four, commit the first two pages, write them,
 * decommit the second, recommit it (must read zero), release.
 */
static strata_status grow_and_shrink(const strata_vmm *vmm, void **out_base)
{
    size_t size = 4 * vmm->granularity;
    void *base = NULL;
    strata_status status = vmm->reserve(vmm->context, size, 4 * vmm->granularity, &base);
    if (status != STRATA_OK) {
        return status;
    }
    unsigned char *bytes = base;
    status = vmm->commit(vmm->context, base, 2 * vmm->page_size);
    if (status == STRATA_OK) {
        memset(bytes, 0x77, 2 * vmm->page_size);
        status = vmm->decommit(vmm->context, bytes + vmm->page_size, vmm->page_size);
    }
    if (status == STRATA_OK) {
        status = vmm->commit(vmm->context, bytes + vmm->page_size, vmm->page_size);
    }
    if (status == STRATA_OK && (bytes[0] != 0x77 || bytes[vmm->page_size] != 0 ||
                                (uintptr_t)base % (4 * vmm->granularity) != 0)) {
        status = STRATA_E_GEN_FAILURE;
    }
    if (status == STRATA_OK) {
        status = vmm->reset(vmm->context, base, vmm->page_size);
    }
    strata_status released = vmm->release(vmm->context, base, size);
    if (out_base != NULL) {
        *out_base = base;
    }
    return status != STRATA_OK ? status : released;
}

static void test_default_vmm_runs_the_client(void **state)
{
    (void)state;
    const strata_vmm *vmm = strata_vmm_default();
    assert_ptr_equal(strata_vmm_default(), vmm);
    assert_int_equal(vmm->page_size, 4096);
    assert_int_equal(vmm->granularity, 65536);
    void *base = NULL;
    assert_status(grow_and_shrink(vmm, &base), STRATA_OK);
    /* The default interface goes through strata's own VMM: it saw the
     * reservation and has forgotten it again. */
    strata_vmm_region_info info;
    assert_status(strata_vmm_query(base, &info), STRATA_OK);
    assert_int_equal(info.state, STRATA_MEM_FREE);
}

static void test_counting_vmm_counts_every_call(void **state)
{
    (void)state;
    counting_vmm counting;
    counting_vmm_init(&counting, strata_vmm_default());
    assert_status(grow_and_shrink(&counting.vmm, NULL), STRATA_OK);
    assert_int_equal(counting.reserves, 1);
    assert_int_equal(counting.commits, 2);
    assert_int_equal(counting.decommits, 1);
    assert_int_equal(counting.resets, 1);
    assert_int_equal(counting.releases, 1);
    assert_int_equal(counting.live_reservations, 0);
    assert_int_equal(counting.failures, 0);
}

static void test_failing_vmm_fails_each_step_cleanly(void **state)
{
    (void)state;
    /* Fail the Nth reserve-or-commit for every N the client reaches: the
     * client reports the failure and leaves no reservation behind. */
    for (unsigned n = 1;; n++) {
        counting_vmm counting;
        counting_vmm_init(&counting, strata_vmm_default());
        failing_vmm failing;
        failing_vmm_init(&failing, &counting.vmm, FAIL_RESERVE | FAIL_COMMIT, n);
        strata_status status = grow_and_shrink(&failing.vmm, NULL);
        assert_int_equal(counting.live_reservations, 0);
        if (!failing.failed) {
            assert_status(status, STRATA_OK);
            assert_int_equal(n, 4); /* one reserve and two commits, then success */
            break;
        }
        assert_status(status, STRATA_E_NO_MEMORY);
    }
}

static void test_fixed_vmm_serves_from_a_static_buffer(void **state)
{
    (void)state;
    static unsigned char arena[64 * 4096 + 4095];
    fixed_vmm fixed;
    fixed_vmm_init(&fixed, arena, sizeof arena);
    assert_int_equal(fixed.granules, 64);
    void *base = NULL;
    assert_status(grow_and_shrink(&fixed.vmm, &base), STRATA_OK);
    assert_true(fixed_vmm_owns(&fixed, base, 4 * 4096));

    /* It runs out like a real address space, and recovers after release. */
    void *held[16];
    for (int i = 0; i < 16; i++) {
        assert_status(fixed.vmm.reserve(fixed.vmm.context, 4 * 4096, 0, &held[i]), STRATA_OK);
    }
    void *none = NULL;
    assert_status(fixed.vmm.reserve(fixed.vmm.context, 4096, 0, &none), STRATA_E_NO_MEMORY);
    assert_status(fixed.vmm.release(fixed.vmm.context, held[3], 4096), STRATA_E_INVALID_PARAMETER);
    assert_status(fixed.vmm.release(fixed.vmm.context, held[3], 4 * 4096), STRATA_OK);
    assert_status(fixed.vmm.reserve(fixed.vmm.context, 4096, 0, &none), STRATA_OK);
    assert_ptr_equal(none, held[3]);
    assert_status(fixed.vmm.commit(fixed.vmm.context, (unsigned char *)arena + sizeof arena, 4096),
                  STRATA_E_INVALID_ADDRESS);
}

static const child_scenario scenarios[] = {{NULL, NULL}};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_vmm_runs_the_client),
        cmocka_unit_test(test_counting_vmm_counts_every_call),
        cmocka_unit_test(test_failing_vmm_fails_each_step_cleanly),
        cmocka_unit_test(test_fixed_vmm_serves_from_a_static_buffer),
    };
    return cmocka_run_group_tests_name("vmm_interface", tests, NULL, NULL);
}
