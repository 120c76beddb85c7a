/* SPDX-License-Identifier: MIT */
/*
 * platform/posix_process.c — what the crt's reports need from a POSIX OS:
 * the environment's variables by prefix, the program's name, a backtrace,
 * and a file opened for appending. Nothing here allocates, except glibc's
 * backtrace() on its first call (it loads the unwinder).
 */
#define _GNU_SOURCE /* O_CLOEXEC, program_invocation_short_name */

#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<execinfo.h>)
#include <execinfo.h>
#define HAVE_BACKTRACE 1
#endif
#endif

extern char **environ;

strata_status strata_env_each(const char *prefix, strata_env_visitor visit, void *context)
{
    if (prefix == NULL || visit == NULL)
        return STRATA_E_INVALID_PARAMETER;
    size_t prefix_length = strlen(prefix);
    for (char **entry = environ; entry != NULL && *entry != NULL; entry++) {
        if (strncmp(*entry, prefix, prefix_length) == 0)
            visit(context, *entry, strlen(*entry));
    }
    return STRATA_OK;
}

size_t strata_platform_process_name(char *buffer, size_t capacity)
{
    if (buffer == NULL || capacity == 0)
        return 0;
    size_t length = 0;
#if defined(__linux__)
    int file = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
    if (file >= 0) {
        ssize_t got = read(file, buffer, capacity - 1);
        close(file);
        if (got > 0) {
            length = (size_t)got;
            if (buffer[length - 1] == '\n')
                length--;
        }
    }
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
    const char *name = getprogname();
    if (name != NULL) {
        length = strlen(name);
        if (length > capacity - 1)
            length = capacity - 1;
        memcpy(buffer, name, length);
    }
#endif
    buffer[length] = '\0';
    return length;
}

#if defined(HAVE_BACKTRACE)
/* The unwinder may call malloc, and malloc may ask for a backtrace. */
static __thread int in_backtrace;
#endif

size_t strata_platform_backtrace(void **frames, size_t capacity)
{
#if defined(HAVE_BACKTRACE)
    if (frames == NULL || capacity == 0 || in_backtrace)
        return 0;
    in_backtrace = 1;
    void *all[64];
    int wanted = capacity + 1 < 64 ? (int)capacity + 1 : 64;
    int got = backtrace(all, wanted);
    in_backtrace = 0;
    if (got <= 1)
        return 0;
    size_t count = (size_t)got - 1; /* this function's own frame left out */
    memcpy(frames, all + 1, count * sizeof *frames);
    return count;
#else
    (void)frames;
    (void)capacity;
    return 0;
#endif
}

strata_status strata_platform_file_append(const char *path, strata_native_file *out_file)
{
    if (path == NULL || path[0] == '\0' || out_file == NULL)
        return STRATA_E_INVALID_PARAMETER;
    int file;
    do {
        file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } while (file < 0 && errno == EINTR);
    if (file < 0)
        return STRATA_E_NOT_FOUND;
    *out_file = file;
    return STRATA_OK;
}

