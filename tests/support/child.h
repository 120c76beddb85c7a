/* SPDX-License-Identifier: MIT */
/*
 * tests/support/child.h — run a test scenario in a child process and report
 * how it ended and what it wrote to stderr. On POSIX the child is a fork of
 * the test; on Windows it is the test executable started again with
 * "--child <name>", so every test main() must call child_dispatch() first.
 * Used for tests whose success is a crash: faults, aborts, fatal messages.
 */
#ifndef STRATA_TEST_CHILD_H
#define STRATA_TEST_CHILD_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*child_scenario_fn)(void);

typedef struct child_scenario {
    const char *name;
    child_scenario_fn run;
} child_scenario;

typedef struct child_result {
    bool exited;        /* ended by exit with exit_code, not by a signal */
    int exit_code;      /* when exited */
    int signal_number;  /* when !exited (POSIX only) */
    char output[8192];  /* what the child wrote to stderr, NUL-terminated, cut to fit */
} child_result;

/* Exit codes a fault handler uses to say where the fault was. */
enum { CHILD_FAULT_AT_EXPECTED = 77, CHILD_FAULT_ELSEWHERE = 78, CHILD_NO_FAULT = 79 };

/*
 * child_dispatch — when argv asks for a child scenario, runs it and returns
 * its exit code (0 if it returns); otherwise returns -1 and the test goes on.
 * `scenarios` ends with a {NULL, NULL} entry.
 */
int child_dispatch(int argc, char **argv, const child_scenario *scenarios);

/* child_run — runs scenario `name` from the table in a child; false if it could not start. */
bool child_run(const char *name, child_result *result);

/*
 * child_run_fresh — as child_run, but the child is always a new execution
 * of the test binary ("--child <name>"), never a fork, so it starts with
 * none of this process's state: what it shares with the test must go
 * through the OS (named objects, files, the environment it inherits).
 * On POSIX it is posix_spawn of /proc/self/exe; on Windows the same as
 * child_run, which already starts a new process.
 */
bool child_run_fresh(const char *name, child_result *result);

/*
 * child_expect_fault_at — from now on, an access fault in this process exits
 * with CHILD_FAULT_AT_EXPECTED if its address lies in [address, address+size),
 * else CHILD_FAULT_ELSEWHERE.
 */
void child_expect_fault_at(const void *address, size_t size);

/*
 * child_allow_faults — the scenario faults on purpose and handles the faults
 * itself: under Valgrind, stop reporting those accesses as errors.
 */
void child_allow_faults(void);

/*
 * child_under_valgrind — whether the test runs inside Valgrind, which reports
 * a fault on a page its own bookkeeping calls inaccessible with a fault
 * address of 0, so handlers that resolve faults by address cannot work there.
 */
bool child_under_valgrind(void);

/*
 * child_set_env — sets (or, for a NULL value, removes) a variable of this
 * process's environment, which children started after inherit. False if
 * the OS refused.
 */
bool child_set_env(const char *name, const char *value);

#endif /* STRATA_TEST_CHILD_H */
