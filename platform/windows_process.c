/* SPDX-License-Identifier: MIT */
/*
 * platform/windows_process.c — what the crt's reports need from Windows:
 * the environment's variables by prefix, the program's name, a backtrace,
 * and a file opened for appending.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <string.h>

#include "internal.h"

strata_status strata_env_each(const char *prefix, strata_env_visitor visit, void *context)
{
    if (prefix == NULL || visit == NULL)
        return STRATA_E_INVALID_PARAMETER;
    char *block = GetEnvironmentStringsA();
    if (block == NULL)
        return STRATA_E_NO_MEMORY;
    size_t prefix_length = strlen(prefix);
    for (char *entry = block; *entry != '\0'; entry += strlen(entry) + 1) {
        /* Entries starting with '=' are the shell's per-drive folders. */
        if (entry[0] != '=' && strncmp(entry, prefix, prefix_length) == 0)
            visit(context, entry, strlen(entry));
    }
    FreeEnvironmentStringsA(block);
    return STRATA_OK;
}

size_t strata_platform_process_name(char *buffer, size_t capacity)
{
    if (buffer == NULL || capacity == 0)
        return 0;
    char path[MAX_PATH];
    DWORD length = GetModuleFileNameA(NULL, path, sizeof path);
    if (length == 0 || length >= sizeof path) {
        buffer[0] = '\0';
        return 0;
    }
    const char *name = path;
    for (const char *at = path; *at != '\0'; at++) {
        if (*at == '\\' || *at == '/')
            name = at + 1;
    }
    size_t size = strlen(name);
    if (size > 4 && _stricmp(name + size - 4, ".exe") == 0)
        size -= 4;
    if (size > capacity - 1)
        size = capacity - 1;
    memcpy(buffer, name, size);
    buffer[size] = '\0';
    return size;
}

size_t strata_platform_backtrace(void **frames, size_t capacity)
{
    if (frames == NULL || capacity == 0)
        return 0;
    DWORD wanted = capacity > 62 ? 62 : (DWORD)capacity; /* the call's limit on older Windows */
    return RtlCaptureStackBackTrace(1, wanted, frames, NULL);
}

strata_status strata_platform_file_append(const char *path, strata_native_file *out_file)
{
    if (path == NULL || path[0] == '\0' || out_file == NULL)
        return STRATA_E_INVALID_PARAMETER;
    HANDLE file = CreateFileA(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return STRATA_E_NOT_FOUND;
    *out_file = (intptr_t)file;
    return STRATA_OK;
}

