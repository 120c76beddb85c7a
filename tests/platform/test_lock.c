/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_lock.c — strata_lock: zero-initialised state, mutual
 * exclusion under contention, blocking while held, try-acquire.
 */
#include <strata/platform.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

static void test_zero_lock_is_free(void **state)
{
    (void)state;
    strata_lock lock = STRATA_LOCK_INIT;
    assert_true(strata_lock_try_acquire(&lock));
    assert_false(strata_lock_try_acquire(&lock));
    strata_lock_release(&lock);
    assert_true(strata_lock_try_acquire(&lock));
    strata_lock_release(&lock);
    strata_lock_acquire(&lock);
    strata_lock_release(&lock);
}

typedef struct shared_counter {
    strata_lock lock;
    unsigned long value; /* only touched with the lock held */
    unsigned iterations;
} shared_counter;

static void add_under_lock(void *argument)
{
    shared_counter *counter = argument;
    for (unsigned i = 0; i < counter->iterations; i++) {
        strata_lock_acquire(&counter->lock);
        /* A read-modify-write split in two, so lost updates show if exclusion fails. */
        unsigned long seen = counter->value;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        counter->value = seen + 1;
        strata_lock_release(&counter->lock);
    }
}

static void test_lock_excludes_other_threads(void **state)
{
    (void)state;
    enum { THREADS = 4 };
    shared_counter counter = {STRATA_LOCK_INIT, 0, 20000};
    test_thread threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_true(test_thread_start(&threads[i], add_under_lock, &counter));
    }
    for (int i = 0; i < THREADS; i++) {
        test_thread_join(&threads[i]);
    }
    assert_int_equal(counter.value, (unsigned long)THREADS * counter.iterations);
}

typedef struct handoff {
    strata_lock lock;
    int tried_while_held;  /* try_acquire result seen by the other thread */
    int acquired;          /* set by the other thread once acquire returns */
} handoff;

static void try_then_acquire(void *argument)
{
    handoff *h = argument;
    __atomic_store_n(&h->tried_while_held, strata_lock_try_acquire(&h->lock) ? 1 : 0, __ATOMIC_SEQ_CST);
    strata_lock_acquire(&h->lock);
    __atomic_store_n(&h->acquired, 1, __ATOMIC_SEQ_CST);
    strata_lock_release(&h->lock);
}

static void test_acquire_waits_for_release(void **state)
{
    (void)state;
    handoff h = {STRATA_LOCK_INIT, -1, 0};
    strata_lock_acquire(&h.lock);
    test_thread other;
    assert_true(test_thread_start(&other, try_then_acquire, &h));
    test_sleep_ms(100);
    assert_int_equal(__atomic_load_n(&h.tried_while_held, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(__atomic_load_n(&h.acquired, __ATOMIC_SEQ_CST), 0);
    strata_lock_release(&h.lock);
    test_thread_join(&other);
    assert_int_equal(h.acquired, 1);
    assert_true(strata_lock_try_acquire(&h.lock));
    strata_lock_release(&h.lock);
}

static const child_scenario scenarios[] = {{NULL, NULL}};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_lock_is_free),
        cmocka_unit_test(test_lock_excludes_other_threads),
        cmocka_unit_test(test_acquire_waits_for_release),
    };
    return cmocka_run_group_tests_name("platform_lock", tests, NULL, NULL);
}
