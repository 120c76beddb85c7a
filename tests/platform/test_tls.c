/* SPDX-License-Identifier: MIT */
/*
 * tests/platform/test_tls.c — thread-local slots: per-thread values and the
 * thread-exit callback (runs once, on exit, only for threads with a value).
 */
#include <strata/platform.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

/* What the exit callback saw; it runs on the exiting thread. */
static int exit_calls;
static void *exit_value;

static void record_exit(void *value)
{
    __atomic_add_fetch(&exit_calls, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&exit_value, value, __ATOMIC_SEQ_CST);
}

typedef struct worker {
    strata_tls_key key;
    void *value_to_set;   /* NULL: the worker never sets a value */
    void *seen_at_start;  /* the worker's value before it set one */
    void *seen_after_set;
    strata_status set_status; /* checked by the main thread: CMocka asserts only there */
} worker;

static void run_worker(void *argument)
{
    worker *w = argument;
    w->seen_at_start = strata_tls_get(w->key);
    if (w->value_to_set != NULL) {
        w->set_status = strata_tls_set(w->key, w->value_to_set);
    }
    w->seen_after_set = strata_tls_get(w->key);
}

static void test_values_are_per_thread(void **state)
{
    (void)state;
    strata_tls_key key;
    assert_status(strata_tls_create(NULL, &key), STRATA_OK);
    assert_null(strata_tls_get(key));
    int mine;
    assert_status(strata_tls_set(key, &mine), STRATA_OK);
    assert_ptr_equal(strata_tls_get(key), &mine);

    int theirs;
    worker w = {key, &theirs, (void *)0x1, NULL, STRATA_E_NOT_FOUND};
    test_thread thread;
    assert_true(test_thread_start(&thread, run_worker, &w));
    test_thread_join(&thread);
    assert_null(w.seen_at_start);
    assert_status(w.set_status, STRATA_OK);
    assert_ptr_equal(w.seen_after_set, &theirs);
    assert_ptr_equal(strata_tls_get(key), &mine);

    assert_status(strata_tls_set(key, NULL), STRATA_OK);
    strata_tls_destroy(key);
}

static void test_exit_callback_runs_for_thread_with_value(void **state)
{
    (void)state;
    exit_calls = 0;
    exit_value = NULL;
    strata_tls_key key;
    assert_status(strata_tls_create(record_exit, &key), STRATA_OK);
    int token;
    worker w = {key, &token, NULL, NULL, STRATA_E_NOT_FOUND};
    test_thread thread;
    assert_true(test_thread_start(&thread, run_worker, &w));
    test_thread_join(&thread);
    assert_status(w.set_status, STRATA_OK);
    assert_int_equal(__atomic_load_n(&exit_calls, __ATOMIC_SEQ_CST), 1);
    assert_ptr_equal(__atomic_load_n(&exit_value, __ATOMIC_SEQ_CST), &token);
    strata_tls_destroy(key);
}

static void test_exit_callback_skips_thread_without_value(void **state)
{
    (void)state;
    exit_calls = 0;
    strata_tls_key key;
    assert_status(strata_tls_create(record_exit, &key), STRATA_OK);
    worker w = {key, NULL, NULL, NULL, STRATA_OK};
    test_thread thread;
    assert_true(test_thread_start(&thread, run_worker, &w));
    test_thread_join(&thread);
    assert_int_equal(__atomic_load_n(&exit_calls, __ATOMIC_SEQ_CST), 0);
    strata_tls_destroy(key);
}

static void test_exit_callback_runs_once_per_thread(void **state)
{
    (void)state;
    enum { THREADS = 6 };
    exit_calls = 0;
    strata_tls_key key;
    assert_status(strata_tls_create(record_exit, &key), STRATA_OK);
    int tokens[THREADS];
    worker workers[THREADS];
    test_thread threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){key, &tokens[i], NULL, NULL, STRATA_E_NOT_FOUND};
        assert_true(test_thread_start(&threads[i], run_worker, &workers[i]));
    }
    for (int i = 0; i < THREADS; i++) {
        test_thread_join(&threads[i]);
        assert_status(workers[i].set_status, STRATA_OK);
    }
    assert_int_equal(__atomic_load_n(&exit_calls, __ATOMIC_SEQ_CST), THREADS);
    strata_tls_destroy(key);
}

static void test_create_requires_out_key_and_keys_are_reusable(void **state)
{
    (void)state;
    assert_status(strata_tls_create(NULL, NULL), STRATA_E_INVALID_PARAMETER);
    /* Far more create/destroy cycles than any OS has keys: destroy must free them. */
    for (int i = 0; i < 2000; i++) {
        strata_tls_key key;
        assert_status(strata_tls_create(record_exit, &key), STRATA_OK);
        assert_null(strata_tls_get(key));
        strata_tls_destroy(key);
    }
}

static const child_scenario scenarios[] = {{NULL, NULL}};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_per_thread),
        cmocka_unit_test(test_exit_callback_runs_for_thread_with_value),
        cmocka_unit_test(test_exit_callback_skips_thread_without_value),
        cmocka_unit_test(test_exit_callback_runs_once_per_thread),
        cmocka_unit_test(test_create_requires_out_key_and_keys_are_reusable),
    };
    return cmocka_run_group_tests_name("platform_tls", tests, NULL, NULL);
}
