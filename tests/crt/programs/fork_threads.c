/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/programs/fork_threads.c — fork from a process whose other
 * threads are allocating and freeing all the while; each child allocates
 * (from a new thread too) and exits. A deadlock in the child or the parent
 * is caught by an alarm. The workers exit holding blocks, which the main
 * thread frees. Prints a fixed summary for comparison.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 4
#define FORKS 40

static atomic_bool stop;

/* Allocates and frees until told to stop, then exits still holding its last
 * blocks: the thread that joins it frees them. */
static void *churn(void *argument)
{
    unsigned seed = (unsigned)(uintptr_t)argument;
    void **kept = calloc(64, sizeof *kept);
    if (kept == NULL)
        abort();
    while (!atomic_load(&stop)) {
        unsigned slot = (seed = seed * 1103515245u + 12345u) % 64;
        free(kept[slot]);
        size_t size = (seed >> 8) % 5000 + 1;
        kept[slot] = malloc(size);
        if (kept[slot] == NULL)
            abort();
        memset(kept[slot], (int)slot, size);
    }
    return kept;
}

static void *child_thread(void *argument)
{
    char *text = malloc(1000);
    snprintf(text, 1000, "%s", (const char *)argument);
    free(text);
    return NULL;
}

static int child_work(void)
{
    for (int i = 0; i < 1000; i++) {
        void *block = malloc((size_t)(i * 37 % 20000) + 1);
        if (block == NULL)
            return 1;
        free(block);
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, child_thread, "child") != 0)
        return 2;
    pthread_join(thread, NULL);
    return 0;
}

int main(void)
{
    alarm(120); /* a deadlock ends the run with SIGALRM */
    pthread_t workers[WORKERS];
    for (uintptr_t i = 0; i < WORKERS; i++)
        pthread_create(&workers[i], NULL, churn, (void *)(i + 1));
    int good = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0)
            _exit(child_work());
        int status = 0;
        waitpid(pid, &status, 0);
        good += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < WORKERS; i++) {
        void **kept = NULL;
        pthread_join(workers[i], (void **)&kept);
        for (int slot = 0; slot < 64; slot++)
            free(kept[slot]); /* blocks of a thread that has exited */
        free(kept);
    }
    printf("children that allocated and exited cleanly: %d of %d\n", good, FORKS);
    return good == FORKS ? 0 : 1;
}
