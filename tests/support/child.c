/* SPDX-License-Identifier: MIT */
/*
 * tests/support/child.c — child processes for tests that must crash, and
 * fresh ones for tests of what processes share through the OS.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "child.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Under memcheck an expected fault on a reserved page is also an invalid
 * access; the child stops error reporting so that it counts only as a fault. */
#include "check.h" /* RUNNING_ON_VALGRIND, and valgrind.h where there is one */
#ifndef VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_DISABLE_ERROR_REPORTING
#endif

static const child_scenario *registered;
static const char *self_path;

static const child_scenario *find_scenario(const char *name)
{
    for (const child_scenario *s = registered; s != NULL && s->name != NULL; s++) {
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    return NULL;
}

int child_dispatch(int argc, char **argv, const child_scenario *scenarios)
{
    registered = scenarios;
    self_path = argv[0];
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        const child_scenario *s = find_scenario(argv[2]);
        if (s == NULL) {
            fprintf(stderr, "no child scenario named %s\n", argv[2]);
            return 2;
        }
        s->run();
        return 0;
    }
    return -1;
}

static uintptr_t fault_start, fault_end;

void child_allow_faults(void)
{
    VALGRIND_DISABLE_ERROR_REPORTING;
}

bool child_under_valgrind(void)
{
    return RUNNING_ON_VALGRIND != 0;
}

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

static LONG WINAPI on_exception(EXCEPTION_POINTERS *info)
{
    EXCEPTION_RECORD *record = info->ExceptionRecord;
    if (record->ExceptionCode == EXCEPTION_ACCESS_VIOLATION && record->NumberParameters >= 2) {
        uintptr_t address = (uintptr_t)record->ExceptionInformation[1];
        bool expected = address >= fault_start && address < fault_end;
        TerminateProcess(GetCurrentProcess(), expected ? CHILD_FAULT_AT_EXPECTED : CHILD_FAULT_ELSEWHERE);
    }
    return EXCEPTION_CONTINUE_SEARCH;
}

void child_expect_fault_at(const void *address, size_t size)
{
    fault_start = (uintptr_t)address;
    fault_end = fault_start + size;
    AddVectoredExceptionHandler(1, on_exception);
}

bool child_run(const char *name, child_result *result)
{
    memset(result, 0, sizeof *result);
    char module[MAX_PATH];
    if (GetModuleFileNameA(NULL, module, sizeof module) == 0) {
        return false;
    }
    char command[MAX_PATH + 256];
    snprintf(command, sizeof command, "\"%s\" --child %s", module, name);

    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE read_end, write_end;
    if (!CreatePipe(&read_end, &write_end, &inherit, 0)) {
        return false;
    }
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOA startup = {0};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = write_end;
    startup.hStdError = write_end;
    PROCESS_INFORMATION process;
    /* Wine, with many children starting at once on a loaded machine, now
     * and then refuses one for a moment (a sweep of 192 children lost one
     * so): a few tries before the test is told. */
    BOOL started = FALSE;
    for (int attempt = 0; attempt < 5 && !started; attempt++) {
        if (attempt > 0)
            Sleep(50u * (unsigned)attempt);
        started = CreateProcessA(module, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process);
    }
    CloseHandle(write_end);
    if (!started) {
        CloseHandle(read_end);
        return false;
    }
    size_t used = 0;
    DWORD got;
    char sink[512];
    while (ReadFile(read_end, sink, sizeof sink, &got, NULL) && got > 0) {
        size_t room = sizeof result->output - 1 - used;
        size_t take = got < room ? got : room;
        memcpy(result->output + used, sink, take);
        used += take;
    }
    result->output[used] = '\0';
    CloseHandle(read_end);
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(process.hProcess, &code);
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    result->exited = true;
    result->exit_code = (int)code;
    return true;
}

bool child_run_fresh(const char *name, child_result *result)
{
    return child_run(name, result);
}

bool child_set_env(const char *name, const char *value)
{
    return SetEnvironmentVariableA(name, value) != 0;
}

#else
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void on_fault(int signal_number, siginfo_t *info, void *context)
{
    (void)signal_number;
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    _exit(address >= fault_start && address < fault_end ? CHILD_FAULT_AT_EXPECTED
                                                        : CHILD_FAULT_ELSEWHERE);
}

void child_expect_fault_at(const void *address, size_t size)
{
    fault_start = (uintptr_t)address;
    fault_end = fault_start + size;
    VALGRIND_DISABLE_ERROR_REPORTING;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
}

/* Reads the child's stderr from `read_end` to its end, closes it, and waits for the child. */
static void collect_child(pid_t pid, int read_end, child_result *result)
{
    size_t used = 0;
    ssize_t got;
    char sink[512];
    while ((got = read(read_end, sink, sizeof sink)) > 0) {
        size_t room = sizeof result->output - 1 - used;
        size_t take = (size_t)got < room ? (size_t)got : room;
        memcpy(result->output + used, sink, take);
        used += take;
    }
    result->output[used] = '\0';
    close(read_end);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    result->exited = WIFEXITED(status);
    result->exit_code = result->exited ? WEXITSTATUS(status) : 0;
    result->signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

bool child_run(const char *name, child_result *result)
{
    memset(result, 0, sizeof *result);
    const child_scenario *s = find_scenario(name);
    int pipe_ends[2];
    if (s == NULL || pipe(pipe_ends) != 0) {
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_ends[0]);
        close(pipe_ends[1]);
        return false;
    }
    if (pid == 0) {
        dup2(pipe_ends[1], STDERR_FILENO);
        close(pipe_ends[0]);
        close(pipe_ends[1]);
        s->run();
        _exit(0);
    }
    close(pipe_ends[1]);
    collect_child(pid, pipe_ends[0], result);
    return true;
}

bool child_run_fresh(const char *name, child_result *result)
{
    memset(result, 0, sizeof *result);
    /* The real path: under Valgrind /proc/self/exe is the tool, but reading
     * the link gives the program it runs. */
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0 || (size_t)length >= sizeof self - 1) {
        return false;
    }
    self[length] = '\0';
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) {
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
    char child_flag[] = "--child";
    char *argv[] = {self, child_flag, (char *)name, NULL};
    fflush(NULL);
    pid_t pid;
    int error = posix_spawn(&pid, self, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    if (error != 0) {
        close(pipe_ends[0]);
        return false;
    }
    collect_child(pid, pipe_ends[0], result);
    return true;
}
bool child_set_env(const char *name, const char *value)
{
    return value == NULL ? unsetenv(name) == 0 : setenv(name, value, 1) == 0;
}

#endif
